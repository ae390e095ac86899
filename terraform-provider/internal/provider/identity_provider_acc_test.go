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

func TestAccIdentityProvider(t *testing.T) {
	a := newAccTenant(t)
	const addr = "patronus_identity_provider.this"
	config := func(body string) string {
		return a.config("resource \"patronus_identity_provider\" \"this\" {\n" + body + "\n}")
	}
	v1 := config(`
  issuer_url    = "https://login.example.com/realms/acme"
  client_id     = "patronus"
  client_secret = "s3cret"
  role_mapping  = { "net-admins" = "admin", "net-ops" = "operator" }`)
	v2 := config(`
  issuer_url            = "https://login.example.com/realms/acme"
  client_id             = "patronus"
  client_secret         = "s3cret-2"
  allowed_email_domains = ["example.com"]
  role_mapping          = { "net-admins" = "admin" }
  default_role          = "viewer"`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(nil),
		CheckDestroy: func(*terraform.State) error {
			if _, err := a.client.IdentityProvider.Get(context.Background()); !patronus.IsNotFound(err) {
				return fmt.Errorf("the identity provider is still there: %v", err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config(`
  issuer_url    = "https://login.example.com"
  client_id     = "patronus"
  client_secret = "s3cret"
  role_mapping  = { "ops" = "root" }`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`value must be one of`),
			},
			{ // the server's rule, named on the attribute
				Config: config(`
  issuer_url    = "http://login.example.com"
  client_id     = "patronus"
  client_secret = "s3cret"`),
				ExpectError: regexp.MustCompile(`(?s)issuer_url.*https://`),
			},
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("role_claim"), knownvalue.StringExact("groups")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("login_url"), knownvalue.StringExact(a.url+"/v1/auth/oidc/login?tenant="+a.slug)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("verified_at"), knownvalue.Null()),
					statecheck.ExpectSensitiveValue(addr, tfjsonpath.New("client_secret")),
				},
			},
			{
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("default_role"), knownvalue.StringExact("viewer")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("role_mapping"), knownvalue.MapExact(map[string]knownvalue.Check{
						"net-admins": knownvalue.StringExact("admin"),
					})),
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: "identity-provider", ImportStateVerifyIgnore: []string{"client_secret"}},
			{ // the server's rule: password login stays open until an SSO login has worked
				Config: config(`
  issuer_url                 = "https://login.example.com/realms/acme"
  client_id                  = "patronus"
  client_secret              = "s3cret-2"
  default_role               = "viewer"
  password_login_admins_only = true`),
				ExpectError: regexp.MustCompile(`(?s)password_login_admins_only.*SSO login has succeeded`),
			},
			{
				PreConfig: outside(t, "change the identity provider", func(ctx context.Context) error {
					current, err := a.client.IdentityProvider.Get(ctx)
					if err == nil {
						_, err = a.client.IdentityProvider.Put(ctx, api.IdentityProviderSpec{IssuerURL: current.IssuerURL, ClientID: "another"}, current.Etag)
					}
					return err
				}),
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("client_id"), knownvalue.StringExact("patronus")),
				}},
			},
		},
	})
}
