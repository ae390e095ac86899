package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const metricsRs = "../../server/src/metrics.rs"

func exported(t *testing.T, path string) map[string][]string {
	t.Helper()
	m, err := exportedMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	return seriesNames(m)
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadsEveryFamilyWithItsLabels(t *testing.T) {
	s := exported(t, metricsRs)
	for name, want := range map[string]string{
		"http_requests_total":                    "method route status",
		"http_request_duration_seconds_bucket":   "method route status le",
		"patronus_failover_events_total":         "reason",
		"patronus_shaped_drops_total":            "direction priority",
		"patronus_xdp_guard_dropped_bytes_total": "",
		"patronus_path_rtt_seconds_count":        "",
	} {
		got, ok := s[name]
		if !ok || strings.Join(got, " ") != want {
			t.Errorf("%s: labels %v (found: %v), want %q", name, got, ok, want)
		}
	}
}

// Renaming a metric in the server breaks the dashboards and the rules that use it.
func TestARenamedMetricFailsTheDashboardsAndRules(t *testing.T) {
	src, err := os.ReadFile(metricsRs)
	if err != nil {
		t.Fatal(err)
	}
	renamed := strings.Replace(string(src), `"patronus_failover_events_total"`, `"patronus_path_changes_total"`, 1)
	s := exported(t, writeTemp(t, "metrics.rs", renamed))
	_, errs := checkDashboard("../grafana/patronus-paths.json", s)
	if !anyContains(errs, "patronus_failover_events_total is not exported") {
		t.Errorf("dashboard check after the rename: %v", errs)
	}
	_, errs = checkRules("../prometheus/patronus.rules.yml", s)
	if len(errs) == 0 {
		t.Error("the rules passed after the rename")
	}
}

func TestAMetricInAFormTheParserDoesNotKnowIsAnError(t *testing.T) {
	src, _ := os.ReadFile(metricsRs)
	extra := string(src) + "\nfn more(registry: &Registry) { registry.register(Box::new(make_it()))?; }\n"
	if _, err := exportedMetrics(writeTemp(t, "metrics.rs", extra)); err == nil {
		t.Error("an unrecognised registration passed")
	}
}

func TestQueriesAreCheckedForLabelsAndSyntax(t *testing.T) {
	s := exported(t, metricsRs)
	routes, err := serverRoutes("../../server/src")
	if err != nil {
		t.Fatal(err)
	}
	knownRoutes = routes
	defer func() { knownRoutes = nil }()
	for expr, want := range map[string]string{
		`sum(rate(patronus_failover_events_total{reasn="sla"}[5m]))`:              `no label "reasn"`,
		`sum by (site) (rate(patronus_failover_events_total[5m]))`:                `label "site"`,
		`rate(http_request_duration_seconds[5m])`:                                 "not exported",
		`sum(rate(patronus_failover_events_total[5m])`:                            "does not parse",
		`rate(patronus_shaped_bytes_total{direction="egress"}[$__rate_interval])`: "",
	} {
		errs := checkExpr(withoutGrafanaVariables(expr), s)
		switch {
		case want == "" && len(errs) > 0:
			t.Errorf("%s: %v", expr, errs)
		case want != "" && (len(errs) == 0 || !strings.Contains(errs[0].Error(), want)):
			t.Errorf("%s: got %v, want an error with %q", expr, errs, want)
		}
	}
}

func TestADashboardOutsideTheSchemaFails(t *testing.T) {
	raw, err := os.ReadFile("../grafana/patronus-control-plane.json")
	if err != nil {
		t.Fatal(err)
	}
	s := exported(t, metricsRs)
	for name, mutated := range map[string]string{
		"unknown panel field":  strings.Replace(string(raw), `"description": "Scrape health per replica."`, `"descripton": "Scrape health per replica."`, 1),
		"unknown query field":  strings.Replace(string(raw), `"legendFormat": "{{instance}}"`, `"legendFormt": "{{instance}}"`, 1),
		"wrong type":           strings.Replace(string(raw), `"graphTooltip": 1`, `"graphTooltip": "shared"`, 1),
		"missing schema field": strings.Replace(string(raw), `"schemaVersion": 39,`, ``, 1),
	} {
		if mutated == string(raw) {
			t.Fatalf("%s: the mutation changed nothing", name)
		}
		if _, errs := checkDashboard(writeTemp(t, "d.json", mutated), s); len(errs) == 0 {
			t.Errorf("%s: passed", name)
		}
	}
}

func TestManifestsAreDecodedStrictly(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown field": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replica: 2\n",
		"bad quantity":  "apiVersion: v1\nkind: Pod\n",
		"unknown kind":  "apiVersion: example.com/v1\nkind: Thing\nmetadata:\n  name: x\n",
		"servicemonitor field": "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: x\n" +
			"spec:\n  selector: {}\n  endpoints:\n    - port: http\n      pth: /metrics\n",
	} {
		if _, errs := checkManifests(writeTemp(t, "m.yaml", doc)); len(errs) == 0 {
			t.Errorf("%s: passed", name)
		}
	}
}

func anyContains(errs []error, s string) bool {
	for _, e := range errs {
		if strings.Contains(e.Error(), s) {
			return true
		}
	}
	return false
}

const agentMetricsRs = "../../agent/src/metrics.rs"

func withAgent(t *testing.T, serverPath, agentPath string) map[string][]string {
	t.Helper()
	server, err := exportedMetrics(serverPath)
	if err != nil {
		t.Fatal(err)
	}
	agent, err := agentMetrics(agentPath)
	if err != nil {
		t.Fatal(err)
	}
	both, err := withAgentMetrics(server, agent)
	if err != nil {
		t.Fatal(err)
	}
	return seriesNames(both)
}

