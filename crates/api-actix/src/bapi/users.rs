//! `/v1/users`: create, list, count, read, update (passwords included),
//! metadata, ban (one or many), lock, delete, verify a password, and a
//! user's organization memberships.

use actix_web::{HttpResponse, web};
use hallpass_app::Hallpass;
use hallpass_domain::User;
use hallpass_ports::{KeyRingFactory, Store};

use super::params::path_user;
use super::user_bodies::{CreateUser, UpdateUser, UserIds, UserMetadataBody, VerifyPassword};
use super::user_list::{user_filter, user_query};
use crate::ApiError;
use crate::body::LenientJson;
use crate::dto::organizations::membership;
use crate::dto::users::{bapi_user, deleted, total_count};
use crate::pagination;
use crate::query::Params;

type App<S, K> = web::Data<Hallpass<S, K>>;

fn user<S: Store, K: KeyRingFactory>(app: &Hallpass<S, K>, u: &User) -> HttpResponse {
    HttpResponse::Ok().json(bapi_user(u, app.now()))
}

fn users<S: Store, K: KeyRingFactory>(app: &Hallpass<S, K>, list: &[User]) -> HttpResponse {
    let now = app.now();
    let data: Vec<_> = list.iter().map(|u| bapi_user(u, now)).collect();
    HttpResponse::Ok().json(data)
}

/// `POST /v1/users`.
pub(crate) async fn create<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    LenientJson(body): LenientJson<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    let (mut new, locked, password) = body.into_new_user()?;
    if let Some(password) = password {
        new.password = Some(app.password_digest(password).await?);
    }
    let created = app.create_user(new, locked).await?;
    Ok(user(&app, &created))
}

/// `GET /v1/users`: a bare array, as Clerk answers (`{data, total_count}`
/// with `paginated=true`).
pub(crate) async fn list<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let (query, page) = user_query(&params)?;
    let (users, total) = if page.paginated {
        app.list_users(&query).await?
    } else {
        (app.list_users_page(&query).await?, 0)
    };
    let now = app.now();
    let data = users.iter().map(|u| bapi_user(u, now)).collect();
    Ok(pagination::respond(page, data, total))
}

/// `GET /v1/users/count`.
pub(crate) async fn count<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let total = app.count_users(&user_filter(&params)?).await?;
    Ok(HttpResponse::Ok().json(total_count(total)))
}

/// `GET /v1/users/{user_id}`.
pub(crate) async fn get<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let found = app.user(&path_user(&path)?).await?;
    Ok(user(&app, &found))
}

/// `PATCH /v1/users/{user_id}`.
pub(crate) async fn update<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
    LenientJson(body): LenientJson<UpdateUser>,
) -> Result<HttpResponse, ApiError> {
    let id = path_user(&path)?;
    let (mut patch, metadata, password) = body.into_patch()?;
    if let Some(password) = password {
        patch.password = Some(app.password_digest(password).await?);
    }
    let updated = app.update_user(&id, patch, metadata).await?;
    Ok(user(&app, &updated))
}

/// `POST /v1/users/{user_id}/verify_password`: `{"verified": true}`, 422
/// `form_password_incorrect` for another password, 400 for a user without
/// one.
pub(crate) async fn verify_password<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
    LenientJson(body): LenientJson<VerifyPassword>,
) -> Result<HttpResponse, ApiError> {
    let id = path_user(&path)?;
    let candidate = body.into_password()?;
    app.verify_user_password(&id, candidate).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "verified": true })))
}

/// `PATCH /v1/users/{user_id}/metadata`: deep merge.
pub(crate) async fn merge_metadata<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
    LenientJson(body): LenientJson<UserMetadataBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path_user(&path)?;
    let updated = app.merge_user_metadata(&id, body.into_patch()?).await?;
    Ok(user(&app, &updated))
}

/// `PUT /v1/users/{user_id}/metadata`: replacement.
pub(crate) async fn replace_metadata<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
    LenientJson(body): LenientJson<UserMetadataBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path_user(&path)?;
    let updated = app
        .replace_user_metadata(&id, body.into_replacement()?)
        .await?;
    Ok(user(&app, &updated))
}

/// `DELETE /v1/users/{user_id}`: a `DeletedObject`.
pub(crate) async fn delete<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_user(&path)?;
    app.delete_user(&id).await?;
    Ok(HttpResponse::Ok().json(deleted("user", id.as_str(), None)))
}

/// `POST /v1/users/{user_id}/ban`.
pub(crate) async fn ban<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let banned = app.ban_user(&path_user(&path)?).await?;
    Ok(user(&app, &banned))
}

/// `POST /v1/users/ban`: the banned users, a bare array (Clerk's
/// `User.List`).
pub(crate) async fn ban_many<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    LenientJson(body): LenientJson<UserIds>,
) -> Result<HttpResponse, ApiError> {
    let banned = app.ban_users(&body.into_ids()?).await?;
    Ok(users(&app, &banned))
}

/// `POST /v1/users/unban`.
pub(crate) async fn unban_many<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    LenientJson(body): LenientJson<UserIds>,
) -> Result<HttpResponse, ApiError> {
    let unbanned = app.unban_users(&body.into_ids()?).await?;
    Ok(users(&app, &unbanned))
}

/// `POST /v1/users/{user_id}/unban`.
pub(crate) async fn unban<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let unbanned = app.unban_user(&path_user(&path)?).await?;
    Ok(user(&app, &unbanned))
}

/// `POST /v1/users/{user_id}/lock`.
pub(crate) async fn lock<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let locked = app.lock_user(&path_user(&path)?).await?;
    Ok(user(&app, &locked))
}

/// `POST /v1/users/{user_id}/unlock`.
pub(crate) async fn unlock<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = app.unlock_user(&path_user(&path)?).await?;
    Ok(user(&app, &unlocked))
}

/// `GET /v1/users/{user_id}/organization_memberships`: newest first,
/// `{data, total_count}`.
pub(crate) async fn memberships<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let id = path_user(&path)?;
    let page = params.page()?;
    let (views, total) = app.user_memberships(&id, page.limit, page.offset).await?;
    let data = views.iter().map(|v| membership(v, app.roles())).collect();
    Ok(pagination::paginated(data, total))
}
