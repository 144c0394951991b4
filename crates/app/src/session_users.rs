//! Who a client's sessions belong to, as the Frontend API shows them: each
//! session's user with their organization memberships (clerk-js reads the
//! user's name, identifiers and organizations from the client object).
//! Loaded only to render a client, never on the token paths.

use std::collections::HashMap;

use hallpass_domain::{SessionId, SessionStatus, User, UserId};
use hallpass_ports::{KeyRingFactory, MembershipView, Store, StoreError};

use crate::caller::{CallerError, FrontendCaller, found};
use crate::{ClientView, FrontendError, Hallpass, SessionError};

/// How many of a user's memberships the client object carries, newest
/// first (clerk-js pages through the rest itself).
pub const MEMBERSHIPS_SHOWN: u32 = 100;

/// A session's user and their memberships (newest first).
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user: User,
    pub memberships: Vec<MembershipView>,
}

/// The users of a client's sessions, by id. A session whose user no longer
/// exists has none (its user was deleted; the session is over).
#[derive(Debug, Clone, Default)]
pub struct SessionUsers(HashMap<UserId, SessionUser>);

impl SessionUsers {
    /// The users as a store read them, each with its memberships.
    pub(crate) fn of(users: Vec<(User, Vec<MembershipView>)>) -> Self {
        Self(
            users
                .into_iter()
                .map(|(user, memberships)| (user.id().clone(), SessionUser { user, memberships }))
                .collect(),
        )
    }

    pub fn get(&self, id: &UserId) -> Option<&SessionUser> {
        self.0.get(id)
    }
}

/// Whether the Frontend API lists a session of this status in the client
/// (removed, revoked, replaced and abandoned sessions are no longer part of
/// it; ended and expired ones stay listed, signed out).
pub fn listed_in_client(status: SessionStatus) -> bool {
    use SessionStatus as S;
    matches!(status, S::Active | S::Pending | S::Ended | S::Expired)
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// The users of the sessions `view` lists (and of the session `also`,
    /// listed or not: a response about a session just removed), with their
    /// memberships, in one read
    /// ([`hallpass_ports::MembershipStore::find_users_with_memberships`]).
    pub async fn session_users(
        &self,
        view: &ClientView,
        also: Option<&SessionId>,
    ) -> Result<SessionUsers, StoreError> {
        let mut ids: Vec<UserId> = Vec::new();
        let shown = view
            .sessions
            .iter()
            .filter(|s| listed_in_client(s.status()) || Some(s.id()) == also);
        for s in shown {
            if !ids.contains(s.user_id()) {
                ids.push(s.user_id().clone());
            }
        }
        if ids.is_empty() {
            return Ok(SessionUsers::default());
        }
        let users = self
            .store
            .find_users_with_memberships(&ids, MEMBERSHIPS_SHOWN)
            .await?;
        Ok(SessionUsers::of(users))
    }
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// [`Self::caller_client`] with the users its sessions show (and their
    /// memberships), in one read: what `GET /v1/client` renders.
    #[tracing::instrument(skip_all)]
    pub async fn caller_client_shown(
        &self,
        caller: &FrontendCaller,
    ) -> Result<Option<(crate::ClientView, SessionUsers)>, CallerError> {
        let Some(client_id) = self.caller_client_id(caller).await? else {
            return Ok(None);
        };
        let read = self
            .store
            .find_client_with_session_users(&client_id.id, MEMBERSHIPS_SHOWN)
            .await;
        let Some(read) = found(read)? else {
            return Ok(None);
        };
        if !client_id.accepts(&read.client) {
            return Ok(None);
        }
        let users = SessionUsers::of(read.users);
        Ok(Some((self.view(read.client, read.sessions), users)))
    }

    /// `GET /v1/me`: the caller's client and the live session whose user is
    /// "me": the one `session` names (clerk-js sends `_clerk_session_id`),
    /// else the client's last active session. A session the client does
    /// not have is "not found"; no live session is "signed out".
    pub async fn caller_me(
        &self,
        caller: &FrontendCaller,
        session: Option<&SessionId>,
    ) -> Result<(SessionId, ClientView), FrontendError> {
        let view = self.signed_in_client(caller).await?;
        let chosen = match session {
            Some(id) => Some(
                view.sessions
                    .iter()
                    .find(|s| s.id() == id)
                    .ok_or(SessionError::NotFound)?,
            ),
            None => view
                .client
                .last_active_session_id()
                .and_then(|id| view.sessions.iter().find(|s| s.id() == id)),
        };
        match chosen {
            Some(s) if s.status().is_live() => Ok((s.id().clone(), view)),
            _ => Err(CallerError::SignedOut.into()),
        }
    }
}
