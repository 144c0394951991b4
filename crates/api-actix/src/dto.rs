//! Clerk's wire shapes, built from domain values.
//!
//! Typed views that borrow from the domain values and serialize straight
//! into the response body: no intermediate `serde_json::Value` (whose maps,
//! with `preserve_order`, cost a hash and an allocation per field). Field
//! order is the order of the spec's examples. `()` serializes as `null`.

pub(crate) mod environment;
pub(crate) mod fapi_user;
pub(crate) mod organizations;
pub(crate) mod users;

use hallpass_app::{SessionUsers, listed_in_client};
use hallpass_domain::activity::SessionActivity;
use hallpass_domain::{RoleSet, Session, SessionId, UnixMillis};

use fapi_user::{FapiUser, PublicUserData, fapi_user, public_user_data};
use serde::Serialize;
use serde::ser::{SerializeMap as _, Serializer};

/// `{}`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EmptyObject;

impl Serialize for EmptyObject {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_map(Some(0))?.end()
    }
}

#[derive(Debug, Serialize)]
struct Actor<'a> {
    sub: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sid: Option<&'a str>,
}

fn actor(s: &Session) -> Option<Actor<'_>> {
    s.actor().map(|a| Actor {
        sub: a.sub(),
        iss: a.iss(),
        sid: a.sid(),
    })
}

#[derive(Debug, Serialize)]
struct Task<'a> {
    key: &'a str,
}

/// The session's tasks, `null` when there are none.
fn tasks(s: &Session) -> Option<Vec<Task<'_>>> {
    (!s.tasks().is_empty()).then(|| s.tasks().iter().map(|t| Task { key: t.as_str() }).collect())
}

/// `SessionActivityResponse`: only `object`, `id` and `is_mobile` are
/// required, and the others are strings, never `null`: Clerk leaves out
/// what it does not know (Hallpass has no geolocation, so `city` and
/// `country` are always left out).
#[derive(Debug, Serialize)]
struct Activity<'a> {
    object: &'static str,
    id: String,
    is_mobile: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    device_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    browser_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    browser_version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip_address: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    city: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'a str>,
}

fn activity<'a>(s: &Session, a: &'a SessionActivity) -> Activity<'a> {
    Activity {
        object: "session_activity",
        id: format!("sess_activity_{}", &s.id().as_str()["sess_".len()..]),
        is_mobile: a.is_mobile,
        device_type: a.device_type.as_deref(),
        browser_name: a.browser_name.as_deref(),
        browser_version: a.browser_version.as_deref(),
        ip_address: a.ip_address.as_deref(),
        city: a.city.as_deref(),
        country: a.country.as_deref(),
    }
}

/// The Backend API `Session` object (`additionalProperties: false` in the
/// spec: exactly these fields).
#[derive(Debug, Serialize)]
pub(crate) struct BapiSession<'a> {
    object: &'static str,
    id: &'a str,
    user_id: &'a str,
    client_id: &'a str,
    actor: Option<Actor<'a>>,
    status: &'static str,
    last_active_organization_id: Option<&'a str>,
    last_active_at: i64,
    latest_activity: Option<Activity<'a>>,
    expire_at: i64,
    abandon_at: i64,
    updated_at: i64,
    created_at: i64,
    tasks: Option<Vec<Task<'a>>>,
}

pub(crate) fn bapi_session<'a>(
    s: &'a Session,
    activity: Option<&'a SessionActivity>,
) -> BapiSession<'a> {
    BapiSession {
        object: "session",
        id: s.id().as_str(),
        user_id: s.user_id().as_str(),
        client_id: s.client_id().as_str(),
        actor: actor(s),
        status: s.status().as_str(),
        last_active_organization_id: s.last_active_organization_id().map(|o| o.as_str()),
        last_active_at: s.last_active_at().as_millis(),
        latest_activity: activity.map(|a| self::activity(s, a)),
        expire_at: s.expire_at().as_millis(),
        abandon_at: s.abandon_at().as_millis(),
        updated_at: s.updated_at().as_millis(),
        created_at: s.created_at().as_millis(),
        tasks: tasks(s),
    }
}

#[derive(Debug, Serialize)]
struct Token<'a> {
    object: &'static str,
    jwt: &'a str,
}

/// The Frontend API `Session` object (`Client.Session-2`).
#[derive(Debug, Serialize)]
pub(crate) struct FapiSession<'a> {
    object: &'static str,
    id: &'a str,
    status: &'static str,
    expire_at: i64,
    abandon_at: i64,
    last_active_at: i64,
    last_active_token: Option<Token<'a>>,
    last_active_organization_id: Option<&'a str>,
    actor: Option<Actor<'a>>,
    tasks: Option<Vec<Task<'a>>>,
    user: FapiUser<'a>,
    public_user_data: PublicUserData<'a>,
    factor_verification_age: [i64; 2],
    created_at: i64,
    updated_at: i64,
}

