//! # hallpass-adapter-jwt
//!
//! The signing adapter, on josekit (OpenSSL):
//! - [`JoseKeys`] generates RS256 key pairs (RSA-2048, e = 65537) and builds
//!   a [`KeyRing`] from the stored keys;
//! - [`KeyRing`] signs the instance's tokens with the active key and verifies
//!   them with whichever published key the `kid` names, with the algorithm
//!   pinned to RS256 (`alg: none`, HS256 and other confusions are refused).
//!
//! What goes *into* a token is decided by the domain
//! (`hallpass_domain::token`); this crate only encodes and signs.

mod claims;

use std::collections::HashMap;

use anyhow::Context as _;
use hallpass_domain::UnixMillis;
use hallpass_domain::token::{
    ClientTokenClaims, HandshakePayload, SessionTokenClaims, TokenCategory,
};
use hallpass_ports::signing::{
    GeneratedKey, KeyError, KeyRingFactory, SignError, TokenSigner, TokenVerifier, VerifyError,
};
use hallpass_ports::store::SigningKeyRecord;
use josekit::jwk::Jwk;
use josekit::jwk::KeyPair as _;
use josekit::jws::alg::rsassa::{RsassaJwsSigner, RsassaJwsVerifier};
use josekit::jws::{JwsHeader, JwsVerifier, RS256};
use josekit::jwt::{self, JwtPayload};
use secrecy::SecretString;
use serde_json::{Map, Value};

/// The only algorithm the instance signs with.
pub const ALGORITHM: &str = "RS256";
const KEY_BITS: u32 = 2048;

/// Generates keys and builds key rings.
#[derive(Debug, Clone, Copy, Default)]
pub struct JoseKeys;

impl KeyRingFactory for JoseKeys {
    type Ring = KeyRing;

    fn generate(&self, kid: &str) -> Result<GeneratedKey, KeyError> {
        let pair = RS256
            .generate_key_pair(KEY_BITS)
            .context("generating an RSA key pair")?;
        let pem = String::from_utf8(pair.to_pem_private_key()).context("PEM is not UTF-8")?;
        let mut jwk = pair.to_jwk_public_key();
        jwk.set_key_id(kid);
        jwk.set_algorithm(ALGORITHM);
        jwk.set_key_use("sig");
        Ok(GeneratedKey {
            private_pem: SecretString::from(pem),
            public_jwk: jwk.to_string(),
            algorithm: ALGORITHM.to_owned(),
        })
    }

    fn ring(&self, keys: &[SigningKeyRecord], now: UnixMillis) -> Result<KeyRing, KeyError> {
        KeyRing::new(keys, now)
    }
}

/// A verified token's header and claims, undecoded.
#[derive(Debug, Clone, PartialEq)]
pub struct RawToken {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
}

