//! clerk-rs (crates.io), Clerk's Rust SDK, unchanged, against hallpass's
//! users, organizations and memberships. Its models are generated from
//! Clerk's 2026-05-12 spec and strict about required fields: a shape
//! mismatch fails deserialisation. Results go to docs/compatibility.md
//! (scripts/compat.sh runs every test named `clerk_rs…`).

use clerk_rs::apis::configuration::Configuration;
use clerk_rs::apis::{organization_memberships_api, organizations_api, users_api};
use clerk_rs::models;

use crate::clerk_rs::checked;
use crate::support::*;

fn metadata(
    key: &str,
    value: serde_json::Value,
) -> std::collections::HashMap<String, serde_json::Value> {
    [(key.to_owned(), value)].into_iter().collect()
}

#[tokio::test]
async fn clerk_rs_manages_users_organizations_and_memberships() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);
    let mut config = Configuration::new(server.secret_key());
    config.base_path = format!("{}/v1", server.bapi);

    let mut new = models::CreateUserRequest::new();
    new.email_address = Some(vec!["ada@example.com".into()]);
    new.username = Some(Some("ada_l".into()));
    new.external_id = Some(Some("crm-42".into()));
    new.first_name = Some(Some("Ada".into()));
    new.public_metadata = Some(metadata("plan", "pro".into()));
    let ada = checked(
        "users_api::create_user",
        users_api::create_user(&config, new).await,
    );
    assert_eq!(ada.username.as_deref(), Some("ada_l"));
    let got = checked(
        "users_api::get_user",
        users_api::get_user(&config, &ada.id).await,
    );
    assert_eq!(got.id, ada.id);
    let list = checked(
        "users_api::get_user_list",
        users_api::get_user_list(
            &config,
            Some(vec!["ADA@example.com".into()]),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            Some(10),
            None,
            None,
            None,
        )
        .await,
    );
    assert_eq!(list.len(), 1);
    let count = checked(
        "users_api::get_users_count",
        users_api::get_users_count(
            &config,
            None,
            None,
            Some(vec!["crm-42".into()]),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        )
        .await,
    );
    assert_eq!(count.total_count, 1);
    let mut merge = models::UpdateUserMetadataRequest::new();
    merge.public_metadata = Some(metadata("seats", 3.into()));
    let merged = checked(
        "users_api::update_user_metadata",
        users_api::update_user_metadata(&config, &ada.id, Some(merge)).await,
    );
    assert_eq!(
        serde_json::to_value(&merged.public_metadata).unwrap(),
        serde_json::json!({"plan": "pro", "seats": 3})
    );
    let user = ada.id.clone();
    checked(
        "users_api::ban_user",
        users_api::ban_user(&config, &user).await,
    );
    checked(
        "users_api::unban_user",
        users_api::unban_user(&config, &user).await,
    );
    checked(
        "users_api::lock_user",
        users_api::lock_user(&config, &user).await,
    );
    checked(
        "users_api::unlock_user",
        users_api::unlock_user(&config, &user).await,
    );

    let mut org = models::CreateOrganizationRequest::new("Acme Inc.".into());
    org.created_by = Some(Some(user.clone()));
    let org = checked(
        "organizations_api::create_organization",
        organizations_api::create_organization(&config, Some(org)).await,
    );
    assert_eq!(org.slug, "acme-inc");
    let found = checked(
        "organizations_api::get_organization",
        organizations_api::get_organization(&config, "acme-inc", Some(true), None).await,
    );
    assert_eq!(found.members_count, Some(1));
    let orgs = checked(
        "organizations_api::list_organizations",
        organizations_api::list_organizations(
            &config,
            Some(true),
            None,
            Some("acme"),
            None,
            None,
            None,
            Some(10),
            None,
        )
        .await,
    );
    assert_eq!(orgs.total_count, 1);

    let bob = checked(
        "users_api::create_user",
        users_api::create_user(&config, {
            let mut r = models::CreateUserRequest::new();
            r.username = Some(Some("bobby".into()));
            r
        })
        .await,
    );
    let bob = bob.id;
    let membership = checked(
        "organization_memberships_api::create_organization_membership",
        organization_memberships_api::create_organization_membership(
            &config,
            &org.id,
            models::CreateOrganizationMembershipRequest::new(bob.clone(), "org:member".into()),
        )
        .await,
    );
    assert_eq!(membership.role, "org:member");
    let members = checked(
        "organization_memberships_api::list_organization_memberships",
        organization_memberships_api::list_organization_memberships(
            &config,
            &org.id,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            Some(10),
            None,
        )
        .await,
    );
    assert_eq!(members.total_count, 2);
    let mine = checked(
        "users_api::users_get_organization_memberships",
        users_api::users_get_organization_memberships(&config, &bob, Some(10), None).await,
    );
    assert_eq!(mine.total_count, 1);
    checked(
        "organization_memberships_api::update_organization_membership",
        organization_memberships_api::update_organization_membership(
            &config,
            &org.id,
            &bob,
            models::UpdateOrganizationMembershipRequest::new("org:admin".into()),
        )
        .await,
    );
    checked(
        "organization_memberships_api::delete_organization_membership",
        organization_memberships_api::delete_organization_membership(&config, &org.id, &bob).await,
    );
    let deleted = checked(
        "organizations_api::delete_organization",
        organizations_api::delete_organization(&config, &org.id).await,
    );
    assert!(deleted.deleted);
    let deleted = checked(
        "users_api::delete_user",
        users_api::delete_user(&config, &bob).await,
    );
    assert!(deleted.deleted);
}
