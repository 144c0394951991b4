//! `/v1/client/sessions/{id}…`: the client's own sessions.

use actix_web::{HttpResponse, web};
use hallpass_app::{ClientView, Hallpass, MintOptions, SessionError, TemplateUseError};
use hallpass_domain::{OrganizationId, SessionId};
use hallpass_ports::{KeyRingFactory, Store};
use serde::Deserialize;
use serde_json::json;

use super::client::{Options, required, required_client, required_client_session, signed_out};
use super::respond::{Outcome, finish};
use super::transport::FapiRequest;
use crate::{ApiError, dto};

fn session_id(path: &str) -> Result<SessionId, ApiError> {
    SessionId::parse(path).map_err(|_| ApiError::not_found("session"))
}

/// A Frontend API session error: an action on a session that is no longer
/// live is "signed out" (clerk-js signs the session out locally).
fn session_error(e: SessionError) -> ApiError {
    match e {
        SessionError::NotAllowed(_) => signed_out(),
        other => other.into(),
    }
}

/// The client's view after a change, fetched fresh.
async fn view<S: Store, K: KeyRingFactory>(
    app: &Hallpass<S, K>,
    client: &ClientView,
) -> Result<ClientView, ApiError> {
    let (client, sessions) = app
        .client(client.client.id())
        .await
        .map_err(ApiError::from)?;
    Ok(ClientView { client, sessions })
}

/// `GET /v1/client/sessions/{id}`.
pub(crate) async fn get<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    req: FapiRequest<S, K>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let client = required(&app, &req).await?;
    let session = app
        .client_session(client.client.id(), &session_id(&path)?)
        .await?;
    let outcome = Outcome {
        response: Some(dto::to_value(dto::fapi_session(&session, None, app.now()))),
        client: Some(client),
        ..Outcome::default()
    };
    finish(&app, super::client::opts(&options), &req, outcome)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct TouchForm {
    active_organization_id: Option<String>,
    #[allow(dead_code)] // accepted: `select_session`, `select_org`, `focus`
    intent: Option<String>,
}

/// `POST /v1/client/sessions/{id}/touch`: the session becomes the last
/// active one (and the organization active when given); piggybacks a fresh
/// session token.
pub(crate) async fn touch<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    req: FapiRequest<S, K>,
    path: web::Path<String>,
    http: actix_web::HttpRequest,
    form: super::form::Form<TouchForm>,
) -> Result<HttpResponse, ApiError> {
    let client = required(&app, &req).await?;
    let id = session_id(&path)?;
    let organization = match form.0.active_organization_id {
        None => None,
        Some(o) if o.is_empty() || o == "null" => Some(None),
        Some(o) => Some(Some(OrganizationId::parse(&o).map_err(|e| {
            ApiError::invalid_param("active_organization_id", e.to_string())
        })?)),
    };
    app.touch_client_session(client.client.id(), &id, organization)
        .await
        .map_err(session_error)?;
    app.record_session_activity(
        &id,
        &super::activity::from_request(&http, super::client::opts(&options)),
    )
    .await;
    let options_mint = MintOptions {
        origin: req.origin.as_deref(),
        lifetime: None,
        version: req.version.claims_version(),
        owner: None,
    };
    let token = app
        .mint_session_token(&id, options_mint)
        .await
        .map_err(session_error)?;
    let after = view(&app, &client).await?;
    let session = after
        .sessions
        .iter()
        .find(|s| s.id() == &id)
        .ok_or_else(|| ApiError::not_found("session"))?;
    let outcome = Outcome {
        response: Some(dto::to_value(dto::fapi_session(
            session,
            Some(&token),
            app.now(),
        ))),
        token_for: Some((id.clone(), token)),
        client: Some(after),
        ..Outcome::default()
    };
    finish(&app, super::client::opts(&options), &req, outcome)
}

async fn end_or_remove<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    req: FapiRequest<S, K>,
    path: web::Path<String>,
    remove: bool,
) -> Result<HttpResponse, ApiError> {
    let client = required(&app, &req).await?;
    let id = session_id(&path)?;
    app.client_session(client.client.id(), &id).await?;
    let session = if remove {
        app.remove_session(&id).await
    } else {
        app.end_session(&id).await
    }
    .map_err(ApiError::from)?;
    let after = view(&app, &client).await?;
    let outcome = Outcome {
        response: Some(dto::to_value(dto::fapi_session(&session, None, app.now()))),
        client: Some(after),
        ..Outcome::default()
    };
    finish(&app, super::client::opts(&options), &req, outcome)
}

/// `POST /v1/client/sessions/{id}/end`.
pub(crate) async fn end<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    req: FapiRequest<S, K>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    end_or_remove(app, options, req, path, false).await
}

/// `POST /v1/client/sessions/{id}/remove`.
pub(crate) async fn remove<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    req: FapiRequest<S, K>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    end_or_remove(app, options, req, path, true).await
}

/// Accepted and ignored: clerk-js sends them with token requests.
/// Accepted; an `organization_id` other than the active one is not
/// supported yet: the token reflects the session's active organization.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct TokenForm {
    #[allow(dead_code)]
    organization_id: Option<String>,
}

/// `POST /v1/client/sessions/{id}/tokens`: `{"object":"token","jwt"}`.
pub(crate) async fn token<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    req: FapiRequest<S, K>,
    path: web::Path<String>,
    form: super::form::Form<TokenForm>,
) -> Result<HttpResponse, ApiError> {
    let _ = form;
    // The hot path: the client and the session in one read (ownership
    // checked in it); a signed-out caller hears so before a bad id.
    let id = match session_id(&path) {
        Ok(id) => id,
        Err(e) => {
            required_client(&app, &req).await?;
            return Err(e);
        }
    };
    let (client, session) = required_client_session(&app, &req, &id).await?;
    let session = session.ok_or_else(|| session_error(SessionError::NotFound))?;
    let options = MintOptions {
        origin: req.origin.as_deref(),
        lifetime: None,
        version: req.version.claims_version(),
        owner: Some(client.id()),
    };
    let jwt = app
        .mint_session_token_for(session, options)
        .await
        .map_err(session_error)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({"object": "token", "jwt": jwt})))
}

/// `POST /v1/client/sessions/{id}/tokens/{template}`.
pub(crate) async fn template_token<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    req: FapiRequest<S, K>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (session, name) = path.into_inner();
    let client = required(&app, &req).await?;
    let id = session_id(&session)?;
    app.client_session(client.client.id(), &id).await?;
    let jwt = app
        .mint_template_token(&id, &name, req.origin.as_deref(), None)
        .await
        .map_err(|e| match e {
            TemplateUseError::Session(e) => session_error(e),
            other => other.into(),
        })?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({"object": "token", "jwt": jwt})))
}
