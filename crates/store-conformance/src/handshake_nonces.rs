//! Handshake nonces (`HandshakeNonceStore`).

use hallpass_ports::store::*;

use crate::support::*;

pub(crate) async fn a_handshake_nonce_is_read_once_and_not_after_it_expires<S: Store>(store: S) {
    let directives = vec![
        "__session=abc; Path=/; SameSite=Lax".to_owned(),
        "__client_uat=1; Path=/; Domain=example.com; \"quoted\" ünïcode".to_owned(),
    ];
    store
        .insert_handshake_nonce(&"e".repeat(64), &directives, at(60), at(0))
        .await
        .expect("insert");
    assert_eq!(
        store
            .take_handshake_nonce(&"e".repeat(64), at(1))
            .await
            .expect("take"),
        Some(directives.clone())
    );
    assert_eq!(
        store
            .take_handshake_nonce(&"e".repeat(64), at(2))
            .await
            .expect("take"),
        None
    );
    store
        .insert_handshake_nonce(&"f".repeat(64), &directives, at(60), at(0))
        .await
        .expect("insert");
    assert_eq!(
        store
            .take_handshake_nonce(&"f".repeat(64), at(60))
            .await
            .expect("take"),
        None
    );
    assert!(matches!(
        store
            .insert_handshake_nonce(&"e".repeat(64), &[], at(60), at(0))
            .await,
        Ok(())
    ));
    assert!(matches!(
        store
            .insert_handshake_nonce(&"e".repeat(64), &[], at(60), at(0))
            .await,
        Err(InsertError::Conflict)
    ));
}
