//! The Frontend API response: `{response, client}` with the whole client
//! piggybacked, and the client credential answered in the request's own
//! transport (the `__client` cookie, the native `Authorization` header).

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, HttpResponseBuilder, web};
use hallpass_app::{ClientView, FrontendCaller, Hallpass, SessionUsers, ShownTokens, Transport};
use hallpass_domain::handshake::CLIENT_UAT_MAX_AGE_SECS;
use hallpass_domain::{Environment, SessionId, UnixMillis};
use hallpass_ports::{KeyRingFactory, Store};
use serde::Serialize;
use serde_json::Value;

use crate::caller::CLIENT_COOKIE;
use crate::{ApiError, ApiOptions, dto};

/// The operator's options, when the app registered them.
pub(crate) type Options = Option<web::Data<ApiOptions>>;

/// The operator's options, when the app registered them.
pub(crate) fn opts(options: &Options) -> Option<&ApiOptions> {
    options.as_ref().map(|o| o.get_ref())
}

/// What a handler decided; [`finish`] turns it into the HTTP response.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// The `response` member (`null` when absent).
    pub response: Option<Value>,
    /// The `response` member is the client itself (`null` without one),
    /// serialized from the same view as the piggybacked `client`.
    pub response_is_client: bool,
    /// The `response` member is this session of `client`, rendered like
    /// the client's (with its user, and its token when `token_for` names
    /// it); `null` when the client does not have it.
    pub response_session: Option<SessionId>,
    /// The `response` member is the user of this session of `client`
    /// (`GET /v1/me`).
    pub response_user_of: Option<SessionId>,
    /// The client to piggyback, if any.
    pub client: Option<ClientView>,
    /// The users of `client`'s sessions, when they were read with it
    /// (else [`finish`] reads them).
    pub users: Option<SessionUsers>,
    /// The client's token changed (creation, sign-in): send it.
    pub new_client_token: bool,
    /// The client is gone for this browser: expire the `__client` cookie.
    pub clear_client: bool,
    /// Piggyback `client: null` even though `client` is known.
    pub hide_client: bool,
    /// A fresh session token to piggyback as that session's `last_active_token`.
    pub token_for: Option<(SessionId, String)>,
}

/// `__client_uat`: the client's `updated_at` in seconds while it has a live
/// session, `0` otherwise; never later than tokens minted now.
pub(crate) fn client_uat<S: Store, K: KeyRingFactory>(
    app: &Hallpass<S, K>,
    view: Option<&ClientView>,
) -> i64 {
    let now = app.now();
    match view {
        Some(v) if hallpass_domain::Client::is_signed_in(&v.sessions, now) => {
            v.client.updated_at().min(now).as_secs()
        }
        _ => 0,
    }
}

/// Whether cookies get `Secure`: always, except a Frontend API served over
/// plain http on a loopback address (local development).
pub(crate) fn secure_cookies<S: Store, K: KeyRingFactory>(app: &Hallpass<S, K>) -> bool {
    let fapi = app.frontend_api();
    let host = fapi.host();
    let loopback =
        host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("[::1]");
    fapi.is_https() || !loopback
}

pub(crate) async fn finish<S: Store, K: KeyRingFactory>(
    app: &Hallpass<S, K>,
    options: Option<&ApiOptions>,
    caller: &FrontendCaller,
    outcome: Outcome,
) -> Result<HttpResponse, ApiError> {
    finish_with_status(app, options, caller, outcome, StatusCode::OK).await
}

/// The users of the client's sessions, for rendering it.
pub(crate) async fn users_of<S: Store, K: KeyRingFactory>(
    app: &Hallpass<S, K>,
    view: Option<&ClientView>,
    also: Option<&SessionId>,
) -> Result<SessionUsers, ApiError> {
    match view {
        Some(view) => app
            .session_users(view, also)
            .await
            .map_err(|e| ApiError::internal(&e.0)),
        None => Ok(SessionUsers::default()),
    }
}

