//! `GET /v1/client/handshake`: the app's backend SDK sends the browser here
//! when it cannot tell whether the user is signed in; Hallpass answers with
//! the cookies the app should set, signed, and a 307 back to the app.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use base64::Engine as _;
use hallpass_app::{Hallpass, MintOptions};
use hallpass_domain::handshake::{
    HandshakeInput, cookie_suffix_from_digest, handshake_directives, payload_size,
};
use hallpass_domain::redirect::RedirectUrl;
use hallpass_domain::token::HandshakePayload;
use hallpass_domain::{DevBrowserId, Environment, OrganizationId, SessionId};
use hallpass_ports::{KeyRingFactory, Store, TokenSigner as _};
use serde::Deserialize;
use serde_json::Value;
use sha1::{Digest as _, Sha1};

use super::client::{Options, current};
use super::transport::{FapiRequest, Transport};
use crate::ApiError;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct HandshakeQuery {
    redirect_url: Option<String>,
    organization_id: Option<String>,
    format: Option<String>,
    suffixed_cookies: Option<String>,
    #[serde(rename = "__session")]
    session: Option<String>,
}

fn redirect_error(long: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "url_invalid", "is invalid", long)
        .with_meta(serde_json::json!({ "param_name": "redirect_url" }))
}

/// The request's `redirect_url`, if it is on an allowed origin. Refused
/// URLs are a 400 and never a redirect.
fn checked_redirect(
    opts: &crate::ApiOptions,
    query: &HandshakeQuery,
) -> Result<RedirectUrl, ApiError> {
    let requested = query
        .redirect_url
        .as_deref()
        .filter(|u| !u.is_empty())
        .ok_or_else(|| ApiError::missing_param("redirect_url"))?;
    opts.origins
        .check_redirect(requested)
        .map_err(|e| redirect_error(format!("The redirect_url is not allowed: {e}.")))
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

/// The cookie suffix of the instance: SHA-1 of the publishable key.
pub(crate) fn cookie_suffix<S: Store, K: KeyRingFactory>(app: &Hallpass<S, K>) -> String {
    let digest: [u8; 20] = Sha1::digest(app.publishable_key().as_str().as_bytes()).into();
    cookie_suffix_from_digest(&digest)
}

pub(crate) async fn handshake<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    req: FapiRequest<S, K>,
    query: web::Query<HandshakeQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let default_options = crate::ApiOptions::default();
    let opts = super::client::opts(&options).unwrap_or(&default_options);
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
    let suffixed = matches!(query.suffixed_cookies.as_deref(), Some("true" | "1"));
    let app_origin = url_origin(redirect.as_str());

    // Development: a missing or unknown dev browser gets a new one (signed out).
    let (view, dev_browser) = if req.transport == Transport::DevBrowser {
        let (id, view) = app
            .handshake_dev_browser(req.dev_browser.as_ref())
            .await
            .map_err(ApiError::from)?;
        (view, Some(id))
    } else {
        (current(&app, &req).await?, None)
    };
    let hint = query.session.as_deref().and_then(hinted_session);
    let organization = match query.organization_id.as_deref() {
        None => None,
        Some("") => Some(None),
        Some(o) => OrganizationId::parse(o).ok().map(Some),
    };
    let mint = MintOptions {
        origin: app_origin.as_deref(),
        lifetime: None,
        version: req.version.claims_version(),
        owner: None,
    };
    let found = app
        .handshake_session(view.as_ref(), hint.as_ref(), organization, mint)
        .await?;
    let (token, refresh, uat) = (found.token, found.refresh_token, found.client_uat);

    let suffix = suffixed.then(|| cookie_suffix(&app));
    let secure = redirect.as_str().starts_with("https://");
    let environment = app.environment();
    let cookie_domain = match environment {
        Environment::Production => opts.cookie_domain.as_deref(),
        Environment::Development => None,
    };
    let mut directives = handshake_directives(&HandshakeInput {
        environment,
        session_token: token.as_deref(),
        client_uat: uat,
        suffix: suffix.as_deref(),
        cookie_domain,
        secure,
        dev_browser: dev_browser.as_ref().map(DevBrowserId::as_str),
        refresh_token: refresh.as_deref().filter(|_| suffixed),
    })
    .map_err(|e| ApiError::internal(&anyhow::anyhow!(e)))?;
    // The SDK reads the refresh cookie only under its suffixed name, whether
    // or not it asked for suffixed session cookies: without the suffix the
    // list above has none, so it goes in before the `__session` directives
    // (which must stay last).
    if let (Some(refresh), false) = (&refresh, suffixed) {
        let at = directives
            .iter()
            .position(|d| d.starts_with("__session"))
            .unwrap_or(directives.len());
        let secure_attr = if secure { "; Secure" } else { "" };
        directives.insert(
            at,
            format!(
                "__refresh_{}={refresh}; Path=/; Max-Age={}{secure_attr}; HttpOnly; SameSite=Lax",
                cookie_suffix(&app),
                hallpass_domain::handshake::REFRESH_MAX_AGE_SECS
            ),
        );
    }
    // Payloads over ~2 KB do not fit a cookie: with `format=nonce` they are
    // stored under a single-use nonce the app's backend redeems (over the
    // operator's threshold, 2 KB unless configured).
    let (name, value) =
        if nonce_format && payload_size(&directives) > opts.handshake_nonce_min_bytes {
            let nonce = app
                .store_handshake_nonce(&directives)
                .await
                .map_err(ApiError::from)?;
            ("__clerk_handshake_nonce", nonce)
        } else {
            let iat = app.now().as_secs();
            let jwt = app
                .ring()
                .sign_handshake(&HandshakePayload {
                    directives,
                    iat,
                    exp: iat + 60,
                })
                .map_err(|e| ApiError::internal(&anyhow::anyhow!(e)))?;
            ("__clerk_handshake", jwt)
        };

    let mut res = HttpResponse::TemporaryRedirect();
    res.insert_header(("Cache-Control", "no-store"));
    match environment {
        Environment::Development => {
            let mut location = url::Url::parse(redirect.as_str())
                .map_err(|e| ApiError::internal(&anyhow::anyhow!(e)))?;
            location.query_pairs_mut().append_pair(name, &value);
            res.insert_header(("Location", location.as_str()));
        }
        Environment::Production => {
            let mut cookie = Cookie::build(name, value)
                .path("/")
                .http_only(true)
                .secure(secure)
                .same_site(SameSite::Lax)
                .max_age(CookieDuration::seconds(60));
            if let Some(domain) = cookie_domain {
                cookie = cookie.domain(domain.to_owned());
            }
            res.cookie(cookie.finish());
            res.insert_header(("Location", redirect.as_str()));
        }
    }
    Ok(res.finish())
}

