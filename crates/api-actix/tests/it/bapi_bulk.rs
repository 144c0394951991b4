//! `POST /v1/users/ban` and `POST /v1/users/unban`: many users at once.

use actix_web::http::Method;
use serde_json::json;

use crate::identity::*;
use crate::support::*;

#[actix_web::test]
async fn a_bulk_ban_bans_every_user_named_and_revokes_their_sessions() {
    let h = Harness::dev().await;
    let ada = id(&h.create_user(json!({"username": "ada_l"})).await);
    let bob = id(&h.create_user(json!({"username": "bob_b"})).await);
    let eve = id(&h.create_user(json!({"username": "eve_e"})).await);
    let ada_session = id(&h.create_session(&ada).await);
    let bob_session = id(&h.create_session(&bob).await);
    let eve_session = id(&h.create_session(&eve).await);

    // In the order named, a repeated id once.
    let banned = h
        .bapi(
            Method::POST,
            "/v1/users/ban",
            Some(json!({ "user_ids": [bob, ada, bob] })),
        )
        .await
        .ok_json();
    assert_eq!(ids(&banned), vec![bob.clone(), ada.clone()]);
    assert!(
        banned
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["banned"] == true)
    );
    for session in [&ada_session, &bob_session] {
        let s = h.get_ok(&format!("/v1/sessions/{session}")).await;
        assert_eq!(s["status"], "revoked", "{session}");
    }
    let untouched = h.get_ok(&format!("/v1/sessions/{eve_session}")).await;
    assert_eq!(untouched["status"], "active");
    assert_eq!(h.get_ok(&format!("/v1/users/{eve}")).await["banned"], false);
    let count = h.get_ok("/v1/users/count?banned=true").await;
    assert_eq!(count["total_count"], 2);

    let unbanned = h
        .bapi(
            Method::POST,
            "/v1/users/unban",
            Some(json!({ "user_ids": [ada] })),
        )
        .await
        .ok_json();
    assert_eq!(ids(&unbanned), vec![ada.clone()]);
    assert_eq!(unbanned[0]["banned"], false);
    assert_eq!(h.get_ok(&format!("/v1/users/{bob}")).await["banned"], true);
    let res = h
        .bapi(
            Method::POST,
            "/v1/sessions",
            Some(json!({ "user_id": ada })),
        )
        .await;
    assert_eq!(res.status, 200, "unbanned: signs in again");
}

#[actix_web::test]
async fn a_bulk_ban_naming_an_unknown_user_bans_nobody() {
    let h = Harness::dev().await;
    let ada = id(&h.create_user(json!({"username": "ada_l"})).await);
    let session = id(&h.create_session(&ada).await);

    let res = h
        .bapi(
            Method::POST,
            "/v1/users/ban",
            Some(json!({ "user_ids": [ada, "user_nobody"] })),
        )
        .await;
    assert_eq!(code(&res, 404), "resource_not_found");
    assert_eq!(h.get_ok(&format!("/v1/users/{ada}")).await["banned"], false);
    let s = h.get_ok(&format!("/v1/sessions/{session}")).await;
    assert_eq!(s["status"], "active");

    let mut refusals = Refusals::default();
    let fifty_one: Vec<String> = (0..51).map(|i| format!("user_{i}")).collect();
    for (label, body, status, expected) in [
        ("no_body_field", json!({}), 422, "form_param_missing"),
        ("empty", json!({"user_ids": []}), 422, "form_param_missing"),
        (
            "over_fifty",
            json!({ "user_ids": fifty_one }),
            422,
            "form_param_value_invalid",
        ),
        (
            "not_a_user_id",
            json!({"user_ids": ["no spaces allowed"]}),
            422,
            "form_param_value_invalid",
        ),
        (
            "unknown_field",
            json!({"user_ids": [ada], "x": 1}),
            400,
            "request_body_invalid",
        ),
    ] {
        let res = h.bapi(Method::POST, "/v1/users/unban", Some(body)).await;
        refusals.expect(label, &res, status, expected);
    }
    // Exactly fifty is the limit, not a refusal (all unknown here: 404).
    let fifty: Vec<String> = (0..50).map(|i| format!("user_{i}")).collect();
    let res = h
        .bapi(
            Method::POST,
            "/v1/users/ban",
            Some(json!({ "user_ids": fifty })),
        )
        .await;
    refusals.expect("exactly_fifty_unknown", &res, 404, "resource_not_found");
    snapshot!("bulk_ban_refusals", refusals.value());
}
