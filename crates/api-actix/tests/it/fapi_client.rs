//! `/v1/dev_browser` and `/v1/client` on the Frontend API, in the three
//! transports: the development browser, the `__client` cookie, the native
//! `Authorization` header.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::support::*;

/// Status and body of a refused request, for a table snapshot.
fn refusal(res: &Resp) -> Value {
    json!({ "status": res.status.as_u16(), "body": res.json() })
}

#[actix_web::test]
async fn a_dev_browser_is_created_and_named_in_the_clerk_db_jwt_header() {
    let h = Harness::dev().await;
    let res = h
        .fapi(
            TestRequest::post()
                .uri("/v1/dev_browser")
                .insert_header(("origin", DEV_APP)),
        )
        .await;
    let body = res.ok_json();
    let dvb = body["id"].as_str().unwrap();
    assert_eq!(body["token"], dvb);
    assert_eq!(res.header("clerk-db-jwt"), Some(dvb));
    assert_eq!(res.header("cache-control"), Some("no-store"));
    // CORS for the loopback app, and the security headers of every /v1 response.
    assert_eq!(res.header("access-control-allow-origin"), Some(DEV_APP));
    assert_eq!(res.header("access-control-allow-credentials"), Some("true"));
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(res.header("x-frame-options"), Some("DENY"));
    assert_eq!(res.header("referrer-policy"), Some("no-referrer"));
    snapshot!("dev_browser_created", body);
}

#[actix_web::test]
async fn production_has_no_dev_browsers() {
    let h = Harness::prod().await;
    let res = h.fapi(TestRequest::post().uri("/v1/dev_browser")).await;
    snapshot!("dev_browser_in_production", res.error(404));
}

#[actix_web::test]
async fn a_development_client_is_created_read_and_signed_out() {
    let h = Harness::dev().await;
    let mut browser = Browser::dev(&h).await;
    let dvb = browser.credential.clone().unwrap();

    let res = browser.call(&h, Method::GET, "/v1/client", &[]).await;
    assert_eq!(res.ok_json(), json!({"response": null, "client": null}));
    assert_eq!(res.header("clerk-db-jwt"), Some(dvb.as_str()));

    // clerk-js `client.create()`: POST ?_method=PUT.
    let res = browser
        .call(&h, Method::POST, "/v1/client?_method=PUT", &[])
        .await;
    let created = res.ok_json();
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert!(res.set_cookies().is_empty(), "no cookie for a dev browser");
    assert_eq!(created["response"], created["client"]);
    snapshot!("development_client_created", created);

    let res = browser.call(&h, Method::GET, "/v1/client", &[]).await;
    assert_eq!(res.ok_json()["response"]["id"], created["response"]["id"]);

    let sid = browser.sign_in(&h, "user_1").await;
    let res = browser.call(&h, Method::GET, "/v1/client", &[]).await;
    let signed_in = res.ok_json();
    assert_eq!(signed_in["client"]["last_active_session_id"], sid.as_str());
    snapshot!("development_client_signed_in", signed_in);

    // clerk-js `signOut()`: the sessions go, the client stays.
    let res = browser
        .call(&h, Method::DELETE, "/v1/client/sessions", &[])
        .await;
    let signed_out = res.ok_json();
    assert_eq!(signed_out["response"]["id"], created["response"]["id"]);
    snapshot!("development_client_sessions_deleted", signed_out);

    // `DELETE /v1/client`: the client is forgotten in this browser.
    let res = browser.call(&h, Method::DELETE, "/v1/client", &[]).await;
    let deleted = res.ok_json();
    assert_eq!(deleted["client"], Value::Null);
    snapshot!("development_client_deleted", deleted);
}

