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
mod custom;
pub mod sealing;

use std::collections::HashMap;

use anyhow::Context as _;
use hallpass_domain::token::{
    ClientTokenClaims, HandshakePayload, SessionTokenClaims, TokenCategory,
};
use hallpass_domain::{JsonObject, SigningAlgorithm, UnixMillis};
use hallpass_ports::signing::{
    GeneratedKey, KeyError, KeyRingFactory, SealedSecrets, SignError, TokenSigner, TokenVerifier,
    VerifyError,
};
use hallpass_ports::store::{SealedCustomKey, SigningKeyRecord};
use josekit::jwk::Jwk;
use josekit::jwk::KeyPair as _;
use josekit::jws::alg::rsassa::{RsassaJwsSigner, RsassaJwsVerifier};
use josekit::jws::{JwsHeader, JwsVerifier, RS256};
use josekit::jwt::{self, JwtPayload};
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::{Map, Value};

pub use sealing::Sealer;

/// The only algorithm the instance signs with.
pub const ALGORITHM: &str = "RS256";
const KEY_BITS: u32 = 2048;

/// Generates keys and builds key rings. With a [`Sealer`], new private
/// keys are stored encrypted and sealed keys can be opened; without one,
/// keys are stored as plain PEM and a sealed key is an error.
#[derive(Debug, Clone, Default)]
pub struct JoseKeys {
    sealer: Option<std::sync::Arc<Sealer>>,
}

impl JoseKeys {
    /// Keys stored as plain PEM.
    pub fn plain() -> Self {
        Self { sealer: None }
    }

    /// Keys sealed under `sealer`.
    pub fn sealed(sealer: Sealer) -> Self {
        Self {
            sealer: Some(std::sync::Arc::new(sealer)),
        }
    }

    fn open_custom(&self, key: &SealedCustomKey) -> Result<SecretString, SignError> {
        if key.sealing == sealing::NONE {
            return Ok(SecretString::from(key.sealed.clone()));
        }
        match &self.sealer {
            Some(sealer) if sealer.label() == key.sealing => sealer
                .open(&key.sealed)
                .map_err(|e| SignError::CustomKey(e.to_string())),
            _ => Err(SignError::CustomKey(format!(
                "sealed with {}, which the configured encryption key cannot open",
                key.sealing
            ))),
        }
    }

    fn open(&self, key: &SigningKeyRecord) -> Result<SecretString, KeyError> {
        if key.sealing == sealing::NONE {
            return Ok(SecretString::from(key.private_key.clone()));
        }
        match &self.sealer {
            Some(sealer) if sealer.label() == key.sealing => {
                sealer.open(&key.private_key).map_err(|e| unusable(key, e))
            }
            _ => Err(KeyError::Sealed {
                kid: key.kid.clone(),
                sealing: key.sealing.clone(),
            }),
        }
    }
}

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
        let (private_key, sealing) = match &self.sealer {
            Some(sealer) => (sealer.seal(&pem)?, sealer.label().to_owned()),
            None => (pem, sealing::NONE.to_owned()),
        };
        Ok(GeneratedKey {
            private_key: SecretString::from(private_key),
            sealing,
            public_jwk: jwk.to_string(),
            algorithm: ALGORITHM.to_owned(),
        })
    }

    fn ring(&self, keys: &[SigningKeyRecord], now: UnixMillis) -> Result<KeyRing, KeyError> {
        KeyRing::build(keys, now, |k| self.open(k))
    }
}

impl SealedSecrets for JoseKeys {
    fn check_custom_key(&self, algorithm: SigningAlgorithm, key: &str) -> Result<(), String> {
        custom::signer(algorithm, key).map(|_| ())
    }

    fn seal_custom_key(
        &self,
        algorithm: SigningAlgorithm,
        key: &str,
    ) -> Result<SealedCustomKey, KeyError> {
        let (sealed, sealing) = match &self.sealer {
            Some(sealer) => (sealer.seal(key)?, sealer.label().to_owned()),
            None => (key.to_owned(), sealing::NONE.to_owned()),
        };
        Ok(SealedCustomKey {
            algorithm,
            sealed,
            sealing,
        })
    }

    fn keyed_digest(&self, key: &SealedCustomKey, message: &[u8]) -> Result<Vec<u8>, SignError> {
        use josekit::jws::JwsSigner as _;
        let plain = self.open_custom(key)?;
        let signer = josekit::jws::HS256
            .signer_from_bytes(plain.expose_secret().as_bytes())
            .map_err(|_| SignError::CustomKey("the secret cannot key HMAC-SHA256".to_owned()))?;
        Ok(signer.sign(message).context("computing an HMAC")?)
    }

    fn sign_with_custom_key(
        &self,
        claims: &JsonObject,
        key: &SealedCustomKey,
    ) -> Result<String, SignError> {
        let plain = self.open_custom(key)?;
        let signer =
            custom::signer(key.algorithm, plain.expose_secret()).map_err(SignError::CustomKey)?;
        Ok(custom::sign(
            signer.as_ref(),
            None,
            hallpass_json_bridge::object_to_map(claims),
        )?)
    }
}

/// A verified token's header and claims, undecoded.
#[derive(Debug, Clone, PartialEq)]
pub struct RawToken {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
}

/// The instance's keys at one moment: one signer, the published verifiers
/// (session, handshake tokens) and every stored key's verifier (client
/// tokens, which only Hallpass reads and which live as long as the cookie).
pub struct KeyRing {
    kid: String,
    signer: RsassaJwsSigner,
    published: HashMap<String, RsassaJwsVerifier>,
    all: HashMap<String, RsassaJwsVerifier>,
    jwks: Vec<Value>,
    jwks_json: String,
    verified_client_tokens: VerifiedClientTokens,
}

