use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

async fn mint(server: &Server, session_id: &str, body: Option<&str>) -> reqwest::Response {
    let mut req = http()
        .post(format!("{}/v1/sessions/{session_id}/tokens", server.bapi))
        .bearer_auth(server.secret_key_or_first())
        .header("content-type", "application/json");
    if let Some(body) = body {
        req = req.body(body.to_owned());
    }
    req.send().await.unwrap()
}

async fn jwt(server: &Server, session_id: &str) -> String {
    let res = mint(server, session_id, None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["object"], "token");
    body["jwt"].as_str().unwrap().to_owned()
}

async fn jwks(server: &Server) -> Value {
    let res = http()
        .get(format!("{}/.well-known/jwks.json", server.fapi))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Verifies `token` with the `jsonwebtoken` crate, an implementation
/// independent of ours, against the served JWKS.
fn verify_independently(token: &str, jwks: &Value, issuer: &str) -> Value {
    let kid = decode_header(token).unwrap().kid.unwrap();
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .unwrap_or_else(|| panic!("kid {kid} not in the JWKS"));
    let key =
        DecodingKey::from_rsa_components(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap())
            .unwrap();
    let mut validation = Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "sub"]);
    validation.validate_nbf = true;
    decode::<Value>(token, &key, &validation).unwrap().claims
}

#[tokio::test]
async fn jwks_is_public_on_the_frontend_api_and_behind_the_secret_key_on_the_backend_api() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);

    let res = http()
        .get(format!("{}/.well-known/jwks.json", server.fapi))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(res.headers()["cache-control"], "public, max-age=300");
    let public: Value = res.json().await.unwrap();
    let key = &public["keys"][0];
    assert_eq!(public["keys"].as_array().unwrap().len(), 1);
    assert_eq!(key["kid"], server.instance_id.as_str());
    assert_eq!(
        (
            key["kty"].as_str(),
            key["alg"].as_str(),
            key["use"].as_str(),
            key["e"].as_str()
        ),
        (Some("RSA"), Some("RS256"), Some("sig"), Some("AQAB"))
    );
    assert_eq!(B64.decode(key["n"].as_str().unwrap()).unwrap().len(), 256);
    assert!(
        key.get("d").is_none() && key.get("p").is_none(),
        "no private parts"
    );

    let res = server.bapi(Method::GET, "/v1/jwks").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(res.json::<Value>().await.unwrap(), public);

    let config: Value = http()
        .get(format!("{}/.well-known/openid-configuration", server.fapi))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["issuer"], server.fapi.as_str());
    assert_eq!(
        config["jwks_uri"],
        format!("{}/.well-known/jwks.json", server.fapi)
    );
}

#[tokio::test]
async fn the_backend_api_refuses_missing_malformed_and_wrong_secret_keys() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    let url = format!("{}/v1/jwks", server.bapi);
    let wrong = format!("{}x", server.secret_key());
    let live = server.secret_key().replace("sk_test_", "sk_live_");
    let cases: Vec<(Option<String>, &str)> = vec![
        (None, "authentication_invalid"),
        (Some(String::new()), "authentication_invalid"),
        (
            Some(format!("Basic {}", server.secret_key())),
            "authentication_invalid",
        ),
        (
            Some(server.secret_key().to_owned()),
            "authentication_invalid",
        ),
        (Some("Bearer ".to_owned()), "authentication_invalid"),
        (Some(format!("Bearer {wrong}")), "clerk_key_invalid"),
        (Some(format!("Bearer {live}")), "clerk_key_invalid"),
        (
            Some("Bearer sk_test_' OR '1'='1".to_owned()),
            "clerk_key_invalid",
        ),
    ];
    for (header, code) in cases {
        let mut req = http().get(&url);
        if let Some(h) = &header {
            req = req.header("authorization", h);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 401, "{header:?}");
        assert_eq!(res.headers()["content-type"], "application/json");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["errors"][0]["code"], code, "{header:?}");
        assert!(body["errors"][0]["message"].is_string());
        assert!(body["errors"][0]["long_message"].is_string());
    }
    // Two Authorization headers are refused even if one is right.
    let res = http()
        .get(&url)
        .header("authorization", format!("Bearer {}", server.secret_key()))
        .header("authorization", format!("Bearer {wrong}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn a_minted_session_token_has_clerks_header_and_claims_and_verifies_independently() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    let session = create_session(&server, "user_2u").await;
    assert_eq!(session["object"], "session");
    assert_eq!(session["status"], "active");
    let sid = session["id"].as_str().unwrap();
    let token = jwt(&server, sid).await;

    assert_eq!(
        part(&token, 0),
        json!({"alg": "RS256", "typ": "JWT", "kid": server.instance_id, "cat": "cl_B7d4PD111AAA"})
    );
    let claims = verify_independently(&token, &jwks(&server).await, &server.fapi);
    let iat = claims["iat"].as_i64().unwrap();
    assert_eq!(claims["exp"].as_i64().unwrap() - iat, 60);
    assert_eq!(claims["nbf"].as_i64().unwrap(), iat - 10);
    assert_eq!(claims["sid"], sid);
    assert_eq!(claims["sub"], user(&server, "user_2u").await);
    assert_eq!(claims["sts"], "active");
    assert_eq!(claims["v"], 2);
    assert_eq!(claims["fva"], json!([0, -1]));
    let mut keys: Vec<&str> = claims
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["exp", "fva", "iat", "iss", "nbf", "sid", "sts", "sub", "v"],
        "no azp without an Origin, no aud"
    );
}

