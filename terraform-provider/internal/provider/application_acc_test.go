package provider

import (
	"context"
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

func TestAccApplication(t *testing.T) {
	a := newAccTenant(t)
	const addr = "patronus_application.test"
	v1 := a.config(`
resource "patronus_application" "test" {
  name     = "intranet"
  category = "business"
  domains  = ["intranet.example.com", "*.intranet.example.com"]
  prefixes = ["10.20.0.0/16"]
}`)
	v2 := a.config(`
resource "patronus_application" "test" {
  name        = "intranet"
  category    = "web"
  description = "The intranet portal"
  domains     = ["*.intranet.example.com", "intranet.example.com"]
  prefixes    = ["10.20.0.0/16", "fd00:20::/48"]
  protocol    = "tcp"
  ports       = ["443", "8000-8100"]
}`)
	renamed := a.config(`
resource "patronus_application" "test" {
  name        = "portal"
  category    = "web"
  description = "The intranet portal"
  domains     = ["*.intranet.example.com", "intranet.example.com"]
  prefixes    = ["10.20.0.0/16", "fd00:20::/48"]
  protocol    = "tcp"
  ports       = ["443", "8000-8100"]
}`)
	var appID patronus.ID
	sameID := func(s *terraform.State) error {
		id, err := stateID(s, addr)
		if err == nil && id != appID {
			t.Errorf("the application was replaced: id %s, was %s", id, appID)
		}
		return err
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		CheckDestroy: checkGone("patronus_application", func(ctx context.Context, id patronus.ID) error {
			_, err := a.client.Applications.Get(ctx, id)
			return err
		}),
		Steps: []resource.TestStep{
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("protocol"), knownvalue.StringExact("any")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("ports"), knownvalue.SetSizeExact(0)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("domains"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("intranet.example.com"), knownvalue.StringExact("*.intranet.example.com"),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT`))),
				},
				Check: func(s *terraform.State) (err error) { appID, err = stateID(s, addr); return err },
			},
			{
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("ports"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("443"), knownvalue.StringExact("8000-8100"),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("protocol"), knownvalue.StringExact("tcp")),
				},
				Check: sameID,
			},
			{ // a rename changes the application in place
				Config: renamed,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: func(s *terraform.State) error {
					if err := sameID(s); err != nil {
						return err
					}
					_, err := a.client.Applications.LookupByName(context.Background(), "portal")
					return err
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: "portal"},
			{
				PreConfig: outside(t, "change the application", func(ctx context.Context) error {
					app, err := a.client.Applications.Get(ctx, appID)
					if err == nil {
						_, err = a.client.Applications.Update(ctx, appID, api.TenantApplicationUpdate{
							Category: patronus.Value(api.Category("business")),
							Ports:    patronus.Value([]string{"443"}),
						}, app.Etag)
					}
					return err
				}),
				Config: renamed,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("category"), knownvalue.StringExact("web")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("ports"), knownvalue.SetSizeExact(2)),
				},
			},
			{ // back to v1: the description, protocol and ports left out are cleared, not kept
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("protocol"), knownvalue.StringExact("any")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("ports"), knownvalue.SetSizeExact(0)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("prefixes"), knownvalue.SetSizeExact(1)),
				},
				Check: sameID,
			},
			{ // the server's rules, on the attribute: a second application of the same name
				Config: v1 + `
resource "patronus_application" "twin" {
  name     = "intranet"
  category = "web"
  ports    = ["8443"]
}`,
				ExpectError: regexp.MustCompile(`(?s)Cannot create the application.*name:\s+an\s+application\s+with\s+this\s+name\s+already\s+exists`),
			},
			{ // and the name of a built-in application, which only the server knows
				Config: v1 + `
resource "patronus_application" "builtin" {
  name     = "teams"
  category = "conferencing"
  ports    = ["8443"]
}`,
				ExpectError: regexp.MustCompile(`(?s)Cannot create the application.*name:\s+"teams"\s+is\s+a\s+built-in\s+application`),
			},
		},
	})
}

// TestAccApplicationPolicy: a policy names the application; while it does, deleting or renaming
// the application fails with the server's conflict, and the application stays.
func TestAccApplicationPolicy(t *testing.T) {
	a := newAccTenant(t)
	app := `
resource "patronus_application" "erp" {
  name     = "erp"
  category = "business"
  prefixes = ["10.30.0.0/16"]
  protocol = "tcp"
  ports    = ["443"]
}`
	policy := func(application string) string {
		return `
resource "patronus_policy" "erp" {
  name     = "erp"
  priority = 10
  match = {
    application = ` + application + `
  }
  action = {
    path_selection = "lowest_latency"
  }
}`
	}
	linked := a.config(app + policy("patronus_application.erp.name"))
	cloud := a.config(strings.Replace(app, `"business"`, `"cloud"`, 1) + policy("patronus_application.erp.name"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		CheckDestroy: checkGone("patronus_application", func(ctx context.Context, id patronus.ID) error {
			_, err := a.client.Applications.Get(ctx, id)
			return err
		}),
		Steps: []resource.TestStep{
			{
				Config: linked,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("patronus_policy.erp", tfjsonpath.New("match").AtMapKey("application"), knownvalue.StringExact("erp")),
				},
			},
			{ // the application alone leaves the configuration; the policy still names it
				Config:      a.config(policy(`"erp"`)),
				ExpectError: regexp.MustCompile(`(?s)Cannot delete the application.*application\s+"erp"\s+is\s+used\s+by\s+policy\s+"erp"`),
			},
			{
				Config: linked,
				Check: func(*terraform.State) error {
					_, err := a.client.Applications.LookupByName(context.Background(), "erp")
					return err
				},
			},
			{ // other changes while the policy names it are fine
				Config: cloud,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("patronus_application.erp", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("patronus_policy.erp", plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("patronus_application.erp", tfjsonpath.New("category"), knownvalue.StringExact("cloud")),
				},
			},
			{ // renamed while the policy names it: refused too
				Config: a.config(`
resource "patronus_application" "erp" {
  name     = "erp2"
  category = "business"
  prefixes = ["10.30.0.0/16"]
  protocol = "tcp"
  ports    = ["443"]
}` + policy("patronus_application.erp.name")),
				ExpectError: regexp.MustCompile(`(?s)Cannot update the application.*application\s+"erp"\s+is\s+used\s+by\s+policy\s+"erp"`),
			},
			{Config: cloud, PlanOnly: true}, // the refused rename changed nothing
		},
	})
}

// TestAccApplicationValidation: what the plan refuses before any request, each on its own.
func TestAccApplicationValidation(t *testing.T) {
	a := newAccTenant(t)
	step := func(attrs, want string) resource.TestStep {
		return resource.TestStep{
			Config:      a.config("resource \"patronus_application\" \"x\" {\n" + attrs + "\n}"),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile("(?s)" + strings.ReplaceAll(regexp.QuoteMeta(want), " ", `\s+`)),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		Steps: []resource.TestStep{
			step(`name = "x"
category = "business"
protocol = "udp"
domains = ["x.example.com"]`, `protocol "udp" applies to ports`),
			step(`name = "x"
category = "business"`, "needs at least one of `domains`, `prefixes` and `ports`"),
			step(`name = "video"
category = "business"
ports = ["443"]`, "is the name of a built-in category"),
			step(`name = "Bad Name"
category = "business"
ports = ["443"]`, "must be 1 to 64 characters of a-z, 0-9"),
			step(`name = "x"
category = "games"
ports = ["443"]`, `value must be one of`),
			step(`name = "x"
category = "business"
domains = ["*example.com"]`, "must be a domain name of at least two labels"),
			step(`name = "x"
category = "business"
domains = ["Intranet.example.com"]`, `must be written in lowercase: "intranet.example.com"`),
			step(`name = "x"
category = "business"
prefixes = ["10.1.2.3/16"]`, `did you mean "10.1.0.0/16"?`),
			step(`name = "x"
category = "business"
prefixes = ["10.0.0.0/8", "10.1.0.0/16"]`, "overlaps"),
			step(`name = "x"
category = "business"
ports = ["443", "400-500"]`, "overlaps"),
			step(`name = "x"
category = "business"
ports = ["0"]`, "must be a port 1..65535"),
		},
	})
}
