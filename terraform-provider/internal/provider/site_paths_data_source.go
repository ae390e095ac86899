package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

var pathHealthAttrTypes = map[string]attr.Type{
	"peer_site_id": types.StringType,
	"link":         types.StringType,
	"endpoint":     types.StringType,
	"up":           types.BoolType,
	"active":       types.BoolType,
	"rtt_ms":       types.Float64Type,
	"jitter_ms":    types.Float64Type,
	"loss_percent": types.Float64Type,
}

type sitePathsModel struct {
	SiteID     types.String `tfsdk:"site_id"`
	ReportedAt types.String `tfsdk:"reported_at"`
	Paths      types.List   `tfsdk:"paths"`
}

func nullableFloat64(v interface {
	Get() (float64, error)
}) types.Float64 {
	if f, err := v.Get(); err == nil {
		return types.Float64Value(f)
	}
	return types.Float64Null()
}

// sitePathsFromAPI keeps the server's order (by peer, then link, then endpoint), so that an
// unchanged report reads the same.
func sitePathsFromAPI(s *api.SitePaths) sitePathsModel {
	paths := make([]attr.Value, len(s.Paths))
	for i, p := range s.Paths {
		paths[i] = types.ObjectValueMust(pathHealthAttrTypes, map[string]attr.Value{
			"peer_site_id": types.StringValue(p.PeerSiteID.String()),
			"link":         types.StringValue(p.Link),
			"endpoint":     types.StringValue(p.Endpoint),
			"up":           types.BoolValue(p.Up),
			"active":       types.BoolValue(p.Active),
			"rtt_ms":       nullableFloat64(p.RttMs),
			"jitter_ms":    nullableFloat64(p.JitterMs),
			"loss_percent": nullableFloat64(p.LossPercent),
		})
	}
	m := sitePathsModel{
		SiteID:     types.StringValue(s.SiteID.String()),
		ReportedAt: types.StringNull(),
		Paths:      types.ListValueMust(types.ObjectType{AttrTypes: pathHealthAttrTypes}, paths),
	}
	if v, err := s.ReportedAt.Get(); err == nil {
		m.ReportedAt = timeString(v)
	}
	return m
}

type sitePathsDataSource struct{ configuredDataSource }

var _ datasource.DataSourceWithConfigure = (*sitePathsDataSource)(nil)

func newSitePathsDataSource() datasource.DataSource { return &sitePathsDataSource{} }

func (d *sitePathsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_site_paths"
}

func (d *sitePathsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	measured := func(description string) schema.Float64Attribute {
		return schema.Float64Attribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The paths of a site as its agent measures them: for each peer, one path per local WAN link " +
			"and remote endpoint, with whether it is up, whether traffic that matches no policy uses it, and the RTT, " +
			"jitter and loss the agent's probes measured. The values come from the agent's latest status report " +
			"(`reported_at`), not from the server: a site whose agent has not reported yet has no paths. Read at " +
			"plan time, so every plan shows the values of that moment: use it in checks and outputs, not to " +
			"configure resources.",
		Attributes: map[string]schema.Attribute{
			"site_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the site.",
				Validators:          []validator.String{uuidRule},
			},
			"reported_at": computed("When the server received the report the paths come from (RFC 3339); null before the " +
				"agent's first report."),
			"paths": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Every path of the site, by peer, then link, then endpoint; empty before the first report.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"peer_site_id": computed("Id of the peer site the path leads to."),
					"link":         computed("Name of the local WAN link the path leaves by."),
					"endpoint":     computed("The peer's `host:port` the path reaches."),
					"up":           schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the path proved a round trip recently (the agent's probes on it are answered)."},
					"active":       schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether traffic that matches no policy uses the path now (per policy, see `patronus_site_status`'s report)."},
					"rtt_ms":       measured("Smoothed round-trip time of the agent's probes, in milliseconds; null until a probe on the path was answered."),
					"jitter_ms":    measured("Jitter of the probes' round-trip times (RFC 3550 style), in milliseconds; null until a probe was answered."),
					"loss_percent": measured("Share of the agent's probes on the path lost over the last ten seconds, in percent; null when it has none to count."),
				}},
			},
		},
	}
}

func (d *sitePathsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config sitePathsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	id, ok := parseID(config.SiteID, "site", &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	paths, err := d.client.Sites.Paths(ctx, id)
	if patronus.IsNotFound(err) {
		resp.Diagnostics.AddError("No such site", "The tenant has no site "+id.String()+".")
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, nil, nil, "read the site's paths", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, sitePathsFromAPI(paths))...)
}
