package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

func checkSchema(t *testing.T, s schema.Schema) {
	t.Helper()
	if diags := s.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatalf("invalid schema: %v", diags)
	}
}

func TestPointerPath(t *testing.T) {
	site := api.NewSite{Name: "x", LanPrefixes: []string{"10.1.0.0/16", "10.2.0.0/16"}, Labels: map[string]string{"app/tier": "web"}}
	policy := api.NewPolicy{Action: api.PolicyAction{LinkPreference: []string{"fiber", "dsl"}}}
	cases := []struct {
		schema  schema.Schema
		body    any
		pointer string
		want    path.Path
		ok      bool
	}{
		{siteResourceSchema(), site, "/name", path.Root("name"), true},
		{siteResourceSchema(), site, "/lan_prefixes/1", path.Root("lan_prefixes").AtSetValue(types.StringValue("10.2.0.0/16")), true},
		{siteResourceSchema(), site, "/labels/app~1tier", path.Root("labels").AtMapKey("app/tier"), true},
		{siteResourceSchema(), site, "/query/label", path.Empty(), false},
		{siteResourceSchema(), site, "/no_such_field", path.Empty(), false},
		{policyResourceSchema(), policy, "/action/link_preference/1", path.Root("action").AtName("link_preference").AtListIndex(1), true},
		{policyResourceSchema(), policy, "/match/destination_ports/0", path.Root("match").AtName("destination_ports").AtListIndex(0), true},
		{policyResourceSchema(), policy, "/action/sla/max_loss_percent", path.Root("action").AtName("sla").AtName("max_loss_percent"), true},
		{tenantResourceSchema(), nil, "/quotas/max_sites", path.Root("quotas").AtName("max_sites"), true},
		// Deeper than the schema (a field of a set element without a value): the deepest attribute.
		{siteResourceSchema(), nil, "/lan_prefixes/7", path.Root("lan_prefixes"), true},
	}
	for _, c := range cases {
		got, ok := pointerPath(c.schema.Type(), c.body, c.pointer)
		if ok != c.ok || (ok && !got.Equal(c.want)) {
			t.Errorf("%s: got %s (%v), want %s (%v)", c.pointer, got, ok, c.want, c.ok)
		}
	}
}

func apiError(status int, kind string, fields ...patronus.FieldError) error {
	return fmt.Errorf("wrapped: %w", &patronus.APIError{
		StatusCode: status, Type: "https://patronus.dev/problems/" + kind, Title: http.StatusText(status),
		Detail: "detail of the problem", Errors: fields, RequestID: "req-1",
	})
}

func TestAPIErrorsNameTheAttribute(t *testing.T) {
	var diags diag.Diagnostics
	body := api.NewSite{Name: "x", LanPrefixes: []string{"10.1.0.0/16"}}
	addAPIError(&diags, siteResourceSchema().Type(), body, "create the site", apiError(422, "validation",
		patronus.FieldError{Pointer: "/lan_prefixes/0", Detail: "overlaps 10.0.0.0/8 of site \"hq\""},
		patronus.FieldError{Pointer: "/name", Detail: "a site with this name already exists"}))
	if len(diags) != 2 {
		t.Fatalf("want 2 diagnostics, got %v", diags)
	}
	for i, want := range []path.Path{path.Root("lan_prefixes").AtSetValue(types.StringValue("10.1.0.0/16")), path.Root("name")} {
		d, ok := diags[i].(diag.DiagnosticWithPath)
		if !ok || !d.Path().Equal(want) {
			t.Errorf("diagnostic %d: %v, want path %s", i, diags[i], want)
		}
		if !strings.Contains(diags[i].Detail(), "req-1") {
			t.Errorf("no request id in %q", diags[i].Detail())
		}
	}
}

func TestPreconditionFailedSaysChangedOutsideTerraform(t *testing.T) {
	var diags diag.Diagnostics
	addAPIError(&diags, nil, nil, "update the site", apiError(412, "precondition-failed"))
	if !diags.HasError() || !strings.Contains(diags[0].Summary(), "Changed outside Terraform") {
		t.Fatalf("%v", diags)
	}
}

func TestOtherErrors(t *testing.T) {
	var diags diag.Diagnostics
	addAPIError(&diags, nil, nil, "delete the QoS class", apiError(409, "conflict"))
	addAPIError(&diags, nil, nil, "read the site", errors.New("dial tcp: connection refused"))
	if len(diags) != 2 || !strings.Contains(diags[0].Detail(), "detail of the problem") || !strings.Contains(diags[1].Detail(), "connection refused") {
		t.Fatalf("%v", diags)
	}
}
