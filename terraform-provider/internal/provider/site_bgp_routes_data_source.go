package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

var learnedRouteAttrTypes = map[string]attr.Type{
	"prefix":              types.StringType,
	"neighbor":            types.StringType,
	"as_path":             types.StringType,
	"communities":         types.ListType{ElemType: types.StringType},
	"local_preference":    types.Int64Type,
	"med":                 types.Int64Type,
	"state":               types.StringType,
	"reason":              types.StringType,
	"conflicting_site_id": types.StringType,
	"learned_at":          types.StringType,
}

var learnedRouteStates = []string{"accepted", "refused", "not_imported"}

type siteBGPRoutesModel struct {
	SiteID types.String `tfsdk:"site_id"`
	State  types.String `tfsdk:"state"`
	Routes types.List   `tfsdk:"routes"`
}

func optionalInt64(v interface{ Get() (int64, error) }) types.Int64 {
	if n, err := v.Get(); err == nil {
		return types.Int64Value(n)
	}
	return types.Int64Null()
}

// learnedRouteFromAPI is one route as the data source shows it.
func learnedRouteFromAPI(r *api.LearnedRoute) attr.Value {
	communities := make([]attr.Value, len(r.Communities))
	for i, c := range r.Communities {
		communities[i] = types.StringValue(c)
	}
	conflicting := types.StringNull()
	if id, err := r.ConflictingSiteID.Get(); err == nil {
		conflicting = types.StringValue(id.String())
	}
	return types.ObjectValueMust(learnedRouteAttrTypes, map[string]attr.Value{
		"prefix":              types.StringValue(r.Prefix),
		"neighbor":            types.StringValue(r.Neighbor),
		"as_path":             types.StringValue(r.AsPath),
		"communities":         types.ListValueMust(types.StringType, communities),
		"local_preference":    optionalInt64(r.LocalPreference),
		"med":                 optionalInt64(r.Med),
		"state":               types.StringValue(string(r.State)),
		"reason":              nullableString(r.Reason),
		"conflicting_site_id": conflicting,
		"learned_at":          timeString(r.LearnedAt),
	})
}

type siteBGPRoutesDataSource struct{ configuredDataSource }

var _ datasource.DataSourceWithConfigure = (*siteBGPRoutesDataSource)(nil)

func newSiteBGPRoutesDataSource() datasource.DataSource { return &siteBGPRoutesDataSource{} }

func (d *siteBGPRoutesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_site_bgp_routes"
}

func (d *siteBGPRoutesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The routes a site's agent learned from its BGP neighbours (after their import route maps), " +
			"as it last reported them, each with the server's decision: `accepted` (the other sites route the prefix " +
			"to this site), `refused` (it overlaps the overlay prefix, another site's LAN prefix or advertised " +
			"network, or a prefix another site learned first; `reason` says which) or `not_imported` (the site's " +
			"`overlay_import` is off). Read at plan time: use it in checks and outputs, not to configure resources.",
		Attributes: map[string]schema.Attribute{
			"site_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the site.",
				Validators:          []validator.String{uuidRule},
			},
			"state": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only routes in this state: `accepted`, `refused` or `not_imported`.",
				Validators:          []validator.String{stringvalidator.OneOf(learnedRouteStates...)},
			},
			"routes": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The routes, in the order they were first reported; empty for a site without BGP settings or whose agent reported none.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"prefix":              computed("The prefix, e.g. `192.168.10.0/24`."),
					"neighbor":            computed("Address of the neighbour it was learned from."),
					"as_path":             computed("AS path as FRR prints it (`65010 65020`); empty for the neighbour's own routes."),
					"communities":         schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Communities the route carries."},
					"local_preference":    schema.Int64Attribute{Computed: true, MarkdownDescription: "Local preference, when the route has one."},
					"med":                 schema.Int64Attribute{Computed: true, MarkdownDescription: "MED, when the route has one."},
					"state":               computed("`accepted`, `refused` or `not_imported`."),
					"reason":              computed("Why a refused route is refused; null otherwise."),
					"conflicting_site_id": computed("The site whose prefix a refused route collides with; null otherwise, or when it collides with the overlay prefix."),
					"learned_at":          computed("When the site first had the prefix, from this neighbour or another it still had then (RFC 3339): what \"learned first\" compares."),
				}},
			},
		},
	}
}

func (d *siteBGPRoutesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config siteBGPRoutesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	id, ok := parseID(config.SiteID, "site", &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	params := &api.BgpListRoutesParams{}
	if !config.State.IsNull() {
		state := api.LearnedRouteState(config.State.ValueString())
		params.State = &state
	}
	routes := []attr.Value{}
	for r, err := range d.client.SiteBGP.Routes(ctx, id, params) {
		if patronus.IsNotFound(err) {
			resp.Diagnostics.AddError("No such site", "The tenant has no site "+id.String()+".")
			return
		}
		if err != nil {
			addAPIError(&resp.Diagnostics, nil, nil, "read the site's learned BGP routes", err)
			return
		}
		routes = append(routes, learnedRouteFromAPI(r))
	}
	config.Routes = types.ListValueMust(types.ObjectType{AttrTypes: learnedRouteAttrTypes}, routes)
	resp.Diagnostics.Append(resp.State.Set(ctx, config)...)
}
