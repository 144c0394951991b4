//! Row types of users, their email addresses and phone numbers,
//! organizations and memberships, and their conversion to domain values. A
//! row that does not convert is reported as corrupt, never skipped.

use anyhow::{Context as _, anyhow};
use diesel::prelude::*;
use hallpass_domain::{
    E164, Email, EmailAddress, EmailAddressId, ExternalId, ImageUrl, Json, Lock, Membership,
    MembershipLimit, MembershipRecord, Metadata, Organization, OrganizationId,
    OrganizationMembershipId, OrganizationName, OrganizationRecord, PasswordCredential,
    PasswordDigest, PersonName, PhoneNumber, PhoneNumberId, Role, Slug, UnixMillis, User, UserId,
    UserRecord, Username,
};
use hallpass_ports::{CountedOrganization, PublicUserData};

use crate::schema::{
    organization_memberships, organizations, user_email_addresses, user_phone_numbers, users,
};

/// A metadata object as stored: compact JSON text.
pub fn metadata_text(m: &Metadata) -> String {
    Json::Object(m.as_object().clone()).to_compact_string()
}

fn metadata(text: &str, what: &'static str) -> anyhow::Result<Metadata> {
    hallpass_json_bridge::parse_object(text)
        .map(Metadata::from_record)
        .with_context(|| format!("corrupt {what}"))
}

fn millis(value: Option<i64>) -> Option<UnixMillis> {
    value.map(UnixMillis::new)
}

