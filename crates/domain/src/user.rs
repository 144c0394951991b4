//! Users: who a session belongs to.
//!
//! A [`User`] holds the profile Clerk's Backend API serves (`GET
//! /v1/users/{id}`): names, username, external id, image URL, email
//! addresses and phone numbers with a primary of each, three metadata
//! objects, the ban and the lock, the password's digest (never the
//! password: see [`crate::password`]) and four times.
//!
//! Rules (each an error value, see [`UserError`]):
//! - an email address (by its lowercase form) or phone number appears once
//!   per user; uniqueness across the instance is the store's unique index,
//!   keyed by [`Email::as_str`], [`E164::as_str`], [`Username::normalized`]
//!   and [`ExternalId::as_str`];
//! - the first email address (phone number) becomes the primary one; an
//!   explicit primary must belong to the user and be verified (Backend API:
//!   "It must be verified, and present on the current user");
//! - the last identification (email address, phone number or username) cannot
//!   be removed (Clerk's `identification_deletion_failed`: "You cannot delete
//!   your last identification"); removing the primary one moves the primary to
//!   the first remaining verified one, or to none;
//! - a banned user may not sign in; a locked user may not sign in until the
//!   lock ends ([`User::may_sign_in`]); a lock that has run out no longer
//!   counts, at its exact end instant included.

mod fields;
mod password;

use std::time::Duration;

pub use fields::{E164, Email, ExternalId, FieldError, ImageUrl, PersonName, Username};

use crate::id::{EmailAddressId, PhoneNumberId, UserId};
use crate::json::JsonObject;
use crate::metadata::{Metadata, MetadataField, MetadataFieldError, merge_field};
use crate::password::PasswordDigest;
use crate::time::UnixMillis;

/// One of a user's email addresses (Clerk's `email_address` object).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress {
    pub id: EmailAddressId,
    pub email_address: Email,
    /// Addresses created through the Backend API are verified unless asked
    /// otherwise, as in Clerk.
    pub verified: bool,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
}

/// One of a user's phone numbers (Clerk's `phone_number` object).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    pub id: PhoneNumberId,
    pub phone_number: E164,
    pub verified: bool,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
}

/// Which kind of identifier an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentifierKind {
    EmailAddress,
    PhoneNumber,
}

impl IdentifierKind {
    /// The Backend API parameter (`email_address`, `phone_number`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EmailAddress => "email_address",
            Self::PhoneNumber => "phone_number",
        }
    }
}

/// Why a change to a user was refused. Nothing changes when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    /// The same email address or phone number twice on one user.
    #[error("the user already has this {}", kind.as_str())]
    Duplicate { kind: IdentifierKind },
    /// No identifier with that id on this user.
    #[error("the user has no {} {id}", kind.as_str())]
    IdentifierNotFound { kind: IdentifierKind, id: String },
    /// A primary identifier must be verified.
    #[error("{} {id} is not verified and cannot be primary", kind.as_str())]
    Unverified { kind: IdentifierKind, id: String },
    /// The user's only identification (email, phone or username).
    #[error("you cannot delete your last identification")]
    LastIdentification,
    /// A metadata object refused.
    #[error(transparent)]
    Metadata(#[from] MetadataFieldError),
}

/// Why a user may not sign in now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignInRefused {
    #[error("the user is banned")]
    Banned,
    /// Locked; `until` is `None` for a lock without end.
    #[error("the user is locked")]
    Locked { until: Option<UnixMillis> },
}

/// A lock on a user's sign-ins (Backend API `POST /v1/users/{id}/lock`,
/// or too many failed attempts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lock {
    /// Until this instant (excluded: at `until` the user may sign in).
    Until(UnixMillis),
    /// Until unlocked (Clerk: "A null value for a locked user indicates that
    /// lockout never expires").
    Indefinitely,
}

impl Lock {
    /// Whether the lock still holds at `now`.
    pub fn holds_at(self, now: UnixMillis) -> bool {
        match self {
            Self::Until(until) => now < until,
            Self::Indefinitely => true,
        }
    }
}

