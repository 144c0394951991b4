//! Who may sign in: the user must exist, not be banned and not be locked;
//! the sign-in is recorded on the user. The same rules for every way in: a
//! sign-in, a ticket, the Backend API's `POST /v1/sessions`.

use std::time::Duration;

use hallpass_app::{SessionError, SignInError, SignInRequest, TicketError};
use hallpass_domain::client::OnExistingSession;
use hallpass_domain::{NewUser, UnixMillis, User, UserId};
use hallpass_ports::{SessionQuery, SessionStore as _};

use crate::support::*;

fn request(client: &hallpass_domain::ClientId, user: &UserId) -> SignInRequest {
    SignInRequest {
        client_id: client.clone(),
        user_id: user.clone(),
        active_organization_id: None,
        tasks: vec![],
        on_existing: OnExistingSession::Refuse,
        ticket: None,
    }
}

async fn new_user(env: &Env) -> User {
    env.app
        .create_user(NewUser::default(), false)
        .await
        .unwrap()
}

async fn session_count(env: &Env) -> u64 {
    env.store
        .list_sessions(&SessionQuery {
            client_id: None,
            user_id: None,
            status: None,
            limit: 10,
            offset: 0,
        })
        .await
        .unwrap()
        .total_count
}

#[tokio::test]
async fn a_user_who_does_not_exist_cannot_sign_in_by_any_way() {
    let env = env().await;
    let nobody = UserId::parse("user_nobody").unwrap();
    let client = env.app.create_client().await.unwrap();
    let err = env.app.sign_in(request(client.id(), &nobody)).await;
    assert!(matches!(err, Err(SignInError::UserNotFound)), "{err:?}");
    let err = env
        .app
        .create_session_on_new_client(nobody.clone(), None)
        .await;
    assert!(
        matches!(err, Err(SessionError::SignIn(SignInError::UserNotFound))),
        "{err:?}"
    );
    let err = env.app.create_sign_in_token(nobody, None).await;
    assert!(matches!(err, Err(TicketError::UserNotFound)), "{err:?}");
    assert_eq!(session_count(&env).await, 0);
    let (_, sessions) = env.app.client(client.id()).await.unwrap();
    assert!(sessions.is_empty());
}

#[tokio::test]
async fn a_sign_in_is_recorded_on_the_user() {
    let env = env().await;
    let user = new_user(&env).await;
    assert_eq!(user.last_sign_in_at(), None);
    env.clock.advance(Duration::from_secs(5));
    let client = env.app.create_client().await.unwrap();
    env.app
        .sign_in(request(client.id(), user.id()))
        .await
        .unwrap();
    let now = UnixMillis::new(T0 + 5_000);
    let stored = env.app.user(user.id()).await.unwrap();
    assert_eq!(stored.last_sign_in_at(), Some(now));
    assert_eq!(stored.updated_at(), now);
    assert!(stored.last_active_at().is_some());
}

#[tokio::test]
async fn a_banned_user_is_refused_until_unbanned() {
    let env = env().await;
    let user = new_user(&env).await;
    env.app.ban_user(user.id()).await.unwrap();
    let client = env.app.create_client().await.unwrap();
    let err = env.app.sign_in(request(client.id(), user.id())).await;
    assert!(matches!(err, Err(SignInError::UserBanned)), "{err:?}");
    let err = env
        .app
        .create_session_on_new_client(user.id().clone(), None)
        .await;
    assert!(
        matches!(err, Err(SessionError::SignIn(SignInError::UserBanned))),
        "{err:?}"
    );
    // A banned user gets a ticket (as on Clerk), but it does not sign in,
    // and is not used up by the refusal.
    let ticket = env
        .app
        .create_sign_in_token(user.id().clone(), None)
        .await
        .unwrap();
    let err = env
        .app
        .sign_in_with_ticket(
            client.id(),
            secrecy::ExposeSecret::expose_secret(&ticket.ticket),
        )
        .await;
    assert!(matches!(err, Err(SignInError::UserBanned)), "{err:?}");
    assert_eq!(session_count(&env).await, 0);

    env.app.unban_user(user.id()).await.unwrap();
    let (_, out) = env
        .app
        .sign_in_with_ticket(
            client.id(),
            secrecy::ExposeSecret::expose_secret(&ticket.ticket),
        )
        .await
        .unwrap();
    assert_eq!(out.session.user_id(), user.id());
}

#[tokio::test]
async fn a_locked_user_is_refused_until_the_lock_ends() {
    let env = env().await;
    let user = new_user(&env).await;
    env.app.lock_user(user.id()).await.unwrap();
    let client = env.app.create_client().await.unwrap();
    let err = env.app.sign_in(request(client.id(), user.id())).await;
    assert!(
        matches!(
            err,
            Err(SignInError::UserLocked {
                expires_in_seconds: Some(3600)
            })
        ),
        "{err:?}"
    );
    env.clock.advance(Duration::from_secs(3599));
    let err = env
        .app
        .create_session_on_new_client(user.id().clone(), None)
        .await;
    assert!(
        matches!(
            err,
            Err(SessionError::SignIn(SignInError::UserLocked {
                expires_in_seconds: Some(1)
            }))
        ),
        "{err:?}"
    );
    assert_eq!(session_count(&env).await, 0);
    // At the end of the lock the user may sign in again.
    env.clock.advance(Duration::from_secs(1));
    env.app
        .sign_in(request(client.id(), user.id()))
        .await
        .unwrap();
    assert_eq!(session_count(&env).await, 1);
}

#[tokio::test]
async fn a_deleted_user_cannot_sign_in() {
    let env = env().await;
    let user = new_user(&env).await;
    env.app.delete_user(user.id()).await.unwrap();
    let client = env.app.create_client().await.unwrap();
    let err = env.app.sign_in(request(client.id(), user.id())).await;
    assert!(matches!(err, Err(SignInError::UserNotFound)), "{err:?}");
}
