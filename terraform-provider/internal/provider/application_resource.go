package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

// applicationCategories are the built-in categories a tenant's application belongs to (the API's
// Category enum).
var applicationCategories = []string{
	string(api.CategoryCollaboration), string(api.CategoryConferencing), string(api.CategoryMessaging),
	string(api.CategoryVoice), string(api.CategoryVideo), string(api.CategoryAudio), string(api.CategoryEmail),
	string(api.CategoryFileSharing), string(api.CategoryBackup), string(api.CategoryBusiness),
	string(api.CategoryDevelopment), string(api.CategoryCloud), string(api.CategorySocial),
	string(api.CategoryIdentity), string(api.CategoryRemoteAccess), string(api.CategoryNetwork),
	string(api.CategorySoftwareUpdate), string(api.CategoryWeb),
}

// applicationNameRule: an application name (a-z 0-9 - _, 1 to 64) that is not a category's name.
// The server also refuses the names of the built-in applications, which the provider does not
// know: that error comes from the server, on the attribute.
var applicationNameRule = stringRule{"1 to 64 characters of a-z, 0-9, '-' and '_', not the name of a category", func(s string) string {
	if problem := applicationRule.check(s); problem != "" {
		return problem
	}
	if slices.Contains(applicationCategories, s) {
		return "is the name of a built-in category"
	}
	return ""
}}

type applicationModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Category    types.String `tfsdk:"category"`
	Description types.String `tfsdk:"description"`
	Domains     types.Set    `tfsdk:"domains"`
	Prefixes    types.Set    `tfsdk:"prefixes"`
	Protocol    types.String `tfsdk:"protocol"`
	Ports       types.Set    `tfsdk:"ports"`
	CreatedAt   types.String `tfsdk:"created_at"`
	UpdatedAt   types.String `tfsdk:"updated_at"`
	Etag        types.String `tfsdk:"etag"`
}

func applicationFromAPI(a *api.TenantApplication) applicationModel {
	return applicationModel{
		ID:          types.StringValue(a.ID.String()),
		Name:        types.StringValue(a.Name),
		Category:    types.StringValue(string(a.Category)),
		Description: types.StringValue(a.Description),
		Domains:     stringsToSet(a.Domains),
		Prefixes:    stringsToSet(a.Prefixes),
		Protocol:    types.StringValue(string(a.Protocol)),
		Ports:       stringsToSet(a.Ports),
		CreatedAt:   timeString(a.CreatedAt),
		UpdatedAt:   timeString(a.UpdatedAt),
		Etag:        types.StringValue(a.Etag),
	}
}

func (m applicationModel) newApplication() api.NewTenantApplication {
	protocol := api.ApplicationProtocol(m.Protocol.ValueString())
	return api.NewTenantApplication{
		Name:        m.Name.ValueString(),
		Category:    api.Category(m.Category.ValueString()),
		Description: stringPtr(m.Description),
		Domains:     setToStrings(m.Domains),
		Prefixes:    setToStrings(m.Prefixes),
		Protocol:    &protocol,
		Ports:       setToStrings(m.Ports),
	}
}

func (m applicationModel) applicationUpdate() api.TenantApplicationUpdate {
	return api.TenantApplicationUpdate{
		Name:        patronus.Value(m.Name.ValueString()),
		Category:    patronus.Value(api.Category(m.Category.ValueString())),
		Description: patronus.Value(m.Description.ValueString()),
		Domains:     patronus.Value(setToStrings(m.Domains)),
		Prefixes:    patronus.Value(setToStrings(m.Prefixes)),
		Protocol:    patronus.Value(api.ApplicationProtocol(m.Protocol.ValueString())),
		Ports:       patronus.Value(setToStrings(m.Ports)),
	}
}

type applicationResource struct{ configured }

var (
	_ resource.ResourceWithConfigure      = (*applicationResource)(nil)
	_ resource.ResourceWithImportState    = (*applicationResource)(nil)
	_ resource.ResourceWithValidateConfig = (*applicationResource)(nil)
)

func newApplicationResource() resource.Resource { return &applicationResource{} }

func (r *applicationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_application"
}

func emptyStringSet() types.Set { return types.SetValueMust(types.StringType, []attr.Value{}) }

func applicationResourceSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "An application of the tenant's own, next to the built-in catalogue: the flows to some " +
			"domains, prefixes or ports. A policy's `match.application` can name it (or its `category`, which then " +
			"takes its flows too). The agent recognises a flow as the application by the names it carries (TLS and " +
			"QUIC server names, HTTP `Host`, DNS answers seen earlier) matched against `domains`, by its destination " +
			"in `prefixes` (and then on one of `ports`, if given), or, without `prefixes`, by its destination port " +
			"in `ports` when nothing in the flow names an application. Where it claims a domain pattern, prefix or " +
			"port a built-in application does, it wins.\n\n" +
			"An application that a policy names cannot be deleted or renamed (refer to it from the policy as " +
			"`patronus_application.NAME.name`, so that Terraform changes the policy first).",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The application's id."),
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "1 to 64 characters of `a-z`, `0-9`, `-` and `_`, unique in the tenant; not the " +
					"name of a built-in application or category (the server refuses those). Changes in place.",
				Validators: []validator.String{applicationNameRule},
			},
			"category": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The built-in category the application belongs to: " + codeList(applicationCategories) + ".",
				Validators:          []validator.String{stringvalidator.OneOf(applicationCategories...)},
			},
			"description": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(""),
				MarkdownDescription: "Free text, at most 256 characters (default empty).",
				Validators:          []validator.String{textRule(256)},
			},
			"domains": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true, Computed: true,
				Default: setdefault.StaticValue(emptyStringSet()),
				MarkdownDescription: "Domain patterns (at most 64): `name` matches that name exactly, `*.name` any name " +
					"below it (not `name` itself). Lowercase DNS names of at least two labels.",
				Validators: []validator.Set{
					setvalidator.SizeAtMost(64),
					setvalidator.ValueStringsAre(domainPatternRule),
				},
			},
			"prefixes": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true, Computed: true,
				Default: setdefault.StaticValue(emptyStringSet()),
				MarkdownDescription: "Destination prefixes (at most 64), IPv4 or IPv6, e.g. `10.20.0.0/16`, without " +
					"host bits, not overlapping each other.",
				Validators: []validator.Set{
					setvalidator.SizeAtMost(64),
					setvalidator.ValueStringsAre(prefixRule),
					disjointPrefixes{},
				},
			},
			"protocol": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString("any"),
				MarkdownDescription: "The IP protocol `ports` apply to: `tcp`, `udp` or `any` (default). `tcp` and `udp` " +
					"need `ports`.",
				Validators: []validator.String{stringvalidator.OneOf("tcp", "udp", "any")},
			},
			"ports": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true, Computed: true,
				Default: setdefault.StaticValue(emptyStringSet()),
				MarkdownDescription: "Destination ports (`\"443\"`) or inclusive ranges (`\"8000-8100\"`), at most 32, " +
					"not overlapping each other. At least one of `domains`, `prefixes` and `ports` is required.",
				Validators: []validator.Set{
					setvalidator.SizeAtMost(32),
					setvalidator.ValueStringsAre(portRangeRule),
					disjointPortRanges{},
				},
			},
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the application was created (RFC 3339).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"updated_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the application last changed (RFC 3339).",
			},
			"etag": etagAttribute(),
		},
	}
}

// codeList: `a`, `b`, `c` (for Markdown).
func codeList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	return strings.Join(quoted, ", ")
}

func (r *applicationResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = applicationResourceSchema()
}

// ValidateConfig: the rules across fields (known values only; unknown ones are checked by the
// server at apply).
func (r *applicationResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config applicationModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	known := func(s types.Set) bool { return !s.IsUnknown() }
	empty := func(s types.Set) bool { return s.IsNull() || len(s.Elements()) == 0 }
	if !config.Protocol.IsNull() && !config.Protocol.IsUnknown() && config.Protocol.ValueString() != "any" &&
		known(config.Ports) && empty(config.Ports) {
		resp.Diagnostics.AddAttributeError(path.Root("protocol"), "Invalid application",
			fmt.Sprintf("protocol %q applies to ports: give `ports`, or leave protocol at \"any\".", config.Protocol.ValueString()))
	}
	if known(config.Domains) && known(config.Prefixes) && known(config.Ports) &&
		empty(config.Domains) && empty(config.Prefixes) && empty(config.Ports) {
		resp.Diagnostics.AddError("Invalid application",
			"An application needs at least one of `domains`, `prefixes` and `ports`: otherwise no flow can be recognised as it.")
	}
}

func (r *applicationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan applicationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body := plan.newApplication()
	app, err := r.client.Applications.Create(ctx, body)
	if err != nil {
		addAPIError(&resp.Diagnostics, applicationResourceSchema().Type(), body, "create the application", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, applicationFromAPI(app))...)
}

func (r *applicationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state applicationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "application", &resp.Diagnostics)
	if !ok {
		return
	}
	app, err := r.client.Applications.Get(ctx, id)
	if patronus.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, nil, nil, "read the application", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, applicationFromAPI(app))...)
}

func (r *applicationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state applicationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "application", &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	body := plan.applicationUpdate()
	app, err := r.client.Applications.Update(ctx, id, body, state.Etag.ValueString())
	if err != nil {
		addAPIError(&resp.Diagnostics, applicationResourceSchema().Type(), body, "update the application", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, applicationFromAPI(app))...)
}

func (r *applicationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state applicationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "application", &resp.Diagnostics)
	if !ok {
		return
	}
	if err := r.client.Applications.Delete(ctx, id, state.Etag.ValueString()); err != nil && !patronus.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, nil, nil, "delete the application", err)
	}
}

// ImportState takes the application's id or its name.
func (r *applicationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if !isUUID(id) {
		app, err := r.client.Applications.LookupByName(ctx, id)
		if err != nil {
			addImportError(&resp.Diagnostics, "application", id, err)
			return
		}
		id = app.ID.String()
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}
