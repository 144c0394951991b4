//! The Backend API `User`, `EmailAddress` and `PhoneNumber` objects, and
//! the `DeletedObject` and `TotalCount` answers.
//!
//! Every field `@clerk/backend`'s `User.fromJSON`, `EmailAddress.fromJSON`
//! and `PhoneNumber.fromJSON` read is present, and every field the spec
//! requires (`additionalProperties: false`: no other). What Hallpass does
//! not have is constant: no second factors, web3 wallets, passkeys, OAuth
//! or SAML accounts, so those are `false`, `null` or `[]`. A password is
//! shown as whether there is one and when it was set, never its digest.

use hallpass_domain::{EmailAddress, Json, JsonObject, Metadata, PhoneNumber, UnixMillis, User};
use serde::Serialize;
use serde::ser::{SerializeMap as _, SerializeSeq as _, Serializer};

/// A domain JSON value, serialized as it is (no copy into `serde_json`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct JsonView<'a>(pub &'a Json);

impl Serialize for JsonView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(b) => serializer.serialize_bool(*b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => serializer.serialize_i64(i),
                None if n.is_finite() => serializer.serialize_f64(n.as_f64()),
                None => serializer.serialize_unit(),
            },
            Json::String(s) => serializer.serialize_str(s),
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&JsonView(item))?;
                }
                seq.end()
            }
            Json::Object(object) => ObjectView(object).serialize(serializer),
        }
    }
}

/// A domain JSON object.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ObjectView<'a>(pub &'a JsonObject);

impl Serialize for ObjectView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in self.0.iter() {
            map.serialize_entry(key, &JsonView(value))?;
        }
        map.end()
    }
}

pub(crate) fn metadata(m: &Metadata) -> ObjectView<'_> {
    ObjectView(m.as_object())
}

/// `verification_admin`: how Clerk marks an identifier created or verified
/// through the Backend API.
#[derive(Debug, Serialize)]
struct AdminVerification {
    object: &'static str,
    status: &'static str,
    strategy: &'static str,
    attempts: (),
    expire_at: (),
}

/// Verified identifiers show the admin verification; unverified ones none.
fn verification(verified: bool) -> Option<AdminVerification> {
    verified.then_some(AdminVerification {
        object: "verification_admin",
        status: "verified",
        strategy: "admin",
        attempts: (),
        expire_at: (),
    })
}

/// The `EmailAddress` object.
#[derive(Debug, Serialize)]
pub(crate) struct BapiEmailAddress<'a> {
    id: &'a str,
    object: &'static str,
    email_address: &'a str,
    reserved: bool,
    verification: Option<AdminVerification>,
    linked_to: [(); 0],
    matches_sso_connection: bool,
    created_at: i64,
    updated_at: i64,
}

pub(crate) fn email_address(e: &EmailAddress) -> BapiEmailAddress<'_> {
    BapiEmailAddress {
        id: e.id.as_str(),
        object: "email_address",
        email_address: e.email_address.as_str(),
        reserved: false,
        verification: verification(e.verified),
        linked_to: [],
        matches_sso_connection: false,
        created_at: e.created_at.as_millis(),
        updated_at: e.updated_at.as_millis(),
    }
}

/// The `PhoneNumber` object.
#[derive(Debug, Serialize)]
pub(crate) struct BapiPhoneNumber<'a> {
    id: &'a str,
    object: &'static str,
    phone_number: &'a str,
    reserved_for_second_factor: bool,
    default_second_factor: bool,
    reserved: bool,
    verification: Option<AdminVerification>,
    linked_to: [(); 0],
    backup_codes: (),
    created_at: i64,
    updated_at: i64,
}

pub(crate) fn phone_number(p: &PhoneNumber) -> BapiPhoneNumber<'_> {
    BapiPhoneNumber {
        id: p.id.as_str(),
        object: "phone_number",
        phone_number: p.phone_number.as_str(),
        reserved_for_second_factor: false,
        default_second_factor: false,
        reserved: false,
        verification: verification(p.verified),
        linked_to: [],
        backup_codes: (),
        created_at: p.created_at.as_millis(),
        updated_at: p.updated_at.as_millis(),
    }
}

