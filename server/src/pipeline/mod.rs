//! The one way a request reads or writes tenant state. A handler states what is specific to its
//! resource (its fields, its checks, what its change touches); the steps every read and write
//! share live here, in one order:
//!
//! - [`read`]: a tenant transaction, the row or page, the end of the read, the answer with its
//!   ETag.
//! - [`write`]: role check, tenant lock (for network writes and quotas), the current row under
//!   its lock with `If-Match`, then (after the handler's merge, validation and write) the
//!   recompile of what the change touched, the audit event, commit, and what follows a commit:
//!   publishing to agents, forgetting cached credentials, metrics.

pub mod read;
pub mod write;

pub use crate::config_sync::Touched;
pub use write::Write;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use patronus_api::{Page, Role};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::TenantCaller;
use crate::error::{ApiError, ApiResult};
use crate::extract::Resource;
use crate::pagination::PageRequest;
use crate::resource::{Listed, Stored};

/// What a tenant handler starts from: the application and the authenticated caller of a tenant.
pub struct Tenant {
    pub app: AppState,
    pub caller: TenantCaller,
}

impl FromRequestParts<AppState> for Tenant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let caller = TenantCaller::from_request_parts(parts, app).await?;
        Ok(Tenant { app: app.clone(), caller })
    }
}

impl Tenant {
    pub fn tenant_id(&self) -> Uuid {
        self.caller.tenant_id()
    }

    /// See [`read::one`].
    pub async fn one<R: Stored>(&self, id: Uuid) -> ApiResult<Resource<R::Api>> {
        read::one::<R>(&self.app, &self.caller, id).await
    }

    /// See [`read::page`].
    pub async fn page<R: Listed>(&self, filter: R::Filter, page: PageRequest) -> ApiResult<axum::Json<Page<R::Api>>> {
        read::page::<R>(&self.app, &self.caller, filter, page).await
    }

    /// See [`Write::network`].
    pub async fn network_write(&self) -> ApiResult<Write<'_>> {
        Write::network(&self.app, &self.caller).await
    }

    /// See [`Write::tenant`].
    pub async fn write(&self, role: Role) -> ApiResult<Write<'_>> {
        Write::tenant(&self.app, &self.caller, role).await
    }

    /// See [`Write::locked`].
    pub async fn locked_write(&self, role: Role) -> ApiResult<Write<'_>> {
        Write::locked(&self.app, &self.caller, role).await
    }
}

/// Copies each field a PATCH body sets onto the row, converting it with `From`:
/// `merge!(body => next: name, description)`.
#[macro_export]
macro_rules! merge {
    ($body:ident => $row:ident: $($field:ident),+ $(,)?) => {
        $(if let Some(v) = $body.$field {
            $row.$field = v.into();
        })+
    };
}
