//! Who is calling the Frontend API: the request's client credential, read
//! once by the HTTP layer into a [`FrontendCaller`], resolved here into the
//! caller's client. Every Frontend API use case starts from a
//! `FrontendCaller`, and whether a session belongs to the caller is decided
//! in one place: the store's client-and-session read
//! (`SessionStore::find_client_session_with_organization`).

use hallpass_domain::token::{ApiVersion, ClientTokenClaims};
use hallpass_domain::{Client, ClientId, DevBrowserId, Session, SessionId};
use hallpass_ports::{
    ActiveOrganization, FindClientError, KeyRingFactory, Store, TokenVerifier as _,
};
use subtle::ConstantTimeEq as _;

use crate::{ClientError, Hallpass};

/// The transport a request used for its client credential; responses answer
/// in the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `__client` cookie (production browsers).
    Cookie,
    /// `_is_native=1` with `Authorization` (native apps).
    Native,
    /// `__clerk_db_jwt` (development instances).
    DevBrowser,
}

/// How a Frontend API request identifies its client. Both are bearer
/// credentials: `Debug` prints neither.
#[derive(Clone, PartialEq, Eq)]
pub enum ClientCredential {
    /// The client token: the `__client` cookie (production browsers) or the
    /// `Authorization` header (native apps).
    Token(String),
    /// The development browser (`__clerk_db_jwt`), on development instances.
    DevBrowser(DevBrowserId),
}

impl std::fmt::Debug for ClientCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Token(_) => f.write_str("Token(<redacted>)"),
            Self::DevBrowser(_) => f.write_str("DevBrowser(<redacted>)"),
        }
    }
}

/// Everything a Frontend API request says about its caller, read from the
/// request alone (nothing looked up yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontendCaller {
    pub transport: Transport,
    /// `None`: the request carries no (well-formed) credential.
    pub credential: Option<ClientCredential>,
    /// The `Origin` header (the `azp` claim of tokens minted for it).
    pub origin: Option<String>,
    pub version: ApiVersion,
}

impl FrontendCaller {
    /// The development browser the request names (development instances).
    pub fn dev_browser(&self) -> Option<&DevBrowserId> {
        match &self.credential {
            Some(ClientCredential::DevBrowser(id)) => Some(id),
            _ => None,
        }
    }

    /// How tokens minted for this caller are made: `azp` is its `Origin`,
    /// the claims follow its API version.
    pub(crate) fn mint_options(&self) -> crate::MintOptions<'_> {
        crate::MintOptions {
            origin: self.origin.as_deref(),
            lifetime: None,
            version: self.version.claims_version(),
        }
    }

    /// The credential as text: the key of the caller's per-client budget.
    /// Not checked: a forged credential only spends its own budget.
    pub fn credential_text(&self) -> Option<&str> {
        match &self.credential {
            Some(ClientCredential::Token(token)) => Some(token),
            Some(ClientCredential::DevBrowser(id)) => Some(id.as_str()),
            None => None,
        }
    }
}

/// The caller has no client the use case can act for.
#[derive(Debug, thiserror::Error)]
pub enum CallerError {
    /// Development instances: the request names no known development
    /// browser (clerk-js then creates one).
    #[error("the development browser is missing or unknown")]
    UnknownDevBrowser,
    /// No client: no credential, or a tampered, foreign or stale one.
    #[error("signed out")]
    SignedOut,
    #[error(transparent)]
    Unexpected(anyhow::Error),
}

impl From<ClientError> for CallerError {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::NotFound => Self::SignedOut,
            ClientError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

/// What a development browser is bound to.
enum DevBrowserBinding {
    Unknown,
    Unbound,
    Client(ClientId),
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// The caller's client with its sessions (time applied), or `None`: a
    /// missing, tampered, foreign or stale client token (its rotating token
    /// was rotated by a sign-in) and a development browser bound to no
    /// client all mean "no client", never an error the caller can probe. On
    /// the development-browser transport, a missing or unknown browser is
    /// [`CallerError::UnknownDevBrowser`]. A client token costs one read.
    #[tracing::instrument(skip_all)]
    pub async fn caller_client(
        &self,
        caller: &FrontendCaller,
    ) -> Result<Option<crate::ClientView>, CallerError> {
        let Some(client_id) = self.caller_client_id(caller).await? else {
            return Ok(None);
        };
        let Some((client, sessions)) =
            found(self.store.find_client_with_sessions(&client_id.id).await)?
        else {
            return Ok(None);
        };
        if !client_id.accepts(&client) {
            return Ok(None);
        }
        Ok(Some(self.view(client, sessions)))
    }

