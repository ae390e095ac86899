//! Users of a tenant. Everyone in the tenant reads; admins write; a user may set their own
//! password.

use axum::http::StatusCode;
use patronus_api::{NewUser, Page, PasswordChange, Role, User, UserUpdate};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::audit::Change;
use crate::auth::{secrets, Actor};
use crate::db::{self, users::UserRow};
use crate::error::{ApiError, ApiResult};
use crate::extract::{IfMatch, Json, PageParams, Path, Query, Resource};
use crate::pagination::PageRequest;
use crate::pipeline::{Tenant, Touched};
use crate::resource::Kind;
use crate::validate::{self, Errors};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    /// Only the user with this email (the user's name for lookups).
    pub email: Option<String>,
    pub role: Option<Role>,
}

#[utoipa::path(get, path = "/v1/users", tag = "users", params(UserListQuery, PageParams),
    responses((status = 200, description = "A page of users", body = Page<User>)),
    security(("tenant_auth" = [])))]
pub async fn list(cx: Tenant, Query(q): Query<UserListQuery>, page: PageRequest) -> ApiResult<axum::Json<Page<User>>> {
    let filter = db::users::UserFilter { email: q.email.map(|e| e.trim().to_lowercase()), role: q.role };
    cx.page::<UserRow>(filter, page).await
}

async fn hash_password(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || secrets::hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(ApiError::Internal)
}

#[utoipa::path(post, path = "/v1/users", tag = "users", request_body = NewUser,
    responses((status = 201, description = "Created", body = User, headers(("ETag" = String), ("Location" = String)))),
    security(("tenant_auth" = [])))]
pub async fn create(cx: Tenant, Json(body): Json<NewUser>) -> ApiResult<Resource<User>> {
    cx.caller.require(Role::Admin)?;
    let mut errors = Errors::new();
    let email = validate::email(&mut errors, "/email", &body.email);
    let display_name = validate::name(&mut errors, "/display_name", &body.display_name);
    if let Some(password) = &body.password {
        validate::password(&mut errors, "/password", password);
    }
    errors.check()?;
    let password_hash = match body.password {
        Some(p) => Some(hash_password(p).await?),
        None => None,
    };

    let mut w = cx.locked_write(Role::Admin).await?;
    let max_users = w.tenant_row()?.max_users;
    if db::users::count(w.conn()).await? >= i64::from(max_users) {
        return Err(ApiError::QuotaExceeded { quota: "max_users", limit: i64::from(max_users) });
    }
    let row =
        db::users::insert(w.conn(), cx.tenant_id(), &email, &display_name, body.role, password_hash.as_deref()).await?;
    w.created(&row, Touched::Nothing).await
}

#[utoipa::path(get, path = "/v1/users/{id}", tag = "users", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The user", body = User, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn get(cx: Tenant, Path(id): Path<Uuid>) -> ApiResult<Resource<User>> {
    cx.one::<UserRow>(id).await
}

#[utoipa::path(patch, path = "/v1/users/{id}", tag = "users", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    request_body = UserUpdate,
    responses((status = 200, description = "Updated", body = User, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn update(
    cx: Tenant,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<UserUpdate>,
) -> ApiResult<Resource<User>> {
    let mut w = cx.write(Role::Admin).await?;
    let current: UserRow = w.current(id, &if_match).await?;
    let mut next = current.clone();
    let mut errors = Errors::new();
    if let Some(email) = &body.email {
        next.email = validate::email(&mut errors, "/email", email);
    }
    if let Some(display_name) = &body.display_name {
        next.display_name = validate::name(&mut errors, "/display_name", display_name);
    }
    if let Some(role) = body.role {
        next.role = role.as_str().to_string();
    }
    errors.check()?;
    if next.email == current.email && next.display_name == current.display_name && next.role == current.role {
        return Ok(w.unchanged(&current));
    }
    if current.role() == Role::Admin && next.role() != Role::Admin {
        ensure_another_admin(w.conn(), id).await?;
    }
    let updated = db::users::update(w.conn(), &next).await?;
    w.updated(&current, &updated, Touched::Nothing).await
}

/// A tenant must keep an admin user, or nobody could manage its users again.
async fn ensure_another_admin(conn: &mut sqlx::PgConnection, leaving: Uuid) -> ApiResult<()> {
    if db::users::count_admins_except(conn, leaving).await? == 0 {
        return Err(ApiError::conflict("/role", "this is the tenant's last admin user; make another user admin first"));
    }
    Ok(())
}

#[utoipa::path(delete, path = "/v1/users/{id}", tag = "users", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on")),
    responses((status = 204, description = "Deleted; the user's sessions end"),
        (status = 409, description = "The user is the tenant's last admin", body = patronus_api::Problem,
            content_type = "application/problem+json")),
    security(("tenant_auth" = [])))]
pub async fn delete(cx: Tenant, Path(id): Path<Uuid>, if_match: IfMatch) -> ApiResult<StatusCode> {
    let mut w = cx.write(Role::Admin).await?;
    let current: UserRow = w.current(id, &if_match).await?;
    if current.role() == Role::Admin {
        ensure_another_admin(w.conn(), id).await?;
    }
    db::users::delete(w.conn(), id).await?;
    w.deleted(&current, Touched::Nothing).await
}

#[utoipa::path(put, path = "/v1/users/{id}/password", tag = "users", params(("id" = Uuid, Path)),
    request_body = PasswordChange,
    responses((status = 204, description = "Password set")),
    security(("tenant_auth" = [])))]
pub async fn set_password(cx: Tenant, Path(id): Path<Uuid>, Json(body): Json<PasswordChange>) -> ApiResult<StatusCode> {
    let is_self = matches!(&cx.caller.tenant.actor, Actor::User { id: me, .. } if *me == id);
    let mut w = cx.write(if is_self { Role::Viewer } else { Role::Admin }).await?;
    // Existence in the caller's tenant first: another tenant's user is a 404 whatever the body.
    let current: UserRow = w.current(id, &IfMatch(None)).await?;
    let mut errors = Errors::new();
    validate::password(&mut errors, "/password", &body.password);
    errors.check()?;
    if is_self && cx.caller.tenant.role != Role::Admin {
        if let Some(stored) = current.password_hash.clone() {
            let given = body.current_password.clone().unwrap_or_default();
            let ok = tokio::task::spawn_blocking(move || secrets::verify_password(&given, Some(&stored)))
                .await
                .map_err(|e| ApiError::Internal(e.into()))?;
            if !ok {
                return Err(ApiError::field("/current_password", "does not match the current password"));
            }
        }
    }
    let mut next = current.clone();
    next.password_hash = Some(hash_password(body.password).await?);
    db::users::update(w.conn(), &next).await?;
    w.commit(Change::action(Kind::User, id, "set_password"), Touched::Nothing).await?;
    Ok(StatusCode::NO_CONTENT)
}
