//! Where a browser may be sent back to, and which origins may call the
//! Frontend API.
//!
//! The handshake route (`GET /v1/client/handshake?redirect_url=…`) answers
//! with a `307` to `redirect_url`, carrying fresh session cookies (directly
//! or through the handshake token). Anyone can craft a link to that route, so
//! an unchecked `redirect_url` is an open redirect that can also leak the
//! handshake payload to another site. This module decides, failing closed:
//!
//! - the text is refused *before* parsing when it has anything a browser or
//!   a URL parser might read differently from us: backslashes, ASCII control
//!   characters or whitespace, non-ASCII characters, a missing `//` after the
//!   scheme (`https:evil.com`), no scheme (`//evil.com`, `/path`), more than
//!   [`MAX_REDIRECT_URL_BYTES`] bytes;
//! - only `http` and `https`, with a host and without userinfo
//!   (`https://app.example.com@evil.com` is a request to `evil.com`);
//! - the host must be written in its canonical form: the parser's host must
//!   equal the host as written (ASCII case aside), which refuses numeric IPv4
//!   spellings (`http://2130706433/`, `http://127.1/`), percent-encoded
//!   hosts and extra slashes (`https:///evil.com`);
//! - the normalised origin (scheme, lowercase punycode host, port with
//!   defaults filled in) must be one of the configured origins, exactly, or a
//!   loopback origin when loopback is allowed (development).

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// The longest `redirect_url` accepted, in bytes.
pub const MAX_REDIRECT_URL_BYTES: usize = 4096;

/// Why a redirect URL or an allowed origin was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedirectError {
    /// Empty, too long, or containing characters no canonical URL has
    /// (backslash, control characters, whitespace, non-ASCII), or not
    /// parseable, or a host not written in canonical form.
    #[error("the redirect URL is malformed")]
    Malformed,
    /// Relative, protocol-relative or scheme-only (`https:evil.com`).
    #[error("the redirect URL must be an absolute http or https URL")]
    NotAbsolute,
    /// A scheme other than `http` and `https` (`javascript:`, `data:`, …).
    #[error("the redirect URL must use http or https")]
    SchemeNotAllowed,
    /// `user[:password]@` before the host.
    #[error("the redirect URL must not carry a user name or password")]
    UserinfoNotAllowed,
    /// A well-formed URL whose origin is not allowed.
    #[error("the redirect URL's origin is not allowed")]
    OriginNotAllowed,
    /// A configured origin that is not `scheme://host[:port]`.
    #[error("`{0}` is not a valid origin: expected http(s)://host[:port]")]
    InvalidOrigin(String),
}

/// A redirect URL that passed [`AllowedOrigins::check_redirect`]: absolute,
/// normalised by the URL parser, and on an allowed origin.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RedirectUrl(String);

impl RedirectUrl {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// `scheme://host[:port]` of the URL, as browsers send it in `Origin`.
    pub fn origin(&self) -> Option<String> {
        let parsed = url::Url::parse(&self.0).ok()?;
        Some(parsed.origin().ascii_serialization()).filter(|o| o != "null")
    }

    /// Whether the URL is https (cookies for it get `Secure`).
    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }

    /// The URL with `name=value` appended to its query.
    pub fn with_query_pair(&self, name: &str, value: &str) -> Option<String> {
        let mut parsed = url::Url::parse(&self.0).ok()?;
        parsed.query_pairs_mut().append_pair(name, value);
        Some(parsed.into())
    }
}

impl fmt::Display for RedirectUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for RedirectUrl {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<RedirectUrl> for String {
    fn from(url: RedirectUrl) -> Self {
        url.0
    }
}

/// A normalised origin: scheme, host as the URL parser writes it (lowercase,
/// punycode, IPv6 in brackets), port with the scheme's default filled in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Origin {
    https: bool,
    host: String,
    port: u16,
}

impl Origin {
    fn is_loopback(&self) -> bool {
        matches!(self.host.as_str(), "127.0.0.1" | "localhost" | "[::1]")
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (scheme, default) = if self.https {
            ("https", 443)
        } else {
            ("http", 80)
        };
        if self.port == default {
            write!(f, "{scheme}://{}", self.host)
        } else {
            write!(f, "{scheme}://{}:{}", self.host, self.port)
        }
    }
}

/// The origins the Frontend API trusts: for CORS (`Origin` of browser
/// calls) and as handshake redirect targets. The default trusts nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedOrigins {
    origins: Vec<Origin>,
    allow_loopback: bool,
}

impl AllowedOrigins {
    /// `origins`: exact origins such as `https://app.example.com` or
    /// `http://127.0.0.1:3000` (`scheme://host[:port]`, an optional trailing
    /// `/`, nothing else; the host is lowercased and default ports are
    /// normalised: https 443, http 80). `allow_loopback` also allows http and
    /// https on `127.0.0.1`, `localhost` and `[::1]` on any port (development
    /// instances).
    pub fn new(origins: &[String], allow_loopback: bool) -> Result<Self, RedirectError> {
        let mut parsed = Vec::with_capacity(origins.len());
        for raw in origins {
            let origin =
                parse_origin(raw).map_err(|_| RedirectError::InvalidOrigin(raw.clone()))?;
            if !parsed.contains(&origin) {
                parsed.push(origin);
            }
        }
        Ok(Self {
            origins: parsed,
            allow_loopback,
        })
    }