#[actix_web::test]
async fn development_requests_naming_an_unknown_dev_browser_are_refused() {
    let h = Harness::dev().await;
    let mut refusals = serde_json::Map::new();
    // (Naming none is the `__client` cookie's transport: handshake.rs.)
    for (label, credential) in [
        ("unknown_dev_browser", Some("dvb_unknownunknownunknown1")),
        ("malformed_dev_browser", Some("nope")),
    ] {
        let mut browser = Browser {
            transport: Transport::DevBrowser,
            credential: credential.map(str::to_owned),
            origin: None,
            user_agent: None,
        };
        let res = browser.call(&h, Method::GET, "/v1/client", &[]).await;
        assert_eq!(res.status, 401, "{label}");
        refusals.insert(label.to_owned(), refusal(&res));
        // Nor can it create a client.
        let res = browser.call(&h, Method::PUT, "/v1/client", &[]).await;
        assert_eq!(
            (res.status.as_u16(), &res.json()),
            (401, &refusals[label]["body"]),
            "PUT {label}"
        );
    }
    // A dev browser without a client cannot sign out.
    let mut browser = Browser::dev(&h).await;
    let res = browser
        .call(&h, Method::DELETE, "/v1/client/sessions", &[])
        .await;
    refusals.insert("sign_out_without_client".to_owned(), refusal(&res));
    // `_method` names PUT, PATCH or DELETE only.
    let res = browser
        .call(&h, Method::POST, "/v1/client?_method=GET", &[])
        .await;
    refusals.insert("method_override_to_get".to_owned(), refusal(&res));
    snapshot!("development_refusals", refusals);
}

#[actix_web::test]
async fn a_production_browser_keeps_its_client_in_an_http_only_cookie() {
    let h = Harness::prod().await;
    let mut browser = Browser::cookie();

    let res = browser.call(&h, Method::GET, "/v1/client", &[]).await;
    assert_eq!(res.ok_json(), json!({"response": null, "client": null}));
    assert_eq!(res.cookie("__client"), None, "nothing to set or clear");

    let res = browser.call(&h, Method::PUT, "/v1/client", &[]).await;
    let created = res.ok_json();
    let client_cookie = res.cookie("__client").unwrap();
    let token = cookie_value(&client_cookie).to_owned();
    let (header, claims) = jwt_parts(&token);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(claims["id"], created["client"]["id"]);
    // As long as the client's `cookie_expires_at`: a year.
    assert_eq!(
        client_cookie.replace(&token, "[token]"),
        "__client=[token]; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=31536000"
    );
    // The app's backend reads `__client_uat` on its own domain, under both names.
    let uat: Vec<String> = res
        .set_cookies()
        .into_iter()
        .filter(|c| c.starts_with("__client_uat"))
        .collect();
    assert_eq!(uat.len(), 2, "{uat:?}");
    for cookie in &uat {
        let (name, rest) = cookie.split_once('=').unwrap();
        assert!(
            name == "__client_uat"
                || (name.len() == "__client_uat_".len() + 8 && name.starts_with("__client_uat_")),
            "{name}"
        );
        assert_eq!(
            rest, "0; SameSite=Lax; Secure; Path=/; Domain=example.com; Max-Age=315360000",
            "signed out: 0"
        );
    }
    snapshot!("production_client_created", created);

    // Signing in rotates the client token (session fixation defence) and
    // moves `__client_uat` to the client's update time.
    let before = browser.credential.clone().unwrap();
    browser.sign_in(&h, "user_5").await;
    let after = browser.credential.clone().unwrap();
    assert_ne!(before, after);
    let res = browser.call(&h, Method::GET, "/v1/client", &[]).await;
    assert_eq!(res.cookie("__client"), None, "a read does not rotate");
    let uat = res.cookie("__client_uat").unwrap();
    assert_eq!(
        uat,
        format!(
            "__client_uat={}; SameSite=Lax; Secure; Path=/; Domain=example.com; Max-Age=315360000",
            T0 / 1000
        )
    );
    snapshot!("production_client_signed_in", res.ok_json());

    // The pre-sign-in token names no client any more: it is cleared.
    let mut stale = Browser {
        credential: Some(before),
        ..Browser::cookie()
    };
    let res = stale.call(&h, Method::GET, "/v1/client", &[]).await;
    assert_eq!(res.ok_json(), json!({"response": null, "client": null}));
    assert_eq!(
        res.cookie("__client").unwrap(),
        "__client=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0"
    );

    // `DELETE /v1/client` clears the cookie too.
    let res = browser.call(&h, Method::DELETE, "/v1/client", &[]).await;
    let deleted = res.ok_json();
    assert_eq!(deleted["client"], Value::Null);
    assert_eq!(
        res.cookie("__client").unwrap(),
        "__client=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0"
    );
    snapshot!("production_client_deleted", deleted);
}

