//! Prometheus metrics: what operators scrape at `GET /metrics` on the
//! Backend API listener.
//!
//! One middleware ([`record`]) wraps each API's `App`: it counts every
//! request by route pattern (never the raw path: ids would explode the
//! series) and status, times it, counts errors by Clerk error code, and
//! derives the domain events operators watch from the route that succeeded
//! (tokens minted, handshakes, revocations). The store's connection pool is
//! read at scrape time through a probe the binary supplies.
//!
//! ```ignore
//! let metrics = web::Data::new(Metrics::new(MetricsOptions::default()));
//! App::new()
//!     .app_data(metrics.clone())
//!     .app_data(ApiName::Backend)
//!     .wrap(from_fn(hallpass_api_actix::metrics::record))
//!     .configure(backend_api::<S, K>)
//! ```

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, HttpResponse, web};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use secrecy::{ExposeSecret as _, SecretString};

use crate::ApiError;

/// Which API a listener serves: put one in each `App`'s data so the
/// metrics middleware labels its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiName {
    Frontend,
    Backend,
}

impl ApiName {
    fn label(self) -> &'static str {
        match self {
            Self::Frontend => "frontend",
            Self::Backend => "backend",
        }
    }
}

/// The store's connection pool, as read at scrape time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// The pool's maximum size.
    pub max: u32,
    /// Connections open (idle or in use).
    pub open: u32,
    /// Open connections waiting for work.
    pub idle: u32,
}

type PoolProbe = Box<dyn Fn() -> PoolStats + Send + Sync>;

/// How `/metrics` is served.
#[derive(Default)]
pub struct MetricsOptions {
    /// When set, scrapes must send `Authorization: Bearer <token>`.
    pub bearer_token: Option<SecretString>,
    /// Reads the store's pool at scrape time.
    pub pool: Option<PoolProbe>,
}

impl std::fmt::Debug for MetricsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsOptions")
            .field(
                "bearer_token",
                &self.bearer_token.as_ref().map(|_| "[redacted]"),
            )
            .field("pool", &self.pool.as_ref().map(|_| "probe"))
            .finish()
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    api: &'static str,
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    api: &'static str,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    api: &'static str,
    status: u16,
    code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TokenLabels {
    api: &'static str,
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabels {
    action: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 250 µs … ~4 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 15))
}

/// The registry and its metrics. Cheap to record into from every worker.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    errors: Family<ErrorLabels, Counter>,
    tokens: Family<TokenLabels, Counter>,
    handshakes: Family<OutcomeLabels, Counter>,
    revocations: Family<ActionLabels, Counter>,
    pool_connections: Family<PoolLabels, Gauge>,
    pool_max: Gauge,
    options: MetricsOptions,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Metrics {
    pub fn new(options: MetricsOptions) -> Self {
        let mut registry = Registry::with_prefix("hallpass");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by API, method, route pattern and status",
            requests.clone(),
        );
        let latency: HistogramFamily = Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to produce the response, by API and route pattern",
            latency.clone(),
        );
        let errors = Family::<ErrorLabels, Counter>::default();
        registry.register(
            "errors",
            "Error responses by API, status and Clerk error code",
            errors.clone(),
        );
        let tokens = Family::<TokenLabels, Counter>::default();
        registry.register(
            "tokens_minted",
            "Tokens issued: session tokens, JWT-template tokens, refreshes",
            tokens.clone(),
        );
        let handshakes = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "handshakes",
            "Frontend API handshakes: redirected back to the app, or refused",
            handshakes.clone(),
        );
        let revocations = Family::<ActionLabels, Counter>::default();
        registry.register(
            "session_terminations",
            "Sessions ended by action: revoke (Backend API), end, remove, sign_out",
            revocations.clone(),
        );
        let pool_connections = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_pool_connections",
            "Store connections by state (idle, in_use), read at scrape time",
            pool_connections.clone(),
        );
        let pool_max = Gauge::default();
        registry.register(
            "db_pool_max_connections",
            "The store pool's maximum size",
            pool_max.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            errors,
            tokens,
            handshakes,
            revocations,
            pool_connections,
            pool_max,
            options,
        }
    }

    fn observe(
        &self,
        api: ApiName,
        method: &Method,
        route: Option<String>,
        (status, code): (StatusCode, Option<ErrorCode>),
        secs: f64,
    ) {
        let api_label = api.label();
        let route = route.unwrap_or_else(|| "unmatched".to_owned());
        let method = method_label(method);
        if let Some(code) = code {
            self.errors
                .get_or_create(&ErrorLabels {
                    api: api_label,
                    status: status.as_u16(),
                    code: code.0,
                })
                .inc();
        }
        if let Some(event) = event(api, method, &route, status) {
            match event {
                Event::Token(kind) => {
                    self.tokens
                        .get_or_create(&TokenLabels {
                            api: api_label,
                            kind,
                        })
                        .inc();
                }
                Event::Handshake(outcome) => {
                    self.handshakes
                        .get_or_create(&OutcomeLabels { outcome })
                        .inc();
                }
                Event::Termination(action) => {
                    self.revocations
                        .get_or_create(&ActionLabels { action })
                        .inc();
                }
            }
        }
        self.latency
            .get_or_create(&RouteLabels {
                api: api_label,
                route: route.clone(),
            })
            .observe(secs);
        self.requests
            .get_or_create(&RequestLabels {
                api: api_label,
                method,
                route,
                status: status.as_u16(),
            })
            .inc();
    }

    /// The exposition text (OpenMetrics).
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        if let Some(probe) = &self.options.pool {
            let stats = probe();
            let idle = stats.idle.min(stats.open);
            self.pool_max.set(i64::from(stats.max));
            self.pool_connections
                .get_or_create(&PoolLabels { state: "idle" })
                .set(i64::from(idle));
            self.pool_connections
                .get_or_create(&PoolLabels { state: "in_use" })
                .set(i64::from(stats.open - idle));
        }
        let mut out = String::with_capacity(16 * 1024);
        encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// The Clerk error code of an error response, left in the response's
