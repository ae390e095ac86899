// Command check validates the deployment artefacts in deploy/ offline: Prometheus rules and
// Grafana dashboards against the metric names the server really exports (read from
// server/src/metrics.rs), dashboards against Grafana's published schema, and the Helm chart's
// rendered objects against the Kubernetes and prometheus-operator Go types.
// scripts/test-deploy runs it; see there for the order and the other tools.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func usage() {
	fmt.Fprintln(os.Stderr, `usage:
  check rules     -metrics METRICS_RS [-agent-metrics AGENT_METRICS_RS] -runbook OPERATIONS_MD RULES.yml...
  check grafana   -metrics METRICS_RS [-agent-metrics AGENT_METRICS_RS] DASHBOARD.json...
  check scrape    -metrics METRICS_RS EXPOSITION.txt
  check agent-scrape -agent-metrics AGENT_METRICS_RS EXPOSITION.txt...
  check manifests -config CONFIG_RS [-replicas N] [-servicemonitor=false] [-pdb=false] RENDERED.yaml`)
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	metricsRs := fs.String("metrics", "server/src/metrics.rs", "the server's metrics source")
	agentMetricsRs := fs.String("agent-metrics", "", "the agent's metrics source (agent/src/metrics.rs); queries may then use its families too")
	runbook := fs.String("runbook", "docs/operations.md", "the runbook every alert must have a section in")
	replicas := fs.Int("replicas", 2, "replicas the Deployment must have")
	serviceMonitor := fs.Bool("servicemonitor", true, "whether a ServiceMonitor must be rendered")
	pdb := fs.Bool("pdb", true, "whether a PodDisruptionBudget must be rendered")
	configRs := fs.String("config", "server/src/config.rs", "the server's command line, for its environment variables")
	_ = fs.Parse(os.Args[2:])
	files := fs.Args()
	if len(files) == 0 {
		usage()
	}
	var errs []error
	switch os.Args[1] {
	case "rules", "grafana", "scrape":
		exported, err := exportedMetrics(*metricsRs)
		if err != nil {
			fail([]error{err})
		}
		if knownRoutes, err = serverRoutes(filepath.Dir(*metricsRs)); err != nil {
			fail([]error{err})
		}
		what := fmt.Sprintf("%d exported metric families", len(exported))
		queryable := exported
		if *agentMetricsRs != "" && os.Args[1] != "scrape" {
			agent, err := agentMetrics(*agentMetricsRs)
			if err != nil {
				fail([]error{err})
			}
			if queryable, err = withAgentMetrics(exported, agent); err != nil {
				fail([]error{err})
			}
			what = fmt.Sprintf("%d server and %d agent metric families", len(exported), len(agent))
		}
		series := seriesNames(queryable)
		for _, f := range files {
			var n int
			var fileErrs []error
			switch os.Args[1] {
			case "rules":
				n, fileErrs = checkRules(f, series)
				fileErrs = append(fileErrs, checkRunbook(f, *runbook)...)
				fmt.Printf("%s: %d rules checked against %s\n", f, n, what)
			case "grafana":
				n, fileErrs = checkDashboard(f, series)
				fmt.Printf("%s: schema valid, %d queries checked against %s\n", f, n, what)
			case "scrape":
				n, fileErrs = checkScrape(f, exported, true, false)
				fmt.Printf("%s: %d families scraped from a live server, compared with %s\n", f, n, *metricsRs)
			}
			for _, e := range fileErrs {
				errs = append(errs, fmt.Errorf("%s: %w", f, e))
			}
		}
	case "agent-scrape":
		agent, err := agentMetrics(*agentMetricsRs)
		if err != nil {
			fail([]error{err})
		}
		for _, f := range files {
			n, fileErrs := checkScrape(f, agent, false, true)
			fmt.Printf("%s: %d families scraped from a live agent, compared with %s\n", f, n, *agentMetricsRs)
			for _, e := range fileErrs {
				errs = append(errs, fmt.Errorf("%s: %w", f, e))
			}
		}
	case "manifests":
		env, err := serverEnv(*configRs)
		if err != nil {
			fail([]error{err})
		}
		for _, f := range files {
			objects, fileErrs := checkManifests(f)
			if len(fileErrs) == 0 {
				fileErrs = checkChart(objects, *replicas, *serviceMonitor, *pdb, env)
			}
			n := 0
			for _, l := range objects {
				n += len(l)
			}
			fmt.Printf("%s: %d objects decoded strictly into their Go types\n", f, n)
			for _, e := range fileErrs {
				errs = append(errs, fmt.Errorf("%s: %w", f, e))
			}
		}
	default:
		usage()
	}
	fail(errs)
}

