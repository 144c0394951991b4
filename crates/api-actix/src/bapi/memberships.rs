//! `/v1/organizations/{organization_id}/memberships`: add, list, change the
//! role or the metadata, remove.

use actix_web::{HttpResponse, web};
use hallpass_app::Hallpass;
use hallpass_ports::{KeyRingFactory, MembershipView, Store};

use super::organization_bodies::{CreateMembership, MetadataBody, UpdateMembership};
use super::params::{path_organization, path_user};
use super::user_list::membership_query;
use crate::ApiError;
use crate::body::LenientJson;
use crate::dto::organizations::membership;
use crate::pagination;
use crate::query::Params;

type App<S, K> = web::Data<Hallpass<S, K>>;

fn member<S: Store, K: KeyRingFactory>(app: &Hallpass<S, K>, v: &MembershipView) -> HttpResponse {
    HttpResponse::Ok().json(membership(v, app.roles()))
}

/// `POST /v1/organizations/{organization_id}/memberships`.
pub(crate) async fn create<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
    LenientJson(body): LenientJson<CreateMembership>,
) -> Result<HttpResponse, ApiError> {
    let organization = path_organization(&path)?;
    let (user, new) = body.into_new()?;
    let added = app.add_member(&organization, &user, new).await?;
    Ok(member(&app, &added))
}

/// `GET /v1/organizations/{organization_id}/memberships`: `{data,
/// total_count}`.
pub(crate) async fn list<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let organization = path_organization(&path)?;
    let query = membership_query(&params)?;
    let (views, total) = app.list_members(&organization, &query).await?;
    let data = views.iter().map(|v| membership(v, app.roles())).collect();
    Ok(pagination::paginated(data, total))
}

/// `GET /v1/organization_memberships`: every organization's memberships,
/// with the same filters, order and pages as one organization's.
pub(crate) async fn list_all<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let query = membership_query(&params)?;
    let (views, total) = app.list_instance_memberships(&query).await?;
    let data = views.iter().map(|v| membership(v, app.roles())).collect();
    Ok(pagination::paginated(data, total))
}

/// `PATCH /v1/organizations/{organization_id}/memberships/{user_id}`.
pub(crate) async fn update<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<(String, String)>,
    LenientJson(body): LenientJson<UpdateMembership>,
) -> Result<HttpResponse, ApiError> {
    let (organization, user) = path.into_inner();
    let (organization, user) = (path_organization(&organization)?, path_user(&user)?);
    let updated = app
        .update_member_role(&organization, &user, body.into_role()?)
        .await?;
    Ok(member(&app, &updated))
}

/// `PATCH /v1/organizations/{organization_id}/memberships/{user_id}/metadata`:
/// deep merge.
pub(crate) async fn merge_metadata<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<(String, String)>,
    LenientJson(body): LenientJson<MetadataBody>,
) -> Result<HttpResponse, ApiError> {
    let (organization, user) = path.into_inner();
    let (organization, user) = (path_organization(&organization)?, path_user(&user)?);
    let (public, private) = body.into_patch()?;
    let updated = app
        .merge_member_metadata(&organization, &user, public, private)
        .await?;
    Ok(member(&app, &updated))
}

/// `DELETE /v1/organizations/{organization_id}/memberships/{user_id}`: the
/// membership as it was.
pub(crate) async fn delete<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (organization, user) = path.into_inner();
    let (organization, user) = (path_organization(&organization)?, path_user(&user)?);
    let removed = app.remove_member(&organization, &user).await?;
    Ok(member(&app, &removed))
}
