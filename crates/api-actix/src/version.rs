//! The Clerk API version a request asks for: the `Clerk-API-Version` header
//! or the `__clerk_api_version` query parameter. One policy for both APIs
//! ([`hallpass_domain::api_version`]): a known version is served as itself,
//! a newer date as the newest known one (logged once per value), a date
//! between releases as the one in effect; a malformed value, one before the
//! oldest known, or both the header and the parameter at once, is `400
//! api_version_invalid`. Neither means the latest.
//!
//! [`check`] runs on every route of both `/v1` scopes and leaves the
//! version in the request's extensions, where [`RequestedVersion`] finds it.

use std::collections::HashSet;
use std::future::{Ready, ready};
use std::sync::{Mutex, PoisonError};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpMessage as _, HttpRequest, ResponseError as _};
use hallpass_domain::api_version::ApiVersionError;
use hallpass_domain::token::ApiVersion;

use crate::ApiError;

const HEADER: &str = "Clerk-API-Version";
const QUERY: &str = "__clerk_api_version";

/// How many distinct newer versions are logged (a bound: the value comes
/// from the request).
const NEWER_LOGGED: usize = 32;

/// The requested API version.
#[derive(Debug, Clone, Copy)]
pub struct RequestedVersion(pub ApiVersion);

fn invalid(long: String) -> ApiError {
    ApiError::bad_request("api_version_invalid", long)
}

/// The version `req` asks for, resolved by the policy.
fn resolve(req: &HttpRequest) -> Result<RequestedVersion, ApiError> {
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
    let requested = requested.trim();
    match ApiVersion::resolve(requested) {
        Ok(resolved) => {
            if resolved.newer {
                log_newer(requested);
            }
            Ok(RequestedVersion(resolved.version))
        }
        Err(e) => {
            let why = match e {
                ApiVersionError::Malformed => "is not a date of the form YYYY-MM-DD",
                ApiVersionError::TooOld => "is older than the oldest version Hallpass serves",
            };
            Err(invalid(format!(
                "API version {requested:?} {why}; known versions: {}.",
                ApiVersion::KNOWN.join(", ")
            )))
        }
    }
}

/// Logs a newer version than Hallpass knows the first time it is seen (up
/// to [`NEWER_LOGGED`] values): an SDK is ahead of this server.
fn log_newer(requested: &str) {
    static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    let mut seen = SEEN.lock().unwrap_or_else(PoisonError::into_inner);
    let seen = seen.get_or_insert_with(HashSet::new);
    if seen.len() < NEWER_LOGGED && seen.insert(requested.to_owned()) {
        tracing::warn!(
            requested,
            served = ApiVersion::LATEST.as_str(),
            "a client asks for a newer Clerk API version than Hallpass knows; served as the newest known"
        );
    }
}

/// Middleware: refuses a request whose API version cannot be served, and
/// leaves the one it is served as in the request's extensions.
pub(crate) async fn check(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    match resolve(req.request()) {
        Ok(version) => {
            req.extensions_mut().insert(version);
            Ok(next.call(req).await?.map_into_left_body())
        }
        Err(e) => {
            let res = e.error_response();
            Ok(req.into_response(res).map_into_right_body())
        }
    }
}

impl FromRequest for RequestedVersion {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let checked = req.extensions().get::<RequestedVersion>().copied();
        ready(checked.map_or_else(|| resolve(req), Ok))
    }
}
