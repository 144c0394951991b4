use actix_web::{HttpResponse, web};
use hallpass_app::{ClientView, Hallpass};
use hallpass_domain::ClientId;
use hallpass_ports::{KeyRingFactory, Store};
use serde::Deserialize;
use serde_json::json;

use crate::body::LenientJson;
use crate::{ApiError, dto, no_store};

/// `GET /v1/clients/{client_id}`.
pub(crate) async fn get<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = ClientId::parse(&path).map_err(|_| ApiError::not_found("client"))?;
    let (client, sessions) = app.client(&id).await.map_err(ApiError::from)?;
    let activities = app.session_activities(&sessions).await?;
    Ok(HttpResponse::Ok().json(dto::bapi_client(
        &ClientView { client, sessions },
        &activities,
    )))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VerifyBody {
    token: Option<String>,
}

/// `POST /v1/clients/verify`: the client a client token names, if the token
/// is valid and current (not rotated away by a sign-in).
pub(crate) async fn verify<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    LenientJson(body): LenientJson<VerifyBody>,
) -> Result<HttpResponse, ApiError> {
    let token = body
        .token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::missing_param("token"))?;
    let view = app
        .client_by_token(&token)
        .await?
        .ok_or_else(|| ApiError::not_found("client"))?;
    let activities = app.session_activities(&view.sessions).await?;
    Ok(HttpResponse::Ok().json(dto::bapi_client(&view, &activities)))
}

/// `GET /v1/clients`: deprecated and gone on Clerk; 410.
pub(crate) async fn list() -> Result<HttpResponse, ApiError> {
    Err(ApiError::gone(
        "Listing all clients is no longer supported; get a client by id or verify a client token.",
    ))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct NonceQuery {
    nonce: Option<String>,
}

/// `GET /v1/clients/handshake_payload?nonce=`: the directives of a large
/// handshake, once.
pub(crate) async fn handshake_payload<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    query: web::Query<NonceQuery>,
) -> Result<HttpResponse, ApiError> {
    let nonce = query
        .nonce
        .as_deref()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::missing_param("nonce"))?;
    let directives = app
        .take_handshake_payload(nonce)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| ApiError::not_found("handshake payload"))?;
    Ok(no_store(HttpResponse::Ok()).json(json!({ "directives": directives })))
}
