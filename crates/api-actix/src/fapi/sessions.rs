//! `/v1/client/sessions/{id}…`: the caller's own sessions.

use actix_web::{HttpRequest, HttpResponse, web};
use hallpass_app::{FrontendError, Hallpass, OrganizationRequest, SessionError};
use hallpass_domain::SessionId;
use hallpass_ports::{KeyRingFactory, Store};
use serde::Deserialize;
use serde_json::json;

use super::form::Form;
use super::respond::{Options, Outcome, finish, opts};
use crate::caller::FapiCaller;
use crate::{ApiError, dto};

/// The path's session id. A malformed id is "not found", once a
/// signed-out caller has heard that it is signed out (the id is only read
/// again when it is bad).
async fn session_id<S: Store, K: KeyRingFactory>(
    app: &Hallpass<S, K>,
    caller: &FapiCaller,
    path: &str,
) -> Result<SessionId, ApiError> {
    match SessionId::parse(path) {
        Ok(id) => Ok(id),
        Err(_) => Err(match app.signed_in_client(caller).await {
            Ok(_) => ApiError::not_found("session"),
            Err(e) => e.into(),
        }),
    }
}

/// `GET /v1/client/sessions/{id}`.
pub(crate) async fn get<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = session_id(&app, &caller, &path).await?;
    let (_, client) = app.caller_session_view(&caller, &id).await?;
    let outcome = Outcome {
        response_session: Some(id),
        client: Some(client),
        ..Outcome::default()
    };
    finish(&app, opts(&options), &caller, outcome).await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct TouchForm {
    active_organization_id: Option<String>,
    #[allow(dead_code)] // accepted: `select_session`, `select_org`, `focus`
    intent: Option<String>,
}

/// A form body's organization (touch's `active_organization_id`, the
/// tokens call's `organization_id`): absent; empty or `null` (what a
/// JavaScript `null` becomes in a form) for the personal account; anything
/// else an organization id or slug, checked by the use case (one answer,
/// 404 `organization_not_found_or_unauthorized`, for a value that names no
/// organization and for one the user is not a member of).
pub(crate) fn form_organization(value: Option<String>) -> Option<OrganizationRequest> {
    match value {
        None => None,
        Some(o) if o.is_empty() || o == "null" => Some(OrganizationRequest::Personal),
        Some(o) => Some(OrganizationRequest::Named(o)),
    }
}

/// `POST /v1/client/sessions/{id}/touch`: the session becomes the last
/// active one (and `active_organization_id` active when the user is a
/// member of it); piggybacks a fresh session token.
pub(crate) async fn touch<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
    path: web::Path<String>,
    http: HttpRequest,
    form: Form<TouchForm>,
) -> Result<HttpResponse, ApiError> {
    let id = session_id(&app, &caller, &path).await?;
    let organization = form_organization(form.0.active_organization_id);
    let activity = super::activity::from_request(&http, opts(&options));
    let touched = match app
        .touch(&caller, &id, organization.as_ref(), &activity)
        .await
    {
        Err(FrontendError::Session(SessionError::OrganizationNotAllowed(_))) => {
            return Ok(organization_refused(&app, &caller).await);
        }
        other => other?,
    };
    let outcome = Outcome {
        response_session: Some(id.clone()),
        token_for: Some((id, touched.token)),
        client: Some(touched.client),
        ..Outcome::default()
    };
    finish(&app, opts(&options), &caller, outcome).await
}

async fn end_or_remove<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
    path: web::Path<String>,
    remove: bool,
) -> Result<HttpResponse, ApiError> {
    let id = session_id(&app, &caller, &path).await?;
    let (_, client) = app.end_caller_session(&caller, &id, remove).await?;
    let outcome = Outcome {
        response_session: Some(id),
        client: Some(client),
        ..Outcome::default()
    };
    finish(&app, opts(&options), &caller, outcome).await
}

/// `POST /v1/client/sessions/{id}/end`.
pub(crate) async fn end<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    end_or_remove(app, options, caller, path, false).await
}

/// `POST /v1/client/sessions/{id}/remove`.
pub(crate) async fn remove<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    end_or_remove(app, options, caller, path, true).await
}

/// clerk-js sends the session's active organization (or nothing): naming it
/// changes nothing. Another organization the user is a member of (by id or
/// slug), or the personal account (empty), becomes active as with touch.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct TokenForm {
    organization_id: Option<String>,
}

/// `POST /v1/client/sessions/{id}/tokens`: `{"object":"token","jwt"}`.
pub(crate) async fn token<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    caller: FapiCaller,
    path: web::Path<String>,
    form: Form<TokenForm>,
) -> Result<HttpResponse, ApiError> {
    let id = session_id(&app, &caller, &path).await?;
    let organization = form_organization(form.0.organization_id);
    match app
        .caller_session_token(&caller, &id, organization.as_ref())
        .await
    {
        Ok(jwt) => Ok(token_response(&jwt)),
        Err(FrontendError::Session(SessionError::OrganizationNotAllowed(_))) => {
            Ok(organization_refused(&app, &caller).await)
        }
        Err(e) => Err(e.into()),
    }
}

/// 404 `organization_not_found_or_unauthorized`, with the caller's client
/// in the body's `meta.client`: clerk-js updates its client from an error's
/// `meta.client`, so a browser that keeps naming an organization it lost
/// (a removed membership, a deleted organization) learns the session's
/// actual one and stops naming it. Nothing changed.
async fn organization_refused<S: Store, K: KeyRingFactory>(
    app: &Hallpass<S, K>,
    caller: &FapiCaller,
) -> HttpResponse {
    let mut body = ApiError::organization_not_found_or_unauthorized().body();
    if let Ok(Some(view)) = app.caller_client(caller).await
        && let Ok(users) = super::respond::users_of(app, Some(&view), None).await
    {
        let shown = dto::UsersShown {
            users: &users,
            roles: app.roles(),
        };
        let tokens = app
            .last_active_tokens(caller, &view, &users, None)
            .await
            .unwrap_or_default();
        body["meta"] = json!({ "client": dto::fapi_client(&view, &tokens, shown, app.now()) });
    }
    crate::no_store(HttpResponse::NotFound()).json(body)
}

/// `POST /v1/client/sessions/{id}/tokens/{template}`.
pub(crate) async fn template_token<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    caller: FapiCaller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (session, template) = path.into_inner();
    let id = session_id(&app, &caller, &session).await?;
    let jwt = app.caller_template_token(&caller, &id, &template).await?;
    Ok(token_response(&jwt))
}

fn token_response(jwt: &str) -> HttpResponse {
    crate::no_store(HttpResponse::Ok()).json(json!({"object": "token", "jwt": jwt}))
}
