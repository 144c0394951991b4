use std::sync::Arc;
use std::sync::atomic::AtomicI64;

use hallpass_app::{AuthError, Deps, StartError};
use hallpass_domain::{Environment, InstanceSettings};
use hallpass_ports::InstanceStore as _;
use secrecy::ExposeSecret as _;

use crate::support::*;

#[tokio::test]
async fn first_start_creates_the_instance_and_a_secret_key_once() {
    let env = env().await;
    let key = env.started.as_ref().expect("a secret key on first start");
    assert!(key.key.expose_secret().starts_with("sk_test_"));
    assert_eq!(
        env.app.publishable_key().as_str(),
        "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k"
    );
    assert!(env.app.instance().id.as_str().starts_with("ins_"));

    let again = start_on(
        env.store.clone(),
        env.clock.clone(),
        config(Environment::Development, InstanceSettings::default()),
    )
    .await
    .unwrap();
    assert!(again.created_secret_key.is_none());
    assert_eq!(again.app.instance(), env.app.instance());
    assert_eq!(env.store.list_secret_keys().await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_instance_cannot_change_environment() {
    let env = env().await;
    let err = start_on(
        env.store.clone(),
        Arc::new(TestClock(AtomicI64::new(T0))),
        config(Environment::Production, InstanceSettings::default()),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, StartError::EnvironmentMismatch { .. }),
        "{err}"
    );
}

#[tokio::test]
async fn secret_keys_authenticate_only_when_exact_and_stored_only_as_hashes() {
    let env = env().await;
    let key = env.started.as_ref().unwrap().key.expose_secret().to_owned();
    let first = env.app.authenticate_secret_key(&key).await.unwrap();

    let mut wrong = key.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == 'x' { 'y' } else { 'x' });
    for bad in [
        "",
        "sk_test_",
        wrong.as_str(),
        &key.replace("sk_test_", "sk_live_"),
        &format!("{key} "),
        &key.to_uppercase(),
    ] {
        assert!(
            matches!(
                env.app.authenticate_secret_key(bad).await,
                Err(AuthError::Invalid)
            ),
            "{bad:?} was accepted"
        );
    }

    let stored = env.store.list_secret_keys().await.unwrap();
    assert!(
        stored
            .iter()
            .all(|r| r.hash != key && !r.hash.contains(&key[8..]))
    );

    let second = env.app.create_secret_key().await.unwrap();
    let caller = env
        .app
        .authenticate_secret_key(second.key.expose_secret())
        .await
        .unwrap();
    assert_eq!(caller.secret_key_id, second.id);
    assert_ne!(caller, first, "each key is its own caller");
}

#[tokio::test]
async fn the_signing_key_is_persisted_and_reused() {
    let env = env().await;
    use hallpass_ports::TokenSigner as _;
    let kid = env.app.ring().active_kid().to_owned();
    assert_eq!(kid, env.app.instance().id.as_str());
    let again = start_on(
        env.store.clone(),
        env.clock.clone(),
        config(Environment::Development, InstanceSettings::default()),
    )
    .await
    .unwrap();
    assert_eq!(again.app.ring().active_kid(), kid);
    assert_eq!(env.store.list_signing_keys().await.unwrap().len(), 1);
}

/// `Debug` of the running instance and of its dependencies names what it
/// is without printing the store or the keys (logs and panics carry it).
#[tokio::test]
async fn debug_names_the_instance_and_prints_no_dependency() {
    let env = env().await;
    let shown = format!("{:?}", env.app);
    assert_eq!(
        shown,
        format!(
            "Hallpass {{ instance: {:?}, environment: Development, .. }}",
            env.app.instance().id
        )
    );
    let deps = Deps {
        store: env.store.clone(),
        keys: hallpass_adapter_jwt::JoseKeys::plain(),
        clock: env.clock.clone(),
        ids: Arc::new(TestIds::default()),
        passwords: Arc::new(test_hasher()),
    };
    assert_eq!(format!("{deps:?}"), "Deps { .. }");
}

#[tokio::test]
async fn a_revoked_secret_key_is_refused_from_its_revocation_on() {
    use hallpass_domain::UnixMillis;
    use hallpass_ports::SecretKeyRecord;
    use sha2::{Digest as _, Sha256};

    let env = env().await;
    let now = env.app.now();
    let key_of = |n: u32| format!("sk_test_revocation{n:032}");
    let record_of = |n: u32, revoked_at: Option<i64>| SecretKeyRecord {
        id: format!("sk_id_revocation{n}"),
        hash: Sha256::digest(key_of(n).as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        hint: "0000".to_owned(),
        created_at: now,
        revoked_at: revoked_at.map(|ms| UnixMillis::new(now.as_millis() + ms)),
    };
    for (n, revoked_at, accepted) in [
        (1, None, true),
        (2, Some(-1), false),
        (3, Some(0), false),
        (4, Some(60_000), true),
    ] {
        env.store
            .insert_secret_key(&record_of(n, revoked_at))
            .await
            .unwrap();
        let result = env.app.authenticate_secret_key(&key_of(n)).await;
        assert_eq!(
            result.is_ok(),
            accepted,
            "revoked at {revoked_at:?}: {result:?}"
        );
    }
}
