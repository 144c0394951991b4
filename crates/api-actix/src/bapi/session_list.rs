use actix_web::{HttpResponse, web};
use hallpass_app::Hallpass;
use hallpass_domain::{ClientId, SessionStatus, UserId};
use hallpass_ports::{KeyRingFactory, SessionQuery, Store};
use serde::Deserialize;

use crate::pagination::{self, PageQuery};
use crate::{ApiError, dto};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    client_id: Option<String>,
    user_id: Option<String>,
    status: Option<String>,
    #[serde(flatten)]
    page: PageQuery,
}

impl ListQuery {
    /// The store query and the page it asks for.
    fn parse(self) -> Result<(SessionQuery, pagination::Page), ApiError> {
        let page = self.page.page()?;
        let client_id = self
            .client_id
            .filter(|v| !v.is_empty())
            .map(|v| {
                ClientId::parse(&v).map_err(|e| ApiError::invalid_param("client_id", e.to_string()))
            })
            .transpose()?;
        let user_id = self
            .user_id
            .filter(|v| !v.is_empty())
            .map(|v| {
                UserId::parse(&v).map_err(|e| ApiError::invalid_param("user_id", e.to_string()))
            })
            .transpose()?;
        let status = self
            .status
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.parse::<SessionStatus>().map_err(|_| {
                    ApiError::invalid_param(
                        "status",
                        "status must be one of abandoned, active, ended, expired, pending, removed, replaced, revoked",
                    )
                })
            })
            .transpose()?;
        let query = SessionQuery {
            client_id,
            user_id,
            status,
            limit: page.limit,
            offset: page.offset,
        };
        Ok((query, page))
    }
}

/// `GET /v1/sessions`: newest first, filtered by `client_id`, `user_id`,
/// `status`; `limit` 1–500 (default 10), `offset`; `paginated=true` for
/// `{data, total_count}`. Without `client_id` or `user_id` (deprecated by
/// Clerk since 2024-01-01) the list is still served, with a `Warning`
/// header, so older callers keep working.
pub(crate) async fn list<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let (query, page) = query.into_inner().parse()?;
    let unscoped = query.client_id.is_none() && query.user_id.is_none();
    let result = app.list_sessions(&query).await?;
    let data = result
        .sessions
        .iter()
        .map(|s| dto::bapi_session(s, result.activities.get(s.id())))
        .collect::<Vec<_>>();
    let mut res = pagination::respond(page, data, result.total_count);
    if unscoped {
        res.headers_mut().insert(
            actix_web::http::header::WARNING,
            actix_web::http::header::HeaderValue::from_static(
                "299 - \"Listing sessions without client_id or user_id is deprecated\"",
            ),
        );
    }
    Ok(res)
}
