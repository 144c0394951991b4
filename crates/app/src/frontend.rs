//! Frontend API use cases: creating clients and development browsers, and
//! acting on the caller's own sessions. Who the caller is comes from
//! [`crate::caller`].

use hallpass_domain::activity::SessionActivity;
use hallpass_domain::token::ClientTokenClaims;
use hallpass_domain::{Client, ClientId, DevBrowserId, Session, SessionId, TransitionError};
use hallpass_ports::{
    DevBrowserRecord, FindClientError, InsertError, KeyRingFactory, Store, TokenSigner as _,
    UpdateClientError,
};

use crate::activation::{Candidate, OrganizationRequest};
use crate::caller::{CallerError, FrontendCaller};
use crate::{ClientError, Hallpass, SessionError, SignInError, TemplateUseError};

/// A client and its sessions, time applied to their statuses.
#[derive(Debug, Clone)]
pub struct ClientView {
    pub client: Client,
    pub sessions: Vec<Session>,
}

/// A Frontend API use case failed: the caller has no client it can act
/// for, or the session refused.
#[derive(Debug, thiserror::Error)]
pub enum FrontendError {
    #[error(transparent)]
    Caller(#[from] CallerError),
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    SignIn(#[from] SignInError),
    #[error(transparent)]
    Template(#[from] TemplateUseError),
}

impl From<ClientError> for FrontendError {
    fn from(e: ClientError) -> Self {
        Self::Caller(e.into())
    }
}

/// A touched session: its state after the touch, a fresh token, and the
/// client to piggyback.
#[derive(Debug)]
pub struct Touched {
    pub session: Session,
    pub token: String,
    pub client: ClientView,
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// The signed client token of `client` (its current rotating token).
    pub fn client_token(&self, client: &Client) -> Result<String, ClientError> {
        let claims = ClientTokenClaims::for_client(client, self.now());
        self.ring()
            .sign_client_token(&claims)
            .map_err(|e| ClientError::Unexpected(anyhow::anyhow!(e)))
    }

    /// A new development browser, bound to `client` when given
    /// (development instances only; the caller checks the environment).
    pub async fn create_dev_browser(
        &self,
        client: Option<&ClientId>,
    ) -> Result<DevBrowserRecord, ClientError> {
        let now = self.now();
        let browser = DevBrowserRecord {
            id: DevBrowserId::from_random(self.ids.random_u128()),
            client_id: client.cloned(),
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

    /// `PUT`/`POST /v1/client`: a new client, bound to the caller's
    /// development browser when there is one (which must be known).
    pub async fn create_caller_client(
        &self,
        caller: &FrontendCaller,
    ) -> Result<Client, FrontendError> {
        if caller.transport == crate::Transport::DevBrowser {
            self.caller_client(caller).await?;
        }
        Ok(self.create_client_for(caller.dev_browser()).await?)
    }

    /// Creates a client, bound to the development browser when there is one.
    pub(crate) async fn create_client_for(
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

    /// The caller's client, or a new one when it has none (a sign-in on a
    /// first visit).
    pub(crate) async fn caller_client_or_new(
        &self,
        caller: &FrontendCaller,
    ) -> Result<Client, FrontendError> {
        match self.caller_client(caller).await? {
            Some(view) => Ok(view.client),
            None => Ok(self.create_client_for(caller.dev_browser()).await?),
        }
    }

    /// `GET /v1/client/sessions/{id}`: one of the caller's sessions, with
    /// the caller's client.
    pub async fn caller_session_view(
        &self,
        caller: &FrontendCaller,
        id: &SessionId,
    ) -> Result<(Session, ClientView), FrontendError> {
        let view = self.signed_in_client(caller).await?;
        let session = self.client_session(view.client.id(), id).await?;
        Ok((session, view))
    }

    /// `POST /v1/client/sessions/{id}/end` (or `/remove`): signs one of the
    /// caller's sessions out; the client after the change.
    pub async fn end_caller_session(
        &self,
        caller: &FrontendCaller,
        id: &SessionId,
        remove: bool,
    ) -> Result<(Session, ClientView), FrontendError> {
        let view = self.signed_in_client(caller).await?;
        self.client_session(view.client.id(), id).await?;
        let session = if remove {
            self.remove_session(id).await
        } else {
            self.end_session(id).await
        }?;
        let after = self.client_view(view.client.id()).await?;
        Ok((session, after))
    }

    /// `POST /v1/client/sessions/{id}/tokens`: a session token for one of
    /// the caller's sessions, in one read (the client, the session and its
    /// active organization with the user's membership together, ownership
    /// checked by the read). `organization` is what the request named:
    /// clerk-js sends the session's active organization (naming it changes
    /// nothing: one read), or nothing. Another organization (by id or
    /// slug), or the personal account, becomes active first, as touch
    /// makes it so; a refused one ([`SessionError::OrganizationNotAllowed`])
    /// changes nothing and mints nothing.
    pub async fn caller_session_token(
        &self,
        caller: &FrontendCaller,
        id: &SessionId,
        organization: Option<&OrganizationRequest>,
    ) -> Result<String, FrontendError> {
        let (_, session, active) = self.caller_session(caller, id).await?;
        let session = session.ok_or(SessionError::NotFound)?;
        match organization {
            Some(request) if !request.names_active(&session, active.as_ref()) => {
                self.select_organization(&session, request).await?;
                Ok(self.mint_session_token(id, caller.mint_options()).await?)
            }
            _ => Ok(self
                .mint_session_token_for(session, active, caller.mint_options())
                .await?),
        }
    }

    /// `POST /v1/client/sessions/{id}/tokens/{template}`: a JWT-template
    /// token for one of the caller's sessions.
    pub async fn caller_template_token(
        &self,
        caller: &FrontendCaller,
        id: &SessionId,
        template: &str,
    ) -> Result<String, FrontendError> {
        let view = self.signed_in_client(caller).await?;
        self.client_session(view.client.id(), id).await?;
        Ok(self
            .mint_template_token(id, template, caller.origin.as_deref(), None)
            .await?)
    }

    /// `DELETE /v1/client` (`keep_client`: `DELETE /v1/client/sessions`):
    /// signs every live session of the caller's client out; the client
    /// after the change.
    pub async fn sign_out_caller(
        &self,
        caller: &FrontendCaller,
        keep_client: bool,
    ) -> Result<ClientView, FrontendError> {
        let view = self.signed_in_client(caller).await?;
        let (client, sessions) = self.sign_out_client(view.client.id(), keep_client).await?;
        Ok(ClientView { client, sessions })
    }

    /// `POST /v1/client/sessions/{id}/touch`: the session becomes the
    /// client's last active one, its activity is recorded, the active
    /// organization changes when `organization` is given (an organization
    /// by id or slug only when the session's user is a member of it, else
    /// [`SessionError::OrganizationNotAllowed`] and nothing changes), and a
    /// fresh session token is minted.
    #[tracing::instrument(skip_all, fields(session_id = %id))]
    pub async fn touch(
        &self,
        caller: &FrontendCaller,
        id: &SessionId,
        organization: Option<&OrganizationRequest>,
        activity: &SessionActivity,
    ) -> Result<Touched, FrontendError> {
        let view = self.signed_in_client(caller).await?;
        let candidate = match organization {
            None => None,
            Some(request) => {
                let session = view
                    .sessions
                    .iter()
                    .find(|s| s.id() == id)
                    .ok_or(SessionError::NotFound)?;
                Some(self.organization_candidate(session, request).await?)
            }
        };
        self.touch_client_session(view.client.id(), id, candidate)
            .await?;
        self.record_session_activity(id, activity).await;
        let token = self.mint_session_token(id, caller.mint_options()).await?;
        let client = self.client_view(view.client.id()).await?;
        let session = client
            .sessions
            .iter()
            .find(|s| s.id() == id)
            .cloned()
            .ok_or(SessionError::NotFound)?;
        Ok(Touched {
            session,
            token,
            client,
        })
    }

    /// A client and its sessions, fresh from the store.
    async fn client_view(&self, id: &ClientId) -> Result<ClientView, SessionError> {
        let (client, sessions) = self.client(id).await.map_err(|e| match e {
            ClientError::NotFound => SessionError::NotFound,
            ClientError::Unexpected(e) => SessionError::Unexpected(e),
        })?;
        Ok(ClientView { client, sessions })
    }

    /// One of the client's sessions; another client's session is "not found".
    pub(crate) async fn client_session(
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

    /// The session becomes the client's last active one, activity is
    /// recorded, and the active organization becomes `organization`'s
    /// choice when given, as far as the domain allows it
    /// (`Session::select_organization`: a refusal changes nothing).
    pub(crate) async fn touch_client_session(
        &self,
        client_id: &ClientId,
        session_id: &SessionId,
        organization: Option<Candidate>,
    ) -> Result<(Client, Session), SessionError> {
        self.client_session(client_id, session_id).await?;
        let settings = *self.settings();
        let session = self
            .change_session(session_id, move |s, now| {
                if let Some(candidate) = &organization {
                    s.select_organization(
                        candidate.choice.clone(),
                        candidate.membership.as_ref(),
                        now,
                    )?;
                }
                s.record_activity(now, &settings)
                    .map(|_| ())
                    .map_err(SessionError::from)
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

/// A completed ticket sign-in: the new session, its first token, and the
/// client (whose token rotated) to piggyback.
#[derive(Debug)]
pub struct TicketSignedIn {
    pub session: Session,
    pub token: String,
    pub client: ClientView,
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// `POST /v1/client/sign_ins` with `strategy=ticket`: a session on the
    /// caller's client (a new client when it has none); the client's token
    /// rotates, the new session becomes the last active one, its activity
    /// is recorded and its first token minted.
    #[tracing::instrument(skip_all)]
    pub async fn sign_in_caller_with_ticket(
        &self,
        caller: &FrontendCaller,
        ticket: &str,
        activity: &SessionActivity,
    ) -> Result<TicketSignedIn, FrontendError> {
        let client = self.caller_client_or_new(caller).await?;
        let (_, out) = self.sign_in_with_ticket(client.id(), ticket).await?;
        let id = out.session.id();
        self.record_session_activity(id, activity).await;
        let token = self.mint_session_token(id, caller.mint_options()).await?;
        let client = self.client_view(client.id()).await?;
        Ok(TicketSignedIn {
            session: out.session,
            token,
            client,
        })
    }
}