/// The instance's keys at one moment: one signer, every published verifier.
pub struct KeyRing {
    kid: String,
    signer: RsassaJwsSigner,
    verifiers: HashMap<String, RsassaJwsVerifier>,
    jwks: Vec<Value>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("active_kid", &self.kid)
            .field("published", &self.verifiers.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

fn is_published(key: &SigningKeyRecord, now: UnixMillis) -> bool {
    key.retires_at.is_none_or(|r| now < r)
}

fn unusable(key: &SigningKeyRecord, source: impl Into<anyhow::Error>) -> KeyError {
    KeyError::Unusable {
        kid: key.kid.clone(),
        source: source.into(),
    }
}

impl KeyRing {
    /// Builds the ring: every key not yet retired at `now` verifies; the
    /// newest of them whose `activates_at` has come signs.
    pub fn new(keys: &[SigningKeyRecord], now: UnixMillis) -> Result<Self, KeyError> {
        let mut verifiers = HashMap::new();
        let mut jwks = Vec::new();
        for key in keys.iter().filter(|k| is_published(k, now)) {
            if key.algorithm != ALGORITHM {
                return Err(unusable(
                    key,
                    anyhow::anyhow!("algorithm {}", key.algorithm),
                ));
            }
            let jwk = Jwk::from_bytes(key.public_jwk.as_bytes()).map_err(|e| unusable(key, e))?;
            if jwk.key_id() != Some(key.kid.as_str()) {
                return Err(unusable(key, anyhow::anyhow!("the JWK's kid differs")));
            }
            let verifier = RS256
                .verifier_from_jwk(&jwk)
                .map_err(|e| unusable(key, e))?;
            verifiers.insert(key.kid.clone(), verifier);
            jwks.push(Value::Object(jwk.as_ref().clone()));
        }
        let active = keys
            .iter()
            .filter(|k| is_published(k, now) && k.activates_at <= now)
            .max_by_key(|k| (k.activates_at, k.created_at))
            .ok_or(KeyError::NoActiveKey)?;
        if active.sealing != "none" {
            return Err(unusable(
                active,
                anyhow::anyhow!(
                    "sealed with {:?}, which this build cannot open",
                    active.sealing
                ),
            ));
        }
        let mut signer = RS256
            .signer_from_pem(active.private_key.as_bytes())
            .map_err(|e| unusable(active, e))?;
        signer.set_key_id(active.kid.clone());
        Ok(Self {
            kid: active.kid.clone(),
            signer,
            verifiers,
            jwks,
        })
    }

    /// The public keys to publish (`{"keys": [...]}` members).
    pub fn public_jwks(&self) -> &[Value] {
        &self.jwks
    }

    fn sign(
        &self,
        category: Option<TokenCategory>,
        claims: Map<String, Value>,
    ) -> Result<String, SignError> {
        let mut header = JwsHeader::new();
        header.set_token_type("JWT");
        header.set_key_id(&self.kid);
        if let Some(cat) = category {
            header
                .set_claim("cat", Some(Value::String(cat.as_str().to_owned())))
                .context("setting cat")?;
        }
        let payload = JwtPayload::from_map(claims).context("building the payload")?;
        Ok(jwt::encode_with_signer(&payload, &header, &self.signer).context("signing")?)
    }

    /// Decodes and verifies a token signed by one of the published keys.
    fn verify(&self, token: &str) -> Result<(Map<String, Value>, JwsHeader), VerifyError> {
        if token.len() > 16 * 1024 || token.split('.').count() != 3 {
            return Err(VerifyError::Malformed);
        }
        let header = jwt::decode_header(token).map_err(|_| VerifyError::Malformed)?;
        if header.claim("alg").and_then(Value::as_str) != Some(ALGORITHM) {
            return Err(VerifyError::Header);
        }
        if header
            .claim("typ")
            .is_some_and(|t| t.as_str() != Some("JWT"))
        {
            return Err(VerifyError::Header);
        }
        let kid = header
            .claim("kid")
            .and_then(Value::as_str)
            .ok_or(VerifyError::UnknownKey)?;
        let verifier = self.verifiers.get(kid).ok_or(VerifyError::UnknownKey)?;
        let (payload, header) = jwt::decode_with_verifier(token, verifier as &dyn JwsVerifier)
            .map_err(|_| VerifyError::Signature)?;
        Ok((payload.claims_set().clone(), header))
    }

    /// Verifies a token signed by a published key and returns its raw
    /// claims and header: for tests and tools that inspect tokens.
    pub fn verify_raw(&self, token: &str) -> Result<RawToken, VerifyError> {
        let (claims, header) = self.verify(token)?;
        Ok(RawToken {
            header: header.claims_set().clone(),
            claims,
        })
    }
}

impl TokenSigner for KeyRing {
    fn active_kid(&self) -> &str {
        &self.kid
    }

    fn sign_session_token(&self, claims: &SessionTokenClaims) -> Result<String, SignError> {
        self.sign(
            Some(TokenCategory::Session),
            claims::session_to_json(claims),
        )
    }

    fn sign_client_token(&self, claims: &ClientTokenClaims) -> Result<String, SignError> {
        self.sign(None, claims::client_to_json(claims))
    }

    fn sign_handshake(&self, payload: &HandshakePayload) -> Result<String, SignError> {
        self.sign(
            Some(TokenCategory::Session),
            claims::handshake_to_json(payload),
        )
    }
}

impl TokenVerifier for KeyRing {
    fn verify_client_token(&self, token: &str) -> Result<ClientTokenClaims, VerifyError> {
        let (claims, header) = self.verify(token)?;
        // A client token carries no category: a session or template token
        // (which do) is never accepted as a client token.
        if header.claim("cat").is_some() {
            return Err(VerifyError::Header);
        }
        claims::client_from_json(&claims).ok_or(VerifyError::Claims)
    }

    fn verify_session_token(
        &self,
        token: &str,
        now: UnixMillis,
    ) -> Result<SessionTokenClaims, VerifyError> {
        let (claims, header) = self.verify(token)?;
        if header.claim("cat").and_then(Value::as_str) != Some(TokenCategory::Session.as_str()) {
            return Err(VerifyError::Header);
        }
        let parsed = claims::session_from_json(&claims).ok_or(VerifyError::Claims)?;
        let now = now.as_secs();
        if parsed.exp <= now {
            return Err(VerifyError::Expired);
        }
        if parsed.nbf > now || parsed.iat > now.saturating_add(claims::SESSION_TOKEN_NBF_LEEWAY) {
            return Err(VerifyError::Claims);
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests;
