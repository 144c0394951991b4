//! `/v1/users…`, `/v1/email_addresses…` and `/v1/phone_numbers…` on the
//! Backend API.

use std::time::Duration;

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::identity::*;
use crate::support::*;

/// A user with two email addresses, a phone number and every profile field.
fn ada() -> Value {
    json!({
        "email_address": ["Ada@Example.com", "ada@lovelace.dev"],
        "phone_number": ["+1 (415) 555-0100"],
        "username": "ada_l",
        "external_id": "crm-42",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "public_metadata": {"plan": "pro"},
        "private_metadata": {"stripe": "cus_1"},
        "unsafe_metadata": {"theme": "dark"},
        "created_at": "2023-11-01T00:00:00.000Z",
        "skip_password_checks": true,
        "skip_password_requirement": true,
    })
}

#[actix_web::test]
async fn a_user_is_created_read_updated_and_deleted() {
    let h = Harness::dev().await;
    let created = h.create_user(ada()).await;
    // The first address and number are primary; all are verified by the admin.
    assert_eq!(
        created["primary_email_address_id"],
        created["email_addresses"][0]["id"]
    );
    assert_eq!(
        created["email_addresses"][0]["email_address"],
        "ada@example.com"
    );
    assert_eq!(created["phone_numbers"][0]["phone_number"], "+14155550100");
    assert_eq!(
        created["created_at"],
        json!(1_698_796_800_000_i64),
        "created_at as given"
    );
    snapshot!("user_created", created);
    let user = id(&created);

    assert_eq!(h.get_ok(&format!("/v1/users/{user}")).await, created);

    h.advance(Duration::from_secs(60));
    let second_email = created["email_addresses"][1]["id"].clone();
    let updated = h
        .send_ok(
            Method::PATCH,
            &format!("/v1/users/{user}"),
            json!({
                "first_name": "Augusta",
                "last_name": null,
                "username": "",
                "primary_email_address_id": second_email,
                "notify_primary_email_address_changed": false,
            }),
        )
        .await;
    assert_eq!(updated["first_name"], "Augusta");
    assert_eq!(updated["last_name"], Value::Null);
    assert_eq!(updated["username"], Value::Null);
    assert_eq!(updated["primary_email_address_id"], second_email);
    assert_eq!(updated["external_id"], "crm-42", "absent fields are kept");
    assert_eq!(updated["public_metadata"], json!({"plan": "pro"}));
    assert_ne!(updated["updated_at"], created["updated_at"]);

    let deleted = h
        .bapi(Method::DELETE, &format!("/v1/users/{user}"), None)
        .await
        .ok_json();
    snapshot!("user_deleted", deleted);
    let gone = h
        .bapi(Method::GET, &format!("/v1/users/{user}"), None)
        .await;
    assert_eq!(code(&gone, 404), "resource_not_found");
    let again = h
        .bapi(Method::DELETE, &format!("/v1/users/{user}"), None)
        .await;
    assert_eq!(code(&again, 404), "resource_not_found");
}

#[actix_web::test]
async fn a_user_update_replaces_the_metadata_it_is_given() {
    let h = Harness::dev().await;
    let user = id(&h.create_user(ada()).await);
    let updated = h
        .send_ok(
            Method::PATCH,
            &format!("/v1/users/{user}"),
            json!({"public_metadata": {"tier": 2}}),
        )
        .await;
    assert_eq!(updated["public_metadata"], json!({"tier": 2}));
    assert_eq!(updated["private_metadata"], json!({"stripe": "cus_1"}));
}