/// What a Frontend API response shows of the users: the sessions' users
/// ([`hallpass_app::Hallpass::session_users`]) and the instance's roles
/// (membership role names and permissions).
#[derive(Debug, Clone, Copy)]
pub(crate) struct UsersShown<'a> {
    pub users: &'a SessionUsers,
    pub roles: &'a RoleSet,
}

pub(crate) fn fapi_session<'a>(
    s: &'a Session,
    last_active_token: Option<&'a str>,
    shown: UsersShown<'a>,
    now: UnixMillis,
) -> FapiSession<'a> {
    let (first, second) = s.factor_verification_age(now);
    let user = shown.users.get(s.user_id());
    FapiSession {
        object: "session",
        id: s.id().as_str(),
        status: s.status().as_str(),
        expire_at: s.expire_at().as_millis(),
        abandon_at: s.abandon_at().as_millis(),
        last_active_at: s.last_active_at().as_millis(),
        last_active_token: last_active_token.map(|jwt| Token {
            object: "token",
            jwt,
        }),
        last_active_organization_id: s.last_active_organization_id().map(|o| o.as_str()),
        actor: actor(s),
        tasks: tasks(s),
        user: fapi_user(s, user, shown.roles, now),
        public_user_data: public_user_data(s, user.map(|u| &u.user)),
        factor_verification_age: [first, second],
        created_at: s.created_at().as_millis(),
        updated_at: s.updated_at().as_millis(),
    }
}

/// The Frontend API `Client` object (`Client.Client-2`).
#[derive(Debug, Serialize)]
pub(crate) struct FapiClient<'a> {
    object: &'static str,
    id: &'a str,
    sessions: Vec<FapiSession<'a>>,
    sign_in: (),
    sign_up: (),
    last_active_session_id: Option<&'a str>,
    last_authentication_strategy: (),
    cookie_expires_at: i64,
    captcha_bypass: bool,
    created_at: i64,
    updated_at: i64,
}

/// Removed, revoked, replaced and abandoned sessions are no longer part of
/// the client; ended and expired ones stay listed (clerk-js shows them as
/// signed out).
pub(crate) fn fapi_client<'a>(
    view: &'a hallpass_app::ClientView,
    tokens: &'a hallpass_app::ShownTokens,
    shown: UsersShown<'a>,
    now: UnixMillis,
) -> FapiClient<'a> {
    let c = &view.client;
    FapiClient {
        object: "client",
        id: c.id().as_str(),
        sessions: view
            .sessions
            .iter()
            .filter(|s| listed_in_client(s.status()))
            .map(|s| fapi_session(s, tokens.get(s.id()), shown, now))
            .collect(),
        sign_in: (),
        sign_up: (),
        last_active_session_id: c.last_active_session_id().map(|s| s.as_str()),
        last_authentication_strategy: (),
        cookie_expires_at: c.cookie_expires_at().as_millis(),
        captcha_bypass: false,
        created_at: c.created_at().as_millis(),
        updated_at: c.updated_at().as_millis(),
    }
}

/// The Backend API `Client` object.
#[derive(Debug, Serialize)]
pub(crate) struct BapiClient<'a> {
    object: &'static str,
    id: &'a str,
    session_ids: Vec<&'a str>,
    sessions: Vec<BapiSession<'a>>,
    sign_in_id: (),
    sign_up_id: (),
    last_active_session_id: Option<&'a str>,
    last_authentication_strategy: (),
    updated_at: i64,
    created_at: i64,
}

pub(crate) fn bapi_client<'a>(
    view: &'a hallpass_app::ClientView,
    activities: &'a std::collections::HashMap<SessionId, SessionActivity>,
) -> BapiClient<'a> {
    let c = &view.client;
    BapiClient {
        object: "client",
        id: c.id().as_str(),
        session_ids: view.sessions.iter().map(|s| s.id().as_str()).collect(),
        sessions: view
            .sessions
            .iter()
            .map(|s| bapi_session(s, activities.get(s.id())))
            .collect(),
        sign_in_id: (),
        sign_up_id: (),
        last_active_session_id: c.last_active_session_id().map(|s| s.as_str()),
        last_authentication_strategy: (),
        updated_at: c.updated_at().as_millis(),
        created_at: c.created_at().as_millis(),
    }
}

/// A typed view as a `serde_json::Value`, for responses assembled from
/// parts. These views serialize infallibly (string keys, no custom errors).
pub(crate) fn to_value(view: impl Serialize) -> serde_json::Value {
    serde_json::to_value(view).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_members_serialize_as_clerk_writes_them() {
        #[derive(Serialize)]
        struct Shape {
            none: (),
            list: [(); 0],
            object: EmptyObject,
        }
        let json = serde_json::to_string(&Shape {
            none: (),
            list: [],
            object: EmptyObject,
        })
        .expect("serialize");
        assert_eq!(json, r#"{"none":null,"list":[],"object":{}}"#);
    }
}
