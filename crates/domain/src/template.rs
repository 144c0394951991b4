//! JWT templates: Clerk's custom tokens.
//!
//! A template is a name, a claims object whose string values may hold
//! shortcodes (`"{{user.first_name || 'anon'}}"`), a lifetime, an allowed
//! clock skew and how tokens are signed.
//!
//! - [`validate_claims`] refuses reserved claims and malformed shortcodes
//!   (template creation and update call it);
//! - [`render_claims`] substitutes shortcodes from a context object the caller
//!   builds (`{"user": {...}, "session": {...}, "org": {...}}`);
//! - [`template_token_claims`] is the full claim set of a template token: the
//!   rendered claims, then the reserved claims, which the system always sets.
//!
//! Shortcode rules (Clerk's):
//! - a string that is exactly one shortcode, `"{{ expr }}"`, becomes the
//!   *typed* value of `expr` (object, array, number, bool or null);
//! - shortcodes inside a longer string are written as text and concatenated:
//!   strings as-is, `null`, `true`/`false`, numbers as decimal text, objects
//!   and arrays as compact JSON;
//! - `a || b || c` is the first operand that is neither `null` nor `false`,
//!   else the last; operands are dot paths (`user.public_metadata.plan`),
//!   quoted strings (`'guest'`, `"guest"`), numbers, `true`, `false`, `null`;
//! - an unknown path (a missing key, or a step into a non-object) is `null`;
//! - substitution reaches every depth of objects and arrays (values only, not
//!   keys); other values are copied as-is.
//!
//! The grammar inside `{{ }}`:
//!
//! ```text
//! expr     = operand *( "||" operand )
//! operand  = path | string | number | "true" | "false" | "null"
//! path     = segment *( "." segment )      ; segment: letters, digits, _ - $
//!                                          ; the first may not start with a digit or -
//! string   = "'" chars "'" | '"' chars '"' ; escapes: \\ \' \"
//! number   = JSON's number grammar
//! ```
//!
//! Whitespace around tokens is ignored, a `}}` inside a quoted string does not
//! close the shortcode, and a `}}` outside any shortcode is plain text.

mod context;
mod shortcode;
#[cfg(test)]
mod tests;

use std::fmt::{self, Write as _};
use std::str::FromStr;

pub use context::{TemplateOrganization, template_context};
pub use shortcode::ShortcodeError;

use crate::id::JwtTemplateId;
use crate::json::{Json, JsonObject};
use crate::time::UnixMillis;

/// Claims the system sets on every template token; a template may not.
pub const RESERVED_CLAIMS: [&str; 7] = ["azp", "exp", "iat", "iss", "jti", "nbf", "sub"];

