//! Response headers: every response that carries a token (a session, client,
//! template or handshake token, a development browser, a ticket, a refresh
//! token) says `Cache-Control: no-store`, as does every other `/v1`
//! response but the JWKS, which caches publicly; the security headers are
//! on both APIs.

use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::support::*;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Asserts the headers of `res` and returns its JSON body (or `Null`).
async fn checked(res: Response, what: &str) -> Value {
    let h = res.headers().clone();
    assert!(res.status().as_u16() < 400, "{what}: {}", res.status());
    assert_eq!(
        h.get("cache-control").map(|v| v.to_str().unwrap()),
        Some("no-store"),
        "{what}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(h["x-frame-options"], "DENY", "{what}");
    assert_eq!(h["referrer-policy"], "no-referrer", "{what}");
    assert_eq!(
        h["content-security-policy"], "default-src 'none'; frame-ancestors 'none'",
        "{what}"
    );
    res.json().await.unwrap_or(Value::Null)
}

#[tokio::test]
async fn every_response_carrying_a_token_is_no_store() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    let fapi = |method: Method, path: &str, dvb: &str| {
        let sep = if path.contains('?') { '&' } else { '?' };
        client()
            .request(
                method,
                format!("{}{path}{sep}__clerk_db_jwt={dvb}", server.fapi),
            )
            .header("origin", APP)
    };

    let body = checked(
        client()
            .post(format!("{}/v1/dev_browser", server.fapi))
            .send()
            .await
            .unwrap(),
        "POST /v1/dev_browser",
    )
    .await;
    let dvb = body["token"].as_str().unwrap().to_owned();
    checked(
        fapi(Method::POST, "/v1/client?_method=PUT", &dvb)
            .send()
            .await
            .unwrap(),
        "PUT /v1/client",
    )
    .await;
    let native = client()
        .post(format!(
            "{}/v1/client?_is_native=1&_method=PUT",
            server.fapi
        ))
        .header("authorization", "")
        .send()
        .await
        .unwrap();
    assert!(native.headers().contains_key("authorization"));
    checked(native, "native PUT /v1/client").await;

    let ticket = checked(
        server
            .bapi(Method::POST, "/v1/sign_in_tokens")
            .json(&json!({"user_id": user(&server, "user_1").await}))
            .send()
            .await
            .unwrap(),
        "BAPI POST /v1/sign_in_tokens",
    )
    .await;
    let body = checked(
        fapi(Method::POST, "/v1/client/sign_ins", &dvb)
            .form(&[
                ("strategy", "ticket"),
                ("ticket", ticket["token"].as_str().unwrap()),
            ])
            .send()
            .await
            .unwrap(),
        "POST /v1/client/sign_ins",
    )
    .await;
    let sid = body["response"]["created_session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let client_id = body["client"]["id"].as_str().unwrap().to_owned();
    checked(
        server
            .bapi(Method::POST, "/v1/jwt_templates")
            .json(&json!({"name": "tpl", "claims": {"a": 1}}))
            .send()
            .await
            .unwrap(),
        "BAPI POST /v1/jwt_templates",
    )
    .await;

    let body = checked(
        fapi(
            Method::POST,
            &format!("/v1/client/sessions/{sid}/tokens"),
            &dvb,
        )
        .send()
        .await
        .unwrap(),
        "FAPI session token",
    )
    .await;
    let session_token = body["jwt"].as_str().unwrap().to_owned();
    for (method, path) in [
        (
            Method::POST,
            format!("/v1/client/sessions/{sid}/tokens/tpl"),
        ),
        (Method::POST, format!("/v1/client/sessions/{sid}/touch")),
        (Method::GET, format!("/v1/client/sessions/{sid}")),
        (Method::GET, "/v1/client".to_owned()),
    ] {
        let what = format!("FAPI {method} {path}");
        checked(fapi(method, &path, &dvb).send().await.unwrap(), &what).await;
    }
    let redirect: String =
        url::form_urlencoded::byte_serialize(format!("{APP}/").as_bytes()).collect();
    let mut refresh_token = None;
    for path in ["/v1/client/handshake", "/v1/client/touch"] {
        let res = fapi(
            Method::GET,
            &format!("{path}?redirect_url={redirect}"),
            &dvb,
        )
        .send()
        .await
        .unwrap();
        assert_eq!(res.status(), 307, "{path}");
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        checked(res, path).await;
        if let Some((_, jwt)) = location.split_once("__clerk_handshake=") {
            let directives = part(jwt.split('&').next().unwrap(), 1)["handshake"].clone();
            refresh_token = directives
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .find_map(|d| d.strip_prefix("__refresh_"))
                .and_then(|d| d.split_once('='))
                .map(|(_, v)| v.split(';').next().unwrap().to_owned());
        }
    }

    for (method, path, body) in [
        (
            Method::POST,
            format!("/v1/sessions/{sid}/tokens"),
            json!({}),
        ),
        (
            Method::POST,
            format!("/v1/sessions/{sid}/tokens/tpl"),
            json!({}),
        ),
        (
            Method::POST,
            format!("/v1/sessions/{sid}/refresh"),
            json!({
                "expired_token": session_token,
                "refresh_token": refresh_token.clone().expect("a refresh token"),
                "request_origin": APP,
            }),
        ),
        (Method::GET, format!("/v1/sessions/{sid}"), Value::Null),
        (Method::GET, format!("/v1/clients/{client_id}"), Value::Null),
        (
            Method::GET,
            "/v1/sessions?user_id=user_1".to_owned(),
            Value::Null,
        ),
        (Method::GET, "/v1/jwt_templates".to_owned(), Value::Null),
    ] {
        let mut req = server.bapi(method.clone(), &path);
        if !body.is_null() {
            req = req.json(&body);
        }
        let what = format!("BAPI {method} {path}");
        checked(req.send().await.unwrap(), &what).await;
    }

    // The JWKS is public and cacheable on both listeners.
    for url in [
        format!("{}/v1/jwks", server.fapi),
        format!("{}/.well-known/jwks.json", server.fapi),
    ] {
        let res = client().get(&url).send().await.unwrap();
        assert_eq!(
            res.headers()["cache-control"],
            "public, max-age=300",
            "{url}"
        );
    }
    let res = server.bapi(Method::GET, "/v1/jwks").send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "public, max-age=300");
}
