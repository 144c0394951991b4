//! The client: one browser or device and the sessions signed in on it.

use std::time::Duration;

use crate::id::{ClientId, SessionId, base62_u128};
use crate::session::{NewSession, Session, TransitionError};
use crate::settings::InstanceSettings;
use crate::time::UnixMillis;

/// How long the `__client` cookie lives after the last change of the client
/// (browsers cap cookies at 400 days; Clerk uses one year).
pub const CLIENT_COOKIE_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

/// The anti-fixation secret carried inside the client token. It is rotated on
/// every sign-in, so a client token captured before a sign-in (planted in a
/// victim's browser, say) no longer identifies the client afterwards.
#[derive(Clone, PartialEq, Eq)]
pub struct RotatingToken(String);

impl RotatingToken {
    /// A rotating token made of 128 random bits.
    pub fn from_random(bits: u128) -> Self {
        Self(base62_u128(bits))
    }

    /// Rebuilds a stored token; `None` if it is not a plausible token.
    pub fn parse(value: &str) -> Option<Self> {
        (!value.is_empty() && value.len() <= 64 && value.bytes().all(|b| b.is_ascii_alphanumeric()))
            .then(|| Self(value.to_owned()))
    }

    /// The secret value (for signing into the client token and storage).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for RotatingToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RotatingToken(..)")
    }
}

/// Why a client-level action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// Single-session mode and the client already has a live session.
    #[error("the client already has a live session ({0})")]
    SessionExists(SessionId),
    /// The session does not belong to this client.
    #[error("session {0} does not belong to this client")]
    ForeignSession(SessionId),
    #[error(transparent)]
    Transition(#[from] TransitionError),
}

/// One browser or device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    id: ClientId,
    rotating_token: RotatingToken,
    last_active_session_id: Option<SessionId>,
    cookie_expires_at: UnixMillis,
    created_at: UnixMillis,
    updated_at: UnixMillis,
}

/// All the stored fields of a client, for storage adapters to rebuild one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRecord {
    pub id: ClientId,
    pub rotating_token: RotatingToken,
    pub last_active_session_id: Option<SessionId>,
    pub cookie_expires_at: UnixMillis,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
}

/// The outcome of a sign-in: the new session, and the sessions it replaced
/// (always empty unless the caller asked for replacement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    pub session: Session,
    pub replaced: Vec<Session>,
}

/// What a sign-in does about an existing live session in single-session mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnExistingSession {
    /// Refuse with [`ClientError::SessionExists`] (what the Frontend API does).
    Refuse,
    /// End the existing sessions as `replaced`.
    Replace,
}

impl Client {
    /// A new client with no session.
    pub fn new(id: ClientId, rotating_token: RotatingToken, now: UnixMillis) -> Self {
        Self {
            id,
            rotating_token,
            last_active_session_id: None,
            cookie_expires_at: now.saturating_add(CLIENT_COOKIE_LIFETIME),
            created_at: now,
            updated_at: now,
        }
    }

