//! The `Set-Cookie` directives of a Clerk handshake, as values.
//!
//! At the end of a handshake the app's backend SDK (`@clerk/backend`) copies
//! every directive verbatim into a `Set-Cookie` response header and takes the
//! session token from the **last** directive whose cookie name starts with
//! `__session` (see [`session_token_of`]). The HTTP layer signs the list into
//! the handshake token (or stores it under a nonce); this module only decides
//! what the list says.
//!
//! The list, in order (`Path=/`, then `Domain=` if any, then `Max-Age=` or
//! `Expires=`, then `Secure`, then `HttpOnly`, then `SameSite=Lax`):
//!
//! 1. clear a host-only `__client_uat` (and `__client_uat_<suffix>`);
//! 2. production: clear `__clerk_handshake` and `__clerk_handshake_nonce` on
//!    the cookie domain;
//! 3. set `__client_uat` (and `__client_uat_<suffix>`), ten years;
//! 4. development: set `__clerk_db_jwt` (and `__clerk_db_jwt_<suffix>`) to
//!    the dev browser, one year;
//! 5. with a suffix: set `__refresh_<suffix>` (HttpOnly, 30 days) when signed
//!    in with a refresh token, clear it when signed out;
//! 6. last: `__session_<suffix>` then `__session`, set to the token when
//!    signed in, cleared when signed out (so a signed-out list carries no
//!    session token at all).
//!
//! The `__session` cookies are set **without** `Max-Age`/`Expires` (browser
//! session cookies), as in Clerk's own refresh responses
//! (`__session_<suffix>=…; Path=/; Secure; SameSite=Lax`): the JWT inside
//! lives 60 seconds, and clerk-js rewrites the cookie with its own expiry as
//! soon as it loads.
//!
//! Every value is checked before it is written, so no input can end a
//! cookie value early (`;`, `,`), add a header (CR/LF) or a new attribute.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE;

use crate::cookie::{SetCookie, clear};
use crate::instance::Environment;

pub use crate::cookie::EXPIRED;
/// `Max-Age` of `__client_uat` (ten years, as Clerk).
pub const CLIENT_UAT_MAX_AGE_SECS: i64 = 315_360_000;
/// `Max-Age` of `__clerk_db_jwt` (one year, as clerk-js).
pub const DEV_BROWSER_MAX_AGE_SECS: i64 = 31_536_000;
/// `Max-Age` of `__refresh_<suffix>` (30 days).
pub const REFRESH_MAX_AGE_SECS: i64 = 2_592_000;
/// Above this [`payload_size`], Clerk sends a nonce instead of the payload
/// itself (browsers cap a cookie at about 4 KB, and the signed token is
/// larger than its payload).
pub const MAX_DIRECT_PAYLOAD_BYTES: usize = 2048;
/// The longest cookie value accepted from the caller.
const MAX_VALUE_BYTES: usize = 4096;

/// Everything a handshake's directives depend on.
#[derive(Clone, Copy)]
pub struct HandshakeInput<'a> {
    pub environment: Environment,
    /// `Some(jwt)` when signed in (a freshly minted session token), `None`
    /// when signed out.
    pub session_token: Option<&'a str>,
    /// The client's `updated_at` in seconds when signed in (the caller
    /// guarantees it is `<=` the token's `iat`); `0` when signed out.
    pub client_uat: i64,
    /// The 8-character cookie suffix (see [`cookie_suffix_from_digest`])
    /// when the SDK asked for `suffixed_cookies=true`.
    pub suffix: Option<&'a str>,
    /// The app's registrable domain (eTLD+1), written as `Domain=` on
    /// `__client_uat` and the handshake clears (production); `None` writes
    /// host-only cookies.
    pub cookie_domain: Option<&'a str>,
    /// Add `Secure` (apps served over https).
    pub secure: bool,
    /// Development only: the dev browser to set as `__clerk_db_jwt` (ignored
    /// in production).
    pub dev_browser: Option<&'a str>,
    /// The opaque refresh token for `__refresh_<suffix>`; written only with a
    /// session token, and only under a suffixed name (the SDK reads no other).
    pub refresh_token: Option<&'a str>,
    /// The instance's cookie suffix, for `__refresh_<suffix>` when the
    /// session cookies are unsuffixed (`suffix` is `None`): the SDK reads the
    /// refresh cookie under its suffixed name whether or not it asked for
    /// suffixed session cookies. Ignored when `suffix` is given.
    pub refresh_suffix: Option<&'a str>,
}

