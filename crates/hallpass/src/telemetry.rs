//! Logging: `RUST_LOG` filters (default `info`), pretty for a terminal or
//! JSON lines for production (`log.format = "json"`). Logs go to stderr;
//! stdout carries only what commands print for people and scripts.

use tracing_subscriber::EnvFilter;

use crate::settings::{LogFormat, LogSettings};

pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(settings.level.clone()));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = match settings.format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
    if let Err(e) = result {
        eprintln!("hallpass: logging was already set up: {e}");
    }
}

/// Request spans without query strings: Frontend API queries carry
/// credentials (`__clerk_db_jwt`, the handshake's `__session`), which must
/// never reach the logs. Everything else is `tracing-actix-web`'s default.
#[derive(Debug, Clone, Copy)]
pub struct RedactedRootSpan;

impl tracing_actix_web::RootSpanBuilder for RedactedRootSpan {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        let route = hallpass_api_actix::route::pattern(request).unwrap_or_default();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.target = %request.path(),
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
            request_id = %uuid_like(request),
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        tracing_actix_web::DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// The request id `tracing-actix-web` assigned, for log correlation.
fn uuid_like(request: &actix_web::dev::ServiceRequest) -> String {
    use actix_web::HttpMessage as _;
    request
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(ToString::to_string)
        .unwrap_or_default()
}
