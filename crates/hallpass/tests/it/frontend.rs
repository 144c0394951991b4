use hallpass_domain::handshake::session_token_of;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A Frontend API call as clerk-js makes it: form body, `_method` for
/// anything but GET/POST, the dev browser in the query.
async fn fapi(
    server: &Server,
    method: &str,
    path: &str,
    dvb: Option<&str>,
    form: &[(&str, &str)],
    origin: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut url = url::Url::parse(&format!("{}{path}", server.fapi)).unwrap();
    url.query_pairs_mut()
        .append_pair("__clerk_api_version", "2026-05-12");
    if let Some(dvb) = dvb {
        url.query_pairs_mut().append_pair("__clerk_db_jwt", dvb);
    }
    let http_method = match method {
        "GET" => Method::GET,
        "POST" => Method::POST,
        other => {
            url.query_pairs_mut().append_pair("_method", other);
            Method::POST
        }
    };
    let mut req = no_redirects().request(http_method, url);
    if !form.is_empty() {
        req = req.form(form);
    }
    if let Some(o) = origin {
        req = req.header("Origin", o);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = res.json().await.unwrap_or(Value::Null);
    (status, headers, body)
}

#[tokio::test]
async fn a_development_browser_signs_in_with_a_ticket_refreshes_and_signs_out() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);

    // The dev browser.
    let (status, headers, body) =
        fapi(&server, "POST", "/v1/dev_browser", None, &[], Some(APP)).await;
    assert_eq!(status, 200);
    let dvb = body["token"].as_str().unwrap().to_owned();
    assert_eq!(body["id"], dvb.as_str());
    assert!(dvb.starts_with("dvb_"));
    assert_eq!(headers["clerk-db-jwt"], dvb.as_str());
    assert_eq!(headers["access-control-allow-origin"], APP);
    assert_eq!(headers["access-control-allow-credentials"], "true");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "no-referrer");

    let (status, _, body) = fapi(
        &server,
        "GET",
        "/v1/client",
        Some("dvb_unknownunknownunknown1"),
        &[],
        Some(APP),
    )
    .await;
    assert_eq!(
        (status, &body["errors"][0]["code"]),
        (401, &json!("dev_browser_unauthenticated"))
    );
    // No development browser named: the `__client` cookie (none here).
    let (status, _, body) = fapi(&server, "GET", "/v1/client", None, &[], Some(APP)).await;
    assert_eq!(
        (status, body),
        (200, json!({"response": null, "client": null}))
    );
    let (status, _, body) = fapi(&server, "GET", "/v1/client", Some(&dvb), &[], Some(APP)).await;
    assert_eq!(
        (status, body),
        (200, json!({"response": null, "client": null}))
    );

    // clerk-js `client.create()`: POST ?_method=PUT.
    let (status, _, body) = fapi(&server, "PUT", "/v1/client", Some(&dvb), &[], Some(APP)).await;
    assert_eq!(status, 200, "{body}");
    let client_id = body["response"]["id"].as_str().unwrap().to_owned();
    assert_eq!(body["client"]["id"], client_id.as_str());
    assert_eq!(body["client"]["sessions"], json!([]));
    let (_, _, body) = fapi(&server, "GET", "/v1/client", Some(&dvb), &[], Some(APP)).await;
    assert_eq!(body["response"]["id"], client_id.as_str());

    // Ticket sign-in.
    let t = ticket(&server, "user_1").await;
    let (status, _, body) = fapi(
        &server,
        "POST",
        "/v1/client/sign_ins",
        Some(&dvb),
        &[("strategy", "ticket"), ("ticket", &t)],
        Some(APP),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let attempt = &body["response"];
    assert_eq!(
        (&attempt["object"], &attempt["status"]),
        (&json!("sign_in_attempt"), &json!("complete"))
    );
    let sid = attempt["created_session_id"].as_str().unwrap().to_owned();
    let client = &body["client"];
    assert_eq!(client["id"], client_id.as_str());
    assert_eq!(client["last_active_session_id"], sid.as_str());
    let session = &client["sessions"][0];
    assert_eq!(
        (&session["id"], &session["status"]),
        (&json!(sid), &json!("active"))
    );
    let piggybacked = session["last_active_token"]["jwt"].as_str().unwrap();
    let claims = part(piggybacked, 1);
    assert_eq!(
        (&claims["sid"], &claims["sub"], &claims["azp"]),
        (
            &json!(sid),
            &json!(user(&server, "user_1").await),
            &json!(APP)
        )
    );

    // The ticket is single-use, even on another browser.
    let (_, _, other) = fapi(&server, "POST", "/v1/dev_browser", None, &[], None).await;
    let other_dvb = other["token"].as_str().unwrap();
    let (status, _, body) = fapi(
        &server,
        "POST",
        "/v1/client/sign_ins",
        Some(other_dvb),
        &[("strategy", "ticket"), ("ticket", &t)],
        Some(APP),
    )
    .await;
    assert_eq!(
        (status, &body["errors"][0]["code"]),
        (422, &json!("ticket_invalid"))
    );
    // Single-session mode: a second sign-in on this client is refused.
    let t2 = ticket(&server, "user_2").await;
    let (status, _, body) = fapi(
        &server,
        "POST",
        "/v1/client/sign_ins",
        Some(&dvb),
        &[("strategy", "ticket"), ("ticket", &t2)],
        Some(APP),
    )
    .await;
    assert_eq!(
        (status, &body["errors"][0]["code"]),
        (400, &json!("session_exists"))
    );

    // Token refresh and touch.
    let (status, headers, body) = fapi(
        &server,
        "POST",
        &format!("/v1/client/sessions/{sid}/tokens"),
        Some(&dvb),
        &[("organization_id", "")],
        Some(APP),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["object"], "token");
    assert_eq!(part(body["jwt"].as_str().unwrap(), 1)["sid"], sid.as_str());
    // A browser never makes itself a member of an organization: an
    // organization becomes active only for a member of it; any other is
    // refused with Clerk's error, the same one whether the organization
    // exists or not.
    for (action, form) in [
        (
            "touch",
            [
                ("active_organization_id", "org_someone_elses_company"),
                ("intent", "select_org"),
            ]
            .as_slice(),
        ),
        (
            "tokens",
            [("organization_id", "org_someone_elses_company")].as_slice(),
        ),
    ] {
        let path = format!("/v1/client/sessions/{sid}/{action}");
        let (status, _, body) = fapi(&server, "POST", &path, Some(&dvb), form, Some(APP)).await;
        assert_eq!(
            (status, &body["errors"][0]["code"]),
            (404, &json!("organization_not_found_or_unauthorized")),
            "{action}: {body}"
        );
    }
    // The personal account can always be chosen.
    let (status, _, body) = fapi(
        &server,
        "POST",
        &format!("/v1/client/sessions/{sid}/touch"),
        Some(&dvb),
        &[("active_organization_id", ""), ("intent", "select_org")],
        Some(APP),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["response"]["last_active_organization_id"], Value::Null);
    let jwt = body["response"]["last_active_token"]["jwt"]
        .as_str()
        .unwrap();
    assert!(part(jwt, 1).get("o").is_none(), "{}", part(jwt, 1));

    // The handshake, as the app's backend SDK starts it.
    let mut url = url::Url::parse(&format!("{}/v1/client/handshake", server.fapi)).unwrap();
    url.query_pairs_mut()
        .append_pair("redirect_url", &format!("{APP}/dashboard?tab=1"))
        .append_pair("__clerk_db_jwt", &dvb)
        .append_pair("suffixed_cookies", "true")
        .append_pair("format", "token")
        .append_pair("__clerk_hs_reason", "dev-browser-sync");
    let res = no_redirects().get(url.clone()).send().await.unwrap();
    assert_eq!(res.status(), 307);
    let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(location.origin().ascii_serialization(), APP);
    assert_eq!(location.path(), "/dashboard");
    let pairs: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    assert_eq!(pairs[0], ("tab".into(), "1".into()));
    let handshake = &pairs
        .iter()
        .find(|(k, _)| k == "__clerk_handshake")
        .unwrap()
        .1;
    assert_eq!(part(handshake, 0)["cat"], "cl_B7d4PD111AAA");
    let directives: Vec<String> =
        serde_json::from_value(part(handshake, 1)["handshake"].clone()).unwrap();
    let token = session_token_of(&directives).expect("a session token");
    let token_claims = part(token, 1);
    assert_eq!(token_claims["sid"], sid.as_str());
    assert_eq!(token_claims["azp"], APP);
    let uat: i64 = directives
        .iter()
        .find_map(|d| {
            d.strip_prefix("__client_uat=")
                .and_then(|v| v.split(';').next())
                .filter(|v| !v.is_empty())
        })
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        uat > 0 && uat <= token_claims["iat"].as_i64().unwrap(),
        "uat {uat}"
    );
    assert!(
        directives
            .iter()
            .any(|d| d.starts_with(&format!("__clerk_db_jwt={dvb};")))
    );
    assert!(directives.iter().any(|d| d.starts_with("__session_")));
    assert!(token_claims.get("o").is_none(), "{token_claims}");

    // The handshake's `organization_id` is applied only for a member: a
    // foreign organization leaves the session as it was (the Client API's
    // contract), and the token carries no organization.
    let mut foreign = url.clone();
    foreign
        .query_pairs_mut()
        .append_pair("organization_id", "org_someone_elses_company");
    let res = no_redirects().get(foreign).send().await.unwrap();
    assert_eq!(res.status(), 307);
    let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    let (_, handshake) = location
        .query_pairs()
        .into_owned()
        .find(|(k, _)| k == "__clerk_handshake")
        .unwrap();
    let directives: Vec<String> =
        serde_json::from_value(part(&handshake, 1)["handshake"].clone()).unwrap();
    let claims = part(session_token_of(&directives).expect("a session token"), 1);
    assert_eq!(claims["sid"], sid.as_str());
    assert!(claims.get("o").is_none(), "{claims}");
    let (_, _, body) = fapi(&server, "GET", "/v1/client", Some(&dvb), &[], Some(APP)).await;
    assert_eq!(
        body["response"]["sessions"][0]["last_active_organization_id"],
        Value::Null
    );

    // A foreign redirect is refused without a redirect.
    for evil in [
        "https://evil.example/x",
        "//evil.example",
        "http://localhost:3000@evil.example/",
    ] {
        let mut url = url::Url::parse(&format!("{}/v1/client/handshake", server.fapi)).unwrap();
        url.query_pairs_mut()
            .append_pair("redirect_url", evil)
            .append_pair("__clerk_db_jwt", &dvb);
        let res = no_redirects().get(url).send().await.unwrap();
        assert_eq!(res.status(), 400, "{evil}");
        assert!(res.headers().get("location").is_none());
        assert_eq!(
            res.json::<Value>().await.unwrap()["errors"][0]["code"],
            "url_invalid"
        );
    }

    // Sign out (clerk-js signOut(): DELETE /v1/client/sessions).
    let (status, _, body) = fapi(
        &server,
        "DELETE",
        "/v1/client/sessions",
        Some(&dvb),
        &[],
        Some(APP),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["client"]["sessions"], json!([]));
    assert_eq!(body["client"]["last_active_session_id"], Value::Null);
    let (status, _, body) = fapi(
        &server,
        "POST",
        &format!("/v1/client/sessions/{sid}/tokens"),
        Some(&dvb),
        &[],
        Some(APP),
    )
    .await;
    assert_eq!(
        (status, &body["errors"][0]["code"]),
        (401, &json!("signed_out"))
    );

    // The handshake now says signed out.
    let res = no_redirects().get(url).send().await.unwrap();
    let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    let handshake = location
        .query_pairs()
        .find(|(k, _)| k == "__clerk_handshake")
        .unwrap()
        .1
        .into_owned();
    let directives: Vec<String> =
        serde_json::from_value(part(&handshake, 1)["handshake"].clone()).unwrap();
    assert_eq!(session_token_of(&directives), None);
    assert!(directives.iter().any(|d| d.starts_with("__client_uat=0;")));
}