#[actix_web::test]
async fn deleting_a_user_revokes_its_sessions_and_removes_its_memberships() {
    let h = Harness::dev().await;
    let user = id(&h.create_user(json!({"external_id": "crm-1"})).await);
    let other = id(&h.create_user(json!({"external_id": "crm-2"})).await);
    let session = h.create_session(&user).await;
    let others = h.create_session(&other).await;
    let org = id(&h
        .create_organization(json!({"name": "Acme", "created_by": user}))
        .await);

    h.bapi(Method::DELETE, &format!("/v1/users/{user}"), None)
        .await
        .ok_json();

    let sid = id(&session);
    let after = h.get_ok(&format!("/v1/sessions/{sid}")).await;
    assert_eq!(after["status"], "revoked");
    let untouched = h.get_ok(&format!("/v1/sessions/{}", id(&others))).await;
    assert_eq!(untouched["status"], "active");
    let org = h
        .get_ok(&format!(
            "/v1/organizations/{org}?include_members_count=true"
        ))
        .await;
    assert_eq!(org["members_count"], 0);
    let members = h
        .get_ok(&format!("/v1/organizations/{}/memberships", id(&org)))
        .await;
    assert_eq!(members, json!({"data": [], "total_count": 0}));
    let res = h
        .bapi(
            Method::GET,
            &format!("/v1/users/{user}/organization_memberships"),
            None,
        )
        .await;
    assert_eq!(code(&res, 404), "resource_not_found");
}

#[actix_web::test]
async fn bad_or_taken_values_are_refused_and_nothing_is_written() {
    let h = Harness::dev().await;
    let ada = id(&h.create_user(ada()).await);
    let mut refusals = Refusals::default();
    let big = "x".repeat(8200);
    for (label, body, status, expected) in [
        (
            "password",
            json!({"password": "hunter2"}),
            422,
            "form_password_length_too_short",
        ),
        (
            "password_digest",
            json!({"password_digest": "$2a$…", "password_hasher": "bcrypt"}),
            422,
            "form_param_format_invalid",
        ),
        (
            "web3_wallet",
            json!({"web3_wallet": ["0x0"]}),
            422,
            "form_param_unknown",
        ),
        (
            "email_taken",
            json!({"email_address": ["new@example.com", "ADA@example.com"]}),
            422,
            "form_identifier_exists",
        ),
        (
            "phone_taken",
            json!({"phone_number": ["+14155550100"]}),
            422,
            "form_identifier_exists",
        ),
        (
            "username_taken",
            json!({"username": "ADA_L"}),
            422,
            "form_identifier_exists",
        ),
        (
            "external_id_taken",
            json!({"external_id": "crm-42"}),
            422,
            "form_identifier_exists",
        ),
        (
            "email_twice",
            json!({"email_address": ["b@example.com", "B@example.com"]}),
            422,
            "form_identifier_exists",
        ),
        (
            "email_invalid",
            json!({"email_address": ["not-an-email"]}),
            422,
            "form_param_format_invalid",
        ),
        (
            "phone_invalid",
            json!({"phone_number": ["0800 123"]}),
            422,
            "form_param_format_invalid",
        ),
        (
            "username_short",
            json!({"username": "ab"}),
            422,
            "form_username_invalid_length",
        ),
        (
            "username_character",
            json!({"username": "ada lovelace"}),
            422,
            "form_username_invalid_character",
        ),
        (
            "name_too_long",
            json!({"first_name": "a".repeat(257)}),
            422,
            "form_param_max_length_exceeded",
        ),
        (
            "metadata_not_an_object",
            json!({"public_metadata": [1, 2]}),
            422,
            "form_param_value_invalid",
        ),
        (
            "metadata_too_large",
            json!({"private_metadata": {"blob": big}}),
            422,
            "form_param_exceeds_allowed_size",
        ),
        (
            "created_at_not_rfc3339",
            json!({"created_at": "1698796800000"}),
            422,
            "form_param_invalid_time",
        ),
        (
            "reserved_status",
            json!({"email_address": ["r@example.com"], "email_address_identification_status": ["reserved"]}),
            422,
            "form_param_value_invalid",
        ),
        (
            "unknown_field",
            json!({"nickname": "ada"}),
            400,
            "request_body_invalid",
        ),
        (
            "wrong_type",
            json!({"banned": "yes"}),
            400,
            "request_body_invalid",
        ),
    ] {
        let res = h.bapi(Method::POST, "/v1/users", Some(body)).await;
        refusals.expect(label, &res, status, expected);
    }
    snapshot!("user_create_refusals", refusals.value());

    // The refused user with a free and a taken address left nothing behind.
    let count = h.get_ok("/v1/users/count").await;
    assert_eq!(count, json!({"object": "total_count", "total_count": 1}));
    let free = h.get_ok("/v1/users?email_address=new%40example.com").await;
    assert_eq!(free, json!([]));

    let mut refusals = Refusals::default();
    let other = id(&h.create_user(json!({"username": "other"})).await);
    for (label, path, body, status, expected) in [
        (
            "unknown_user",
            "/v1/users/user_nobody".to_owned(),
            json!({"first_name": "X"}),
            404,
            "resource_not_found",
        ),
        (
            "malformed_user",
            "/v1/users/not%20an%20id".to_owned(),
            json!({}),
            404,
            "resource_not_found",
        ),
        (
            "username_taken",
            format!("/v1/users/{other}"),
            json!({"username": "Ada_L"}),
            422,
            "form_identifier_exists",
        ),
        (
            "foreign_primary",
            format!("/v1/users/{other}"),
            json!({"primary_email_address_id": "idn_nothere"}),
            422,
            "form_param_value_invalid",
        ),
        (
            "last_identification",
            format!("/v1/users/{other}"),
            json!({"username": null}),
            400,
            "identification_deletion_failed",
        ),
        (
            "password_hasher_alone",
            format!("/v1/users/{other}"),
            json!({"password_hasher": "bcrypt"}),
            422,
            "form_param_value_invalid",
        ),
        (
            "created_at_change",
            format!("/v1/users/{other}"),
            json!({"created_at": "2020-01-01T00:00:00Z"}),
            422,
            "form_param_unknown",
        ),
    ] {
        let res = h.bapi(Method::PATCH, &path, Some(body)).await;
        refusals.expect(label, &res, status, expected);
    }
    snapshot!("user_update_refusals", refusals.value());
    let kept = h.get_ok(&format!("/v1/users/{other}")).await;
    assert_eq!(kept["username"], "other");
    assert_eq!(
        h.get_ok(&format!("/v1/users/{ada}")).await["username"],
        "ada_l"
    );
}

