//! `GET /v1/client/handshake` and `GET /v1/client/touch` on the Frontend
//! API, and the redemption of a handshake nonce on the Backend API.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use hallpass_domain::Environment;
use serde_json::{Value, json};

use crate::support::*;

fn refusal(res: &Resp) -> Value {
    assert_eq!(res.header("location"), None, "a refusal never redirects");
    json!({ "status": res.status.as_u16(), "body": res.json() })
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The handshake JWT's header and directives.
fn payload(jwt: &str) -> (Value, Vec<String>) {
    let (header, claims) = jwt_parts(jwt);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        60
    );
    (
        header,
        serde_json::from_value(claims["handshake"].clone()).unwrap(),
    )
}

#[actix_web::test]
async fn a_development_handshake_redirects_back_with_the_payload_in_the_query() {
    let h = Harness::dev().await;
    let mut browser = Browser::dev(&h).await;
    let dvb = browser.credential.clone().unwrap();
    browser.sign_in(&h, "user_1").await;
    let path = format!(
        "/v1/client/handshake?redirect_url={}&suffixed_cookies=true&format=token&__clerk_hs_reason=dev-browser-sync",
        encode(&format!("{DEV_APP}/dashboard?tab=1"))
    );
    let res = browser.call(&h, Method::GET, &path, &[]).await;
    assert_eq!(res.status, 307, "{:?}", res.body);
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert!(res.set_cookies().is_empty(), "development: no cookies");
    let location = url::Url::parse(res.header("location").unwrap()).unwrap();
    assert_eq!(location.origin().ascii_serialization(), DEV_APP);
    assert_eq!(location.path(), "/dashboard");
    let pairs: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    assert_eq!(pairs.len(), 2, "{pairs:?}");
    assert_eq!(pairs[0], ("tab".to_owned(), "1".to_owned()));
    assert_eq!(pairs[1].0, "__clerk_handshake");
    let (header, directives) = payload(&pairs[1].1);
    assert!(
        directives
            .iter()
            .any(|d| d.starts_with(&format!("__clerk_db_jwt={dvb};")))
    );
    snapshot!("development_handshake_header", header);
    snapshot!(
        "development_handshake_signed_in",
        json!({ "handshake": directives })
    );
}

#[actix_web::test]
async fn a_development_handshake_without_a_known_dev_browser_makes_one_and_ends_signed_out() {
    let h = Harness::dev().await;
    for dvb in [None, Some("dvb_unknownunknownunknown1")] {
        let mut browser = Browser {
            transport: Transport::DevBrowser,
            credential: dvb.map(str::to_owned),
            origin: None,
            user_agent: None,
        };
        let path = format!(
            "/v1/client/handshake?redirect_url={}",
            encode(&format!("{DEV_APP}/"))
        );
        let res = browser.call(&h, Method::GET, &path, &[]).await;
        assert_eq!(res.status, 307, "{dvb:?}");
        let (_, directives) = payload(&handshake_in_location(&res));
        let new = directive_value(&directives, "__clerk_db_jwt=").unwrap();
        assert_ne!(Some(new.as_str()), dvb);
        // A real development browser: the Frontend API knows it.
        let mut fresh = Browser {
            credential: Some(new),
            ..browser.clone()
        };
        let res = fresh.call(&h, Method::GET, "/v1/client", &[]).await;
        assert_eq!(res.ok_json(), json!({"response": null, "client": null}));
        snapshot!(
            "development_handshake_new_dev_browser",
            json!({ "handshake": directives })
        );
    }
}

