//! Backend API: what application servers call with a secret key.

mod auth;
mod bodies;
mod clients;
mod identifiers;
mod jwks;
mod memberships;
mod organization_bodies;
mod organizations;
mod params;
mod password_params;
mod refresh;
mod session;
mod session_list;
mod sessions;
mod sign_in_tokens;
mod templates;
mod tokens;
mod user_bodies;
mod user_list;
mod users;

pub use bodies::decode_json_bodies;

use actix_web::middleware::from_fn;
use actix_web::web;
use hallpass_ports::{KeyRingFactory, Store};

use crate::route::patterns::{V1, bapi as path};

pub(crate) fn routes<S: Store, K: KeyRingFactory>(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope(V1)
            .wrap(from_fn(crate::body_limit::refuse_large_bodies))
            .wrap(from_fn(crate::version::check))
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
            )
            .configure(identity::<S, K>),
    );
}

/// Users, their identifiers, organizations and memberships.
fn identity<S: Store, K: KeyRingFactory>(cfg: &mut web::ServiceConfig) {
    cfg.route("/users", web::get().to(users::list::<S, K>))
        .route("/users", web::post().to(users::create::<S, K>))
        // Before `/users/{user_id}`, which would match it.
        .route("/users/count", web::get().to(users::count::<S, K>))
        .route("/users/ban", web::post().to(users::ban_many::<S, K>))
        .route("/users/unban", web::post().to(users::unban_many::<S, K>))
        .route("/users/{user_id}", web::get().to(users::get::<S, K>))
        .route("/users/{user_id}", web::patch().to(users::update::<S, K>))
        .route("/users/{user_id}", web::delete().to(users::delete::<S, K>))
        .route(
            "/users/{user_id}/metadata",
            web::patch().to(users::merge_metadata::<S, K>),
        )
        .route(
            "/users/{user_id}/metadata",
            web::put().to(users::replace_metadata::<S, K>),
        )
        .route("/users/{user_id}/ban", web::post().to(users::ban::<S, K>))
        .route(
            "/users/{user_id}/unban",
            web::post().to(users::unban::<S, K>),
        )
        .route("/users/{user_id}/lock", web::post().to(users::lock::<S, K>))
        .route(
            "/users/{user_id}/verify_password",
            web::post().to(users::verify_password::<S, K>),
        )
        .route(
            "/users/{user_id}/unlock",
            web::post().to(users::unlock::<S, K>),
        )
        .route(
            "/users/{user_id}/organization_memberships",
            web::get().to(users::memberships::<S, K>),
        )
        .route(
            "/email_addresses",
            web::post().to(identifiers::create_email::<S, K>),
        )
        .route(
            "/email_addresses/{email_address_id}",
            web::get().to(identifiers::get_email::<S, K>),
        )
        .route(
            "/email_addresses/{email_address_id}",
            web::patch().to(identifiers::update_email::<S, K>),
        )
        .route(
            "/email_addresses/{email_address_id}",
            web::delete().to(identifiers::delete_email::<S, K>),
        )
        .route(
            "/phone_numbers",
            web::post().to(identifiers::create_phone::<S, K>),
        )
        .route(
            "/phone_numbers/{phone_number_id}",
            web::get().to(identifiers::get_phone::<S, K>),
        )
        .route(
            "/phone_numbers/{phone_number_id}",
            web::patch().to(identifiers::update_phone::<S, K>),
        )
        .route(
            "/phone_numbers/{phone_number_id}",
            web::delete().to(identifiers::delete_phone::<S, K>),
        )
        .route("/organizations", web::get().to(organizations::list::<S, K>))
        .route(
            "/organizations",
            web::post().to(organizations::create::<S, K>),
        )
        .route(
            "/organizations/{organization_id}",
            web::get().to(organizations::get::<S, K>),
        )
        .route(
            "/organizations/{organization_id}",
            web::patch().to(organizations::update::<S, K>),
        )
        .route(
            "/organizations/{organization_id}",
            web::delete().to(organizations::delete::<S, K>),
        )
        .route(
            "/organizations/{organization_id}/metadata",
            web::patch().to(organizations::merge_metadata::<S, K>),
        )
        .route(
            "/organizations/{organization_id}/metadata",
            web::put().to(organizations::replace_metadata::<S, K>),
        )
        .route(
            "/organization_memberships",
            web::get().to(memberships::list_all::<S, K>),
        )
        .route(
            "/organizations/{organization_id}/memberships",
            web::get().to(memberships::list::<S, K>),
        )
        .route(
            "/organizations/{organization_id}/memberships",
            web::post().to(memberships::create::<S, K>),
        )
        .route(
            "/organizations/{organization_id}/memberships/{user_id}",
            web::patch().to(memberships::update::<S, K>),
        )
        .route(
            "/organizations/{organization_id}/memberships/{user_id}",
            web::delete().to(memberships::delete::<S, K>),
        )
        .route(
            "/organizations/{organization_id}/memberships/{user_id}/metadata",
            web::patch().to(memberships::merge_metadata::<S, K>),
        );
}
