//! `/v1/sessions…` on the Backend API.

use actix_web::http::Method;
use hallpass_domain::Environment;
use serde_json::{Value, json};

use crate::support::*;

fn refusal(res: &Resp) -> Value {
    json!({ "status": res.status.as_u16(), "body": res.json() })
}

/// Keys of a JSON object, sorted.
fn keys(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

#[actix_web::test]
async fn a_session_is_created_for_a_user_on_a_new_client() {
    let h = Harness::dev().await;
    // The organization exists and user_1 is a member of it (written through
    // the store: see organizations.rs for the refusals).
    member_of_organization(&h, "user_1", "org_1").await;
    let res = h
        .bapi(
            Method::POST,
            "/v1/sessions",
            Some(json!({"user_id": "user_1", "active_organization_id": "org_1"})),
        )
        .await;
    let session = res.ok_json();
    assert_eq!(session["last_active_organization_id"], "org_1");
    snapshot!("session_created", session);
}

#[actix_web::test]
async fn session_creation_is_refused_in_production_unless_enabled() {
    let h = Harness::prod().await;
    let res = h
        .bapi(
            Method::POST,
            "/v1/sessions",
            Some(json!({"user_id": "user_1"})),
        )
        .await;
    snapshot!("session_create_in_production", res.error(403));

    let mut options = options(Environment::Production);
    options.create_sessions_in_production = true;
    let enabled = Harness::start(Environment::Production, options).await;
    enabled.create_session("user_1").await;
}

#[actix_web::test]
async fn session_creation_refuses_missing_invalid_and_unknown_parameters() {
    let h = Harness::dev().await;
    let mut refusals = serde_json::Map::new();
    for (label, body) in [
        ("no_body", None),
        ("no_user_id", Some(json!({}))),
        ("machine_user_id", Some(json!({"user_id": "mch_1"}))),
        (
            "unknown_field",
            Some(json!({"user_id": "user_1", "role": "admin"})),
        ),
        ("not_an_object", Some(json!(["user_1"]))),
    ] {
        let res = h.bapi(Method::POST, "/v1/sessions", body).await;
        assert!(res.status.is_client_error(), "{label}");
        refusals.insert(label.to_owned(), refusal(&res));
    }
    snapshot!("session_create_refusals", refusals);
}

/// The defect this pins: sessions signed in through the Frontend API
/// carried `"city": null, "country": null` (and null device details when
/// the user agent said nothing); Clerk's spec types them as strings and
/// Clerk leaves unknown values out.
#[actix_web::test]
async fn latest_activity_omits_what_is_not_known() {
    let h = Harness::dev().await;
    let mut phone = Browser::dev(&h).await;
    phone.user_agent = Some(IPHONE);
    let phone_sid = phone.sign_in(&h, "user_m").await;
    h.advance(std::time::Duration::from_secs(1));
    let mut bare = Browser::dev(&h).await;
    let bare_sid = bare.sign_in(&h, "user_m").await;

    let phone_session = h
        .bapi(Method::GET, &format!("/v1/sessions/{phone_sid}"), None)
        .await
        .ok_json();
    let activity = &phone_session["latest_activity"];
    assert_eq!(
        keys(activity),
        [
            "browser_name",
            "browser_version",
            "device_type",
            "id",
            "ip_address",
            "is_mobile",
            "object"
        ],
        "no null city or country: {activity}"
    );
    snapshot!("session_with_activity", phone_session);

    let bare_session = h
        .bapi(Method::GET, &format!("/v1/sessions/{bare_sid}"), None)
        .await
        .ok_json();
    assert_eq!(
        keys(&bare_session["latest_activity"]),
        ["id", "ip_address", "is_mobile", "object"],
        "only what is known: {bare_session}"
    );

    // The list and the revoke show the same activity.
    let list = h
        .bapi(Method::GET, "/v1/sessions?user_id=user_m", None)
        .await
        .ok_json();
    let listed: Vec<&Value> = list.as_array().unwrap().iter().collect();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["id"], bare_sid.as_str(), "newest first");
    assert_eq!(
        listed[0]["latest_activity"],
        bare_session["latest_activity"]
    );
    assert_eq!(listed[1]["latest_activity"], *activity);
    snapshot!("sessions_with_activity_listed", list);
    let revoked = h
        .bapi(
            Method::POST,
            &format!("/v1/sessions/{phone_sid}/revoke"),
            None,
        )
        .await
        .ok_json();
    assert_eq!(revoked["latest_activity"], *activity);
    snapshot!("session_with_activity_revoked", revoked);
}

