//! `/v1/jwt_templates…` and `/v1/sessions/{id}/tokens/{template_name}` on
//! the Backend API.

use std::time::Duration;

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::support::*;

fn refusal(res: &Resp) -> Value {
    json!({ "status": res.status.as_u16(), "body": res.json() })
}

#[actix_web::test]
async fn templates_are_created_read_listed_updated_and_deleted() {
    let h = Harness::dev().await;
    let created = h
        .create_template(json!({
            "name": "supabase",
            "claims": {"aud": "authenticated", "role": "{{user.id}}"},
        }))
        .await;
    snapshot!("template_created", created);
    let id = created["id"].as_str().unwrap().to_owned();

    let read = h
        .bapi(Method::GET, &format!("/v1/jwt_templates/{id}"), None)
        .await
        .ok_json();
    assert_eq!(read, created);

    h.advance(Duration::from_secs(60));
    let updated = h
        .bapi(
            Method::PATCH,
            &format!("/v1/jwt_templates/{id}"),
            Some(json!({
                "name": "supabase",
                "claims": {"aud": "authenticated"},
                "lifetime": 300,
                "allowed_clock_skew": 10,
            })),
        )
        .await
        .ok_json();
    snapshot!("template_updated", updated);

    h.create_template(json!({"name": "other", "claims": {}}))
        .await;
    let list = h
        .bapi(Method::GET, "/v1/jwt_templates", None)
        .await
        .ok_json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let page = h
        .bapi(
            Method::GET,
            "/v1/jwt_templates?paginated=true&limit=1",
            None,
        )
        .await
        .ok_json();
    assert_eq!(page["total_count"], 2);
    snapshot!("templates_paginated", page);

    let deleted = h
        .bapi(Method::DELETE, &format!("/v1/jwt_templates/{id}"), None)
        .await
        .ok_json();
    snapshot!("template_deleted", deleted);
    let res = h
        .bapi(Method::GET, &format!("/v1/jwt_templates/{id}"), None)
        .await;
    assert_eq!(res.status, 404);
}

#[actix_web::test]
async fn invalid_templates_are_refused_naming_the_parameter() {
    let h = Harness::dev().await;
    h.create_template(json!({"name": "taken", "claims": {}}))
        .await;
    let mut refusals = serde_json::Map::new();
    for (label, body) in [
        ("no_name", json!({"claims": {}})),
        ("no_claims", json!({"name": "x"})),
        ("claims_not_an_object", json!({"name": "x", "claims": [1]})),
        ("name_taken", json!({"name": "taken", "claims": {}})),
        (
            "reserved_claim",
            json!({"name": "x", "claims": {"sub": "me"}}),
        ),
        (
            "lifetime_too_long",
            json!({"name": "x", "claims": {}, "lifetime": 999_999_999}),
        ),
        (
            "unknown_field",
            json!({"name": "x", "claims": {}, "colour": "red"}),
        ),
        (
            "custom_key_without_key",
            json!({"name": "x", "claims": {}, "custom_signing_key": true, "signing_algorithm": "HS256"}),
        ),
    ] {
        let res = h.bapi(Method::POST, "/v1/jwt_templates", Some(body)).await;
        assert!(res.status.is_client_error(), "{label}");
        refusals.insert(label.to_owned(), refusal(&res));
    }
    for (label, method, path) in [
        (
            "read_unknown",
            Method::GET,
            "/v1/jwt_templates/jtmp_0000000000000000000000",
        ),
        ("read_malformed", Method::GET, "/v1/jwt_templates/nope"),
        (
            "delete_unknown",
            Method::DELETE,
            "/v1/jwt_templates/jtmp_0000000000000000000000",
        ),
        ("list_limit_zero", Method::GET, "/v1/jwt_templates?limit=0"),
    ] {
        let res = h.bapi(method, path, None).await;
        assert!(res.status.is_client_error(), "{label}");
        refusals.insert(label.to_owned(), refusal(&res));
    }
    snapshot!("template_refusals", refusals);
}

#[actix_web::test]
async fn a_template_token_carries_the_rendered_claims() {
    let h = Harness::dev().await;
    h.create_template(json!({
        "name": "api",
        "lifetime": 120,
        "allowed_clock_skew": 7,
        "claims": {
            "aud": "https://api.example.com",
            "uid": "{{user.id}}",
            "org": "{{org.id || 'personal'}}",
            "nested": {"sid": "{{session.id}}", "list": ["{{user.id}}", 1, true]},
        },
    }))
    .await;
    let sid = h.create_session("user_42").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = h
        .bapi(
            Method::POST,
            &format!("/v1/sessions/{sid}/tokens/api"),
            None,
        )
        .await;
    let minted = res.ok_json();
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let (header, claims) = jwt_parts(minted["jwt"].as_str().unwrap());
    assert_eq!(claims["nested"]["sid"], sid.as_str());
    snapshot!("template_token_minted", minted);
    snapshot!("template_token_header", header);
    snapshot!("template_token_claims", claims);

    let res = h
        .bapi(
            Method::POST,
            &format!("/v1/sessions/{sid}/tokens/api"),
            Some(json!({"expires_in_seconds": 30})),
        )
        .await;
    let (_, claims) = jwt_parts(res.ok_json()["jwt"].as_str().unwrap());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        30
    );

    let mut refusals = serde_json::Map::new();
    let res = h
        .bapi(
            Method::POST,
            &format!("/v1/sessions/{sid}/tokens/nope"),
            None,
        )
        .await;
    refusals.insert("unknown_template".to_owned(), refusal(&res));
    let res = h
        .bapi(
            Method::POST,
            "/v1/sessions/sess_0000000000000000000000/tokens/api",
            None,
        )
        .await;
    refusals.insert("unknown_session".to_owned(), refusal(&res));
    h.bapi(Method::POST, &format!("/v1/sessions/{sid}/revoke"), None)
        .await
        .ok_json();
    let res = h
        .bapi(
            Method::POST,
            &format!("/v1/sessions/{sid}/tokens/api"),
            None,
        )
        .await;
    refusals.insert("revoked_session".to_owned(), refusal(&res));
    snapshot!("template_token_refusals", refusals);
}

#[actix_web::test]
async fn an_update_keeps_a_custom_key_only_for_the_same_algorithm() {
    let h = Harness::dev().await;
    let secret = "a-shared-secret-of-at-least-sixty-four-bytes-for-any-hmac-choice!!";
    let created = h
        .bapi(
            Method::POST,
            "/v1/jwt_templates",
            Some(
                json!({"name": "hs", "claims": {}, "custom_signing_key": true,
                "signing_algorithm": "HS256", "signing_key": secret}),
            ),
        )
        .await
        .ok_json();
    let path = format!("/v1/jwt_templates/{}", created["id"].as_str().unwrap());
    // The same algorithm and no key: the stored key is kept.
    let kept = h
        .bapi(
            Method::PATCH,
            &path,
            Some(
                json!({"name": "hs", "claims": {"a": 1}, "custom_signing_key": true,
                "signing_algorithm": "HS256"}),
            ),
        )
        .await;
    assert_eq!(kept.ok_json()["claims"], json!({"a": 1}));
    // Another algorithm needs its own key.
    let res = h
        .bapi(
            Method::PATCH,
            &path,
            Some(
                json!({"name": "hs", "claims": {}, "custom_signing_key": true,
                "signing_algorithm": "HS512"}),
            ),
        )
        .await;
    assert_eq!(res.status.as_u16(), 422, "{:?}", res.body);
    assert_eq!(res.json()["errors"][0]["meta"]["param_name"], "signing_key");
}
