//! Passwords on the Backend API: set with `POST /v1/users` and `PATCH
//! /v1/users/{id}` (checked against the policy, or imported as a digest),
//! `POST /v1/users/{id}/verify_password`, shown only as `password_enabled`
//! and `password_last_updated_at`. Real Argon2id hashing (the adapter).

use std::time::Duration;

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::identity::*;
use crate::support::*;

const PASSWORD: &str = "correct horse battery staple";
/// libxcrypt's bcrypt of PASSWORD (cost 4).
const BCRYPT: &str = "$2b$04$Y/yYJhcQ0IIKBky.hHR2G.0bhXBzxT.hRzcrZBljvdUqETAMipo36";
/// The same at cost 15: beyond what Hallpass verifies.
const BCRYPT_15: &str = "$2b$15$/m46jhPLlxr7urmRT4.LVO8vFIGotP2Sr//z8DNwUllWz92p9.O2G";

async fn verify(h: &Harness, user: &str, password: &str) -> Resp {
    h.bapi(
        Method::POST,
        &format!("/v1/users/{user}/verify_password"),
        Some(json!({ "password": password })),
    )
    .await
}

/// No response ever carries a digest.
fn no_digest(v: &Value) {
    let text = v.to_string();
    assert!(
        !text.contains("$argon2") && !text.contains("$2b$"),
        "{text}"
    );
}

#[actix_web::test]
async fn a_password_set_at_creation_is_verified_and_never_shown() {
    let h = Harness::dev().await;
    let created = h
        .create_user(json!({"email_address": ["pw@example.com"], "password": PASSWORD}))
        .await;
    no_digest(&created);
    assert_eq!(created["password_enabled"], true);
    assert_eq!(created["password_last_updated_at"], created["created_at"]);
    let user = id(&created);

    let ok = verify(&h, &user, PASSWORD).await.ok_json();
    assert_eq!(ok, json!({"verified": true}));
    let wrong = verify(&h, &user, "correct horse battery stapler").await;
    assert_eq!(code(&wrong, 422), "form_password_incorrect");
    no_digest(&wrong.json());

    let without = id(&h
        .create_user(json!({"email_address": ["none@example.com"]}))
        .await);
    assert_eq!(
        h.get_ok(&format!("/v1/users/{without}")).await["password_enabled"],
        false
    );
    assert_eq!(
        code(&verify(&h, &without, PASSWORD).await, 400),
        "password_not_set"
    );
    assert_eq!(
        code(&verify(&h, "user_nobody", PASSWORD).await, 404),
        "resource_not_found"
    );
    let path = format!("/v1/users/{user}/verify_password");
    let missing = h.bapi(Method::POST, &path, Some(json!({}))).await;
    assert_eq!(code(&missing, 422), "form_param_missing");
    let extra = h
        .bapi(
            Method::POST,
            &path,
            Some(json!({"password": PASSWORD, "x": 1})),
        )
        .await;
    assert_eq!(extra.status, 400);
    let not_text = h
        .bapi(Method::POST, &path, Some(json!({"password": 42})))
        .await;
    assert_eq!(code(&not_text, 422), "form_param_value_invalid");
}

#[actix_web::test]
async fn the_policy_is_applied_unless_checks_are_skipped() {
    let h = Harness::dev().await;
    let mut refusals = Refusals::default();
    for (label, password, expected) in [
        ("too_short", "seven77", "form_password_length_too_short"),
        ("empty", "", "form_password_length_too_short"),
        ("too_long", &"x".repeat(73), "form_password_length_too_long"),
        (
            "too_many_bytes",
            &"€".repeat(1400),
            "form_password_size_in_bytes_exceeded",
        ),
    ] {
        let res = h
            .bapi(
                Method::POST,
                "/v1/users",
                Some(json!({"email_address": [format!("{label}@example.com")], "password": password})),
            )
            .await;
        refusals.expect(label, &res, 422, expected);
    }
    snapshot!("password_refusals", refusals.value());
    // Nothing was written.
    assert_eq!(h.get_ok("/v1/users/count").await["total_count"], 0);
    let skipped = h
        .create_user(json!({
            "email_address": ["short@example.com"],
            "password": "seven77",
            "skip_password_checks": true,
        }))
        .await;
    assert_eq!(skipped["password_enabled"], true);
    assert!(verify(&h, &id(&skipped), "seven77").await.status == 200);
}

