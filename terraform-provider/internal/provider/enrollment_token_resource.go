package provider

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

const (
	minEnrollmentTTL = 60
	maxEnrollmentTTL = 30 * 24 * 3600
)

type enrollmentTokenModel struct {
	ID            types.String `tfsdk:"id"`
	SiteID        types.String `tfsdk:"site_id"`
	Description   types.String `tfsdk:"description"`
	TTLSeconds    types.Int64  `tfsdk:"ttl_seconds"`
	Uses          types.Int64  `tfsdk:"uses"`
	UsesRemaining types.Int64  `tfsdk:"uses_remaining"`
	Prefix        types.String `tfsdk:"prefix"`
	ExpiresAt     types.String `tfsdk:"expires_at"`
	Token         types.String `tfsdk:"token"`
}

// enrollmentTokenFromAPI converts a listed token. The API never shows the secret again: prior's
// is kept (null after an import). The TTL is the one asked for, or else (after an import) the
// time from creation to expiry.
func enrollmentTokenFromAPI(t *api.EnrollmentToken, prior enrollmentTokenModel) enrollmentTokenModel {
	ttl := prior.TTLSeconds
	if !known(ttl) {
		ttl = types.Int64Value(int64(math.Round(t.ExpiresAt.Sub(t.CreatedAt).Seconds())))
	}
	return enrollmentTokenModel{
		ID:            types.StringValue(t.ID.String()),
		SiteID:        types.StringValue(t.SiteID.String()),
		Description:   types.StringValue(t.Description),
		TTLSeconds:    ttl,
		Uses:          types.Int64Value(int64(t.UsesTotal)),
		UsesRemaining: types.Int64Value(int64(t.UsesRemaining)),
		Prefix:        types.StringValue(t.Prefix),
		ExpiresAt:     timeString(t.ExpiresAt),
		Token:         prior.Token,
	}
}

func (m enrollmentTokenModel) newEnrollmentToken() api.NewEnrollmentToken {
	body := api.NewEnrollmentToken{Description: patronus.Value(m.Description.ValueString())}
	if known(m.TTLSeconds) {
		body.TTLSeconds = patronus.Value(int32Of(m.TTLSeconds))
	}
	if known(m.Uses) {
		body.Uses = patronus.Value(int32Of(m.Uses))
	}
	return body
}

type enrollmentTokenResource struct{ configured }

var (
	_ resource.ResourceWithConfigure   = (*enrollmentTokenResource)(nil)
	_ resource.ResourceWithImportState = (*enrollmentTokenResource)(nil)
)

func newEnrollmentTokenResource() resource.Resource { return &enrollmentTokenResource{} }

func (r *enrollmentTokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_enrollment_token"
}

func enrollmentTokenResourceSchema() schema.Schema {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	return schema.Schema{
		MarkdownDescription: "A one-time token with which the machine of a site enrolls its agent (`patronus-agent " +
			"enroll`), so that a site can be declared before its agent exists. The secret is in `token`, known only " +
			"to the state of the Terraform run that created it: hand it to the machine (cloud-init, a secret " +
			"store). A token cannot change: any change replaces it (revoke and create), and so does " +
			"`terraform apply -replace=...` when it expired or was spent. Destroying the token revokes it; an " +
			"agent that already enrolled keeps working.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The token's id."),
			"site_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The site the token enrolls an agent for.",
				Validators:          []validator.String{uuidRule},
				PlanModifiers:       replace,
			},
			"description": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(""),
				MarkdownDescription: "A note for people, e.g. which machine the token is for (at most 500 characters).",
				Validators:          []validator.String{textRule(500)},
				PlanModifiers:       replace,
			},
			"ttl_seconds": schema.Int64Attribute{
				Optional: true, Computed: true,
				MarkdownDescription: fmt.Sprintf("Seconds until the token expires (%d to %d); the server's default (24 hours) when absent.",
					minEnrollmentTTL, maxEnrollmentTTL),
				Validators:    []validator.Int64{int64validator.Between(minEnrollmentTTL, maxEnrollmentTTL)},
				PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown(), int64planmodifier.RequiresReplace()},
			},
			"uses": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(1),
				MarkdownDescription: "How many enrollments the token allows (1 to 1000, default 1).",
				Validators:          []validator.Int64{int64validator.Between(1, 1000)},
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.RequiresReplace()},
			},
			"uses_remaining": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Enrollments the token still allows.",
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"prefix": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The first characters of the secret, to recognise it.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"expires_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the token expires (RFC 3339).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"token": schema.StringAttribute{
				Computed:  true,
				Sensitive: true,
				MarkdownDescription: "The secret (`ptrn_enr_...`), shown by the API only when the token is created; " +
					"null after an import.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *enrollmentTokenResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = enrollmentTokenResourceSchema()
}

