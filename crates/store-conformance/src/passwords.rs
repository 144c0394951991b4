//! A user's password digest: stored with the user, replaced by a
//! compare-and-set update like any other change (`UserStore`).

use hallpass_domain::{NewUser, PasswordDigest};
use hallpass_ports::UpdateUserError;
use hallpass_ports::store::*;

use crate::support::*;

const BCRYPT: &str = "$2b$04$Y/yYJhcQ0IIKBky.hHR2G.0bhXBzxT.hRzcrZBljvdUqETAMipo36";
const ARGON2ID: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$M4V33OpaHQ90v1pEEHfwJFMuTxXHE17jvhKePL/Sp8s";

fn digest(s: &str) -> PasswordDigest {
    PasswordDigest::from_stored(s.to_owned()).expect("digest")
}

pub(crate) async fn a_password_digest_is_stored_and_replaced_with_its_user<S: Store>(store: S) {
    let with = make_user(
        1,
        NewUser {
            email_addresses: vec![email("pw1@example.com")],
            password: Some(digest(BCRYPT)),
            ..NewUser::default()
        },
        at(1),
    );
    let without = make_user(2, NewUser::default(), at(1));
    store.insert_user(&with).await.expect("insert");
    store.insert_user(&without).await.expect("insert");
    let found = store.find_user(with.id()).await.expect("find");
    assert_eq!(found, with);
    assert_eq!(found.password().expect("a password").digest, digest(BCRYPT));
    assert_eq!(found.password().expect("a password").updated_at, at(1));
    assert!(
        store
            .find_user(without.id())
            .await
            .expect("find")
            .password()
            .is_none()
    );
    let mut batch = store
        .find_users(&[with.id().clone(), without.id().clone()])
        .await
        .expect("find users");
    batch.sort_by(|a, b| a.id().cmp(b.id()));
    assert_eq!(batch, vec![with.clone(), without.clone()]);

    // Moved to Argon2id after a sign-in: the same time of setting.
    let mut rehashed = found.clone();
    assert!(rehashed.rehash_password(&digest(BCRYPT), digest(ARGON2ID), at(5)));
    store.update_user(&rehashed, &found).await.expect("rehash");
    let found = store.find_user(with.id()).await.expect("find");
    assert_eq!(found, rehashed);
    assert_eq!(found.password().expect("a password").updated_at, at(1));

    // A password set on a user who had none; a second writer from the same
    // read is refused, so one password wins, whole.
    let mut first = without.clone();
    first.set_password(digest(ARGON2ID), at(7));
    let mut second = without.clone();
    second.set_password(digest(BCRYPT), at(7));
    store.update_user(&first, &without).await.expect("set");
    assert!(matches!(
        store.update_user(&second, &without).await,
        Err(UpdateUserError::Changed)
    ));
    assert_eq!(store.find_user(without.id()).await.expect("find"), first);
}
