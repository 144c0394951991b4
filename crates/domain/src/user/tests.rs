use std::time::Duration;

use super::*;
use crate::json::Json;
use crate::metadata::MetadataError;

mod fields;
mod identifiers;
mod password;

const T0: UnixMillis = UnixMillis::new(1_700_000_000_000);
const SEC: Duration = Duration::from_secs(1);
const DAY_MS: i64 = 86_400_000;

fn at(ms: i64) -> UnixMillis {
    UnixMillis::new(T0.as_millis() + ms)
}

/// Ids drawn from 1, 2, 3, ...
fn counter() -> impl FnMut() -> u128 {
    let mut n = 0;
    move || {
        n += 1;
        n
    }
}

fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

fn phone(s: &str) -> E164 {
    E164::parse(s).unwrap()
}

fn user_with(emails: &[&str], phones: &[&str]) -> User {
    let new = NewUser {
        email_addresses: emails.iter().map(|e| email(e)).collect(),
        phone_numbers: phones.iter().map(|p| phone(p)).collect(),
        ..NewUser::default()
    };
    User::create(new, &mut counter(), T0).unwrap()
}

fn obj<const N: usize>(entries: [(&str, Json); N]) -> JsonObject {
    entries.into_iter().collect()
}

#[test]
fn create_draws_ids_in_order_and_makes_the_first_identifiers_primary() {
    let new = NewUser {
        first_name: Some(PersonName::parse("Ada", "first_name").unwrap()),
        username: Some(Username::parse("ada_l").unwrap()),
        email_addresses: vec![email("ada@example.com"), email("ada@work.example")],
        phone_numbers: vec![phone("+14155550100")],
        ..NewUser::default()
    };
    let u = User::create(new, &mut counter(), T0).unwrap();
    assert_eq!(u.id(), &UserId::from_random(1));
    let email_ids: Vec<_> = u.email_addresses().iter().map(|e| e.id.clone()).collect();
    assert_eq!(
        email_ids,
        [
            EmailAddressId::from_random(2),
            EmailAddressId::from_random(3)
        ]
    );
    assert_eq!(u.phone_numbers()[0].id, PhoneNumberId::from_random(4));
    assert_eq!(u.primary_email_address_id(), Some(&email_ids[0]));
    assert_eq!(
        u.primary_email_address().map(|e| e.email_address.as_str()),
        Some("ada@example.com")
    );
    assert_eq!(
        u.primary_phone_number().map(|p| p.phone_number.as_str()),
        Some("+14155550100")
    );
    assert!(u.email_addresses().iter().all(|e| e.verified));
    assert!(u.phone_numbers()[0].verified);
    assert_eq!(u.first_name().map(PersonName::as_str), Some("Ada"));
    assert_eq!(u.username().map(Username::as_str), Some("ada_l"));
    assert_eq!((u.created_at(), u.updated_at()), (T0, T0));
    assert_eq!(u.identification_count(), 4);
    assert!(!u.banned());
    assert_eq!(u.lock(), None);
    assert_eq!((u.last_sign_in_at(), u.last_active_at()), (None, None));
}

#[test]
fn create_keeps_every_given_field() {
    let new = NewUser {
        external_id: Some(ExternalId::parse("ext-1").unwrap()),
        first_name: Some(PersonName::parse("Ada", "first_name").unwrap()),
        last_name: Some(PersonName::parse("Lovelace", "last_name").unwrap()),
        image_url: Some(ImageUrl::parse("https://img.example/a.png", "image_url").unwrap()),
        public_metadata: Metadata::new(obj([("plan", Json::str("pro"))])).unwrap(),
        private_metadata: Metadata::new(obj([("stripe", Json::str("cus_1"))])).unwrap(),
        unsafe_metadata: Metadata::new(obj([("theme", Json::str("dark"))])).unwrap(),
        banned: true,
        created_at: Some(UnixMillis::new(1_000)),
        ..NewUser::default()
    };
    let u = User::create(new.clone(), &mut counter(), T0).unwrap();
    assert_eq!(u.external_id(), new.external_id.as_ref());
    assert_eq!(u.last_name(), new.last_name.as_ref());
    assert_eq!(u.image_url(), new.image_url.as_ref());
    assert_eq!(u.public_metadata(), &new.public_metadata);
    assert_eq!(u.private_metadata(), &new.private_metadata);
    assert_eq!(u.unsafe_metadata(), &new.unsafe_metadata);
    assert!(u.banned());
    // An imported user keeps its creation time; the update is now.
    assert_eq!(u.created_at(), UnixMillis::new(1_000));
    assert_eq!(u.updated_at(), T0);
    assert_eq!(u.may_sign_in(T0), Err(SignInRefused::Banned));
}

