package provider

// A site's links inline in patronus_site: the `links` attribute, its conversions to and from the
// API, and its plan rule.
//
// `links` is a map of objects keyed by the link's name: a site's links have no order (the API
// lists them by name) and their names are unique, which a map says by itself; a plan shows each
// link by its name (`links["lte"].cost`), and the framework finds a link's configuration by its
// key, so the fields' schema defaults apply as they do in patronus_link. (It was a set of objects
// until a set's cost showed: the framework addresses a set element by its whole value, which
// makes every walk over a plan compare and convert whole objects; see BENCHMARKS.md.) Each object
// holds only what the user writes (the link's fields, without its name, which is the key), no id
// or ETag. The data sources patronus_site and patronus_sites show the links with their ids.
//
// The attribute is optional and computed. Set, it is the whole link set: the site is created with
// those links, and an update replaces the set (by name: kept, changed in place, created, deleted).
// Not set, the site manages no link: the plan keeps whatever the last read found (reads always
// record the site's links), nothing is sent, and patronus_link resources may manage the links.

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

// maxLinksPerSite is the server's limit (server/src/routes/sites.rs).
const maxLinksPerSite = 64

// siteLinkType is the type of one link in `links`: patronus_link's fields but its name.
var siteLinkType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"interface":           types.StringType,
	"kind":                types.StringType,
	"endpoint":            types.StringType,
	"bandwidth_up_mbps":   types.Int64Type,
	"bandwidth_down_mbps": types.Int64Type,
	"cost":                types.Int64Type,
	"priority":            types.Int64Type,
}}

func siteLinksAttribute() schema.MapNestedAttribute {
	return schema.MapNestedAttribute{
		Optional: true, Computed: true,
		MarkdownDescription: "The site's WAN links, managed with the site, keyed by link name (1 to 100 characters, " +
			"unique within the site, e.g. `fiber` or `lte`; policies refer to links by name): " +
			"`links = { fiber = { interface = \"eth1\", ... }, lte = { ... } }`. Set, it is the site's whole link " +
			"set, created with the site and replaced with it on every change, in one request; a link of the site " +
			"that it does not list is deleted, and `links = {}` deletes them all. A link keeps its id as long as " +
			"its name stays; renaming a key deletes the link and creates another. At most " +
			fmt.Sprint(maxLinksPerSite) + ". As in any Terraform object, a key that is not a plain identifier is " +
			"quoted (`\"5g\" = { ... }`), and a key written twice keeps the last of its values, without a warning.\n\n" +
			"Left out, the site does not manage its links at all (Terraform never creates, changes or deletes one " +
			"through it, so `patronus_link` resources can), and `links` only reports the links the site has. " +
			"Removing `links` from the configuration therefore keeps the links: it only stops managing them. " +
			"Do not set `links` on a site whose links are `patronus_link` resources: see above.",
		NestedObject: schema.NestedAttributeObject{Attributes: siteLinkAttributes()},
		Validators: []validator.Map{
			mapvalidator.SizeAtMost(maxLinksPerSite),
			mapvalidator.KeysAre(nameRule),
		},
		PlanModifiers: []planmodifier.Map{siteLinksPlan{}},
	}
}

// Defaults of a link's optional fields (as patronus_link's schema says).
const (
	defaultLinkKind     = "other"
	defaultLinkCost     = 0
	defaultLinkPriority = 100
)

// siteLinkAttributes are patronus_link's fields, with their defaults, without the name (the key).
func siteLinkAttributes() map[string]schema.Attribute {
	attributes := linkFieldAttributes()
	delete(attributes, "name")
	return attributes
}

// siteLinkValue is one link as an element of `links`.
func siteLinkValue(l *api.Link) types.Object {
	endpoint := types.StringNull()
	if v, err := l.Endpoint.Get(); err == nil {
		endpoint = types.StringValue(v)
	}
	return types.ObjectValueMust(siteLinkType.AttrTypes, map[string]attr.Value{
		"interface":           types.StringValue(l.Interface),
		"kind":                types.StringValue(string(l.Kind)),
		"endpoint":            endpoint,
		"bandwidth_up_mbps":   types.Int64Value(int64(l.BandwidthUpMbps)),
		"bandwidth_down_mbps": types.Int64Value(int64(l.BandwidthDownMbps)),
		"cost":                types.Int64Value(int64(l.Cost)),
		"priority":            types.Int64Value(int64(l.Priority)),
	})
}

// siteLinksFromAPI is the map of a site's links as the API lists them (never null).
func siteLinksFromAPI(links []api.Link) types.Map {
	elems := make(map[string]attr.Value, len(links))
	for i := range links {
		elems[links[i].Name] = siteLinkValue(&links[i])
	}
	return types.MapValueMust(siteLinkType, elems)
}

// siteLinksToAPI is the link set of a request body, sorted by name (so that the indices of the
// server's error pointers are stable, and pointerPath can find the name at an index). Null and
// unknown give an empty, non-nil slice.
func siteLinksToAPI(m types.Map) []api.SiteLink {
	out := make([]api.SiteLink, 0, len(m.Elements()))
	for name, e := range m.Elements() {
		obj, ok := e.(types.Object)
		if !ok || obj.IsNull() || obj.IsUnknown() {
			continue
		}
		a := obj.Attributes()
		kind := api.LinkKind(attrString(a, "kind").ValueString())
		link := api.SiteLink{
			Name:              name,
			Interface:         attrString(a, "interface").ValueString(),
			Kind:              &kind,
			BandwidthUpMbps:   int32Of(attrInt64(a, "bandwidth_up_mbps")),
			BandwidthDownMbps: int32Of(attrInt64(a, "bandwidth_down_mbps")),
			Cost:              int32Ptr(attrInt64(a, "cost")),
			Priority:          int32Ptr(attrInt64(a, "priority")),
		}
		if endpoint := attrString(a, "endpoint"); known(endpoint) {
			link.Endpoint = patronus.Value(endpoint.ValueString())
		}
		out = append(out, link)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// siteLinkNames are the names (keys) of a link map, sorted; ok is false when it is not known yet.
func siteLinkNames(m types.Map) (names []string, ok bool) {
	if m.IsUnknown() {
		return nil, false
	}
	names = make([]string, 0, len(m.Elements()))
	for name := range m.Elements() {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, true
}

// siteLinksPlan plans `links` left out of the configuration: the site manages no link, so the plan
// keeps what the state says (what the last read found; nothing on creation), and links managed
// elsewhere never show as a change. (Terraform proposes null there: a value whose objects have
// required fields must, it infers, have been configured.) Set in the configuration, the plan is
// the configuration with the fields' defaults, which the framework applies.
type siteLinksPlan struct{}

func (siteLinksPlan) Description(context.Context) string {
	return "Left out of the configuration, what the last read found."
}

func (m siteLinksPlan) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (siteLinksPlan) PlanModifyMap(_ context.Context, req planmodifier.MapRequest, resp *planmodifier.MapResponse) {
	if req.ConfigValue.IsNull() {
		resp.PlanValue = req.StateValue
	}
}
