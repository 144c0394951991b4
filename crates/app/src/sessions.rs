//! Client and session life-cycle use cases.
//!
//! Every write is a compare-and-set against what was read; on a lost race
//! the use case re-reads and re-decides (a bounded number of times), so the
//! outcome is always one the domain allows from the state that won.

use hallpass_domain::activity::SessionActivity;
use hallpass_domain::client::OnExistingSession;
use hallpass_domain::session::NewSession;
use hallpass_domain::sign_in_token::SignInToken;
use hallpass_domain::token::{ClaimsVersion, SessionTokenClaims};
use hallpass_domain::user::SignInRefused;
use hallpass_domain::{
    Activity, Client, ClientId, OrganizationId, RotatingToken, Session, SessionId, SessionTask,
    SignIn, TokenOrganization, TransitionError, UnixMillis, User, UserId, client,
};
use hallpass_ports::{
    ActiveOrganization, FindUserError, KeyRingFactory, SaveSignInError, SessionPage, SessionQuery,
    Store, TokenSigner as _, UpdateClientError, UpdateSessionError, UserChange,
};

use crate::{ClientError, Hallpass, SessionError, SignInError};

/// How often a use case retries after losing a compare-and-set race.
const MAX_ATTEMPTS: usize = 5;

/// How a session token is minted.
#[derive(Debug, Clone, Copy, Default)]
pub struct MintOptions<'a> {
    /// The request's `Origin` (the `azp` claim); none on the Backend API.
    pub origin: Option<&'a str>,
    /// Overrides the instance's token lifetime (Backend API
    /// `expires_in_seconds`, validated by the caller with
    /// `hallpass_domain::token::requested_lifetime`).
    pub lifetime: Option<std::time::Duration>,
    /// v1 claims for API versions before 2025-04-10.
    pub version: ClaimsVersion,
}

/// A live session about to get a token, and what its active organization
/// gives the token.
#[derive(Debug)]
pub(crate) struct Mintable {
    pub(crate) session: Session,
    pub(crate) organization: TokenOrganization,
    /// The active organization and membership the claims come from, when
    /// the token carries them ([`TokenOrganization::Active`]).
    pub(crate) active: Option<ActiveOrganization>,
}

/// A sign-in: who, on which client, with what.
#[derive(Debug, Clone)]
pub struct SignInRequest {
    pub client_id: ClientId,
    pub user_id: UserId,
    pub active_organization_id: Option<OrganizationId>,
    pub tasks: Vec<SessionTask>,
    pub on_existing: OnExistingSession,
    /// The ticket this sign-in consumes, already accepted; stored in the
    /// same transaction, so it signs in at most once.
    pub ticket: Option<SignInToken>,
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    fn new_rotating_token(&self) -> RotatingToken {
        RotatingToken::from_random(self.ids.random_u128())
    }

    /// Creates a client with no session.
    #[tracing::instrument(skip_all)]
    pub async fn create_client(&self) -> Result<Client, ClientError> {
        let client = Client::new(
            ClientId::from_random(self.ids.random_u128()),
            self.new_rotating_token(),
            self.now(),
        );
        self.store.insert_client(&client).await?;
        Ok(client)
    }

    /// A client and its sessions, time applied to the statuses.
    #[tracing::instrument(skip_all, fields(client_id = %id))]
    pub async fn client(&self, id: &ClientId) -> Result<(Client, Vec<Session>), ClientError> {
        let client = self.store.find_client(id).await?;
        let mut sessions = self.store.list_client_sessions(id).await?;
        let now = self.now();
        for s in &mut sessions {
            s.observe(now);
        }
        Ok((client, sessions))
    }

