use jsonwebtoken::{DecodingKey, Validation, decode};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

async fn send(server: &Server, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = server.bapi(method, path);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    assert_eq!(res.headers()["content-type"], "application/json");
    (status, res.json().await.unwrap())
}

fn error(body: &Value) -> (&str, &str) {
    (
        body["errors"][0]["code"].as_str().unwrap(),
        body["errors"][0]["meta"]["param_name"]
            .as_str()
            .unwrap_or(""),
    )
}

#[tokio::test]
async fn jwt_templates_are_created_listed_updated_and_deleted_in_clerks_shape() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    let (status, created) = send(
        &server,
        Method::POST,
        "/v1/jwt_templates",
        Some(
            json!({"name": "supabase", "claims": {"aud": "authenticated", "role": "{{user.id}}"}}),
        ),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("jtmp_"));
    let mut keys: Vec<&str> = created
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "allowed_clock_skew",
            "claims",
            "created_at",
            "custom_signing_key",
            "id",
            "lifetime",
            "name",
            "object",
            "signing_algorithm",
            "updated_at"
        ]
    );
    assert_eq!(
        (
            &created["object"],
            &created["lifetime"],
            &created["allowed_clock_skew"],
            &created["custom_signing_key"],
            &created["signing_algorithm"]
        ),
        (
            &json!("jwt_template"),
            &json!(60),
            &json!(5),
            &json!(false),
            &json!("RS256")
        )
    );

    send(
        &server,
        Method::POST,
        "/v1/jwt_templates",
        Some(json!({"name": "hasura", "claims": {}})),
    )
    .await;
    let (_, bare) = send(&server, Method::GET, "/v1/jwt_templates", None).await;
    assert_eq!(bare.as_array().unwrap().len(), 2);
    assert_eq!(bare[0]["name"], "hasura", "newest first");
    let (_, paged) = send(
        &server,
        Method::GET,
        "/v1/jwt_templates?paginated=true&limit=1&offset=1",
        None,
    )
    .await;
    assert_eq!(paged["total_count"], 2);
    assert_eq!(paged["data"][0]["id"], id.as_str());
    for bad in [
        "limit=0",
        "limit=501",
        "offset=-1",
        "limit=abc",
        "paginated=maybe",
    ] {
        let (status, body) = send(
            &server,
            Method::GET,
            &format!("/v1/jwt_templates?{bad}"),
            None,
        )
        .await;
        assert_eq!(status, 422, "{bad}");
        assert_eq!(error(&body).0, "form_param_value_invalid");
    }

    let (status, updated) = send(
        &server,
        Method::PATCH,
        &format!("/v1/jwt_templates/{id}"),
        Some(json!({"name": "supabase", "claims": {"aud": "x"}, "lifetime": 3600})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(updated["lifetime"], 3600);
    assert_eq!(updated["claims"], json!({"aud": "x"}));
    assert_eq!(updated["created_at"], created["created_at"]);

    let (status, deleted) = send(
        &server,
        Method::DELETE,
        &format!("/v1/jwt_templates/{id}"),
        None,
    )
    .await;
    assert_eq!(
        (status, deleted),
        (
            200,
            json!({"object": "jwt_template", "id": id, "deleted": true})
        )
    );
    let (status, body) = send(
        &server,
        Method::GET,
        &format!("/v1/jwt_templates/{id}"),
        None,
    )
    .await;
    assert_eq!((status, error(&body).0), (404, "resource_not_found"));
}

#[tokio::test]
async fn invalid_templates_are_refused_naming_the_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    send(
        &server,
        Method::POST,
        "/v1/jwt_templates",
        Some(json!({"name": "taken", "claims": {}})),
    )
    .await;
    let cases = [
        (json!({"claims": {}}), "form_param_missing", "name"),
        (json!({"name": "a"}), "form_param_missing", "claims"),
        (
            json!({"name": "a", "claims": []}),
            "form_param_value_invalid",
            "claims",
        ),
        (
            json!({"name": "a", "claims": {"sub": "me"}}),
            "form_param_value_invalid",
            "claims",
        ),
        (
            json!({"name": "a", "claims": {"x": "{{user.id"}}),
            "form_param_value_invalid",
            "claims",
        ),
        (
            json!({"name": "a", "claims": {}, "lifetime": 10}),
            "form_param_value_invalid",
            "lifetime",
        ),
        (
            json!({"name": "a", "claims": {}, "allowed_clock_skew": 301}),
            "form_param_value_invalid",
            "allowed_clock_skew",
        ),
        (
            json!({"name": "taken", "claims": {}}),
            "form_param_value_invalid",
            "name",
        ),
        (
            json!({"name": "a", "claims": {}, "custom_signing_key": true, "signing_algorithm": "HS256"}),
            "form_param_value_invalid",
            "signing_key",
        ),
        (
            json!({"name": "a", "claims": {}, "custom_signing_key": true, "signing_algorithm": "none", "signing_key": "x"}),
            "form_param_value_invalid",
            "signing_algorithm",
        ),
        (
            json!({"name": "a", "claims": {}, "custom_signing_key": true, "signing_algorithm": "RS256", "signing_key": "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----"}),
            "form_param_value_invalid",
            "signing_key",
        ),
    ];
    for (body, code, param) in cases {
        let (status, res) = send(
            &server,
            Method::POST,
            "/v1/jwt_templates",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 422, "{body} -> {res}");
        assert_eq!(error(&res), (code, param), "{body} -> {res}");
    }
    let (status, res) = send(
        &server,
        Method::POST,
        "/v1/jwt_templates",
        Some(json!({"name": "a", "claims": {}, "extra": 1})),
    )
    .await;
    assert_eq!((status, error(&res).0), (400, "request_body_invalid"));
    let (_, list) = send(&server, Method::GET, "/v1/jwt_templates", None).await;
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "nothing but the first was stored"
    );
}

