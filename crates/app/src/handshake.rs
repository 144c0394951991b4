//! `GET /v1/client/handshake`: the app's backend SDK sends the browser here
//! when it cannot tell whether the user is signed in. The handshake picks
//! the caller's session, mints a token and a refresh token for it, writes
//! the cookies the app should set ([`hallpass_domain::handshake`]) and
//! signs them into the handshake token, or stores them under a single-use
//! nonce when they are too large for a cookie.

use hallpass_domain::handshake::{HandshakeInput, handshake_directives, payload_size};
use hallpass_domain::token::HandshakePayload;
use hallpass_domain::{DevBrowserId, Environment, RedirectUrl, SessionId};
use hallpass_ports::{InsertError, KeyRingFactory, Store, TokenSigner as _};

use crate::activation::OrganizationRequest;
use crate::caller::{CallerError, FrontendCaller, Transport};
use crate::{ClientError, ClientView, Hallpass, MintOptions, SessionError};

/// How long a handshake nonce can be redeemed.
const HANDSHAKE_NONCE_LIFETIME: std::time::Duration = std::time::Duration::from_secs(300);

/// How long the signed handshake token is valid, in seconds.
const HANDSHAKE_TOKEN_LIFETIME_SECS: i64 = 60;

/// What the SDK asked a handshake for, as the HTTP layer read it.
#[derive(Debug)]
pub struct HandshakeRequest<'a> {
    pub caller: &'a FrontendCaller,
    /// The checked `redirect_url` (the app's URL the browser goes back to).
    pub redirect: &'a RedirectUrl,
    /// The session the presented `__session` token names (a hint, never a
    /// grant: only a live session of the caller's client is used).
    pub session_hint: Option<SessionId>,
    /// `organization_id`: `None` absent; the personal account, or an
    /// organization by id or slug applied only when it exists and the
    /// session's user is a member of it (`Session::may_select_organization`);
    /// otherwise the session's organization is left as it was, as the
    /// Client API's contract says.
    pub organization: Option<OrganizationRequest>,
    /// `format=nonce`: a payload over `nonce_min_bytes` goes by nonce.
    pub nonce_format: bool,
    /// `suffixed_cookies=true`.
    pub suffixed_cookies: bool,
    /// `Domain=` of the production cookies (the app's registrable domain).
    pub cookie_domain: Option<&'a str>,
    /// Payloads over this many bytes go by nonce when the SDK allows it.
    pub nonce_min_bytes: usize,
}

/// How the handshake's result travels back to the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeDelivery {
    /// Development: a query parameter appended to the redirect URL.
    Query,
    /// Production: a cookie on the app's domain.
    Cookie {
        domain: Option<String>,
        secure: bool,
    },
}

/// The handshake's answer: a 307 to the redirect URL carrying `name=value`.
#[derive(Debug)]
pub struct HandshakeResponse {
    /// `__clerk_handshake` (the signed directives) or
    /// `__clerk_handshake_nonce`.
    pub name: &'static str,
    pub value: String,
    pub delivery: HandshakeDelivery,
}

/// What a handshake found for the app: a fresh session token and refresh
/// token when the client has a live session, and the `__client_uat` value.
#[derive(Debug, Default)]
struct HandshakeSession {
    token: Option<String>,
    refresh_token: Option<String>,
    /// The client's `updated_at` in seconds (never after the token's
    /// `iat`) when signed in, `0` when signed out.
    client_uat: i64,
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// The handshake (see the module docs). In development an unknown
    /// development browser gets a new one and the app ends signed out, as
    /// Clerk's Frontend API does; a request naming none is read by its
    /// `__client` cookie and gets a new development browser bound to that
    /// client (signed out without one).
    #[tracing::instrument(skip_all)]
    pub async fn handshake(
        &self,
        req: HandshakeRequest<'_>,
    ) -> Result<HandshakeResponse, SessionError> {
        let (view, dev_browser) = if req.caller.transport == Transport::DevBrowser {
            let (id, view) = self
                .handshake_dev_browser(req.caller.dev_browser())
                .await
                .map_err(client_error)?;
            (view, Some(id))
        } else {
            let view = match self.caller_client(req.caller).await {
                Ok(view) => view,
                Err(CallerError::Unexpected(e)) => return Err(SessionError::Unexpected(e)),
                Err(CallerError::SignedOut | CallerError::UnknownDevBrowser) => None,
            };
            // A development instance reached without a development browser
            // (the browser's `__client` cookie): the app's backend still
            // needs one, bound to the client the cookie names.
            let dev_browser = match self.environment() {
                Environment::Development => Some(
                    self.create_dev_browser(view.as_ref().map(|v| v.client.id()))
                        .await
                        .map_err(client_error)?
                        .id,
                ),
                Environment::Production => None,
            };
            (view, dev_browser)
        };
        let origin = req.redirect.origin();
        let mint = MintOptions {
            origin: origin.as_deref(),
            lifetime: None,
            version: req.caller.version.claims_version(),
        };
        let found = self
            .handshake_session(
                view.as_ref(),
                req.session_hint.as_ref(),
                req.organization.as_ref(),
                mint,
            )
            .await?;

        let environment = self.environment();
        let cookie_domain = match environment {
            Environment::Production => req.cookie_domain,
            Environment::Development => None,
        };
        let instance_suffix = self.cookie_suffix();
        let secure = req.redirect.is_https();
        let directives = handshake_directives(&HandshakeInput {
            environment,
            session_token: found.token.as_deref(),
            client_uat: found.client_uat,
            suffix: req.suffixed_cookies.then_some(instance_suffix.as_str()),
            cookie_domain,
            secure,
            dev_browser: dev_browser.as_ref().map(DevBrowserId::as_str),
            refresh_token: found.refresh_token.as_deref(),
            refresh_suffix: Some(&instance_suffix),
        })
        .map_err(|e| SessionError::Unexpected(anyhow::anyhow!(e)))?;

        let (name, value) = if req.nonce_format && payload_size(&directives) > req.nonce_min_bytes {
            let nonce = self
                .store_handshake_nonce(&directives)
                .await
                .map_err(client_error)?;
            ("__clerk_handshake_nonce", nonce)
        } else {
            let iat = self.now().as_secs();
            let jwt = self.ring().sign_handshake(&HandshakePayload {
                directives,
                iat,
                exp: iat + HANDSHAKE_TOKEN_LIFETIME_SECS,
            })?;
            ("__clerk_handshake", jwt)
        };
        let delivery = match environment {
            Environment::Development => HandshakeDelivery::Query,
            Environment::Production => HandshakeDelivery::Cookie {
                domain: cookie_domain.map(str::to_owned),
                secure,
            },
        };
        Ok(HandshakeResponse {
            name,
            value,
            delivery,
        })
    }

