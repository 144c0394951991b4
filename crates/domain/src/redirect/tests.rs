use proptest::prelude::*;

use super::*;

use RedirectError::{
    Malformed, NotAbsolute, OriginNotAllowed, SchemeNotAllowed, UserinfoNotAllowed,
};

fn allowed(loopback: bool) -> AllowedOrigins {
    AllowedOrigins::new(
        &[
            "https://app.example.com".to_owned(),
            "https://admin.example.com:8443".to_owned(),
            "http://127.0.0.1:3000".to_owned(),
            "https://xn--bcher-kva.example".to_owned(),
        ],
        loopback,
    )
    .unwrap()
}

#[test]
fn attack_variants_are_refused_and_legit_urls_normalised() {
    let long = format!("https://app.example.com/{}", "a".repeat(4096));
    // (input, allow_loopback, expected)
    let cases: Vec<(&str, bool, Result<&str, RedirectError>)> = vec![
        // Allowed.
        (
            "https://app.example.com/dash?x=1#top",
            false,
            Ok("https://app.example.com/dash?x=1#top"),
        ),
        (
            "https://app.example.com",
            false,
            Ok("https://app.example.com/"),
        ),
        (
            "HTTPS://APP.EXAMPLE.COM/x",
            false,
            Ok("https://app.example.com/x"),
        ),
        (
            "https://app.example.com:443/x",
            false,
            Ok("https://app.example.com/x"),
        ),
        (
            "https://admin.example.com:8443/",
            false,
            Ok("https://admin.example.com:8443/"),
        ),
        (
            "http://127.0.0.1:3000/cb",
            false,
            Ok("http://127.0.0.1:3000/cb"),
        ),
        (
            "http://127.0.0.1:4000/cb",
            true,
            Ok("http://127.0.0.1:4000/cb"),
        ),
        ("http://localhost:5173/", true, Ok("http://localhost:5173/")),
        ("https://localhost/", true, Ok("https://localhost/")),
        ("http://[::1]:3000/", true, Ok("http://[::1]:3000/")),
        (
            "https://app.example.com?@evil.com",
            false,
            Ok("https://app.example.com/?@evil.com"),
        ),
        (
            "https://xn--bcher-kva.example/",
            false,
            Ok("https://xn--bcher-kva.example/"),
        ),
        // Lookalike hosts and other origins.
        (
            "https://app.example.com.evil.com",
            false,
            Err(OriginNotAllowed),
        ),
        (
            "https://app.example.com.evil.com/",
            true,
            Err(OriginNotAllowed),
        ),
        (
            "https://evil.com/https://app.example.com",
            false,
            Err(OriginNotAllowed),
        ),
        (
            "https://evil.com?https://app.example.com",
            false,
            Err(OriginNotAllowed),
        ),
        (
            "https://evil.com#@app.example.com",
            false,
            Err(OriginNotAllowed),
        ),
        ("https://evilapp.example.com/", false, Err(OriginNotAllowed)),
        ("https://example.com/", false, Err(OriginNotAllowed)),
        ("https://app.example.com./", false, Err(OriginNotAllowed)),
        (
            "https://xn--pp-8ma.example.com/",
            false,
            Err(OriginNotAllowed),
        ),
        // Port and scheme mismatches.
        (
            "https://app.example.com:8443/",
            false,
            Err(OriginNotAllowed),
        ),
        ("https://app.example.com:80/", false, Err(OriginNotAllowed)),
        ("https://admin.example.com/", false, Err(OriginNotAllowed)),
        ("http://app.example.com/", false, Err(OriginNotAllowed)),
        ("https://127.0.0.1:3000/", false, Err(OriginNotAllowed)),
        ("http://127.0.0.1:3001/", false, Err(OriginNotAllowed)),
        // Loopback only when allowed, and only the real thing.
        ("http://127.0.0.1:4000/cb", false, Err(OriginNotAllowed)),
        ("http://localhost:3000/", false, Err(OriginNotAllowed)),
        ("http://[::1]:3000/", false, Err(OriginNotAllowed)),
        ("http://127.0.0.1.evil.com/", true, Err(OriginNotAllowed)),
        ("http://localhost.evil.com/", true, Err(OriginNotAllowed)),
        ("http://127.0.0.2/", true, Err(OriginNotAllowed)),
        ("http://0.0.0.0/", true, Err(OriginNotAllowed)),
        ("http://0.0.0.0:3000/", true, Err(OriginNotAllowed)),
        ("http://[::]:3000/", true, Err(OriginNotAllowed)),
        // Numeric and other non-canonical host spellings.
        ("http://2130706433/", true, Err(Malformed)),
        ("http://0x7f000001/", true, Err(Malformed)),
        ("http://0x7f.0.0.1/", true, Err(Malformed)),
        ("http://127.1/", true, Err(Malformed)),
        ("http://0177.0.0.1/", true, Err(Malformed)),
        ("http://[::ffff:127.0.0.1]/", true, Err(Malformed)),
        ("http://[0:0:0:0:0:0:0:1]/", true, Err(Malformed)),
        ("https://%61pp.example.com/", false, Err(Malformed)),
        ("https://app.example.com%2eevil.com/", false, Err(Malformed)),
        ("https://app.example.com%40evil.com/", false, Err(Malformed)),
        ("https://app.example.com:99999/", false, Err(Malformed)),
        ("https://app.example.com:44x/", false, Err(Malformed)),
        ("https://[::1/", true, Err(Malformed)),
        // IDN confusions: refused before parsing (non-ASCII).
        ("https://\u{430}pp.example.com/", false, Err(Malformed)),
        (
            "https://\u{ff41}\u{ff50}\u{ff50}.example.com/",
            false,
            Err(Malformed),
        ),
        ("https://b\u{fc}cher.example/", false, Err(Malformed)),
        (
            "https://app.example.com\u{3002}evil.com/",
            false,
            Err(Malformed),
        ),
        // Userinfo.
        (
            "https://app.example.com@evil.com",
            false,
            Err(UserinfoNotAllowed),
        ),
        (
            "https://user:pw@app.example.com/",
            false,
            Err(UserinfoNotAllowed),
        ),
        ("https://@app.example.com/", false, Err(UserinfoNotAllowed)),
        (
            "https://app.example.com:443@evil.com/",
            false,
            Err(UserinfoNotAllowed),
        ),
        (
            "http://127.0.0.1:3000@evil.com/",
            true,
            Err(UserinfoNotAllowed),
        ),
        // Backslashes, controls, whitespace.
        ("/\\evil.com", false, Err(Malformed)),
        ("\\\\evil", false, Err(Malformed)),
        ("https:\\\\evil.com", false, Err(Malformed)),
        ("https://evil.com\\@app.example.com", false, Err(Malformed)),
        ("https://app.example.com\\.evil.com/", false, Err(Malformed)),
        ("https://app.example.com\t.evil.com/", false, Err(Malformed)),
        ("https://app.example.com/\n", false, Err(Malformed)),
        (
            "https://app.example.com/\r\nSet-Cookie:x=1",
            false,
            Err(Malformed),
        ),
        ("https://app.example.com/\0", false, Err(Malformed)),
        ("https://app.example.com/\x7f", false, Err(Malformed)),
        (" https://app.example.com/", false, Err(Malformed)),
        ("https://app.example.com /", false, Err(Malformed)),
        ("java\nscript:alert(1)", false, Err(Malformed)),
        ("", false, Err(Malformed)),
        (long.as_str(), false, Err(Malformed)),
        // Relative, protocol-relative and scheme-only tricks.
        ("//evil.com", false, Err(NotAbsolute)),
        ("//app.example.com/", false, Err(NotAbsolute)),
        ("///evil.com", false, Err(NotAbsolute)),
        ("/dashboard", false, Err(NotAbsolute)),
        ("dashboard", false, Err(NotAbsolute)),
        ("app.example.com:443", false, Err(SchemeNotAllowed)),
        ("https:evil.com", false, Err(NotAbsolute)),
        ("https:/evil.com", false, Err(NotAbsolute)),
        ("https:///evil.com", false, Err(NotAbsolute)),
        ("https://", false, Err(NotAbsolute)),
        ("https://?x", false, Err(NotAbsolute)),
        ("1https://app.example.com/", false, Err(NotAbsolute)),
        // Other schemes.
        ("javascript:alert(1)", false, Err(SchemeNotAllowed)),
        (
            "JaVaScRiPt:alert(1)//https://app.example.com",
            false,
            Err(SchemeNotAllowed),
        ),
        (
            "data:text/html,<script>alert(1)</script>",
            false,
            Err(SchemeNotAllowed),
        ),
        ("vbscript:msgbox", false, Err(SchemeNotAllowed)),
        ("ftp://app.example.com/", false, Err(SchemeNotAllowed)),
        ("file:///etc/passwd", false, Err(SchemeNotAllowed)),
        ("ws://app.example.com/", false, Err(SchemeNotAllowed)),
        (
            "blob:https://app.example.com/x",
            false,
            Err(SchemeNotAllowed),
        ),
    ];
    assert!(cases.iter().filter(|c| c.2.is_err()).count() >= 25);
    for (input, loopback, expected) in cases {
        let got = allowed(loopback).check_redirect(input);
        let got = got.as_ref().map(RedirectUrl::as_str).map_err(Clone::clone);
        assert_eq!(got, expected, "{input:?} (loopback: {loopback})");
    }
}

