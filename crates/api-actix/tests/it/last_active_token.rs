//! `last_active_token` on every live session of a rendered client, as
//! Clerk's client JSON carries it (clerk-js reads a reloaded client's
//! claims from it), reused while its claims are exactly a new token's.

use std::time::Duration;

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::identity::*;
use crate::support::*;

/// The `last_active_token` of each session of a client response, by id.
fn tokens_of(client: &Value) -> Vec<(String, Option<String>)> {
    client["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_owned(),
                s["last_active_token"]["jwt"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

async fn reload(h: &Harness, browser: &mut Browser) -> Value {
    browser
        .call(h, Method::GET, "/v1/client", &[])
        .await
        .ok_json()["response"]
        .clone()
}

fn only_token(client: &Value) -> String {
    let tokens = tokens_of(client);
    assert_eq!(tokens.len(), 1, "{client}");
    tokens[0].1.clone().expect("a live session has a token")
}

#[actix_web::test]
async fn a_reloaded_client_carries_its_sessions_token_reused_until_half_its_life_is_gone() {
    let h = Harness::dev().await;
    h.user_exists("user_reload").await;
    let mut browser = Browser::dev(&h).await;
    let signed_in = browser.sign_in_body(&h, "user_reload").await;
    let sid = signed_in["response"]["created_session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = only_token(&signed_in["client"]);

    let reloaded = reload(&h, &mut browser).await;
    let token = only_token(&reloaded);
    assert_eq!(token, first, "the sign-in's token is reused");
    let (_, claims) = jwt_parts(&token);
    assert_eq!(claims["sid"], sid.as_str());
    assert_eq!(claims["sub"], "user_reload");
    assert_eq!(claims["azp"], DEV_APP);

    h.advance(Duration::from_secs(30));
    assert_eq!(
        only_token(&reload(&h, &mut browser).await),
        first,
        "half left"
    );
    h.advance(Duration::from_secs(1));
    let fresh = only_token(&reload(&h, &mut browser).await);
    assert_ne!(fresh, first, "less than half left: a new token");
    let (_, fresh_claims) = jwt_parts(&fresh);
    assert_eq!(
        fresh_claims["iat"].as_i64().unwrap(),
        claims["iat"].as_i64().unwrap() + 31
    );
    assert_eq!(only_token(&reload(&h, &mut browser).await), fresh);

    // Another origin gets a token naming it, never another origin's.
    let mut elsewhere = Browser {
        origin: Some("http://localhost:5173"),
        ..browser.clone()
    };
    let other = only_token(&reload(&h, &mut elsewhere).await);
    assert_eq!(jwt_parts(&other).1["azp"], "http://localhost:5173");

    // Signed out: no token anywhere.
    browser
        .call(
            &h,
            Method::POST,
            &format!("/v1/client/sessions/{sid}/end"),
            &[],
        )
        .await
        .ok_json();
    assert_eq!(tokens_of(&reload(&h, &mut browser).await), [(sid, None)]);
}

#[actix_web::test]
async fn every_live_session_of_a_multi_session_client_has_its_own_token() {
    let h = Harness::dev_multi_session().await;
    for user in ["user_a", "user_b", "user_c"] {
        h.user_exists(user).await;
    }
    let mut browser = Browser::dev(&h).await;
    let a = browser.sign_in(&h, "user_a").await;
    let b = browser.sign_in(&h, "user_b").await;
    // The sign-in's own new token on its session, and the others' beside it.
    let signed_in = browser.sign_in_body(&h, "user_c").await;
    let c = signed_in["response"]["created_session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let shown = tokens_of(&signed_in["client"]);
    assert_eq!(shown.len(), 3);
    for (sid, jwt) in &shown {
        let (_, claims) = jwt_parts(jwt.as_deref().expect("every live session has one"));
        assert_eq!(claims["sid"], sid.as_str());
    }
    browser
        .call(
            &h,
            Method::POST,
            &format!("/v1/client/sessions/{b}/end"),
            &[],
        )
        .await
        .ok_json();
    let client = reload(&h, &mut browser).await;
    let tokens = tokens_of(&client);
    assert_eq!(tokens.len(), 3);
    for (sid, jwt) in tokens {
        if sid == b {
            assert_eq!(jwt, None, "an ended session has none");
            continue;
        }
        let (_, claims) = jwt_parts(&jwt.unwrap());
        assert_eq!(claims["sid"], sid.as_str());
        let user = if sid == a { "user_a" } else { "user_c" };
        assert_eq!(claims["sub"], user);
    }
    assert!(
        [a, c]
            .iter()
            .all(|s| client.to_string().contains(s.as_str()))
    );
}

#[actix_web::test]
async fn a_changed_or_removed_membership_is_never_served_from_a_recent_token() {
    let h = Harness::dev().await;
    let user = id(&h.create_user(json!({"first_name": "Ann"})).await);
    let org = id(&h
        .create_organization(json!({"name": "Acme", "slug": "acme"}))
        .await);
    h.send_ok(
        Method::POST,
        &format!("/v1/organizations/{org}/memberships"),
        json!({"user_id": user, "role": "org:admin"}),
    )
    .await;
    let mut browser = Browser::dev(&h).await;
    let sid = browser.sign_in(&h, &user).await;
    let touched = browser
        .call(
            &h,
            Method::POST,
            &format!("/v1/client/sessions/{sid}/touch"),
            &[
                ("active_organization_id", org.as_str()),
                ("intent", "select_org"),
            ],
        )
        .await
        .ok_json();
    let as_admin = only_token(&touched["client"]);
    assert_eq!(jwt_parts(&as_admin).1["o"]["rol"], "admin");
    assert_eq!(only_token(&reload(&h, &mut browser).await), as_admin);

    h.send_ok(
        Method::PATCH,
        &format!("/v1/organizations/{org}/memberships/{user}"),
        json!({"role": "org:member"}),
    )
    .await;
    let as_member = only_token(&reload(&h, &mut browser).await);
    assert_ne!(as_member, as_admin, "the role changed: signed again");
    let (_, claims) = jwt_parts(&as_member);
    assert_eq!(claims["o"]["id"], org.as_str());
    assert_eq!(claims["o"]["rol"], "member");

    h.bapi(
        Method::DELETE,
        &format!("/v1/organizations/{org}/memberships/{user}"),
        None,
    )
    .await
    .ok_json();
    let personal = only_token(&reload(&h, &mut browser).await);
    let (_, claims) = jwt_parts(&personal);
    assert!(claims.get("o").is_none(), "{claims}");
    let client = reload(&h, &mut browser).await;
    assert_eq!(
        client["sessions"][0]["last_active_organization_id"],
        Value::Null
    );
    assert_eq!(only_token(&client), personal);
}

#[actix_web::test]
async fn an_active_organization_beyond_the_memberships_read_with_the_client_is_read_as_a_mint_reads_it()
 {
    let h = Harness::dev().await;
    let user = id(&h.create_user(json!({"first_name": "Many"})).await);
    // 101 organizations, the first the oldest membership: the client's
    // read shows the newest 100.
    let mut first = String::new();
    for n in 0..101 {
        let org = h
            .create_organization(json!({
                "name": format!("Org {n}"),
                "slug": format!("org-{n}"),
                "created_by": user,
            }))
            .await;
        if n == 0 {
            first = id(&org);
        }
        h.advance(Duration::from_secs(1));
    }
    let mut browser = Browser::dev(&h).await;
    let sid = browser.sign_in(&h, &user).await;
    let touched = browser
        .call(
            &h,
            Method::POST,
            &format!("/v1/client/sessions/{sid}/touch"),
            &[
                ("active_organization_id", first.as_str()),
                ("intent", "select_org"),
            ],
        )
        .await
        .ok_json();
    assert_eq!(
        touched["response"]["last_active_organization_id"],
        first.as_str()
    );
    let memberships = touched["client"]["sessions"][0]["user"]["organization_memberships"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        memberships, 100,
        "the oldest membership is not among those read"
    );
    h.advance(Duration::from_secs(31));
    let client = reload(&h, &mut browser).await;
    assert_eq!(
        client["sessions"][0]["last_active_organization_id"],
        first.as_str()
    );
    let (_, claims) = jwt_parts(&only_token(&client));
    assert_eq!(
        claims["o"]["id"],
        first.as_str(),
        "the organization is kept: {claims}"
    );
}
