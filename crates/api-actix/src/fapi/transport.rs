//! What real Frontend API clients send: `_method` overrides, the client
//! credential in one of three transports, the `Origin`, the API version.

use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{AUTHORIZATION, ORIGIN};
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpRequest, web};
use hallpass_app::{ClientCredential, Hallpass};
use hallpass_domain::token::ApiVersion;
use hallpass_domain::{DevBrowserId, Environment};
use hallpass_ports::{KeyRingFactory, Store};

use crate::{ApiError, ApiOptions, RequestedVersion};

/// The `__client` cookie (production browsers).
pub(crate) const CLIENT_COOKIE: &str = "__client";

fn query_param(query: &str, name: &str) -> Option<String> {
    web::Query::<Vec<(String, String)>>::from_query(query)
        .ok()?
        .into_inner()
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// clerk-js sends PUT, PATCH and DELETE as `POST ?_method=…` (no CORS
/// preflight); the intended method is restored before routing.
pub(crate) async fn method_override(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if let Some(method) = overridden_method(req.method(), req.query_string())? {
        req.head_mut().method = method;
    }
    next.call(req).await
}

/// The method a request asks for with `_method` (only on a POST): `PUT`,
/// `PATCH` or `DELETE` (any case); anything else is a 400. `None`: keep the
/// request's own method.
pub fn overridden_method(method: &Method, query: &str) -> Result<Option<Method>, ApiError> {
    if *method != Method::POST {
        return Ok(None);
    }
    let Some(m) = query_param(query, "_method") else {
        return Ok(None);
    };
    match m.to_ascii_uppercase().as_str() {
        "PUT" => Ok(Some(Method::PUT)),
        "PATCH" => Ok(Some(Method::PATCH)),
        "DELETE" => Ok(Some(Method::DELETE)),
        _ => Err(ApiError::bad_request(
            "invalid_query_parameter_value",
            "_method must be PUT, PATCH or DELETE.",
        )),
    }
}

/// The transport a request used for its client credential; responses answer
/// in the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `__client` cookie.
    Cookie,
    /// `_is_native=1` with `Authorization`.
    Native,
    /// `__clerk_db_jwt` (development instances).
    DevBrowser,
}

/// Everything a Frontend API handler needs to know about the caller.
#[derive(Debug)]
pub(crate) struct FapiRequest<S, K> {
    pub transport: Transport,
    pub credential: Option<ClientCredential>,
    /// The development browser named by the request (development instances).
    pub dev_browser: Option<DevBrowserId>,
    pub origin: Option<String>,
    pub version: ApiVersion,
    _app: PhantomData<fn() -> (S, K)>,
}

pub(crate) fn dev_browser_unauthenticated() -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::UNAUTHORIZED,
        "dev_browser_unauthenticated",
        "Browser unauthenticated",
        "Unable to authenticate the development browser: create one with POST /v1/dev_browser.",
    )
}

fn truthy(value: Option<String>) -> bool {
    matches!(value.as_deref(), Some("1" | "true"))
}

/// What a Frontend API request says about its caller, read from the
/// request alone (nothing looked up yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub transport: Transport,
    pub credential: Option<ClientCredential>,
    /// The development browser named by the request (development instances).
    pub dev_browser: Option<DevBrowserId>,
    pub origin: Option<String>,
    pub version: ApiVersion,
}

/// Reads the caller from a Frontend API request: the API version, the
/// `Origin`, and the client credential from the transport the request uses
/// (`_is_native` with `Authorization`, `__clerk_db_jwt` on development
/// instances, the `__client` cookie otherwise).
pub fn parse_caller(
    req: &HttpRequest,
    environment: Environment,
    native_allowed: bool,
) -> Result<Caller, ApiError> {
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
    let (transport, credential, dev_browser) = if truthy(query_param(query, "_is_native")) {
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
        (Transport::Native, token.map(ClientCredential::Token), None)
    } else if environment == Environment::Development {
        let value =
            query_param(query, "__clerk_db_jwt").or_else(|| query_param(query, "__dev_session"));
        let id = value.as_deref().and_then(|v| DevBrowserId::parse(v).ok());
        (
            Transport::DevBrowser,
            id.clone().map(ClientCredential::DevBrowser),
            id,
        )
    } else {
        let token = req
            .cookie(CLIENT_COOKIE)
            .map(|c| c.value().to_owned())
            .filter(|v| !v.is_empty());
        (Transport::Cookie, token.map(ClientCredential::Token), None)
    };
    Ok(Caller {
        transport,
        credential,
        dev_browser,
        origin,
        version,
    })
}

fn parse<S: Store, K: KeyRingFactory>(req: &HttpRequest) -> Result<FapiRequest<S, K>, ApiError> {
    let app = req
        .app_data::<web::Data<Hallpass<S, K>>>()
        .ok_or_else(|| ApiError::internal(&anyhow::anyhow!("Hallpass is not in the app data")))?;
    let native_allowed = req
        .app_data::<web::Data<ApiOptions>>()
        .is_none_or(|o| o.native_api);
    let caller = parse_caller(req, app.environment(), native_allowed)?;
    Ok(FapiRequest {
        transport: caller.transport,
        credential: caller.credential,
        dev_browser: caller.dev_browser,
        origin: caller.origin,
        version: caller.version,
        _app: PhantomData,
    })
}

impl<S: Store, K: KeyRingFactory> FromRequest for FapiRequest<S, K> {
    type Error = ApiError;
    type Future = Pin<Box<dyn std::future::Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = parse::<S, K>(req);
        Box::pin(async move { result })
    }
}
