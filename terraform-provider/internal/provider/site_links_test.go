package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

// Conversions and rules of the links inline in patronus_site (site_links.go, link_owners.go).

func apiSiteWithLinks() *api.Site {
	s := apiSite()
	// As the API lists them: by name.
	s.Links = []api.Link{
		{ID: uuid.MustParse("0192b3c4-0000-7000-8000-00000000000a"), SiteID: s.ID, Name: "fiber", Interface: "eth1",
			Kind: api.LinkKindFiber, Endpoint: patronus.Value("198.51.100.7:51820"), BandwidthUpMbps: 500,
			BandwidthDownMbps: 1000, Cost: 0, Priority: 1, Etag: `"1"`},
		{ID: uuid.MustParse("0192b3c4-0000-7000-8000-00000000000b"), SiteID: s.ID, Name: "lte", Interface: "wwan0",
			Kind: api.LinkKindLte, Endpoint: patronus.Null[string](), BandwidthUpMbps: 20,
			BandwidthDownMbps: 100, Cost: 10, Priority: 2, Etag: `"4"`},
	}
	return s
}

// planLink is an element of `links` as a plan holds it (defaults applied).
func planLink(iface, kind string, endpoint types.String, up, down, cost, priority int64) attr.Value {
	return types.ObjectValueMust(siteLinkType.AttrTypes, map[string]attr.Value{
		"interface": types.StringValue(iface), "kind": types.StringValue(kind),
		"endpoint": endpoint, "bandwidth_up_mbps": types.Int64Value(up), "bandwidth_down_mbps": types.Int64Value(down),
		"cost": types.Int64Value(cost), "priority": types.Int64Value(priority),
	})
}

func TestSiteLinksFromAPIAndBack(t *testing.T) {
	m := siteFromAPI(apiSiteWithLinks())
	want := types.MapValueMust(siteLinkType, map[string]attr.Value{
		"lte":   planLink("wwan0", "lte", types.StringNull(), 20, 100, 10, 2),
		"fiber": planLink("eth1", "fiber", types.StringValue("198.51.100.7:51820"), 500, 1000, 0, 1),
	})
	if !m.Links.Equal(want) {
		t.Fatalf("links %s, want %s", m.Links, want)
	}
	// Sorted by name, the key as the name, every field but a NATed link's endpoint, no id or etag.
	const links = `"links":[{"bandwidth_down_mbps":1000,"bandwidth_up_mbps":500,"cost":0,"endpoint":"198.51.100.7:51820","interface":"eth1","kind":"fiber","name":"fiber","priority":1},` +
		`{"bandwidth_down_mbps":100,"bandwidth_up_mbps":20,"cost":10,"interface":"wwan0","kind":"lte","name":"lte","priority":2}]`
	for range 10 { // Go's map order changes from one iteration to the next; the body's does not
		raw, err := json.Marshal(m.newSite())
		if err != nil || !strings.Contains(string(raw), links) {
			t.Fatalf("NewSite %s (%v)\nwant %s", raw, err, links)
		}
	}
}

func TestSiteWithoutLinksSendsNone(t *testing.T) {
	m := siteFromAPI(apiSite())
	if !m.Links.Equal(types.MapValueMust(siteLinkType, map[string]attr.Value{})) {
		t.Fatalf("a site without links reads as %s, want an empty map", m.Links)
	}
	// `links` not set: the creation says nothing about links.
	m.Links = types.MapNull(siteLinkType)
	raw, _ := json.Marshal(m.newSite())
	if strings.Contains(string(raw), "links") {
		t.Fatalf("NewSite without links: %s", raw)
	}
	// An update sends links only when asked, and then an empty map as [] (which deletes them all).
	raw, _ = json.Marshal(m.siteUpdate(false))
	if strings.Contains(string(raw), "links") {
		t.Fatalf("SiteUpdate without links: %s", raw)
	}
	m.Links = types.MapValueMust(siteLinkType, map[string]attr.Value{})
	raw, _ = json.Marshal(m.siteUpdate(true))
	if !strings.Contains(string(raw), `"links":[]`) {
		t.Fatalf("SiteUpdate with no links: %s", raw)
	}
}

