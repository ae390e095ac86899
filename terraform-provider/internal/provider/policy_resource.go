package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

var (
	protocols      = []string{"any", "tcp", "udp", "icmp"}
	pathSelections = []string{"ordered", "lowest_latency", "lowest_loss", "lowest_cost", "duplicate"}
	stringList     = types.ListType{ElemType: types.StringType}
	slaAttrTypes   = map[string]attr.Type{
		"max_latency_ms":   types.Int64Type,
		"max_loss_percent": types.Float64Type,
		"max_jitter_ms":    types.Int64Type,
	}
	matchAttrTypes = map[string]attr.Type{
		"protocol":             types.StringType,
		"source_prefixes":      stringList,
		"destination_prefixes": stringList,
		"destination_ports":    stringList,
		"dscp":                 types.Int64Type,
		"application":          types.StringType,
	}
	actionAttrTypes = map[string]attr.Type{
		"qos_class":                  types.StringType,
		"path_selection":             types.StringType,
		"link_preference":            stringList,
		"sla":                        types.ObjectType{AttrTypes: slaAttrTypes},
		"failover_hold_down_seconds": types.Int64Type,
	}
)

type policyModel struct {
	ID           types.String `tfsdk:"id"`
	Name         types.String `tfsdk:"name"`
	Priority     types.Int64  `tfsdk:"priority"`
	Match        types.Object `tfsdk:"match"`
	Action       types.Object `tfsdk:"action"`
	SiteSelector types.Map    `tfsdk:"site_selector"`
	Etag         types.String `tfsdk:"etag"`
}

func nullableInt64(v interface {
	Get() (int32, error)
}) types.Int64 {
	if n, err := v.Get(); err == nil {
		return types.Int64Value(int64(n))
	}
	return types.Int64Null()
}

func nullableString(v interface {
	Get() (string, error)
}) types.String {
	if s, err := v.Get(); err == nil {
		return types.StringValue(s)
	}
	return types.StringNull()
}

func policyMatchFromAPI(m api.PolicyMatch) types.Object {
	protocol := "any"
	if m.Protocol != nil {
		protocol = string(*m.Protocol)
	}
	return types.ObjectValueMust(matchAttrTypes, map[string]attr.Value{
		"protocol":             types.StringValue(protocol),
		"source_prefixes":      stringsToList(m.SourcePrefixes),
		"destination_prefixes": stringsToList(m.DestinationPrefixes),
		"destination_ports":    stringsToList(m.DestinationPorts),
		"dscp":                 nullableInt64(m.Dscp),
		"application":          nullableString(m.Application),
	})
}

func policyActionFromAPI(a api.PolicyAction) types.Object {
	sla := types.ObjectNull(slaAttrTypes)
	if s, err := a.SLA.Get(); err == nil {
		loss := types.Float64Null()
		if v, err := s.MaxLossPercent.Get(); err == nil {
			loss = types.Float64Value(v)
		}
		sla = types.ObjectValueMust(slaAttrTypes, map[string]attr.Value{
			"max_latency_ms":   nullableInt64(s.MaxLatencyMs),
			"max_loss_percent": loss,
			"max_jitter_ms":    nullableInt64(s.MaxJitterMs),
		})
	}
	holdDown := int64(10)
	if a.FailoverHoldDownSeconds != nil {
		holdDown = int64(*a.FailoverHoldDownSeconds)
	}
	return types.ObjectValueMust(actionAttrTypes, map[string]attr.Value{
		"qos_class":                  nullableString(a.QosClass),
		"path_selection":             types.StringValue(string(a.PathSelection)),
		"link_preference":            stringsToList(a.LinkPreference),
		"sla":                        sla,
		"failover_hold_down_seconds": types.Int64Value(holdDown),
	})
}

func policyFromAPI(p *api.Policy) policyModel {
	return policyModel{
		ID:           types.StringValue(p.ID.String()),
		Name:         types.StringValue(p.Name),
		Priority:     types.Int64Value(int64(p.Priority)),
		Match:        policyMatchFromAPI(p.Match),
		Action:       policyActionFromAPI(p.Action),
		SiteSelector: stringMapToMap(p.SiteSelector),
		Etag:         types.StringValue(p.Etag),
	}
}

// attrs reads the attributes of an object (none when it is null or unknown).
func attrs(o types.Object) map[string]attr.Value {
	if o.IsNull() || o.IsUnknown() {
		return map[string]attr.Value{}
	}
	return o.Attributes()
}

