use proptest::prelude::*;

use super::*;

const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzaWQiOiJzZXNzXzEifQ.c2ln";
const X: &str = "Thu, 01 Jan 1970 00:00:00 GMT";

fn prod(session_token: Option<&str>) -> HandshakeInput<'_> {
    HandshakeInput {
        environment: Environment::Production,
        session_token,
        client_uat: if session_token.is_some() {
            1_706_822_359
        } else {
            0
        },
        suffix: Some("naoXFJnI"),
        cookie_domain: Some("example.com"),
        secure: true,
        dev_browser: None,
        refresh_token: session_token.map(|_| "Qw3rTyUiOp"),
        refresh_suffix: None,
    }
}

fn dev(session_token: Option<&str>) -> HandshakeInput<'_> {
    HandshakeInput {
        environment: Environment::Development,
        session_token,
        client_uat: if session_token.is_some() {
            1_706_822_359
        } else {
            0
        },
        suffix: None,
        cookie_domain: None,
        secure: false,
        dev_browser: Some("dvb_2abc"),
        refresh_token: None,
        refresh_suffix: None,
    }
}

#[test]
fn production_signed_in_with_suffix() {
    let d = handshake_directives(&prod(Some(TOKEN))).unwrap();
    let expected = vec![
        format!("__client_uat=; Path=/; Expires={X}"),
        format!("__client_uat_naoXFJnI=; Path=/; Expires={X}"),
        format!("__clerk_handshake=; Path=/; Domain=example.com; Expires={X}"),
        format!("__clerk_handshake_nonce=; Path=/; Domain=example.com; Expires={X}"),
        "__client_uat=1706822359; Path=/; Domain=example.com; Max-Age=315360000; Secure; SameSite=Lax".to_owned(),
        "__client_uat_naoXFJnI=1706822359; Path=/; Domain=example.com; Max-Age=315360000; Secure; SameSite=Lax".to_owned(),
        "__refresh_naoXFJnI=Qw3rTyUiOp; Path=/; Max-Age=2592000; Secure; HttpOnly; SameSite=Lax".to_owned(),
        format!("__session_naoXFJnI={TOKEN}; Path=/; Secure; SameSite=Lax"),
        format!("__session={TOKEN}; Path=/; Secure; SameSite=Lax"),
    ];
    assert_eq!(d, expected);
    assert_eq!(session_token_of(&d), Some(TOKEN));
}

#[test]
fn production_signed_out_with_suffix() {
    let d = handshake_directives(&prod(None)).unwrap();
    let expected = vec![
        format!("__client_uat=; Path=/; Expires={X}"),
        format!("__client_uat_naoXFJnI=; Path=/; Expires={X}"),
        format!("__clerk_handshake=; Path=/; Domain=example.com; Expires={X}"),
        format!("__clerk_handshake_nonce=; Path=/; Domain=example.com; Expires={X}"),
        "__client_uat=0; Path=/; Domain=example.com; Max-Age=315360000; Secure; SameSite=Lax"
            .to_owned(),
        "__client_uat_naoXFJnI=0; Path=/; Domain=example.com; Max-Age=315360000; Secure; SameSite=Lax"
            .to_owned(),
        format!("__refresh_naoXFJnI=; Path=/; Expires={X}"),
        format!("__session_naoXFJnI=; Path=/; Expires={X}"),
        format!("__session=; Path=/; Expires={X}"),
    ];
    assert_eq!(d, expected);
    assert_eq!(session_token_of(&d), None);
    for directive in d.iter().filter(|d| d.starts_with("__session")) {
        assert!(directive.contains("=; "), "{directive}");
    }
}

#[test]
fn production_without_suffix_or_domain() {
    let input = HandshakeInput {
        suffix: None,
        cookie_domain: None,
        refresh_token: Some("Qw3rTyUiOp"),
        ..prod(Some(TOKEN))
    };
    let d = handshake_directives(&input).unwrap();
    let expected = vec![
        format!("__client_uat=; Path=/; Expires={X}"),
        format!("__clerk_handshake=; Path=/; Expires={X}"),
        format!("__clerk_handshake_nonce=; Path=/; Expires={X}"),
        "__client_uat=1706822359; Path=/; Max-Age=315360000; Secure; SameSite=Lax".to_owned(),
        format!("__session={TOKEN}; Path=/; Secure; SameSite=Lax"),
    ];
    assert_eq!(d, expected, "no suffix: no __refresh_ cookie at all");
    assert_eq!(session_token_of(&d), Some(TOKEN));
}