#[test]
fn create_refuses_the_same_identifier_twice() {
    let new = NewUser {
        email_addresses: vec![email("a@example.com"), email("A@Example.com")],
        ..NewUser::default()
    };
    assert_eq!(
        User::create(new, &mut counter(), T0),
        Err(UserError::Duplicate {
            kind: IdentifierKind::EmailAddress
        })
    );
    let new = NewUser {
        phone_numbers: vec![phone("+14155550100"), phone("+1 415 555 0100")],
        ..NewUser::default()
    };
    assert_eq!(
        User::create(new, &mut counter(), T0),
        Err(UserError::Duplicate {
            kind: IdentifierKind::PhoneNumber
        })
    );
}

#[test]
fn an_adopted_user_has_only_its_id() {
    let id = UserId::parse("legacy-user-42").unwrap();
    let u = User::adopt(id.clone(), T0);
    assert_eq!(u.id(), &id);
    assert_eq!(u.identification_count(), 0);
    assert_eq!(u.public_metadata(), &Metadata::empty());
    assert_eq!(u.may_sign_in(T0), Ok(()));
    assert_eq!((u.created_at(), u.updated_at()), (T0, T0));
}

#[test]
fn a_user_survives_the_round_trip_through_its_record() {
    let mut u = user_with(&["a@example.com"], &["+14155550100"]);
    u.lock_for(Some(SEC), T0);
    u.record_sign_in(at(5));
    u.set_password(
        crate::password::PasswordDigest::from_stored(
            "$2b$04$Y/yYJhcQ0IIKBky.hHR2G.0bhXBzxT.hRzcrZBljvdUqETAMipo36".to_owned(),
        )
        .unwrap(),
        at(6),
    );
    let back = User::from_record(u.to_record());
    assert_eq!(back, u);
    assert_eq!(back.to_record(), u.to_record());
}

// ----- ban and lock -----

#[test]
fn a_lock_holds_until_its_end_and_not_at_it() {
    let mut u = user_with(&["a@example.com"], &[]);
    u.lock_for(Some(Duration::from_secs(3600)), T0);
    let end = at(3_600_000);
    assert_eq!(u.lock(), Some(Lock::Until(end)));
    let just_before = at(3_599_999);
    assert!(u.is_locked_at(just_before));
    assert_eq!(
        u.may_sign_in(just_before),
        Err(SignInRefused::Locked { until: Some(end) })
    );
    assert_eq!(u.locked_until(just_before), Some(end));
    // At the end instant the lock no longer counts, and after it neither.
    for t in [end, at(3_600_001)] {
        assert!(!u.is_locked_at(t));
        assert_eq!(u.may_sign_in(t), Ok(()));
        assert_eq!(u.locked_until(t), None);
        assert_eq!(u.lockout_expires_in_seconds(t), None);
    }
    // Locked in the millisecond the user was created: 1 ms later.
    assert_eq!(u.updated_at(), at(1));
}

#[test]
fn a_lock_without_end_holds_until_unlocked() {
    let mut u = user_with(&["a@example.com"], &[]);
    u.lock_for(None, T0);
    let far = UnixMillis::new(i64::MAX);
    assert!(u.is_locked_at(far));
    assert_eq!(
        u.may_sign_in(far),
        Err(SignInRefused::Locked { until: None })
    );
    assert_eq!(u.locked_until(far), None);
    assert_eq!(u.lockout_expires_in_seconds(far), None);
    assert!(u.unlock(at(10)));
    assert_eq!(u.updated_at(), at(10));
    assert_eq!(u.may_sign_in(at(10)), Ok(()));
    // Unlocking an unlocked user changes nothing.
    assert!(!u.unlock(at(20)));
    assert_eq!(u.updated_at(), at(10));
}

#[test]
fn an_expired_lock_can_still_be_removed() {
    let mut u = user_with(&["a@example.com"], &[]);
    u.lock_for(Some(SEC), T0);
    assert!(!u.is_locked_at(at(5_000)));
    assert!(u.unlock(at(5_000)));
    assert_eq!(u.lock(), None);
}

#[test]
fn locking_again_restarts_the_lock() {
    let mut u = user_with(&["a@example.com"], &[]);
    u.lock_for(Some(SEC), T0);
    u.lock_for(Some(SEC), at(500));
    assert_eq!(u.lock(), Some(Lock::Until(at(1_500))));
    assert_eq!(u.updated_at(), at(500));
}

