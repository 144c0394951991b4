//! The Clerk API version a request asks for: the `Clerk-API-Version` header
//! or the `__clerk_api_version` query parameter. Both at once, or a version
//! that does not exist, is a 400; neither means the latest.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use hallpass_domain::token::ApiVersion;

use crate::ApiError;

const HEADER: &str = "Clerk-API-Version";
const QUERY: &str = "__clerk_api_version";

/// The requested API version.
#[derive(Debug, Clone, Copy)]
pub struct RequestedVersion(pub ApiVersion);

fn invalid(long: String) -> ApiError {
    ApiError::bad_request("api_version_invalid", long)
}

fn from_request(req: &HttpRequest) -> Result<RequestedVersion, ApiError> {
    let header = match req.headers().get(HEADER) {
        None => None,
        Some(v) => Some(
            v.to_str()
                .map_err(|_| invalid(format!("The {HEADER} header is not valid text.")))?
                .to_owned(),
        ),
    };
    let query = actix_web::web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == QUERY)
        .map(|(_, v)| v);
    let requested = match (header, query) {
        (Some(_), Some(_)) => {
            return Err(invalid(format!(
                "Send the API version in the {HEADER} header or the {QUERY} query parameter, not both."
            )));
        }
        (Some(v), None) | (None, Some(v)) => v,
        (None, None) => return Ok(RequestedVersion(ApiVersion::LATEST)),
    };
    ApiVersion::parse(requested.trim())
        .map(RequestedVersion)
        .ok_or_else(|| {
            invalid(format!(
                "Unknown API version {requested:?}; known versions: {}.",
                ApiVersion::KNOWN.join(", ")
            ))
        })
}

impl FromRequest for RequestedVersion {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(from_request(req))
    }
}
