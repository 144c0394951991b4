//! `GET /v1/me`: the signed-in user, as clerk-js reloads it; and the
//! lists `<OrganizationSwitcher/>` reads: the user's organization
//! memberships, invitations and suggestions.

use actix_web::{HttpRequest, HttpResponse, web};
use hallpass_app::{ClientView, Hallpass};
use hallpass_domain::{SessionId, UserId};
use hallpass_ports::{KeyRingFactory, Store};
use serde::Deserialize;
use serde_json::Value;

use super::respond::{Options, Outcome, finish, opts};
use crate::ApiError;
use crate::caller::FapiCaller;
use crate::dto;
use crate::pagination::{Page, page_of};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct MeQuery {
    /// The session whose user is meant (clerk-js sends it with every
    /// request of a signed-in browser); the client's last active session
    /// when absent.
    _clerk_session_id: Option<String>,
}

/// The query of the `/v1/me/…` lists. `status` may repeat (clerk-js sends
/// `status=pending&status=accepted`) or list values with commas.
#[derive(Debug, Default)]
pub(crate) struct MeListQuery {
    _clerk_session_id: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
    paginated: Option<String>,
    statuses: Vec<String>,
}

impl MeListQuery {
    fn parse(query: &str) -> Self {
        let mut q = Self::default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let value = value.into_owned();
            match name.as_ref() {
                "_clerk_session_id" => q._clerk_session_id = Some(value),
                "limit" => q.limit = Some(value),
                "offset" => q.offset = Some(value),
                "paginated" => q.paginated = Some(value),
                "status" => q.statuses.extend(
                    value
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned),
                ),
                _ => {}
            }
        }
        q
    }
}

fn named_session(id: Option<String>) -> Result<Option<SessionId>, ApiError> {
    id.map(|id| SessionId::parse(&id).map_err(|_| ApiError::not_found("session")))
        .transpose()
}

/// The signed-in user the request means, with the caller's client.
async fn me<S: Store, K: KeyRingFactory>(
    app: &Hallpass<S, K>,
    caller: &FapiCaller,
    session: Option<String>,
) -> Result<(SessionId, UserId, ClientView), ApiError> {
    let session = named_session(session)?;
    let (id, view) = app.caller_me(caller, session.as_ref()).await?;
    let user = view
        .sessions
        .iter()
        .find(|s| s.id() == &id)
        .map(|s| s.user_id().clone())
        .ok_or_else(|| ApiError::not_found("session"))?;
    Ok((id, user, view))
}

/// `GET /v1/me`: `{response: User, client}`. The user of a live session of
/// the caller's client; 401 `signed_out` without one, 404 for a session
/// the client does not have.
pub(crate) async fn get<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
    query: web::Query<MeQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, _, view) = me(&app, &caller, query.into_inner()._clerk_session_id).await?;
    let outcome = Outcome {
        response_user_of: Some(id),
        client: Some(view),
        ..Outcome::default()
    };
    finish(&app, opts(&options), &caller, outcome).await
}

/// A page in the shape asked for: `{data, total_count}` with
/// `paginated=true` (clerk-js always asks), else the bare array.
fn page_value(page: Page, data: Vec<Value>, total_count: u64) -> Value {
    if page.paginated {
        serde_json::json!({ "data": data, "total_count": total_count })
    } else {
        Value::Array(data)
    }
}

/// `GET /v1/me/organization_memberships`: the signed-in user's
/// memberships, newest first, each with its organization and the member.
pub(crate) async fn organization_memberships<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let q = MeListQuery::parse(req.query_string());
    let page = page_of(
        q.limit.as_deref(),
        q.offset.as_deref(),
        q.paginated.as_deref(),
    )?;
    let (_, user, view) = me(&app, &caller, q._clerk_session_id).await?;
    let (memberships, total) = app.user_memberships(&user, page.limit, page.offset).await?;
    let data = memberships
        .iter()
        .map(|m| dto::to_value(dto::fapi_user::listed_membership(m, app.roles())))
        .collect();
    let outcome = Outcome {
        response: Some(page_value(page, data, total)),
        client: Some(view),
        ..Outcome::default()
    };
    finish(&app, opts(&options), &caller, outcome).await
}

/// The statuses a `/v1/me` invitation or suggestion list may filter by.
const INVITATION_STATUSES: &[&str] = &["pending", "accepted", "revoked", "expired"];
const SUGGESTION_STATUSES: &[&str] = &["pending", "accepted"];

/// `GET /v1/me/organization_invitations` and `…/organization_suggestions`:
/// always empty. Hallpass has no invitations and no verified-domain
/// suggestions (members are added through the Backend API); the lists
/// exist because `<OrganizationSwitcher/>` reads them. Signed-out callers
/// and bad parameters are refused as for any list.
async fn empty_list<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
    q: MeListQuery,
    statuses: &[&str],
) -> Result<HttpResponse, ApiError> {
    let page = page_of(
        q.limit.as_deref(),
        q.offset.as_deref(),
        q.paginated.as_deref(),
    )?;
    if !q.statuses.iter().all(|s| statuses.contains(&s.as_str())) {
        return Err(ApiError::invalid_param(
            "status",
            format!("status must be one of {}", statuses.join(", ")),
        ));
    }
    let (_, _, view) = me(&app, &caller, q._clerk_session_id).await?;
    let outcome = Outcome {
        response: Some(page_value(page, Vec::new(), 0)),
        client: Some(view),
        ..Outcome::default()
    };
    finish(&app, opts(&options), &caller, outcome).await
}

pub(crate) async fn organization_invitations<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let q = MeListQuery::parse(req.query_string());
    empty_list(app, options, caller, q, INVITATION_STATUSES).await
}

pub(crate) async fn organization_suggestions<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
    caller: FapiCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let q = MeListQuery::parse(req.query_string());
    empty_list(app, options, caller, q, SUGGESTION_STATUSES).await
}