#[tokio::test]
async fn a_handshake_without_a_known_development_browser_creates_one_and_ends_signed_out() {
    // A browser's first visit to an app (no `__clerk_db_jwt` yet, the SDK's
    // `dev-browser-missing`), or one whose dev browser the store no longer
    // knows: the handshake must bring it back to the app, not stop on a 401.
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    for named in [None, Some("dvb_unknownunknownunknown1")] {
        let mut url = url::Url::parse(&format!("{}/v1/client/handshake", server.fapi)).unwrap();
        url.query_pairs_mut()
            .append_pair("redirect_url", &format!("{APP}/dashboard"))
            .append_pair("suffixed_cookies", "true")
            .append_pair("format", "token")
            .append_pair("__clerk_hs_reason", "dev-browser-missing");
        if let Some(dvb) = named {
            url.query_pairs_mut().append_pair("__clerk_db_jwt", dvb);
        }
        let res = no_redirects().get(url).send().await.unwrap();
        assert_eq!(res.status(), 307, "{named:?}");
        let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
        assert_eq!(location.origin().ascii_serialization(), APP);
        assert_eq!(location.path(), "/dashboard");
        let handshake = location
            .query_pairs()
            .find(|(k, _)| k == "__clerk_handshake")
            .unwrap()
            .1
            .into_owned();
        let directives: Vec<String> =
            serde_json::from_value(part(&handshake, 1)["handshake"].clone()).unwrap();
        assert_eq!(session_token_of(&directives), None, "signed out");
        assert!(directives.iter().any(|d| d.starts_with("__client_uat=0;")));
        let dvb = cookie_value(&directives, "__clerk_db_jwt").expect("a new dev browser");
        assert!(dvb.starts_with("dvb_"), "{dvb}");
        assert_ne!(Some(dvb.as_str()), named);
        assert!(
            directives
                .iter()
                .any(|d| d.starts_with("__clerk_db_jwt_") && d.contains(&format!("={dvb};"))),
            "{directives:?}"
        );
        // The new dev browser is a real one: the Frontend API knows it.
        let (status, _, body) =
            fapi(&server, "GET", "/v1/client", Some(&dvb), &[], Some(APP)).await;
        assert_eq!(
            (status, body),
            (200, json!({"response": null, "client": null}))
        );
    }
}

