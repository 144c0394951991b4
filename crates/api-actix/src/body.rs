//! Request bodies as the official SDKs send them.

use actix_web::dev::Payload;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;

use crate::ApiError;

const LIMIT: usize = 64 * 1024;

/// The body's bytes, or a 400 when it could not be read.
pub(crate) async fn read(
    bytes: impl std::future::Future<Output = Result<Bytes, actix_web::Error>>,
) -> Result<Bytes, ApiError> {
    bytes.await.map_err(|_| {
        ApiError::bad_request(
            "request_body_invalid",
            "The request body could not be read.",
        )
    })
}

/// The body as UTF-8 text, bounded; `None` when it is only whitespace.
pub(crate) fn text(bytes: &[u8]) -> Result<Option<String>, ApiError> {
    if bytes.len() > LIMIT {
        return Err(ApiError::bad_request(
            "request_body_invalid",
            "The request body is too large.",
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| {
        ApiError::bad_request("request_body_invalid", "The request body is not UTF-8.")
    })?;
    Ok(Some(text.trim())
        .filter(|t| !t.is_empty())
        .map(str::to_owned))
}

/// Decodes a body as [`LenientJson`] does: empty, `{}` and `null` give
/// `T::default()`; anything else must deserialise into `T`.
pub(crate) fn decode_json<T: DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, ApiError> {
    let Some(text) = text(bytes)? else {
        return Ok(T::default());
    };
    if text == "null" {
        return Ok(T::default());
    }
    serde_json::from_str(&text).map_err(|e| {
        ApiError::bad_request(
            "request_body_invalid",
            format!("The request body is invalid: {e}"),
        )
    })
}

/// An optional JSON body: empty, `{}` and `null` all mean "no parameters"
/// (each official SDK sends a different one), so `T` gets its defaults.
/// Anything else must be a JSON object that deserialises into `T`.
#[derive(Debug)]
pub struct LenientJson<T>(pub T);

impl<T: DeserializeOwned + Default + 'static> FromRequest for LenientJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = Bytes::from_request(req, payload);
        Box::pin(async move { decode_json(&read(bytes).await?).map(Self) })
    }
}
