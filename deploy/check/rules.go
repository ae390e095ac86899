package main

import (
	"fmt"
	"os"

	"sigs.k8s.io/yaml"
)

type ruleFile struct {
	Groups []struct {
		Name  string `json:"name"`
		Rules []struct {
			Alert       string            `json:"alert"`
			Record      string            `json:"record"`
			Expr        string            `json:"expr"`
			For         string            `json:"for"`
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"rules"`
	} `json:"groups"`
}

// checkRules checks each rule's expression against what the server exports, and that every
// alert says how severe it is and where the runbook is (promtool checks the rest).
func checkRules(path string, series map[string][]string) (rules int, errs []error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, []error{err}
	}
	var f ruleFile
	if err := yaml.UnmarshalStrict(raw, &f); err != nil {
		return 0, []error{err}
	}
	// Series recorded by this file's rules may be used by its other rules.
	withRecorded := map[string][]string{}
	for k, v := range series {
		withRecorded[k] = v
	}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				withRecorded[r.Record] = []string{anyLabel}
			}
		}
	}
	series = withRecorded
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			rules++
			name := r.Alert + r.Record
			for _, e := range checkExpr(r.Expr, series) {
				errs = append(errs, fmt.Errorf("rule %s: %w", name, e))
			}
			if r.Alert == "" {
				continue
			}
			if s := r.Labels["severity"]; s != "critical" && s != "warning" {
				errs = append(errs, fmt.Errorf("alert %s: severity is %q, not critical or warning", name, s))
			}
			for _, a := range []string{"summary", "description", "runbook_url"} {
				if r.Annotations[a] == "" {
					errs = append(errs, fmt.Errorf("alert %s has no %s annotation", name, a))
				}
			}
		}
	}
	if rules == 0 {
		errs = append(errs, fmt.Errorf("no rule"))
	}
	return rules, errs
}
