use actix_web::{HttpResponse, web};
use hallpass_app::{Hallpass, SignInError, SignInRequest};
use hallpass_domain::client::OnExistingSession;
use hallpass_domain::{Environment, OrganizationId, UserId};
use hallpass_ports::{KeyRingFactory, Store};
use serde::Deserialize;

use crate::body::LenientJson;
use crate::{ApiError, ApiOptions, dto};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateSession {
    user_id: Option<String>,
    active_organization_id: Option<String>,
}

/// `POST /v1/sessions`: an active session for `user_id` on a new client.
/// Meant for testing; refused on production instances unless the operator
/// enabled it.
pub(crate) async fn create<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Option<web::Data<ApiOptions>>,
    LenientJson(body): LenientJson<CreateSession>,
) -> Result<HttpResponse, ApiError> {
    let allowed = options.is_some_and(|o| o.create_sessions_in_production);
    if app.environment() == Environment::Production && !allowed {
        return Err(ApiError::new(
            actix_web::http::StatusCode::FORBIDDEN,
            "authorization_invalid",
            "not allowed",
            "Creating sessions through the Backend API is disabled on production instances.",
        ));
    }
    let user = body
        .user_id
        .ok_or_else(|| ApiError::missing_param("user_id"))?;
    let user_id =
        UserId::parse(&user).map_err(|e| ApiError::invalid_param("user_id", e.to_string()))?;
    let org = body
        .active_organization_id
        .filter(|o| !o.is_empty())
        .map(|o| OrganizationId::parse(&o))
        .transpose()
        .map_err(|e| ApiError::invalid_param("active_organization_id", e.to_string()))?;
    let client = app.create_client().await.map_err(ApiError::from)?;
    let (_, out) = app
        .sign_in(SignInRequest {
            client_id: client.id().clone(),
            user_id,
            active_organization_id: org,
            tasks: vec![],
            on_existing: OnExistingSession::Refuse,
            ticket: None,
        })
        .await
        .map_err(|e| match e {
            SignInError::ClientNotFound => ApiError::not_found("client"),
            SignInError::SessionExists(_) => {
                ApiError::internal(&anyhow::anyhow!("a new client already had a session"))
            }
            SignInError::TicketInvalid(_) => {
                ApiError::internal(&anyhow::anyhow!("a Backend API sign-in used a ticket"))
            }
            SignInError::Unexpected(e) => ApiError::internal(&e),
        })?;
    Ok(HttpResponse::Ok().json(dto::bapi_session(&out.session, None)))
}
