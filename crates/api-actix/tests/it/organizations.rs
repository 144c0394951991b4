//! Who may act for an organization is decided on the server: touch's
//! `active_organization_id`, the tokens call's and the handshake's
//! `organization_id` (an id or a slug) make an organization active only
//! for a member of it, and every session token carries the organization as
//! the membership is at mint time. Users, organizations and memberships are
//! written through the store's ports.

use actix_web::http::Method;
use hallpass_app::IdentityPolicy;
use hallpass_domain::{
    Environment, Membership, NewMembership, NewOrganization, Organization, OrganizationId,
    OrganizationMembershipId, OrganizationName, Role, RoleDescription, RoleSet, RoleSetDescription,
    Slug, UnixMillis, User, UserId,
};
use hallpass_ports::{MembershipStore as _, OrganizationStore as _, UserStore as _};
use serde_json::{Value, json};

use crate::support::*;

fn refusal(res: &Resp) -> Value {
    json!({ "status": res.status.as_u16(), "body": res.json() })
}

/// The status and the errors of a refusal, without the piggybacked client.
fn refusal_errors(res: &Resp) -> Value {
    json!({ "status": res.status.as_u16(), "errors": res.json()["errors"] })
}

/// Clerk's documented example role, and one that can only read.
fn roles() -> RoleSet {
    let describe = |key: &str, permissions: &[&str]| RoleDescription {
        key: key.to_owned(),
        name: None,
        permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
    };
    RoleSet::new(&RoleSetDescription {
        roles: vec![
            describe(
                "org:analyst",
                &[
                    "org:dashboard:read",
                    "org:dashboard:manage",
                    "org:teams:read",
                ],
            ),
            describe("org:viewer", &["org:dashboard:read"]),
        ],
        ..RoleSetDescription::default()
    })
    .unwrap()
}

fn user(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

/// An instance with the roles above, users `user_ada` (an analyst of
/// `org_acme`, slug `acme`), `user_bob` (an admin of `org_globex`, slug
/// `globex`) and `user_mallory` (a member of nothing).
async fn instance(environment: Environment) -> Harness {
    let h = Harness::start_full(
        environment,
        options(environment),
        None,
        IdentityPolicy {
            roles: roles(),
            ..IdentityPolicy::default()
        },
    )
    .await;
    let now = UnixMillis::new(T0);
    for id in ["user_ada", "user_bob", "user_mallory"] {
        h.store
            .insert_user(&User::adopt(user(id), now))
            .await
            .unwrap();
    }
    for (n, (id, name, slug, member, role)) in [
        ("org_acme", "Acme", "acme", "user_ada", "org:analyst"),
        ("org_globex", "Globex", "globex", "user_bob", "org:admin"),
    ]
    .into_iter()
    .enumerate()
    {
        let o = Organization::create(
            NewOrganization {
                slug: Some(Slug::parse(slug).unwrap()),
                ..NewOrganization::named(OrganizationName::parse(name).unwrap())
            },
            OrganizationId::parse(id).unwrap(),
            now,
        );
        h.store.insert_organization(&o, None).await.unwrap();
        let m = Membership::create(
            &o,
            user(member),
            NewMembership::with_role(Some(Role::parse(role).unwrap())),
            0,
            &roles(),
            OrganizationMembershipId::from_random(n as u128 + 1),
            now,
        )
        .unwrap();
        h.store.insert_membership(&m).await.unwrap();
    }
    h
}

/// A signed-in browser of `who` in `environment`'s transport.
async fn browser(h: &Harness, environment: Environment, who: &str) -> (Browser, String) {
    let mut browser = match environment {
        Environment::Development => Browser::dev(h).await,
        Environment::Production => Browser::cookie(),
    };
    let sid = browser.sign_in(h, who).await;
    (browser, sid)
}

fn app_url(environment: Environment) -> &'static str {
    match environment {
        Environment::Development => DEV_APP,
        Environment::Production => PROD_APP,
    }
}

async fn touch(h: &Harness, b: &mut Browser, sid: &str, org: &str) -> Resp {
    b.call(
        h,
        Method::POST,
        &format!("/v1/client/sessions/{sid}/touch"),
        &[("active_organization_id", org), ("intent", "select_org")],
    )
    .await
}

async fn tokens(h: &Harness, b: &mut Browser, sid: &str, org: Option<&str>) -> Resp {
    let form: Vec<(&str, &str)> = org.map(|o| ("organization_id", o)).into_iter().collect();
    b.call(
        h,
        Method::POST,
        &format!("/v1/client/sessions/{sid}/tokens"),
        &form,
    )
    .await
}

