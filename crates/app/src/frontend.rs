//! Frontend API use cases: who the caller's client is, creating clients and
//! development browsers, and acting on the client's own sessions.

use hallpass_domain::token::ClientTokenClaims;
use hallpass_domain::{
    Client, ClientId, DevBrowserId, OrganizationId, Session, SessionId, TransitionError,
};
use hallpass_ports::{
    DevBrowserRecord, FindClientError, FindSessionError, InsertError, KeyRingFactory, Store,
    TokenSigner as _, TokenVerifier as _, UpdateClientError,
};
use subtle::ConstantTimeEq as _;

use crate::{ClientError, Hallpass, SessionError};

/// How a Frontend API request identifies its client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientCredential {
    /// The client token: the `__client` cookie (production browsers) or the
    /// `Authorization` header (native apps).
    Token(String),
    /// The development browser (`__clerk_db_jwt`), on development instances.
    DevBrowser(DevBrowserId),
}

/// A client and its sessions, time applied to their statuses.
#[derive(Debug, Clone)]
pub struct ClientView {
    pub client: Client,
    pub sessions: Vec<Session>,
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// The client a credential names, with its sessions, or `None`: a
    /// tampered, foreign or stale client token (its rotating token was
    /// rotated by a sign-in), an unknown development browser or one bound
    /// to no client all mean "no client", never an error the caller can
    /// probe. A client token costs one read (the client and its sessions
    /// together).
    #[tracing::instrument(skip_all)]
    pub async fn resolve_client(
        &self,
        credential: &ClientCredential,
    ) -> Result<Option<ClientView>, ClientError> {
        match credential {
            ClientCredential::Token(token) => {
                let Some(claims) = self.client_token_claims(token) else {
                    return Ok(None);
                };
                let Some((client, sessions)) =
                    found(self.store.find_client_with_sessions(&claims.id).await)?
                else {
                    return Ok(None);
                };
                Ok(same_rotating_token(&client, &claims).then(|| self.view(client, sessions)))
            }
            ClientCredential::DevBrowser(id) => Ok(self.dev_browser_client(id).await?.flatten()),
        }
    }

    /// [`Self::resolve_client`] without the client's sessions.
    pub async fn resolve_client_record(
        &self,
        credential: &ClientCredential,
    ) -> Result<Option<Client>, ClientError> {
        let client = match credential {
            ClientCredential::Token(token) => {
                let Some(claims) = self.client_token_claims(token) else {
                    return Ok(None);
                };
                let Some(client) = found(self.store.find_client(&claims.id).await)? else {
                    return Ok(None);
                };
                if !same_rotating_token(&client, &claims) {
                    return Ok(None);
                }
                client
            }
            ClientCredential::DevBrowser(id) => match self.dev_browser_client_record(id).await? {
                Some(Some(client)) => client,
                _ => return Ok(None),
            },
        };
        Ok(Some(client))
    }

    /// The client a credential names and its session `session_id`, for the
    /// minting hot path: `None` as in [`Self::resolve_client`]; the session
    /// is `None` when the client has no such session (another client's
    /// session included). A client token costs one read.
    pub async fn resolve_client_session(
        &self,
        credential: &ClientCredential,
        session_id: &SessionId,
    ) -> Result<Option<(Client, Option<Session>)>, ClientError> {
        match credential {
            ClientCredential::Token(token) => {
                let Some(claims) = self.client_token_claims(token) else {
                    return Ok(None);
                };
                let Some((client, session)) =
                    found(self.store.find_client_session(&claims.id, session_id).await)?
                else {
                    return Ok(None);
                };
                Ok(same_rotating_token(&client, &claims).then_some((client, session)))
            }
            ClientCredential::DevBrowser(id) => {
                let Some(Some(client)) = self.dev_browser_client_record(id).await? else {
                    return Ok(None);
                };
                let session = self.session_of(&client, session_id).await?;
                Ok(Some((client, session)))
            }
        }
    }

    /// `client`'s session `id`, or `None` (another client's included).
    pub async fn session_of(
        &self,
        client: &Client,
        id: &SessionId,
    ) -> Result<Option<Session>, ClientError> {
        match self.store.find_session(id).await {
            Ok(s) if s.client_id() == client.id() => Ok(Some(s)),
            Ok(_) | Err(FindSessionError::NotFound) => Ok(None),
            Err(FindSessionError::Unexpected(e)) => Err(e.into()),
        }
    }

    /// The claims of a client token signed by one of the instance's keys,
    /// or `None`.
    fn client_token_claims(&self, token: &str) -> Option<ClientTokenClaims> {
        self.ring().verify_client_token(token).ok()
    }

