use proptest::prelude::*;

use super::*;
use crate::json::JsonNumber;

const T0: UnixMillis = UnixMillis::new(1_700_000_000_123);
const PEM: &str =
    "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n";

fn obj<const N: usize>(entries: [(&str, Json); N]) -> Json {
    Json::Object(object(entries))
}

fn object<const N: usize>(entries: [(&str, Json); N]) -> JsonObject {
    entries.into_iter().collect()
}

fn arr<const N: usize>(items: [Json; N]) -> Json {
    Json::Array(items.into())
}

fn s(value: &str) -> Json {
    Json::str(value)
}

fn float(value: f64) -> Json {
    Json::float(value).unwrap()
}

fn context() -> Json {
    obj([
        (
            "user",
            obj([
                ("id", s("user_1")),
                ("first_name", s("John")),
                ("last_name", Json::Null),
                ("age", Json::int(42)),
                ("score", float(1.5)),
                ("verified", Json::Bool(true)),
                ("banned", Json::Bool(false)),
                (
                    "public_metadata",
                    obj([
                        (
                            "profile",
                            obj([("interests", arr([s("hiking"), s("chess")]))]),
                        ),
                        ("quote", s("say \"hi\"\n")),
                    ]),
                ),
            ]),
        ),
        ("session", obj([("id", s("sess_1"))])),
        ("org", Json::Null),
    ])
}

/// Renders one claim value in `ctx`.
fn render_one(value: Json, ctx: &Json) -> Json {
    let rendered = render_claims(&object([("c", value)]), ctx);
    rendered.get("c").cloned().unwrap()
}

#[test]
fn a_lone_shortcode_keeps_the_type_of_its_value() {
    let interests = arr([s("hiking"), s("chess")]);
    let cases: Vec<(&str, Json)> = vec![
        (
            "{{user.public_metadata.profile.interests}}",
            interests.clone(),
        ),
        (
            "{{user.public_metadata.profile}}",
            obj([("interests", interests)]),
        ),
        ("{{user.age}}", Json::int(42)),
        ("{{ user.score }}", float(1.5)),
        ("{{\tuser.verified\n}}", Json::Bool(true)),
        ("{{user.banned}}", Json::Bool(false)),
        ("{{user.last_name}}", Json::Null),
        ("{{user.first_name}}", s("John")),
        ("{{session.id}}", s("sess_1")),
        ("{{ 42 }}", Json::int(42)),
        ("{{-7}}", Json::int(-7)),
        ("{{ 1.5 }}", float(1.5)),
        ("{{ 1.0 }}", float(1.0)),
        ("{{ 2e3 }}", float(2000.0)),
        ("{{ true }}", Json::Bool(true)),
        ("{{ false }}", Json::Bool(false)),
        ("{{ null }}", Json::Null),
        ("{{ 'guest' }}", s("guest")),
        ("{{ \"guest\" }}", s("guest")),
        ("{{ '' }}", s("")),
    ];
    for (template, expected) in cases {
        assert_eq!(render_one(s(template), &context()), expected, "{template}");
    }
}

#[test]
fn shortcodes_inside_text_are_written_as_text() {
    let cases: &[(&str, &str)] = &[
        ("{{user.last_name}} {{user.first_name}}", "null John"),
        ("Hi {{user.first_name}}!", "Hi John!"),
        (" {{user.first_name}}", " John"),
        ("{{user.first_name}}{{user.first_name}}", "JohnJohn"),
        ("age={{user.age}}", "age=42"),
        ("score={{user.score}}", "score=1.5"),
        ("{{ 1.0 }}x", "1x"),
        ("{{user.verified}}/{{user.banned}}", "true/false"),
        ("x{{user.nope}}", "xnull"),
        (
            "tags: {{user.public_metadata.profile.interests}}",
            r#"tags: ["hiking","chess"]"#,
        ),
        (
            "meta: {{user.public_metadata}}",
            r#"meta: {"profile":{"interests":["hiking","chess"]},"quote":"say \"hi\"\n"}"#,
        ),
        ("q={{user.public_metadata.quote}}", "q=say \"hi\"\n"),
        ("{{ 'a' }}-{{ \"b\" }}-{{ 3 }}-{{ null }}", "a-b-3-null"),
        ("no shortcode }} here", "no shortcode }} here"),
        ("{{ user.first_name }} }}", "John }}"),
    ];
    for (template, expected) in cases {
        assert_eq!(
            render_one(s(template), &context()),
            s(expected),
            "{template}"
        );
    }
}

