//! `/v1/clients…` on the Backend API.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::support::*;

fn refusal(res: &Resp) -> Value {
    json!({ "status": res.status.as_u16(), "body": res.json() })
}

#[actix_web::test]
async fn a_client_is_read_by_id_and_verified_by_its_token() {
    let h = Harness::prod().await;
    let mut app = Browser::native();
    app.user_agent = Some(IPHONE);
    let sid = app.sign_in(&h, "user_1").await;
    let token = app.credential.clone().unwrap();
    let client_id = jwt_parts(&token).1["id"].as_str().unwrap().to_owned();

    let read = h
        .bapi(Method::GET, &format!("/v1/clients/{client_id}"), None)
        .await
        .ok_json();
    assert_eq!(read["session_ids"], json!([sid]));
    assert_eq!(
        read["sessions"][0]["latest_activity"]["browser_name"],
        "Safari"
    );
    snapshot!("client_read", read);

    let verified = h
        .bapi(
            Method::POST,
            "/v1/clients/verify",
            Some(json!({ "token": token })),
        )
        .await
        .ok_json();
    assert_eq!(verified, read);
}

#[actix_web::test]
async fn client_routes_refuse_unknown_clients_stale_tokens_and_the_gone_list() {
    let h = Harness::prod().await;
    let mut app = Browser::native();
    app.create_client(&h).await;
    let stale = app.credential.clone().unwrap();
    app.sign_in(&h, "user_1").await; // rotates the client token

    let mut refusals = serde_json::Map::new();
    for (label, method, path, body) in [
        ("list", Method::GET, "/v1/clients", None),
        (
            "read_unknown",
            Method::GET,
            "/v1/clients/client_0000000000000000000000",
            None,
        ),
        ("read_malformed", Method::GET, "/v1/clients/nope", None),
        (
            "verify_without_token",
            Method::POST,
            "/v1/clients/verify",
            None,
        ),
        (
            "verify_stale_token",
            Method::POST,
            "/v1/clients/verify",
            Some(json!({ "token": stale })),
        ),
        (
            "verify_garbage",
            Method::POST,
            "/v1/clients/verify",
            Some(json!({ "token": "a.b.c" })),
        ),
    ] {
        let res = h.bapi(method, path, body).await;
        assert!(res.status.is_client_error(), "{label}");
        refusals.insert(label.to_owned(), refusal(&res));
    }
    snapshot!("client_refusals", refusals);
}
