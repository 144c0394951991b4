//! The handshake chooses the session it renews: the live session of the
//! caller's client that the presented `__session` names, else the client's
//! last active one; a hint naming anything else (another client's session,
//! an unknown id, a session no longer live) is ignored. Touching a session
//! makes it the last active one, durably.

use std::time::Duration;

use base64::Engine as _;
use hallpass_app::{ClientCredential, FrontendCaller, HandshakeRequest, SignInRequest, Transport};
use hallpass_domain::client::OnExistingSession;
use hallpass_domain::handshake::session_token_of;
use hallpass_domain::redirect::AllowedOrigins;
use hallpass_domain::token::ApiVersion;
use hallpass_domain::{Client, InstanceSettings, SessionId, SessionLifetime, UserId};
use hallpass_ports::{ClientStore as _, TokenVerifier as _};

use crate::support::*;

fn multi_session() -> InstanceSettings {
    InstanceSettings::new(
        SessionLifetime::default(),
        Duration::from_secs(60),
        Duration::from_secs(60),
        true,
    )
    .unwrap()
}

/// A client with sessions of `user_a` then `user_b` (the last active).
async fn two_sessions(env: &Env) -> (Client, SessionId, SessionId) {
    let client = env.app.create_client().await.unwrap();
    let mut ids = Vec::new();
    for user in ["user_a", "user_b"] {
        user_exists(env, user).await;
        let (_, out) = env
            .app
            .sign_in(SignInRequest {
                client_id: client.id().clone(),
                user_id: UserId::parse(user).unwrap(),
                active_organization_id: None,
                tasks: vec![],
                on_existing: OnExistingSession::Refuse,
                ticket: None,
            })
            .await
            .unwrap();
        ids.push(out.session.id().clone());
        env.clock.advance(Duration::from_secs(1));
    }
    let client = env.store.find_client(client.id()).await.unwrap();
    assert_eq!(client.last_active_session_id(), Some(&ids[1]));
    (client, ids[0].clone(), ids[1].clone())
}

fn caller(env: &Env, client: &Client) -> FrontendCaller {
    FrontendCaller {
        transport: Transport::Native,
        credential: Some(ClientCredential::Token(
            env.app.client_token(client).unwrap(),
        )),
        origin: None,
        version: ApiVersion::LATEST,
    }
}

/// The session a handshake renewed (the `sid` of the session token in its
/// directives).
async fn renewed(env: &Env, caller: &FrontendCaller, hint: Option<SessionId>) -> SessionId {
    let origins = AllowedOrigins::new(&[], true).unwrap();
    let redirect = origins.check_redirect("http://localhost:3000/").unwrap();
    let res = env
        .app
        .handshake(HandshakeRequest {
            caller,
            redirect: &redirect,
            session_hint: hint,
            organization: None,
            nonce_format: false,
            suffixed_cookies: false,
            cookie_domain: None,
            nonce_min_bytes: usize::MAX,
        })
        .await
        .unwrap();
    assert_eq!(res.name, "__clerk_handshake");
    let payload = res.value.split('.').nth(1).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    let directives: Vec<String> = serde_json::from_value(claims["handshake"].clone()).unwrap();
    let token = session_token_of(&directives).expect("a session token");
    env.app
        .ring()
        .verify_session_token(token, env.app.now())
        .unwrap()
        .sid
}

#[tokio::test]
async fn a_handshake_renews_the_hinted_live_session_else_the_last_active_one() {
    let env = env_with(multi_session()).await;
    let (client, a, b) = two_sessions(&env).await;
    let caller = caller(&env, &client);
    let elsewhere = SessionId::from_random(424_242);

    assert_eq!(renewed(&env, &caller, None).await, b, "the last active");
    assert_eq!(
        renewed(&env, &caller, Some(elsewhere.clone())).await,
        b,
        "an unknown hint is ignored"
    );
    // The hinted session is renewed (and becomes the last active one).
    assert_eq!(renewed(&env, &caller, Some(a.clone())).await, a, "the hint");
    assert_eq!(renewed(&env, &caller, Some(elsewhere.clone())).await, a);

    // Touch makes `b` the last active one, durably.
    env.app
        .touch(&caller, &b, None, &Default::default())
        .await
        .unwrap();
    let stored = env.store.find_client(client.id()).await.unwrap();
    assert_eq!(stored.last_active_session_id(), Some(&b), "stored by touch");
    assert_eq!(renewed(&env, &caller, Some(elsewhere)).await, b);

    // A hint naming a session that is no longer live is ignored.
    env.app.end_session(&a).await.unwrap();
    assert_eq!(renewed(&env, &caller, Some(a)).await, b);
}
