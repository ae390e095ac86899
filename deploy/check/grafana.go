package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
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
	if err := d.UnmarshalJSONStrict(raw); err != nil {
		return 0, []error{fmt.Errorf("schema (strict decoding): %w", err)}
	}
	if err := d.Validate(); err != nil {
		var build cog.BuildErrors
		if !errors.As(err, &build) || len(build) > 0 {
			return 0, []error{fmt.Errorf("schema (validation): %w", err)}
		}
	}
	if d.Uid == nil || *d.Uid == "" {
		errs = append(errs, fmt.Errorf("the dashboard has no uid (links and provisioning need a stable one)"))
	}
	var panels []dashboard.Panel
	for _, p := range d.Panels {
		switch {
		case p.Panel != nil:
			panels = append(panels, *p.Panel)
		case p.RowPanel != nil:
			for _, inner := range p.RowPanel.Panels {
				panels = append(panels, inner)
			}
		}
	}
	if len(panels) == 0 {
		errs = append(errs, fmt.Errorf("the dashboard has no panel"))
	}
	for _, p := range panels {
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
		if len(p.Targets) == 0 {
			errs = append(errs, fmt.Errorf("panel %q has no query", title))
		}
		for i, t := range p.Targets {
			q, ok := t.(*prometheus.Dataquery)
			if !ok {
				errs = append(errs, fmt.Errorf("panel %q, target %d: not a Prometheus query (%T)", title, i, t))
				continue
			}
			queries++
			for _, e := range checkExpr(withoutGrafanaVariables(q.Expr), series) {
				errs = append(errs, fmt.Errorf("panel %q, query %q: %w", title, q.Expr, e))
			}
		}
	}
	return queries, errs
}

func init() {
	plugins.RegisterDefaultPlugins()
}
