//! The negative test matrix: hostile or malformed requests against a real
//! `hallpass` process. Every row is refused with Clerk's error shape and the
//! row's status and code, and leaves no trace: after each row the signed-in
//! session is still active, its client still resolves with the current
//! client token, and the Backend API sees no new session.
//!
//! Forged tokens are made the way an attacker would (a foreign RSA key,
//! `alg: none`, HS256 keyed with the public key) and, for claims an attacker
//! cannot sign (expired, not yet valid), with the instance's own key read
//! from its store through the storage port.

use std::time::Duration;

use hallpass_ports::InstanceStore as _;
use josekit::jws::{HS256, JwsHeader, JwsSigner, RS256};
use josekit::jwt::{self, JwtPayload};
use reqwest::{Method, RequestBuilder};
use serde_json::{Map, Value, json};

use crate::support::*;

const EVIL: &str = "https://evil.example";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// A signed-in native client on a production instance, and what an
/// attacker could have collected about it.
struct World {
    server: Server,
    _dir: tempfile::TempDir,
    user: String,
    client_id: String,
    sid: String,
    /// The client token before sign-in (rotated away by it).
    pre_sign_in: String,
    /// The current client token.
    client_token: String,
    /// A live session token of `sid`.
    session_token: String,
    /// The refresh token the handshake issued.
    refresh_token: String,
    /// The instance's signing key (PKCS#8 PEM) and its kid.
    key_pem: String,
    kid: String,
}

impl World {
    fn fapi(&self, method: Method, path_and_query: &str) -> RequestBuilder {
        client().request(method, format!("{}{path_and_query}", self.server.fapi))
    }

    /// A native Frontend API call with `token` as the client credential.
    fn native(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        let sep = if path.contains('?') { '&' } else { '?' };
        self.fapi(method, &format!("{path}{sep}_is_native=1"))
            .header("authorization", token)
    }

    fn bapi(&self, method: Method, path: &str) -> RequestBuilder {
        self.server.bapi(method, path)
    }

    fn mint(&self, token: &str) -> RequestBuilder {
        self.native(
            Method::POST,
            &format!("/v1/client/sessions/{}/tokens", self.sid),
            token,
        )
    }

    fn refresh(&self, expired_token: &str, refresh_token: &str) -> RequestBuilder {
        self.bapi(Method::POST, &format!("/v1/sessions/{}/refresh", self.sid))
            .json(&json!({
                "expired_token": expired_token,
                "refresh_token": refresh_token,
                "request_origin": APP,
            }))
    }

    fn verify_client(&self, token: &str) -> RequestBuilder {
        self.bapi(Method::POST, "/v1/clients/verify")
            .json(&json!({ "token": token }))
    }

    fn verify_session(&self, token: &str) -> RequestBuilder {
        self.bapi(Method::POST, &format!("/v1/sessions/{}/verify", self.sid))
            .header("Clerk-API-Version", "2025-03-12")
            .json(&json!({ "token": token }))
    }

    /// Nothing changed: the session is active, the client resolves with its
    /// current token and still holds it, and no other session exists.
    async fn assert_intact(&self, row: &str) {
        let res = self
            .bapi(Method::GET, &format!("/v1/sessions/{}", self.sid))
            .send()
            .await
            .unwrap();
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], "active", "{row}: the session changed");
        let body: Value = self
            .native(Method::GET, "/v1/client", &self.client_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            body["response"]["id"], self.client_id,
            "{row}: the client token no longer resolves"
        );
        assert_eq!(body["response"]["sessions"][0]["id"], self.sid, "{row}");
        let body: Value = self
            .bapi(Method::GET, &format!("/v1/sessions?user_id={}", self.user))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let all = body.as_array().unwrap_or_else(|| panic!("{row}: {body}"));
        assert_eq!(all.len(), 1, "{row}: sessions appeared: {body}");
    }
}