/// What `POST /v1/users` creates; every value is already valid.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewUser {
    pub external_id: Option<ExternalId>,
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub username: Option<Username>,
    pub image_url: Option<ImageUrl>,
    /// Created verified; the first is the primary one.
    pub email_addresses: Vec<Email>,
    /// Created verified; the first is the primary one.
    pub phone_numbers: Vec<E164>,
    pub public_metadata: Metadata,
    pub private_metadata: Metadata,
    pub unsafe_metadata: Metadata,
    /// Created already banned.
    pub banned: bool,
    /// Clerk's `created_at` for imported users; `now` when absent.
    pub created_at: Option<UnixMillis>,
    /// The password's digest (hashed, or imported and checked).
    pub password: Option<PasswordDigest>,
}

/// A user's password, as kept: its digest, and when it was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordCredential {
    pub digest: PasswordDigest,
    /// When the password was set (Clerk's `password_last_updated_at`);
    /// a rehash of the same password leaves it alone.
    pub updated_at: UnixMillis,
}

/// `PATCH /v1/users/{id}`: `None` leaves a field alone, `Some(None)` clears
/// it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserPatch {
    pub external_id: Option<Option<ExternalId>>,
    pub first_name: Option<Option<PersonName>>,
    pub last_name: Option<Option<PersonName>>,
    pub username: Option<Option<Username>>,
    pub image_url: Option<Option<ImageUrl>>,
    pub primary_email_address_id: Option<EmailAddressId>,
    pub primary_phone_number_id: Option<PhoneNumberId>,
    /// A new password's digest, set at the update's time.
    pub password: Option<PasswordDigest>,
}

/// `PATCH /v1/users/{id}/metadata`: each present object is deep-merged
/// into the user's (see [`crate::metadata::deep_merge`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserMetadataPatch {
    pub public_metadata: Option<JsonObject>,
    pub private_metadata: Option<JsonObject>,
    pub unsafe_metadata: Option<JsonObject>,
}

/// `PUT /v1/users/{id}/metadata`: each present object replaces the user's.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserMetadataReplacement {
    pub public_metadata: Option<Metadata>,
    pub private_metadata: Option<Metadata>,
    pub unsafe_metadata: Option<Metadata>,
}

/// A user of the instance.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    id: UserId,
    external_id: Option<ExternalId>,
    first_name: Option<PersonName>,
    last_name: Option<PersonName>,
    username: Option<Username>,
    image_url: Option<ImageUrl>,
    email_addresses: Vec<EmailAddress>,
    phone_numbers: Vec<PhoneNumber>,
    primary_email_address_id: Option<EmailAddressId>,
    primary_phone_number_id: Option<PhoneNumberId>,
    public_metadata: Metadata,
    private_metadata: Metadata,
    unsafe_metadata: Metadata,
    banned: bool,
    lock: Option<Lock>,
    password: Option<PasswordCredential>,
    last_sign_in_at: Option<UnixMillis>,
    last_active_at: Option<UnixMillis>,
    created_at: UnixMillis,
    updated_at: UnixMillis,
}

/// All the stored fields of a user, for storage adapters to rebuild one
/// without validating it again.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    pub id: UserId,
    pub external_id: Option<ExternalId>,
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub username: Option<Username>,
    pub image_url: Option<ImageUrl>,
    pub email_addresses: Vec<EmailAddress>,
    pub phone_numbers: Vec<PhoneNumber>,
    pub primary_email_address_id: Option<EmailAddressId>,
    pub primary_phone_number_id: Option<PhoneNumberId>,
    pub public_metadata: Metadata,
    pub private_metadata: Metadata,
    pub unsafe_metadata: Metadata,
    pub banned: bool,
    pub lock: Option<Lock>,
    pub password: Option<PasswordCredential>,
    pub last_sign_in_at: Option<UnixMillis>,
    pub last_active_at: Option<UnixMillis>,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
}

const DAY_MILLIS: i64 = 86_400_000;

impl User {
    /// Creates a user at `now`. `ids` draws 128 random bits per id needed:
    /// the user's first, then one per email address, then one per phone
    /// number, in order.
    pub fn create(
        new: NewUser,
        ids: &mut impl FnMut() -> u128,
        now: UnixMillis,
    ) -> Result<Self, UserError> {
        let id = UserId::from_random(ids());
        let mut user = Self::adopt(id, now);
        user.created_at = new.created_at.unwrap_or(now);
        user.external_id = new.external_id;
        user.first_name = new.first_name;
        user.last_name = new.last_name;
        user.username = new.username;
        user.image_url = new.image_url;
        user.public_metadata = new.public_metadata;
        user.private_metadata = new.private_metadata;
        user.unsafe_metadata = new.unsafe_metadata;
        user.banned = new.banned;
        user.password = new.password.map(|digest| PasswordCredential {
            digest,
            updated_at: now,
        });
        for email in new.email_addresses {
            let id = EmailAddressId::from_random(ids());
            user.add_email_address(id, email, true, false, now)?;
        }
        for phone in new.phone_numbers {
            let id = PhoneNumberId::from_random(ids());
            user.add_phone_number(id, phone, true, false, now)?;
        }
        user.updated_at = now;
        Ok(user)
    }