#[test]
fn the_seconds_left_of_a_lock_round_up() {
    let mut u = user_with(&["a@example.com"], &[]);
    u.lock_for(Some(Duration::from_millis(2_001)), T0);
    assert_eq!(u.lockout_expires_in_seconds(T0), Some(3));
    assert_eq!(u.lockout_expires_in_seconds(at(1)), Some(2));
    assert_eq!(u.lockout_expires_in_seconds(at(1_001)), Some(1));
    assert_eq!(u.lockout_expires_in_seconds(at(2_000)), Some(1));
    assert_eq!(u.lockout_expires_in_seconds(at(2_001)), None);
}

#[test]
fn a_ban_wins_over_a_lock_and_is_lifted_by_unban_only() {
    let mut u = user_with(&["a@example.com"], &[]);
    u.lock_for(None, T0);
    assert!(u.ban(at(1)));
    assert_eq!(u.may_sign_in(at(1)), Err(SignInRefused::Banned));
    assert!(u.unlock(at(2)));
    assert_eq!(u.may_sign_in(at(2)), Err(SignInRefused::Banned));
    assert!(u.unban(at(3)));
    assert_eq!(u.may_sign_in(at(3)), Ok(()));
    // four changes in four milliseconds, each one strictly after the last
    assert_eq!(u.updated_at(), at(4));
}

#[test]
fn banning_twice_or_unbanning_an_unbanned_user_changes_nothing() {
    let mut u = user_with(&["a@example.com"], &[]);
    assert!(!u.unban(at(1)));
    assert_eq!(u.updated_at(), T0);
    assert!(u.ban(at(2)));
    assert!(!u.ban(at(3)));
    assert_eq!(u.updated_at(), at(2));
    assert!(u.banned());
}

#[test]
fn updated_at_moves_strictly_forward_even_within_a_millisecond() {
    let mut u = user_with(&["a@example.com"], &[]);
    // a clock behind the last change: 1 ms after it, never back
    assert!(u.ban(at(-5)));
    assert_eq!(u.updated_at(), at(1));
    // the same millisecond again: still forward, so a compare-and-set on
    // updated_at tells the two changes apart
    assert!(u.unban(at(1)));
    assert_eq!(u.updated_at(), at(2));
}

// ----- activity -----

#[test]
fn activity_is_kept_with_day_precision() {
    let mut u = user_with(&["a@example.com"], &[]);
    let day_start = UnixMillis::new(T0.as_millis().div_euclid(DAY_MS) * DAY_MS);
    let next_day = UnixMillis::new(day_start.as_millis() + DAY_MS);
    assert!(u.record_activity(T0));
    assert_eq!(u.last_active_at(), Some(day_start));
    // Later the same day (its last millisecond included): nothing to store.
    assert!(!u.record_activity(UnixMillis::new(next_day.as_millis() - 1)));
    // The next day, from its first millisecond.
    assert!(u.record_activity(next_day));
    assert_eq!(u.last_active_at(), Some(next_day));
    // An earlier time never moves it back.
    assert!(!u.record_activity(T0));
    assert_eq!(u.last_active_at(), Some(next_day));
    // Activity is not a profile change.
    assert_eq!(u.updated_at(), T0);
}

#[test]
fn a_sign_in_is_recorded_with_its_activity() {
    let mut u = user_with(&["a@example.com"], &[]);
    u.record_sign_in(at(7));
    assert_eq!(u.last_sign_in_at(), Some(at(7)));
    assert!(u.last_active_at().is_some());
    assert_eq!(u.updated_at(), at(7));
}

// ----- profile -----

#[test]
fn a_patch_sets_and_clears_fields_and_says_whether_anything_changed() {
    let mut u = user_with(&["a@example.com"], &[]);
    let name = PersonName::parse("Ada", "first_name").unwrap();
    let patch = UserPatch {
        first_name: Some(Some(name.clone())),
        external_id: Some(Some(ExternalId::parse("ext").unwrap())),
        username: Some(Some(Username::parse("adal").unwrap())),
        image_url: Some(Some(
            ImageUrl::parse("https://img.example/a.png", "image_url").unwrap(),
        )),
        last_name: Some(Some(PersonName::parse("L", "last_name").unwrap())),
        ..UserPatch::default()
    };
    assert_eq!(u.update(patch.clone(), at(1)), Ok(true));
    assert_eq!(u.first_name(), Some(&name));
    assert_eq!(u.external_id().map(ExternalId::as_str), Some("ext"));
    assert_eq!(u.username().map(Username::as_str), Some("adal"));
    assert!(u.image_url().is_some());
    assert!(u.last_name().is_some());
    assert_eq!(u.updated_at(), at(1));
    // The same patch again: nothing changes, updated_at stays.
    assert_eq!(u.update(patch, at(2)), Ok(false));
    assert_eq!(u.updated_at(), at(1));
    // `Some(None)` clears.
    let clear = UserPatch {
        first_name: Some(None),
        external_id: Some(None),
        username: Some(None),
        image_url: Some(None),
        last_name: Some(None),
        ..UserPatch::default()
    };
    assert_eq!(u.update(clear, at(3)), Ok(true));
    assert_eq!(
        (
            u.first_name(),
            u.external_id(),
            u.username(),
            u.image_url(),
            u.last_name()
        ),
        (None, None, None, None, None)
    );
}

