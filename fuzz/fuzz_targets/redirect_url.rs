//! `redirect_url` validation and the allowed origins (`hallpass-domain`'s
//! `AllowedOrigins`), with invariants beyond "does not crash": an accepted
//! URL is absolute http(s) without userinfo, re-checks to itself, and its
//! origin, as an independent URL parser reads it, is a configured origin
//! (or loopback, when allowed).
//!
//! Input: flags (`l`: allow loopback), a newline, the configured origins
//! separated by spaces (a fixed set when empty or refused), a newline, the
//! URL (also tried as a CORS `Origin`).
#![no_main]

use hallpass_domain::redirect::{AllowedOrigins, MAX_REDIRECT_URL_BYTES};
use hallpass_fuzz::fields;
use libfuzzer_sys::fuzz_target;
use url::Url;

const DEFAULT_ORIGINS: [&str; 3] = [
    "https://app.example.com",
    "http://127.0.0.1:3000",
    "https://xn--bcher-kva.example:8443",
];

fn loopback(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// Whether `url`'s origin, as the `url` crate serialises it, is allowed.
fn origin_allowed(allowed: &AllowedOrigins, url: &Url) -> bool {
    let origin = url.origin().ascii_serialization();
    allowed.origins().contains(&origin)
        || (allowed.allows_loopback() && url.host_str().is_some_and(loopback))
}

fuzz_target!(|data: &[u8]| {
    let f = fields(data, 3);
    let allow_loopback = f[0].contains(&b'l');
    let configured: Vec<String> = f
        .get(1)
        .map(|o| String::from_utf8_lossy(o))
        .unwrap_or_default()
        .split(' ')
        .filter(|o| !o.is_empty())
        .map(str::to_owned)
        .collect();
    let allowed = match AllowedOrigins::new(&configured, allow_loopback) {
        Ok(a) if !configured.is_empty() => a,
        _ => AllowedOrigins::new(&DEFAULT_ORIGINS.map(str::to_owned), allow_loopback)
            .expect("the default origins are valid"),
    };
    // Every configured origin is allowed as itself, normalised and not.
    for origin in allowed.origins() {
        assert!(allowed.contains(&origin), "{origin} not contained");
        let again = AllowedOrigins::new(std::slice::from_ref(&origin), false)
            .expect("a normalised origin is valid");
        assert_eq!(again.origins(), vec![origin.clone()]);
    }

    let Some(raw) = f.get(2).map(|u| String::from_utf8_lossy(u).into_owned()) else {
        return;
    };

    if allowed.contains(&raw) {
        let url = Url::parse(&raw).expect("an allowed Origin parses");
        assert!(
            origin_allowed(&allowed, &url),
            "CORS origin {raw:?} let through"
        );
    }

    let Ok(accepted) = allowed.check_redirect(&raw) else {
        return;
    };
    assert!(raw.len() <= MAX_REDIRECT_URL_BYTES);
    assert!(
        raw.bytes().all(|b| b.is_ascii_graphic() && b != b'\\'),
        "accepted {raw:?} with a character no canonical URL has"
    );
    let url = Url::parse(accepted.as_str()).expect("an accepted URL parses");
    assert!(
        matches!(url.scheme(), "http" | "https"),
        "scheme {}",
        url.scheme()
    );
    assert!(
        url.username().is_empty() && url.password().is_none(),
        "userinfo in {url}"
    );
    assert!(url.host_str().is_some_and(|h| !h.is_empty()));
    assert!(
        origin_allowed(&allowed, &url),
        "{raw:?} accepted on a foreign origin {}",
        url.origin().ascii_serialization()
    );
    // The normalised form is accepted as itself.
    assert_eq!(
        allowed.check_redirect(accepted.as_str()).as_ref(),
        Ok(&accepted)
    );
    // And what the raw text says is what was accepted.
    let raw_url = Url::parse(&raw).expect("the raw URL parses");
    assert_eq!(raw_url.origin(), url.origin());
});
