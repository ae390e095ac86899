package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccDataSources(t *testing.T) {
	a := newAccTenant(t)
	config := a.config(fmt.Sprintf(`
resource "patronus_site" "hub" {
  name         = "hub"
  role         = "hub"
  lan_prefixes = [%q]
  labels       = { env = "prod" }
}
resource "patronus_site" "spoke" {
  name         = "spoke"
  lan_prefixes = [%q]
  labels       = { env = "dev" }
}
resource "patronus_link" "hub_fiber" {
  site_id             = patronus_site.hub.id
  name                = "fiber"
  interface           = "eth1"
  endpoint            = "198.51.100.1:51820"
  bandwidth_up_mbps   = 100
  bandwidth_down_mbps = 100
}

data "patronus_site" "by_name" {
  name       = "hub"
  depends_on = [patronus_site.hub]
}
data "patronus_site" "by_id" {
  id = patronus_site.spoke.id
}
data "patronus_sites" "prod" {
  label      = "env=prod"
  depends_on = [patronus_site.hub, patronus_site.spoke]
}
data "patronus_sites" "all" {
  depends_on = [patronus_site.hub, patronus_site.spoke]
}
data "patronus_site_config" "hub" {
  site_id    = patronus_site.hub.id
  depends_on = [patronus_link.hub_fiber]
}
data "patronus_site_status" "hub" {
  site_id = patronus_site.hub.id
}
`, lanPrefix(), lanPrefix()))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		Steps: []resource.TestStep{
			{
				Config:      a.config(`data "patronus_site" "missing" { name = "nowhere" }`),
				ExpectError: regexp.MustCompile(`No such site`),
			},
			{
				Config:      a.config("data \"patronus_site\" \"both\" {\n  id   = \"0192b3c4-0000-7000-8000-000000000001\"\n  name = \"x\"\n}"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?i)exactly one of`),
			},
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.patronus_site.by_name", tfjsonpath.New("role"), knownvalue.StringExact("hub")),
					statecheck.ExpectKnownValue("data.patronus_site.by_id", tfjsonpath.New("name"), knownvalue.StringExact("spoke")),
					statecheck.ExpectKnownValue("data.patronus_sites.prod", tfjsonpath.New("sites"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue("data.patronus_sites.prod", tfjsonpath.New("sites").AtSliceIndex(0).AtMapKey("name"), knownvalue.StringExact("hub")),
					statecheck.ExpectKnownValue("data.patronus_sites.all", tfjsonpath.New("ids"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue("data.patronus_site_config.hub", tfjsonpath.New("hash"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{64}$`))),
					// No agent has enrolled: the hub has no peers yet.
					statecheck.ExpectKnownValue("data.patronus_site_config.hub", tfjsonpath.New("peers"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue("data.patronus_site_config.hub", tfjsonpath.New("document"), knownvalue.StringRegexp(regexp.MustCompile(`"198.51.100.1:51820"`))),
					statecheck.ExpectKnownValue("data.patronus_site_status.hub", tfjsonpath.New("health"), knownvalue.StringExact("unenrolled")),
					statecheck.ExpectKnownValue("data.patronus_site_status.hub", tfjsonpath.New("agent"), knownvalue.Null()),
				},
			},
		},
	})
}
