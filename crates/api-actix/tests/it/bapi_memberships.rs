//! `/v1/organizations/{id}/memberships…` on the Backend API.

use std::time::Duration;

use actix_web::http::Method;
use serde_json::json;

use crate::identity::*;
use crate::support::*;

/// An organization created by a first user, and two more users.
async fn team(h: &Harness, max: u32) -> (String, String, String, String) {
    let owner = id(&h
        .create_user(json!({"email_address": ["owner@team.test"], "first_name": "Olga"}))
        .await);
    let bob = id(&h
        .create_user(json!({
            "email_address": ["bob@team.test"],
            "username": "bobby",
            "first_name": "Bob",
            "last_name": "Builder",
        }))
        .await);
    let carol = id(&h
        .create_user(json!({"phone_number": ["+15555550100"]}))
        .await);
    let org = id(&h
        .create_organization(json!({
            "name": "Team",
            "slug": "team",
            "created_by": owner,
            "max_allowed_memberships": max,
        }))
        .await);
    (org, owner, bob, carol)
}

#[actix_web::test]
async fn a_member_is_added_listed_changed_and_removed() {
    let h = Harness::dev().await;
    let (org, owner, bob, carol) = team(&h, 0).await;
    h.advance(Duration::from_secs(1));
    let added = h
        .send_ok(
            Method::POST,
            "/v1/organizations/team/memberships",
            json!({"user_id": bob, "role": "org:member", "public_metadata": {"desk": 4}}),
        )
        .await;
    assert_eq!(added["permissions"], json!(["org:sys_memberships:read"]));
    assert_eq!(added["organization"]["members_count"], 2);
    snapshot!("membership_created", added);
    h.advance(Duration::from_secs(1));
    h.send_ok(
        Method::POST,
        &format!("/v1/organizations/{org}/memberships"),
        json!({"user_id": carol, "role": "org:admin"}),
    )
    .await;

    let list = h
        .get_ok(&format!("/v1/organizations/{org}/memberships"))
        .await;
    assert_eq!(list["total_count"], 3);
    let users: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["public_user_data"]["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        users,
        [carol.as_str(), bob.as_str(), owner.as_str()],
        "newest first"
    );
    // The member's identifier: primary email, else phone, else username.
    assert_eq!(
        list["data"][0]["public_user_data"]["identifier"],
        "+15555550100"
    );
    for (query, expected) in [
        ("role=org:admin", vec![&carol, &owner]),
        ("role=org:member", vec![&bob]),
        ("role=org:viewer", vec![]),
        (&format!("user_id={bob}") as &str, vec![&bob]),
        ("query=builder", vec![&bob]),
        ("email_address=owner%40team.test", vec![&owner]),
        ("order_by=created_at&limit=2", vec![&owner, &bob]),
        ("limit=1&offset=2", vec![&owner]),
    ] {
        let page = h
            .get_ok(&format!("/v1/organizations/{org}/memberships?{query}"))
            .await;
        let got: Vec<String> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                m["public_user_data"]["user_id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            got,
            expected.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            "{query}"
        );
    }

    h.advance(Duration::from_secs(1));
    let promoted = h
        .send_ok(
            Method::PATCH,
            &format!("/v1/organizations/{org}/memberships/{bob}"),
            json!({"role": "org:admin"}),
        )
        .await;
    assert_eq!(promoted["role"], "org:admin");
    assert_eq!(promoted["role_name"], "Admin");
    assert_eq!(promoted["id"], added["id"]);
    assert_eq!(promoted["permissions"].as_array().unwrap().len(), 6);

    let merged = h
        .send_ok(
            Method::PATCH,
            &format!("/v1/organizations/{org}/memberships/{bob}/metadata"),
            json!({"public_metadata": {"desk": null, "floor": 2}, "private_metadata": {"salary": 1}}),
        )
        .await;
    assert_eq!(merged["public_metadata"], json!({"floor": 2}));
    assert_eq!(merged["private_metadata"], json!({"salary": 1}));

    let removed = h
        .bapi(
            Method::DELETE,
            &format!("/v1/organizations/{org}/memberships/{bob}"),
            None,
        )
        .await
        .ok_json();
    assert_eq!(removed["id"], added["id"]);
    assert_eq!(removed["role"], "org:admin");
    let memberships = h
        .get_ok(&format!("/v1/users/{bob}/organization_memberships"))
        .await;
    assert_eq!(memberships, json!({"data": [], "total_count": 0}));
    let again = h
        .bapi(
            Method::DELETE,
            &format!("/v1/organizations/{org}/memberships/{bob}"),
            None,
        )
        .await;
    assert_eq!(code(&again, 404), "resource_not_found");
}

