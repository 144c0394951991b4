//! # hallpass-api-actix
//!
//! Hallpass's HTTP layer on actix-web, as a library: another actix app can
//! mount the routes. Two route sets, each meant for its own listener:
//!
//! - [`frontend_api`]: what browsers and native apps call (public);
//! - [`backend_api`]: what application servers call with a secret key (can
//!   stay on a private network).
//!
//! Both serve `GET /healthz` (the process answers) and `GET /readyz` (the
//! store answers). Every error, including unknown routes and malformed
//! input, is Clerk's `{"errors":[…]}` shape with an explicit status and an
//! exact `Content-Type: application/json`.
//!
//! ```ignore
//! let app = web::Data::new(hallpass); // a hallpass_app::Hallpass<S, K>
//! HttpServer::new(move || {
//!     App::new()
//!         .app_data(app.clone())
//!         .configure(hallpass_api_actix::frontend_api::<S, K>)
//! })
//! ```

mod bapi;
mod body;
mod body_limit;
mod caller;
mod clerk_js;
mod client_ip;
mod dto;
pub mod error;
pub use clerk_js::installed_summary as clerk_js_installed;
mod fapi;
mod health;
pub mod metrics;
mod pagination;
pub mod parse;
mod query;
mod rate_limit;
pub mod route;
mod version;

use actix_web::{HttpResponse, HttpResponseBuilder, web};
use hallpass_ports::{KeyRingFactory, Store};

pub use error::ApiError;
pub use version::RequestedVersion;

/// Operator choices the HTTP layer applies. Put a `web::Data<ApiOptions>`
/// in the app data beside the `Hallpass` value (defaults apply if absent).
#[derive(Debug, Clone)]
pub struct ApiOptions {
    /// Allow Backend API `POST /v1/sessions` on production instances.
    pub create_sessions_in_production: bool,
    /// Accept native clients (`_is_native=1`).
    pub native_api: bool,
    /// Origins allowed to call the Frontend API from browsers and to receive
    /// handshake redirects (the Frontend API's own origin always is).
    pub origins: hallpass_domain::redirect::AllowedOrigins,
    /// `Domain=` of app cookies in production (`__client_uat`, handshake).
    pub cookie_domain: Option<String>,
    /// The header a trusted reverse proxy puts the client IP in (e.g.
    /// `X-Forwarded-For`); without one the TCP peer address is used.
    pub client_ip_header: Option<String>,
    /// Handshake payloads larger than this many bytes go through a
    /// single-use nonce when the SDK asks for `format=nonce` (Clerk: 2 KB;
    /// 0: always, so no session token travels in a URL or cookie).
    pub handshake_nonce_min_bytes: usize,
    /// How the instance presents itself in `GET /v1/environment`.
    pub display: hallpass_domain::display::Display,
    /// Where `scripts/install-clerk-js.sh` put Clerk's browser SDK, served
    /// at `/npm/@clerk/…` (none: not served).
    pub clerk_js_dir: Option<std::path::PathBuf>,
}

impl Default for ApiOptions {
    fn default() -> Self {
        Self {
            create_sessions_in_production: false,
            native_api: true,
            origins: hallpass_domain::redirect::AllowedOrigins::default(),
            cookie_domain: None,
            client_ip_header: None,
            handshake_nonce_min_bytes: hallpass_domain::handshake::MAX_DIRECT_PAYLOAD_BYTES,
            display: hallpass_domain::display::Display::default(),
            clerk_js_dir: None,
        }
    }
}

/// JWKS may be cached for five minutes: a rotation publishes the next key
/// `keys.rotation_delay_secs` (default ten minutes) before it signs.
pub(crate) const JWKS_CACHE_CONTROL: &str = "public, max-age=300";

/// The Frontend API routes. Needs `web::Data<Hallpass<S, K>>` in app data.
pub fn frontend_api<S: Store, K: KeyRingFactory>(cfg: &mut web::ServiceConfig) {
    fapi::routes::<S, K>(cfg);
    common::<S, K>(cfg);
}

/// The Backend API routes. Needs `web::Data<Hallpass<S, K>>` in app data.
///
/// Also serves `GET /metrics` (outside the secret-key scope: Prometheus
/// scrapers authenticate with `metrics.bearer_token` when one is set) when
/// a `web::Data<metrics::Metrics>` is in the app data.
pub fn backend_api<S: Store, K: KeyRingFactory>(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(metrics::scrape));
    bapi::routes::<S, K>(cfg);
    common::<S, K>(cfg);
}

/// A JWKS document, pre-rendered by the key ring.
pub(crate) fn jwks_response(body: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", JWKS_CACHE_CONTROL))
        .body(body.to_owned())
}

/// Headers on every API response: JSON is never sniffed as something else,
/// never framed, and no referrer leaks the URL (queries carry credentials).
pub(crate) fn security_headers() -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
        .add((
            "Content-Security-Policy",
            "default-src 'none'; frame-ancestors 'none'",
        ))
        // Only where a handler set none (the JWKS caches publicly).
        .add(("Cache-Control", "no-store"))
}

/// Responses that carry a token are never cached.
pub(crate) fn no_store(mut res: HttpResponseBuilder) -> HttpResponseBuilder {
    res.insert_header(("Cache-Control", "no-store"));
    res
}

fn common<S: Store, K: KeyRingFactory>(cfg: &mut web::ServiceConfig) {
    cfg.app_data(error::json_config())
        .app_data(error::query_config())
        .app_data(error::path_config())
        .app_data(error::form_config())
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz::<S, K>))
        .default_service(web::to(error::not_found));
}
