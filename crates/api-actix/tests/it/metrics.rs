//! `GET /metrics`: the domain events counted from real requests through the
//! real route tables (a counter keyed by a route string that the route
//! table no longer has would stay at zero here).

use std::time::Duration;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use actix_web::web;
use hallpass_api_actix::metrics::{Metrics, MetricsOptions};
use hallpass_domain::Environment;
use serde_json::json;

use crate::support::*;

/// Runs `act` and returns how much each series moved.
async fn deltas<F: AsyncFnOnce()>(h: &Harness, series: &[&str], act: F) -> Vec<f64> {
    let before = h.scrape().await;
    act().await;
    let after = h.scrape().await;
    series
        .iter()
        .map(|s| sample(&after, s) - sample(&before, s))
        .collect()
}

const FAPI_SESSION: &str = r#"hallpass_tokens_minted_total{api="frontend",kind="session"}"#;
const FAPI_TEMPLATE: &str = r#"hallpass_tokens_minted_total{api="frontend",kind="template"}"#;
const BAPI_SESSION: &str = r#"hallpass_tokens_minted_total{api="backend",kind="session"}"#;
const BAPI_TEMPLATE: &str = r#"hallpass_tokens_minted_total{api="backend",kind="template"}"#;
const REFRESH: &str = r#"hallpass_tokens_minted_total{api="backend",kind="refresh"}"#;

#[actix_web::test]
async fn minted_tokens_are_counted_by_api_and_kind() {
    let h = Harness::dev().await;
    h.create_template(json!({"name": "api", "claims": {"uid": "{{user.id}}"}}))
        .await;
    let mut browser = Browser::dev(&h).await;
    let sid = browser.sign_in(&h, "user_1").await;
    let all = [FAPI_SESSION, FAPI_TEMPLATE, BAPI_SESSION, BAPI_TEMPLATE];

    let moved = deltas(&h, &all, async || {
        browser
            .call(
                &h,
                Method::POST,
                &format!("/v1/client/sessions/{sid}/tokens/api"),
                &[],
            )
            .await
            .ok_json();
    })
    .await;
    assert_eq!(moved, [0.0, 1.0, 0.0, 0.0], "a Frontend API template token");

    let moved = deltas(&h, &all, async || {
        h.bapi(
            Method::POST,
            &format!("/v1/sessions/{sid}/tokens/api"),
            None,
        )
        .await
        .ok_json();
    })
    .await;
    assert_eq!(moved, [0.0, 0.0, 0.0, 1.0], "a Backend API template token");

    let moved = deltas(&h, &all, async || {
        browser
            .call(
                &h,
                Method::POST,
                &format!("/v1/client/sessions/{sid}/tokens"),
                &[],
            )
            .await
            .ok_json();
        h.bapi(Method::POST, &format!("/v1/sessions/{sid}/tokens"), None)
            .await
            .ok_json();
    })
    .await;
    assert_eq!(moved, [1.0, 0.0, 1.0, 0.0], "a session token on each API");

    // Refused mints count as errors, not tokens.
    let moved = deltas(&h, &all, async || {
        let res = browser
            .call(
                &h,
                Method::POST,
                &format!("/v1/client/sessions/{sid}/tokens/nope"),
                &[],
            )
            .await;
        assert_eq!(res.status, 404);
        let res = h
            .bapi(
                Method::POST,
                &format!("/v1/sessions/{sid}/tokens/nope"),
                None,
            )
            .await;
        assert_eq!(res.status, 404);
    })
    .await;
    assert_eq!(moved, [0.0; 4]);

    let text = h.scrape().await;
    assert!(!text.contains(&sid), "no session id in any series");
    assert_eq!(
        sample(
            &text,
            r#"hallpass_http_requests_total{api="frontend",method="POST",route="/v1/client/sessions/{session_id}/tokens/{template}",status="200"}"#
        ),
        1.0,
        "requests are labelled with the route pattern: {text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"hallpass_errors_total{api="frontend",status="404",code="resource_not_found"}"#
        ),
        1.0,
        "{text}"
    );
}

