//! `GET /v1/environment` (and the `POST ?_method=PATCH` clerk-js sends on
//! development instances): the instance's settings as clerk-js reads them,
//! and the `/v1/me` lists `<OrganizationSwitcher/>` reads.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use hallpass_domain::Environment;
use hallpass_domain::display::{AppLink, ApplicationName, Display};
use serde_json::{Value, json};

use crate::identity::*;
use crate::support::*;

const VERSION: &str = "__clerk_api_version=2026-05-12";

async fn environment(h: &Harness, browser: &mut Browser) -> Value {
    browser
        .call(h, Method::GET, &format!("/v1/environment?{VERSION}"), &[])
        .await
        .ok_json()
}

#[actix_web::test]
async fn a_development_instance_announces_ticket_sign_in_organizations_and_no_third_party_script() {
    let h = Harness::dev().await;
    let mut browser = Browser::dev(&h).await;
    let env = environment(&h, &mut browser).await;
    assert!(env.get("client").is_none() && env.get("response").is_none());
    let display = &env["display_config"];
    assert_eq!(display["instance_environment_type"], "development");
    assert_eq!(display["application_name"], "Hallpass");
    assert_eq!(display["sign_in_url"], "/sign-in");
    assert_eq!(display["show_devmode_warning"], true);
    // Nothing that loads a script from elsewhere.
    assert!(display["captcha_public_key"].is_null());
    assert!(display["captcha_public_key_invisible"].is_null());
    assert_eq!(display["captcha_heartbeat"], false);
    assert_eq!(env["user_settings"]["sign_up"]["captcha_enabled"], false);
    assert!(env.get("commerce_settings").is_none());
    assert!(env.get("protect_config").is_none());
    // The sign-in methods that exist: a ticket, and nothing a form asks for.
    let attributes = env["user_settings"]["attributes"].as_object().unwrap();
    assert_eq!(attributes.len(), 11);
    for (name, a) in attributes {
        assert_eq!(a["enabled"], name == "ticket", "{name}");
        assert_eq!(a["used_for_first_factor"], false, "{name}");
    }
    assert_eq!(env["user_settings"]["sign_up"]["mode"], "restricted");
    assert_eq!(env["auth_config"]["first_factors"], json!(["ticket"]));
    assert_eq!(env["auth_config"]["single_session_mode"], true);
    let orgs = &env["organization_settings"];
    assert_eq!(orgs["enabled"], true);
    assert_eq!(orgs["creator_role"], "org:admin");
    assert_eq!(orgs["domains"]["default_role"], "org:member");
    assert_eq!(orgs["domains"]["enabled"], false);
    snapshot!("fapi_environment_development", env);
}

#[actix_web::test]
async fn the_development_patch_answers_the_environment_and_changes_nothing() {
    let h = Harness::dev().await;
    let mut browser = Browser::dev(&h).await;
    let before = environment(&h, &mut browser).await;
    let patched = browser
        .call(
            &h,
            Method::POST,
            &format!("/v1/environment?_method=PATCH&{VERSION}"),
            &[],
        )
        .await
        .ok_json();
    assert_eq!(patched, before);
    assert_eq!(environment(&h, &mut browser).await, before);
    // Without a development browser (cookie transport) and with PATCH itself.
    let mut cookie = Browser {
        origin: Some(DEV_APP),
        ..Browser::cookie()
    };
    let res = cookie
        .send(
            &h,
            cookie.request(Method::PATCH, &format!("/v1/environment?{VERSION}")),
        )
        .await;
    assert_eq!(res.ok_json(), before);
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some(DEV_APP),
        "clerk-js reads it cross-origin"
    );
}

#[actix_web::test]
async fn a_bad_version_is_refused_and_a_stale_development_browser_does_not_matter() {
    let h = Harness::dev().await;
    let res = h
        .fapi(TestRequest::get().uri("/v1/environment?__clerk_api_version=2020-01-01"))
        .await;
    assert_eq!(code(&res, 400), "api_version_invalid");
    // The environment reads no client: a development browser the instance
    // does not know (a browser from before a reset) still gets it, so
    // clerk-js loads and then replaces its development browser.
    let known = h.fapi(TestRequest::get().uri("/v1/environment")).await;
    let stale = h
        .fapi(TestRequest::get().uri("/v1/environment?__clerk_db_jwt=dvb_unknown"))
        .await;
    assert_eq!(stale.ok_json(), known.ok_json());
}

