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
