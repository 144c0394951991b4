//! What both listeners serve: health, readiness, the published keys, and
//! Clerk's error shape for anything unknown.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::json;

use crate::support::*;

#[actix_web::test]
async fn both_apis_answer_health_and_readiness() {
    let h = Harness::dev().await;
    for (api, res) in [
        ("frontend", h.fapi(TestRequest::get().uri("/healthz")).await),
        (
            "backend",
            h.bapi_raw(TestRequest::get().uri("/healthz")).await,
        ),
    ] {
        assert_eq!(res.ok_json(), json!({"status": "ok"}), "{api}");
        assert_eq!(res.header("cache-control"), Some("no-store"));
    }
    for (api, res) in [
        ("frontend", h.fapi(TestRequest::get().uri("/readyz")).await),
        (
            "backend",
            h.bapi_raw(TestRequest::get().uri("/readyz")).await,
        ),
    ] {
        assert_eq!(res.ok_json(), json!({"status": "ready"}), "{api}");
    }
    // A store that cannot be read is not ready (liveness is unaffected).
    h.break_table("instances");
    let res = h.fapi(TestRequest::get().uri("/readyz")).await;
    assert_eq!(res.status.as_u16(), 503, "{:?}", res.body);
    let res = h.fapi(TestRequest::get().uri("/healthz")).await;
    assert_eq!(res.ok_json(), json!({"status": "ok"}));
}

#[actix_web::test]
async fn the_frontend_api_publishes_its_keys_and_where_they_are() {
    let h = Harness::prod().await;
    let well_known = h
        .fapi(TestRequest::get().uri("/.well-known/jwks.json"))
        .await;
    let jwks = well_known.ok_json();
    assert_eq!(
        well_known.header("cache-control"),
        Some("public, max-age=300")
    );
    let alias = h.fapi(TestRequest::get().uri("/v1/jwks")).await;
    assert_eq!(alias.ok_json(), jwks);
    assert_eq!(alias.header("cache-control"), Some("public, max-age=300"));
    let backend = h.bapi(Method::GET, "/v1/jwks", None).await;
    assert_eq!(backend.ok_json(), jwks, "one key set on both APIs");
    snapshot!("well_known_jwks", jwks);

    let res = h
        .fapi(TestRequest::get().uri("/.well-known/openid-configuration"))
        .await;
    assert_eq!(res.header("cache-control"), Some("public, max-age=300"));
    snapshot!("openid_configuration", res.ok_json());
}

#[actix_web::test]
async fn unknown_routes_and_methods_are_clerk_shaped_404s() {
    let h = Harness::dev().await;
    let mut refusals = serde_json::Map::new();
    for (label, res) in [
        (
            "frontend_unknown_route",
            h.fapi(TestRequest::get().uri("/v1/nope")).await,
        ),
        (
            "frontend_wrong_method",
            h.fapi(TestRequest::patch().uri("/v1/dev_browser")).await,
        ),
        (
            "backend_unknown_route",
            h.bapi(Method::GET, "/v2/sessions", None).await,
        ),
        (
            "metrics_on_the_frontend_api",
            h.fapi(TestRequest::get().uri("/metrics")).await,
        ),
    ] {
        refusals.insert(
            label.to_owned(),
            json!({"status": res.status.as_u16(), "body": res.error(404)}),
        );
    }
    snapshot!("unknown_routes", refusals);
}
