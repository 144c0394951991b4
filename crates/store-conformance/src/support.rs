//! What the cases share: fixed times, fixtures and a signed-in session.

use hallpass_domain::client::OnExistingSession;
use hallpass_domain::session::NewSession;
use hallpass_domain::{
    Client, ClientId, Environment, Instance, InstanceId, InstanceSettings, RotatingToken, Session,
    SessionId, UnixMillis, UserId,
};
use hallpass_ports::store::*;

pub(crate) const T0: UnixMillis = UnixMillis::new(1_700_000_000_000);

pub(crate) fn at(secs: i64) -> UnixMillis {
    UnixMillis::new(T0.as_millis() + secs * 1000)
}

pub(crate) fn signing_key(kid: &str, created: UnixMillis) -> SigningKeyRecord {
    SigningKeyRecord {
        kid: kid.to_owned(),
        algorithm: "RS256".to_owned(),
        private_key: "-----BEGIN PRIVATE KEY-----\nnot a real key\n-----END PRIVATE KEY-----\n"
            .to_owned(),
        sealing: "none".to_owned(),
        public_jwk: format!(r#"{{"kid":"{kid}","kty":"RSA"}}"#),
        created_at: created,
        activates_at: created,
        retires_at: None,
    }
}

pub(crate) fn secret_key(id: &str, hash: &str) -> SecretKeyRecord {
    SecretKeyRecord {
        id: id.to_owned(),
        hash: hash.to_owned(),
        hint: "abcd".to_owned(),
        created_at: T0,
        revoked_at: None,
    }
}

pub(crate) fn instance_init() -> InstanceInit {
    InstanceInit {
        instance: Instance {
            id: InstanceId::from_random(1),
            environment: Environment::Development,
            created_at: T0,
        },
        signing_key: signing_key("ins_key1", T0),
        secret_key: secret_key("sk_id1", &"a".repeat(64)),
    }
}

pub(crate) fn new_client(n: u128) -> Client {
    Client::new(ClientId::from_random(n), RotatingToken::from_random(n), T0)
}

pub(crate) fn multi_session() -> InstanceSettings {
    InstanceSettings::new(
        *InstanceSettings::default().lifetime(),
        std::time::Duration::from_secs(60),
        std::time::Duration::from_secs(60),
        true,
    )
    .unwrap_or_default()
}

pub(crate) async fn signed_in<S: Store>(
    store: &S,
    client: &mut Client,
    n: u128,
    user: &str,
    now: UnixMillis,
) -> Session {
    let previous = client.clone();
    let sessions = store
        .list_client_sessions(client.id())
        .await
        .expect("list client sessions");
    let new = NewSession {
        id: SessionId::from_random(n),
        client_id: client.id().clone(),
        user_id: UserId::parse(user).expect("user id"),
        actor: None,
        active_organization_id: None,
        tasks: vec![],
    };
    let out = client
        .sign_in(
            &sessions,
            new,
            RotatingToken::from_random(n + 1_000_000),
            OnExistingSession::Refuse,
            &multi_session(),
            now,
        )
        .expect("sign in");
    store
        .save_sign_in(client, &previous, &out.session, &out.replaced, None, None)
        .await
        .expect("save sign in");
    out.session
}

// ----- identity -----

/// A user created at `now` from `new`; its ids drawn from `n` (the user's
/// id is `UserId::from_random(n * 1000 + 1)`, so users sort by `n`).
pub(crate) fn make_user(
    n: u128,
    new: hallpass_domain::NewUser,
    now: UnixMillis,
) -> hallpass_domain::User {
    let mut next = n * 1000;
    hallpass_domain::User::create(
        new,
        &mut || {
            next += 1;
            next
        },
        now,
    )
    .expect("user")
}

pub(crate) fn email(value: &str) -> hallpass_domain::Email {
    hallpass_domain::Email::parse(value).expect("email")
}

pub(crate) fn phone(value: &str) -> hallpass_domain::E164 {
    hallpass_domain::E164::parse(value).expect("phone")
}

/// A user with one email address, created at `now`.
pub(crate) fn user_with_email(n: u128, address: &str, now: UnixMillis) -> hallpass_domain::User {
    make_user(
        n,
        hallpass_domain::NewUser {
            email_addresses: vec![email(address)],
            ..Default::default()
        },
        now,
    )
}

/// An organization named `name` with the slug `slug`, created at `now`.
pub(crate) fn make_organization(
    n: u128,
    name: &str,
    slug: &str,
    limit: u32,
    now: UnixMillis,
) -> hallpass_domain::Organization {
    let mut new = hallpass_domain::NewOrganization::named(
        hallpass_domain::OrganizationName::parse(name).expect("name"),
    );
    new.slug = Some(hallpass_domain::Slug::parse(slug).expect("slug"));
    new.max_allowed_memberships = hallpass_domain::MembershipLimit::new(limit);
    hallpass_domain::Organization::create(new, hallpass_domain::OrganizationId::from_random(n), now)
}

/// `user`'s membership in `organization` with `role` (the default role
/// when `None`), made as if the organization had no member yet (the store
/// enforces the limit).
pub(crate) fn make_membership(
    n: u128,
    organization: &hallpass_domain::Organization,
    user: &UserId,
    role: Option<hallpass_domain::Role>,
    now: UnixMillis,
) -> hallpass_domain::Membership {
    hallpass_domain::Membership::create(
        organization,
        user.clone(),
        hallpass_domain::NewMembership::with_role(role),
        0,
        &hallpass_domain::RoleSet::default(),
        hallpass_domain::OrganizationMembershipId::from_random(n),
        now,
    )
    .expect("membership")
}

/// A live session of `user` on a new client `n`, created at `now`, with
/// `organization` active.
pub(crate) async fn session_of<S: Store>(
    store: &S,
    n: u128,
    user: &UserId,
    organization: Option<&hallpass_domain::OrganizationId>,
    now: UnixMillis,
) -> (Client, Session) {
    let mut client = new_client(n);
    store.insert_client(&client).await.expect("client");
    let mut session = signed_in(store, &mut client, n * 10, user.as_str(), now).await;
    if let Some(org) = organization {
        let before = session.clone();
        session
            .set_active_organization(Some(org.clone()), now)
            .expect("select organization");
        store
            .update_session(&session, &[before.status()])
            .await
            .expect("store organization");
    }
    (client, session)
}
