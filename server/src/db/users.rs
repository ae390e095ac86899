use chrono::{DateTime, Utc};
use patronus_api::{Role, User};
use sqlx::{PgExecutor, QueryBuilder};
use uuid::Uuid;

use crate::pagination::PageRequest;
use crate::resource::etag;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl UserRow {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Viewer)
    }

    pub fn etag(&self) -> String {
        etag(self.version)
    }

    pub fn to_api(&self) -> User {
        User {
            id: self.id,
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            role: self.role(),
            has_password: self.password_hash.is_some(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            etag: self.etag(),
        }
    }
}

const COLUMNS: &str = "id, tenant_id, email, display_name, role, password_hash, version, created_at, updated_at";

pub async fn insert(
    ex: impl PgExecutor<'_>,
    tenant_id: Uuid,
    email: &str,
    display_name: &str,
    role: Role,
    password_hash: Option<&str>,
) -> Result<UserRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO users (id, tenant_id, email, display_name, role, password_hash) VALUES ($1, $2, $3, $4, $5, $6) \
         RETURNING {COLUMNS}"
    ))
    .bind(Uuid::now_v7())
    .bind(tenant_id)
    .bind(email)
    .bind(display_name)
    .bind(role.as_str())
    .bind(password_hash)
    .fetch_one(ex)
    .await
}

pub async fn get(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn lock(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = $1 FOR UPDATE")).bind(id).fetch_optional(ex).await
}

pub async fn by_email(ex: impl PgExecutor<'_>, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    // No email holds a NUL, and PostgreSQL would refuse the query.
    if email.contains('\0') {
        return Ok(None);
    }
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE email = $1")).bind(email).fetch_optional(ex).await
}

pub async fn count(ex: impl PgExecutor<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(ex).await
}

pub async fn count_admins_except(ex: impl PgExecutor<'_>, except: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'admin' AND id <> $1").bind(except).fetch_one(ex).await
}

pub struct UserFilter {
    pub email: Option<String>,
    pub role: Option<Role>,
}

pub async fn list(
    ex: impl PgExecutor<'_>,
    filter: &UserFilter,
    page: &PageRequest,
) -> Result<Vec<UserRow>, sqlx::Error> {
    let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM users WHERE true"));
    if let Some(email) = &filter.email {
        q.push(" AND email = ").push_bind(email.clone());
    }
    if let Some(role) = filter.role {
        q.push(" AND role = ").push_bind(role.as_str());
    }
    page.push_to(&mut q);
    q.build_query_as().fetch_all(ex).await
}

pub async fn update(ex: impl PgExecutor<'_>, row: &UserRow) -> Result<UserRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE users SET email = $2, display_name = $3, role = $4, password_hash = $5, version = version + 1, \
         updated_at = now() WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(row.id)
    .bind(&row.email)
    .bind(&row.display_name)
    .bind(&row.role)
    .bind(&row.password_hash)
    .fetch_one(ex)
    .await
}

pub async fn delete(ex: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM users WHERE id = $1").bind(id).execute(ex).await?;
    Ok(())
}

crate::stored!(UserRow, crate::resource::Kind::User, "/v1/users", patronus_api::User, UserFilter);
