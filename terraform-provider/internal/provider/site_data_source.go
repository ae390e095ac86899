package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

// siteDataSourceAttributes are a site's attributes, all computed (id and name are set by the
// caller when they look a site up).
func siteDataSourceAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":              schema.StringAttribute{Computed: true, MarkdownDescription: "The site's id."},
		"name":            schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the site."},
		"description":     schema.StringAttribute{Computed: true, MarkdownDescription: "Free text."},
		"location":        schema.StringAttribute{Computed: true, MarkdownDescription: "Where the site is."},
		"labels":          schema.MapAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Labels."},
		"role":            schema.StringAttribute{Computed: true, MarkdownDescription: "`edge` or `hub`."},
		"lan_prefixes":    schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Prefixes behind the site."},
		"listen_port":     schema.Int64Attribute{Computed: true, MarkdownDescription: "UDP port WireGuard listens on."},
		"overlay_address": schema.StringAttribute{Computed: true, MarkdownDescription: "The site's overlay address."},
		"etag":            schema.StringAttribute{Computed: true, MarkdownDescription: "The site's ETag."},
		"links": schema.ListNestedAttribute{
			Computed:            true,
			MarkdownDescription: "The site's WAN links, by name, however they are managed (in the site's `links` or as `patronus_link`).",
			NestedObject:        schema.NestedAttributeObject{Attributes: siteDataSourceLinkAttributes()},
		},
	}
}

func siteDataSourceLinkAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":                  schema.StringAttribute{Computed: true, MarkdownDescription: "The link's id."},
		"name":                schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the link, unique within its site."},
		"interface":           schema.StringAttribute{Computed: true, MarkdownDescription: "Interface name on the site's machine."},
		"kind":                schema.StringAttribute{Computed: true, MarkdownDescription: "Kind of uplink."},
		"endpoint":            schema.StringAttribute{Computed: true, MarkdownDescription: "Public `host:port` of the link; null when it is behind NAT."},
		"bandwidth_up_mbps":   schema.Int64Attribute{Computed: true, MarkdownDescription: "Upstream bandwidth in Mbit/s."},
		"bandwidth_down_mbps": schema.Int64Attribute{Computed: true, MarkdownDescription: "Downstream bandwidth in Mbit/s."},
		"cost":                schema.Int64Attribute{Computed: true, MarkdownDescription: "Relative cost of sending over the link."},
		"priority":            schema.Int64Attribute{Computed: true, MarkdownDescription: "Preference among the site's links (lower first)."},
		"etag":                schema.StringAttribute{Computed: true, MarkdownDescription: "The link's ETag."},
	}
}

// siteDataModel is a site in the data sources: its fields, and its links with their ids.
type siteDataModel struct {
	siteFields
	Links types.List `tfsdk:"links"`
}

var siteDataLinkType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"id": types.StringType, "name": types.StringType, "interface": types.StringType, "kind": types.StringType,
	"endpoint": types.StringType, "bandwidth_up_mbps": types.Int64Type, "bandwidth_down_mbps": types.Int64Type,
	"cost": types.Int64Type, "priority": types.Int64Type, "etag": types.StringType,
}}

func siteDataFromAPI(s *api.Site) siteDataModel {
	links := make([]attr.Value, len(s.Links))
	for i := range s.Links {
		l := &s.Links[i]
		a := siteLinkValue(l).Attributes()
		a["id"] = types.StringValue(l.ID.String())
		a["name"] = types.StringValue(l.Name)
		a["etag"] = types.StringValue(l.Etag)
		links[i] = types.ObjectValueMust(siteDataLinkType.AttrTypes, a)
	}
	return siteDataModel{siteFields: siteFieldsFromAPI(s), Links: types.ListValueMust(siteDataLinkType, links)}
}

type siteDataSource struct{ configuredDataSource }

var (
	_ datasource.DataSourceWithConfigure        = (*siteDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*siteDataSource)(nil)
)

func newSiteDataSource() datasource.DataSource { return &siteDataSource{} }

func (d *siteDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_site"
}

func (d *siteDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attributes := siteDataSourceAttributes()
	attributes["id"] = schema.StringAttribute{
		Optional: true, Computed: true,
		MarkdownDescription: "Id of the site to read; give `id` or `name`.",
		Validators:          []validator.String{uuidRule},
	}
	attributes["name"] = schema.StringAttribute{
		Optional: true, Computed: true,
		MarkdownDescription: "Name of the site to read; give `id` or `name`.",
		Validators:          []validator.String{nameRule},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "One site of the tenant, by id or by name.",
		Attributes:          attributes,
	}
}

func (d *siteDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *siteDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config siteDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var site *api.Site
	var err error
	if known(config.ID) {
		id, ok := parseID(config.ID, "site", &resp.Diagnostics)
		if !ok {
			return
		}
		site, err = d.client.Sites.Get(ctx, id)
	} else {
		site, err = d.client.Sites.LookupByName(ctx, config.Name.ValueString())
	}
	if patronus.IsNotFound(err) {
		resp.Diagnostics.AddError("No such site", "The tenant has no site with this "+map[bool]string{true: "id", false: "name"}[known(config.ID)]+".")
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, nil, nil, "read the site", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, siteDataFromAPI(site))...)
}

// patronus_sites: every site, or those with a label or role.

type sitesModel struct {
	Label types.String    `tfsdk:"label"`
	Role  types.String    `tfsdk:"role"`
	IDs   types.List      `tfsdk:"ids"`
	Sites []siteDataModel `tfsdk:"sites"`
}

type sitesDataSource struct{ configuredDataSource }

var _ datasource.DataSourceWithConfigure = (*sitesDataSource)(nil)

func newSitesDataSource() datasource.DataSource { return &sitesDataSource{} }

func (d *sitesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sites"
}

func (d *sitesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The sites of the tenant, in creation order: all of them, or those carrying a label or having a role.",
		Attributes: map[string]schema.Attribute{
			"label": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only sites carrying this label, as `key=value` (e.g. `env=prod`).",
				Validators: []validator.String{stringRule{"key=value", func(s string) string {
					if k, _, ok := cutLabel(s); !ok || k == "" {
						return "must be key=value, e.g. env=prod"
					}
					return ""
				}}},
			},
			"role": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only sites with this role: `edge` or `hub`.",
				Validators:          []validator.String{stringvalidator.OneOf("edge", "hub")},
			},
			"ids": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Ids of the sites found.",
			},
			"sites": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The sites found.",
				NestedObject:        schema.NestedAttributeObject{Attributes: siteDataSourceAttributes()},
			},
		},
	}
}

func (d *sitesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config sitesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	params := &api.SitesListParams{Limit: patronus.Ptr(int32(500))}
	if known(config.Label) {
		params.Label = patronus.Ptr(config.Label.ValueString())
	}
	if known(config.Role) {
		role := api.SiteRole(config.Role.ValueString())
		params.Role = &role
	}
	config.Sites = []siteDataModel{}
	ids := []string{}
	for site, err := range d.client.Sites.List(ctx, params) {
		if err != nil {
			addAPIError(&resp.Diagnostics, nil, nil, "list the sites", err)
			return
		}
		config.Sites = append(config.Sites, siteDataFromAPI(site))
		ids = append(ids, site.ID.String())
	}
	config.IDs = stringsToList(ids)
	resp.Diagnostics.Append(resp.State.Set(ctx, config)...)
}

func cutLabel(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '=' {
			return s[:i], s[i+1:], true
		}
	}
	return "", "", false
}