#[actix_web::test]
async fn sessions_are_listed_newest_first_filtered_and_paginated() {
    let h = Harness::dev().await;
    let mut ids = Vec::new();
    for user in ["user_a", "user_a", "user_b"] {
        ids.push(
            h.create_session(user).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        h.advance(std::time::Duration::from_secs(1));
    }
    h.bapi(
        Method::POST,
        &format!("/v1/sessions/{}/revoke", ids[0]),
        None,
    )
    .await
    .ok_json();

    let res = h
        .bapi(Method::GET, "/v1/sessions?user_id=user_a", None)
        .await;
    assert_eq!(res.header("warning"), None);
    let list = res.ok_json();
    assert_eq!(list[0]["id"], ids[1].as_str());
    snapshot!("sessions_of_a_user", list);

    let res = h
        .bapi(
            Method::GET,
            "/v1/sessions?user_id=user_a&status=active&paginated=true&limit=1",
            None,
        )
        .await;
    snapshot!("sessions_paginated", res.ok_json());

    let client_id = h
        .bapi(Method::GET, &format!("/v1/sessions/{}", ids[2]), None)
        .await
        .ok_json()["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = h
        .bapi(
            Method::GET,
            &format!("/v1/sessions?client_id={client_id}&paginated=true"),
            None,
        )
        .await;
    let page = res.ok_json();
    assert_eq!(page["total_count"], 1);
    assert_eq!(page["data"][0]["id"], ids[2].as_str());

    // Unscoped lists are deprecated but served, with a warning.
    let res = h
        .bapi(Method::GET, "/v1/sessions?offset=1&limit=1", None)
        .await;
    assert_eq!(
        res.header("warning"),
        Some("299 - \"Listing sessions without client_id or user_id is deprecated\"")
    );
    assert_eq!(res.ok_json()[0]["id"], ids[1].as_str());
}

#[actix_web::test]
async fn session_lists_refuse_invalid_parameters() {
    let h = Harness::dev().await;
    let mut refusals = serde_json::Map::new();
    for (label, query) in [
        ("limit_zero", "user_id=u&limit=0"),
        ("limit_too_large", "user_id=u&limit=501"),
        ("offset_negative", "user_id=u&offset=-1"),
        ("unknown_status", "user_id=u&status=alive"),
        ("paginated_not_boolean", "user_id=u&paginated=maybe"),
        ("malformed_client_id", "client_id=nope"),
    ] {
        let res = h
            .bapi(Method::GET, &format!("/v1/sessions?{query}"), None)
            .await;
        assert_eq!(res.status, 422, "{label}");
        refusals.insert(label.to_owned(), refusal(&res));
    }
    snapshot!("session_list_refusals", refusals);
}

#[actix_web::test]
async fn a_session_is_read_and_revoked_idempotently() {
    let h = Harness::dev().await;
    let id = h.create_session("user_1").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = h
        .bapi(Method::GET, &format!("/v1/sessions/{id}"), None)
        .await;
    let read = res.ok_json();
    assert_eq!(
        read["latest_activity"],
        Value::Null,
        "no Frontend API activity"
    );
    snapshot!("session_read", read);

    h.advance(std::time::Duration::from_secs(5));
    let revoke = format!("/v1/sessions/{id}/revoke");
    let first = h.bapi(Method::POST, &revoke, None).await.ok_json();
    assert_eq!(first["status"], "revoked");
    snapshot!("session_revoked", first);
    h.advance(std::time::Duration::from_secs(5));
    let second = h.bapi(Method::POST, &revoke, None).await.ok_json();
    assert_eq!(second, first, "revoking twice returns the revoked session");

    let mut refusals = serde_json::Map::new();
    for (label, method, path) in [
        (
            "read_unknown",
            Method::GET,
            "/v1/sessions/sess_0000000000000000000000".to_owned(),
        ),
        (
            "read_malformed",
            Method::GET,
            "/v1/sessions/nope".to_owned(),
        ),
        (
            "revoke_unknown",
            Method::POST,
            "/v1/sessions/sess_0000000000000000000000/revoke".to_owned(),
        ),
        (
            "mint_for_revoked",
            Method::POST,
            format!("/v1/sessions/{id}/tokens"),
        ),
    ] {
        let res = h.bapi(method, &path, None).await;
        refusals.insert(label.to_owned(), refusal(&res));
    }
    // An ended session cannot be revoked: it stays as it is.
    let mut browser = Browser::dev(&h).await;
    let sid = browser.sign_in(&h, "user_2").await;
    browser
        .call(
            &h,
            Method::POST,
            &format!("/v1/client/sessions/{sid}/end"),
            &[],
        )
        .await
        .ok_json();
    let res = h
        .bapi(Method::POST, &format!("/v1/sessions/{sid}/revoke"), None)
        .await;
    refusals.insert("revoke_ended".to_owned(), refusal(&res));
    snapshot!("session_refusals", refusals);
}

#[actix_web::test]
async fn the_deprecated_verify_answers_old_api_versions_only() {
    let h = Harness::dev().await;
    let id = h.create_session("user_v").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let jwt = h
        .bapi(Method::POST, &format!("/v1/sessions/{id}/tokens"), None)
        .await
        .ok_json()["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    let verify = |version: &'static str, token: String| {
        let req = actix_web::test::TestRequest::post()
            .uri(&format!("/v1/sessions/{id}/verify"))
            .insert_header(("authorization", format!("Bearer {}", h.secret_key)))
            .insert_header(("clerk-api-version", version))
            .set_json(json!({ "token": token }));
        h.bapi_raw(req)
    };
    let verified = verify("2024-10-01", jwt.clone()).await.ok_json();
    assert_eq!(verified["id"], id.as_str());
    let mut refusals = serde_json::Map::new();
    let res = verify("2024-10-01", format!("{jwt}x")).await;
    refusals.insert("tampered_token".to_owned(), refusal(&res));
    let res = verify("2025-04-10", jwt).await;
    refusals.insert("current_api_version".to_owned(), refusal(&res));
    let res = verify("1999-01-01", String::new()).await;
    refusals.insert("unknown_api_version".to_owned(), refusal(&res));
    snapshot!("session_verify_refusals", refusals);
}

/// `user` (created) as a member of `organization` (created, slug `org-1`).
async fn member_of_organization(h: &Harness, user: &str, organization: &str) {
    use hallpass_domain::{
        Membership, NewMembership, NewOrganization, Organization, OrganizationId,
        OrganizationMembershipId, OrganizationName, RoleSet, Slug, UnixMillis, User, UserId,
    };
    use hallpass_ports::{MembershipStore as _, OrganizationStore as _, UserStore as _};
    let now = UnixMillis::new(T0);
    let user = UserId::parse(user).unwrap();
    h.store
        .insert_user(&User::adopt(user.clone(), now))
        .await
        .unwrap();
    let o = Organization::create(
        NewOrganization {
            slug: Some(Slug::parse("org-1").unwrap()),
            ..NewOrganization::named(OrganizationName::parse("Org 1").unwrap())
        },
        OrganizationId::parse(organization).unwrap(),
        now,
    );
    h.store.insert_organization(&o, None).await.unwrap();
    let m = Membership::create(
        &o,
        user,
        NewMembership::default(),
        0,
        &RoleSet::default(),
        OrganizationMembershipId::from_random(1),
        now,
    )
    .unwrap();
    h.store.insert_membership(&m).await.unwrap();
}
