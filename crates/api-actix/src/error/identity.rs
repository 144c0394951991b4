//! The refusals of the users, organizations and memberships routes, with
//! the codes and statuses of Clerk's Backend API error index
//! (<https://clerk.com/docs/reference/backend-api-errors>): `form_*` codes
//! are 422 with `meta.param_name`; "not found" is 404 `resource_not_found`.

use actix_web::http::StatusCode;
use hallpass_app::{IdentifierUseError, OrganizationUseError, UserUseError};
use hallpass_domain::{
    FieldError, IdentifierKind, MembershipError, MetadataError, MetadataFieldError, UserError,
};
use hallpass_ports::UserIdentifier;
use serde_json::json;

use super::ApiError;

/// A 422 form error naming the parameter in `meta.param_name`.
pub(super) fn form(
    code: &'static str,
    message: &'static str,
    param: &str,
    long: String,
) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message, long)
        .with_meta(json!({ "param_name": param }))
}

impl ApiError {
    /// 404 `resource_not_found`: "No user was found with id …".
    pub fn user_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            "not found",
            format!("No user was found with id {id}"),
        )
    }

    /// 403 `user_banned`: the user may not sign in (clerk-js treats it as
    /// terminal and signs out).
    pub fn user_banned() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "user_banned",
            "Account banned",
            "This account has been banned.",
        )
    }

    /// 403 `user_locked`, with `meta.lockout_expires_in_seconds` (`null`:
    /// until unlocked), as Clerk answers a sign-in of a locked user.
    pub fn user_locked(expires_in_seconds: Option<i64>) -> Self {
        let long = match expires_in_seconds {
            Some(s) => format!(
                "Your account is locked. You will be able to try again in {} minutes.",
                s.saturating_add(59) / 60
            ),
            None => "Your account is locked.".to_owned(),
        };
        Self::new(StatusCode::FORBIDDEN, "user_locked", "Account locked", long)
            .with_meta(json!({ "lockout_expires_in_seconds": expires_in_seconds }))
    }

    /// 404 `resource_not_found` for an organization id or slug.
    pub fn organization_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            "not found",
            "Given organization not found.",
        )
    }

    /// 422 `form_param_unknown`: a parameter of a feature Hallpass does not
    /// have (passwords, web3 wallets, ...), as Clerk refuses the parameters
    /// of a feature an instance has disabled.
    pub fn param_unknown(param: &str, why: &str) -> Self {
        form(
            "form_param_unknown",
            "is unknown",
            param,
            format!("{param} is not a valid parameter for this request. {why}"),
        )
    }

    /// 422 `form_param_array_size_exceeded`.
    pub fn array_too_large(param: &str, max: usize) -> Self {
        form(
            "form_param_array_size_exceeded",
            "exceeds maximum size",
            param,
            format!("{param} should not exceed {max} items."),
        )
    }

    /// 422 `form_param_invalid_time`: not an RFC 3339 date-time.
    pub fn invalid_time(param: &str) -> Self {
        form(
            "form_param_invalid_time",
            "invalid format",
            param,
            format!(
                "{param} must contain a datetime specified in RFC3339 format (e.g. `2022-10-20T10:00:27.645Z`)."
            ),
        )
    }

    /// 422 `form_identifier_exists`: another user (organization) has it.
    pub fn identifier_exists(param: &str) -> Self {
        let what = match param {
            "email_address" => "email address",
            "phone_number" => "phone number",
            "external_id" => "external ID",
            "slug" => "organization slug",
            other => other,
        };
        let long = format!("That {what} is taken. Please try another.");
        form("form_identifier_exists", "is taken", param, long)
    }

    /// A profile value the domain refused, with Clerk's code for each kind.
    pub fn field(e: &FieldError) -> Self {
        let param = e.field();
        match e {
            FieldError::Empty { .. } => form(
                "form_param_value_invalid",
                "is invalid",
                param,
                format!("{param} is invalid. Must be not empty"),
            ),
            FieldError::TooLong { .. } | FieldError::TooShort { .. } if param == "username" => {
                form(
                    "form_username_invalid_length",
                    "is invalid",
                    param,
                    "Usernames must be between 4 and 64 characters long.".to_owned(),
                )
            }
            FieldError::TooLong { max, .. } => form(
                "form_param_max_length_exceeded",
                "exceeds maximum length",
                param,
                format!("{param} should not exceed {max} characters."),
            ),
            FieldError::TooShort { min, .. } => form(
                "form_param_min_length_exceeded",
                "does not reach minimum length",
                param,
                format!("{param} must be at least {min} characters long."),
            ),
            FieldError::InvalidCharacter { .. } if param == "username" => form(
                "form_username_invalid_character",
                "is invalid",
                param,
                "Usernames can only contain letters, numbers, underscores (_) and dashes (-)."
                    .to_owned(),
            ),
            FieldError::InvalidCharacter { .. }
                if !matches!(param, "email_address" | "phone_number") =>
            {
                form(
                    "form_param_value_invalid",
                    "is invalid",
                    param,
                    format!("{param} contains a character it may not contain."),
                )
            }
            FieldError::InvalidCharacter { .. } | FieldError::InvalidFormat { .. } => {
                let long = match param {
                    "email_address" => "email_address must be a valid email address.".to_owned(),
                    "phone_number" => "phone_number must be a valid phone number according to \
                                       E.164 international standard."
                        .to_owned(),
                    _ => format!("{param} is not in a valid format."),
                };
                form("form_param_format_invalid", "is invalid", param, long)
            }
        }
    }

    /// A metadata object refused: not an object (`form_param_value_invalid`)
    /// or over the cap (`form_param_exceeds_allowed_size`), both 422.
    pub fn metadata(e: &MetadataFieldError) -> Self {
        let param = e.field.as_str();
        match e.error {
            MetadataError::NotAnObject => form(
                "form_param_value_invalid",
                "is invalid",
                param,
                format!("{param} must be a JSON object."),
            ),
            MetadataError::TooLarge { size, max } => form(
                "form_param_exceeds_allowed_size",
                "exceeds the allowed size",
                param,
                format!("{param} is {size} bytes of JSON; metadata is limited to {max} bytes."),
            ),
        }
    }

    /// 422 `form_param_value_invalid` for a role outside the role set
    /// (Clerk's `FormInvalidParameterValue` text).
    pub fn unknown_role(role: &str) -> Self {
        form(
            "form_param_value_invalid",
            "is invalid",
            "role",
            format!("{role} does not match one of the allowed values for parameter role"),
        )
    }
}

