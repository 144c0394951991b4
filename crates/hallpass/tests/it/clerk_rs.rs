//! clerk-rs (crates.io), Clerk's Rust SDK, unchanged, against hallpass. Its
//! models are generated from Clerk's 2026-05-12 Backend API spec and are
//! strict about required fields: a shape mismatch fails deserialisation.
//! Results are also recorded for docs/compatibility.md (scripts/compat.sh).

use clerk_rs::apis::configuration::Configuration;
use clerk_rs::apis::{clients_api, jwks_api, jwt_templates_api, sessions_api};
use clerk_rs::models;

use crate::support::*;

/// One writer at a time: the clerk-rs tests run in parallel threads of one
/// process, and each record is a read-modify-write of the results file.
static RESULTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn record(call: &str, pass: bool) {
    let _one_writer = RESULTS.lock().unwrap_or_else(|p| p.into_inner());
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/compat-results.json"
    );
    let mut all: Vec<serde_json::Value> = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    all.push(serde_json::json!({"sdk": "clerk-rs 0.5", "call": call, "pass": pass}));
    let _ = std::fs::write(path, serde_json::to_string_pretty(&all).unwrap());
}

pub(crate) fn checked<T, E: std::fmt::Debug>(call: &str, result: Result<T, E>) -> T {
    record(call, result.is_ok());
    result.unwrap_or_else(|e| panic!("{call}: {e:?}"))
}

#[tokio::test]
async fn clerk_rs_lists_gets_revokes_sessions_and_mints_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    let mut config = Configuration::new(server.secret_key());
    config.base_path = format!("{}/v1", server.bapi);

    let user_rs = user(&server, "user_rs").await;
    let created = checked(
        "sessions_api::create_session",
        sessions_api::create_session(
            &config,
            Some(models::CreateSessionRequest {
                user_id: user_rs.clone(),
                active_organization_id: None,
            }),
        )
        .await,
    );
    let list = checked(
        "sessions_api::get_session_list",
        sessions_api::get_session_list(&config, None, Some(&user_rs), None, None, Some(10), None)
            .await,
    );
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, created.id);
    let got = checked(
        "sessions_api::get_session",
        sessions_api::get_session(&config, &created.id).await,
    );
    assert_eq!(got.client_id, created.client_id);
    let token = checked(
        "sessions_api::create_session_token",
        sessions_api::create_session_token(&config, &created.id, None).await,
    );
    let jwt = serde_json::to_value(&token).unwrap()["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(part(&jwt, 1)["sid"], created.id.as_str());
    let jwks = checked("jwks_api::get_jwks", jwks_api::get_jwks(&config).await);
    assert_eq!(
        serde_json::to_value(&jwks).unwrap()["keys"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let client = checked(
        "clients_api::get_client",
        clients_api::get_client(&config, &created.client_id).await,
    );
    assert_eq!(client.id, created.client_id);
    let templates = checked(
        "jwt_templates_api::list_jwt_templates",
        jwt_templates_api::list_jwt_templates(&config, None, None, None).await,
    );
    assert!(templates.is_empty());
    let revoked = checked(
        "sessions_api::revoke_session",
        sessions_api::revoke_session(&config, &created.id).await,
    );
    assert_eq!(serde_json::to_value(&revoked).unwrap()["status"], "revoked");
}