#[actix_web::test]
async fn production_cors_echoes_allowed_origins_and_refuses_foreign_state_changes() {
    let h = Harness::prod().await;
    let mut browser = Browser::cookie();
    browser.sign_in(&h, "user_c").await;

    let res = h
        .fapi(
            TestRequest::default()
                .method(Method::OPTIONS)
                .uri("/v1/client")
                .insert_header(("origin", PROD_APP)),
        )
        .await;
    assert_eq!(res.status, 204);
    assert_eq!(res.header("access-control-allow-origin"), Some(PROD_APP));
    assert_eq!(
        res.header("access-control-allow-methods"),
        Some("GET, POST, PUT, PATCH, DELETE, OPTIONS")
    );
    assert_eq!(res.header("access-control-max-age"), Some("600"));

    // A preflight from elsewhere gets no CORS headers.
    let res = h
        .fapi(
            TestRequest::default()
                .method(Method::OPTIONS)
                .uri("/v1/client")
                .insert_header(("origin", "https://evil.example")),
        )
        .await;
    assert_eq!(res.status, 204);
    assert_eq!(res.header("access-control-allow-origin"), None);

    // A state change from a foreign origin never reaches the handler.
    let mut evil = Browser {
        origin: Some("https://evil.example"),
        ..browser.clone()
    };
    let res = evil
        .call(&h, Method::DELETE, "/v1/client/sessions", &[])
        .await;
    snapshot!("foreign_origin_refused", res.error(403));
    let res = browser.call(&h, Method::GET, "/v1/client", &[]).await;
    assert_eq!(
        res.ok_json()["client"]["sessions"][0]["status"],
        "active",
        "the refused sign-out changed nothing"
    );
}

#[actix_web::test]
async fn native_clients_carry_the_client_token_in_the_authorization_header() {
    let h = Harness::prod().await;
    let mut app = Browser::native();
    // A plain POST creates a client too.
    let res = app.call(&h, Method::POST, "/v1/client", &[]).await;
    let created = res.ok_json();
    assert!(res.set_cookies().is_empty(), "native clients get no cookie");
    let token = res.header("authorization").unwrap().to_owned();
    assert_eq!(jwt_parts(&token).1["id"], created["client"]["id"]);
    snapshot!("native_client_created", created);

    // With or without `Bearer`.
    for header in [format!("Bearer {token}"), token.clone()] {
        let res = h
            .fapi(
                TestRequest::get()
                    .uri("/v1/client?_is_native=1")
                    .insert_header(("authorization", header)),
            )
            .await;
        assert_eq!(res.ok_json()["response"]["id"], created["client"]["id"]);
    }
    let sid = app.sign_in(&h, "user_n").await;
    assert_ne!(app.credential.as_deref(), Some(token.as_str()), "rotated");
    let res = app.call(&h, Method::GET, "/v1/client", &[]).await;
    assert_eq!(
        res.ok_json()["client"]["last_active_session_id"],
        sid.as_str()
    );

    // The operator can turn the native API off.
    let mut options = options(hallpass_domain::Environment::Production);
    options.native_api = false;
    let off = Harness::start(hallpass_domain::Environment::Production, options).await;
    let res = Browser::native()
        .call(&off, Method::PUT, "/v1/client", &[])
        .await;
    snapshot!("native_api_disabled", res.error(400));
}
