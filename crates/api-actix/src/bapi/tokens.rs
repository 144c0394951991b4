use actix_web::{HttpResponse, web};
use hallpass_app::{Hallpass, MintOptions};
use hallpass_domain::SessionId;
use hallpass_domain::token::requested_lifetime;
use hallpass_ports::{KeyRingFactory, Store};
use serde::Deserialize;
use serde_json::json;

use crate::body::LenientJson;
use crate::{ApiError, RequestedVersion};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateToken {
    expires_in_seconds: Option<i64>,
}

/// `POST /v1/sessions/{session_id}/tokens`: a session token for a live
/// session (no `azp`: there is no browser Origin).
pub(crate) async fn create<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    path: web::Path<String>,
    version: RequestedVersion,
    LenientJson(body): LenientJson<CreateToken>,
) -> Result<HttpResponse, ApiError> {
    let id = SessionId::parse(&path).map_err(|_| ApiError::not_found("session"))?;
    let lifetime = body
        .expires_in_seconds
        .map(requested_lifetime)
        .transpose()
        .map_err(|e| ApiError::invalid_param("expires_in_seconds", e.to_string()))?;
    let options = MintOptions {
        origin: None,
        lifetime,
        version: version.0.claims_version(),
    };
    let jwt = app.mint_session_token(&id, options).await?;
    Ok(crate::no_store(HttpResponse::Ok()).json(json!({"object": "token", "jwt": jwt})))
}
