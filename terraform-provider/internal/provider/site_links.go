package provider

// A site's links inline in patronus_site: the `links` attribute, its conversions to and from the
// API, its plan rule, and the check that names are unique.
//
// `links` is a set of objects: a site's links have no order (the API lists them by name), so the
// order they are written in must never show as a change; names are unique within the set. Each
// object holds only what the user writes (the link's fields, with the same defaults as
// patronus_link), no id or ETag: a computed value inside a set element would make every changed
// element "known after apply" in plans. The data sources patronus_site and patronus_sites show
// the links with their ids.
//
// The attribute is optional and computed. Set, it is the whole link set: the site is created with
// those links, and an update replaces the set (by name: kept, changed in place, created, deleted).
// Not set, the site manages no link: the plan keeps whatever the last read found (reads always
// record the site's links), nothing is sent, and patronus_link resources may manage the links.

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
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

var siteLinkType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"name":                types.StringType,
	"interface":           types.StringType,
	"kind":                types.StringType,
	"endpoint":            types.StringType,
	"bandwidth_up_mbps":   types.Int64Type,
	"bandwidth_down_mbps": types.Int64Type,
	"cost":                types.Int64Type,
	"priority":            types.Int64Type,
}}

func siteLinksAttribute() schema.SetNestedAttribute {
	return schema.SetNestedAttribute{
		Optional: true, Computed: true,
		MarkdownDescription: "The site's WAN links, managed with the site: set, it is the site's whole link set, " +
			"created with the site and replaced with it on every change, in one request; a link of the site that " +
			"it does not list is deleted, and `links = []` deletes them all. It is a set: the order links are " +
			"written in does not matter, and their names must be unique. At most " + fmt.Sprint(maxLinksPerSite) + ".\n\n" +
			"Left out, the site does not manage its links at all (Terraform never creates, changes or deletes one " +
			"through it, so `patronus_link` resources can), and `links` only reports the links the site has. " +
			"Removing `links` from the configuration therefore keeps the links: it only stops managing them. " +
			"Do not set `links` on a site whose links are `patronus_link` resources: see above.",
		NestedObject:  schema.NestedAttributeObject{Attributes: siteLinkAttributes()},
		Validators:    []validator.Set{setvalidator.SizeAtMost(maxLinksPerSite), uniqueLinkNames{}},
		PlanModifiers: []planmodifier.Set{siteLinksPlan{}},
	}
}

// Defaults of a link's optional fields (as patronus_link's schema says).
const (
	defaultLinkKind     = "other"
	defaultLinkCost     = 0
	defaultLinkPriority = 100
)

// siteLinkAttributes are patronus_link's fields without their schema defaults: siteLinksPlan
// applies them. (The framework looks a set element's configuration up by the element's planned
// value; once the prior state has filled in an optional field the configuration leaves out, the
// two differ, the lookup finds nothing, and every default of the element would be applied over
// what the configuration says.)
func siteLinkAttributes() map[string]schema.Attribute {
	attributes := linkFieldAttributes()
	kind := attributes["kind"].(schema.StringAttribute)
	kind.Default = nil
	attributes["kind"] = kind
	for _, name := range []string{"cost", "priority"} {
		a := attributes[name].(schema.Int64Attribute)
		a.Default = nil
		attributes[name] = a
	}
	return attributes
}

// siteLinkValue is one link as an element of `links`.
func siteLinkValue(l *api.Link) types.Object {
	endpoint := types.StringNull()
	if v, err := l.Endpoint.Get(); err == nil {
		endpoint = types.StringValue(v)
	}
	return types.ObjectValueMust(siteLinkType.AttrTypes, map[string]attr.Value{
		"name":                types.StringValue(l.Name),
		"interface":           types.StringValue(l.Interface),
		"kind":                types.StringValue(string(l.Kind)),
		"endpoint":            endpoint,
		"bandwidth_up_mbps":   types.Int64Value(int64(l.BandwidthUpMbps)),
		"bandwidth_down_mbps": types.Int64Value(int64(l.BandwidthDownMbps)),
		"cost":                types.Int64Value(int64(l.Cost)),
		"priority":            types.Int64Value(int64(l.Priority)),
	})
}

