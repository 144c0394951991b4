//! Templates as records: defaults, ranges, names, signing, updates, and
//! the tokens they produce.

use super::*;

#[test]
fn create_applies_the_defaults() {
    let t = JwtTemplate::create(id(), new_template(), T0).unwrap();
    assert_eq!(t.id(), &id());
    assert_eq!(t.name().as_str(), "supabase");
    assert_eq!(t.claims(), &new_template().claims);
    assert_eq!(t.lifetime(), 60);
    assert_eq!(t.allowed_clock_skew(), 5);
    assert_eq!(t.signing(), &TemplateSigning::InstanceKey);
    assert_eq!(t.created_at(), T0);
    assert_eq!(t.updated_at(), T0);
}

#[test]
fn lifetime_and_skew_ranges() {
    /// Lifetime, skew, then the stored pair or the parameter refused.
    type Case = (Option<i64>, Option<i64>, Result<(i64, i64), &'static str>);
    let cases: &[Case] = &[
        (Some(30), Some(0), Ok((30, 0))),
        (Some(315_360_000), Some(300), Ok((315_360_000, 300))),
        (Some(3600), None, Ok((3600, 5))),
        (None, Some(60), Ok((60, 60))),
        (Some(29), None, Err("lifetime")),
        (Some(0), None, Err("lifetime")),
        (Some(-60), None, Err("lifetime")),
        (Some(315_360_001), None, Err("lifetime")),
        (Some(i64::MAX), None, Err("lifetime")),
        (None, Some(-1), Err("allowed_clock_skew")),
        (None, Some(301), Err("allowed_clock_skew")),
        (None, Some(i64::MIN), Err("allowed_clock_skew")),
    ];
    for (lifetime, skew, expected) in cases {
        let new = NewJwtTemplate {
            lifetime_secs: *lifetime,
            allowed_clock_skew_secs: *skew,
            ..new_template()
        };
        match (JwtTemplate::create(id(), new, T0), expected) {
            (Ok(t), Ok((l, k))) => {
                assert_eq!((t.lifetime(), t.allowed_clock_skew()), (*l, *k));
            }
            (Err(err @ TemplateError::OutOfRange { got, .. }), Err(param)) => {
                assert_eq!(err.param(), *param);
                assert_eq!(
                    Some(got),
                    if *param == "lifetime" {
                        *lifetime
                    } else {
                        *skew
                    }
                );
                assert!(err.to_string().contains(param), "{err}");
            }
            (got, want) => panic!("{lifetime:?}/{skew:?}: {got:?}, wanted {want:?}"),
        }
    }
    let err = JwtTemplate::create(
        id(),
        NewJwtTemplate {
            lifetime_secs: Some(10),
            ..new_template()
        },
        T0,
    )
    .unwrap_err();
    assert_eq!(
        err,
        TemplateError::OutOfRange {
            param: "lifetime",
            min: 30,
            max: 315_360_000,
            got: 10
        }
    );
}

#[test]
fn names_are_trimmed_and_bounded() {
    let long_ok = "é".repeat(256);
    let too_long = "a".repeat(257);
    let cases: &[(&str, Option<&str>)] = &[
        ("supabase", Some("supabase")),
        ("  padded\t", Some("padded")),
        ("with space", Some("with space")),
        (&long_ok, Some(&long_ok)),
        ("", None),
        ("   ", None),
        (&too_long, None),
        ("line\nbreak", None),
        ("nul\0", None),
    ];
    for (name, expected) in cases {
        let new = NewJwtTemplate {
            name: (*name).to_owned(),
            ..new_template()
        };
        match (JwtTemplate::create(id(), new, T0), expected) {
            (Ok(t), Some(want)) => assert_eq!(t.name().as_str(), *want),
            (Err(err), None) => assert_eq!(err.param(), "name"),
            (got, _) => panic!("{name:?}: {got:?}"),
        }
    }
    assert_eq!("x".parse::<TemplateName>().unwrap().to_string(), "x");
}

#[test]
fn only_the_hs_algorithms_are_hmac_with_a_secret_at_least_their_hash_size() {
    for alg in SigningAlgorithm::ALL {
        let expected = match alg.as_str() {
            "HS256" => Some(32),
            "HS384" => Some(48),
            "HS512" => Some(64),
            _ => None,
        };
        assert_eq!(alg.is_hmac(), expected.is_some(), "{alg}");
        assert_eq!(alg.min_hmac_secret_bytes(), expected, "{alg}");
    }
}

#[test]
fn signing_algorithms_have_exact_names() {
    for alg in SigningAlgorithm::ALL {
        assert_eq!(SigningAlgorithm::parse(alg.as_str()), Ok(alg));
        assert_eq!(alg.to_string().parse::<SigningAlgorithm>(), Ok(alg));
    }
    let names: Vec<_> = SigningAlgorithm::ALL.iter().map(|a| a.as_str()).collect();
    assert_eq!(
        names,
        [
            "RS256", "RS384", "RS512", "ES256", "ES384", "EdDSA", "HS256", "HS384", "HS512"
        ]
    );
    for bad in ["rs256", "EDDSA", "none", "", "PS256", " RS256"] {
        let err = SigningAlgorithm::parse(bad).unwrap_err();
        assert_eq!(err.param(), "signing_algorithm", "{bad}");
    }
}

#[test]
fn custom_signing_keys_are_checked_against_their_algorithm() {
    let public_pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n";
    let cases: Vec<(SigningAlgorithm, String, bool)> = vec![
        (SigningAlgorithm::RS256, PEM.into(), true),
        (
            SigningAlgorithm::ES384,
            PEM.replace("PRIVATE", "EC PRIVATE"),
            true,
        ),
        (
            SigningAlgorithm::RS512,
            PEM.replace("PRIVATE", "RSA PRIVATE"),
            true,
        ),
        (SigningAlgorithm::EdDSA, PEM.into(), true),
        (SigningAlgorithm::EdDSA, public_pem.into(), false),
        (SigningAlgorithm::RS256, "not a key".into(), false),
        (SigningAlgorithm::RS256, String::new(), false),
        (SigningAlgorithm::RS256, "  \n".into(), false),
        (
            SigningAlgorithm::RS256,
            format!("{PEM}{}", "A".repeat(16 * 1024)),
            false,
        ),
        (SigningAlgorithm::HS256, "k".repeat(32), true),
        (SigningAlgorithm::HS256, "k".repeat(31), false),
        (SigningAlgorithm::HS384, "k".repeat(48), true),
        (SigningAlgorithm::HS384, "k".repeat(47), false),
        (SigningAlgorithm::HS512, "k".repeat(64), true),
        (SigningAlgorithm::HS512, "k".repeat(63), false),
        (SigningAlgorithm::HS256, String::new(), false),
    ];
    for (algorithm, key, ok) in cases {
        let new = NewJwtTemplate {
            signing: TemplateSigning::Custom {
                algorithm,
                key: CustomSigningKey::new(key.clone()),
            },
            ..new_template()
        };
        match JwtTemplate::create(id(), new, T0) {
            Ok(t) => {
                assert!(ok, "{algorithm} {key:?} accepted");
                assert!(t.signing().is_custom());
                assert_eq!(t.signing().custom_algorithm(), Some(algorithm));
            }
            Err(err) => {
                assert!(!ok, "{algorithm} {key:?}: {err}");
                assert_eq!(err.param(), "signing_key");
            }
        }
    }
    assert_eq!(TemplateSigning::InstanceKey.custom_algorithm(), None);
    assert!(!TemplateSigning::InstanceKey.is_custom());
}

#[test]
fn a_custom_key_may_be_16384_bytes_and_too_short_an_hmac_secret_names_its_minimum() {
    let create = |algorithm, key: String| {
        JwtTemplate::create(
            id(),
            NewJwtTemplate {
                signing: TemplateSigning::Custom {
                    algorithm,
                    key: CustomSigningKey::new(key),
                },
                ..new_template()
            },
            T0,
        )
    };
    let reason = |algorithm, key: String| match create(algorithm, key) {
        Err(TemplateError::InvalidSigningKey { reason, .. }) => reason,
        other => panic!("{other:?}"),
    };
    assert_eq!(CustomSigningKey::MAX_BYTES, 16_384);
    assert!(create(SigningAlgorithm::HS256, "k".repeat(16_384)).is_ok());
    assert_eq!(
        reason(SigningAlgorithm::HS256, "k".repeat(16_385)),
        "must be at most 16384 bytes"
    );
    for (algorithm, min) in [
        (SigningAlgorithm::HS256, 32),
        (SigningAlgorithm::HS384, 48),
        (SigningAlgorithm::HS512, 64),
    ] {
        assert_eq!(
            reason(algorithm, "k".repeat(min - 1)),
            format!("must be at least {min} bytes for {algorithm}")
        );
    }
}

#[test]
fn signing_keys_never_show_in_debug_output() {
    let secret = "super-secret-hmac-key-0123456789abcdef";
    let key = CustomSigningKey::new(secret);
    assert_eq!(key.expose(), secret);
    assert_eq!(format!("{key:?}"), "CustomSigningKey(<redacted>)");
    let t = JwtTemplate::create(
        id(),
        NewJwtTemplate {
            signing: TemplateSigning::Custom {
                algorithm: SigningAlgorithm::HS256,
                key,
            },
            ..new_template()
        },
        T0,
    )
    .unwrap();
    assert!(!format!("{t:?}").contains("super-secret"));
    assert!(!format!("{:?}", t.to_record()).contains("super-secret"));
    assert!(!format!("{t:#?}").contains("super-secret"));
}

#[test]
fn validation_checks_parameters_in_order() {
    let new = NewJwtTemplate {
        name: String::new(),
        claims: object([("sub", s("x"))]),
        lifetime_secs: Some(1),
        allowed_clock_skew_secs: Some(-1),
        signing: TemplateSigning::Custom {
            algorithm: SigningAlgorithm::HS256,
            key: CustomSigningKey::new(""),
        },
    };
    let mut new = new;
    let mut seen = Vec::new();
    loop {
        match JwtTemplate::create(id(), new.clone(), T0) {
            Ok(_) => break,
            Err(err) => {
                let param = err.param();
                seen.push(param);
                match param {
                    "name" => new.name = "n".into(),
                    "claims" => new.claims = JsonObject::new(),
                    "lifetime" => new.lifetime_secs = None,
                    "allowed_clock_skew" => new.allowed_clock_skew_secs = None,
                    "signing_key" => new.signing = TemplateSigning::InstanceKey,
                    other => panic!("{other}"),
                }
            }
        }
    }
    assert_eq!(
        seen,
        [
            "name",
            "claims",
            "lifetime",
            "allowed_clock_skew",
            "signing_key"
        ]
    );
}

#[test]
fn update_replaces_the_contents_and_moves_updated_at_forward() {
    let mut t = JwtTemplate::create(id(), new_template(), T0).unwrap();
    let later = UnixMillis::new(T0.as_millis() + 5_000);
    let new = NewJwtTemplate {
        name: "renamed".into(),
        claims: object([("x", s("{{user.id}}"))]),
        lifetime_secs: Some(120),
        allowed_clock_skew_secs: Some(0),
        signing: TemplateSigning::Custom {
            algorithm: SigningAlgorithm::ES256,
            key: CustomSigningKey::new(PEM),
        },
    };
    t.update(new.clone(), later).unwrap();
    assert_eq!(t.id(), &id());
    assert_eq!(t.name().as_str(), "renamed");
    assert_eq!(t.claims(), &new.claims);
    assert_eq!((t.lifetime(), t.allowed_clock_skew()), (120, 0));
    assert_eq!(t.signing(), &new.signing);
    assert_eq!(t.created_at(), T0);
    assert_eq!(t.updated_at(), later);

    // Back to the defaults when the update leaves them out.
    t.update(new_template(), UnixMillis::new(later.as_millis() + 1))
        .unwrap();
    assert_eq!((t.lifetime(), t.allowed_clock_skew()), (60, 5));

    // A clock that went backwards does not move updated_at back.
    let before = t.updated_at();
    t.update(new_template(), T0).unwrap();
    assert_eq!(t.updated_at(), before);
}

#[test]
fn a_refused_update_changes_nothing() {
    let original = JwtTemplate::create(id(), new_template(), T0).unwrap();
    let later = UnixMillis::new(T0.as_millis() + 1);
    let bad: Vec<NewJwtTemplate> = vec![
        NewJwtTemplate {
            name: " ".into(),
            ..new_template()
        },
        NewJwtTemplate {
            claims: object([("iss", s("me"))]),
            name: "other".into(),
            ..new_template()
        },
        NewJwtTemplate {
            claims: object([("x", s("{{ x"))]),
            ..new_template()
        },
        NewJwtTemplate {
            lifetime_secs: Some(315_360_001),
            ..new_template()
        },
        NewJwtTemplate {
            allowed_clock_skew_secs: Some(1_000),
            ..new_template()
        },
        NewJwtTemplate {
            signing: TemplateSigning::Custom {
                algorithm: SigningAlgorithm::RS256,
                key: CustomSigningKey::new("nope"),
            },
            ..new_template()
        },
    ];
    for new in bad {
        let mut t = original.clone();
        assert!(t.update(new.clone(), later).is_err(), "{new:?}");
        assert_eq!(t, original);
    }
}

#[test]
fn records_round_trip() {
    let t = JwtTemplate::create(
        id(),
        NewJwtTemplate {
            lifetime_secs: Some(90),
            signing: TemplateSigning::Custom {
                algorithm: SigningAlgorithm::HS512,
                key: CustomSigningKey::new("s".repeat(64)),
            },
            ..new_template()
        },
        T0,
    )
    .unwrap();
    let record = t.to_record();
    assert_eq!(record.lifetime, 90);
    assert_eq!(record.allowed_clock_skew, 5);
    assert_eq!(record.created_at, T0);
    assert_eq!(JwtTemplate::from_record(record), t);
}

#[test]
fn template_tokens_carry_the_rendered_claims_then_the_system_claims() {
    let t = JwtTemplate::create(
        id(),
        NewJwtTemplate {
            claims: object([
                ("name", s("{{user.first_name}}")),
                ("interests", s("{{user.public_metadata.profile.interests}}")),
            ]),
            lifetime_secs: Some(3600),
            allowed_clock_skew_secs: Some(10),
            ..new_template()
        },
        T0,
    )
    .unwrap();
    let claims = template_token_claims(&t, &context(), &input(T0));
    let iat = 1_700_000_000;
    assert_eq!(
        claims,
        object([
            ("name", s("John")),
            ("interests", arr([s("hiking"), s("chess")])),
            ("iat", Json::int(iat)),
            ("exp", Json::int(iat + 3600)),
            ("nbf", Json::int(iat - 10)),
            ("iss", s("https://clerk.example.com")),
            ("sub", s("user_1")),
            ("jti", s("abc123")),
            ("azp", s("https://app.example.com")),
        ])
    );
}

#[test]
fn expires_in_overrides_the_lifetime_and_azp_is_optional() {
    let t = JwtTemplate::create(id(), new_template(), T0).unwrap();
    let iat = T0.as_secs();
    /// `expires_in_secs`, `azp` given, then `exp` and `azp` expected.
    type Case = (Option<i64>, Option<&'static str>, i64, Option<&'static str>);
    let cases: &[Case] = &[
        (
            None,
            Some("https://a.test"),
            iat + 60,
            Some("https://a.test"),
        ),
        (Some(300), None, iat + 300, None),
        (Some(1), Some(""), iat + 1, None),
        (Some(i64::MAX), None, i64::MAX, None),
    ];
    for (expires_in, azp, exp, want_azp) in cases {
        let claims = template_token_claims(
            &t,
            &context(),
            &TemplateTokenInput {
                azp: *azp,
                expires_in_secs: *expires_in,
                ..input(T0)
            },
        );
        assert_eq!(claims.get("exp"), Some(&Json::int(*exp)));
        assert_eq!(claims.get("nbf"), Some(&Json::int(iat - 5)));
        assert_eq!(claims.get("azp").and_then(Json::as_str), *want_azp);
    }
    // `iat` rounds down to whole seconds, even before the epoch.
    let claims = template_token_claims(&t, &context(), &input(UnixMillis::new(-1)));
    assert_eq!(claims.get("iat"), Some(&Json::int(-1)));
}

#[test]
fn the_template_cannot_override_reserved_claims() {
    // Storage is trusted, so a record can smuggle reserved claims past
    // validation; minting still overrides (or drops) every one of them.
    let mut record = JwtTemplate::create(id(), new_template(), T0)
        .unwrap()
        .to_record();
    record.claims = object([
        ("azp", s("evil")),
        ("exp", Json::int(i64::MAX)),
        ("iat", s("{{user.age}}")),
        ("iss", s("evil")),
        ("jti", Json::Null),
        ("nbf", Json::int(0)),
        ("sub", s("{{user.first_name}}")),
        ("keep", Json::Bool(true)),
    ]);
    let t = JwtTemplate::from_record(record);
    let claims = template_token_claims(
        &t,
        &context(),
        &TemplateTokenInput {
            azp: None,
            ..input(T0)
        },
    );
    let iat = T0.as_secs();
    assert_eq!(
        claims,
        object([
            ("keep", Json::Bool(true)),
            ("iat", Json::int(iat)),
            ("exp", Json::int(iat + 60)),
            ("nbf", Json::int(iat - 5)),
            ("iss", s("https://clerk.example.com")),
            ("sub", s("user_1")),
            ("jti", s("abc123")),
        ])
    );
}

#[test]
fn no_aud_sid_or_v_unless_the_template_sets_them() {
    let plain = JwtTemplate::create(
        id(),
        NewJwtTemplate {
            claims: object([("role", s("x"))]),
            ..new_template()
        },
        T0,
    )
    .unwrap();
    let claims = template_token_claims(&plain, &context(), &input(T0));
    for absent in ["aud", "sid", "v"] {
        assert!(!claims.contains_key(absent), "{absent}");
    }

    let with_aud = JwtTemplate::create(
        id(),
        NewJwtTemplate {
            claims: object([("aud", s("my-api")), ("sid", s("{{session.id}}"))]),
            ..new_template()
        },
        T0,
    )
    .unwrap();
    let claims = template_token_claims(&with_aud, &context(), &input(T0));
    assert_eq!(claims.get("aud"), Some(&s("my-api")));
    assert_eq!(claims.get("sid"), Some(&s("sess_1")));
    assert!(!claims.contains_key("v"));
}

#[test]
fn every_error_names_its_parameter() {
    let errors = [
        (TemplateName::parse("").unwrap_err(), "name"),
        (
            validate_claims(&object([("exp", Json::Null)])).unwrap_err(),
            "claims",
        ),
        (
            validate_claims(&object([("x", s("{{"))])).unwrap_err(),
            "claims",
        ),
        (
            SigningAlgorithm::parse("x").unwrap_err(),
            "signing_algorithm",
        ),
    ];
    for (err, param) in errors {
        assert_eq!(err.param(), param);
        assert!(err.to_string().contains(param), "{err}");
    }
}
