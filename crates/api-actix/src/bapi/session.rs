use actix_web::{HttpResponse, web};
use hallpass_app::Hallpass;
use hallpass_domain::SessionId;
use hallpass_ports::{KeyRingFactory, Store};

use crate::{ApiError, dto};

fn session_id(path: &str) -> Result<SessionId, ApiError> {
    SessionId::parse(path).map_err(|_| ApiError::not_found("session"))
}

/// `GET /v1/sessions/{session_id}`.
pub(crate) async fn get<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let session = app.session(&session_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(dto::bapi_session(&session)))
}

/// `POST /v1/sessions/{session_id}/revoke`: idempotent; a session in another
/// terminal status is refused and stays as it is.
pub(crate) async fn revoke<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let session = app.revoke_session(&session_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(dto::bapi_session(&session)))
}
