//! The refusals of passwords, with Clerk's codes: a password that breaks
//! the instance's policy (`form_password_length_too_short`,
//! `form_password_length_too_long`, `form_password_size_in_bytes_exceeded`,
//! `form_password_not_strong_enough`), a digest that cannot be imported, and
//! the answers of `verify_password` (422 for a wrong password, 400 for a
//! user without one).

use actix_web::http::StatusCode;
use hallpass_app::PasswordUseError;
use hallpass_domain::{DigestError, PasswordRejected};

use super::ApiError;
use super::identity::form;

impl ApiError {
    /// A password the instance's policy refuses (`param`: where it came
    /// from, `password` on the Backend API).
    pub fn password_rejected(e: PasswordRejected, param: &str) -> Self {
        match e {
            PasswordRejected::Empty => form(
                "form_password_length_too_short",
                "is too short",
                param,
                "Passwords must not be empty.".to_owned(),
            ),
            PasswordRejected::TooShort { min } => form(
                "form_password_length_too_short",
                "is too short",
                param,
                format!("Passwords must be {min} characters or more."),
            ),
            PasswordRejected::TooLong { max } => form(
                "form_password_length_too_long",
                "is too long",
                param,
                format!("Passwords must be {max} characters or less."),
            ),
            PasswordRejected::TooManyBytes => form(
                "form_password_size_in_bytes_exceeded",
                "is too long",
                param,
                format!(
                    "Passwords must be {} bytes or less.",
                    hallpass_domain::password::MAX_PASSWORD_BYTES
                ),
            ),
            PasswordRejected::Missing(class) => form(
                "form_password_not_strong_enough",
                "is not strong enough",
                param,
                format!("Passwords must contain {}.", class.described()),
            ),
        }
    }

    /// A `password_digest` / `password_hasher` that cannot be imported.
    pub fn digest_refused(e: &DigestError) -> Self {
        match e {
            DigestError::UnsupportedHasher(_) => form(
                "form_param_value_invalid",
                "is invalid",
                "password_hasher",
                format!("{e}."),
            ),
            DigestError::Malformed(_) => form(
                "form_param_format_invalid",
                "is invalid",
                "password_digest",
                format!("{e}."),
            ),
        }
    }
}

impl From<PasswordUseError> for ApiError {
    fn from(e: PasswordUseError) -> Self {
        match e {
            PasswordUseError::Rejected(e) => Self::password_rejected(e, "password"),
            PasswordUseError::Digest(why) => form(
                "form_param_format_invalid",
                "is invalid",
                "password_digest",
                format!("The password digest cannot be used: {why}."),
            ),
            PasswordUseError::NoPassword(_) => Self::new(
                StatusCode::BAD_REQUEST,
                "password_not_set",
                "no password",
                "The user does not have a password set.",
            ),
            PasswordUseError::Incorrect => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "form_password_incorrect",
                "is incorrect",
                "Password is incorrect. Try again, or use another method.",
            ),
            PasswordUseError::User(e) => e.into(),
        }
    }
}
