package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/prometheus/prometheus/promql/parser"
)

// checkDashboard validates one dashboard against Grafana's published schema (the foundation
// SDK's strict decoding, then Validate), requires every panel to be of a known panel type with
// Prometheus queries only, and checks each query against what the server exports.
func checkDashboard(path string, series map[string][]string) (queries int, errs []error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, []error{err}
	}
	var d dashboard.Dashboard
	if err := d.UnmarshalJSONStrict(raw); failed(err) {
		return 0, []error{fmt.Errorf("schema (strict decoding): %w", err)}
	}
	if err := d.Validate(); failed(err) {
		return 0, []error{fmt.Errorf("schema (validation): %w", err)}
	}
	if d.Uid == nil || *d.Uid == "" {
		errs = append(errs, fmt.Errorf("the dashboard has no uid (links and provisioning need a stable one)"))
	}
	// The SDK's strict decoding checks each panel and query but, in v0.0.22, keeps none of them
	// (one that decoded returns an empty error list, which its caller takes for a failure), so
	// panels and queries are decoded again here, one by one, to read the queries.
	var raws struct {
		Panels     []json.RawMessage `json:"panels"`
		Templating struct {
			List []struct {
				Name  string          `json:"name"`
				Type  string          `json:"type"`
				Query json.RawMessage `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(raw, &raws); err != nil {
		return 0, []error{err}
	}
	// Query variables (`label_values(SELECTOR, LABEL)`): the selector like any query, and the
	// label must be one of its series' (or one Prometheus attaches).
	for _, v := range raws.Templating.List {
		if v.Type != "query" {
			continue
		}
		var q string
		if err := json.Unmarshal(v.Query, &q); err != nil {
			errs = append(errs, fmt.Errorf("variable %s: only a string query is checked (%s)", v.Name, v.Query))
			continue
		}
		m := labelValuesRe.FindStringSubmatch(q)
		if m == nil {
			errs = append(errs, fmt.Errorf("variable %s: query %q is not label_values(SELECTOR, LABEL)", v.Name, q))
			continue
		}
		queries++
		expr := withoutGrafanaVariables(m[1])
		vErrs := checkExpr(expr, series)
		if len(vErrs) == 0 {
			vErrs = checkGrouping("label_values", []string{m[2]}, mustParse(expr), func(n string) ([]string, bool) {
				l, ok := series[n]
				return l, ok
			})
		}
		for _, e := range vErrs {
			errs = append(errs, fmt.Errorf("variable %s, query %q: %w", v.Name, q, e))
		}
	}
	type panelQueries struct {
		panel   dashboard.Panel
		targets []json.RawMessage
	}
	var panels []panelQueries
	var decode func(list []json.RawMessage)
	decode = func(list []json.RawMessage) {
		for _, r := range list {
			var head struct {
				Type    string            `json:"type"`
				Panels  []json.RawMessage `json:"panels"`
				Targets []json.RawMessage `json:"targets"`
			}
			if err := json.Unmarshal(r, &head); err != nil {
				errs = append(errs, err)
				continue
			}
			if head.Type == "row" {
				decode(head.Panels)
				continue
			}
			var p dashboard.Panel
			if err := p.UnmarshalJSONStrict(r); failed(err) {
				errs = append(errs, fmt.Errorf("schema (strict decoding of a panel): %w", err))
				continue
			}
			panels = append(panels, panelQueries{p, head.Targets})
		}
	}
	decode(raws.Panels)
	if len(panels) == 0 {
		errs = append(errs, fmt.Errorf("the dashboard has no panel"))
	}
	for _, pq := range panels {
		p := pq.panel
		title := "(untitled)"
		if p.Title != nil {
			title = *p.Title
		}
		if _, ok := cog.NewRuntime().ConfigForPanelcfgVariant(p.Type); !ok {
			errs = append(errs, fmt.Errorf("panel %q: unknown panel type %q", title, p.Type))
		}
		if p.Type == "text" {
			continue
		}
		if len(pq.targets) == 0 {
			errs = append(errs, fmt.Errorf("panel %q has no query", title))
		}
		for i, t := range pq.targets {
			var ds struct {
				Datasource struct {
					Type string `json:"type"`
				} `json:"datasource"`
			}
			_ = json.Unmarshal(t, &ds)
			if ds.Datasource.Type != "prometheus" {
				errs = append(errs, fmt.Errorf("panel %q, target %d: not a Prometheus query (data source type %q)", title, i, ds.Datasource.Type))
				continue
			}
			var q prometheus.Dataquery
			if err := q.UnmarshalJSONStrict(t); failed(err) {
				errs = append(errs, fmt.Errorf("panel %q, target %d: schema (strict decoding): %w", title, i, err))
				continue
			}
			queries++
			legend := ""
			if q.LegendFormat != nil {
				legend = *q.LegendFormat
			}
			exprErrs := checkExpr(withoutGrafanaVariables(q.Expr), series)
			if len(exprErrs) == 0 {
				exprErrs = checkLegend(withoutGrafanaVariables(q.Expr), legend, series)
			}
			for _, e := range exprErrs {
				errs = append(errs, fmt.Errorf("panel %q, query %q: %w", title, q.Expr, e))
			}
		}
	}
	return queries, errs
}

var labelValuesRe = regexp.MustCompile(`^\s*label_values\(\s*(.+?)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$`)

func mustParse(expr string) parser.Expr {
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		panic(err)
	}
	return e
}

func init() {
	plugins.RegisterDefaultPlugins()
}

// failed: the SDK returns its error list as an error even when the list is empty, which is
// success.
func failed(err error) bool {
	if err == nil {
		return false
	}
	var build cog.BuildErrors
	return !errors.As(err, &build) || len(build) > 0
}
