//! The claims of a verified session token.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The claims of a verified session token (version 2 of Clerk's format).
///
/// Only returned by [`Verifier::verify`](crate::Verifier::verify), after the
/// signature, the category and every time check passed. Claims this crate
/// does not name (Clerk's `fea`, `pla`, custom session claims, …) are kept in
/// [`extra`](Self::extra).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionClaims {
    /// The session id (`sess_…`).
    pub sid: String,
    /// The user id (`user_…`).
    pub sub: String,
    /// The issuer: the instance's Frontend API URL.
    pub iss: String,
    /// The authorized party: the `Origin` of the browser the token was
    /// minted for, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    /// Expiry, in seconds since the Unix epoch.
    pub exp: i64,
    /// Issued at, in seconds since the Unix epoch.
    pub iat: i64,
    /// Not before, in seconds since the Unix epoch (`iat` − 10 from Hallpass).
    pub nbf: i64,
    /// The session status: `active`, or `pending` (the user still has a task
    /// to finish, such as choosing an organization).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sts: Option<String>,
    /// The token format version (2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v: Option<u8>,
    /// Minutes since the first and the second factor were verified (`-1`:
    /// never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fva: Option<[i64; 2]>,
    /// The impersonator, when the session is an impersonation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Actor>,
    /// The active organization (`o`), if any.
    #[serde(default, rename = "o", skip_serializing_if = "Option::is_none")]
    pub org: Option<OrgClaims>,
    /// Every other claim, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SessionClaims {
    /// The user id (`sub`).
    pub fn user_id(&self) -> &str {
        &self.sub
    }

    /// The session id (`sid`).
    pub fn session_id(&self) -> &str {
        &self.sid
    }

    /// The active organization's id, if any.
    pub fn org_id(&self) -> Option<&str> {
        self.org.as_ref().map(|o| o.id.as_str())
    }

    /// Whether the session is `pending` (signed in, with a task left).
    /// Clerk's SDKs treat a pending session as signed out by default; decide
    /// what your routes accept.
    pub fn is_pending(&self) -> bool {
        self.sts.as_deref() == Some("pending")
    }
}

/// `act`: who is acting on the user's behalf (impersonation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Actor {
    /// The impersonator's id.
    pub sub: String,
    /// Where the impersonation was started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The impersonator's session id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Other members, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `o`: the active organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrgClaims {
    /// The organization id (`org_…`).
    pub id: String,
    /// The organization's slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slg: Option<String>,
    /// The user's role in it (without the `org:` prefix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rol: Option<String>,
    /// The user's permissions, comma-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
    /// The feature-permission map, comma-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fpm: Option<String>,
    /// Other members, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