func attrString(m map[string]attr.Value, name string) types.String {
	if v, ok := m[name].(types.String); ok {
		return v
	}
	return types.StringNull()
}

func attrInt64(m map[string]attr.Value, name string) types.Int64 {
	if v, ok := m[name].(types.Int64); ok {
		return v
	}
	return types.Int64Null()
}

func attrList(m map[string]attr.Value, name string) types.List {
	if v, ok := m[name].(types.List); ok {
		return v
	}
	return types.ListNull(types.StringType)
}

func known[T interface {
	IsNull() bool
	IsUnknown() bool
}](v T) bool {
	return !v.IsNull() && !v.IsUnknown()
}

func policyMatchToAPI(o types.Object) api.PolicyMatch {
	m := attrs(o)
	out := api.PolicyMatch{
		SourcePrefixes:      listToStrings(attrList(m, "source_prefixes")),
		DestinationPrefixes: listToStrings(attrList(m, "destination_prefixes")),
		DestinationPorts:    listToStrings(attrList(m, "destination_ports")),
	}
	if p := attrString(m, "protocol"); known(p) {
		protocol := api.Protocol(p.ValueString())
		out.Protocol = &protocol
	}
	if d := attrInt64(m, "dscp"); known(d) {
		out.Dscp = patronus.Value(int32(d.ValueInt64()))
	}
	if a := attrString(m, "application"); known(a) {
		out.Application = patronus.Value(a.ValueString())
	}
	return out
}

func policyActionToAPI(o types.Object) api.PolicyAction {
	m := attrs(o)
	out := api.PolicyAction{
		PathSelection:  api.PathSelection(attrString(m, "path_selection").ValueString()),
		LinkPreference: listToStrings(attrList(m, "link_preference")),
	}
	if q := attrString(m, "qos_class"); known(q) {
		out.QosClass = patronus.Value(q.ValueString())
	}
	if h := attrInt64(m, "failover_hold_down_seconds"); known(h) {
		n := int32(h.ValueInt64())
		out.FailoverHoldDownSeconds = &n
	}
	if s, ok := m["sla"].(types.Object); ok && known(s) {
		sm := s.Attributes()
		sla := api.SLA{}
		if v := attrInt64(sm, "max_latency_ms"); known(v) {
			sla.MaxLatencyMs = patronus.Value(int32(v.ValueInt64()))
		}
		if v := attrInt64(sm, "max_jitter_ms"); known(v) {
			sla.MaxJitterMs = patronus.Value(int32(v.ValueInt64()))
		}
		if v, ok := sm["max_loss_percent"].(types.Float64); ok && known(v) {
			sla.MaxLossPercent = patronus.Value(v.ValueFloat64())
		}
		out.SLA = patronus.Value(sla)
	}
	return out
}

func (m policyModel) newPolicy() api.NewPolicy {
	return api.NewPolicy{
		Name:         m.Name.ValueString(),
		Priority:     int32Of(m.Priority),
		Match:        policyMatchToAPI(m.Match),
		Action:       policyActionToAPI(m.Action),
		SiteSelector: mapToStrings(m.SiteSelector),
	}
}

func (m policyModel) policyUpdate() api.PolicyUpdate {
	return api.PolicyUpdate{
		Name:         patronus.Value(m.Name.ValueString()),
		Priority:     patronus.Value(int32Of(m.Priority)),
		Match:        patronus.Value(policyMatchToAPI(m.Match)),
		Action:       patronus.Value(policyActionToAPI(m.Action)),
		SiteSelector: patronus.Value(mapToStrings(m.SiteSelector)),
	}
}

type policyResource struct{ configured }

var (
	_ resource.ResourceWithConfigure      = (*policyResource)(nil)
	_ resource.ResourceWithImportState    = (*policyResource)(nil)
	_ resource.ResourceWithValidateConfig = (*policyResource)(nil)
)

func newPolicyResource() resource.Resource { return &policyResource{} }

func (r *policyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_policy"
}

func emptyStringList() types.List { return types.ListValueMust(types.StringType, []attr.Value{}) }

