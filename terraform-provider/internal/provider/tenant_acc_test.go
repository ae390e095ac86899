package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

func TestAccTenant(t *testing.T) {
	platform := platformClient(t)
	slug := "tfacc-tenant-" + uuid.NewString()[:8]
	const addr = "patronus_tenant.test"
	v1 := platformConfig(fmt.Sprintf(`
resource "patronus_tenant" "test" {
  name = "Acme %[1]s"
  slug = %[1]q
}`, slug))
	v2 := platformConfig(fmt.Sprintf(`
resource "patronus_tenant" "test" {
  name = "Acme Corp %[1]s"
  slug = "%[1]s-corp"
  quotas = {
    max_sites = 2500
  }
}

data "patronus_tenant" "by_slug" {
  slug = patronus_tenant.test.slug
}`, slug))
	var tenantID patronus.ID
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		CheckDestroy:             checkGone("patronus_tenant", func(ctx context.Context, id patronus.ID) error { _, err := platform.Tenants.Get(ctx, id); return err }),
		Steps: []resource.TestStep{
			{
				Config: platformConfig(`
resource "patronus_tenant" "bad" {
  name = "Bad"
  slug = "Bad_Slug"
}`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`lowercase letters, digits and dashes`),
			},
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("quotas").AtMapKey("max_users"), knownvalue.Int64Exact(100)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("quotas").AtMapKey("max_sites"), knownvalue.Int64Exact(1000)),
				},
				Check: func(s *terraform.State) (err error) { tenantID, err = stateID(s, addr); return err },
			},
			{
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("quotas").AtMapKey("max_sites"), knownvalue.Int64Exact(2500)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("quotas").AtMapKey("max_users"), knownvalue.Int64Exact(100)),
					statecheck.ExpectKnownValue("data.patronus_tenant.by_slug", tfjsonpath.New("quotas").AtMapKey("max_sites"), knownvalue.Int64Exact(2500)),
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: slug + "-corp"},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: "Acme Corp " + slug},
			{
				PreConfig: outside(t, "raise a quota", func(ctx context.Context) error {
					tenant, err := platform.Tenants.Get(ctx, tenantID)
					if err == nil {
						_, err = platform.Tenants.Update(ctx, tenantID, api.TenantUpdate{Quotas: patronus.Value(api.QuotasUpdate{MaxUsers: patronus.Value(int32(7))})}, tenant.Etag)
					}
					return err
				}),
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("quotas").AtMapKey("max_users"), knownvalue.Int64Exact(100)),
				}},
			},
		},
	})
}
