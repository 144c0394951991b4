//! `POST /v1/client/sign_ins`: signing in with a ticket.

use actix_web::{HttpResponse, web};
use hallpass_app::Hallpass;
use hallpass_ports::{KeyRingFactory, Store};
use serde::Deserialize;
use serde_json::{Value, json};

use super::form::Form;
use super::respond::{Options, Outcome, finish, opts};
use crate::ApiError;
use crate::caller::FapiCaller;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SignInForm {
    strategy: Option<String>,
    ticket: Option<String>,
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
    caller: FapiCaller,
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
    let activity = super::activity::from_request(&http, opts(&options));
    let signed_in = app
        .sign_in_caller_with_ticket(&caller, &ticket, &activity)
        .await?;
    let session_id = signed_in.session.id().clone();
    let attempt_id = format!("sia_{}", &session_id.as_str()["sess_".len()..]);
    let outcome = Outcome {
        response: Some(attempt_json(
            &attempt_id,
            session_id.as_str(),
            signed_in.session.abandon_at().as_millis(),
        )),
        client: Some(signed_in.client),
        new_client_token: true,
        token_for: Some((session_id, signed_in.token)),
        ..Outcome::default()
    };
    finish(&app, opts(&options), &caller, outcome).await
}