    /// A user with nothing but an id, created at `now`: what the migration
    /// makes for each user id that sessions and sign-in tokens referenced
    /// before Hallpass stored users.
    pub fn adopt(id: UserId, now: UnixMillis) -> Self {
        Self {
            id,
            external_id: None,
            first_name: None,
            last_name: None,
            username: None,
            image_url: None,
            email_addresses: Vec::new(),
            phone_numbers: Vec::new(),
            primary_email_address_id: None,
            primary_phone_number_id: None,
            public_metadata: Metadata::empty(),
            private_metadata: Metadata::empty(),
            unsafe_metadata: Metadata::empty(),
            banned: false,
            lock: None,
            password: None,
            last_sign_in_at: None,
            last_active_at: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// Rebuilds a user from storage.
    pub fn from_record(r: UserRecord) -> Self {
        Self {
            id: r.id,
            external_id: r.external_id,
            first_name: r.first_name,
            last_name: r.last_name,
            username: r.username,
            image_url: r.image_url,
            email_addresses: r.email_addresses,
            phone_numbers: r.phone_numbers,
            primary_email_address_id: r.primary_email_address_id,
            primary_phone_number_id: r.primary_phone_number_id,
            public_metadata: r.public_metadata,
            private_metadata: r.private_metadata,
            unsafe_metadata: r.unsafe_metadata,
            banned: r.banned,
            lock: r.lock,
            password: r.password,
            last_sign_in_at: r.last_sign_in_at,
            last_active_at: r.last_active_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }

    /// The stored fields.
    pub fn to_record(&self) -> UserRecord {
        UserRecord {
            id: self.id.clone(),
            external_id: self.external_id.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            username: self.username.clone(),
            image_url: self.image_url.clone(),
            email_addresses: self.email_addresses.clone(),
            phone_numbers: self.phone_numbers.clone(),
            primary_email_address_id: self.primary_email_address_id.clone(),
            primary_phone_number_id: self.primary_phone_number_id.clone(),
            public_metadata: self.public_metadata.clone(),
            private_metadata: self.private_metadata.clone(),
            unsafe_metadata: self.unsafe_metadata.clone(),
            banned: self.banned,
            lock: self.lock,
            password: self.password.clone(),
            last_sign_in_at: self.last_sign_in_at,
            last_active_at: self.last_active_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    pub fn id(&self) -> &UserId {
        &self.id
    }
    pub fn external_id(&self) -> Option<&ExternalId> {
        self.external_id.as_ref()
    }
    pub fn first_name(&self) -> Option<&PersonName> {
        self.first_name.as_ref()
    }
    pub fn last_name(&self) -> Option<&PersonName> {
        self.last_name.as_ref()
    }
    pub fn username(&self) -> Option<&Username> {
        self.username.as_ref()
    }
    pub fn image_url(&self) -> Option<&ImageUrl> {
        self.image_url.as_ref()
    }
    pub fn email_addresses(&self) -> &[EmailAddress] {
        &self.email_addresses
    }
    pub fn phone_numbers(&self) -> &[PhoneNumber] {
        &self.phone_numbers
    }
    pub fn primary_email_address_id(&self) -> Option<&EmailAddressId> {
        self.primary_email_address_id.as_ref()
    }
    pub fn primary_phone_number_id(&self) -> Option<&PhoneNumberId> {
        self.primary_phone_number_id.as_ref()
    }
    /// The primary email address object.
    pub fn primary_email_address(&self) -> Option<&EmailAddress> {
        let id = self.primary_email_address_id.as_ref()?;
        self.email_addresses.iter().find(|e| &e.id == id)
    }
    /// The primary phone number object.
    pub fn primary_phone_number(&self) -> Option<&PhoneNumber> {
        let id = self.primary_phone_number_id.as_ref()?;
        self.phone_numbers.iter().find(|p| &p.id == id)
    }
    /// The identifier Clerk shows for the user ([`shown_identifier`]).
    pub fn shown_identifier(&self) -> Option<&str> {
        shown_identifier(
            self.primary_email_address()
                .map(|e| e.email_address.as_str()),
            self.primary_phone_number().map(|p| p.phone_number.as_str()),
            self.username().map(Username::as_str),
        )
    }
    pub fn public_metadata(&self) -> &Metadata {
        &self.public_metadata
    }
    pub fn private_metadata(&self) -> &Metadata {
        &self.private_metadata
    }
    pub fn unsafe_metadata(&self) -> &Metadata {
        &self.unsafe_metadata
    }
    pub fn banned(&self) -> bool {
        self.banned
    }
    /// The stored lock, which may have run out: see [`User::is_locked_at`].
    pub fn lock(&self) -> Option<Lock> {
        self.lock
    }
    pub fn last_sign_in_at(&self) -> Option<UnixMillis> {
        self.last_sign_in_at
    }
    /// The start (UTC) of the last day with session activity.
    pub fn last_active_at(&self) -> Option<UnixMillis> {
        self.last_active_at
    }
    pub fn created_at(&self) -> UnixMillis {
        self.created_at
    }
    pub fn updated_at(&self) -> UnixMillis {
        self.updated_at
    }

    /// Every change moves `updated_at` strictly forward, so the store's
    /// compare-and-set detects a concurrent change (see
    /// [`UnixMillis::next_update_after`]).
    fn touch(&mut self, now: UnixMillis) {
        self.updated_at = now.next_update_after(self.updated_at);
    }

    /// How many identifications (email addresses, phone numbers, username)
    /// the user has.
    pub fn identification_count(&self) -> usize {
        self.email_addresses.len() + self.phone_numbers.len() + usize::from(self.username.is_some())
    }

    // ----- ban and lock -----

    /// Whether a lock holds at `now` (Clerk's `locked`).
    pub fn is_locked_at(&self, now: UnixMillis) -> bool {
        self.lock.is_some_and(|lock| lock.holds_at(now))
    }

    /// The locked instant's end, when locked at `now` with an end.
    pub fn locked_until(&self, now: UnixMillis) -> Option<UnixMillis> {
        match self.lock {
            Some(Lock::Until(until)) if now < until => Some(until),
            _ => None,
        }
    }

    /// Clerk's `lockout_expires_in_seconds`: whole seconds left (rounded up)
    /// while locked with an end; `None` when not locked or locked without
    /// end.
    pub fn lockout_expires_in_seconds(&self, now: UnixMillis) -> Option<i64> {
        let until = self.locked_until(now)?;
        let millis = until.as_millis().saturating_sub(now.as_millis());
        Some(millis.saturating_add(999) / 1000)
    }

    /// Whether the user may sign in at `now`: not banned, and no lock holds.
    pub fn may_sign_in(&self, now: UnixMillis) -> Result<(), SignInRefused> {
        if self.banned {
            return Err(SignInRefused::Banned);
        }
        match self.lock {
            Some(lock) if lock.holds_at(now) => Err(SignInRefused::Locked {
                until: match lock {
                    Lock::Until(until) => Some(until),
                    Lock::Indefinitely => None,
                },
            }),
            _ => Ok(()),
        }
    }

    /// Bans the user (their sessions are to be revoked by the caller).
    /// Returns whether anything changed.
    pub fn ban(&mut self, now: UnixMillis) -> bool {
        if self.banned {
            return false;
        }
        self.banned = true;
        self.touch(now);
        true
    }

    /// Lifts the ban. Returns whether anything changed.
    pub fn unban(&mut self, now: UnixMillis) -> bool {
        if !self.banned {
            return false;
        }
        self.banned = false;
        self.touch(now);
        true
    }

    /// Locks the user for `duration` from `now` (the instance's lockout
    /// duration), or without end when `None`. Locking again restarts it.
    pub fn lock_for(&mut self, duration: Option<Duration>, now: UnixMillis) {
        self.lock = Some(match duration {
            Some(d) => Lock::Until(now.saturating_add(d)),
            None => Lock::Indefinitely,
        });
        self.touch(now);
    }

    /// Removes the lock, whether or not it still held. Returns whether a
    /// lock was stored.
    pub fn unlock(&mut self, now: UnixMillis) -> bool {
        if self.lock.take().is_none() {
            return false;
        }
        self.touch(now);
        true
    }

    // ----- activity -----

    /// A sign-in at `now`: `last_sign_in_at`, and activity.
    pub fn record_sign_in(&mut self, now: UnixMillis) {
        self.last_sign_in_at = Some(now);
        self.record_activity(now);
        self.touch(now);
    }

    /// Session activity at `now`. Clerk keeps `last_active_at` "with day
    /// precision": it moves to the start (UTC) of `now`'s day, so at most one
    /// write per user per day. Returns whether it moved.
    pub fn record_activity(&mut self, now: UnixMillis) -> bool {
        let day = UnixMillis::new(now.as_millis().div_euclid(DAY_MILLIS) * DAY_MILLIS);
        if self.last_active_at.is_some_and(|last| last >= day) {
            return false;
        }
        self.last_active_at = Some(day);
        true
    }

    // ----- profile -----

    /// Applies a `PATCH /v1/users/{id}`: checked in full before anything
    /// changes. Returns whether anything changed.
    pub fn update(&mut self, patch: UserPatch, now: UnixMillis) -> Result<bool, UserError> {
        if let Some(id) = &patch.primary_email_address_id {
            self.check_primary_email(id)?;
        }
        if let Some(id) = &patch.primary_phone_number_id {
            self.check_primary_phone(id)?;
        }
        if matches!(patch.username, Some(None))
            && self.username.is_some()
            && self.identification_count() == 1
        {
            return Err(UserError::LastIdentification);
        }
        let before = self.to_record();
        if let Some(v) = patch.external_id {
            self.external_id = v;
        }
        if let Some(v) = patch.first_name {
            self.first_name = v;
        }
        if let Some(v) = patch.last_name {
            self.last_name = v;
        }
        if let Some(v) = patch.username {
            self.username = v;
        }
        if let Some(v) = patch.image_url {
            self.image_url = v;
        }
        if let Some(id) = patch.primary_email_address_id {
            self.primary_email_address_id = Some(id);
        }
        if let Some(id) = patch.primary_phone_number_id {
            self.primary_phone_number_id = Some(id);
        }
        if let Some(digest) = patch.password {
            self.password = Some(PasswordCredential {
                digest,
                updated_at: now,
            });
        }
        let changed = self.to_record() != before;
        if changed {
            self.touch(now);
        }
        Ok(changed)
    }

    /// `PATCH /v1/users/{id}/metadata`: every present object deep-merged;
    /// all three checked against the cap before any is stored.
    pub fn merge_metadata(
        &mut self,
        patch: UserMetadataPatch,
        now: UnixMillis,
    ) -> Result<(), UserError> {
        let public = merge_field(
            MetadataField::Public,
            &self.public_metadata,
            patch.public_metadata.as_ref(),
        )?;
        let private = merge_field(
            MetadataField::Private,
            &self.private_metadata,
            patch.private_metadata.as_ref(),
        )?;
        let unsafe_ = merge_field(
            MetadataField::Unsafe,
            &self.unsafe_metadata,
            patch.unsafe_metadata.as_ref(),
        )?;
        self.replace_metadata(
            UserMetadataReplacement {
                public_metadata: public,
                private_metadata: private,
                unsafe_metadata: unsafe_,
            },
            now,
        );
        Ok(())
    }

    /// `PUT /v1/users/{id}/metadata`: every present object replaces the
    /// user's.
    pub fn replace_metadata(&mut self, replacement: UserMetadataReplacement, now: UnixMillis) {
        if let Some(m) = replacement.public_metadata {
            self.public_metadata = m;
        }
        if let Some(m) = replacement.private_metadata {
            self.private_metadata = m;
        }
        if let Some(m) = replacement.unsafe_metadata {
            self.unsafe_metadata = m;
        }
        self.touch(now);
    }
}

mod identifiers;

/// The identifier Clerk shows for a user (`identifier` in
/// `public_user_data`): the primary email address, else the primary phone
/// number, else the username.
pub fn shown_identifier<'a>(
    primary_email_address: Option<&'a str>,
    primary_phone_number: Option<&'a str>,
    username: Option<&'a str>,
) -> Option<&'a str> {
    primary_email_address.or(primary_phone_number).or(username)
}

#[cfg(test)]
mod tests;