fn identifier_param(kind: IdentifierKind) -> &'static str {
    kind.as_str()
}

/// The domain's refusals of a change to a user.
pub(crate) fn user_error(e: &UserError) -> ApiError {
    match e {
        UserError::Duplicate { kind } => ApiError::identifier_exists(identifier_param(*kind)),
        UserError::IdentifierNotFound { kind, id } => form(
            "form_param_value_invalid",
            "is invalid",
            match kind {
                IdentifierKind::EmailAddress => "primary_email_address_id",
                IdentifierKind::PhoneNumber => "primary_phone_number_id",
            },
            format!(
                "{id} is not one of the user's {}.",
                match kind {
                    IdentifierKind::EmailAddress => "email addresses",
                    IdentifierKind::PhoneNumber => "phone numbers",
                }
            ),
        ),
        UserError::Unverified { kind, id } => form(
            "form_verification_needed",
            "is unverified",
            identifier_param(*kind),
            format!(
                "{id}: this identification needs to be verified before you can perform this action."
            ),
        ),
        UserError::LastIdentification => ApiError::new(
            StatusCode::BAD_REQUEST,
            "identification_deletion_failed",
            "Deletion failed",
            "You cannot delete your last identification.",
        ),
        UserError::Metadata(e) => ApiError::metadata(e),
    }
}

impl From<UserUseError> for ApiError {
    fn from(e: UserUseError) -> Self {
        match e {
            UserUseError::NotFound(id) => Self::user_not_found(id.as_str()),
            UserUseError::Invalid(e) => user_error(&e),
            UserUseError::Taken(which) => Self::identifier_exists(match which {
                UserIdentifier::EmailAddress => "email_address",
                UserIdentifier::PhoneNumber => "phone_number",
                UserIdentifier::Username => "username",
                UserIdentifier::ExternalId => "external_id",
            }),
            UserUseError::Unexpected(e) => Self::internal(&e),
        }
    }
}

impl From<OrganizationUseError> for ApiError {
    fn from(e: OrganizationUseError) -> Self {
        organization_error(e)
    }
}

fn organization_error(e: OrganizationUseError) -> ApiError {
    match e {
        OrganizationUseError::NotFound => ApiError::organization_not_found(),
        OrganizationUseError::UserNotFound(id) => ApiError::user_not_found(id.as_str()),
        OrganizationUseError::MembershipNotFound => ApiError::new(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            "not found",
            "The user is not a member of the organization.",
        ),
        OrganizationUseError::SlugTaken => ApiError::identifier_exists("slug"),
        OrganizationUseError::CreatorNotFound(id) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "organization_creator_not_found",
            "creator not found",
            format!("No users found with id {id}."),
        ),
        OrganizationUseError::AlreadyMember(id) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "already_a_member_in_organization",
            "already a member",
            format!("User {id} is already a member of the organization."),
        ),
        OrganizationUseError::Membership(MembershipError::UnknownRole(role)) => {
            ApiError::unknown_role(role.as_str())
        }
        OrganizationUseError::Membership(MembershipError::LimitReached { max }) => ApiError::new(
            StatusCode::FORBIDDEN,
            "organization_membership_quota_exceeded",
            "organization membership quota exceeded",
            format!(
                "You have reached your limit of {max} organization memberships, including outstanding invitations."
            ),
        ),
        OrganizationUseError::Membership(MembershipError::Metadata(e))
        | OrganizationUseError::Metadata(e) => ApiError::metadata(&e),
        OrganizationUseError::Unexpected(e) => ApiError::internal(&e),
    }
}

impl From<IdentifierUseError> for ApiError {
    fn from(e: IdentifierUseError) -> Self {
        match e {
            IdentifierUseError::NotFound(id) => Self::new(
                StatusCode::NOT_FOUND,
                "resource_not_found",
                "not found",
                format!("No identification was found with id {id}"),
            ),
            IdentifierUseError::User(e) => e.into(),
        }
    }
}