func (r *enrollmentTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan enrollmentTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	siteID, ok := parseID(plan.SiteID, "site", &resp.Diagnostics)
	if !ok {
		return
	}
	body := plan.newEnrollmentToken()
	created, err := r.client.EnrollmentTokens.Create(ctx, siteID, body)
	if err != nil {
		if patronus.IsNotFound(err) {
			resp.Diagnostics.AddAttributeError(path.Root("site_id"), "Cannot create the enrollment token",
				fmt.Sprintf("There is no site %s.", siteID))
			return
		}
		addAPIError(&resp.Diagnostics, enrollmentTokenResourceSchema().Type(), body, "create the enrollment token", err)
		return
	}
	plan.Token = types.StringValue(created.Token)
	listed := api.EnrollmentToken{
		ID: created.ID, SiteID: created.SiteID, Description: created.Description, Prefix: created.Prefix,
		UsesTotal: created.UsesTotal, UsesRemaining: created.UsesRemaining, ExpiresAt: created.ExpiresAt, CreatedAt: created.CreatedAt,
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, enrollmentTokenFromAPI(&listed, plan))...)
}

func (r *enrollmentTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state enrollmentTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "enrollment token", &resp.Diagnostics)
	siteID, okSite := parseID(state.SiteID, "site", &resp.Diagnostics)
	if !ok || !okSite {
		return
	}
	token, err := r.client.EnrollmentTokens.Get(ctx, siteID, id)
	if patronus.IsNotFound(err) { // revoked, or its site is gone
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, nil, nil, "read the enrollment token", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, enrollmentTokenFromAPI(token, state))...)
}

// Update is never called with a change (every argument replaces the token); it keeps the plan.
func (r *enrollmentTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan enrollmentTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *enrollmentTokenResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state enrollmentTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "enrollment token", &resp.Diagnostics)
	siteID, okSite := parseID(state.SiteID, "site", &resp.Diagnostics)
	if !ok || !okSite {
		return
	}
	if err := r.client.EnrollmentTokens.Revoke(ctx, siteID, id); err != nil && !patronus.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, nil, nil, "revoke the enrollment token", err)
	}
}

// ImportState takes `<site>/<token>`: the site by id or name, the token by id or by its
// description (when no other token of the site has it). Names and descriptions may contain "/":
// every split is tried, from the left, until one names a site's token. The secret cannot be
// imported.
func (r *enrollmentTokenResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	for i := strings.IndexByte(req.ID, '/'); i > 0 && i < len(req.ID)-1; i = nextSlash(req.ID, i) {
		siteRef, tokenRef := req.ID[:i], req.ID[i+1:]
		siteID, err := siteByRef(ctx, r.client, siteRef)
		if patronus.IsNotFound(err) {
			continue
		}
		if err != nil {
			addAPIError(&resp.Diagnostics, nil, nil, "look up the site "+strconv.Quote(siteRef), err)
			return
		}
		var found []string
		for t, err := range r.client.EnrollmentTokens.List(ctx, siteID) {
			if err != nil {
				addAPIError(&resp.Diagnostics, nil, nil, "list the site's enrollment tokens", err)
				return
			}
			if t.ID.String() == tokenRef || t.Description == tokenRef {
				found = append(found, t.ID.String())
			}
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), found[0])...)
			resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("site_id"), siteID.String())...)
		default:
			resp.Diagnostics.AddError("Cannot import the enrollment token",
				fmt.Sprintf("Site %q has %d enrollment tokens described %q; import one by id: %s.", siteRef, len(found), tokenRef, strings.Join(found, ", ")))
		}
		return
	}
	resp.Diagnostics.AddError("Cannot import the enrollment token",
		fmt.Sprintf("%q: no such token. Import an enrollment token by `<site id or name>/<token id or description>`.", req.ID))
}
