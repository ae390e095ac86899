package provider

import (
	"context"
	"fmt"
	"net/http"
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

func TestAccSite(t *testing.T) {
	a := newAccTenant(t)
	p1, p2 := lanPrefix(), lanPrefix()
	const addr = "patronus_site.test"
	v1 := a.config(fmt.Sprintf(`
resource "patronus_site" "test" {
  name         = "berlin"
  lan_prefixes = [%q]
}`, p1))
	v2 := a.config(fmt.Sprintf(`
resource "patronus_site" "test" {
  name         = "berlin-mitte"
  description  = "HQ"
  location     = "Berlin"
  role         = "hub"
  listen_port  = 51821
  lan_prefixes = [%q, %q, "fd00:42::/64"]
  labels = {
    env = "prod"
  }
}`, p2, p1))
	var siteID patronus.ID
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		CheckDestroy:             checkGone("patronus_site", func(ctx context.Context, id patronus.ID) error { _, err := a.client.Sites.Get(ctx, id); return err }),
		Steps: []resource.TestStep{
			{ // create, with the defaults
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("role"), knownvalue.StringExact("edge")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("listen_port"), knownvalue.Int64Exact(51820)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("labels"), knownvalue.MapExact(map[string]knownvalue.Check{})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("overlay_address"), knownvalue.StringRegexp(regexp.MustCompile(`^100\.64\.`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("etag"), knownvalue.NotNull()),
				},
				Check: func(s *terraform.State) (err error) { siteID, err = stateID(s, addr); return err },
			},
			{ // update in place: same id, overlay address kept
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("overlay_address"), knownvalue.StringRegexp(regexp.MustCompile(`^100\.64\.`))),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("berlin-mitte")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("lan_prefixes"), knownvalue.SetSizeExact(3)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("labels").AtMapKey("env"), knownvalue.StringExact("prod")),
				},
				Check: func(s *terraform.State) error {
					id, err := stateID(s, addr)
					if err == nil && id != siteID {
						err = fmt.Errorf("the site was replaced (%s, then %s)", siteID, id)
					}
					return err
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},                                // import by id
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: "berlin-mitte"}, // import by name
			{ // drift: a change through the API shows in the plan, and apply puts the configuration back
				PreConfig: outside(t, "relabel the site", func(ctx context.Context) error {
					site, err := a.client.Sites.Get(ctx, siteID)
					if err == nil {
						_, err = a.client.Sites.Update(ctx, siteID, api.SiteUpdate{Labels: patronus.Value(map[string]string{"env": "dev"}), Location: patronus.Value("Potsdam")}, site.Etag)
					}
					return err
				}),
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("labels").AtMapKey("env"), knownvalue.StringExact("prod")),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("location"), knownvalue.StringExact("Berlin")),
				}},
			},
			{ // deleted outside Terraform: the read's 404 drops it from state, and apply creates it again
				PreConfig: outside(t, "delete the site", func(ctx context.Context) error { return a.client.Sites.Delete(ctx, siteID, "") }),
				Config:    v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

// A change made between the plan's read and the apply's update is not overwritten: the update
// carries If-Match, the server answers 412, and the apply fails naming the cause. The next plan
// shows the change as drift.
func TestAccSiteConcurrentChangeIsNotOverwritten(t *testing.T) {
	a := newAccTenant(t)
	p := lanPrefix()
	const addr = "patronus_site.test"
	config := func(location string) string {
		return a.config(fmt.Sprintf(`
resource "patronus_site" "test" {
  name         = "hamburg"
  location     = %q
  lan_prefixes = [%q]
}`, location, p))
	}
	var siteID patronus.ID
	// The provider's HTTP client: just before Terraform's PATCH leaves, someone else changes the site.
	interferer := &interferingTransport{before: func(req *http.Request) {
		if req.Method != http.MethodPatch {
			return
		}
		ctx := context.Background()
		site, err := a.client.Sites.Get(ctx, siteID)
		if err == nil {
			_, err = a.client.Sites.Update(ctx, siteID, api.SiteUpdate{Description: patronus.Value("changed by a colleague")}, site.Etag)
		}
		if err != nil {
			t.Errorf("concurrent change: %v", err)
		}
	}}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(&http.Client{Transport: interferer}),
		Steps: []resource.TestStep{
			{
				Config: config("Hamburg"),
				Check:  func(s *terraform.State) (err error) { siteID, err = stateID(s, addr); return err },
			},
			{
				PreConfig:   func() { interferer.armed.Store(true) },
				Config:      config("Hamburg-Altona"),
				ExpectError: regexp.MustCompile(`Changed outside Terraform`),
			},
			{
				PreConfig: func() { interferer.armed.Store(false) },
				Config:    config("Hamburg-Altona"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("")),
				}},
				Check: func(*terraform.State) error {
					site, err := a.client.Sites.Get(context.Background(), siteID)
					if err == nil && (site.Location != "Hamburg-Altona" || site.Description != "") {
						err = fmt.Errorf("site after apply: %+v", site)
					}
					return err
				},
			},
		},
	})
}

// Errors of the API name the attribute at fault; validators catch what they can at plan time.
func TestAccSiteErrors(t *testing.T) {
	a := newAccTenant(t)
	p := lanPrefix()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		Steps: []resource.TestStep{
			{ // validators, at plan time: nothing is sent
				Config: a.config(`
resource "patronus_site" "c" {
  name         = " padded"
  lan_prefixes = ["10.1.2.3/16"]
  listen_port  = 0
  labels       = { "bad key" = "x" }
}`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)surrounding|white space`),
			},
			{
				Config: a.config(`
resource "patronus_site" "c" {
  name         = "c"
  lan_prefixes = ["10.1.2.3/16"]
}`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`host bits set; did you mean "10.1.0.0/16"`),
			},
			{
				Config: a.config(`
resource "patronus_site" "c" {
  name        = "c"
  listen_port = 0
}`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`listen_port`),
			},
			{ // the server's check: LAN prefixes of two sites overlap
				Config: a.config(fmt.Sprintf(`
resource "patronus_site" "a" {
  name         = "a"
  lan_prefixes = [%q]
}
resource "patronus_site" "b" {
  name         = "b"
  lan_prefixes = ["192.0.2.0/24", %q]
  depends_on   = [patronus_site.a]
}`, p, p)),
				ExpectError: regexp.MustCompile(`(?s)lan_prefixes\s*=.*overlaps`),
			},
		},
	})
}
