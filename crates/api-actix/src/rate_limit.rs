//! Rate limits on both APIs: 429 `too_many_requests` with `Retry-After`.
//!
//! The budgets and the limiter are a [`hallpass_app::RateLimits`] in the
//! app data (`web::Data<RateLimits>`); without one, nothing is limited.
//!
//! - Frontend API: every `/v1` request spends one hit of its client IP's
//!   budget, then one of its client credential's (the `__client` cookie,
//!   the native `Authorization` or the development browser, as the
//!   request's caller was read: `crate::caller`), when it has one. CORS preflights and requests refused by the origin check are
//!   answered before this and spend nothing; a 429 carries the CORS headers
//!   so browsers can read `Retry-After`.
//! - Backend API: every authenticated `/v1` request spends one hit of its
//!   secret key's budget (after authentication, by the key's id: a request
//!   with a wrong key spends nobody's budget).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError as _, web};
use hallpass_app::{Limited, RateLimits, RateScope};

use crate::client_ip::client_ip;
use crate::{ApiError, ApiOptions};

fn refuse<B>(req: ServiceRequest, limited: Limited) -> ServiceResponse<EitherBody<B>> {
    let res = ApiError::too_many_requests(limited.retry_after).error_response();
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
    if let Some(credential) = crate::caller::credential_text(req.request())
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
    if let Some(caller) = crate::caller::backend_caller(req.request())
        && let Err(limited) = limits
            .check(RateScope::BackendSecretKey, &caller.secret_key_id)
            .await
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
        let e = ApiError::too_many_requests(Duration::from_millis(1500));
        let res = e.error_response();
        assert_eq!(res.status(), 429);
        assert_eq!(res.headers().get("retry-after").unwrap(), "2");
        assert_eq!(e.body()["errors"][0]["code"], "too_many_requests");
        let zero = ApiError::too_many_requests(Duration::ZERO);
        assert_eq!(
            zero.error_response().headers().get("retry-after").unwrap(),
            "1"
        );
    }
}
