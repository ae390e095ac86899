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

func TestAccLink(t *testing.T) {
	a := newAccTenant(t)
	p1, p2 := lanPrefix(), lanPrefix()
	const addr = "patronus_link.test"
	config := func(site, link string) string {
		return a.config(fmt.Sprintf(`
resource "patronus_site" "one" {
  name         = "eu/one"
  lan_prefixes = [%q]
}
resource "patronus_site" "two" {
  name         = "two"
  lan_prefixes = [%q]
}
resource "patronus_link" "test" {
  site_id = patronus_site.%s.id
%s
}`, p1, p2, site, link))
	}
	v1 := config("one", `
  name                = "fiber"
  interface           = "eth1"
  kind                = "fiber"
  endpoint            = "198.51.100.7:51820"
  bandwidth_up_mbps   = 500
  bandwidth_down_mbps = 1000`)
	// Behind NAT now (no endpoint), renamed, cheaper.
	v2 := config("one", `
  name                = "fiber-2"
  interface           = "eth2"
  kind                = "fiber"
  bandwidth_up_mbps   = 900
  bandwidth_down_mbps = 1000
  cost                = 5
  priority            = 1`)
	v3 := config("two", `
  name                = "fiber-2"
  interface           = "eth2"
  kind                = "fiber"
  bandwidth_up_mbps   = 900
  bandwidth_down_mbps = 1000
  cost                = 5
  priority            = 1`)
	var linkID patronus.ID
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		CheckDestroy:             checkGone("patronus_link", func(ctx context.Context, id patronus.ID) error { _, err := a.client.Links.Get(ctx, id); return err }),
		Steps: []resource.TestStep{
			{
				Config: a.config(`
resource "patronus_link" "bad" {
  site_id             = "not-a-uuid"
  name                = "x"
  interface           = "eth/1"
  endpoint            = "198.51.100.7"
  bandwidth_up_mbps   = 0
  bandwidth_down_mbps = 10
}`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)not a UUID.*Linux interface name.*host:port|(?s)host:port`),
			},
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("endpoint"), knownvalue.StringExact("198.51.100.7:51820")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("priority"), knownvalue.Int64Exact(100)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("cost"), knownvalue.Int64Exact(0)),
				},
				Check: func(s *terraform.State) (err error) { linkID, err = stateID(s, addr); return err },
			},
			{
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("endpoint"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("fiber-2")),
				},
				Check: func(*terraform.State) error {
					link, err := a.client.Links.Get(context.Background(), linkID)
					if err == nil && link.Endpoint.IsSpecified() && !link.Endpoint.IsNull() {
						err = fmt.Errorf("the endpoint was not removed: %+v", link.Endpoint)
					}
					return err
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: "eu/one/fiber-2"},
			{
				PreConfig: outside(t, "change the link", func(ctx context.Context) error {
					link, err := a.client.Links.Get(ctx, linkID)
					if err == nil {
						_, err = a.client.Links.Update(ctx, linkID, api.LinkUpdate{Endpoint: patronus.Value("203.0.113.9:51820"), Cost: patronus.Value(int32(50))}, link.Etag)
					}
					return err
				}),
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("endpoint"), knownvalue.Null()),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("cost"), knownvalue.Int64Exact(5)),
				}},
			},
			{ // another site: a link cannot move, so it is replaced
				Config: v3,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
}
