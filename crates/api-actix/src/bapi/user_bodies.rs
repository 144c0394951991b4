//! The bodies of `POST /v1/users`, `PATCH /v1/users/{id}` and
//! `PATCH|PUT /v1/users/{id}/metadata` (the spec's `additionalProperties:
//! false`: an unknown field is a 400), read into the domain's commands.
//!
//! Passwords (`password`, or `password_digest` with `password_hasher`) are
//! read by `password_params`. Parameters of what Hallpass does not store
//! are handled one of two ways: those carrying data it would lose (TOTP
//! secrets, backup codes, web3 wallets, a profile image id) are refused
//! with Clerk's 422 `form_param_unknown`; switches about checks or features
//! Hallpass does not have (`skip_password_requirement`,
//! `skip_legal_checks`, `delete_self_enabled`, ...) and `locale` are
//! accepted and ignored (see docs/compatibility.md).

use hallpass_domain::{
    E164, Email, EmailAddressId, ExternalId, MetadataField, NewUser, PersonName, PhoneNumberId,
    UserId, UserMetadataPatch, UserMetadataReplacement, UserPatch, Username,
};
use serde::Deserialize;
use serde_json::Value;

use super::params::{
    NO_SECOND_FACTORS, OneOrMany, metadata, metadata_patch, nullable, param_user, patch_text,
    replacing, rfc3339, text, unsupported,
};
use super::password_params::PasswordParams;
use crate::ApiError;
use hallpass_app::NewPassword;

const NO_WEB3: &str = "Hallpass does not store web3 wallets.";
const NO_IMAGES: &str = "Hallpass does not store profile images.";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateUser {
    external_id: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    locale: Option<String>,
    email_address: Option<OneOrMany>,
    email_address_identification_status: Option<Vec<String>>,
    phone_number: Option<OneOrMany>,
    phone_number_identification_status: Option<Vec<String>>,
    web3_wallet: Option<Value>,
    username: Option<String>,
    password: Option<Value>,
    password_digest: Option<Value>,
    password_hasher: Option<Value>,
    skip_password_checks: Option<bool>,
    skip_password_requirement: Option<bool>,
    totp_secret: Option<Value>,
    backup_codes: Option<Value>,
    public_metadata: Option<Value>,
    private_metadata: Option<Value>,
    unsafe_metadata: Option<Value>,
    delete_self_enabled: Option<bool>,
    legal_accepted_at: Option<String>,
    skip_legal_checks: Option<bool>,
    skip_user_requirement: Option<bool>,
    create_organization_enabled: Option<bool>,
    create_organizations_limit: Option<i64>,
    created_at: Option<String>,
    bypass_client_trust: Option<bool>,
    banned: Option<bool>,
    locked: Option<bool>,
}

/// Every status given must be `verified` (reserved identifiers are not
/// supported), one per value when any is given.
fn statuses(
    param: &'static str,
    statuses: Option<Vec<String>>,
    values: usize,
) -> Result<(), ApiError> {
    let statuses = statuses.unwrap_or_default();
    if statuses.is_empty() {
        return Ok(());
    }
    if statuses.len() != values {
        return Err(ApiError::invalid_param(
            param,
            format!("{param} must have one item per value, or none."),
        ));
    }
    if let Some(other) = statuses.iter().find(|s| s.as_str() != "verified") {
        return Err(ApiError::invalid_param(
            param,
            format!(
                "{other} is not supported for parameter {param}: Hallpass creates identifiers verified."
            ),
        ));
    }
    Ok(())
}

