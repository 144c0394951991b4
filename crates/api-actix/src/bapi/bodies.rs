//! Every Backend API JSON body, decoded as its handler decodes it: for
//! fuzzing (`fuzz/`) and for the tests of the lenient body rules.

use crate::ApiError;
use crate::body::decode_json;

/// Decodes `body` as each Backend API request body, by route. The template
/// bodies also go through their conversion into the use case's input.
pub fn decode_json_bodies(body: &[u8]) -> Vec<(&'static str, Result<(), ApiError>)> {
    vec![
        (
            "POST /v1/sessions",
            decode_json::<super::sessions::CreateSession>(body).map(drop),
        ),
        (
            "POST /v1/sessions/{id}/tokens",
            decode_json::<super::tokens::CreateToken>(body).map(drop),
        ),
        (
            "POST /v1/sessions/{id}/tokens/{template}",
            decode_json::<super::templates::MintBody>(body).map(drop),
        ),
        (
            "POST /v1/sessions/{id}/verify",
            decode_json::<super::session::VerifyBody>(body).map(drop),
        ),
        (
            "POST /v1/sessions/{id}/refresh",
            decode_json::<super::refresh::RefreshBody>(body).map(drop),
        ),
        (
            "POST /v1/clients/verify",
            decode_json::<super::clients::VerifyBody>(body).map(drop),
        ),
        (
            "POST /v1/sign_in_tokens",
            decode_json::<super::sign_in_tokens::CreateBody>(body).map(drop),
        ),
        (
            "POST /v1/users",
            decode_json::<super::user_bodies::CreateUser>(body).map(drop),
        ),
        (
            "PATCH /v1/users/{id}",
            decode_json::<super::user_bodies::UpdateUser>(body).map(drop),
        ),
        (
            "PATCH /v1/users/{id}/metadata",
            decode_json::<super::user_bodies::UserMetadataBody>(body).map(drop),
        ),
        (
            "POST /v1/email_addresses",
            decode_json::<super::identifiers::CreateEmailAddress>(body).map(drop),
        ),
        (
            "POST /v1/phone_numbers",
            decode_json::<super::identifiers::CreatePhoneNumber>(body).map(drop),
        ),
        (
            "PATCH /v1/email_addresses/{id}",
            decode_json::<super::identifiers::UpdateIdentifier>(body).map(drop),
        ),
        (
            "POST /v1/organizations",
            decode_json::<super::organization_bodies::CreateOrganization>(body).map(drop),
        ),
        (
            "PATCH /v1/organizations/{id}",
            decode_json::<super::organization_bodies::UpdateOrganization>(body).map(drop),
        ),
        (
            "PATCH /v1/organizations/{id}/metadata",
            decode_json::<super::organization_bodies::MetadataBody>(body).map(drop),
        ),
        (
            "POST /v1/organizations/{id}/memberships",
            decode_json::<super::organization_bodies::CreateMembership>(body).map(drop),
        ),
        (
            "PATCH /v1/organizations/{id}/memberships/{user_id}",
            decode_json::<super::organization_bodies::UpdateMembership>(body).map(drop),
        ),
        (
            "POST /v1/jwt_templates",
            decode_json::<super::templates::TemplateBody>(body)
                .and_then(super::templates::TemplateBody::into_input)
                .map(drop),
        ),
    ]
}
