package provider

// Validators that mirror the server's field rules (server/src/validate.rs, netaddr.rs), so that
// `terraform validate` and `plan` catch what they can before any request. Where the server
// normalises a value (a prefix, a port range, an email address), the validators ask for the
// normal form: otherwise the next read would differ from the configuration and every plan would
// show a change.

import (
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// stringRule is a validator from a function that returns what is wrong with a value ("" if nothing).
type stringRule struct {
	description string
	check       func(string) string
}

func (r stringRule) Description(context.Context) string         { return r.description }
func (r stringRule) MarkdownDescription(context.Context) string { return r.description }

func (r stringRule) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := r.check(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid value", fmt.Sprintf("%q %s.", req.ConfigValue.ValueString(), problem))
	}
}

const maxNameLen = 100

// nameRule: 1 to 100 characters, no control characters, no surrounding blanks (validate::name).
var nameRule = stringRule{"1 to 100 characters, without control characters or surrounding blanks", checkName}

func checkName(s string) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "must not be empty"
	case utf8.RuneCountInString(s) > maxNameLen:
		return fmt.Sprintf("must be at most %d characters", maxNameLen)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "must not contain control characters"
	case strings.TrimSpace(s) != s:
		return "must not start or end with white space"
	}
	return ""
}

// textRule: free text of at most max characters, control characters only \n and \t (validate::text).
func textRule(max int) stringRule {
	return stringRule{fmt.Sprintf("at most %d characters, without control characters other than newlines and tabs", max), func(s string) string {
		if utf8.RuneCountInString(s) > max {
			return fmt.Sprintf("must be at most %d characters", max)
		}
		if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0 {
			return "must not contain control characters"
		}
		return ""
	}}
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

var slugRule = stringRule{"1 to 63 lowercase letters, digits and dashes, not starting or ending with a dash", func(s string) string {
	if !slugPattern.MatchString(s) {
		return "must be 1 to 63 lowercase letters, digits and dashes, not starting or ending with a dash"
	}
	return ""
}}

// emailRule: the shape the server accepts (validate::email), in the lowercase form it stores.
var emailRule = stringRule{"an email address in lowercase, e.g. ops@example.com", func(s string) string {
	local, domain, ok := strings.Cut(s, "@")
	valid := ok && len(s) <= 254 && local != "" && strings.Contains(domain, ".") &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") && !strings.Contains(domain, "@") &&
		strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) < 0
	switch {
	case !valid:
		return "must be an email address such as ops@example.com"
	case strings.ToLower(s) != s:
		return "must be written in lowercase (the server stores addresses lowercased): " + strconv.Quote(strings.ToLower(s))
	}
	return ""
}}

var passwordRule = stringRule{"12 to 1024 characters", func(s string) string {
	switch n := utf8.RuneCountInString(s); {
	case n < 12:
		return "must be at least 12 characters"
	case n > 1024:
		return "must be at most 1024 characters"
	}
	return ""
}}

var uuidRule = stringRule{"a UUID", func(s string) string {
	if !isUUID(s) {
		return "is not a UUID"
	}
	return ""
}}

var rfc3339Rule = stringRule{"an RFC 3339 timestamp, e.g. 2030-01-31T00:00:00Z", func(s string) string {
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		return "must be an RFC 3339 timestamp such as 2030-01-31T00:00:00Z"
	}
	return ""
}}

// prefixRule: an IPv4 or IPv6 prefix without host bits, written the way the server writes it.
var prefixRule = stringRule{"an IPv4 or IPv6 prefix such as 10.1.0.0/16 or fd00:1::/64, without host bits", checkPrefix}

func checkPrefix(s string) string {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return "must be an IPv4 or IPv6 prefix such as 10.1.0.0/16 or fd00:1::/64"
	}
	if p.Masked() != p {
		return "has host bits set; did you mean " + strconv.Quote(p.Masked().String()) + "?"
	}
	if p.String() != s {
		return "must be written " + strconv.Quote(p.String())
	}
	return ""
}

