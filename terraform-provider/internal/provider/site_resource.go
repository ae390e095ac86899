package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

// siteFields are a site's own fields, in the resource and in the data sources.
type siteFields struct {
	ID             types.String `tfsdk:"id"`
	Name           types.String `tfsdk:"name"`
	Description    types.String `tfsdk:"description"`
	Location       types.String `tfsdk:"location"`
	Labels         types.Map    `tfsdk:"labels"`
	Role           types.String `tfsdk:"role"`
	LanPrefixes    types.Set    `tfsdk:"lan_prefixes"`
	ListenPort     types.Int64  `tfsdk:"listen_port"`
	OverlayAddress types.String `tfsdk:"overlay_address"`
	Etag           types.String `tfsdk:"etag"`
}

// siteModel is patronus_site: the site's fields and its links (site_links.go).
type siteModel struct {
	siteFields
	Links types.Map `tfsdk:"links"`
}

func siteFieldsFromAPI(s *api.Site) siteFields {
	return siteFields{
		ID:             types.StringValue(s.ID.String()),
		Name:           types.StringValue(s.Name),
		Description:    types.StringValue(s.Description),
		Location:       types.StringValue(s.Location),
		Labels:         stringMapToMap(s.Labels),
		Role:           types.StringValue(string(s.Role)),
		LanPrefixes:    stringsToSet(s.LanPrefixes),
		ListenPort:     types.Int64Value(int64(s.ListenPort)),
		OverlayAddress: types.StringValue(s.OverlayAddress),
		Etag:           types.StringValue(s.Etag),
	}
}

// siteObjectType is the type of patronus_site's values.
var siteObjectType = sync.OnceValue(func() types.ObjectType {
	return siteResourceSchema().Type().(types.ObjectType)
})

// siteModelFromRaw and raw convert patronus_site's values without the framework's reflection
// (tfsdk's Get and Set), which costs more than the rest of a request: Terraform converts every
// site several times per plan and apply, and a fleet has a thousand.
func siteModelFromRaw(ctx context.Context, raw tftypes.Value) (siteModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	v, err := siteObjectType().ValueFromTerraform(ctx, raw)
	obj, ok := v.(types.Object)
	if err != nil || !ok || !known(obj) {
		diags.AddError("Unexpected value of a site", fmt.Sprintf("%v (%T): this is a bug in the provider", err, v))
		return siteModel{}, diags
	}
	a := obj.Attributes()
	return siteModel{
		siteFields: siteFields{
			ID:             attrString(a, "id"),
			Name:           attrString(a, "name"),
			Description:    attrString(a, "description"),
			Location:       attrString(a, "location"),
			Labels:         a["labels"].(types.Map),
			Role:           attrString(a, "role"),
			LanPrefixes:    a["lan_prefixes"].(types.Set),
			ListenPort:     attrInt64(a, "listen_port"),
			OverlayAddress: attrString(a, "overlay_address"),
			Etag:           attrString(a, "etag"),
		},
		Links: a["links"].(types.Map),
	}, diags
}

func (m siteModel) raw(ctx context.Context) (tftypes.Value, diag.Diagnostics) {
	obj, diags := types.ObjectValue(siteObjectType().AttrTypes, map[string]attr.Value{
		"id":              m.ID,
		"name":            m.Name,
		"description":     m.Description,
		"location":        m.Location,
		"labels":          m.Labels,
		"role":            m.Role,
		"lan_prefixes":    m.LanPrefixes,
		"listen_port":     m.ListenPort,
		"overlay_address": m.OverlayAddress,
		"links":           m.Links,
		"etag":            m.Etag,
	})
	if diags.HasError() {
		return tftypes.Value{}, diags
	}
	v, err := obj.ToTerraformValue(ctx)
	if err != nil {
		diags.AddError("Unexpected value of a site", err.Error()+": this is a bug in the provider")
	}
	return v, diags
}

