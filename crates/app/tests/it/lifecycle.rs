use std::time::Duration;

use hallpass_app::{MintOptions, SessionError, SignInError, SignInRequest};
use hallpass_domain::client::OnExistingSession;
use hallpass_domain::{
    Client, ClientId, InstanceSettings, SessionId, SessionLifetime, SessionStatus, SignIn,
    TransitionError, UserId,
};
use hallpass_ports::{SessionQuery, SessionStore as _, TokenVerifier as _};

use crate::support::*;

fn sign_in_request(client_id: &ClientId, user: &str) -> SignInRequest {
    SignInRequest {
        client_id: client_id.clone(),
        user_id: UserId::parse(user).unwrap(),
        active_organization_id: None,
        tasks: vec![],
        on_existing: OnExistingSession::Refuse,
        ticket: None,
    }
}

/// A new client with one session of `user`.
pub async fn signed_in(env: &Env, user: &str) -> (Client, SignIn) {
    let client = env.app.create_client().await.unwrap();
    sign_in(env, client.id(), user).await.unwrap()
}

/// Signs `user` in on the client; the user is stored first if need be.
async fn sign_in(
    env: &Env,
    client_id: &ClientId,
    user: &str,
) -> Result<(Client, SignIn), SignInError> {
    user_exists(env, user).await;
    env.app.sign_in(sign_in_request(client_id, user)).await
}

fn multi_session() -> InstanceSettings {
    InstanceSettings::new(
        SessionLifetime::default(),
        Duration::from_secs(60),
        Duration::from_secs(60),
        true,
    )
    .unwrap()
}

#[tokio::test]
async fn sign_in_then_mint_gives_a_token_of_that_session() {
    let env = env().await;
    let client = env.app.create_client().await.unwrap();
    let (client_after, out) = sign_in(&env, client.id(), "user_1").await.unwrap();
    assert_ne!(client_after.rotating_token(), client.rotating_token());
    let token = env
        .app
        .mint_session_token(
            out.session.id(),
            MintOptions {
                origin: Some("https://app.example.com"),
                ..MintOptions::default()
            },
        )
        .await
        .unwrap();
    let claims = env
        .app
        .ring()
        .verify_session_token(&token, env.app.now())
        .unwrap();
    assert_eq!(&claims.sid, out.session.id());
    assert_eq!(claims.sub.as_str(), "user_1");
    assert_eq!(claims.azp.as_deref(), Some("https://app.example.com"));
}

#[tokio::test]
async fn a_revoked_session_gets_no_token_and_revoking_again_changes_nothing() {
    let env = env().await;
    let (client, out) = signed_in(&env, "user_1").await;
    let id = out.session.id();
    let revoked = env.app.revoke_session(id).await.unwrap();
    assert_eq!(revoked.status(), SessionStatus::Revoked);
    env.clock.advance(Duration::from_secs(5));
    assert_eq!(env.app.revoke_session(id).await.unwrap(), revoked);
    let err = env
        .app
        .mint_session_token(id, MintOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SessionError::NotAllowed(TransitionError::Terminal {
                status: SessionStatus::Revoked,
                ..
            })
        ),
        "{err:?}"
    );
    // The client no longer points at it.
    let (c, _) = env.app.client(client.id()).await.unwrap();
    assert_eq!(c.last_active_session_id(), None);
}

#[tokio::test]
async fn ended_sessions_are_not_revoked_or_resurrected() {
    let env = env().await;
    let (_, out) = signed_in(&env, "user_1").await;
    env.app.end_session(out.session.id()).await.unwrap();
    for result in [
        env.app.revoke_session(out.session.id()).await,
        env.app.touch_session(out.session.id()).await,
        env.app.remove_session(out.session.id()).await,
    ] {
        assert!(
            matches!(result, Err(SessionError::NotAllowed(_))),
            "{result:?}"
        );
    }
    assert_eq!(
        env.app.session(out.session.id()).await.unwrap().status(),
        SessionStatus::Ended
    );
}

#[tokio::test]
async fn minting_writes_activity_at_most_once_per_interval() {
    let env = env().await;
    let (_, out) = signed_in(&env, "user_1").await;
    let id = out.session.id();
    let at_sign_in = env.store.find_session(id).await.unwrap();

    for _ in 0..5 {
        env.clock.advance(Duration::from_secs(10));
        env.app
            .mint_session_token(id, MintOptions::default())
            .await
            .unwrap();
    }
    // 50 s later: still within the 60 s interval, nothing was written.
    assert_eq!(env.store.find_session(id).await.unwrap(), at_sign_in);

    env.clock.advance(Duration::from_secs(11));
    env.app
        .mint_session_token(id, MintOptions::default())
        .await
        .unwrap();
    let after = env.store.find_session(id).await.unwrap();
    assert_eq!(after.last_active_at(), env.app.now());
}