#[test]
fn the_default_allows_nothing() {
    let none = AllowedOrigins::default();
    assert_eq!(
        none.check_redirect("https://app.example.com/"),
        Err(OriginNotAllowed)
    );
    assert_eq!(
        none.check_redirect("http://127.0.0.1:3000/"),
        Err(OriginNotAllowed)
    );
    assert!(!none.contains("http://localhost:3000"));
}

#[test]
fn configured_origins_are_validated_and_normalised() {
    let o = AllowedOrigins::new(
        &[
            "HTTPS://App.Example.COM:443".to_owned(),
            "http://localhost:80/".to_owned(),
            "https://app.example.com".to_owned(),
        ],
        false,
    )
    .unwrap();
    assert_eq!(
        o.origins(),
        vec!["https://app.example.com", "http://localhost"]
    );
    assert!(!o.allows_loopback());

    for bad in [
        "",
        "app.example.com",
        "//app.example.com",
        "https://app.example.com/path",
        "https://app.example.com/?",
        "https://app.example.com#x",
        "https://app.example.com?x=1",
        "https://user@app.example.com",
        "ftp://app.example.com",
        "https://*.example.com",
        "https://app_1.example.com",
        "https://app.example.com.",
        "https://-app.example.com",
        "http://0.0.0.0",
        "http://[::]:3000",
        "http://255.255.255.255",
        "http://2130706433",
        "https://b\u{fc}cher.example",
        "https://app.example.com:0x1",
        "https://app.example.com\\",
        "null",
    ] {
        assert_eq!(
            AllowedOrigins::new(&[bad.to_owned()], true),
            Err(RedirectError::InvalidOrigin(bad.to_owned())),
            "{bad:?}"
        );
    }
}

