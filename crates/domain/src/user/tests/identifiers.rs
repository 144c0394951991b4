//! Adding, removing, choosing and verifying email addresses and phone
//! numbers.

use super::*;

fn eid(n: u128) -> EmailAddressId {
    EmailAddressId::from_random(n)
}

fn pid(n: u128) -> PhoneNumberId {
    PhoneNumberId::from_random(n)
}

#[test]
fn the_first_address_becomes_primary_even_unverified_later_ones_only_when_asked() {
    let mut u = User::adopt(UserId::from_random(1), T0);
    let first = u
        .add_email_address(eid(10), email("a@example.com"), false, false, at(1))
        .unwrap()
        .clone();
    assert!(!first.verified);
    assert_eq!((first.created_at, first.updated_at), (at(1), at(1)));
    assert_eq!(u.primary_email_address_id(), Some(&eid(10)));
    u.add_email_address(eid(11), email("b@example.com"), true, false, at(2))
        .unwrap();
    assert_eq!(u.primary_email_address_id(), Some(&eid(10)));
    u.add_email_address(eid(12), email("c@example.com"), true, true, at(3))
        .unwrap();
    assert_eq!(u.primary_email_address_id(), Some(&eid(12)));
    assert_eq!(u.updated_at(), at(3));
    assert_eq!(
        u.email_address(&eid(11)).map(|e| e.email_address.as_str()),
        Some("b@example.com")
    );
}

#[test]
fn an_unverified_address_cannot_be_added_as_primary() {
    let mut u = user_with(&["a@example.com"], &[]);
    assert_eq!(
        u.add_email_address(eid(20), email("b@example.com"), false, true, at(1))
            .map(|e| e.id.clone()),
        Err(UserError::Unverified {
            kind: IdentifierKind::EmailAddress,
            id: eid(20).to_string()
        })
    );
    assert_eq!(u.email_addresses().len(), 1);
    assert_eq!(u.updated_at(), T0);
}

#[test]
fn an_address_is_added_once_whatever_its_case() {
    let mut u = user_with(&["a@example.com"], &[]);
    assert_eq!(
        u.add_email_address(eid(20), email("A@EXAMPLE.com"), true, false, at(1))
            .map(|e| e.id.clone()),
        Err(UserError::Duplicate {
            kind: IdentifierKind::EmailAddress
        })
    );
    assert_eq!(
        u.add_phone_number(pid(21), phone("+14155550100"), true, false, at(1))
            .map(|p| p.id.clone()),
        Ok(pid(21))
    );
    assert_eq!(
        u.add_phone_number(pid(22), phone("+1 415-555-0100"), true, false, at(1))
            .map(|p| p.id.clone()),
        Err(UserError::Duplicate {
            kind: IdentifierKind::PhoneNumber
        })
    );
}

#[test]
fn phone_numbers_follow_the_same_primary_rules() {
    let mut u = user_with(&["a@example.com"], &[]);
    u.add_phone_number(pid(1), phone("+14155550100"), false, false, at(1))
        .unwrap();
    assert_eq!(u.primary_phone_number_id(), Some(&pid(1)));
    assert_eq!(
        u.add_phone_number(pid(2), phone("+14155550101"), false, true, at(2))
            .map(|p| p.id.clone()),
        Err(UserError::Unverified {
            kind: IdentifierKind::PhoneNumber,
            id: pid(2).to_string()
        })
    );
    u.add_phone_number(pid(3), phone("+14155550102"), true, true, at(3))
        .unwrap();
    assert_eq!(u.primary_phone_number_id(), Some(&pid(3)));
    assert_eq!(
        u.phone_number(&pid(1)).map(|p| p.phone_number.as_str()),
        Some("+14155550100")
    );
    assert_eq!(u.updated_at(), at(3));
}

#[test]
fn the_last_identification_cannot_be_removed() {
    let mut u = user_with(&["a@example.com"], &[]);
    let only = u.email_addresses()[0].id.clone();
    assert_eq!(
        u.remove_email_address(&only, at(1)),
        Err(UserError::LastIdentification)
    );
    let mut u = user_with(&[], &["+14155550100"]);
    let only = u.phone_numbers()[0].id.clone();
    assert_eq!(
        u.remove_phone_number(&only, at(1)),
        Err(UserError::LastIdentification)
    );
    assert_eq!(u.phone_numbers().len(), 1);
    // A username counts as an identification.
    u.update(
        UserPatch {
            username: Some(Some(Username::parse("keeper").unwrap())),
            ..UserPatch::default()
        },
        at(2),
    )
    .unwrap();
    assert!(u.remove_phone_number(&only, at(3)).is_ok());
    assert_eq!(u.primary_phone_number_id(), None);
    assert_eq!(u.updated_at(), at(3));
}

#[test]
fn an_unknown_identifier_is_not_found_before_anything_else() {
    let mut u = User::adopt(UserId::from_random(1), T0);
    assert_eq!(
        u.remove_email_address(&eid(5), at(1)),
        Err(UserError::IdentifierNotFound {
            kind: IdentifierKind::EmailAddress,
            id: eid(5).to_string()
        })
    );
    assert_eq!(
        u.remove_phone_number(&pid(6), at(1)),
        Err(UserError::IdentifierNotFound {
            kind: IdentifierKind::PhoneNumber,
            id: pid(6).to_string()
        })
    );
    assert_eq!(
        u.set_email_address_verified(&eid(5), true, at(1)),
        Err(UserError::IdentifierNotFound {
            kind: IdentifierKind::EmailAddress,
            id: eid(5).to_string()
        })
    );
    assert_eq!(
        u.set_primary_phone_number(&pid(6), at(1)),
        Err(UserError::IdentifierNotFound {
            kind: IdentifierKind::PhoneNumber,
            id: pid(6).to_string()
        })
    );
}