/// Why a template (or one of its parameters) was refused.
///
/// Every variant names the request parameter at fault in `param` (Clerk's
/// `meta.param_name`): `name`, `claims`, `lifetime`, `allowed_clock_skew`,
/// `signing_algorithm` or `signing_key`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("`{param}` must be 1 to {max} characters without control characters")]
    InvalidName { param: &'static str, max: usize },
    #[error("`{param}`: the claim `{claim}` is reserved and set by the system")]
    ReservedClaim { param: &'static str, claim: String },
    #[error("`{param}`: the claim `{claim}` has a malformed shortcode: {reason}")]
    MalformedShortcode {
        param: &'static str,
        /// Where the value sits, e.g. `profile.interests[2]`.
        claim: String,
        reason: ShortcodeError,
    },
    #[error("`{param}`: the claim `{claim}` is a number JSON cannot carry")]
    NonFiniteNumber { param: &'static str, claim: String },
    #[error("`{param}` must be between {min} and {max} seconds (got {got})")]
    OutOfRange {
        param: &'static str,
        min: i64,
        max: i64,
        got: i64,
    },
    #[error("`{param}`: unknown signing algorithm `{value}`")]
    UnknownSigningAlgorithm { param: &'static str, value: String },
    #[error("`{param}` {reason}")]
    InvalidSigningKey {
        param: &'static str,
        reason: &'static str,
    },
}

impl TemplateError {
    /// The request parameter at fault.
    pub fn param(&self) -> &'static str {
        match self {
            Self::InvalidName { param, .. }
            | Self::ReservedClaim { param, .. }
            | Self::MalformedShortcode { param, .. }
            | Self::NonFiniteNumber { param, .. }
            | Self::OutOfRange { param, .. }
            | Self::UnknownSigningAlgorithm { param, .. }
            | Self::InvalidSigningKey { param, .. } => param,
        }
    }
}

/// Renders a template's claims in `context`: every string value holding
/// shortcodes is substituted, at any depth; everything else is copied.
///
/// Total: never fails and never panics. A string whose shortcodes do not
/// parse (which [`validate_claims`] would have refused) is copied unchanged.
pub fn render_claims(claims: &JsonObject, context: &Json) -> JsonObject {
    claims.map_values(|value| render_value(value, context))
}

fn render_value(value: &Json, context: &Json) -> Json {
    match value {
        Json::String(s) => shortcode::render_str(s, context),
        Json::Array(items) => Json::Array(items.iter().map(|v| render_value(v, context)).collect()),
        Json::Object(object) => Json::Object(object.map_values(|v| render_value(v, context))),
        other => other.clone(),
    }
}

/// Checks a template's claims: no reserved claim at the top level
/// ([`RESERVED_CLAIMS`]), no malformed shortcode and no non-finite number at
/// any depth.
pub fn validate_claims(claims: &JsonObject) -> Result<(), TemplateError> {
    if let Some(claim) = claims.keys().find(|k| RESERVED_CLAIMS.contains(k)) {
        return Err(TemplateError::ReservedClaim {
            param: "claims",
            claim: claim.to_owned(),
        });
    }
    for (key, value) in claims.iter() {
        let mut path = key.to_owned();
        validate_value(value, &mut path)?;
    }
    Ok(())
}

/// Checks `value`, found at `path` (restored on success).
fn validate_value(value: &Json, path: &mut String) -> Result<(), TemplateError> {
    match value {
        Json::String(s) if shortcode::has_shortcode(s) => {
            shortcode::parse(s)
                .map(|_| ())
                .map_err(|reason| TemplateError::MalformedShortcode {
                    param: "claims",
                    claim: path.clone(),
                    reason,
                })
        }
        Json::Number(n) if !n.is_finite() => Err(TemplateError::NonFiniteNumber {
            param: "claims",
            claim: path.clone(),
        }),
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                let _ = write!(path, "[{i}]");
                validate_value(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Json::Object(object) => {
            for (key, item) in object.iter() {
                let len = path.len();
                path.push('.');
                path.push_str(key);
                validate_value(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A JWS algorithm a template may sign with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SigningAlgorithm {
    RS256,
    RS384,
    RS512,
    ES256,
    ES384,
    EdDSA,
    HS256,
    HS384,
    HS512,
}

impl SigningAlgorithm {
    pub const ALL: [SigningAlgorithm; 9] = [
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::ES256,
        Self::ES384,
        Self::EdDSA,
        Self::HS256,
        Self::HS384,
        Self::HS512,
    ];

    /// The JWS `alg` name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::EdDSA => "EdDSA",
            Self::HS256 => "HS256",
            Self::HS384 => "HS384",
            Self::HS512 => "HS512",
        }
    }

    /// Parses an exact `alg` name (case-sensitive, as in JWS).
    pub fn parse(value: &str) -> Result<Self, TemplateError> {
        Self::ALL
            .into_iter()
            .find(|alg| alg.as_str() == value)
            .ok_or_else(|| TemplateError::UnknownSigningAlgorithm {
                param: "signing_algorithm",
                value: value.to_owned(),
            })
    }

    /// HMAC: the key is a shared secret, not a private key.
    pub fn is_hmac(self) -> bool {
        matches!(self, Self::HS256 | Self::HS384 | Self::HS512)
    }

    /// The shortest HMAC secret RFC 7518 §3.2 allows (the hash size), in
    /// bytes; `None` for the asymmetric algorithms.
    pub fn min_hmac_secret_bytes(self) -> Option<usize> {
        match self {
            Self::HS256 => Some(32),
            Self::HS384 => Some(48),
            Self::HS512 => Some(64),
            _ => None,
        }
    }
}

impl fmt::Display for SigningAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SigningAlgorithm {
    type Err = TemplateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A template's own signing secret: a PEM private key, or an HMAC secret.
/// `Debug` never shows it; [`CustomSigningKey::expose`] does.
#[derive(Clone, PartialEq, Eq)]
pub struct CustomSigningKey(String);

impl CustomSigningKey {
    /// The longest key accepted, in bytes (a PEM RSA-4096 key is about 3.3 KB).
    pub const MAX_BYTES: usize = 16 * 1024;

    /// Wraps the secret text; [`JwtTemplate::create`] checks it against the
    /// algorithm.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret text, for the signing adapter.
    pub fn expose(&self) -> &str {
        &self.0
    }

    fn check(&self, algorithm: SigningAlgorithm) -> Result<(), TemplateError> {
        let invalid = |reason| TemplateError::InvalidSigningKey {
            param: "signing_key",
            reason,
        };
        let key = self.0.as_str();
        if key.trim().is_empty() {
            return Err(invalid("must not be empty"));
        }
        if key.len() > Self::MAX_BYTES {
            return Err(invalid("must be at most 16384 bytes"));
        }
        match algorithm.min_hmac_secret_bytes() {
            Some(min) if key.len() < min => Err(invalid(match algorithm {
                SigningAlgorithm::HS384 => "must be at least 48 bytes for HS384",
                SigningAlgorithm::HS512 => "must be at least 64 bytes for HS512",
                _ => "must be at least 32 bytes for HS256",
            })),
            Some(_) => Ok(()),
            None if key.contains("-----BEGIN") && key.contains("PRIVATE KEY-----") => Ok(()),
            None => Err(invalid("must be a PEM-encoded private key")),
        }
    }
}

impl fmt::Debug for CustomSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CustomSigningKey(<redacted>)")
    }
}

impl From<String> for CustomSigningKey {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

/// How a template's tokens are signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateSigning {
    /// With the instance's own key (RS256), like session tokens.
    InstanceKey,
    /// With the template's own key and algorithm.
    Custom {
        algorithm: SigningAlgorithm,
        key: CustomSigningKey,
    },
}

impl TemplateSigning {
    /// Whether the template has its own key (Clerk's `custom_signing_key`).
    pub fn is_custom(&self) -> bool {
        matches!(self, Self::Custom { .. })
    }

    /// The custom algorithm, when there is one.
    pub fn custom_algorithm(&self) -> Option<SigningAlgorithm> {
        match self {
            Self::InstanceKey => None,
            Self::Custom { algorithm, .. } => Some(*algorithm),
        }
    }

    fn check(&self) -> Result<(), TemplateError> {
        match self {
            Self::InstanceKey => Ok(()),
            Self::Custom { algorithm, key } => key.check(*algorithm),
        }
    }
}

/// A template's name: trimmed, 1 to 256 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TemplateName(String);

impl TemplateName {
    pub const MAX_CHARS: usize = 256;

    /// Trims `value` and validates what is left.
    pub fn parse(value: &str) -> Result<Self, TemplateError> {
        let value = value.trim();
        let chars = value.chars().count();
        if chars == 0 || chars > Self::MAX_CHARS || value.chars().any(char::is_control) {
            return Err(TemplateError::InvalidName {
                param: "name",
                max: Self::MAX_CHARS,
            });
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TemplateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TemplateName {
    type Err = TemplateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// What a caller asks for when creating or replacing a template; `None`
/// lifetimes take the defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJwtTemplate {
    pub name: String,
    pub claims: JsonObject,
    pub lifetime_secs: Option<i64>,
    pub allowed_clock_skew_secs: Option<i64>,
    pub signing: TemplateSigning,
}

/// A JWT template.
#[derive(Debug, Clone, PartialEq)]
pub struct JwtTemplate {
    id: JwtTemplateId,
    name: TemplateName,
    claims: JsonObject,
    lifetime: i64,
    allowed_clock_skew: i64,
    signing: TemplateSigning,
    created_at: UnixMillis,
    updated_at: UnixMillis,
}

/// All the stored fields of a template, for storage adapters to rebuild one.
#[derive(Debug, Clone, PartialEq)]
pub struct JwtTemplateRecord {
    pub id: JwtTemplateId,
    pub name: TemplateName,
    pub claims: JsonObject,
    /// Seconds.
    pub lifetime: i64,
    /// Seconds.
    pub allowed_clock_skew: i64,
    pub signing: TemplateSigning,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
}

/// The validated contents of a [`NewJwtTemplate`].
struct Checked {
    name: TemplateName,
    claims: JsonObject,
    lifetime: i64,
    allowed_clock_skew: i64,
    signing: TemplateSigning,
}

fn in_range(
    param: &'static str,
    value: Option<i64>,
    default: i64,
    range: &std::ops::RangeInclusive<i64>,
) -> Result<i64, TemplateError> {
    let value = value.unwrap_or(default);
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(TemplateError::OutOfRange {
            param,
            min: *range.start(),
            max: *range.end(),
            got: value,
        })
    }
}

impl Checked {
    fn from_new(new: NewJwtTemplate) -> Result<Self, TemplateError> {
        let name = TemplateName::parse(&new.name)?;
        validate_claims(&new.claims)?;
        let lifetime = in_range(
            "lifetime",
            new.lifetime_secs,
            JwtTemplate::DEFAULT_LIFETIME_SECS,
            &JwtTemplate::LIFETIME_SECS,
        )?;
        let allowed_clock_skew = in_range(
            "allowed_clock_skew",
            new.allowed_clock_skew_secs,
            JwtTemplate::DEFAULT_ALLOWED_CLOCK_SKEW_SECS,
            &JwtTemplate::ALLOWED_CLOCK_SKEW_SECS,
        )?;
        new.signing.check()?;
        Ok(Self {
            name,
            claims: new.claims,
            lifetime,
            allowed_clock_skew,
            signing: new.signing,
        })
    }
}

impl JwtTemplate {
    /// Token lifetime when none is given, in seconds.
    pub const DEFAULT_LIFETIME_SECS: i64 = 60;
    /// Allowed token lifetimes, in seconds (30 s to 10 years).
    pub const LIFETIME_SECS: std::ops::RangeInclusive<i64> = 30..=315_360_000;
    /// Allowed clock skew when none is given, in seconds.
    pub const DEFAULT_ALLOWED_CLOCK_SKEW_SECS: i64 = 5;
    /// Allowed clock skews, in seconds.
    pub const ALLOWED_CLOCK_SKEW_SECS: std::ops::RangeInclusive<i64> = 0..=300;

    /// Validates `new` and creates the template at `now`. Checks, in order:
    /// name, claims, lifetime, allowed clock skew, signing key.
    pub fn create(
        id: JwtTemplateId,
        new: NewJwtTemplate,
        now: UnixMillis,
    ) -> Result<Self, TemplateError> {
        let checked = Checked::from_new(new)?;
        Ok(Self {
            id,
            name: checked.name,
            claims: checked.claims,
            lifetime: checked.lifetime,
            allowed_clock_skew: checked.allowed_clock_skew,
            signing: checked.signing,
            created_at: now,
            updated_at: now,
        })
    }

    /// Replaces everything but the id and `created_at` with `new`, validated
    /// as [`JwtTemplate::create`] does. `updated_at` never moves backwards.
    /// On error the template is unchanged.
    pub fn update(&mut self, new: NewJwtTemplate, now: UnixMillis) -> Result<(), TemplateError> {
        let checked = Checked::from_new(new)?;
        self.name = checked.name;
        self.claims = checked.claims;
        self.lifetime = checked.lifetime;
        self.allowed_clock_skew = checked.allowed_clock_skew;
        self.signing = checked.signing;
        self.updated_at = self.updated_at.max(now);
        Ok(())
    }

    /// Rebuilds a template from storage, which is trusted to hold what the
    /// domain wrote.
    pub fn from_record(r: JwtTemplateRecord) -> Self {
        Self {
            id: r.id,
            name: r.name,
            claims: r.claims,
            lifetime: r.lifetime,
            allowed_clock_skew: r.allowed_clock_skew,
            signing: r.signing,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }

    /// The stored fields.
    pub fn to_record(&self) -> JwtTemplateRecord {
        JwtTemplateRecord {
            id: self.id.clone(),
            name: self.name.clone(),
            claims: self.claims.clone(),
            lifetime: self.lifetime,
            allowed_clock_skew: self.allowed_clock_skew,
            signing: self.signing.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    pub fn id(&self) -> &JwtTemplateId {
        &self.id
    }
    pub fn name(&self) -> &TemplateName {
        &self.name
    }
    pub fn claims(&self) -> &JsonObject {
        &self.claims
    }
    /// Token lifetime, in seconds.
    pub fn lifetime(&self) -> i64 {
        self.lifetime
    }
    /// How far `nbf` lies before `iat`, in seconds.
    pub fn allowed_clock_skew(&self) -> i64 {
        self.allowed_clock_skew
    }
    pub fn signing(&self) -> &TemplateSigning {
        &self.signing
    }
    pub fn created_at(&self) -> UnixMillis {
        self.created_at
    }
    pub fn updated_at(&self) -> UnixMillis {
        self.updated_at
    }
}

/// What the system contributes to a template token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateTokenInput<'a> {
    pub iss: &'a str,
    pub sub: &'a str,
    /// The authorized party (the request's Origin); omitted when `None` or empty.
    pub azp: Option<&'a str>,
    pub jti: &'a str,
    pub now: UnixMillis,
    /// Overrides the template's lifetime; the caller validates it.
    pub expires_in_secs: Option<i64>,
}

/// The claims of a token minted from `template`: its claims rendered in
/// `context`, then the reserved claims, set by the system and overriding
/// anything the template holds: `iat` (now, in seconds), `exp` (`iat` plus
/// `expires_in_secs` or the template's lifetime), `nbf` (`iat` minus the
/// allowed clock skew), `iss`, `sub`, `jti` and `azp` (when given).
///
/// Nothing else is added: no `aud` unless the template sets one, no `sid`,
/// no `v`. Arithmetic saturates; this never fails.
pub fn template_token_claims(
    template: &JwtTemplate,
    context: &Json,
    input: &TemplateTokenInput<'_>,
) -> JsonObject {
    let mut claims = render_claims(template.claims(), context);
    for key in RESERVED_CLAIMS {
        claims.remove(key);
    }
    let iat = input.now.as_secs();
    let lifetime = input.expires_in_secs.unwrap_or(template.lifetime());
    claims.insert("iat", Json::int(iat));
    claims.insert("exp", Json::int(iat.saturating_add(lifetime)));
    claims.insert(
        "nbf",
        Json::int(iat.saturating_sub(template.allowed_clock_skew())),
    );
    claims.insert("iss", Json::str(input.iss));
    claims.insert("sub", Json::str(input.sub));
    claims.insert("jti", Json::str(input.jti));
    if let Some(azp) = input.azp.filter(|azp| !azp.is_empty()) {
        claims.insert("azp", Json::str(azp));
    }
    claims
}