/// The claims of the session token a tokens call mints.
async fn minted(h: &Harness, b: &mut Browser, sid: &str, org: Option<&str>) -> Value {
    let res = tokens(h, b, sid, org).await;
    jwt_parts(res.ok_json()["jwt"].as_str().unwrap()).1
}

/// The handshake with `organization_id=org`: the session token it hands
/// the app, read from the query (development) or the cookie (production).
async fn handshake(h: &Harness, b: &Browser, environment: Environment, org: &str) -> Value {
    let redirect: String =
        url::form_urlencoded::byte_serialize(format!("{}/", app_url(environment)).as_bytes())
            .collect();
    let org: String = url::form_urlencoded::byte_serialize(org.as_bytes()).collect();
    let path =
        format!("/v1/client/handshake?redirect_url={redirect}&format=token&organization_id={org}");
    let navigation = Browser {
        origin: None,
        ..b.clone()
    };
    let res = h.fapi(navigation.request(Method::GET, &path)).await;
    assert_eq!(res.status, 307, "{:?}", res.body);
    let jwt = match environment {
        Environment::Development => {
            let location = url::Url::parse(res.header("location").unwrap()).unwrap();
            location
                .query_pairs()
                .into_owned()
                .find(|(k, _)| k == "__clerk_handshake")
                .unwrap()
                .1
        }
        Environment::Production => {
            cookie_value(&res.cookie("__clerk_handshake").unwrap()).to_owned()
        }
    };
    let (_, payload) = jwt_parts(&jwt);
    let directives: Vec<String> = serde_json::from_value(payload["handshake"].clone()).unwrap();
    let token = hallpass_domain::handshake::session_token_of(&directives).unwrap();
    jwt_parts(token).1
}

async fn active_organization(h: &Harness, b: &mut Browser) -> Value {
    let client = b.call(h, Method::GET, "/v1/client", &[]).await.ok_json();
    client["client"]["sessions"][0]["last_active_organization_id"].clone()
}

/// What an attacker might name: another organization by id and by slug,
/// organizations that do not exist, values that are neither.
const FOREIGN: [&str; 5] = [
    "org_globex",
    "globex",
    "org_nowhere",
    "nowhere",
    "Not A Slug!",
];

#[actix_web::test]
async fn no_path_lets_a_browser_activate_an_organization_it_is_not_a_member_of() {
    for environment in [Environment::Development, Environment::Production] {
        let h = instance(environment).await;
        for (who, start) in [
            ("user_ada", Value::Null),
            ("user_ada", json!("org_acme")),
            ("user_mallory", Value::Null),
        ] {
            let (mut b, sid) = browser(&h, environment, who).await;
            if start != Value::Null {
                touch(&h, &mut b, &sid, "org_acme").await.ok_json();
            }
            let mut refusals = serde_json::Map::new();
            for org in FOREIGN {
                let res = touch(&h, &mut b, &sid, org).await;
                assert_eq!(
                    res.status, 404,
                    "{environment:?} {who} touch {org}: {:?}",
                    res.body
                );
                // The client rides along, as `GET /v1/client` shows it.
                let body = res.json();
                let client = b.call(&h, Method::GET, "/v1/client", &[]).await.ok_json();
                assert_eq!(body["meta"]["client"], client["client"]);
                assert_eq!(
                    body["meta"]["client"]["sessions"][0]["last_active_organization_id"],
                    start
                );
                if environment == Environment::Development
                    && who == "user_mallory"
                    && org == "globex"
                {
                    let mut shown = refusal(&res);
                    shown["body"]["meta"]["client"] = json!("[the client]");
                    snapshot!("organization_refusal", shown);
                }
                refusals.insert(format!("touch {org}"), refusal_errors(&res));
                let res = tokens(&h, &mut b, &sid, Some(org)).await;
                assert_eq!(
                    res.status, 404,
                    "{environment:?} {who} tokens {org}: {:?}",
                    res.body
                );
                refusals.insert(format!("tokens {org}"), refusal_errors(&res));
                // The handshake leaves the session as it was, and its token
                // carries what the session had.
                let claims = handshake(&h, &b, environment, org).await;
                assert_eq!(claims["sid"], sid.as_str());
                assert_eq!(
                    claims["o"]["id"], start,
                    "{environment:?} {who} handshake {org}"
                );
                assert_eq!(active_organization(&h, &mut b).await, start);
            }
            // One answer for an organization that exists and one that does
            // not, by id or by slug, on both paths.
            let first = refusals.values().next().unwrap().clone();
            assert!(refusals.values().all(|r| *r == first), "{refusals:?}");
            // No token ever carries a foreign organization.
            let claims = minted(&h, &mut b, &sid, None).await;
            assert_eq!(claims["o"]["id"], start, "{environment:?} {who}");
        }
    }
}

