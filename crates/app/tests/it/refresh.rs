use std::time::Duration;

use hallpass_app::{MintOptions, RefreshError};
use hallpass_domain::SessionStatus;
use hallpass_domain::token::ClaimsVersion;

use crate::lifecycle::signed_in;
use crate::support::*;

#[tokio::test]
async fn refresh_tokens_rotate_tolerate_a_quick_retry_and_revoke_on_replay() {
    let env = env().await;
    let (_, out) = signed_in(&env, "user_r").await;
    let id = out.session.id();
    let token = env
        .app
        .mint_session_token(id, MintOptions::default())
        .await
        .unwrap();
    let root = env.app.issue_refresh_token(id).await.unwrap();
    env.clock.advance(Duration::from_secs(120)); // the session token has expired
    let origin = Some("https://app.example.com");

    let first = env
        .app
        .refresh_session(id, &token, &root, origin, ClaimsVersion::V2)
        .await
        .unwrap();
    assert_ne!(first.refresh_token, root);
    // A retry with the same token moments later gets the same successor.
    env.clock.advance(Duration::from_secs(3));
    let retry = env
        .app
        .refresh_session(id, &token, &root, origin, ClaimsVersion::V2)
        .await
        .unwrap();
    assert_eq!(retry.refresh_token, first.refresh_token);
    // The successor rotates on.
    let second = env
        .app
        .refresh_session(
            id,
            &first.jwt,
            &first.refresh_token,
            origin,
            ClaimsVersion::V2,
        )
        .await
        .unwrap();
    assert_ne!(second.refresh_token, first.refresh_token);

    // Another session's token or a garbage token does not refresh.
    let (_, other) = signed_in(&env, "user_s").await;
    let other_token = env
        .app
        .mint_session_token(other.session.id(), MintOptions::default())
        .await
        .unwrap();
    assert!(matches!(
        env.app
            .refresh_session(
                id,
                &other_token,
                &second.refresh_token,
                origin,
                ClaimsVersion::V2
            )
            .await,
        Err(RefreshError::Invalid("expired_token_invalid"))
    ));
    assert!(matches!(
        env.app
            .refresh_session(
                id,
                "a.b.c",
                &second.refresh_token,
                origin,
                ClaimsVersion::V2
            )
            .await,
        Err(RefreshError::Invalid("expired_token_invalid"))
    ));

    // Replaying the root after the grace window is theft: the session goes.
    env.clock.advance(Duration::from_secs(30));
    assert!(matches!(
        env.app
            .refresh_session(id, &token, &root, origin, ClaimsVersion::V2)
            .await,
        Err(RefreshError::Invalid("refresh_token_reused"))
    ));
    assert_eq!(
        env.app.session(id).await.unwrap().status(),
        SessionStatus::Revoked
    );
    // And the latest token is dead too.
    assert!(matches!(
        env.app
            .refresh_session(id, &token, &second.refresh_token, origin, ClaimsVersion::V2)
            .await,
        Err(RefreshError::Invalid(_))
    ));
}
