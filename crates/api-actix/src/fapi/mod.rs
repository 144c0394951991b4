//! Frontend API: what browsers and native apps call.

mod activity;
mod client;
mod cors;
mod environment;
mod form;
mod handshake;
mod me;
mod respond;
mod sessions;
mod sign_ins;
mod transport;
mod well_known;

pub use handshake::hinted_session;
pub use transport::overridden_method;

use actix_web::middleware::from_fn;
use actix_web::web;
use hallpass_ports::{KeyRingFactory, Store};

use crate::ApiError;
use crate::route::patterns::{V1, fapi as path};

/// Decodes `body` as every Frontend API form (the session touch, the token
/// and the sign-in forms), each as its handler would.
pub fn decode_forms(content_type: Option<&str>, body: &[u8]) -> [Result<(), ApiError>; 3] {
    [
        form::decode::<sessions::TouchForm>(content_type, body).map(drop),
        form::decode::<sessions::TokenForm>(content_type, body).map(drop),
        form::decode::<sign_ins::SignInForm>(content_type, body).map(drop),
    ]
}

/// Clerk's browser SDK, where Clerk's React SDK loads it from.
const CLERK_JS: &str = "/npm/@clerk/{package}/{file:.*}";

pub(crate) fn routes<S: Store, K: KeyRingFactory>(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/.well-known/jwks.json",
        web::get().to(well_known::jwks::<S, K>),
    )
    .route(
        "/.well-known/openid-configuration",
        web::get().to(well_known::openid_configuration::<S, K>),
    )
    .route(CLERK_JS, web::get().to(crate::clerk_js::serve))
    .route(CLERK_JS, web::head().to(crate::clerk_js::serve))
    .service(
        web::scope(V1)
            .wrap(from_fn(crate::body_limit::refuse_large_bodies))
            .wrap(from_fn(crate::rate_limit::frontend))
            .wrap(from_fn(crate::caller::identify::<S, K>))
            .wrap(from_fn(crate::version::check))
            .wrap(crate::security_headers())
            .wrap(from_fn(transport::method_override))
            .wrap(from_fn(cors::cors::<S, K>))
            // Not in Clerk's Frontend API spec; a harmless alias some tools expect.
            .route("/jwks", web::get().to(well_known::jwks::<S, K>))
            .route(
                "/dev_browser",
                web::post().to(client::create_dev_browser::<S, K>),
            )
            .route(path::CLIENT, web::get().to(client::get::<S, K>))
            .route(path::HANDSHAKE, web::get().to(handshake::handshake::<S, K>))
            .route(
                "/client/touch",
                web::get().to(handshake::touch_redirect::<S, K>),
            )
            .route(path::CLIENT, web::put().to(client::create::<S, K>))
            .route(path::CLIENT, web::post().to(client::create::<S, K>))
            .route(path::CLIENT, web::delete().to(client::delete::<S, K>))
            .route(
                path::SESSIONS,
                web::delete().to(client::delete_sessions::<S, K>),
            )
            .route("/client/sign_ins", web::post().to(sign_ins::create::<S, K>))
            .route("/environment", web::get().to(environment::get::<S, K>))
            .route("/environment", web::patch().to(environment::get::<S, K>))
            .route("/me", web::get().to(me::get::<S, K>))
            .route(
                "/me/organization_memberships",
                web::get().to(me::organization_memberships::<S, K>),
            )
            .route(
                "/me/organization_invitations",
                web::get().to(me::organization_invitations::<S, K>),
            )
            .route(
                "/me/organization_suggestions",
                web::get().to(me::organization_suggestions::<S, K>),
            )
            .route(
                "/client/sessions/{session_id}",
                web::get().to(sessions::get::<S, K>),
            )
            .route(
                "/client/sessions/{session_id}/touch",
                web::post().to(sessions::touch::<S, K>),
            )
            .route(path::SESSION_END, web::post().to(sessions::end::<S, K>))
            .route(
                path::SESSION_REMOVE,
                web::post().to(sessions::remove::<S, K>),
            )
            .route(path::SESSION_TOKEN, web::post().to(sessions::token::<S, K>))
            .route(
                path::TEMPLATE_TOKEN,
                web::post().to(sessions::template_token::<S, K>),
            ),
    );
}