#[test]
fn cors_origins_match_exactly_after_normalisation() {
    let o = allowed(false);
    assert!(o.contains("https://app.example.com"));
    assert!(o.contains("https://APP.example.com:443"));
    assert!(o.contains("https://admin.example.com:8443"));
    assert!(o.contains("http://127.0.0.1:3000"));
    for no in [
        "null",
        "",
        "https://app.example.com.evil.com",
        "http://app.example.com",
        "https://app.example.com:8443",
        "https://admin.example.com",
        "https://app.example.com/path",
        "http://localhost:3000",
        "http://127.0.0.1:3001",
    ] {
        assert!(!o.contains(no), "{no:?}");
    }
    let dev = allowed(true);
    assert!(dev.contains("http://localhost:3000"));
    assert!(dev.contains("https://127.0.0.1:1"));
    assert!(dev.contains("http://[::1]:8080"));
    assert!(!dev.contains("http://0.0.0.0:3000"));
    assert!(!dev.contains("http://localhost.evil.com"));
}

/// The origin of an accepted URL, as an independent reading of it.
fn origin_of(url: &str) -> (String, String, u16) {
    let u = Url::parse(url).unwrap();
    (
        u.scheme().to_owned(),
        u.host_str().unwrap().to_owned(),
        u.port_or_known_default().unwrap(),
    )
}

