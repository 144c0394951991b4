//! Tokens on the Backend API: session tokens, sign-in tokens, the refresh
//! of an expired session token, the JWKS, and the secret key in front of
//! them all.

use std::time::Duration;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::support::*;

fn refusal(res: &Resp) -> Value {
    json!({ "status": res.status.as_u16(), "body": res.json() })
}

#[actix_web::test]
async fn a_session_token_is_minted_with_an_optional_lifetime() {
    let h = Harness::dev().await;
    let id = h.create_session("user_1").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/sessions/{id}/tokens");
    let res = h.bapi(Method::POST, &path, None).await;
    let minted = res.ok_json();
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let (header, claims) = jwt_parts(minted["jwt"].as_str().unwrap());
    assert_eq!(claims.get("azp"), None, "no browser, no azp");
    snapshot!("session_token_minted", minted);
    snapshot!("session_token_header", header);
    snapshot!("session_token_claims", claims);

    let res = h
        .bapi(
            Method::POST,
            &path,
            Some(json!({ "expires_in_seconds": 600 })),
        )
        .await;
    let (_, claims) = jwt_parts(res.ok_json()["jwt"].as_str().unwrap());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        600
    );

    let mut refusals = serde_json::Map::new();
    for (label, path, body) in [
        (
            "lifetime_too_short",
            path.clone(),
            Some(json!({ "expires_in_seconds": 0 })),
        ),
        (
            "unknown_field",
            path.clone(),
            Some(json!({ "expires_in": 60 })),
        ),
        (
            "unknown_session",
            "/v1/sessions/sess_0000000000000000000000/tokens".to_owned(),
            None,
        ),
    ] {
        let res = h.bapi(Method::POST, &path, body).await;
        assert!(res.status.is_client_error(), "{label}");
        refusals.insert(label.to_owned(), refusal(&res));
    }
    snapshot!("session_token_refusals", refusals);
}