/// The Backend API `User` object (`additionalProperties: false`).
#[derive(Debug, Serialize)]
pub(crate) struct BapiUser<'a> {
    id: &'a str,
    object: &'static str,
    external_id: Option<&'a str>,
    primary_email_address_id: Option<&'a str>,
    primary_phone_number_id: Option<&'a str>,
    primary_web3_wallet_id: (),
    username: Option<&'a str>,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    locale: (),
    profile_image_url: &'a str,
    image_url: &'a str,
    has_image: bool,
    public_metadata: ObjectView<'a>,
    private_metadata: ObjectView<'a>,
    unsafe_metadata: ObjectView<'a>,
    email_addresses: Vec<BapiEmailAddress<'a>>,
    phone_numbers: Vec<BapiPhoneNumber<'a>>,
    web3_wallets: [(); 0],
    passkeys: [(); 0],
    password_enabled: bool,
    two_factor_enabled: bool,
    totp_enabled: bool,
    backup_code_enabled: bool,
    mfa_enabled_at: (),
    mfa_disabled_at: (),
    password_last_updated_at: Option<i64>,
    external_accounts: [(); 0],
    saml_accounts: [(); 0],
    enterprise_accounts: [(); 0],
    last_sign_in_at: Option<i64>,
    banned: bool,
    locked: bool,
    lockout_expires_in_seconds: Option<i64>,
    verification_attempts_remaining: (),
    updated_at: i64,
    created_at: i64,
    delete_self_enabled: bool,
    create_organization_enabled: bool,
    create_organizations_limit: (),
    last_active_at: Option<i64>,
    legal_accepted_at: (),
    bypass_client_trust: bool,
}

/// `u` as the Backend API shows it at `now` (whether a lock still holds
/// depends on the time).
pub(crate) fn bapi_user(u: &User, now: UnixMillis) -> BapiUser<'_> {
    let image_url = u.image_url().map_or("", |i| i.as_str());
    BapiUser {
        id: u.id().as_str(),
        object: "user",
        external_id: u.external_id().map(|v| v.as_str()),
        primary_email_address_id: u.primary_email_address_id().map(|v| v.as_str()),
        primary_phone_number_id: u.primary_phone_number_id().map(|v| v.as_str()),
        primary_web3_wallet_id: (),
        username: u.username().map(|v| v.as_str()),
        first_name: u.first_name().map(|v| v.as_str()),
        last_name: u.last_name().map(|v| v.as_str()),
        locale: (),
        profile_image_url: image_url,
        image_url,
        has_image: u.image_url().is_some(),
        public_metadata: metadata(u.public_metadata()),
        private_metadata: metadata(u.private_metadata()),
        unsafe_metadata: metadata(u.unsafe_metadata()),
        email_addresses: u.email_addresses().iter().map(email_address).collect(),
        phone_numbers: u.phone_numbers().iter().map(phone_number).collect(),
        web3_wallets: [],
        passkeys: [],
        password_enabled: u.password().is_some(),
        two_factor_enabled: false,
        totp_enabled: false,
        backup_code_enabled: false,
        mfa_enabled_at: (),
        mfa_disabled_at: (),
        password_last_updated_at: u.password().map(|p| p.updated_at.as_millis()),
        external_accounts: [],
        saml_accounts: [],
        enterprise_accounts: [],
        last_sign_in_at: u.last_sign_in_at().map(UnixMillis::as_millis),
        banned: u.banned(),
        locked: u.is_locked_at(now),
        lockout_expires_in_seconds: u.lockout_expires_in_seconds(now),
        verification_attempts_remaining: (),
        updated_at: u.updated_at().as_millis(),
        created_at: u.created_at().as_millis(),
        delete_self_enabled: false,
        create_organization_enabled: false,
        create_organizations_limit: (),
        last_active_at: u.last_active_at().map(UnixMillis::as_millis),
        legal_accepted_at: (),
        bypass_client_trust: false,
    }
}

/// A `DeletedObject` (`@clerk/backend` recognises one by `object` and
/// `deleted`).
#[derive(Debug, Serialize)]
pub(crate) struct Deleted<'a> {
    object: &'static str,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<&'a str>,
    deleted: bool,
}

pub(crate) fn deleted<'a>(object: &'static str, id: &'a str, slug: Option<&'a str>) -> Deleted<'a> {
    Deleted {
        object,
        id,
        slug,
        deleted: true,
    }
}

/// `{"object": "total_count", "total_count": n}` (`@clerk/backend` reads it
/// as the number).
#[derive(Debug, Serialize)]
pub(crate) struct TotalCount {
    object: &'static str,
    total_count: u64,
}

pub(crate) fn total_count(total_count: u64) -> TotalCount {
    TotalCount {
        object: "total_count",
        total_count,
    }
}
