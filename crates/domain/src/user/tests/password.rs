use super::*;
use crate::password::PasswordDigest;

const BCRYPT: &str = "$2b$04$Y/yYJhcQ0IIKBky.hHR2G.0bhXBzxT.hRzcrZBljvdUqETAMipo36";
const ARGON2ID: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$M4V33OpaHQ90v1pEEHfwJFMuTxXHE17jvhKePL/Sp8s";

fn digest(s: &str) -> PasswordDigest {
    PasswordDigest::from_stored(s.to_owned()).unwrap()
}

#[test]
fn a_user_created_with_a_password_has_it_from_its_creation() {
    let new = NewUser {
        email_addresses: vec![email("a@example.com")],
        password: Some(digest(ARGON2ID)),
        ..NewUser::default()
    };
    let u = User::create(new, &mut counter(), T0).unwrap();
    let p = u.password().unwrap();
    assert_eq!(p.digest, digest(ARGON2ID));
    assert_eq!(p.updated_at, T0);
    assert!(user_with(&["b@example.com"], &[]).password().is_none());
}

#[test]
fn setting_a_password_records_when_and_moves_updated_at() {
    let mut u = user_with(&["a@example.com"], &[]);
    u.set_password(digest(BCRYPT), at(10));
    assert_eq!(u.password().unwrap().digest, digest(BCRYPT));
    assert_eq!(u.password().unwrap().updated_at, at(10));
    assert_eq!(u.updated_at(), at(10));
    // Replaced: the new one, at the new time; updated_at strictly forward
    // even within the same millisecond.
    u.set_password(digest(ARGON2ID), at(10));
    assert_eq!(u.password().unwrap().digest, digest(ARGON2ID));
    assert!(u.updated_at() > at(10));
}

#[test]
fn a_rehash_keeps_when_the_password_was_set() {
    let mut u = user_with(&["a@example.com"], &[]);
    assert!(!u.rehash_password(&digest(BCRYPT), digest(ARGON2ID), at(5)));
    assert!(u.password().is_none());
    assert_eq!(u.updated_at(), T0);

    u.set_password(digest(BCRYPT), at(10));
    assert!(u.rehash_password(&digest(BCRYPT), digest(ARGON2ID), at(20)));
    assert_eq!(u.password().unwrap().digest, digest(ARGON2ID));
    assert_eq!(u.password().unwrap().updated_at, at(10));
    assert_eq!(u.updated_at(), at(20));
}

#[test]
fn a_rehash_never_overwrites_a_password_changed_since_the_verification() {
    let mut u = user_with(&["a@example.com"], &[]);
    // Verified against BCRYPT, but the password is ARGON2ID's by now.
    u.set_password(digest(ARGON2ID), at(10));
    let other = digest(&BCRYPT.replace("$04$", "$05$"));
    assert!(!u.rehash_password(&digest(BCRYPT), other, at(20)));
    assert_eq!(u.password().unwrap().digest, digest(ARGON2ID));
    assert_eq!(u.updated_at(), at(10));
}

#[test]
fn a_profile_update_may_set_the_password_at_its_time() {
    let mut u = user_with(&["a@example.com"], &[]);
    let changed = u
        .update(
            UserPatch {
                password: Some(digest(BCRYPT)),
                ..UserPatch::default()
            },
            at(30),
        )
        .unwrap();
    assert!(changed);
    assert_eq!(u.password().unwrap().digest, digest(BCRYPT));
    assert_eq!(u.password().unwrap().updated_at, at(30));
    assert_eq!(u.updated_at(), at(30));
    // Without a password in the patch, the password stays.
    u.update(UserPatch::default(), at(40)).unwrap();
    assert_eq!(u.password().unwrap().updated_at, at(30));
}
