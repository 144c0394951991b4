//! Memberships: a user's place in an organization, with a role.
//!
//! Rules: the role must be one of the instance's [`RoleSet`] (an unknown role
//! is an error, never a member without permissions); an organization at its
//! `max_allowed_memberships` takes no one more (the current count is the
//! caller's, read from the store with the organization). One membership per
//! user and organization is the store's unique index.

use crate::id::{OrganizationId, OrganizationMembershipId, UserId};
use crate::json::JsonObject;
use crate::metadata::{Metadata, MetadataFieldError};
use crate::organization::Organization;
use crate::role::{Permission, Role, RoleSet};
use crate::time::UnixMillis;

/// Why a membership cannot be made or changed. Nothing changes when one is
/// returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MembershipError {
    /// The role is not in the instance's role set.
    #[error("role `{0}` does not exist")]
    UnknownRole(Role),
    /// The organization has `max` members already.
    #[error("the organization has reached its limit of {max} memberships")]
    LimitReached { max: u32 },
    /// A metadata object refused.
    #[error(transparent)]
    Metadata(#[from] MetadataFieldError),
}

/// What `POST /v1/organizations/{id}/memberships` creates.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewMembership {
    /// The role set's default role when absent.
    pub role: Option<Role>,
    pub public_metadata: Metadata,
    pub private_metadata: Metadata,
}

impl NewMembership {
    /// A membership with `role` (or the default role) and empty metadata.
    pub fn with_role(role: Option<Role>) -> Self {
        Self {
            role,
            ..Self::default()
        }
    }
}

/// A user's membership in an organization.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    id: OrganizationMembershipId,
    organization_id: OrganizationId,
    user_id: UserId,
    role: Role,
    public_metadata: Metadata,
    private_metadata: Metadata,
    created_at: UnixMillis,
    updated_at: UnixMillis,
}

/// All the stored fields of a membership, for storage adapters.
#[derive(Debug, Clone, PartialEq)]
pub struct MembershipRecord {
    pub id: OrganizationMembershipId,
    pub organization_id: OrganizationId,
    pub user_id: UserId,
    pub role: Role,
    pub public_metadata: Metadata,
    pub private_metadata: Metadata,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
}

impl Membership {
    /// Adds `user_id` to `organization`, which has `members` members now.
    /// Refused for a role outside `roles` and for an organization at its
    /// limit.
    pub fn create(
        organization: &Organization,
        user_id: UserId,
        new: NewMembership,
        members: u64,
        roles: &RoleSet,
        id: OrganizationMembershipId,
        now: UnixMillis,
    ) -> Result<Self, MembershipError> {
        let role = new.role.unwrap_or_else(|| roles.default_role().clone());
        if !roles.contains(&role) {
            return Err(MembershipError::UnknownRole(role));
        }
        if !organization.admits_another_member(members) {
            return Err(MembershipError::LimitReached {
                max: organization.max_allowed_memberships().get(),
            });
        }
        Ok(Self {
            id,
            organization_id: organization.id().clone(),
            user_id,
            role,
            public_metadata: new.public_metadata,
            private_metadata: new.private_metadata,
            created_at: now,
            updated_at: now,
        })
    }

    /// The first membership of a new organization: its `created_by` user
    /// with the creator role. `None` when nobody is named as creator.
    pub fn for_creator(
        organization: &Organization,
        roles: &RoleSet,
        id: OrganizationMembershipId,
        now: UnixMillis,
    ) -> Result<Option<Self>, MembershipError> {
        let Some(creator) = organization.created_by() else {
            return Ok(None);
        };
        let new = NewMembership::with_role(Some(roles.creator_role().clone()));
        Self::create(organization, creator.clone(), new, 0, roles, id, now).map(Some)
    }

    /// Rebuilds a membership from storage.
    pub fn from_record(r: MembershipRecord) -> Self {
        Self {
            id: r.id,
            organization_id: r.organization_id,
            user_id: r.user_id,
            role: r.role,
            public_metadata: r.public_metadata,
            private_metadata: r.private_metadata,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }

    /// The stored fields.
    pub fn to_record(&self) -> MembershipRecord {
        MembershipRecord {
            id: self.id.clone(),
            organization_id: self.organization_id.clone(),
            user_id: self.user_id.clone(),
            role: self.role.clone(),
            public_metadata: self.public_metadata.clone(),
            private_metadata: self.private_metadata.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    pub fn id(&self) -> &OrganizationMembershipId {
        &self.id
    }
    pub fn organization_id(&self) -> &OrganizationId {
        &self.organization_id
    }
    pub fn user_id(&self) -> &UserId {
        &self.user_id
    }
    pub fn role(&self) -> &Role {
        &self.role
    }
    pub fn public_metadata(&self) -> &Metadata {
        &self.public_metadata
    }
    pub fn private_metadata(&self) -> &Metadata {
        &self.private_metadata
    }
    pub fn created_at(&self) -> UnixMillis {
        self.created_at
    }
    pub fn updated_at(&self) -> UnixMillis {
        self.updated_at
    }

    /// Whether this is `user`'s membership in `organization`.
    pub fn is_of(&self, user: &UserId, organization: &OrganizationId) -> bool {
        &self.user_id == user && &self.organization_id == organization
    }

    /// The role's permissions in `roles`, system ones included; `None` when
    /// the role is no longer in the set (configuration changed).
    pub fn permissions<'r>(&self, roles: &'r RoleSet) -> Option<&'r [Permission]> {
        roles.permissions_of(&self.role)
    }

    /// Every change moves `updated_at` strictly forward, so the store's
    /// compare-and-set detects a concurrent change (see
    /// [`UnixMillis::next_update_after`]).
    fn touch(&mut self, now: UnixMillis) {
        self.updated_at = now.next_update_after(self.updated_at);
    }

    /// `PATCH /v1/organizations/{id}/memberships/{user_id}`: a new role from
    /// `roles`. Returns whether it changed.
    pub fn set_role(
        &mut self,
        role: Role,
        roles: &RoleSet,
        now: UnixMillis,
    ) -> Result<bool, MembershipError> {
        if !roles.contains(&role) {
            return Err(MembershipError::UnknownRole(role));
        }
        if self.role == role {
            return Ok(false);
        }
        self.role = role;
        self.touch(now);
        Ok(true)
    }

    /// `PATCH …/memberships/{user_id}/metadata`: deep merge of each present
    /// object, both checked before either is stored.
    pub fn merge_metadata(
        &mut self,
        public: Option<&JsonObject>,
        private: Option<&JsonObject>,
        now: UnixMillis,
    ) -> Result<(), MembershipError> {
        let (public, private) = crate::metadata::merge_pair(
            (&self.public_metadata, public),
            (&self.private_metadata, private),
        )?;
        if let Some(m) = public {
            self.public_metadata = m;
        }
        if let Some(m) = private {
            self.private_metadata = m;
        }
        self.touch(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
