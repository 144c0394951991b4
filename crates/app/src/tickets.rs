//! Sign-in tokens ("tickets"): the Backend API creates one for a user; a
//! browser or app exchanges it once, before it expires, for a session on its
//! client. Only a SHA-256 hash of the ticket is stored.

use hallpass_domain::client::OnExistingSession;
use hallpass_domain::id::base62_u128;
use hallpass_domain::sign_in_token::{SignInToken, SignInTokenError, SignInTokenStatus};
use hallpass_domain::{Client, ClientId, SignIn, SignInTokenId, UserId};
use hallpass_ports::{FindUserError, InsertError, KeyRingFactory, Store, UpdateSignInTokenError};
use secrecy::SecretString;

use crate::{Hallpass, SignInError, SignInRequest, secret_key};

/// A sign-in token use case failed.
#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    #[error(transparent)]
    Invalid(#[from] SignInTokenError),
    #[error("sign-in token not found")]
    NotFound,
    /// The user the token would sign in does not exist.
    #[error("user not found")]
    UserNotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<hallpass_ports::StoreError> for TicketError {
    fn from(e: hallpass_ports::StoreError) -> Self {
        Self::Unexpected(e.0)
    }
}

/// A sign-in token just created, with the ticket (shown once).
#[derive(Debug)]
pub struct NewSignInToken {
    pub token: SignInToken,
    pub ticket: SecretString,
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// Creates a sign-in token for `user_id` (Backend API), who must exist.
    /// A banned or locked user gets one too, as on Clerk; the sign-in it
    /// leads to is what refuses them.
    #[tracing::instrument(skip_all)]
    pub async fn create_sign_in_token(
        &self,
        user_id: UserId,
        expires_in_secs: Option<i64>,
    ) -> Result<NewSignInToken, TicketError> {
        self.store.find_user(&user_id).await.map_err(|e| match e {
            FindUserError::NotFound => TicketError::UserNotFound,
            FindUserError::Unexpected(e) => TicketError::Unexpected(e),
        })?;
        let ticket = format!(
            "{}{}",
            base62_u128(self.ids.random_u128()),
            base62_u128(self.ids.random_u128())
        );
        let token = SignInToken::create(
            SignInTokenId::from_random(self.ids.random_u128()),
            user_id,
            secret_key::hash(&ticket),
            expires_in_secs,
            self.now(),
        )?;
        self.store
            .insert_sign_in_token(&token)
            .await
            .map_err(|e| match e {
                InsertError::Conflict => {
                    TicketError::Unexpected(anyhow::anyhow!("sign-in token collision"))
                }
                InsertError::Unexpected(e) => TicketError::Unexpected(e),
            })?;
        Ok(NewSignInToken {
            token,
            ticket: SecretString::from(ticket),
        })
    }

    /// Revokes a sign-in token (idempotent for revoked ones; a used one
    /// cannot be revoked).
    pub async fn revoke_sign_in_token(
        &self,
        id: &SignInTokenId,
    ) -> Result<SignInToken, TicketError> {
        for _ in 0..5 {
            let stored = self
                .store
                .find_sign_in_token(id)
                .await?
                .ok_or(TicketError::NotFound)?;
            let mut token = stored.clone();
            token.revoke(self.now())?;
            if token == stored {
                return Ok(token);
            }
            match self
                .store
                .update_sign_in_token(&token, stored.status())
                .await
            {
                Ok(()) => return Ok(token),
                Err(UpdateSignInTokenError::Changed) => continue,
                Err(UpdateSignInTokenError::NotFound) => return Err(TicketError::NotFound),
                Err(UpdateSignInTokenError::Unexpected(e)) => return Err(e.into()),
            }
        }
        Err(TicketError::Unexpected(anyhow::anyhow!(
            "sign-in token kept changing"
        )))
    }

    /// Exchanges a ticket for a session on `client_id`. The ticket is
    /// consumed in the same transaction as the sign-in: at most once,
    /// never after it expired or was revoked.
    #[tracing::instrument(skip_all, fields(client_id = %client_id))]
    pub async fn sign_in_with_ticket(
        &self,
        client_id: &ClientId,
        ticket: &str,
    ) -> Result<(Client, SignIn), SignInError> {
        if ticket.is_empty() || ticket.len() > 256 {
            return Err(SignInError::TicketInvalid("malformed"));
        }
        let stored = self
            .store
            .find_sign_in_token_by_hash(&secret_key::hash(ticket))
            .await?
            .ok_or(SignInError::TicketInvalid("unknown"))?;
        let mut accepted = stored.clone();
        accepted.accept(self.now()).map_err(|_| {
            SignInError::TicketInvalid(match stored.status() {
                SignInTokenStatus::Accepted => "already used",
                SignInTokenStatus::Revoked => "revoked",
                SignInTokenStatus::Pending => "expired",
            })
        })?;
        self.sign_in(SignInRequest {
            client_id: client_id.clone(),
            user_id: accepted.user_id().clone(),
            active_organization_id: None,
            tasks: vec![],
            on_existing: OnExistingSession::Refuse,
            ticket: Some(accepted),
        })
        .await
    }
}