#[actix_web::test]
async fn production_shows_the_configured_display_and_no_development_notice() {
    let mut options = options(Environment::Production);
    options.display = Display {
        application_name: ApplicationName::parse("Acme").unwrap(),
        logo_image_url: Some(AppLink::parse("x", "https://cdn.example.com/logo.png").unwrap()),
        support_email: Some("help@example.com".to_owned()),
        ..Display::default()
    };
    options.display.links.sign_in = AppLink::parse("x", "https://app.example.com/login").unwrap();
    options.display.links.after_sign_out = AppLink::parse("x", "/goodbye").unwrap();
    options.native_api = false;
    let h = Harness::start(Environment::Production, options).await;
    let mut browser = Browser::cookie();
    let env = environment(&h, &mut browser).await;
    let display = &env["display_config"];
    assert_eq!(display["instance_environment_type"], "production");
    assert_eq!(display["show_devmode_warning"], false);
    assert_eq!(display["application_name"], "Acme");
    assert_eq!(
        display["logo_image_url"],
        "https://cdn.example.com/logo.png"
    );
    assert_eq!(display["logo_url"], "https://cdn.example.com/logo.png");
    assert_eq!(display["sign_in_url"], "https://app.example.com/login");
    assert_eq!(display["after_sign_out_one_url"], "/goodbye");
    assert_eq!(display["after_sign_out_all_url"], "/goodbye");
    assert_eq!(display["support_email"], "help@example.com");
    assert_eq!(env["auth_config"]["url_based_session_syncing"], false);
    assert_eq!(
        env["auth_config"]["native_settings"]["api_enabled"], false,
        "the native API is off"
    );
    assert!(
        browser.credential.is_none(),
        "reading the environment creates no client"
    );
}

#[actix_web::test]
async fn the_organization_settings_carry_the_configured_roles() {
    use hallpass_domain::{RoleDescription, RoleSet, RoleSetDescription, SYSTEM_PERMISSIONS};
    let roles = RoleSet::new(&RoleSetDescription {
        roles: vec![
            RoleDescription {
                key: "org:viewer".to_owned(),
                name: None,
                permissions: Vec::new(),
            },
            RoleDescription {
                key: "org:owner".to_owned(),
                name: None,
                permissions: SYSTEM_PERMISSIONS.map(str::to_owned).to_vec(),
            },
        ],
        creator_role: Some("org:owner".to_owned()),
        default_role: Some("org:viewer".to_owned()),
    })
    .unwrap();
    let h = Harness::start_full(
        Environment::Development,
        options(Environment::Development),
        None,
        hallpass_app::IdentityPolicy {
            roles,
            ..hallpass_app::IdentityPolicy::default()
        },
    )
    .await;
    let mut browser = Browser::dev(&h).await;
    let orgs = environment(&h, &mut browser).await["organization_settings"].clone();
    assert_eq!(orgs["creator_role"], "org:owner");
    assert_eq!(orgs["domains"]["default_role"], "org:viewer");
}

/// Two organizations for `user`: one created by them (admin), one they
/// were added to (member), newest last.
async fn member_of_two(h: &Harness) -> String {
    let user = id(&h
        .create_user(json!({"first_name": "Grace", "email_address": ["grace@example.com"]}))
        .await);
    h.create_organization(json!({"name": "First", "slug": "first", "created_by": user}))
        .await;
    h.advance(std::time::Duration::from_secs(1));
    let second = h
        .create_organization(json!({"name": "Second", "slug": "second"}))
        .await;
    h.send_ok(
        Method::POST,
        &format!("/v1/organizations/{}/memberships", id(&second)),
        json!({"user_id": user, "role": "org:member"}),
    )
    .await;
    user
}