#[actix_web::test]
async fn sign_in_tokens_are_created_once_with_their_ticket_and_revoked() {
    let h = Harness::dev().await;
    // Only for a user who exists.
    let res = h
        .bapi(
            Method::POST,
            "/v1/sign_in_tokens",
            Some(json!({ "user_id": "user_1" })),
        )
        .await;
    assert_eq!(res.error(404)["errors"][0]["code"], "resource_not_found");
    h.user_exists("user_1").await;
    let res = h
        .bapi(
            Method::POST,
            "/v1/sign_in_tokens",
            Some(json!({ "user_id": "user_1", "expires_in_seconds": 3600 })),
        )
        .await;
    let created = res.ok_json();
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert_eq!(
        created["url"],
        format!(
            "{DEV_FAPI}/v1/tickets/accept?ticket={}",
            created["token"].as_str().unwrap()
        )
    );
    snapshot!("sign_in_token_created", created);
    let id = created["id"].as_str().unwrap();

    let res = h
        .bapi(
            Method::POST,
            &format!("/v1/sign_in_tokens/{id}/revoke"),
            None,
        )
        .await;
    let revoked = res.ok_json();
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(revoked.get("token"), None, "the ticket is shown once");
    snapshot!("sign_in_token_revoked", revoked);

    // A revoked ticket signs nobody in.
    let mut browser = Browser::dev(&h).await;
    let res = browser
        .call(
            &h,
            Method::POST,
            "/v1/client/sign_ins",
            &[
                ("strategy", "ticket"),
                ("ticket", created["token"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(res.status, 422);

    let mut refusals = serde_json::Map::new();
    for (label, path, body) in [
        (
            "no_user_id",
            "/v1/sign_in_tokens".to_owned(),
            Some(json!({})),
        ),
        (
            "lifetime_negative",
            "/v1/sign_in_tokens".to_owned(),
            Some(json!({ "user_id": "user_1", "expires_in_seconds": -1 })),
        ),
        (
            "revoke_unknown",
            "/v1/sign_in_tokens/sit_0000000000000000000000/revoke".to_owned(),
            None,
        ),
    ] {
        let res = h.bapi(Method::POST, &path, body).await;
        assert!(res.status.is_client_error(), "{label}");
        refusals.insert(label.to_owned(), refusal(&res));
    }
    snapshot!("sign_in_token_refusals", refusals);
}

/// A signed-in development browser, its session, and the session token and
/// refresh token its handshake hands out.
async fn handshaken(h: &Harness) -> (String, String, String) {
    let mut browser = Browser::dev(h).await;
    let sid = browser.sign_in(h, "user_r").await;
    let path = format!(
        "/v1/client/handshake?redirect_url={}&suffixed_cookies=true",
        url::form_urlencoded::byte_serialize(format!("{DEV_APP}/").as_bytes()).collect::<String>()
    );
    let res = browser.call(h, Method::GET, &path, &[]).await;
    let jwt = handshake_in_location(&res);
    let directives: Vec<String> =
        serde_json::from_value(jwt_parts(&jwt).1["handshake"].clone()).unwrap();
    let value = |prefix: &str| directive_value(&directives, prefix).unwrap();
    (sid, value("__session="), value("__refresh_"))
}

#[actix_web::test]
async fn an_expired_session_token_is_refreshed_with_a_rotating_refresh_token() {
    let h = Harness::dev().await;
    let (sid, token, r0) = handshaken(&h).await;
    h.advance(Duration::from_secs(120)); // the session token expired
    let refresh = async |refresh_token: &str, format: &str| {
        h.bapi(
            Method::POST,
            &format!("/v1/sessions/{sid}/refresh?suffixed_cookies=true"),
            Some(json!({
                "expired_token": token,
                "refresh_token": refresh_token,
                "request_origin": DEV_APP,
                "request_headers": {"user-agent": ["Mozilla/5.0"]},
                "request_originating_ip": "203.0.113.9",
                "format": format,
            })),
        )
        .await
    };
    let res = refresh(&r0, "cookie").await;
    let cookies = res.ok_json();
    assert_eq!(res.header("cache-control"), Some("no-store"));
    snapshot!("refreshed_as_cookies", cookies);
    let r1 = cookies["cookies"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|c| c.as_str().unwrap().strip_prefix("__refresh_"))
        .map(|c| cookie_value(c).to_owned())
        .unwrap();
    assert_ne!(r1, r0);

    let res = refresh(&r1, "token").await;
    let refreshed = res.ok_json();
    let (_, claims) = jwt_parts(refreshed["jwt"].as_str().unwrap());
    assert_eq!(claims["sid"], sid.as_str());
    assert_eq!(claims["azp"], DEV_APP);
    snapshot!("refreshed_as_token", refreshed);

    let mut refusals = serde_json::Map::new();
    for (label, body) in [
        (
            "no_expired_token",
            json!({"refresh_token": r1, "request_origin": DEV_APP}),
        ),
        (
            "no_refresh_token",
            json!({"expired_token": token, "request_origin": DEV_APP}),
        ),
        (
            "no_request_origin",
            json!({"expired_token": token, "refresh_token": r1}),
        ),
        (
            "unknown_refresh_token",
            json!({"expired_token": token, "refresh_token": "nope", "request_origin": DEV_APP}),
        ),
        (
            "unknown_format",
            json!({"expired_token": token, "refresh_token": r1, "request_origin": DEV_APP, "format": "xml"}),
        ),
    ] {
        let res = h
            .bapi(
                Method::POST,
                &format!("/v1/sessions/{sid}/refresh"),
                Some(body),
            )
            .await;
        assert!(res.status.is_client_error(), "{label}");
        refusals.insert(label.to_owned(), refusal(&res));
    }
    snapshot!("refresh_refusals", refusals);
}

#[actix_web::test]
async fn the_jwks_is_served_behind_the_secret_key() {
    let h = Harness::dev().await;
    let res = h.bapi(Method::GET, "/v1/jwks", None).await;
    let jwks = res.ok_json();
    assert_eq!(res.header("cache-control"), Some("public, max-age=300"));
    snapshot!("jwks", jwks);
}

#[actix_web::test]
async fn the_backend_api_refuses_missing_malformed_and_wrong_secret_keys() {
    let h = Harness::dev().await;
    let mut refusals = serde_json::Map::new();
    for (label, authorization) in [
        ("no_authorization", None),
        ("not_bearer", Some("Basic abc".to_owned())),
        ("empty_bearer", Some("Bearer ".to_owned())),
        ("wrong_key", Some("Bearer sk_test_wrong".to_owned())),
        (
            "publishable_key",
            Some("Bearer pk_test_Y2xlcmsuZXhhbXBsZS5jb20k".to_owned()),
        ),
    ] {
        let mut req = TestRequest::get().uri("/v1/jwks");
        if let Some(value) = authorization {
            req = req.insert_header(("authorization", value));
        }
        let res = h.bapi_raw(req).await;
        assert_eq!(res.status, 401, "{label}");
        assert_eq!(res.header("cache-control"), Some("no-store"));
        refusals.insert(label.to_owned(), refusal(&res));
    }
    // Two Authorization headers are one too many.
    let res = h
        .bapi_raw(
            TestRequest::get()
                .uri("/v1/jwks")
                .append_header(("authorization", format!("Bearer {}", h.secret_key)))
                .append_header(("authorization", format!("Bearer {}", h.secret_key))),
        )
        .await;
    refusals.insert("two_authorizations".to_owned(), refusal(&res));
    snapshot!("secret_key_refusals", refusals);
}