#[tokio::test]
async fn token_bodies_may_be_empty_or_null_and_expires_in_seconds_is_range_checked() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    let sid = create_session(&server, "user_1").await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    for body in [None, Some(""), Some("{}"), Some("null"), Some(" null ")] {
        assert_eq!(mint(&server, &sid, body).await.status(), 200, "{body:?}");
    }
    let res = mint(&server, &sid, Some(r#"{"expires_in_seconds": 3600}"#)).await;
    let token = res.json::<Value>().await.unwrap()["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    let claims = part(&token, 1);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );

    for bad in [
        r#"{"expires_in_seconds": 29}"#,
        r#"{"expires_in_seconds": 315360001}"#,
    ] {
        let res = mint(&server, &sid, Some(bad)).await;
        assert_eq!(res.status(), 422, "{bad}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(
            body["errors"][0]["meta"]["param_name"],
            "expires_in_seconds"
        );
    }
    for garbage in [
        "{",
        "[]",
        r#"{"expires_in_seconds": "soon"}"#,
        r#"{"nope": 1}"#,
        "\u{0}",
    ] {
        let res = mint(&server, &sid, Some(garbage)).await;
        assert_eq!(res.status(), 400, "{garbage:?}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["errors"][0]["code"], "request_body_invalid");
    }
}

#[tokio::test]
async fn no_token_is_minted_for_a_revoked_or_unknown_session() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    let sid = create_session(&server, "user_1").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = server
        .bapi(Method::POST, &format!("/v1/sessions/{sid}/revoke"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "revoked");

    let res = mint(&server, &sid, None).await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "invalid_action_for_session");
    assert!(body.get("jwt").is_none());

    for ghost in ["sess_0000000000000000000000", "client_x", "sess_'--", "%00"] {
        let res = mint(&server, ghost, None).await;
        assert_eq!(res.status(), 404, "{ghost}");
        assert_eq!(
            res.json::<Value>().await.unwrap()["errors"][0]["code"],
            "resource_not_found"
        );
    }
}

#[tokio::test]
async fn a_key_rotation_is_published_before_it_signs_and_old_tokens_keep_verifying() {
    let dir = tempfile::tempdir().unwrap();
    let fast = [
        ("HALLPASS__KEYS__ROTATION_DELAY_SECS", "3"),
        ("HALLPASS__KEYS__REFRESH_INTERVAL_SECS", "1"),
    ];
    let server = serve_with_env(dir.path(), &[], &fast);
    let sid = create_session(&server, "user_1").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let old_token = jwt(&server, &sid).await;

    let mut rotate = hallpass();
    rotate
        .args(["keys", "rotate", "--data-dir"])
        .arg(dir.path());
    for (k, v) in fast {
        rotate.env(k, v);
    }
    let out = rotate.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The running server follows the rotation from the store within its
    // refresh interval: the next key is published but does not sign yet.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let published = loop {
        let published = jwks(&server).await;
        if published["keys"].as_array().unwrap().len() == 2 {
            break published;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the next key was never published: {published}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let kids: Vec<&str> = published["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids[0], server.instance_id.as_str());

    // After the delay, new tokens carry the new kid; the old token still
    // verifies against the served JWKS.
    let new_kid = kids[1].to_owned();
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let new_token = loop {
        let t = jwt(&server, &sid).await;
        if part(&t, 0)["kid"] == new_kid.as_str() {
            break t;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the new key never started signing"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let published = jwks(&server).await;
    verify_independently(&new_token, &published, &server.fapi);
    verify_independently(&old_token, &published, &server.fapi);
}

#[tokio::test]
async fn private_keys_are_encrypted_at_rest_when_an_encryption_key_is_configured() {
    let dir = tempfile::tempdir().unwrap();
    let key = (
        "HALLPASS__KEYS__ENCRYPTION_KEY",
        "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    );
    let server = serve_with_env(dir.path(), &[], &[key]);
    let sid = create_session(&server, "user_1").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    jwt(&server, &sid).await;
    drop(server);

    // The database file and its write-ahead log.
    let mut raw = std::fs::read(dir.path().join("hallpass.sqlite3")).unwrap();
    raw.extend(std::fs::read(dir.path().join("hallpass.sqlite3-wal")).unwrap_or_default());
    let text = String::from_utf8_lossy(&raw);
    assert!(
        !text.contains("PRIVATE KEY"),
        "a private key is stored in clear"
    );
    assert!(text.contains("jwe-dir-a256gcm:"));

    // Without the key the server refuses to start, and says why.
    let out = hallpass()
        .args([
            "serve",
            "--fapi-addr",
            "127.0.0.1:0",
            "--bapi-addr",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("encrypted at rest"), "{stderr}");
}

#[tokio::test]
async fn nodes_sharing_one_postgres_follow_a_rotation_without_restarts() {
    let db =
        tokio::task::spawn_blocking(hallpass_adapter_postgres::test_support::TestDatabase::create)
            .await
            .unwrap();
    let fast = [
        ("HALLPASS__KEYS__ROTATION_DELAY_SECS", "3"),
        ("HALLPASS__KEYS__REFRESH_INTERVAL_SECS", "1"),
    ];
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = serve_with_env(dir_a.path(), &["--database-url", db.url()], &fast);
    let b = serve_with_env(dir_b.path(), &["--database-url", db.url()], &fast);
    assert_eq!(a.instance_id, b.instance_id, "one instance per database");
    b.share_key(a.secret_key());
    let sid = create_session(&a, "user_1").await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Node B's secret key is node A's: the instance, not the node, owns it.
    let mut rotate = hallpass();
    rotate.args(["keys", "rotate", "--database-url", db.url()]);
    for (k, v) in fast {
        rotate.env(k, v);
    }
    let out = rotate.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut kids = std::collections::BTreeSet::new();
    loop {
        let from_a = part(&jwt(&a, &sid).await, 0)["kid"]
            .as_str()
            .unwrap()
            .to_owned();
        let res = mint(&b, &sid, None).await;
        let token_b = res.json::<Value>().await.unwrap()["jwt"]
            .as_str()
            .unwrap()
            .to_owned();
        let from_b = part(&token_b, 0)["kid"].as_str().unwrap().to_owned();
        if from_a != a.instance_id && from_b != a.instance_id {
            assert_eq!(from_a, from_b, "both nodes sign with the same new key");
            kids.insert(from_a);
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the nodes never switched keys"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for node in [&a, &b] {
        let published = jwks(node).await;
        assert_eq!(
            published["keys"].as_array().unwrap().len(),
            2,
            "{published}"
        );
    }
    assert_eq!(kids.len(), 1);
}

#[tokio::test]
async fn hallpass_verify_accepts_minted_session_tokens_and_refuses_template_tokens() {
    use hallpass_verify::{Verifier, VerifierConfig, VerifyError};

    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    let sid = create_session(&server, "user_9").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = jwt(&server, &sid).await;

    for config in [
        VerifierConfig::frontend_api(&server.fapi),
        VerifierConfig::backend_api(&server.bapi, server.secret_key()),
    ] {
        let verifier = Verifier::new(config.issuer(server.fapi.as_str())).unwrap();
        let claims = verifier.verify(&token).await.unwrap();
        assert_eq!(claims.user_id(), user(&server, "user_9").await);
        assert_eq!(claims.session_id(), sid);
    }

    let res = server
        .bapi(Method::POST, "/v1/jwt_templates")
        .json(&json!({"name": "t", "claims": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = server
        .bapi(Method::POST, &format!("/v1/sessions/{sid}/tokens/t"))
        .send()
        .await
        .unwrap();
    let template_token = res.json::<Value>().await.unwrap()["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    let verifier = Verifier::new(VerifierConfig::frontend_api(&server.fapi)).unwrap();
    assert!(matches!(
        verifier.verify(&template_token).await,
        Err(VerifyError::WrongCategory)
    ));
}

#[tokio::test]
async fn api_versions_before_2025_04_10_get_v1_claims_and_unknown_versions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    // user_1, a member of org_7 (slug `seven`, default role set: org:admin
    // has only system permissions, which tokens leave out), written into the
    // server's store (the embedded one, shared by both processes).
    member_of(dir.path(), "user_1", "org_7", "seven").await;
    let res = server
        .bapi(Method::POST, "/v1/sessions")
        .json(&json!({"user_id": "user_1", "active_organization_id": "org_7"}))
        .send()
        .await
        .unwrap();
    let session: Value = res.json().await.unwrap();
    assert_eq!(session["last_active_organization_id"], "org_7");
    let sid = session["id"].as_str().unwrap();
    let path = format!("/v1/sessions/{sid}/tokens");

    let mint_with = |version: Option<&'static str>, query: Option<&'static str>| {
        let mut req = server.bapi(
            Method::POST,
            &match query {
                Some(q) => format!("{path}?__clerk_api_version={q}"),
                None => path.clone(),
            },
        );
        if let Some(v) = version {
            req = req.header("Clerk-API-Version", v);
        }
        req.send()
    };

    let v2: Value = mint_with(Some("2026-05-12"), None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let claims = part(v2["jwt"].as_str().unwrap(), 1);
    assert_eq!(
        (&claims["v"], &claims["o"]),
        (
            &json!(2),
            &json!({"id": "org_7", "slg": "seven", "rol": "admin"})
        )
    );
    assert!(claims.get("org_id").is_none() && claims.get("fea").is_none());

    for (header, query) in [(Some("2025-03-12"), None), (None, Some("2021-02-05"))] {
        let v1: Value = mint_with(header, query)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let claims = part(v1["jwt"].as_str().unwrap(), 1);
        assert_eq!(
            (
                &claims["org_id"],
                &claims["org_slug"],
                &claims["org_role"],
                &claims["org_permissions"]
            ),
            (
                &json!("org_7"),
                &json!("seven"),
                &json!("org:admin"),
                &json!([])
            ),
            "{header:?} {query:?}"
        );
        assert!(claims.get("v").is_none() && claims.get("o").is_none());
    }

    for (header, query) in [
        (Some("2021-02-04"), None),
        (None, Some("yesterday")),
        (Some("2026-05-12"), Some("2026-05-12")),
    ] {
        let res = mint_with(header, query).await.unwrap();
        assert_eq!(res.status(), 400, "{header:?} {query:?}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["errors"][0]["code"], "api_version_invalid");
    }
}

/// `user` (created) as an `org:admin` of `organization` (created with
/// `slug`), written straight into the embedded store under `data_dir`.
async fn member_of(data_dir: &std::path::Path, user: &str, organization: &str, slug: &str) {
    use hallpass_domain::{
        Membership, NewMembership, NewOrganization, Organization, OrganizationId,
        OrganizationMembershipId, OrganizationName, Role, RoleSet, Slug, UnixMillis, User, UserId,
    };
    use hallpass_ports::{MembershipStore as _, OrganizationStore as _, UserStore as _};
    let store =
        hallpass_adapter_sqlite::SqliteStore::open(&data_dir.join("hallpass.sqlite3")).unwrap();
    let now = UnixMillis::new(1_700_000_000_000);
    let user = UserId::parse(user).unwrap();
    store
        .insert_user(&User::adopt(user.clone(), now))
        .await
        .unwrap();
    let o = Organization::create(
        NewOrganization {
            slug: Some(Slug::parse(slug).unwrap()),
            ..NewOrganization::named(OrganizationName::parse("Seven").unwrap())
        },
        OrganizationId::parse(organization).unwrap(),
        now,
    );
    store.insert_organization(&o, None).await.unwrap();
    let m = Membership::create(
        &o,
        user,
        NewMembership::with_role(Some(Role::admin())),
        0,
        &RoleSet::default(),
        OrganizationMembershipId::from_random(7),
        now,
    )
    .unwrap();
    store.insert_membership(&m).await.unwrap();
}
