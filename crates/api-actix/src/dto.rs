//! Clerk's wire shapes, built from domain values.

use hallpass_domain::Session;
use serde_json::{Value, json};

/// The Backend API `Session` object (`additionalProperties: false` in the
/// spec: exactly these fields).
pub(crate) fn bapi_session(s: &Session) -> Value {
    json!({
        "object": "session",
        "id": s.id().as_str(),
        "user_id": s.user_id().as_str(),
        "client_id": s.client_id().as_str(),
        "actor": s.actor().map(|a| {
            let mut act = json!({ "sub": a.sub() });
            if let Some(iss) = a.iss() {
                act["iss"] = json!(iss);
            }
            if let Some(sid) = a.sid() {
                act["sid"] = json!(sid);
            }
            act
        }),
        "status": s.status().as_str(),
        "last_active_organization_id": s.last_active_organization_id().map(|o| o.as_str()),
        "last_active_at": s.last_active_at().as_millis(),
        "latest_activity": Value::Null,
        "expire_at": s.expire_at().as_millis(),
        "abandon_at": s.abandon_at().as_millis(),
        "updated_at": s.updated_at().as_millis(),
        "created_at": s.created_at().as_millis(),
        "tasks": if s.tasks().is_empty() {
            Value::Null
        } else {
            Value::Array(s.tasks().iter().map(|t| json!({ "key": t.as_str() })).collect())
        },
    })
}
