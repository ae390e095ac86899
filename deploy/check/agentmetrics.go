package main

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

var (
	agentNameRe = regexp.MustCompile(`"(patronus_agent_[a-z0-9_]+)"`)
	// family(o, "name", "kind", ..) or family(o, name, kind, ..) (the name and kind taken from
	// a table of tuples just before it).
	agentFamilyRe = regexp.MustCompile(`\bfamily\(\s*[a-z_]+\s*,\s*(?:"([^"]+)"|([a-z_]+))\s*,\s*(?:"([^"]+)"|([a-z_]+))\s*,`)
	// .sample(&[("link", ..), ("class", ..)], value)
	agentSampleRe    = regexp.MustCompile(`\.sample\(\s*&\[`)
	agentLabelKeyRe  = regexp.MustCompile(`\(\s*"([a-z_][a-z0-9_]*)"\s*,`)
	agentKindAfterRe = regexp.MustCompile(`^"\s*,\s*"(counter|gauge|histogram)"`)
	agentRenderRe    = regexp.MustCompile(`(?m)^pub fn render\(`)
	agentRenderEndRe = regexp.MustCompile(`(?m)^}\s*$`)
)

// agentMetrics reads the metric families the agent's own endpoint renders from its source
// (agent/src/metrics.rs, which writes the text format itself): the body of `fn render`, where
// each family is opened by `family(o, NAME, KIND, HELP)` and its samples written by
// `.sample(&[(LABEL, value), ..], ..)` until the next family opens. A name given as a variable
// is taken from the table of tuples (`("name", [kind,] help, getter)`) written just before the
// call. Every `"patronus_agent_…"` literal in the function must end up as a family with a kind
// and one set of label names, or this fails: a new form is an error, not a silent gap.
func agentMetrics(path string) (map[string]metric, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	src := string(raw)
	start := agentRenderRe.FindStringIndex(src)
	if start == nil {
		return nil, fmt.Errorf("%s: no `pub fn render(` found", path)
	}
	end := agentRenderEndRe.FindStringIndex(src[start[1]:])
	if end == nil {
		return nil, fmt.Errorf("%s: the end of `fn render` not found", path)
	}
	body := src[start[0] : start[1]+end[1]]

	type event struct {
		at   int
		kind string // name, family, sample
		m    []int
	}
	var events []event
	for _, m := range agentNameRe.FindAllStringSubmatchIndex(body, -1) {
		events = append(events, event{m[0], "name", m})
	}
	for _, m := range agentFamilyRe.FindAllStringSubmatchIndex(body, -1) {
		events = append(events, event{m[0], "family", m})
	}
	for _, m := range agentSampleRe.FindAllStringIndex(body, -1) {
		events = append(events, event{m[0], "sample", m})
	}
	sort.Slice(events, func(i, j int) bool { return events[i].at < events[j].at })

	defined := map[string]bool{}
	out := map[string]metric{}
	var pending []string               // names in a table, waiting for the family call that uses them
	pendingKind := map[string]string{} // their kind when the table gives it
	var current []string               // the families the samples being read belong to
	labelsSeen := map[string]bool{}    // current families already have a sample
	group := func(s, e int) string {
		if s < 0 {
			return ""
		}
		return body[s:e]
	}
	for _, ev := range events {
		switch ev.kind {
		case "name":
			name := body[ev.m[2]:ev.m[3]]
			defined[name] = true
			// A literal that is a family call's own argument is handled by the call.
			if inFamilyCall(body, ev.at) {
				continue
			}
			pending = append(pending, name)
			if k := agentKindAfterRe.FindStringSubmatch(body[ev.m[3]:]); k != nil {
				pendingKind[name] = k[1]
			}
		case "family":
			name, nameVar := group(ev.m[2], ev.m[3]), group(ev.m[4], ev.m[5])
			kind, kindVar := group(ev.m[6], ev.m[7]), group(ev.m[8], ev.m[9])
			var names []string
			if name != "" {
				names = []string{name}
			} else {
				if len(pending) == 0 {
					return nil, fmt.Errorf("%s: family(.., %s, ..) with no table of names before it", path, nameVar)
				}
				names, pending = pending, nil
			}
			current = nil
			for _, n := range names {
				k := kind
				if kindVar != "" {
					k = pendingKind[n]
				}
				if k != "counter" && k != "gauge" && k != "histogram" {
					return nil, fmt.Errorf("%s: cannot tell the type of %s (kind %q%s)", path, n, k, kindVar)
				}
				if _, dup := out[n]; dup {
					return nil, fmt.Errorf("%s: family %s opened twice", path, n)
				}
				out[n] = metric{kind: k}
				current = append(current, n)
				labelsSeen[n] = false
			}
		case "sample":
			if len(current) == 0 {
				return nil, fmt.Errorf("%s: a sample before any family", path)
			}
			list, ok := bracketed(body[ev.m[1]-1:])
			if !ok {
				return nil, fmt.Errorf("%s: cannot read the labels of a sample of %s", path, current[0])
			}
			var labels []string
			for _, l := range agentLabelKeyRe.FindAllStringSubmatch(list, -1) {
				labels = append(labels, l[1])
			}
			for _, n := range current {
				m := out[n]
				if labelsSeen[n] && strings.Join(m.labels, ",") != strings.Join(labels, ",") {
					return nil, fmt.Errorf("%s: %s is sampled with labels %v and %v", path, n, m.labels, labels)
				}
				m.labels = labels
				out[n] = m
				labelsSeen[n] = true
			}
		}
	}
	if len(pending) > 0 {
		return nil, fmt.Errorf("%s: names %v are in a table no family call uses", path, pending)
	}
	for n := range out {
		if !labelsSeen[n] {
			return nil, fmt.Errorf("%s: %s has no sample, so its labels are unknown", path, n)
		}
	}
	if len(out) != len(defined) {
		return nil, fmt.Errorf("%s names %d agent metric families but this check recognised %d (%s): teach deploy/check/agentmetrics.go the new form",
			path, len(defined), len(out), strings.Join(sortedKeys(out), ", "))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no metric found", path)
	}
	return out, nil
}

// inFamilyCall: the string literal at `at` is the name argument of `family(o, "…"`.
func inFamilyCall(body string, at int) bool {
	i := strings.LastIndex(body[:at], "family(")
	if i < 0 {
		return false
	}
	return regexp.MustCompile(`^family\(\s*[a-z_]+\s*,\s*$`).MatchString(body[i:at])
}

// bracketed returns the text inside the `[..]` that s opens, minding nested brackets.
func bracketed(s string) (string, bool) {
	if !strings.HasPrefix(s, "[") {
		return "", false
	}
	depth := 0
	for i, c := range s {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				return s[1:i], true
			}
		}
	}
	return "", false
}

// withAgentMetrics: the server's families and the agent's together (both prefix some names with
// `patronus_agent_`: the server's count what agents reported to it), each name defined once.
func withAgentMetrics(server, agent map[string]metric) (map[string]metric, error) {
	out := map[string]metric{}
	for k, v := range server {
		out[k] = v
	}
	for k, v := range agent {
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("metric %s is exported by both the server and the agent", k)
		}
		out[k] = v
	}
	return out, nil
}
