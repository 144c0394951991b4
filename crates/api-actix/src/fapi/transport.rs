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

fn query_param(req: &HttpRequest, name: &str) -> Option<String> {
    web::Query::<Vec<(String, String)>>::from_query(req.query_string())
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
    if req.method() == Method::POST
        && let Some(m) = query_param(req.request(), "_method")
    {
        let method = match m.to_ascii_uppercase().as_str() {
            "PUT" => Some(Method::PUT),
            "PATCH" => Some(Method::PATCH),
            "DELETE" => Some(Method::DELETE),
            _ => None,
        };
        match method {
            Some(method) => req.head_mut().method = method,
            None => {
                return Err(ApiError::bad_request(
                    "invalid_query_parameter_value",
                    "_method must be PUT, PATCH or DELETE.",
                )
                .into());
            }
        }
    }
    next.call(req).await
}

/// The transport a request used for its client credential; responses answer
/// in the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
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

fn parse<S: Store, K: KeyRingFactory>(req: &HttpRequest) -> Result<FapiRequest<S, K>, ApiError> {
    let app = req
        .app_data::<web::Data<Hallpass<S, K>>>()
        .ok_or_else(|| ApiError::internal(&anyhow::anyhow!("Hallpass is not in the app data")))?;
    let native_allowed = req
        .app_data::<web::Data<ApiOptions>>()
        .is_none_or(|o| o.native_api);
    let version = RequestedVersion::from_request(req, &mut Payload::None)
        .into_inner()?
        .0;
    let origin = req
        .headers()
        .get(ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| !o.is_empty() && *o != "null")
        .map(str::to_owned);
    let (transport, credential, dev_browser) = if truthy(query_param(req, "_is_native")) {
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
    } else if app.environment() == Environment::Development {
        let value =
            query_param(req, "__clerk_db_jwt").or_else(|| query_param(req, "__dev_session"));
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
    Ok(FapiRequest {
        transport,
        credential,
        dev_browser,
        origin,
        version,
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
