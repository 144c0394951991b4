//! Organizations: the teams users act for.
//!
//! An [`Organization`] has a name, a slug unique per instance (the store's
//! unique index on [`Slug::as_str`]), an image URL, public and private
//! metadata, a membership limit and who created it. Its member count is the
//! store's to count, not a field.
//!
//! The Backend API's `{organization_id}` path parameter and the Frontend
//! API's activation parameters take an id or a slug: [`OrganizationRef`].

use std::fmt;

use crate::id::{OrganizationId, UserId};
use crate::json::JsonObject;
use crate::metadata::{Metadata, MetadataFieldError};
use crate::time::UnixMillis;
use crate::user::{FieldError, ImageUrl};

/// An organization's name: 1 to [`OrganizationName::MAX_CHARS`] characters
/// once trimmed, no control characters, and (Backend API: "May not contain
/// URLs or HTML") no `<`, `>` or `://`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrganizationName(String);

impl OrganizationName {
    /// "Max length: 256" (Backend API, `POST /v1/organizations`).
    pub const MAX_CHARS: usize = 256;

    /// Validates a name; surrounding whitespace is trimmed.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        const FIELD: &str = "name";
        let value = value.trim();
        if value.is_empty() {
            return Err(FieldError::Empty { field: FIELD });
        }
        if value.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::TooLong {
                field: FIELD,
                max: Self::MAX_CHARS,
            });
        }
        if value
            .chars()
            .any(|c| c.is_control() || c == '<' || c == '>')
            || value.contains("://")
        {
            return Err(FieldError::InvalidCharacter { field: FIELD });
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Rebuilds a stored name without validating it again.
    pub fn from_record(value: String) -> Self {
        Self(value)
    }
}

impl fmt::Display for OrganizationName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An organization's slug: 1 to [`Slug::MAX_CHARS`] of lowercase ASCII
/// letters, digits and `-` (Backend API: "Can contain only lowercase
/// alphanumeric characters and the dash "-". Must be unique for the
/// instance."). Having no `_`, a slug never looks like an `org_` id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slug(String);

