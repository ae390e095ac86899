//! The write pipeline. A handler begins a [`Write`] (which checks the role and, for network
//! writes, locks the tenant and takes the network as it was), reads the current row through it
//! (which checks `If-Match`), merges, validates and writes through [`Write::conn`], and ends with
//! [`Write::created`], [`Write::updated`], [`Write::deleted`] or [`Write::unchanged`], which
//! recompile what the change touched, record the audit event, commit and publish.

use std::sync::Arc;

use axum::http::StatusCode;
use patronus_api::Role;
use sqlx::PgConnection;
use tracing::Instrument;
use uuid::Uuid;

use crate::app::AppState;
use crate::audit::Change;
use crate::auth::TenantCaller;
use crate::compiler::Network;
use crate::config_sync::{commit_change, network_before, ChangeOutcome, Touched};
use crate::db::{self, tenants::TenantRow, Tx};
use crate::error::{ApiError, ApiResult};
use crate::extract::{IfMatch, Resource};
use crate::idempotency::Answer;
use crate::network_cache::WriteTurn;
use crate::resource::{Kind, Stored};

/// A write in progress, inside one transaction of the caller's tenant.
pub struct Write<'a> {
    app: &'a AppState,
    caller: &'a TenantCaller,
    tx: Tx,
    /// The tenant row, when the write holds its lock.
    tenant: Option<TenantRow>,
    /// The network before this write, for writes that can change a document.
    before: Option<Arc<Network>>,
    /// Cached credentials of the tenant must be forgotten once this commits.
    forget_credentials: bool,
    /// Held by network writes until they have published (dropped with the write).
    _turn: Option<WriteTurn>,
}

