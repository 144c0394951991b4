use std::time::Duration;

use hallpass_app::{MintOptions, RotationError};
use hallpass_ports::{TokenSigner as _, TokenVerifier as _};
use serde_json::Value;

use crate::lifecycle::signed_in;
use crate::support::*;

fn published_kids(jwks: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(jwks).unwrap();
    v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[tokio::test]
async fn a_rotation_publishes_first_signs_later_and_retires_the_old_key_after_its_tokens_expire() {
    let env = env().await;
    let old_kid = env.app.ring().active_kid().to_owned();
    let (_, out) = signed_in(&env, "user_1").await;
    let old_token = env
        .app
        .mint_session_token(out.session.id(), MintOptions::default())
        .await
        .unwrap();

    let next = env.app.rotate_signing_key().await.unwrap();
    // Published at once, not yet signing.
    let mut both = vec![old_kid.clone(), next.kid.clone()];
    both.sort();
    assert_eq!(published_kids(env.app.ring().jwks_json()), both);
    assert_eq!(env.app.ring().active_kid(), old_kid);
    assert!(matches!(
        env.app.rotate_signing_key().await,
        Err(RotationError::Pending { ref kid }) if *kid == next.kid
    ));
    assert_eq!(
        env.app.next_key_event().await.unwrap(),
        Some(next.activates_at)
    );

    // After the delay the new key signs; the old token still verifies.
    env.clock.advance(Duration::from_secs(600));
    env.app.reload_keys().await.unwrap();
    assert_eq!(env.app.ring().active_kid(), next.kid);
    let new_token = env
        .app
        .mint_session_token(out.session.id(), MintOptions::default())
        .await
        .unwrap();
    let now = env.app.now();
    assert!(env.app.ring().verify_session_token(&new_token, now).is_ok());
    assert!(
        env.app
            .ring()
            .verify_session_token(&old_token, hallpass_domain::UnixMillis::new(T0))
            .is_ok()
    );

    // A day later the old key leaves the JWKS.
    env.clock.advance(Duration::from_secs(24 * 3600));
    env.app.reload_keys().await.unwrap();
    assert_eq!(published_kids(env.app.ring().jwks_json()), vec![next.kid]);
}

#[tokio::test]
async fn automatic_rotation_happens_once_the_newest_key_reaches_its_age() {
    let env = env().await;
    let max_age = Duration::from_secs(3600);
    env.clock.advance(Duration::from_secs(3599));
    assert!(
        env.app
            .rotate_if_older_than(max_age)
            .await
            .unwrap()
            .is_none(),
        "younger than the maximum age"
    );
    env.clock.advance(Duration::from_secs(1));
    let rotated = env.app.rotate_if_older_than(max_age).await.unwrap();
    assert!(rotated.is_some(), "exactly the maximum age");
    assert!(
        env.app
            .rotate_if_older_than(max_age)
            .await
            .unwrap()
            .is_none(),
        "the new key is young"
    );
}