// siteLinksFromAPI is the set of a site's links as the API lists them (never null).
func siteLinksFromAPI(links []api.Link) types.Set {
	elems := make([]attr.Value, len(links))
	for i := range links {
		elems[i] = siteLinkValue(&links[i])
	}
	return types.SetValueMust(siteLinkType, elems)
}

// siteLinksToAPI is the link set of a request body, sorted by name (so that the indices of the
// server's error pointers are stable). Null and unknown give an empty, non-nil slice.
func siteLinksToAPI(s types.Set) []api.SiteLink {
	out := make([]api.SiteLink, 0, len(s.Elements()))
	for _, e := range s.Elements() {
		obj, ok := e.(types.Object)
		if !ok || obj.IsNull() || obj.IsUnknown() {
			continue
		}
		a := obj.Attributes()
		kind := api.LinkKind(attrString(a, "kind").ValueString())
		link := api.SiteLink{
			Name:              attrString(a, "name").ValueString(),
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

// siteLinkNames are the names in a link set, sorted; ok is false when one is not known yet.
func siteLinkNames(s types.Set) (names []string, ok bool) {
	if s.IsUnknown() {
		return nil, false
	}
	for _, e := range s.Elements() {
		obj, isObj := e.(types.Object)
		if !isObj || obj.IsUnknown() {
			return nil, false
		}
		name, isString := obj.Attributes()["name"].(types.String)
		if !isString || !known(name) {
			return nil, false
		}
		names = append(names, name.ValueString())
	}
	sort.Strings(names)
	return names, true
}

// siteLinksPlan plans `links`. Set in the configuration, the plan is the configuration with the
// defaults of the fields it leaves out. Left out, the site manages no link: the plan keeps what the
// state says (what the last read found; nothing on creation), so that links managed elsewhere
// never show as a change.
type siteLinksPlan struct{}

func (siteLinksPlan) Description(context.Context) string {
	return "The configured links with their defaults; left out of the configuration, what the last read found."
}

func (m siteLinksPlan) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (siteLinksPlan) PlanModifySet(_ context.Context, req planmodifier.SetRequest, resp *planmodifier.SetResponse) {
	switch {
	case req.ConfigValue.IsNull():
		resp.PlanValue = req.StateValue
	case !req.ConfigValue.IsUnknown():
		resp.PlanValue = withLinkDefaults(req.ConfigValue)
	}
}

// withLinkDefaults is a link set with the defaults of the fields it leaves out.
func withLinkDefaults(s types.Set) types.Set {
	elems := make([]attr.Value, 0, len(s.Elements()))
	for _, e := range s.Elements() {
		obj, ok := e.(types.Object)
		if !ok || !known(obj) {
			elems = append(elems, e)
			continue
		}
		a := make(map[string]attr.Value, len(siteLinkType.AttrTypes))
		for k, v := range obj.Attributes() {
			a[k] = v
		}
		if a["kind"].IsNull() {
			a["kind"] = types.StringValue(defaultLinkKind)
		}
		if a["cost"].IsNull() {
			a["cost"] = types.Int64Value(defaultLinkCost)
		}
		if a["priority"].IsNull() {
			a["priority"] = types.Int64Value(defaultLinkPriority)
		}
		elems = append(elems, types.ObjectValueMust(siteLinkType.AttrTypes, a))
	}
	return types.SetValueMust(siteLinkType, elems)
}

// uniqueLinkNames: two links of a site cannot have the same name (the set alone only rules out
// two identical links).
type uniqueLinkNames struct{}

func (uniqueLinkNames) Description(context.Context) string {
	return "link names are unique within the site"
}

func (v uniqueLinkNames) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (uniqueLinkNames) ValidateSet(_ context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if !known(req.ConfigValue) {
		return
	}
	seen := map[string]bool{}
	for _, e := range req.ConfigValue.Elements() {
		obj, ok := e.(types.Object)
		if !ok || !known(obj) {
			continue
		}
		name, ok := obj.Attributes()["name"].(types.String)
		if !ok || !known(name) {
			continue
		}
		if seen[name.ValueString()] {
			resp.Diagnostics.AddAttributeError(req.Path.AtSetValue(e).AtName("name"), "Duplicate link name",
				fmt.Sprintf("Two links of the site are named %q: a link's name is unique within its site.", name.ValueString()))
		}
		seen[name.ValueString()] = true
	}
}