// setState makes m the new state of a site.
func setState(ctx context.Context, state *tfsdk.State, m siteModel, diags *diag.Diagnostics) {
	v, d := m.raw(ctx)
	diags.Append(d...)
	if !d.HasError() {
		state.Raw = v
	}
}

// siteFromAPI is the resource's state for a site: its fields and all its links.
func siteFromAPI(s *api.Site) siteModel {
	return siteModel{siteFields: siteFieldsFromAPI(s), Links: siteLinksFromAPI(s.Links)}
}

// newSite is the creation of the site m describes, with its links when `links` is set.
func (m siteModel) newSite() api.NewSite {
	role := api.SiteRole(m.Role.ValueString())
	body := api.NewSite{
		Name:        m.Name.ValueString(),
		Description: stringPtr(m.Description),
		Location:    stringPtr(m.Location),
		Labels:      mapToStrings(m.Labels),
		Role:        &role,
		LanPrefixes: setToStrings(m.LanPrefixes),
		ListenPort:  int32Ptr(m.ListenPort),
	}
	if known(m.Links) {
		body.Links = patronus.Value(siteLinksToAPI(m.Links))
	}
	return body
}

// siteUpdate is the PATCH that makes the site what m says (every field: the plan is the whole
// desired state, and If-Match guarantees nobody changed the rest meanwhile), and with withLinks
// its whole link set as well (the site's ETag does not cover its links: see Update).
func (m siteModel) siteUpdate(withLinks bool) api.SiteUpdate {
	body := api.SiteUpdate{
		Name:        patronus.Value(m.Name.ValueString()),
		Description: patronus.Value(m.Description.ValueString()),
		Location:    patronus.Value(m.Location.ValueString()),
		Labels:      patronus.Value(mapToStrings(m.Labels)),
		Role:        patronus.Value(api.SiteRole(m.Role.ValueString())),
		LanPrefixes: patronus.Value(setToStrings(m.LanPrefixes)),
		ListenPort:  patronus.Value(int32Of(m.ListenPort)),
	}
	if withLinks {
		body.Links = patronus.Value(siteLinksToAPI(m.Links))
	}
	return body
}

type siteResource struct{ configured }

var (
	_ resource.ResourceWithConfigure    = (*siteResource)(nil)
	_ resource.ResourceWithImportState  = (*siteResource)(nil)
	_ resource.ResourceWithModifyPlan   = (*siteResource)(nil)
	_ resource.ResourceWithUpgradeState = (*siteResource)(nil)
)

func newSiteResource() resource.Resource { return &siteResource{} }

func (r *siteResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_site"
}