#[test]
fn or_chains_take_the_first_value_that_is_neither_null_nor_false() {
    let with_nickname = {
        let mut ctx = context();
        if let Json::Object(root) = &mut ctx
            && let Some(Json::Object(user)) = root.get_mut("user")
        {
            user.insert("public_metadata", obj([("nickname", s("Johnny"))]));
        }
        ctx
    };
    let anonymous = obj([("user", obj([("first_name", Json::Null)]))]);
    let chain = "{{user.public_metadata.nickname || user.first_name || 'anon'}}";
    assert_eq!(render_one(s(chain), &context()), s("John"));
    assert_eq!(render_one(s(chain), &with_nickname), s("Johnny"));
    assert_eq!(render_one(s(chain), &anonymous), s("anon"));
    assert_eq!(render_one(s(chain), &Json::Null), s("anon"));

    let cases: Vec<(&str, Json)> = vec![
        ("{{ user.last_name || false }}", Json::Bool(false)),
        ("{{ false || null }}", Json::Null),
        ("{{ null || false }}", Json::Bool(false)),
        ("{{ user.missing || 0 }}", Json::int(0)),
        ("{{ 0 || 1 }}", Json::int(0)),
        ("{{ '' || 'x' }}", s("")),
        ("{{ user.banned || user.verified }}", Json::Bool(true)),
        ("{{ user.verified || 'x' }}", Json::Bool(true)),
        ("{{ user.nope || user.age }}", Json::int(42)),
        (
            "{{ org.slug || user.public_metadata.profile }}",
            obj([("interests", arr([s("hiking"), s("chess")]))]),
        ),
        ("{{user.x||'a'||'b'}}", s("a")),
        ("{{ 'a || b' }}", s("a || b")),
    ];
    for (template, expected) in cases {
        assert_eq!(render_one(s(template), &context()), expected, "{template}");
    }
    assert_eq!(
        render_one(
            s("{{user.last_name || 'Doe'}}, {{user.first_name}}"),
            &context()
        ),
        s("Doe, John")
    );
}

#[test]
fn unknown_paths_are_null() {
    for template in [
        "{{user.nope}}",
        "{{nope.a.b}}",
        "{{user.first_name.length}}",
        "{{user.age.x}}",
        "{{user.public_metadata.profile.interests.0}}",
        "{{org.id}}",
        "{{ user.last_name.first }}",
    ] {
        assert_eq!(
            render_one(s(template), &context()),
            Json::Null,
            "{template}"
        );
    }
    for ctx in [Json::Null, s("user"), Json::int(1), arr([context()])] {
        assert_eq!(render_one(s("{{user.first_name}}"), &ctx), Json::Null);
        assert_eq!(render_one(s("x{{user}}"), &ctx), s("xnull"));
    }
}

#[test]
fn substitution_reaches_every_depth_and_copies_the_rest() {
    let claims = object([
        ("name", s("{{user.first_name}}")),
        ("static", Json::int(7)),
        ("flag", Json::Bool(false)),
        ("nothing", Json::Null),
        ("pi", float(3.25)),
        (
            "nested",
            obj([
                ("deeper", obj([("who", s("{{user.id}} in {{session.id}}"))])),
                (
                    "list",
                    arr([
                        s("{{user.age}}"),
                        Json::int(1),
                        arr([s("{{user.verified}}"), s("plain")]),
                        obj([]),
                    ]),
                ),
            ]),
        ),
        ("{{user.first_name}}", s("keys are not substituted")),
    ]);
    let expected = object([
        ("name", s("John")),
        ("static", Json::int(7)),
        ("flag", Json::Bool(false)),
        ("nothing", Json::Null),
        ("pi", float(3.25)),
        (
            "nested",
            obj([
                ("deeper", obj([("who", s("user_1 in sess_1"))])),
                (
                    "list",
                    arr([
                        Json::int(42),
                        Json::int(1),
                        arr([Json::Bool(true), s("plain")]),
                        obj([]),
                    ]),
                ),
            ]),
        ),
        ("{{user.first_name}}", s("keys are not substituted")),
    ]);
    let rendered = render_claims(&claims, &context());
    assert_eq!(rendered, expected);
    assert_eq!(
        rendered.keys().collect::<Vec<_>>(),
        claims.keys().collect::<Vec<_>>()
    );
}