    /// [`Self::caller_client`], signed in: no client is
    /// [`CallerError::SignedOut`].
    pub async fn signed_in_client(
        &self,
        caller: &FrontendCaller,
    ) -> Result<crate::ClientView, CallerError> {
        self.caller_client(caller)
            .await?
            .ok_or(CallerError::SignedOut)
    }

    /// The caller's client, its session `id` and that session's active
    /// organization with the user's membership in it, in one read, the
    /// ownership checked by the read itself: `None` when the client has no
    /// such session (another client's session included). The minting hot
    /// path.
    pub(crate) async fn caller_session(
        &self,
        caller: &FrontendCaller,
        id: &SessionId,
    ) -> Result<(Client, Option<Session>, Option<ActiveOrganization>), CallerError> {
        let client_id = self
            .caller_client_id(caller)
            .await?
            .ok_or(CallerError::SignedOut)?;
        let (client, session, active) = found(
            self.store
                .find_client_session_with_organization(&client_id.id, id)
                .await,
        )?
        .ok_or(CallerError::SignedOut)?;
        if !client_id.accepts(&client) {
            return Err(CallerError::SignedOut);
        }
        Ok((client, session, active))
    }

    /// The client a client token names, with its sessions, or `None` (the
    /// Backend API's `POST /v1/clients/verify`).
    pub async fn client_by_token(
        &self,
        token: &str,
    ) -> Result<Option<crate::ClientView>, ClientError> {
        let caller = FrontendCaller {
            transport: Transport::Native,
            credential: Some(ClientCredential::Token(token.to_owned())),
            origin: None,
            version: ApiVersion::LATEST,
        };
        match self.caller_client(&caller).await {
            Ok(view) => Ok(view),
            Err(CallerError::Unexpected(e)) => Err(ClientError::Unexpected(e)),
            Err(CallerError::SignedOut | CallerError::UnknownDevBrowser) => Ok(None),
        }
    }

    /// The id of the client the caller's credential names, and what the
    /// stored client must match, or `None` (no client).
    pub(crate) async fn caller_client_id(
        &self,
        caller: &FrontendCaller,
    ) -> Result<Option<NamedClient>, CallerError> {
        match &caller.credential {
            Some(ClientCredential::Token(token)) => {
                Ok(self.client_token_claims(token).map(|claims| NamedClient {
                    id: claims.id.clone(),
                    claims: Some(claims),
                }))
            }
            Some(ClientCredential::DevBrowser(id)) => match self.dev_browser_binding(id).await? {
                DevBrowserBinding::Unknown => Err(CallerError::UnknownDevBrowser),
                DevBrowserBinding::Unbound => Ok(None),
                DevBrowserBinding::Client(id) => Ok(Some(NamedClient { id, claims: None })),
            },
            None if caller.transport == Transport::DevBrowser => {
                Err(CallerError::UnknownDevBrowser)
            }
            None => Ok(None),
        }
    }

    /// The claims of a client token signed by one of the instance's keys,
    /// or `None`.
    fn client_token_claims(&self, token: &str) -> Option<ClientTokenClaims> {
        self.ring().verify_client_token(token).ok()
    }

    /// What a development browser is bound to.
    async fn dev_browser_binding(
        &self,
        id: &DevBrowserId,
    ) -> Result<DevBrowserBinding, ClientError> {
        Ok(match self.store.find_dev_browser(id).await? {
            None => DevBrowserBinding::Unknown,
            Some(browser) => match browser.client_id {
                None => DevBrowserBinding::Unbound,
                Some(client) => DevBrowserBinding::Client(client),
            },
        })
    }

