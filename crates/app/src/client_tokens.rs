//! The `last_active_token` of every live session of a rendered client:
//! Clerk's client JSON carries one on each, and clerk-js reads a reloaded
//! client's claims from it before its first token request (`useAuth()`
//! has none otherwise). A recent token whose claims are exactly what a new
//! one would carry is handed out again
//! ([`hallpass_domain::token::SessionTokenClaims::can_stand_in_for`]), so
//! a reload costs no signature; otherwise the session is minted as by
//! `POST /v1/client/sessions/{id}/tokens` (activity recorded, a gone
//! organization forgotten).

use std::sync::Arc;

use hallpass_domain::token::SessionTokenClaims;
use hallpass_domain::{Session, SessionId, TokenOrganization, UnixMillis};
use hallpass_ports::{ActiveOrganization, KeyRingFactory, Store};

use crate::session_users::{MEMBERSHIPS_SHOWN, SessionUsers};
use crate::{ClientView, FrontendCaller, Hallpass, MintOptions, SessionError};

/// The tokens a rendered client shows, by session.
#[derive(Debug, Clone, Default)]
pub struct ShownTokens(Vec<(SessionId, Arc<str>)>);

impl ShownTokens {
    /// The token shown on session `id`, if any.
    pub fn get(&self, id: &SessionId) -> Option<&str> {
        self.0
            .iter()
            .find(|(s, _)| s == id)
            .map(|(_, jwt)| jwt.as_ref())
    }

    /// Shows `jwt` (just minted by the request) on session `id`.
    pub fn insert(&mut self, id: SessionId, jwt: &str) {
        self.0.retain(|(s, _)| *s != id);
        self.0.push((id, Arc::from(jwt)));
    }
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// A token for `caller` (its origin is the `azp`, its API version the
    /// claims version) for each session of `view` that is listed and live now,
    /// but `minted` (the request minted that one itself). `users` are the
    /// sessions' users as read with the client: a session's active
    /// organization is found among its user's memberships; one not among
    /// them (more memberships than were read) is read as a mint reads it.
    /// A session that stopped being live meanwhile gets none.
    pub async fn last_active_tokens(
        &self,
        caller: &FrontendCaller,
        view: &ClientView,
        users: &SessionUsers,
        minted: Option<&SessionId>,
    ) -> Result<ShownTokens, SessionError> {
        let options = caller.mint_options();
        let now = self.now();
        let mut shown = ShownTokens::default();
        // A live session is always listed in the client; the one the
        // request minted for already has its token.
        for session in view.sessions.iter().filter(|s| s.is_live_at(now)) {
            if minted == Some(session.id()) {
                continue;
            }
            match self.last_active_token(session, users, options, now).await {
                Ok(jwt) => shown.0.push((session.id().clone(), jwt)),
                Err(SessionError::NotAllowed(_) | SessionError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(shown)
    }

    async fn last_active_token(
        &self,
        session: &Session,
        users: &SessionUsers,
        options: MintOptions<'_>,
        now: UnixMillis,
    ) -> Result<Arc<str>, SessionError> {
        let active = match session.last_active_organization_id() {
            None => None,
            Some(org) => {
                let user = users.get(session.user_id());
                let found = user.and_then(|u| {
                    u.memberships
                        .iter()
                        .find(|m| m.organization.organization.id() == org)
                });
                match found {
                    Some(m) => Some(ActiveOrganization {
                        organization: m.organization.organization.clone(),
                        membership: m.membership.clone(),
                    }),
                    None if user
                        .is_none_or(|u| u.memberships.len() >= MEMBERSHIPS_SHOWN as usize) =>
                    {
                        return Ok(Arc::from(
                            self.mint_session_token(session.id(), options).await?,
                        ));
                    }
                    // The user's memberships were all read: it is gone.
                    None => None,
                }
            }
        };
        let lifetime = options.lifetime.unwrap_or(self.settings().token_lifetime());
        let organization = TokenOrganization::resolve(
            session,
            active.as_ref().map(|a| (&a.organization, &a.membership)),
            self.roles(),
        );
        if let Ok(wanted) = SessionTokenClaims::build(
            session,
            organization.into_claims(),
            self.frontend_api(),
            lifetime,
            options.origin,
            now,
        ) && let Some(jwt) = self
            .recent_tokens
            .find(&wanted.with_version(options.version), lifetime)
        {
            return Ok(jwt);
        }
        Ok(Arc::from(
            self.mint_session_token_for(session.clone(), active, options)
                .await?,
        ))
    }
}