pub(crate) async fn finish_with_status<S: Store, K: KeyRingFactory>(
    app: &Hallpass<S, K>,
    options: Option<&ApiOptions>,
    caller: &FrontendCaller,
    mut outcome: Outcome,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    let now = app.now();
    // The users are read only when the client or a session is rendered.
    let rendered = !outcome.hide_client
        || outcome.response_is_client
        || outcome.response_session.is_some()
        || outcome.response_user_of.is_some();
    let users = if let Some(users) = outcome.users.take() {
        users
    } else if rendered {
        let also = outcome
            .response_session
            .as_ref()
            .or(outcome.response_user_of.as_ref());
        users_of(app, outcome.client.as_ref(), also).await?
    } else {
        SessionUsers::default()
    };
    let shown = dto::UsersShown {
        users: &users,
        roles: app.roles(),
    };
    // Every live session shows a `last_active_token` (a recent one when
    // its claims are unchanged); the request's own new token on its session.
    let mut tokens = match &outcome.client {
        Some(view) if rendered => {
            let minted = outcome.token_for.as_ref().map(|(id, _)| id);
            app.last_active_tokens(caller, view, &users, minted).await?
        }
        _ => ShownTokens::default(),
    };
    if let Some((id, jwt)) = &outcome.token_for {
        tokens.insert(id.clone(), jwt);
    }
    let client_json = outcome
        .client
        .as_ref()
        .map(|view| dto::fapi_client(view, &tokens, shown, now));
    let session_json = match (&outcome.response_session, &outcome.client) {
        (Some(id), Some(view)) => view
            .sessions
            .iter()
            .find(|s| s.id() == id)
            .map(|s| dto::to_value(dto::fapi_session(s, tokens.get(id), shown, now))),
        _ => None,
    };
    let user_json = match (&outcome.response_user_of, &outcome.client) {
        (Some(id), Some(view)) => view.sessions.iter().find(|s| s.id() == id).map(|s| {
            let user = users.get(s.user_id());
            dto::to_value(dto::fapi_user::fapi_user(s, user, app.roles(), now))
        }),
        _ => None,
    };
    let mut res = HttpResponse::build(status);
    res.insert_header(("Cache-Control", "no-store"));
    let secure = secure_cookies(app);
    let token = match (&outcome.client, outcome.new_client_token) {
        (Some(view), true) => Some(app.client_token(&view.client)?),
        _ => None,
    };
    answer_credential(&mut res, caller, token, &outcome, now, secure);
    // Production: the app's backend reads `__client_uat` on its own domain.
    if app.environment() == Environment::Production && caller.transport == Transport::Cookie {
        let uat = client_uat(app, outcome.client.as_ref()).to_string();
        let domain = options.and_then(|o| o.cookie_domain.as_deref());
        for cookie in client_uat_cookies(&uat, &app.cookie_suffix(), domain, secure) {
            res.cookie(cookie);
        }
    }
    #[derive(Serialize)]
    #[serde(untagged)]
    enum Response<'a> {
        Client(Option<&'a dto::FapiClient<'a>>),
        Other(Option<&'a Value>),
    }
    #[derive(Serialize)]
    struct Body<'a> {
        response: Response<'a>,
        client: Option<&'a dto::FapiClient<'a>>,
    }
    let response = if outcome.response_is_client {
        Response::Client(client_json.as_ref())
    } else if outcome.response_session.is_some() {
        Response::Other(session_json.as_ref())
    } else if outcome.response_user_of.is_some() {
        Response::Other(user_json.as_ref())
    } else {
        Response::Other(outcome.response.as_ref())
    };
    let client = if outcome.hide_client {
        None
    } else {
        client_json.as_ref()
    };
    Ok(res.json(Body { response, client }))
}

/// The client credential, answered in the request's own transport: the
/// native `Authorization` header, the development browser's
/// `Clerk-Db-Jwt`, or the `__client` cookie (set, or expired when the
/// client is gone for this browser).
fn answer_credential(
    res: &mut HttpResponseBuilder,
    caller: &FrontendCaller,
    token: Option<String>,
    outcome: &Outcome,
    now: UnixMillis,
    secure: bool,
) {
    match caller.transport {
        Transport::Native => {
            if let Some(token) = token {
                res.insert_header(("Authorization", token));
            }
        }
        Transport::DevBrowser => {
            if let Some(dvb) = caller.dev_browser() {
                res.insert_header(("Clerk-Db-Jwt", dvb.as_str()));
            }
        }
        Transport::Cookie => {
            if let Some(token) = token {
                let expires = outcome
                    .client
                    .as_ref()
                    .map_or(0, |v| v.client.cookie_expires_at().since(now).as_secs());
                let max_age = CookieDuration::seconds(i64::try_from(expires).unwrap_or(0));
                res.cookie(client_cookie(token, max_age, secure));
            }
            if outcome.clear_client {
                res.cookie(client_cookie(String::new(), CookieDuration::ZERO, secure));
            }
        }
    }
}

/// The `__client` cookie: HttpOnly, `SameSite=Lax`, host-only.
fn client_cookie(value: String, max_age: CookieDuration, secure: bool) -> Cookie<'static> {
    Cookie::build(CLIENT_COOKIE, value)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .finish()
}

/// `__client_uat` under both names (the SDK picks suffixed or unsuffixed
/// cookies by itself), readable by the app, ten years.
fn client_uat_cookies(
    uat: &str,
    suffix: &str,
    domain: Option<&str>,
    secure: bool,
) -> [Cookie<'static>; 2] {
    let cookie = |name: String| {
        let mut cookie = Cookie::build(name, uat.to_owned())
            .path("/")
            .secure(secure)
            .same_site(SameSite::Lax)
            .max_age(CookieDuration::seconds(CLIENT_UAT_MAX_AGE_SECS));
        if let Some(domain) = domain {
            cookie = cookie.domain(domain.to_owned());
        }
        cookie.finish()
    };
    [
        cookie("__client_uat".to_owned()),
        cookie(format!("__client_uat_{suffix}")),
    ]
}
