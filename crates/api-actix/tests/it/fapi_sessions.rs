//! `/v1/client/sign_ins` and `/v1/client/sessions/{id}…` on the Frontend API.

use std::time::Duration;

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::support::*;

fn refusal(res: &Resp) -> Value {
    json!({ "status": res.status.as_u16(), "body": res.json() })
}

#[actix_web::test]
async fn a_ticket_signs_in_and_the_new_session_token_is_piggybacked() {
    let h = Harness::dev().await;
    let mut browser = Browser::dev(&h).await;
    browser.create_client(&h).await;
    let ticket = h.ticket("user_1").await;
    let res = browser
        .call(
            &h,
            Method::POST,
            "/v1/client/sign_ins",
            &[("strategy", "ticket"), ("ticket", &ticket)],
        )
        .await;
    let body = res.ok_json();
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let sid = body["response"]["created_session_id"].as_str().unwrap();
    let session = &body["client"]["sessions"][0];
    assert_eq!(session["id"], sid);
    let jwt = session["last_active_token"]["jwt"].as_str().unwrap();
    let (header, claims) = jwt_parts(jwt);
    assert_eq!(claims["sid"], sid);
    snapshot!("sign_in_complete", body);
    snapshot!("session_token_header", header);
    snapshot!("session_token_claims", claims);
}

#[actix_web::test]
async fn a_sign_in_without_a_client_creates_one_in_every_transport() {
    for (h, mut browser) in [
        (Harness::dev().await, None),
        (Harness::prod().await, Some(Browser::cookie())),
        (Harness::prod().await, Some(Browser::native())),
    ] {
        let mut browser = match browser.take() {
            Some(b) => b,
            None => Browser::dev(&h).await,
        };
        let sid = browser.sign_in(&h, "user_t").await;
        let res = browser.call(&h, Method::GET, "/v1/client", &[]).await;
        assert_eq!(
            res.ok_json()["client"]["last_active_session_id"],
            sid.as_str(),
            "{:?}",
            browser.transport
        );
    }
}

#[actix_web::test]
async fn sign_ins_refuse_other_strategies_used_tickets_and_a_second_session() {
    let h = Harness::dev().await;
    let mut browser = Browser::dev(&h).await;
    let mut refusals = serde_json::Map::new();
    let mut refuse = async |label: &str, form: &[(&str, &str)], browser: &mut Browser| {
        let res = browser
            .call(&h, Method::POST, "/v1/client/sign_ins", form)
            .await;
        assert!(res.status.is_client_error(), "{label}: {}", res.status);
        refusals.insert(label.to_owned(), refusal(&res));
    };
    refuse("no_strategy", &[], &mut browser).await;
    refuse(
        "password_strategy",
        &[("strategy", "password")],
        &mut browser,
    )
    .await;
    refuse("no_ticket", &[("strategy", "ticket")], &mut browser).await;
    refuse(
        "unknown_ticket",
        &[("strategy", "ticket"), ("ticket", "nope")],
        &mut browser,
    )
    .await;
    // Tickets are at most 256 characters: a longer one is malformed
    // without a lookup; one of exactly 256 is looked up (and unknown).
    let longest = "t".repeat(256);
    refuse(
        "unknown_ticket_of_256_characters",
        &[("strategy", "ticket"), ("ticket", &longest)],
        &mut browser,
    )
    .await;
    let overlong = "t".repeat(257);
    refuse(
        "overlong_ticket",
        &[("strategy", "ticket"), ("ticket", &overlong)],
        &mut browser,
    )
    .await;
    let ticket = h.ticket("user_1").await;
    let form = [("strategy", "ticket"), ("ticket", ticket.as_str())];
    assert_eq!(
        browser
            .call(&h, Method::POST, "/v1/client/sign_ins", &form)
            .await
            .status,
        200
    );
    // Single use, even on another browser.
    let mut other = Browser::dev(&h).await;
    refuse("used_ticket", &form, &mut other).await;
    // Banned and locked users: refused, their tickets left unused.
    let banned = h.ticket("user_banned").await;
    h.bapi(Method::POST, "/v1/users/user_banned/ban", None)
        .await
        .ok_json();
    let banned_form = [("strategy", "ticket"), ("ticket", banned.as_str())];
    refuse("banned_user", &banned_form, &mut other).await;
    let locked = h.ticket("user_locked").await;
    h.bapi(Method::POST, "/v1/users/user_locked/lock", None)
        .await
        .ok_json();
    refuse(
        "locked_user",
        &[("strategy", "ticket"), ("ticket", &locked)],
        &mut other,
    )
    .await;
    h.bapi(Method::POST, "/v1/users/user_banned/unban", None)
        .await
        .ok_json();
    assert_eq!(
        other
            .call(&h, Method::POST, "/v1/client/sign_ins", &banned_form)
            .await
            .status,
        200,
        "the refused ticket still signs in once the ban is lifted"
    );
    // Single-session instances: one live session per client.
    let second = h.ticket("user_2").await;
    refuse(
        "second_session",
        &[("strategy", "ticket"), ("ticket", &second)],
        &mut browser,
    )
    .await;
    // Only form bodies.
    let res = browser
        .send(
            &h,
            browser
                .request(Method::POST, "/v1/client/sign_ins")
                .set_json(json!({"strategy": "ticket"})),
        )
        .await;
    refusals.insert("json_body".to_owned(), refusal(&res));
    snapshot!("sign_in_refusals", refusals);
}

