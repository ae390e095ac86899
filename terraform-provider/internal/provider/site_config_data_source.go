package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

var configPeerAttrTypes = map[string]attr.Type{
	"site_id":     types.StringType,
	"site_name":   types.StringType,
	"public_key":  types.StringType,
	"allowed_ips": types.ListType{ElemType: types.StringType},
	"endpoints":   types.ListType{ElemType: types.StringType},
}

type siteConfigModel struct {
	SiteID         types.String `tfsdk:"site_id"`
	Hash           types.String `tfsdk:"hash"`
	Revision       types.Int64  `tfsdk:"revision"`
	OverlayAddress types.String `tfsdk:"overlay_address"`
	Peers          types.List   `tfsdk:"peers"`
	Document       types.String `tfsdk:"document"`
}

func siteConfigFromAPI(c *api.CompiledConfig) (siteConfigModel, error) {
	document, err := json.Marshal(c.Config)
	if err != nil {
		return siteConfigModel{}, err
	}
	peers := make([]attr.Value, len(c.Config.Peers))
	for i, p := range c.Config.Peers {
		endpoints := make([]string, len(p.Endpoints))
		for j, e := range p.Endpoints {
			endpoints[j] = e.Address
		}
		peers[i] = types.ObjectValueMust(configPeerAttrTypes, map[string]attr.Value{
			"site_id":     types.StringValue(p.SiteID.String()),
			"site_name":   types.StringValue(p.SiteName),
			"public_key":  types.StringValue(p.PublicKey),
			"allowed_ips": stringsToList(p.AllowedIps),
			"endpoints":   stringsToList(endpoints),
		})
	}
	return siteConfigModel{
		SiteID:         types.StringValue(c.Config.SiteID.String()),
		Hash:           types.StringValue(c.Hash),
		Revision:       types.Int64Value(c.Revision),
		OverlayAddress: types.StringValue(c.Config.OverlayAddress),
		Peers:          types.ListValueMust(types.ObjectType{AttrTypes: configPeerAttrTypes}, peers),
		Document:       types.StringValue(string(document)),
	}, nil
}

type siteConfigDataSource struct{ configuredDataSource }

var _ datasource.DataSourceWithConfigure = (*siteConfigDataSource)(nil)

func newSiteConfigDataSource() datasource.DataSource { return &siteConfigDataSource{} }

func (d *siteConfigDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_site_config"
}

func (d *siteConfigDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The compiled configuration document of a site: what its agent receives, with its content " +
			"hash and the revision at which it last changed. A site whose agent has not enrolled is nobody's peer.",
		Attributes: map[string]schema.Attribute{
			"site_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the site.",
				Validators:          []validator.String{uuidRule},
			},
			"hash":            schema.StringAttribute{Computed: true, MarkdownDescription: "Hex SHA-256 of the canonical document (without its revision)."},
			"revision":        schema.Int64Attribute{Computed: true, MarkdownDescription: "The tenant revision at which the document last changed."},
			"overlay_address": schema.StringAttribute{Computed: true, MarkdownDescription: "The site's overlay address with the overlay prefix length, e.g. `100.64.0.7/16`."},
			"peers": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The site's peers, by site id.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"site_id":     schema.StringAttribute{Computed: true, MarkdownDescription: "Id of the peer site."},
					"site_name":   schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the peer site."},
					"public_key":  schema.StringAttribute{Computed: true, MarkdownDescription: "WireGuard public key of the peer's agent."},
					"allowed_ips": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The peer's overlay address and LAN prefixes."},
					"endpoints":   schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Where the peer is reached (`host:port`), by link priority."},
				}},
			},
			"document": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The whole document as JSON (use `jsondecode`).",
			},
		},
	}
}

func (d *siteConfigDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config siteConfigModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	id, ok := parseID(config.SiteID, "site", &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	compiled, err := d.client.Sites.Config(ctx, id)
	if patronus.IsNotFound(err) {
		resp.Diagnostics.AddError("No such site", "The tenant has no site "+id.String()+".")
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, nil, nil, "read the site's configuration", err)
		return
	}
	model, err := siteConfigFromAPI(compiled)
	if err != nil {
		resp.Diagnostics.AddError("Cannot encode the site's configuration", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, model)...)
}
