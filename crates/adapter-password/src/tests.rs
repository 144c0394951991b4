//! Digests from independent implementations: Argon2's reference CLI
//! (`echo -n … | argon2 saltsaltsalt -id -t 2 -k 19456 -p 1 -e`, Debian's
//! `argon2`) and libxcrypt's bcrypt (Python's `crypt` with
//! `METHOD_BLOWFISH`), all of "correct horse battery staple".

use super::*;

const PASSWORD: &str = "correct horse battery staple";
/// Argon2id at OWASP's parameters (this hasher's default).
const ARGON2ID_OWASP: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$M4V33OpaHQ90v1pEEHfwJFMuTxXHE17jvhKePL/Sp8s";
/// Argon2id at other parameters.
const ARGON2ID_WEAKER: &str =
    "$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHRzYWx0$6lCJlugWIq2NMUjTsV24CrEjt/TtRYCgrNo2hEMH3Zw";
const ARGON2I: &str =
    "$argon2i$v=19$m=4096,t=3,p=1$c2FsdHNhbHRzYWx0$jlRjT3GORvwFEraBoPd4L7NXt5zVt5ceJwunD4wQhjc";
const BCRYPT_4: &str = "$2b$04$Y/yYJhcQ0IIKBky.hHR2G.0bhXBzxT.hRzcrZBljvdUqETAMipo36";
const BCRYPT_15: &str = "$2b$15$/m46jhPLlxr7urmRT4.LVO8vFIGotP2Sr//z8DNwUllWz92p9.O2G";

fn pw(s: &str) -> Password {
    Password::new(s.to_owned()).unwrap()
}

fn digest(s: &str) -> PasswordDigest {
    PasswordDigest::from_stored(s.to_owned()).unwrap()
}

fn owasp() -> Hasher {
    Hasher::new(HashingSettings {
        concurrency: 2,
        ..HashingSettings::default()
    })
    .unwrap()
}

#[tokio::test]
async fn a_new_password_is_hashed_with_argon2id_at_the_instance_parameters() {
    let h = owasp();
    let d = h.hash(pw(PASSWORD)).await.unwrap();
    assert_eq!(d.hasher(), PasswordHasher::Argon2id);
    assert!(
        d.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{}",
        d.as_str()
    );
    assert!(!d.as_str().contains(PASSWORD));
    // A fresh salt each time.
    let again = h.hash(pw(PASSWORD)).await.unwrap();
    assert_ne!(d.as_str(), again.as_str());
    assert_eq!(
        h.verify(d.clone(), pw(PASSWORD)).await.unwrap(),
        PasswordCheck::Match { rehash: false }
    );
    assert_eq!(
        h.verify(d, pw("correct horse battery stapler"))
            .await
            .unwrap(),
        PasswordCheck::Mismatch
    );
}

#[tokio::test]
async fn the_reference_implementations_digests_verify() {
    let h = owasp();
    for (encoded, rehash) in [
        (ARGON2ID_OWASP, false),
        (ARGON2ID_WEAKER, true),
        (ARGON2I, true),
        (BCRYPT_4, true),
    ] {
        assert_eq!(
            h.verify(digest(encoded), pw(PASSWORD)).await.unwrap(),
            PasswordCheck::Match { rehash },
            "{encoded}"
        );
        assert_eq!(
            h.verify(digest(encoded), pw("Correct horse battery staple"))
                .await
                .unwrap(),
            PasswordCheck::Mismatch,
            "{encoded}"
        );
        assert!(h.check_digest(&digest(encoded)).is_ok());
    }
}

#[tokio::test]
async fn new_digests_carry_the_configured_parameters() {
    let h = Hasher::new(HashingSettings {
        memory_kib: 8192,
        iterations: 1,
        parallelism: 2,
        concurrency: 1,
        ..HashingSettings::default()
    })
    .unwrap();
    let d = h.hash(pw(PASSWORD)).await.unwrap();
    assert!(
        d.as_str().starts_with("$argon2id$v=19$m=8192,t=1,p=2$"),
        "{}",
        d.as_str()
    );
    assert_eq!(
        h.verify(d, pw(PASSWORD)).await.unwrap(),
        PasswordCheck::Match { rehash: false }
    );
}

#[tokio::test]
async fn raised_parameters_ask_for_a_rehash_of_digests_made_before() {
    let stronger = Hasher::new(HashingSettings {
        memory_kib: 32_768,
        iterations: 3,
        concurrency: 1,
        ..HashingSettings::default()
    })
    .unwrap();
    assert_eq!(
        stronger
            .verify(digest(ARGON2ID_OWASP), pw(PASSWORD))
            .await
            .unwrap(),
        PasswordCheck::Match { rehash: true }
    );
}

