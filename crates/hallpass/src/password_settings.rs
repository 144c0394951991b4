//! The `passwords` section: the rules a new password must meet (Clerk's
//! `password_settings`) and how passwords are hashed (Argon2id's
//! parameters, how many hashes run at once). Validated at start-up, naming
//! the setting.

use std::time::Duration;

use anyhow::anyhow;
use hallpass_adapter_password::{Hasher, HashingSettings};
use hallpass_domain::{CharClass, PasswordPolicy};
use serde::Deserialize;

/// `[passwords]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordSettings {
    /// Characters, at least 8 (Clerk's minimum).
    pub min_length: u32,
    /// Characters, from `min_length` to 1024.
    pub max_length: u32,
    pub require_lowercase: bool,
    pub require_uppercase: bool,
    pub require_numbers: bool,
    /// One of Clerk's special characters (`!"#$%&'()*+,-./:;<=>?@[]^_`{|}~`).
    pub require_special_char: bool,
    /// Argon2id memory per hash, in KiB (OWASP: 19,456).
    pub argon2_memory_kib: u32,
    /// Argon2id passes (OWASP: 2).
    pub argon2_iterations: u32,
    /// Argon2id lanes (OWASP: 1).
    pub argon2_parallelism: u32,
    /// Hashes and verifications running at once; 0: one per core.
    pub hashing_concurrency: u32,
    /// How long a request waits for a hashing slot before a 503.
    pub hashing_wait_ms: u64,
}

impl Default for PasswordSettings {
    fn default() -> Self {
        let hashing = HashingSettings::default();
        let policy = PasswordPolicy::default();
        Self {
            min_length: policy.min_length(),
            max_length: policy.max_length(),
            require_lowercase: false,
            require_uppercase: false,
            require_numbers: false,
            require_special_char: false,
            argon2_memory_kib: hashing.memory_kib,
            argon2_iterations: hashing.iterations,
            argon2_parallelism: hashing.parallelism,
            hashing_concurrency: 0,
            hashing_wait_ms: 5000,
        }
    }
}

impl PasswordSettings {
    /// The policy, or an error naming the setting.
    pub fn policy(&self) -> anyhow::Result<PasswordPolicy> {
        let mut policy = PasswordPolicy::new(self.min_length, self.max_length)
            .map_err(|e| anyhow!("`passwords`: {e}"))?;
        for (on, class) in [
            (self.require_lowercase, CharClass::Lowercase),
            (self.require_uppercase, CharClass::Uppercase),
            (self.require_numbers, CharClass::Digit),
            (self.require_special_char, CharClass::Special),
        ] {
            if on {
                policy = policy.requiring(class);
            }
        }
        Ok(policy)
    }

    /// The hasher, or an error naming the setting.
    pub fn hasher(&self) -> anyhow::Result<Hasher> {
        let defaults = HashingSettings::default();
        let concurrency = if self.hashing_concurrency == 0 {
            defaults.concurrency
        } else {
            self.hashing_concurrency
        };
        if self.hashing_wait_ms == 0 || self.hashing_wait_ms > 60_000 {
            return Err(anyhow!(
                "`passwords.hashing_wait_ms` must be from 1 to 60000 (got {})",
                self.hashing_wait_ms
            ));
        }
        Hasher::new(HashingSettings {
            memory_kib: self.argon2_memory_kib,
            iterations: self.argon2_iterations,
            parallelism: self.argon2_parallelism,
            concurrency,
            wait: Duration::from_millis(self.hashing_wait_ms),
        })
        .map_err(|e| anyhow!("`passwords`: {e}"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_defaults_are_a_new_clerk_instances_and_owasps() {
        let s = PasswordSettings::default();
        assert_eq!(s.policy().unwrap(), PasswordPolicy::default());
        assert!(s.hasher().is_ok());
    }

    #[test]
    fn each_requirement_is_read_and_bad_values_name_the_setting() {
        let s = PasswordSettings {
            min_length: 12,
            max_length: 64,
            require_numbers: true,
            require_special_char: true,
            ..PasswordSettings::default()
        };
        let p = s.policy().unwrap();
        assert_eq!((p.min_length(), p.max_length()), (12, 64));
        assert!(p.requires(CharClass::Digit) && p.requires(CharClass::Special));
        assert!(!p.requires(CharClass::Lowercase) && !p.requires(CharClass::Uppercase));
        let lower = PasswordSettings {
            require_lowercase: true,
            require_uppercase: true,
            ..PasswordSettings::default()
        };
        let p = lower.policy().unwrap();
        assert!(p.requires(CharClass::Lowercase) && p.requires(CharClass::Uppercase));

        let short = PasswordSettings {
            min_length: 6,
            ..PasswordSettings::default()
        };
        assert!(
            short
                .policy()
                .unwrap_err()
                .to_string()
                .contains("min_length")
        );
        let memory = PasswordSettings {
            argon2_memory_kib: 4,
            ..PasswordSettings::default()
        };
        assert!(
            memory
                .hasher()
                .unwrap_err()
                .to_string()
                .contains("memory_kib")
        );
        for wait in [0, 60_001] {
            let s = PasswordSettings {
                hashing_wait_ms: wait,
                ..PasswordSettings::default()
            };
            assert!(
                s.hasher()
                    .unwrap_err()
                    .to_string()
                    .contains("hashing_wait_ms")
            );
        }
    }
}
