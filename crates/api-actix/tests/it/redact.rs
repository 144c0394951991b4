//! Redactions for JSON snapshots: every id, token and timestamp is checked
//! for its shape first, then replaced by a stable label.
//!
//! - Generated ids (`sess_…`, `client_…`, …) become `[sess_1]`, numbered
//!   by their random body within one snapshot (in the order the redactions
//!   meet them: deterministic, as the ids and the traversal are), so a
//!   snapshot still shows that `last_active_session_id` is `sessions[0].id`
//!   (and that `sia_1`/`sess_activity_1` belong to `sess_1`). Users and
//!   organizations Hallpass created (`user_` or `org_` and 22 base62
//!   characters) are numbered too; ids a test chose (`user_1`) stay.
//! - Timestamps are shown relative to the test clock's start ([`T0`]):
//!   `[T0+7d]`. The clock is fixed, so the offsets are exact.
//! - JWTs become `[jwt]` after their header and payload decode; opaque
//!   tokens (tickets, refresh tokens, nonces) `[token]` after a base62
//!   check; cookie directives keep their name and attributes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use insta::internals::{Content, ContentPath};

use crate::support::{T0, jwt_parts};

/// Id prefixes Hallpass generates, longest first (`sess_activity_` before `sess_`).
const PREFIXES: [&str; 15] = [
    "sess_activity_",
    "display_config_",
    "aac_",
    "client_",
    "sess_",
    "sia_",
    "dvb_",
    "jtmp_",
    "sit_",
    "ins_",
    "sk_id_",
    "user_",
    "org_",
    "idn_",
    "orgmem_",
];

/// Keys whose values are timestamps in milliseconds.
const MILLIS: [&str; 7] = [
    "created_at",
    "updated_at",
    "expire_at",
    "abandon_at",
    "last_active_at",
    "last_sign_in_at",
    "cookie_expires_at",
];

/// Keys whose values are timestamps in seconds (JWT claims).
const SECONDS: [&str; 3] = ["iat", "exp", "nbf"];

/// Keys whose values are generated ids.
const IDS: [&str; 11] = [
    "id",
    "client_id",
    "last_active_session_id",
    "created_session_id",
    "session_id",
    "sid",
    "kid",
    "user_id",
    "primary_email_address_id",
    "primary_phone_number_id",
    "created_by",
];

fn base62(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Numbers the random bodies seen in one snapshot.
#[derive(Debug, Default)]
struct Numbering(Mutex<HashMap<String, usize>>);

impl Numbering {
    fn label(&self, id: &str) -> Option<String> {
        let prefix = PREFIXES.iter().find(|p| id.starts_with(**p))?;
        let body = &id[prefix.len()..];
        if body.len() != 22 || !base62(body) {
            return None;
        }
        let mut seen = self.0.lock().unwrap();
        let next = seen.len() + 1;
        let n = *seen.entry(body.to_owned()).or_insert(next);
        Some(format!("[{prefix}{n}]"))
    }

    /// Ids the test chose (users, organizations) stay as they are.
    fn id(&self, value: &str, path: &ContentPath<'_>) -> String {
        if let Some(label) = self.label(value) {
            return label;
        }
        assert!(
            value.starts_with("user_") || value.starts_with("org_"),
            "{path}: {value:?} is neither a generated id nor a test's user or organization"
        );
        value.to_owned()
    }
}

/// `[T0]`, `[T0+7d]`, `[T0-5s]`: `ms` relative to the clock's start.
fn relative(ms: i64) -> String {
    let offset = ms - T0;
    assert!(
        offset.abs() <= 400 * 86_400_000,
        "{ms} is not a timestamp near the test clock"
    );
    if offset == 0 {
        return "[T0]".to_owned();
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let abs = offset.abs();
    let unit = [
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1_000, "s"),
        (1, "ms"),
    ]
    .into_iter()
    .find(|(size, _)| abs % size == 0)
    .unwrap_or((1, "ms"));
    format!("[T0{sign}{}{}]", abs / unit.0, unit.1)
}

fn timestamp(value: &Content, path: &ContentPath<'_>, scale: i64) -> Content {
    if value.is_nil() {
        return value.clone();
    }
    let n = value
        .as_i64()
        .unwrap_or_else(|| panic!("{path}: {value:?} is not an integer timestamp"));
    Content::from(relative(n * scale))
}

/// A JWT or an opaque token, after checking which it is.
fn token(value: &str, path: &ContentPath<'_>) -> String {
    if value.matches('.').count() == 2 {
        let (header, _) = jwt_parts(value);
        assert!(header["alg"].is_string(), "{path}: a JWT header: {header}");
        return "[jwt]".to_owned();
    }
    assert!(
        value.len() == 44 && base62(value),
        "{path}: {value:?} is neither a JWT nor an opaque token"
    );
    "[token]".to_owned()
}

/// A cookie directive (`name=value; Attr…`) with its value redacted by kind.
fn directive(value: &str, numbering: &Numbering, path: &ContentPath<'_>) -> String {
    let (pair, attributes) = value.split_once(';').unwrap_or((value, ""));
    let (name, v) = pair
        .split_once('=')
        .unwrap_or_else(|| panic!("{path}: {value:?} is not a cookie"));
    let v = if v.is_empty() || v == "0" {
        v.to_owned()
    } else if name.starts_with("__client_uat") {
        relative(v.parse::<i64>().unwrap() * 1000)
    } else if let Some(label) = numbering.label(v) {
        label
    } else {
        token(v, path)
    };
    let attributes = if attributes.is_empty() {
        String::new()
    } else {
        format!(";{attributes}")
    };
    format!("{name}={v}{attributes}")
}

fn string<'a>(value: &'a Content, path: &ContentPath<'_>) -> &'a str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("{path}: {value:?} is not a string"))
}

