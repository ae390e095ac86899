//! Audit events: one per write, inserted in the write's own transaction so that neither exists
//! without the other. Snapshots are the API representation with every secret redacted.

use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::{self, Tx};
use crate::error::ApiError;
use crate::resource::Kind;

/// Field names whose values never reach the audit log or a stored response.
const SECRET_FIELDS: &[&str] = &[
    "token",
    "credential",
    "secret",
    "client_secret",
    "csrf_token",
    "password",
    "current_password",
    "password_hash",
    "access_token",
    "refresh_token",
];
pub const REDACTED: &str = "[REDACTED]";

/// Replaces the value of every secret field, at any depth, by `"[REDACTED]"`.
pub fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if SECRET_FIELDS.contains(&key.as_str()) && !v.is_null() {
                    *v = Value::String(REDACTED.to_string());
                } else {
                    redact(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

fn snapshot<T: Serialize>(value: &T) -> Option<Value> {
    let mut v = serde_json::to_value(value).ok()?;
    redact(&mut v);
    Some(v)
}

/// What a write did to one resource.
pub struct Change {
    pub kind: Kind,
    pub resource_id: Uuid,
    pub verb: &'static str,
    before: Option<Value>,
    after: Option<Value>,
}

impl Change {
    pub fn created<T: Serialize>(kind: Kind, id: Uuid, after: &T) -> Self {
        Change { kind, resource_id: id, verb: "create", before: None, after: snapshot(after) }
    }

    pub fn updated<T: Serialize>(kind: Kind, id: Uuid, before: &T, after: &T) -> Self {
        Change { kind, resource_id: id, verb: "update", before: snapshot(before), after: snapshot(after) }
    }

    pub fn deleted<T: Serialize>(kind: Kind, id: Uuid, before: &T) -> Self {
        Change { kind, resource_id: id, verb: "delete", before: snapshot(before), after: None }
    }

    /// A named action other than create/update/delete (e.g. `set_password`).
    pub fn action(kind: Kind, id: Uuid, verb: &'static str) -> Self {
        Change { kind, resource_id: id, verb, before: None, after: None }
    }
}

/// Records a change made by `principal` inside `tx`. Platform events have no tenant.
pub async fn record(
    tx: &mut Tx,
    principal: &Principal,
    tenant_id: Option<Uuid>,
    request_id: Option<&str>,
    change: Change,
) -> Result<(), ApiError> {
    let actor = principal.audit_actor();
    db::audit::insert(
        &mut **tx,
        db::audit::NewAuditEvent {
            tenant_id,
            actor_type: actor.kind,
            actor_id: actor.id,
            actor_name: &actor.name,
            action: format!("{}.{}", change.kind.name(), change.verb),
            resource_type: change.kind.name(),
            resource_id: change.resource_id,
            before: change.before,
            after: change.after,
            request_id,
        },
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_secrets_at_any_depth_and_keeps_the_rest() {
        let mut v = serde_json::json!({
            "name": "ci", "token": "ptrn_api_x", "nested": [{"password": "hunter2", "role": "admin"}],
            "expires_at": null
        });
        redact(&mut v);
        assert_eq!(v["token"], REDACTED);
        assert_eq!(v["nested"][0]["password"], REDACTED);
        assert_eq!(v["nested"][0]["role"], "admin");
        assert_eq!(v["name"], "ci");
    }
}