#[actix_web::test]
async fn a_session_is_read_touched_and_minted_for_by_its_own_client() {
    let h = Harness::dev().await;
    let mut browser = Browser::dev(&h).await;
    let sid = browser.sign_in(&h, "user_1").await;

    let res = browser
        .call(&h, Method::GET, &format!("/v1/client/sessions/{sid}"), &[])
        .await;
    let read = res.ok_json();
    assert_eq!(read["response"]["id"], sid.as_str());
    snapshot!("session_read", read);

    h.advance(Duration::from_secs(90));
    let res = browser
        .call(
            &h,
            Method::POST,
            &format!("/v1/client/sessions/{sid}/touch"),
            &[("intent", "focus")],
        )
        .await;
    let touched = res.ok_json();
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let token = touched["response"]["last_active_token"]["jwt"]
        .as_str()
        .unwrap();
    assert_eq!(jwt_parts(token).1["sid"], sid.as_str());
    assert_eq!(
        touched["client"]["sessions"][0]["last_active_token"],
        touched["response"]["last_active_token"]
    );
    snapshot!("session_touched", touched);

    // The hot path: `{"object":"token","jwt"}`, never cached. clerk-js
    // sends `organization_id` (and other fields) along; they are accepted.
    let res = browser
        .call(
            &h,
            Method::POST,
            &format!("/v1/client/sessions/{sid}/tokens"),
            &[("organization_id", ""), ("_clerk_js_version", "5.0.0")],
        )
        .await;
    let minted = res.ok_json();
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let (_, claims) = jwt_parts(minted["jwt"].as_str().unwrap());
    assert_eq!(claims["azp"], DEV_APP);
    snapshot!("session_token_minted", minted);
    snapshot!("session_token_minted_claims", claims);

    // An older API version gets the version 1 claims.
    let res = browser
        .call(
            &h,
            Method::POST,
            &format!("/v1/client/sessions/{sid}/tokens?__clerk_api_version=2024-10-01"),
            &[],
        )
        .await;
    let (_, claims) = jwt_parts(res.ok_json()["jwt"].as_str().unwrap());
    snapshot!("session_token_v1_claims", claims);
}