/// A list of strings, each redacted by `redact`.
fn each(value: &Content, path: &ContentPath<'_>, redact: impl Fn(&str) -> String) -> Content {
    let items = value
        .as_slice()
        .unwrap_or_else(|| panic!("{path}: {value:?} is not a list"));
    Content::Seq(
        items
            .iter()
            .map(|item| Content::from(redact(string(item, path))))
            .collect(),
    )
}

/// The settings every snapshot of a response body is taken with.
pub fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    let numbering = Arc::new(Numbering::default());
    for key in IDS {
        let numbering = Arc::clone(&numbering);
        settings.add_dynamic_redaction(&format!(".**.{key}"), move |value, path| {
            // No id (`null`), or none (an organization without a creator).
            if value.is_nil() || value.as_str() == Some("") {
                return value;
            }
            Content::from(numbering.id(string(&value, &path), &path))
        });
    }
    // Lists are redacted whole: a deep wildcard followed by `[]` also
    // matches a top-level array's items.
    let ids = Arc::clone(&numbering);
    settings.add_dynamic_redaction(".**.session_ids", move |value, path| {
        each(&value, &path, |id| ids.id(id, &path))
    });
    for key in MILLIS {
        settings.add_dynamic_redaction(&format!(".**.{key}"), |value, path| {
            timestamp(&value, &path, 1)
        });
    }
    for key in SECONDS {
        settings.add_dynamic_redaction(&format!(".**.{key}"), |value, path| {
            timestamp(&value, &path, 1000)
        });
    }
    settings.add_dynamic_redaction(".**.jwt", |value, path| {
        let jwt = string(&value, &path);
        assert_eq!(token(jwt, &path), "[jwt]", "{path}: a JWT");
        Content::from("[jwt]")
    });
    let tokens = Arc::clone(&numbering);
    settings.add_dynamic_redaction(".**.token", move |value, path| {
        let value = string(&value, &path);
        // A development browser's `token` is its id.
        Content::from(tokens.label(value).unwrap_or_else(|| token(value, &path)))
    });
    settings.add_dynamic_redaction(".**.url", |value, path| {
        let url = string(&value, &path);
        let (base, ticket) = url
            .split_once("?ticket=")
            .unwrap_or_else(|| panic!("{path}: {url:?} carries no ticket"));
        Content::from(format!("{base}?ticket={}", token(ticket, &path)))
    });
    // A template token's unique id: 128 random bits in base62.
    settings.add_dynamic_redaction(".**.jti", |value, path| {
        let jti = string(&value, &path);
        assert!(
            jti.len() == 22 && base62(jti),
            "{path}: {jti:?} is not a token id"
        );
        Content::from("[jti]")
    });
    // The RSA modulus of a generated key.
    settings.add_dynamic_redaction(".**.n", |value, path| {
        let n = string(&value, &path);
        assert!(
            n.len() > 300
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{path}: {n:?} is not a base64url RSA modulus"
        );
        Content::from("[modulus]")
    });
    for key in ["cookies", "directives", "handshake"] {
        let numbering = Arc::clone(&numbering);
        settings.add_dynamic_redaction(&format!(".**.{key}"), move |value, path| {
            each(&value, &path, |d| directive(d, &numbering, &path))
        });
    }
    settings
}
