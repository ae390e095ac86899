package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

type tenantDataSource struct{ configuredDataSource }

var (
	_ datasource.DataSourceWithConfigure        = (*tenantDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*tenantDataSource)(nil)
)

func newTenantDataSource() datasource.DataSource { return &tenantDataSource{} }

func (d *tenantDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_tenant"
}

func (d *tenantDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	quota := func(description string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A tenant of the platform, by id or slug. Needs a provider configured with a platform token.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Id of the tenant; give `id` or `slug`.",
				Validators:          []validator.String{uuidRule},
			},
			"slug": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Slug of the tenant; give `id` or `slug`.",
				Validators:          []validator.String{slugRule},
			},
			"name": schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the tenant."},
			"quotas": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Limits on what the tenant may create.",
				Attributes: map[string]schema.Attribute{
					"max_users":      quota("Users at most."),
					"max_api_tokens": quota("API tokens at most."),
					"max_sites":      quota("Sites at most."),
				},
			},
			"etag": schema.StringAttribute{Computed: true, MarkdownDescription: "The tenant's ETag."},
		},
	}
}

func (d *tenantDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("slug")),
	}
}

func (d *tenantDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config tenantModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var tenant *api.Tenant
	var err error
	if known(config.ID) {
		id, ok := parseID(config.ID, "tenant", &resp.Diagnostics)
		if !ok {
			return
		}
		tenant, err = d.client.Tenants.Get(ctx, id)
	} else {
		tenant, err = d.client.Tenants.LookupBySlug(ctx, config.Slug.ValueString())
	}
	if patronus.IsNotFound(err) {
		resp.Diagnostics.AddError("No such tenant", "The platform has no tenant with this id or slug.")
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, nil, nil, "read the tenant", err)
		return
	}
	model := tenantFromAPI(tenant)
	resp.Diagnostics.Append(resp.State.Set(ctx, model)...)
}
