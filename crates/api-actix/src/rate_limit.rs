//! Rate limits on both APIs: 429 `too_many_requests` with `Retry-After`.
//!
//! The budgets and the limiter are a [`hallpass_app::RateLimits`] in the
//! app data (`web::Data<RateLimits>`); without one, nothing is limited.
//!
//! - Frontend API: every `/v1` request spends one hit of its client IP's
//!   budget, then one of its client credential's (the `__client` cookie,
//!   the native `Authorization` or the development browser), when it has
//!   one. CORS preflights and requests refused by the origin check are
//!   answered before this and spend nothing; a 429 carries the CORS headers
//!   so browsers can read `Retry-After`.
//! - Backend API: every authenticated `/v1` request spends one hit of its
//!   secret key's budget (after authentication: a request with a wrong key
//!   spends nobody's budget).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, ResponseError as _, web};
use hallpass_app::{Limited, RateLimits, RateScope};

use crate::client_ip::client_ip;
use crate::{ApiError, ApiOptions};

/// 429 `too_many_requests`, `Retry-After` in whole seconds (at least 1).
pub(crate) fn too_many_requests(limited: Limited) -> ApiError {
    let secs = limited.retry_after.as_secs() + u64::from(limited.retry_after.subsec_nanos() > 0);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_requests",
        "Too many requests",
        "Too many requests. Please retry after the time in the Retry-After header.",
    )
    .retry_after(u32::try_from(secs.max(1)).unwrap_or(u32::MAX))
}

fn query_value(req: &HttpRequest, names: &[&str]) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| names.contains(&k.as_ref()))
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

/// The client credential a Frontend API request carries, in any transport.
/// Only its budget is chosen with it: it is not checked here.
fn client_credential(req: &HttpRequest) -> Option<String> {
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim().to_owned())
        .filter(|v| !v.is_empty());
    header
        .or_else(|| {
            req.cookie("__client")
                .map(|c| c.value().to_owned())
                .filter(|v| !v.is_empty())
        })
        .or_else(|| query_value(req, &["__clerk_db_jwt", "__dev_session"]))
}

fn refuse<B>(req: ServiceRequest, limited: Limited) -> ServiceResponse<EitherBody<B>> {
    let res = too_many_requests(limited).error_response();
    req.into_response(res).map_into_right_body()
}

/// Frontend API: per client IP, then per client.
pub(crate) async fn frontend(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let Some(limits) = req.app_data::<web::Data<RateLimits>>().cloned() else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let options = req.app_data::<web::Data<ApiOptions>>().cloned();
    let ip = client_ip(req.request(), options.as_ref().map(|o| o.get_ref()));
    if let Some(ip) = ip
        && let Err(limited) = limits.check(RateScope::FrontendIp, &ip).await
    {
        return Ok(refuse(req, limited));
    }
    if let Some(credential) = client_credential(req.request())
        && let Err(limited) = limits.check(RateScope::FrontendClient, &credential).await
    {
        return Ok(refuse(req, limited));
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// Backend API: per secret key (runs after authentication).
pub(crate) async fn backend(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let Some(limits) = req.app_data::<web::Data<RateLimits>>().cloned() else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let key = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|k| k.trim().to_owned());
    if let Some(key) = key
        && let Err(limited) = limits.check(RateScope::BackendSecretKey, &key).await
    {
        return Ok(refuse(req, limited));
    }
    Ok(next.call(req).await?.map_into_left_body())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let e = too_many_requests(Limited {
            retry_after: Duration::from_millis(1500),
        });
        let res = e.error_response();
        assert_eq!(res.status(), 429);
        assert_eq!(res.headers().get("retry-after").unwrap(), "2");
        assert_eq!(e.body()["errors"][0]["code"], "too_many_requests");
        let zero = too_many_requests(Limited {
            retry_after: Duration::ZERO,
        });
        assert_eq!(
            zero.error_response().headers().get("retry-after").unwrap(),
            "1"
        );
    }
}
