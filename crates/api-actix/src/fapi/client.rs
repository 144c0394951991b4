//! `/v1/client`: the caller's client, and `/v1/dev_browser`.

use actix_web::{HttpResponse, web};
use hallpass_app::{ClientView, Hallpass};
use hallpass_domain::Environment;
use hallpass_ports::{KeyRingFactory, Store};
use serde_json::json;

use super::respond::{Options, Outcome, finish, opts};
use crate::ApiError;
use crate::caller::FapiCaller;

/// `GET /v1/client`: `{response: Client|null, client: Client|null}`.
pub(crate) async fn get<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
) -> Result<HttpResponse, ApiError> {
    let (view, users) = match app.caller_client_shown(&caller).await? {
        Some((view, users)) => (Some(view), Some(users)),
        None => (None, None),
    };
    let outcome = Outcome {
        response_is_client: true,
        // A presented but unusable client token is cleared.
        clear_client: view.is_none() && caller.credential.is_some(),
        client: view,
        users,
        ..Outcome::default()
    };
    finish(&app, opts(&options), &caller, outcome).await
}

/// `PUT` / `POST /v1/client`: a new client, and its token.
pub(crate) async fn create<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
) -> Result<HttpResponse, ApiError> {
    let client = app.create_caller_client(&caller).await?;
    let outcome = Outcome {
        response_is_client: true,
        client: Some(ClientView {
            client,
            sessions: Vec::new(),
        }),
        new_client_token: true,
        ..Outcome::default()
    };
    finish(&app, opts(&options), &caller, outcome).await
}

/// `DELETE /v1/client`: ends every session and forgets the client here.
pub(crate) async fn delete<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
) -> Result<HttpResponse, ApiError> {
    sign_out(app, options, caller, false).await
}

/// `DELETE /v1/client/sessions`: removes every session, keeps the client
/// (clerk-js `signOut()`).
pub(crate) async fn delete_sessions<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
) -> Result<HttpResponse, ApiError> {
    sign_out(app, options, caller, true).await
}

async fn sign_out<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
    keep_client: bool,
) -> Result<HttpResponse, ApiError> {
    let after = app.sign_out_caller(&caller, keep_client).await?;
    let outcome = Outcome {
        response_is_client: true,
        // `DELETE /v1/client` forgets the client in this browser.
        clear_client: !keep_client,
        hide_client: !keep_client,
        client: Some(after),
        ..Outcome::default()
    };
    finish(&app, opts(&options), &caller, outcome).await
}

/// `POST /v1/dev_browser`: a new development browser (development
/// instances only). `id` and `token` carry the same value.
pub(crate) async fn create_dev_browser<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
) -> Result<HttpResponse, ApiError> {
    if app.environment() != Environment::Development {
        return Err(ApiError::not_found("POST /v1/dev_browser"));
    }
    let browser = app.create_dev_browser(None).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Clerk-Db-Jwt", browser.id.as_str()))
        .json(json!({
            "object": "dev_browser",
            "id": browser.id.as_str(),
            "token": browser.id.as_str(),
        })))
}
