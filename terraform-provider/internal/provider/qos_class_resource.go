package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

type qosClassModel struct {
	ID                types.String `tfsdk:"id"`
	Name              types.String `tfsdk:"name"`
	Priority          types.Int64  `tfsdk:"priority"`
	Dscp              types.Int64  `tfsdk:"dscp"`
	GuaranteedPercent types.Int64  `tfsdk:"guaranteed_percent"`
	MaxPercent        types.Int64  `tfsdk:"max_percent"`
	Etag              types.String `tfsdk:"etag"`
}

func qosClassFromAPI(q *api.QosClass) qosClassModel {
	return qosClassModel{
		ID:                types.StringValue(q.ID.String()),
		Name:              types.StringValue(q.Name),
		Priority:          types.Int64Value(int64(q.Priority)),
		Dscp:              types.Int64Value(int64(q.Dscp)),
		GuaranteedPercent: types.Int64Value(int64(q.GuaranteedPercent)),
		MaxPercent:        types.Int64Value(int64(q.MaxPercent)),
		Etag:              types.StringValue(q.Etag),
	}
}

func (m qosClassModel) newQosClass() api.NewQosClass {
	return api.NewQosClass{
		Name:              m.Name.ValueString(),
		Priority:          int32Of(m.Priority),
		Dscp:              int32Of(m.Dscp),
		GuaranteedPercent: int32Of(m.GuaranteedPercent),
		MaxPercent:        int32Ptr(m.MaxPercent),
	}
}

func (m qosClassModel) qosClassUpdate() api.QosClassUpdate {
	return api.QosClassUpdate{
		Name:              patronus.Value(m.Name.ValueString()),
		Priority:          patronus.Value(int32Of(m.Priority)),
		Dscp:              patronus.Value(int32Of(m.Dscp)),
		GuaranteedPercent: patronus.Value(int32Of(m.GuaranteedPercent)),
		MaxPercent:        patronus.Value(int32Of(m.MaxPercent)),
	}
}

type qosClassResource struct{ configured }

var (
	_ resource.ResourceWithConfigure      = (*qosClassResource)(nil)
	_ resource.ResourceWithImportState    = (*qosClassResource)(nil)
	_ resource.ResourceWithValidateConfig = (*qosClassResource)(nil)
)

func newQosClassResource() resource.Resource { return &qosClassResource{} }

func (r *qosClassResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_qos_class"
}

func qosClassResourceSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "A QoS class: a share of every link's bandwidth for the traffic that policies put in it, " +
			"marked with a DSCP value. The guaranteed shares of all classes of the tenant add up to at most 100 %. " +
			"A class that a policy uses cannot be deleted (refer to it from the policy, by name, so that Terraform " +
			"deletes the policy first).\n\n" +
			"The agent marks the outer (tunnel) datagrams of the class's traffic with the class's DSCP, so that " +
			"the underlay can honour it, and shapes what each WAN link sends by class (tc HTB at 95 % of the " +
			"link's `bandwidth_up_mbps`): the class is guaranteed `guaranteed_percent` of that rate, may use up to " +
			"`max_percent` of it when others leave room, and classes of a lower `priority` number borrow first. A " +
			"guarantee below 64 kbit/s on some link cannot be honoured there: that link's agent reports the error " +
			"in its status and keeps the shaping it had.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The QoS class's id."),
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the class, unique in the tenant; policies refer to it by name.",
				Validators:          []validator.String{nameRule},
			},
			"priority": schema.Int64Attribute{
				Required:            true,
				MarkdownDescription: "1 (served first) to 8.",
				Validators:          []validator.Int64{int64validator.Between(1, 8)},
			},
			"dscp": schema.Int64Attribute{
				Required:            true,
				MarkdownDescription: "DSCP value (0 to 63) that marks the class's packets, e.g. 46 (EF) for voice.",
				Validators:          []validator.Int64{int64validator.Between(0, 63)},
			},
			"guaranteed_percent": schema.Int64Attribute{
				Required: true,
				MarkdownDescription: "Share of a link's bandwidth the class is guaranteed, in percent (0 to 100). The " +
					"guaranteed shares of all classes add up to at most 100.",
				Validators: []validator.Int64{int64validator.Between(0, 100)},
			},
			"max_percent": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(100),
				MarkdownDescription: "Share of a link's bandwidth the class may use at most, in percent (1 to 100, " +
					"default 100); not below `guaranteed_percent`.",
				Validators: []validator.Int64{int64validator.Between(1, 100)},
			},
			"etag": etagAttribute(),
		},
	}
}

func (r *qosClassResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = qosClassResourceSchema()
}

func (r *qosClassResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config qosClassModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || config.GuaranteedPercent.IsNull() || config.GuaranteedPercent.IsUnknown() || config.MaxPercent.IsUnknown() {
		return
	}
	maxPercent := int64(100)
	if !config.MaxPercent.IsNull() {
		maxPercent = config.MaxPercent.ValueInt64()
	}
	if maxPercent < config.GuaranteedPercent.ValueInt64() {
		resp.Diagnostics.AddAttributeError(path.Root("max_percent"), "Invalid QoS class",
			fmt.Sprintf("max_percent (%d) must not be below guaranteed_percent (%d).", maxPercent, config.GuaranteedPercent.ValueInt64()))
	}
}

func (r *qosClassResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan qosClassModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body := plan.newQosClass()
	class, err := r.client.QosClasses.Create(ctx, body)
	if err != nil {
		addAPIError(&resp.Diagnostics, qosClassResourceSchema().Type(), body, "create the QoS class", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, qosClassFromAPI(class))...)
}

func (r *qosClassResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state qosClassModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "QoS class", &resp.Diagnostics)
	if !ok {
		return
	}
	class, err := r.client.QosClasses.Get(ctx, id)
	if patronus.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, nil, nil, "read the QoS class", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, qosClassFromAPI(class))...)
}

func (r *qosClassResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state qosClassModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "QoS class", &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	body := plan.qosClassUpdate()
	class, err := r.client.QosClasses.Update(ctx, id, body, state.Etag.ValueString())
	if err != nil {
		addAPIError(&resp.Diagnostics, qosClassResourceSchema().Type(), body, "update the QoS class", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, qosClassFromAPI(class))...)
}

func (r *qosClassResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state qosClassModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "QoS class", &resp.Diagnostics)
	if !ok {
		return
	}
	if err := r.client.QosClasses.Delete(ctx, id, state.Etag.ValueString()); err != nil && !patronus.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, nil, nil, "delete the QoS class", err)
	}
}

// ImportState takes the class's id or its name.
func (r *qosClassResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if !isUUID(id) {
		class, err := r.client.QosClasses.LookupByName(ctx, id)
		if err != nil {
			addImportError(&resp.Diagnostics, "QoS class", id, err)
			return
		}
		id = class.ID.String()
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}
