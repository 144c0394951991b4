//! Refresh tokens (`RefreshTokenStore`).

use hallpass_ports::store::*;

use crate::support::*;

pub(crate) async fn refresh_tokens_rotate_once_and_revoke_with_their_session<S: Store>(store: S) {
    use hallpass_domain::refresh::RefreshStatus;
    let mut client = new_client(1);
    store.insert_client(&client).await.expect("client");
    let session = signed_in(&store, &mut client, 10, "user_r", at(1)).await;
    let record = |hash: &str| RefreshTokenRecord {
        token_hash: hash.to_owned(),
        session_id: session.id().clone(),
        status: RefreshStatus::Active,
        successor_hash: None,
        rotated_at: None,
        expires_at: at(1000),
        created_at: at(1),
    };
    let root = record(&"1".repeat(64));
    store.insert_refresh_token(&root).await.expect("insert");
    assert_eq!(
        store
            .find_refresh_token(&root.token_hash)
            .await
            .expect("find"),
        Some(root.clone())
    );
    let next = record(&"2".repeat(64));
    store
        .rotate_refresh_token(&root.token_hash, &next, at(5))
        .await
        .expect("rotate");
    let rotated = store
        .find_refresh_token(&root.token_hash)
        .await
        .expect("find")
        .expect("some");
    assert_eq!(rotated.status, RefreshStatus::Rotated);
    assert_eq!(
        rotated.successor_hash.as_deref(),
        Some(next.token_hash.as_str())
    );
    assert_eq!(rotated.rotated_at, Some(at(5)));
    let racer = record(&"3".repeat(64));
    assert!(matches!(
        store
            .rotate_refresh_token(&root.token_hash, &racer, at(6))
            .await,
        Err(RotateRefreshError::Changed)
    ));
    assert_eq!(
        store
            .find_refresh_token(&racer.token_hash)
            .await
            .expect("find"),
        None
    );
    store
        .revoke_refresh_tokens(session.id())
        .await
        .expect("revoke");
    for hash in [&root.token_hash, &next.token_hash] {
        let t = store
            .find_refresh_token(hash)
            .await
            .expect("find")
            .expect("some");
        assert_eq!(t.status, RefreshStatus::Revoked);
    }

    let secret = SealedCustomKey {
        algorithm: hallpass_domain::SigningAlgorithm::HS256,
        sealed: "s".repeat(64),
        sealing: "none".to_owned(),
    };
    assert_eq!(
        store.find_instance_secret("refresh").await.expect("find"),
        None
    );
    store
        .insert_instance_secret("refresh", &secret, at(1))
        .await
        .expect("insert");
    assert!(matches!(
        store
            .insert_instance_secret("refresh", &secret, at(2))
            .await,
        Err(InsertError::Conflict)
    ));
    assert_eq!(
        store.find_instance_secret("refresh").await.expect("find"),
        Some(secret)
    );
}
