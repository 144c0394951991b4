//! Who is calling, read once per request (ADR 0005).
//!
//! - Frontend API: [`identify`] (middleware, outside the rate limits)
//!   parses the request's API version, `Origin` and client credential
//!   ([`parse_caller`]) into a [`hallpass_app::FrontendCaller`] and keeps it
//!   in the request's extensions; the rate limit reads its credential
//!   ([`credential_text`]) and the handlers take it as a [`FapiCaller`]. A
//!   request that cannot be parsed (a malformed API version, the native API
//!   disabled) is refused by the handler that needs its caller, with the
//!   parse error.
//! - Backend API: the secret-key check (`bapi/auth.rs`) keeps the
//!   authenticated [`hallpass_app::BackendCaller`] in the request's
//!   extensions; the rate limit reads it with [`backend_caller`].

use std::future::{Ready, ready};
use std::rc::Rc;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{AUTHORIZATION, ORIGIN};
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpMessage as _, HttpRequest, web};
use hallpass_app::{BackendCaller, ClientCredential, FrontendCaller, Hallpass, Transport};
use hallpass_domain::{DevBrowserId, Environment};
use hallpass_ports::{KeyRingFactory, Store};

use crate::{ApiError, ApiOptions, RequestedVersion};

/// The `__client` cookie (production browsers).
pub(crate) const CLIENT_COOKIE: &str = "__client";

pub(crate) fn query_param(query: &str, name: &str) -> Option<String> {
    web::Query::<Vec<(String, String)>>::from_query(query)
        .ok()?
        .into_inner()
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// The parsed caller, as the request's extension (shared with the
/// handler's extractor, not copied).
#[derive(Debug, Clone)]
struct Parsed(Result<Rc<FrontendCaller>, ApiError>);

/// Parses the caller once and keeps it for the rate limits and handlers.
pub(crate) async fn identify<S: Store, K: KeyRingFactory>(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let parsed = match req.app_data::<web::Data<Hallpass<S, K>>>() {
        Some(app) => {
            let native_allowed = req
                .app_data::<web::Data<ApiOptions>>()
                .is_none_or(|o| o.native_api);
            parse_caller(req.request(), app.environment(), native_allowed)
        }
        None => Err(ApiError::internal(&anyhow::anyhow!(
            "Hallpass is not in the app data"
        ))),
    };
    req.extensions_mut().insert(Parsed(parsed.map(Rc::new)));
    next.call(req).await
}

/// The credential text of the request's caller, for its per-client rate
/// budget (`None` without a credential, or when the request did not parse).
pub(crate) fn credential_text(req: &HttpRequest) -> Option<String> {
    let extensions = req.extensions();
    let Parsed(parsed) = extensions.get::<Parsed>()?;
    parsed.as_ref().ok()?.credential_text().map(str::to_owned)
}

/// A Frontend API handler's caller: what [`identify`] read.
#[derive(Debug)]
pub(crate) struct FapiCaller(Rc<FrontendCaller>);

impl std::ops::Deref for FapiCaller {
    type Target = FrontendCaller;

    fn deref(&self) -> &FrontendCaller {
        &self.0
    }
}

impl FromRequest for FapiCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = req.extensions().get::<Parsed>().cloned();
        ready(match parsed {
            Some(Parsed(result)) => result.map(Self),
            None => Err(ApiError::internal(&anyhow::anyhow!(
                "the Frontend API caller was not identified (routes mounted without `identify`)"
            ))),
        })
    }
}

/// The authenticated caller of a Backend API request (`None` outside the
/// secret-key scope).
pub(crate) fn backend_caller(req: &HttpRequest) -> Option<BackendCaller> {
    req.extensions().get::<BackendCaller>().cloned()
}

fn truthy(value: Option<String>) -> bool {
    matches!(value.as_deref(), Some("1" | "true"))
}

/// The development browser a development instance's request names
/// (`__clerk_db_jwt`, or its alias `__dev_session`), valid or not.
fn dev_browser_param(environment: Environment, query: &str) -> Option<String> {
    match environment {
        Environment::Development => {
            query_param(query, "__clerk_db_jwt").or_else(|| query_param(query, "__dev_session"))
        }
        Environment::Production => None,
    }
}

/// Reads the caller from a Frontend API request: the API version, the
/// `Origin`, and the client credential from the transport the request uses
/// (`_is_native` with `Authorization`; on development instances
/// `__clerk_db_jwt` when the request names a development browser; the
/// `__client` cookie otherwise).
pub fn parse_caller(
    req: &HttpRequest,
    environment: Environment,
    native_allowed: bool,
) -> Result<FrontendCaller, ApiError> {
    let version = RequestedVersion::from_request(req, &mut Payload::None)
        .into_inner()?
        .0;
    let origin = req
        .headers()
        .get(ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| !o.is_empty() && *o != "null")
        .map(str::to_owned);
    let query = req.query_string();
    let (transport, credential) = if truthy(query_param(query, "_is_native")) {
        if !native_allowed {
            return Err(ApiError::bad_request(
                "native_api_disabled",
                "The native API is disabled for this instance.",
            ));
        }
        let token = req
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim().to_owned())
            .filter(|v| !v.is_empty());
        (Transport::Native, token.map(ClientCredential::Token))
    } else if let Some(value) = dev_browser_param(environment, query) {
        let id = DevBrowserId::parse(&value).ok();
        (Transport::DevBrowser, id.map(ClientCredential::DevBrowser))
    } else {
        // Production, and a development instance sent no development
        // browser (clerk-js sends none when its Frontend API is not on one
        // of Clerk's hosted development domains): the `__client` cookie.
        let token = req
            .cookie(CLIENT_COOKIE)
            .map(|c| c.value().to_owned())
            .filter(|v| !v.is_empty());
        (Transport::Cookie, token.map(ClientCredential::Token))
    };
    Ok(FrontendCaller {
        transport,
        credential,
        origin,
        version,
    })
}
