//! clerk-js's `_method` overrides: PUT, PATCH and DELETE sent as POST.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

use crate::ApiError;
use crate::caller::query_param;

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
