package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

type peeringModel struct {
	ID    types.String `tfsdk:"id"`
	Name  types.String `tfsdk:"name"`
	SiteA types.String `tfsdk:"site_a"`
	SiteB types.String `tfsdk:"site_b"`
	Etag  types.String `tfsdk:"etag"`
}

// peeringFromAPI converts a peering. The server stores the pair in id order and answers it so;
// when prior holds the same two sites the other way round, their order is kept, so that a
// configuration that names them the other way does not show a change.
func peeringFromAPI(p *api.Peering, prior *peeringModel) peeringModel {
	a, b := p.SiteA.String(), p.SiteB.String()
	if prior != nil && prior.SiteA.ValueString() == b && prior.SiteB.ValueString() == a {
		a, b = b, a
	}
	return peeringModel{
		ID:    types.StringValue(p.ID.String()),
		Name:  types.StringValue(p.Name),
		SiteA: types.StringValue(a),
		SiteB: types.StringValue(b),
		Etag:  types.StringValue(p.Etag),
	}
}

// replaceWhenAnotherPair replaces the peering when the planned sites are not the state's two in
// either order. A peering is unordered and the server answers its pair in id order, so after an
// import the configuration may name them the other way round: that is an update of the state
// only, not a new peering.
var replaceWhenAnotherPair = stringplanmodifier.RequiresReplaceIf(
	func(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
		var plan, state peeringModel
		resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		resp.RequiresReplace = !samePair(plan, state)
	},
	"Replaces the peering when its sites change; the order of the two does not count.",
	"Replaces the peering when its sites change; the order of the two does not count.",
)

// samePair reports whether both models name the same two known sites, in either order.
func samePair(x, y peeringModel) bool {
	for _, v := range []types.String{x.SiteA, x.SiteB, y.SiteA, y.SiteB} {
		if v.IsUnknown() || v.IsNull() {
			return false
		}
	}
	return (x.SiteA.Equal(y.SiteA) && x.SiteB.Equal(y.SiteB)) || (x.SiteA.Equal(y.SiteB) && x.SiteB.Equal(y.SiteA))
}

type peeringResource struct{ configured }

var (
	_ resource.ResourceWithConfigure      = (*peeringResource)(nil)
	_ resource.ResourceWithImportState    = (*peeringResource)(nil)
	_ resource.ResourceWithValidateConfig = (*peeringResource)(nil)
)

func newPeeringResource() resource.Resource { return &peeringResource{} }

func (r *peeringResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_peering"
}

func peeringResourceSchema() schema.Schema {
	siteAttr := func(which string) schema.StringAttribute {
		return schema.StringAttribute{
			Required: true,
			MarkdownDescription: "Id of the " + which + " site. The sites of a peering cannot change: naming another site replaces the peering " +
				"(naming the same two the other way round does not).",
			Validators:    []validator.String{uuidRule},
			PlanModifiers: []planmodifier.String{replaceWhenAnotherPair},
		}
	}
	return schema.Schema{
		MarkdownDescription: "A pair of sites that peer directly, whatever the topology mode (in `explicit` mode, " +
			"the peerings are the whole topology). Two sites peer at most once.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The peering's id."),
			"name": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Name of the peering, unique in the tenant; defaults to `<site a name>--<site b name>`.",
				Validators:          []validator.String{nameRule},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"site_a": siteAttr("first"),
			"site_b": siteAttr("second"),
			"etag":   etagAttribute(),
		},
	}
}

func (r *peeringResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = peeringResourceSchema()
}

func (r *peeringResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config peeringModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || config.SiteA.IsUnknown() || config.SiteB.IsUnknown() {
		return
	}
	if !config.SiteA.IsNull() && config.SiteA.Equal(config.SiteB) {
		resp.Diagnostics.AddAttributeError(path.Root("site_b"), "Invalid peering", "A site cannot peer with itself.")
	}
}

func (r *peeringResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan peeringModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	a, okA := parseID(plan.SiteA, "site", &resp.Diagnostics)
	b, okB := parseID(plan.SiteB, "site", &resp.Diagnostics)
	if !okA || !okB {
		return
	}
	body := api.NewPeering{SiteA: a, SiteB: b}
	if !plan.Name.IsNull() && !plan.Name.IsUnknown() {
		body.Name = patronus.Value(plan.Name.ValueString())
	}
	peering, err := r.client.Peerings.Create(ctx, body)
	if err != nil {
		addAPIError(&resp.Diagnostics, peeringResourceSchema().Type(), body, "create the peering", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, peeringFromAPI(peering, &plan))...)
}

func (r *peeringResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state peeringModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "peering", &resp.Diagnostics)
	if !ok {
		return
	}
	peering, err := r.client.Peerings.Get(ctx, id)
	if patronus.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, nil, nil, "read the peering", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, peeringFromAPI(peering, &state))...)
}

func (r *peeringResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state peeringModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "peering", &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	body := api.PeeringUpdate{}
	if !plan.Name.IsNull() && !plan.Name.IsUnknown() {
		body.Name = patronus.Value(plan.Name.ValueString())
	}
	peering, err := r.client.Peerings.Update(ctx, id, body, state.Etag.ValueString())
	if err != nil {
		addAPIError(&resp.Diagnostics, peeringResourceSchema().Type(), body, "update the peering", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, peeringFromAPI(peering, &plan))...)
}

func (r *peeringResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state peeringModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "peering", &resp.Diagnostics)
	if !ok {
		return
	}
	if err := r.client.Peerings.Delete(ctx, id, state.Etag.ValueString()); err != nil && !patronus.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, nil, nil, "delete the peering", err)
	}
}

// ImportState takes the peering's id or its name.
func (r *peeringResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if !isUUID(id) {
		peering, err := r.client.Peerings.LookupByName(ctx, id)
		if err != nil {
			addImportError(&resp.Diagnostics, "peering", id, err)
			return
		}
		id = peering.ID.String()
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}
