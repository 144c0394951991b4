//! Server-side refresh: renewing an expired session token with a refresh
//! token, without a redirect (Backend API `POST /v1/sessions/{id}/refresh`).
//!
//! Refresh tokens are opaque, stored only as hashes, and rotate on every
//! use. A token's successor is derived from it with an HMAC under an
//! instance secret, so presenting the immediate predecessor again within the
//! grace window yields the *same* successor (concurrent tabs and retries do
//! not sign users out) without storing any token in clear; presenting an
//! older or revoked token revokes the session (theft).

use hallpass_domain::handshake::{RefreshCookiesInput, refresh_directives};
use hallpass_domain::id::base62_u128;
use hallpass_domain::refresh::{self, RefreshDecision, RefreshStatus};
use hallpass_domain::{SessionId, SigningAlgorithm, token::ClaimsVersion};
use hallpass_ports::{
    InsertError, KeyRingFactory, RefreshTokenRecord, RotateRefreshError, SealedCustomKey, Store,
    TokenVerifier as _,
};

use crate::{Hallpass, MintOptions, SessionError, secret_key};

const SECRET_NAME: &str = "refresh_successor";

/// A refresh failed. `Invalid` is the caller's problem (the Backend API
/// answers 401 so the SDK falls back to a handshake); the reason is a short
/// code for logs and the error body.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error("refresh refused: {0}")]
    Invalid(&'static str),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<hallpass_ports::StoreError> for RefreshError {
    fn from(e: hallpass_ports::StoreError) -> Self {
        Self::Unexpected(e.0)
    }
}

/// What a successful refresh gives back.
#[derive(Debug)]
pub struct Refreshed {
    pub jwt: String,
    pub refresh_token: String,
}

/// How a server-side refresh answers (the request's `format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshFormat {
    /// The new session token alone.
    Token,
    /// The `Set-Cookie` directives the SDK copies: the session cookies
    /// (suffixed too when `suffixed_cookies`) and the rotated refresh
    /// cookie.
    Cookies { suffixed_cookies: bool },
}

/// A server-side refresh's answer, in the format asked for.
#[derive(Debug)]
pub enum RefreshResponse {
    Token(String),
    Cookies(Vec<String>),
}

