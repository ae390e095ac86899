package provider

import (
	"context"
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

func TestAccUser(t *testing.T) {
	a := newAccTenant(t)
	const addr = "patronus_user.test"
	v1 := a.config(`
resource "patronus_user" "test" {
  email        = "ann@acme.example"
  display_name = "Ann"
  role         = "viewer"
}`)
	v2 := a.config(`
resource "patronus_user" "test" {
  email        = "ann.example@acme.example"
  display_name = "Ann Example"
  role         = "operator"
  password     = "correct horse battery staple"
}`)
	var userID patronus.ID
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		CheckDestroy:             checkGone("patronus_user", func(ctx context.Context, id patronus.ID) error { _, err := a.client.Users.Get(ctx, id); return err }),
		Steps: []resource.TestStep{
			{
				Config: a.config(`
resource "patronus_user" "bad" {
  email        = "Bob@Acme.example"
  display_name = "Bob"
  role         = "root"
  password     = "short"
}`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)lowercase`),
			},
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("has_password"), knownvalue.Bool(false)),
				},
				Check: func(s *terraform.State) (err error) { userID, err = stateID(s, addr); return err },
			},
			{ // the password is set in place, through its own endpoint
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("has_password"), knownvalue.Bool(true)),
					statecheck.ExpectSensitiveValue(addr, tfjsonpath.New("password")),
				},
				Check: func(s *terraform.State) error {
					id, err := stateID(s, addr)
					if err == nil && id != userID {
						t.Errorf("user replaced")
					}
					return err
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"password"}},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"password"}, ImportStateId: "ann.example@acme.example"},
			{
				PreConfig: outside(t, "demote the user", func(ctx context.Context) error {
					u, err := a.client.Users.Get(ctx, userID)
					if err == nil {
						_, err = a.client.Users.Update(ctx, userID, api.UserUpdate{Role: patronus.Value(api.Role("viewer"))}, u.Etag)
					}
					return err
				}),
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("role"), knownvalue.StringExact("operator")),
				}},
			},
		},
	})
}
