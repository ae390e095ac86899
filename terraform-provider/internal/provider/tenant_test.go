package provider

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"

	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

func TestTenantConversions(t *testing.T) {
	maxSites := int32(5000)
	tenant := &api.Tenant{ID: uuid.New(), Name: "Acme", Slug: "acme", Quotas: api.Quotas{MaxUsers: 10, MaxAPITokens: 5, MaxSites: &maxSites}, Etag: `"1"`}
	m := tenantFromAPI(tenant)
	body := m.newTenant()
	q, _ := body.Quotas.Get()
	if body.Slug != "acme" || q.MaxUsers != 10 || q.MaxAPITokens != 5 || *q.MaxSites != 5000 {
		t.Fatalf("unexpected NewTenant %+v", body)
	}
	raw, _ := json.Marshal(m.tenantUpdate())
	want := `{"name":"Acme","quotas":{"max_api_tokens":5,"max_sites":5000,"max_users":10},"slug":"acme"}`
	if string(raw) != want {
		t.Fatalf("update %s, want %s", raw, want)
	}
}

func TestTenantSchemaIsValid(t *testing.T) {
	checkSchema(t, tenantResourceSchema())
}
