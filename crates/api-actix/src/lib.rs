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

pub mod error;
mod health;

use actix_web::web;
use hallpass_ports::{KeyRingFactory, Store};

pub use error::ApiError;

/// The Frontend API routes. Needs `web::Data<Hallpass<S, K>>` in app data.
pub fn frontend_api<S: Store, K: KeyRingFactory>(cfg: &mut web::ServiceConfig) {
    common::<S, K>(cfg);
}

/// The Backend API routes. Needs `web::Data<Hallpass<S, K>>` in app data.
pub fn backend_api<S: Store, K: KeyRingFactory>(cfg: &mut web::ServiceConfig) {
    common::<S, K>(cfg);
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