#[test]
fn malformed_strings_render_unchanged() {
    for template in ["{{ user.first_name", "{{}}", "{{ a b }}", "x {{ 'y }}"] {
        assert_eq!(render_one(s(template), &context()), s(template));
    }
}

#[test]
fn reserved_claims_are_refused_at_the_top_level_only() {
    for claim in RESERVED_CLAIMS {
        let claims = object([("ok", Json::int(1)), (claim, s("x"))]);
        let err = validate_claims(&claims).unwrap_err();
        assert_eq!(
            err,
            TemplateError::ReservedClaim {
                param: "claims",
                claim: claim.to_owned()
            }
        );
        assert_eq!(err.param(), "claims");
        assert!(err.to_string().contains(claim), "{err}");
    }
    let fine = object([
        ("aud", s("my-api")),
        ("sid", s("{{session.id}}")),
        ("data", obj([("sub", Json::int(1)), ("exp", Json::Null)])),
        ("Sub", Json::int(2)),
    ]);
    assert_eq!(validate_claims(&fine), Ok(()));
    assert_eq!(validate_claims(&JsonObject::new()), Ok(()));
}

#[test]
fn malformed_shortcodes_are_refused_with_their_location() {
    let cases: Vec<(Json, &str)> = vec![
        (s("{{ user.first_name"), "c"),
        (s("{{}}"), "c"),
        (s("Hello {{   }}"), "c"),
        (s("{{ a || }}"), "c"),
        (s("{{ a b }}"), "c"),
        (s("{{ 'guest }}"), "c"),
        (s("{{ 01 }}"), "c"),
        (s("{{ user..name }}"), "c"),
        (s("{{ user.name! }}"), "c"),
        (s("{{ a | b }}"), "c"),
        (obj([("x", arr([Json::Null, s("{{ }}")]))]), "c.x[1]"),
        (arr([arr([s("ok"), s("{{ bad")])]), "c[0][1]"),
        (obj([("a", obj([("b", s("{{'x\\q'}}"))]))]), "c.a.b"),
    ];
    for (value, path) in cases {
        let claims = object([("fine", s("{{user.id}}")), ("c", value.clone())]);
        match validate_claims(&claims) {
            Err(TemplateError::MalformedShortcode {
                param: "claims",
                claim,
                ..
            }) => assert_eq!(claim, path, "{value:?}"),
            other => panic!("{value:?}: {other:?}"),
        }
    }
}

#[test]
fn well_formed_shortcodes_pass_validation() {
    let claims = object([
        (
            "a",
            s("{{user.public_metadata.nickname || user.first_name || 'anon'}}"),
        ),
        ("b", s("{{user.last_name}} {{user.first_name}}")),
        (
            "c",
            arr([s("{{ 1 }}"), s("{{ -2.5e3 }}"), s("{{true||false||null}}")]),
        ),
        ("d", s("{{ '}}' }} and }} and { single {")),
        ("e", s("{{ \"it's\" || 'say \\'x\\'' }}")),
        ("f", s("{{ user.$weird-key_1.2fa }}")),
        ("g", s("{{ usér.prénom }}")),
    ]);
    assert_eq!(validate_claims(&claims), Ok(()));
}

#[test]
fn non_finite_numbers_are_refused() {
    let claims = object([("n", arr([Json::Number(JsonNumber::Float(f64::NAN))]))]);
    assert_eq!(
        validate_claims(&claims),
        Err(TemplateError::NonFiniteNumber {
            param: "claims",
            claim: "n[0]".into()
        })
    );
}