impl<'a> Write<'a> {
    /// A write to the tenant's network: needs `operator`; holds the tenant's lock, so writes of one
    /// tenant see each other's quota, overlap and revision in order.
    pub async fn network(app: &'a AppState, caller: &'a TenantCaller) -> ApiResult<Write<'a>> {
        // The role first: a caller who may not write does not wait for the turn.
        caller.require(Role::Operator)?;
        let turn = app.networks.write_turn(caller.tenant_id()).await;
        let mut write = Write::lock_tenant(app, caller).await?;
        write._turn = Some(turn);
        let tenant = write.tenant.as_ref().ok_or(ApiError::NotFound(Kind::Tenant))?;
        write.before = Some(network_before(&mut write.tx, app, tenant).await?);
        Ok(write)
    }

    /// A write outside the network (users, tokens) that needs `role` and no tenant-wide check.
    pub async fn tenant(app: &'a AppState, caller: &'a TenantCaller, role: Role) -> ApiResult<Write<'a>> {
        caller.require(role)?;
        let tx = db::tenant_tx(&app.pool, caller.tenant_id()).await?;
        Ok(Write { app, caller, tx, tenant: None, before: None, forget_credentials: false, _turn: None })
    }

    /// A write outside the network that checks a tenant-wide quota: holds the tenant's lock.
    pub async fn locked(app: &'a AppState, caller: &'a TenantCaller, role: Role) -> ApiResult<Write<'a>> {
        caller.require(role)?;
        Write::lock_tenant(app, caller).await
    }

    async fn lock_tenant(app: &'a AppState, caller: &'a TenantCaller) -> ApiResult<Write<'a>> {
        let (tx, tenant) =
            db::tenant_write_tx(&app.pool, caller.tenant_id()).await?.ok_or(ApiError::NotFound(Kind::Tenant))?;
        Ok(Write { app, caller, tx, tenant: Some(tenant), before: None, forget_credentials: false, _turn: None })
    }

    pub fn tenant_id(&self) -> Uuid {
        self.caller.tenant_id()
    }

    /// The locked tenant row (quotas); only for writes begun with [`Write::network`] or [`Write::locked`].
    pub fn tenant_row(&self) -> ApiResult<&TenantRow> {
        self.tenant.as_ref().ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the write does not hold the tenant")))
    }

    /// The network as it was before this write: the one at the locked revision, so its counts
    /// are the database's. Only for writes begun with [`Write::network`].
    pub fn network_before(&self) -> ApiResult<&Network> {
        self.before.as_deref().ok_or_else(|| ApiError::Internal(anyhow::anyhow!("not a network write")))
    }

    /// The write's transaction, for the handler's own queries.
    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    /// The tenant's cached credential lookups are forgotten on every replica once this commits.
    pub fn forget_credentials(&mut self) {
        self.forget_credentials = true;
    }

    /// The current row `id` under its lock, checked against `If-Match` (412 when stale, 404 when
    /// the tenant has no such row).
    pub async fn current<R: Stored>(&mut self, id: Uuid, if_match: &IfMatch) -> ApiResult<R> {
        let row = R::lock(&mut self.tx, id).await?.ok_or(ApiError::NotFound(R::KIND))?;
        if_match.check(&row.etag())?;
        Ok(row)
    }

    /// Ends a write that found nothing to change: the answer is the current row.
    pub fn unchanged<R: Stored>(self, row: &R) -> Resource<R::Api> {
        db::end_read(self.tx);
        Resource::ok(row.etag(), row.to_api())
    }

    pub async fn created<R: Stored>(self, row: &R, touched: Touched) -> ApiResult<Resource<R::Api>> {
        let location = format!("{}/{}", R::COLLECTION, row.id());
        let resource = Resource::created(row.etag(), location, row.to_api());
        let answer = resource.answer();
        self.commit_answering(Change::created(R::KIND, row.id(), &resource.body), touched, Some(answer)).await?;
        Ok(resource)
    }

    pub async fn updated<R: Stored>(self, before: &R, after: &R, touched: Touched) -> ApiResult<Resource<R::Api>> {
        self.commit(Change::updated(R::KIND, after.id(), &before.to_api(), &after.to_api()), touched).await?;
        Ok(Resource::ok(after.etag(), after.to_api()))
    }

    pub async fn deleted<R: Stored>(self, before: &R, touched: Touched) -> ApiResult<StatusCode> {
        self.commit(Change::deleted(R::KIND, before.id(), &before.to_api()), touched).await?;
        Ok(StatusCode::NO_CONTENT)
    }

    /// Recompiles what `touched` names, records `change`, commits, then publishes. Returns the
    /// tenant revision the write produced, when it changed the network.
    pub async fn commit(self, change: Change, touched: Touched) -> ApiResult<Option<i64>> {
        self.commit_answering(change, touched, None).await
    }

    /// [`Write::commit`] for a request whose answer is known before the commit: when the request
    /// holds an Idempotency-Key, the answer is kept in the write's own transaction, so that a
    /// retry after a crash between the commit and the answer gets it instead of a stuck key. A
    /// claim that a retry took over (after the lease) refuses the write.
    pub async fn commit_answering(
        mut self,
        change: Change,
        touched: Touched,
        answer: Option<Answer>,
    ) -> ApiResult<Option<i64>> {
        let tenant_id = self.caller.tenant_id();
        let outcome: Option<ChangeOutcome> = match (&self.before, touched) {
            (_, Touched::Nothing) => None,
            (Some(before), touched) => Some(
                commit_change(&mut self.tx, tenant_id, before, touched)
                    .instrument(tracing::info_span!("config_compile", tenant_id = %tenant_id))
                    .await?,
            ),
            (None, _) => {
                return Err(ApiError::Internal(anyhow::anyhow!("a {} write touched the network", change.kind)));
            }
        };
        let (kind, verb) = (change.kind, change.verb);
        self.caller.audit(&mut self.tx, change).await?;
        if let Some(answer) = answer {
            answer.keep_with_write(&mut *self.tx, self.caller.idempotency_claim.as_ref()).await?;
        }
        self.tx.commit().await?;
        self.app.metrics.write_committed(kind, verb);
        if self.forget_credentials {
            self.app.credentials.forget_tenant(tenant_id).await;
        }
        let revision = outcome.as_ref().map(|o| o.revision);
        if let Some(outcome) = outcome {
            outcome.publish(self.app).await;
        }
        Ok(revision)
    }
}
