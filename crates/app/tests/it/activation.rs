//! Who may act for an organization is decided on the server, and what a
//! token says about it follows the membership at mint time: the use cases
//! against the real embedded store, users, organizations and memberships
//! written through the store's ports.

use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::Duration;

use hallpass_adapter_jwt::JoseKeys;
use hallpass_adapter_sqlite::SqliteStore;
use hallpass_app::{
    ClientCredential, FrontendCaller, FrontendError, Hallpass, IdentityPolicy, MintOptions,
    OrganizationRequest, SessionError, SignInRequest, Transport,
};
use hallpass_domain::activity::SessionActivity;
use hallpass_domain::client::OnExistingSession;
use hallpass_domain::token::{ApiVersion, SessionTokenClaims};
use hallpass_domain::{
    Environment, InstanceSettings, Membership, NewMembership, NewOrganization, OrgClaims,
    Organization, OrganizationId, OrganizationMembershipId, OrganizationName, Permission, Role,
    RoleDescription, RoleSet, RoleSetDescription, Session, SessionId, Slug, User, UserId,
};
use hallpass_ports::{
    MembershipStore as _, OrganizationStore as _, SessionStore as _, TokenVerifier as _,
    UserStore as _,
};

use crate::support::*;

/// Clerk's documented example role, and a role that can only read.
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

/// An instance whose role set is [`roles`], with ada (an analyst of
/// acme) and mallory (a member of nothing), and globex, which neither
/// belongs to.
struct World {
    app: Hallpass<SqliteStore, JoseKeys>,
    store: SqliteStore,
    clock: Arc<TestClock>,
    acme: Organization,
    globex: Organization,
    _dir: tempfile::TempDir,
}

fn user(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

fn organization(id: &str, name: &str, slug: &str) -> Organization {
    Organization::create(
        NewOrganization {
            slug: Some(Slug::parse(slug).unwrap()),
            ..NewOrganization::named(OrganizationName::parse(name).unwrap())
        },
        OrganizationId::parse(id).unwrap(),
        hallpass_domain::UnixMillis::new(T0),
    )
}

async fn start(
    store: SqliteStore,
    clock: Arc<TestClock>,
    roles: RoleSet,
) -> Hallpass<SqliteStore, JoseKeys> {
    let mut config = config(Environment::Development, InstanceSettings::default());
    config.identity = IdentityPolicy {
        roles,
        ..IdentityPolicy::default()
    };
    start_on(store, clock, config).await.unwrap().app
}

impl World {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.sqlite3")).unwrap();
        let clock = Arc::new(TestClock(AtomicI64::new(T0)));
        let app = start(store.clone(), clock.clone(), roles()).await;
        let now = hallpass_domain::UnixMillis::new(T0);
        for id in ["user_ada", "user_mallory", "user_bob"] {
            store
                .insert_user(&User::adopt(user(id), now))
                .await
                .unwrap();
        }
        let acme = organization("org_acme", "Acme", "acme");
        let globex = organization("org_globex", "Globex", "globex");
        for o in [&acme, &globex] {
            store.insert_organization(o, None).await.unwrap();
        }
        let world = Self {
            app,
            store,
            clock,
            acme,
            globex,
            _dir: dir,
        };
        world
            .add_member(&world.acme, "user_ada", "org:analyst", 1)
            .await;
        world
            .add_member(&world.globex, "user_bob", "org:admin", 2)
            .await;
        world
    }

    async fn add_member(&self, o: &Organization, who: &str, role: &str, n: u128) -> Membership {
        let m = Membership::create(
            o,
            user(who),
            NewMembership::with_role(Some(Role::parse(role).unwrap())),
            0,
            &roles(),
            OrganizationMembershipId::from_random(n),
            self.app.now(),
        )
        .unwrap();
        self.store.insert_membership(&m).await.unwrap();
        m
    }

    /// A client with a session of `who` (with `organization` active, as
    /// the store allows anything), and the caller presenting its token.
    async fn signed_in(
        &self,
        who: &str,
        organization: Option<&Organization>,
    ) -> (FrontendCaller, SessionId) {
        let client = self.app.create_client().await.unwrap();
        let (client, out) = self
            .app
            .sign_in(SignInRequest {
                client_id: client.id().clone(),
                user_id: user(who),
                active_organization_id: organization.map(|o| o.id().clone()),
                tasks: vec![],
                on_existing: OnExistingSession::Refuse,
                ticket: None,
            })
            .await
            .unwrap();
        let caller = FrontendCaller {
            transport: Transport::Native,
            credential: Some(ClientCredential::Token(
                self.app.client_token(&client).unwrap(),
            )),
            origin: None,
            version: ApiVersion::LATEST,
        };
        (caller, out.session.id().clone())
    }

    async fn stored(&self, id: &SessionId) -> Session {
        self.store.find_session(id).await.unwrap()
    }

    fn claims(&self, token: &str) -> SessionTokenClaims {
        self.app
            .ring()
            .verify_session_token(token, self.app.now())
            .unwrap()
    }

    async fn touch(
        &self,
        caller: &FrontendCaller,
        id: &SessionId,
        request: &OrganizationRequest,
    ) -> Result<String, FrontendError> {
        self.app
            .touch(caller, id, Some(request), &SessionActivity::default())
            .await
            .map(|t| t.token)
    }

    async fn tokens(
        &self,
        caller: &FrontendCaller,
        id: &SessionId,
        request: Option<&OrganizationRequest>,
    ) -> Result<String, FrontendError> {
        self.app.caller_session_token(caller, id, request).await
    }
}

