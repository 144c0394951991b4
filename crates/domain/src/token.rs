//! The tokens Hallpass issues, as values. Building their contents is a
//! domain rule; encoding and signing them is the signing adapter's job.

use crate::client::{Client, RotatingToken};
use crate::id::{ClientId, SessionId, UserId};
use crate::instance::FrontendApi;
use crate::org_claims::OrgClaims;
use crate::session::{Actor, Session, SessionStatus};
use std::time::Duration;

use crate::time::UnixMillis;

/// The `cat` header that tells Clerk's SDKs what kind of token this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCategory {
    /// Session and handshake tokens.
    Session,
    /// JWT-template tokens (refused where a session token is expected).
    Template,
}

impl TokenCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Session => "cl_B7d4PD111AAA",
            Self::Template => "cl_B7d4PD222AAA",
        }
    }
}

/// How far `nbf` lies before `iat` in session tokens (as Clerk does).
pub const SESSION_TOKEN_NBF_LEEWAY_SECS: i64 = 10;

/// The range of `expires_in_seconds` the Backend API accepts for a token.
pub const REQUESTED_LIFETIME_SECS: std::ops::RangeInclusive<i64> = 30..=315_360_000;

/// A token lifetime asked for through the Backend API (`expires_in_seconds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("expires_in_seconds must be between 30 and 315360000")]
pub struct InvalidLifetime;

/// Validates a requested token lifetime in seconds.
pub fn requested_lifetime(secs: i64) -> Result<Duration, InvalidLifetime> {
    if REQUESTED_LIFETIME_SECS.contains(&secs) {
        Ok(Duration::from_secs(secs.unsigned_abs()))
    } else {
        Err(InvalidLifetime)
    }
}

/// The session-token claim set: v2 since Clerk API version 2025-04-10
/// (`v: 2`, organization in `o`), v1 before (no `v`, `org_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClaimsVersion {
    V1,
    #[default]
    V2,
}

/// A Clerk API version (`Clerk-API-Version` header or
/// `__clerk_api_version` query parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ApiVersion(&'static str);

impl ApiVersion {
    /// The versions Clerk has published, oldest first.
    pub const KNOWN: [&'static str; 6] = [
        "2021-02-05",
        "2024-10-01",
        "2025-03-12",
        "2025-04-10",
        "2025-11-10",
        "2026-05-12",
    ];
    /// What a request without a version gets.
    pub const LATEST: ApiVersion = ApiVersion("2026-05-12");

    /// A known version; `None` for anything else.
    pub fn parse(value: &str) -> Option<Self> {
        Self::KNOWN.iter().find(|v| **v == value).map(|v| Self(v))
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// The claim set tokens minted under this version carry.
    pub fn claims_version(self) -> ClaimsVersion {
        if self.0 < "2025-04-10" {
            ClaimsVersion::V1
        } else {
            ClaimsVersion::V2
        }
    }
}

/// Why no session token can be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SessionTokenError {
    #[error("session is {0}: no token can be minted for it")]
    NotLive(SessionStatus),
}

/// The claims of a session token (the `__session` JWT), version 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionTokenClaims {
    /// The Origin of the request that minted it; `None` when there was none.
    pub azp: Option<String>,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub iss: String,
    pub sid: SessionId,
    pub sub: UserId,
    pub sts: SessionStatus,
    /// Minutes since the first and second factor verification, `-1` = never.
    pub fva: (i64, i64),
    pub act: Option<Actor>,
    /// The active organization as the membership states it at mint time
    /// (`o` and `fea` in v2, `org_id`, `org_slug`, `org_role`,
    /// `org_permissions` in v1), when one is active and the user is still
    /// a member.
    pub org: Option<OrgClaims>,
    pub version: ClaimsVersion,
}

impl SessionTokenClaims {
    /// Version of the claim set (`v`) in v2 tokens.
    pub const VERSION: u8 = 2;

    /// The same claims in another claim-set version.
    pub fn with_version(mut self, version: ClaimsVersion) -> Self {
        self.version = version;
        self
    }