func fail(errs []error) {
	if len(errs) == 0 {
		return
	}
	for _, e := range errs {
		fmt.Fprintln(os.Stderr, "error:", e)
	}
	os.Exit(1)
}

var alertNameRe = regexp.MustCompile(`(?m)^\s*-\s*alert:\s*(\S+)`)

// checkRunbook: every alert has a `### Name` section in the runbook, which its runbook_url names.
func checkRunbook(rulesPath, runbookPath string) []error {
	rules, err := os.ReadFile(rulesPath)
	if err != nil {
		return []error{err}
	}
	book, err := os.ReadFile(runbookPath)
	if err != nil {
		return []error{err}
	}
	var errs []error
	for _, m := range alertNameRe.FindAllStringSubmatch(string(rules), -1) {
		if !regexp.MustCompile(`(?m)^### ` + regexp.QuoteMeta(m[1]) + `\s*$`).Match(book) {
			errs = append(errs, fmt.Errorf("alert %s has no `### %s` section in %s", m[1], m[1], runbookPath))
		}
		if !strings.Contains(string(rules), "operations.md#"+strings.ToLower(m[1])) {
			errs = append(errs, fmt.Errorf("alert %s: no runbook_url pointing at operations.md#%s", m[1], strings.ToLower(m[1])))
		}
	}
	return errs
}

var (
	typeLineRe   = regexp.MustCompile(`(?m)^# TYPE (\S+) (\S+)$`)
	sampleLineRe = regexp.MustCompile(`(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? `)
	labelNameRe  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="`)
	// A sample's series name and value (label values hold no `} `).
	sampleValueRe = regexp.MustCompile(`(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{.*\})? (\S+)`)
)

// checkScrape: the families a live server or agent exposes (after make_state.py or
// agent_state.py gave each something to count) are exactly those this check reads from the
// source, of the same types, and each sample carries exactly the label names read from the
// source. With nonZero, every counter and histogram has counted something (so a panel on it
// shows data); with sampled, every family has a sample (its labels were compared).
func checkScrape(path string, exported map[string]metric, nonZero, sampled bool) (int, []error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, []error{err}
	}
	var errs []error
	found := typeLineRe.FindAllStringSubmatch(string(raw), -1)
	scraped := map[string]bool{}
	for _, m := range found {
		scraped[m[1]] = true
		e, ok := exported[m[1]]
		if !ok {
			errs = append(errs, fmt.Errorf("the scrape has %s, which the source parser did not find", m[1]))
		} else if e.kind != m[2] {
			errs = append(errs, fmt.Errorf("%s is a %s in the exposition but a %s in the source", m[1], m[2], e.kind))
		}
	}
	for name := range exported {
		if !scraped[name] {
			errs = append(errs, fmt.Errorf("%s is in the source but not in the scrape (the state made before it should make it count)", name))
		}
	}
	series := seriesNames(exported)
	// Which family each series name belongs to, and the families that counted something.
	familyOf := map[string]string{}
	for name, m := range exported {
		familyOf[name] = name
		if m.kind == "histogram" {
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				familyOf[name+suffix] = name
			}
		}
	}
	counted, hasSample := map[string]bool{}, map[string]bool{}
	for _, m := range sampleValueRe.FindAllStringSubmatch(string(raw), -1) {
		hasSample[familyOf[m[1]]] = true
		if v, err := strconv.ParseFloat(m[2], 64); err == nil && v != 0 {
			counted[familyOf[m[1]]] = true
		}
	}
	for _, name := range sortedKeys(exported) {
		switch {
		case nonZero && exported[name].kind != "gauge" && !counted[name]:
			errs = append(errs, fmt.Errorf("%s counted nothing in the scrape (the state made before it should make it count)", name))
		case sampled && !hasSample[name]:
			errs = append(errs, fmt.Errorf("%s has no sample in the scrape (the state made before it should give it one)", name))
		}
	}
	for _, m := range sampleLineRe.FindAllStringSubmatch(string(raw), -1) {
		want, ok := series[m[1]]
		if !ok {
			errs = append(errs, fmt.Errorf("sample of unknown series %s", m[1]))
			continue
		}
		var got []string
		for _, l := range labelNameRe.FindAllStringSubmatch(m[2], -1) {
			got = append(got, l[1])
		}
		want = append([]string{}, want...)
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			errs = append(errs, fmt.Errorf("%s has labels %v in the exposition, %v in the source", m[1], got, want))
		}
	}
	return len(found), errs
}
