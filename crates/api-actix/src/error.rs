//! Clerk's error shape, and the one place HTTP statuses are chosen.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde_json::{Value, json};

/// An error as Clerk's APIs send it:
/// `{"errors":[{"code","message","long_message","meta"}],"clerk_trace_id"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError(Box<Inner>);

#[derive(Debug, Clone, PartialEq)]
struct Inner {
    status: StatusCode,
    code: &'static str,
    message: &'static str,
    long_message: String,
    meta: Value,
    retry_after: Option<u32>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message: &'static str,
        long: impl Into<String>,
    ) -> Self {
        Self(Box::new(Inner {
            status,
            code,
            message,
            long_message: long.into(),
            meta: json!({}),
            retry_after: None,
        }))
    }

    /// Adds `meta` (e.g. `{"param_name": "limit"}`).
    pub fn with_meta(mut self, meta: Value) -> Self {
        self.0.meta = meta;
        self
    }

    /// Adds a `Retry-After` header (seconds).
    pub fn retry_after(mut self, seconds: u32) -> Self {
        self.0.retry_after = Some(seconds);
        self
    }

    pub fn code(&self) -> &'static str {
        self.0.code
    }

    /// 404 `resource_not_found`.
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            "not found",
            format!("{what} not found"),
        )
    }

    /// 400 `request_body_invalid` / `invalid_query_parameter_value`.
    pub fn bad_request(code: &'static str, long: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, "is invalid", long)
    }

    /// 500 `internal_clerk_error`, or 503 with `Retry-After` when the cause
    /// is an unreachable store. Logs the cause once; the client sees a
    /// generic message.
    pub fn internal(cause: &anyhow::Error) -> Self {
        if cause
            .downcast_ref::<hallpass_ports::Unavailable>()
            .is_some()
        {
            return Self::unavailable_from(cause);
        }
        tracing::error!(error = ?cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_clerk_error",
            "Oops, an unexpected error occurred",
            "There was an internal error on our servers. Please try again later.",
        )
    }

    /// 422 `form_param_missing` naming the parameter in `meta`.
    pub fn missing_param(param: &'static str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form_param_missing",
            "is missing",
            format!("{param} must be included."),
        )
        .with_meta(json!({ "param_name": param }))
    }

    /// 422 `form_param_value_invalid` naming the parameter in `meta`.
    pub fn invalid_param(param: &'static str, long: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form_param_value_invalid",
            "is invalid",
            long,
        )
        .with_meta(json!({ "param_name": param }))
    }

    /// 503 for a store that failed unexpectedly: the cause is logged, the
    /// client is told to retry.
    pub fn unavailable_from(cause: &anyhow::Error) -> Self {
        tracing::error!(error = ?cause, "store error");
        Self::unavailable("The service cannot reach its store right now. Please retry.")
    }

    /// 503 `service_unavailable` with `Retry-After`.
    pub fn unavailable(long: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "service unavailable",
            long,
        )
        .retry_after(1)
    }

    pub fn body(&self) -> Value {
        json!({
            "errors": [{
                "code": self.0.code,
                "message": self.0.message,
                "long_message": self.0.long_message,
                "meta": self.0.meta,
            }],
        })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.0.status.as_u16(),
            self.0.code,
            self.0.long_message
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.0.status);
        res.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        if let Some(secs) = self.0.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        let mut out = res.json(self.body());
        out.extensions_mut()
            .insert(crate::metrics::ErrorCode(self.0.code));
        out
    }
}

/// Unknown routes and methods.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    ApiError::not_found(&format!("{} {}", req.method(), req.path())).error_response()
}

fn request_error(code: &'static str, long: String) -> actix_web::Error {
    ApiError::bad_request(code, long).into()
}

pub(crate) fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(64 * 1024)
        .error_handler(|e, _| {
            request_error(
                "request_body_invalid",
                format!("The request body is invalid: {e}"),
            )
        })
}

pub(crate) fn form_config() -> web::FormConfig {
    web::FormConfig::default()
        .limit(64 * 1024)
        .error_handler(|e, _| {
            request_error(
                "request_body_invalid",
                format!("The request body is invalid: {e}"),
            )
        })
}

pub(crate) fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|e, _| {
        request_error(
            "invalid_query_parameter_value",
            format!("A query parameter is invalid: {e}"),
        )
    })
}

pub(crate) fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|e, _| request_error("resource_not_found", format!("Invalid path: {e}")))
}

impl From<hallpass_app::SessionError> for ApiError {
    fn from(e: hallpass_app::SessionError) -> Self {
        use hallpass_app::SessionError;
        match e {
            SessionError::NotFound => Self::not_found("session"),
            SessionError::NotAllowed(t) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_action_for_session",
                "invalid action for session",
                t.to_string(),
            ),
            SessionError::Unexpected(e) => Self::internal(&e),
        }
    }
}

impl From<hallpass_app::ClientError> for ApiError {
    fn from(e: hallpass_app::ClientError) -> Self {
        match e {
            hallpass_app::ClientError::NotFound => Self::not_found("client"),
            hallpass_app::ClientError::Unexpected(e) => Self::internal(&e),
        }
    }
}
