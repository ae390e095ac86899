package provider

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

func apiSite() *api.Site {
	return &api.Site{
		ID:             uuid.MustParse("0192b3c4-0000-7000-8000-000000000001"),
		Name:           "berlin",
		Description:    "HQ",
		Location:       "Berlin",
		Labels:         map[string]string{"env": "prod"},
		Role:           api.SiteRoleHub,
		LanPrefixes:    []string{"10.1.0.0/16", "fd00:1::/64"},
		ListenPort:     51820,
		OverlayAddress: "100.64.0.1",
		CreatedAt:      time.Unix(0, 0),
		UpdatedAt:      time.Unix(0, 0),
		Etag:           `"3"`,
	}
}

func TestSiteFromAPIAndBack(t *testing.T) {
	m := siteFromAPI(apiSite())
	if m.ID.ValueString() != "0192b3c4-0000-7000-8000-000000000001" || m.Etag.ValueString() != `"3"` ||
		m.OverlayAddress.ValueString() != "100.64.0.1" || m.Role.ValueString() != "hub" || m.ListenPort.ValueInt64() != 51820 {
		t.Fatalf("unexpected model: %+v", m)
	}
	if got := setToStrings(m.LanPrefixes); strings.Join(got, ",") != "10.1.0.0/16,fd00:1::/64" {
		t.Fatalf("lan_prefixes %v", got)
	}
	body := m.newSite()
	if body.Name != "berlin" || *body.Description != "HQ" || *body.Location != "Berlin" || *body.Role != api.SiteRoleHub ||
		*body.ListenPort != 51820 || body.Labels["env"] != "prod" || len(body.LanPrefixes) != 2 {
		t.Fatalf("unexpected NewSite: %+v", body)
	}
}

func TestSiteUpdateSendsEveryFieldAndEmptyCollections(t *testing.T) {
	m := siteFromAPI(apiSite())
	m.Labels = stringMapToMap(nil)
	m.LanPrefixes = stringsToSet(nil)
	m.Description = types.StringValue("")
	raw, err := json.Marshal(m.siteUpdate(false))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	// An empty set must clear the prefixes: [] and not null (null would keep them).
	if prefixes, ok := got["lan_prefixes"].([]any); !ok || len(prefixes) != 0 {
		t.Fatalf("lan_prefixes sent as %v in %s", got["lan_prefixes"], raw)
	}
	if labels, ok := got["labels"].(map[string]any); !ok || len(labels) != 0 {
		t.Fatalf("labels sent as %v in %s", got["labels"], raw)
	}
	for _, field := range []string{"name", "description", "location", "role", "listen_port"} {
		if _, ok := got[field]; !ok {
			t.Errorf("%s missing from %s", field, raw)
		}
	}
}

func TestSiteSchemaIsValid(t *testing.T) {
	checkSchema(t, siteResourceSchema())
}

// The no-op check compares every attribute but the ETag, and names come out of a raw link set.
func TestSameButETagAndRawLinkNames(t *testing.T) {
	ctx := context.Background()
	raw := func(m siteModel) map[string]tftypes.Value {
		s := tfsdk.State{Schema: siteResourceSchema(), Raw: tftypes.NewValue(siteResourceSchema().Type().TerraformType(ctx), nil)}
		if diags := s.Set(ctx, m); diags.HasError() {
			t.Fatal(diags)
		}
		var out map[string]tftypes.Value
		if err := s.Raw.As(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	base := siteFromAPI(apiSiteWithLinks())
	state := raw(base)
	if len(state) != 11 {
		t.Fatalf("%d attributes: update this test", len(state))
	}
	plan := raw(base)
	plan["etag"] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	if !sameButETag(plan, state) {
		t.Fatal("only the ETag differs, yet not the same")
	}
	other := raw(siteFromAPI(apiSite())) // no links
	for name := range state {
		if name == "etag" {
			continue
		}
		changed := raw(base)
		changed[name] = other[name]
		if name == "description" || name == "id" || name == "name" || name == "location" || name == "overlay_address" {
			changed[name] = tftypes.NewValue(tftypes.String, "something else")
		}
		if name == "listen_port" {
			changed[name] = tftypes.NewValue(tftypes.Number, 1)
		}
		if name == "role" {
			changed[name] = tftypes.NewValue(tftypes.String, "edge")
		}
		if name == "labels" || name == "lan_prefixes" {
			changed[name] = tftypes.NewValue(changed[name].Type(), nil)
		}
		if sameButETag(changed, state) {
			t.Errorf("a change of %s goes unnoticed", name)
		}
	}
	names, ok := rawLinkNames(state["links"])
	if !ok || strings.Join(names, ",") != "fiber,lte" {
		t.Fatalf("names %v %v", names, ok)
	}
	if _, ok := rawLinkNames(tftypes.NewValue(state["links"].Type(), tftypes.UnknownValue)); ok {
		t.Fatal("names of an unknown map")
	}
}

// The conversions without reflection give what tfsdk's Get and Set give.
func TestSiteRawConversionsMatchTheFramework(t *testing.T) {
	ctx := context.Background()
	withLinks := siteFromAPI(apiSiteWithLinks())
	unmanaged := siteFromAPI(apiSite())
	unmanaged.Links = types.MapNull(siteLinkType)
	planned := withLinks
	planned.ID, planned.Etag, planned.OverlayAddress = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
	for name, m := range map[string]siteModel{"with links": withLinks, "links not managed": unmanaged, "a plan": planned} {
		framework := tfsdk.State{Schema: siteResourceSchema(), Raw: tftypes.NewValue(siteObjectType().TerraformType(ctx), nil)}
		if diags := framework.Set(ctx, m); diags.HasError() {
			t.Fatal(diags)
		}
		raw, diags := m.raw(ctx)
		if diags.HasError() || !raw.Equal(framework.Raw) {
			t.Fatalf("%s: raw %s\nframework %s (%v)", name, raw, framework.Raw, diags)
		}
		back, diags := siteModelFromRaw(ctx, raw)
		var viaFramework siteModel
		if d := framework.Get(ctx, &viaFramework); d.HasError() || diags.HasError() {
			t.Fatal(d, diags)
		}
		if !reflect.DeepEqual(back, viaFramework) {
			t.Fatalf("%s: back %+v\nframework %+v", name, back, viaFramework)
		}
	}
}
