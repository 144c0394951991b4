//! Clerk's error shape, and the one place HTTP statuses are chosen: every
//! refusal the API sends is built by a constructor here, and every use-case
//! error is mapped to a status here (`From` impls at the end). Handlers and
//! middleware name the refusal, never a status.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use hallpass_app::{CallerError, FrontendError, SessionError, SignInError, TemplateUseError};
use serde_json::{Value, json};

mod identity;
mod password;

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
    pub(crate) fn new(
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

    /// 401 `signed_out`: the Frontend API caller has no client, or its
    /// session is no longer live (clerk-js signs out locally).
    pub fn signed_out() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "signed_out",
            "Signed out",
            "You are signed out.",
        )
    }

    /// 401 `dev_browser_unauthenticated` (clerk-js creates a new one).
    pub fn dev_browser_unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "dev_browser_unauthenticated",
            "Browser unauthenticated",
            "Unable to authenticate the development browser: create one with POST /v1/dev_browser.",
        )
    }

    /// 404 `organization_not_found_or_unauthorized` (Clerk's
    /// `OrganizationNotFoundOrUnauthorized`, which clerk-js's organization
    /// components handle): an organization that cannot be made active for
    /// the session, whether it does not exist or the user is not a member.
    /// The same answer for both, and the value is not echoed.
    pub fn organization_not_found_or_unauthorized() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "organization_not_found_or_unauthorized",
            "not found or unauthorized",
            "Given organization not found, or you don't have permission to access the organization",
        )
    }

    /// 403 `authorization_invalid`: the operator disabled the action.
    pub fn forbidden(long: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "authorization_invalid",
            "not allowed",
            long,
        )
    }

    /// 403 `origin_invalid`: a browser's `Origin` is not allowed.
    pub fn origin_invalid() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "origin_invalid",
            "Invalid origin",
            "This request's Origin is not allowed for this instance.",
        )
    }

    /// 401 with Clerk's "Unauthorized request" message and `code`.
    pub fn unauthorized(code: &'static str, long: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, "Unauthorized request", long)
    }

    /// 410 `gone`: an endpoint Clerk removed.
    pub fn gone(long: impl Into<String>) -> Self {
        Self::new(StatusCode::GONE, "gone", "gone", long)
    }

    /// 413 `request_body_too_large`.
    pub fn body_too_large(max_bytes: u64) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request_body_too_large",
            "is too large",
            format!("The request body must be at most {max_bytes} bytes."),
        )
    }

    /// 429 `too_many_requests`, `Retry-After` in whole seconds (at least 1).
    pub fn too_many_requests(retry_after: std::time::Duration) -> Self {
        let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "Too many requests",
            "Too many requests. Please retry after the time in the Retry-After header.",
        )
        .retry_after(u32::try_from(secs.max(1)).unwrap_or(u32::MAX))
    }

    /// 400 `url_invalid` for a `redirect_url` on no allowed origin.
    pub fn redirect_refused(e: hallpass_domain::RedirectError) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "url_invalid",
            "is invalid",
            format!("The redirect_url is not allowed: {e}."),
        )
        .with_meta(json!({ "param_name": "redirect_url" }))
    }

    /// 400 `session_exists` (single-session mode).
    pub fn session_exists(id: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "session_exists",
            "You're already signed in",
            "You're already signed in.",
        )
        .with_meta(json!({ "session_id": id }))
    }

    /// 422 `ticket_invalid`.
    pub fn ticket_invalid(why: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "ticket_invalid",
            "is invalid",
            format!("The sign-in ticket is invalid ({why})."),
        )
        .with_meta(json!({ "param_name": "ticket" }))
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

/// Backend API: an action the session's status does not allow is a 422.
impl From<SessionError> for ApiError {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::NotFound => Self::not_found("session"),
            SessionError::NotAllowed(t) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_action_for_session",
                "invalid action for session",
                t.to_string(),
            ),
            SessionError::OrganizationNotAllowed(_) => {
                Self::organization_not_found_or_unauthorized()
            }
            SessionError::SignIn(e) => e.into(),
            SessionError::Unexpected(e) => Self::internal(&e),
        }
    }
}

impl From<CallerError> for ApiError {
    fn from(e: CallerError) -> Self {
        match e {
            CallerError::UnknownDevBrowser => Self::dev_browser_unauthenticated(),
            CallerError::SignedOut => Self::signed_out(),
            CallerError::Unexpected(e) => Self::internal(&e),
        }
    }
}

/// Frontend API: a session that is no longer live is "signed out" (clerk-js
/// then signs the session out locally).
fn frontend_session_error(e: SessionError) -> ApiError {
    match e {
        SessionError::NotAllowed(_) => ApiError::signed_out(),
        other => other.into(),
    }
}

impl From<FrontendError> for ApiError {
    fn from(e: FrontendError) -> Self {
        match e {
            FrontendError::Caller(e) => e.into(),
            FrontendError::Session(e) | FrontendError::Template(TemplateUseError::Session(e)) => {
                frontend_session_error(e)
            }
            FrontendError::SignIn(e) => e.into(),
            FrontendError::Template(e) => e.into(),
        }
    }
}

impl From<SignInError> for ApiError {
    fn from(e: SignInError) -> Self {
        match e {
            SignInError::SessionExists(id) => Self::session_exists(id.as_str()),
            SignInError::TicketInvalid(why) => Self::ticket_invalid(why),
            SignInError::ClientNotFound => Self::not_found("client"),
            SignInError::UserNotFound => Self::not_found("user"),
            SignInError::UserBanned => Self::user_banned(),
            SignInError::UserLocked { expires_in_seconds } => Self::user_locked(expires_in_seconds),
            SignInError::Unexpected(e) => Self::internal(&e),
        }
    }
}

impl From<TemplateUseError> for ApiError {
    fn from(e: TemplateUseError) -> Self {
        match e {
            TemplateUseError::Invalid(e) => Self::invalid_param(e.param(), e.to_string()),
            TemplateUseError::InvalidKey(reason) => Self::invalid_param("signing_key", reason),
            TemplateUseError::NotFound => Self::not_found("JWT template"),
            TemplateUseError::NameTaken => {
                Self::invalid_param("name", "A JWT template with this name already exists.")
            }
            TemplateUseError::Session(e) => e.into(),
            TemplateUseError::Unexpected(e) => Self::internal(&e),
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
