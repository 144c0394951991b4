//! Frontend API: what browsers and native apps call.

mod well_known;

use actix_web::web;
use hallpass_ports::{KeyRingFactory, Store};

pub(crate) fn routes<S: Store, K: KeyRingFactory>(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/.well-known/jwks.json",
        web::get().to(well_known::jwks::<S, K>),
    )
    .route(
        "/.well-known/openid-configuration",
        web::get().to(well_known::openid_configuration::<S, K>),
    )
    // Not in Clerk's Frontend API spec; a harmless alias some tools expect.
    .route("/v1/jwks", web::get().to(well_known::jwks::<S, K>));
}