#[actix_web::test]
async fn an_organization_takes_no_member_over_its_limit() {
    let h = Harness::dev().await;
    let (org, _owner, bob, carol) = team(&h, 2).await;
    h.send_ok(
        Method::POST,
        &format!("/v1/organizations/{org}/memberships"),
        json!({"user_id": bob, "role": "org:member"}),
    )
    .await;
    let res = h
        .bapi(
            Method::POST,
            &format!("/v1/organizations/{org}/memberships"),
            Some(json!({"user_id": carol, "role": "org:member"})),
        )
        .await;
    assert_eq!(code(&res, 403), "organization_membership_quota_exceeded");
    snapshot!("membership_over_the_limit", refusal(&res));
    let org = h
        .get_ok(&format!(
            "/v1/organizations/{org}?include_members_count=true"
        ))
        .await;
    assert_eq!(org["members_count"], 2, "nothing written");
    let carols = h
        .get_ok(&format!("/v1/users/{carol}/organization_memberships"))
        .await;
    assert_eq!(carols["total_count"], 0);

    // Raising the limit lets the member in.
    h.send_ok(
        Method::PATCH,
        &format!("/v1/organizations/{}", id(&org)),
        json!({"max_allowed_memberships": 3}),
    )
    .await;
    h.send_ok(
        Method::POST,
        &format!("/v1/organizations/{}/memberships", id(&org)),
        json!({"user_id": carol, "role": "org:member"}),
    )
    .await;
}

#[actix_web::test]
async fn bad_memberships_are_refused() {
    let h = Harness::dev().await;
    let (org, owner, bob, _carol) = team(&h, 0).await;
    let members = format!("/v1/organizations/{org}/memberships");
    let mut refusals = Refusals::default();
    for (label, path, body, status, expected) in [
        (
            "already_a_member",
            members.clone(),
            json!({"user_id": owner, "role": "org:member"}),
            400,
            "already_a_member_in_organization",
        ),
        (
            "unknown_role",
            members.clone(),
            json!({"user_id": bob, "role": "org:viewer"}),
            422,
            "form_param_value_invalid",
        ),
        (
            "malformed_role",
            members.clone(),
            json!({"user_id": bob, "role": "admin"}),
            422,
            "form_param_value_invalid",
        ),
        (
            "no_role",
            members.clone(),
            json!({"user_id": bob}),
            422,
            "form_param_missing",
        ),
        (
            "no_user_id",
            members.clone(),
            json!({"role": "org:member"}),
            422,
            "form_param_missing",
        ),
        (
            "unknown_user",
            members.clone(),
            json!({"user_id": "user_nobody", "role": "org:member"}),
            404,
            "resource_not_found",
        ),
        (
            "unknown_organization",
            "/v1/organizations/org_nothere/memberships".to_owned(),
            json!({"user_id": bob, "role": "org:member"}),
            404,
            "resource_not_found",
        ),
        (
            "metadata_not_an_object",
            members.clone(),
            json!({"user_id": bob, "role": "org:member", "private_metadata": 3}),
            422,
            "form_param_value_invalid",
        ),
    ] {
        let res = h.bapi(Method::POST, &path, Some(body)).await;
        refusals.expect(label, &res, status, expected);
    }
    for (label, path, body, status, expected) in [
        (
            "role_of_a_non_member",
            format!("{members}/{bob}"),
            json!({"role": "org:admin"}),
            404,
            "resource_not_found",
        ),
        (
            "unknown_role_update",
            format!("{members}/{owner}"),
            json!({"role": "org:owner"}),
            422,
            "form_param_value_invalid",
        ),
        (
            "metadata_of_a_non_member",
            format!("{members}/{bob}/metadata"),
            json!({"public_metadata": {}}),
            404,
            "resource_not_found",
        ),
    ] {
        let res = h.bapi(Method::PATCH, &path, Some(body)).await;
        refusals.expect(label, &res, status, expected);
    }
    let res = h
        .bapi(Method::GET, "/v1/organizations/nothere/memberships", None)
        .await;
    refusals.expect("list_unknown_organization", &res, 404, "resource_not_found");
    let res = h
        .bapi(Method::GET, &format!("{members}?role=Admin"), None)
        .await;
    refusals.expect("list_malformed_role", &res, 422, "form_param_value_invalid");
    snapshot!("membership_refusals", refusals.value());

    let list = h.get_ok(&members).await;
    assert_eq!(list["total_count"], 1, "nothing written");
    assert_eq!(
        list["data"][0]["role"], "org:admin",
        "the owner's role kept"
    );
}

#[actix_web::test]
async fn every_organizations_memberships_are_listed_for_the_instance() {
    let h = Harness::dev().await;
    let (org, owner, bob, _) = team(&h, 0).await;
    h.advance(Duration::from_secs(1));
    let other = id(&h
        .create_organization(json!({"name": "Other", "created_by": bob}))
        .await);
    let all = h.get_ok("/v1/organization_memberships").await;
    assert_eq!(all["total_count"], 2);
    let pairs: Vec<(String, String)> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["organization"]["id"].as_str().unwrap().to_owned(),
                m["public_user_data"]["user_id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [(other.clone(), bob.clone()), (org, owner)],
        "newest first"
    );
    let page = h
        .get_ok("/v1/organization_memberships?order_by=%2Bcreated_at&limit=1&offset=1")
        .await;
    assert_eq!(page["total_count"], 2);
    assert_eq!(page["data"][0]["organization"]["id"], other.as_str());
    let res = h
        .bapi(
            Method::GET,
            "/v1/organization_memberships?order_by=nope",
            None,
        )
        .await;
    assert_eq!(res.status.as_u16(), 422, "{:?}", res.body);
}
