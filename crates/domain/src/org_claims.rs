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
use crate::session::Session;

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

impl OrgClaims {
    /// Reads v1 claims back (tokens Hallpass signed, for its own checks and
    /// tools). `None` when a value is not one Hallpass could have written.
    pub fn from_v1(v1: &OrgClaimsV1) -> Option<Self> {
        let mut permissions = v1
            .org_permissions
            .iter()
            .map(|p| Permission::parse(p).ok())
            .collect::<Option<Vec<_>>>()?;
        permissions.sort();
        permissions.dedup();
        Some(Self {
            id: OrganizationId::parse(&v1.org_id).ok()?,
            slug: Slug::parse(&v1.org_slug).ok()?,
            role: Role::parse(&v1.org_role).ok()?,
            permissions,
        })
    }

    /// Reads v2 claims back as `@clerk/shared`'s parser does: the role is
    /// `org:` + `rol`; with `per` and `fpm` both present, feature `i` of
    /// `fea`'s organization scope (`o`, `ou`, `uo`) takes bitmap `i` of
    /// `fpm`, whose bit `j` grants action `j` of `per`. `None` when a value
    /// is not one Hallpass could have written (a bitmap that is not a
    /// number, a bit beyond the actions, more bitmaps than features).
    pub fn from_v2(v2: &OrgClaimsV2) -> Option<Self> {
        let mut permissions = Vec::new();
        if let (Some(per), Some(fpm)) = (v2.per.as_deref(), v2.fpm.as_deref()) {
            let actions: Vec<&str> = per.split(',').map(str::trim).collect();
            let features: Vec<&str> = v2
                .fea
                .as_deref()
                .unwrap_or_default()
                .split(',')
                .filter_map(|f| {
                    let (scope, feature) = f.trim().split_once(':')?;
                    matches!(scope, "o" | "ou" | "uo").then_some(feature)
                })
                .collect();
            let bitmaps: Vec<u64> = fpm
                .split(',')
                .map(|m| m.trim().parse().ok())
                .collect::<Option<_>>()?;
            if bitmaps.len() > features.len() {
                return None;
            }
            for (feature, bitmap) in features.iter().zip(bitmaps) {
                if actions.len() < 64 && bitmap >> actions.len() != 0 {
                    return None;
                }
                for (i, action) in actions.iter().enumerate() {
                    if i < 64 && bitmap >> i & 1 == 1 {
                        permissions
                            .push(Permission::parse(&format!("org:{feature}:{action}")).ok()?);
                    }
                }
            }
        }
        permissions.sort();
        permissions.dedup();
        Some(Self {
            id: OrganizationId::parse(&v2.id).ok()?,
            slug: Slug::parse(&v2.slg).ok()?,
            role: Role::parse(&format!("org:{}", v2.rol)).ok()?,
            permissions,
        })
    }
}

/// What a session's active organization gives a session token minted now
/// ([`TokenOrganization::resolve`]): the claims follow the membership as it
/// is at mint time, never what was true when the organization was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenOrganization {
    /// No organization is active: the personal account.
    Personal,
    /// The active organization, with the role and permissions the
    /// membership has now.
    Active(OrgClaims),
    /// The active organization, or the user's membership in it, is gone
    /// (deleted, removed): the token carries no organization and the
    /// session forgets it.
    Gone(OrganizationId),
    /// The membership exists but gives no claims (its role left the role
    /// set, or it is not this user's in this organization): the token
    /// carries no organization (fail closed) and the session keeps it, so
    /// that fixing the configuration brings it back.
    Withheld(OrganizationId, OrgClaimsError),
}

impl TokenOrganization {
    /// Decides what a token for `session` carries, given what the minting
    /// read found for its active organization: the organization and the
    /// membership of the session's user in it (`None`: either is gone).
    pub fn resolve(
        session: &Session,
        found: Option<(&Organization, &Membership)>,
        roles: &RoleSet,
    ) -> Self {
        let Some(active) = session.last_active_organization_id() else {
            return Self::Personal;
        };
        let Some((organization, membership)) = found else {
            return Self::Gone(active.clone());
        };
        if organization.id() != active {
            return Self::Withheld(active.clone(), OrgClaimsError::NotAMember);
        }
        match OrgClaims::build(session.user_id(), organization, membership, roles) {
            Ok(claims) => Self::Active(claims),
            Err(e) => Self::Withheld(active.clone(), e),
        }
    }

    /// The claims a token carries: only [`TokenOrganization::Active`] has
    /// any.
    pub fn claims(&self) -> Option<&OrgClaims> {
        match self {
            Self::Active(claims) => Some(claims),
            _ => None,
        }
    }

    /// [`Self::claims`], owned.
    pub fn into_claims(self) -> Option<OrgClaims> {
        match self {
            Self::Active(claims) => Some(claims),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
