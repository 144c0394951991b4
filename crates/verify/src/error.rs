//! Why a token was refused, and why a verifier could not be built.

/// Why [`Verifier::verify`](crate::Verifier::verify) refused a token.
///
/// Every variant is a refusal: there is no "verified with warnings".
/// [`VerifyError::Jwks`] is the only one that is not the token's fault (the
/// keys could not be fetched); the others are final for that token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Not a compact JWS of a JSON header and JSON claims, too long, a
    /// `typ` other than `JWT`, or a `crit` header.
    #[error("the token is malformed")]
    Malformed,
    /// The header's `alg` is not an RSA PKCS#1 algorithm (`none`, `HS256`,
    /// `ES256`, …), or not the algorithm its key is pinned to.
    #[error("the token's signing algorithm is not accepted")]
    UnsupportedAlgorithm,
    /// No published key has the token's `kid`, even after a refetch.
    #[error("the token's signing key is unknown")]
    UnknownKey,
    /// The signature does not match the header and claims.
    #[error("the token's signature is invalid")]
    InvalidSignature,
    /// `exp` has passed (beyond the leeway).
    #[error("the token has expired")]
    Expired,
    /// `nbf` has not come yet (beyond the leeway).
    #[error("the token is not valid yet")]
    NotYetValid,
    /// `iat` is in the future (beyond the leeway).
    #[error("the token was issued in the future")]
    IssuedInFuture,
    /// Not a session token: a JWT-template or machine token (`cat`), or a
    /// machine subject (`sub` starting with `mch_`).
    #[error("the token is not a session token")]
    WrongCategory,
    /// `iss` is not the configured issuer.
    #[error("the token was issued by another issuer")]
    WrongIssuer,
    /// `azp` is missing or not one of the configured authorized parties.
    #[error("the token's authorized party is not accepted")]
    UnauthorizedParty,
    /// A required header member or claim is absent, empty or of the wrong
    /// type.
    #[error("the token has no valid `{0}`")]
    MissingClaim(&'static str),
    /// The JWKS could not be fetched or read (network, HTTP status, body).
    #[error("the signing keys could not be fetched: {0}")]
    Jwks(String),
}

/// Why a [`Verifier`](crate::Verifier) could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// [`Verifier::new`](crate::Verifier::new) needs `jwks_url`.
    #[error("no JWKS URL is configured")]
    MissingJwksUrl,
    /// `jwks_url` is not an absolute `http` or `https` URL.
    #[error("the JWKS URL is invalid: {0}")]
    InvalidJwksUrl(String),
    /// The HTTP client could not be created (TLS set-up).
    #[error("the HTTP client cannot be created: {0}")]
    HttpClient(String),
    /// The static JWKS or PEM holds no usable key.
    #[error("no usable key: {0}")]
    InvalidKeys(String),
}