async fn json_of(res: reqwest::Response) -> (u16, reqwest::header::HeaderMap, Value) {
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = res.json().await.unwrap_or(Value::Null);
    (status, headers, body)
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let server = serve_with_env(
        dir.path(),
        &[],
        &[
            ("HALLPASS__ENVIRONMENT", "production"),
            ("HALLPASS__FRONTEND_API__ALLOWED_ORIGINS", APP),
        ],
    );
    let user = user(&server, "user_negative").await;
    let res = client()
        .post(format!(
            "{}/v1/client?_is_native=1&_method=PUT",
            server.fapi
        ))
        .header("authorization", "")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let pre_sign_in = res.headers()["authorization"].to_str().unwrap().to_owned();
    let t = ticket(&server, "user_negative").await;
    let res = client()
        .post(format!("{}/v1/client/sign_ins?_is_native=1", server.fapi))
        .header("authorization", &pre_sign_in)
        .form(&[("strategy", "ticket"), ("ticket", &t)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let client_token = res.headers()["authorization"].to_str().unwrap().to_owned();
    assert_ne!(
        client_token, pre_sign_in,
        "sign-in rotates the client token"
    );
    let body: Value = res.json().await.unwrap();
    let sid = body["response"]["created_session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let client_id = body["client"]["id"].as_str().unwrap().to_owned();
    let body: Value = client()
        .post(format!(
            "{}/v1/client/sessions/{sid}/tokens?_is_native=1",
            server.fapi
        ))
        .header("authorization", &client_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session_token = body["jwt"].as_str().unwrap().to_owned();

    // The refresh token, from a handshake (cookie transport).
    let res = client()
        .get(format!(
            "{}/v1/client/handshake?redirect_url={}",
            server.fapi,
            url::form_urlencoded::byte_serialize(format!("{APP}/").as_bytes()).collect::<String>()
        ))
        .header("cookie", format!("__client={client_token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 307);
    let handshake = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("__clerk_handshake="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let directives = part(&handshake, 1)["handshake"].clone();
    let refresh_token = directives
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .find_map(|d| d.strip_prefix("__refresh_"))
        .and_then(|d| d.split_once('='))
        .map(|(_, v)| v.split(';').next().unwrap().to_owned())
        .unwrap();

    // The signing key, through the storage port (no encryption key is set).
    let store =
        hallpass_adapter_sqlite::SqliteStore::open(&dir.path().join("hallpass.sqlite3")).unwrap();
    let keys = store.list_signing_keys().await.unwrap();
    let kid = part(&session_token, 0)["kid"].as_str().unwrap().to_owned();
    let key = keys.iter().find(|k| k.kid == kid).unwrap();
    assert_eq!(key.sealing, "none");
    World {
        server,
        _dir: dir,
        user,
        client_id,
        sid,
        pre_sign_in,
        client_token,
        session_token,
        refresh_token,
        key_pem: key.private_key.clone(),
        kid,
    }
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn object(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

/// `header` and `claims` signed by `signer` (`alg` comes from the signer).
fn sign(
    signer: &dyn JwsSigner,
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
) -> String {
    let mut h = JwsHeader::new();
    for (k, v) in header {
        if k != "alg" {
            h.set_claim(k, Some(v.clone())).unwrap();
        }
    }
    let payload = JwtPayload::from_map(claims.clone()).unwrap();
    jwt::encode_with_signer(&payload, &h, signer).unwrap()
}

/// Tokens an attacker can make from `token` (a valid one) without the
/// instance's private key.
fn forgeries(world: &World, token: &str) -> Vec<(&'static str, String)> {
    let header = object(part(token, 0));
    let claims = object(part(token, 1));
    let foreign = RS256.generate_key_pair(2048).unwrap();
    let foreign = RS256.signer_from_pem(foreign.to_pem_private_key()).unwrap();
    let mut unknown_kid = header.clone();
    unknown_kid.insert("kid".into(), json!("ins_unknown_kid"));
    let public_pem = RS256
        .key_pair_from_pem(world.key_pem.as_bytes())
        .unwrap()
        .to_pem_public_key();
    let hs256 = HS256.signer_from_bytes(&public_pem).unwrap();
    let mut none = header.clone();
    none.insert("alg".into(), json!("none"));
    let unsigned = format!(
        "{}.{}.",
        b64(&serde_json::to_vec(&none).unwrap()),
        token.split('.').nth(1).unwrap()
    );
    let mut no_kid = header.clone();
    no_kid.remove("kid");
    vec![
        ("tampered signature", tampered(token)),
        (
            "tampered payload",
            format!(
                "{}.{}.{}",
                token.split('.').next().unwrap(),
                b64(&serde_json::to_vec(&{
                    let mut c = claims.clone();
                    c.insert("sub".into(), json!("user_attacker"));
                    c
                })
                .unwrap()),
                token.split('.').nth(2).unwrap()
            ),
        ),
        ("foreign key, our kid", sign(&*foreign, &header, &claims)),
        (
            "foreign key, unknown kid",
            sign(&*foreign, &unknown_kid, &claims),
        ),
        ("foreign key, no kid", sign(&*foreign, &no_kid, &claims)),
        ("alg none", unsigned.clone()),
        (
            "alg none, signature kept",
            format!("{unsigned}{}", token.split('.').nth(2).unwrap()),
        ),
        (
            "HS256 keyed with the public key",
            sign(&hs256, &header, &claims),
        ),
        ("not a JWT", "not.a.jwt".to_owned()),
        ("empty segments", "..".to_owned()),
        (
            "oversized (20 KB)",
            format!("{token}{}", "A".repeat(20 * 1024)),
        ),
    ]
}

/// The session token re-signed with the instance key, with `edit` applied.
fn resigned(world: &World, edit: impl FnOnce(&mut Map<String, Value>)) -> String {
    let header = object(part(&world.session_token, 0));
    assert_eq!(header["kid"], world.kid.as_str());
    let mut claims = object(part(&world.session_token, 1));
    edit(&mut claims);
    let signer = RS256.signer_from_pem(world.key_pem.as_bytes()).unwrap();
    sign(&signer, &header, &claims)
}

fn now_secs() -> i64 {
    i64::try_from(
        std::time::SystemTime::UNIX_EPOCH
            .elapsed()
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// One row: a request, the status and code it must get.
struct Row {
    name: String,
    request: RequestBuilder,
    status: u16,
    code: &'static str,
}

fn row(name: impl Into<String>, request: RequestBuilder, status: u16, code: &'static str) -> Row {
    Row {
        name: name.into(),
        request,
        status,
        code,
    }
}

/// Sends each row, checks Clerk's error shape, then that nothing changed.
async fn run(world: &World, rows: Vec<Row>) {
    assert!(!rows.is_empty());
    for r in rows {
        let started = std::time::Instant::now();
        let res = tokio::time::timeout(Duration::from_secs(15), r.request.send())
            .await
            .unwrap_or_else(|_| panic!("{}: no answer within 15 s", r.name))
            .unwrap_or_else(|e| panic!("{}: {e}", r.name));
        let (status, headers, body) = json_of(res).await;
        assert_eq!(
            (status, body["errors"][0]["code"].as_str()),
            (r.status, Some(r.code)),
            "{}: {body}",
            r.name
        );
        let error = &body["errors"][0];
        assert!(error["message"].is_string(), "{}: {body}", r.name);
        assert!(error["long_message"].is_string(), "{}: {body}", r.name);
        assert!(error["meta"].is_object(), "{}: {body}", r.name);
        assert_eq!(
            headers.get("content-type").map(|v| v.to_str().unwrap()),
            Some("application/json"),
            "{}",
            r.name
        );
        assert_eq!(headers["cache-control"], "no-store", "{}", r.name);
        assert!(headers.get("location").is_none(), "{}: redirected", r.name);
        world.assert_intact(&r.name).await;
        if started.elapsed() > Duration::from_secs(1) {
            eprintln!("slow row ({:?}): {}", started.elapsed(), r.name);
        }
    }
}

#[tokio::test]
async fn forged_and_misused_tokens_are_refused_without_side_effects() {
    let w = world().await;
    let mut rows = Vec::new();
    for (name, forged) in forgeries(&w, &w.client_token) {
        rows.push(row(
            format!("client token, {name}: mint"),
            w.mint(&forged),
            401,
            "signed_out",
        ));
        rows.push(row(
            format!("client token, {name}: end session"),
            w.native(
                Method::POST,
                &format!("/v1/client/sessions/{}/end", w.sid),
                &forged,
            ),
            401,
            "signed_out",
        ));
        rows.push(row(
            format!("client token, {name}: Backend API verify"),
            w.verify_client(&forged),
            404,
            "resource_not_found",
        ));
    }
    for (name, forged) in forgeries(&w, &w.session_token) {
        rows.push(row(
            format!("session token, {name}: Backend API verify"),
            w.verify_session(&forged),
            401,
            "authentication_invalid",
        ));
        rows.push(row(
            format!("session token, {name}: refresh"),
            w.refresh(&forged, &w.refresh_token),
            401,
            "expired_token_invalid",
        ));
    }
    let expired = resigned(&w, |c| {
        let now = now_secs();
        c.insert("iat".into(), json!(now - 600));
        c.insert("nbf".into(), json!(now - 610));
        c.insert("exp".into(), json!(now - 540));
    });
    let not_yet = resigned(&w, |c| {
        let now = now_secs();
        c.insert("iat".into(), json!(now + 600));
        c.insert("nbf".into(), json!(now + 590));
        c.insert("exp".into(), json!(now + 660));
    });
    let other_session = resigned(&w, |c| {
        c.insert("sid".into(), json!("sess_2zzzzzzzzzzzzzzzzzzzzzzzzzz"));
    });
    rows.extend([
        row(
            "session token, expired: Backend API verify",
            w.verify_session(&expired),
            401,
            "authentication_invalid",
        ),
        row(
            "session token, not yet valid: Backend API verify",
            w.verify_session(&not_yet),
            401,
            "authentication_invalid",
        ),
        row(
            "session token of another session: Backend API verify",
            w.verify_session(&other_session),
            401,
            "authentication_invalid",
        ),
        row(
            "session token of another session: refresh",
            w.refresh(&other_session, &w.refresh_token),
            401,
            "expired_token_invalid",
        ),
        // Kinds confused.
        row(
            "session token as client token: mint",
            w.mint(&w.session_token),
            401,
            "signed_out",
        ),
        row(
            "session token as client token: Backend API verify",
            w.verify_client(&w.session_token),
            404,
            "resource_not_found",
        ),
        row(
            "client token as session token: Backend API verify",
            w.verify_session(&w.client_token),
            401,
            "authentication_invalid",
        ),
        row(
            "client token as session token: refresh",
            w.refresh(&w.client_token, &w.refresh_token),
            401,
            "expired_token_invalid",
        ),
        row(
            "refresh token as client token: mint",
            w.mint(&w.refresh_token),
            401,
            "signed_out",
        ),
        // Fixation: the token from before the sign-in was rotated away.
        row(
            "client token from before sign-in: mint",
            w.mint(&w.pre_sign_in),
            401,
            "signed_out",
        ),
        row(
            "client token from before sign-in: sign out",
            w.native(Method::DELETE, "/v1/client/sessions", &w.pre_sign_in),
            401,
            "signed_out",
        ),
        row(
            "client token from before sign-in: Backend API verify",
            w.verify_client(&w.pre_sign_in),
            404,
            "resource_not_found",
        ),
        row(
            "client token from before sign-in, as a cookie: mint",
            w.fapi(
                Method::POST,
                &format!("/v1/client/sessions/{}/tokens", w.sid),
            )
            .header("cookie", format!("__client={}", w.pre_sign_in)),
            401,
            "signed_out",
        ),
    ]);
    run(&w, rows).await;
    // None of the refused refreshes consumed the refresh token: it still
    // refreshes (a consumed one would be a replay, revoking the session).
    let res = w
        .refresh(&w.session_token, &w.refresh_token)
        .send()
        .await
        .unwrap();
    let (status, _, body) = json_of(res).await;
    assert_eq!((status, &body["object"]), (200, &json!("token")), "{body}");
    w.assert_intact("after the valid refresh").await;
}

/// A development browser's id is not a client token, on the native or any
/// other transport.
#[tokio::test]
async fn a_development_browser_is_not_a_client_token() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    let body: Value = client()
        .post(format!("{}/v1/dev_browser", server.fapi))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let dvb = body["token"].as_str().unwrap().to_owned();
    let res = client()
        .post(format!("{}/v1/client?__clerk_db_jwt={dvb}", server.fapi))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = client()
        .get(format!("{}/v1/client?_is_native=1", server.fapi))
        .header("authorization", &dvb)
        .send()
        .await
        .unwrap();
    let (status, _, body) = json_of(res).await;
    assert_eq!(
        (status, body),
        (200, json!({"response": null, "client": null}))
    );
    let res = server
        .bapi(Method::POST, "/v1/clients/verify")
        .json(&json!({ "token": dvb }))
        .send()
        .await
        .unwrap();
    let (status, _, body) = json_of(res).await;
    assert_eq!(
        (status, body["errors"][0]["code"].as_str()),
        (404, Some("resource_not_found"))
    );
}

#[tokio::test]
async fn open_redirects_and_foreign_origins_are_refused_without_side_effects() {
    let w = world().await;
    let redirects = [
        "https://evil.example/",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "http://localhost:3000@evil.example/",
        "http://localhost:3000:@evil.example/",
        "http://evil.example\\@localhost:3000/",
        "http://evil.example%5C@localhost:3000/",
        "http://localhost:3000.evil.example/",
        "http://localhost:3001/",
        "https://localhost:3000/",
        "javascript:alert(1)//http://localhost:3000/",
        "data:text/html,<script>alert(1)</script>",
        "HTTP://EVIL.EXAMPLE/",
        " http://evil.example/",
        "http://evil.example/\thttp://localhost:3000/",
        "http:evil.example",
        "http:/evil.example",
        "/dashboard",
        "http://[::ffff:7f00:1]/",
        "http://%65vil.example/",
        "http://evil.example#http://localhost:3000/",
    ];
    let mut rows = Vec::new();
    for target in redirects {
        let q: String = url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
        for endpoint in ["handshake", "touch"] {
            rows.push(row(
                format!("{endpoint} to {target:?}"),
                w.fapi(
                    Method::GET,
                    &format!("/v1/client/{endpoint}?redirect_url={q}"),
                )
                .header("cookie", format!("__client={}", w.client_token)),
                400,
                "url_invalid",
            ));
        }
    }
    for endpoint in ["handshake", "touch"] {
        rows.push(row(
            format!("{endpoint} without redirect_url"),
            w.fapi(Method::GET, &format!("/v1/client/{endpoint}"))
                .header("cookie", format!("__client={}", w.client_token)),
            422,
            "form_param_missing",
        ));
    }
    // State-changing calls from an origin that is not allowed.
    for origin in [
        EVIL,
        "null",
        "http://localhost:3000.evil.example",
        "http://localhost:3001",
    ] {
        for (method, path) in [
            (Method::POST, format!("/v1/client/sessions/{}/end", w.sid)),
            (
                Method::POST,
                format!("/v1/client/sessions/{}/remove", w.sid),
            ),
            (Method::POST, format!("/v1/client/sessions/{}/touch", w.sid)),
            (
                Method::POST,
                format!("/v1/client/sessions/{}/tokens", w.sid),
            ),
            (Method::POST, "/v1/client?_method=DELETE".to_owned()),
            (Method::DELETE, "/v1/client/sessions".to_owned()),
            (Method::POST, "/v1/client/sign_ins".to_owned()),
        ] {
            rows.push(row(
                format!("{method} {path} from {origin}"),
                w.fapi(method.clone(), &path)
                    .header("origin", origin)
                    .header("cookie", format!("__client={}", w.client_token)),
                403,
                "origin_invalid",
            ));
        }
    }
    run(&w, rows).await;
}

#[tokio::test]
async fn malformed_oversized_and_mistyped_input_is_refused_without_side_effects() {
    let w = world().await;
    let sid = w.sid.clone();
    let big = "x".repeat(300 * 1024);
    let long_field = "t".repeat(60 * 1024);
    let form = |r: RequestBuilder, body: Vec<u8>| {
        r.header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };
    let rows = vec![
        // Oversized.
        row(
            "Backend API body of 300 KB",
            w.bapi(Method::POST, "/v1/sign_in_tokens")
                .header("content-type", "application/json")
                .body(format!("{{\"user_id\":\"{big}\"}}")),
            413,
            "request_body_too_large",
        ),
        row(
            "Frontend API form of 300 KB",
            form(
                w.native(Method::POST, "/v1/client/sign_ins", &w.client_token),
                format!("strategy=ticket&ticket={big}").into_bytes(),
            ),
            413,
            "request_body_too_large",
        ),
        row(
            "a 60 KB ticket",
            form(
                w.native(Method::POST, "/v1/client/sign_ins", &w.pre_sign_in),
                format!("strategy=ticket&ticket={long_field}").into_bytes(),
            ),
            422,
            "ticket_invalid",
        ),
        row(
            "a 20 KB session id",
            w.bapi(Method::GET, &format!("/v1/sessions/sess_{}", "a".repeat(20 * 1024))),
            404,
            "resource_not_found",
        ),
        row(
            "a 12 KB Authorization header on the Backend API",
            client()
                .get(format!("{}/v1/sessions/{sid}", w.server.bapi))
                .header("authorization", format!("Bearer sk_test_{}", "a".repeat(12 * 1024))),
            401,
            "clerk_key_invalid",
        ),
        // Invalid UTF-8.
        row(
            "invalid UTF-8 in a JSON body",
            w.bapi(Method::POST, "/v1/sign_in_tokens")
                .header("content-type", "application/json")
                .body(b"{\"user_id\":\"user_\xff\xfe\"}".to_vec()),
            400,
            "request_body_invalid",
        ),
        row(
            "invalid UTF-8 in a form body",
            form(
                w.native(Method::POST, &format!("/v1/client/sessions/{sid}/touch"), &w.client_token),
                b"active_organization_id=org_\xff".to_vec(),
            ),
            400,
            "request_body_invalid",
        ),
        row(
            // Decoded lossily, the value names no organization: the one
            // answer for every organization a browser may not activate.
            "invalid UTF-8 (percent-encoded) in a form field",
            form(
                w.native(Method::POST, &format!("/v1/client/sessions/{sid}/touch"), &w.client_token),
                b"active_organization_id=org_%FF".to_vec(),
            ),
            404,
            "organization_not_found_or_unauthorized",
        ),
        row(
            "invalid UTF-8 in the query",
            w.fapi(Method::GET, "/v1/client/handshake?redirect_url=http%3A%2F%2Flocalhost%3A3000%2F%FF")
                .header("cookie", format!("__client={}", w.client_token)),
            400,
            "url_invalid",
        ),
        row(
            "invalid UTF-8 in the Backend API query",
            w.bapi(Method::GET, "/v1/sessions?user_id=user_%FF"),
            422,
            "form_param_value_invalid",
        ),
        row(
            "invalid UTF-8 in the client cookie",
            w.fapi(Method::POST, &format!("/v1/client/sessions/{sid}/tokens"))
                .header(
                    "cookie",
                    reqwest::header::HeaderValue::from_bytes(b"__client=ey\xff\xfe").unwrap(),
                ),
            401,
            "signed_out",
        ),
        row(
            "invalid UTF-8 in the native Authorization header",
            w.fapi(Method::POST, &format!("/v1/client/sessions/{sid}/tokens?_is_native=1"))
                .header(
                    "authorization",
                    reqwest::header::HeaderValue::from_bytes(b"Bearer ey\xff").unwrap(),
                ),
            401,
            "signed_out",
        ),
        row(
            "invalid UTF-8 in the API version header",
            w.native(Method::GET, "/v1/client", &w.client_token)
                .header(
                    "clerk-api-version",
                    reqwest::header::HeaderValue::from_bytes(b"2025-\xff").unwrap(),
                ),
            400,
            "api_version_invalid",
        ),
        // Wrong content types.
        row(
            "JSON to the Frontend API",
            w.native(Method::POST, "/v1/client/sign_ins", &w.pre_sign_in)
                .header("content-type", "application/json")
                .body(r#"{"strategy":"ticket","ticket":"x"}"#),
            400,
            "unsupported_content_type",
        ),
        row(
            "multipart to the Frontend API",
            w.native(Method::POST, "/v1/client/sign_ins", &w.pre_sign_in)
                .header("content-type", "multipart/form-data; boundary=x")
                .body("--x\r\nContent-Disposition: form-data; name=\"strategy\"\r\n\r\nticket\r\n--x--\r\n"),
            400,
            "unsupported_content_type",
        ),
        row(
            "a form to the Backend API",
            w.bapi(Method::POST, "/v1/sign_in_tokens")
                .header("content-type", "application/x-www-form-urlencoded")
                .body("user_id=user_form"),
            400,
            "request_body_invalid",
        ),
        row(
            "JSON that is not an object",
            w.bapi(Method::POST, "/v1/sign_in_tokens")
                .header("content-type", "application/json")
                .body("[\"user_id\"]"),
            400,
            "request_body_invalid",
        ),
        row(
            "a bad _method",
            w.native(Method::POST, "/v1/client?_method=TRACE", &w.client_token),
            400,
            "invalid_query_parameter_value",
        ),
    ];
    run(&w, rows).await;

    // Headers large enough to be read: a 100 KB junk cookie is no client.
    let res = w
        .fapi(Method::POST, &format!("/v1/client/sessions/{sid}/tokens"))
        .header("cookie", format!("__client={}", "a".repeat(100 * 1024)))
        .send()
        .await
        .unwrap();
    let (status, headers, body) = json_of(res).await;
    assert_eq!(
        (status, body["errors"][0]["code"].as_str()),
        (401, Some("signed_out")),
        "{body}"
    );
    assert_eq!(headers["cache-control"], "no-store");
    // Headers past what the HTTP parser holds (about 1 MB in all, or more
    // than 96 of them) are refused by actix-web before any route runs: a
    // bare 431 (no body can be Clerk's there), or the connection closed.
    let huge = client()
        .get(format!("{}/v1/client", w.server.fapi))
        .header("x-big", "a".repeat(1024 * 1024))
        .send()
        .await;
    if let Ok(res) = huge {
        assert_eq!(res.status(), 431);
    }
    let mut many = client().get(format!("{}/v1/client", w.server.fapi));
    for i in 0..200 {
        many = many.header(format!("x-h{i}"), "1");
    }
    if let Ok(res) = many.send().await {
        assert_eq!(res.status(), 431);
    }
    w.assert_intact("after oversized headers").await;
}

/// SQL metacharacters in every string parameter are data: they match
/// nothing, are refused as invalid, or are stored and read back verbatim;
/// never a 500, never a change to other rows.
#[tokio::test]
async fn sql_metacharacters_are_data_in_every_parameter() {
    let w = world().await;
    let evil = [
        "' OR '1'='1",
        "sess_x' OR 1=1 --",
        "\"; DROP TABLE sessions; --",
        "user_1'); DELETE FROM clients; --",
        "%' OR status LIKE '%",
        "\\'; SELECT pg_sleep(5); --",
        "_%",
    ];
    let mut rows = Vec::new();
    for e in evil {
        let p: String = url::form_urlencoded::byte_serialize(e.as_bytes()).collect();
        let path_seg = p.replace('+', "%20");
        for path in [
            format!("/v1/sessions/{path_seg}"),
            format!("/v1/clients/{path_seg}"),
            format!("/v1/jwt_templates/{path_seg}"),
        ] {
            rows.push(row(
                format!("GET {path}"),
                w.bapi(Method::GET, &path),
                404,
                "resource_not_found",
            ));
        }
        for path in [
            format!("/v1/sessions/{path_seg}/revoke"),
            format!("/v1/sign_in_tokens/{path_seg}/revoke"),
            format!("/v1/sessions/{path_seg}/tokens"),
        ] {
            rows.push(row(
                format!("POST {path}"),
                w.bapi(Method::POST, &path),
                404,
                "resource_not_found",
            ));
        }
        rows.push(row(
            format!("DELETE /v1/jwt_templates/{path_seg}"),
            w.bapi(Method::DELETE, &format!("/v1/jwt_templates/{path_seg}")),
            404,
            "resource_not_found",
        ));
        rows.push(row(
            format!("FAPI session {e:?}"),
            w.native(
                Method::POST,
                &format!("/v1/client/sessions/{path_seg}/tokens"),
                &w.client_token,
            ),
            404,
            "resource_not_found",
        ));
        rows.push(row(
            format!("FAPI template {e:?}"),
            w.native(
                Method::POST,
                &format!("/v1/client/sessions/{}/tokens/{path_seg}", w.sid),
                &w.client_token,
            ),
            404,
            "resource_not_found",
        ));
        rows.push(row(
            format!("ticket {e:?}"),
            w.native(Method::POST, "/v1/client/sign_ins", &w.pre_sign_in)
                .form(&[("strategy", "ticket"), ("ticket", e)]),
            422,
            "ticket_invalid",
        ));
        rows.push(row(
            format!("active_organization_id {e:?}"),
            w.native(
                Method::POST,
                &format!("/v1/client/sessions/{}/touch", w.sid),
                &w.client_token,
            )
            .form(&[("active_organization_id", e)]),
            404,
            "organization_not_found_or_unauthorized",
        ));
        rows.push(row(
            format!("organization_id {e:?}"),
            w.native(
                Method::POST,
                &format!("/v1/client/sessions/{}/tokens", w.sid),
                &w.client_token,
            )
            .form(&[("organization_id", e)]),
            404,
            "organization_not_found_or_unauthorized",
        ));
        rows.push(row(
            format!("limit {e:?}"),
            w.bapi(
                Method::GET,
                &format!("/v1/sessions?user_id=user_1&limit={p}"),
            ),
            422,
            "form_param_value_invalid",
        ));
        rows.push(row(
            format!("nonce {e:?}"),
            w.bapi(
                Method::GET,
                &format!("/v1/clients/handshake_payload?nonce={p}"),
            ),
            404,
            "resource_not_found",
        ));
    }
    run(&w, rows).await;

    // Filters: no match, no error, nothing else listed.
    for e in evil {
        for param in ["user_id", "client_id", "status"] {
            let res = w
                .bapi(Method::GET, "/v1/sessions")
                .query(&[(param, e)])
                .send()
                .await
                .unwrap();
            let (status, _, body) = json_of(res).await;
            match status {
                200 => assert_eq!(body, json!([]), "{param}={e:?}"),
                400 | 422 => assert!(body["errors"][0]["code"].is_string(), "{param}={e:?}"),
                other => panic!("{param}={e:?}: {other} {body}"),
            }
        }
    }
    // A ticket for such a user id: refused as malformed, or as a user
    // that does not exist; never a statement run.
    let odd_user = "user_1'); DELETE FROM sessions; --";
    let res = w
        .bapi(Method::POST, "/v1/sign_in_tokens")
        .json(&json!({ "user_id": odd_user }))
        .send()
        .await
        .unwrap();
    let (status, _, body) = json_of(res).await;
    assert!(
        matches!(
            (status, body["errors"][0]["code"].as_str()),
            (422, Some("form_param_value_invalid")) | (404, Some("resource_not_found"))
        ),
        "{status} {body}"
    );
    // A template name with metacharacters is a name like any other: stored
    // and read back verbatim.
    let name = "t'; DROP TABLE jwt_templates; --";
    let res = w
        .bapi(Method::POST, "/v1/jwt_templates")
        .json(&json!({ "name": name, "claims": {} }))
        .send()
        .await
        .unwrap();
    let (status, _, body) = json_of(res).await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_str().unwrap();
    let res = w
        .bapi(Method::GET, &format!("/v1/jwt_templates/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(res).await.2["name"], name);
    let res = w
        .bapi(Method::GET, "/v1/jwt_templates")
        .send()
        .await
        .unwrap();
    let (_, _, list) = json_of(res).await;
    let listed = list["data"].as_array().or(list.as_array()).unwrap().len();
    assert_eq!(listed, 1, "{list}");
    w.assert_intact("after the filters").await;
}

/// The handshake's `__session` hint is read without verification, to pick
/// among the caller's own sessions: a token naming another client's session
/// (genuine or forged) never yields a token of that session.
#[tokio::test]
async fn a_handshake_hint_never_reaches_another_clients_session() {
    let w = world().await;
    // A victim: another client, signed in as another user.
    let res = client()
        .post(format!(
            "{}/v1/client?_is_native=1&_method=PUT",
            w.server.fapi
        ))
        .header("authorization", "")
        .send()
        .await
        .unwrap();
    let victim_pre = res.headers()["authorization"].to_str().unwrap().to_owned();
    let t = ticket(&w.server, "user_victim").await;
    let res = client()
        .post(format!("{}/v1/client/sign_ins?_is_native=1", w.server.fapi))
        .header("authorization", &victim_pre)
        .form(&[("strategy", "ticket"), ("ticket", &t)])
        .send()
        .await
        .unwrap();
    let victim_token = res.headers()["authorization"].to_str().unwrap().to_owned();
    let body: Value = res.json().await.unwrap();
    let victim_sid = body["response"]["created_session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body: Value = w
        .native(
            Method::POST,
            &format!("/v1/client/sessions/{victim_sid}/tokens"),
            &victim_token,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let victim_jwt = body["jwt"].as_str().unwrap().to_owned();
    let mut forged_claims = object(part(&w.session_token, 1));
    forged_claims.insert("sid".into(), json!(victim_sid));
    let forged = format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(&serde_json::to_vec(&forged_claims).unwrap())
    );
    let redirect: String =
        url::form_urlencoded::byte_serialize(format!("{APP}/").as_bytes()).collect();
    for (who, cookie) in [
        ("the attacker's client", Some(w.client_token.as_str())),
        ("no client", None),
    ] {
        for hint in [&victim_jwt, &forged] {
            let mut req = w.fapi(
                Method::GET,
                &format!("/v1/client/handshake?redirect_url={redirect}&__session={hint}"),
            );
            if let Some(c) = cookie {
                req = req.header("cookie", format!("__client={c}"));
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), 307, "{who}");
            let handshake = res
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(|c| c.strip_prefix("__clerk_handshake="))
                .and_then(|c| c.split(';').next())
                .unwrap()
                .to_owned();
            let directives: Vec<String> =
                serde_json::from_value(part(&handshake, 1)["handshake"].clone()).unwrap();
            let minted = hallpass_domain::handshake::session_token_of(&directives);
            match (cookie, minted) {
                (Some(_), Some(jwt)) => assert_eq!(part(jwt, 1)["sid"], w.sid.as_str(), "{who}"),
                (None, None) => {}
                (_, other) => panic!("{who}: unexpected session token {other:?}"),
            }
        }
    }
    w.assert_intact("after the hinted handshakes").await;
}