func siteResourceSchema() schema.Schema {
	return schema.Schema{
		Version: 1, // 0: `links` was a set of objects with a `name` (UpgradeState)
		MarkdownDescription: "A site of the tenant's network: a location with LAN prefixes behind it, where an agent " +
			"runs the dataplane. The server allocates its overlay address from the topology's overlay prefix.\n\n" +
			"LAN prefixes may not overlap between the sites of a tenant, nor with the overlay prefix. Deleting a " +
			"site deletes its links and peerings too.\n\n" +
			"**Links.** A site's WAN links are managed in one of two ways, never both for the same site.\n\n" +
			"*Inline*, in `links`: the site owns its whole link set. Terraform creates, changes and deletes the " +
			"links with the site, in one request each time, and deletes any link of the site that `links` does not " +
			"list. A fleet is then one resource per site, which is the way for many sites.\n\n" +
			"*Apart*, as `patronus_link` resources, with `links` left out of the site: the site then manages no " +
			"link at all, and `links` only reports the links it has.\n\n" +
			"Mixing the two for one site never converges: the site deletes the links it does not list, and their " +
			"`patronus_link` resources create them again on the next apply. The provider refuses such a " +
			"configuration with an error that names the site and the link. To move links from `patronus_link` " +
			"resources into `links`, list them in `links` and forget the `patronus_link` resources without " +
			"destroying them (a `removed` block with `lifecycle { destroy = false }`, or `terraform state rm`). To " +
			"move the other way, remove `links` from the site (its links stay) and import each link as a " +
			"`patronus_link`.\n\n" +
			"A link changed outside Terraform shows as drift in the next plan, as every attribute does. The site's " +
			"ETag does not cover its links, so before it replaces a site's links the provider reads them again, and " +
			"fails the apply instead of overwriting a change made since the plan.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The site's id."),
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the site, unique in the tenant (1 to 100 characters).",
				Validators:          []validator.String{nameRule},
			},
			"description": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(""),
				MarkdownDescription: "Free text, at most 1000 characters.",
				Validators:          []validator.String{textRule(1000)},
			},
			"location": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(""),
				MarkdownDescription: "Where the site is: a city, a data centre, an address (at most 200 characters).",
				Validators:          []validator.String{textRule(200)},
			},
			"labels": schema.MapAttribute{
				ElementType: types.StringType,
				Optional:    true, Computed: true,
				Default:             mapdefault.StaticValue(types.MapValueMust(types.StringType, map[string]attr.Value{})),
				MarkdownDescription: "Labels, for policies' site selectors and for filtering: at most 64; keys of 1 to 63 characters of `a-z A-Z 0-9 . _ - /`, values of at most 255 characters.",
				Validators:          []validator.Map{labelsRule{}},
			},
			"role": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString("edge"),
				MarkdownDescription: "`edge` (default) or `hub`: in a `hub_and_spoke` topology, spokes peer with every hub.",
				Validators:          []validator.String{stringvalidator.OneOf("edge", "hub")},
			},
			"lan_prefixes": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true, Computed: true,
				Default:             setdefault.StaticValue(types.SetValueMust(types.StringType, []attr.Value{})),
				MarkdownDescription: "IPv4 and IPv6 prefixes behind the site, e.g. `10.1.0.0/16`, without host bits (at most 256).",
				Validators: []validator.Set{
					setvalidator.SizeAtMost(256),
					setvalidator.ValueStringsAre(prefixRule),
					disjointPrefixes{},
				},
			},
			"listen_port": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(51820),
				MarkdownDescription: "UDP port the site's WireGuard listens on (default 51820).",
				Validators:          []validator.Int64{int64validator.Between(1, 65535)},
			},
			"overlay_address": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The site's address on the overlay, allocated by the server.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"links": siteLinksAttribute(),
			"etag":  etagAttribute(),
		},
	}
}

func (r *siteResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = siteResourceSchema()
}

func (r *siteResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, diags := siteModelFromRaw(ctx, req.Plan.Raw)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	body := plan.newSite()
	site, err := r.client.Sites.Create(ctx, body)
	if err != nil {
		addAPIError(&resp.Diagnostics, siteResourceSchema().Type(), body, "create the site", err)
		return
	}
	state := siteFromAPI(site)
	if plan.Links.IsNull() { // `links` not set: not managed, and planned as nothing
		state.Links = plan.Links
	} else {
		r.recordInline(site.ID, site.Name, plan.Links)
	}
	setState(ctx, &resp.State, state, &resp.Diagnostics)
}

func (r *siteResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	// The id from the raw state: GetAttribute's walk and reflection cost more than the rest of a read.
	var state map[string]tftypes.Value
	var idText string
	if err := req.State.Raw.As(&state); err != nil || state["id"].As(&idText) != nil {
		resp.Diagnostics.AddError("Unexpected state of a site", fmt.Sprintf("%v: this is a bug in the provider", err))
		return
	}
	id, ok := parseID(types.StringValue(idText), "site", &resp.Diagnostics)
	if !ok {
		return
	}
	site, err := r.client.Sites.Get(ctx, id)
	if patronus.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, nil, nil, "read the site", err)
		return
	}
	// Every link of the site, managed here or not: when `links` is set, one the configuration does
	// not list shows as a change; when it is not, the plan keeps these (siteLinksPlan).
	setState(ctx, &resp.State, siteFromAPI(site), &resp.Diagnostics)
}

