//! The session tokens this node signed recently, so that rendering a
//! client (every live session carries a `last_active_token`) does not sign
//! a token per session per request. A token is handed out again only where
//! the domain says it may stand in for a fresh one
//! ([`SessionTokenClaims::can_stand_in_for`]: the same claims, at least
//! half its life left). Per node and in memory: another node signs its
//! own; nothing here is a source of truth.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use hallpass_domain::SessionId;
use hallpass_domain::token::SessionTokenClaims;

/// How many sessions' tokens are kept. A token lives a minute by default,
/// so this covers the sessions active on a node in that time; past it the
/// expired ones are dropped, and if none has expired, all of them (the
/// next renders sign again).
const CAPACITY: usize = 16_384;

#[derive(Debug)]
struct Recent {
    claims: SessionTokenClaims,
    jwt: Arc<str>,
}

/// The newest token signed for each session, with its claims.
#[derive(Debug, Default)]
pub(crate) struct RecentTokens {
    by_session: Mutex<HashMap<SessionId, Recent>>,
}

impl RecentTokens {
    /// The recent token that may stand in for a token with `wanted`.
    pub(crate) fn find(&self, wanted: &SessionTokenClaims, lifetime: Duration) -> Option<Arc<str>> {
        let map = self
            .by_session
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        map.get(&wanted.sid)
            .filter(|r| r.claims.can_stand_in_for(wanted, lifetime))
            .map(|r| r.jwt.clone())
    }

    /// Keeps `jwt`, just signed with `claims`, as its session's newest.
    pub(crate) fn remember(&self, claims: SessionTokenClaims, jwt: Arc<str>) {
        let mut map = self
            .by_session
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if map.len() >= CAPACITY && !map.contains_key(&claims.sid) {
            let now = claims.iat;
            map.retain(|_, r| r.claims.exp > now);
            if map.len() >= CAPACITY {
                map.clear();
            }
        }
        map.insert(claims.sid.clone(), Recent { claims, jwt });
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.by_session
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use hallpass_domain::token::ClaimsVersion;
    use hallpass_domain::{SessionStatus, UserId};

    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn claims(session: u128, iat: i64) -> SessionTokenClaims {
        SessionTokenClaims {
            azp: None,
            exp: iat + 60,
            iat,
            nbf: iat - 10,
            iss: "https://clerk.example.com".to_owned(),
            sid: SessionId::from_random(session),
            sub: UserId::parse("user_1").unwrap(),
            sts: SessionStatus::Active,
            fva: (0, -1),
            act: None,
            org: None,
            version: ClaimsVersion::V2,
        }
    }

    #[test]
    fn the_newest_token_of_a_session_stands_in_while_the_domain_allows() {
        let recent = RecentTokens::default();
        assert_eq!(recent.find(&claims(1, 100), MINUTE), None);
        recent.remember(claims(1, 100), Arc::from("first"));
        recent.remember(claims(1, 110), Arc::from("second"));
        assert_eq!(
            recent.find(&claims(1, 120), MINUTE).as_deref(),
            Some("second")
        );
        assert_eq!(recent.find(&claims(1, 141), MINUTE), None, "half gone");
        assert_eq!(recent.find(&claims(2, 120), MINUTE), None, "other session");
    }

    #[test]
    fn a_full_cache_drops_the_expired_tokens_then_everything() {
        let recent = RecentTokens::default();
        let capacity = u128::try_from(CAPACITY).unwrap();
        for s in 0..capacity {
            recent.remember(claims(s, 0), Arc::from("old"));
        }
        assert_eq!(recent.len(), CAPACITY);
        // Replacing a session's token never evicts.
        recent.remember(claims(0, 1), Arc::from("again"));
        assert_eq!(recent.len(), CAPACITY);
        // A new session once all have expired: only it is left.
        recent.remember(claims(capacity, 61), Arc::from("new"));
        assert_eq!(recent.len(), 1);
        // Full of live tokens: everything goes but the newest.
        let recent = RecentTokens::default();
        for s in 0..capacity {
            recent.remember(claims(s, 100), Arc::from("live"));
        }
        assert_eq!(recent.len(), CAPACITY);
        recent.remember(claims(capacity + 1, 101), Arc::from("newest"));
        assert_eq!(recent.len(), 1);
        assert_eq!(
            recent.find(&claims(capacity + 1, 101), MINUTE).as_deref(),
            Some("newest")
        );
    }
}
