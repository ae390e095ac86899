package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// metric is one metric family the server registers: its kind and its label names.
type metric struct {
	kind   string // counter, gauge or histogram
	labels []string
}

var (
	// IntCounterVec::new(Opts::new("name", ..), &["a", "b"]) and the same with HistogramOpts.
	vecRe = regexp.MustCompile(`(?s)\b(IntCounterVec|CounterVec|IntGaugeVec|GaugeVec|HistogramVec)::new\(\s*(?:Histogram)?Opts::new\(\s*"([^"]+)"`)
	// prometheus::IntGauge::new("name", ..), prometheus::IntCounter::new("name", ..).
	scalarRe = regexp.MustCompile(`(?s)\b(IntCounter|Counter|IntGauge|Gauge)::new\(\s*"([^"]+)"`)
	// prometheus::Histogram::with_opts(HistogramOpts::new("name", ..)).
	histRe       = regexp.MustCompile(`(?s)\bHistogram::with_opts\(\s*HistogramOpts::new\(\s*"([^"]+)"`)
	labelListRe  = regexp.MustCompile(`^(?s)[^;]*?,\s*&(?:\[([^\]]*)\]|([a-z_][a-z0-9_]*))\s*,?\s*\)\?;`)
	labelConstRe = regexp.MustCompile(`let ([a-z_][a-z0-9_]*) = \[([^\]]*)\];`)
	registerRe   = regexp.MustCompile(`registry\.register\(`)
	stringLitRe  = regexp.MustCompile(`"([^"]*)"`)
)

func kindOf(rustType string) string {
	switch {
	case strings.Contains(rustType, "Histogram"):
		return "histogram"
	case strings.Contains(rustType, "Gauge"):
		return "gauge"
	default:
		return "counter"
	}
}

func stringsIn(list string) []string {
	var out []string
	for _, m := range stringLitRe.FindAllStringSubmatch(list, -1) {
		out = append(out, m[1])
	}
	return out
}

// exportedMetrics reads the metric families the server registers from its source
// (server/src/metrics.rs). It fails when it recognises fewer families than the file registers,
// so a metric added in a form this parser does not know is an error, not a silent gap.
func exportedMetrics(path string) (map[string]metric, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	src := semicolonsOutOfStrings(string(raw))
	// `let labels = ["a", "b"];` definitions; a use takes the nearest one before it.
	type labelConst struct {
		at     int
		name   string
		labels []string
	}
	var consts []labelConst
	for _, loc := range labelConstRe.FindAllStringSubmatchIndex(src, -1) {
		consts = append(consts, labelConst{loc[0], src[loc[2]:loc[3]], stringsIn(src[loc[4]:loc[5]])})
	}
	constBefore := func(name string, at int) ([]string, bool) {
		var found []string
		ok := false
		for _, c := range consts {
			if c.at < at && c.name == name {
				found, ok = c.labels, true
			}
		}
		return found, ok
	}
	out := map[string]metric{}
	add := func(name string, m metric) error {
		if _, dup := out[name]; dup {
			return fmt.Errorf("%s: metric %s registered twice", path, name)
		}
		out[name] = m
		return nil
	}
	for _, loc := range vecRe.FindAllStringSubmatchIndex(src, -1) {
		rustType, name := src[loc[2]:loc[3]], src[loc[4]:loc[5]]
		rest := src[loc[1]:]
		// Skip the Opts' own closing parenthesis and arguments: the label list is the vec's
		// second argument, the first `&[..]` or `&ident` before the statement ends.
		lm := labelListRe.FindStringSubmatch(rest)
		if lm == nil {
			return nil, fmt.Errorf("%s: cannot find the label names of %s", path, name)
		}
		var labels []string
		if lm[1] != "" {
			labels = stringsIn(lm[1])
		} else if l, ok := constBefore(lm[2], loc[0]); ok && len(l) > 0 {
			labels = l
		} else {
			return nil, fmt.Errorf("%s: label names of %s are in `%s`, which is not a `let %s = [..];` in the file", path, name, lm[2], lm[2])
		}
		if err := add(name, metric{kind: kindOf(rustType), labels: labels}); err != nil {
			return nil, err
		}
	}
	for _, m := range scalarRe.FindAllStringSubmatch(src, -1) {
		if err := add(m[2], metric{kind: kindOf(m[1])}); err != nil {
			return nil, err
		}
	}
	for _, m := range histRe.FindAllStringSubmatch(src, -1) {
		if err := add(m[1], metric{kind: "histogram"}); err != nil {
			return nil, err
		}
	}
	registered := len(registerRe.FindAllString(src, -1))
	if registered != len(out) {
		return nil, fmt.Errorf("%s registers %d metric families but this check recognised %d (%s): teach deploy/check/metrics.go the new form",
			path, registered, len(out), strings.Join(sortedKeys(out), ", "))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no metric found", path)
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// seriesNames are the names a family shows in the exposition format, each with its label names.
func seriesNames(exported map[string]metric) map[string][]string {
	out := map[string][]string{}
	for name, m := range exported {
		if m.kind == "histogram" {
			out[name+"_bucket"] = append(append([]string{}, m.labels...), "le")
			out[name+"_sum"] = m.labels
			out[name+"_count"] = m.labels
		} else {
			out[name] = m.labels
		}
	}
	return out
}

// semicolonsOutOfStrings replaces `;` inside string literals (help texts) with `,`, so that a
// `;` found in the source ends a statement. Names and labels have none.
func semicolonsOutOfStrings(src string) string {
	out := []byte(src)
	in, escaped := false, false
	for i, c := range out {
		switch {
		case escaped:
			escaped = false
		case in && c == '\\':
			escaped = true
		case c == '"':
			in = !in
		case in && c == ';':
			out[i] = ','
		}
	}
	return string(out)
}

var (
	routeAttrRe = regexp.MustCompile(`path = "(/[^"]*)"`)
	routeCallRe = regexp.MustCompile(`\.route\("(/[^"]*)"`)
)

// serverRoutes: the route templates of server/src/routes/*.rs (`#[utoipa::path(.., path = ..)]`)
// and server/src/app.rs (`.route(..)`), and `unmatched`, the label of a request no route took.
func serverRoutes(serverSrc string) (map[string]bool, error) {
	files, err := filepath.Glob(filepath.Join(serverSrc, "routes", "*.rs"))
	if err != nil {
		return nil, err
	}
	out := map[string]bool{"unmatched": true}
	for _, f := range append(files, filepath.Join(serverSrc, "app.rs")) {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, re := range []*regexp.Regexp{routeAttrRe, routeCallRe} {
			for _, m := range re.FindAllStringSubmatch(string(raw), -1) {
				out[m[1]] = true
			}
		}
	}
	if !out["/readyz"] || !out["/v1/agent/config"] {
		return nil, fmt.Errorf("%s: the routes found (%d) lack /readyz or /v1/agent/config", serverSrc, len(out))
	}
	return out, nil
}
