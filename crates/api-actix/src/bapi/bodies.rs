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
            "POST /v1/jwt_templates",
            decode_json::<super::templates::TemplateBody>(body)
                .and_then(super::templates::TemplateBody::into_input)
                .map(drop),
        ),
    ]
}
