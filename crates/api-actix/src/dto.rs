//! Clerk's wire shapes, built from domain values.

use hallpass_domain::Session;
use serde_json::{Value, json};

fn actor_json(s: &Session) -> Value {
    s.actor().map_or(Value::Null, |a| {
        let mut act = json!({ "sub": a.sub() });
        if let Some(iss) = a.iss() {
            act["iss"] = json!(iss);
        }
        if let Some(sid) = a.sid() {
            act["sid"] = json!(sid);
        }
        act
    })
}

fn tasks_json(s: &Session) -> Value {
    if s.tasks().is_empty() {
        Value::Null
    } else {
        Value::Array(
            s.tasks()
                .iter()
                .map(|t| json!({ "key": t.as_str() }))
                .collect(),
        )
    }
}

fn activity_json(s: &Session, a: &hallpass_domain::activity::SessionActivity) -> Value {
    json!({
        "object": "session_activity",
        "id": format!("sess_activity_{}", &s.id().as_str()["sess_".len()..]),
        "is_mobile": a.is_mobile,
        "device_type": a.device_type,
        "browser_name": a.browser_name,
        "browser_version": a.browser_version,
        "ip_address": a.ip_address,
        "city": a.city,
        "country": a.country,
    })
}

/// The Backend API `Session` object (`additionalProperties: false` in the
/// spec: exactly these fields).
pub(crate) fn bapi_session(
    s: &Session,
    activity: Option<&hallpass_domain::activity::SessionActivity>,
) -> Value {
    json!({
        "object": "session",
        "id": s.id().as_str(),
        "user_id": s.user_id().as_str(),
        "client_id": s.client_id().as_str(),
        "actor": actor_json(s),
        "status": s.status().as_str(),
        "last_active_organization_id": s.last_active_organization_id().map(|o| o.as_str()),
        "last_active_at": s.last_active_at().as_millis(),
        "latest_activity": activity.map_or(Value::Null, |a| activity_json(s, a)),
        "expire_at": s.expire_at().as_millis(),
        "abandon_at": s.abandon_at().as_millis(),
        "updated_at": s.updated_at().as_millis(),
        "created_at": s.created_at().as_millis(),
        "tasks": tasks_json(s),
    })
}

/// The user object inside a Frontend API session. Hallpass keeps sessions,
/// not profiles: the user's data lives in the team's own system, so the
/// object carries the id and empty collections (what clerk-js expects).
fn fapi_user(s: &Session) -> Value {
    let id = s.user_id().as_str();
    json!({
        "object": "user",
        "id": id,
        "username": Value::Null,
        "first_name": Value::Null,
        "last_name": Value::Null,
        "image_url": "",
        "has_image": false,
        "primary_email_address_id": Value::Null,
        "primary_phone_number_id": Value::Null,
        "primary_web3_wallet_id": Value::Null,
        "email_addresses": [],
        "phone_numbers": [],
        "web3_wallets": [],
        "external_accounts": [],
        "saml_accounts": [],
        "passkeys": [],
        "enterprise_accounts": [],
        "organization_memberships": [],
        "public_metadata": {},
        "unsafe_metadata": {},
        "password_enabled": false,
        "totp_enabled": false,
        "backup_code_enabled": false,
        "two_factor_enabled": false,
        "delete_self_enabled": false,
        "create_organization_enabled": false,
        "external_id": Value::Null,
        "banned": false,
        "locked": false,
        "lockout_expires_in_seconds": Value::Null,
        "verification_attempts_remaining": Value::Null,
        "last_active_at": s.last_active_at().as_millis(),
        "mfa_enabled_at": Value::Null,
        "mfa_disabled_at": Value::Null,
        "legal_accepted_at": Value::Null,
        "last_sign_in_at": s.created_at().as_millis(),
        "created_at": s.created_at().as_millis(),
        "updated_at": s.updated_at().as_millis(),
    })
}

/// The Frontend API `Session` object (`Client.Session-2`).
pub(crate) fn fapi_session(
    s: &Session,
    last_active_token: Option<&str>,
    now: hallpass_domain::UnixMillis,
) -> Value {
    let (first, second) = s.factor_verification_age(now);
    json!({
        "object": "session",
        "id": s.id().as_str(),
        "status": s.status().as_str(),
        "expire_at": s.expire_at().as_millis(),
        "abandon_at": s.abandon_at().as_millis(),
        "last_active_at": s.last_active_at().as_millis(),
        "last_active_token": last_active_token.map(|jwt| json!({"object": "token", "jwt": jwt})),
        "last_active_organization_id": s.last_active_organization_id().map(|o| o.as_str()),
        "actor": actor_json(s),
        "tasks": tasks_json(s),
        "user": fapi_user(s),
        "public_user_data": {
            "first_name": Value::Null,
            "last_name": Value::Null,
            "image_url": "",
            "has_image": false,
            "identifier": s.user_id().as_str(),
            "user_id": s.user_id().as_str(),
        },
        "factor_verification_age": [first, second],
        "created_at": s.created_at().as_millis(),
        "updated_at": s.updated_at().as_millis(),
    })
}

/// The Frontend API `Client` object (`Client.Client-2`). Removed, revoked,
/// replaced and abandoned sessions are no longer part of the client;
/// ended and expired ones stay listed (clerk-js shows them as signed out).
pub(crate) fn fapi_client(
    view: &hallpass_app::ClientView,
    token_for: Option<(&hallpass_domain::SessionId, &str)>,
    now: hallpass_domain::UnixMillis,
) -> Value {
    use hallpass_domain::SessionStatus as S;
    let c = &view.client;
    let sessions: Vec<Value> = view
        .sessions
        .iter()
        .filter(|s| matches!(s.status(), S::Active | S::Pending | S::Ended | S::Expired))
        .map(|s| {
            let token = token_for.filter(|(id, _)| *id == s.id()).map(|(_, t)| t);
            fapi_session(s, token, now)
        })
        .collect();
    json!({
        "object": "client",
        "id": c.id().as_str(),
        "sessions": sessions,
        "sign_in": Value::Null,
        "sign_up": Value::Null,
        "last_active_session_id": c.last_active_session_id().map(|s| s.as_str()),
        "last_authentication_strategy": Value::Null,
        "cookie_expires_at": c.cookie_expires_at().as_millis(),
        "captcha_bypass": false,
        "created_at": c.created_at().as_millis(),
        "updated_at": c.updated_at().as_millis(),
    })
}

/// The Backend API `Client` object.
pub(crate) fn bapi_client(
    view: &hallpass_app::ClientView,
    activities: &std::collections::HashMap<
        hallpass_domain::SessionId,
        hallpass_domain::activity::SessionActivity,
    >,
) -> Value {
    let c = &view.client;
    json!({
        "object": "client",
        "id": c.id().as_str(),
        "session_ids": view.sessions.iter().map(|s| s.id().as_str()).collect::<Vec<_>>(),
        "sessions": view
            .sessions
            .iter()
            .map(|s| bapi_session(s, activities.get(s.id())))
            .collect::<Vec<_>>(),
        "sign_in_id": Value::Null,
        "sign_up_id": Value::Null,
        "last_active_session_id": c.last_active_session_id().map(|s| s.as_str()),
        "last_authentication_strategy": Value::Null,
        "updated_at": c.updated_at().as_millis(),
        "created_at": c.created_at().as_millis(),
    })
}