/// extensions by [`ApiError`] for the metrics middleware.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErrorCode(pub(crate) &'static str);

enum Event {
    Token(&'static str),
    Handshake(&'static str),
    Termination(&'static str),
}

/// The domain event a response stands for, from its route pattern and
/// status. The patterns are the route tables' own constants
/// ([`crate::route::patterns`]), so the two cannot drift apart; the tests
/// in `tests/it/metrics.rs` mint, refresh, hand-shake and end sessions
/// through the real routes and read the counters back.
fn event(api: ApiName, method: &str, route: &str, status: StatusCode) -> Option<Event> {
    use crate::route::patterns::{V1, bapi, fapi};
    let ok = status.is_success();
    let route = route.strip_prefix(V1)?;
    match (api, method, route) {
        (ApiName::Frontend, "GET", fapi::HANDSHAKE) => {
            Some(Event::Handshake(if status.is_redirection() {
                "redirected"
            } else {
                "refused"
            }))
        }
        _ if !ok => None,
        (ApiName::Frontend, "POST", fapi::SESSION_TOKEN)
        | (ApiName::Backend, "POST", bapi::SESSION_TOKEN) => Some(Event::Token("session")),
        (ApiName::Frontend, "POST", fapi::TEMPLATE_TOKEN)
        | (ApiName::Backend, "POST", bapi::TEMPLATE_TOKEN) => Some(Event::Token("template")),
        (ApiName::Backend, "POST", bapi::SESSION_REFRESH) => Some(Event::Token("refresh")),
        (ApiName::Backend, "POST", bapi::SESSION_REVOKE) => Some(Event::Termination("revoke")),
        (ApiName::Frontend, "POST", fapi::SESSION_END) => Some(Event::Termination("end")),
        (ApiName::Frontend, "POST", fapi::SESSION_REMOVE) => Some(Event::Termination("remove")),
        (ApiName::Frontend, "DELETE", fapi::SESSIONS | fapi::CLIENT) => {
            Some(Event::Termination("sign_out"))
        }
        _ => None,
    }
}

/// A fixed set of method labels: anything else is `other`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::HEAD => "HEAD",
        _ => "other",
    }
}

/// Middleware: records one request. Needs `web::Data<Metrics>` and an
/// [`ApiName`] in the app data; without them it records nothing.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let (Some(metrics), Some(api)) = (
        req.app_data::<web::Data<Metrics>>().cloned(),
        req.app_data::<ApiName>().copied(),
    ) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let started = Instant::now();
    // The pattern comes from the app's route table, not from routing state,
    // so it can be read before the call (once per request: the request span
    // may have asked already).
    let route = crate::route::pattern(&req);
    let method = req.method().clone();
    match next.call(req).await {
        Ok(res) => {
            // After the call: `_method` has been applied.
            let method = res.request().method().clone();
            let secs = started.elapsed().as_secs_f64();
            let outcome = outcome(res.response());
            metrics.observe(api, &method, route, outcome, secs);
            Ok(res.map_into_boxed_body())
        }
        Err(e) => {
            let secs = started.elapsed().as_secs_f64();
            let outcome = outcome(&e.error_response());
            metrics.observe(api, &method, route, outcome, secs);
            Err(e)
        }
    }
}

fn outcome<B>(res: &HttpResponse<B>) -> (StatusCode, Option<ErrorCode>) {
    (res.status(), res.extensions().get::<ErrorCode>().copied())
}

/// `GET /metrics` (Backend API listener).
pub async fn scrape(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let Some(metrics) = req.app_data::<web::Data<Metrics>>() else {
        return Err(ApiError::not_found("GET /metrics"));
    };
    if let Some(expected) = &metrics.options.bearer_token {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !constant_time_eq(given.as_bytes(), expected.expose_secret().as_bytes()) {
            return Err(ApiError::unauthorized(
                "authentication_invalid",
                "Scraping /metrics needs `Authorization: Bearer <metrics.bearer_token>`.",
            ));
        }
    }
    let body = metrics
        .render()
        .map_err(|e| ApiError::internal(&anyhow::anyhow!(e).context("encoding the metrics")))?;
    let mut out = HttpResponse::Ok();
    out.insert_header((header::CACHE_CONTROL, "no-store"));
    out.content_type("application/openmetrics-text; version=1.0.0; charset=utf-8");
    Ok(out.body(body))
}

/// Compares two secrets in time independent of where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq as _;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_is_read_at_scrape_time() {
        let metrics = Metrics::new(MetricsOptions {
            bearer_token: None,
            pool: Some(Box::new(|| PoolStats {
                max: 16,
                open: 5,
                idle: 2,
            })),
        });
        let text = metrics.render().unwrap_or_default();
        assert!(
            text.contains("hallpass_db_pool_max_connections 16"),
            "{text}"
        );
        assert!(
            text.contains("hallpass_db_pool_connections{state=\"in_use\"} 3"),
            "{text}"
        );
        assert!(
            text.contains("hallpass_db_pool_connections{state=\"idle\"} 2"),
            "{text}"
        );
    }

    #[test]
    fn secrets_compare_by_content_and_length() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"x"));
    }
}