#[test]
fn a_patch_chooses_verified_primaries_of_the_user_only() {
    let mut u = user_with(&["a@example.com", "b@example.com"], &["+14155550100"]);
    let second = u.email_addresses()[1].id.clone();
    let phone_id = u.phone_numbers()[0].id.clone();
    let patch = UserPatch {
        primary_email_address_id: Some(second.clone()),
        primary_phone_number_id: Some(phone_id.clone()),
        ..UserPatch::default()
    };
    assert_eq!(u.update(patch, at(1)), Ok(true));
    assert_eq!(u.primary_email_address_id(), Some(&second));
    // A foreign id, and an unverified address, are refused, and nothing of
    // the patch applies.
    let foreign = EmailAddressId::from_random(999);
    let patch = UserPatch {
        first_name: Some(Some(PersonName::parse("X", "first_name").unwrap())),
        primary_email_address_id: Some(foreign.clone()),
        ..UserPatch::default()
    };
    assert_eq!(
        u.update(patch, at(2)),
        Err(UserError::IdentifierNotFound {
            kind: IdentifierKind::EmailAddress,
            id: foreign.to_string()
        })
    );
    assert_eq!(u.first_name(), None);
    u.set_email_address_verified(&second, false, at(3)).unwrap();
    let first = u.email_addresses()[0].id.clone();
    u.set_email_address_verified(&first, false, at(3)).unwrap();
    let patch = UserPatch {
        primary_email_address_id: Some(first.clone()),
        ..UserPatch::default()
    };
    assert_eq!(
        u.update(patch, at(4)),
        Err(UserError::Unverified {
            kind: IdentifierKind::EmailAddress,
            id: first.to_string()
        })
    );
    let foreign = PhoneNumberId::from_random(998);
    let patch = UserPatch {
        primary_phone_number_id: Some(foreign.clone()),
        ..UserPatch::default()
    };
    assert_eq!(
        u.update(patch, at(5)),
        Err(UserError::IdentifierNotFound {
            kind: IdentifierKind::PhoneNumber,
            id: foreign.to_string()
        })
    );
    assert_eq!(u.primary_phone_number_id(), Some(&phone_id));
}

#[test]
fn the_username_cannot_be_cleared_when_it_is_the_last_identification() {
    let mut u = User::adopt(UserId::from_random(1), T0);
    let set = UserPatch {
        username: Some(Some(Username::parse("only").unwrap())),
        ..UserPatch::default()
    };
    assert_eq!(u.update(set, at(1)), Ok(true));
    let clear = UserPatch {
        username: Some(None),
        ..UserPatch::default()
    };
    assert_eq!(
        u.update(clear.clone(), at(2)),
        Err(UserError::LastIdentification)
    );
    assert!(u.username().is_some());
    // With an email address as well, it can go.
    u.add_email_address(
        EmailAddressId::from_random(2),
        email("a@example.com"),
        true,
        false,
        at(3),
    )
    .unwrap();
    assert_eq!(u.update(clear.clone(), at(4)), Ok(true));
    // Clearing an absent username of a user without identification is no
    // removal.
    let mut bare = User::adopt(UserId::from_random(3), T0);
    assert_eq!(bare.update(clear, at(5)), Ok(false));
}