func TestSiteDataSourceShowsLinksWithIDs(t *testing.T) {
	m := siteDataFromAPI(apiSiteWithLinks())
	if len(m.Links.Elements()) != 2 {
		t.Fatalf("links %s", m.Links)
	}
	first := m.Links.Elements()[0].(types.Object).Attributes()
	if first["id"].(types.String).ValueString() != "0192b3c4-0000-7000-8000-00000000000a" || first["name"].(types.String).ValueString() != "fiber" ||
		first["etag"].(types.String).ValueString() != `"1"` || first["interface"].(types.String).ValueString() != "eth1" {
		t.Fatalf("first link %v", first)
	}
	if !m.Links.Elements()[1].(types.Object).Attributes()["endpoint"].IsNull() {
		t.Fatal("a NATed link's endpoint is not null")
	}
}

// The server's pointers index the body's list of links (sorted by name); the diagnostics name the
// link by its key.
func TestPointerIntoLinksNamesTheLink(t *testing.T) {
	m := siteFromAPI(apiSiteWithLinks())
	body := m.newSite()
	p, ok := pointerPath(siteResourceSchema().Type(), body, "/links/1/endpoint")
	want := path.Root("links").AtMapKey("lte").AtName("endpoint")
	if !ok || !p.Equal(want) {
		t.Fatalf("got %s (%v), want %s", p, ok, want)
	}
	if got := describePath(p); got != `links["lte"].endpoint` {
		t.Fatalf("described as %s", got)
	}
	// The name is the key: an error on it points at the link.
	var diags diag.Diagnostics
	addAPIError(&diags, siteResourceSchema().Type(), body, "create the site", apiError(422, "validation",
		patronus.FieldError{Pointer: "/links/0/name", Detail: "must not contain control characters"},
		patronus.FieldError{Pointer: "/links", Detail: "at most 64 links"},
		patronus.FieldError{Pointer: "/links/7/cost", Detail: "an index the body does not have"}))
	if len(diags) != 3 {
		t.Fatalf("%v", diags)
	}
	for i, want := range []struct {
		path   path.Path
		detail string
	}{
		{path.Root("links").AtMapKey("fiber"), `links["fiber"]: must not contain`},
		{path.Root("links"), `links: at most 64`},
		{path.Root("links"), `links: an index`},
	} {
		d, isPath := diags[i].(diag.DiagnosticWithPath)
		if !isPath || !d.Path().Equal(want.path) || !strings.HasPrefix(d.Detail(), want.detail) {
			t.Errorf("diagnostic %d: %v, want %s and %q", i, diags[i], want.path, want.detail)
		}
	}
	if got := describePath(path.Root("lan_prefixes").AtSetValue(types.StringValue("10.1.0.0/16"))); got != `lan_prefixes["10.1.0.0/16"]` {
		t.Fatalf("described as %s", got)
	}
}

// Link names are map keys, checked as patronus_link checks a name; at most 64 links.
func TestSiteLinksValidation(t *testing.T) {
	validate := func(links map[string]attr.Value) diag.Diagnostics {
		attribute := siteLinksAttribute()
		var diags diag.Diagnostics
		for _, v := range attribute.Validators {
			resp := &validator.MapResponse{}
			v.ValidateMap(context.Background(), validator.MapRequest{
				Path: path.Root("links"), ConfigValue: types.MapValueMust(siteLinkType, links),
			}, resp)
			diags.Append(resp.Diagnostics...)
		}
		return diags
	}
	fiber := planLink("eth1", "fiber", types.StringNull(), 1, 1, 0, 100)
	if d := validate(map[string]attr.Value{"fiber": fiber, "lte": fiber, "5g": fiber}); d.HasError() {
		t.Fatalf("good names refused: %v", d)
	}
	for _, bad := range []string{"", " fiber", "fi\nber", strings.Repeat("x", 101)} {
		d := validate(map[string]attr.Value{bad: fiber})
		p, isPath := d[0].(diag.DiagnosticWithPath)
		if len(d) != 1 || !isPath || !p.Path().Equal(path.Root("links").AtMapKey(bad)) {
			t.Errorf("name %q: %v", bad, d)
		}
	}
	many := map[string]attr.Value{}
	for i := range maxLinksPerSite + 1 {
		many[fmt.Sprintf("link-%d", i)] = fiber
	}
	if d := validate(many); !d.HasError() || !strings.Contains(d[0].Detail(), "64") {
		t.Fatalf("65 links: %v", d)
	}
}