impl Slug {
    /// The most characters a slug may have (a name's cap: every name has a
    /// slug that fits).
    pub const MAX_CHARS: usize = 256;
    /// The slug of a name with no ASCII letter or digit.
    pub const FALLBACK: &'static str = "organization";

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        const FIELD: &str = "slug";
        if value.is_empty() {
            return Err(FieldError::Empty { field: FIELD });
        }
        if !value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(FieldError::InvalidCharacter { field: FIELD });
        }
        if value.len() > Self::MAX_CHARS {
            return Err(FieldError::TooLong {
                field: FIELD,
                max: Self::MAX_CHARS,
            });
        }
        Ok(Self(value.to_owned()))
    }

    /// The slug Clerk's components propose for a name (`createSlug` in
    /// `@clerk/ui`: lowercase, every run of other characters one `-`), with
    /// the dashes at either end dropped, and [`Slug::FALLBACK`] when nothing
    /// is left.
    pub fn from_name(name: &OrganizationName) -> Self {
        let mut slug = String::with_capacity(name.as_str().len());
        let mut dash = false;
        for c in name.as_str().chars() {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                if dash && !slug.is_empty() {
                    slug.push('-');
                }
                dash = false;
                slug.push(c);
            } else {
                dash = true;
            }
        }
        if slug.is_empty() {
            slug.push_str(Self::FALLBACK);
        }
        slug.truncate(Self::MAX_CHARS);
        Self(slug)
    }

    /// This slug with `-` and a suffix drawn from `bits` (6 characters of
    /// `[0-9a-z]`), shortened to stay within [`Slug::MAX_CHARS`]: what to try
    /// when a generated slug is taken.
    pub fn with_suffix(&self, bits: u64) -> Self {
        const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        const LEN: usize = 6;
        let mut n = bits;
        let mut suffix = String::with_capacity(LEN);
        for _ in 0..LEN {
            suffix.push(char::from(ALPHABET[(n % 36) as usize]));
            n /= 36;
        }
        let keep = self.0.len().min(Self::MAX_CHARS - LEN - 1);
        let base = self.0[..keep].trim_end_matches('-');
        Self(format!("{base}-{suffix}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Rebuilds a stored slug without validating it again.
    pub fn from_record(value: String) -> Self {
        Self(value)
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `max_allowed_memberships`: how many members an organization may have;
/// 0 means no limit, as in Clerk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct MembershipLimit(u32);

impl MembershipLimit {
    /// No limit.
    pub const UNLIMITED: Self = Self(0);

    pub const fn new(max: u32) -> Self {
        Self(max)
    }

    /// Validates the Backend API's integer (minimum 0).
    pub fn from_i64(value: i64) -> Result<Self, FieldError> {
        u32::try_from(value)
            .map(Self)
            .map_err(|_| FieldError::InvalidFormat {
                field: "max_allowed_memberships",
            })
    }

    /// The wire value (0 = unlimited).
    pub fn get(self) -> u32 {
        self.0
    }

    /// Whether an organization with `members` members may take one more.
    pub fn admits_another(self, members: u64) -> bool {
        self.0 == 0 || members < u64::from(self.0)
    }
}

/// What `POST /v1/organizations` creates; every value is already valid.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrganization {
    pub name: OrganizationName,
    /// Generated from the name when absent ([`Slug::from_name`]).
    pub slug: Option<Slug>,
    pub image_url: Option<ImageUrl>,
    pub public_metadata: Metadata,
    pub private_metadata: Metadata,
    pub max_allowed_memberships: MembershipLimit,
    pub admin_delete_enabled: bool,
    /// The user who becomes its first member, with the creator role.
    pub created_by: Option<UserId>,
    /// Clerk's `created_at` for imported organizations; `now` when absent.
    pub created_at: Option<UnixMillis>,
}

impl NewOrganization {
    /// An organization with this name and every other field at its default
    /// (no limit, admins may delete it, empty metadata).
    pub fn named(name: OrganizationName) -> Self {
        Self {
            name,
            slug: None,
            image_url: None,
            public_metadata: Metadata::empty(),
            private_metadata: Metadata::empty(),
            max_allowed_memberships: MembershipLimit::UNLIMITED,
            admin_delete_enabled: true,
            created_by: None,
            created_at: None,
        }
    }
}

/// `PATCH /v1/organizations/{id}`: `None` leaves a field alone.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrganizationPatch {
    pub name: Option<OrganizationName>,
    pub slug: Option<Slug>,
    pub image_url: Option<Option<ImageUrl>>,
    pub max_allowed_memberships: Option<MembershipLimit>,
    pub admin_delete_enabled: Option<bool>,
}

/// An organization of the instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    id: OrganizationId,
    name: OrganizationName,
    slug: Slug,
    image_url: Option<ImageUrl>,
    public_metadata: Metadata,
    private_metadata: Metadata,
    max_allowed_memberships: MembershipLimit,
    admin_delete_enabled: bool,
    created_by: Option<UserId>,
    created_at: UnixMillis,
    updated_at: UnixMillis,
}

/// All the stored fields of an organization, for storage adapters.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationRecord {
    pub id: OrganizationId,
    pub name: OrganizationName,
    pub slug: Slug,
    pub image_url: Option<ImageUrl>,
    pub public_metadata: Metadata,
    pub private_metadata: Metadata,
    pub max_allowed_memberships: MembershipLimit,
    pub admin_delete_enabled: bool,
    pub created_by: Option<UserId>,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
}

impl Organization {
    /// Creates an organization at `now` with the id `id`
    /// ([`OrganizationId::from_random`]). Its creator's membership is made
    /// with [`crate::membership::Membership::create`] and the role set's
    /// creator role.
    pub fn create(new: NewOrganization, id: OrganizationId, now: UnixMillis) -> Self {
        let slug = new.slug.unwrap_or_else(|| Slug::from_name(&new.name));
        Self {
            id,
            name: new.name,
            slug,
            image_url: new.image_url,
            public_metadata: new.public_metadata,
            private_metadata: new.private_metadata,
            max_allowed_memberships: new.max_allowed_memberships,
            admin_delete_enabled: new.admin_delete_enabled,
            created_by: new.created_by,
            created_at: new.created_at.unwrap_or(now),
            updated_at: now,
        }
    }

