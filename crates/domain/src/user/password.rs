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

    /// Replaces `verified`, the digest a candidate was verified against a
    /// moment ago, with `fresh`, a digest of that same password at the
    /// instance's current parameters (an imported bcrypt digest moved to
    /// Argon2id): when the password was set does not change. `false`
    /// (nothing changes) when the user's digest is no longer `verified`
    /// (the password was changed meanwhile: the new one stands) or there
    /// is none.
    pub fn rehash_password(
        &mut self,
        verified: &PasswordDigest,
        fresh: PasswordDigest,
        now: UnixMillis,
    ) -> bool {
        let Some(credential) = self.password.as_mut() else {
            return false;
        };
        if &credential.digest != verified {
            return false;
        }
        credential.digest = fresh;
        self.touch(now);
        true
    }
}
