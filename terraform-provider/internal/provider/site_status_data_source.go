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

var agentAttrTypes = map[string]attr.Type{
	"id":            types.StringType,
	"hostname":      types.StringType,
	"public_key":    types.StringType,
	"agent_version": types.StringType,
	"enrolled_at":   types.StringType,
	"last_seen_at":  types.StringType,
}

type siteStatusModel struct {
	SiteID          types.String `tfsdk:"site_id"`
	Health          types.String `tfsdk:"health"`
	Reason          types.String `tfsdk:"reason"`
	DesiredHash     types.String `tfsdk:"desired_hash"`
	DesiredRevision types.Int64  `tfsdk:"desired_revision"`
	AppliedHash     types.String `tfsdk:"applied_hash"`
	AppliedRevision types.Int64  `tfsdk:"applied_revision"`
	LastSeenAt      types.String `tfsdk:"last_seen_at"`
	LastError       types.String `tfsdk:"last_error"`
	Agent           types.Object `tfsdk:"agent"`
	Report          types.String `tfsdk:"report"`
}

func siteStatusFromAPI(s *api.SiteStatus) (siteStatusModel, error) {
	m := siteStatusModel{
		SiteID:          types.StringValue(s.SiteID.String()),
		Health:          types.StringValue(string(s.Health)),
		Reason:          nullableString(s.Reason),
		DesiredHash:     nullableString(s.DesiredHash),
		DesiredRevision: types.Int64Null(),
		AppliedHash:     types.StringNull(),
		AppliedRevision: types.Int64Null(),
		LastSeenAt:      types.StringNull(),
		LastError:       types.StringNull(),
		Agent:           types.ObjectNull(agentAttrTypes),
		Report:          types.StringNull(),
	}
	if v, err := s.DesiredRevision.Get(); err == nil {
		m.DesiredRevision = types.Int64Value(v)
	}
	if v, err := s.LastSeenAt.Get(); err == nil {
		m.LastSeenAt = timeString(v)
	}
	if a, err := s.Agent.Get(); err == nil {
		lastSeen := types.StringNull()
		if v, err := a.LastSeenAt.Get(); err == nil {
			lastSeen = timeString(v)
		}
		m.Agent = types.ObjectValueMust(agentAttrTypes, map[string]attr.Value{
			"id":            types.StringValue(a.ID.String()),
			"hostname":      types.StringValue(a.Hostname),
			"public_key":    types.StringValue(a.PublicKey),
			"agent_version": types.StringValue(a.AgentVersion),
			"enrolled_at":   timeString(a.EnrolledAt),
			"last_seen_at":  lastSeen,
		})
	}
	if r, err := s.Report.Get(); err == nil {
		m.AppliedHash = nullableString(r.AppliedHash)
		if v, err := r.AppliedRevision.Get(); err == nil {
			m.AppliedRevision = types.Int64Value(v)
		}
		m.LastError = nullableString(r.LastError)
		raw, err := json.Marshal(r)
		if err != nil {
			return m, err
		}
		m.Report = types.StringValue(string(raw))
	}
	return m, nil
}

type siteStatusDataSource struct{ configuredDataSource }

var _ datasource.DataSourceWithConfigure = (*siteStatusDataSource)(nil)

func newSiteStatusDataSource() datasource.DataSource { return &siteStatusDataSource{} }

func (d *siteStatusDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_site_status"
}

func (d *siteStatusDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A site's health as its agent reports it: whether an agent enrolled, whether it runs the " +
			"current document, and its latest status report. Read at plan time: use it in checks and outputs.",
		Attributes: map[string]schema.Attribute{
			"site_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the site.",
				Validators:          []validator.String{uuidRule},
			},
			"health":           computed("`unenrolled`, `online`, `degraded` or `offline`."),
			"reason":           computed("Why the site is not online, for people."),
			"desired_hash":     computed("Hash of the site's current document."),
			"desired_revision": schema.Int64Attribute{Computed: true, MarkdownDescription: "Revision of the site's current document."},
			"applied_hash":     computed("Hash of the document the agent runs, as it last reported."),
			"applied_revision": schema.Int64Attribute{Computed: true, MarkdownDescription: "Revision of the document the agent runs."},
			"last_seen_at":     computed("When the agent last reported (RFC 3339)."),
			"last_error":       computed("The last error the agent reported, if it persists."),
			"agent": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The enrolled agent; null before enrollment.",
				Attributes: map[string]schema.Attribute{
					"id":            computed("The agent's id."),
					"hostname":      computed("Host name of the agent's machine."),
					"public_key":    computed("The agent's WireGuard public key."),
					"agent_version": computed("Version of the agent."),
					"enrolled_at":   computed("When the agent enrolled (RFC 3339)."),
					"last_seen_at":  computed("When the agent was last heard from (RFC 3339)."),
				},
			},
			"report": computed("The agent's latest status report as JSON (links, peers, paths, counters); null before the first."),
		},
	}
}

func (d *siteStatusDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config siteStatusModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	id, ok := parseID(config.SiteID, "site", &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	status, err := d.client.Sites.Status(ctx, id)
	if patronus.IsNotFound(err) {
		resp.Diagnostics.AddError("No such site", "The tenant has no site "+id.String()+".")
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, nil, nil, "read the site's status", err)
		return
	}
	model, err := siteStatusFromAPI(status)
	if err != nil {
		resp.Diagnostics.AddError("Cannot encode the site's status report", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, model)...)
}