    /// Signs a user in on a client: a new session, the client's token
    /// rotated, the session made the last active one, the user's last
    /// sign-in recorded. The user must exist and be allowed to sign in (not
    /// banned, not locked); the user is written with a compare-and-set in
    /// the same transaction, so a ban or lock that lands after the user was
    /// read makes this re-read and refuse.
    #[tracing::instrument(skip_all, fields(client_id = %req.client_id))]
    pub async fn sign_in(&self, req: SignInRequest) -> Result<(Client, SignIn), SignInError> {
        let session_id = SessionId::from_random(self.ids.random_u128());
        for _ in 0..MAX_ATTEMPTS {
            let read_user = self.user_who_may_sign_in(&req.user_id).await?;
            let mut user = read_user.clone();
            user.record_sign_in(self.now());
            let previous = self.store.find_client(&req.client_id).await?;
            let sessions = self.store.list_client_sessions(&req.client_id).await?;
            let mut client = previous.clone();
            let new = NewSession {
                id: session_id.clone(),
                client_id: req.client_id.clone(),
                user_id: req.user_id.clone(),
                actor: None,
                active_organization_id: req.active_organization_id.clone(),
                tasks: req.tasks.clone(),
            };
            let out = client
                .sign_in(
                    &sessions,
                    new,
                    self.new_rotating_token(),
                    req.on_existing,
                    self.settings(),
                    self.now(),
                )
                .map_err(|e| match e {
                    client::ClientError::SessionExists(id) => SignInError::SessionExists(id),
                    other => SignInError::Unexpected(anyhow::anyhow!(other)),
                })?;
            match self
                .store
                .save_sign_in(
                    &client,
                    &previous,
                    &out.session,
                    &out.replaced,
                    req.ticket.as_ref(),
                    Some(UserChange {
                        user: &user,
                        previous: &read_user,
                    }),
                )
                .await
            {
                Ok(()) => return Ok((client, out)),
                Err(SaveSignInError::ClientChanged | SaveSignInError::UserChanged) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(SaveSignInError::ClientChanged.into())
    }

    /// The user, if they exist and may sign in now.
    async fn user_who_may_sign_in(&self, id: &UserId) -> Result<User, SignInError> {
        let user = self.store.find_user(id).await.map_err(|e| match e {
            FindUserError::NotFound => SignInError::UserNotFound,
            FindUserError::Unexpected(e) => SignInError::Unexpected(e),
        })?;
        let now = self.now();
        match user.may_sign_in(now) {
            Ok(()) => Ok(user),
            Err(SignInRefused::Banned) => Err(SignInError::UserBanned),
            Err(SignInRefused::Locked { .. }) => Err(SignInError::UserLocked {
                expires_in_seconds: user.lockout_expires_in_seconds(now),
            }),
        }
    }

    /// Backend API `POST /v1/sessions` (testing): an active session for
    /// `user_id` on a new client, with `active_organization_id` active when
    /// the user is a member of it (else
    /// [`SessionError::OrganizationNotAllowed`], and nothing is created).
    #[tracing::instrument(skip_all)]
    pub async fn create_session_on_new_client(
        &self,
        user_id: UserId,
        active_organization_id: Option<OrganizationId>,
    ) -> Result<Session, SessionError> {
        // Refused before anything is created (the sign-in checks again).
        self.user_who_may_sign_in(&user_id).await?;
        if let Some(organization) = &active_organization_id {
            self.check_membership_for_new_session(&user_id, organization)
                .await?;
        }
        let client = self
            .create_client()
            .await
            .map_err(|e| SessionError::Unexpected(anyhow::anyhow!(e)))?;
        let (_, out) = self
            .sign_in(SignInRequest {
                client_id: client.id().clone(),
                user_id,
                active_organization_id,
                tasks: vec![],
                on_existing: OnExistingSession::Refuse,
                ticket: None,
            })
            .await?;
        Ok(out.session)
    }

    /// A session, time applied to its status (and stored when it changed).
    #[tracing::instrument(skip_all, fields(session_id = %id))]
    pub async fn session(&self, id: &SessionId) -> Result<Session, SessionError> {
        let session = self.store.find_session(id).await?;
        Ok(self.observed(session).await)
    }

    /// [`Self::session`] with the session's latest activity, in one read.
    pub async fn session_with_activity(
        &self,
        id: &SessionId,
    ) -> Result<(Session, Option<SessionActivity>), SessionError> {
        let (session, activity) = self.store.find_session_with_activity(id).await?;
        Ok((self.observed(session).await, activity))
    }

    /// The session with time applied to its status; an expiry observed now
    /// is stored.
    async fn observed(&self, mut session: Session) -> Session {
        let stored = session.status();
        if session.observe(self.now()) {
            self.store_observed(&session, stored).await;
        }
        session
    }

    /// Stores a status that time moved `session` to (an expiry observed
    /// now). Best effort: another writer may have moved it already, and the
    /// observed status is what the caller sees either way; a lost race is
    /// expected, any other failure is logged.
    async fn store_observed(&self, session: &Session, stored: hallpass_domain::SessionStatus) {
        match self.store.update_session(session, &[stored]).await {
            Ok(()) => {}
            Err(UpdateSessionError::StatusChanged { .. } | UpdateSessionError::NotFound) => {
                tracing::debug!("storing an observed expiry lost a race");
            }
            Err(UpdateSessionError::Unexpected(e)) => {
                tracing::warn!(error = ?e, "storing an observed expiry failed");
            }
        }
    }

    /// Lists sessions, newest first, time applied to the statuses.
    pub async fn list_sessions(&self, query: &SessionQuery) -> Result<SessionPage, SessionError> {
        let mut page = self.store.list_sessions(query).await?;
        let now = self.now();
        for s in &mut page.sessions {
            s.observe(now);
        }
        Ok(page)
    }

    /// Applies `change` to the stored session with compare-and-set on its
    /// status, re-deciding after a lost race. A change that leaves the
    /// session as it was (revoking a revoked session) writes nothing.
    pub(crate) async fn change_session<E: Into<SessionError>>(
        &self,
        id: &SessionId,
        change: impl Fn(&mut Session, UnixMillis) -> Result<(), E>,
    ) -> Result<Session, SessionError> {
        for _ in 0..MAX_ATTEMPTS {
            let read = self.store.find_session(id).await?;
            let mut session = read.clone();
            let now = self.now();
            if let Err(e) = change(&mut session, now) {
                if session.status() != read.status() {
                    // Time moved it to a terminal status: record that.
                    self.store_observed(&session, read.status()).await;
                }
                return Err(e.into());
            }
            if session == read {
                return Ok(session);
            }
            match self.store.update_session(&session, &[read.status()]).await {
                Ok(()) => return Ok(session),
                Err(UpdateSessionError::StatusChanged { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(SessionError::Unexpected(anyhow::anyhow!(
            "session {id} kept changing concurrently"
        )))
    }

    /// After a session stopped being live, moves the client's last active
    /// session on (best effort: a concurrent client change wins).
    async fn after_session_left(&self, session: &Session) {
        for _ in 0..MAX_ATTEMPTS {
            let Ok(previous) = self.store.find_client(session.client_id()).await else {
                return;
            };
            if previous.last_active_session_id() != Some(session.id()) {
                return;
            }
            let Ok(sessions) = self.store.list_client_sessions(session.client_id()).await else {
                return;
            };
            let mut client = previous.clone();
            client.session_left(session.id(), &sessions, self.now());
            match self.store.update_client(&client, &previous).await {
                Err(UpdateClientError::Changed) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "updating the client after a sign-out failed");
                    return;
                }
                Ok(()) => return,
            }
        }
    }

    /// Signs the session out, keeping it in the client's list.
    #[tracing::instrument(skip_all, fields(session_id = %id))]
    pub async fn end_session(&self, id: &SessionId) -> Result<Session, SessionError> {
        let session = self.change_session(id, |s, now| s.end(now)).await?;
        self.after_session_left(&session).await;
        Ok(session)
    }

    /// Signs the session out and removes it from the client.
    #[tracing::instrument(skip_all, fields(session_id = %id))]
    pub async fn remove_session(&self, id: &SessionId) -> Result<Session, SessionError> {
        let session = self.change_session(id, |s, now| s.remove(now)).await?;
        self.after_session_left(&session).await;
        Ok(session)
    }

    /// Revokes the session (Backend API). Idempotent for revoked sessions;
    /// other terminal sessions are refused and left as they are.
    #[tracing::instrument(skip_all, fields(session_id = %id))]
    pub async fn revoke_session(&self, id: &SessionId) -> Result<Session, SessionError> {
        let session = self.change_session(id, |s, now| s.revoke(now)).await?;
        self.after_session_left(&session).await;
        Ok(session)
    }

    /// Records activity on a live session: stores it at most once per
    /// activity interval.
    #[tracing::instrument(skip_all, fields(session_id = %id))]
    pub async fn touch_session(&self, id: &SessionId) -> Result<Session, SessionError> {
        let settings = *self.settings();
        self.change_session(id, move |s, now| {
            s.record_activity(now, &settings).map(|_| ())
        })
        .await
    }

    /// The session, provided it is live now, with the activity recorded
    /// (stored at most once per interval), and what its active
    /// organization gives a token now, read together in one statement. The
    /// activity write doubles as the revocation check: it only succeeds
    /// while the stored session is live.
    pub(crate) async fn live_session_for_mint(
        &self,
        id: &SessionId,
    ) -> Result<Mintable, SessionError> {
        let (session, active) = self.store.find_session_with_organization(id).await?;
        self.mintable(session, active).await
    }

    /// [`Self::live_session_for_mint`] for a session (and its active
    /// organization) already read: the organization's claims follow the
    /// membership as it is now; an organization or membership that is gone
    /// is forgotten (one more write, only then).
    pub(crate) async fn mintable(
        &self,
        session: Session,
        active: Option<ActiveOrganization>,
    ) -> Result<Mintable, SessionError> {
        let mut session = self.live_for_mint(session).await?;
        let organization = TokenOrganization::resolve(
            &session,
            active.as_ref().map(|a| (&a.organization, &a.membership)),
            self.roles(),
        );
        match &organization {
            TokenOrganization::Gone(org) => self.forget_organization(&mut session, org).await,
            TokenOrganization::Withheld(org, reason) => {
                tracing::warn!(organization = %org, %reason, "a session token carries no organization: the membership gives no claims");
            }
            TokenOrganization::Personal | TokenOrganization::Active(_) => {}
        }
        let active = match organization {
            TokenOrganization::Active(_) => active,
            _ => None,
        };
        Ok(Mintable {
            session,
            organization,
            active,
        })
    }

    /// Forgets a gone organization, in the store (only while it is still
    /// the active one) and in `session`. Best effort: the token carries no
    /// organization either way, and the next mint tries again.
    async fn forget_organization(&self, session: &mut Session, organization: &OrganizationId) {
        let now = self.now();
        match self
            .store
            .forget_active_organization(session.id(), organization, now)
            .await
        {
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e.0, "forgetting a gone organization failed"),
        }
        session.forget_organization(organization, now);
    }

    /// The session as read, provided it is live now, with the activity
    /// recorded.
    async fn live_for_mint(&self, mut session: Session) -> Result<Session, SessionError> {
        let stored = session.status();
        let read_last_active_at = session.last_active_at();
        let refused = |status| {
            SessionError::NotAllowed(TransitionError::Terminal {
                status,
                action: "mint_token",
            })
        };
        match session.record_activity(self.now(), self.settings()) {
            Err(_) => {
                if session.status() != stored {
                    self.store_observed(&session, stored).await;
                }
                Err(refused(session.status()))
            }
            Ok(Activity::Recorded) => {
                // `false`: a concurrent mint recorded this interval's
                // activity first; the session is live, nothing to write.
                self.store
                    .update_last_active(&session, read_last_active_at)
                    .await
                    .map_err(|e| match e {
                        UpdateSessionError::StatusChanged { current } => refused(current),
                        other => other.into(),
                    })?;
                Ok(session)
            }
            Ok(Activity::Throttled) => Ok(session),
        }
    }

    /// Mints a session token for a live session; counts as activity.
    #[tracing::instrument(skip_all, fields(session_id = %id))]
    pub async fn mint_session_token(
        &self,
        id: &SessionId,
        options: MintOptions<'_>,
    ) -> Result<String, SessionError> {
        let mintable = self.live_session_for_mint(id).await?;
        self.sign_session_token(mintable, options)
    }

    /// [`Self::mint_session_token`] for a session and its active
    /// organization the caller has just read (with its client, in one
    /// read: the Frontend API's hot path).
    pub(crate) async fn mint_session_token_for(
        &self,
        session: Session,
        active: Option<ActiveOrganization>,
        options: MintOptions<'_>,
    ) -> Result<String, SessionError> {
        let mintable = self.mintable(session, active).await?;
        self.sign_session_token(mintable, options)
    }

    fn sign_session_token(
        &self,
        mintable: Mintable,
        options: MintOptions<'_>,
    ) -> Result<String, SessionError> {
        let now = self.now();
        let claims = SessionTokenClaims::build(
            &mintable.session,
            mintable.organization.into_claims(),
            self.frontend_api(),
            options.lifetime.unwrap_or(self.settings().token_lifetime()),
            options.origin,
            now,
        )
        .map_err(|e| match e {
            hallpass_domain::token::SessionTokenError::NotLive(status) => {
                SessionError::NotAllowed(TransitionError::Terminal {
                    status,
                    action: "mint_token",
                })
            }
        })?
        .with_version(options.version);
        let jwt = self.ring().sign_session_token(&claims)?;
        // Tokens of the instance's own lifetime may be rendered again as a
        // session's `last_active_token` (a Backend API token asking for
        // another lifetime is never handed to a browser).
        if options.lifetime.is_none() {
            self.recent_tokens
                .remember(claims, std::sync::Arc::from(jwt.as_str()));
        }
        Ok(jwt)
    }

    /// The deprecated Backend API `verify`: the session, if `token` is a
    /// valid, unexpired session token of it and the session is live.
    pub async fn verify_session(
        &self,
        id: &SessionId,
        token: &str,
    ) -> Result<Session, SessionError> {
        use hallpass_ports::TokenVerifier as _;
        let now = self.now();
        let refused = |status| {
            SessionError::NotAllowed(TransitionError::Terminal {
                status,
                action: "verify",
            })
        };
        let session = self.session(id).await?;
        let claims = self
            .ring()
            .verify_session_token(token, now)
            .map_err(|_| refused(session.status()))?;
        if &claims.sid != id || !session.is_live_at(now) {
            return Err(refused(session.status()));
        }
        Ok(session)
    }

    /// Records the device details of a session's latest activity. Best
    /// effort: a failure is logged, never fails the request.
    pub async fn record_session_activity(&self, id: &SessionId, activity: &SessionActivity) {
        if let Err(e) = self
            .store
            .record_session_activity(id, activity, self.now())
            .await
        {
            tracing::warn!(error = %e.0, "recording session activity failed");
        }
    }

    /// The latest activity of each of `sessions` that has one.
    pub async fn session_activities(
        &self,
        sessions: &[Session],
    ) -> Result<std::collections::HashMap<SessionId, SessionActivity>, SessionError> {
        if sessions.is_empty() {
            return Ok(std::collections::HashMap::new());
        }
        let ids: Vec<SessionId> = sessions.iter().map(|s| s.id().clone()).collect();
        Ok(self
            .store
            .find_session_activities(&ids)
            .await?
            .into_iter()
            .collect())
    }

    /// Signs every live session of the client out: `remove` keeps the
    /// client (`DELETE /v1/client/sessions`), otherwise sessions end
    /// (`DELETE /v1/client`).
    #[tracing::instrument(skip_all, fields(client_id = %id))]
    pub async fn sign_out_client(
        &self,
        id: &ClientId,
        remove: bool,
    ) -> Result<(Client, Vec<Session>), ClientError> {
        for _ in 0..MAX_ATTEMPTS {
            let previous = self.store.find_client(id).await?;
            let sessions = self.store.list_client_sessions(id).await?;
            let mut client = previous.clone();
            let changed = client.sign_out_all(&sessions, remove, self.now());
            match self.store.save_sign_out(&client, &previous, &changed).await {
                Ok(_) => {
                    return Ok((client, self.store.list_client_sessions(id).await?));
                }
                Err(UpdateClientError::Changed) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(UpdateClientError::Changed.into())
    }
}