#[test]
fn unsuffixed_session_cookies_keep_the_refresh_cookie_under_the_instance_suffix() {
    let input = HandshakeInput {
        suffix: None,
        refresh_suffix: Some("naoXFJnI"),
        ..prod(Some(TOKEN))
    };
    let d = handshake_directives(&input).unwrap();
    let expected = vec![
        format!("__client_uat=; Path=/; Expires={X}"),
        format!("__clerk_handshake=; Path=/; Domain=example.com; Expires={X}"),
        format!("__clerk_handshake_nonce=; Path=/; Domain=example.com; Expires={X}"),
        "__client_uat=1706822359; Path=/; Domain=example.com; Max-Age=315360000; Secure; SameSite=Lax".to_owned(),
        "__refresh_naoXFJnI=Qw3rTyUiOp; Path=/; Max-Age=2592000; Secure; HttpOnly; SameSite=Lax".to_owned(),
        format!("__session={TOKEN}; Path=/; Secure; SameSite=Lax"),
    ];
    assert_eq!(d, expected);
    // Signed out: nothing about the refresh cookie without a suffix.
    let out = HandshakeInput {
        suffix: None,
        refresh_suffix: Some("naoXFJnI"),
        ..prod(None)
    };
    let d = handshake_directives(&out).unwrap();
    assert!(d.iter().all(|d| !d.starts_with("__refresh")), "{d:?}");
    // The given suffix wins over the refresh suffix.
    let both = HandshakeInput {
        refresh_suffix: Some("zzzzzzzz"),
        ..prod(Some(TOKEN))
    };
    assert_eq!(
        handshake_directives(&both).unwrap(),
        handshake_directives(&prod(Some(TOKEN))).unwrap()
    );
    let bad = HandshakeInput {
        suffix: None,
        refresh_suffix: Some("bad;suffix"),
        ..prod(Some(TOKEN))
    };
    assert_eq!(
        handshake_directives(&bad),
        Err(HandshakeError::UnsafeValue("refresh_suffix"))
    );
}

#[test]
fn a_server_side_refresh_sets_the_session_then_the_refresh_cookie() {
    let input = RefreshCookiesInput {
        session_token: TOKEN,
        refresh_token: "Qw3rTyUiOp",
        suffix: "naoXFJnI",
        suffixed_cookies: true,
        secure: true,
    };
    assert_eq!(
        refresh_directives(&input).unwrap(),
        vec![
            format!("__session_naoXFJnI={TOKEN}; Path=/; Secure; SameSite=Lax"),
            format!("__session={TOKEN}; Path=/; Secure; SameSite=Lax"),
            "__refresh_naoXFJnI=Qw3rTyUiOp; Path=/; Max-Age=2592000; Secure; HttpOnly; SameSite=Lax"
                .to_owned(),
        ]
    );
    let plain = RefreshCookiesInput {
        suffixed_cookies: false,
        secure: false,
        ..input
    };
    assert_eq!(
        refresh_directives(&plain).unwrap(),
        vec![
            format!("__session={TOKEN}; Path=/; SameSite=Lax"),
            "__refresh_naoXFJnI=Qw3rTyUiOp; Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax"
                .to_owned(),
        ]
    );
    for (field, bad) in [
        (
            "session_token",
            RefreshCookiesInput {
                session_token: "a;b",
                ..input
            },
        ),
        (
            "refresh_token",
            RefreshCookiesInput {
                refresh_token: "a;b",
                ..input
            },
        ),
        (
            "suffix",
            RefreshCookiesInput {
                suffix: "short",
                ..input
            },
        ),
    ] {
        assert_eq!(
            refresh_directives(&bad),
            Err(HandshakeError::UnsafeValue(field))
        );
    }
}

#[test]
fn development_signed_in_without_suffix() {
    let d = handshake_directives(&dev(Some(TOKEN))).unwrap();
    let expected = vec![
        format!("__client_uat=; Path=/; Expires={X}"),
        "__client_uat=1706822359; Path=/; Max-Age=315360000; SameSite=Lax".to_owned(),
        "__clerk_db_jwt=dvb_2abc; Path=/; Max-Age=31536000; SameSite=Lax".to_owned(),
        format!("__session={TOKEN}; Path=/; SameSite=Lax"),
    ];
    assert_eq!(d, expected);
    assert_eq!(session_token_of(&d), Some(TOKEN));
}

