//! `POST /v1/client/sign_ins`: signing in with a ticket.

use actix_web::{HttpResponse, web};
use hallpass_app::{ClientView, Hallpass, MintOptions, SignInError};
use hallpass_ports::{KeyRingFactory, Store};
use serde::Deserialize;
use serde_json::{Value, json};

use super::client::{Options, current, opts};
use super::form::Form;
use super::respond::{Outcome, finish};
use super::transport::FapiRequest;
use crate::ApiError;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SignInForm {
    strategy: Option<String>,
    ticket: Option<String>,
}

fn sign_in_error(e: SignInError) -> ApiError {
    match e {
        SignInError::SessionExists(id) => ApiError::new(
            actix_web::http::StatusCode::BAD_REQUEST,
            "session_exists",
            "You're already signed in",
            "You're already signed in.",
        )
        .with_meta(json!({ "session_id": id.as_str() })),
        SignInError::TicketInvalid(why) => ApiError::new(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            "ticket_invalid",
            "is invalid",
            format!("The sign-in ticket is invalid ({why})."),
        )
        .with_meta(json!({ "param_name": "ticket" })),
        SignInError::ClientNotFound => ApiError::not_found("client"),
        SignInError::Unexpected(e) => ApiError::internal(&e),
    }
}

/// Clerk's `sign_in_attempt`, completed.
fn attempt_json(id: &str, session_id: &str, abandon_at: i64) -> Value {
    json!({
        "object": "sign_in_attempt",
        "id": id,
        "status": "complete",
        "supported_identifiers": [],
        "supported_first_factors": [],
        "supported_second_factors": Value::Null,
        "first_factor_verification": Value::Null,
        "second_factor_verification": Value::Null,
        "identifier": Value::Null,
        "user_data": Value::Null,
        "created_session_id": session_id,
        "abandon_at": abandon_at,
    })
}

/// `strategy=ticket&ticket=…`: a session on the current client (a new
/// client when there is none); the client's token rotates; the new session
/// is the last active one and its token is piggybacked.
pub(crate) async fn create<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    req: FapiRequest<S, K>,
    http: actix_web::HttpRequest,
    form: Form<SignInForm>,
) -> Result<HttpResponse, ApiError> {
    match form.0.strategy.as_deref() {
        Some("ticket") => {}
        None => return Err(ApiError::missing_param("strategy")),
        Some(_) => {
            return Err(ApiError::invalid_param(
                "strategy",
                "Only the `ticket` strategy is supported.",
            ));
        }
    }
    let ticket = form
        .0
        .ticket
        .ok_or_else(|| ApiError::missing_param("ticket"))?;
    let client = match current(&app, &req).await? {
        Some(view) => view.client,
        None => app
            .create_client_for(req.dev_browser.as_ref())
            .await
            .map_err(ApiError::from)?,
    };
    let (_, out) = app
        .sign_in_with_ticket(client.id(), &ticket)
        .await
        .map_err(sign_in_error)?;
    let session_id = out.session.id().clone();
    app.record_session_activity(
        &session_id,
        &super::activity::from_request(&http, opts(&options)),
    )
    .await;
    let mint = MintOptions {
        origin: req.origin.as_deref(),
        lifetime: None,
        version: req.version.claims_version(),
        owner: None,
    };
    let token = app.mint_session_token(&session_id, mint).await?;
    let (client, sessions) = app.client(client.id()).await.map_err(ApiError::from)?;
    let attempt_id = format!("sia_{}", &session_id.as_str()["sess_".len()..]);
    let outcome = Outcome {
        response: Some(attempt_json(
            &attempt_id,
            session_id.as_str(),
            out.session.abandon_at().as_millis(),
        )),
        client: Some(ClientView { client, sessions }),
        new_client_token: true,
        token_for: Some((session_id, token)),
        ..Outcome::default()
    };
    finish(&app, super::client::opts(&options), &req, outcome)
}