#[tokio::test]
async fn digests_beyond_the_bounds_are_refused_without_being_computed() {
    let h = owasp();
    let beyond = [
        BCRYPT_15.to_owned(),
        ARGON2ID_OWASP.replace("m=19456", "m=262145"),
        ARGON2ID_OWASP.replace("t=2", "t=17"),
        ARGON2ID_OWASP.replace("p=1", "p=17"),
    ];
    for encoded in beyond {
        let d = digest(&encoded);
        assert!(
            matches!(h.check_digest(&d), Err(HashError::Digest(_))),
            "{encoded}"
        );
        let started = std::time::Instant::now();
        assert!(
            matches!(h.verify(d, pw(PASSWORD)).await, Err(HashError::Digest(_))),
            "{encoded}"
        );
        assert!(started.elapsed() < Duration::from_millis(500));
    }
    // At the bounds: checked, not refused.
    for encoded in [
        ARGON2ID_OWASP.replace("m=19456", "m=262144"),
        ARGON2ID_OWASP.replace("t=2", "t=16"),
        ARGON2ID_OWASP.replace("p=1", "p=16"),
        BCRYPT_15.replace("$15$", "$14$"),
    ] {
        assert!(h.check_digest(&digest(&encoded)).is_ok(), "{encoded}");
    }
}

#[tokio::test]
async fn an_unparseable_digest_is_an_error_not_a_mismatch() {
    let h = owasp();
    // The right shape for the domain, but no Argon2 hash (a 2-byte salt).
    let odd =
        digest("$argon2id$v=19$m=19456,t=2,p=1$c2E$M4V33OpaHQ90v1pEEHfwJFMuTxXHE17jvhKePL/Sp8s");
    assert!(matches!(h.check_digest(&odd), Err(HashError::Digest(_))));
    assert!(matches!(
        h.verify(odd, pw(PASSWORD)).await,
        Err(HashError::Digest(_))
    ));
    let bcrypt = digest("$2b$04$Y/yYJhcQ0IIKBky.hHR2G.0bhXBzxT.hRzcrZBljvdUqETAMipo3");
    assert!(matches!(
        h.verify(bcrypt, pw(PASSWORD)).await,
        Err(HashError::Digest(_))
    ));
}

#[tokio::test]
async fn a_caller_waits_for_a_slot_at_most_the_configured_time() {
    let h = Hasher::new(HashingSettings {
        concurrency: 1,
        wait: Duration::from_millis(50),
        ..HashingSettings::default()
    })
    .unwrap();
    let held = h.slots.clone().acquire_owned().await.unwrap();
    let err = h.hash(pw(PASSWORD)).await.unwrap_err();
    let HashError::Unexpected(e) = err else {
        panic!("unavailable");
    };
    assert!(e.downcast_ref::<Unavailable>().is_some(), "{e:#}");
    drop(held);
    assert!(h.hash(pw(PASSWORD)).await.is_ok());
}

#[test]
fn settings_are_bounded_as_imported_digests_are() {
    let ok = HashingSettings::default();
    assert!(Hasher::new(ok).is_ok());
    let refused = |s: HashingSettings, name: &str| {
        let Err(SettingsError::OutOfRange { name: got, .. }) = Hasher::new(s) else {
            panic!("{name} refused");
        };
        assert_eq!(got, name);
    };
    refused(
        HashingSettings {
            iterations: 0,
            ..ok
        },
        "iterations",
    );
    refused(
        HashingSettings {
            iterations: 17,
            ..ok
        },
        "iterations",
    );
    refused(
        HashingSettings {
            parallelism: 0,
            ..ok
        },
        "parallelism",
    );
    refused(
        HashingSettings {
            parallelism: 17,
            ..ok
        },
        "parallelism",
    );
    refused(
        HashingSettings {
            memory_kib: 7,
            ..ok
        },
        "memory_kib",
    );
    refused(
        HashingSettings {
            memory_kib: 8 * 4 - 1,
            parallelism: 4,
            ..ok
        },
        "memory_kib",
    );
    refused(
        HashingSettings {
            memory_kib: MAX_ARGON2_MEMORY_KIB + 1,
            ..ok
        },
        "memory_kib",
    );
    refused(
        HashingSettings {
            concurrency: 0,
            ..ok
        },
        "concurrency",
    );
    refused(
        HashingSettings {
            concurrency: 257,
            ..ok
        },
        "concurrency",
    );
    for s in [
        HashingSettings {
            iterations: 1,
            ..ok
        },
        HashingSettings {
            iterations: 16,
            ..ok
        },
        HashingSettings {
            parallelism: 16,
            memory_kib: 128,
            ..ok
        },
        HashingSettings {
            memory_kib: MAX_ARGON2_MEMORY_KIB,
            ..ok
        },
        HashingSettings {
            concurrency: 1,
            ..ok
        },
        HashingSettings {
            concurrency: 256,
            ..ok
        },
    ] {
        assert!(Hasher::new(s).is_ok(), "{s:?}");
    }
}
