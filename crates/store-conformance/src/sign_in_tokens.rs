//! Sign-in tokens and the tickets that redeem them (`SignInTokenStore`).

use std::sync::Arc;

use hallpass_domain::client::OnExistingSession;
use hallpass_domain::session::NewSession;
use hallpass_domain::{InstanceSettings, RotatingToken, SessionId, UserId};
use hallpass_ports::store::*;

use crate::support::*;

fn sign_in_token(n: u128, hash_char: char) -> hallpass_domain::sign_in_token::SignInToken {
    hallpass_domain::sign_in_token::SignInToken::create(
        hallpass_domain::SignInTokenId::from_random(n),
        UserId::parse("user_t").expect("user"),
        hash_char.to_string().repeat(64),
        Some(600),
        T0,
    )
    .expect("token")
}

pub(crate) async fn sign_in_tokens_are_found_by_hash_and_change_only_from_the_expected_status<
    S: Store,
>(
    store: S,
) {
    use hallpass_domain::sign_in_token::SignInTokenStatus as St;
    let token = sign_in_token(1, 'a');
    store.insert_sign_in_token(&token).await.expect("insert");
    assert_eq!(
        store
            .find_sign_in_token_by_hash(&"a".repeat(64))
            .await
            .expect("find"),
        Some(token.clone())
    );
    assert_eq!(
        store
            .find_sign_in_token_by_hash(&"b".repeat(64))
            .await
            .expect("find"),
        None
    );
    assert_eq!(
        store.find_sign_in_token(token.id()).await.expect("find"),
        Some(token.clone())
    );
    assert!(matches!(
        store.insert_sign_in_token(&sign_in_token(2, 'a')).await,
        Err(InsertError::Conflict)
    ));
    let mut revoked = token.clone();
    revoked.revoke(at(1)).expect("revoke");
    store
        .update_sign_in_token(&revoked, St::Pending)
        .await
        .expect("update");
    assert!(matches!(
        store.update_sign_in_token(&revoked, St::Pending).await,
        Err(UpdateSignInTokenError::Changed)
    ));
    assert!(matches!(
        store
            .update_sign_in_token(&sign_in_token(3, 'c'), St::Pending)
            .await,
        Err(UpdateSignInTokenError::NotFound)
    ));
}

pub(crate) async fn a_ticket_signs_in_at_most_once_even_when_raced<S: Store>(store: S) {
    let store = Arc::new(store);
    let token = sign_in_token(1, 'd');
    store.insert_sign_in_token(&token).await.expect("insert");
    let mut tasks = Vec::new();
    for n in 0..6u128 {
        let st = Arc::clone(&store);
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let mut client = new_client(100 + n);
            st.insert_client(&client).await.expect("client");
            let previous = client.clone();
            let mut accepted = token;
            accepted.accept(at(2)).expect("accept");
            let out = client
                .sign_in(
                    &[],
                    NewSession {
                        id: SessionId::from_random(500 + n),
                        client_id: client.id().clone(),
                        user_id: accepted.user_id().clone(),
                        actor: None,
                        active_organization_id: None,
                        tasks: vec![],
                    },
                    RotatingToken::from_random(900 + n),
                    OnExistingSession::Refuse,
                    &InstanceSettings::default(),
                    at(2),
                )
                .expect("domain sign in");
            let result = st
                .save_sign_in(&client, &previous, &out.session, &[], Some(&accepted), None)
                .await;
            (result, out.session.id().clone())
        }));
    }
    let mut won = 0;
    for t in tasks {
        let (result, session_id) = t.await.expect("task");
        match result {
            Ok(()) => won += 1,
            Err(SaveSignInError::TicketUsed) => assert!(matches!(
                store.find_session(&session_id).await,
                Err(FindSessionError::NotFound)
            )),
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(won, 1, "exactly one sign-in consumed the ticket");
    let stored = store
        .find_sign_in_token(token.id())
        .await
        .expect("find")
        .expect("some");
    assert_eq!(
        stored.status(),
        hallpass_domain::sign_in_token::SignInTokenStatus::Accepted
    );
}