func (r *siteResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var configLinks types.Map
	plan, diags := siteModelFromRaw(ctx, req.Plan.Raw)
	resp.Diagnostics.Append(diags...)
	state, diags := siteModelFromRaw(ctx, req.State.Raw)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("links"), &configLinks)...)
	id, ok := parseID(state.ID, "site", &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	// The links are sent only when the plan changes them: not when `links` is left out (then the
	// plan is the state), nor when they stay as they were read (a change made meanwhile then shows
	// in the next plan, as for the site's own fields).
	withLinks := !configLinks.IsNull() && !plan.Links.Equal(state.Links)
	if withLinks && !state.Links.IsNull() {
		// If-Match covers the site's own fields only: compare the links with the ones the plan
		// started from, so that a change made since is not overwritten either.
		current, err := r.client.Sites.Get(ctx, id)
		if err != nil {
			addAPIError(&resp.Diagnostics, nil, nil, "read the site's links", err)
			return
		}
		if !siteLinksFromAPI(current.Links).Equal(state.Links) {
			resp.Diagnostics.AddAttributeError(path.Root("links"), "Changed outside Terraform: cannot update the site's links",
				"The links of site "+strconv.Quote(current.Name)+" were changed outside Terraform since Terraform last "+
					"read them, so Terraform did not overwrite that change. Run `terraform plan` to see the difference, "+
					"then apply again to decide.")
			return
		}
	}
	body := plan.siteUpdate(withLinks)
	site, err := r.client.Sites.Update(ctx, id, body, state.Etag.ValueString())
	if err != nil {
		addAPIError(&resp.Diagnostics, siteResourceSchema().Type(), body, "update the site", err)
		return
	}
	next := siteFromAPI(site)
	if !withLinks { // what the plan said; links changed meanwhile show at the next read
		next.Links = plan.Links
	}
	if !configLinks.IsNull() {
		r.recordInline(site.ID, site.Name, plan.Links)
	}
	setState(ctx, &resp.State, next, &resp.Diagnostics)
}

// ModifyPlan keeps a plan that changes nothing a no-op, and reports a site that sets `links` while
// patronus_link resources of this configuration manage links of the same site (link_owners.go;
// the patronus_link side reports the usual case). Terraform calls it for every site of every
// plan, so it reads the raw values: converting whole objects costs more than the rest of it.
func (r *siteResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan map[string]tftypes.Value
	if err := req.Plan.Raw.As(&plan); err != nil {
		return
	}
	if !req.State.Raw.IsNull() && !plan["etag"].IsKnown() {
		// With `links` left out and links in the state, Terraform proposes null for them
		// (it infers that a value with required fields must have been configured), which the
		// framework takes for a change and so marks the ETag unknown; siteLinksPlan puts the
		// links back. When nothing else changes, neither does the ETag: no update.
		var state map[string]tftypes.Value
		if err := req.State.Raw.As(&state); err == nil && sameButETag(plan, state) {
			plan["etag"] = state["etag"]
			resp.Plan.Raw = tftypes.NewValue(req.Plan.Raw.Type(), plan)
		}
	}
	if r.owners == nil {
		return
	}
	var config map[string]tftypes.Value
	if err := req.Config.Raw.As(&config); err != nil {
		return
	}
	resp.Diagnostics.Append(checkMixedLinks(r.owners, plan, config)...)
}

