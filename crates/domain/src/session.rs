//! The session life cycle.
//!
//! ```text
//!            end            remove          revoke          replace
//! pending ───────► ended    ───────► removed ───────► revoked ───────► replaced
//!   │  ▲ (tasks done)
//!   ▼  │
//! active ─ the same four actions, and time: expire_at → expired, abandon_at → abandoned
//! ```
//!
//! `pending` and `active` are *live*; every other status is terminal and stays
//! terminal. See `docs/session-lifecycle.md` for the full table, which a test
//! checks against [`Session::apply`].

use std::fmt;
use std::str::FromStr;

use crate::id::{ClientId, OrganizationId, SessionId, UserId};
use crate::membership::Membership;
use crate::settings::{InstanceSettings, SessionLifetime};
use crate::time::UnixMillis;

/// Where a session is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SessionStatus {
    /// Signed in, with tasks outstanding.
    Pending,
    /// Signed in.
    Active,
    /// The user signed out; the session stays in the client's list.
    Ended,
    /// The user signed out and the session was removed from the client.
    Removed,
    /// The application (Backend API) ended it.
    Revoked,
    /// Its lifetime ran out (`expire_at`).
    Expired,
    /// Nobody came back for it before `abandon_at`.
    Abandoned,
    /// A newer sign-in on the same client replaced it (single-session mode).
    Replaced,
}

impl SessionStatus {
    /// Every status, in the order the docs list them.
    pub const ALL: [SessionStatus; 8] = [
        Self::Pending,
        Self::Active,
        Self::Ended,
        Self::Removed,
        Self::Revoked,
        Self::Expired,
        Self::Abandoned,
        Self::Replaced,
    ];

    /// `pending` and `active`: a token may be minted, activity recorded.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Pending | Self::Active)
    }

    /// Every status but `pending` and `active`.
    pub fn is_terminal(self) -> bool {
        !self.is_live()
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Ended => "ended",
            Self::Removed => "removed",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
            Self::Abandoned => "abandoned",
            Self::Replaced => "replaced",
        }
    }
}

impl fmt::Display for SessionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown status name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown session status")]
pub struct UnknownStatus;

impl FromStr for SessionStatus {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or(UnknownStatus)
    }
}

/// A step the user must take before a pending session becomes active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionTask {
    ChooseOrganization,
    ResetPassword,
    SetupMfa,
}

impl SessionTask {
    pub const ALL: [SessionTask; 3] = [
        Self::ChooseOrganization,
        Self::ResetPassword,
        Self::SetupMfa,
    ];

    /// The wire key.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ChooseOrganization => "choose-organization",
            Self::ResetPassword => "reset-password",
            Self::SetupMfa => "setup-mfa",
        }
    }

    /// Parses a wire key.
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == key)
    }
}

/// An action a caller asks of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionAction {
    /// Sign out, keep the session in the client's list (`…/end`).
    End,
    /// Sign out and drop it from the client (`…/remove`, `signOut()`).
    Remove,
    /// The application ends it (Backend API `…/revoke`).
    Revoke,
    /// A newer sign-in replaced it (single-session mode).
    Replace,
    /// Activity: touch, token minting, sign-in.
    Touch,
    /// The outstanding tasks are done.
    CompleteTasks,
}

impl SessionAction {
    pub const ALL: [SessionAction; 6] = [
        Self::End,
        Self::Remove,
        Self::Revoke,
        Self::Replace,
        Self::Touch,
        Self::CompleteTasks,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::End => "end",
            Self::Remove => "remove",
            Self::Revoke => "revoke",
            Self::Replace => "replace",
            Self::Touch => "touch",
            Self::CompleteTasks => "complete_tasks",
        }
    }
}

/// Why an action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The session is in a terminal status; nothing brings it back.
    #[error("session is {status}: `{action}` is not allowed")]
    Terminal {
        status: SessionStatus,
        action: &'static str,
    },
    /// `complete_tasks` on a session that has none.
    #[error("session is {status}: it has no tasks to complete")]
    NoTasks { status: SessionStatus },
}

/// Why a browser cannot make an organization active.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectOrganizationError {
    /// The session is no longer live.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The session's user has no membership in the organization (or the
    /// organization does not exist: the caller found no membership).
    #[error("the session's user is not a member of organization {0}")]
    NotAMember(OrganizationId),
}

/// What a browser asks to make active: the personal account, or an
/// organization (found by the caller from an id or a slug).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OrganizationChoice {
    Personal,
    Organization(OrganizationId),
}

impl From<Option<OrganizationId>> for OrganizationChoice {
    /// `None` is the personal account.
    fn from(value: Option<OrganizationId>) -> Self {
        value.map_or(Self::Personal, Self::Organization)
    }
}