fn text<T>(value: Option<String>, from_record: fn(String) -> T) -> Option<T> {
    value.map(from_record)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub struct UserRow {
    pub id: String,
    pub external_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub image_url: Option<String>,
    pub primary_email_address_id: Option<String>,
    pub primary_email_address: Option<String>,
    pub primary_phone_number_id: Option<String>,
    pub primary_phone_number: Option<String>,
    pub public_metadata: String,
    pub private_metadata: String,
    pub unsafe_metadata: String,
    pub banned: bool,
    pub locked: bool,
    pub locked_until: Option<i64>,
    pub last_sign_in_at: Option<i64>,
    pub last_active_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The password's digest, with `password_updated_at`: both or neither.
    pub password_digest: Option<String>,
    pub password_updated_at: Option<i64>,
}

impl UserRow {
    pub fn from_domain(u: &User) -> Self {
        let (locked, locked_until) = match u.lock() {
            None => (false, None),
            Some(Lock::Until(until)) => (true, Some(until.as_millis())),
            Some(Lock::Indefinitely) => (true, None),
        };
        Self {
            id: u.id().to_string(),
            external_id: u.external_id().map(|v| v.as_str().to_owned()),
            first_name: u.first_name().map(|v| v.as_str().to_owned()),
            last_name: u.last_name().map(|v| v.as_str().to_owned()),
            username: u.username().map(|v| v.as_str().to_owned()),
            image_url: u.image_url().map(|v| v.as_str().to_owned()),
            primary_email_address_id: u.primary_email_address_id().map(ToString::to_string),
            primary_email_address: u
                .primary_email_address()
                .map(|e| e.email_address.as_str().to_owned()),
            primary_phone_number_id: u.primary_phone_number_id().map(ToString::to_string),
            primary_phone_number: u
                .primary_phone_number()
                .map(|p| p.phone_number.as_str().to_owned()),
            public_metadata: metadata_text(u.public_metadata()),
            private_metadata: metadata_text(u.private_metadata()),
            unsafe_metadata: metadata_text(u.unsafe_metadata()),
            banned: u.banned(),
            locked,
            locked_until,
            last_sign_in_at: u.last_sign_in_at().map(UnixMillis::as_millis),
            last_active_at: u.last_active_at().map(UnixMillis::as_millis),
            created_at: u.created_at().as_millis(),
            updated_at: u.updated_at().as_millis(),
            password_digest: u.password().map(|p| p.digest.as_str().to_owned()),
            password_updated_at: u.password().map(|p| p.updated_at.as_millis()),
        }
    }

    /// The user, with its identifiers (already in the user's order).
    pub fn into_domain(
        self,
        emails: Vec<EmailAddressRow>,
        phones: Vec<PhoneNumberRow>,
    ) -> anyhow::Result<User> {
        let lock = match (self.locked, self.locked_until) {
            (false, None) => None,
            (true, Some(until)) => Some(Lock::Until(UnixMillis::new(until))),
            (true, None) => Some(Lock::Indefinitely),
            (false, Some(_)) => return Err(anyhow!("corrupt lock of user {}", self.id)),
        };
        let password = match (self.password_digest, self.password_updated_at) {
            (None, None) => None,
            (Some(digest), Some(updated_at)) => Some(PasswordCredential {
                digest: PasswordDigest::from_stored(digest)
                    .ok_or_else(|| anyhow!("corrupt password digest of user {}", self.id))?,
                updated_at: UnixMillis::new(updated_at),
            }),
            _ => return Err(anyhow!("corrupt password of user {}", self.id)),
        };
        Ok(User::from_record(UserRecord {
            id: UserId::parse(&self.id).context("corrupt user id")?,
            external_id: text(self.external_id, ExternalId::from_record),
            first_name: text(self.first_name, PersonName::from_record),
            last_name: text(self.last_name, PersonName::from_record),
            username: text(self.username, Username::from_record),
            image_url: text(self.image_url, ImageUrl::from_record),
            email_addresses: emails
                .into_iter()
                .map(EmailAddressRow::into_domain)
                .collect::<anyhow::Result<_>>()?,
            phone_numbers: phones
                .into_iter()
                .map(PhoneNumberRow::into_domain)
                .collect::<anyhow::Result<_>>()?,
            primary_email_address_id: self
                .primary_email_address_id
                .as_deref()
                .map(EmailAddressId::parse)
                .transpose()
                .context("corrupt primary email address id")?,
            primary_phone_number_id: self
                .primary_phone_number_id
                .as_deref()
                .map(PhoneNumberId::parse)
                .transpose()
                .context("corrupt primary phone number id")?,
            public_metadata: metadata(&self.public_metadata, "user public metadata")?,
            private_metadata: metadata(&self.private_metadata, "user private metadata")?,
            unsafe_metadata: metadata(&self.unsafe_metadata, "user unsafe metadata")?,
            banned: self.banned,
            lock,
            password,
            last_sign_in_at: millis(self.last_sign_in_at),
            last_active_at: millis(self.last_active_at),
            created_at: UnixMillis::new(self.created_at),
            updated_at: UnixMillis::new(self.updated_at),
        }))
    }

    /// What a membership shows of its user.
    pub fn into_public(self) -> anyhow::Result<PublicUserData> {
        Ok(PublicUserData {
            user_id: UserId::parse(&self.id).context("corrupt user id")?,
            first_name: text(self.first_name, PersonName::from_record),
            last_name: text(self.last_name, PersonName::from_record),
            image_url: text(self.image_url, ImageUrl::from_record),
            username: text(self.username, Username::from_record),
            primary_email_address: text(self.primary_email_address, Email::from_record),
            primary_phone_number: text(self.primary_phone_number, E164::from_record),
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = user_email_addresses)]
pub struct EmailAddressRow {
    pub id: String,
    pub user_id: String,
    pub position: i32,
    pub email_address: String,
    pub verified: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl EmailAddressRow {
    /// The user's email addresses, numbered in its order.
    pub fn all_of(u: &User) -> Vec<Self> {
        u.email_addresses()
            .iter()
            .zip(0..)
            .map(|(e, position)| Self {
                id: e.id.to_string(),
                user_id: u.id().to_string(),
                position,
                email_address: e.email_address.as_str().to_owned(),
                verified: e.verified,
                created_at: e.created_at.as_millis(),
                updated_at: e.updated_at.as_millis(),
            })
            .collect()
    }

    pub fn into_domain(self) -> anyhow::Result<EmailAddress> {
        Ok(EmailAddress {
            id: EmailAddressId::parse(&self.id).context("corrupt email address id")?,
            email_address: Email::from_record(self.email_address),
            verified: self.verified,
            created_at: UnixMillis::new(self.created_at),
            updated_at: UnixMillis::new(self.updated_at),
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = user_phone_numbers)]
pub struct PhoneNumberRow {
    pub id: String,
    pub user_id: String,
    pub position: i32,
    pub phone_number: String,
    pub verified: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl PhoneNumberRow {
    /// The user's phone numbers, numbered in its order.
    pub fn all_of(u: &User) -> Vec<Self> {
        u.phone_numbers()
            .iter()
            .zip(0..)
            .map(|(p, position)| Self {
                id: p.id.to_string(),
                user_id: u.id().to_string(),
                position,
                phone_number: p.phone_number.as_str().to_owned(),
                verified: p.verified,
                created_at: p.created_at.as_millis(),
                updated_at: p.updated_at.as_millis(),
            })
            .collect()
    }

    pub fn into_domain(self) -> anyhow::Result<PhoneNumber> {
        Ok(PhoneNumber {
            id: PhoneNumberId::parse(&self.id).context("corrupt phone number id")?,
            phone_number: E164::from_record(self.phone_number),
            verified: self.verified,
            created_at: UnixMillis::new(self.created_at),
            updated_at: UnixMillis::new(self.updated_at),
        })
    }
}

/// An organization's row. `members_count` is the store's: an update
/// (`AsChangeset`) leaves it alone.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = organizations, treat_none_as_null = true)]
pub struct OrganizationRow {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub image_url: Option<String>,
    pub public_metadata: String,
    pub private_metadata: String,
    pub max_allowed_memberships: i64,
    pub admin_delete_enabled: bool,
    pub created_by: Option<String>,
    #[diesel(skip_update)]
    pub members_count: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl OrganizationRow {
    pub fn from_domain(o: &Organization, members_count: i64) -> Self {
        Self {
            id: o.id().to_string(),
            name: o.name().as_str().to_owned(),
            slug: o.slug().as_str().to_owned(),
            image_url: o.image_url().map(|v| v.as_str().to_owned()),
            public_metadata: metadata_text(o.public_metadata()),
            private_metadata: metadata_text(o.private_metadata()),
            max_allowed_memberships: i64::from(o.max_allowed_memberships().get()),
            admin_delete_enabled: o.admin_delete_enabled(),
            created_by: o.created_by().map(ToString::to_string),
            members_count,
            created_at: o.created_at().as_millis(),
            updated_at: o.updated_at().as_millis(),
        }
    }

    pub fn into_domain(self) -> anyhow::Result<CountedOrganization> {
        let max = u32::try_from(self.max_allowed_memberships)
            .with_context(|| format!("corrupt membership limit of {}", self.id))?;
        let organization = Organization::from_record(OrganizationRecord {
            id: OrganizationId::parse(&self.id).context("corrupt organization id")?,
            name: OrganizationName::from_record(self.name),
            slug: Slug::from_record(self.slug),
            image_url: text(self.image_url, ImageUrl::from_record),
            public_metadata: metadata(&self.public_metadata, "organization public metadata")?,
            private_metadata: metadata(&self.private_metadata, "organization private metadata")?,
            max_allowed_memberships: MembershipLimit::new(max),
            admin_delete_enabled: self.admin_delete_enabled,
            created_by: self
                .created_by
                .as_deref()
                .map(UserId::parse)
                .transpose()
                .context("corrupt organization creator")?,
            created_at: UnixMillis::new(self.created_at),
            updated_at: UnixMillis::new(self.updated_at),
        });
        Ok(CountedOrganization {
            organization,
            members_count: u64::try_from(self.members_count).unwrap_or(0),
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = organization_memberships)]
pub struct MembershipRow {
    pub id: String,
    pub organization_id: String,
    pub user_id: String,
    pub role: String,
    pub public_metadata: String,
    pub private_metadata: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl MembershipRow {
    pub fn from_domain(m: &Membership) -> Self {
        Self {
            id: m.id().to_string(),
            organization_id: m.organization_id().to_string(),
            user_id: m.user_id().to_string(),
            role: m.role().as_str().to_owned(),
            public_metadata: metadata_text(m.public_metadata()),
            private_metadata: metadata_text(m.private_metadata()),
            created_at: m.created_at().as_millis(),
            updated_at: m.updated_at().as_millis(),
        }
    }

    pub fn into_domain(self) -> anyhow::Result<Membership> {
        Ok(Membership::from_record(MembershipRecord {
            id: OrganizationMembershipId::parse(&self.id).context("corrupt membership id")?,
            organization_id: OrganizationId::parse(&self.organization_id)
                .context("corrupt membership organization id")?,
            user_id: UserId::parse(&self.user_id).context("corrupt membership user id")?,
            role: Role::parse(&self.role).context("corrupt membership role")?,
            public_metadata: metadata(&self.public_metadata, "membership public metadata")?,
            private_metadata: metadata(&self.private_metadata, "membership private metadata")?,
            created_at: UnixMillis::new(self.created_at),
            updated_at: UnixMillis::new(self.updated_at),
        }))
    }
}
