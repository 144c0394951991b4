use actix_web::{HttpResponse, web};
use hallpass_app::{Hallpass, TicketError};
use hallpass_domain::sign_in_token::SignInToken;
use hallpass_domain::{SignInTokenId, UserId};
use hallpass_ports::{KeyRingFactory, Store};
use secrecy::ExposeSecret as _;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::body::LenientJson;
use crate::{ApiError, no_store};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateBody {
    user_id: Option<String>,
    expires_in_seconds: Option<i64>,
}

/// The `SignInToken` object; `token` only in the creation response.
fn token_json(t: &SignInToken, ticket: Option<&str>, fapi: &str) -> Value {
    let mut v = json!({
        "object": "sign_in_token",
        "id": t.id().as_str(),
        "user_id": t.user_id().as_str(),
        "status": t.status().as_str(),
        "created_at": t.created_at().as_millis(),
        "updated_at": t.updated_at().as_millis(),
    });
    if let Some(ticket) = ticket {
        v["token"] = json!(ticket);
        v["url"] = json!(format!("{fapi}/v1/tickets/accept?ticket={ticket}"));
    }
    v
}

impl From<TicketError> for ApiError {
    fn from(e: TicketError) -> Self {
        match e {
            TicketError::Invalid(e) => ApiError::invalid_param(e.param(), e.to_string()),
            TicketError::NotFound => ApiError::not_found("sign-in token"),
            TicketError::UserNotFound => ApiError::not_found("user"),
            TicketError::Unexpected(e) => ApiError::internal(&e),
        }
    }
}

/// `POST /v1/sign_in_tokens`: `user_id`, `expires_in_seconds` (default 30
/// days). The ticket is returned here once; only its hash is stored.
pub(crate) async fn create<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    LenientJson(body): LenientJson<CreateBody>,
) -> Result<HttpResponse, ApiError> {
    let user = body
        .user_id
        .ok_or_else(|| ApiError::missing_param("user_id"))?;
    let user_id =
        UserId::parse(&user).map_err(|e| ApiError::invalid_param("user_id", e.to_string()))?;
    let created = app
        .create_sign_in_token(user_id, body.expires_in_seconds)
        .await?;
    let fapi = app.frontend_api().origin();
    Ok(no_store(HttpResponse::Ok()).json(token_json(
        &created.token,
        Some(created.ticket.expose_secret()),
        &fapi,
    )))
}

/// `POST /v1/sign_in_tokens/{id}/revoke`.
pub(crate) async fn revoke<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = SignInTokenId::parse(&path).map_err(|_| ApiError::not_found("sign-in token"))?;
    let token = app.revoke_sign_in_token(&id).await?;
    Ok(HttpResponse::Ok().json(token_json(&token, None, "")))
}