    fn view(&self, client: Client, mut sessions: Vec<Session>) -> ClientView {
        let now = self.now();
        for s in &mut sessions {
            s.observe(now);
        }
        ClientView { client, sessions }
    }

    /// A development browser and the client it is bound to, with its
    /// sessions: `None` for an unknown browser, `Some(None)` for one bound
    /// to no client (yet).
    pub async fn dev_browser_client(
        &self,
        id: &DevBrowserId,
    ) -> Result<Option<Option<ClientView>>, ClientError> {
        let Some(bound) = self.dev_browser_client_id(id).await? else {
            return Ok(None);
        };
        let Some(client_id) = bound else {
            return Ok(Some(None));
        };
        let read = found(self.store.find_client_with_sessions(&client_id).await)?;
        Ok(Some(
            read.map(|(client, sessions)| self.view(client, sessions)),
        ))
    }

    /// [`Self::dev_browser_client`] without the client's sessions.
    pub async fn dev_browser_client_record(
        &self,
        id: &DevBrowserId,
    ) -> Result<Option<Option<Client>>, ClientError> {
        let Some(bound) = self.dev_browser_client_id(id).await? else {
            return Ok(None);
        };
        let Some(client_id) = bound else {
            return Ok(Some(None));
        };
        Ok(Some(found(self.store.find_client(&client_id).await)?))
    }

    /// The client a development browser is bound to: `None` for an unknown
    /// browser, `Some(None)` for one bound to no client (yet).
    async fn dev_browser_client_id(
        &self,
        id: &DevBrowserId,
    ) -> Result<Option<Option<ClientId>>, ClientError> {
        Ok(self
            .store
            .find_dev_browser(id)
            .await?
            .map(|browser| browser.client_id))
    }

    /// The signed client token of `client` (its current rotating token).
    pub fn client_token(&self, client: &Client) -> Result<String, ClientError> {
        let claims = ClientTokenClaims::for_client(client, self.now());
        self.ring()
            .sign_client_token(&claims)
            .map_err(|e| ClientError::Unexpected(anyhow::anyhow!(e)))
    }

    /// A new development browser (development instances only; the caller
    /// checks the environment).
    pub async fn create_dev_browser(&self) -> Result<DevBrowserRecord, ClientError> {
        let now = self.now();
        let browser = DevBrowserRecord {
            id: DevBrowserId::from_random(self.ids.random_u128()),
            client_id: None,
            created_at: now,
            updated_at: now,
        };
        self.store
            .insert_dev_browser(&browser)
            .await
            .map_err(|e| match e {
                InsertError::Conflict => {
                    ClientError::Unexpected(anyhow::anyhow!("dev browser id collision"))
                }
                InsertError::Unexpected(e) => ClientError::Unexpected(e),
            })?;
        Ok(browser)
    }

    /// The development browser a handshake goes on with, and its client:
    /// the named browser when it is known, otherwise a new one (a first
    /// visit, cookies cleared, or a store that was reset), as Clerk's
    /// Frontend API does. The app then ends signed out with the new
    /// `__clerk_db_jwt` instead of on an error page.
    pub async fn handshake_dev_browser(
        &self,
        named: Option<&DevBrowserId>,
    ) -> Result<(DevBrowserId, Option<ClientView>), ClientError> {
        if let Some(id) = named
            && let Some(client) = self.dev_browser_client(id).await?
        {
            return Ok((id.clone(), client));
        }
        Ok((self.create_dev_browser().await?.id, None))
    }

    /// Creates a client (`PUT`/`POST /v1/client`), bound to the development
    /// browser when there is one.
    pub async fn create_client_for(
        &self,
        dev_browser: Option<&DevBrowserId>,
    ) -> Result<Client, ClientError> {
        let client = self.create_client().await?;
        if let Some(id) = dev_browser
            && !self
                .store
                .bind_dev_browser(id, client.id(), self.now())
                .await?
        {
            return Err(ClientError::NotFound);
        }
        Ok(client)
    }

    /// One of the client's sessions; another client's session is "not found".
    pub async fn client_session(
        &self,
        client_id: &ClientId,
        session_id: &SessionId,
    ) -> Result<Session, SessionError> {
        let session = self.session(session_id).await?;
        if session.client_id() != client_id {
            return Err(SessionError::NotFound);
        }
        Ok(session)
    }

