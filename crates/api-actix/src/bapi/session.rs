use actix_web::{HttpResponse, web};
use hallpass_app::Hallpass;
use hallpass_domain::SessionId;
use hallpass_ports::{KeyRingFactory, Store};

use crate::{ApiError, dto};

/// The session with its latest activity, as the Backend API shows it.
async fn session_response<S: Store, K: KeyRingFactory>(
    app: &Hallpass<S, K>,
    session: &hallpass_domain::Session,
) -> Result<HttpResponse, ApiError> {
    let activities = app
        .session_activities(std::slice::from_ref(session))
        .await?;
    Ok(HttpResponse::Ok().json(dto::bapi_session(session, activities.get(session.id()))))
}

fn session_id(path: &str) -> Result<SessionId, ApiError> {
    SessionId::parse(path).map_err(|_| ApiError::not_found("session"))
}

/// `GET /v1/sessions/{session_id}`.
pub(crate) async fn get<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (session, activity) = app.session_with_activity(&session_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(dto::bapi_session(&session, activity.as_ref())))
}

/// `POST /v1/sessions/{session_id}/revoke`: idempotent; a session in another
/// terminal status is refused and stays as it is.
pub(crate) async fn revoke<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let session = app.revoke_session(&session_id(&path)?).await?;
    session_response(&app, &session).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VerifyBody {
    token: Option<String>,
}

/// `POST /v1/sessions/{session_id}/verify` (deprecated; API versions up to
/// 2025-03-12): the session, if `token` is a valid token of it.
pub(crate) async fn verify<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    path: web::Path<String>,
    version: crate::RequestedVersion,
    crate::body::LenientJson(body): crate::body::LenientJson<VerifyBody>,
) -> Result<HttpResponse, ApiError> {
    if version.0.as_str() >= "2025-04-10" {
        return Err(ApiError::gone(
            "Session verification was removed in API version 2025-04-10; verify session tokens with the JWKS.",
        ));
    }
    let id = session_id(&path)?;
    let token = body
        .token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::missing_param("token"))?;
    let session = app.verify_session(&id, &token).await.map_err(|e| match e {
        hallpass_app::SessionError::NotAllowed(_) => ApiError::unauthorized(
            "authentication_invalid",
            "The token is not a valid token of this session.",
        ),
        other => other.into(),
    })?;
    session_response(&app, &session).await
}