#[actix_web::test]
async fn an_imported_bcrypt_digest_verifies_and_moves_to_argon2id_once() {
    let h = Harness::dev().await;
    let created = h
        .create_user(json!({
            "email_address": ["imported@example.com"],
            "password_digest": BCRYPT,
            "password_hasher": "bcrypt",
        }))
        .await;
    no_digest(&created);
    assert_eq!(created["password_enabled"], true);
    let user = id(&created);
    h.advance(Duration::from_secs(60));

    // The first match rehashes: the user changes, the time of setting
    // does not.
    assert_eq!(verify(&h, &user, PASSWORD).await.status, 200);
    let after = h.get_ok(&format!("/v1/users/{user}")).await;
    assert_ne!(after["updated_at"], created["updated_at"]);
    assert_eq!(
        after["password_last_updated_at"],
        created["password_last_updated_at"]
    );
    // Already at the instance's parameters: no further write.
    h.advance(Duration::from_secs(60));
    assert_eq!(verify(&h, &user, PASSWORD).await.status, 200);
    assert_eq!(
        h.get_ok(&format!("/v1/users/{user}")).await["updated_at"],
        after["updated_at"]
    );
    assert_eq!(
        code(&verify(&h, &user, "nope nope").await, 422),
        "form_password_incorrect"
    );
}

#[actix_web::test]
async fn digests_that_cannot_be_verified_are_refused_before_anything_is_written() {
    let h = Harness::dev().await;
    let mut refusals = Refusals::default();
    for (label, body, expected) in [
        (
            "unsupported_hasher",
            json!({"password_digest": BCRYPT, "password_hasher": "md5"}),
            "form_param_value_invalid",
        ),
        (
            "another_algorithm",
            json!({"password_digest": BCRYPT, "password_hasher": "argon2id"}),
            "form_param_format_invalid",
        ),
        (
            "beyond_the_cost_bound",
            json!({"password_digest": BCRYPT_15, "password_hasher": "bcrypt"}),
            "form_param_format_invalid",
        ),
        (
            "digest_without_hasher",
            json!({"password_digest": BCRYPT}),
            "form_param_missing",
        ),
        (
            "both",
            json!({"password": PASSWORD, "password_digest": BCRYPT, "password_hasher": "bcrypt"}),
            "form_param_value_invalid",
        ),
    ] {
        let mut body = body;
        body["email_address"] = json!([format!("{label}@example.com")]);
        let res = h.bapi(Method::POST, "/v1/users", Some(body)).await;
        refusals.expect(label, &res, 422, expected);
    }
    snapshot!("password_digest_refusals", refusals.value());
    assert_eq!(h.get_ok("/v1/users/count").await["total_count"], 0);
}

#[actix_web::test]
async fn a_new_password_replaces_the_old_one() {
    let h = Harness::dev().await;
    let created = h
        .create_user(json!({"email_address": ["change@example.com"], "password": PASSWORD}))
        .await;
    let user = id(&created);
    h.advance(Duration::from_secs(60));
    let updated = h
        .send_ok(
            Method::PATCH,
            &format!("/v1/users/{user}"),
            json!({"password": "a whole new password"}),
        )
        .await;
    no_digest(&updated);
    assert_eq!(updated["password_enabled"], true);
    assert_eq!(
        updated["password_last_updated_at"].as_i64().unwrap(),
        created["password_last_updated_at"].as_i64().unwrap() + 60_000
    );
    assert_eq!(
        code(&verify(&h, &user, PASSWORD).await, 422),
        "form_password_incorrect"
    );
    assert_eq!(verify(&h, &user, "a whole new password").await.status, 200);
    // A PATCH without a password keeps it.
    h.send_ok(
        Method::PATCH,
        &format!("/v1/users/{user}"),
        json!({"first_name": "Pat"}),
    )
    .await;
    assert_eq!(verify(&h, &user, "a whole new password").await.status, 200);
    // A refused password changes nothing.
    let res = h
        .bapi(
            Method::PATCH,
            &format!("/v1/users/{user}"),
            Some(json!({"password": "short", "first_name": "Never"})),
        )
        .await;
    assert_eq!(code(&res, 422), "form_password_length_too_short");
    assert_eq!(
        h.get_ok(&format!("/v1/users/{user}")).await["first_name"],
        "Pat"
    );
}