    /// `POST /v1/client/sessions/{id}/touch`: the session becomes the
    /// client's last active one, activity is recorded, and the active
    /// organization changes when `organization` is given (`Some(None)`: the
    /// personal account).
    #[tracing::instrument(skip_all, fields(session_id = %session_id))]
    pub async fn touch_client_session(
        &self,
        client_id: &ClientId,
        session_id: &SessionId,
        organization: Option<Option<OrganizationId>>,
    ) -> Result<(Client, Session), SessionError> {
        self.client_session(client_id, session_id).await?;
        let settings = *self.settings();
        let session = self
            .change_session(session_id, move |s, now| {
                if let Some(org) = organization.clone() {
                    s.set_active_organization(org, now)?;
                }
                s.record_activity(now, &settings).map(|_| ())
            })
            .await?;
        for _ in 0..5 {
            let previous = self
                .store
                .find_client(client_id)
                .await
                .map_err(|e| match e {
                    FindClientError::NotFound => SessionError::NotFound,
                    FindClientError::Unexpected(e) => SessionError::Unexpected(e),
                })?;
            let mut client = previous.clone();
            client
                .set_last_active(&session, self.now())
                .map_err(|e| match e {
                    hallpass_domain::ClientError::Transition(t) => SessionError::NotAllowed(t),
                    other => SessionError::Unexpected(anyhow::anyhow!(other)),
                })?;
            if client == previous {
                return Ok((client, session));
            }
            match self.store.update_client(&client, &previous).await {
                Ok(()) => return Ok((client, session)),
                Err(UpdateClientError::Changed) => continue,
                Err(UpdateClientError::NotFound) => return Err(SessionError::NotFound),
                Err(UpdateClientError::Unexpected(e)) => return Err(e.into()),
            }
        }
        Err(SessionError::NotAllowed(TransitionError::Terminal {
            status: session.status(),
            action: "touch",
        }))
    }
}

/// How long a handshake nonce can be redeemed.
const HANDSHAKE_NONCE_LIFETIME: std::time::Duration = std::time::Duration::from_secs(300);

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// Stores handshake directives under a new single-use nonce (payloads
    /// too large for a cookie) and returns the nonce. Only its hash is kept.
    pub async fn store_handshake_nonce(
        &self,
        directives: &[String],
    ) -> Result<String, ClientError> {
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

/// What a handshake found for the app: a fresh session token and refresh
/// token when the client has a live session, and the `__client_uat` value.
#[derive(Debug, Default)]
pub struct HandshakeSession {
    pub token: Option<String>,
    pub refresh_token: Option<String>,
    /// The client's `updated_at` in seconds (never after the token's
    /// `iat`) when signed in, `0` when signed out.
    pub client_uat: i64,
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// The handshake's decision: picks the session (the one `hint` names if
    /// it is a live session of this client, else the client's last active
    /// one), applies `organization` (`Some(None)`: personal account; one
    /// that cannot be activated leaves it as it is), and mints a session
    /// token and a refresh token for it.
    #[tracing::instrument(skip_all)]
    pub async fn handshake_session(
        &self,
        view: Option<&ClientView>,
        hint: Option<&SessionId>,
        organization: Option<Option<OrganizationId>>,
        options: crate::MintOptions<'_>,
    ) -> Result<HandshakeSession, SessionError> {
        let Some(view) = view else {
            return Ok(HandshakeSession::default());
        };
        let now = self.now();
        let live = |id: &SessionId| {
            view.sessions
                .iter()
                .any(|s| s.id() == id && s.is_live_at(now))
        };
        let chosen = hint
            .filter(|id| live(id))
            .or_else(|| view.client.last_active_session_id().filter(|id| live(id)));
        let Some(id) = chosen.cloned() else {
            return Ok(HandshakeSession::default());
        };
        let client = match self
            .touch_client_session(view.client.id(), &id, organization)
            .await
        {
            Ok((client, _)) => client,
            Err(_) => view.client.clone(),
        };
        let cap = self.now();
        let Ok(token) = self.mint_session_token(&id, options).await else {
            return Ok(HandshakeSession::default());
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
}

/// Whether the client token's rotating token is the client's current one
/// (constant time: it is a bearer secret).
fn same_rotating_token(client: &Client, claims: &ClientTokenClaims) -> bool {
    client
        .rotating_token()
        .expose()
        .as_bytes()
        .ct_eq(claims.rotating_token.expose().as_bytes())
        .into()
}

/// A client read: `Ok(None)` when there is no such client.
fn found<T>(read: Result<T, FindClientError>) -> Result<Option<T>, ClientError> {
    match read {
        Ok(value) => Ok(Some(value)),
        Err(FindClientError::NotFound) => Ok(None),
        Err(FindClientError::Unexpected(e)) => Err(e.into()),
    }
}
