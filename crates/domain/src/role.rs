//! Organization roles and permissions, as Clerk names them.
//!
//! - A [`Role`] key is `org:<name>`, the name lowercase letters, digits and
//!   underscores (Backend API, `POST /v1/organization_roles`: "Must start
//!   with 'org:' and contain only lowercase alphanumeric characters and
//!   underscores").
//! - A [`Permission`] key is `org:<feature>:<action>`, both segments
//!   lowercase letters, digits or underscores (`POST
//!   /v1/organization_permissions`). Keys starting `org:sys_` are Clerk's
//!   system permissions ([`SYSTEM_PERMISSIONS`], the six of `@clerk/shared`'s
//!   `OrganizationSystemPermissionKey`); no other `org:sys_` key exists.
//! - Clerk's defaults: `org:admin` has every system permission, `org:member`
//!   has `org:sys_memberships:read`; a new organization's creator gets the
//!   creator role (`org:admin`), and a member added without a role the
//!   default role (`org:member`).
//!
//! A [`RoleSet`] is the instance's roles, built and validated once from a
//! plain [`RoleSetDescription`] (the binary's configuration).

use std::collections::BTreeSet;
use std::fmt;

/// Clerk's system permissions, granted through roles like any other but
/// never carried in session tokens ("System permissions (e.g.,
/// `org:sys_domains:manage`) are intentionally excluded from session claims
/// to maintain reasonable JWT sizes", `@clerk/types` 4.40.2).
pub const SYSTEM_PERMISSIONS: [&str; 6] = [
    "org:sys_profile:manage",
    "org:sys_profile:delete",
    "org:sys_memberships:read",
    "org:sys_memberships:manage",
    "org:sys_domains:read",
    "org:sys_domains:manage",
];

/// The system permissions a creator role must have (Clerk: "The Creator role
/// must at least have the following System Permissions: Manage members,
/// Read members, Delete organization").
pub const CREATOR_PERMISSIONS: [&str; 3] = [
    "org:sys_memberships:manage",
    "org:sys_memberships:read",
    "org:sys_profile:delete",
];

/// The most distinct actions one role's custom permissions may use: a v2
/// token's `fpm` bitmaps have one bit per action, and Clerk's SDKs before
/// 2026-08 read them as JavaScript numbers, exact up to 2^53.
pub const MAX_ACTIONS_PER_ROLE: usize = 53;

/// Why a role key, a permission key or a role set was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    #[error("role `{0}` must be `org:` and lowercase letters, digits or underscores")]
    InvalidRole(String),
    #[error(
        "permission `{0}` must be `org:<feature>:<action>`, each lowercase letters, digits or underscores"
    )]
    InvalidPermission(String),
    #[error("`{0}` is not a system permission, and `org:sys_` is reserved for them")]
    UnknownSystemPermission(String),
    #[error("role `{0}` is described twice")]
    DuplicateRole(String),
    #[error("role `{role}` lists `{permission}` twice")]
    DuplicatePermission { role: String, permission: String },
    #[error("the {which} role `{role}` is not in the role set")]
    MissingRole { which: &'static str, role: String },
    #[error("the creator role `{role}` lacks `{permission}`")]
    CreatorLacks { role: String, permission: String },
    #[error("role `{role}` uses {count} actions, more than the {max} a token can carry")]
    TooManyActions {
        role: String,
        count: usize,
        max: usize,
    },
}

fn valid_segment(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A role key, `org:<name>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Role(String);

impl Role {
    /// The prefix of every role and permission key.
    pub const PREFIX: &'static str = "org:";

    pub fn parse(key: &str) -> Result<Self, RoleError> {
        match key.strip_prefix(Self::PREFIX) {
            Some(name) if valid_segment(name) => Ok(Self(key.to_owned())),
            _ => Err(RoleError::InvalidRole(key.to_owned())),
        }
    }

    /// Clerk's default administrator role, `org:admin`.
    pub fn admin() -> Self {
        Self("org:admin".to_owned())
    }

    /// Clerk's default member role, `org:member`.
    pub fn member() -> Self {
        Self("org:member".to_owned())
    }

    /// The key, `org:admin`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name without `org:` (`admin`): what a v2 token's `o.rol` carries.
    pub fn name(&self) -> &str {
        self.0.strip_prefix(Self::PREFIX).unwrap_or(&self.0)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A permission key, `org:<feature>:<action>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Permission {
    key: String,
    /// Byte index of the `:` between feature and action.
    split: usize,
}

impl Permission {
    pub fn parse(key: &str) -> Result<Self, RoleError> {
        let invalid = || RoleError::InvalidPermission(key.to_owned());
        let rest = key.strip_prefix(Role::PREFIX).ok_or_else(invalid)?;
        let (feature, action) = rest.split_once(':').ok_or_else(invalid)?;
        if !valid_segment(feature) || !valid_segment(action) {
            return Err(invalid());
        }
        if feature.starts_with("sys_") && !SYSTEM_PERMISSIONS.contains(&key) {
            return Err(RoleError::UnknownSystemPermission(key.to_owned()));
        }
        Ok(Self {
            key: key.to_owned(),
            split: Role::PREFIX.len() + feature.len(),
        })
    }

    /// The key, `org:reports:read`.
    pub fn as_str(&self) -> &str {
        &self.key
    }

    /// The feature, `reports`.
    pub fn feature(&self) -> &str {
        &self.key[Role::PREFIX.len()..self.split]
    }

    /// The action, `read`.
    pub fn action(&self) -> &str {
        &self.key[self.split + 1..]
    }

    /// One of Clerk's `org:sys_*` permissions.
    pub fn is_system(&self) -> bool {
        self.feature().starts_with("sys_")
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key)
    }
}