#[actix_web::test]
async fn session_routes_refuse_unknown_foreign_and_signed_out_callers() {
    let h = Harness::dev().await;
    let mut mine = Browser::dev(&h).await;
    mine.sign_in(&h, "user_a").await;
    let mut theirs = Browser::dev(&h).await;
    let their_sid = theirs.sign_in(&h, "user_b").await;
    let mut no_sessions = Browser::dev(&h).await;
    no_sessions.create_client(&h).await;
    let no_client = Browser::dev(&h).await;

    let mut refusals = serde_json::Map::new();
    for (method, action) in [
        (Method::GET, ""),
        (Method::POST, "/touch"),
        (Method::POST, "/end"),
        (Method::POST, "/remove"),
        (Method::POST, "/tokens"),
        (Method::POST, "/tokens/any_template"),
    ] {
        let mut cases = serde_json::Map::new();
        // Development browsers keep their credential: copies are the same caller.
        for (label, mut browser, sid) in [
            ("another_clients_session", mine.clone(), their_sid.as_str()),
            (
                "unknown_session",
                mine.clone(),
                "sess_0000000000000000000000",
            ),
            ("malformed_session_id", mine.clone(), "nope"),
            (
                "client_without_sessions",
                no_sessions.clone(),
                their_sid.as_str(),
            ),
            ("no_client", no_client.clone(), their_sid.as_str()),
        ] {
            let path = format!("/v1/client/sessions/{sid}{action}");
            let res = browser.call(&h, method.clone(), &path, &[]).await;
            assert!(res.status.is_client_error(), "{method} {path}");
            cases.insert(label.to_owned(), refusal(&res));
        }
        refusals.insert(format!("{method} {{id}}{action}"), Value::Object(cases));
    }
    snapshot!("session_refusals", refusals);
    let res = theirs
        .call(
            &h,
            Method::GET,
            &format!("/v1/client/sessions/{their_sid}"),
            &[],
        )
        .await;
    assert_eq!(
        res.ok_json()["response"]["status"],
        "active",
        "nobody else's request touched it"
    );
}

#[actix_web::test]
async fn an_ended_session_stays_listed_signed_out_and_a_removed_one_goes() {
    let h = Harness::dev().await;
    let mut browser = Browser::dev(&h).await;
    let sid = browser.sign_in(&h, "user_e").await;
    let res = browser
        .call(
            &h,
            Method::POST,
            &format!("/v1/client/sessions/{sid}/end"),
            &[],
        )
        .await;
    let ended = res.ok_json();
    assert_eq!(ended["response"]["status"], "ended");
    snapshot!("session_ended", ended);
    // An ended session mints nothing: the browser is signed out.
    let res = browser
        .call(
            &h,
            Method::POST,
            &format!("/v1/client/sessions/{sid}/tokens"),
            &[],
        )
        .await;
    snapshot!("token_for_ended_session", res.error(401));

    let mut other = Browser::dev(&h).await;
    let sid = other.sign_in(&h, "user_r").await;
    let res = other
        .call(
            &h,
            Method::POST,
            &format!("/v1/client/sessions/{sid}/remove"),
            &[],
        )
        .await;
    let removed = res.ok_json();
    assert_eq!(removed["response"]["status"], "removed");
    assert_eq!(removed["client"]["sessions"], json!([]));
    snapshot!("session_removed", removed);
}

#[actix_web::test]
async fn a_template_token_is_minted_for_the_clients_session() {
    let h = Harness::dev().await;
    h.create_template(json!({
        "name": "api",
        "claims": {"aud": "https://api.example.com", "uid": "{{user.id}}", "sid": "{{session.id}}"},
    }))
    .await;
    let mut browser = Browser::dev(&h).await;
    let sid = browser.sign_in(&h, "user_1").await;
    let res = browser
        .call(
            &h,
            Method::POST,
            &format!("/v1/client/sessions/{sid}/tokens/api"),
            &[],
        )
        .await;
    let minted = res.ok_json();
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let (header, claims) = jwt_parts(minted["jwt"].as_str().unwrap());
    assert_eq!(claims["uid"], "user_1");
    snapshot!("template_token_minted", minted);
    snapshot!("template_token_header", header);
    snapshot!("template_token_claims", claims);

    let res = browser
        .call(
            &h,
            Method::POST,
            &format!("/v1/client/sessions/{sid}/tokens/unknown"),
            &[],
        )
        .await;
    snapshot!("template_token_unknown_template", res.error(404));
}
