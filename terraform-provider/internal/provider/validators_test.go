package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestStringRules(t *testing.T) {
	cases := []struct {
		name      string
		rule      stringRule
		good, bad []string
	}{
		{"name", nameRule, []string{"berlin", "Site 1", "ü"}, []string{"", " ", " x", "x ", "a\tb", string(make([]byte, 101))}},
		{"slug", slugRule, []string{"acme", "a", "acme-2"}, []string{"", "-a", "a-", "Acme", "a_b"}},
		{"email", emailRule, []string{"ann@acme.example"}, []string{"", "a", "a@b", "@b.c", "a@.c", "a b@c.d", "a@b.c.", "Ann@acme.example"}},
		{"password", passwordRule, []string{"a long passphrase"}, []string{"short"}},
		{"prefix", prefixRule, []string{"10.1.0.0/16", "fd00:1::/64", "0.0.0.0/0"}, []string{"10.1.2.3/16", "10.1.0.0", "banana", "fd00:1:0::/64"}},
		{"overlay", overlayPrefixRule, []string{"100.64.0.0/16", "10.0.0.0/8"}, []string{"100.64.0.0/31", "100.64.0.1/16", "fd00::/64", "10.0.0.0/7"}},
		{"interface", interfaceRule, []string{"eth1", "wwan0", "br-lan.10"}, []string{"", "a/b", "a:b", "a b", "sixteen-chars-xx", "..", ".", "eth\u00e9", "tab\t"}},
		{"endpoint", endpointRule, []string{"203.0.113.1:51820", "[2001:db8::1]:51820", "wan1.example.net:443"},
			[]string{"203.0.113.1", "203.0.113.1:0", "203.0.113.1:70000", "2001:db8::1:51820", "bad host:1", ":51820", "1.2.3:80"}},
		{"ports", portRangeRule, []string{"443", "8000-8999", "1-65535"}, []string{"0", "9-1", "http", "8000 - 8999", "0443", "70000"}},
		{"application", applicationRule, []string{"teams", "video", "a_b-c"}, []string{"", "VoIP", "a b"}},
		{"text", textRule(5), []string{"", "ab\ncd"}, []string{"toolong", "a\x00"}},
		{"uuid", uuidRule, []string{"0192b3c4-0000-7000-8000-000000000001"}, []string{"berlin"}},
		{"rfc3339", rfc3339Rule, []string{"2030-01-31T00:00:00Z", "2030-01-31T01:00:00+01:00"}, []string{"2030-01-31", "tomorrow"}},
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
}

func TestLabelsRule(t *testing.T) {
	check := func(labels map[string]string) int {
		elems := map[string]attr.Value{}
		for k, v := range labels {
			elems[k] = types.StringValue(v)
		}
		resp := &validator.MapResponse{}
		labelsRule{}.ValidateMap(context.Background(), validator.MapRequest{Path: path.Root("labels"), ConfigValue: types.MapValueMust(types.StringType, elems)}, resp)
		return resp.Diagnostics.ErrorsCount()
	}
	if n := check(map[string]string{"env": "prod", "app.kubernetes.io/name": "x"}); n != 0 {
		t.Errorf("valid labels: %d errors", n)
	}
	if n := check(map[string]string{"bad key": "x", "ok": "a\x01"}); n != 2 {
		t.Errorf("invalid labels: %d errors, want 2", n)
	}
	many := map[string]string{}
	for i := 0; i < 65; i++ {
		many[string(rune('a'+i%26))+string(rune('a'+i/26))] = "v"
	}
	if n := check(many); n != 1 {
		t.Errorf("65 labels: %d errors, want 1", n)
	}
}

func TestDisjointPrefixes(t *testing.T) {
	resp := &validator.SetResponse{}
	disjointPrefixes{}.ValidateSet(context.Background(), validator.SetRequest{
		Path:        path.Root("lan_prefixes"),
		ConfigValue: stringsToSet([]string{"10.0.0.0/8", "10.1.0.0/16", "192.168.0.0/24"}),
	}, resp)
	if resp.Diagnostics.ErrorsCount() != 1 {
		t.Fatalf("%v", resp.Diagnostics)
	}
}
