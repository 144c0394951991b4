//! `/v1/client/sessions/{id}…`: the caller's own sessions.

use actix_web::{HttpRequest, HttpResponse, web};
use hallpass_app::Hallpass;
use hallpass_domain::{OrganizationId, SessionId};
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
    let (session, client) = app.caller_session_view(&caller, &id).await?;
    let outcome = Outcome {
        response: Some(dto::to_value(dto::fapi_session(&session, None, app.now()))),
        client: Some(client),
        ..Outcome::default()
    };
    finish(&app, opts(&options), &caller, outcome)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct TouchForm {
    active_organization_id: Option<String>,
    #[allow(dead_code)] // accepted: `select_session`, `select_org`, `focus`
    intent: Option<String>,
}

/// `active_organization_id`: absent, empty or `null` (the personal
/// account), or an organization id.
fn touch_organization(value: Option<String>) -> Result<Option<Option<OrganizationId>>, ApiError> {
    match value {
        None => Ok(None),
        Some(o) if o.is_empty() || o == "null" => Ok(Some(None)),
        Some(o) => OrganizationId::parse(&o)
            .map(|org| Some(Some(org)))
            .map_err(|e| ApiError::invalid_param("active_organization_id", e.to_string())),
    }
}

/// `POST /v1/client/sessions/{id}/touch`: the session becomes the last
/// active one (and the organization active when the Frontend API may
/// choose it); piggybacks a fresh session token.
pub(crate) async fn touch<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
    path: web::Path<String>,
    http: HttpRequest,
    form: Form<TouchForm>,
) -> Result<HttpResponse, ApiError> {
    let id = session_id(&app, &caller, &path).await?;
    let organization = touch_organization(form.0.active_organization_id)?;
    let activity = super::activity::from_request(&http, opts(&options));
    let touched = app.touch(&caller, &id, organization, &activity).await?;
    let outcome = Outcome {
        response: Some(dto::to_value(dto::fapi_session(
            &touched.session,
            Some(&touched.token),
            app.now(),
        ))),
        token_for: Some((id, touched.token)),
        client: Some(touched.client),
        ..Outcome::default()
    };
    finish(&app, opts(&options), &caller, outcome)
}

async fn end_or_remove<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
    path: web::Path<String>,
    remove: bool,
) -> Result<HttpResponse, ApiError> {
    let id = session_id(&app, &caller, &path).await?;
    let (session, client) = app.end_caller_session(&caller, &id, remove).await?;
    let outcome = Outcome {
        response: Some(dto::to_value(dto::fapi_session(&session, None, app.now()))),
        client: Some(client),
        ..Outcome::default()
    };
    finish(&app, opts(&options), &caller, outcome)
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

/// clerk-js sends the session's active organization (or nothing for the
/// personal account); any other organization is refused.
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
    let jwt = app
        .caller_session_token(&caller, &id, form.0.organization_id.as_deref())
        .await?;
    Ok(token_response(&jwt))
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