    /// The handshake's decision: picks the session (the one `hint` names if
    /// it is a live session of this client, else the client's last active
    /// one), applies `organization` when the session's user may make it
    /// active (otherwise the session keeps its organization), and mints a
    /// session token and a refresh token for it.
    async fn handshake_session(
        &self,
        view: Option<&ClientView>,
        hint: Option<&SessionId>,
        organization: Option<&OrganizationRequest>,
        options: MintOptions<'_>,
    ) -> Result<HandshakeSession, SessionError> {
        let Some(view) = view else {
            return Ok(HandshakeSession::default());
        };
        let now = self.now();
        let live = |id: &SessionId| {
            view.sessions
                .iter()
                .find(|s| s.id() == id && s.is_live_at(now))
        };
        let chosen = hint
            .and_then(live)
            .or_else(|| view.client.last_active_session_id().and_then(live));
        let Some(session) = chosen else {
            return Ok(HandshakeSession::default());
        };
        let id = session.id().clone();
        let organization = match organization {
            None => None,
            Some(request) => match self.organization_candidate(session, request).await {
                Ok(candidate) => Some(candidate),
                Err(SessionError::OrganizationNotAllowed(_)) => {
                    tracing::debug!(
                        "the handshake's organization cannot be made active: unchanged"
                    );
                    None
                }
                Err(e) => return Err(e),
            },
        };
        let client = match self
            .touch_client_session(view.client.id(), &id, organization)
            .await
        {
            Ok((client, _)) => client,
            Err(e) => {
                tracing::debug!(error = %e, "the handshake's touch did not apply");
                view.client.clone()
            }
        };
        let cap = self.now();
        let token = match self.mint_session_token(&id, options).await {
            Ok(token) => token,
            Err(SessionError::Unexpected(e)) => return Err(SessionError::Unexpected(e)),
            Err(e) => {
                tracing::debug!(error = %e, "the handshake's session cannot mint: signed out");
                return Ok(HandshakeSession::default());
            }
        };
        let refresh_token = self
            .issue_refresh_token(&id)
            .await
            .map_err(|e| SessionError::Unexpected(anyhow::anyhow!(e)))?;
        Ok(HandshakeSession {
            token: Some(token),
            refresh_token: Some(refresh_token),
            client_uat: client.updated_at().min(cap).as_secs(),
        })
    }

    /// The development browser a handshake goes on with, and its client:
    /// the named browser when it is known, otherwise a new one (a first
    /// visit, cookies cleared, or a store that was reset).
    async fn handshake_dev_browser(
        &self,
        named: Option<&DevBrowserId>,
    ) -> Result<(DevBrowserId, Option<ClientView>), ClientError> {
        if let Some(id) = named
            && let Some(client) = self.dev_browser_client(id).await?
        {
            return Ok((id.clone(), client));
        }
        Ok((self.create_dev_browser(None).await?.id, None))
    }

    /// Stores handshake directives under a new single-use nonce (payloads
    /// too large for a cookie) and returns the nonce. Only its hash is kept.
    async fn store_handshake_nonce(&self, directives: &[String]) -> Result<String, ClientError> {
        let nonce = format!(
            "{}{}",
            hallpass_domain::id::base62_u128(self.ids.random_u128()),
            hallpass_domain::id::base62_u128(self.ids.random_u128())
        );
        let now = self.now();
        self.store
            .insert_handshake_nonce(
                &crate::secret_key::hash(&nonce),
                directives,
                now.saturating_add(HANDSHAKE_NONCE_LIFETIME),
                now,
            )
            .await
            .map_err(|e| match e {
                InsertError::Conflict => {
                    ClientError::Unexpected(anyhow::anyhow!("nonce collision"))
                }
                InsertError::Unexpected(e) => ClientError::Unexpected(e),
            })?;
        Ok(nonce)
    }

    /// The directives stored under `nonce`, once (Backend API
    /// `GET /v1/clients/handshake_payload`).
    pub async fn take_handshake_payload(
        &self,
        nonce: &str,
    ) -> Result<Option<Vec<String>>, ClientError> {
        if nonce.is_empty() || nonce.len() > 128 {
            return Ok(None);
        }
        Ok(self
            .store
            .take_handshake_nonce(&crate::secret_key::hash(nonce), self.now())
            .await?)
    }
}

fn client_error(e: ClientError) -> SessionError {
    match e {
        ClientError::NotFound => SessionError::NotFound,
        ClientError::Unexpected(e) => SessionError::Unexpected(e),
    }
}