    /// A development browser's client with its sessions: `None` for an
    /// unknown browser, `Some(None)` for one bound to no client (yet).
    pub(crate) async fn dev_browser_client(
        &self,
        id: &DevBrowserId,
    ) -> Result<Option<Option<crate::ClientView>>, ClientError> {
        let client_id = match self.dev_browser_binding(id).await? {
            DevBrowserBinding::Unknown => return Ok(None),
            DevBrowserBinding::Unbound => return Ok(Some(None)),
            DevBrowserBinding::Client(id) => id,
        };
        let read =
            found(self.store.find_client_with_sessions(&client_id).await).map_err(|e| match e {
                CallerError::Unexpected(e) => ClientError::Unexpected(e),
                _ => ClientError::NotFound,
            })?;
        Ok(Some(
            read.map(|(client, sessions)| self.view(client, sessions)),
        ))
    }

    pub(crate) fn view(&self, client: Client, mut sessions: Vec<Session>) -> crate::ClientView {
        let now = self.now();
        for s in &mut sessions {
            s.observe(now);
        }
        crate::ClientView { client, sessions }
    }
}

/// A client named by a credential: a client token also names the client's
/// rotating token, which must still be the current one.
pub(crate) struct NamedClient {
    pub(crate) id: ClientId,
    claims: Option<ClientTokenClaims>,
}

impl NamedClient {
    /// Whether the stored `client` is the one named: for a client token, its
    /// rotating token is the client's current one (constant time: it is a
    /// bearer secret).
    pub(crate) fn accepts(&self, client: &Client) -> bool {
        self.claims.as_ref().is_none_or(|claims| {
            client
                .rotating_token()
                .expose()
                .as_bytes()
                .ct_eq(claims.rotating_token.expose().as_bytes())
                .into()
        })
    }
}

/// A client read: `Ok(None)` when there is no such client.
pub(crate) fn found<T>(read: Result<T, FindClientError>) -> Result<Option<T>, CallerError> {
    match read {
        Ok(value) => Ok(Some(value)),
        Err(FindClientError::NotFound) => Ok(None),
        Err(FindClientError::Unexpected(e)) => Err(CallerError::Unexpected(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(credential: Option<ClientCredential>) -> FrontendCaller {
        FrontendCaller {
            transport: Transport::Native,
            credential,
            origin: Some("https://app.example.com".to_owned()),
            version: ApiVersion::LATEST,
        }
    }

    #[test]
    fn a_callers_budget_is_keyed_by_the_credential_it_presents() {
        let dev = DevBrowserId::from_random(7);
        assert_eq!(
            caller(Some(ClientCredential::Token("eyJ.a.b".to_owned()))).credential_text(),
            Some("eyJ.a.b")
        );
        assert_eq!(
            caller(Some(ClientCredential::DevBrowser(dev.clone()))).credential_text(),
            Some(dev.as_str())
        );
        assert_eq!(caller(None).credential_text(), None);
    }

    #[test]
    fn tokens_minted_for_a_caller_name_its_origin_and_follow_its_api_version() {
        let caller = caller(None);
        let options = caller.mint_options();
        assert_eq!(options.origin, Some("https://app.example.com"));
        assert_eq!(options.lifetime, None);
        assert_eq!(options.version, ApiVersion::LATEST.claims_version());
    }

    #[test]
    fn a_caller_prints_no_credential() {
        let dev = DevBrowserId::from_random(7);
        for credential in [
            ClientCredential::Token("eyJ.secret.token".to_owned()),
            ClientCredential::DevBrowser(dev.clone()),
        ] {
            let caller = FrontendCaller {
                transport: Transport::Cookie,
                credential: Some(credential),
                origin: None,
                version: ApiVersion::LATEST,
            };
            let shown = format!("{caller:?}");
            assert!(!shown.contains("secret"), "{shown}");
            assert!(!shown.contains(dev.as_str()), "{shown}");
            assert!(shown.contains("<redacted>"), "{shown}");
        }
    }
}