fn named(value: &str) -> OrganizationRequest {
    OrganizationRequest::Named(value.to_owned())
}

fn permissions(keys: &[&str]) -> Vec<Permission> {
    keys.iter().map(|k| Permission::parse(k).unwrap()).collect()
}

fn analyst_of_acme() -> OrgClaims {
    OrgClaims {
        id: OrganizationId::parse("org_acme").unwrap(),
        slug: Slug::parse("acme").unwrap(),
        role: Role::parse("org:analyst").unwrap(),
        permissions: permissions(&[
            "org:dashboard:manage",
            "org:dashboard:read",
            "org:teams:read",
        ]),
    }
}

fn refused(result: Result<String, FrontendError>, value: &str) {
    match result {
        Err(FrontendError::Session(SessionError::OrganizationNotAllowed(v))) => {
            assert_eq!(v, value);
        }
        other => panic!("{value}: expected a refusal, got {other:?}"),
    }
}

/// Every value an attacker might name: another organization by id and by
/// slug, organizations that do not exist, values that are neither.
const FOREIGN: [&str; 6] = [
    "org_globex",
    "globex",
    "org_nowhere",
    "nowhere",
    "Not A Slug!",
    "org_",
];

#[tokio::test]
async fn touch_refuses_an_organization_the_user_is_not_a_member_of_and_changes_nothing() {
    let w = World::new().await;
    for start in [None, Some(&w.acme)] {
        let (caller, id) = w.signed_in("user_ada", start).await;
        let before = w.stored(&id).await;
        for value in FOREIGN {
            refused(w.touch(&caller, &id, &named(value)).await, value);
            assert_eq!(w.stored(&id).await, before, "{value}");
        }
        // Its tokens never carry the foreign organization.
        let token = w.tokens(&caller, &id, None).await.unwrap();
        let org = w.claims(&token).org;
        assert_eq!(org, start.map(|_| analyst_of_acme()));
    }
}

#[tokio::test]
async fn the_tokens_call_refuses_an_organization_the_user_is_not_a_member_of_and_changes_nothing() {
    let w = World::new().await;
    let (caller, id) = w.signed_in("user_ada", Some(&w.acme)).await;
    let before = w.stored(&id).await;
    for value in FOREIGN {
        refused(w.tokens(&caller, &id, Some(&named(value))).await, value);
        assert_eq!(w.stored(&id).await, before, "{value}");
    }
    // A member of nothing fares no better, naming an organization that
    // exists by id or slug.
    let (mallory, mid) = w.signed_in("user_mallory", None).await;
    for value in ["org_acme", "acme", "org_globex", "globex"] {
        refused(w.tokens(&mallory, &mid, Some(&named(value))).await, value);
        refused(w.touch(&mallory, &mid, &named(value)).await, value);
        assert_eq!(w.stored(&mid).await.last_active_organization_id(), None);
    }
    let token = w.tokens(&mallory, &mid, None).await.unwrap();
    assert_eq!(w.claims(&token).org, None);
}