func TestReadsEveryAgentFamilyWithItsLabels(t *testing.T) {
	m, err := agentMetrics(agentMetricsRs)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"patronus_agent_uptime_seconds":                 "gauge ",
		"patronus_agent_link_receive_packets_total":     "counter link",
		"patronus_agent_shaped_backlog_bytes":           "gauge link class direction",
		"patronus_agent_shaped_drops_total":             "counter link class direction",
		"patronus_agent_path_loss_ratio":                "gauge peer link remote_link",
		"patronus_agent_policy_switches_total":          "counter policy peer",
		"patronus_agent_xdp_guard_attached":             "gauge link mode",
		"patronus_agent_xdp_guard_passed_bytes_total":   "counter ",
		"patronus_agent_xdp_guard_passed_packets_total": "counter message",
		"patronus_agent_metrics_omitted":                "gauge kind",
	} {
		got, ok := m[name]
		if !ok || got.kind+" "+strings.Join(got.labels, " ") != want {
			t.Errorf("%s: %v (found: %v), want %q", name, got, ok, want)
		}
	}
}

// Renaming an agent metric, or one of its labels, breaks the site dashboard.
func TestARenamedAgentMetricFailsTheSiteDashboard(t *testing.T) {
	src, err := os.ReadFile(agentMetricsRs)
	if err != nil {
		t.Fatal(err)
	}
	for rename, want := range map[[2]string]string{
		{`"patronus_agent_path_rtt_seconds"`, `"patronus_agent_path_rtt"`}:       "patronus_agent_path_rtt_seconds is not exported",
		{`("remote_link", remote)`, `("peer_link", remote)`}:                     `legend on label "remote_link"`,
		{`"patronus_agent_shaped_drops_total"`, `"patronus_agent_shaped_drops"`}: "patronus_agent_shaped_drops_total is not exported",
		{`"patronus_agent_uptime_seconds"`, `"patronus_agent_uptime"`}:           "variable job",
	} {
		renamed := strings.Replace(string(src), rename[0], rename[1], 1)
		if renamed == string(src) {
			t.Fatalf("%s: the rename changed nothing", rename[0])
		}
		s := withAgent(t, metricsRs, writeTemp(t, "metrics.rs", renamed))
		if _, errs := checkDashboard("../grafana/patronus-site.json", s); !anyContains(errs, want) {
			t.Errorf("%s renamed: want an error with %q, got %v", rename[0], want, errs)
		}
	}
}

func TestAnAgentMetricInAFormTheParserDoesNotKnowIsAnError(t *testing.T) {
	src, err := os.ReadFile(agentMetricsRs)
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string][2]string{
		// A family written by hand, without family().
		"written by hand": {"    out\n}\n", "    let _ = writeln!(o, \"# TYPE {} gauge\", \"patronus_agent_new\");\n    out\n}\n"},
		// A family of an unknown kind.
		"kind": {`"patronus_agent_error", "gauge"`, `"patronus_agent_error", "gauges"`},
		// One family sampled with two sets of labels.
		"labels": {`f.sample(&[("peer", name)], age as f64);`, `f.sample(&[("peer", name)], age as f64); f.sample(&[("site", name)], 1.0);`},
	} {
		edited := strings.Replace(string(src), edit[0], edit[1], 1)
		if edited == string(src) {
			t.Fatalf("%s: the edit changed nothing", name)
		}
		if _, err := agentMetrics(writeTemp(t, "metrics.rs", edited)); err == nil {
			t.Errorf("%s: passed", name)
		}
	}
}

func TestAMetricOfBothServerAndAgentIsAnError(t *testing.T) {
	server, _ := exportedMetrics(metricsRs)
	agent, _ := agentMetrics(agentMetricsRs)
	if _, err := withAgentMetrics(server, map[string]metric{"patronus_agent_polls_parked": {kind: "gauge"}}); err == nil {
		t.Error("a name defined twice passed")
	}
	if _, err := withAgentMetrics(server, agent); err != nil {
		t.Error(err)
	}
}

func TestAScrapeMissingACountOrASampleFails(t *testing.T) {
	exported := map[string]metric{
		"a_total": {kind: "counter", labels: []string{"x"}},
		"b":       {kind: "gauge"},
	}
	full := "# TYPE a_total counter\na_total{x=\"1\"} 3\n# TYPE b gauge\nb 0\n"
	for name, c := range map[string]struct {
		text             string
		nonZero, sampled bool
		want             string
	}{
		"complete":           {full, true, true, ""},
		"a counter at zero":  {strings.Replace(full, "} 3", "} 0", 1), true, false, "a_total counted nothing"},
		"zero, not required": {strings.Replace(full, "} 3", "} 0", 1), false, true, ""},
		"a gauge unsampled":  {strings.Replace(full, "b 0\n", "", 1), false, true, "b has no sample"},
		"a label renamed":    {strings.Replace(full, "x=", "y=", 1), false, false, "has labels [y] in the exposition, [x] in the source"},
		"a family missing":   {strings.Replace(full, "# TYPE b gauge\nb 0\n", "", 1), false, false, "b is in the source but not in the scrape"},
	} {
		_, errs := checkScrape(writeTemp(t, "m.txt", c.text), exported, c.nonZero, c.sampled)
		switch {
		case c.want == "" && len(errs) > 0:
			t.Errorf("%s: %v", name, errs)
		case c.want != "" && !anyContains(errs, c.want):
			t.Errorf("%s: want an error with %q, got %v", name, c.want, errs)
		}
	}
}
