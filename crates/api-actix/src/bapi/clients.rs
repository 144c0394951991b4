use actix_web::{HttpResponse, web};
use hallpass_app::Hallpass;
use hallpass_ports::{KeyRingFactory, Store};
use serde::Deserialize;
use serde_json::json;

use crate::{ApiError, no_store};

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
        .map_err(|e| match e {
            hallpass_app::ClientError::NotFound => ApiError::not_found("handshake payload"),
            hallpass_app::ClientError::Unexpected(e) => ApiError::internal(&e),
        })?
        .ok_or_else(|| ApiError::not_found("handshake payload"))?;
    Ok(no_store(HttpResponse::Ok()).json(json!({ "directives": directives })))
}
