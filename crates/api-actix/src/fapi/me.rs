//! `GET /v1/me`: the signed-in user, as clerk-js reloads it.

use actix_web::{HttpResponse, web};
use hallpass_app::Hallpass;
use hallpass_domain::SessionId;
use hallpass_ports::{KeyRingFactory, Store};
use serde::Deserialize;

use super::respond::{Options, Outcome, finish, opts};
use crate::ApiError;
use crate::caller::FapiCaller;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct MeQuery {
    /// The session whose user is meant (clerk-js sends it with every
    /// request of a signed-in browser); the client's last active session
    /// when absent.
    _clerk_session_id: Option<String>,
}

/// `GET /v1/me`: `{response: User, client}`. The user of a live session of
/// the caller's client; 401 `signed_out` without one, 404 for a session
/// the client does not have.
pub(crate) async fn get<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
    query: web::Query<MeQuery>,
) -> Result<HttpResponse, ApiError> {
    let session = match query.into_inner()._clerk_session_id {
        None => None,
        Some(id) => Some(SessionId::parse(&id).map_err(|_| ApiError::not_found("session"))?),
    };
    let (id, view) = app.caller_me(&caller, session.as_ref()).await?;
    let outcome = Outcome {
        response_user_of: Some(id),
        client: Some(view),
        ..Outcome::default()
    };
    finish(&app, opts(&options), &caller, outcome).await
}
