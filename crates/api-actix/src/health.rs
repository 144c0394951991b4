//! Liveness and readiness.

use actix_web::{HttpResponse, web};
use hallpass_app::Hallpass;
use hallpass_ports::{KeyRingFactory, Store};
use serde_json::json;

use crate::ApiError;

/// `GET /healthz`: the process is up and serving.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({"status": "ok"}))
}

/// `GET /readyz`: the store answers; 503 otherwise, so a load balancer
/// takes the node out until it does.
pub async fn readyz<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
) -> Result<HttpResponse, ApiError> {
    match app.ready().await {
        Ok(()) => Ok(HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(json!({"status": "ready"}))),
        Err(e) => {
            tracing::warn!(error = %e.0, "readiness check failed");
            Err(ApiError::unavailable("The store is not reachable."))
        }
    }
}