impl fmt::Debug for HandshakeInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |v: Option<&str>| v.map(|_| "<redacted>");
        f.debug_struct("HandshakeInput")
            .field("environment", &self.environment)
            .field("session_token", &redacted(self.session_token))
            .field("client_uat", &self.client_uat)
            .field("suffix", &self.suffix)
            .field("cookie_domain", &self.cookie_domain)
            .field("secure", &self.secure)
            .field("dev_browser", &redacted(self.dev_browser))
            .field("refresh_token", &redacted(self.refresh_token))
            .field("refresh_suffix", &self.refresh_suffix)
            .finish()
    }
}

/// Why no directives can be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HandshakeError {
    /// A value that cannot be written into a cookie as it is (empty, too
    /// long, or with characters outside its alphabet).
    #[error("`{0}` is not a cookie-safe value")]
    UnsafeValue(&'static str),
    /// The inputs contradict each other.
    #[error("inconsistent handshake input: {0}")]
    Inconsistent(&'static str),
}

/// The handshake's `Set-Cookie` directives (see the module docs for the
/// list and its order).
pub fn handshake_directives(input: &HandshakeInput<'_>) -> Result<Vec<String>, HandshakeError> {
    validate(input)?;
    let domain = input.cookie_domain;
    let names = |base: &str| -> Vec<String> {
        let mut names = vec![base.to_owned()];
        names.extend(input.suffix.map(|s| format!("{base}_{s}")));
        names
    };
    let mut out = Vec::new();

    // 1. A host-only `__client_uat` would shadow the one on the domain.
    for name in names("__client_uat") {
        out.push(clear(&name, None));
    }
    // 2. The handshake cookie has done its job.
    if input.environment == Environment::Production {
        out.push(clear("__clerk_handshake", domain));
        out.push(clear("__clerk_handshake_nonce", domain));
    }
    // 3. The client's last change, which the SDK compares with `iat`.
    let uat = input.client_uat.to_string();
    for name in names("__client_uat") {
        out.push(
            SetCookie::new(&name, &uat)
                .domain(domain)
                .max_age(CLIENT_UAT_MAX_AGE_SECS)
                .secure(input.secure)
                .directive(),
        );
    }
    // 4. Development: the dev browser.
    if let (Environment::Development, Some(dev_browser)) = (input.environment, input.dev_browser) {
        for name in names("__clerk_db_jwt") {
            out.push(
                SetCookie::new(&name, dev_browser)
                    .max_age(DEV_BROWSER_MAX_AGE_SECS)
                    .secure(input.secure)
                    .directive(),
            );
        }
    }
    // 5. The refresh token, under a suffixed name only.
    match (input.suffix, input.session_token, input.refresh_token) {
        (Some(suffix), Some(_), Some(refresh)) => {
            out.push(refresh_cookie(suffix, refresh, input.secure));
        }
        (Some(suffix), None, _) => out.push(clear(&format!("__refresh_{suffix}"), None)),
        (None, Some(_), Some(refresh)) => {
            if let Some(suffix) = input.refresh_suffix {
                out.push(refresh_cookie(suffix, refresh, input.secure));
            }
        }
        _ => {}
    }
    // 6. Last, the session token; the unsuffixed name is the very last.
    let mut sessions = names("__session");
    sessions.reverse();
    for name in sessions {
        out.push(match input.session_token {
            Some(token) => SetCookie::new(&name, token)
                .secure(input.secure)
                .directive(),
            None => clear(&name, None),
        });
    }
    Ok(out)
}

fn validate(input: &HandshakeInput<'_>) -> Result<(), HandshakeError> {
    let check = |field: &'static str, value: Option<&str>, valid: fn(&str) -> bool| match value {
        Some(v) if !valid(v) => Err(HandshakeError::UnsafeValue(field)),
        _ => Ok(()),
    };
    check("session_token", input.session_token, is_jwt_text)?;
    check("suffix", input.suffix, is_cookie_suffix)?;
    check("cookie_domain", input.cookie_domain, is_cookie_domain)?;
    check("dev_browser", input.dev_browser, is_cookie_value)?;
    check("refresh_token", input.refresh_token, is_cookie_value)?;
    check("refresh_suffix", input.refresh_suffix, is_cookie_suffix)?;
    match input.session_token {
        Some(_) if input.client_uat <= 0 => Err(HandshakeError::Inconsistent(
            "client_uat must be positive when signed in",
        )),
        None if input.client_uat != 0 => Err(HandshakeError::Inconsistent(
            "client_uat must be 0 when signed out",
        )),
        None if input.refresh_token.is_some() => Err(HandshakeError::Inconsistent(
            "a refresh token needs a session token",
        )),
        _ => Ok(()),
    }
}

