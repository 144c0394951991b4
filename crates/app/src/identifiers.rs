//! A user's email addresses and phone numbers under their own Backend API
//! paths (`/v1/email_addresses`, `/v1/phone_numbers`): add, read, verify or
//! make primary, remove. Each is a change of its user, written as one.

use hallpass_domain::{
    E164, Email, EmailAddress, EmailAddressId, PhoneNumber, PhoneNumberId, User, UserError, UserId,
};
use hallpass_ports::{FindUserError, KeyRingFactory, Store};

use crate::users::Sessions;
use crate::{Hallpass, UserUseError};

/// An identifier use case failed: its user's errors, or no identifier with
/// that id.
#[derive(Debug, thiserror::Error)]
pub enum IdentifierUseError {
    #[error("identification {0} not found")]
    NotFound(String),
    #[error(transparent)]
    User(#[from] UserUseError),
}

impl IdentifierUseError {
    /// A change of the owner that found no identifier with that id (it
    /// went away since the owner was found) is "not found".
    fn of_change(e: UserUseError) -> Self {
        match e {
            UserUseError::Invalid(UserError::IdentifierNotFound { id, .. }) => Self::NotFound(id),
            other => Self::User(other),
        }
    }
}

/// `PATCH /v1/email_addresses/{id}` and `/v1/phone_numbers/{id}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdentifierPatch {
    pub verified: Option<bool>,
    /// `Some(true)` makes it primary (it must be verified); `Some(false)`
    /// changes nothing, as in Clerk.
    pub primary: Option<bool>,
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// The user owning identification `id`.
    async fn owner_of(&self, id: &str) -> Result<User, IdentifierUseError> {
        self.store
            .find_user_by_identification(id)
            .await
            .map_err(|e| match e {
                FindUserError::NotFound => IdentifierUseError::NotFound(id.to_owned()),
                FindUserError::Unexpected(e) => UserUseError::Unexpected(e).into(),
            })
    }

    /// `POST /v1/email_addresses`.
    #[tracing::instrument(skip_all, fields(user_id = %user))]
    pub async fn create_email_address(
        &self,
        user: &UserId,
        email: Email,
        verified: bool,
        primary: bool,
    ) -> Result<EmailAddress, UserUseError> {
        let id = EmailAddressId::from_random(self.ids.random_u128());
        let changed = self
            .change_user(user, Sessions::Keep, |u, now| {
                u.add_email_address(id.clone(), email.clone(), verified, primary, now)?;
                Ok(())
            })
            .await?;
        changed
            .email_address(&id)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("the new email address went missing").into())
    }

    /// `GET /v1/email_addresses/{id}`.
    pub async fn email_address(
        &self,
        id: &EmailAddressId,
    ) -> Result<EmailAddress, IdentifierUseError> {
        let user = self.owner_of(id.as_str()).await?;
        user.email_address(id)
            .cloned()
            .ok_or_else(|| IdentifierUseError::NotFound(id.to_string()))
    }

    /// `PATCH /v1/email_addresses/{id}`.
    #[tracing::instrument(skip_all, fields(identification_id = %id))]
    pub async fn update_email_address(
        &self,
        id: &EmailAddressId,
        patch: IdentifierPatch,
    ) -> Result<EmailAddress, IdentifierUseError> {
        let owner = self.owner_of(id.as_str()).await?;
        let user = self
            .change_user(owner.id(), Sessions::Keep, |u, now| {
                if let Some(verified) = patch.verified {
                    u.set_email_address_verified(id, verified, now)?;
                }
                if patch.primary == Some(true) {
                    u.set_primary_email_address(id, now)?;
                }
                Ok(())
            })
            .await
            .map_err(IdentifierUseError::of_change)?;
        user.email_address(id)
            .cloned()
            .ok_or_else(|| IdentifierUseError::NotFound(id.to_string()))
    }

    /// `DELETE /v1/email_addresses/{id}`: refused for the user's last
    /// identification.
    #[tracing::instrument(skip_all, fields(identification_id = %id))]
    pub async fn delete_email_address(
        &self,
        id: &EmailAddressId,
    ) -> Result<(), IdentifierUseError> {
        let owner = self.owner_of(id.as_str()).await?;
        self.change_user(owner.id(), Sessions::Keep, |u, now| {
            u.remove_email_address(id, now)?;
            Ok(())
        })
        .await
        .map_err(IdentifierUseError::of_change)?;
        Ok(())
    }

    /// `POST /v1/phone_numbers`.
    #[tracing::instrument(skip_all, fields(user_id = %user))]
    pub async fn create_phone_number(
        &self,
        user: &UserId,
        phone: E164,
        verified: bool,
        primary: bool,
    ) -> Result<PhoneNumber, UserUseError> {
        let id = PhoneNumberId::from_random(self.ids.random_u128());
        let changed = self
            .change_user(user, Sessions::Keep, |u, now| {
                u.add_phone_number(id.clone(), phone.clone(), verified, primary, now)?;
                Ok(())
            })
            .await?;
        changed
            .phone_number(&id)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("the new phone number went missing").into())
    }

    /// `GET /v1/phone_numbers/{id}`.
    pub async fn phone_number(
        &self,
        id: &PhoneNumberId,
    ) -> Result<PhoneNumber, IdentifierUseError> {
        let user = self.owner_of(id.as_str()).await?;
        user.phone_number(id)
            .cloned()
            .ok_or_else(|| IdentifierUseError::NotFound(id.to_string()))
    }

    /// `PATCH /v1/phone_numbers/{id}`.
    #[tracing::instrument(skip_all, fields(identification_id = %id))]
    pub async fn update_phone_number(
        &self,
        id: &PhoneNumberId,
        patch: IdentifierPatch,
    ) -> Result<PhoneNumber, IdentifierUseError> {
        let owner = self.owner_of(id.as_str()).await?;
        let user = self
            .change_user(owner.id(), Sessions::Keep, |u, now| {
                if let Some(verified) = patch.verified {
                    u.set_phone_number_verified(id, verified, now)?;
                }
                if patch.primary == Some(true) {
                    u.set_primary_phone_number(id, now)?;
                }
                Ok(())
            })
            .await
            .map_err(IdentifierUseError::of_change)?;
        user.phone_number(id)
            .cloned()
            .ok_or_else(|| IdentifierUseError::NotFound(id.to_string()))
    }

    /// `DELETE /v1/phone_numbers/{id}`.
    #[tracing::instrument(skip_all, fields(identification_id = %id))]
    pub async fn delete_phone_number(&self, id: &PhoneNumberId) -> Result<(), IdentifierUseError> {
        let owner = self.owner_of(id.as_str()).await?;
        self.change_user(owner.id(), Sessions::Keep, |u, now| {
            u.remove_phone_number(id, now)?;
            Ok(())
        })
        .await
        .map_err(IdentifierUseError::of_change)?;
        Ok(())
    }
}
