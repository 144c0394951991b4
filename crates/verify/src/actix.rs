//! The actix-web extractor (feature `actix`).
//!
//! ```no_run
//! use actix_web::{App, HttpServer, web};
//! use hallpass_verify::actix::HallpassSession;
//! use hallpass_verify::{Verifier, VerifierConfig};
//!
//! async fn me(session: HallpassSession) -> String {
//!     session.user_id().to_owned()
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = Verifier::new(VerifierConfig::frontend_api("http://127.0.0.1:7710"))?;
//! let verifier = web::Data::new(verifier);
//! HttpServer::new(move || {
//!     App::new()
//!         .app_data(verifier.clone())
//!         .route("/me", web::get().to(me))
//! })
//! .bind("127.0.0.1:3000")?
//! .run()
//! .await?;
//! # Ok(())
//! # }
//! ```

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use serde_json::json;

use crate::{SESSION_COOKIE, SessionClaims, Verifier, VerifyError};

/// A request's verified session: extracting it verifies the token from
/// `Authorization: Bearer …`, or else from the `__session` cookie, with the
/// [`Verifier`] in the app data (`web::Data<Verifier>`, or a plain
/// `Verifier`).
///
/// Failures answer with Clerk's error shape: 401 `authentication_invalid`
/// for a missing or refused token, 503 `service_unavailable` when the keys
/// cannot be fetched, 500 `internal_clerk_error` when no `Verifier` is
/// registered. Use `Option<HallpassSession>` for routes where signing in is
/// optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HallpassSession(pub SessionClaims);

impl HallpassSession {
    /// The verified claims.
    pub fn claims(&self) -> &SessionClaims {
        &self.0
    }

    /// The verified claims, owned.
    pub fn into_claims(self) -> SessionClaims {
        self.0
    }
}

impl Deref for HallpassSession {
    type Target = SessionClaims;

    fn deref(&self) -> &SessionClaims {
        &self.0
    }
}

/// Why [`HallpassSession`] could not be extracted; renders Clerk's error
/// shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The request carries no token.
    #[error("no session token in the request")]
    MissingToken,
    /// The token was refused.
    #[error(transparent)]
    Invalid(#[from] VerifyError),
    /// No [`Verifier`] is registered in the app data.
    #[error("no hallpass_verify::Verifier in the app data")]
    NoVerifier,
}

impl AuthError {
    fn parts(&self) -> (&'static str, &'static str, String) {
        match self {
            Self::MissingToken => (
                "authentication_invalid",
                "Invalid authentication",
                "Unable to authenticate the request, you need to supply an active session"
                    .to_owned(),
            ),
            Self::Invalid(VerifyError::Jwks(_)) => (
                "service_unavailable",
                "service unavailable",
                "The session token cannot be verified right now. Please try again later."
                    .to_owned(),
            ),
            Self::Invalid(e) => (
                "authentication_invalid",
                "Invalid authentication",
                format!("Unable to authenticate the request: {e}"),
            ),
            Self::NoVerifier => (
                "internal_clerk_error",
                "Oops, an unexpected error occurred",
                "There was an internal error on our servers. Please try again later.".to_owned(),
            ),
        }
    }
}

impl ResponseError for AuthError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::MissingToken => StatusCode::UNAUTHORIZED,
            Self::Invalid(VerifyError::Jwks(_)) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Invalid(_) => StatusCode::UNAUTHORIZED,
            Self::NoVerifier => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (code, message, long_message) = self.parts();
        let status = self.status_code();
        let mut response = HttpResponse::build(status);
        response.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        match status {
            StatusCode::UNAUTHORIZED => {
                response
                    .insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                response.insert_header((header::RETRY_AFTER, HeaderValue::from_static("1")));
            }
            _ => {}
        }
        response.json(json!({
            "errors": [{
                "code": code,
                "message": message,
                "long_message": long_message,
                "meta": {},
            }],
        }))
    }
}

/// The token of a request: `Authorization: Bearer <token>` first, else the
/// `__session` cookie.
pub fn token_from_request(req: &HttpRequest) -> Option<String> {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty());
    if let Some(token) = bearer {
        return Some(token.to_owned());
    }
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
        .map(|(_, value)| value.trim_matches('"').to_owned())
}

fn verifier_from_request(req: &HttpRequest) -> Option<Verifier> {
    req.app_data::<web::Data<Verifier>>()
        .map(|data| Verifier::clone(data))
        .or_else(|| req.app_data::<Verifier>().cloned())
}

impl FromRequest for HallpassSession {
    type Error = AuthError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AuthError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let verifier = verifier_from_request(req);
        let token = token_from_request(req);
        let path = req.path().to_owned();
        Box::pin(async move {
            let Some(verifier) = verifier else {
                tracing::error!(
                    path = %path,
                    "HallpassSession: no hallpass_verify::Verifier in the app data \
                     (add .app_data(web::Data::new(verifier)))"
                );
                return Err(AuthError::NoVerifier);
            };
            let token = token.ok_or(AuthError::MissingToken)?;
            match verifier.verify(&token).await {
                Ok(claims) => Ok(Self(claims)),
                Err(e) => {
                    tracing::debug!(path = %path, error = %e, "session token refused");
                    Err(AuthError::Invalid(e))
                }
            }
        })
    }
}