#[test]
fn a_removed_primary_passes_to_the_first_remaining_verified_one() {
    let mut u = User::adopt(UserId::from_random(1), T0);
    u.add_email_address(eid(1), email("a@example.com"), true, false, T0)
        .unwrap();
    u.add_email_address(eid(2), email("b@example.com"), false, false, T0)
        .unwrap();
    u.add_email_address(eid(3), email("c@example.com"), true, false, T0)
        .unwrap();
    let removed = u.remove_email_address(&eid(1), at(10)).unwrap();
    assert_eq!(removed.email_address.as_str(), "a@example.com");
    // b@ is unverified: c@ becomes primary.
    assert_eq!(u.primary_email_address_id(), Some(&eid(3)));
    assert_eq!(u.updated_at(), at(10));
    // Removing a non-primary leaves the primary alone.
    u.remove_email_address(&eid(2), at(2)).unwrap();
    assert_eq!(u.primary_email_address_id(), Some(&eid(3)));
    // With only unverified ones left, there is no primary.
    u.add_email_address(eid(4), email("d@example.com"), false, false, at(3))
        .unwrap();
    u.remove_email_address(&eid(3), at(4)).unwrap();
    assert_eq!(u.primary_email_address_id(), None);
    assert_eq!(u.email_addresses().len(), 1);
}

#[test]
fn a_removed_primary_phone_number_passes_on_too() {
    let mut u = user_with(&[], &["+14155550100", "+14155550101"]);
    let first = u.phone_numbers()[0].id.clone();
    let second = u.phone_numbers()[1].id.clone();
    u.remove_phone_number(&first, at(1)).unwrap();
    assert_eq!(u.primary_phone_number_id(), Some(&second));
}

#[test]
fn only_a_verified_identifier_of_the_user_can_be_made_primary() {
    let mut u = user_with(
        &["a@example.com", "b@example.com"],
        &["+14155550100", "+14155550101"],
    );
    let b = u.email_addresses()[1].id.clone();
    assert_eq!(u.set_primary_email_address(&b, at(1)), Ok(true));
    assert_eq!(u.primary_email_address_id(), Some(&b));
    assert_eq!(u.updated_at(), at(1));
    assert_eq!(u.set_primary_email_address(&b, at(2)), Ok(false));
    assert_eq!(u.updated_at(), at(1));
    let a = u.email_addresses()[0].id.clone();
    assert_eq!(u.set_email_address_verified(&a, false, at(3)), Ok(true));
    assert_eq!(
        u.set_primary_email_address(&a, at(4)),
        Err(UserError::Unverified {
            kind: IdentifierKind::EmailAddress,
            id: a.to_string()
        })
    );
    assert_eq!(
        u.set_primary_email_address(&eid(77), at(4)),
        Err(UserError::IdentifierNotFound {
            kind: IdentifierKind::EmailAddress,
            id: eid(77).to_string()
        })
    );
    let p2 = u.phone_numbers()[1].id.clone();
    assert_eq!(u.set_primary_phone_number(&p2, at(5)), Ok(true));
    assert_eq!(u.primary_phone_number_id(), Some(&p2));
    assert_eq!(u.set_primary_phone_number(&p2, at(6)), Ok(false));
    assert_eq!(u.updated_at(), at(5));
    assert_eq!(u.set_phone_number_verified(&p2, false, at(7)), Ok(true));
    let p1 = u.phone_numbers()[0].id.clone();
    assert_eq!(u.set_phone_number_verified(&p1, false, at(7)), Ok(true));
    assert_eq!(
        u.set_primary_phone_number(&p1, at(8)),
        Err(UserError::Unverified {
            kind: IdentifierKind::PhoneNumber,
            id: p1.to_string()
        })
    );
}

#[test]
fn verification_changes_are_reported_and_timed() {
    let mut u = user_with(&["a@example.com"], &["+14155550100"]);
    let a = u.email_addresses()[0].id.clone();
    assert_eq!(u.set_email_address_verified(&a, true, at(1)), Ok(false));
    assert_eq!(u.updated_at(), T0);
    assert_eq!(u.set_email_address_verified(&a, false, at(2)), Ok(true));
    let e = u.email_address(&a).unwrap();
    assert!(!e.verified);
    assert_eq!(e.updated_at, at(2));
    assert_eq!(u.updated_at(), at(2));
    // Still primary: verification is checked when a primary is chosen.
    assert_eq!(u.primary_email_address_id(), Some(&a));
    let p = u.phone_numbers()[0].id.clone();
    assert_eq!(u.set_phone_number_verified(&p, true, at(3)), Ok(false));
    assert_eq!(u.set_phone_number_verified(&p, false, at(4)), Ok(true));
    assert_eq!(
        u.phone_number(&p).map(|p| (p.verified, p.updated_at)),
        Some((false, at(4)))
    );
    assert_eq!(u.updated_at(), at(4));
    assert_eq!(
        u.set_phone_number_verified(&pid(99), true, at(5)),
        Err(UserError::IdentifierNotFound {
            kind: IdentifierKind::PhoneNumber,
            id: pid(99).to_string()
        })
    );
}