fn set_cookies(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn cookie_value(cookies: &[String], name: &str) -> Option<String> {
    cookies
        .iter()
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
}

#[tokio::test]
async fn a_production_browser_keeps_its_client_in_an_http_only_cookie_that_rotates_on_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let app = "https://app.example.com";
    let server = serve_with_env(
        dir.path(),
        &[],
        &[
            ("HALLPASS__ENVIRONMENT", "production"),
            ("HALLPASS__FRONTEND_API__ALLOWED_ORIGINS", app),
            ("HALLPASS__FRONTEND_API__COOKIE_DOMAIN", "example.com"),
        ],
    );
    assert!(server.publishable_key.starts_with("pk_live_"));
    let call = |method: Method, path: &str, cookie: Option<&str>, origin: Option<&str>| {
        let mut req = no_redirects().request(method, format!("{}{path}", server.fapi));
        if let Some(c) = cookie {
            req = req.header("cookie", format!("__client={c}"));
        }
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req
    };

    let res = call(Method::POST, "/v1/client?_method=PUT", None, Some(app))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookies = set_cookies(res.headers());
    let client_cookie = cookies.iter().find(|c| c.starts_with("__client=")).unwrap();
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(client_cookie.contains(attr), "{client_cookie}");
    }
    let uat = cookies
        .iter()
        .find(|c| c.starts_with("__client_uat="))
        .unwrap();
    assert!(
        uat.starts_with("__client_uat=0;") && uat.contains("Domain=example.com"),
        "{uat}"
    );
    let before = cookie_value(&cookies, "__client").unwrap();

    // Sign in: the client token rotates.
    let t = ticket(&server, "user_5").await;
    let res = call(
        Method::POST,
        "/v1/client/sign_ins",
        Some(&before),
        Some(app),
    )
    .form(&[("strategy", "ticket"), ("ticket", t.as_str())])
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    let cookies = set_cookies(res.headers());
    let after = cookie_value(&cookies, "__client").unwrap();
    assert_ne!(after, before);
    assert_ne!(cookie_value(&cookies, "__client_uat").unwrap(), "0");

    // The pre-sign-in cookie no longer names the client (fixation defence)
    // and is cleared; the new one does.
    let res = call(Method::GET, "/v1/client", Some(&before), None)
        .send()
        .await
        .unwrap();
    let cookies = set_cookies(res.headers());
    assert!(
        cookies.iter().any(|c| c.starts_with("__client=;")),
        "{cookies:?}"
    );
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"response": null, "client": null})
    );
    let body: Value = call(Method::GET, "/v1/client", Some(&after), None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["response"]["sessions"][0]["status"], "active");
    // A tampered cookie is no client either.
    let tampered = tampered(&after);
    let body: Value = call(Method::GET, "/v1/client", Some(&tampered), None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["client"], Value::Null);

    // CORS: the allowed origin is echoed; a state change from another is refused.
    let res = call(Method::OPTIONS, "/v1/client", None, Some(app))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(res.headers()["access-control-allow-origin"], app);
    let res = call(
        Method::POST,
        "/v1/client/sessions?_method=DELETE",
        Some(&after),
        Some("https://evil.example"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        res.json::<Value>().await.unwrap()["errors"][0]["code"],
        "origin_invalid"
    );
    let body: Value = call(Method::GET, "/v1/client", Some(&after), None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["response"]["sessions"][0]["status"], "active",
        "the refused sign-out changed nothing"
    );

    // The production handshake: the payload travels in a cookie on the app's domain.
    let res = call(
        Method::GET,
        &format!(
            "/v1/client/handshake?redirect_url={}&format=token",
            urlencode(&format!("{app}/home"))
        ),
        Some(&after),
        None,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), 307);
    assert_eq!(res.headers()["location"], format!("{app}/home"));
    let cookies = set_cookies(res.headers());
    let hs = cookies
        .iter()
        .find(|c| c.starts_with("__clerk_handshake="))
        .unwrap();
    assert!(hs.contains("Domain=example.com"), "{hs}");
    let jwt = cookie_value(&cookies, "__clerk_handshake").unwrap();
    let directives: Vec<String> =
        serde_json::from_value(part(&jwt, 1)["handshake"].clone()).unwrap();
    assert!(session_token_of(&directives).is_some());
    assert!(
        directives
            .iter()
            .any(|d| d.starts_with("__clerk_handshake=;") && d.contains("Domain=example.com"))
    );
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn native_clients_carry_the_client_token_in_the_authorization_header() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve_with_env(dir.path(), &[], &[("HALLPASS__ENVIRONMENT", "production")]);
    let res = no_redirects()
        .post(format!(
            "{}/v1/client?_is_native=1&_method=PUT",
            server.fapi
        ))
        .header("authorization", "")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers().get("set-cookie").is_none(),
        "native clients get no cookie"
    );
    let token = res.headers()["authorization"].to_str().unwrap().to_owned();
    let id = res.json::<Value>().await.unwrap()["response"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for header in [format!("Bearer {token}"), token.clone()] {
        let body: Value = no_redirects()
            .get(format!("{}/v1/client?_is_native=1", server.fapi))
            .header("authorization", header)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["response"]["id"], id.as_str());
    }
    let body: Value = no_redirects()
        .get(format!("{}/v1/client?_is_native=1", server.fapi))
        .header("authorization", "")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body, json!({"response": null, "client": null}));
}

