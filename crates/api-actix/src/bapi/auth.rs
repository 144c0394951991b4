//! Who is calling the Backend API: `Authorization: Bearer sk_…` on every
//! route, authenticated once per request by [`require_secret_key`], which
//! keeps the `BackendCaller` in the request's extensions (read with
//! `crate::caller::backend_caller`) for the rate limit and anything after it.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage as _, web};
use hallpass_app::{AuthError, Hallpass};
use hallpass_ports::{KeyRingFactory, Store};

use crate::ApiError;

/// Refuses the request unless it carries a valid secret key. Fails closed:
/// a missing, malformed, unknown or revoked key, or a store error, never
/// reaches a handler.
pub(crate) async fn require_secret_key<S: Store, K: KeyRingFactory>(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let app = req
        .app_data::<web::Data<Hallpass<S, K>>>()
        .cloned()
        .ok_or_else(|| ApiError::internal(&anyhow::anyhow!("Hallpass is not in the app data")))?;
    let mut values = req.headers().get_all(AUTHORIZATION);
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(ApiError::unauthorized(
            "authentication_invalid",
            "The request carries no single Authorization header with a secret key.",
        )
        .into());
    };
    let key = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized(
                "authentication_invalid",
                "The Authorization header must be `Bearer <secret key>`.",
            )
        })?;
    match app.authenticate_secret_key(key).await {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            next.call(req).await
        }
        Err(AuthError::Invalid) => Err(ApiError::unauthorized(
            "clerk_key_invalid",
            "The secret key is invalid. Check it against `hallpass instance show`.",
        )
        .into()),
        Err(AuthError::Unexpected(e)) => Err(ApiError::unavailable_from(&e).into()),
    }
}
