package provider

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

// identityProviderID is the id of the tenant's one identity provider in state.
const identityProviderID = "identity-provider"

var roleValues = []string{"admin", "operator", "viewer"}

type identityProviderModel struct {
	ID                      types.String `tfsdk:"id"`
	IssuerURL               types.String `tfsdk:"issuer_url"`
	ClientID                types.String `tfsdk:"client_id"`
	ClientSecret            types.String `tfsdk:"client_secret"`
	AllowedEmailDomains     types.Set    `tfsdk:"allowed_email_domains"`
	RoleClaim               types.String `tfsdk:"role_claim"`
	RoleMapping             types.Map    `tfsdk:"role_mapping"`
	DefaultRole             types.String `tfsdk:"default_role"`
	PasswordLoginAdminsOnly types.Bool   `tfsdk:"password_login_admins_only"`
	VerifiedAt              types.String `tfsdk:"verified_at"`
	LoginURL                types.String `tfsdk:"login_url"`
	Etag                    types.String `tfsdk:"etag"`
}

// identityProviderFromAPI is the state of a provider the API returned. The client secret is never
// returned, so it is the one in `secret` (the configuration's, or the state's).
func identityProviderFromAPI(p *api.IdentityProvider, secret types.String) identityProviderModel {
	mapping := make(map[string]string, len(p.RoleMapping))
	for _, m := range p.RoleMapping {
		mapping[m.Group] = string(m.Role)
	}
	m := identityProviderModel{
		ID:                      types.StringValue(identityProviderID),
		IssuerURL:               types.StringValue(p.IssuerURL),
		ClientID:                types.StringValue(p.ClientID),
		ClientSecret:            secret,
		AllowedEmailDomains:     stringsToSet(p.AllowedEmailDomains),
		RoleClaim:               types.StringValue(p.RoleClaim),
		RoleMapping:             stringMapToMap(mapping),
		DefaultRole:             types.StringNull(),
		PasswordLoginAdminsOnly: types.BoolValue(p.PasswordLoginAdminsOnly),
		VerifiedAt:              types.StringNull(),
		LoginURL:                types.StringValue(p.LoginURL),
		Etag:                    types.StringValue(p.Etag),
	}
	if role, err := p.DefaultRole.Get(); err == nil {
		m.DefaultRole = types.StringValue(string(role))
	}
	if at, err := p.VerifiedAt.Get(); err == nil {
		m.VerifiedAt = types.StringValue(at.UTC().Format("2006-01-02T15:04:05Z07:00"))
	}
	return m
}

