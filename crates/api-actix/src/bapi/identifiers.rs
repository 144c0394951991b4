//! `/v1/email_addresses` and `/v1/phone_numbers`: a user's identifiers
//! under their own paths, as `@clerk/backend`'s `emailAddresses` and
//! `phoneNumbers` call them.

use actix_web::{HttpResponse, web};
use hallpass_app::{Hallpass, IdentifierPatch};
use hallpass_domain::{E164, Email, EmailAddressId, PhoneNumberId};
use hallpass_ports::{KeyRingFactory, Store};
use serde::Deserialize;

use super::params::param_user;
use crate::ApiError;
use crate::body::LenientJson;
use crate::dto::users::{deleted, email_address, phone_number};

type App<S, K> = web::Data<Hallpass<S, K>>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateEmailAddress {
    user_id: Option<String>,
    email_address: Option<String>,
    verified: Option<bool>,
    primary: Option<bool>,
    notify_primary_email_address_changed: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreatePhoneNumber {
    user_id: Option<String>,
    phone_number: Option<String>,
    verified: Option<bool>,
    primary: Option<bool>,
    reserved_for_second_factor: Option<bool>,
}

/// `PATCH` of either (`reserved_for_second_factor` only for phone numbers:
/// Hallpass has no second factors, so `true` is refused).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateIdentifier {
    verified: Option<bool>,
    primary: Option<bool>,
    notify_primary_email_address_changed: Option<bool>,
    reserved_for_second_factor: Option<bool>,
}

fn no_second_factors(reserved: Option<bool>) -> Result<(), ApiError> {
    if reserved == Some(true) {
        return Err(ApiError::param_unknown(
            "reserved_for_second_factor",
            "Hallpass has no second factors yet.",
        ));
    }
    Ok(())
}

impl UpdateIdentifier {
    fn into_patch(self) -> Result<IdentifierPatch, ApiError> {
        no_second_factors(self.reserved_for_second_factor)?;
        let _accepted = self.notify_primary_email_address_changed;
        Ok(IdentifierPatch {
            verified: self.verified,
            primary: self.primary,
        })
    }
}

fn email_id(path: &str) -> Result<EmailAddressId, ApiError> {
    EmailAddressId::parse(path).map_err(|_| ApiError::not_found("email address"))
}

fn phone_id(path: &str) -> Result<PhoneNumberId, ApiError> {
    PhoneNumberId::parse(path).map_err(|_| ApiError::not_found("phone number"))
}

/// `POST /v1/email_addresses`: verified unless `verified: false`.
pub(crate) async fn create_email<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    LenientJson(body): LenientJson<CreateEmailAddress>,
) -> Result<HttpResponse, ApiError> {
    let user = body
        .user_id
        .ok_or_else(|| ApiError::missing_param("user_id"))?;
    let user = param_user("user_id", &user)?;
    let address = body
        .email_address
        .ok_or_else(|| ApiError::missing_param("email_address"))?;
    let address = Email::parse(&address).map_err(|e| ApiError::field(&e))?;
    let _accepted = body.notify_primary_email_address_changed;
    let created = app
        .create_email_address(
            &user,
            address,
            body.verified.unwrap_or(true),
            body.primary.unwrap_or(false),
        )
        .await?;
    Ok(HttpResponse::Ok().json(email_address(&created)))
}

/// `GET /v1/email_addresses/{email_address_id}`.
pub(crate) async fn get_email<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let found = app.email_address(&email_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(email_address(&found)))
}

/// `PATCH /v1/email_addresses/{email_address_id}`.
pub(crate) async fn update_email<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
    LenientJson(body): LenientJson<UpdateIdentifier>,
) -> Result<HttpResponse, ApiError> {
    let id = email_id(&path)?;
    let updated = app.update_email_address(&id, body.into_patch()?).await?;
    Ok(HttpResponse::Ok().json(email_address(&updated)))
}

/// `DELETE /v1/email_addresses/{email_address_id}`.
pub(crate) async fn delete_email<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = email_id(&path)?;
    app.delete_email_address(&id).await?;
    Ok(HttpResponse::Ok().json(deleted("email_address", id.as_str(), None)))
}

/// `POST /v1/phone_numbers`: verified unless `verified: false`.
pub(crate) async fn create_phone<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    LenientJson(body): LenientJson<CreatePhoneNumber>,
) -> Result<HttpResponse, ApiError> {
    let user = body
        .user_id
        .ok_or_else(|| ApiError::missing_param("user_id"))?;
    let user = param_user("user_id", &user)?;
    let number = body
        .phone_number
        .ok_or_else(|| ApiError::missing_param("phone_number"))?;
    let number = E164::parse(&number).map_err(|e| ApiError::field(&e))?;
    no_second_factors(body.reserved_for_second_factor)?;
    let created = app
        .create_phone_number(
            &user,
            number,
            body.verified.unwrap_or(true),
            body.primary.unwrap_or(false),
        )
        .await?;
    Ok(HttpResponse::Ok().json(phone_number(&created)))
}

/// `GET /v1/phone_numbers/{phone_number_id}`.
pub(crate) async fn get_phone<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let found = app.phone_number(&phone_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(phone_number(&found)))
}

/// `PATCH /v1/phone_numbers/{phone_number_id}`.
pub(crate) async fn update_phone<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
    LenientJson(body): LenientJson<UpdateIdentifier>,
) -> Result<HttpResponse, ApiError> {
    let id = phone_id(&path)?;
    let updated = app.update_phone_number(&id, body.into_patch()?).await?;
    Ok(HttpResponse::Ok().json(phone_number(&updated)))
}

/// `DELETE /v1/phone_numbers/{phone_number_id}`.
pub(crate) async fn delete_phone<S: Store, K: KeyRingFactory>(
    app: App<S, K>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = phone_id(&path)?;
    app.delete_phone_number(&id).await?;
    Ok(HttpResponse::Ok().json(deleted("phone_number", id.as_str(), None)))
}