// overlayPrefixRule: an IPv4 prefix between /8 and /30 (netaddr::overlay_prefix).
var overlayPrefixRule = stringRule{"an IPv4 prefix between /8 and /30, e.g. 100.64.0.0/16", func(s string) string {
	if problem := checkPrefix(s); problem != "" {
		return problem
	}
	p := netip.MustParsePrefix(s)
	if !p.Addr().Is4() {
		return "must be an IPv4 prefix such as 100.64.0.0/16"
	}
	if p.Bits() < 8 || p.Bits() > 30 {
		return "must be between /8 and /30"
	}
	return ""
}}

// interfaceRule: a Linux interface name (netaddr::interface).
var interfaceRule = stringRule{"a Linux interface name: 1 to 15 printable ASCII characters without '/', ':' or spaces", func(s string) string {
	ok := s != "" && len(s) <= 15 && s != "." && s != ".." &&
		strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r > '~' || r == '/' || r == ':' }) < 0
	if !ok {
		return "must be a Linux interface name: 1 to 15 printable ASCII characters without '/', ':' or spaces"
	}
	return ""
}}

// endpointRule: host:port where host is IPv4, [IPv6] or a DNS name (netaddr::endpoint).
var endpointRule = stringRule{"host:port, e.g. 203.0.113.10:51820, [2001:db8::1]:51820 or wan.example.net:51820", func(s string) string {
	shape := "must be host:port, e.g. 203.0.113.10:51820, [2001:db8::1]:51820 or wan.example.net:51820"
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return shape
	}
	host, port := s[:i], s[i+1:]
	var hostOK bool
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		a, err := netip.ParseAddr(host[1 : len(host)-1])
		hostOK = err == nil && a.Is6()
	} else if !strings.Contains(host, ":") {
		a, err := netip.ParseAddr(host)
		hostOK = (err == nil && a.Is4()) || isDNSName(host)
	}
	if !hostOK {
		return shape
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return "has a port that is not between 1 and 65535"
	}
	return ""
}}

func isDNSName(host string) bool {
	if host == "" || len(host) > 253 || strings.Trim(host, "0123456789.") == "" {
		return false
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if !(r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-')) {
				return false
			}
		}
	}
	return true
}

// portRangeRule: "443" or "8000-8999", ports 1..65535, in the form the server normalises to.
var portRangeRule = stringRule{`a port ("443") or an inclusive range ("8000-8999")`, func(s string) string {
	parse := func(p string) (int, bool) {
		n, err := strconv.Atoi(p)
		return n, err == nil && n >= 1 && n <= 65535 && strconv.Itoa(n) == p
	}
	a, b, isRange := strings.Cut(s, "-")
	if !isRange {
		if _, ok := parse(s); !ok {
			return "must be a port 1..65535 or a range such as 8000-8999"
		}
		return ""
	}
	lo, ok1 := parse(a)
	hi, ok2 := parse(b)
	switch {
	case !ok1 || !ok2:
		return "must be a port 1..65535 or a range such as 8000-8999 (without spaces)"
	case lo > hi:
		return "has a start above its end"
	}
	return ""
}}

var applicationPattern = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)

var applicationRule = stringRule{"1 to 64 characters of a-z, 0-9, '-' and '_'", func(s string) string {
	if !applicationPattern.MatchString(s) {
		return "must be 1 to 64 characters of a-z, 0-9, '-' and '_'"
	}
	return ""
}}

// labelsRule: at most 64 labels; keys of 1 to 63 characters of a-z A-Z 0-9 . _ - /; values of at
// most 255 characters without control characters (validate::labels).
type labelsRule struct{}

var labelKeyPattern = regexp.MustCompile(`^[a-zA-Z0-9._/-]{1,63}$`)

func (labelsRule) Description(context.Context) string {
	return "at most 64 labels; keys of 1 to 63 characters of a-z, A-Z, 0-9, '.', '_', '-', '/'; values of at most 255 characters"
}
func (r labelsRule) MarkdownDescription(ctx context.Context) string { return r.Description(ctx) }

