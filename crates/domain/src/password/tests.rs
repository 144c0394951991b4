use super::*;

const ARGON2ID: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzYWx0$RdescudvJCsgt3ub+b+dWRWJTmaaJObGz0cfR6s3lVo";
const ARGON2I: &str =
    "$argon2i$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$iWh06vD8Fy27wf9npn6FXWiCX4K6pW6Ue1Bnzz07Z8A";
const BCRYPT: &str = "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW";

fn pw(s: &str) -> Password {
    Password::new(s.to_owned()).unwrap()
}

#[test]
fn a_password_is_not_empty_and_at_most_4096_bytes() {
    assert_eq!(Password::new(String::new()), Err(PasswordRejected::Empty));
    assert!(Password::new("x".repeat(MAX_PASSWORD_BYTES)).is_ok());
    assert_eq!(
        Password::new("x".repeat(MAX_PASSWORD_BYTES + 1)),
        Err(PasswordRejected::TooManyBytes)
    );
    // Bytes, not characters: 1,366 three-byte characters are 4,098 bytes.
    assert_eq!(
        Password::new("€".repeat(1366)),
        Err(PasswordRejected::TooManyBytes)
    );
    assert_eq!(pw("hunter2!").expose(), "hunter2!");
}

#[test]
fn neither_a_password_nor_a_digest_shows_in_debug() {
    assert_eq!(
        format!("{:?}", pw("hunter2!secret")),
        "Password(<redacted>)"
    );
    let digest = PasswordDigest::import(PasswordHasher::Bcrypt, BCRYPT.to_owned()).unwrap();
    let shown = format!("{digest:?}");
    assert_eq!(shown, "PasswordDigest(bcrypt, <redacted>)");
}

#[test]
fn the_default_policy_is_a_new_clerk_instances() {
    let p = PasswordPolicy::default();
    assert_eq!((p.min_length(), p.max_length()), (8, 72));
    for class in [
        CharClass::Lowercase,
        CharClass::Uppercase,
        CharClass::Digit,
        CharClass::Special,
    ] {
        assert!(!p.requires(class));
    }
    assert_eq!(PasswordPolicy::new(8, 72), Ok(p));
}

#[test]
fn a_policy_keeps_its_lengths_in_bounds() {
    assert_eq!(
        PasswordPolicy::new(7, 72),
        Err(PasswordPolicyError::MinTooSmall(7))
    );
    assert!(PasswordPolicy::new(8, 8).is_ok());
    assert_eq!(
        PasswordPolicy::new(12, 11),
        Err(PasswordPolicyError::MaxOutOfRange { min: 12, max: 11 })
    );
    assert!(PasswordPolicy::new(8, 1024).is_ok());
    assert_eq!(
        PasswordPolicy::new(8, 1025),
        Err(PasswordPolicyError::MaxOutOfRange { min: 8, max: 1025 })
    );
    let p = PasswordPolicy::new(10, 20).unwrap();
    assert_eq!((p.min_length(), p.max_length()), (10, 20));
}

#[test]
fn length_is_counted_in_characters_at_both_ends() {
    let p = PasswordPolicy::new(8, 10).unwrap();
    assert_eq!(
        p.check(&pw("1234567")),
        Err(PasswordRejected::TooShort { min: 8 })
    );
    assert_eq!(p.check(&pw("12345678")), Ok(()));
    assert_eq!(p.check(&pw("1234567890")), Ok(()));
    assert_eq!(
        p.check(&pw("12345678901")),
        Err(PasswordRejected::TooLong { max: 10 })
    );
    // Eight characters, 24 bytes.
    assert_eq!(p.check(&pw("€€€€€€€€")), Ok(()));
    assert_eq!(
        p.check(&pw("€€€€€€€€€€€")),
        Err(PasswordRejected::TooLong { max: 10 })
    );
}