func policyResourceSchema() schema.Schema {
	prefixList := func(description string) schema.ListAttribute {
		return schema.ListAttribute{
			ElementType: types.StringType,
			Optional:    true, Computed: true, Default: listdefault.StaticValue(emptyStringList()),
			MarkdownDescription: description,
			Validators:          []validator.List{listvalidator.ValueStringsAre(prefixRule)},
		}
	}
	return schema.Schema{
		MarkdownDescription: "A routing policy: which traffic (`match`) goes in which QoS class and over which path " +
			"(`action`), on which sites (`site_selector`). Policies are evaluated by `priority`, lowest first; " +
			"priorities are unique in the tenant.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The policy's id."),
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the policy, unique in the tenant.",
				Validators:          []validator.String{nameRule},
			},
			"priority": schema.Int64Attribute{
				Required:            true,
				MarkdownDescription: "Evaluation order, unique in the tenant: lower first (0 to 1000000).",
				Validators:          []validator.Int64{int64validator.Between(0, 1_000_000)},
			},
			"match": schema.SingleNestedAttribute{
				Optional: true, Computed: true,
				Default: objectdefault.StaticValue(types.ObjectValueMust(matchAttrTypes, map[string]attr.Value{
					"protocol":             types.StringValue("any"),
					"source_prefixes":      emptyStringList(),
					"destination_prefixes": emptyStringList(),
					"destination_ports":    emptyStringList(),
					"dscp":                 types.Int64Null(),
					"application":          types.StringNull(),
				})),
				MarkdownDescription: "Which traffic the policy applies to. Every given criterion must match; absent ones match all (no `match`: all traffic).",
				Attributes: map[string]schema.Attribute{
					"protocol": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString("any"),
						MarkdownDescription: "`any` (default), `tcp`, `udp` or `icmp`.",
						Validators:          []validator.String{stringvalidator.OneOf(protocols...)},
					},
					"source_prefixes":      prefixList("Source prefixes, e.g. `10.1.0.0/16`, without host bits."),
					"destination_prefixes": prefixList("Destination prefixes, without host bits."),
					"destination_ports": schema.ListAttribute{
						ElementType: types.StringType,
						Optional:    true, Computed: true, Default: listdefault.StaticValue(emptyStringList()),
						MarkdownDescription: "Destination ports (`\"443\"`) or inclusive ranges (`\"8000-8999\"`); only with protocol `tcp` or `udp`.",
						Validators:          []validator.List{listvalidator.ValueStringsAre(portRangeRule)},
					},
					"dscp": schema.Int64Attribute{
						Optional:            true,
						MarkdownDescription: "DSCP value (0 to 63) the traffic is marked with.",
						Validators:          []validator.Int64{int64validator.Between(0, 63)},
					},
					"application": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "A built-in application (e.g. `teams`, `zoom`, `ssh`), a category of applications (e.g. `video`, `backup`), or one of the tenant's own applications (`patronus_application`; refer to it as `patronus_application.NAME.name`, since the server refuses to rename or delete an application a policy names); the server refuses any other name. The policy takes the flows the agent recognises as that application (TLS and QUIC server names, HTTP `Host`, SSH and SIP handshakes, DNS answers seen earlier, the catalogue's prefixes and ports); a flow not yet recognised takes the policy it would without this one, and moves once when it is.",
						Validators:          []validator.String{applicationRule},
					},
				},
			},
			"action": schema.SingleNestedAttribute{
				Required:            true,
				MarkdownDescription: "What happens to the matched traffic.",
				Attributes: map[string]schema.Attribute{
					"qos_class": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "Name of the QoS class the traffic is put in. Refer to the class " +
							"(`patronus_qos_class.voice.name`) so that Terraform orders creation and deletion.",
						Validators: []validator.String{nameRule},
					},
					"path_selection": schema.StringAttribute{
						Required: true,
						MarkdownDescription: "`ordered` (the links of `link_preference`, in that order, among those meeting the SLA), " +
							"`lowest_latency` (moves only for a margin of 10 ms and 20 %), `lowest_loss`, `lowest_cost`, or `duplicate` " +
							"(every packet twice: on the best path and on the best path over another local link, towards another of the " +
							"peer's endpoints where one works; the receiver keeps the first copy).",
						Validators: []validator.String{stringvalidator.OneOf(pathSelections...)},
					},
					"link_preference": schema.ListAttribute{
						ElementType: types.StringType,
						Optional:    true, Computed: true, Default: listdefault.StaticValue(emptyStringList()),
						MarkdownDescription: "Link names in order of preference (needed for `ordered`; a tie-breaker otherwise). " +
							"Some site of the tenant must have a link of each name.",
						Validators: []validator.List{listvalidator.ValueStringsAre(nameRule)},
					},
					"sla": schema.SingleNestedAttribute{
						Optional:            true,
						MarkdownDescription: "Thresholds a path must meet; traffic fails away from a path that crosses one.",
						Attributes: map[string]schema.Attribute{
							"max_latency_ms": schema.Int64Attribute{
								Optional: true, MarkdownDescription: "Highest acceptable round-trip latency in ms (1 to 60000).",
								Validators: []validator.Int64{int64validator.Between(1, 60_000)},
							},
							"max_loss_percent": schema.Float64Attribute{
								Optional: true, MarkdownDescription: "Highest acceptable packet loss in percent (0 to 100).",
								Validators: []validator.Float64{float64validator.Between(0, 100)},
							},
							"max_jitter_ms": schema.Int64Attribute{
								Optional: true, MarkdownDescription: "Highest acceptable jitter in ms (1 to 60000).",
								Validators: []validator.Int64{int64validator.Between(1, 60_000)},
							},
						},
					},
					"failover_hold_down_seconds": schema.Int64Attribute{
						Optional: true, Computed: true, Default: int64default.StaticInt64(10),
						MarkdownDescription: "Seconds a path must stay healthy before traffic moves back to it (0 to 3600, default 10).",
						Validators:          []validator.Int64{int64validator.Between(0, 3600)},
					},
				},
			},
			"site_selector": schema.MapAttribute{
				ElementType: types.StringType,
				Optional:    true, Computed: true,
				Default:             mapdefault.StaticValue(types.MapValueMust(types.StringType, map[string]attr.Value{})),
				MarkdownDescription: "Sites the policy applies to, by labels (all must match); every site when empty.",
				Validators:          []validator.Map{labelsRule{}},
			},
			"etag": etagAttribute(),
		},
	}
}