func (labelsRule) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	elems := req.ConfigValue.Elements()
	if len(elems) > 64 {
		resp.Diagnostics.AddAttributeError(req.Path, "Too many labels", fmt.Sprintf("At most 64 labels, not %d.", len(elems)))
	}
	for k, v := range elems {
		if !labelKeyPattern.MatchString(k) {
			resp.Diagnostics.AddAttributeError(req.Path.AtMapKey(k), "Invalid label key",
				fmt.Sprintf("%q: label keys are 1 to 63 characters of a-z, A-Z, 0-9, '.', '_', '-', '/'.", k))
			continue
		}
		s, ok := v.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		if utf8.RuneCountInString(s.ValueString()) > 255 || strings.IndexFunc(s.ValueString(), unicode.IsControl) >= 0 {
			resp.Diagnostics.AddAttributeError(req.Path.AtMapKey(k), "Invalid label value",
				"Label values are at most 255 characters, without control characters.")
		}
	}
}

// disjointPrefixes: the prefixes of a set must not overlap each other (netaddr::prefix_list).
type disjointPrefixes struct{}

func (disjointPrefixes) Description(context.Context) string {
	return "prefixes that do not overlap each other"
}
func (r disjointPrefixes) MarkdownDescription(ctx context.Context) string { return r.Description(ctx) }

func (disjointPrefixes) ValidateSet(_ context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var seen []netip.Prefix
	for _, e := range req.ConfigValue.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		p, err := netip.ParsePrefix(s.ValueString())
		if err != nil {
			continue // the element validator reports it
		}
		p = p.Masked()
		for _, other := range seen {
			if p.Overlaps(other) {
				resp.Diagnostics.AddAttributeError(req.Path.AtSetValue(s), "Overlapping prefixes",
					fmt.Sprintf("%s overlaps %s.", p, other))
			}
		}
		seen = append(seen, p)
	}
}

// domainPatternRule: `name` or `*.name`, lowercase DNS labels of 1 to 63 characters of a-z 0-9 -
// (not starting or ending with '-'), at least two, the name at most 253 characters
// (applications::valid_domain_pattern).
var domainPatternRule = stringRule{"a domain pattern: `name` or `*.name`, lowercase DNS labels, at least two (e.g. `*.example.com`)", checkDomainPattern}

func checkDomainPattern(s string) string {
	name := strings.TrimPrefix(s, "*.")
	labels := strings.Split(name, ".")
	ok := len(name) <= 253 && len(labels) >= 2
	for _, l := range labels {
		ok = ok && len(l) >= 1 && len(l) <= 63 && !strings.HasPrefix(l, "-") && !strings.HasSuffix(l, "-") &&
			strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
	}
	switch {
	case ok:
		return ""
	case strings.ToLower(s) != s:
		return "must be written in lowercase: " + strconv.Quote(strings.ToLower(s))
	}
	return "must be a domain name of at least two labels (`example.com`) or `*.` and one (`*.example.com`): " +
		"labels of 1 to 63 characters of a-z, 0-9 and '-', not starting or ending with '-'"
}

// disjointPortRanges: the port strings of a set ("443", "8000-8100") must not overlap each other.
type disjointPortRanges struct{}

func (disjointPortRanges) Description(context.Context) string {
	return "ports and port ranges that do not overlap each other"
}
func (r disjointPortRanges) MarkdownDescription(ctx context.Context) string {
	return r.Description(ctx)
}

func (disjointPortRanges) ValidateSet(_ context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	type span struct {
		text   string
		lo, hi int
	}
	var seen []span
	for _, e := range req.ConfigValue.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() || portRangeRule.check(s.ValueString()) != "" {
			continue // the element validator reports an invalid one
		}
		a, b, isRange := strings.Cut(s.ValueString(), "-")
		if !isRange {
			b = a
		}
		lo, _ := strconv.Atoi(a)
		hi, _ := strconv.Atoi(b)
		for _, other := range seen {
			if lo <= other.hi && other.lo <= hi {
				resp.Diagnostics.AddAttributeError(req.Path.AtSetValue(s), "Overlapping ports",
					fmt.Sprintf("%s overlaps %s.", s.ValueString(), other.text))
			}
		}
		seen = append(seen, span{s.ValueString(), lo, hi})
	}
}
