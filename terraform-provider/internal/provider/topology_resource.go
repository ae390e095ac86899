package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

// topologyID is the id of the tenant's one topology in state.
const topologyID = "topology"

const (
	defaultOverlayPrefix = "100.64.0.0/16"
	defaultKeepalive     = 25
)

type topologyModel struct {
	ID                  types.String `tfsdk:"id"`
	Mode                types.String `tfsdk:"mode"`
	OverlayPrefix       types.String `tfsdk:"overlay_prefix"`
	PersistentKeepalive types.Int64  `tfsdk:"persistent_keepalive"`
	Revision            types.Int64  `tfsdk:"revision"`
	Etag                types.String `tfsdk:"etag"`
}

func topologyFromAPI(t *api.Topology) topologyModel {
	return topologyModel{
		ID:                  types.StringValue(topologyID),
		Mode:                types.StringValue(string(t.Mode)),
		OverlayPrefix:       types.StringValue(t.OverlayPrefix),
		PersistentKeepalive: types.Int64Value(int64(t.PersistentKeepalive)),
		Revision:            types.Int64Value(t.Revision),
		Etag:                types.StringValue(t.Etag),
	}
}

func (m topologyModel) spec() api.TopologySpec {
	return api.TopologySpec{
		Mode:                api.TopologyMode(m.Mode.ValueString()),
		OverlayPrefix:       patronus.Value(m.OverlayPrefix.ValueString()),
		PersistentKeepalive: patronus.Value(int32Of(m.PersistentKeepalive)),
	}
}

type topologyResource struct{ configured }

var (
	_ resource.ResourceWithConfigure   = (*topologyResource)(nil)
	_ resource.ResourceWithImportState = (*topologyResource)(nil)
)

func newTopologyResource() resource.Resource { return &topologyResource{} }

func (r *topologyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_topology"
}

func topologyResourceSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "The tenant's overlay topology. There is one per tenant, so declare this resource once: " +
			"creating it takes the topology over, whatever it was; destroying it puts the defaults back " +
			"(`full_mesh`, keepalive 25, and overlay prefix `" + defaultOverlayPrefix + "` unless sites still use " +
			"another one).\n\nThe overlay prefix can change only while the tenant has no sites: give sites a " +
			"`depends_on` on this resource when you set it, so that they are created after it.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("Always `" + topologyID + "`."),
			"mode": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "`full_mesh` (every site peers with every other), `hub_and_spoke` (spokes peer with " +
					"every hub, hubs with each other) or `explicit` (only `patronus_peering`s). Peerings add to any mode.",
				Validators: []validator.String{stringvalidator.OneOf("full_mesh", "hub_and_spoke", "explicit")},
			},
			"overlay_prefix": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(defaultOverlayPrefix),
				MarkdownDescription: "IPv4 prefix (/8 to /30) the overlay addresses of sites are allocated from " +
					"(default `" + defaultOverlayPrefix + "`). Can change only while the tenant has no sites.",
				Validators: []validator.String{overlayPrefixRule},
			},
			"persistent_keepalive": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(defaultKeepalive),
				MarkdownDescription: "WireGuard persistent keepalive in seconds, 0 to disable (default 25).",
				Validators:          []validator.Int64{int64validator.Between(0, 65535)},
			},
			"revision": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: "The tenant's configuration revision when Terraform last wrote or read the " +
					"topology. It moves with every change to the network.",
			},
			"etag": etagAttribute(),
		},
	}
}

func (r *topologyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = topologyResourceSchema()
}

func (r *topologyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan topologyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The topology always exists: creating the resource takes it over, without If-Match.
	body := plan.spec()
	topology, err := r.client.Topology.Put(ctx, body, "")
	if err != nil {
		addAPIError(&resp.Diagnostics, topologyResourceSchema().Type(), body, "set the topology", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, topologyFromAPI(topology))...)
}

func (r *topologyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	topology, err := r.client.Topology.Get(ctx)
	if patronus.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, nil, nil, "read the topology", err)
		return
	}
	var state topologyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	next := topologyFromAPI(topology)
	// The revision moves with every network change; it is not drift of the topology.
	if !state.Revision.IsNull() && !state.Revision.IsUnknown() && !state.Etag.IsNull() && state.Etag.Equal(next.Etag) {
		next.Revision = state.Revision
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, next)...)
}

func (r *topologyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state topologyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body := plan.spec()
	topology, err := r.client.Topology.Put(ctx, body, state.Etag.ValueString())
	if err != nil {
		addAPIError(&resp.Diagnostics, topologyResourceSchema().Type(), body, "update the topology", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, topologyFromAPI(topology))...)
}

// Delete puts the defaults back. The overlay prefix can change only while the tenant has no
// sites, so when sites remain (managed elsewhere) it keeps the current one.
func (r *topologyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state topologyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	defaults := api.TopologySpec{
		Mode:                api.TopologyModeFullMesh,
		OverlayPrefix:       patronus.Value(defaultOverlayPrefix),
		PersistentKeepalive: patronus.Value(int32(defaultKeepalive)),
	}
	_, err := r.client.Topology.Put(ctx, defaults, state.Etag.ValueString())
	var apiErr *patronus.APIError
	if errors.Is(err, patronus.ErrConflict) && errors.As(err, &apiErr) && len(apiErr.Errors) > 0 && apiErr.Errors[0].Pointer == "/overlay_prefix" {
		defaults.OverlayPrefix = patronus.Value(state.OverlayPrefix.ValueString())
		_, err = r.client.Topology.Put(ctx, defaults, state.Etag.ValueString())
		if err == nil {
			resp.Diagnostics.AddWarning("Overlay prefix kept",
				"The tenant still has sites, so the topology keeps its overlay prefix "+state.OverlayPrefix.ValueString()+
					"; mode and keepalive are back to their defaults.")
		}
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, nil, nil, "reset the topology", err)
	}
}

// ImportState takes any id (`topology` by convention): there is one topology per tenant.
func (r *topologyResource) ImportState(ctx context.Context, _ resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), topologyID)...)
}