fn is_allowed_origin((scheme, host, port): &(String, String, u16), loopback: bool) -> bool {
    let listed = [
        ("https", "app.example.com", 443),
        ("https", "admin.example.com", 8443),
        ("http", "127.0.0.1", 3000),
        ("https", "xn--bcher-kva.example", 443),
    ];
    listed
        .iter()
        .any(|(s, h, p)| s == scheme && h == host && p == port)
        || (loopback
            && matches!(scheme.as_str(), "http" | "https")
            && matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]"))
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("https://".to_owned()),
        Just("http://".to_owned()),
        Just("https:".to_owned()),
        Just("//".to_owned()),
        Just("/".to_owned()),
        Just("\\".to_owned()),
        Just("@".to_owned()),
        Just(":".to_owned()),
        Just("#".to_owned()),
        Just("?".to_owned()),
        Just("%".to_owned()),
        Just(".".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("app.example.com".to_owned()),
        Just("admin.example.com".to_owned()),
        Just("evil.com".to_owned()),
        Just("127.0.0.1".to_owned()),
        Just("localhost".to_owned()),
        Just("::1".to_owned()),
        Just("0x7f".to_owned()),
        Just("xn--".to_owned()),
        Just("443".to_owned()),
        Just("8443".to_owned()),
        Just("3000".to_owned()),
        "[a-zA-Z0-9]{1,6}",
        any::<char>().prop_map(String::from),
    ]
}

proptest! {
    #[test]
    fn check_redirect_never_panics_and_accepts_only_allowed_origins(
        raw in prop_oneof![
            proptest::collection::vec(piece(), 0..12).prop_map(|p| p.concat()),
            // An allowed origin followed by anything printable.
            (
                proptest::sample::select(vec![
                    "https://app.example.com",
                    "HTTPS://app.EXAMPLE.com:443",
                    "https://admin.example.com:8443",
                    "http://127.0.0.1:3000",
                    "http://localhost:",
                    "http://[::1]",
                ]),
                "[ -~]{0,24}",
            )
                .prop_map(|(origin, tail)| format!("{origin}{tail}")),
            any::<String>(),
            "(https?:)?/{0,3}[a-zA-Z0-9.:@\\[\\]%/?#\\\\-]{0,40}",
        ],
        loopback in any::<bool>(),
    ) {
        let origins = allowed(loopback);
        if let Ok(url) = origins.check_redirect(&raw) {
            let origin = origin_of(url.as_str());
            prop_assert!(is_allowed_origin(&origin, loopback), "{raw:?} -> {url}");
            // Normalisation is stable: the output is accepted as itself.
            prop_assert_eq!(origins.check_redirect(url.as_str()), Ok(url.clone()));
        }
        let _ = origins.contains(&raw);
        let _ = AllowedOrigins::new(&[raw], loopback);
    }
}

#[test]
fn a_checked_redirect_knows_its_origin_and_takes_a_query_pair() {
    let url = allowed(true)
        .check_redirect("https://app.example.com/dashboard?tab=1#top")
        .unwrap();
    assert_eq!(url.origin().as_deref(), Some("https://app.example.com"));
    assert!(url.is_https());
    assert_eq!(
        url.with_query_pair("__clerk_handshake", "a.b+c").as_deref(),
        Some("https://app.example.com/dashboard?tab=1&__clerk_handshake=a.b%2Bc#top")
    );
    let local = allowed(true)
        .check_redirect("http://localhost:3000/")
        .unwrap();
    assert_eq!(local.origin().as_deref(), Some("http://localhost:3000"));
    assert!(!local.is_https());
}

#[test]
fn a_redirect_url_may_be_4096_bytes_long_and_not_one_more() {
    let base = "https://app.example.com/";
    let exactly = format!("{base}{}", "a".repeat(MAX_REDIRECT_URL_BYTES - base.len()));
    assert_eq!(exactly.len(), MAX_REDIRECT_URL_BYTES);
    assert_eq!(
        allowed(false).check_redirect(&exactly).map(String::from),
        Ok(exactly.clone())
    );
    let over = format!("{exactly}a");
    assert_eq!(allowed(false).check_redirect(&over), Err(Malformed));
}

#[test]
fn each_character_a_parser_would_rewrite_is_refused_on_its_own() {
    // Each alone, in the path of an allowed URL, where the URL parser would
    // quietly percent-encode, drop or turn it into `/` and accept the URL.
    for c in ['\u{e9}', '\t', '\n', ' ', '\\', '\x7f', '\0'] {
        let raw = format!("https://app.example.com/a{c}b");
        assert_eq!(
            allowed(false).check_redirect(&raw),
            Err(Malformed),
            "{raw:?}"
        );
    }
    assert!(
        allowed(false)
            .check_redirect("https://app.example.com/a~b-c_d.e%20f")
            .is_ok()
    );
}