/// What a live session did with an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// `last_active_at` moved: the new state must be stored.
    Recorded,
    /// Within the write interval of the last stored activity: nothing to store.
    Throttled,
}

/// Everything needed to start a session; ids and time come from outside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub id: SessionId,
    pub client_id: ClientId,
    pub user_id: UserId,
    pub actor: Option<Actor>,
    pub active_organization_id: Option<OrganizationId>,
    pub tasks: Vec<SessionTask>,
}

/// The impersonator of an impersonated session (the token's `act` claim).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    sub: String,
    iss: Option<String>,
    sid: Option<String>,
}

/// An actor value that cannot be carried in tokens and storage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("actor `{field}` must be 1 to 256 characters without control characters")]
pub struct InvalidActor {
    pub field: &'static str,
}

fn valid_text(value: &str) -> bool {
    !value.is_empty() && value.chars().count() <= 256 && !value.chars().any(char::is_control)
}

impl Actor {
    /// Validates an actor: `sub` is who impersonates, `iss` where the
    /// impersonation started, `sid` the impersonator's own session.
    pub fn new(
        sub: String,
        iss: Option<String>,
        sid: Option<String>,
    ) -> Result<Self, InvalidActor> {
        if !valid_text(&sub) {
            return Err(InvalidActor { field: "sub" });
        }
        if iss.as_deref().is_some_and(|v| !valid_text(v)) {
            return Err(InvalidActor { field: "iss" });
        }
        if sid.as_deref().is_some_and(|v| !valid_text(v)) {
            return Err(InvalidActor { field: "sid" });
        }
        Ok(Self { sub, iss, sid })
    }

    pub fn sub(&self) -> &str {
        &self.sub
    }
    pub fn iss(&self) -> Option<&str> {
        self.iss.as_deref()
    }
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }
}

/// One signed-in user on one client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    id: SessionId,
    client_id: ClientId,
    user_id: UserId,
    status: SessionStatus,
    actor: Option<Actor>,
    last_active_organization_id: Option<OrganizationId>,
    tasks: Vec<SessionTask>,
    last_active_at: UnixMillis,
    expire_at: UnixMillis,
    abandon_at: UnixMillis,
    created_at: UnixMillis,
    updated_at: UnixMillis,
}

/// All the stored fields of a session, for storage adapters to rebuild one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: SessionId,
    pub client_id: ClientId,
    pub user_id: UserId,
    pub status: SessionStatus,
    pub actor: Option<Actor>,
    pub last_active_organization_id: Option<OrganizationId>,
    pub tasks: Vec<SessionTask>,
    pub last_active_at: UnixMillis,
    pub expire_at: UnixMillis,
    pub abandon_at: UnixMillis,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
}

fn expire_at(
    lifetime: &SessionLifetime,
    created_at: UnixMillis,
    last_active_at: UnixMillis,
) -> UnixMillis {
    let absolute = lifetime
        .max_lifetime()
        .map(|d| created_at.saturating_add(d));
    let sliding = lifetime
        .inactivity_timeout()
        .map(|d| last_active_at.saturating_add(d));
    match (absolute, sliding) {
        (Some(a), Some(s)) => a.min(s),
        (Some(a), None) => a,
        (None, Some(s)) => s,
        // Unreachable by construction of `SessionLifetime`; fail closed.
        (None, None) => created_at,
    }
}

fn abandon_at(
    lifetime: &SessionLifetime,
    created_at: UnixMillis,
    expire_at: UnixMillis,
) -> UnixMillis {
    created_at
        .saturating_add(lifetime.abandon_after())
        .max(expire_at)
}

impl Session {
    /// Starts a session at `now`: `pending` when it has tasks, else `active`.
    pub fn start(new: NewSession, settings: &InstanceSettings, now: UnixMillis) -> Self {
        let lifetime = settings.lifetime();
        let expire = expire_at(lifetime, now, now);
        let status = if new.tasks.is_empty() {
            SessionStatus::Active
        } else {
            SessionStatus::Pending
        };
        Self {
            id: new.id,
            client_id: new.client_id,
            user_id: new.user_id,
            status,
            actor: new.actor,
            last_active_organization_id: new.active_organization_id,
            tasks: new.tasks,
            last_active_at: now,
            expire_at: expire,
            abandon_at: abandon_at(lifetime, now, expire),
            created_at: now,
            updated_at: now,
        }
    }

