use actix_web::{HttpResponse, web};
use hallpass_app::Hallpass;
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
        return Err(ApiError::forbidden(
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
    let session = app.create_session_on_new_client(user_id, org).await?;
    Ok(HttpResponse::Ok().json(dto::bapi_session(&session, None)))
}