fn bytes_to_token(bytes: &[u8]) -> String {
    let mut hi = [0u8; 16];
    let mut lo = [0u8; 16];
    for (i, b) in bytes.iter().take(32).enumerate() {
        if i < 16 {
            hi[i] = *b;
        } else {
            lo[i - 16] = *b;
        }
    }
    format!(
        "{}{}",
        base62_u128(u128::from_be_bytes(hi)),
        base62_u128(u128::from_be_bytes(lo))
    )
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// The instance secret that derives successors, created on first use
    /// (race-safe across nodes).
    async fn refresh_secret(&self) -> Result<SealedCustomKey, RefreshError> {
        if let Some(secret) = self.store.find_instance_secret(SECRET_NAME).await? {
            return Ok(secret);
        }
        let plain = format!(
            "{}{}",
            base62_u128(self.ids.random_u128()),
            base62_u128(self.ids.random_u128())
        );
        let sealed = self
            .keys
            .seal_custom_key(SigningAlgorithm::HS256, &plain)
            .map_err(|e| RefreshError::Unexpected(anyhow::anyhow!(e)))?;
        match self
            .store
            .insert_instance_secret(SECRET_NAME, &sealed, self.now())
            .await
        {
            Ok(()) => Ok(sealed),
            Err(InsertError::Conflict) => self
                .store
                .find_instance_secret(SECRET_NAME)
                .await?
                .ok_or_else(|| {
                    RefreshError::Unexpected(anyhow::anyhow!("instance secret vanished"))
                }),
            Err(InsertError::Unexpected(e)) => Err(e.into()),
        }
    }

    fn successor_of(
        &self,
        secret: &SealedCustomKey,
        presented: &str,
    ) -> Result<String, RefreshError> {
        let digest = self
            .keys
            .keyed_digest(secret, presented.as_bytes())
            .map_err(|e| RefreshError::Unexpected(anyhow::anyhow!(e)))?;
        Ok(bytes_to_token(&digest))
    }

    fn record(&self, session_id: &SessionId, token: &str) -> RefreshTokenRecord {
        let now = self.now();
        RefreshTokenRecord {
            token_hash: secret_key::hash(token),
            session_id: session_id.clone(),
            status: RefreshStatus::Active,
            successor_hash: None,
            rotated_at: None,
            expires_at: now.saturating_add(refresh::LIFETIME),
            created_at: now,
        }
    }

    /// A new refresh token for a session (handshakes issue one).
    pub async fn issue_refresh_token(
        &self,
        session_id: &SessionId,
    ) -> Result<String, RefreshError> {
        let token = format!(
            "{}{}",
            base62_u128(self.ids.random_u128()),
            base62_u128(self.ids.random_u128())
        );
        self.store
            .insert_refresh_token(&self.record(session_id, &token))
            .await
            .map_err(|e| RefreshError::Unexpected(anyhow::anyhow!(e)))?;
        Ok(token)
    }

    /// Backend API `POST /v1/sessions/{id}/refresh`: [`Self::refresh_session`]
    /// for the app at `origin`, answered in `format`.
    pub async fn refresh_for_app(
        &self,
        id: &SessionId,
        expired_token: &str,
        refresh_token: &str,
        origin: &str,
        version: ClaimsVersion,
        format: RefreshFormat,
    ) -> Result<RefreshResponse, RefreshError> {
        let refreshed = self
            .refresh_session(id, expired_token, refresh_token, Some(origin), version)
            .await?;
        let RefreshFormat::Cookies { suffixed_cookies } = format else {
            return Ok(RefreshResponse::Token(refreshed.jwt));
        };
        let suffix = self.cookie_suffix();
        let directives = refresh_directives(&RefreshCookiesInput {
            session_token: &refreshed.jwt,
            refresh_token: &refreshed.refresh_token,
            suffix: &suffix,
            suffixed_cookies,
            secure: origin.starts_with("https://"),
        })
        .map_err(|e| RefreshError::Unexpected(anyhow::anyhow!(e)))?;
        Ok(RefreshResponse::Cookies(directives))
    }

    /// Renews the session token of `id` from an expired token of that
    /// session (signature checked, expiry not) and a refresh token.
    #[tracing::instrument(skip_all, fields(session_id = %id))]
    pub async fn refresh_session(
        &self,
        id: &SessionId,
        expired_token: &str,
        refresh_token: &str,
        origin: Option<&str>,
        version: ClaimsVersion,
    ) -> Result<Refreshed, RefreshError> {
        let claims = self
            .ring()
            .decode_session_token(expired_token)
            .map_err(|_| RefreshError::Invalid("expired_token_invalid"))?;
        if &claims.sid != id {
            return Err(RefreshError::Invalid("expired_token_invalid"));
        }
        if refresh_token.is_empty() || refresh_token.len() > 256 {
            return Err(RefreshError::Invalid("refresh_token_invalid"));
        }
        let hash = secret_key::hash(refresh_token);
        let secret = self.refresh_secret().await?;
        let successor = self.successor_of(&secret, refresh_token)?;
        for _ in 0..3 {
            let record = self
                .store
                .find_refresh_token(&hash)
                .await?
                .filter(|r| &r.session_id == id)
                .ok_or(RefreshError::Invalid("refresh_token_invalid"))?;
            match refresh::decide(
                record.status,
                record.rotated_at,
                record.expires_at,
                self.now(),
            ) {
                RefreshDecision::Rotate => {
                    let next = self.record(id, &successor);
                    match self
                        .store
                        .rotate_refresh_token(&hash, &next, self.now())
                        .await
                    {
                        Ok(()) => {}
                        Err(RotateRefreshError::Changed) => continue,
                        Err(RotateRefreshError::Unexpected(e)) => return Err(e.into()),
                    }
                }
                RefreshDecision::ReuseSuccessor => {
                    if record.successor_hash.as_deref()
                        != Some(secret_key::hash(&successor).as_str())
                    {
                        return Err(RefreshError::Invalid("refresh_token_invalid"));
                    }
                }
                RefreshDecision::Theft => {
                    tracing::warn!(
                        "a rotated or revoked refresh token was replayed: revoking the session"
                    );
                    if let Err(e) = self.revoke_session(id).await {
                        tracing::warn!(error = %e, "revoking after refresh-token reuse failed");
                    }
                    self.store.revoke_refresh_tokens(id).await?;
                    return Err(RefreshError::Invalid("refresh_token_reused"));
                }
                RefreshDecision::Expired => {
                    return Err(RefreshError::Invalid("refresh_token_expired"));
                }
            }
            let jwt = self
                .mint_session_token(
                    id,
                    MintOptions {
                        origin,
                        lifetime: None,
                        version,
                    },
                )
                .await
                .map_err(|e| match e {
                    SessionError::NotAllowed(_)
                    | SessionError::NotFound
                    | SessionError::OrganizationNotAllowed(_) => {
                        RefreshError::Invalid("session_not_active")
                    }
                    SessionError::Unexpected(e) => RefreshError::Unexpected(e),
                    // Minting signs no one in.
                    SessionError::SignIn(e) => RefreshError::Unexpected(e.into()),
                })?;
            return Ok(Refreshed {
                jwt,
                refresh_token: successor,
            });
        }
        Err(RefreshError::Unexpected(anyhow::anyhow!(
            "refresh token kept changing"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::bytes_to_token;

    #[test]
    fn every_byte_of_the_digest_reaches_the_token() {
        let base = [7u8; 32];
        let token = bytes_to_token(&base);
        for i in 0..32 {
            let mut changed = base;
            changed[i] ^= 0x5a;
            assert_ne!(bytes_to_token(&changed), token, "byte {i}");
        }
        assert_eq!(bytes_to_token(&base), token, "deterministic");
    }
}
