//! An actix-web service that verifies Hallpass session tokens offline.
//!
//! `GET /me` answers `{"user_id", "session_id"}` for a valid session token
//! (`Authorization: Bearer …` or the `__session` cookie), and Clerk's 401
//! error JSON otherwise. `GET /` needs no token.
//!
//! Environment:
//! - `HALLPASS_JWKS_URL`: the JWKS (default
//!   `http://127.0.0.1:7710/.well-known/jwks.json`, a local `hallpass serve`);
//! - `HALLPASS_SECRET_KEY`: sent as a Bearer token when fetching (for the
//!   Backend API's `/v1/jwks`);
//! - `HALLPASS_ISSUER`: if set, the required `iss`;
//! - `HALLPASS_AUTHORIZED_PARTIES`: comma-separated origins; if set, the
//!   token's `azp` must be one of them;
//! - `LISTEN`: the address to listen on (default `127.0.0.1:3000`);
//! - `RUST_LOG`: the log filter (default `info`).

use std::env;

use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context as _;
use hallpass_verify::actix::HallpassSession;
use hallpass_verify::{Verifier, VerifierConfig};
use serde_json::json;

const DEFAULT_JWKS_URL: &str = "http://127.0.0.1:7710/.well-known/jwks.json";
const DEFAULT_LISTEN: &str = "127.0.0.1:3000";

/// The protected route: the extractor has verified the token.
async fn me(session: HallpassSession) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "user_id": session.user_id(),
        "session_id": session.session_id(),
    }))
}

/// An open route.
async fn index() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "try": "GET /me with Authorization: Bearer <session token>" }))
}

/// A non-empty environment variable.
fn var(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn config_from_env() -> VerifierConfig {
    let mut config = VerifierConfig::default()
        .jwks_url(var("HALLPASS_JWKS_URL").unwrap_or_else(|| DEFAULT_JWKS_URL.to_owned()));
    if let Some(secret_key) = var("HALLPASS_SECRET_KEY") {
        config = config.secret_key(secret_key);
    }
    if let Some(issuer) = var("HALLPASS_ISSUER") {
        config = config.issuer(issuer);
    }
    if let Some(parties) = var("HALLPASS_AUTHORIZED_PARTIES") {
        config =
            config.authorized_parties(parties.split(',').map(str::trim).filter(|p| !p.is_empty()));
    }
    config
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let config = config_from_env();
    tracing::info!(?config, "verifier configuration");
    let verifier = Verifier::new(config).context("building the verifier")?;
    // Fetch the keys now so the first request does not wait; if Hallpass is
    // not up yet, the first request fetches them.
    if let Err(e) = verifier.refresh().await {
        tracing::warn!(error = %e, "the JWKS is not reachable yet");
    }

    let listen = var("LISTEN").unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let verifier = web::Data::new(verifier);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(verifier.clone())
            .route("/", web::get().to(index))
            .route("/me", web::get().to(me))
    })
    .bind(&listen)
    .with_context(|| format!("binding {listen}"))?;
    tracing::info!("listening on http://{listen}");
    server.run().await.context("serving")?;
    Ok(())
}
