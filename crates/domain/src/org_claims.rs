//! The active organization in a session token, built from the membership at
//! mint time and encoded as Clerk's SDKs decode it.
//!
//! [`OrgClaims`] is the value: which organization, which role, which custom
//! permissions. Clerk leaves system permissions (`org:sys_*`) out of session
//! tokens, and so does Hallpass: `has({ permission: 'org:sys_…' })` is false
//! on the server, as with Clerk.
//!
//! Two encodings, as plain values for the JWT adapter to serialise:
//!
//! - v1 ([`OrgClaimsV1`]): `org_id`, `org_slug`, `org_role` (with `org:`),
//!   `org_permissions` (the permission keys).
//! - v2 ([`OrgClaimsV2`]), as `@clerk/shared`'s `jwtPayloadParser` reads it
//!   (and <https://clerk.com/docs/guides/sessions/session-tokens>, "Decode
//!   o.fpm manually"): `o: { id, slg, rol, per, fpm }` and a top-level `fea`.
//!   `rol` is the role without `org:` (the parser puts it back); `fea` lists
//!   the features, each as `o:<feature>`; `per` lists the actions; `fpm` has
//!   one decimal bitmap per feature of `fea`, in the same order, whose bit
//!   `i` (least significant first) grants the `i`-th action of `per`. The
//!   parser rebuilds `org:<feature>:<action>` for every set bit. Features and
//!   actions are listed in sorted order, which gives Clerk's worked example
//!   (`dashboard:read`, `dashboard:manage`, `teams:read` → `fea:
//!   o:dashboard,o:teams`, `per: manage,read`, `fpm: 3,2`). With no custom
//!   permission, `per`, `fpm` and `fea` are absent (the parser then yields no
//!   permissions).

use std::collections::BTreeSet;

use crate::id::{OrganizationId, UserId};
use crate::membership::Membership;
use crate::organization::{Organization, Slug};
use crate::role::{Permission, Role, RoleSet};

/// Why a membership gives no organization claims.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgClaimsError {
    /// The membership is not this user's in this organization.
    #[error("the user is not a member of the organization")]
    NotAMember,
    /// The membership's role is no longer in the role set; fail closed.
    #[error("role `{0}` does not exist")]
    UnknownRole(Role),
}

/// The active organization as a session token states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgClaims {
    pub id: OrganizationId,
    pub slug: Slug,
    pub role: Role,
    /// The role's custom permissions (no `org:sys_*`), sorted by key.
    pub permissions: Vec<Permission>,
}

/// The v1 claims (tokens for Clerk API versions before 2025-04-10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgClaimsV1 {
    /// `org_id`
    pub org_id: String,
    /// `org_slug`
    pub org_slug: String,
    /// `org_role`, with `org:`.
    pub org_role: String,
    /// `org_permissions`: the permission keys.
    pub org_permissions: Vec<String>,
}

/// The v2 claims: the members of the `o` object, and the top-level `fea`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgClaimsV2 {
    /// `o.id`
    pub id: String,
    /// `o.slg`
    pub slg: String,
    /// `o.rol`: the role without `org:`.
    pub rol: String,
    /// `o.per`: the actions, comma-separated; absent without permissions.
    pub per: Option<String>,
    /// `o.fpm`: one decimal bitmap per feature, comma-separated; absent
    /// without permissions.
    pub fpm: Option<String>,
    /// `fea` (a top-level claim, not in `o`): `o:<feature>`, comma-separated;
    /// absent without permissions.
    pub fea: Option<String>,
}

impl OrgClaims {
    /// The claims for `user` acting for `organization` through
    /// `membership`, with the role's permissions from `roles`. Refused when
    /// the membership is not `user`'s in `organization`, or its role has left
    /// the role set.
    pub fn build(
        user: &UserId,
        organization: &Organization,
        membership: &Membership,
        roles: &RoleSet,
    ) -> Result<Self, OrgClaimsError> {
        if !membership.is_of(user, organization.id()) {
            return Err(OrgClaimsError::NotAMember);
        }
        let role = membership.role();
        let all = roles
            .permissions_of(role)
            .ok_or_else(|| OrgClaimsError::UnknownRole(role.clone()))?;
        let mut permissions: Vec<Permission> =
            all.iter().filter(|p| !p.is_system()).cloned().collect();
        permissions.sort();
        Ok(Self {
            id: organization.id().clone(),
            slug: organization.slug().clone(),
            role: role.clone(),
            permissions,
        })
    }

    /// The v1 encoding.
    pub fn v1(&self) -> OrgClaimsV1 {
        OrgClaimsV1 {
            org_id: self.id.as_str().to_owned(),
            org_slug: self.slug.as_str().to_owned(),
            org_role: self.role.as_str().to_owned(),
            org_permissions: self
                .permissions
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
        }
    }

    /// The v2 encoding.
    pub fn v2(&self) -> OrgClaimsV2 {
        let features: Vec<&str> = self
            .permissions
            .iter()
            .map(Permission::feature)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let actions: Vec<&str> = self
            .permissions
            .iter()
            .map(Permission::action)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut bitmaps = vec![0u64; features.len()];
        for p in &self.permissions {
            let f = features.iter().position(|f| *f == p.feature());
            let a = actions.iter().position(|a| *a == p.action());
            // Both are found (the lists come from these permissions), and a
            // role has at most 53 actions (`RoleSet::new`): the bit exists.
            let bit = a
                .and_then(|a| u32::try_from(a).ok())
                .and_then(|a| 1u64.checked_shl(a));
            if let (Some(f), Some(bit)) = (f, bit) {
                bitmaps[f] |= bit;
            }
        }
        let some = |s: String| (!self.permissions.is_empty()).then_some(s);
        OrgClaimsV2 {
            id: self.id.as_str().to_owned(),
            slg: self.slug.as_str().to_owned(),
            rol: self.role.name().to_owned(),
            per: some(actions.join(",")),
            fpm: some(
                bitmaps
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            fea: some(
                features
                    .iter()
                    .map(|f| format!("o:{f}"))
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        }
    }
}

#[cfg(test)]
mod tests;
