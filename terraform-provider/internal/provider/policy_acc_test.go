package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

func TestAccPolicy(t *testing.T) {
	a := newAccTenant(t)
	const addr = "patronus_policy.test"
	base := fmt.Sprintf(`
resource "patronus_site" "s" {
  name         = "s"
  lan_prefixes = [%q]
}
resource "patronus_link" "fiber" {
  site_id             = patronus_site.s.id
  name                = "fiber"
  interface           = "eth1"
  bandwidth_up_mbps   = 100
  bandwidth_down_mbps = 100
}
resource "patronus_link" "lte" {
  site_id             = patronus_site.s.id
  name                = "lte"
  interface           = "wwan0"
  bandwidth_up_mbps   = 10
  bandwidth_down_mbps = 50
}
resource "patronus_qos_class" "voice" {
  name               = "voice"
  priority           = 1
  dscp               = 46
  guaranteed_percent = 20
}
`, lanPrefix())
	// No match: all traffic, and the defaults of the action.
	v1 := a.config(base + `
resource "patronus_policy" "test" {
  name     = "default-path"
  priority = 100
  action = {
    path_selection = "lowest_cost"
  }
}`)
	v2 := a.config(base + `
resource "patronus_policy" "test" {
  name     = "voice"
  priority = 10
  match = {
    protocol             = "udp"
    destination_ports    = ["5060", "10000-20000"]
    destination_prefixes = ["10.99.0.0/16"]
    dscp                 = 46
  }
  action = {
    qos_class       = patronus_qos_class.voice.name
    path_selection  = "ordered"
    link_preference = ["fiber", "lte"]
    sla = {
      max_latency_ms   = 150
      max_loss_percent = 1.5
    }
    failover_hold_down_seconds = 30
  }
  site_selector = { env = "prod" }
  depends_on    = [patronus_link.fiber, patronus_link.lte]
}`)
	var policyID patronus.ID
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		CheckDestroy:             checkGone("patronus_policy", func(ctx context.Context, id patronus.ID) error { _, err := a.client.Policies.Get(ctx, id); return err }),
		Steps: []resource.TestStep{
			{
				Config: a.config(`
resource "patronus_policy" "bad" {
  name     = "bad"
  priority = 1
  match = {
    protocol          = "icmp"
    destination_ports = ["8000 - 8999"]
  }
  action = {
    path_selection = "ordered"
  }
}`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)(need protocol|without spaces|at least one link)`),
			},
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("match").AtMapKey("protocol"), knownvalue.StringExact("any")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("action").AtMapKey("failover_hold_down_seconds"), knownvalue.Int64Exact(10)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("action").AtMapKey("sla"), knownvalue.Null()),
				},
				Check: func(s *terraform.State) (err error) { policyID, err = stateID(s, addr); return err },
			},
			{
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("action").AtMapKey("sla").AtMapKey("max_loss_percent"), knownvalue.Float64Exact(1.5)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("action").AtMapKey("sla").AtMapKey("max_jitter_ms"), knownvalue.Null()),
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: "voice"},
			{
				PreConfig: outside(t, "change the policy", func(ctx context.Context) error {
					p, err := a.client.Policies.Get(ctx, policyID)
					if err == nil {
						action := p.Action
						action.PathSelection = api.PathSelection("lowest_latency")
						_, err = a.client.Policies.Update(ctx, policyID, api.PolicyUpdate{Action: patronus.Value(action), SiteSelector: patronus.Value(map[string]string{})}, p.Etag)
					}
					return err
				}),
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("action").AtMapKey("path_selection"), knownvalue.StringExact("ordered")),
				}},
			},
			{ // back to the defaults: an absent match, SLA and selector are cleared, not kept
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("match").AtMapKey("destination_ports"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("site_selector"), knownvalue.MapSizeExact(0)),
				},
			},
			{ // the server's check, on the attribute: a link name no site has
				Config: a.config(base + `
resource "patronus_policy" "test" {
  name     = "default-path"
  priority = 100
  action = {
    path_selection  = "ordered"
    link_preference = ["fiber", "satellite"]
  }
}`),
				ExpectError: regexp.MustCompile(`action\.link_preference\[1\]: no site has a link named "satellite"`),
			},
		},
	})
}