#[test]
fn each_required_class_is_checked_and_only_when_required() {
    let cases = [
        (CharClass::Lowercase, "ABCDEFGH1!", "ABCDEFGh1!"),
        (CharClass::Uppercase, "abcdefgh1!", "abcdefgH1!"),
        (CharClass::Digit, "abcdefgH!!", "abcdefgH1!"),
        (CharClass::Special, "abcdefgH11", "abcdefgH1~"),
    ];
    for (class, without, with) in cases {
        let p = PasswordPolicy::default().requiring(class);
        assert!(p.requires(class));
        assert_eq!(
            p.check(&pw(without)),
            Err(PasswordRejected::Missing(class)),
            "{class:?}"
        );
        assert_eq!(p.check(&pw(with)), Ok(()), "{class:?}");
        assert_eq!(PasswordPolicy::default().check(&pw(without)), Ok(()));
    }
    // Letters beyond ASCII count as letters; digits are ASCII digits.
    let letters = PasswordPolicy::default()
        .requiring(CharClass::Lowercase)
        .requiring(CharClass::Uppercase);
    assert_eq!(letters.check(&pw("ÉCOLEété")), Ok(()));
    let digits = PasswordPolicy::default().requiring(CharClass::Digit);
    assert_eq!(
        digits.check(&pw("abcdefg٣")),
        Err(PasswordRejected::Missing(CharClass::Digit))
    );
    // A space is not one of Clerk's special characters.
    let special = PasswordPolicy::default().requiring(CharClass::Special);
    assert_eq!(
        special.check(&pw("abc defgh")),
        Err(PasswordRejected::Missing(CharClass::Special))
    );
}

#[test]
fn a_too_short_password_is_refused_for_its_length_before_its_classes() {
    let p = PasswordPolicy::default().requiring(CharClass::Digit);
    assert_eq!(
        p.check(&pw("abc")),
        Err(PasswordRejected::TooShort { min: 8 })
    );
}

#[test]
fn hashers_are_named_as_the_backend_api_names_them() {
    for hasher in [
        PasswordHasher::Argon2id,
        PasswordHasher::Argon2i,
        PasswordHasher::Bcrypt,
    ] {
        assert_eq!(PasswordHasher::parse(hasher.as_str()), Ok(hasher));
    }
    assert_eq!(
        PasswordHasher::parse("md5"),
        Err(DigestError::UnsupportedHasher("md5".to_owned()))
    );
    assert_eq!(
        PasswordHasher::parse("Bcrypt"),
        Err(DigestError::UnsupportedHasher("Bcrypt".to_owned()))
    );
    // An absurd name is not echoed whole.
    let Err(DigestError::UnsupportedHasher(shown)) = PasswordHasher::parse(&"x".repeat(1000))
    else {
        panic!("refused");
    };
    assert_eq!(shown.len(), 64);
}

#[test]
fn digests_in_standard_encoding_are_imported() {
    for (hasher, encoded) in [
        (PasswordHasher::Argon2id, ARGON2ID),
        (PasswordHasher::Argon2i, ARGON2I),
        (PasswordHasher::Bcrypt, BCRYPT),
        (PasswordHasher::Bcrypt, &BCRYPT.replace("$2b$", "$2a$")),
        (PasswordHasher::Bcrypt, &BCRYPT.replace("$2b$", "$2y$")),
        // argon2's first encoding had no version.
        (PasswordHasher::Argon2id, &ARGON2ID.replace("$v=19", "")),
    ] {
        let digest = PasswordDigest::import(hasher, encoded.to_owned()).unwrap();
        assert_eq!(digest.hasher(), hasher);
        assert_eq!(digest.as_str(), encoded);
        assert_eq!(
            PasswordDigest::from_stored(encoded.to_owned()),
            Some(digest)
        );
    }
}