#[actix_web::test]
async fn metadata_is_deep_merged_and_null_removes_a_key() {
    let h = Harness::dev().await;
    let user = id(&h
        .create_user(json!({
            "external_id": "m-1",
            "public_metadata": {"a": {"b": 1, "c": 2}, "d": 1, "list": [1, 2]},
            "private_metadata": {"p": true},
        }))
        .await);
    let path = format!("/v1/users/{user}/metadata");
    let merged = h
        .send_ok(
            Method::PATCH,
            &path,
            json!({
                "public_metadata": {"a": {"b": null, "e": {"f": 3}}, "d": null, "list": [3]},
                "unsafe_metadata": {"u": "x"},
            }),
        )
        .await;
    assert_eq!(
        merged["public_metadata"],
        json!({"a": {"c": 2, "e": {"f": 3}}, "list": [3]})
    );
    assert_eq!(
        merged["private_metadata"],
        json!({"p": true}),
        "not given: kept"
    );
    assert_eq!(merged["unsafe_metadata"], json!({"u": "x"}));

    // Over the cap after the merge, or not an object: refused, nothing stored.
    let big = "x".repeat(8200);
    let res = h
        .bapi(
            Method::PATCH,
            &path,
            Some(json!({"private_metadata": {"q": 1}, "public_metadata": {"blob": big}})),
        )
        .await;
    assert_eq!(code(&res, 422), "form_param_exceeds_allowed_size");
    let res = h
        .bapi(Method::PATCH, &path, Some(json!({"public_metadata": "x"})))
        .await;
    assert_eq!(code(&res, 422), "form_param_value_invalid");
    let res = h
        .bapi(
            Method::PATCH,
            "/v1/users/user_nobody/metadata",
            Some(json!({"public_metadata": {}})),
        )
        .await;
    assert_eq!(code(&res, 404), "resource_not_found");
    let kept = h.get_ok(&format!("/v1/users/{user}")).await;
    assert_eq!(kept["public_metadata"], merged["public_metadata"]);
    assert_eq!(kept["private_metadata"], json!({"p": true}));

    let replaced = h
        .send_ok(Method::PUT, &path, json!({"public_metadata": {"only": 1}}))
        .await;
    assert_eq!(replaced["public_metadata"], json!({"only": 1}));
    assert_eq!(replaced["unsafe_metadata"], json!({"u": "x"}));

    // `null`: nothing to merge, but a replacement by `{}`.
    let merged = h
        .send_ok(Method::PATCH, &path, json!({"unsafe_metadata": null}))
        .await;
    assert_eq!(merged["unsafe_metadata"], json!({"u": "x"}));
    let cleared = h
        .send_ok(Method::PUT, &path, json!({"unsafe_metadata": null}))
        .await;
    assert_eq!(cleared["unsafe_metadata"], json!({}));
    assert_eq!(cleared["public_metadata"], json!({"only": 1}));
}

