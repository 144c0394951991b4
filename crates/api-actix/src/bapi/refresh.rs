use actix_web::{HttpResponse, web};
use hallpass_app::{Hallpass, RefreshError, RefreshFormat, RefreshResponse};
use hallpass_domain::SessionId;
use hallpass_ports::{KeyRingFactory, Store};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::body::LenientJson;
use crate::{ApiError, RequestedVersion, no_store};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RefreshBody {
    expired_token: Option<String>,
    refresh_token: Option<String>,
    request_origin: Option<String>,
    #[allow(dead_code)] // accepted: the browser request's headers (user agent, cookies)
    request_headers: Option<Value>,
    format: Option<String>,
    #[allow(dead_code)] // accepted
    request_originating_ip: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RefreshQuery {
    suffixed_cookies: Option<String>,
}

fn refused(code: &'static str) -> ApiError {
    ApiError::unauthorized(code, "The session cannot be refreshed; start a handshake.")
}

/// `POST /v1/sessions/{session_id}/refresh`: a new session token from an
/// expired token of the session and a refresh token, as a token or as the
/// cookies the SDK sets. Every validation failure is a 401, which makes
/// `@clerk/backend` fall back to a handshake.
pub(crate) async fn refresh<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    path: web::Path<String>,
    query: web::Query<RefreshQuery>,
    version: RequestedVersion,
    LenientJson(body): LenientJson<RefreshBody>,
) -> Result<HttpResponse, ApiError> {
    let id = SessionId::parse(&path).map_err(|_| refused("session_invalid"))?;
    let expired = body
        .expired_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| refused("expired_token_missing"))?;
    let refresh_token = body
        .refresh_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| refused("refresh_token_missing"))?;
    let origin = body
        .request_origin
        .filter(|o| !o.is_empty())
        .ok_or_else(|| refused("request_origin_missing"))?;
    let format = match body.format.as_deref() {
        None | Some("token") => RefreshFormat::Token,
        Some("cookie") => RefreshFormat::Cookies {
            suffixed_cookies: matches!(query.suffixed_cookies.as_deref(), Some("true" | "1")),
        },
        Some(_) => {
            return Err(ApiError::invalid_param(
                "format",
                "format must be token or cookie",
            ));
        }
    };
    let refreshed = app
        .refresh_for_app(
            &id,
            &expired,
            &refresh_token,
            &origin,
            version.0.claims_version(),
            format,
        )
        .await
        .map_err(|e| match e {
            RefreshError::Invalid(code) => refused(code),
            RefreshError::Unexpected(e) => ApiError::internal(&e),
        })?;
    let body = match refreshed {
        RefreshResponse::Token(jwt) => json!({"object": "token", "jwt": jwt}),
        RefreshResponse::Cookies(directives) => json!({"object": "cookies", "cookies": directives}),
    };
    Ok(no_store(HttpResponse::Ok()).json(body))
}
