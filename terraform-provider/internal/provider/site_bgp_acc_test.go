package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
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

func TestAccSiteBGP(t *testing.T) {
	a := newAccTenant(t)
	lan := lanPrefix()
	neighbor := strings.TrimSuffix(lan, "0/24") + "2"
	const addr = "patronus_site_bgp.this"
	var siteID string
	config := func(body string) string {
		return a.config(fmt.Sprintf(`
resource "patronus_site" "one" {
  name         = "one"
  lan_prefixes = [%q]
}
resource "patronus_site_bgp" "this" {
  site_id = patronus_site.one.id
%s
}`, lan, body))
	}
	v1 := config(fmt.Sprintf(`
  networks = [%q]
  neighbors = [{
    address    = %q
    remote_asn = 65010
    password   = "md5-secret"
    keepalive  = 10
    hold_time  = 30
    bfd        = true
    route_map_in = "from-core"
  }]
  prefix_lists = [{
    name    = "lan"
    entries = [{ action = "permit", prefix = "10.0.0.0/8", ge = 16, le = 24 }]
  }]
  route_maps = [{
    name    = "from-core"
    entries = [{ action = "permit", match_prefix_list = "lan", set_local_preference = 200, set_communities = ["65000:1"] }]
  }]`, lan, neighbor))
	v2 := config(fmt.Sprintf(`
  local_asn            = 65001
  overlay_import       = true
  max_learned_prefixes = 500
  neighbors = [{
    address    = %q
    remote_asn = 4200000100
  }]`, neighbor))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		CheckDestroy: func(*terraform.State) error {
			if siteID == "" {
				return nil
			}
			id, err := patronus.ParseID(siteID)
			if err != nil {
				return err
			}
			if _, err := a.client.SiteBGP.Get(context.Background(), id); !patronus.IsNotFound(err) {
				return fmt.Errorf("BGP settings left after destroy: %v", err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config:      config(`local_asn = 23456`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`local_asn`),
			},
			{ // the server's rule, on the attribute: the neighbour must be inside the site's LAN
				Config:      config(`neighbors = [{ address = "192.168.77.1", remote_asn = 65010 }]`),
				ExpectError: regexp.MustCompile(`(?s)neighbors.*LAN prefixes`),
			},
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("local_asn"), knownvalue.Int64Exact(4200000001)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("router_id"), knownvalue.StringExact("100.64.0.1")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("neighbors").AtSliceIndex(0).AtMapKey("password"), knownvalue.StringExact("md5-secret")),
				},
				Check: func(s *terraform.State) error {
					siteID = s.RootModule().Resources[addr].Primary.ID
					id, _ := patronus.ParseID(siteID)
					got, err := a.client.SiteBGP.Get(context.Background(), id)
					if err == nil && (!got.Neighbors[0].PasswordSet || got.RouteMaps[0].Entries[0].SetLocalPreference.MustGet() != 200) {
						err = fmt.Errorf("server has %+v", got)
					}
					return err
				},
			},
			{
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					id, _ := patronus.ParseID(siteID)
					got, err := a.client.SiteBGP.Get(context.Background(), id)
					if err == nil && (got.LocalAsn != 65001 || got.Neighbors[0].PasswordSet || len(got.PrefixLists) != 0) {
						err = fmt.Errorf("server has %+v", got)
					}
					return err
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{
				PreConfig: outside(t, "change the local ASN", func(ctx context.Context) error {
					id, _ := patronus.ParseID(siteID)
					current, err := a.client.SiteBGP.Get(ctx, id)
					if err == nil {
						_, err = a.client.SiteBGP.Put(ctx, id, api.SiteBgpSpec{LocalAsn: patronus.Value(int64(65002))}, current.Etag)
					}
					return err
				}),
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("local_asn"), knownvalue.Int64Exact(65001)),
				}},
			},
		},
	})
}
