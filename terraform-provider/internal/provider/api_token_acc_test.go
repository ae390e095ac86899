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

func TestAccAPIToken(t *testing.T) {
	a := newAccTenant(t)
	const addr = "patronus_api_token.test"
	config := func(name, role, expiry string) string {
		return a.config(`
resource "patronus_api_token" "test" {
  name       = "` + name + `"
  role       = "` + role + `"
  expires_at = "` + expiry + `"
}`)
	}
	var tokenID patronus.ID
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		CheckDestroy:             checkGone("patronus_api_token", func(ctx context.Context, id patronus.ID) error { _, err := a.client.APITokens.Get(ctx, id); return err }),
		Steps: []resource.TestStep{
			{
				Config:      config("x", "viewer", "next tuesday"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`RFC 3339`),
			},
			{
				// An offset that the server answers in UTC: the written form stays, no change.
				Config: config("ci", "operator", "2030-01-31T01:00:00+01:00"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("token"), knownvalue.StringRegexp(regexp.MustCompile(`^ptrn_api_`))),
					statecheck.ExpectSensitiveValue(addr, tfjsonpath.New("token")),
				},
				Check: func(s *terraform.State) (err error) { tokenID, err = stateID(s, addr); return err },
			},
			{ // a rename is in place, and the secret stays
				Config: config("ci-pipeline", "operator", "2030-01-31T01:00:00+01:00"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"token", "expires_at"}},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"token", "expires_at"}, ImportStateId: "ci-pipeline"},
			{
				PreConfig: outside(t, "rename the token", func(ctx context.Context) error {
					tok, err := a.client.APITokens.Get(ctx, tokenID)
					if err == nil {
						_, err = a.client.APITokens.Update(ctx, tokenID, api.APITokenUpdate{Name: patronus.Value("someone-elses")}, tok.Etag)
					}
					return err
				}),
				Config: config("ci-pipeline", "operator", "2030-01-31T01:00:00+01:00"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("ci-pipeline")),
				}},
			},
			{ // a new role cannot be given to a token: replaced
				Config: config("ci-pipeline", "viewer", "2030-01-31T01:00:00+01:00"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
}
