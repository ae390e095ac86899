package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
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
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

// siteModel is a site in Terraform, for the resource and the data sources.
type siteModel struct {
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

func siteFromAPI(s *api.Site) siteModel {
	return siteModel{
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

func (m siteModel) newSite() api.NewSite {
	role := api.SiteRole(m.Role.ValueString())
	return api.NewSite{
		Name:        m.Name.ValueString(),
		Description: stringPtr(m.Description),
		Location:    stringPtr(m.Location),
		Labels:      mapToStrings(m.Labels),
		Role:        &role,
		LanPrefixes: setToStrings(m.LanPrefixes),
		ListenPort:  int32Ptr(m.ListenPort),
	}
}

// siteUpdate is the PATCH that makes the site what m says (every field: the plan is the whole
// desired state, and If-Match guarantees nobody changed the rest meanwhile).
func (m siteModel) siteUpdate() api.SiteUpdate {
	return api.SiteUpdate{
		Name:        patronus.Value(m.Name.ValueString()),
		Description: patronus.Value(m.Description.ValueString()),
		Location:    patronus.Value(m.Location.ValueString()),
		Labels:      patronus.Value(mapToStrings(m.Labels)),
		Role:        patronus.Value(api.SiteRole(m.Role.ValueString())),
		LanPrefixes: patronus.Value(setToStrings(m.LanPrefixes)),
		ListenPort:  patronus.Value(int32Of(m.ListenPort)),
	}
}

type siteResource struct{ configured }

var (
	_ resource.ResourceWithConfigure   = (*siteResource)(nil)
	_ resource.ResourceWithImportState = (*siteResource)(nil)
)

func newSiteResource() resource.Resource { return &siteResource{} }

func (r *siteResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_site"
}

func siteResourceSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "A site of the tenant's network: a location with LAN prefixes behind it, where an agent " +
			"runs the dataplane. The server allocates its overlay address from the topology's overlay prefix.\n\n" +
			"LAN prefixes may not overlap between the sites of a tenant, nor with the overlay prefix. Deleting a " +
			"site deletes its links and peerings too.",
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
			"etag": etagAttribute(),
		},
	}
}

func (r *siteResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = siteResourceSchema()
}

func (r *siteResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan siteModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body := plan.newSite()
	site, err := r.client.Sites.Create(ctx, body)
	if err != nil {
		addAPIError(&resp.Diagnostics, siteResourceSchema().Type(), body, "create the site", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, siteFromAPI(site))...)
}

func (r *siteResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state siteModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "site", &resp.Diagnostics)
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
	resp.Diagnostics.Append(resp.State.Set(ctx, siteFromAPI(site))...)
}

func (r *siteResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state siteModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "site", &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	body := plan.siteUpdate()
	site, err := r.client.Sites.Update(ctx, id, body, state.Etag.ValueString())
	if err != nil {
		addAPIError(&resp.Diagnostics, siteResourceSchema().Type(), body, "update the site", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, siteFromAPI(site))...)
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

// ImportState takes the site's id or its name.
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
