package provider

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

var linkKinds = []string{"fiber", "cable", "dsl", "ethernet", "lte", "5g", "satellite", "mpls", "other"}

const (
	maxMbps = 10_000_000
	maxCost = 1_000_000
)

type linkModel struct {
	ID                types.String `tfsdk:"id"`
	SiteID            types.String `tfsdk:"site_id"`
	Name              types.String `tfsdk:"name"`
	Interface         types.String `tfsdk:"interface"`
	Kind              types.String `tfsdk:"kind"`
	Endpoint          types.String `tfsdk:"endpoint"`
	BandwidthUpMbps   types.Int64  `tfsdk:"bandwidth_up_mbps"`
	BandwidthDownMbps types.Int64  `tfsdk:"bandwidth_down_mbps"`
	Cost              types.Int64  `tfsdk:"cost"`
	Priority          types.Int64  `tfsdk:"priority"`
	Etag              types.String `tfsdk:"etag"`
}

func linkFromAPI(l *api.Link) linkModel {
	endpoint := types.StringNull()
	if v, err := l.Endpoint.Get(); err == nil {
		endpoint = types.StringValue(v)
	}
	return linkModel{
		ID:                types.StringValue(l.ID.String()),
		SiteID:            types.StringValue(l.SiteID.String()),
		Name:              types.StringValue(l.Name),
		Interface:         types.StringValue(l.Interface),
		Kind:              types.StringValue(string(l.Kind)),
		Endpoint:          endpoint,
		BandwidthUpMbps:   types.Int64Value(int64(l.BandwidthUpMbps)),
		BandwidthDownMbps: types.Int64Value(int64(l.BandwidthDownMbps)),
		Cost:              types.Int64Value(int64(l.Cost)),
		Priority:          types.Int64Value(int64(l.Priority)),
		Etag:              types.StringValue(l.Etag),
	}
}

func (m linkModel) newLink(siteID patronus.ID) api.NewLink {
	kind := api.LinkKind(m.Kind.ValueString())
	body := api.NewLink{
		SiteID:            siteID,
		Name:              m.Name.ValueString(),
		Interface:         m.Interface.ValueString(),
		Kind:              &kind,
		BandwidthUpMbps:   int32Of(m.BandwidthUpMbps),
		BandwidthDownMbps: int32Of(m.BandwidthDownMbps),
		Cost:              int32Ptr(m.Cost),
		Priority:          int32Ptr(m.Priority),
	}
	if !m.Endpoint.IsNull() {
		body.Endpoint = patronus.Value(m.Endpoint.ValueString())
	}
	return body
}

func (m linkModel) linkUpdate() api.LinkUpdate {
	body := api.LinkUpdate{
		Name:              patronus.Value(m.Name.ValueString()),
		Interface:         patronus.Value(m.Interface.ValueString()),
		Kind:              patronus.Value(api.LinkKind(m.Kind.ValueString())),
		BandwidthUpMbps:   patronus.Value(int32Of(m.BandwidthUpMbps)),
		BandwidthDownMbps: patronus.Value(int32Of(m.BandwidthDownMbps)),
		Cost:              patronus.Value(int32Of(m.Cost)),
		Priority:          patronus.Value(int32Of(m.Priority)),
		Endpoint:          patronus.Null[string](), // behind NAT
	}
	if !m.Endpoint.IsNull() {
		body.Endpoint = patronus.Value(m.Endpoint.ValueString())
	}
	return body
}

type linkResource struct{ configured }

var (
	_ resource.ResourceWithConfigure   = (*linkResource)(nil)
	_ resource.ResourceWithImportState = (*linkResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*linkResource)(nil)
)

func newLinkResource() resource.Resource { return &linkResource{} }

func (r *linkResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_link"
}

func linkResourceSchema() schema.Schema {
	attributes := linkFieldAttributes()
	attributes["id"] = idAttribute("The link's id.")
	attributes["site_id"] = schema.StringAttribute{
		Required:            true,
		MarkdownDescription: "The site the link belongs to. Changing it replaces the link.",
		Validators:          []validator.String{uuidRule},
		PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
	}
	attributes["etag"] = etagAttribute()
	return schema.Schema{
		MarkdownDescription: "A WAN link (uplink) of a site: the interface it leaves by, its kind, its public " +
			"endpoint (none when behind NAT), bandwidth, cost and priority. A link belongs to one site for life: " +
			"changing `site_id` replaces it.\n\n" +
			"A site's links are managed either here, one `patronus_link` each, or in the `links` of its " +
			"`patronus_site`, never both: a site that sets `links` deletes every link it does not list, so a " +
			"`patronus_link` of that site would be deleted and created again on every apply. The provider refuses " +
			"such a configuration with an error naming the site and the link. For large fleets, `links` takes one " +
			"resource per site instead of three.",
		Attributes: attributes,
	}
}