    /// Rebuilds an organization from storage.
    pub fn from_record(r: OrganizationRecord) -> Self {
        Self {
            id: r.id,
            name: r.name,
            slug: r.slug,
            image_url: r.image_url,
            public_metadata: r.public_metadata,
            private_metadata: r.private_metadata,
            max_allowed_memberships: r.max_allowed_memberships,
            admin_delete_enabled: r.admin_delete_enabled,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }

    /// The stored fields.
    pub fn to_record(&self) -> OrganizationRecord {
        OrganizationRecord {
            id: self.id.clone(),
            name: self.name.clone(),
            slug: self.slug.clone(),
            image_url: self.image_url.clone(),
            public_metadata: self.public_metadata.clone(),
            private_metadata: self.private_metadata.clone(),
            max_allowed_memberships: self.max_allowed_memberships,
            admin_delete_enabled: self.admin_delete_enabled,
            created_by: self.created_by.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    pub fn id(&self) -> &OrganizationId {
        &self.id
    }
    pub fn name(&self) -> &OrganizationName {
        &self.name
    }
    pub fn slug(&self) -> &Slug {
        &self.slug
    }
    pub fn image_url(&self) -> Option<&ImageUrl> {
        self.image_url.as_ref()
    }
    pub fn public_metadata(&self) -> &Metadata {
        &self.public_metadata
    }
    pub fn private_metadata(&self) -> &Metadata {
        &self.private_metadata
    }
    pub fn max_allowed_memberships(&self) -> MembershipLimit {
        self.max_allowed_memberships
    }
    pub fn admin_delete_enabled(&self) -> bool {
        self.admin_delete_enabled
    }
    pub fn created_by(&self) -> Option<&UserId> {
        self.created_by.as_ref()
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

    /// Applies a `PATCH /v1/organizations/{id}`. Returns whether anything
    /// changed. (The new slug's uniqueness is the store's check.)
    pub fn update(&mut self, patch: OrganizationPatch, now: UnixMillis) -> bool {
        let before = self.to_record();
        if let Some(v) = patch.name {
            self.name = v;
        }
        if let Some(v) = patch.slug {
            self.slug = v;
        }
        if let Some(v) = patch.image_url {
            self.image_url = v;
        }
        if let Some(v) = patch.max_allowed_memberships {
            self.max_allowed_memberships = v;
        }
        if let Some(v) = patch.admin_delete_enabled {
            self.admin_delete_enabled = v;
        }
        let changed = self.to_record() != before;
        if changed {
            self.touch(now);
        }
        changed
    }

    /// `PATCH /v1/organizations/{id}/metadata`: each present object is
    /// deep-merged; both are checked before either is stored.
    pub fn merge_metadata(
        &mut self,
        public: Option<&JsonObject>,
        private: Option<&JsonObject>,
        now: UnixMillis,
    ) -> Result<(), MetadataFieldError> {
        let (public, private) = crate::metadata::merge_pair(
            (&self.public_metadata, public),
            (&self.private_metadata, private),
        )?;
        self.replace_metadata(public, private, now);
        Ok(())
    }

    /// `PUT /v1/organizations/{id}/metadata`: each present object replaces.
    pub fn replace_metadata(
        &mut self,
        public: Option<Metadata>,
        private: Option<Metadata>,
        now: UnixMillis,
    ) {
        if let Some(m) = public {
            self.public_metadata = m;
        }
        if let Some(m) = private {
            self.private_metadata = m;
        }
        self.touch(now);
    }

    /// Whether one more member may join, given the current member count
    /// (0 = unlimited).
    pub fn admits_another_member(&self, members: u64) -> bool {
        self.max_allowed_memberships.admits_another(members)
    }
}

/// An organization named by id or by slug (`GET /v1/organizations/{id or
/// slug}`, the handshake's `organization_id`, touch's
/// `active_organization_id`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OrganizationRef {
    /// Starts with `org_`: only an id (slugs have no `_`).
    Id(OrganizationId),
    /// Not a valid id (for instance too long): only a slug.
    Slug(Slug),
    /// Valid as both: an id from before Hallpass stored organizations (say
    /// `acme`) or a slug. Stores look the id up first, then the slug.
    IdOrSlug(OrganizationId, Slug),
}

/// Neither an organization id nor a slug.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not an organization id or slug")]
pub struct InvalidOrganizationRef;

impl OrganizationRef {
    /// Parses an id or a slug. The empty string is refused: where it means
    /// "the personal account", the caller says so before parsing.
    pub fn parse(value: &str) -> Result<Self, InvalidOrganizationRef> {
        let id = OrganizationId::parse(value).ok();
        if value.starts_with(OrganizationId::PREFIX) {
            return id.map(Self::Id).ok_or(InvalidOrganizationRef);
        }
        match (id, Slug::parse(value).ok()) {
            (Some(id), Some(slug)) => Ok(Self::IdOrSlug(id, slug)),
            (Some(id), None) => Ok(Self::Id(id)),
            (None, Some(slug)) => Ok(Self::Slug(slug)),
            (None, None) => Err(InvalidOrganizationRef),
        }
    }

    /// The id to look up, if the value can be one.
    pub fn id(&self) -> Option<&OrganizationId> {
        match self {
            Self::Id(id) | Self::IdOrSlug(id, _) => Some(id),
            Self::Slug(_) => None,
        }
    }

    /// The slug to look up, if the value can be one.
    pub fn slug(&self) -> Option<&Slug> {
        match self {
            Self::Slug(slug) | Self::IdOrSlug(_, slug) => Some(slug),
            Self::Id(_) => None,
        }
    }

    /// Whether `organization` is the one named.
    pub fn matches(&self, organization: &Organization) -> bool {
        self.id() == Some(organization.id()) || self.slug() == Some(organization.slug())
    }
}

#[cfg(test)]
mod tests;