#[actix_web::test]
async fn a_member_activates_by_id_or_slug_on_every_path() {
    for environment in [Environment::Development, Environment::Production] {
        let h = instance(environment).await;
        let (mut b, sid) = browser(&h, environment, "user_ada").await;
        for org in ["org_acme", "acme"] {
            // Touch.
            let res = touch(&h, &mut b, &sid, org).await;
            let body = res.ok_json();
            assert_eq!(body["response"]["last_active_organization_id"], "org_acme");
            let jwt = body["response"]["last_active_token"]["jwt"]
                .as_str()
                .unwrap();
            let (_, claims) = jwt_parts(jwt);
            assert_eq!(claims["o"]["id"], "org_acme", "{environment:?} touch {org}");
            if environment == Environment::Development && org == "acme" {
                snapshot!("organization_token_claims", claims);
            }
            touch(&h, &mut b, &sid, "").await.ok_json();
            assert_eq!(active_organization(&h, &mut b).await, Value::Null);

            // The tokens call.
            let claims = minted(&h, &mut b, &sid, Some(org)).await;
            assert_eq!(claims["o"]["slg"], "acme", "{environment:?} tokens {org}");
            assert_eq!(active_organization(&h, &mut b).await, "org_acme");
            let claims = minted(&h, &mut b, &sid, Some("")).await;
            assert!(claims.get("o").is_none(), "{claims}");

            // The handshake.
            let claims = handshake(&h, &b, environment, org).await;
            assert_eq!(
                claims["o"]["rol"], "analyst",
                "{environment:?} handshake {org}"
            );
            assert_eq!(active_organization(&h, &mut b).await, "org_acme");
            let claims = handshake(&h, &b, environment, "").await;
            assert!(claims.get("o").is_none(), "{claims}");
            assert_eq!(active_organization(&h, &mut b).await, Value::Null);
        }
    }
}

#[actix_web::test]
async fn older_api_versions_get_the_organization_as_v1_claims() {
    let h = instance(Environment::Development).await;
    let (mut b, sid) = browser(&h, Environment::Development, "user_ada").await;
    touch(&h, &mut b, &sid, "acme").await.ok_json();
    let res = b
        .call(
            &h,
            Method::POST,
            &format!("/v1/client/sessions/{sid}/tokens?__clerk_api_version=2024-10-01"),
            &[("organization_id", "org_acme")],
        )
        .await;
    let (_, claims) = jwt_parts(res.ok_json()["jwt"].as_str().unwrap());
    assert_eq!(claims["org_role"], "org:analyst");
    snapshot!("organization_token_v1_claims", claims);
}

#[actix_web::test]
async fn a_removed_membership_or_deleted_organization_leaves_the_next_token_without_it() {
    for removal in ["membership", "organization"] {
        let h = instance(Environment::Production).await;
        let (mut b, sid) = browser(&h, Environment::Production, "user_ada").await;
        touch(&h, &mut b, &sid, "org_acme").await.ok_json();
        let template = h
            .create_template(json!({"name": "org", "claims": {"org": "{{org.id}}"}}))
            .await;
        let res = b
            .call(
                &h,
                Method::POST,
                &format!("/v1/client/sessions/{sid}/tokens/org"),
                &[],
            )
            .await;
        let (_, claims) = jwt_parts(res.ok_json()["jwt"].as_str().unwrap());
        assert_eq!(claims["org"], "org_acme");
        assert_eq!(template["name"], "org");

        match removal {
            "membership" => {
                h.store
                    .delete_membership(
                        &OrganizationId::parse("org_acme").unwrap(),
                        &user("user_ada"),
                    )
                    .await
                    .unwrap();
            }
            _ => {
                h.store
                    .delete_organization(
                        &OrganizationId::parse("org_acme").unwrap(),
                        UnixMillis::new(T0),
                    )
                    .await
                    .unwrap();
            }
        }
        // clerk-js names the session's organization with every token until
        // it hears otherwise. A removed member's next token has none, and
        // the session forgets the organization; a deleted organization was
        // cleared from the session already, so naming it is refused, with
        // the client as it is now.
        let claims = if removal == "membership" {
            minted(&h, &mut b, &sid, Some("org_acme")).await
        } else {
            let res = tokens(&h, &mut b, &sid, Some("org_acme")).await;
            assert_eq!(res.status, 404, "{:?}", res.body);
            let client = &res.json()["meta"]["client"];
            assert_eq!(
                client["sessions"][0]["last_active_organization_id"],
                Value::Null
            );
            minted(&h, &mut b, &sid, None).await
        };
        assert!(
            claims.get("o").is_none() && claims.get("fea").is_none(),
            "{removal}: {claims}"
        );
        assert_eq!(
            active_organization(&h, &mut b).await,
            Value::Null,
            "{removal}"
        );
        let res = b
            .call(
                &h,
                Method::POST,
                &format!("/v1/client/sessions/{sid}/tokens/org"),
                &[],
            )
            .await;
        let (_, claims) = jwt_parts(res.ok_json()["jwt"].as_str().unwrap());
        assert_eq!(claims["org"], Value::Null, "{removal}");
        // Choosing it again is refused.
        for org in ["org_acme", "acme"] {
            assert_eq!(
                touch(&h, &mut b, &sid, org).await.status,
                404,
                "{removal} {org}"
            );
        }
    }
}