    /// Builds the claims for `session` at `now`; refuses a session that is
    /// not live at that moment.
    /// `organization` is what the membership gives now
    /// ([`crate::TokenOrganization::claims`]); claims for any organization
    /// other than the session's active one are left out (fail closed).
    /// `lifetime` is the instance's token lifetime, or a lifetime the Backend
    /// API asked for (see [`requested_lifetime`]).
    pub fn build(
        session: &Session,
        organization: Option<OrgClaims>,
        fapi: &FrontendApi,
        lifetime: Duration,
        origin: Option<&str>,
        now: UnixMillis,
    ) -> Result<Self, SessionTokenError> {
        let status = session.status_at(now);
        if !status.is_live() {
            return Err(SessionTokenError::NotLive(status));
        }
        let iat = now.as_secs();
        let lifetime = i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX);
        Ok(Self {
            azp: origin.filter(|o| !o.is_empty()).map(str::to_owned),
            exp: iat.saturating_add(lifetime),
            iat,
            nbf: iat.saturating_sub(SESSION_TOKEN_NBF_LEEWAY_SECS),
            iss: fapi.origin(),
            sid: session.id().clone(),
            sub: session.user_id().clone(),
            sts: status,
            fva: session.factor_verification_age(now),
            act: session.actor().cloned(),
            org: organization.filter(|o| session.last_active_organization_id() == Some(&o.id)),
            version: ClaimsVersion::V2,
        })
    }
}

impl SessionTokenClaims {
    /// Whether a token signed earlier with `self` may be handed out where a
    /// token with `wanted` (the claims a token signed now would carry) is
    /// due, as the `last_active_token` of a rendered client.
    ///
    /// Sound only when the holder learns nothing it would not learn from a
    /// fresh token: every claim but the times is the same (the session, its
    /// status, the factor ages, the actor, the origin, the claims version
    /// and the organization claims as the membership gives them now), it
    /// was signed no later than now, it expires no later than the fresh one
    /// would, and at least half of `lifetime` is left (so a browser gets at
    /// least half a token's life before it must ask again).
    pub fn can_stand_in_for(&self, wanted: &Self, lifetime: Duration) -> bool {
        let half = i64::try_from(lifetime.as_secs() / 2).unwrap_or(i64::MAX);
        self.iat <= wanted.iat
            && self.exp <= wanted.exp
            && self.exp.saturating_sub(wanted.iat) >= half
            && self.azp == wanted.azp
            && self.iss == wanted.iss
            && self.sid == wanted.sid
            && self.sub == wanted.sub
            && self.sts == wanted.sts
            && self.fva == wanted.fva
            && self.act == wanted.act
            && self.org == wanted.org
            && self.version == wanted.version
    }
}

/// The claims of the client token (`__client` cookie / native
/// `Authorization`): which client, and its current rotating token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientTokenClaims {
    pub id: ClientId,
    pub rotating_token: RotatingToken,
    pub iat: i64,
}

impl ClientTokenClaims {
    pub fn for_client(client: &Client, now: UnixMillis) -> Self {
        Self {
            id: client.id().clone(),
            rotating_token: client.rotating_token().clone(),
            iat: now.as_secs(),
        }
    }
}

