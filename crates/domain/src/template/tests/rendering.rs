//! Shortcode rendering and validation, and their properties.

use proptest::prelude::*;

use super::*;

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

#[test]
fn true_false_and_null_are_literals_even_when_the_context_has_such_keys() {
    let ctx = obj([
        ("true", s("a path")),
        ("false", s("a path")),
        ("null", s("a path")),
    ]);
    assert_eq!(render_one(s("{{ true }}"), &ctx), Json::Bool(true));
    assert_eq!(render_one(s("{{ false }}"), &ctx), Json::Bool(false));
    assert_eq!(render_one(s("{{ null }}"), &ctx), Json::Null);
}