#[test]
fn development_signed_in_with_suffix() {
    let input = HandshakeInput {
        suffix: Some("nx2hSE6I"),
        secure: true,
        ..dev(Some(TOKEN))
    };
    let d = handshake_directives(&input).unwrap();
    let expected = vec![
        format!("__client_uat=; Path=/; Expires={X}"),
        format!("__client_uat_nx2hSE6I=; Path=/; Expires={X}"),
        "__client_uat=1706822359; Path=/; Max-Age=315360000; Secure; SameSite=Lax".to_owned(),
        "__client_uat_nx2hSE6I=1706822359; Path=/; Max-Age=315360000; Secure; SameSite=Lax"
            .to_owned(),
        "__clerk_db_jwt=dvb_2abc; Path=/; Max-Age=31536000; Secure; SameSite=Lax".to_owned(),
        "__clerk_db_jwt_nx2hSE6I=dvb_2abc; Path=/; Max-Age=31536000; Secure; SameSite=Lax"
            .to_owned(),
        format!("__session_nx2hSE6I={TOKEN}; Path=/; Secure; SameSite=Lax"),
        format!("__session={TOKEN}; Path=/; Secure; SameSite=Lax"),
    ];
    assert_eq!(d, expected, "no refresh token given: none written");
    assert_eq!(session_token_of(&d), Some(TOKEN));
}

#[test]
fn development_signed_out() {
    let d = handshake_directives(&dev(None)).unwrap();
    let expected = vec![
        format!("__client_uat=; Path=/; Expires={X}"),
        "__client_uat=0; Path=/; Max-Age=315360000; SameSite=Lax".to_owned(),
        "__clerk_db_jwt=dvb_2abc; Path=/; Max-Age=31536000; SameSite=Lax".to_owned(),
        format!("__session=; Path=/; Expires={X}"),
    ];
    assert_eq!(d, expected);
    assert_eq!(session_token_of(&d), None);
}

#[test]
fn the_dev_browser_is_only_written_in_development() {
    let input = HandshakeInput {
        dev_browser: Some("dvb_2abc"),
        ..prod(Some(TOKEN))
    };
    let d = handshake_directives(&input).unwrap();
    assert!(!d.iter().any(|d| d.starts_with("__clerk_db_jwt")));
}

#[test]
fn unsafe_values_are_refused() {
    let bad_values = [
        "",
        "a;b",
        "a,b",
        "a b",
        "a\tb",
        "a\r\nSet-Cookie: x=1",
        "a\nb",
        "a\0b",
        "a\u{7f}b",
        "a\"b",
        "a\\b",
        "caf\u{e9}",
        "x; Domain=evil.com",
    ];
    let too_long = "a".repeat(4097);
    for bad in bad_values.iter().copied().chain([too_long.as_str()]) {
        let cases: [(&'static str, HandshakeInput<'_>); 4] = [
            (
                "session_token",
                HandshakeInput {
                    session_token: Some(bad),
                    ..prod(Some(TOKEN))
                },
            ),
            (
                "refresh_token",
                HandshakeInput {
                    refresh_token: Some(bad),
                    ..prod(Some(TOKEN))
                },
            ),
            (
                "dev_browser",
                HandshakeInput {
                    dev_browser: Some(bad),
                    ..dev(Some(TOKEN))
                },
            ),
            (
                "cookie_domain",
                HandshakeInput {
                    cookie_domain: Some(bad),
                    ..prod(Some(TOKEN))
                },
            ),
        ];
        for (field, input) in cases {
            assert_eq!(
                handshake_directives(&input),
                Err(HandshakeError::UnsafeValue(field)),
                "{field}: {bad:?}"
            );
        }
    }
    // Narrower alphabets.
    for (field, input) in [
        (
            "session_token",
            HandshakeInput {
                session_token: Some("a.b=.c"),
                ..prod(Some(TOKEN))
            },
        ),
        (
            "suffix",
            HandshakeInput {
                suffix: Some("naoXFJn"),
                ..prod(Some(TOKEN))
            },
        ),
        (
            "suffix",
            HandshakeInput {
                suffix: Some("naoXFJnI9"),
                ..prod(Some(TOKEN))
            },
        ),
        (
            "suffix",
            HandshakeInput {
                suffix: Some("nao;FJnI"),
                ..prod(Some(TOKEN))
            },
        ),
        (
            "cookie_domain",
            HandshakeInput {
                cookie_domain: Some(".example.com"),
                ..prod(Some(TOKEN))
            },
        ),
        (
            "cookie_domain",
            HandshakeInput {
                cookie_domain: Some("Example.com"),
                ..prod(Some(TOKEN))
            },
        ),
        (
            "cookie_domain",
            HandshakeInput {
                cookie_domain: Some("example..com"),
                ..prod(Some(TOKEN))
            },
        ),
    ] {
        assert_eq!(
            handshake_directives(&input),
            Err(HandshakeError::UnsafeValue(field)),
            "{input:?}"
        );
    }
}