/// The signed handshake payload: `Set-Cookie` directives for the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakePayload {
    pub directives: Vec<String>,
    pub iat: i64,
    pub exp: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::OrganizationId;
    use crate::organization::Slug;
    use crate::role::{Permission, Role};
    use crate::session::NewSession;
    use crate::settings::InstanceSettings;

    const MINUTE: Duration = Duration::from_secs(60);

    const T0: UnixMillis = UnixMillis::new(1_700_000_000_500);

    fn session() -> Session {
        Session::start(
            NewSession {
                id: SessionId::from_random(7),
                client_id: ClientId::from_random(8),
                user_id: UserId::parse("user_2u").unwrap(),
                actor: None,
                active_organization_id: Some(OrganizationId::parse("org_1").unwrap()),
                tasks: vec![],
            },
            &InstanceSettings::default(),
            T0,
        )
    }

    fn org_claims(id: &str) -> OrgClaims {
        OrgClaims {
            id: OrganizationId::parse(id).unwrap(),
            slug: Slug::parse("acme").unwrap(),
            role: Role::parse("org:analyst").unwrap(),
            permissions: vec![Permission::parse("org:dashboard:read").unwrap()],
        }
    }

    #[test]
    fn session_claims_follow_clerks_rules() {
        let fapi = FrontendApi::parse("https://clerk.example.com").unwrap();
        let c = SessionTokenClaims::build(
            &session(),
            Some(org_claims("org_1")),
            &fapi,
            MINUTE,
            Some("https://app.example.com"),
            T0,
        )
        .unwrap();
        assert_eq!(c.iat, 1_700_000_000);
        assert_eq!(c.exp, c.iat + 60);
        assert_eq!(c.nbf, c.iat - 10);
        assert_eq!(c.iss, "https://clerk.example.com");
        assert_eq!(c.azp.as_deref(), Some("https://app.example.com"));
        assert_eq!(c.sts, SessionStatus::Active);
        assert_eq!(c.fva, (0, -1));
        assert_eq!(c.org, Some(org_claims("org_1")));
    }

    #[test]
    fn a_token_carries_only_the_sessions_active_organization() {
        let fapi = FrontendApi::parse("https://clerk.example.com").unwrap();
        let build = |s: &Session, org: Option<OrgClaims>| {
            SessionTokenClaims::build(s, org, &fapi, MINUTE, None, T0)
                .unwrap()
                .org
        };
        // The active one (org_1), as the membership gives it.
        assert_eq!(
            build(&session(), Some(org_claims("org_1"))),
            Some(org_claims("org_1"))
        );
        // Claims for another organization are left out, whoever built them.
        assert_eq!(build(&session(), Some(org_claims("org_2"))), None);
        // No claims (membership gone): none, even with an active organization.
        assert_eq!(build(&session(), None), None);
        // The personal account carries none.
        let mut personal = session();
        assert!(personal.forget_organization(&OrganizationId::parse("org_1").unwrap(), T0));
        assert_eq!(build(&personal, Some(org_claims("org_1"))), None);
    }

    #[test]
    fn no_origin_means_no_azp() {
        let fapi = FrontendApi::parse("https://clerk.example.com").unwrap();
        let c = SessionTokenClaims::build(&session(), None, &fapi, MINUTE, Some(""), T0).unwrap();
        assert_eq!(c.azp, None);
    }

    #[test]
    fn a_session_that_is_not_live_gets_no_token() {
        let fapi = FrontendApi::parse("https://clerk.example.com").unwrap();
        let mut s = session();
        s.revoke(T0).unwrap();
        assert_eq!(
            SessionTokenClaims::build(&s, None, &fapi, MINUTE, None, T0),
            Err(SessionTokenError::NotLive(SessionStatus::Revoked))
        );
        let s = session();
        let after_expiry = s.expire_at();
        assert_eq!(
            SessionTokenClaims::build(&s, None, &fapi, MINUTE, None, after_expiry),
            Err(SessionTokenError::NotLive(SessionStatus::Expired))
        );
    }
}

#[cfg(test)]
mod reuse_tests {
    use super::*;
    use crate::id::OrganizationId;
    use crate::organization::Slug;
    use crate::role::Role;
    use crate::session::{Actor, NewSession};
    use crate::settings::InstanceSettings;

    const MINUTE: Duration = Duration::from_secs(60);
    const T0: UnixMillis = UnixMillis::new(1_700_000_000_000);

    fn claims_at(now: UnixMillis) -> SessionTokenClaims {
        let session = Session::start(
            NewSession {
                id: SessionId::from_random(7),
                client_id: ClientId::from_random(8),
                user_id: UserId::parse("user_2u").unwrap(),
                actor: None,
                active_organization_id: None,
                tasks: vec![],
            },
            &InstanceSettings::default(),
            T0,
        );
        let fapi = FrontendApi::parse("https://clerk.example.com").unwrap();
        SessionTokenClaims::build(
            &session,
            None,
            &fapi,
            MINUTE,
            Some("https://app.example.com"),
            now,
        )
        .unwrap()
    }

    fn secs(s: i64) -> UnixMillis {
        UnixMillis::new(T0.as_millis() + s * 1000)
    }

    #[test]
    fn a_recent_token_with_the_same_claims_stands_in_until_half_its_life_is_gone() {
        let signed = claims_at(T0);
        assert!(signed.can_stand_in_for(&claims_at(T0), MINUTE));
        assert!(signed.can_stand_in_for(&claims_at(secs(29)), MINUTE));
        assert!(signed.can_stand_in_for(&claims_at(secs(30)), MINUTE));
        assert!(!signed.can_stand_in_for(&claims_at(secs(31)), MINUTE));
        assert!(!signed.can_stand_in_for(&claims_at(secs(90)), MINUTE));
    }

