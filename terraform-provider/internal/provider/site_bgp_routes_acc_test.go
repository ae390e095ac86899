package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

func TestAccSiteBGPRoutesDataSource(t *testing.T) {
	a := newAccTenant(t)
	lan := lanPrefix()
	neighbor := strings.TrimSuffix(lan, "0/24") + "2"
	const all = "data.patronus_site_bgp_routes.all"
	const accepted, refused = "data.patronus_site_bgp_routes.accepted", "data.patronus_site_bgp_routes.refused"
	config := a.config(fmt.Sprintf(`
resource "patronus_site" "branch" {
  name         = "branch"
  lan_prefixes = [%q]
}
resource "patronus_site_bgp" "branch" {
  site_id        = patronus_site.branch.id
  overlay_import = true
  neighbors      = [{ address = %q, remote_asn = 65010 }]
}
data "patronus_site_bgp_routes" "all" {
  site_id    = patronus_site_bgp.branch.site_id
}
data "patronus_site_bgp_routes" "accepted" {
  site_id = patronus_site_bgp.branch.site_id
  state   = "accepted"
}
data "patronus_site_bgp_routes" "refused" {
  site_id = patronus_site_bgp.branch.site_id
  state   = "refused"
}
`, lan, neighbor))
	var siteID patronus.ID
	report := func(ctx context.Context) error {
		agent, err := a.enrollAgent(ctx, siteID)
		if err != nil {
			return err
		}
		answer, err := agent.API.AgentReportRoutesWithResponse(ctx, api.LearnedRoutesReport{Routes: []api.LearnedRouteReport{
			{Prefix: "192.168.10.0/24", Neighbor: neighbor, AsPath: patronus.Ptr("65010 65020"), Communities: []string{"65010:7"},
				Med: patronus.Value(int64(5))},
			{Prefix: "100.64.0.0/24", Neighbor: neighbor},
		}})
		if err != nil {
			return err
		}
		if answer.JSON200 == nil || answer.JSON200.Accepted != 1 || answer.JSON200.Refused != 1 {
			return fmt.Errorf("report: HTTP %d: %s", answer.StatusCode(), answer.Body)
		}
		return nil
	}
	route := func(i int, name string) tfjsonpath.Path {
		return tfjsonpath.New("routes").AtSliceIndex(i).AtMapKey(name)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		Steps: []resource.TestStep{
			{
				Config:      a.config(`data "patronus_site_bgp_routes" "missing" { site_id = "0190a000-0000-7000-8000-000000000000" }`),
				ExpectError: regexp.MustCompile(`No such site`),
			},
			{
				Config:      a.config("data \"patronus_site_bgp_routes\" \"bad\" {\n  site_id = \"0190a000-0000-7000-8000-000000000000\"\n  state   = \"lost\"\n}"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)state.*accepted`),
			},
			{ // BGP on, no report yet
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(all, tfjsonpath.New("routes"), knownvalue.ListSizeExact(0)),
				},
				Check: func(s *terraform.State) (err error) {
					siteID, err = stateID(s, "patronus_site.branch")
					return err
				},
			},
			{ // the branch's agent reports two routes: one accepted, one inside the overlay
				PreConfig: outside(t, "report the branch's BGP table as its agent", report),
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(all, tfjsonpath.New("routes"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(refused, tfjsonpath.New("routes"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(refused, route(0, "prefix"), knownvalue.StringExact("100.64.0.0/24")),
					statecheck.ExpectKnownValue(refused, route(0, "state"), knownvalue.StringExact("refused")),
					statecheck.ExpectKnownValue(refused, route(0, "reason"), knownvalue.StringRegexp(regexp.MustCompile("overlay prefix"))),
					statecheck.ExpectKnownValue(refused, route(0, "conflicting_site_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(accepted, route(0, "prefix"), knownvalue.StringExact("192.168.10.0/24")),
					statecheck.ExpectKnownValue(accepted, route(0, "state"), knownvalue.StringExact("accepted")),
					statecheck.ExpectKnownValue(accepted, route(0, "neighbor"), knownvalue.StringExact(neighbor)),
					statecheck.ExpectKnownValue(accepted, route(0, "as_path"), knownvalue.StringExact("65010 65020")),
					statecheck.ExpectKnownValue(accepted, route(0, "communities"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("65010:7")})),
					statecheck.ExpectKnownValue(accepted, route(0, "med"), knownvalue.Int64Exact(5)),
					statecheck.ExpectKnownValue(accepted, route(0, "local_preference"), knownvalue.Null()),
					statecheck.ExpectKnownValue(accepted, route(0, "reason"), knownvalue.Null()),
					statecheck.ExpectKnownValue(accepted, route(0, "learned_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT`))),
				},
			},
		},
	})
}