    /// Rebuilds a client from storage.
    pub fn from_record(r: ClientRecord) -> Self {
        Self {
            id: r.id,
            rotating_token: r.rotating_token,
            last_active_session_id: r.last_active_session_id,
            cookie_expires_at: r.cookie_expires_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }

    /// The stored fields.
    pub fn to_record(&self) -> ClientRecord {
        ClientRecord {
            id: self.id.clone(),
            rotating_token: self.rotating_token.clone(),
            last_active_session_id: self.last_active_session_id.clone(),
            cookie_expires_at: self.cookie_expires_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    pub fn id(&self) -> &ClientId {
        &self.id
    }
    pub fn rotating_token(&self) -> &RotatingToken {
        &self.rotating_token
    }
    pub fn last_active_session_id(&self) -> Option<&SessionId> {
        self.last_active_session_id.as_ref()
    }
    pub fn cookie_expires_at(&self) -> UnixMillis {
        self.cookie_expires_at
    }
    pub fn created_at(&self) -> UnixMillis {
        self.created_at
    }
    pub fn updated_at(&self) -> UnixMillis {
        self.updated_at
    }

    /// Every change moves `updated_at` strictly forward (by at least 1 ms),
    /// so storage can detect a concurrent change by comparing it.
    fn touch(&mut self, now: UnixMillis) {
        self.updated_at = now.max(UnixMillis::new(
            self.updated_at.as_millis().saturating_add(1),
        ));
        self.cookie_expires_at = self
            .cookie_expires_at
            .max(now.saturating_add(CLIENT_COOKIE_LIFETIME));
    }

    /// Signs a user in on this client.
    ///
    /// `sessions` are the client's current sessions (as stored). In
    /// single-session mode a live session either refuses the sign-in or is
    /// replaced, as `on_existing` says. The rotating token is replaced by
    /// `new_rotating_token` (session-fixation defence) and the new session
    /// becomes the last active one.
    pub fn sign_in(
        &mut self,
        sessions: &[Session],
        new: NewSession,
        new_rotating_token: RotatingToken,
        on_existing: OnExistingSession,
        settings: &InstanceSettings,
        now: UnixMillis,
    ) -> Result<SignIn, ClientError> {
        if new.client_id != self.id {
            return Err(ClientError::ForeignSession(new.id));
        }
        let mut replaced = Vec::new();
        if !settings.multi_session() {
            for existing in sessions.iter().filter(|s| s.is_live_at(now)) {
                match on_existing {
                    OnExistingSession::Refuse => {
                        return Err(ClientError::SessionExists(existing.id().clone()));
                    }
                    OnExistingSession::Replace => {
                        let mut s = existing.clone();
                        s.replace(now)?;
                        replaced.push(s);
                    }
                }
            }
        }
        let session = Session::start(new, settings, now);
        self.rotating_token = new_rotating_token;
        self.last_active_session_id = Some(session.id().clone());
        self.touch(now);
        Ok(SignIn { session, replaced })
    }

    /// Makes `session` the last active one (touch from the Frontend API).
    pub fn set_last_active(
        &mut self,
        session: &Session,
        now: UnixMillis,
    ) -> Result<(), ClientError> {
        if session.client_id() != &self.id {
            return Err(ClientError::ForeignSession(session.id().clone()));
        }
        if !session.is_live_at(now) {
            return Err(ClientError::Transition(TransitionError::Terminal {
                status: session.status_at(now),
                action: "touch",
            }));
        }
        if self.last_active_session_id.as_ref() != Some(session.id()) {
            self.last_active_session_id = Some(session.id().clone());
            self.touch(now);
        }
        Ok(())
    }

    /// Records that one of the client's sessions stopped being live (end,
    /// remove, revoke): if it was the last active one, the most recently
    /// active remaining live session takes its place, or none.
    pub fn session_left(&mut self, left: &SessionId, sessions: &[Session], now: UnixMillis) {
        if self.last_active_session_id.as_ref() == Some(left) {
            self.last_active_session_id = sessions
                .iter()
                .filter(|s| s.id() != left && s.is_live_at(now))
                .max_by_key(|s| (s.last_active_at(), s.created_at()))
                .map(|s| s.id().clone());
        }
        self.touch(now);
    }

    /// Signs every live session out. `remove` chooses `removed` (sign-out
    /// keeping the client, `DELETE /v1/client/sessions`) over `ended`
    /// (`DELETE /v1/client`). Returns the sessions that changed.
    pub fn sign_out_all(
        &mut self,
        sessions: &[Session],
        remove: bool,
        now: UnixMillis,
    ) -> Vec<Session> {
        let mut changed = Vec::new();
        for existing in sessions.iter().filter(|s| s.is_live_at(now)) {
            let mut s = existing.clone();
            let result = if remove { s.remove(now) } else { s.end(now) };
            if result.is_ok() {
                changed.push(s);
            }
        }
        self.last_active_session_id = None;
        self.touch(now);
        changed
    }

    /// Whether the client has a live session at `now` (what `__client_uat`
    /// reports as non-zero).
    pub fn is_signed_in(sessions: &[Session], now: UnixMillis) -> bool {
        sessions.iter().any(|s| s.is_live_at(now))
    }
}

#[cfg(test)]
mod tests;