    #[test]
    fn a_token_from_the_future_or_living_longer_never_stands_in() {
        let later = claims_at(secs(5));
        assert!(!later.can_stand_in_for(&claims_at(T0), MINUTE), "iat later");
        let mut longer = claims_at(T0);
        longer.exp += 1;
        assert!(
            !longer.can_stand_in_for(&claims_at(T0), MINUTE),
            "exp later"
        );
        // Signed with a longer lifetime (a Backend API token): same iat,
        // later exp.
        let mut backend = claims_at(T0);
        backend.exp = backend.iat + 3600;
        assert!(!backend.can_stand_in_for(&claims_at(secs(1)), MINUTE));
    }

    #[test]
    fn any_claim_but_the_times_differing_forbids_it() {
        let wanted = claims_at(secs(1));
        type Edit = fn(&mut SessionTokenClaims);
        let edits: [(&str, Edit); 10] = [
            ("azp", |c| c.azp = Some("https://other.example".into())),
            ("no azp", |c| c.azp = None),
            ("iss", |c| c.iss = "https://elsewhere.example".into()),
            ("sid", |c| c.sid = SessionId::from_random(9)),
            ("sub", |c| c.sub = UserId::parse("user_other").unwrap()),
            ("sts", |c| c.sts = SessionStatus::Pending),
            ("fva", |c| c.fva = (1, -1)),
            ("act", |c| {
                c.act = Some(Actor::new("user_admin".into(), None, None).unwrap())
            }),
            ("org", |c| {
                c.org = Some(OrgClaims {
                    id: OrganizationId::parse("org_1").unwrap(),
                    slug: Slug::parse("acme").unwrap(),
                    role: Role::admin(),
                    permissions: Vec::new(),
                })
            }),
            ("version", |c| c.version = ClaimsVersion::V1),
        ];
        for (name, edit) in edits {
            let mut signed = claims_at(T0);
            edit(&mut signed);
            assert!(!signed.can_stand_in_for(&wanted, MINUTE), "{name}");
        }
    }
}

#[cfg(test)]
mod lifetime_tests {
    use super::*;

    #[test]
    fn requested_lifetimes_follow_the_backend_api_range() {
        assert_eq!(requested_lifetime(30), Ok(Duration::from_secs(30)));
        assert!(requested_lifetime(315_360_000).is_ok());
        for bad in [-1, 0, 29, 315_360_001, i64::MIN, i64::MAX] {
            assert_eq!(requested_lifetime(bad), Err(InvalidLifetime), "{bad}");
        }
    }
}

#[cfg(test)]
mod version_tests {
    use super::*;

    #[test]
    fn versions_before_2025_04_10_get_v1_claims() {
        assert_eq!(
            ApiVersion::parse("2025-03-12").unwrap().claims_version(),
            ClaimsVersion::V1
        );
        assert_eq!(
            ApiVersion::parse("2021-02-05").unwrap().claims_version(),
            ClaimsVersion::V1
        );
        assert_eq!(
            ApiVersion::parse("2025-04-10").unwrap().claims_version(),
            ClaimsVersion::V2
        );
        assert_eq!(ApiVersion::LATEST.claims_version(), ClaimsVersion::V2);
        for bad in ["", "2025-04-11", "latest", "2026-05-12 "] {
            assert_eq!(ApiVersion::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_known_version_reads_back_as_the_text_it_was_parsed_from() {
        for known in ApiVersion::KNOWN {
            assert_eq!(
                ApiVersion::parse(known).map(ApiVersion::as_str),
                Some(known)
            );
        }
        assert_eq!(ApiVersion::LATEST.as_str(), "2026-05-12");
    }

    #[test]
    fn the_cat_header_tells_session_tokens_from_template_tokens_as_clerk_does() {
        assert_eq!(TokenCategory::Session.as_str(), "cl_B7d4PD111AAA");
        assert_eq!(TokenCategory::Template.as_str(), "cl_B7d4PD222AAA");
    }
}