// linkFieldAttributes are a link's own fields, in patronus_link and in patronus_site's `links`.
func linkFieldAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"name": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "Name of the link, unique within its site, e.g. `fiber` or `lte`. Policies refer to links by name.",
			Validators:          []validator.String{nameRule},
		},
		"interface": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "Interface name on the site's machine, e.g. `eth1` (1 to 15 characters, without `/`, `:` or spaces).",
			Validators:          []validator.String{interfaceRule},
		},
		"kind": schema.StringAttribute{
			Optional: true, Computed: true, Default: stringdefault.StaticString(defaultLinkKind),
			MarkdownDescription: "Kind of uplink: one of `" + strings.Join(linkKinds, "`, `") + "` (default `other`).",
			Validators:          []validator.String{stringvalidator.OneOf(linkKinds...)},
		},
		"endpoint": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Public `host:port` where peers reach this link, e.g. `203.0.113.10:51820`, " +
				"`[2001:db8::1]:51820` or `wan.example.net:51820`. Leave it out when the link is behind NAT.",
			Validators: []validator.String{endpointRule},
		},
		"bandwidth_up_mbps": schema.Int64Attribute{
			Required: true,
			MarkdownDescription: fmt.Sprintf("Upstream bandwidth in Mbit/s (1 to %d). The agent shapes what it sends on the link "+
				"to 95 %% of it, so that the queue forms where QoS classes order it; their shares are taken from that rate.", maxMbps),
			Validators: []validator.Int64{int64validator.Between(1, maxMbps)},
		},
		"bandwidth_down_mbps": schema.Int64Attribute{
			Required: true,
			MarkdownDescription: fmt.Sprintf("Downstream bandwidth in Mbit/s (1 to %d). An agent started with "+
				"`--ingress-shaping on` shapes what it receives on the link to 95 %% of it (off by default).", maxMbps),
			Validators: []validator.Int64{int64validator.Between(1, maxMbps)},
		},
		"cost": schema.Int64Attribute{
			Optional: true, Computed: true, Default: int64default.StaticInt64(defaultLinkCost),
			MarkdownDescription: fmt.Sprintf("Relative cost of sending over this link, for `lowest_cost` path selection (0 to %d, default 0).", maxCost),
			Validators:          []validator.Int64{int64validator.Between(0, maxCost)},
		},
		"priority": schema.Int64Attribute{
			Optional: true, Computed: true, Default: int64default.StaticInt64(defaultLinkPriority),
			MarkdownDescription: fmt.Sprintf("Preference among the site's links: paths over links with a lower number are chosen first (0 to %d, default 100).", maxCost),
			Validators:          []validator.Int64{int64validator.Between(0, maxCost)},
		},
	}
}

func (r *linkResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = linkResourceSchema()
}

func (r *linkResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan linkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	siteID, ok := parseID(plan.SiteID, "site", &resp.Diagnostics)
	if !ok {
		return
	}
	body := plan.newLink(siteID)
	link, err := r.client.Links.Create(ctx, body)
	if err != nil {
		addAPIError(&resp.Diagnostics, linkResourceSchema().Type(), body, "create the link", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, linkFromAPI(link))...)
}

func (r *linkResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state linkModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "link", &resp.Diagnostics)
	if !ok {
		return
	}
	link, err := r.client.Links.Get(ctx, id)
	if patronus.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, nil, nil, "read the link", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, linkFromAPI(link))...)
}

func (r *linkResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state linkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "link", &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	body := plan.linkUpdate()
	link, err := r.client.Links.Update(ctx, id, body, state.Etag.ValueString())
	if err != nil {
		addAPIError(&resp.Diagnostics, linkResourceSchema().Type(), body, "update the link", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, linkFromAPI(link))...)
}

func (r *linkResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state linkModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "link", &resp.Diagnostics)
	if !ok {
		return
	}
	if err := r.client.Links.Delete(ctx, id, state.Etag.ValueString()); err != nil && !patronus.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, nil, nil, "delete the link", err)
	}
}

// ModifyPlan refuses a link of a site whose patronus_site sets `links` (link_owners.go): that site
// would delete this link on every apply, or the two would overwrite each other.
func (r *linkResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.owners == nil {
		return
	}
	var siteRef, name types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("site_id"), &siteRef)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("name"), &name)...)
	if resp.Diagnostics.HasError() || !known(siteRef) || !known(name) {
		return
	}
	siteID, err := patronus.ParseID(siteRef.ValueString())
	if err != nil {
		return
	}
	if inline, mixed := r.owners.linkApart(siteID, name.ValueString()); mixed {
		resp.Diagnostics.AddAttributeError(path.Root("site_id"), mixedSummary, mixedLink(siteID, inline, name.ValueString()))
	}
}

// ImportState takes the link's id, or `<site>/<link name>` where the site is given by id or name.
// Names may contain "/": every split is tried, from the left, until one names a site's link.
func (r *linkResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if !isUUID(id) {
		found := ""
		for i := strings.IndexByte(id, '/'); i > 0 && i < len(id)-1; i = nextSlash(id, i) {
			siteRef, name := id[:i], id[i+1:]
			siteID, err := siteByRef(ctx, r.client, siteRef)
			if patronus.IsNotFound(err) {
				continue
			}
			if err != nil {
				addAPIError(&resp.Diagnostics, nil, nil, "look up the site "+strconv.Quote(siteRef), err)
				return
			}
			link, err := r.client.Links.LookupByName(ctx, siteID, name)
			if patronus.IsNotFound(err) {
				continue
			}
			if err != nil {
				addAPIError(&resp.Diagnostics, nil, nil, "look up the link "+strconv.Quote(id), err)
				return
			}
			found = link.ID.String()
			break
		}
		if found == "" {
			resp.Diagnostics.AddError("Cannot import the link",
				fmt.Sprintf("%q: no such link. Import a link by its id, or by `<site id or name>/<link name>`.", id))
			return
		}
		id = found
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

// nextSlash is the index of the next "/" after i, or -1.
func nextSlash(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '/')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// siteByRef finds a site by id or name; an error matching patronus.ErrNotFound when there is none.
func siteByRef(ctx context.Context, client *patronus.Client, ref string) (patronus.ID, error) {
	if id, err := patronus.ParseID(ref); err == nil {
		if _, err := client.Sites.Get(ctx, id); err != nil {
			return id, err
		}
		return id, nil
	}
	site, err := client.Sites.LookupByName(ctx, ref)
	if err != nil {
		return patronus.ID{}, err
	}
	return site.ID, nil
}
