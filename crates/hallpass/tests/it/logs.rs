use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

/// A whole flow with debug logging: no credential may appear in the logs.
#[tokio::test]
async fn debug_logs_carry_no_token_secret_or_key() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("hallpass.log");
    let server = serve_logging(
        dir.path(),
        &[],
        &[("RUST_LOG", "debug"), ("HALLPASS__LOG__FORMAT", "json")],
        Some(&log),
    );
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let fapi = |path: String| format!("{}{path}", server.fapi);

    let dvb = client
        .post(fapi("/v1/dev_browser".into()))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    client
        .post(fapi(format!("/v1/client?_method=PUT&__clerk_db_jwt={dvb}")))
        .send()
        .await
        .unwrap();
    let ticket_body: Value = server
        .bapi(Method::POST, "/v1/sign_in_tokens")
        .json(&json!({"user_id": user(&server, "user_logs").await}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ticket = ticket_body["token"].as_str().unwrap().to_owned();
    let signed: Value = client
        .post(fapi(format!("/v1/client/sign_ins?__clerk_db_jwt={dvb}")))
        .form(&[("strategy", "ticket"), ("ticket", ticket.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sid = signed["response"]["created_session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let jwt = signed["client"]["sessions"][0]["last_active_token"]["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = client
        .get(fapi(format!(
            "/v1/client/handshake?redirect_url=http%3A%2F%2Flocalhost%3A3000%2F&__clerk_db_jwt={dvb}&__session={jwt}&suffixed_cookies=true"
        )))
        .send()
        .await
        .unwrap();
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let handshake = location
        .split("__clerk_handshake=")
        .nth(1)
        .unwrap()
        .to_owned();
    let directives: Vec<String> =
        serde_json::from_value(part(&handshake, 1)["handshake"].clone()).unwrap();
    let refresh = directives
        .iter()
        .find_map(|d| {
            d.starts_with("__refresh_").then(|| {
                d.split(';')
                    .next()
                    .unwrap()
                    .split('=')
                    .nth(1)
                    .unwrap()
                    .to_owned()
            })
        })
        .unwrap();
    let minted: Value = server
        .bapi(Method::POST, &format!("/v1/sessions/{sid}/tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bapi_jwt = minted["jwt"].as_str().unwrap().to_owned();
    // Failing requests too: their error events carry the request span,
    // query string included unless it is redacted.
    client
        .get(fapi(format!(
            "/v1/client/sessions/sess_missing?__clerk_db_jwt={dvb}&__session={jwt}"
        )))
        .send()
        .await
        .unwrap();
    server
        .bapi(Method::POST, "/v1/sessions/sess_nope/refresh")
        .json(&json!({"refresh_token": refresh, "expired_token": jwt}))
        .send()
        .await
        .unwrap();
    let secret = server.secret_key().to_owned();
    drop(server);

    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(
        logs.contains("/v1/client/sessions/sess_missing"),
        "the test needs the failing request's log event:\n{logs:.2000}"
    );
    for (what, value) in [
        ("secret key", secret.as_str()),
        ("ticket", ticket.as_str()),
        ("dev browser", dvb.as_str()),
        ("session token", jwt.as_str()),
        ("Backend API token", bapi_jwt.as_str()),
        ("handshake token", handshake.as_str()),
        ("refresh token", refresh.as_str()),
    ] {
        // A long enough prefix to be unmistakable.
        let needle = &value[..value.len().min(24)];
        assert!(!logs.contains(needle), "the logs contain the {what}");
    }
}
