package provider

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

func TestApplicationConversions(t *testing.T) {
	created := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	a := &api.TenantApplication{
		ID: uuid.New(), Name: "intranet", Category: api.Category("business"), Description: "",
		Domains: []string{"intranet.example.com", "*.intranet.example.com"}, Prefixes: []string{"10.20.0.0/16"},
		Protocol: api.ApplicationProtocol("tcp"), Ports: []string{"8000-8100", "443"},
		CreatedAt: created, UpdatedAt: created.Add(time.Hour), Etag: `"3"`,
	}
	m := applicationFromAPI(a)
	if m.CreatedAt.ValueString() != "2026-12-07T03:00:00Z" || m.UpdatedAt.ValueString() != "2026-12-07T04:00:00Z" {
		t.Fatalf("timestamps %s %s", m.CreatedAt, m.UpdatedAt)
	}
	raw, _ := json.Marshal(m.newApplication())
	want := `{"category":"business","description":"","domains":["*.intranet.example.com","intranet.example.com"],` +
		`"name":"intranet","ports":["443","8000-8100"],"prefixes":["10.20.0.0/16"],"protocol":"tcp"}`
	if string(raw) != want {
		t.Fatalf("create body %s, want %s", raw, want)
	}
	// An update sends every field, so that one left out of the configuration goes back to its
	// default rather than keeping what the server has.
	raw, _ = json.Marshal(m.applicationUpdate())
	if string(raw) != want {
		t.Fatalf("update body %s, want %s", raw, want)
	}
}

func TestApplicationRules(t *testing.T) {
	cases := []struct {
		name      string
		rule      stringRule
		good, bad []string
	}{
		{"application name", applicationNameRule, []string{"intranet", "erp_2", "a-b"}, []string{"", "Intranet", "a b", "video", "file_sharing", strings.Repeat("a", 65)}},
		{"domain", domainPatternRule,
			[]string{"example.com", "*.example.com", "a-1.b.example.com", "xn--bcher-kva.example"},
			[]string{"", "com", "*.com", "*example.com", "Example.com", "-a.example.com", "a-.example.com", "a..example.com",
				"example.com.", "a_b.example.com", "*.*.example.com", "a.b/c", strings.Repeat("a", 64) + ".com",
				strings.Repeat("abcdefghi.", 26) + "com"}},
	}
	for _, c := range cases {
		for _, v := range c.good {
			if problem := c.rule.check(v); problem != "" {
				t.Errorf("%s: %q refused: %s", c.name, v, problem)
			}
		}
		for _, v := range c.bad {
			if c.rule.check(v) == "" {
				t.Errorf("%s: %q accepted", c.name, v)
			}
		}
	}
	if got := domainPatternRule.check("Intranet.Example.com"); !strings.Contains(got, `"intranet.example.com"`) {
		t.Errorf("an uppercase domain: %q, want the lowercase form suggested", got)
	}
}

func TestDisjointPortRanges(t *testing.T) {
	count := func(ports ...string) int {
		resp := &validator.SetResponse{}
		disjointPortRanges{}.ValidateSet(context.Background(), validator.SetRequest{
			Path: path.Root("ports"), ConfigValue: stringsToSet(ports),
		}, resp)
		return resp.Diagnostics.ErrorsCount()
	}
	if n := count("443", "80", "8000-8100", "8101-8200"); n != 0 {
		t.Errorf("disjoint ports: %d errors", n)
	}
	if n := count("443", "400-500"); n != 1 {
		t.Errorf("443 in 400-500: %d errors, want 1", n)
	}
	if n := count("8000-8100", "8100-8200", "1-65535"); n != 3 {
		t.Errorf("three overlapping ranges: %d errors, want 3", n)
	}
	if n := count("http", "80"); n != 0 {
		t.Errorf("an invalid port is the element validator's to report: %d errors", n)
	}
}

func TestApplicationSchemaIsValid(t *testing.T) {
	checkSchema(t, applicationResourceSchema())
}
