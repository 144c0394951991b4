use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

async fn send(
    server: &Server,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = server.bapi(method, path);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    assert_eq!(headers["content-type"], "application/json");
    (status, headers, res.json().await.unwrap())
}

/// A session of the user labelled `label` ([`user`]).
async fn session_for(server: &Server, label: &str) -> Value {
    let id = user(server, label).await;
    let (status, _, body) = send(
        server,
        Method::POST,
        "/v1/sessions",
        Some(json!({"user_id": id})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn sessions_are_listed_newest_first_with_filters_and_pagination() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(
            session_for(&server, "user_list").await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    session_for(&server, "user_other").await;
    let listed = user(&server, "user_list").await;
    let revoke = format!("/v1/sessions/{}/revoke", ids[1]);
    let (_, _, once) = send(&server, Method::POST, &revoke, None).await;
    assert_eq!(once["status"], "revoked");
    let (status, _, twice) = send(&server, Method::POST, &revoke, None).await;
    assert_eq!(
        (status, &twice),
        (200, &once),
        "revoking twice changes nothing"
    );

    let (status, headers, bare) = send(
        &server,
        Method::GET,
        &format!("/v1/sessions?user_id={listed}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(headers.get("warning").is_none());
    let got: Vec<&str> = bare
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = ids.iter().rev().map(String::as_str).collect();
    assert_eq!(got, want, "newest first");
    let mut keys: Vec<&str> = bare[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "abandon_at",
            "actor",
            "client_id",
            "created_at",
            "expire_at",
            "id",
            "last_active_at",
            "last_active_organization_id",
            "latest_activity",
            "object",
            "status",
            "tasks",
            "updated_at",
            "user_id"
        ]
    );

    let (_, _, page) = send(
        &server,
        Method::GET,
        &format!("/v1/sessions?user_id={listed}&paginated=true&limit=2&offset=1"),
        None,
    )
    .await;
    assert_eq!(page["total_count"], 4);
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert_eq!(page["data"][0]["id"], ids[2].as_str());
    let (_, _, page) = send(
        &server,
        Method::GET,
        &format!("/v1/sessions?user_id={listed}&paginated=true&offset=99"),
        None,
    )
    .await;
    assert_eq!(
        (page["total_count"].clone(), page["data"].clone()),
        (json!(4), json!([]))
    );
    let (_, _, revoked) = send(
        &server,
        Method::GET,
        &format!("/v1/sessions?user_id={listed}&status=revoked"),
        None,
    )
    .await;
    assert_eq!(revoked.as_array().unwrap().len(), 1);
    assert_eq!(revoked[0]["id"], ids[1].as_str());
    let client_id = bare[0]["client_id"].as_str().unwrap();
    let (_, _, by_client) = send(
        &server,
        Method::GET,
        &format!("/v1/sessions?client_id={client_id}"),
        None,
    )
    .await;
    assert_eq!(by_client.as_array().unwrap().len(), 1);

    for (query, param) in [
        ("user_id=user_list&limit=0", "limit"),
        ("user_id=user_list&limit=501", "limit"),
        ("user_id=user_list&offset=-1", "offset"),
        ("user_id=user_list&status=sleeping", "status"),
        ("client_id=nope", "client_id"),
        ("user_id=a%20b", "user_id"),
    ] {
        let (status, _, body) =
            send(&server, Method::GET, &format!("/v1/sessions?{query}"), None).await;
        assert_eq!(status, 422, "{query}");
        assert_eq!(body["errors"][0]["meta"]["param_name"], param, "{query}");
    }
    let (status, headers, all) = send(&server, Method::GET, "/v1/sessions?limit=500", None).await;
    assert_eq!(status, 200);
    assert_eq!(all.as_array().unwrap().len(), 5);
    assert!(headers["warning"].to_str().unwrap().contains("deprecated"));
}

#[tokio::test]
async fn clients_are_read_by_id_and_verified_by_token() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve_with_env(
        dir.path(),
        &[],
        &[
            ("HALLPASS__ENVIRONMENT", "production"),
            (
                "HALLPASS__BACKEND_API__ALLOW_SESSION_CREATE_IN_PRODUCTION",
                "true",
            ),
        ],
    );
    let session = session_for(&server, "user_c").await;
    let client_id = session["client_id"].as_str().unwrap();
    let (status, _, client) = send(
        &server,
        Method::GET,
        &format!("/v1/clients/{client_id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(client["object"], "client");
    assert_eq!(client["session_ids"], json!([session["id"]]));
    assert_eq!(client["sessions"][0]["id"], session["id"]);
    assert_eq!(client["last_active_session_id"], session["id"]);
    let (status, _, _) = send(
        &server,
        Method::GET,
        "/v1/clients/client_0000000000000000000000",
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _, body) = send(&server, Method::GET, "/v1/clients", None).await;
    assert_eq!((status, &body["errors"][0]["code"]), (410, &json!("gone")));

    // A client token from the Frontend API verifies; a tampered one does not.
    let res = reqwest::Client::new()
        .post(format!("{}/v1/client?_method=PUT", server.fapi))
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("__client="))
        .unwrap();
    let token = cookie["__client=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let (status, _, verified) = send(
        &server,
        Method::POST,
        "/v1/clients/verify",
        Some(json!({"token": token})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(verified["object"], "client");
    let tampered = tampered(&token);
    let (status, _, _) = send(
        &server,
        Method::POST,
        "/v1/clients/verify",
        Some(json!({"token": tampered})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _, body) =
        send(&server, Method::POST, "/v1/clients/verify", Some(json!({}))).await;
    assert_eq!(
        (status, &body["errors"][0]["code"]),
        (422, &json!("form_param_missing"))
    );
}

#[tokio::test]
async fn production_refuses_backend_session_creation_unless_enabled() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve_with_env(dir.path(), &[], &[("HALLPASS__ENVIRONMENT", "production")]);
    let (status, _, body) = send(
        &server,
        Method::POST,
        "/v1/sessions",
        Some(json!({"user_id": "u"})),
    )
    .await;
    assert_eq!(
        (status, &body["errors"][0]["code"]),
        (403, &json!("authorization_invalid"))
    );
}

#[tokio::test]
async fn the_deprecated_verify_works_only_on_old_api_versions() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    let a = session_for(&server, "user_v").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = session_for(&server, "user_w").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, _, t) = send(
        &server,
        Method::POST,
        &format!("/v1/sessions/{a}/tokens"),
        None,
    )
    .await;
    let token = t["jwt"].as_str().unwrap();
    let verify = |sid: &str, version: &'static str| {
        server
            .bapi(Method::POST, &format!("/v1/sessions/{sid}/verify"))
            .header("Clerk-API-Version", version)
            .json(&json!({"token": token}))
            .send()
    };
    let res = verify(&a, "2025-03-12").await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["id"], a.as_str());
    assert_eq!(
        verify(&b, "2025-03-12").await.unwrap().status(),
        401,
        "another session's token"
    );
    assert_eq!(verify(&a, "2026-05-12").await.unwrap().status(), 410);
    send(
        &server,
        Method::POST,
        &format!("/v1/sessions/{a}/revoke"),
        None,
    )
    .await;
    assert_eq!(
        verify(&a, "2025-03-12").await.unwrap().status(),
        401,
        "revoked"
    );
}