func (r *policyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = policyResourceSchema()
}

// ValidateConfig checks what involves two attributes: ports need tcp or udp; `ordered` needs links.
func (r *policyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config policyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if known(config.Match) {
		m := config.Match.Attributes()
		ports, protocol := attrList(m, "destination_ports"), attrString(m, "protocol")
		if known(ports) && len(ports.Elements()) > 0 && !protocol.IsUnknown() &&
			protocol.ValueString() != "tcp" && protocol.ValueString() != "udp" {
			resp.Diagnostics.AddAttributeError(path.Root("match").AtName("destination_ports"), "Invalid policy match",
				"Destination ports need protocol \"tcp\" or \"udp\".")
		}
	}
	if known(config.Action) {
		a := config.Action.Attributes()
		selection, links := attrString(a, "path_selection"), attrList(a, "link_preference")
		if selection.ValueString() == "ordered" && !links.IsUnknown() && len(links.Elements()) == 0 {
			resp.Diagnostics.AddAttributeError(path.Root("action").AtName("link_preference"), "Invalid policy action",
				"Ordered path selection needs at least one link name in link_preference.")
		}
	}
}

func (r *policyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan policyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body := plan.newPolicy()
	policy, err := r.client.Policies.Create(ctx, body)
	if err != nil {
		addAPIError(&resp.Diagnostics, policyResourceSchema().Type(), body, "create the policy", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, policyFromAPI(policy))...)
}

func (r *policyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state policyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "policy", &resp.Diagnostics)
	if !ok {
		return
	}
	policy, err := r.client.Policies.Get(ctx, id)
	if patronus.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, nil, nil, "read the policy", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, policyFromAPI(policy))...)
}

func (r *policyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state policyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "policy", &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	body := plan.policyUpdate()
	policy, err := r.client.Policies.Update(ctx, id, body, state.Etag.ValueString())
	if err != nil {
		addAPIError(&resp.Diagnostics, policyResourceSchema().Type(), body, "update the policy", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, policyFromAPI(policy))...)
}

func (r *policyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state policyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "policy", &resp.Diagnostics)
	if !ok {
		return
	}
	if err := r.client.Policies.Delete(ctx, id, state.Etag.ValueString()); err != nil && !patronus.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, nil, nil, "delete the policy", err)
	}
}

// ImportState takes the policy's id or its name.
func (r *policyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if !isUUID(id) {
		policy, err := r.client.Policies.LookupByName(ctx, id)
		if err != nil {
			addImportError(&resp.Diagnostics, "policy", id, err)
			return
		}
		id = policy.ID.String()
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}
