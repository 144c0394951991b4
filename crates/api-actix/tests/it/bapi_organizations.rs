//! `/v1/organizations…` on the Backend API (memberships:
//! `bapi_memberships.rs`).

use std::time::Duration;

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::identity::*;
use crate::support::*;

#[actix_web::test]
async fn an_organization_is_created_with_its_creator_as_admin_read_updated_and_deleted() {
    let h = Harness::dev().await;
    let creator = id(&h
        .create_user(json!({"email_address": ["founder@acme.test"], "first_name": "Fay"}))
        .await);
    let created = h
        .create_organization(json!({
            "name": "Acme Inc.",
            "created_by": creator,
            "public_metadata": {"tier": "gold"},
            "private_metadata": {"crm": 7},
            "max_allowed_memberships": 5,
        }))
        .await;
    assert_eq!(created["slug"], "acme-inc", "made from the name");
    assert!(created.get("members_count").is_none(), "only when asked");
    snapshot!("organization_created", created);
    let org = id(&created);

    for path in [
        format!("/v1/organizations/{org}"),
        "/v1/organizations/acme-inc".to_owned(),
    ] {
        assert_eq!(h.get_ok(&path).await, created, "{path}");
    }
    let counted = h
        .get_ok("/v1/organizations/acme-inc?include_members_count=true")
        .await;
    assert_eq!(counted["members_count"], 1);

    let members = h
        .get_ok(&format!("/v1/organizations/{org}/memberships"))
        .await;
    assert_eq!(members["total_count"], 1);
    assert_eq!(members["data"][0]["role"], "org:admin");
    assert_eq!(
        members["data"][0]["public_user_data"]["user_id"],
        creator.as_str()
    );

    h.advance(Duration::from_secs(60));
    let updated = h
        .send_ok(
            Method::PATCH,
            &format!("/v1/organizations/{org}"),
            json!({
                "name": "Acme Corporation",
                "slug": "acme",
                "max_allowed_memberships": 0,
                "admin_delete_enabled": false,
            }),
        )
        .await;
    snapshot!("organization_updated", updated);
    assert_eq!(h.get_ok("/v1/organizations/acme").await, updated);
    let old = h
        .bapi(Method::GET, "/v1/organizations/acme-inc", None)
        .await;
    assert_eq!(code(&old, 404), "resource_not_found");

    let deleted = h
        .bapi(Method::DELETE, "/v1/organizations/acme", None)
        .await
        .ok_json();
    snapshot!("organization_deleted", deleted);
    let gone = h
        .bapi(Method::GET, &format!("/v1/organizations/{org}"), None)
        .await;
    assert_eq!(code(&gone, 404), "resource_not_found");
    let memberships = h
        .get_ok(&format!("/v1/users/{creator}/organization_memberships"))
        .await;
    assert_eq!(memberships["total_count"], 0);
}

#[actix_web::test]
async fn deleting_an_organization_clears_it_from_the_sessions_that_had_it_active() {
    let h = Harness::dev().await;
    let user = id(&h.create_user(json!({"username": "someone"})).await);
    let org = id(&h
        .create_organization(json!({"name": "Gone Soon", "created_by": user}))
        .await);
    let session = h
        .send_ok(
            Method::POST,
            "/v1/sessions",
            json!({"user_id": user, "active_organization_id": org}),
        )
        .await;
    assert_eq!(session["last_active_organization_id"], org.as_str());
    h.bapi(Method::DELETE, &format!("/v1/organizations/{org}"), None)
        .await
        .ok_json();
    let after = h.get_ok(&format!("/v1/sessions/{}", id(&session))).await;
    assert_eq!(after["last_active_organization_id"], Value::Null);
    assert_eq!(after["status"], "active");
}

