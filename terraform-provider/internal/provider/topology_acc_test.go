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

func TestAccTopology(t *testing.T) {
	a := newAccTenant(t)
	const addr = "patronus_topology.this"
	config := func(body string) string {
		return a.config("resource \"patronus_topology\" \"this\" {\n" + body + "\n}")
	}
	v1 := config(`mode = "hub_and_spoke"`)
	v2 := config(`
  mode                 = "explicit"
  overlay_prefix       = "100.96.0.0/20"
  persistent_keepalive = 15`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		CheckDestroy: func(*terraform.State) error {
			topology, err := a.client.Topology.Get(context.Background())
			if err == nil && (topology.Mode != api.TopologyModeFullMesh || topology.OverlayPrefix != "100.64.0.0/16" || topology.PersistentKeepalive != 25) {
				err = fmt.Errorf("destroy did not restore the defaults: %+v", topology)
			}
			return err
		},
		Steps: []resource.TestStep{
			{
				Config:      config(`mode = "ring"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`value must be one of`),
			},
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("overlay_prefix"), knownvalue.StringExact("100.64.0.0/16")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("persistent_keepalive"), knownvalue.Int64Exact(25)),
				},
			},
			{
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("mode"), knownvalue.StringExact("explicit")),
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: "topology", ImportStateVerifyIgnore: []string{"revision"}},
			{
				PreConfig: outside(t, "change the topology", func(ctx context.Context) error {
					current, err := a.client.Topology.Get(ctx)
					if err == nil {
						_, err = a.client.Topology.Put(ctx, api.TopologySpec{Mode: api.TopologyModeFullMesh, OverlayPrefix: patronus.Value(current.OverlayPrefix)}, current.Etag)
					}
					return err
				}),
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("mode"), knownvalue.StringExact("explicit")),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("persistent_keepalive"), knownvalue.Int64Exact(15)),
				}},
			},
			{ // the server's rule, named on the attribute: the overlay prefix is fixed once sites exist
				Config: config(`
  mode           = "explicit"
  overlay_prefix = "100.96.0.0/20"`) + fmt.Sprintf(`
resource "patronus_site" "s" {
  name         = "s"
  lan_prefixes = [%q]
  depends_on   = [patronus_topology.this]
}`, lanPrefix()),
			},
			{
				Config: config(`
  mode           = "explicit"
  overlay_prefix = "100.112.0.0/20"`) + `
resource "patronus_site" "s" {
  name       = "s"
  depends_on = [patronus_topology.this]
}`,
				ExpectError: regexp.MustCompile(`(?s)overlay_prefix\s*=.*can change only while the\s+tenant`),
			},
		},
	})
}
