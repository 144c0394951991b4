//! The user a browser sees: inside each session of the client, and at
//! `GET /v1/me`; their profile, identifiers and organizations, never any
//! private metadata.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::identity::*;
use crate::support::*;

/// A user with a profile, public, private and unsafe metadata, and an
/// organization they created (so they are its admin).
async fn ada(h: &Harness) -> String {
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
