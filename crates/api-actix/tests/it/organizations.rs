//! Who may act for an organization is decided on the server: the Frontend
//! API makes no organization active that it cannot verify (touch, tokens,
//! the handshake's `organization_id`); the Backend API stays the only way.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::support::*;

fn refusal(res: &Resp) -> Value {
    json!({ "status": res.status.as_u16(), "body": res.json() })
}

#[actix_web::test]
async fn a_browser_cannot_make_itself_a_member_of_another_organization() {
    let h = Harness::dev().await;
    let mut browser = Browser::dev(&h).await;
    let sid = browser.sign_in(&h, "user_attacker").await;
    let mut refusals = serde_json::Map::new();

    let touch = browser
        .call(
            &h,
            Method::POST,
            &format!("/v1/client/sessions/{sid}/touch"),
            &[
                ("active_organization_id", "org_someone_elses_company"),
                ("intent", "select_org"),
            ],
        )
        .await;
    assert_eq!(touch.status, 403, "{:?}", touch.body);
    refusals.insert("touch".to_owned(), refusal(&touch));

    for org in ["org_someone_elses_company", "someones-slug"] {
        let token = browser
            .call(
                &h,
                Method::POST,
                &format!("/v1/client/sessions/{sid}/tokens"),
                &[("organization_id", org)],
            )
            .await;
        assert_eq!(token.status, 403, "{org}: {:?}", token.body);
        refusals.insert(format!("token {org}"), refusal(&token));
    }
    snapshot!("organization_refusals", refusals);

    // Nothing changed: the session has no organization and its tokens carry none.
    let client = browser
        .call(&h, Method::GET, "/v1/client", &[])
        .await
        .ok_json();
    assert_eq!(
        client["client"]["sessions"][0]["last_active_organization_id"],
        Value::Null
    );
    let token = browser
        .call(
            &h,
            Method::POST,
            &format!("/v1/client/sessions/{sid}/tokens"),
            &[("organization_id", "")],
        )
        .await
        .ok_json();
    let (_, claims) = jwt_parts(token["jwt"].as_str().unwrap());
    assert!(claims.get("o").is_none(), "{claims}");
}

#[actix_web::test]
async fn the_personal_account_can_always_be_chosen() {
    let h = Harness::dev().await;
    let mut browser = Browser::dev(&h).await;
    let sid = browser.sign_in(&h, "user_1").await;
    for empty in ["", "null"] {
        let res = browser
            .call(
                &h,
                Method::POST,
                &format!("/v1/client/sessions/{sid}/touch"),
                &[("active_organization_id", empty), ("intent", "select_org")],
            )
            .await;
        let body = res.ok_json();
        assert_eq!(body["response"]["last_active_organization_id"], Value::Null);
    }
}

#[actix_web::test]
async fn a_handshake_naming_another_organization_leaves_the_session_as_it_was() {
    let h = Harness::dev().await;
    let mut browser = Browser::dev(&h).await;
    let sid = browser.sign_in(&h, "user_attacker").await;
    let redirect: String =
        url::form_urlencoded::byte_serialize(format!("{DEV_APP}/").as_bytes()).collect();
    let path = format!(
        "/v1/client/handshake?redirect_url={redirect}&format=token&organization_id=org_someone_elses_company"
    );
    let res = browser.call(&h, Method::GET, &path, &[]).await;
    assert_eq!(res.status, 307, "{:?}", res.body);
    let location = url::Url::parse(res.header("location").unwrap()).unwrap();
    let (_, handshake) = location
        .query_pairs()
        .into_owned()
        .find(|(k, _)| k == "__clerk_handshake")
        .unwrap();
    let (_, payload) = jwt_parts(&handshake);
    let directives: Vec<String> = serde_json::from_value(payload["handshake"].clone()).unwrap();
    let token = hallpass_domain::handshake::session_token_of(&directives).unwrap();
    let (_, claims) = jwt_parts(token);
    assert_eq!(claims["sid"], sid.as_str());
    assert!(claims.get("o").is_none(), "{claims}");
    let client = browser
        .call(&h, Method::GET, "/v1/client", &[])
        .await
        .ok_json();
    assert_eq!(
        client["client"]["sessions"][0]["last_active_organization_id"],
        Value::Null
    );
}