#[tokio::test]
async fn a_member_activates_by_id_or_slug_and_the_token_carries_the_membership() {
    let w = World::new().await;
    let acme_id = OrganizationId::parse("org_acme").unwrap();
    for value in ["org_acme", "acme"] {
        // Through touch.
        let (caller, id) = w.signed_in("user_ada", None).await;
        let token = w.touch(&caller, &id, &named(value)).await.unwrap();
        assert_eq!(w.claims(&token).org, Some(analyst_of_acme()), "{value}");
        assert_eq!(
            w.stored(&id).await.last_active_organization_id(),
            Some(&acme_id)
        );
        // Back to the personal account.
        let token = w
            .touch(&caller, &id, &OrganizationRequest::Personal)
            .await
            .unwrap();
        assert_eq!(w.claims(&token).org, None);
        assert_eq!(w.stored(&id).await.last_active_organization_id(), None);

        // Through the tokens call.
        let token = w.tokens(&caller, &id, Some(&named(value))).await.unwrap();
        assert_eq!(w.claims(&token).org, Some(analyst_of_acme()), "{value}");
        assert_eq!(
            w.stored(&id).await.last_active_organization_id(),
            Some(&acme_id)
        );
        // Naming the active one again, or nothing, keeps it.
        for again in [Some(named(value)), None] {
            let token = w.tokens(&caller, &id, again.as_ref()).await.unwrap();
            assert_eq!(w.claims(&token).org, Some(analyst_of_acme()));
        }
        let token = w
            .tokens(&caller, &id, Some(&OrganizationRequest::Personal))
            .await
            .unwrap();
        assert_eq!(w.claims(&token).org, None);
        assert_eq!(w.stored(&id).await.last_active_organization_id(), None);
    }
}

#[tokio::test]
async fn a_removed_membership_leaves_the_next_token_without_the_organization_and_is_forgotten() {
    let w = World::new().await;
    let (caller, id) = w.signed_in("user_ada", Some(&w.acme)).await;
    let (_, other) = w.signed_in("user_ada", Some(&w.acme)).await;
    let token = w.tokens(&caller, &id, None).await.unwrap();
    assert_eq!(w.claims(&token).org, Some(analyst_of_acme()));

    w.store
        .delete_membership(w.acme.id(), &user("user_ada"))
        .await
        .unwrap();
    // clerk-js keeps naming the session's organization: the token has none,
    // and the session forgets it.
    let token = w
        .tokens(&caller, &id, Some(&named("org_acme")))
        .await
        .unwrap();
    assert_eq!(w.claims(&token).org, None);
    assert_eq!(w.stored(&id).await.last_active_organization_id(), None);
    // The Backend API's mint (by session id) does the same.
    let token = w
        .app
        .mint_session_token(&other, MintOptions::default())
        .await
        .unwrap();
    assert_eq!(w.claims(&token).org, None);
    assert_eq!(w.stored(&other).await.last_active_organization_id(), None);
    // And naming it again is refused: ada is no longer a member.
    refused(w.touch(&caller, &id, &named("org_acme")).await, "org_acme");
    refused(w.tokens(&caller, &id, Some(&named("acme"))).await, "acme");
}

#[tokio::test]
async fn a_deleted_organization_is_as_a_removed_membership() {
    let w = World::new().await;
    let (caller, id) = w.signed_in("user_ada", Some(&w.acme)).await;
    w.store
        .delete_organization(w.acme.id(), w.app.now())
        .await
        .unwrap();
    let token = w.tokens(&caller, &id, None).await.unwrap();
    assert_eq!(w.claims(&token).org, None);
    assert_eq!(w.stored(&id).await.last_active_organization_id(), None);
    for value in ["org_acme", "acme"] {
        refused(w.touch(&caller, &id, &named(value)).await, value);
    }
}

#[tokio::test]
async fn a_role_change_shows_in_the_very_next_token() {
    let w = World::new().await;
    let (caller, id) = w.signed_in("user_ada", Some(&w.acme)).await;
    let token = w.tokens(&caller, &id, None).await.unwrap();
    assert_eq!(w.claims(&token).org, Some(analyst_of_acme()));

    let previous = w
        .store
        .find_membership(w.acme.id(), &user("user_ada"))
        .await
        .unwrap()
        .unwrap();
    let mut downgraded = previous.clone();
    downgraded
        .set_role(Role::parse("org:viewer").unwrap(), &roles(), w.app.now())
        .unwrap();
    w.store
        .update_membership(&downgraded, &previous)
        .await
        .unwrap();

    let viewer = OrgClaims {
        role: Role::parse("org:viewer").unwrap(),
        permissions: permissions(&["org:dashboard:read"]),
        ..analyst_of_acme()
    };
    let token = w.tokens(&caller, &id, None).await.unwrap();
    assert_eq!(w.claims(&token).org, Some(viewer.clone()));
    let token = w
        .app
        .mint_session_token(&id, MintOptions::default())
        .await
        .unwrap();
    assert_eq!(w.claims(&token).org, Some(viewer));
    // Still a member: nothing forgotten.
    assert_eq!(
        w.stored(&id).await.last_active_organization_id(),
        Some(w.acme.id())
    );
}

