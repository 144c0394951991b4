//! `/v1/organizations`: create, list, read by id or slug, update, metadata,
//! delete.

use actix_web::{HttpResponse, web};
use hallpass_app::Hallpass;
use hallpass_domain::OrganizationRef;
use hallpass_ports::OrganizationOrderField;
use hallpass_ports::{CountedOrganization, KeyRingFactory, Ordering, OrganizationQuery, Store};

use super::organization_bodies::{CreateOrganization, MetadataBody, UpdateOrganization};
use super::params::path_organization;
use crate::ApiError;
use crate::body::LenientJson;
use crate::dto::organizations::counted;
use crate::dto::users::deleted;
use crate::pagination;
use crate::query::Params;

type App<S, K> = web::Data<Hallpass<S, K>>;

fn organization(o: &CountedOrganization, with_count: bool) -> HttpResponse {
    HttpResponse::Ok().json(counted(o, with_count))
}

fn list_query(p: &Params) -> Result<(OrganizationQuery, bool), ApiError> {
    let page = p.page()?;
    let order = match p.first("order_by") {
        None => Ordering::descending(OrganizationOrderField::CreatedAt),
        Some(v) => Ordering::parse_organization(v).ok_or_else(|| {
            ApiError::invalid_param(
                "order_by",
                format!(
                    "{v} does not match one of the allowed values for parameter order_by: \
                     created_at, name, members_count (with an optional + or -)"
                ),
            )
        })?,
    };
    let query = OrganizationQuery {
        query: p.first("query").map(str::to_owned),
        user_ids: p.id_filter("user_id")?,
        organization_ids: p.id_filter("organization_id")?,
        order,
        limit: page.limit,
        offset: page.offset,
    };
    Ok((query, p.bool("include_members_count")?.unwrap_or(false)))
}

/// `POST /v1/organizations`: the creator (`created_by`) becomes a member
/// with the creator role.
pub(crate) async fn create<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    LenientJson(body): LenientJson<CreateOrganization>,
) -> Result<HttpResponse, ApiError> {
    let created = app.create_organization(body.into_new()?).await?;
    Ok(organization(&created, false))
}

/// `GET /v1/organizations`: `{data, total_count}`, newest first.
pub(crate) async fn list<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let (query, with_count) = list_query(&params)?;
    let (found, total) = app.list_organizations(&query).await?;
    let data = found.iter().map(|o| counted(o, with_count)).collect();
    Ok(pagination::paginated(data, total))
}

/// `GET /v1/organizations/{organization_id}`: by id or slug.
pub(crate) async fn get<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let with_count = params.bool("include_members_count")?.unwrap_or(false);
    let found = app.organization(&path_organization(&path)?).await?;
    Ok(organization(&found, with_count))
}

/// `PATCH /v1/organizations/{organization_id}`.
pub(crate) async fn update<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
    LenientJson(body): LenientJson<UpdateOrganization>,
) -> Result<HttpResponse, ApiError> {
    let target: OrganizationRef = path_organization(&path)?;
    let (patch, metadata) = body.into_patch()?;
    let updated = app.update_organization(&target, patch, metadata).await?;
    Ok(organization(&updated, false))
}

/// `PATCH /v1/organizations/{organization_id}/metadata`: deep merge.
pub(crate) async fn merge_metadata<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
    LenientJson(body): LenientJson<MetadataBody>,
) -> Result<HttpResponse, ApiError> {
    let target = path_organization(&path)?;
    let (public, private) = body.into_patch()?;
    let updated = app
        .merge_organization_metadata(&target, public, private)
        .await?;
    Ok(organization(&updated, false))
}

/// `PUT /v1/organizations/{organization_id}/metadata`: replacement.
pub(crate) async fn replace_metadata<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
    LenientJson(body): LenientJson<MetadataBody>,
) -> Result<HttpResponse, ApiError> {
    let target = path_organization(&path)?;
    let updated = app
        .replace_organization_metadata(&target, body.into_replacement()?)
        .await?;
    Ok(organization(&updated, false))
}

/// `DELETE /v1/organizations/{organization_id}`: a `DeletedObject` with the
/// slug.
pub(crate) async fn delete<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let gone = app.delete_organization(&path_organization(&path)?).await?;
    Ok(HttpResponse::Ok().json(deleted(
        "organization",
        gone.id().as_str(),
        Some(gone.slug().as_str()),
    )))
}