/// `__refresh_<suffix>`: HttpOnly, 30 days.
fn refresh_cookie(suffix: &str, refresh: &str, secure: bool) -> String {
    SetCookie::new(&format!("__refresh_{suffix}"), refresh)
        .max_age(REFRESH_MAX_AGE_SECS)
        .secure(secure)
        .http_only()
        .directive()
}

/// What a server-side refresh (Backend API `POST /v1/sessions/{id}/refresh`
/// with `format=cookie`) hands back as cookies.
#[derive(Clone, Copy)]
pub struct RefreshCookiesInput<'a> {
    /// The new session token.
    pub session_token: &'a str,
    /// The refresh token that replaces the one presented.
    pub refresh_token: &'a str,
    /// The instance's cookie suffix (the refresh cookie is always suffixed).
    pub suffix: &'a str,
    /// The SDK asked for suffixed session cookies too.
    pub suffixed_cookies: bool,
    /// Add `Secure` (the app's origin is https).
    pub secure: bool,
}

impl fmt::Debug for RefreshCookiesInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshCookiesInput")
            .field("suffix", &self.suffix)
            .field("suffixed_cookies", &self.suffixed_cookies)
            .field("secure", &self.secure)
            .finish_non_exhaustive()
    }
}

/// A server-side refresh's directives: `__session_<suffix>` (when asked
/// for), `__session`, then `__refresh_<suffix>`, with the attributes of the
/// handshake's.
pub fn refresh_directives(input: &RefreshCookiesInput<'_>) -> Result<Vec<String>, HandshakeError> {
    if !is_jwt_text(input.session_token) {
        return Err(HandshakeError::UnsafeValue("session_token"));
    }
    if !is_cookie_value(input.refresh_token) {
        return Err(HandshakeError::UnsafeValue("refresh_token"));
    }
    if !is_cookie_suffix(input.suffix) {
        return Err(HandshakeError::UnsafeValue("suffix"));
    }
    let mut out = Vec::with_capacity(3);
    if input.suffixed_cookies {
        out.push(
            SetCookie::new(&format!("__session_{}", input.suffix), input.session_token)
                .secure(input.secure)
                .directive(),
        );
    }
    out.push(
        SetCookie::new("__session", input.session_token)
            .secure(input.secure)
            .directive(),
    );
    out.push(refresh_cookie(
        input.suffix,
        input.refresh_token,
        input.secure,
    ));
    Ok(out)
}

/// RFC 6265 `cookie-octet`s: visible ASCII except `"`, `,`, `;` and `\`.
fn is_cookie_value(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= MAX_VALUE_BYTES
        && v.bytes()
            .all(|b| matches!(b, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E))
}

/// A compact JWT's alphabet: base64url and dots (no `=`, which the SDK would
/// cut the value at).
fn is_jwt_text(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= MAX_VALUE_BYTES
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Eight characters of URL-safe base64.
fn is_cookie_suffix(v: &str) -> bool {
    v.len() == 8
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// A lowercase host name: LDH labels, no empty label, no leading dot.
fn is_cookie_domain(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 253
        && v.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// The cookie suffix of an instance: the first 8 characters of the URL-safe
/// base64 of the SHA-1 digest of its publishable key (the caller hashes).
pub fn cookie_suffix_from_digest(sha1_digest: &[u8; 20]) -> String {
    URL_SAFE.encode(sha1_digest).chars().take(8).collect()
}

/// The session token the backend SDK takes from `directives`: the value of
/// the last directive whose cookie name starts with `__session`, read as the
/// SDK does (`directive.split(';')[0].split('=')[1]`: from the first `=` to
/// the next `=` or `;`). An empty value (a clear) is `None`.
pub fn session_token_of(directives: &[String]) -> Option<&str> {
    directives
        .iter()
        .rev()
        .find_map(|d| {
            let pair = d.split(';').next().unwrap_or_default();
            let mut parts = pair.split('=');
            let name = parts.next().unwrap_or_default();
            name.starts_with("__session")
                .then(|| parts.next().unwrap_or_default())
        })
        .filter(|v| !v.is_empty())
}

/// The length in bytes of `directives` written as a JSON array of strings
/// (the `handshake` claim of the handshake payload; the whole
/// `{"handshake":…}` object is 14 bytes more).
pub fn payload_size(directives: &[String]) -> usize {
    let strings: usize = directives.iter().map(|d| json_string_len(d)).sum();
    2 + strings + directives.len().saturating_sub(1)
}

/// The length of `s` as a JSON string literal, quotes included.
fn json_string_len(s: &str) -> usize {
    2 + s
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
            c if u32::from(c) < 0x20 => 6,
            c => c.len_utf8(),
        })
        .sum::<usize>()
}

#[cfg(test)]
mod tests;
