package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	patronus "github.com/patronus-sdwan/patronus/sdk/go"
	"github.com/patronus-sdwan/patronus/sdk/go/api"
)

var roles = []string{"viewer", "operator", "admin"}

type userModel struct {
	ID          types.String `tfsdk:"id"`
	Email       types.String `tfsdk:"email"`
	DisplayName types.String `tfsdk:"display_name"`
	Role        types.String `tfsdk:"role"`
	Password    types.String `tfsdk:"password"`
	HasPassword types.Bool   `tfsdk:"has_password"`
	Etag        types.String `tfsdk:"etag"`
}

// userFromAPI converts a user. The API never returns the password: prior's is kept.
func userFromAPI(u *api.User, prior types.String) userModel {
	return userModel{
		ID:          types.StringValue(u.ID.String()),
		Email:       types.StringValue(u.Email),
		DisplayName: types.StringValue(u.DisplayName),
		Role:        types.StringValue(string(u.Role)),
		Password:    prior,
		HasPassword: types.BoolValue(u.HasPassword),
		Etag:        types.StringValue(u.Etag),
	}
}

func (m userModel) newUser() api.NewUser {
	body := api.NewUser{
		Email:       m.Email.ValueString(),
		DisplayName: m.DisplayName.ValueString(),
		Role:        api.Role(m.Role.ValueString()),
	}
	if known(m.Password) {
		body.Password = patronus.Value(m.Password.ValueString())
	}
	return body
}

func (m userModel) userUpdate() api.UserUpdate {
	return api.UserUpdate{
		Email:       patronus.Value(m.Email.ValueString()),
		DisplayName: patronus.Value(m.DisplayName.ValueString()),
		Role:        patronus.Value(api.Role(m.Role.ValueString())),
	}
}

type userResource struct{ configured }

var (
	_ resource.ResourceWithConfigure   = (*userResource)(nil)
	_ resource.ResourceWithImportState = (*userResource)(nil)
)

func newUserResource() resource.Resource { return &userResource{} }

func (r *userResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func userResourceSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "A user of the tenant, who logs in to the portal and the API with email and password. " +
			"Needs a token with the `admin` role. A tenant always keeps one admin user: the server refuses to " +
			"delete or demote the last one.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("The user's id."),
			"email": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Email address, unique in the tenant; the login name. Written in lowercase, as the server stores it.",
				Validators:          []validator.String{emailRule},
			},
			"display_name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name shown to people (1 to 100 characters).",
				Validators:          []validator.String{nameRule},
			},
			"role": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "`viewer` (reads), `operator` (also writes network configuration) or `admin` (also manages users and tokens).",
				Validators:          []validator.String{stringvalidator.OneOf(roles...)},
			},
			"password": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Password (12 to 1024 characters). Write-only in the API: Terraform sets it when it " +
					"changes in the configuration, and cannot see a change made elsewhere. Without one, the user cannot " +
					"log in until a password is set; removing it from the configuration leaves the current one.",
				Validators: []validator.String{passwordRule},
			},
			"has_password": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether the user has a password.",
			},
			"etag": etagAttribute(),
		},
	}
}

func (r *userResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = userResourceSchema()
}

func (r *userResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan userModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body := plan.newUser()
	user, err := r.client.Users.Create(ctx, body)
	if err != nil {
		addAPIError(&resp.Diagnostics, userResourceSchema().Type(), body, "create the user", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, userFromAPI(user, plan.Password))...)
}

func (r *userResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state userModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "user", &resp.Diagnostics)
	if !ok {
		return
	}
	user, err := r.client.Users.Get(ctx, id)
	if patronus.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, nil, nil, "read the user", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, userFromAPI(user, state.Password))...)
}

func (r *userResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state userModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "user", &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	body := plan.userUpdate()
	user, err := r.client.Users.Update(ctx, id, body, state.Etag.ValueString())
	if err != nil {
		addAPIError(&resp.Diagnostics, userResourceSchema().Type(), body, "update the user", err)
		return
	}
	if known(plan.Password) && !plan.Password.Equal(state.Password) {
		change := api.PasswordChange{Password: plan.Password.ValueString()}
		if err := r.client.Users.SetPassword(ctx, id, change); err != nil {
			// The other changes are made: record them, without the new password.
			resp.Diagnostics.Append(resp.State.Set(ctx, userFromAPI(user, state.Password))...)
			addAPIError(&resp.Diagnostics, userResourceSchema().Type(), change, "set the user's password", err)
			return
		}
		if user, err = r.client.Users.Get(ctx, id); err != nil {
			addAPIError(&resp.Diagnostics, nil, nil, "read the user", err)
			return
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, userFromAPI(user, plan.Password))...)
}

func (r *userResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state userModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	id, ok := parseID(state.ID, "user", &resp.Diagnostics)
	if !ok {
		return
	}
	if err := r.client.Users.Delete(ctx, id, state.Etag.ValueString()); err != nil && !patronus.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, nil, nil, "delete the user", err)
	}
}

// ImportState takes the user's id or email address.
func (r *userResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if !isUUID(id) {
		user, err := r.client.Users.LookupByEmail(ctx, id)
		if err != nil {
			addImportError(&resp.Diagnostics, "user", id, err)
			return
		}
		id = user.ID.String()
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}