#[test]
fn inconsistent_inputs_are_refused() {
    let signed_in_without_uat = HandshakeInput {
        client_uat: 0,
        ..prod(Some(TOKEN))
    };
    let signed_out_with_uat = HandshakeInput {
        client_uat: 1,
        ..prod(None)
    };
    let refresh_while_signed_out = HandshakeInput {
        refresh_token: Some("Qw3"),
        ..prod(None)
    };
    let negative_uat = HandshakeInput {
        client_uat: -5,
        ..prod(Some(TOKEN))
    };
    for input in [
        signed_in_without_uat,
        signed_out_with_uat,
        refresh_while_signed_out,
        negative_uat,
    ] {
        assert!(
            matches!(
                handshake_directives(&input),
                Err(HandshakeError::Inconsistent(_))
            ),
            "{input:?}"
        );
    }
}

#[test]
fn debug_output_redacts_the_secrets() {
    let shown = format!("{:?}", prod(Some(TOKEN)));
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(!shown.contains("Qw3rTyUiOp"), "{shown}");
    assert!(shown.contains("naoXFJnI"), "{shown}");

    let refresh = RefreshCookiesInput {
        session_token: TOKEN,
        refresh_token: "Qw3rTyUiOp",
        suffix: "naoXFJnI",
        suffixed_cookies: true,
        secure: false,
    };
    let shown = format!("{refresh:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(!shown.contains("Qw3rTyUiOp"), "{shown}");
    assert!(shown.starts_with("RefreshCookiesInput"), "{shown}");
    assert!(shown.contains("naoXFJnI"), "{shown}");
}

#[test]
fn session_token_of_follows_the_sdk() {
    let d = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(session_token_of(&[]), None);
    assert_eq!(
        session_token_of(&d(&["__session=a.b.c; Path=/", "__client_uat=5; Path=/"])),
        Some("a.b.c")
    );
    // The last `__session*` directive wins, even when it is a clear.
    assert_eq!(
        session_token_of(&d(&["__session=a.b.c; Path=/", "__session_x=; Path=/"])),
        None
    );
    assert_eq!(
        session_token_of(&d(&["__session=; Path=/", "__session_abcdefgh=t.o.k"])),
        Some("t.o.k")
    );
    // The SDK reads up to the next `=` (`split('=')[1]`).
    assert_eq!(
        session_token_of(&d(&["__session=ab=cd; Path=/"])),
        Some("ab")
    );
    assert_eq!(session_token_of(&d(&["__session; Path=/"])), None);
    // Only the name counts, not a value that looks like one.
    assert_eq!(
        session_token_of(&d(&["__client_uat=__session=x; Path=/"])),
        None
    );
}

fn hex20(hex: &str) -> [u8; 20] {
    let mut out = [0u8; 20];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

#[test]
fn cookie_suffixes_match_clerks_examples() {
    // `printf '%s' <publishable key> | sha1sum`
    // pk_live_Y2xlcmsuZXhhbXBsZS5jb20k
    assert_eq!(
        cookie_suffix_from_digest(&hex20("9daa171499c8a7751aa737699fff1cf797b1774d")),
        "naoXFJnI"
    );
    // pk_test_Zm9vLWJhci0xMy5jbGVyay5hY2NvdW50cy5kZXYk
    assert_eq!(
        cookie_suffix_from_digest(&hex20("9f1da1484e88cff5b3b5e19702a0697665cedcea")),
        "nx2hSE6I"
    );
    // URL-safe alphabet: 0xfb 0xff → `-_` rather than `+/`.
    let mut digest = [0u8; 20];
    digest[..3].copy_from_slice(&[0xfb, 0xef, 0xff]);
    assert_eq!(cookie_suffix_from_digest(&digest), "--__AAAA");
}

#[test]
fn payload_size_is_the_json_array_length() {
    assert_eq!(payload_size(&[]), 2);
    let odd = vec!["a".to_owned(), "b\"c".to_owned(), "\n\u{1}é".to_owned()];
    assert_eq!(payload_size(&odd), r#"["a","b\"c","\n\u0001é"]"#.len());
    let d = handshake_directives(&prod(Some(TOKEN))).unwrap();
    let json = format!("[\"{}\"]", d.join("\",\""));
    assert_eq!(payload_size(&d), json.len());
    assert!(payload_size(&d) < MAX_DIRECT_PAYLOAD_BYTES);
}

fn value() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        "[A-Za-z0-9_.-]{1,40}",
        "[ -~]{0,20}",
        any::<String>(),
    ])
}