#[tokio::test]
async fn single_session_mode_refuses_a_second_sign_in_on_the_client() {
    let env = env().await;
    let client = env.app.create_client().await.unwrap();
    let (_, first) = sign_in(&env, client.id(), "user_1").await.unwrap();
    let err = sign_in(&env, client.id(), "user_2").await.unwrap_err();
    assert!(matches!(err, SignInError::SessionExists(ref id) if id == first.session.id()));
    let (_, sessions) = env.app.client(client.id()).await.unwrap();
    assert_eq!(sessions.len(), 1);
}

#[tokio::test]
async fn sign_out_of_a_multi_session_client_removes_every_live_session() {
    let env = env_with(multi_session()).await;
    let client = env.app.create_client().await.unwrap();
    for user in ["user_1", "user_2", "user_3"] {
        sign_in(&env, client.id(), user).await.unwrap();
        env.clock.advance(Duration::from_secs(1));
    }
    let (c, sessions) = env.app.client(client.id()).await.unwrap();
    assert_eq!(sessions.len(), 3);
    assert_eq!(c.last_active_session_id(), Some(sessions[0].id()));

    // Ending the last active session falls back to the next most recent.
    env.app.end_session(sessions[0].id()).await.unwrap();
    let (c, _) = env.app.client(client.id()).await.unwrap();
    assert_eq!(c.last_active_session_id(), Some(sessions[1].id()));

    let (c, after) = env.app.sign_out_client(client.id(), true).await.unwrap();
    assert_eq!(c.last_active_session_id(), None);
    let statuses: Vec<_> = after.iter().map(|s| s.status()).collect();
    assert_eq!(
        statuses,
        vec![
            SessionStatus::Ended,
            SessionStatus::Removed,
            SessionStatus::Removed
        ]
    );
}

#[tokio::test]
async fn time_expires_sessions_and_the_expiry_is_stored() {
    let env = env().await;
    let (_, out) = signed_in(&env, "user_1").await;
    env.clock.advance(Duration::from_secs(7 * 24 * 3600));
    assert_eq!(
        env.app.session(out.session.id()).await.unwrap().status(),
        SessionStatus::Expired
    );
    assert_eq!(
        env.store
            .find_session(out.session.id())
            .await
            .unwrap()
            .status(),
        SessionStatus::Expired
    );
    assert!(
        env.app
            .mint_session_token(out.session.id(), MintOptions::default())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn unknown_ids_are_not_found() {
    let env = env().await;
    let ghost = SessionId::from_random(42);
    assert!(matches!(
        env.app.session(&ghost).await,
        Err(SessionError::NotFound)
    ));
    assert!(matches!(
        env.app.revoke_session(&ghost).await,
        Err(SessionError::NotFound)
    ));
    assert!(matches!(
        env.app
            .mint_session_token(&ghost, MintOptions::default())
            .await,
        Err(SessionError::NotFound)
    ));
    let page = env
        .app
        .list_sessions(&SessionQuery {
            client_id: None,
            user_id: Some(UserId::parse("nobody").unwrap()),
            status: None,
            limit: 10,
            offset: 0,
        })
        .await
        .unwrap();
    assert_eq!(page.total_count, 0);
}

#[tokio::test]
async fn a_refused_change_of_a_session_time_ended_stores_its_expiry() {
    let env = env().await;
    let (_, out) = signed_in(&env, "user_1").await;
    env.clock.advance(Duration::from_secs(7 * 24 * 3600));
    // Revoking an expired session is refused, and the expiry the refusal
    // observed is stored.
    assert!(env.app.revoke_session(out.session.id()).await.is_err());
    assert_eq!(
        env.store
            .find_session(out.session.id())
            .await
            .unwrap()
            .status(),
        SessionStatus::Expired
    );
}

#[tokio::test]
async fn minting_for_a_session_time_ended_stores_its_expiry() {
    let env = env().await;
    let (_, out) = signed_in(&env, "user_1").await;
    env.clock.advance(Duration::from_secs(7 * 24 * 3600));
    assert!(
        env.app
            .mint_session_token(out.session.id(), MintOptions::default())
            .await
            .is_err()
    );
    assert_eq!(
        env.store
            .find_session(out.session.id())
            .await
            .unwrap()
            .status(),
        SessionStatus::Expired
    );
}

#[tokio::test]
async fn a_token_verifies_only_for_its_own_live_session() {
    let env = env().await;
    let (_, a) = signed_in(&env, "user_1").await;
    let (_, b) = signed_in(&env, "user_2").await;
    let token_of = |id: SessionId| {
        let app = &env.app;
        async move {
            app.mint_session_token(&id, MintOptions::default())
                .await
                .unwrap()
        }
    };
    let token_a = token_of(a.session.id().clone()).await;
    let token_b = token_of(b.session.id().clone()).await;
    assert!(
        env.app
            .verify_session(a.session.id(), &token_a)
            .await
            .is_ok()
    );
    assert!(
        env.app
            .verify_session(a.session.id(), &token_b)
            .await
            .is_err(),
        "another session's token"
    );
    env.app.revoke_session(a.session.id()).await.unwrap();
    assert!(
        env.app
            .verify_session(a.session.id(), &token_a)
            .await
            .is_err(),
        "its own token once it is revoked"
    );
}