#[actix_web::test]
async fn refreshes_handshakes_and_terminations_are_counted() {
    let h = Harness::dev().await;
    let handshakes = [
        r#"hallpass_handshakes_total{outcome="redirected"}"#,
        r#"hallpass_handshakes_total{outcome="refused"}"#,
    ];
    let mut browser = Browser::dev(&h).await;
    let sid = browser.sign_in(&h, "user_1").await;
    let mut refresh_token = String::new();
    let mut session_token = String::new();
    let moved = deltas(&h, &handshakes, async || {
        let res = browser
            .call(
                &h,
                Method::GET,
                "/v1/client/handshake?redirect_url=http%3A%2F%2Flocalhost%3A3000%2F",
                &[],
            )
            .await;
        assert_eq!(res.status, 307);
        let location = url::Url::parse(res.header("location").unwrap()).unwrap();
        let jwt = location.query_pairs().next().unwrap().1.into_owned();
        let directives: Vec<String> =
            serde_json::from_value(jwt_parts(&jwt).1["handshake"].clone()).unwrap();
        for d in &directives {
            if d.starts_with("__refresh_") {
                refresh_token = cookie_value(d).to_owned();
            } else if d.starts_with("__session=") {
                session_token = cookie_value(d).to_owned();
            }
        }
        let res = browser
            .call(
                &h,
                Method::GET,
                "/v1/client/handshake?redirect_url=https%3A%2F%2Fevil.example%2F",
                &[],
            )
            .await;
        assert_eq!(res.status, 400);
    })
    .await;
    assert_eq!(moved, [1.0, 1.0]);

    h.advance(Duration::from_secs(120));
    let moved = deltas(&h, &[REFRESH], async || {
        h.bapi(
            Method::POST,
            &format!("/v1/sessions/{sid}/refresh"),
            Some(json!({
                "expired_token": session_token,
                "refresh_token": refresh_token,
                "request_origin": DEV_APP,
            })),
        )
        .await
        .ok_json();
    })
    .await;
    assert_eq!(moved, [1.0]);

    let actions = ["revoke", "end", "remove", "sign_out"]
        .map(|a| format!(r#"hallpass_session_terminations_total{{action="{a}"}}"#));
    let actions: Vec<&str> = actions.iter().map(String::as_str).collect();
    let moved = deltas(&h, &actions, async || {
        h.bapi(Method::POST, &format!("/v1/sessions/{sid}/revoke"), None)
            .await
            .ok_json();
        for action in ["end", "remove"] {
            let mut b = Browser::dev(&h).await;
            let sid = b.sign_in(&h, "user_2").await;
            b.call(
                &h,
                Method::POST,
                &format!("/v1/client/sessions/{sid}/{action}"),
                &[],
            )
            .await
            .ok_json();
        }
        for path in ["/v1/client/sessions", "/v1/client"] {
            let mut b = Browser::dev(&h).await;
            b.sign_in(&h, "user_3").await;
            b.call(&h, Method::DELETE, path, &[]).await.ok_json();
        }
    })
    .await;
    assert_eq!(moved, [1.0, 1.0, 1.0, 2.0]);
}

#[actix_web::test]
async fn a_bearer_token_guards_the_scrape() {
    let metrics = web::Data::new(Metrics::new(MetricsOptions {
        bearer_token: Some("scrape-token-0123456789".to_owned().into()),
        pool: None,
    }));
    let h = Harness::start_with(
        Environment::Development,
        options(Environment::Development),
        Some(metrics),
    )
    .await;
    let res = h.bapi_raw(TestRequest::get().uri("/metrics")).await;
    snapshot!("scrape_without_token", res.error(401));
    let res = h
        .bapi_raw(
            TestRequest::get()
                .uri("/metrics")
                .insert_header(("authorization", "Bearer scrape-token-0123456780")),
        )
        .await;
    assert_eq!(res.status, 401);
    let res = h
        .bapi_raw(
            TestRequest::get()
                .uri("/metrics")
                .insert_header(("authorization", "Bearer scrape-token-0123456789")),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert_eq!(
        res.header("content-type"),
        Some("application/openmetrics-text; version=1.0.0; charset=utf-8")
    );
}