#[test]
fn metadata_merges_into_all_three_objects() {
    let mut u = user_with(&["a@example.com"], &[]);
    u.merge_metadata(
        UserMetadataPatch {
            public_metadata: Some(obj([("plan", Json::str("pro"))])),
            private_metadata: Some(obj([("stripe", Json::str("cus_1"))])),
            unsafe_metadata: Some(obj([("theme", Json::str("dark"))])),
        },
        at(1),
    )
    .unwrap();
    assert_eq!(
        u.public_metadata().as_object(),
        &obj([("plan", Json::str("pro"))])
    );
    assert_eq!(
        u.private_metadata().as_object(),
        &obj([("stripe", Json::str("cus_1"))])
    );
    assert_eq!(
        u.unsafe_metadata().as_object(),
        &obj([("theme", Json::str("dark"))])
    );
    assert_eq!(u.updated_at(), at(1));
    u.merge_metadata(
        UserMetadataPatch {
            public_metadata: Some(obj([("plan", Json::Null), ("seats", Json::int(2))])),
            ..UserMetadataPatch::default()
        },
        at(2),
    )
    .unwrap();
    assert_eq!(
        u.public_metadata().as_object(),
        &obj([("seats", Json::int(2))])
    );
    assert!(!u.private_metadata().as_object().is_empty());
}

#[test]
fn an_oversized_metadata_object_refuses_the_whole_merge() {
    let mut u = user_with(&["a@example.com"], &[]);
    let big = obj([("k", Json::str("x".repeat(8192)))]);
    for (field, patch) in [
        (
            MetadataField::Public,
            UserMetadataPatch {
                public_metadata: Some(big.clone()),
                ..UserMetadataPatch::default()
            },
        ),
        (
            MetadataField::Private,
            UserMetadataPatch {
                public_metadata: Some(obj([("ok", Json::int(1))])),
                private_metadata: Some(big.clone()),
                ..UserMetadataPatch::default()
            },
        ),
        (
            MetadataField::Unsafe,
            UserMetadataPatch {
                public_metadata: Some(obj([("ok", Json::int(1))])),
                unsafe_metadata: Some(big.clone()),
                ..UserMetadataPatch::default()
            },
        ),
    ] {
        let err = u.merge_metadata(patch, at(1)).unwrap_err();
        assert_eq!(
            err,
            UserError::Metadata(MetadataFieldError {
                field,
                error: MetadataError::TooLarge {
                    size: 8200,
                    max: 8192
                }
            })
        );
        assert_eq!(u.public_metadata(), &Metadata::empty());
        assert_eq!(u.updated_at(), T0);
    }
}

#[test]
fn metadata_replacement_overwrites_only_what_is_given() {
    let mut u = user_with(&["a@example.com"], &[]);
    u.merge_metadata(
        UserMetadataPatch {
            public_metadata: Some(obj([("a", Json::int(1))])),
            private_metadata: Some(obj([("b", Json::int(2))])),
            unsafe_metadata: Some(obj([("c", Json::int(3))])),
        },
        at(1),
    )
    .unwrap();
    let replacement = Metadata::new(obj([("z", Json::int(9))])).unwrap();
    u.replace_metadata(
        UserMetadataReplacement {
            private_metadata: Some(replacement.clone()),
            ..UserMetadataReplacement::default()
        },
        at(2),
    );
    assert_eq!(u.private_metadata(), &replacement);
    assert_eq!(u.public_metadata().as_object(), &obj([("a", Json::int(1))]));
    assert_eq!(u.unsafe_metadata().as_object(), &obj([("c", Json::int(3))]));
    u.replace_metadata(
        UserMetadataReplacement {
            public_metadata: Some(Metadata::empty()),
            unsafe_metadata: Some(Metadata::empty()),
            ..UserMetadataReplacement::default()
        },
        at(3),
    );
    assert_eq!(u.public_metadata(), &Metadata::empty());
    assert_eq!(u.unsafe_metadata(), &Metadata::empty());
    assert_eq!(u.updated_at(), at(3));
}

#[test]
fn errors_read_as_clerk_words_them() {
    assert_eq!(
        UserError::LastIdentification.to_string(),
        "you cannot delete your last identification"
    );
    assert_eq!(IdentifierKind::EmailAddress.as_str(), "email_address");
    assert_eq!(IdentifierKind::PhoneNumber.as_str(), "phone_number");
}

#[test]
fn the_shown_identifier_is_the_primary_email_else_phone_else_username() {
    assert_eq!(shown_identifier(Some("e"), Some("p"), Some("u")), Some("e"));
    assert_eq!(shown_identifier(None, Some("p"), Some("u")), Some("p"));
    assert_eq!(shown_identifier(None, None, Some("u")), Some("u"));
    assert_eq!(shown_identifier(None, None, None), None);
    let both = user_with(&["ada@example.com"], &["+15555550100"]);
    assert_eq!(both.shown_identifier(), Some("ada@example.com"));
    let phone_only = user_with(&[], &["+15555550100"]);
    assert_eq!(phone_only.shown_identifier(), Some("+15555550100"));
    assert_eq!(user_with(&[], &[]).shown_identifier(), None);
}