fn new_template() -> NewJwtTemplate {
    NewJwtTemplate {
        name: "supabase".into(),
        claims: object([
            ("aud", s("authenticated")),
            ("role", s("authenticated")),
            ("email", s("{{user.primary_email_address}}")),
        ]),
        lifetime_secs: None,
        allowed_clock_skew_secs: None,
        signing: TemplateSigning::InstanceKey,
    }
}

fn id() -> JwtTemplateId {
    JwtTemplateId::from_random(9)
}

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
}

#[test]
fn signing_keys_never_show_in_debug_output() {
    let secret = "super-secret-hmac-key-0123456789abcdef";
    let key = CustomSigningKey::new(secret);
    assert_eq!(key.expose(), secret);
    assert!(!format!("{key:?}").contains("super-secret"));
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

fn input(now: UnixMillis) -> TemplateTokenInput<'static> {
    TemplateTokenInput {
        iss: "https://clerk.example.com",
        sub: "user_1",
        azp: Some("https://app.example.com"),
        jti: "abc123",
        now,
        expires_in_secs: None,
    }
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

// ---- properties ----

fn finite_f64() -> impl Strategy<Value = f64> {
    any::<f64>().prop_filter("finite", |f| f.is_finite())
}

/// Strings likely to look like shortcodes, broken or not.
fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[{}|'\"\\\\. a-z0-9_$-]{0,30}",
        "\\{\\{[ a-z.|'\"0-9\\\\{}$-]{0,16}\\}\\}",
        "[a-z ]{0,4}\\{\\{ ?[a-z]{1,4}(\\.[a-z]{1,4}){0,2} ?(\\|\\| ?'[a-z]{0,3}' ?)?\\}\\}[a-z ]{0,4}",
    ]
}

fn json_with(strings: BoxedStrategy<String>, keys: BoxedStrategy<String>) -> BoxedStrategy<Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::int),
        finite_f64().prop_map(|f| Json::Number(JsonNumber::Float(f))),
        strings.prop_map(Json::String),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            prop::collection::vec((keys.clone(), inner), 0..6)
                .prop_map(|entries| Json::Object(entries.into_iter().collect())),
        ]
    })
    .boxed()
}

fn json_object(
    values: BoxedStrategy<Json>,
    keys: BoxedStrategy<String>,
) -> impl Strategy<Value = JsonObject> {
    prop::collection::vec((keys, values), 0..6).prop_map(|entries| entries.into_iter().collect())
}

fn without_double_brace(mut s: String) -> String {
    while s.contains("{{") {
        s = s.replace("{{", "{");
    }
    s
}

const CONTEXT_KEYS: [&str; 5] = ["a", "b", "c", "user", "x"];

fn context_key() -> BoxedStrategy<String> {
    prop::sample::select(CONTEXT_KEYS.to_vec())
        .prop_map(str::to_owned)
        .boxed()
}

/// A context whose strings hold no braces, keyed so that paths hit.
fn brace_free_context() -> BoxedStrategy<Json> {
    json_with("[a-z |'.\"\\\\0-9]{0,8}".boxed(), context_key())
}

fn operand() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(CONTEXT_KEYS.to_vec()), 1..4)
            .prop_map(|keys| keys.join(".")),
        "[a-z |.]{0,5}".prop_map(|s| format!("'{s}'")),
        "[a-z |.']{0,5}".prop_map(|s| format!("\"{s}\"")),
        any::<i32>().prop_map(|n| n.to_string()),
        (-1000.0f64..1000.0).prop_map(|f| format!("{f:?}")),
        prop::sample::select(vec!["true", "false", "null"]).prop_map(str::to_owned),
    ]
}

fn shortcode() -> impl Strategy<Value = String> {
    (prop::collection::vec(operand(), 1..4), " {0,2}")
        .prop_map(|(ops, pad)| format!("{{{{{pad}{}{pad}}}}}", ops.join(" || ")))
}

/// Well-formed template strings whose text holds no braces.
fn template_string() -> BoxedStrategy<String> {
    prop::collection::vec(prop_oneof!["[a-z |'.\"]{0,5}", shortcode()], 0..4)
        .prop_map(|parts| parts.concat())
        .boxed()
}