#[actix_web::test]
async fn a_role_downgrade_shows_in_the_very_next_token() {
    let h = instance(Environment::Development).await;
    let (mut b, sid) = browser(&h, Environment::Development, "user_ada").await;
    touch(&h, &mut b, &sid, "org_acme").await.ok_json();
    let before = minted(&h, &mut b, &sid, Some("org_acme")).await;
    assert_eq!(before["o"]["rol"], "analyst");
    assert_eq!(before["o"]["per"], "manage,read");

    let acme = OrganizationId::parse("org_acme").unwrap();
    let previous = h
        .store
        .find_membership(&acme, &user("user_ada"))
        .await
        .unwrap()
        .unwrap();
    let mut downgraded = previous.clone();
    downgraded
        .set_role(
            Role::parse("org:viewer").unwrap(),
            &roles(),
            UnixMillis::new(T0),
        )
        .unwrap();
    h.store
        .update_membership(&downgraded, &previous)
        .await
        .unwrap();

    let after = minted(&h, &mut b, &sid, Some("org_acme")).await;
    assert_eq!(
        (&after["o"], &after["fea"]),
        (
            &json!({"id": "org_acme", "slg": "acme", "rol": "viewer", "per": "read", "fpm": "1"}),
            &json!("o:dashboard")
        )
    );
    assert_eq!(active_organization(&h, &mut b).await, "org_acme");
}

#[actix_web::test]
async fn the_personal_account_can_always_be_chosen() {
    let h = instance(Environment::Development).await;
    let (mut b, sid) = browser(&h, Environment::Development, "user_mallory").await;
    for empty in ["", "null"] {
        let res = touch(&h, &mut b, &sid, empty).await;
        let body = res.ok_json();
        assert_eq!(body["response"]["last_active_organization_id"], Value::Null);
        let claims = minted(&h, &mut b, &sid, Some(empty)).await;
        assert!(claims.get("o").is_none());
    }
}

#[actix_web::test]
async fn the_backend_api_creates_sessions_in_an_organization_only_for_its_members() {
    let h = instance(Environment::Development).await;
    let mut refusals = serde_json::Map::new();
    for (who, org) in [
        ("user_ada", "org_globex"),
        ("user_mallory", "org_acme"),
        ("user_ada", "org_nowhere"),
    ] {
        let res = h
            .bapi(
                Method::POST,
                "/v1/sessions",
                Some(json!({"user_id": who, "active_organization_id": org})),
            )
            .await;
        assert_eq!(res.status, 404, "{who} {org}: {:?}", res.body);
        refusals.insert(format!("{who} {org}"), refusal(&res));
    }
    let first = refusals.values().next().unwrap().clone();
    assert!(refusals.values().all(|r| *r == first), "{refusals:?}");
    snapshot!("backend_session_organization_refusal", first);
    let list = h
        .bapi(Method::GET, "/v1/sessions?user_id=user_ada", None)
        .await
        .ok_json();
    assert_eq!(list, json!([]), "nothing was created");

    let session = h
        .bapi(
            Method::POST,
            "/v1/sessions",
            Some(json!({"user_id": "user_ada", "active_organization_id": "org_acme"})),
        )
        .await
        .ok_json();
    assert_eq!(session["last_active_organization_id"], "org_acme");
    let minted = h
        .bapi(
            Method::POST,
            &format!("/v1/sessions/{}/tokens", session["id"].as_str().unwrap()),
            None,
        )
        .await
        .ok_json();
    let (_, claims) = jwt_parts(minted["jwt"].as_str().unwrap());
    assert_eq!(claims["o"]["rol"], "analyst");
    assert_eq!(claims["fea"], "o:dashboard,o:teams");
}
