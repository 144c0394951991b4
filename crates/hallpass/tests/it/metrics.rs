use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

/// The value of one sample line (`name{labels} value`), 0 when absent.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}

async fn scrape(server: &Server, token: Option<&str>) -> (u16, String) {
    let mut req = http().get(format!("{}/metrics", server.bapi));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

async fn bapi_json(
    server: &Server,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = server.bapi(method, path);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test]
async fn metrics_count_requests_events_and_errors_by_code() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    let metrics_user = user(&server, "user_metrics").await;
    let (status, before) = scrape(&server, None).await;
    assert_eq!(status, 200, "{before}");

    let (status, session) = bapi_json(
        &server,
        Method::POST,
        "/v1/sessions",
        Some(json!({"user_id": metrics_user})),
    )
    .await;
    assert_eq!(status, 200, "{session}");
    let id = session["id"].as_str().unwrap();
    for _ in 0..3 {
        let (status, body) = bapi_json(
            &server,
            Method::POST,
            &format!("/v1/sessions/{id}/tokens"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, _) = bapi_json(
        &server,
        Method::POST,
        &format!("/v1/sessions/{id}/revoke"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    // Refused after the revoke: not a minted token, an error by code.
    let (status, body) = bapi_json(
        &server,
        Method::POST,
        &format!("/v1/sessions/{id}/tokens"),
        None,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    // A wrong secret key and a Frontend API error.
    let res = http()
        .get(format!("{}/v1/sessions?user_id=x", server.bapi))
        .bearer_auth("sk_test_wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    let res = http()
        .get(format!(
            "{}/v1/client?__clerk_db_jwt=dvb_unknownunknownunknown1",
            server.fapi
        ))
        .send()
        .await
        .unwrap();
    let fapi_status = res.status().as_u16();
    let fapi_code = res.json::<Value>().await.unwrap()["errors"][0]["code"]
        .as_str()
        .unwrap()
        .to_owned();

    let (_, text) = scrape(&server, None).await;
    let delta = |series: &str| sample(&text, series) - sample(&before, series);
    assert_eq!(
        delta(r#"hallpass_tokens_minted_total{api="backend",kind="session"}"#),
        3.0,
        "{text}"
    );
    assert_eq!(
        delta(r#"hallpass_session_terminations_total{action="revoke"}"#),
        1.0
    );
    assert_eq!(
        delta(
            r#"hallpass_http_requests_total{api="backend",method="POST",route="/v1/sessions/{session_id}/tokens",status="200"}"#
        ),
        3.0,
        "routes are patterns, never raw ids: {text}"
    );
    assert!(!text.contains(id), "no session id in the series");
    assert_eq!(
        delta(
            r#"hallpass_errors_total{api="backend",status="422",code="invalid_action_for_session"}"#
        ),
        1.0,
        "{text}"
    );
    assert_eq!(
        delta(r#"hallpass_errors_total{api="backend",status="401",code="clerk_key_invalid"}"#),
        1.0,
        "{text}"
    );
    assert_eq!(
        delta(&format!(
            r#"hallpass_errors_total{{api="frontend",status="{fapi_status}",code="{fapi_code}"}}"#
        )),
        1.0,
        "{text}"
    );
    assert!(
        delta(
            r#"hallpass_http_request_duration_seconds_count{api="backend",route="/v1/sessions/{session_id}/tokens"}"#
        ) >= 4.0,
        "{text}"
    );
    assert!(
        sample(&text, "hallpass_db_pool_max_connections") >= 1.0,
        "the embedded store's pool is reported: {text}"
    );

    // Only the Backend API listener serves metrics.
    let res = http()
        .get(format!("{}/metrics", server.fapi))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
}

#[tokio::test]
async fn a_configured_bearer_token_guards_the_scrape_and_metrics_can_be_off() {
    let dir = tempfile::tempdir().unwrap();
    let token = "scrape-token-0123456789";
    let server = serve_with_env(
        dir.path(),
        &[],
        &[("HALLPASS__METRICS__BEARER_TOKEN", token)],
    );
    let (status, body) = scrape(&server, None).await;
    assert_eq!(status, 401, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["errors"][0]["code"], "authentication_invalid");
    let (status, _) = scrape(&server, Some("scrape-token-0123456780")).await;
    assert_eq!(status, 401);
    let (status, text) = scrape(&server, Some(token)).await;
    assert_eq!(status, 200);
    assert!(
        text.contains("# TYPE hallpass_http_requests counter"),
        "{text}"
    );
    drop(server);

    let dir = tempfile::tempdir().unwrap();
    let server = serve_with_env(dir.path(), &[], &[("HALLPASS__METRICS__ENABLED", "false")]);
    let (status, _) = scrape(&server, None).await;
    assert_eq!(status, 404);
}
