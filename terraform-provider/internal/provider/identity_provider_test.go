package provider

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

func TestIdentityProviderConversions(t *testing.T) {
	verified := time.Date(2026, 12, 7, 1, 2, 3, 0, time.UTC)
	p := &api.IdentityProvider{
		IssuerURL: "https://login.example.com", ClientID: "patronus", ClientSecretSet: true,
		AllowedEmailDomains: []string{"example.com"}, RoleClaim: "groups",
		RoleMapping: []api.GroupRole{{Group: "ops", Role: api.RoleOperator}, {Group: "admins", Role: api.RoleAdmin}},
		DefaultRole: patronus.Value(api.RoleViewer), VerifiedAt: patronus.Value(verified),
		LoginURL: "https://p.example.com/v1/auth/oidc/login?tenant=acme", Etag: `"2"`,
	}
	m := identityProviderFromAPI(p, types.StringValue("s3cret"))
	if m.VerifiedAt.ValueString() != "2026-12-07T01:02:03Z" || m.DefaultRole.ValueString() != "viewer" || m.ClientSecret.ValueString() != "s3cret" {
		t.Fatalf("state %+v", m)
	}
	raw, _ := json.Marshal(m.spec())
	want := `{"allowed_email_domains":["example.com"],"client_id":"patronus","client_secret":"s3cret","default_role":"viewer",` +
		`"issuer_url":"https://login.example.com","password_login_admins_only":false,"role_claim":"groups",` +
		`"role_mapping":[{"group":"admins","role":"admin"},{"group":"ops","role":"operator"}]}`
	if string(raw) != want {
		t.Fatalf("spec %s, want %s", raw, want)
	}
	p.DefaultRole, p.VerifiedAt = api.IdentityProvider{}.DefaultRole, api.IdentityProvider{}.VerifiedAt
	m = identityProviderFromAPI(p, types.StringValue("s3cret"))
	if !m.DefaultRole.IsNull() || !m.VerifiedAt.IsNull() {
		t.Fatalf("absent values must be null: %+v", m)
	}
	if raw, _ := json.Marshal(m.spec()); string(raw) == want {
		t.Fatal("a null default role must be left out")
	}
}

func TestIdentityProviderSchemaIsValid(t *testing.T) {
	checkSchema(t, identityProviderResourceSchema())
}
