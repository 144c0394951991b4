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
        .save_sign_in(client, &previous, &out.session, &out.replaced, None)
        .await
        .expect("save sign in");
    out.session
}