    /// Rebuilds a session from storage. Storage is trusted to hold what the
    /// domain wrote; [`Session::observe`] applies any time-based change.
    pub fn from_record(r: SessionRecord) -> Self {
        Self {
            id: r.id,
            client_id: r.client_id,
            user_id: r.user_id,
            status: r.status,
            actor: r.actor,
            last_active_organization_id: r.last_active_organization_id,
            tasks: r.tasks,
            last_active_at: r.last_active_at,
            expire_at: r.expire_at,
            abandon_at: r.abandon_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }

    /// The stored fields.
    pub fn to_record(&self) -> SessionRecord {
        SessionRecord {
            id: self.id.clone(),
            client_id: self.client_id.clone(),
            user_id: self.user_id.clone(),
            status: self.status,
            actor: self.actor.clone(),
            last_active_organization_id: self.last_active_organization_id.clone(),
            tasks: self.tasks.clone(),
            last_active_at: self.last_active_at,
            expire_at: self.expire_at,
            abandon_at: self.abandon_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    pub fn id(&self) -> &SessionId {
        &self.id
    }
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }
    pub fn user_id(&self) -> &UserId {
        &self.user_id
    }
    /// The stored status. Call [`Session::observe`] first to apply time.
    pub fn status(&self) -> SessionStatus {
        self.status
    }
    pub fn actor(&self) -> Option<&Actor> {
        self.actor.as_ref()
    }
    pub fn last_active_organization_id(&self) -> Option<&OrganizationId> {
        self.last_active_organization_id.as_ref()
    }
    pub fn tasks(&self) -> &[SessionTask] {
        &self.tasks
    }
    pub fn last_active_at(&self) -> UnixMillis {
        self.last_active_at
    }
    pub fn expire_at(&self) -> UnixMillis {
        self.expire_at
    }
    pub fn abandon_at(&self) -> UnixMillis {
        self.abandon_at
    }
    pub fn created_at(&self) -> UnixMillis {
        self.created_at
    }
    pub fn updated_at(&self) -> UnixMillis {
        self.updated_at
    }

    /// The status this session has at `now`, time taken into account,
    /// without changing it.
    pub fn status_at(&self, now: UnixMillis) -> SessionStatus {
        if !self.status.is_live() {
            self.status
        } else if now >= self.abandon_at {
            SessionStatus::Abandoned
        } else if now >= self.expire_at {
            SessionStatus::Expired
        } else {
            self.status
        }
    }

    /// Applies the passage of time: a live session past `abandon_at` becomes
    /// `abandoned`, past `expire_at` `expired`. Returns whether it changed
    /// (and so must be stored).
    pub fn observe(&mut self, now: UnixMillis) -> bool {
        let status = self.status_at(now);
        if status == self.status {
            return false;
        }
        self.status = status;
        // The change happened when the deadline passed, not when we noticed.
        self.updated_at = match status {
            SessionStatus::Abandoned => self.abandon_at,
            _ => self.expire_at,
        }
        .max(self.updated_at);
        true
    }

    /// Whether a session token may be minted for it at `now`.
    pub fn is_live_at(&self, now: UnixMillis) -> bool {
        self.status_at(now).is_live()
    }

    fn require_live(
        &mut self,
        now: UnixMillis,
        action: SessionAction,
    ) -> Result<(), TransitionError> {
        self.observe(now);
        if self.status.is_live() {
            Ok(())
        } else {
            Err(TransitionError::Terminal {
                status: self.status,
                action: action.as_str(),
            })
        }
    }

    fn finish(&mut self, status: SessionStatus, now: UnixMillis) {
        self.status = status;
        self.updated_at = now.max(self.updated_at);
    }

    /// Signs out, keeping the session in the client's list.
    pub fn end(&mut self, now: UnixMillis) -> Result<(), TransitionError> {
        self.require_live(now, SessionAction::End)?;
        self.finish(SessionStatus::Ended, now);
        Ok(())
    }

    /// Signs out and removes the session from the client.
    pub fn remove(&mut self, now: UnixMillis) -> Result<(), TransitionError> {
        self.require_live(now, SessionAction::Remove)?;
        self.finish(SessionStatus::Removed, now);
        Ok(())
    }

    /// The application ends the session. Revoking a revoked session is
    /// accepted and changes nothing (the Backend API call is idempotent);
    /// any other terminal status is refused and left as it is.
    pub fn revoke(&mut self, now: UnixMillis) -> Result<(), TransitionError> {
        if self.status == SessionStatus::Revoked {
            return Ok(());
        }
        self.require_live(now, SessionAction::Revoke)?;
        self.finish(SessionStatus::Revoked, now);
        Ok(())
    }

    /// A newer sign-in on the same client replaced this session.
    pub fn replace(&mut self, now: UnixMillis) -> Result<(), TransitionError> {
        self.require_live(now, SessionAction::Replace)?;
        self.finish(SessionStatus::Replaced, now);
        Ok(())
    }

    /// Records activity at `now` (touch, token minting, sign-in).
    ///
    /// `last_active_at` (and with it a sliding `expire_at`) moves only when
    /// the stored value is at least `activity_write_interval` old, so the
    /// hot path writes at most once per session per interval. With an
    /// inactivity timeout this makes the effective timeout at most one
    /// interval shorter, never longer: it fails closed.
    pub fn record_activity(
        &mut self,
        now: UnixMillis,
        settings: &InstanceSettings,
    ) -> Result<Activity, TransitionError> {
        self.require_live(now, SessionAction::Touch)?;
        if now.since(self.last_active_at) < settings.activity_write_interval()
            || now <= self.last_active_at
        {
            return Ok(Activity::Throttled);
        }
        self.last_active_at = now;
        let lifetime = settings.lifetime();
        self.expire_at = expire_at(lifetime, self.created_at, now);
        self.abandon_at = abandon_at(lifetime, self.created_at, self.expire_at);
        self.updated_at = now.max(self.updated_at);
        Ok(Activity::Recorded)
    }

    /// Sets the active organization (touch with `active_organization_id`).
    pub fn set_active_organization(
        &mut self,
        organization: Option<OrganizationId>,
        now: UnixMillis,
    ) -> Result<bool, TransitionError> {
        self.require_live(now, SessionAction::Touch)?;
        if self.last_active_organization_id == organization {
            return Ok(false);
        }
        self.last_active_organization_id = organization;
        self.updated_at = now.max(self.updated_at);
        Ok(true)
    }

    /// Whether a browser (the Frontend API) may make `choice` active, given
    /// `membership`, the membership the caller found for the session's user
    /// in the chosen organization (`None`: none, or no such organization).
    /// The personal account is always allowed; an organization only with a
    /// membership of this session's user in that very organization. A
    /// browser never chooses its own privileges.
    pub fn may_select_organization(
        &self,
        choice: &OrganizationChoice,
        membership: Option<&Membership>,
    ) -> bool {
        match choice {
            OrganizationChoice::Personal => true,
            OrganizationChoice::Organization(org) => {
                membership.is_some_and(|m| m.is_of(&self.user_id, org))
            }
        }
    }

    /// A browser's choice of active organization (touch's
    /// `active_organization_id`, the tokens call's `organization_id`), under
    /// [`Self::may_select_organization`]. `Ok(true)` when it changed,
    /// `Ok(false)` when it was already active. A refused choice changes
    /// nothing.
    pub fn select_organization(
        &mut self,
        choice: OrganizationChoice,
        membership: Option<&Membership>,
        now: UnixMillis,
    ) -> Result<bool, SelectOrganizationError> {
        self.require_live(now, SessionAction::Touch)?;
        if let OrganizationChoice::Organization(org) = &choice
            && !self.may_select_organization(&choice, membership)
        {
            return Err(SelectOrganizationError::NotAMember(org.clone()));
        }
        let organization = match choice {
            OrganizationChoice::Personal => None,
            OrganizationChoice::Organization(org) => Some(org),
        };
        Ok(self.set_active_organization(organization, now)?)
    }

    /// Forgets `organization` if it is still the active one (it, or the
    /// user's membership in it, is gone: see
    /// [`crate::TokenOrganization::Gone`]). Allowed in any status: it only
    /// takes away. Returns whether it changed.
    pub fn forget_organization(&mut self, organization: &OrganizationId, now: UnixMillis) -> bool {
        if self.last_active_organization_id.as_ref() != Some(organization) {
            return false;
        }
        self.last_active_organization_id = None;
        self.updated_at = now.max(self.updated_at);
        true
    }

    /// The outstanding tasks are done: `pending` becomes `active`.
    pub fn complete_tasks(&mut self, now: UnixMillis) -> Result<(), TransitionError> {
        self.require_live(now, SessionAction::CompleteTasks)?;
        if self.status != SessionStatus::Pending {
            return Err(TransitionError::NoTasks {
                status: self.status,
            });
        }
        self.tasks.clear();
        self.finish(SessionStatus::Active, now);
        Ok(())
    }

    /// Applies an action by name; the generic entry point used by the
    /// transition table and property tests.
    pub fn apply(
        &mut self,
        action: SessionAction,
        now: UnixMillis,
        settings: &InstanceSettings,
    ) -> Result<(), TransitionError> {
        match action {
            SessionAction::End => self.end(now),
            SessionAction::Remove => self.remove(now),
            SessionAction::Revoke => self.revoke(now),
            SessionAction::Replace => self.replace(now),
            SessionAction::Touch => self.record_activity(now, settings).map(|_| ()),
            SessionAction::CompleteTasks => self.complete_tasks(now),
        }
    }

    /// The minutes since the last first- and second-factor verification
    /// (the `fva` claim); `-1` means never. Hallpass's sign-in is a ticket
    /// exchanged for a session, which counts as a first factor at creation.
    pub fn factor_verification_age(&self, now: UnixMillis) -> (i64, i64) {
        let minutes = now.since(self.created_at).as_secs() / 60;
        (i64::try_from(minutes).unwrap_or(i64::MAX), -1)
    }
}

#[cfg(test)]
mod tests;