// checkMixedLinks records, for a site whose configuration sets `links`, the names the plan lists,
// and reports patronus_link resources of the same site planned before it (link_owners.go). plan
// and config are the site's raw values.
func checkMixedLinks(owners *linkOwners, plan, config map[string]tftypes.Value) diag.Diagnostics {
	var diags diag.Diagnostics
	if !plan["id"].IsKnown() || plan["id"].IsNull() || config["links"].IsNull() {
		return diags
	}
	var idText, name string
	if err := plan["id"].As(&idText); err != nil {
		return diags
	}
	id, err := patronus.ParseID(idText)
	names, ok := rawLinkNames(plan["links"])
	if err != nil || !ok {
		return diags
	}
	if !plan["name"].IsKnown() || plan["name"].As(&name) != nil {
		name = id.String()
	}
	if apart := owners.siteSetsLinks(id, name, names); len(apart) > 0 {
		diags.AddAttributeError(path.Root("links"), mixedSummary, mixedSite(id, name, names, apart))
	}
	return diags
}

// sameButETag tells whether a plan and a state of a site (raw objects) agree on everything but
// the ETag.
func sameButETag(plan, state map[string]tftypes.Value) bool {
	if len(plan) != len(state) {
		return false
	}
	for k, v := range plan {
		if k != "etag" && !v.Equal(state[k]) {
			return false
		}
	}
	return true
}

// rawLinkNames are the names (keys) in a raw link map, sorted; ok is false when it is not known yet.
func rawLinkNames(links tftypes.Value) ([]string, bool) {
	var elems map[string]tftypes.Value
	if !links.IsKnown() || links.IsNull() || links.As(&elems) != nil {
		return nil, false
	}
	names := make([]string, 0, len(elems))
	for name := range elems {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, true
}

// recordInline notes, for the patronus_link resources planned after it in this run, that the
// site sets `links`.
func (r *siteResource) recordInline(id patronus.ID, name string, links types.Map) {
	if r.owners == nil {
		return
	}
	if names, ok := siteLinkNames(links); ok {
		r.owners.siteSetsLinks(id, name, names)
	}
}

func (r *siteResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state siteModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "site", &resp.Diagnostics)
	if !ok {
		return
	}
	err := r.client.Sites.Delete(ctx, id, state.Etag.ValueString())
	if err != nil && !patronus.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, nil, nil, "delete the site", err)
	}
}

// ImportState takes the site's id or its name. The read that follows records all the site's links,
// so a configuration that lists them in `links`, and one that leaves `links` out, both show no
// change after the import.
func (r *siteResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if !isUUID(id) {
		site, err := r.client.Sites.LookupByName(ctx, id)
		if err != nil {
			addImportError(&resp.Diagnostics, "site", id, err)
			return
		}
		id = site.ID.String()
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

// UpgradeState turns a state of schema version 0, whose `links` was a set of link objects with a
// `name`, into the map by name that `links` is now.
func (r *siteResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{0: {StateUpgrader: upgradeSiteLinksToMap}}
}

func upgradeSiteLinksToMap(_ context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
	upgraded, err := siteLinksToMapJSON(req.RawState.JSON)
	if err != nil {
		resp.Diagnostics.AddError("Cannot upgrade the state of a site", fmt.Sprintf("Its `links` (a set of links "+
			"before version 1 of the schema) could not be read: %v. Remove the site from the state and import it again.", err))
		return
	}
	resp.DynamicValue = &tfprotov6.DynamicValue{JSON: upgraded}
}

// siteLinksToMapJSON rewrites a site's state, as JSON, with its links keyed by their names.
func siteLinksToMapJSON(state []byte) ([]byte, error) {
	var attributes map[string]json.RawMessage
	if err := json.Unmarshal(state, &attributes); err != nil {
		return nil, err
	}
	var links []map[string]json.RawMessage
	if raw, ok := attributes["links"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &links); err != nil {
			return nil, err
		}
		byName := make(map[string]map[string]json.RawMessage, len(links))
		for _, link := range links {
			var name string
			if err := json.Unmarshal(link["name"], &name); err != nil {
				return nil, fmt.Errorf("a link without a name: %w", err)
			}
			delete(link, "name")
			byName[name] = link
		}
		raw, err := json.Marshal(byName)
		if err != nil {
			return nil, err
		}
		attributes["links"] = raw
	}
	return json.Marshal(attributes)
}