#[tokio::test]
async fn sessions_of_another_client_are_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    let mut browsers = Vec::new();
    for user in ["user_a", "user_b"] {
        let (_, _, body) = fapi(&server, "POST", "/v1/dev_browser", None, &[], None).await;
        let dvb = body["token"].as_str().unwrap().to_owned();
        fapi(&server, "PUT", "/v1/client", Some(&dvb), &[], None).await;
        let t = ticket(&server, user).await;
        let (_, _, body) = fapi(
            &server,
            "POST",
            "/v1/client/sign_ins",
            Some(&dvb),
            &[("strategy", "ticket"), ("ticket", &t)],
            None,
        )
        .await;
        browsers.push((
            dvb,
            body["response"]["created_session_id"]
                .as_str()
                .unwrap()
                .to_owned(),
        ));
    }
    let (a_dvb, _) = &browsers[0];
    let (_, b_sid) = &browsers[1];
    for (method, path) in [
        ("GET", format!("/v1/client/sessions/{b_sid}")),
        ("POST", format!("/v1/client/sessions/{b_sid}/tokens")),
        ("POST", format!("/v1/client/sessions/{b_sid}/touch")),
        ("POST", format!("/v1/client/sessions/{b_sid}/end")),
        ("POST", format!("/v1/client/sessions/{b_sid}/remove")),
    ] {
        let (status, _, body) = fapi(&server, method, &path, Some(a_dvb), &[], None).await;
        assert_eq!(
            (status, &body["errors"][0]["code"]),
            (404, &json!("resource_not_found")),
            "{method} {path}"
        );
    }
    let res = server
        .bapi(Method::GET, &format!("/v1/sessions/{b_sid}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.json::<Value>().await.unwrap()["status"],
        "active",
        "b's session untouched"
    );
}