#[actix_web::test]
async fn a_development_instance_without_dev_browsers_uses_the_client_cookie_and_its_handshake_binds_one()
 {
    let h = Harness::dev().await;
    // clerk-js behind `proxyUrl`: no development browser, the cookie.
    let mut browser = Browser {
        origin: Some(DEV_APP),
        ..Browser::cookie()
    };
    let client = browser.create_client(&h).await;
    let client_id = client["response"]["id"].as_str().unwrap().to_owned();
    assert!(browser.credential.is_some(), "the __client cookie is set");
    let sid = browser.sign_in(&h, "user_cookie").await;
    let res = browser.call(&h, Method::GET, "/v1/client", &[]).await;
    let body = res.ok_json();
    assert_eq!(body["response"]["id"], client_id.as_str());
    assert_eq!(body["response"]["sessions"][0]["id"], sid.as_str());
    assert_eq!(res.header("clerk-db-jwt"), None);

    // The app's backend sends the browser to the handshake without a
    // development browser: it finds the cookie's client and hands the app a
    // new development browser bound to it.
    let path = format!(
        "/v1/client/handshake?redirect_url={}&__clerk_hs_reason=dev-browser-missing",
        encode(&format!("{DEV_APP}/"))
    );
    let navigation = Browser {
        origin: None,
        ..browser.clone()
    };
    let res = h.fapi(navigation.request(Method::GET, &path)).await;
    assert_eq!(res.status, 307, "{:?}", res.body);
    let (_, directives) = payload(&handshake_in_location(&res));
    let token = directive_value(&directives, "__session=")
        .expect("a session token for the signed-in client");
    assert_eq!(jwt_parts(&token).1["sid"], sid.as_str());
    let dvb = directive_value(&directives, "__clerk_db_jwt=").expect("a development browser");
    let mut bound = Browser {
        transport: Transport::DevBrowser,
        credential: Some(dvb),
        origin: Some(DEV_APP),
        user_agent: None,
    };
    let res = bound.call(&h, Method::GET, "/v1/client", &[]).await;
    assert_eq!(res.ok_json()["response"]["id"], client_id.as_str());

    // Without a cookie: signed out, with a development browser of its own.
    let res = h.fapi(Browser::cookie().request(Method::GET, &path)).await;
    assert_eq!(res.status, 307);
    let (_, directives) = payload(&handshake_in_location(&res));
    assert!(directive_value(&directives, "__clerk_db_jwt=").is_some_and(|v| !v.is_empty()));
    assert_eq!(
        directive_value(&directives, "__session="),
        Some(String::new()),
        "signed out: the session cookie cleared, {directives:?}"
    );
}

#[actix_web::test]
async fn a_production_handshake_sets_its_payload_as_a_cookie_on_the_apps_domain() {
    let h = Harness::prod().await;
    let mut browser = Browser::cookie();
    browser.sign_in(&h, "user_p").await;
    let path = format!(
        "/v1/client/handshake?redirect_url={}&format=token",
        encode(&format!("{PROD_APP}/home"))
    );
    // The SDK sends the browser here: no `Origin` on a navigation.
    let navigation = Browser {
        origin: None,
        ..browser.clone()
    };
    let res = h.fapi(navigation.request(Method::GET, &path)).await;
    assert_eq!(res.status, 307, "{:?}", res.body);
    assert_eq!(
        res.header("location"),
        Some(format!("{PROD_APP}/home").as_str())
    );
    let cookie = res.cookie("__clerk_handshake").unwrap();
    let jwt = cookie_value(&cookie).to_owned();
    assert_eq!(
        cookie.replace(&jwt, "[jwt]"),
        "__clerk_handshake=[jwt]; HttpOnly; SameSite=Lax; Secure; Path=/; Domain=example.com; Max-Age=60"
    );
    let (_, directives) = payload(&jwt);
    snapshot!(
        "production_handshake_signed_in",
        json!({ "handshake": directives })
    );
}

#[actix_web::test]
async fn a_large_handshake_travels_as_a_nonce_redeemed_once_on_the_backend_api() {
    let mut options = options(Environment::Production);
    options.handshake_nonce_min_bytes = 0;
    let h = Harness::start(Environment::Production, options).await;
    let mut browser = Browser::cookie();
    browser.sign_in(&h, "user_n").await;
    let path = format!(
        "/v1/client/handshake?redirect_url={}&format=nonce&suffixed_cookies=true",
        encode(&format!("{PROD_APP}/"))
    );
    let res = browser.call(&h, Method::GET, &path, &[]).await;
    assert_eq!(res.status, 307);
    assert_eq!(res.cookie("__clerk_handshake"), None);
    let cookie = res.cookie("__clerk_handshake_nonce").unwrap();
    let nonce = cookie_value(&cookie).to_owned();
    assert_eq!(
        cookie.replace(&nonce, "[nonce]"),
        "__clerk_handshake_nonce=[nonce]; HttpOnly; SameSite=Lax; Secure; Path=/; Domain=example.com; Max-Age=60"
    );

    let uri = format!("/v1/clients/handshake_payload?nonce={nonce}");
    // Only with the secret key.
    let res = h.bapi_raw(TestRequest::get().uri(&uri)).await;
    assert_eq!(res.status, 401);
    let res = h.bapi(Method::GET, &uri, None).await;
    let body = res.ok_json();
    assert_eq!(res.header("cache-control"), Some("no-store"));
    snapshot!("handshake_payload_redeemed", body);
    // Once.
    let res = h.bapi(Method::GET, &uri, None).await;
    let mut refusals = serde_json::Map::new();
    refusals.insert("redeemed_twice".to_owned(), refusal(&res));
    let res = h
        .bapi(Method::GET, "/v1/clients/handshake_payload", None)
        .await;
    refusals.insert("no_nonce".to_owned(), refusal(&res));
    snapshot!("handshake_payload_refusals", refusals);
}