#[actix_web::test]
async fn users_are_listed_newest_first_filtered_and_paginated() {
    let h = Harness::dev().await;
    let mut users = Vec::new();
    for (email, username, external) in [
        ("one@example.com", "first", "ext-1"),
        ("two@example.com", "second", "ext-2"),
        ("three@other.org", "third", "ext-3"),
    ] {
        h.advance(Duration::from_secs(1));
        let created = h
            .create_user(json!({
                "email_address": [email],
                "username": username,
                "external_id": external,
                "first_name": username.to_uppercase(),
            }))
            .await;
        users.push(id(&created));
    }
    let (one, two, three) = (&users[0], &users[1], &users[2]);
    let org = id(&h
        .create_organization(json!({"name": "Org", "created_by": two}))
        .await);

    let all = h.get_ok("/v1/users").await;
    assert_eq!(ids(&all), [three.clone(), two.clone(), one.clone()]);
    for (query, expected) in [
        (
            "email_address=ONE%40example.com&email_address=three%40other.org".to_owned(),
            vec![three, one],
        ),
        (
            "email_address%5B%5D=two%40example.com".to_owned(),
            vec![two],
        ),
        ("username=SECOND".to_owned(), vec![two]),
        (
            "external_id=ext-1&external_id=ext-3".to_owned(),
            vec![three, one],
        ),
        ("external_id=-ext-1".to_owned(), vec![three, two]),
        (format!("user_id={one}&user_id={two}"), vec![two, one]),
        (format!("user_id=-{one}"), vec![three, two]),
        (format!("organization_id={org}"), vec![two]),
        ("query=other.org".to_owned(), vec![three]),
        ("query=thir".to_owned(), vec![three]),
        ("email_address_query=EXAMPLE".to_owned(), vec![two, one]),
        ("username=first&external_id=ext-2".to_owned(), vec![]),
        ("order_by=username".to_owned(), vec![one, two, three]),
        ("order_by=%2Bcreated_at".to_owned(), vec![one, two, three]),
        ("order_by=-first_name".to_owned(), vec![three, two, one]),
        ("limit=1&offset=1".to_owned(), vec![two]),
        (format!("starting_after={three}&limit=1"), vec![two]),
    ] {
        let page = h.get_ok(&format!("/v1/users?{query}")).await;
        assert_eq!(
            ids(&page),
            expected.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            "{query}"
        );
        let count = h.get_ok(&format!("/v1/users/count?{query}")).await;
        // The count takes the filters, not the page or the order.
        if !["limit", "order_by", "starting_after"]
            .iter()
            .any(|p| query.contains(p))
        {
            assert_eq!(count["total_count"], expected.len(), "count {query}");
        }
    }
    let page = h.get_ok("/v1/users?paginated=true&limit=2").await;
    assert_eq!(page["total_count"], 3);
    assert_eq!(ids(&page["data"]).len(), 2);

    let mut refusals = Refusals::default();
    for (label, query, status, expected) in [
        ("limit_zero", "limit=0", 422, "form_param_value_invalid"),
        (
            "limit_too_large",
            "limit=501",
            422,
            "form_param_value_invalid",
        ),
        (
            "offset_negative",
            "offset=-1",
            422,
            "form_param_value_invalid",
        ),
        (
            "order_by_unknown",
            "order_by=password",
            422,
            "form_param_value_invalid",
        ),
        (
            "cursor_with_other_order",
            "starting_after=user_x&order_by=username",
            422,
            "form_param_value_invalid",
        ),
        (
            "cursor_with_offset",
            "starting_after=user_x&offset=2",
            422,
            "form_param_value_invalid",
        ),
        (
            "banned_not_boolean",
            "banned=maybe",
            422,
            "form_param_value_invalid",
        ),
        (
            "created_at_not_millis",
            "created_at_after=yesterday",
            422,
            "form_param_value_invalid",
        ),
        ("web3_wallet", "web3_wallet=0x0", 422, "form_param_unknown"),
    ] {
        let res = h
            .bapi(Method::GET, &format!("/v1/users?{query}"), None)
            .await;
        refusals.expect(label, &res, status, expected);
    }
    let over: Vec<String> = (0..101).map(|i| format!("user_id=u{i}")).collect();
    let res = h
        .bapi(Method::GET, &format!("/v1/users?{}", over.join("&")), None)
        .await;
    refusals.expect(
        "too_many_values",
        &res,
        422,
        "form_param_array_size_exceeded",
    );
    snapshot!("user_list_refusals", refusals.value());
}

