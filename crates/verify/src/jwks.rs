//! Reading a JWKS into pinned verifiers, and fetching one.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use josekit::jwk::Jwk;
use josekit::jws::alg::rsassa::{RsassaJwsAlgorithm, RsassaJwsVerifier};
use josekit::jws::{RS256, RS384, RS512};
use serde_json::Value;

use crate::error::VerifyError;

/// A JWKS larger than this is refused.
const MAX_JWKS_BYTES: usize = 256 * 1024;

/// One published key, pinned to one algorithm.
#[derive(Debug)]
pub(crate) struct Key {
    pub(crate) alg: &'static str,
    pub(crate) verifier: RsassaJwsVerifier,
}

/// The usable keys by `kid`.
pub(crate) type Keys = HashMap<String, Arc<Key>>;

/// The algorithm a token's `alg` may name, or `None` if it is never accepted.
pub(crate) fn rsa_algorithm(name: &str) -> Option<RsassaJwsAlgorithm> {
    match name {
        "RS256" => Some(RS256),
        "RS384" => Some(RS384),
        "RS512" => Some(RS512),
        _ => None,
    }
}

/// Builds a pinned key from one JWK: RSA only, `use` `sig` if present,
/// `alg` RS256/RS384/RS512 if present (RS256 when absent), 2048 bits or more.
fn key_from_jwk(value: &Value) -> Result<(String, Key), String> {
    let map = value.as_object().ok_or("a key is not an object")?;
    let jwk = Jwk::from_map(map.clone()).map_err(|e| e.to_string())?;
    let kid = jwk
        .key_id()
        .filter(|k| !k.is_empty())
        .ok_or("a key has no kid")?
        .to_owned();
    if jwk.key_type() != "RSA" {
        return Err(format!("key {kid}: kty {} is not RSA", jwk.key_type()));
    }
    let alg = match jwk.algorithm() {
        None => RS256,
        Some(name) => {
            rsa_algorithm(name).ok_or_else(|| format!("key {kid}: alg {name} is not accepted"))?
        }
    };
    // josekit checks kty, use, key_ops, alg and the key size (>= 2048 bits).
    let verifier = alg
        .verifier_from_jwk(&jwk)
        .map_err(|e| format!("key {kid}: {e}"))?;
    Ok((
        kid,
        Key {
            alg: alg_name(alg),
            verifier,
        },
    ))
}

pub(crate) fn alg_name(alg: RsassaJwsAlgorithm) -> &'static str {
    match alg {
        RsassaJwsAlgorithm::Rs256 => "RS256",
        RsassaJwsAlgorithm::Rs384 => "RS384",
        RsassaJwsAlgorithm::Rs512 => "RS512",
    }
}

/// Parses `{"keys":[…]}`. Keys this crate cannot use (other key types or
/// algorithms, short keys) are skipped; a `kid` that appears twice is
/// dropped altogether (ambiguous). No usable key at all is an error.
pub(crate) fn parse(json: &[u8]) -> Result<Keys, String> {
    let doc: Value = serde_json::from_slice(json).map_err(|e| format!("not JSON: {e}"))?;
    let list = doc
        .get("keys")
        .and_then(Value::as_array)
        .ok_or("no \"keys\" array")?;
    let mut keys = HashMap::new();
    let mut duplicated = HashSet::new();
    let mut skipped = Vec::new();
    for value in list {
        match key_from_jwk(value) {
            Ok((kid, key)) => {
                if keys.insert(kid.clone(), Arc::new(key)).is_some() {
                    duplicated.insert(kid);
                }
            }
            Err(reason) => skipped.push(reason),
        }
    }
    for kid in &duplicated {
        keys.remove(kid);
        skipped.push(format!("key {kid}: kid published twice"));
    }
    if !skipped.is_empty() {
        tracing::debug!(skipped = ?skipped, "JWKS keys skipped");
    }
    if keys.is_empty() {
        return Err(if skipped.is_empty() {
            "the JWKS has no keys".to_owned()
        } else {
            format!("the JWKS has no usable key ({})", skipped.join("; "))
        });
    }
    Ok(keys)
}

/// A JWKS endpoint and how to call it.
#[derive(Debug)]
pub(crate) struct Fetcher {
    pub(crate) client: reqwest::Client,
    pub(crate) url: reqwest::Url,
    pub(crate) secret_key: Option<String>,
}

impl Fetcher {
    /// Fetches and parses the JWKS. Errors name the URL, never the secret.
    pub(crate) async fn fetch(&self) -> Result<Keys, VerifyError> {
        let fail = |what: String| VerifyError::Jwks(format!("GET {}: {what}", self.url));
        let mut request = self
            .client
            .get(self.url.clone())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(secret) = &self.secret_key {
            request = request.bearer_auth(secret);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| fail(e.without_url().to_string()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(fail(format!("HTTP {status}")));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_JWKS_BYTES as u64)
        {
            return Err(fail("the JWKS is too large".to_owned()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| fail(e.without_url().to_string()))?
        {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(fail("the JWKS is too large".to_owned()));
            }
            body.extend_from_slice(&chunk);
        }
        parse(&body).map_err(fail)
    }
}