#[test]
fn a_digest_of_another_algorithm_or_out_of_shape_is_refused() {
    let refused = |hasher, encoded: &str| {
        assert_eq!(
            PasswordDigest::import(hasher, encoded.to_owned()),
            Err(DigestError::Malformed(hasher)),
            "{encoded}"
        );
    };
    // Another algorithm than the one named.
    refused(PasswordHasher::Bcrypt, ARGON2ID);
    refused(PasswordHasher::Argon2i, ARGON2ID);
    refused(PasswordHasher::Argon2id, ARGON2I);
    refused(PasswordHasher::Argon2id, BCRYPT);
    // bcrypt: 60 characters, a two-digit cost from 4 to 31, its alphabet.
    refused(PasswordHasher::Bcrypt, &BCRYPT[..59]);
    refused(PasswordHasher::Bcrypt, &format!("{BCRYPT}x"));
    refused(PasswordHasher::Bcrypt, &BCRYPT.replace("$12$", "$03$"));
    refused(PasswordHasher::Bcrypt, &BCRYPT.replace("$12$", "$32$"));
    refused(PasswordHasher::Bcrypt, &BCRYPT.replace("$12$", "$1x$"));
    refused(PasswordHasher::Bcrypt, &BCRYPT.replace("$12$", "$x2$"));
    refused(PasswordHasher::Bcrypt, &BCRYPT.replacen("$12$", "$12x", 1));
    refused(PasswordHasher::Bcrypt, &BCRYPT.replace("R9h/", "R9h+"));
    refused(
        PasswordHasher::Bcrypt,
        "$2x$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
    );
    assert!(PasswordDigest::import(PasswordHasher::Bcrypt, BCRYPT.replace("$12$", "$04$")).is_ok());
    assert!(PasswordDigest::import(PasswordHasher::Bcrypt, BCRYPT.replace("$12$", "$31$")).is_ok());
    // PHC: numeric parameters, a salt and a hash in unpadded base64.
    refused(
        PasswordHasher::Argon2id,
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ",
    );
    refused(
        PasswordHasher::Argon2id,
        &ARGON2ID.replace("m=19456", "m=lots"),
    );
    refused(PasswordHasher::Argon2id, &ARGON2ID.replace("m=19456", "m="));
    refused(
        PasswordHasher::Argon2id,
        &ARGON2ID.replace("m=19456", "=19456"),
    );
    refused(
        PasswordHasher::Argon2id,
        &ARGON2ID.replace("m=19456", "m19456"),
    );
    refused(
        PasswordHasher::Argon2id,
        &ARGON2ID.replace("c29tZXNhbHRzYWx0", ""),
    );
    refused(
        PasswordHasher::Argon2id,
        &ARGON2ID.replace("c29tZXNhbHRzYWx0", "c29tZXNhbHRzYWx0=="),
    );
    refused(PasswordHasher::Argon2id, &format!("{ARGON2ID}$"));
    refused(PasswordHasher::Argon2id, &ARGON2ID.replace("v=19", "19"));
    refused(
        PasswordHasher::Argon2id,
        &format!("{ARGON2ID}{}", "A".repeat(512)),
    );
    refused(PasswordHasher::Argon2id, "");
}

#[test]
fn a_stored_value_in_no_known_encoding_is_no_digest() {
    assert_eq!(PasswordDigest::from_stored("plaintext".to_owned()), None);
    assert_eq!(PasswordDigest::from_stored(String::new()), None);
    assert_eq!(
        PasswordDigest::from_stored("$argon2d$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA".to_owned()),
        None
    );
}

#[test]
fn refusals_say_what_is_missing() {
    for (class, says) in [
        (
            CharClass::Lowercase,
            "passwords must contain a lowercase letter",
        ),
        (
            CharClass::Uppercase,
            "passwords must contain an uppercase letter",
        ),
        (CharClass::Digit, "passwords must contain a number"),
        (
            CharClass::Special,
            "passwords must contain a special character",
        ),
    ] {
        assert_eq!(PasswordRejected::Missing(class).to_string(), says);
    }
    assert_eq!(
        PasswordRejected::TooShort { min: 8 }.to_string(),
        "passwords must be 8 characters or more"
    );
}

#[test]
fn a_digest_is_at_most_512_characters() {
    // The hash part padded so that the whole digest is exactly 512.
    let at = |len: usize| {
        let pad = "A".repeat(len - ARGON2ID.len());
        format!("{ARGON2ID}{pad}")
    };
    assert!(PasswordDigest::import(PasswordHasher::Argon2id, at(512)).is_ok());
    assert_eq!(
        PasswordDigest::import(PasswordHasher::Argon2id, at(513)),
        Err(DigestError::Malformed(PasswordHasher::Argon2id))
    );
}