#[test]
fn a_port_must_be_digits_after_the_host() {
    for raw in [
        "https://app.example.com:+443/",
        "https://app.example.com:4.43/",
        "https://[::1]x/",
        "https://[::1]:x/",
        "https://:443/",
    ] {
        assert_eq!(allowed(true).check_redirect(raw), Err(Malformed), "{raw:?}");
    }
    assert!(
        allowed(false)
            .check_redirect("https://admin.example.com:8443/")
            .is_ok()
    );
}

#[test]
fn loopback_origins_are_allowed_in_development_only() {
    let production = allowed(false);
    let development = allowed(true);
    assert!(!production.allows_loopback());
    assert!(development.allows_loopback());
    for loopback in [
        "http://localhost:5173",
        "https://localhost",
        "http://127.0.0.1:8080",
        "https://[::1]:3001",
    ] {
        assert!(!production.contains(loopback), "{loopback}");
        assert!(development.contains(loopback), "{loopback}");
        let url = format!("{loopback}/callback");
        assert_eq!(production.check_redirect(&url), Err(OriginNotAllowed));
        assert_eq!(
            development.check_redirect(&url).map(String::from),
            Ok(url.clone())
        );
    }
    // Development widens loopback only: other origins are still refused.
    assert_eq!(
        development.check_redirect("https://evil.com/"),
        Err(OriginNotAllowed)
    );
    assert!(development.contains("https://app.example.com"));
}

#[test]
fn ip_literal_origins_may_be_configured_except_unspecified_and_broadcast() {
    let o = AllowedOrigins::new(
        &[
            "http://10.0.0.7:8080".to_owned(),
            "http://[fd00::7]".to_owned(),
        ],
        false,
    )
    .unwrap();
    assert_eq!(
        o.origins(),
        vec!["http://10.0.0.7:8080", "http://[fd00::7]"]
    );
    assert!(o.check_redirect("http://[fd00::7]/x").is_ok());
    assert!(o.check_redirect("http://10.0.0.7:8080/x").is_ok());
    for bad in [
        "http://0.0.0.0:8080",
        "http://255.255.255.255",
        "http://[::]",
    ] {
        assert!(
            AllowedOrigins::new(&[bad.to_owned()], false).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn configured_hostnames_are_ldh_labels_of_1_to_63_bytes_253_in_all() {
    let label = |c: char, n: usize| c.to_string().repeat(n);
    let longest = format!(
        "{}.{}.{}.{}",
        label('a', 63),
        label('b', 63),
        label('c', 63),
        label('d', 61)
    );
    assert_eq!(longest.len(), 253);
    let good = [
        format!("https://{}.example.com", label('a', 63)),
        format!("https://{longest}"),
        "https://my-app.example.com".to_owned(),
        "https://app1.example.com".to_owned(),
        "https://1.example.com".to_owned(),
    ];
    for raw in &good {
        assert!(
            AllowedOrigins::new(std::slice::from_ref(raw), false).is_ok(),
            "{raw}"
        );
    }
    let bad = [
        format!("https://{}.example.com", label('a', 64)),
        format!("https://{longest}d"),
        "https://app..example.com".to_owned(),
        "https://app-.example.com".to_owned(),
        "https://app.-example.com".to_owned(),
        "https://app_1.example.com".to_owned(),
    ];
    for raw in &bad {
        assert_eq!(
            AllowedOrigins::new(std::slice::from_ref(raw), false),
            Err(RedirectError::InvalidOrigin(raw.clone())),
            "{raw}"
        );
    }
}

#[test]
fn a_checked_redirect_reads_the_same_through_every_accessor() {
    let url = allowed(false)
        .check_redirect("HTTPS://App.Example.com:443/a?b=c")
        .unwrap();
    let text = "https://app.example.com/a?b=c";
    assert_eq!(url.as_str(), text);
    assert_eq!(url.as_ref(), text);
    assert_eq!(url.to_string(), text);
    assert_eq!(url.clone().into_string(), text);
    assert_eq!(String::from(url), text);
}
