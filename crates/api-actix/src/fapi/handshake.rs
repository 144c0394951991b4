//! `GET /v1/client/handshake` (the app's backend SDK sends the browser here
//! when it cannot tell whether the user is signed in; the use case is
//! `Hallpass::handshake`) and `GET /v1/client/touch`.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, LOCATION};
use actix_web::{HttpResponse, web};
use base64::Engine as _;
use hallpass_app::{
    Hallpass, HandshakeDelivery, HandshakeRequest, HandshakeResponse, OrganizationRequest,
};
use hallpass_domain::SessionId;
use hallpass_domain::redirect::RedirectUrl;
use hallpass_ports::{KeyRingFactory, Store};
use serde::Deserialize;
use serde_json::Value;

use super::respond::{Options, Outcome, finish_with_status, opts};
use crate::caller::FapiCaller;
use crate::{ApiError, ApiOptions};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct HandshakeQuery {
    redirect_url: Option<String>,
    organization_id: Option<String>,
    format: Option<String>,
    suffixed_cookies: Option<String>,
    #[serde(rename = "__session")]
    session: Option<String>,
}

/// The request's `redirect_url`, if it is on an allowed origin. Refused
/// URLs are a 400 and never a redirect.
fn checked_redirect(opts: &ApiOptions, query: &HandshakeQuery) -> Result<RedirectUrl, ApiError> {
    let requested = query
        .redirect_url
        .as_deref()
        .filter(|u| !u.is_empty())
        .ok_or_else(|| ApiError::missing_param("redirect_url"))?;
    opts.origins
        .check_redirect(requested)
        .map_err(ApiError::redirect_refused)
}

/// The `sid` a presented session token (the handshake's `__session`) names.
/// Read without verifying: it only chooses among the client's own sessions,
/// never grants anything.
pub fn hinted_session(token: &str) -> Option<SessionId> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    SessionId::parse(claims.get("sid")?.as_str()?).ok()
}

/// `organization_id`: absent, empty (the personal account) or an
/// organization id or slug. One that cannot be made active (no such
/// organization, or the user is not a member) leaves the session's
/// organization as it was, as the Client API's contract says.
fn requested_organization(value: Option<&str>) -> Option<OrganizationRequest> {
    match value {
        None => None,
        Some("") => Some(OrganizationRequest::Personal),
        Some(o) => Some(OrganizationRequest::Named(o.to_owned())),
    }
}

pub(crate) async fn handshake<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
    query: web::Query<HandshakeQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let defaults = ApiOptions::default();
    let opts = opts(&options).unwrap_or(&defaults);
    let redirect = checked_redirect(opts, &query)?;
    let nonce_format = match query.format.as_deref() {
        None | Some("" | "token") => false,
        Some("nonce") => true,
        Some(_) => {
            return Err(ApiError::invalid_param(
                "format",
                "format must be token or nonce",
            ));
        }
    };
    let answer = app
        .handshake(HandshakeRequest {
            caller: &caller,
            redirect: &redirect,
            session_hint: query.session.as_deref().and_then(hinted_session),
            organization: requested_organization(query.organization_id.as_deref()),
            nonce_format,
            suffixed_cookies: matches!(query.suffixed_cookies.as_deref(), Some("true" | "1")),
            cookie_domain: opts.cookie_domain.as_deref(),
            nonce_min_bytes: opts.handshake_nonce_min_bytes,
        })
        .await?;

    redirect_back(&redirect, answer)
}

/// The 307 back to the app, carrying the handshake as its delivery says:
/// a query parameter (development) or a cookie on the app's domain.
fn redirect_back(
    redirect: &RedirectUrl,
    answer: HandshakeResponse,
) -> Result<HttpResponse, ApiError> {
    let mut res = HttpResponse::TemporaryRedirect();
    res.insert_header(("Cache-Control", "no-store"));
    match answer.delivery {
        HandshakeDelivery::Query => {
            let location = redirect
                .with_query_pair(answer.name, &answer.value)
                .ok_or_else(|| ApiError::internal(&anyhow::anyhow!("unparsable redirect")))?;
            res.insert_header((LOCATION, location));
        }
        HandshakeDelivery::Cookie { domain, secure } => {
            let mut cookie = Cookie::build(answer.name, answer.value)
                .path("/")
                .http_only(true)
                .secure(secure)
                .same_site(SameSite::Lax)
                .max_age(CookieDuration::seconds(60));
            if let Some(domain) = domain {
                cookie = cookie.domain(domain);
            }
            res.cookie(cookie.finish());
            res.insert_header((LOCATION, redirect.as_str()));
        }
    }
    Ok(res.finish())
}

/// `GET /v1/client/touch?redirect_url=`: re-issues the client cookie and
/// sends the browser back (307).
pub(crate) async fn touch_redirect<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
    query: web::Query<HandshakeQuery>,
) -> Result<HttpResponse, ApiError> {
    let defaults = ApiOptions::default();
    let redirect = checked_redirect(opts(&options).unwrap_or(&defaults), &query)?;
    let view = app.caller_client(&caller).await?;
    let outcome = Outcome {
        new_client_token: view.is_some(),
        client: view,
        ..Outcome::default()
    };
    let mut res = finish_with_status(
        &app,
        opts(&options),
        &caller,
        outcome,
        StatusCode::TEMPORARY_REDIRECT,
    )
    .await?;
    let location = HeaderValue::from_str(redirect.as_str())
        .map_err(|e| ApiError::internal(&anyhow::anyhow!(e)))?;
    res.headers_mut().insert(LOCATION, location);
    Ok(res)
}