fn claim_key() -> BoxedStrategy<String> {
    "[a-z]{1,5}"
        .prop_filter("not reserved", |k| !RESERVED_CLAIMS.contains(&k.as_str()))
        .boxed()
}

proptest! {
    #[test]
    fn rendering_and_validation_never_panic(
        claims in json_object(json_with(tricky_string().boxed(), tricky_string().boxed()), tricky_string().boxed()),
        context in json_with(tricky_string().boxed(), prop_oneof![context_key(), tricky_string()].boxed()),
    ) {
        let rendered = render_claims(&claims, &context);
        prop_assert_eq!(rendered.keys().collect::<Vec<_>>(), claims.keys().collect::<Vec<_>>());
        let _ = validate_claims(&claims);
    }

    #[test]
    fn any_single_string_renders_without_panicking(value in tricky_string(), context in brace_free_context()) {
        let rendered = render_one(Json::String(value.clone()), &context);
        // A string validation accepts renders; one it refuses stays as it was.
        let valid = validate_claims(&object([("c", Json::String(value.clone()))])).is_ok();
        if !valid {
            prop_assert_eq!(rendered, Json::String(value));
        }
    }

    #[test]
    fn claims_without_double_braces_are_returned_unchanged(
        claims in json_object(
            json_with(tricky_string().prop_map(without_double_brace).boxed(), tricky_string().boxed()),
            tricky_string().boxed(),
        ),
        context in brace_free_context(),
    ) {
        prop_assert_eq!(render_claims(&claims, &context), claims);
    }

    #[test]
    fn rendering_is_idempotent_when_the_context_holds_no_shortcodes(
        claims in json_object(json_with(template_string(), claim_key()), claim_key()),
        context in brace_free_context(),
    ) {
        prop_assert_eq!(validate_claims(&claims), Ok(()));
        let once = render_claims(&claims, &context);
        let twice = render_claims(&once, &context);
        prop_assert_eq!(twice, once);
    }

    #[test]
    fn a_lone_path_shortcode_is_the_value_at_that_path(
        path in prop::collection::vec(prop::sample::select(CONTEXT_KEYS.to_vec()), 1..4),
        context in brace_free_context(),
    ) {
        let rendered = render_one(Json::str(format!("{{{{ {} }}}}", path.join("."))), &context);
        prop_assert_eq!(&rendered, context.get_path(&path).unwrap_or(&Json::Null));
    }

    #[test]
    fn reserved_claims_always_come_from_the_system(
        claims in json_object(json_with(template_string(), claim_key()), prop_oneof![
            claim_key(),
            prop::sample::select(RESERVED_CLAIMS.to_vec()).prop_map(str::to_owned).boxed(),
        ].boxed()),
        context in brace_free_context(),
        now in any::<i64>(),
        expires_in in prop::option::of(any::<i64>()),
        azp in prop::option::of("[a-z:/.]{0,10}"),
    ) {
        let mut record = JwtTemplate::create(id(), new_template(), T0).unwrap().to_record();
        record.claims = claims;
        let t = JwtTemplate::from_record(record);
        let input = TemplateTokenInput {
            azp: azp.as_deref(),
            expires_in_secs: expires_in,
            ..input(UnixMillis::new(now))
        };
        let out = template_token_claims(&t, &context, &input);
        let iat = UnixMillis::new(now).as_secs();
        prop_assert_eq!(out.get("iat"), Some(&Json::int(iat)));
        prop_assert_eq!(out.get("exp"), Some(&Json::int(iat.saturating_add(expires_in.unwrap_or(60)))));
        prop_assert_eq!(out.get("nbf"), Some(&Json::int(iat.saturating_sub(5))));
        prop_assert_eq!(out.get("sub"), Some(&s("user_1")));
        prop_assert_eq!(out.get("iss"), Some(&s("https://clerk.example.com")));
        prop_assert_eq!(out.get("jti"), Some(&s("abc123")));
        prop_assert_eq!(out.get("azp").and_then(Json::as_str), azp.as_deref().filter(|a| !a.is_empty()));
    }
}