#[actix_web::test]
async fn a_slug_from_a_name_that_is_taken_gets_a_suffix_and_a_chosen_one_is_refused() {
    let h = Harness::dev().await;
    let first = h.create_organization(json!({"name": "Acme"})).await;
    assert_eq!(first["slug"], "acme");
    assert_eq!(first["created_by"], "", "no creator");
    let second = h.create_organization(json!({"name": "ACME"})).await;
    let slug = second["slug"].as_str().unwrap();
    assert!(
        slug.len() == "acme-".len() + 6
            && slug.starts_with("acme-")
            && slug[5..]
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
        "{slug}"
    );
    // Each further one gets its own suffix.
    let third = h.create_organization(json!({"name": "acme"})).await;
    let slugs = [&first["slug"], &second["slug"], &third["slug"]];
    assert!(
        slugs[0] != slugs[1] && slugs[1] != slugs[2] && slugs[0] != slugs[2],
        "{slugs:?}"
    );

    let mut refusals = Refusals::default();
    let res = h
        .bapi(
            Method::POST,
            "/v1/organizations",
            Some(json!({"name": "Other", "slug": "acme"})),
        )
        .await;
    refusals.expect(
        "create_with_taken_slug",
        &res,
        422,
        "form_identifier_exists",
    );
    let res = h
        .bapi(
            Method::PATCH,
            &format!("/v1/organizations/{}", id(&second)),
            Some(json!({"slug": "acme"})),
        )
        .await;
    refusals.expect("update_to_taken_slug", &res, 422, "form_identifier_exists");
    snapshot!("slug_refusals", refusals.value());
    let list = h.get_ok("/v1/organizations").await;
    assert_eq!(list["total_count"], 3, "nothing written");
}

#[actix_web::test]
async fn bad_organizations_are_refused_and_nothing_is_written() {
    let h = Harness::dev().await;
    let mut refusals = Refusals::default();
    let big = "x".repeat(8200);
    for (label, body, status, expected) in [
        ("no_name", json!({"slug": "x"}), 422, "form_param_missing"),
        (
            "name_with_html",
            json!({"name": "<b>Acme</b>"}),
            422,
            "form_param_value_invalid",
        ),
        (
            "name_too_long",
            json!({"name": "a".repeat(257)}),
            422,
            "form_param_max_length_exceeded",
        ),
        (
            "slug_uppercase",
            json!({"name": "Acme", "slug": "Acme"}),
            422,
            "form_param_value_invalid",
        ),
        (
            "unknown_creator",
            json!({"name": "Acme", "created_by": "user_nobody"}),
            400,
            "organization_creator_not_found",
        ),
        (
            "metadata_not_an_object",
            json!({"name": "Acme", "public_metadata": "gold"}),
            422,
            "form_param_value_invalid",
        ),
        (
            "metadata_too_large",
            json!({"name": "Acme", "private_metadata": {"blob": big}}),
            422,
            "form_param_exceeds_allowed_size",
        ),
        (
            "negative_limit",
            json!({"name": "Acme", "max_allowed_memberships": -1}),
            422,
            "form_param_value_invalid",
        ),
        (
            "role_set_key",
            json!({"name": "Acme", "role_set_key": "basic"}),
            422,
            "form_param_unknown",
        ),
        (
            "created_at_not_rfc3339",
            json!({"name": "Acme", "created_at": "today"}),
            422,
            "form_param_invalid_time",
        ),
        (
            "unknown_field",
            json!({"name": "Acme", "logo": "x"}),
            400,
            "request_body_invalid",
        ),
    ] {
        let res = h.bapi(Method::POST, "/v1/organizations", Some(body)).await;
        refusals.expect(label, &res, status, expected);
    }
    for (label, method, path, body) in [
        (
            "get_unknown",
            Method::GET,
            "/v1/organizations/org_nothere",
            None,
        ),
        (
            "get_not_an_id_or_slug",
            Method::GET,
            "/v1/organizations/Not%20Valid",
            None,
        ),
        (
            "update_unknown",
            Method::PATCH,
            "/v1/organizations/nothere",
            Some(json!({"name": "X"})),
        ),
        (
            "metadata_unknown",
            Method::PATCH,
            "/v1/organizations/org_nothere/metadata",
            Some(json!({"public_metadata": {}})),
        ),
        (
            "delete_unknown",
            Method::DELETE,
            "/v1/organizations/org_nothere",
            None,
        ),
    ] {
        let res = h.bapi(method, path, body).await;
        refusals.expect(label, &res, 404, "resource_not_found");
    }
    snapshot!("organization_refusals", refusals.value());
    let list = h.get_ok("/v1/organizations").await;
    assert_eq!(list, json!({"data": [], "total_count": 0}));
}

