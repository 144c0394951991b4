//! CORS for browser calls, and the CSRF defence that goes with it.
//!
//! Browsers call the Frontend API cross-origin with credentials, so an
//! allowed `Origin` is echoed (never `*`) with `Allow-Credentials`. A
//! state-changing request (anything but GET, HEAD, OPTIONS) from an origin
//! that is not allowed is refused with `origin_invalid` before any handler
//! runs; with SameSite=Lax cookies this is the CSRF defence. Requests
//! without an `Origin` (servers, native apps) are not browser cross-origin
//! calls and pass.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};
use hallpass_app::Hallpass;
use hallpass_ports::{KeyRingFactory, Store};

use crate::{ApiError, ApiOptions};

const EXPOSE: &str = "Authorization, Clerk-Db-Jwt, x-country, Retry-After";
const ALLOW_HEADERS: &str = "Authorization, Content-Type, Clerk-API-Version, x-mobile, x-expo-sdk-version, x-clerk-api-version";
const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";

fn allowed<S: Store, K: KeyRingFactory>(req: &ServiceRequest, origin: &str) -> bool {
    let Some(app) = req.app_data::<web::Data<Hallpass<S, K>>>() else {
        return false;
    };
    if origin.eq_ignore_ascii_case(&app.frontend_api().origin()) {
        return true;
    }
    req.app_data::<web::Data<ApiOptions>>()
        .is_some_and(|o| o.origins.contains(origin))
}

fn add_cors_headers(headers: &mut actix_web::http::header::HeaderMap, origin: &str) {
    if let Ok(value) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE),
        );
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
}

pub(crate) async fn cors<S: Store, K: KeyRingFactory>(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Some(origin) = origin else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let ok = allowed::<S, K>(&req, &origin);
    if req.method() == Method::OPTIONS {
        let mut res = HttpResponse::NoContent();
        if ok {
            res.insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS))
                .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS))
                .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"));
        }
        let mut res = res.finish();
        if ok {
            add_cors_headers(res.headers_mut(), &origin);
        }
        return Ok(req.into_response(res).map_into_right_body());
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD);
    if !ok && !safe {
        let err = ApiError::origin_invalid();
        return Ok(req
            .into_response(actix_web::ResponseError::error_response(&err))
            .map_into_right_body());
    }
    let mut res = next.call(req).await?;
    if ok {
        add_cors_headers(res.headers_mut(), &origin);
    }
    Ok(res.map_into_left_body())
}
