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

func TestAccPeering(t *testing.T) {
	a := newAccTenant(t)
	p1, p2, p3 := lanPrefix(), lanPrefix(), lanPrefix()
	const addr = "patronus_peering.test"
	sites := fmt.Sprintf(`
resource "patronus_site" "a" {
  name         = "a"
  lan_prefixes = [%q]
}
resource "patronus_site" "b" {
  name         = "b"
  lan_prefixes = [%q]
  depends_on   = [patronus_site.a]
}
resource "patronus_site" "c" {
  name         = "c"
  lan_prefixes = [%q]
  depends_on   = [patronus_site.b]
}
`, p1, p2, p3)
	// Named b first: the server keeps pairs in id order, the provider keeps the configuration's.
	v1 := a.config(sites + `
resource "patronus_peering" "test" {
  site_a = patronus_site.b.id
  site_b = patronus_site.a.id
}`)
	v2 := a.config(sites + `
resource "patronus_peering" "test" {
  name   = "a-b-direct"
  site_a = patronus_site.b.id
  site_b = patronus_site.a.id
}`)
	v2swapped := a.config(sites + `
resource "patronus_peering" "test" {
  name   = "a-b-direct"
  site_a = patronus_site.a.id
  site_b = patronus_site.b.id
}`)
	v3 := a.config(sites + `
resource "patronus_peering" "test" {
  name   = "a-c-direct"
  site_a = patronus_site.a.id
  site_b = patronus_site.c.id
}`)
	var peeringID patronus.ID
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		CheckDestroy:             checkGone("patronus_peering", func(ctx context.Context, id patronus.ID) error { _, err := a.client.Peerings.Get(ctx, id); return err }),
		Steps: []resource.TestStep{
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("b--a")),
				},
				Check: func(s *terraform.State) (err error) { peeringID, err = stateID(s, addr); return err },
			},
			{
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
			},
			{ // an imported pair is in the server's (id) order
				ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"site_a", "site_b"},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: "a-b-direct", ImportStateVerifyIgnore: []string{"site_a", "site_b"}},
			// The same two sites named the other way round (as after an import, which answers them
			// in id order): an update of the state, not a replacement.
			{
				Config: v2swapped,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringFunc(func(v string) error {
						if v != peeringID.String() {
							return fmt.Errorf("the peering was replaced: id %s, was %s", v, peeringID)
						}
						return nil
					})),
				},
			},
			{
				PreConfig: outside(t, "rename the peering", func(ctx context.Context) error {
					p, err := a.client.Peerings.Get(ctx, peeringID)
					if err == nil {
						_, err = a.client.Peerings.Update(ctx, peeringID, api.PeeringUpdate{Name: patronus.Value("renamed")}, p.Etag)
					}
					return err
				}),
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("a-b-direct")),
				}},
			},
			{ // other sites: replaced
				Config: v3,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
			{
				Config: a.config(sites + `
resource "patronus_peering" "self" {
  site_a = patronus_site.a.id
  site_b = patronus_site.a.id
}`),
				ExpectError: regexp.MustCompile(`cannot peer with itself`),
			},
		},
	})
}
