package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

// The server's default quotas (sdk/rust Quotas::default).
const (
	defaultMaxUsers     = 100
	defaultMaxAPITokens = 50
	defaultMaxSites     = 1000
	maxQuota            = 1_000_000
)

var quotasAttrTypes = map[string]attr.Type{
	"max_users":      types.Int64Type,
	"max_api_tokens": types.Int64Type,
	"max_sites":      types.Int64Type,
}

type tenantModel struct {
	ID     types.String `tfsdk:"id"`
	Name   types.String `tfsdk:"name"`
	Slug   types.String `tfsdk:"slug"`
	Quotas types.Object `tfsdk:"quotas"`
	Etag   types.String `tfsdk:"etag"`
}

func quotasFromAPI(q api.Quotas) types.Object {
	maxSites := int64(defaultMaxSites)
	if q.MaxSites != nil {
		maxSites = int64(*q.MaxSites)
	}
	return types.ObjectValueMust(quotasAttrTypes, map[string]attr.Value{
		"max_users":      types.Int64Value(int64(q.MaxUsers)),
		"max_api_tokens": types.Int64Value(int64(q.MaxAPITokens)),
		"max_sites":      types.Int64Value(maxSites),
	})
}

func tenantFromAPI(t *api.Tenant) tenantModel {
	return tenantModel{
		ID:     types.StringValue(t.ID.String()),
		Name:   types.StringValue(t.Name),
		Slug:   types.StringValue(t.Slug),
		Quotas: quotasFromAPI(t.Quotas),
		Etag:   types.StringValue(t.Etag),
	}
}

func quotasToAPI(o types.Object) api.Quotas {
	m := attrs(o)
	q := api.Quotas{
		MaxUsers:     defaultMaxUsers,
		MaxAPITokens: defaultMaxAPITokens,
	}
	if v := attrInt64(m, "max_users"); known(v) {
		q.MaxUsers = int32(v.ValueInt64())
	}
	if v := attrInt64(m, "max_api_tokens"); known(v) {
		q.MaxAPITokens = int32(v.ValueInt64())
	}
	maxSites := int32(defaultMaxSites)
	if v := attrInt64(m, "max_sites"); known(v) {
		maxSites = int32(v.ValueInt64())
	}
	q.MaxSites = &maxSites
	return q
}

func (m tenantModel) newTenant() api.NewTenant {
	return api.NewTenant{
		Name:   m.Name.ValueString(),
		Slug:   m.Slug.ValueString(),
		Quotas: patronus.Value(quotasToAPI(m.Quotas)),
	}
}

func (m tenantModel) tenantUpdate() api.TenantUpdate {
	q := quotasToAPI(m.Quotas)
	return api.TenantUpdate{
		Name: patronus.Value(m.Name.ValueString()),
		Slug: patronus.Value(m.Slug.ValueString()),
		Quotas: patronus.Value(api.QuotasUpdate{
			MaxUsers:     patronus.Value(q.MaxUsers),
			MaxAPITokens: patronus.Value(q.MaxAPITokens),
			MaxSites:     patronus.Value(*q.MaxSites),
		}),
	}
}

type tenantResource struct{ configured }

var (
	_ resource.ResourceWithConfigure   = (*tenantResource)(nil)
	_ resource.ResourceWithImportState = (*tenantResource)(nil)
)

func newTenantResource() resource.Resource { return &tenantResource{} }

func (r *tenantResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_tenant"
}

func tenantResourceSchema() schema.Schema {
	quota := func(description string, def int64) schema.Int64Attribute {
		return schema.Int64Attribute{
			Optional: true, Computed: true, Default: int64default.StaticInt64(def),
			MarkdownDescription: description + " (0 to 1000000).",
			Validators:          []validator.Int64{int64validator.Between(0, maxQuota)},
		}
	}
	return schema.Schema{
		MarkdownDescription: "A tenant of the platform. Needs a provider configured with a platform token " +
			"(`ptrn_plat_...`): declare a second provider block with an `alias` for it. Destroying a tenant deletes " +
			"everything it owns.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The tenant's id."),
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the tenant, unique on the platform.",
				Validators:          []validator.String{nameRule},
			},
			"slug": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Short name used at login: 1 to 63 lowercase letters, digits and dashes, unique on the platform.",
				Validators:          []validator.String{slugRule},
			},
			"quotas": schema.SingleNestedAttribute{
				Optional: true, Computed: true,
				Default: objectdefault.StaticValue(types.ObjectValueMust(quotasAttrTypes, map[string]attr.Value{
					"max_users":      types.Int64Value(defaultMaxUsers),
					"max_api_tokens": types.Int64Value(defaultMaxAPITokens),
					"max_sites":      types.Int64Value(defaultMaxSites),
				})),
				MarkdownDescription: "Limits on what the tenant may create.",
				Attributes: map[string]schema.Attribute{
					"max_users":      quota("Users at most (default 100)", defaultMaxUsers),
					"max_api_tokens": quota("API tokens at most (default 50)", defaultMaxAPITokens),
					"max_sites":      quota("Sites at most (default 1000)", defaultMaxSites),
				},
			},
			"etag": etagAttribute(),
		},
	}
}

func (r *tenantResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = tenantResourceSchema()
}

func (r *tenantResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan tenantModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body := plan.newTenant()
	tenant, err := r.client.Tenants.Create(ctx, body)
	if err != nil {
		addAPIError(&resp.Diagnostics, tenantResourceSchema().Type(), body, "create the tenant", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, tenantFromAPI(tenant))...)
}

func (r *tenantResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state tenantModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "tenant", &resp.Diagnostics)
	if !ok {
		return
	}
	tenant, err := r.client.Tenants.Get(ctx, id)
	if patronus.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, nil, nil, "read the tenant", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, tenantFromAPI(tenant))...)
}

func (r *tenantResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state tenantModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "tenant", &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	body := plan.tenantUpdate()
	tenant, err := r.client.Tenants.Update(ctx, id, body, state.Etag.ValueString())
	if err != nil {
		addAPIError(&resp.Diagnostics, tenantResourceSchema().Type(), body, "update the tenant", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, tenantFromAPI(tenant))...)
}

func (r *tenantResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state tenantModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "tenant", &resp.Diagnostics)
	if !ok {
		return
	}
	if err := r.client.Tenants.Delete(ctx, id, state.Etag.ValueString()); err != nil && !patronus.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, nil, nil, "delete the tenant", err)
	}
}

// ImportState takes the tenant's id, its slug or its name.
func (r *tenantResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if !isUUID(id) {
		tenant, err := r.client.Tenants.LookupBySlug(ctx, id)
		if patronus.IsNotFound(err) { // not a slug: perhaps the name
			var page *patronus.Page[api.Tenant]
			if page, err = r.client.Tenants.ListPage(ctx, &api.TenantsListParams{Name: &id}, ""); err == nil {
				if len(page.Items) == 1 {
					tenant = &page.Items[0]
				} else {
					err = fmt.Errorf("tenant %q: %w", id, patronus.ErrNotFound)
				}
			}
		}
		if err != nil {
			addImportError(&resp.Diagnostics, "tenant", id, err)
			return
		}
		id = tenant.ID.String()
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}