#[actix_web::test]
async fn my_organization_memberships_are_listed_newest_first_with_the_member() {
    let h = Harness::dev().await;
    let user = member_of_two(&h).await;
    let mut browser = Browser::dev(&h).await;
    browser.create_client(&h).await;
    let path = "/v1/me/organization_memberships?paginated=true&limit=10&offset=0";
    let res = browser.call(&h, Method::GET, path, &[]).await;
    assert_eq!(code(&res, 401), "signed_out");

    let sid = browser.sign_in(&h, &user).await;
    let body = browser
        .call(
            &h,
            Method::GET,
            &format!("{path}&_clerk_session_id={sid}"),
            &[],
        )
        .await
        .ok_json();
    let page = &body["response"];
    assert_eq!(page["total_count"], 2);
    let slugs: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["organization"]["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["second", "first"]);
    assert_eq!(page["data"][0]["role"], "org:member");
    assert_eq!(page["data"][1]["role"], "org:admin");
    assert_eq!(
        page["data"][0]["public_user_data"]["user_id"],
        user.as_str()
    );
    assert_eq!(
        page["data"][0]["public_user_data"]["identifier"],
        "grace@example.com"
    );
    assert!(!body.to_string().contains("private_metadata"));
    assert_eq!(body["client"]["sessions"][0]["id"], sid.as_str());
    snapshot!("fapi_me_organization_memberships", page);

    let second_page = browser
        .call(
            &h,
            Method::GET,
            "/v1/me/organization_memberships?paginated=true&limit=1&offset=1",
            &[],
        )
        .await
        .ok_json();
    assert_eq!(second_page["response"]["total_count"], 2);
    assert_eq!(
        second_page["response"]["data"][0]["organization"]["slug"],
        "first"
    );
    let bare = browser
        .call(&h, Method::GET, "/v1/me/organization_memberships", &[])
        .await
        .ok_json();
    assert_eq!(
        bare["response"].as_array().unwrap().len(),
        2,
        "not paginated"
    );
}

#[actix_web::test]
async fn invitations_and_suggestions_are_empty_lists_for_a_signed_in_user() {
    let h = Harness::dev().await;
    let user = member_of_two(&h).await;
    let mut browser = Browser::dev(&h).await;
    browser.create_client(&h).await;
    for list in ["organization_invitations", "organization_suggestions"] {
        let path = format!("/v1/me/{list}?paginated=true&status=pending");
        let res = browser.call(&h, Method::GET, &path, &[]).await;
        assert_eq!(code(&res, 401), "signed_out", "{list}");
    }
    browser.sign_in(&h, &user).await;
    for list in ["organization_invitations", "organization_suggestions"] {
        let path = format!("/v1/me/{list}?paginated=true&status=pending&limit=20");
        let body = browser.call(&h, Method::GET, &path, &[]).await.ok_json();
        assert_eq!(
            body["response"],
            json!({"data": [], "total_count": 0}),
            "{list}"
        );
        assert!(body["client"]["sessions"].is_array(), "{list}");
        let res = browser
            .call(&h, Method::GET, &format!("/v1/me/{list}?status=bogus"), &[])
            .await;
        assert_eq!(code(&res, 422), "form_param_value_invalid", "{list}");
    }
    let res = browser
        .call(
            &h,
            Method::GET,
            "/v1/me/organization_suggestions?status=pending&status=accepted",
            &[],
        )
        .await;
    assert_eq!(res.ok_json()["response"], json!([]));
}

#[actix_web::test]
async fn a_bad_page_or_session_is_refused_before_anything_is_read() {
    let h = Harness::dev().await;
    let user = member_of_two(&h).await;
    let mut browser = Browser::dev(&h).await;
    browser.sign_in(&h, &user).await;
    let mut refusals = Refusals::default();
    for (label, query, status, expected) in [
        ("limit 0", "limit=0", 422, "form_param_value_invalid"),
        ("limit 501", "limit=501", 422, "form_param_value_invalid"),
        ("offset -1", "offset=-1", 422, "form_param_value_invalid"),
        (
            "paginated maybe",
            "paginated=maybe",
            422,
            "form_param_value_invalid",
        ),
        (
            "unknown session",
            "_clerk_session_id=sess_2nothere00000000000000000",
            404,
            "resource_not_found",
        ),
    ] {
        let res = browser
            .call(
                &h,
                Method::GET,
                &format!("/v1/me/organization_memberships?{query}"),
                &[],
            )
            .await;
        refusals.expect(label, &res, status, expected);
    }
    snapshot!("fapi_me_list_refusals", refusals.value());
}
