//! The token checks that need no key: the header before the signature, the
//! claims after it.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::claims::SessionClaims;
use crate::config::VerifierConfig;
use crate::error::VerifyError;
use crate::jwks::rsa_algorithm;
use crate::{MAX_TOKEN_BYTES, SESSION_TOKEN_CATEGORY};

/// What the header says, once it passed the checks that need no key.
#[derive(Debug)]
pub(crate) struct Header {
    pub(crate) alg: &'static str,
    pub(crate) kid: String,
    pub(crate) cat: Option<Value>,
}

/// Checks the token's shape and header: size, three base64url parts, a
/// JSON-object header with an RSA PKCS#1 `alg`, `typ` `JWT` if present, no
/// `crit`, and a `kid`.
pub(crate) fn parse_header(token: &str) -> Result<Header, VerifyError> {
    if token.is_empty() || token.len() > MAX_TOKEN_BYTES {
        return Err(VerifyError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(VerifyError::Malformed);
    };
    if header.is_empty() || payload.is_empty() {
        return Err(VerifyError::Malformed);
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| VerifyError::Malformed)?;
    let mut header: Map<String, Value> =
        serde_json::from_slice(&bytes).map_err(|_| VerifyError::Malformed)?;
    let alg = match header.get("alg") {
        Some(Value::String(name)) => rsa_algorithm(name)
            .map(crate::jwks::alg_name)
            .ok_or(VerifyError::UnsupportedAlgorithm)?,
        Some(_) => return Err(VerifyError::UnsupportedAlgorithm),
        None => return Err(VerifyError::MissingClaim("alg")),
    };
    if signature.is_empty() {
        return Err(VerifyError::InvalidSignature);
    }
    match header.get("typ") {
        None => {}
        Some(Value::String(typ)) if typ == "JWT" => {}
        Some(_) => return Err(VerifyError::Malformed),
    }
    // No extension is understood, so none may be critical (this also rules
    // out `b64: false`).
    if header.contains_key("crit") {
        return Err(VerifyError::Malformed);
    }
    let kid = match header.remove("kid") {
        Some(Value::String(kid)) if !kid.is_empty() => kid,
        _ => return Err(VerifyError::MissingClaim("kid")),
    };
    Ok(Header {
        alg,
        kid,
        cat: header.remove("cat"),
    })
}

/// Seconds since the Unix epoch (negative before it), saturating.
fn unix_seconds(t: std::time::SystemTime) -> i64 {
    match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

fn int_claim(claims: &Map<String, Value>, name: &'static str) -> Result<i64, VerifyError> {
    claims
        .get(name)
        .and_then(Value::as_i64)
        .ok_or(VerifyError::MissingClaim(name))
}

fn text_claim<'a>(
    claims: &'a Map<String, Value>,
    name: &'static str,
) -> Result<&'a str, VerifyError> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or(VerifyError::MissingClaim(name))
}

/// Checks the verified claims of a session token and decodes them.
pub(crate) fn check_claims(
    header: &Header,
    payload: &[u8],
    config: &VerifierConfig,
) -> Result<SessionClaims, VerifyError> {
    let claims: Map<String, Value> =
        serde_json::from_slice(payload).map_err(|_| VerifyError::Malformed)?;

    // A session token, or a legacy token without a category; never a
    // JWT-template or machine token.
    match &header.cat {
        None => {}
        Some(Value::String(cat)) if cat == SESSION_TOKEN_CATEGORY => {}
        Some(_) => return Err(VerifyError::WrongCategory),
    }
    let sub = text_claim(&claims, "sub")?;
    if sub.starts_with("mch_") {
        return Err(VerifyError::WrongCategory);
    }
    text_claim(&claims, "sid")?;
    let iss = text_claim(&claims, "iss")?;
    let exp = int_claim(&claims, "exp")?;
    let nbf = int_claim(&claims, "nbf")?;
    let iat = int_claim(&claims, "iat")?;

    let now = unix_seconds(config.clock.now());
    let leeway = i64::try_from(config.leeway.as_secs()).unwrap_or(i64::MAX);
    if exp <= now.saturating_sub(leeway) {
        return Err(VerifyError::Expired);
    }
    if nbf > now.saturating_add(leeway) {
        return Err(VerifyError::NotYetValid);
    }
    if iat > now.saturating_add(leeway) {
        return Err(VerifyError::IssuedInFuture);
    }

    if let Some(expected) = &config.issuer
        && iss.trim_end_matches('/') != expected.trim_end_matches('/')
    {
        return Err(VerifyError::WrongIssuer);
    }
    if !config.authorized_parties.is_empty() {
        let azp = claims
            .get("azp")
            .and_then(Value::as_str)
            .ok_or(VerifyError::UnauthorizedParty)?;
        if !config.authorized_parties.iter().any(|p| p == azp) {
            return Err(VerifyError::UnauthorizedParty);
        }
    }

    serde_json::from_value(Value::Object(claims)).map_err(|_| VerifyError::Malformed)
}