#[actix_web::test]
async fn a_ban_revokes_the_users_sessions_and_a_lock_runs_out() {
    let h = Harness::dev().await;
    let user = id(&h.create_user(json!({"username": "locky"})).await);
    let session = id(&h.create_session(&user).await);

    let banned = h
        .bapi(Method::POST, &format!("/v1/users/{user}/ban"), None)
        .await
        .ok_json();
    assert_eq!(banned["banned"], true);
    let revoked = h.get_ok(&format!("/v1/sessions/{session}")).await;
    assert_eq!(revoked["status"], "revoked");
    // A banned user is refused a new session (clerk-js treats 403
    // `user_banned` as terminal).
    let res = h
        .bapi(
            Method::POST,
            "/v1/sessions",
            Some(json!({ "user_id": user })),
        )
        .await;
    assert_eq!(code(&res, 403), "user_banned");
    let count = h.get_ok("/v1/users/count?banned=true").await;
    assert_eq!(count["total_count"], 1);
    let unbanned = h
        .bapi(Method::POST, &format!("/v1/users/{user}/unban"), None)
        .await
        .ok_json();
    assert_eq!(unbanned["banned"], false);

    let second = id(&h.create_session(&user).await);
    let locked = h
        .bapi(Method::POST, &format!("/v1/users/{user}/lock"), None)
        .await
        .ok_json();
    snapshot!("user_locked", locked);
    assert_eq!(
        (&locked["locked"], &locked["lockout_expires_in_seconds"]),
        (&json!(true), &json!(3600))
    );
    // A lock refuses new sign-ins; sessions signed in already stay.
    let kept = h.get_ok(&format!("/v1/sessions/{second}")).await;
    assert_eq!(kept["status"], "active");
    let res = h
        .bapi(
            Method::POST,
            "/v1/sessions",
            Some(json!({ "user_id": user })),
        )
        .await;
    snapshot!("sign_in_of_a_locked_user", res.error(403));

    h.advance(Duration::from_millis(1_800_500));
    let later = h.get_ok(&format!("/v1/users/{user}")).await;
    assert_eq!(later["lockout_expires_in_seconds"], 1800, "rounded up");
    h.advance(Duration::from_millis(1_799_500));
    let over = h.get_ok(&format!("/v1/users/{user}")).await;
    assert_eq!(
        (&over["locked"], &over["lockout_expires_in_seconds"]),
        (&json!(false), &Value::Null),
        "the lock ended at its exact end"
    );

    h.bapi(Method::POST, &format!("/v1/users/{user}/lock"), None)
        .await
        .ok_json();
    let unlocked = h
        .bapi(Method::POST, &format!("/v1/users/{user}/unlock"), None)
        .await
        .ok_json();
    assert_eq!(unlocked["locked"], false);
    for action in ["ban", "unban", "lock", "unlock"] {
        let res = h
            .bapi(
                Method::POST,
                &format!("/v1/users/user_nobody/{action}"),
                None,
            )
            .await;
        assert_eq!(code(&res, 404), "resource_not_found", "{action}");
    }
}