/// How many verified client tokens a ring remembers.
const VERIFIED_CLIENT_TOKENS: usize = 16_384;

/// Client tokens this ring has verified, with their claims. A client token
/// has no expiry and is checked against every key of the ring, so its
/// verification is a pure function of its bytes and the ring: a browser's
/// second request costs a lookup instead of an RS256 verification. Only
/// valid tokens are remembered, keyed by the whole token; the memory is the
/// ring's (a reloaded ring starts empty) and bounded: when full it is
/// emptied. Whether the token is still the client's current one is checked
/// against the store on every request, as before.
#[derive(Debug, Default)]
struct VerifiedClientTokens(std::sync::Mutex<HashMap<Box<str>, ClientTokenClaims>>);

impl VerifiedClientTokens {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<Box<str>, ClientTokenClaims>> {
        // A panic while holding the lock leaves a consistent map.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(&self, token: &str) -> Option<ClientTokenClaims> {
        self.map().get(token).cloned()
    }

    fn insert(&self, token: &str, claims: &ClientTokenClaims) {
        let mut map = self.map();
        if map.len() >= VERIFIED_CLIENT_TOKENS {
            map.clear();
        }
        map.insert(token.into(), claims.clone());
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map().len()
    }
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("active_kid", &self.kid)
            .field("published", &self.published.keys().collect::<Vec<_>>())
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
    /// Builds a ring over plain-PEM keys (tests and tools).
    pub fn new(keys: &[SigningKeyRecord], now: UnixMillis) -> Result<Self, KeyError> {
        JoseKeys::plain().ring(keys, now)
    }

    /// Builds the ring: every key not yet retired at `now` is published and
    /// verifies; the newest published key whose `activates_at` has come
    /// signs; every stored key verifies client tokens.
    fn build(
        keys: &[SigningKeyRecord],
        now: UnixMillis,
        open: impl Fn(&SigningKeyRecord) -> Result<SecretString, KeyError>,
    ) -> Result<Self, KeyError> {
        let mut published = HashMap::new();
        let mut all = HashMap::new();
        let mut jwks = Vec::new();
        for key in keys {
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
            if is_published(key, now) {
                published.insert(key.kid.clone(), verifier.clone());
                jwks.push(Value::Object(jwk.as_ref().clone()));
            }
            all.insert(key.kid.clone(), verifier);
        }
        let active = keys
            .iter()
            .filter(|k| is_published(k, now) && k.activates_at <= now)
            .max_by_key(|k| (k.activates_at, k.created_at))
            .ok_or(KeyError::NoActiveKey)?;
        let pem = open(active)?;
        let mut signer = RS256
            .signer_from_pem(pem.expose_secret().as_bytes())
            .map_err(|e| unusable(active, e))?;
        signer.set_key_id(active.kid.clone());
        let jwks_json = serde_json::json!({ "keys": jwks }).to_string();
        Ok(Self {
            kid: active.kid.clone(),
            signer,
            published,
            all,
            jwks,
            jwks_json,
            verified_client_tokens: VerifiedClientTokens::default(),
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

    /// Decodes and verifies a token signed by one of `keys`.
    fn verify_with(
        keys: &HashMap<String, RsassaJwsVerifier>,
        token: &str,
    ) -> Result<(Map<String, Value>, JwsHeader), VerifyError> {
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
        let verifier = keys.get(kid).ok_or(VerifyError::UnknownKey)?;
        let (payload, header) = jwt::decode_with_verifier(token, verifier as &dyn JwsVerifier)
            .map_err(|_| VerifyError::Signature)?;
        Ok((payload.claims_set().clone(), header))
    }

    /// Verifies a token signed by a published key and returns its raw
    /// claims and header: for tests and tools that inspect tokens.
    pub fn verify_raw(&self, token: &str) -> Result<RawToken, VerifyError> {
        let (claims, header) = Self::verify_with(&self.published, token)?;
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

    fn sign_template_token(&self, claims: &JsonObject) -> Result<String, SignError> {
        self.sign(
            Some(TokenCategory::Template),
            hallpass_json_bridge::object_to_map(claims),
        )
    }
}

impl TokenVerifier for KeyRing {
    fn jwks_json(&self) -> &str {
        &self.jwks_json
    }

    fn verify_client_token(&self, token: &str) -> Result<ClientTokenClaims, VerifyError> {
        if let Some(claims) = self.verified_client_tokens.get(token) {
            return Ok(claims);
        }
        let (claims, header) = Self::verify_with(&self.all, token)?;
        // A client token carries no category: a session or template token
        // (which do) is never accepted as a client token.
        if header.claim("cat").is_some() {
            return Err(VerifyError::Header);
        }
        let claims = claims::client_from_json(&claims).ok_or(VerifyError::Claims)?;
        self.verified_client_tokens.insert(token, &claims);
        Ok(claims)
    }

    fn decode_session_token(&self, token: &str) -> Result<SessionTokenClaims, VerifyError> {
        let (claims, header) = Self::verify_with(&self.published, token)?;
        if header.claim("cat").and_then(Value::as_str) != Some(TokenCategory::Session.as_str()) {
            return Err(VerifyError::Header);
        }
        claims::session_from_json(&claims).ok_or(VerifyError::Claims)
    }

    fn verify_session_token(
        &self,
        token: &str,
        now: UnixMillis,
    ) -> Result<SessionTokenClaims, VerifyError> {
        let (claims, header) = Self::verify_with(&self.published, token)?;
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