// spec is the PUT body of a plan; the role mapping sorted by group, so that it is stable.
func (m identityProviderModel) spec() api.IdentityProviderSpec {
	groups := make([]string, 0, len(m.RoleMapping.Elements()))
	for g := range m.RoleMapping.Elements() {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	mapping := make([]api.GroupRole, 0, len(groups))
	for _, g := range groups {
		if role, ok := m.RoleMapping.Elements()[g].(types.String); ok {
			mapping = append(mapping, api.GroupRole{Group: g, Role: api.Role(role.ValueString())})
		}
	}
	spec := api.IdentityProviderSpec{
		IssuerURL:               m.IssuerURL.ValueString(),
		ClientID:                m.ClientID.ValueString(),
		ClientSecret:            patronus.Value(m.ClientSecret.ValueString()),
		AllowedEmailDomains:     setToStrings(m.AllowedEmailDomains),
		RoleClaim:               m.RoleClaim.ValueStringPointer(),
		RoleMapping:             mapping,
		PasswordLoginAdminsOnly: m.PasswordLoginAdminsOnly.ValueBoolPointer(),
	}
	if !m.DefaultRole.IsNull() && !m.DefaultRole.IsUnknown() {
		spec.DefaultRole = patronus.Value(api.Role(m.DefaultRole.ValueString()))
	}
	return spec
}

type identityProviderResource struct{ configured }

var (
	_ resource.ResourceWithConfigure   = (*identityProviderResource)(nil)
	_ resource.ResourceWithImportState = (*identityProviderResource)(nil)
)

func newIdentityProviderResource() resource.Resource { return &identityProviderResource{} }

func (r *identityProviderResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_identity_provider"
}

func identityProviderResourceSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "The tenant's identity provider for single sign-on (OIDC). There is one per tenant, so " +
			"declare this resource once; it needs an admin token. Register `<server URL>/v1/auth/oidc/callback` as " +
			"the redirect URI at the provider; people sign in at `login_url`.\n\nThe client secret is write-only: " +
			"the API never returns it, so a secret changed outside Terraform is not seen as drift.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("Always `" + identityProviderID + "`."),
			"issuer_url": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The OIDC issuer (discovery is read from `<issuer_url>/.well-known/openid-configuration`); " +
					"`https://`, or `http://` on a loopback address.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 2048)},
			},
			"client_id": schema.StringAttribute{
				Required: true, MarkdownDescription: "The client id registered at the provider.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"client_secret": schema.StringAttribute{
				Required: true, Sensitive: true, MarkdownDescription: "The client secret (write-only).",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 1024)},
			},
			"allowed_email_domains": schema.SetAttribute{
				ElementType: types.StringType, Optional: true, Computed: true,
				Default:             setdefault.StaticValue(stringsToSet(nil)),
				MarkdownDescription: "Only emails in these domains (lowercase) may sign in; any domain when empty.",
			},
			"role_claim": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString("groups"),
				MarkdownDescription: "The ID-token claim that names the user's groups (default `groups`).",
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 100)},
			},
			"role_mapping": schema.MapAttribute{
				ElementType: types.StringType, Optional: true, Computed: true,
				Default:             mapdefault.StaticValue(types.MapValueMust(types.StringType, map[string]attr.Value{})),
				MarkdownDescription: "Group → role (`admin`, `operator` or `viewer`); a member of several groups gets the highest role.",
				Validators:          []validator.Map{mapvalidator.ValueStringsAre(stringvalidator.OneOf(roleValues...))},
			},
			"default_role": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The role of people in none of the mapped groups; without one they cannot sign in " +
					"(and lose their sessions at their next attempt).",
				Validators: []validator.String{stringvalidator.OneOf(roleValues...)},
			},
			"password_login_admins_only": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Only admins sign in with a password; everyone else through SSO. The server accepts " +
					"it only once an SSO login has succeeded with this issuer and client (`verified_at`).",
			},
			"verified_at": schema.StringAttribute{
				Computed: true, MarkdownDescription: "When the first SSO login with this issuer and client succeeded.",
			},
			"login_url": schema.StringAttribute{
				Computed: true, MarkdownDescription: "Where a browser starts the tenant's SSO login.",
			},
			"etag": etagAttribute(),
		},
	}
}

func (r *identityProviderResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = identityProviderResourceSchema()
}

func (r *identityProviderResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan identityProviderModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body := plan.spec()
	provider, err := r.client.IdentityProvider.Put(ctx, body, "")
	if err != nil {
		addAPIError(&resp.Diagnostics, identityProviderResourceSchema().Type(), body, "set the identity provider", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, identityProviderFromAPI(provider, plan.ClientSecret))...)
}

func (r *identityProviderResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state identityProviderModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	provider, err := r.client.IdentityProvider.Get(ctx)
	if patronus.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, nil, nil, "read the identity provider", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, identityProviderFromAPI(provider, state.ClientSecret))...)
}

func (r *identityProviderResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state identityProviderModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body := plan.spec()
	provider, err := r.client.IdentityProvider.Put(ctx, body, state.Etag.ValueString())
	if err != nil {
		addAPIError(&resp.Diagnostics, identityProviderResourceSchema().Type(), body, "update the identity provider", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, identityProviderFromAPI(provider, plan.ClientSecret))...)
}

func (r *identityProviderResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state identityProviderModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.client.IdentityProvider.Delete(ctx, state.Etag.ValueString())
	if err != nil && !patronus.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, nil, nil, "delete the identity provider", err)
	}
}

// ImportState takes any id (`identity-provider` by convention): there is one per tenant. The
// client secret cannot be read back: set it in the configuration and apply once after importing.
func (r *identityProviderResource) ImportState(ctx context.Context, _ resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), identityProviderID)...)
}