    /// Whether loopback origins are allowed on any port.
    pub fn allows_loopback(&self) -> bool {
        self.allow_loopback
    }

    /// The configured origins, normalised (`https://app.example.com`).
    pub fn origins(&self) -> Vec<String> {
        self.origins.iter().map(ToString::to_string).collect()
    }

    /// Whether a request's `Origin` header value is allowed (CORS): the same
    /// origin after normalisation, or a loopback origin when allowed.
    /// Anything unparseable (including `null`) is not.
    pub fn contains(&self, origin: &str) -> bool {
        parse_origin(origin).is_ok_and(|o| self.allows(&o))
    }

    /// Validates a handshake `redirect_url` and returns it normalised.
    pub fn check_redirect(&self, redirect_url: &str) -> Result<RedirectUrl, RedirectError> {
        let (url, origin) = parse_checked(redirect_url)?;
        if !self.allows(&origin) {
            return Err(RedirectError::OriginNotAllowed);
        }
        Ok(RedirectUrl(url.into()))
    }

    fn allows(&self, origin: &Origin) -> bool {
        self.origins.contains(origin) || (self.allow_loopback && origin.is_loopback())
    }
}

/// The parts of a URL as written, checked before any parser sees it.
struct Written<'a> {
    /// The host exactly as written (IPv6 with its brackets).
    host: &'a str,
    /// Everything after the authority (path, query, fragment).
    rest: &'a str,
}

/// The textual checks made before parsing (see the module docs).
fn precheck(raw: &str) -> Result<Written<'_>, RedirectError> {
    if raw.is_empty() || raw.len() > MAX_REDIRECT_URL_BYTES {
        return Err(RedirectError::Malformed);
    }
    if raw
        .bytes()
        .any(|b| !b.is_ascii() || b.is_ascii_control() || b == b' ' || b == b'\\')
    {
        return Err(RedirectError::Malformed);
    }
    let Some((scheme, after_scheme)) = raw.split_once(':') else {
        return Err(RedirectError::NotAbsolute);
    };
    if !is_scheme(scheme) {
        return Err(RedirectError::NotAbsolute);
    }
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return Err(RedirectError::SchemeNotAllowed);
    }
    let Some(hier) = after_scheme.strip_prefix("//") else {
        return Err(RedirectError::NotAbsolute);
    };
    let end = hier.find(['/', '?', '#']).unwrap_or(hier.len());
    let (authority, rest) = hier.split_at(end);
    if authority.contains('@') {
        return Err(RedirectError::UserinfoNotAllowed);
    }
    if authority.is_empty() {
        return Err(RedirectError::NotAbsolute);
    }
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']').ok_or(RedirectError::Malformed)?;
        authority.split_at(close + 1)
    } else {
        authority.split_at(authority.find(':').unwrap_or(authority.len()))
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if host.is_empty() || !port_ok {
        return Err(RedirectError::Malformed);
    }
    Ok(Written { host, rest })
}

/// `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (RFC 3986).
fn is_scheme(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// Prechecks, parses and cross-checks an absolute http(s) URL.
fn parse_checked(raw: &str) -> Result<(Url, Origin), RedirectError> {
    let written = precheck(raw)?;
    let url = Url::parse(raw).map_err(|_| RedirectError::Malformed)?;
    let https = match url.scheme() {
        "https" => true,
        "http" => false,
        _ => return Err(RedirectError::SchemeNotAllowed),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(RedirectError::UserinfoNotAllowed);
    }
    let host = url.host_str().ok_or(RedirectError::NotAbsolute)?;
    // The parser must have read the host we read: this refuses numeric IPv4
    // spellings, percent-encoding and anything else it would rewrite.
    if !host.eq_ignore_ascii_case(written.host) {
        return Err(RedirectError::Malformed);
    }
    let port = url
        .port_or_known_default()
        .ok_or(RedirectError::Malformed)?;
    let origin = Origin {
        https,
        host: host.to_owned(),
        port,
    };
    Ok((url, origin))
}

/// Parses `scheme://host[:port][/]` into a normalised origin.
fn parse_origin(raw: &str) -> Result<Origin, RedirectError> {
    let written = precheck(raw)?;
    if !(written.rest.is_empty() || written.rest == "/") {
        return Err(RedirectError::Malformed);
    }
    let (url, origin) = parse_checked(raw)?;
    let valid_host = match url.host() {
        Some(Host::Domain(domain)) => is_hostname(domain),
        Some(Host::Ipv4(ip)) => ip != Ipv4Addr::UNSPECIFIED && !ip.is_broadcast(),
        Some(Host::Ipv6(ip)) => ip != Ipv6Addr::UNSPECIFIED,
        None => false,
    };
    if valid_host {
        Ok(origin)
    } else {
        Err(RedirectError::Malformed)
    }
}

/// Lowercase LDH labels (punycode included), no empty label, no trailing dot.
fn is_hostname(host: &str) -> bool {
    host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

#[cfg(test)]
mod tests;