/// One role as configuration describes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleDescription {
    /// `org:<name>`.
    pub key: String,
    /// A display name (Clerk's `role_name`); the key's name when absent.
    pub name: Option<String>,
    /// Permission keys. `org:admin` always has every system permission,
    /// listed or not.
    pub permissions: Vec<String>,
}

/// The instance's roles as configuration describes them. `org:admin` and
/// `org:member` exist with Clerk's permissions unless described here (then
/// `org:admin` still gets every system permission).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleSetDescription {
    pub roles: Vec<RoleDescription>,
    /// The role a new organization's creator gets; `org:admin` when absent.
    pub creator_role: Option<String>,
    /// The role a member added without one gets; `org:member` when absent.
    pub default_role: Option<String>,
}

/// A role of the set with its permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleEntry {
    pub role: Role,
    pub name: String,
    /// Sorted, unique.
    pub permissions: Vec<Permission>,
}

/// The instance's roles, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSet {
    /// Sorted by key.
    roles: Vec<RoleEntry>,
    creator: Role,
    default: Role,
}

impl Default for RoleSet {
    /// Clerk's defaults: `org:admin` (every system permission, the creator
    /// role) and `org:member` (`org:sys_memberships:read`, the default role).
    fn default() -> Self {
        let system = |keys: &[&str]| -> Vec<Permission> {
            let mut v: Vec<Permission> = keys
                .iter()
                .map(|k| Permission {
                    key: (*k).to_owned(),
                    split: k.rfind(':').unwrap_or(0),
                })
                .collect();
            v.sort();
            v
        };
        Self {
            roles: vec![
                RoleEntry {
                    role: Role::admin(),
                    name: "Admin".to_owned(),
                    permissions: system(&SYSTEM_PERMISSIONS),
                },
                RoleEntry {
                    role: Role::member(),
                    name: "Member".to_owned(),
                    permissions: system(&["org:sys_memberships:read"]),
                },
            ],
            creator: Role::admin(),
            default: Role::member(),
        }
    }
}

fn title_case(name: &str) -> String {
    name.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl RoleSet {
    /// Builds and validates a role set: every key valid, no role twice, no
    /// permission twice in a role, `org:sys_` only for Clerk's system
    /// permissions, the creator and default roles present, the creator role
    /// with [`CREATOR_PERMISSIONS`], at most [`MAX_ACTIONS_PER_ROLE`]
    /// distinct actions among a role's custom permissions.
    pub fn new(description: &RoleSetDescription) -> Result<Self, RoleError> {
        let mut set = Self::default();
        let mut described = BTreeSet::new();
        for d in &description.roles {
            let role = Role::parse(&d.key)?;
            if !described.insert(role.clone()) {
                return Err(RoleError::DuplicateRole(d.key.clone()));
            }
            let mut permissions = BTreeSet::new();
            for key in &d.permissions {
                if !permissions.insert(Permission::parse(key)?) {
                    return Err(RoleError::DuplicatePermission {
                        role: d.key.clone(),
                        permission: key.clone(),
                    });
                }
            }
            if role == Role::admin() {
                for key in SYSTEM_PERMISSIONS {
                    permissions.insert(Permission::parse(key)?);
                }
            }
            let actions: BTreeSet<&str> = permissions
                .iter()
                .filter(|p| !p.is_system())
                .map(Permission::action)
                .collect();
            if actions.len() > MAX_ACTIONS_PER_ROLE {
                return Err(RoleError::TooManyActions {
                    role: d.key.clone(),
                    count: actions.len(),
                    max: MAX_ACTIONS_PER_ROLE,
                });
            }
            let entry = RoleEntry {
                name: d.name.clone().unwrap_or_else(|| title_case(role.name())),
                permissions: permissions.into_iter().collect(),
                role,
            };
            match set.roles.iter_mut().find(|e| e.role == entry.role) {
                Some(slot) => *slot = entry,
                None => set.roles.push(entry),
            }
        }
        set.roles.sort_by(|a, b| a.role.cmp(&b.role));
        if let Some(key) = &description.creator_role {
            set.creator = Role::parse(key)?;
        }
        if let Some(key) = &description.default_role {
            set.default = Role::parse(key)?;
        }
        let creator = set
            .entry(&set.creator)
            .ok_or_else(|| RoleError::MissingRole {
                which: "creator",
                role: set.creator.to_string(),
            })?;
        for key in CREATOR_PERMISSIONS {
            if !creator.permissions.iter().any(|p| p.as_str() == key) {
                return Err(RoleError::CreatorLacks {
                    role: set.creator.to_string(),
                    permission: key.to_owned(),
                });
            }
        }
        if !set.contains(&set.default) {
            return Err(RoleError::MissingRole {
                which: "default",
                role: set.default.to_string(),
            });
        }
        Ok(set)
    }

    /// Every role, sorted by key.
    pub fn roles(&self) -> &[RoleEntry] {
        &self.roles
    }

    /// The role's entry.
    pub fn entry(&self, role: &Role) -> Option<&RoleEntry> {
        self.roles.iter().find(|e| &e.role == role)
    }

    /// Whether the role exists in this set.
    pub fn contains(&self, role: &Role) -> bool {
        self.entry(role).is_some()
    }

    /// The role's permissions, system ones included (what the Frontend API
    /// shows in a membership's `permissions`); `None` for an unknown role.
    pub fn permissions_of(&self, role: &Role) -> Option<&[Permission]> {
        self.entry(role).map(|e| e.permissions.as_slice())
    }

    /// The role a new organization's creator gets.
    pub fn creator_role(&self) -> &Role {
        &self.creator
    }

    /// The role a member added without one gets.
    pub fn default_role(&self) -> &Role {
        &self.default
    }
}

#[cfg(test)]
mod tests;
