//! The user a browser sees: inside each session of the client, and at
//! `GET /v1/me`; their profile, identifiers and organizations, never any
//! private metadata.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::identity::*;
use crate::support::*;

/// A user with a profile, public, private and unsafe metadata, and an
/// organization they created (so they are its admin).
pub async fn ada(h: &Harness) -> String {
    let user = id(&h
        .create_user(json!({
            "first_name": "Ada",
            "last_name": "Lovelace",
            "username": "ada_l",
            "email_address": ["ada@example.com"],
            "external_id": "crm-1",
            "public_metadata": {"plan": "pro"},
            "private_metadata": {"secret": "PRIVATE-USER"},
            "unsafe_metadata": {"theme": "dark"},
        }))
        .await);
    h.create_organization(json!({
        "name": "Analytical Engines",
        "slug": "engines",
        "created_by": user,
        "public_metadata": {"tier": "gold"},
        "private_metadata": {"secret": "PRIVATE-ORG"},
    }))
    .await;
    user
}

/// No private metadata anywhere in a body a browser gets.
fn assert_nothing_private(body: &Value) {
    let text = body.to_string();
    assert!(!text.contains("PRIVATE"), "{text}");
    assert!(!text.contains("private_metadata"), "{text}");
}

#[actix_web::test]
async fn the_client_shows_each_sessions_user_with_their_organizations() {
    let h = Harness::dev().await;
    let user = ada(&h).await;
    let mut browser = Browser::dev(&h).await;
    browser.sign_in(&h, &user).await;
    let body = browser
        .call(&h, Method::GET, "/v1/client", &[])
        .await
        .ok_json();
    assert_nothing_private(&body);
    let session = &body["response"]["sessions"][0];
    assert_eq!(session["user"]["id"], user.as_str());
    let memberships = &session["user"]["organization_memberships"];
    assert_eq!(memberships[0]["role"], "org:admin");
    assert_eq!(memberships[0]["organization"]["slug"], "engines");
    assert_eq!(memberships[0]["organization"]["members_count"], 1);
    assert_eq!(session["public_user_data"]["identifier"], "ada@example.com");
    snapshot!("fapi_session_user", session);
}

#[actix_web::test]
async fn me_is_the_user_of_the_chosen_or_last_active_session() {
    let h = Harness::dev().await;
    let user = ada(&h).await;
    let mut browser = Browser::dev(&h).await;
    browser.create_client(&h).await;
    let res = browser.call(&h, Method::GET, "/v1/me", &[]).await;
    assert_eq!(code(&res, 401), "signed_out", "no session yet");

    let sid = browser.sign_in(&h, &user).await;
    let body = browser.call(&h, Method::GET, "/v1/me", &[]).await.ok_json();
    assert_nothing_private(&body);
    assert_eq!(body["response"]["object"], "user");
    assert_eq!(body["response"]["id"], user.as_str());
    assert_eq!(body["response"]["first_name"], "Ada");
    assert_eq!(
        body["response"], body["client"]["sessions"][0]["user"],
        "the same user as in the client"
    );
    let chosen = browser
        .call(
            &h,
            Method::GET,
            &format!("/v1/me?_clerk_session_id={sid}"),
            &[],
        )
        .await
        .ok_json();
    assert_eq!(chosen["response"]["id"], user.as_str());

    for other in ["sess_2nothere00000000000000000", "not-a-session"] {
        let res = browser
            .call(
                &h,
                Method::GET,
                &format!("/v1/me?_clerk_session_id={other}"),
                &[],
            )
            .await;
        assert_eq!(code(&res, 404), "resource_not_found", "{other}");
    }

    browser
        .call(
            &h,
            Method::POST,
            &format!("/v1/client/sessions/{sid}/end"),
            &[],
        )
        .await
        .ok_json();
    let res = browser.call(&h, Method::GET, "/v1/me", &[]).await;
    assert_eq!(code(&res, 401), "signed_out", "the session ended");
}

#[actix_web::test]
async fn template_shortcodes_reach_the_user_and_the_active_organization_but_nothing_private() {
    let h = Harness::dev().await;
    let user = ada(&h).await;
    let org = h.get_ok("/v1/organizations/engines").await;
    let session = h
        .send_ok(
            Method::POST,
            "/v1/sessions",
            json!({"user_id": user, "active_organization_id": org["id"]}),
        )
        .await;
    h.send_ok(
        Method::POST,
        "/v1/jwt_templates",
        json!({"name": "profile", "claims": {
            "email": "{{user.primary_email_address}}",
            "verified": "{{user.email_verified}}",
            "name": "{{user.full_name}}",
            "plan": "{{user.public_metadata.plan}}",
            "secret": "{{user.private_metadata.secret || 'hidden'}}",
            "org": "{{org.slug}}",
            "tier": "{{org.public_metadata.tier}}",
            "org_secret": "{{org.private_metadata.secret}}",
            "role": "{{org_membership.role}}",
            "greeting": "Hello {{user.first_name}} of {{org.name}}",
        }}),
    )
    .await;
    let sid = session["id"].as_str().unwrap();
    let minted = h
        .send_ok(
            Method::POST,
            &format!("/v1/sessions/{sid}/tokens/profile"),
            json!({}),
        )
        .await;
    let (_, claims) = jwt_parts(minted["jwt"].as_str().unwrap());
    assert_eq!(claims["email"], "ada@example.com");
    assert_eq!(claims["verified"], true);
    assert_eq!(claims["name"], "Ada Lovelace");
    assert_eq!(claims["plan"], "pro");
    assert_eq!(
        claims["secret"], "hidden",
        "private metadata is not reachable"
    );
    assert_eq!(claims["org"], "engines");
    assert_eq!(claims["tier"], "gold");
    assert_eq!(claims["org_secret"], Value::Null);
    assert_eq!(claims["role"], "org:admin");
    assert_eq!(claims["greeting"], "Hello Ada of Analytical Engines");
    assert_eq!(claims["sub"], user.as_str());
}
