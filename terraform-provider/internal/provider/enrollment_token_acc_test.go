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
)

func TestAccEnrollmentToken(t *testing.T) {
	a := newAccTenant(t)
	const addr = "patronus_enrollment_token.test"
	site := fmt.Sprintf(`
resource "patronus_site" "s" {
  name         = "branch"
  lan_prefixes = [%q]
}
`, lanPrefix())
	v1 := a.config(site + `
resource "patronus_enrollment_token" "test" {
  site_id     = patronus_site.s.id
  description = "edge-01"
  ttl_seconds = 3600
}`)
	v2 := a.config(site + `
resource "patronus_enrollment_token" "test" {
  site_id     = patronus_site.s.id
  description = "edge-01 and edge-02"
  ttl_seconds = 3600
  uses        = 2
}`)
	var siteID, tokenID patronus.ID
	ids := func(s *terraform.State) (err error) {
		if siteID, err = stateID(s, "patronus_site.s"); err == nil {
			tokenID, err = stateID(s, addr)
		}
		return err
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		CheckDestroy: func(*terraform.State) error {
			if _, err := a.client.EnrollmentTokens.Get(context.Background(), siteID, tokenID); !patronus.IsNotFound(err) {
				return fmt.Errorf("the token was not revoked: %v", err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: a.config(site + `
resource "patronus_enrollment_token" "bad" {
  site_id     = patronus_site.s.id
  ttl_seconds = 10
  uses        = 0
}`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)between 60 and 2592000`),
			},
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("token"), knownvalue.StringRegexp(regexp.MustCompile(`^ptrn_enr_`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("uses"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("uses_remaining"), knownvalue.Int64Exact(1)),
					statecheck.ExpectSensitiveValue(addr, tfjsonpath.New("token")),
				},
				Check: ids,
			},
			{ // any change replaces the token: a new secret
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("token")),
				}},
				Check: ids,
			},
			{ // import by site name and id; the secret cannot come back
				ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"token"},
				ImportStateIdFunc: func(s *terraform.State) (string, error) { return "branch/" + tokenID.String(), nil },
			},
			{ // import by site id and description
				ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"token"},
				ImportStateIdFunc: func(s *terraform.State) (string, error) { return siteID.String() + "/edge-01 and edge-02", nil },
			},
			{ // revoked outside Terraform: the next plan creates a new one
				PreConfig: outside(t, "revoke the token", func(ctx context.Context) error { return a.client.EnrollmentTokens.Revoke(ctx, siteID, tokenID) }),
				Config:    v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				}},
				Check: ids,
			},
		},
	})
}
