//! Backend API: what application servers call with a secret key.

mod auth;
mod bodies;
mod clients;
mod jwks;
mod refresh;
mod session;
mod session_list;
mod sessions;
mod sign_in_tokens;
mod templates;
mod tokens;

pub use bodies::decode_json_bodies;

use actix_web::middleware::from_fn;
use actix_web::web;
use hallpass_ports::{KeyRingFactory, Store};

use crate::route::patterns::{V1, bapi as path};

pub(crate) fn routes<S: Store, K: KeyRingFactory>(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope(V1)
            .wrap(from_fn(crate::body_limit::refuse_large_bodies))
            .wrap(from_fn(crate::rate_limit::backend))
            .wrap(from_fn(auth::require_secret_key::<S, K>))
            .wrap(crate::security_headers())
            .route("/jwks", web::get().to(jwks::get::<S, K>))
            .route(
                "/clients/handshake_payload",
                web::get().to(clients::handshake_payload::<S, K>),
            )
            .route("/clients", web::get().to(clients::list))
            .route("/clients/verify", web::post().to(clients::verify::<S, K>))
            .route("/clients/{client_id}", web::get().to(clients::get::<S, K>))
            .route("/sessions", web::get().to(session_list::list::<S, K>))
            .route("/sessions", web::post().to(sessions::create::<S, K>))
            .route(
                "/sessions/{session_id}",
                web::get().to(session::get::<S, K>),
            )
            .route(
                path::SESSION_REVOKE,
                web::post().to(session::revoke::<S, K>),
            )
            .route(
                path::SESSION_REFRESH,
                web::post().to(refresh::refresh::<S, K>),
            )
            .route(
                "/sessions/{session_id}/verify",
                web::post().to(session::verify::<S, K>),
            )
            .route(path::SESSION_TOKEN, web::post().to(tokens::create::<S, K>))
            .route(
                path::TEMPLATE_TOKEN,
                web::post().to(templates::mint::<S, K>),
            )
            .route(
                "/sign_in_tokens",
                web::post().to(sign_in_tokens::create::<S, K>),
            )
            .route(
                "/sign_in_tokens/{id}/revoke",
                web::post().to(sign_in_tokens::revoke::<S, K>),
            )
            .route("/jwt_templates", web::get().to(templates::list::<S, K>))
            .route("/jwt_templates", web::post().to(templates::create::<S, K>))
            .route(
                "/jwt_templates/{template_id}",
                web::get().to(templates::get::<S, K>),
            )
            .route(
                "/jwt_templates/{template_id}",
                web::patch().to(templates::update::<S, K>),
            )
            .route(
                "/jwt_templates/{template_id}",
                web::delete().to(templates::delete::<S, K>),
            ),
    );
}