#[tokio::test]
async fn template_tokens_carry_rendered_claims_and_the_template_category() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    let user_42 = user(&server, "user_42").await;
    let (_, session) = send(
        &server,
        Method::POST,
        "/v1/sessions",
        Some(json!({"user_id": user_42})),
    )
    .await;
    let sid = session["id"].as_str().unwrap();
    send(
        &server,
        Method::POST,
        "/v1/jwt_templates",
        Some(json!({
            "name": "api",
            "lifetime": 120,
            "allowed_clock_skew": 7,
            "claims": {
                "aud": "https://api.example.com",
                "uid": "{{user.id}}",
                "who": "{{user.first_name}} ({{user.id}})",
                "org": "{{org.id || 'personal'}}",
                "nested": {"sid": "{{session.id}}", "list": ["{{user.id}}", 1, true]},
            },
        })),
    )
    .await;

    let (status, body) = send(
        &server,
        Method::POST,
        &format!("/v1/sessions/{sid}/tokens/api"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let jwt = body["jwt"].as_str().unwrap();
    let header = part(jwt, 0);
    assert_eq!(header["cat"], "cl_B7d4PD222AAA");
    assert_eq!(header["kid"], server.instance_id.as_str());
    let claims = part(jwt, 1);
    assert_eq!(claims["uid"], user_42.as_str());
    assert_eq!(claims["who"], format!("null ({user_42})"));
    assert_eq!(claims["org"], "personal");
    assert_eq!(
        claims["nested"],
        json!({"sid": sid, "list": [user_42, 1, true]})
    );
    assert_eq!(claims["sub"], user_42.as_str());
    assert_eq!(claims["iss"], server.fapi.as_str());
    let iat = claims["iat"].as_i64().unwrap();
    assert_eq!(claims["exp"].as_i64().unwrap() - iat, 120);
    assert_eq!(claims["nbf"].as_i64().unwrap(), iat - 7);
    assert!(claims["jti"].is_string());
    assert!(claims.get("sid").is_none() && claims.get("v").is_none());

    // Independent verification against the served JWKS, audience included.
    let jwks: Value = http()
        .get(format!("{}/.well-known/jwks.json", server.fapi))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = DecodingKey::from_rsa_components(
        jwks["keys"][0]["n"].as_str().unwrap(),
        jwks["keys"][0]["e"].as_str().unwrap(),
    )
    .unwrap();
    let mut validation = Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&["https://api.example.com"]);
    decode::<Value>(jwt, &key, &validation).unwrap();

    let (status, body) = send(
        &server,
        Method::POST,
        &format!("/v1/sessions/{sid}/tokens/api"),
        Some(json!({"expires_in_seconds": 3600})),
    )
    .await;
    assert_eq!(status, 200);
    let claims = part(body["jwt"].as_str().unwrap(), 1);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );

    let (status, body) = send(
        &server,
        Method::POST,
        &format!("/v1/sessions/{sid}/tokens/api"),
        Some(json!({"expires_in_seconds": 5})),
    )
    .await;
    assert_eq!((status, error(&body).1), (422, "expires_in_seconds"));
    let (status, body) = send(
        &server,
        Method::POST,
        &format!("/v1/sessions/{sid}/tokens/nope"),
        None,
    )
    .await;
    assert_eq!((status, error(&body).0), (404, "resource_not_found"));
}

#[tokio::test]
async fn a_template_with_its_own_hmac_key_signs_with_it_and_never_returns_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    let secret = "a-very-long-shared-secret-of-at-least-32-bytes!!";
    let user_7 = user(&server, "user_7").await;
    let (_, session) = send(
        &server,
        Method::POST,
        "/v1/sessions",
        Some(json!({"user_id": user_7})),
    )
    .await;
    let sid = session["id"].as_str().unwrap();
    let (status, created) = send(
        &server,
        Method::POST,
        "/v1/jwt_templates",
        Some(json!({"name": "hs", "claims": {"aud": "hasura"}, "custom_signing_key": true, "signing_algorithm": "HS256", "signing_key": secret})),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(
        (
            &created["custom_signing_key"],
            &created["signing_algorithm"]
        ),
        (&json!(true), &json!("HS256"))
    );
    assert!(!created.to_string().contains(secret));

    let (_, body) = send(
        &server,
        Method::POST,
        &format!("/v1/sessions/{sid}/tokens/hs"),
        None,
    )
    .await;
    let jwt = body["jwt"].as_str().unwrap();
    let mut validation = Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_audience(&["hasura"]);
    let claims = decode::<Value>(
        jwt,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .unwrap()
    .claims;
    assert_eq!(claims["sub"], user_7.as_str());

    // An update that keeps the algorithm and sends no key keeps the key.
    let id = created["id"].as_str().unwrap();
    let (status, _) = send(
        &server,
        Method::PATCH,
        &format!("/v1/jwt_templates/{id}"),
        Some(json!({"name": "hs", "claims": {"aud": "hasura"}, "custom_signing_key": true, "signing_algorithm": "HS256"})),
    )
    .await;
    assert_eq!(status, 200);
    let (_, body) = send(
        &server,
        Method::POST,
        &format!("/v1/sessions/{sid}/tokens/hs"),
        None,
    )
    .await;
    decode::<Value>(
        body["jwt"].as_str().unwrap(),
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .unwrap();
}
