use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// One recorded write. Secrets in `before` and `after` are replaced by `"[REDACTED]"`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    /// `user`, `api_token`, `platform_token` or `system`.
    pub actor_type: String,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    /// `<resource_type>.<verb>`, e.g. `user.create`.
    pub action: String,
    pub resource_type: String,
    pub resource_id: Uuid,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
}
