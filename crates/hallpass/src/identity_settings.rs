//! The `organizations` and `users` sections: the roles organization
//! memberships may have (Clerk's defaults unless described) and how long a
//! lock lasts. Validated at start-up: a bad role stops it, naming the role.

use std::time::Duration;

use anyhow::anyhow;
use hallpass_app::IdentityPolicy;
use hallpass_domain::{RoleDescription, RoleSet, RoleSetDescription};
use serde::Deserialize;

/// `[organizations]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrganizationSettings {
    /// Custom roles, and changes to Clerk's two (`org:admin` always keeps
    /// every system permission).
    pub roles: Vec<RoleSettings>,
    /// The role a new organization's creator gets (default `org:admin`).
    pub creator_role: Option<String>,
    /// The role a member added without one gets (default `org:member`).
    pub default_role: Option<String>,
}

/// `[[organizations.roles]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleSettings {
    /// `org:<name>`.
    pub key: String,
    /// Shown as `role_name`; default: the name in title case.
    #[serde(default)]
    pub name: Option<String>,
    /// `org:<feature>:<action>` keys.
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// `[users]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserSettings {
    /// How long `POST /v1/users/{id}/lock` locks a user; 0: until unlocked.
    pub lockout_duration_secs: u64,
}

impl Default for UserSettings {
    fn default() -> Self {
        Self {
            lockout_duration_secs: 3600,
        }
    }
}

/// The validated policy, or an error naming the setting.
pub fn identity_policy(
    organizations: &OrganizationSettings,
    users: &UserSettings,
) -> anyhow::Result<IdentityPolicy> {
    let description = RoleSetDescription {
        roles: organizations
            .roles
            .iter()
            .map(|r| RoleDescription {
                key: r.key.clone(),
                name: r.name.clone(),
                permissions: r.permissions.clone(),
            })
            .collect(),
        creator_role: organizations.creator_role.clone(),
        default_role: organizations.default_role.clone(),
    };
    let roles = RoleSet::new(&description).map_err(|e| anyhow!("`organizations.roles`: {e}"))?;
    let lockout =
        (users.lockout_duration_secs > 0).then(|| Duration::from_secs(users.lockout_duration_secs));
    Ok(IdentityPolicy {
        roles,
        lockout,
        // `[passwords]`: see password_settings.rs.
        password: hallpass_domain::PasswordPolicy::default(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use hallpass_domain::Role;

    use super::*;

    fn role(key: &str, permissions: &[&str]) -> RoleSettings {
        RoleSettings {
            key: key.to_owned(),
            name: None,
            permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    #[test]
    fn the_defaults_are_clerks_roles_and_a_one_hour_lock() {
        let policy =
            identity_policy(&OrganizationSettings::default(), &UserSettings::default()).unwrap();
        assert_eq!(policy, IdentityPolicy::default());
    }

    #[test]
    fn custom_roles_join_clerks_and_a_zero_lockout_locks_until_unlocked() {
        let organizations = OrganizationSettings {
            roles: vec![role(
                "org:analyst",
                &["org:reports:read", "org:dashboard:read"],
            )],
            creator_role: None,
            default_role: Some("org:analyst".to_owned()),
        };
        let users = UserSettings {
            lockout_duration_secs: 0,
        };
        let policy = identity_policy(&organizations, &users).unwrap();
        let analyst = Role::parse("org:analyst").unwrap();
        assert_eq!(policy.roles.default_role(), &analyst);
        assert_eq!(policy.roles.entry(&analyst).unwrap().name, "Analyst");
        assert!(policy.roles.contains(&Role::admin()));
        assert_eq!(policy.lockout, None);
    }

    #[test]
    fn a_bad_role_stops_start_up_naming_the_setting_and_the_role() {
        for (roles, default_role, names) in [
            (vec![role("analyst", &[])], None, "analyst"),
            (vec![role("org:a", &["org:reports"])], None, "org:reports"),
            (
                vec![role("org:a", &["org:sys_x:read"])],
                None,
                "org:sys_x:read",
            ),
            (vec![role("org:a", &[]), role("org:a", &[])], None, "org:a"),
            (Vec::new(), Some("org:missing"), "org:missing"),
        ] {
            let organizations = OrganizationSettings {
                roles,
                creator_role: None,
                default_role: default_role.map(str::to_owned),
            };
            let e = identity_policy(&organizations, &UserSettings::default())
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with("`organizations.roles`") && e.contains(names),
                "{e}"
            );
        }
    }
}
