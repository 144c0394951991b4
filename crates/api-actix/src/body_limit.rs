//! Bodies over the limit are refused from their `Content-Length`, before
//! any handler reads a byte: 413 `request_body_too_large` (Clerk answers
//! oversized uploads with 413 and its error shape). A chunked body that
//! grows past the limit is still refused by the body readers (400
//! `request_body_invalid`), as it cannot be refused before it is read.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError as _};

use crate::ApiError;

/// The largest body either API reads (the SDKs send a few hundred bytes).
pub(crate) const MAX_BODY_BYTES: u64 = 64 * 1024;

pub(crate) fn too_large() -> ApiError {
    ApiError::body_too_large(MAX_BODY_BYTES)
}

pub(crate) async fn refuse_large_bodies(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES) {
        let res = too_large().error_response();
        return Ok(req.into_response(res).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}