/// `scheme://host[:port]` of an absolute URL.
fn url_origin(u: &str) -> Option<String> {
    let parsed = url::Url::parse(u).ok()?;
    Some(parsed.origin().ascii_serialization()).filter(|o| o != "null")
}

/// `GET /v1/client/touch?redirect_url=`: re-issues the client cookie and
/// sends the browser back (307).
pub(crate) async fn touch_redirect<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    req: FapiRequest<S, K>,
    query: web::Query<HandshakeQuery>,
) -> Result<HttpResponse, ApiError> {
    let default_options = crate::ApiOptions::default();
    let opts = super::client::opts(&options).unwrap_or(&default_options);
    let redirect = checked_redirect(opts, &query)?;
    let view = current(&app, &req).await?;
    let outcome = super::respond::Outcome {
        new_client_token: view.is_some(),
        client: view,
        ..super::respond::Outcome::default()
    };
    let mut res = super::respond::finish_with_status(
        &app,
        super::client::opts(&options),
        &req,
        outcome,
        StatusCode::TEMPORARY_REDIRECT,
    )?;
    res.headers_mut().insert(
        actix_web::http::header::LOCATION,
        actix_web::http::header::HeaderValue::from_str(redirect.as_str())
            .map_err(|e| ApiError::internal(&anyhow::anyhow!(e)))?,
    );
    Ok(res)
}