/// Refuses the second-factor parameters that carry a value.
fn refuse_second_factors(values: [(&'static str, Option<&Value>); 2]) -> Result<(), ApiError> {
    for (param, value) in values {
        unsupported(param, value, NO_SECOND_FACTORS)?;
    }
    Ok(())
}

impl CreateUser {
    /// The user to create (its password still to be hashed), whether it
    /// starts locked, and its password.
    pub(crate) fn into_new_user(self) -> Result<(NewUser, bool, Option<NewPassword>), ApiError> {
        refuse_second_factors([
            ("totp_secret", self.totp_secret.as_ref()),
            ("backup_codes", self.backup_codes.as_ref()),
        ])?;
        unsupported("web3_wallet", self.web3_wallet.as_ref(), NO_WEB3)?;
        let password = PasswordParams {
            password: self.password,
            password_digest: self.password_digest,
            password_hasher: self.password_hasher,
            skip_password_checks: self.skip_password_checks,
        }
        .into_new_password()?;
        let _accepted = (
            self.locale,
            self.skip_password_requirement,
            self.delete_self_enabled,
            self.skip_legal_checks,
            self.skip_user_requirement,
            self.create_organization_enabled,
            self.create_organizations_limit,
            self.bypass_client_trust,
        );
        if let Some(at) = &self.legal_accepted_at {
            rfc3339("legal_accepted_at", at)?;
        }
        let emails = self
            .email_address
            .map(OneOrMany::into_vec)
            .unwrap_or_default();
        statuses(
            "email_address_identification_status",
            self.email_address_identification_status,
            emails.len(),
        )?;
        let phones = self
            .phone_number
            .map(OneOrMany::into_vec)
            .unwrap_or_default();
        statuses(
            "phone_number_identification_status",
            self.phone_number_identification_status,
            phones.len(),
        )?;
        let new = NewUser {
            external_id: text(self.external_id.as_deref(), ExternalId::parse)?,
            first_name: text(self.first_name.as_deref(), |v| {
                PersonName::parse(v, "first_name")
            })?,
            last_name: text(self.last_name.as_deref(), |v| {
                PersonName::parse(v, "last_name")
            })?,
            username: text(self.username.as_deref(), Username::parse)?,
            image_url: None,
            email_addresses: emails
                .iter()
                .map(|e| Email::parse(e).map_err(|e| ApiError::field(&e)))
                .collect::<Result<_, _>>()?,
            phone_numbers: phones
                .iter()
                .map(|p| E164::parse(p).map_err(|e| ApiError::field(&e)))
                .collect::<Result<_, _>>()?,
            public_metadata: metadata(MetadataField::Public, self.public_metadata)?
                .unwrap_or_default(),
            private_metadata: metadata(MetadataField::Private, self.private_metadata)?
                .unwrap_or_default(),
            unsafe_metadata: metadata(MetadataField::Unsafe, self.unsafe_metadata)?
                .unwrap_or_default(),
            banned: self.banned.unwrap_or(false),
            created_at: self
                .created_at
                .as_deref()
                .map(|at| rfc3339("created_at", at))
                .transpose()?,
            password: None,
        };
        Ok((new, self.locked.unwrap_or(false), password))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateUser {
    #[serde(default, deserialize_with = "nullable")]
    external_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    first_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    last_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    username: Option<Option<String>>,
    locale: Option<String>,
    primary_email_address_id: Option<String>,
    notify_primary_email_address_changed: Option<bool>,
    primary_phone_number_id: Option<String>,
    primary_web3_wallet_id: Option<Value>,
    profile_image_id: Option<Value>,
    password: Option<Value>,
    password_digest: Option<Value>,
    password_hasher: Option<Value>,
    skip_password_checks: Option<bool>,
    sign_out_of_other_sessions: Option<bool>,
    totp_secret: Option<Value>,
    backup_codes: Option<Value>,
    delete_self_enabled: Option<bool>,
    create_organization_enabled: Option<bool>,
    legal_accepted_at: Option<String>,
    skip_legal_checks: Option<bool>,
    create_organizations_limit: Option<i64>,
    created_at: Option<Value>,
    bypass_client_trust: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    public_metadata: Option<Option<Value>>,
    #[serde(default, deserialize_with = "nullable")]
    private_metadata: Option<Option<Value>>,
    #[serde(default, deserialize_with = "nullable")]
    unsafe_metadata: Option<Option<Value>>,
}

impl UpdateUser {
    /// The profile change (its password still to be hashed), the metadata
    /// objects to replace (accepted on every API version, as
    /// `@clerk/backend`'s `updateUser` still sends them), and the new
    /// password.
    pub(crate) fn into_patch(
        self,
    ) -> Result<(UserPatch, UserMetadataReplacement, Option<NewPassword>), ApiError> {
        refuse_second_factors([
            ("totp_secret", self.totp_secret.as_ref()),
            ("backup_codes", self.backup_codes.as_ref()),
        ])?;
        let password = PasswordParams {
            password: self.password,
            password_digest: self.password_digest,
            password_hasher: self.password_hasher,
            skip_password_checks: self.skip_password_checks,
        }
        .into_new_password()?;
        unsupported(
            "primary_web3_wallet_id",
            self.primary_web3_wallet_id.as_ref(),
            NO_WEB3,
        )?;
        unsupported(
            "profile_image_id",
            self.profile_image_id.as_ref(),
            NO_IMAGES,
        )?;
        unsupported(
            "created_at",
            self.created_at.as_ref(),
            "Hallpass sets created_at only when a user is created.",
        )?;
        let _accepted = (
            self.locale,
            self.notify_primary_email_address_changed,
            self.sign_out_of_other_sessions,
            self.delete_self_enabled,
            self.create_organization_enabled,
            self.skip_legal_checks,
            self.create_organizations_limit,
            self.bypass_client_trust,
        );
        if let Some(at) = &self.legal_accepted_at {
            rfc3339("legal_accepted_at", at)?;
        }
        let patch = UserPatch {
            external_id: patch_text(self.external_id, ExternalId::parse)?,
            first_name: patch_text(self.first_name, |v| PersonName::parse(v, "first_name"))?,
            last_name: patch_text(self.last_name, |v| PersonName::parse(v, "last_name"))?,
            username: patch_text(self.username, Username::parse)?,
            image_url: None,
            primary_email_address_id: self
                .primary_email_address_id
                .filter(|v| !v.is_empty())
                .map(|v| {
                    EmailAddressId::parse(&v).map_err(|e| {
                        ApiError::invalid_param("primary_email_address_id", e.to_string())
                    })
                })
                .transpose()?,
            primary_phone_number_id: self
                .primary_phone_number_id
                .filter(|v| !v.is_empty())
                .map(|v| {
                    PhoneNumberId::parse(&v).map_err(|e| {
                        ApiError::invalid_param("primary_phone_number_id", e.to_string())
                    })
                })
                .transpose()?,
            password: None,
        };
        let metadata = UserMetadataReplacement {
            public_metadata: metadata(MetadataField::Public, replacing(self.public_metadata))?,
            private_metadata: metadata(MetadataField::Private, replacing(self.private_metadata))?,
            unsafe_metadata: metadata(MetadataField::Unsafe, replacing(self.unsafe_metadata))?,
        };
        Ok((patch, metadata, password))
    }
}

/// `PATCH` and `PUT /v1/users/{id}/metadata`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserMetadataBody {
    #[serde(default, deserialize_with = "nullable")]
    public_metadata: Option<Option<Value>>,
    #[serde(default, deserialize_with = "nullable")]
    private_metadata: Option<Option<Value>>,
    #[serde(default, deserialize_with = "nullable")]
    unsafe_metadata: Option<Option<Value>>,
}

impl UserMetadataBody {
    /// For the deep merge: each given value must be an object (`null`
    /// changes nothing).
    pub(crate) fn into_patch(self) -> Result<UserMetadataPatch, ApiError> {
        Ok(UserMetadataPatch {
            public_metadata: metadata_patch(MetadataField::Public, self.public_metadata.flatten())?,
            private_metadata: metadata_patch(
                MetadataField::Private,
                self.private_metadata.flatten(),
            )?,
            unsafe_metadata: metadata_patch(MetadataField::Unsafe, self.unsafe_metadata.flatten())?,
        })
    }

    /// For the replacement: each given object replaces the user's (`null`:
    /// `{}`).
    pub(crate) fn into_replacement(self) -> Result<UserMetadataReplacement, ApiError> {
        Ok(UserMetadataReplacement {
            public_metadata: metadata(MetadataField::Public, replacing(self.public_metadata))?,
            private_metadata: metadata(MetadataField::Private, replacing(self.private_metadata))?,
            unsafe_metadata: metadata(MetadataField::Unsafe, replacing(self.unsafe_metadata))?,
        })
    }
}

/// How many users one `POST /v1/users/ban` or `unban` names at most
/// (Clerk's `maxItems`).
pub(crate) const MAX_BULK_USERS: usize = 50;

/// `{"user_ids": [...]}` of the bulk ban and unban.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserIds {
    user_ids: Option<Vec<String>>,
}

impl UserIds {
    /// 1 to [`MAX_BULK_USERS`] user ids.
    pub(crate) fn into_ids(self) -> Result<Vec<UserId>, ApiError> {
        let ids = self
            .user_ids
            .filter(|ids| !ids.is_empty())
            .ok_or_else(|| ApiError::missing_param("user_ids"))?;
        if ids.len() > MAX_BULK_USERS {
            return Err(ApiError::invalid_param(
                "user_ids",
                format!("user_ids must name at most {MAX_BULK_USERS} users."),
            ));
        }
        ids.iter().map(|id| param_user("user_ids", id)).collect()
    }
}

/// `POST /v1/users/{id}/verify_password`: `{"password": "..."}`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VerifyPassword {
    password: Option<Value>,
}

impl VerifyPassword {
    /// The candidate; a password no policy would allow cannot be the
    /// user's, so only the bounds of [`hallpass_domain::Password`] apply.
    pub(crate) fn into_password(self) -> Result<hallpass_domain::Password, ApiError> {
        match self.password {
            None | Some(Value::Null) => Err(ApiError::missing_param("password")),
            Some(Value::String(s)) => hallpass_domain::Password::new(s)
                .map_err(|e| ApiError::password_rejected(e, "password")),
            Some(_) => Err(ApiError::invalid_param(
                "password",
                "password must be a string.",
            )),
        }
    }
}
