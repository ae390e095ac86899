package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

type apiTokenModel struct {
	ID        types.String `tfsdk:"id"`
	Name      types.String `tfsdk:"name"`
	Role      types.String `tfsdk:"role"`
	ExpiresAt types.String `tfsdk:"expires_at"`
	Prefix    types.String `tfsdk:"prefix"`
	Token     types.String `tfsdk:"token"`
	Etag      types.String `tfsdk:"etag"`
}

// apiTokenFromAPI converts a token. The secret is never shown again: prior's is kept; so is the
// way prior wrote the expiry when it is the same instant.
func apiTokenFromAPI(t *api.APIToken, prior apiTokenModel) apiTokenModel {
	expires := types.StringNull()
	if v, err := t.ExpiresAt.Get(); err == nil {
		expires = sameInstant(prior.ExpiresAt, v)
	}
	return apiTokenModel{
		ID:        types.StringValue(t.ID.String()),
		Name:      types.StringValue(t.Name),
		Role:      types.StringValue(string(t.Role)),
		ExpiresAt: expires,
		Prefix:    types.StringValue(t.Prefix),
		Token:     prior.Token,
		Etag:      types.StringValue(t.Etag),
	}
}

func (m apiTokenModel) newAPIToken() api.NewAPIToken {
	body := api.NewAPIToken{Name: m.Name.ValueString(), Role: api.Role(m.Role.ValueString())}
	if known(m.ExpiresAt) {
		if t, err := time.Parse(time.RFC3339, m.ExpiresAt.ValueString()); err == nil {
			body.ExpiresAt = patronus.Value(t)
		}
	}
	return body
}

type apiTokenResource struct{ configured }

var (
	_ resource.ResourceWithConfigure   = (*apiTokenResource)(nil)
	_ resource.ResourceWithImportState = (*apiTokenResource)(nil)
)

func newAPITokenResource() resource.Resource { return &apiTokenResource{} }

func (r *apiTokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_token"
}

func apiTokenResourceSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "An API token of the tenant, for automation (Terraform, Ansible, CI). Needs a token with " +
			"the `admin` role. The secret is in `token`, known only to the state of the Terraform run that created " +
			"it. Only the name can change; a new role or expiry replaces the token (a new secret). Destroying the " +
			"token revokes it at once.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The token's id."),
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the token, unique in the tenant.",
				Validators:          []validator.String{nameRule},
			},
			"role": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "`viewer`, `operator` or `admin`. Changing it replaces the token.",
				Validators:          []validator.String{stringvalidator.OneOf(roles...)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"expires_at": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "When the token stops working (RFC 3339, e.g. `2030-01-31T00:00:00Z`); never when absent. Changing it replaces the token.",
				Validators:          []validator.String{rfc3339Rule},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"prefix": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The first characters of the secret, to recognise it (in a secret scanner's report, say).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"token": schema.StringAttribute{
				Computed:            true,
				Sensitive:           true,
				MarkdownDescription: "The secret (`ptrn_api_...`), shown by the API only when the token is created; null after an import.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"etag": etagAttribute(),
		},
	}
}

func (r *apiTokenResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = apiTokenResourceSchema()
}

func (r *apiTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan apiTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body := plan.newAPIToken()
	created, err := r.client.APITokens.CreateWithSecret(ctx, body)
	if err != nil {
		addAPIError(&resp.Diagnostics, apiTokenResourceSchema().Type(), body, "create the API token", err)
		return
	}
	plan.Token = types.StringValue(created.Token)
	token := api.APIToken{
		ID: created.ID, Name: created.Name, Role: created.Role, Prefix: created.Prefix, ExpiresAt: created.ExpiresAt,
		LastUsedAt: created.LastUsedAt, CreatedAt: created.CreatedAt, UpdatedAt: created.UpdatedAt, Etag: created.Etag,
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, apiTokenFromAPI(&token, plan))...)
}

func (r *apiTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state apiTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "API token", &resp.Diagnostics)
	if !ok {
		return
	}
	token, err := r.client.APITokens.Get(ctx, id)
	if patronus.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, nil, nil, "read the API token", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, apiTokenFromAPI(token, state))...)
}

func (r *apiTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state apiTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "API token", &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	body := api.APITokenUpdate{Name: patronus.Value(plan.Name.ValueString())}
	token, err := r.client.APITokens.Update(ctx, id, body, state.Etag.ValueString())
	if err != nil {
		addAPIError(&resp.Diagnostics, apiTokenResourceSchema().Type(), body, "update the API token", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, apiTokenFromAPI(token, plan))...)
}

func (r *apiTokenResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state apiTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "API token", &resp.Diagnostics)
	if !ok {
		return
	}
	if err := r.client.APITokens.Delete(ctx, id, state.Etag.ValueString()); err != nil && !patronus.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, nil, nil, "delete the API token", err)
	}
}

// ImportState takes the token's id or name. The secret cannot be imported.
func (r *apiTokenResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if !isUUID(id) {
		token, err := r.client.APITokens.LookupByName(ctx, id)
		if err != nil {
			addImportError(&resp.Diagnostics, "API token", id, err)
			return
		}
		id = token.ID.String()
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}
