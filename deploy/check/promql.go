package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// anyLabel marks a series recorded by a rule: its labels are whatever the rule keeps.
const anyLabel = "*"

// Labels Prometheus itself attaches to every scraped series.
var targetLabels = map[string]bool{"job": true, "instance": true}

// Series Prometheus makes itself, per target.
var prometheusSeries = map[string][]string{"up": nil, "scrape_duration_seconds": nil, "scrape_samples_scraped": nil}

// knownRoutes: the route templates the server labels requests with (nil: not checked).
var knownRoutes map[string]bool

var grafanaVarRe = regexp.MustCompile(`\$\{?([A-Za-z0-9_]+)(?::[a-z]+)?\}?`)

// withoutGrafanaVariables puts a value of the right shape where Grafana would substitute a
// variable: a duration for its interval variables, a word elsewhere (inside label values).
func withoutGrafanaVariables(expr string) string {
	return grafanaVarRe.ReplaceAllStringFunc(expr, func(v string) string {
		name := grafanaVarRe.FindStringSubmatch(v)[1]
		if strings.HasPrefix(name, "__") {
			return "5m"
		}
		return "x"
	})
}

// checkExpr parses a PromQL expression and checks every series it selects, and every label it
// matches or groups by, against what the server exports.
func checkExpr(expr string, series map[string][]string) []error {
	var errs []error
	ast, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		return []error{fmt.Errorf("does not parse: %w", err)}
	}
	labelsOf := func(name string) ([]string, bool) {
		if l, ok := series[name]; ok {
			return l, true
		}
		l, ok := prometheusSeries[name]
		return l, ok
	}
	parser.Inspect(ast, func(node parser.Node, _ []parser.Node) error {
		switch n := node.(type) {
		case *parser.VectorSelector:
			if n.Name == "" {
				errs = append(errs, fmt.Errorf("selector %s names no metric", n))
				return nil
			}
			known, ok := labelsOf(n.Name)
			if !ok {
				errs = append(errs, fmt.Errorf("metric %s is not exported by the server (server/src/metrics.rs) nor, when given, the agent (agent/src/metrics.rs)", n.Name))
				return nil
			}
			for _, m := range n.LabelMatchers {
				if m.Name == "route" && knownRoutes != nil && (m.Type == labels.MatchEqual || m.Type == labels.MatchNotEqual) && !knownRoutes[m.Value] {
					errs = append(errs, fmt.Errorf("route %q is not a route of the server", m.Value))
				}
				if m.Name == "__name__" || targetLabels[m.Name] || contains(known, m.Name) || contains(known, anyLabel) {
					continue
				}
				errs = append(errs, fmt.Errorf("metric %s has no label %q (it has %v)", n.Name, m.Name, known))
			}
		case *parser.AggregateExpr:
			errs = append(errs, checkGrouping("aggregation", n.Grouping, n.Expr, labelsOf)...)
		case *parser.BinaryExpr:
			if n.VectorMatching != nil {
				errs = append(errs, checkGrouping("vector matching", n.VectorMatching.MatchingLabels, n, labelsOf)...)
			}
		}
		return nil
	})
	return errs
}

// checkGrouping: a label grouped or matched on must be a label of some series the expression
// selects (or one Prometheus attaches); a misspelt label would otherwise group everything as one.
func checkGrouping(what string, labels []string, within parser.Node, labelsOf func(string) ([]string, bool)) []error {
	var errs []error
	available := map[string]bool{}
	for l := range targetLabels {
		available[l] = true
	}
	parser.Inspect(within, func(node parser.Node, _ []parser.Node) error {
		if vs, ok := node.(*parser.VectorSelector); ok {
			if known, ok := labelsOf(vs.Name); ok {
				for _, l := range known {
					available[l] = true
				}
			}
		}
		return nil
	})
	for _, l := range labels {
		if !available[l] && !available[anyLabel] {
			errs = append(errs, fmt.Errorf("%s on label %q, which none of its series has", what, l))
		}
	}
	return errs
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var legendLabelRe = regexp.MustCompile(`\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}`)

// checkLegend: a `{{label}}` in a panel's legend must be a label of some series its query
// selects (or one Prometheus attaches); a renamed label would otherwise leave the legend blank.
func checkLegend(expr, legend string, series map[string][]string) []error {
	var labels []string
	for _, m := range legendLabelRe.FindAllStringSubmatch(legend, -1) {
		labels = append(labels, m[1])
	}
	if len(labels) == 0 {
		return nil
	}
	ast, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		return nil // reported by checkExpr
	}
	return checkGrouping("legend", labels, ast, func(name string) ([]string, bool) {
		if l, ok := series[name]; ok {
			return l, true
		}
		l, ok := prometheusSeries[name]
		return l, ok
	})
}