#[actix_web::test]
async fn handshakes_refuse_foreign_redirects_and_unknown_formats_without_redirecting() {
    let h = Harness::dev().await;
    let mut browser = Browser::dev(&h).await;
    let mut refusals = serde_json::Map::new();
    for (label, query) in [
        ("no_redirect_url", String::new()),
        (
            "foreign_redirect",
            format!("redirect_url={}", encode("https://evil.example/x")),
        ),
        (
            "protocol_relative_redirect",
            format!("redirect_url={}", encode("//evil.example")),
        ),
        (
            "userinfo_redirect",
            format!(
                "redirect_url={}",
                encode("http://localhost:3000@evil.example/")
            ),
        ),
        (
            "unknown_format",
            format!("redirect_url={}&format=json", encode(DEV_APP)),
        ),
    ] {
        let res = browser
            .call(
                &h,
                Method::GET,
                &format!("/v1/client/handshake?{query}"),
                &[],
            )
            .await;
        assert!(res.status.is_client_error(), "{label}");
        refusals.insert(label.to_owned(), refusal(&res));
    }
    snapshot!("handshake_refusals", refusals);
}

#[actix_web::test]
async fn client_touch_reissues_the_cookie_and_redirects_back() {
    let h = Harness::prod().await;
    let mut browser = Browser::cookie();
    browser.create_client(&h).await;
    let before = browser.credential.clone().unwrap();
    h.advance(std::time::Duration::from_secs(1));
    let path = format!(
        "/v1/client/touch?redirect_url={}",
        encode(&format!("{PROD_APP}/x"))
    );
    let res = browser.call(&h, Method::GET, &path, &[]).await;
    assert_eq!(res.status, 307);
    assert_eq!(
        res.header("location"),
        Some(format!("{PROD_APP}/x").as_str())
    );
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let cookie = res.cookie("__client").unwrap();
    // Re-signed, expiring with the client (a year after its creation, a second ago).
    assert!(
        cookie.ends_with("; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=31535999"),
        "{cookie}"
    );
    assert_ne!(
        browser.credential.as_deref(),
        Some(before.as_str()),
        "re-signed"
    );
    let res = browser
        .call(
            &h,
            Method::GET,
            &format!(
                "/v1/client/touch?redirect_url={}",
                encode("https://evil.example/")
            ),
            &[],
        )
        .await;
    snapshot!("client_touch_foreign_redirect", refusal(&res));
}

/// A signed-in production browser's `format=nonce` handshake on an
/// instance whose nonce threshold is `min_bytes`: the cookie it got (name,
/// value). Every harness runs the same steps on a fixed clock and counting
/// ids, so the payload is the same size each time.
async fn nonce_format_handshake(min_bytes: usize) -> (&'static str, String) {
    let mut options = options(Environment::Production);
    options.handshake_nonce_min_bytes = min_bytes;
    let h = Harness::start(Environment::Production, options).await;
    let mut browser = Browser::cookie();
    browser.sign_in(&h, "user_t").await;
    let path = format!(
        "/v1/client/handshake?redirect_url={}&format=nonce",
        encode(&format!("{PROD_APP}/"))
    );
    let res = browser.call(&h, Method::GET, &path, &[]).await;
    assert_eq!(res.status, 307);
    for name in ["__clerk_handshake", "__clerk_handshake_nonce"] {
        if let Some(cookie) = res.cookie(name) {
            return (name, cookie_value(&cookie).to_owned());
        }
    }
    panic!("no handshake cookie");
}

#[actix_web::test]
async fn a_payload_goes_by_nonce_only_when_over_the_threshold() {
    let (name, jwt) = nonce_format_handshake(usize::MAX).await;
    assert_eq!(name, "__clerk_handshake");
    let (_, directives) = payload(&jwt);
    let size = hallpass_domain::handshake::payload_size(&directives);
    assert_eq!(
        nonce_format_handshake(size).await.0,
        "__clerk_handshake",
        "exactly at the threshold: the payload itself"
    );
    assert_eq!(
        nonce_format_handshake(size - 1).await.0,
        "__clerk_handshake_nonce",
        "one byte over"
    );
}

#[actix_web::test]
async fn a_store_failure_in_a_handshake_is_an_error_never_a_signed_out_redirect() {
    let h = Harness::dev().await;
    let mut browser = Browser::dev(&h).await;
    browser.sign_in(&h, "user_f").await;
    h.break_table("sessions");
    let path = format!(
        "/v1/client/handshake?redirect_url={}&format=token",
        encode(&format!("{DEV_APP}/"))
    );
    let res = browser.call(&h, Method::GET, &path, &[]).await;
    assert_eq!(res.error(500)["errors"][0]["code"], "internal_clerk_error");
}
