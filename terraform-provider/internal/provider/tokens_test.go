package provider

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

func TestAPITokenKeepsSecretAndWrittenExpiry(t *testing.T) {
	expiry := time.Date(2030, 1, 31, 0, 0, 0, 0, time.UTC)
	token := &api.APIToken{ID: uuid.New(), Name: "ci", Role: api.Role("operator"), Prefix: "ptrn_api_ab", ExpiresAt: patronus.Value(expiry), Etag: `"1"`}
	prior := apiTokenModel{Token: types.StringValue("ptrn_api_secret"), ExpiresAt: types.StringValue("2030-01-31T01:00:00+01:00")}
	m := apiTokenFromAPI(token, prior)
	if m.Token.ValueString() != "ptrn_api_secret" {
		t.Fatalf("secret lost: %v", m.Token)
	}
	if m.ExpiresAt.ValueString() != "2030-01-31T01:00:00+01:00" {
		t.Fatalf("same instant rewritten: %v", m.ExpiresAt)
	}
	// After an import: no secret, the server's form of the expiry.
	m = apiTokenFromAPI(token, apiTokenModel{Token: types.StringNull(), ExpiresAt: types.StringNull()})
	if !m.Token.IsNull() || m.ExpiresAt.ValueString() != "2030-01-31T00:00:00Z" {
		t.Fatalf("import: %+v", m)
	}
	// Another instant (changed outside Terraform) shows as such.
	m = apiTokenFromAPI(token, apiTokenModel{ExpiresAt: types.StringValue("2031-01-01T00:00:00Z")})
	if m.ExpiresAt.ValueString() != "2030-01-31T00:00:00Z" {
		t.Fatalf("drift hidden: %v", m.ExpiresAt)
	}
	body := prior.newAPIToken()
	if v, _ := body.ExpiresAt.Get(); !v.Equal(expiry) {
		t.Fatalf("expiry sent %v", v)
	}
}

func TestEnrollmentTokenConversions(t *testing.T) {
	created := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	token := &api.EnrollmentToken{ID: uuid.New(), SiteID: uuid.New(), Description: "rack 4", Prefix: "ptrn_enr_x",
		UsesTotal: 3, UsesRemaining: 2, CreatedAt: created, ExpiresAt: created.Add(3600*time.Second + 2*time.Millisecond)}
	// Imported: the TTL is what separates creation from expiry.
	m := enrollmentTokenFromAPI(token, enrollmentTokenModel{TTLSeconds: types.Int64Null(), Token: types.StringNull()})
	if m.TTLSeconds.ValueInt64() != 3600 || m.Uses.ValueInt64() != 3 || m.UsesRemaining.ValueInt64() != 2 || !m.Token.IsNull() {
		t.Fatalf("imported: %+v", m)
	}
	// Managed: the TTL and secret of the configuration and creation are kept.
	m = enrollmentTokenFromAPI(token, enrollmentTokenModel{TTLSeconds: types.Int64Value(3601), Token: types.StringValue("ptrn_enr_secret")})
	if m.TTLSeconds.ValueInt64() != 3601 || m.Token.ValueString() != "ptrn_enr_secret" {
		t.Fatalf("managed: %+v", m)
	}
	body := m.newEnrollmentToken()
	if ttl, _ := body.TTLSeconds.Get(); ttl != 3601 {
		t.Fatalf("ttl sent %d", ttl)
	}
	if d, _ := body.Description.Get(); d != "rack 4" {
		t.Fatalf("description sent %q", d)
	}
}

func TestUserKeepsItsPassword(t *testing.T) {
	u := &api.User{ID: uuid.New(), Email: "ann@acme.example", DisplayName: "Ann", Role: api.Role("admin"), HasPassword: true, Etag: `"4"`}
	m := userFromAPI(u, types.StringValue("a long passphrase"))
	if m.Password.ValueString() != "a long passphrase" || !m.HasPassword.ValueBool() {
		t.Fatalf("%+v", m)
	}
	body := m.newUser()
	if p, _ := body.Password.Get(); p != "a long passphrase" || body.Email != "ann@acme.example" {
		t.Fatalf("%+v", body)
	}
	m.Password = types.StringNull()
	if m.newUser().Password.IsSpecified() {
		t.Fatal("a user without password sends one")
	}
}

func TestTokenAndUserSchemasAreValid(t *testing.T) {
	checkSchema(t, apiTokenResourceSchema())
	checkSchema(t, enrollmentTokenResourceSchema())
	checkSchema(t, userResourceSchema())
	checkSchema(t, topologyResourceSchema())
}