#[tokio::test]
async fn a_role_that_left_the_configuration_gives_no_claims_and_the_organization_is_kept() {
    let w = World::new().await;
    let (_, id) = w.signed_in("user_ada", Some(&w.acme)).await;
    // The same store, restarted without the custom roles.
    let app = start(w.store.clone(), w.clock.clone(), RoleSet::default()).await;
    let token = app
        .mint_session_token(&id, MintOptions::default())
        .await
        .unwrap();
    let claims = app.ring().verify_session_token(&token, app.now()).unwrap();
    assert_eq!(claims.org, None);
    assert_eq!(
        w.stored(&id).await.last_active_organization_id(),
        Some(w.acme.id())
    );
    // Configured again, the claims come back.
    w.clock.advance(Duration::from_secs(1));
    let token = w
        .app
        .mint_session_token(&id, MintOptions::default())
        .await
        .unwrap();
    assert_eq!(w.claims(&token).org, Some(analyst_of_acme()));
}

#[tokio::test]
async fn the_backend_api_creates_a_session_in_an_organization_only_for_a_member() {
    let w = World::new().await;
    for (who, org) in [
        ("user_ada", "org_globex"),
        ("user_mallory", "org_acme"),
        ("user_ada", "org_nowhere"),
    ] {
        let result = w
            .app
            .create_session_on_new_client(user(who), Some(OrganizationId::parse(org).unwrap()))
            .await;
        assert!(
            matches!(&result, Err(SessionError::OrganizationNotAllowed(v)) if v == org),
            "{who} {org}: {result:?}"
        );
    }
    let page = w
        .app
        .list_sessions(&hallpass_ports::SessionQuery {
            client_id: None,
            user_id: None,
            status: None,
            limit: 10,
            offset: 0,
        })
        .await
        .unwrap();
    assert_eq!(page.total_count, 0, "nothing was created");

    let session = w
        .app
        .create_session_on_new_client(user("user_ada"), Some(w.acme.id().clone()))
        .await
        .unwrap();
    assert_eq!(session.last_active_organization_id(), Some(w.acme.id()));
    let token = w
        .app
        .mint_session_token(session.id(), MintOptions::default())
        .await
        .unwrap();
    assert_eq!(w.claims(&token).org, Some(analyst_of_acme()));
}

#[tokio::test]
async fn a_session_whose_organization_was_never_stored_mints_without_it_and_forgets_it() {
    // Sessions from before Hallpass stored organizations (an id the
    // Backend API once accepted unchecked) carry nothing either.
    let w = World::new().await;
    let (caller, id) = w.signed_in("user_ada", None).await;
    let legacy = OrganizationId::parse("org_legacy").unwrap();
    let mut session = w.stored(&id).await;
    let status = session.status();
    session
        .set_active_organization(Some(legacy), w.app.now())
        .unwrap();
    w.store.update_session(&session, &[status]).await.unwrap();
    let token = w
        .tokens(&caller, &id, Some(&named("org_legacy")))
        .await
        .unwrap();
    assert_eq!(w.claims(&token).org, None);
    assert_eq!(w.stored(&id).await.last_active_organization_id(), None);
}

#[tokio::test]
async fn a_session_that_is_no_longer_live_is_refused_before_its_organization_is_judged() {
    let w = World::new().await;
    let (caller, id) = w.signed_in("user_ada", None).await;
    w.app.end_session(&id).await.unwrap();
    for request in [
        named("org_globex"),
        named("org_acme"),
        OrganizationRequest::Personal,
    ] {
        for result in [
            w.touch(&caller, &id, &request).await,
            w.tokens(&caller, &id, Some(&request)).await,
        ] {
            assert!(
                matches!(
                    result,
                    Err(FrontendError::Session(SessionError::NotAllowed(_)))
                ),
                "{request:?}: {result:?}"
            );
        }
    }
}
