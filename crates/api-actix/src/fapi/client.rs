//! `/v1/client`: the caller's client, and `/v1/dev_browser`.

use actix_web::{HttpResponse, web};
use hallpass_app::{ClientView, Hallpass};
use hallpass_domain::{Client, Environment, Session, SessionId};
use hallpass_ports::{KeyRingFactory, Store};
use serde_json::json;

use super::respond::{Outcome, finish};
use super::transport::{FapiRequest, Transport, dev_browser_unauthenticated};
use crate::{ApiError, ApiOptions};

pub(crate) type Options = Option<web::Data<ApiOptions>>;

/// The operator's options, when the app registered them.
pub(crate) fn opts(options: &Options) -> Option<&ApiOptions> {
    options.as_ref().map(|o| o.get_ref())
}

/// The caller's client, if its credential names one. On a development
/// instance a missing or unknown development browser is a 401
/// `dev_browser_unauthenticated` (clerk-js then creates a new one).
pub(crate) async fn current<S: Store, K: KeyRingFactory>(
    app: &Hallpass<S, K>,
    req: &FapiRequest<S, K>,
) -> Result<Option<ClientView>, ApiError> {
    if req.transport == Transport::DevBrowser {
        let Some(id) = &req.dev_browser else {
            return Err(dev_browser_unauthenticated());
        };
        // One lookup: an unknown browser is a 401, a known one may have no client yet.
        return app
            .dev_browser_client(id)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(dev_browser_unauthenticated);
    }
    match &req.credential {
        None => Ok(None),
        Some(c) => app.resolve_client(c).await.map_err(ApiError::from),
    }
}

/// The caller's client, or 401 `signed_out`.
pub(crate) async fn required<S: Store, K: KeyRingFactory>(
    app: &Hallpass<S, K>,
    req: &FapiRequest<S, K>,
) -> Result<ClientView, ApiError> {
    current(app, req).await?.ok_or_else(signed_out)
}

/// The caller's client record alone (no sessions), or the errors of
/// [`required`]: the minting hot path reads just the session it mints for.
pub(crate) async fn required_client<S: Store, K: KeyRingFactory>(
    app: &Hallpass<S, K>,
    req: &FapiRequest<S, K>,
) -> Result<Client, ApiError> {
    if req.transport == Transport::DevBrowser {
        let Some(id) = &req.dev_browser else {
            return Err(dev_browser_unauthenticated());
        };
        return match app.dev_browser_client_record(id).await? {
            None => Err(dev_browser_unauthenticated()),
            Some(None) => Err(signed_out()),
            Some(Some(client)) => Ok(client),
        };
    }
    match &req.credential {
        None => Err(signed_out()),
        Some(c) => app.resolve_client_record(c).await?.ok_or_else(signed_out),
    }
}

/// The caller's client and its session `id` (`None`: the client has no
/// such session), or the errors of [`required`]. A client token costs one
/// read: the minting hot path.
pub(crate) async fn required_client_session<S: Store, K: KeyRingFactory>(
    app: &Hallpass<S, K>,
    req: &FapiRequest<S, K>,
    id: &SessionId,
) -> Result<(Client, Option<Session>), ApiError> {
    if req.transport == Transport::DevBrowser {
        let client = required_client(app, req).await?;
        let session = app.session_of(&client, id).await?;
        return Ok((client, session));
    }
    match &req.credential {
        None => Err(signed_out()),
        Some(c) => app
            .resolve_client_session(c, id)
            .await?
            .ok_or_else(signed_out),
    }
}

pub(crate) fn signed_out() -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::UNAUTHORIZED,
        "signed_out",
        "Signed out",
        "You are signed out.",
    )
}

/// `GET /v1/client`: `{response: Client|null, client: Client|null}`.
pub(crate) async fn get<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    req: FapiRequest<S, K>,
) -> Result<HttpResponse, ApiError> {
    let view = current(&app, &req).await?;
    let outcome = Outcome {
        response_is_client: true,
        // A presented but unusable client token is cleared.
        clear_client: view.is_none() && req.credential.is_some(),
        client: view,
        ..Outcome::default()
    };
    finish(&app, opts(&options), &req, outcome)
}

/// `PUT` / `POST /v1/client`: a new client, and its token.
pub(crate) async fn create<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    req: FapiRequest<S, K>,
) -> Result<HttpResponse, ApiError> {
    if req.transport == Transport::DevBrowser {
        current(&app, &req).await?;
    }
    let client = app
        .create_client_for(req.dev_browser.as_ref())
        .await
        .map_err(ApiError::from)?;
    let view = ClientView {
        client,
        sessions: Vec::new(),
    };
    let outcome = Outcome {
        response_is_client: true,
        client: Some(view),
        new_client_token: true,
        ..Outcome::default()
    };
    finish(&app, opts(&options), &req, outcome)
}

/// `DELETE /v1/client`: ends every session and forgets the client here.
pub(crate) async fn delete<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    req: FapiRequest<S, K>,
) -> Result<HttpResponse, ApiError> {
    sign_out(app, options, req, false).await
}

/// `DELETE /v1/client/sessions`: removes every session, keeps the client
/// (clerk-js `signOut()`).
pub(crate) async fn delete_sessions<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    req: FapiRequest<S, K>,
) -> Result<HttpResponse, ApiError> {
    sign_out(app, options, req, true).await
}

async fn sign_out<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    req: FapiRequest<S, K>,
    keep_client: bool,
) -> Result<HttpResponse, ApiError> {
    let view = required(&app, &req).await?;
    let (client, sessions) = app
        .sign_out_client(view.client.id(), keep_client)
        .await
        .map_err(ApiError::from)?;
    let after = ClientView { client, sessions };
    let outcome = Outcome {
        response_is_client: true,
        // `DELETE /v1/client` forgets the client in this browser.
        clear_client: !keep_client,
        hide_client: !keep_client,
        client: Some(after),
        ..Outcome::default()
    };
    finish(&app, opts(&options), &req, outcome)
}

/// `POST /v1/dev_browser`: a new development browser (development
/// instances only). `id` and `token` carry the same value.
pub(crate) async fn create_dev_browser<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
) -> Result<HttpResponse, ApiError> {
    if app.environment() != Environment::Development {
        return Err(ApiError::not_found("POST /v1/dev_browser"));
    }
    let browser = app.create_dev_browser().await.map_err(ApiError::from)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Clerk-Db-Jwt", browser.id.as_str()))
        .json(json!({
            "object": "dev_browser",
            "id": browser.id.as_str(),
            "token": browser.id.as_str(),
        })))
}