func TestSiteLinksPlan(t *testing.T) {
	read := siteFromAPI(apiSiteWithLinks()).Links
	written := types.MapValueMust(siteLinkType, map[string]attr.Value{
		"fiber": planLink("eth1", "other", types.StringUnknown(), 5, 6, 0, 1),
	})
	cases := []struct {
		name                string
		config, state, plan types.Map
		want                types.Map
	}{
		{"not set: the state stays", types.MapNull(siteLinkType), read, types.MapUnknown(siteLinkType), read},
		{"not set, creation: nothing", types.MapNull(siteLinkType), types.MapNull(siteLinkType), types.MapNull(siteLinkType), types.MapNull(siteLinkType)},
		{"set: the plan, whatever the state says", written, read, written, written},
		{"set, empty: the plan", types.MapValueMust(siteLinkType, map[string]attr.Value{}), read,
			types.MapValueMust(siteLinkType, map[string]attr.Value{}), types.MapValueMust(siteLinkType, map[string]attr.Value{})},
		{"unknown: unknown", types.MapUnknown(siteLinkType), read, types.MapUnknown(siteLinkType), types.MapUnknown(siteLinkType)},
	}
	for _, c := range cases {
		resp := &planmodifier.MapResponse{PlanValue: c.plan}
		siteLinksPlan{}.PlanModifyMap(context.Background(), planmodifier.MapRequest{ConfigValue: c.config, StateValue: c.state, PlanValue: c.plan}, resp)
		if !resp.PlanValue.Equal(c.want) {
			t.Errorf("%s: planned %s, want %s", c.name, resp.PlanValue, c.want)
		}
	}
}

func TestLinkOwnersReportMixing(t *testing.T) {
	site := uuid.MustParse("0192b3c4-0000-7000-8000-000000000001")
	other := uuid.MustParse("0192b3c4-0000-7000-8000-000000000002")

	// The usual order: the site is planned first, then its patronus_link resources.
	o := newLinkOwners()
	if apart := o.siteSetsLinks(site, "berlin", []string{"fiber", "lte"}); len(apart) != 0 {
		t.Fatalf("nothing planned yet, got %v", apart)
	}
	if _, mixed := o.linkApart(other, "mpls"); mixed {
		t.Fatal("a link of another site is reported")
	}
	in, mixed := o.linkApart(site, "mpls")
	if !mixed {
		t.Fatal("a patronus_link of a site that sets links is not reported")
	}
	msg := mixedLink(site, in, "mpls")
	for _, want := range []string{`site "berlin" (` + site.String() + `)`, `("fiber" and "lte")`, `link "mpls"`, "not in that list", "removed"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q missing from: %s", want, msg)
		}
	}
	if msg := mixedLink(site, in, "fiber"); !strings.Contains(msg, "also lists") {
		t.Errorf("a link listed in both places: %s", msg)
	}

	// The other order (a patronus_link that names its site by a literal id): the site reports.
	o = newLinkOwners()
	o.linkApart(site, "mpls")
	o.linkApart(site, "fiber")
	o.linkApart(other, "dsl")
	apart := o.siteSetsLinks(site, "berlin", []string{"fiber", "lte"})
	if strings.Join(apart, ",") != "fiber,mpls" {
		t.Fatalf("apart %v", apart)
	}
	msg = mixedSite(site, "berlin", []string{"fiber", "lte"}, apart)
	for _, want := range []string{`"mpls", not in`, `"fiber", also in`, `site "berlin"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q missing from: %s", want, msg)
		}
	}
	if quotedList([]string{"a", "b", "c"}) != `"a", "b" and "c"` || quotedList(nil) != "none" {
		t.Error(quotedList([]string{"a", "b", "c"}))
	}
}
