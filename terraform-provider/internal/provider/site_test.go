package provider

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/types"

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

// sameAs must compare every field but the ETag: a field it forgot would let a real change be
// planned as no change.
func TestSiteSameAsComparesEveryFieldButTheETag(t *testing.T) {
	base := siteFromAPI(apiSiteWithLinks())
	o := apiSite() // every field different, and no links
	o.ID = uuid.MustParse("0192b3c4-0000-7000-8000-0000000000ff")
	o.Name, o.Description, o.Location, o.Role = "paris", "branch", "Paris", api.SiteRoleEdge
	o.Labels, o.LanPrefixes, o.ListenPort, o.OverlayAddress = map[string]string{}, []string{}, 1, "100.64.0.9"
	o.Etag = `"9"`
	other := siteFromAPI(o)
	if !base.sameAs(base) {
		t.Fatal("a site differs from itself")
	}
	fields := 0
	var walk func(t reflect.Type, index []int)
	walk = func(typ reflect.Type, index []int) {
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			at := append(append([]int{}, index...), i)
			if f.Anonymous {
				walk(f.Type, at)
				continue
			}
			changed := base
			reflect.ValueOf(&changed).Elem().FieldByIndex(at).Set(reflect.ValueOf(other).FieldByIndex(at))
			if f.Name == "Etag" {
				if !base.sameAs(changed) {
					t.Error("the ETag counts")
				}
				continue
			}
			fields++
			if base.sameAs(changed) {
				t.Errorf("sameAs ignores %s", f.Name)
			}
		}
	}
	walk(reflect.TypeOf(base), nil)
	if fields != 10 {
		t.Fatalf("%d fields compared, want 10", fields)
	}
}
