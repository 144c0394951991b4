//! A user's password: set, replaced by a stronger digest of the same
//! password, read. Checking a candidate is the `PasswordHashing` port's.

use super::{PasswordCredential, User};
use crate::password::PasswordDigest;
use crate::time::UnixMillis;

impl User {
    /// The password's digest and when it was set; `None` without one.
    pub fn password(&self) -> Option<&PasswordCredential> {
        self.password.as_ref()
    }

    /// Sets or replaces the password (Backend API `password` or
    /// `password_digest`) at `now`.
    pub fn set_password(&mut self, digest: PasswordDigest, now: UnixMillis) {
        self.password = Some(PasswordCredential {
            digest,
            updated_at: now,
        });
        self.touch(now);
    }

    /// Replaces the digest of the *same* password, verified a moment ago,
    /// with one at the instance's current parameters (an imported bcrypt
    /// digest moved to Argon2id): when the password was set does not
    /// change. `false` (nothing changes) when the user has no password.
    pub fn rehash_password(&mut self, digest: PasswordDigest, now: UnixMillis) -> bool {
        let Some(credential) = self.password.as_mut() else {
            return false;
        };
        credential.digest = digest;
        self.touch(now);
        true
    }
}