#[actix_web::test]
async fn organization_metadata_is_deep_merged_or_replaced() {
    let h = Harness::dev().await;
    let org = id(&h
        .create_organization(json!({
            "name": "Meta",
            "public_metadata": {"a": {"b": 1, "c": 2}, "d": 1},
            "private_metadata": {"p": 1},
        }))
        .await);
    let path = format!("/v1/organizations/{org}/metadata");
    let merged = h
        .send_ok(
            Method::PATCH,
            &path,
            json!({"public_metadata": {"a": {"b": null}, "d": null, "e": [1]}}),
        )
        .await;
    assert_eq!(merged["public_metadata"], json!({"a": {"c": 2}, "e": [1]}));
    assert_eq!(merged["private_metadata"], json!({"p": 1}));
    let big = "x".repeat(8200);
    let res = h
        .bapi(
            Method::PATCH,
            &path,
            Some(json!({"private_metadata": {"blob": big}})),
        )
        .await;
    assert_eq!(code(&res, 422), "form_param_exceeds_allowed_size");
    let replaced = h
        .send_ok(Method::PUT, &path, json!({"private_metadata": {"q": 2}}))
        .await;
    assert_eq!(replaced["private_metadata"], json!({"q": 2}));
    assert_eq!(replaced["public_metadata"], merged["public_metadata"]);
    // Before API version 2026-05-12 the update replaced metadata too.
    let updated = h
        .send_ok(
            Method::PATCH,
            &format!("/v1/organizations/{org}"),
            json!({"public_metadata": {"z": 1}}),
        )
        .await;
    assert_eq!(updated["public_metadata"], json!({"z": 1}));
}

#[actix_web::test]
async fn organizations_are_listed_filtered_and_paginated() {
    let h = Harness::dev().await;
    let alice = id(&h.create_user(json!({"username": "alice"})).await);
    let mut orgs = Vec::new();
    for (name, creator) in [
        ("Beta", Some(&alice)),
        ("Alpha", None),
        ("Gamma", Some(&alice)),
    ] {
        h.advance(Duration::from_secs(1));
        let mut body = json!({"name": name});
        if let Some(creator) = creator {
            body["created_by"] = json!(creator);
        }
        orgs.push(id(&h.create_organization(body).await));
    }
    let (beta, alpha, gamma) = (&orgs[0], &orgs[1], &orgs[2]);
    let names = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_owned())
            .collect()
    };
    for (query, expected) in [
        ("".to_owned(), vec!["Gamma", "Alpha", "Beta"]),
        ("order_by=name".to_owned(), vec!["Alpha", "Beta", "Gamma"]),
        ("order_by=-name".to_owned(), vec!["Gamma", "Beta", "Alpha"]),
        ("query=amm".to_owned(), vec!["Gamma"]),
        (format!("query={alpha}"), vec!["Alpha"]),
        (format!("user_id={alice}"), vec!["Gamma", "Beta"]),
        (format!("user_id=-{alice}"), vec!["Alpha"]),
        (
            format!("organization_id={beta}&organization_id={gamma}"),
            vec!["Gamma", "Beta"],
        ),
        ("limit=1&offset=1".to_owned(), vec!["Alpha"]),
    ] {
        let page = h.get_ok(&format!("/v1/organizations?{query}")).await;
        assert_eq!(names(&page), expected, "{query}");
    }
    let page = h
        .get_ok("/v1/organizations?include_members_count=true&order_by=-members_count&limit=2")
        .await;
    assert_eq!(page["total_count"], 3);
    snapshot!("organizations_listed", page);

    let mut refusals = Refusals::default();
    for (label, query) in [
        ("limit_too_large", "limit=501"),
        ("order_by_unknown", "order_by=slug"),
        ("count_not_boolean", "include_members_count=sure"),
    ] {
        let res = h
            .bapi(Method::GET, &format!("/v1/organizations?{query}"), None)
            .await;
        refusals.expect(label, &res, 422, "form_param_value_invalid");
    }
    snapshot!("organization_list_refusals", refusals.value());
}
