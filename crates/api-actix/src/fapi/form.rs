//! Frontend API bodies: `application/x-www-form-urlencoded` as clerk-js
//! sends them (or empty). Unknown parameters (`_clerk_js_version`, …) are
//! accepted and ignored.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::ApiError;

/// A lenient form body: empty means every field absent.
#[derive(Debug)]
pub(crate) struct Form<T>(pub T);

/// Decodes a form body as [`Form`] does: `content_type` is the request's
/// `Content-Type` header (parameters ignored); an empty (or all-whitespace)
/// body is `T::default()`; anything else must be UTF-8 form encoding.
pub(crate) fn decode<T: DeserializeOwned + Default>(
    content_type: Option<&str>,
    bytes: &[u8],
) -> Result<T, ApiError> {
    let Some(text) = crate::body::text(bytes)? else {
        return Ok(T::default());
    };
    let content_type = content_type.map(|v| {
        v.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    match content_type.as_deref() {
        None | Some("application/x-www-form-urlencoded") => {}
        Some(other) => {
            return Err(ApiError::bad_request(
                "unsupported_content_type",
                format!("Send application/x-www-form-urlencoded, not {other}."),
            ));
        }
    }
    serde_urlencoded::from_str(&text).map_err(|e| {
        ApiError::bad_request(
            "malformed_request_parameters",
            format!("The form is invalid: {e}"),
        )
    })
}

impl<T: DeserializeOwned + Default + 'static> FromRequest for Form<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = crate::body::read(bytes).await?;
            decode(content_type.as_deref(), &bytes).map(Self)
        })
    }
}