#[tokio::test]
async fn a_large_handshake_travels_as_a_single_use_nonce_redeemed_on_the_backend_api() {
    let dir = tempfile::tempdir().unwrap();
    let domain = "a-rather-long-registrable-domain-name-for-cookies.example.com";
    let app = format!("https://app.{domain}");
    let server = serve_with_env(
        dir.path(),
        &[],
        &[
            ("HALLPASS__ENVIRONMENT", "production"),
            ("HALLPASS__FRONTEND_API__ALLOWED_ORIGINS", app.as_str()),
            ("HALLPASS__FRONTEND_API__COOKIE_DOMAIN", domain),
        ],
    );
    // A signed-in client.
    let res = no_redirects()
        .post(format!("{}/v1/client?_method=PUT", server.fapi))
        .header("origin", &app)
        .send()
        .await
        .unwrap();
    let client = cookie_value(&set_cookies(res.headers()), "__client").unwrap();
    let t = ticket(&server, "user_n").await;
    let res = no_redirects()
        .post(format!("{}/v1/client/sign_ins", server.fapi))
        .header("origin", &app)
        .header("cookie", format!("__client={client}"))
        .form(&[("strategy", "ticket"), ("ticket", t.as_str())])
        .send()
        .await
        .unwrap();
    let client = cookie_value(&set_cookies(res.headers()), "__client").unwrap();

    let handshake = |format: &'static str| {
        no_redirects()
            .get(format!(
                "{}/v1/client/handshake?redirect_url={}&format={format}&suffixed_cookies=true",
                server.fapi,
                urlencode(&format!("{app}/")),
            ))
            .header("cookie", format!("__client={client}"))
            .send()
    };
    // The token format carries the whole list; it is over 2 KB here.
    let res = handshake("token").await.unwrap();
    let jwt = cookie_value(&set_cookies(res.headers()), "__clerk_handshake").unwrap();
    let directives: Vec<String> =
        serde_json::from_value(part(&jwt, 1)["handshake"].clone()).unwrap();
    let size = serde_json::to_string(&directives).unwrap().len();
    assert!(
        size > 2048,
        "the test needs a payload over 2 KB, got {size}"
    );

    // The nonce format stores it instead.
    let res = handshake("nonce").await.unwrap();
    assert_eq!(res.status(), 307);
    let cookies = set_cookies(res.headers());
    assert!(cookie_value(&cookies, "__clerk_handshake").is_none());
    let nonce = cookie_value(&cookies, "__clerk_handshake_nonce").unwrap();
    let url = format!("/v1/clients/handshake_payload?nonce={nonce}");
    let res = server.bapi(Method::GET, &url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let directives: Vec<String> = serde_json::from_value(body["directives"].clone()).unwrap();
    assert!(session_token_of(&directives).is_some());
    // Once only.
    let res = server.bapi(Method::GET, &url).send().await.unwrap();
    assert_eq!(res.status(), 404);
    // And only with the secret key.
    let res = http()
        .get(format!("{}{url}", server.bapi))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn client_touch_reissues_the_cookie_and_redirects_back() {
    let dir = tempfile::tempdir().unwrap();
    let app = "https://app.example.com";
    let server = serve_with_env(
        dir.path(),
        &[],
        &[
            ("HALLPASS__ENVIRONMENT", "production"),
            ("HALLPASS__FRONTEND_API__ALLOWED_ORIGINS", app),
        ],
    );
    let res = no_redirects()
        .post(format!("{}/v1/client?_method=PUT", server.fapi))
        .header("origin", app)
        .send()
        .await
        .unwrap();
    let client = cookie_value(&set_cookies(res.headers()), "__client").unwrap();
    let res = no_redirects()
        .get(format!(
            "{}/v1/client/touch?redirect_url={}",
            server.fapi,
            urlencode(&format!("{app}/x"))
        ))
        .header("cookie", format!("__client={client}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 307);
    assert_eq!(res.headers()["location"], format!("{app}/x"));
    assert!(cookie_value(&set_cookies(res.headers()), "__client").is_some());
    let res = no_redirects()
        .get(format!(
            "{}/v1/client/touch?redirect_url={}",
            server.fapi,
            urlencode("https://evil.example/")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn the_handshake_issues_a_refresh_cookie_that_the_backend_api_rotates() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    let (_, _, body) = fapi(&server, "POST", "/v1/dev_browser", None, &[], None).await;
    let dvb = body["token"].as_str().unwrap().to_owned();
    fapi(&server, "PUT", "/v1/client", Some(&dvb), &[], Some(APP)).await;
    let t = ticket(&server, "user_r").await;
    let (_, _, body) = fapi(
        &server,
        "POST",
        "/v1/client/sign_ins",
        Some(&dvb),
        &[("strategy", "ticket"), ("ticket", &t)],
        Some(APP),
    )
    .await;
    let sid = body["response"]["created_session_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut url = url::Url::parse(&format!("{}/v1/client/handshake", server.fapi)).unwrap();
    url.query_pairs_mut()
        .append_pair("redirect_url", &format!("{APP}/"))
        .append_pair("__clerk_db_jwt", &dvb)
        .append_pair("suffixed_cookies", "true");
    let res = no_redirects().get(url).send().await.unwrap();
    let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    let handshake = location
        .query_pairs()
        .find(|(k, _)| k == "__clerk_handshake")
        .unwrap()
        .1
        .into_owned();
    let directives: Vec<String> =
        serde_json::from_value(part(&handshake, 1)["handshake"].clone()).unwrap();
    let token = session_token_of(&directives).unwrap().to_owned();
    let refresh_cookie = directives
        .iter()
        .find(|d| d.starts_with("__refresh_"))
        .expect("a refresh cookie");
    assert!(refresh_cookie.contains("HttpOnly"), "{refresh_cookie}");
    let (name, rest) = refresh_cookie.split_once('=').unwrap();
    let suffix = name.trim_start_matches("__refresh_").to_owned();
    let r0 = rest.split(';').next().unwrap().to_owned();

    let refresh = |refresh_token: String, format: &'static str| {
        server
            .bapi(
                Method::POST,
                &format!("/v1/sessions/{sid}/refresh?suffixed_cookies=true"),
            )
            .json(&json!({
                "expired_token": token,
                "refresh_token": refresh_token,
                "request_origin": APP,
                "request_headers": {"user-agent": ["Mozilla/5.0"]},
                "format": format,
            }))
            .send()
    };
    let res = refresh(r0.clone(), "cookie").await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["object"], "cookies");
    let cookies: Vec<String> = serde_json::from_value(body["cookies"].clone()).unwrap();
    assert!(cookies[0].starts_with(&format!("__session_{suffix}=")));
    let jwt = session_token_of(&cookies).expect("a new session token");
    assert_eq!(part(jwt, 1)["sid"], sid.as_str());
    assert_eq!(part(jwt, 1)["azp"], APP);
    let r1 = cookies
        .iter()
        .find_map(|c| c.strip_prefix(&format!("__refresh_{suffix}=")))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(r1, r0);

    // A quick retry with r0 gets the same r1; r1 works in token format.
    let again: Value = refresh(r0.clone(), "cookie")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(again["cookies"].to_string().contains(&r1));
    let res = refresh(r1.clone(), "token").await.unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["object"], "token");

    // Validation failures are 401s (the SDK falls back to a handshake).
    for bad in ["nope".to_owned(), String::new()] {
        let res = refresh(bad, "cookie").await.unwrap();
        assert_eq!(res.status(), 401);
    }
    let res = server
        .bapi(
            Method::POST,
            "/v1/sessions/sess_0000000000000000000000/refresh",
        )
        .json(&json!({"expired_token": token, "refresh_token": r1, "request_origin": APP}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn sign_in_records_the_device_as_latest_activity() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve_with_env(
        dir.path(),
        &[],
        &[(
            "HALLPASS__FRONTEND_API__CLIENT_IP_HEADER",
            "X-Forwarded-For",
        )],
    );
    let (_, _, body) = fapi(&server, "POST", "/v1/dev_browser", None, &[], None).await;
    let dvb = body["token"].as_str().unwrap().to_owned();
    fapi(&server, "PUT", "/v1/client", Some(&dvb), &[], None).await;
    let t = ticket(&server, "user_m").await;
    let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
    let res = no_redirects()
        .post(format!(
            "{}/v1/client/sign_ins?__clerk_db_jwt={dvb}",
            server.fapi
        ))
        .header("user-agent", iphone)
        // The proxy appended the address it saw; the first entry is the
        // client's own claim and is ignored.
        .header("x-forwarded-for", "198.51.100.66, 203.0.113.9")
        .form(&[("strategy", "ticket"), ("ticket", t.as_str())])
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    let sid = body["response"]["created_session_id"].as_str().unwrap();
    let session: Value = server
        .bapi(Method::GET, &format!("/v1/sessions/{sid}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let activity = &session["latest_activity"];
    assert_eq!(activity["object"], "session_activity");
    assert_eq!(activity["is_mobile"], true);
    assert_eq!(activity["browser_name"], "Safari");
    assert_eq!(activity["device_type"], "smartphone");
    assert_eq!(activity["ip_address"], "203.0.113.9");
    let list: Value = server
        .bapi(
            Method::GET,
            &format!("/v1/sessions?user_id={}", user(&server, "user_m").await),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["latest_activity"], *activity);
}
