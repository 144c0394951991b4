//! Signing and verifying the tokens the instance issues.

use hallpass_domain::token::{ClientTokenClaims, HandshakePayload, SessionTokenClaims};
use hallpass_domain::{JsonObject, SigningAlgorithm, UnixMillis};
use secrecy::SecretString;

use crate::store::{SealedCustomKey, SigningKeyRecord};

/// A freshly generated signing key pair, ready to store.
#[derive(Debug)]
pub struct GeneratedKey {
    /// The private key as it is stored: PKCS#8 PEM, sealed when the adapter
    /// has an encryption key (see `sealing`).
    pub private_key: SecretString,
    /// How `private_key` is protected at rest (`none` for plain PEM).
    pub sealing: String,
    /// The public key as a JWK (JSON text) with `kid`, `alg`, `use`, `kty`, `n`, `e`.
    pub public_jwk: String,
    pub algorithm: String,
}

/// Key generation or loading failed.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no signing key is active")]
    NoActiveKey,
    #[error(
        "signing key {kid} is encrypted at rest ({sealing}) but no matching encryption key is configured"
    )]
    Sealed { kid: String, sealing: String },
    #[error("stored key {kid} cannot be used")]
    Unusable {
        kid: String,
        #[source]
        source: anyhow::Error,
    },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Signing failed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// A template's own key could not be opened or used.
    #[error("the template's signing key cannot be used: {0}")]
    CustomKey(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Why a presented token is not accepted. Every variant means "treat as
/// absent"; the distinction is for logs and metrics.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token's algorithm or header is not accepted")]
    Header,
    #[error("the token was signed by an unknown key")]
    UnknownKey,
    #[error("the token's signature is invalid")]
    Signature,
    #[error("the token's claims are invalid")]
    Claims,
    #[error("the token has expired")]
    Expired,
}

/// Signs the instance's tokens with its active key.
pub trait TokenSigner: Send + Sync + 'static {
    /// The `kid` that new tokens carry.
    fn active_kid(&self) -> &str;
    fn sign_session_token(&self, claims: &SessionTokenClaims) -> Result<String, SignError>;
    fn sign_client_token(&self, claims: &ClientTokenClaims) -> Result<String, SignError>;
    fn sign_handshake(&self, payload: &HandshakePayload) -> Result<String, SignError>;
    /// A JWT-template token signed with the instance key (`cat` marks it as
    /// a template token, which Clerk's SDKs refuse as a session token).
    fn sign_template_token(&self, claims: &JsonObject) -> Result<String, SignError>;
}

/// Verifies tokens the instance issued, choosing the key by `kid`.
pub trait TokenVerifier: Send + Sync + 'static {
    /// The JWKS document of the published keys, `{"keys":[…]}`, rendered
    /// once when the ring is built.
    fn jwks_json(&self) -> &str;

    fn verify_client_token(&self, token: &str) -> Result<ClientTokenClaims, VerifyError>;
    fn verify_session_token(
        &self,
        token: &str,
        now: UnixMillis,
    ) -> Result<SessionTokenClaims, VerifyError>;
    /// A session token this instance signed, its signature checked but not
    /// its times (an expired token presented for a refresh).
    fn decode_session_token(&self, token: &str) -> Result<SessionTokenClaims, VerifyError>;
}

/// Makes signing keys and key rings: the signing adapter's entry point. It
/// also holds the instance's [`SealedSecrets`] (the same encryption key protects
/// private keys and the other secrets at rest).
pub trait KeyRingFactory: SealedSecrets {
    type Ring: TokenSigner + TokenVerifier;

    /// A new RS256 key pair (RSA-2048, e = 65537) with the given `kid`,
    /// sealed for storage when the factory has an encryption key.
    fn generate(&self, kid: &str) -> Result<GeneratedKey, KeyError>;

    /// A signer/verifier over the stored keys: signs with the newest key
    /// active at `now`; verifies session tokens with the published keys and
    /// client tokens with any stored key.
    fn ring(&self, keys: &[SigningKeyRecord], now: UnixMillis) -> Result<Self::Ring, KeyError>;
}

/// Secrets other than the signing keys, protected at rest as private keys
/// are: a JWT template's own signing key, and the instance secret refresh
/// tokens derive their successors with. Seals them for storage, and uses
/// them sealed (an HMAC digest, a template token's signature) so the plain
/// secret never leaves the adapter.
pub trait SealedSecrets: Send + Sync + 'static {
    /// Checks that `key` is a usable key for `algorithm` (a PEM private key
    /// of the right type, or an HMAC secret). The error says why not.
    fn check_custom_key(&self, algorithm: SigningAlgorithm, key: &str) -> Result<(), String>;

    /// Seals a template's own key for storage, as private keys are sealed.
    fn seal_custom_key(
        &self,
        algorithm: SigningAlgorithm,
        key: &str,
    ) -> Result<SealedCustomKey, KeyError>;

    /// HMAC-SHA256 of `message` under a sealed secret (deterministic
    /// derivations, e.g. a refresh token's successor).
    fn keyed_digest(&self, key: &SealedCustomKey, message: &[u8]) -> Result<Vec<u8>, SignError>;

    /// Signs a template token with the template's own key.
    fn sign_with_custom_key(
        &self,
        claims: &JsonObject,
        key: &SealedCustomKey,
    ) -> Result<String, SignError>;
}