proptest! {
    #[test]
    fn no_input_can_inject_into_a_directive(
        token in value(),
        suffix in value(),
        domain in value(),
        dev_browser in value(),
        refresh in value(),
        production in any::<bool>(),
        secure in any::<bool>(),
        uat in 0i64..2_000_000_000,
    ) {
        let input = HandshakeInput {
            environment: if production { Environment::Production } else { Environment::Development },
            session_token: token.as_deref(),
            client_uat: if token.is_some() { uat.max(1) } else { 0 },
            suffix: suffix.as_deref(),
            cookie_domain: domain.as_deref(),
            secure,
            dev_browser: dev_browser.as_deref(),
            refresh_token: if token.is_some() { refresh.as_deref() } else { None },
            refresh_suffix: domain.as_deref(),
        };
        let Ok(directives) = handshake_directives(&input) else { return Ok(()) };
        let domain_attr = domain.as_deref().map(|d| format!("Domain={d}"));
        for d in &directives {
            let mut parts = d.split("; ");
            let pair = parts.next().unwrap_or_default();
            prop_assert!(pair.contains('='));
            prop_assert!(
                pair.bytes().all(|b| b.is_ascii_graphic() && b != b';' && b != b','),
                "{d:?}"
            );
            for attr in parts {
                let known = attr == "Path=/"
                    || attr == "Secure"
                    || attr == "HttpOnly"
                    || attr == "SameSite=Lax"
                    || attr == "Expires=Thu, 01 Jan 1970 00:00:00 GMT"
                    || attr.strip_prefix("Max-Age=").is_some_and(|n| n.parse::<u32>().is_ok())
                    || domain_attr.as_deref() == Some(attr);
                prop_assert!(known, "{attr:?} in {d:?}");
            }
        }
        prop_assert_eq!(session_token_of(&directives), token.as_deref());
        prop_assert!(directives.last().is_some_and(|d| d.starts_with("__session=")));
    }
}

#[test]
fn a_cookie_domain_is_a_lowercase_host_name_of_ldh_labels() {
    let label = |c: char, n: usize| c.to_string().repeat(n);
    let longest = [
        label('a', 63),
        label('b', 63),
        label('c', 63),
        label('d', 61),
    ]
    .join(".");
    assert_eq!(longest.len(), 253);
    let sixty_three = format!("{}.example.com", label('a', 63));
    for good in [
        "example.com",
        "my-app.example.com",
        "app2.example.com",
        "localhost",
        sixty_three.as_str(),
        longest.as_str(),
    ] {
        let input = HandshakeInput {
            cookie_domain: Some(good),
            ..prod(Some(TOKEN))
        };
        let directives = handshake_directives(&input).unwrap();
        assert!(
            directives[2].contains(&format!("; Domain={good};")),
            "{good}: {directives:?}"
        );
    }
    let too_long = format!("{longest}d");
    let label_too_long = format!("{}.example.com", label('a', 64));
    for bad in [
        "",
        too_long.as_str(),
        label_too_long.as_str(),
        "app_1.example.com",
        "example.com.",
    ] {
        let input = HandshakeInput {
            cookie_domain: Some(bad),
            ..prod(Some(TOKEN))
        };
        assert_eq!(
            handshake_directives(&input),
            Err(HandshakeError::UnsafeValue("cookie_domain")),
            "{bad:?}"
        );
    }
}