#[actix_web::test]
async fn users_can_be_created_banned_or_locked() {
    let h = Harness::dev().await;
    let user = h
        .create_user(json!({"username": "born_banned", "banned": true, "locked": true}))
        .await;
    assert_eq!(
        (
            &user["banned"],
            &user["locked"],
            &user["lockout_expires_in_seconds"]
        ),
        (&json!(true), &json!(true), &json!(3600))
    );
}

#[actix_web::test]
async fn email_addresses_and_phone_numbers_have_their_own_routes() {
    let h = Harness::dev().await;
    let user = id(&h
        .create_user(json!({"email_address": ["main@example.com"]}))
        .await);
    let added = h
        .send_ok(
            Method::POST,
            "/v1/email_addresses",
            json!({"user_id": user, "email_address": "Second@Example.com", "verified": false}),
        )
        .await;
    snapshot!("email_address_created", added);
    let email = id(&added);
    assert_eq!(
        h.get_ok(&format!("/v1/email_addresses/{email}")).await,
        added
    );

    // An unverified address cannot become primary; once verified it can.
    let res = h
        .bapi(
            Method::PATCH,
            &format!("/v1/email_addresses/{email}"),
            Some(json!({"primary": true})),
        )
        .await;
    assert_eq!(code(&res, 422), "form_verification_needed");
    let verified = h
        .send_ok(
            Method::PATCH,
            &format!("/v1/email_addresses/{email}"),
            json!({"verified": true, "primary": true}),
        )
        .await;
    assert_eq!(verified["verification"]["status"], "verified");
    let owner = h.get_ok(&format!("/v1/users/{user}")).await;
    assert_eq!(owner["primary_email_address_id"], email.as_str());

    let phone = h
        .send_ok(
            Method::POST,
            "/v1/phone_numbers",
            json!({"user_id": user, "phone_number": "+44 20 7946 0958"}),
        )
        .await;
    snapshot!("phone_number_created", phone);
    let phone_id = id(&phone);
    assert_eq!(
        h.get_ok(&format!("/v1/users/{user}")).await["primary_phone_number_id"],
        phone_id.as_str()
    );

    let other = id(&h.create_user(json!({"username": "other"})).await);
    let mut refusals = Refusals::default();
    for (label, method, path, body, status, expected) in [
        (
            "email_taken",
            Method::POST,
            "/v1/email_addresses".to_owned(),
            Some(json!({"user_id": other, "email_address": "MAIN@example.com"})),
            422,
            "form_identifier_exists",
        ),
        (
            "phone_taken",
            Method::POST,
            "/v1/phone_numbers".to_owned(),
            Some(json!({"user_id": other, "phone_number": "+442079460958"})),
            422,
            "form_identifier_exists",
        ),
        (
            "no_user_id",
            Method::POST,
            "/v1/email_addresses".to_owned(),
            Some(json!({"email_address": "x@example.com"})),
            422,
            "form_param_missing",
        ),
        (
            "unknown_user",
            Method::POST,
            "/v1/email_addresses".to_owned(),
            Some(json!({"user_id": "user_nobody", "email_address": "x@example.com"})),
            404,
            "resource_not_found",
        ),
        (
            "second_factor",
            Method::POST,
            "/v1/phone_numbers".to_owned(),
            Some(
                json!({"user_id": other, "phone_number": "+15555550123", "reserved_for_second_factor": true}),
            ),
            422,
            "form_param_unknown",
        ),
        (
            "unknown_email",
            Method::GET,
            "/v1/email_addresses/idn_nothere".to_owned(),
            None,
            404,
            "resource_not_found",
        ),
        (
            "phone_id_as_email",
            Method::GET,
            format!("/v1/email_addresses/{phone_id}"),
            None,
            404,
            "resource_not_found",
        ),
        (
            "unknown_phone",
            Method::DELETE,
            "/v1/phone_numbers/idn_nothere".to_owned(),
            None,
            404,
            "resource_not_found",
        ),
    ] {
        let res = h.bapi(method, &path, body).await;
        refusals.expect(label, &res, status, expected);
    }
    snapshot!("identifier_refusals", refusals.value());

    // Removing the primary moves it to the first verified address left.
    let deleted = h
        .bapi(
            Method::DELETE,
            &format!("/v1/email_addresses/{email}"),
            None,
        )
        .await
        .ok_json();
    assert_eq!(
        deleted,
        json!({"object": "email_address", "id": email, "deleted": true})
    );
    let owner = h.get_ok(&format!("/v1/users/{user}")).await;
    assert_eq!(owner["email_addresses"].as_array().unwrap().len(), 1);
    assert_eq!(
        owner["primary_email_address_id"],
        owner["email_addresses"][0]["id"]
    );
    // Only `primary: true` moves the primary phone number.
    let second = h
        .send_ok(
            Method::POST,
            "/v1/phone_numbers",
            json!({"user_id": user, "phone_number": "+15555550188"}),
        )
        .await;
    let primary_before =
        h.get_ok(&format!("/v1/users/{user}")).await["primary_phone_number_id"].clone();
    assert_ne!(primary_before, second["id"]);
    h.send_ok(
        Method::PATCH,
        &format!("/v1/phone_numbers/{}", id(&second)),
        json!({"verified": false}),
    )
    .await;
    assert_eq!(
        h.get_ok(&format!("/v1/users/{user}")).await["primary_phone_number_id"],
        primary_before
    );
    h.bapi(
        Method::DELETE,
        &format!("/v1/phone_numbers/{}", id(&second)),
        None,
    )
    .await
    .ok_json();
    h.bapi(
        Method::DELETE,
        &format!("/v1/phone_numbers/{phone_id}"),
        None,
    )
    .await
    .ok_json();
    // The last identification stays.
    let last = id(&owner["email_addresses"][0]);
    let res = h
        .bapi(Method::DELETE, &format!("/v1/email_addresses/{last}"), None)
        .await;
    assert_eq!(code(&res, 400), "identification_deletion_failed");
}

#[actix_web::test]
async fn a_users_organization_memberships_are_listed_newest_first() {
    let h = Harness::dev().await;
    let user = id(&h.create_user(json!({"username": "member"})).await);
    for name in ["First", "Second", "Third"] {
        h.advance(Duration::from_secs(1));
        h.create_organization(json!({"name": name, "created_by": user}))
            .await;
    }
    let page = h
        .get_ok(&format!(
            "/v1/users/{user}/organization_memberships?limit=2"
        ))
        .await;
    assert_eq!(page["total_count"], 3);
    let names: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["organization"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Third", "Second"]);
    let none = h
        .get_ok(&format!(
            "/v1/users/{}/organization_memberships",
            id(&h.create_user(json!({"username": "loner"})).await)
        ))
        .await;
    assert_eq!(none, json!({"data": [], "total_count": 0}));
}
