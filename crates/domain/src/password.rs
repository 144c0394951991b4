//! Passwords: the rules a new password must meet, and the digests kept in
//! its place.
//!
//! Hallpass never stores or logs a password. A [`Password`] holds the
//! plaintext for the length of a request (its `Debug` says nothing of it);
//! a [`PasswordDigest`] is what is kept. Hashing and verifying belong to the
//! `PasswordHashing` port (Argon2id); this module decides what is
//! acceptable:
//! - [`Password::new`]: not empty, at most [`MAX_PASSWORD_BYTES`] bytes,
//!   whatever the policy (the bound on the work one request can cause);
//! - [`PasswordPolicy::check`]: the length in characters (8 to 72 by
//!   default, as on a new Clerk instance) and, when configured, a lowercase
//!   letter, an uppercase letter, a digit, a special character (one of
//!   [`SPECIAL_CHARACTERS`], Clerk's list);
//! - [`PasswordHasher`]: the algorithms a digest may be imported with
//!   (Backend API `password_hasher`): `argon2id`, `argon2i` and `bcrypt`;
//!   any other name is refused by name;
//! - [`PasswordDigest::import`]: a digest in its algorithm's standard
//!   encoding (a PHC string `$argon2id$…` / `$argon2i$…`, or bcrypt's
//!   `$2a$`/`$2b$`/`$2y$` modular crypt form of 60 characters).

use std::fmt;

/// The most bytes a password may have, whatever the policy: hashing cost
/// grows with the input, and no one types more.
pub const MAX_PASSWORD_BYTES: usize = 4096;

/// The characters that count as special (Clerk's
/// `allowed_special_characters`).
pub const SPECIAL_CHARACTERS: &str = "!\"#$%&'()*+,-./:;<=>?@[]^_`{|}~";

/// The longest digest accepted (a PHC string with generous parameters is
/// about 100 characters).
const MAX_DIGEST_LEN: usize = 512;

/// Why a password cannot be used. Nothing is kept when one is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRejected {
    #[error("the password is empty")]
    Empty,
    #[error("the password is longer than {MAX_PASSWORD_BYTES} bytes")]
    TooManyBytes,
    #[error("passwords must be {min} characters or more")]
    TooShort { min: u32 },
    #[error("passwords must be at most {max} characters")]
    TooLong { max: u32 },
    #[error("passwords must contain {}", .0.described())]
    Missing(CharClass),
}

/// A class of characters a policy may require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CharClass {
    Lowercase,
    Uppercase,
    Digit,
    Special,
}

impl CharClass {
    /// As in an error message: "a lowercase letter", ...
    pub fn described(self) -> &'static str {
        match self {
            Self::Lowercase => "a lowercase letter",
            Self::Uppercase => "an uppercase letter",
            Self::Digit => "a number",
            Self::Special => "a special character",
        }
    }

    fn matches(self, c: char) -> bool {
        match self {
            Self::Lowercase => c.is_lowercase(),
            Self::Uppercase => c.is_uppercase(),
            Self::Digit => c.is_ascii_digit(),
            Self::Special => SPECIAL_CHARACTERS.contains(c),
        }
    }
}

/// A password as typed, for the length of a request: never logged, never
/// kept (only its digest is).
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Any non-empty password of at most [`MAX_PASSWORD_BYTES`] bytes; the
    /// instance's policy is [`PasswordPolicy::check`]'s (skipped on import
    /// with `skip_password_checks`, this bound never).
    pub fn new(password: String) -> Result<Self, PasswordRejected> {
        if password.is_empty() {
            return Err(PasswordRejected::Empty);
        }
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(PasswordRejected::TooManyBytes);
        }
        Ok(Self(password))
    }

    /// The plaintext, for the hasher.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Why a password policy cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordPolicyError {
    #[error("`min_length` must be at least {MIN_MIN_LENGTH} (got {0})")]
    MinTooSmall(u32),
    #[error(
        "`max_length` must be at least `min_length` ({min}) and at most {MAX_MAX_LENGTH} (got {max})"
    )]
    MaxOutOfRange { min: u32, max: u32 },
}

/// The shortest minimum length a policy may set (Clerk's).
const MIN_MIN_LENGTH: u32 = 8;
/// The longest maximum length a policy may set (in characters; a password
/// is also bounded by [`MAX_PASSWORD_BYTES`]).
const MAX_MAX_LENGTH: u32 = 1024;

/// The rules a new password must meet (Clerk's `password_settings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    min_length: u32,
    max_length: u32,
    require_lowercase: bool,
    require_uppercase: bool,
    require_numbers: bool,
    require_special_char: bool,
}

impl Default for PasswordPolicy {
    /// A new Clerk instance's: 8 to 72 characters, no class required.
    fn default() -> Self {
        Self {
            min_length: MIN_MIN_LENGTH,
            max_length: 72,
            require_lowercase: false,
            require_uppercase: false,
            require_numbers: false,
            require_special_char: false,
        }
    }
}

impl PasswordPolicy {
    /// Validates a policy: `min_length` at least 8, `max_length` from
    /// `min_length` to 1024.
    pub fn new(min_length: u32, max_length: u32) -> Result<Self, PasswordPolicyError> {
        if min_length < MIN_MIN_LENGTH {
            return Err(PasswordPolicyError::MinTooSmall(min_length));
        }
        if max_length < min_length || max_length > MAX_MAX_LENGTH {
            return Err(PasswordPolicyError::MaxOutOfRange {
                min: min_length,
                max: max_length,
            });
        }
        Ok(Self {
            min_length,
            max_length,
            ..Self::default()
        })
    }

    /// This policy, also requiring a character of `class`.
    #[must_use]
    pub fn requiring(mut self, class: CharClass) -> Self {
        match class {
            CharClass::Lowercase => self.require_lowercase = true,
            CharClass::Uppercase => self.require_uppercase = true,
            CharClass::Digit => self.require_numbers = true,
            CharClass::Special => self.require_special_char = true,
        }
        self
    }

    pub fn min_length(&self) -> u32 {
        self.min_length
    }

    pub fn max_length(&self) -> u32 {
        self.max_length
    }

    /// Whether a character of `class` is required.
    pub fn requires(&self, class: CharClass) -> bool {
        match class {
            CharClass::Lowercase => self.require_lowercase,
            CharClass::Uppercase => self.require_uppercase,
            CharClass::Digit => self.require_numbers,
            CharClass::Special => self.require_special_char,
        }
    }

    /// Whether `password` meets this policy; the first rule it breaks
    /// otherwise (length first, then the classes in a fixed order).
    pub fn check(&self, password: &Password) -> Result<(), PasswordRejected> {
        let chars = password.expose().chars().count();
        if chars < self.min_length as usize {
            return Err(PasswordRejected::TooShort {
                min: self.min_length,
            });
        }
        if chars > self.max_length as usize {
            return Err(PasswordRejected::TooLong {
                max: self.max_length,
            });
        }
        for class in [
            CharClass::Lowercase,
            CharClass::Uppercase,
            CharClass::Digit,
            CharClass::Special,
        ] {
            if self.requires(class) && !password.expose().chars().any(|c| class.matches(c)) {
                return Err(PasswordRejected::Missing(class));
            }
        }
        Ok(())
    }
}

/// An algorithm a password digest may be imported with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PasswordHasher {
    Argon2id,
    Argon2i,
    Bcrypt,
}

/// Why a digest cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    /// A `password_hasher` Hallpass does not verify (Clerk's other
    /// hashers: `md5`, `pbkdf2_sha256`, `scrypt_firebase`, ...).
    #[error("the password hasher `{0}` is not supported (supported: argon2id, argon2i, bcrypt)")]
    UnsupportedHasher(String),
    /// Not in the algorithm's standard encoding.
    #[error("the password digest is not a valid {} digest", .0.as_str())]
    Malformed(PasswordHasher),
}

impl PasswordHasher {
    /// From the Backend API's `password_hasher`.
    pub fn parse(name: &str) -> Result<Self, DigestError> {
        match name {
            "argon2id" => Ok(Self::Argon2id),
            "argon2i" => Ok(Self::Argon2i),
            "bcrypt" => Ok(Self::Bcrypt),
            other => Err(DigestError::UnsupportedHasher(
                other.chars().take(64).collect(),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Argon2id => "argon2id",
            Self::Argon2i => "argon2i",
            Self::Bcrypt => "bcrypt",
        }
    }

    /// The algorithm of a digest in standard encoding, from its prefix.
    fn of(encoded: &str) -> Option<Self> {
        if encoded.starts_with("$argon2id$") {
            Some(Self::Argon2id)
        } else if encoded.starts_with("$argon2i$") {
            Some(Self::Argon2i)
        } else if ["$2a$", "$2b$", "$2y$"]
            .iter()
            .any(|p| encoded.starts_with(p))
        {
            Some(Self::Bcrypt)
        } else {
            None
        }
    }
}

/// What is kept of a password: its digest in the algorithm's standard
/// encoding. `Debug` shows only the algorithm.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordDigest {
    hasher: PasswordHasher,
    encoded: String,
}

/// bcrypt's alphabet (its own base64).
fn bcrypt_alphabet(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'/'
}

/// PHC's alphabet for the salt and hash (unpadded standard base64).
fn phc_b64(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` (the version may be
/// absent, as in argon2's first encoding); the algorithm's name, the
/// second part, was checked by the caller.
fn phc_shape(encoded: &str) -> bool {
    let parts: Vec<&str> = encoded.split('$').collect();
    let (params, salt, hash) = match parts.as_slice() {
        ["", _, version, params, salt, hash] if version.starts_with("v=") => {
            (*params, *salt, *hash)
        }
        ["", _, params, salt, hash] => (*params, *salt, *hash),
        _ => return false,
    };
    let params_ok = params.split(',').all(|kv| {
        kv.split_once('=').is_some_and(|(k, v)| {
            !k.is_empty() && !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())
        })
    });
    params_ok && phc_b64(salt) && phc_b64(hash)
}

/// `$2b$12$` + 53 characters of bcrypt's base64 (salt and hash).
fn bcrypt_shape(encoded: &str) -> bool {
    let bytes = encoded.as_bytes();
    bytes.len() == 60
        && bytes[4].is_ascii_digit()
        && bytes[5].is_ascii_digit()
        && bytes[6] == b'$'
        && bytes[7..].iter().all(|&b| bcrypt_alphabet(b))
        // Both ASCII digits (checked above), so a character boundary.
        && (4..=31).contains(&encoded[4..6].parse::<u8>().unwrap_or(0))
}

impl PasswordDigest {
    /// A digest imported from another system (Backend API `password_digest`
    /// with `password_hasher`): it must be in `hasher`'s standard encoding.
    pub fn import(hasher: PasswordHasher, encoded: String) -> Result<Self, DigestError> {
        if encoded.len() > MAX_DIGEST_LEN || PasswordHasher::of(&encoded) != Some(hasher) {
            return Err(DigestError::Malformed(hasher));
        }
        let well_formed = match hasher {
            PasswordHasher::Argon2id | PasswordHasher::Argon2i => phc_shape(&encoded),
            PasswordHasher::Bcrypt => bcrypt_shape(&encoded),
        };
        if !well_formed {
            return Err(DigestError::Malformed(hasher));
        }
        Ok(Self { hasher, encoded })
    }

    /// A digest as stored (written by [`PasswordDigest::import`] or the
    /// hasher): its algorithm is read from its prefix.
    pub fn from_stored(encoded: String) -> Option<Self> {
        let hasher = PasswordHasher::of(&encoded)?;
        Some(Self { hasher, encoded })
    }

    pub fn hasher(&self) -> PasswordHasher {
        self.hasher
    }

    /// The standard encoding, for the store and the hasher.
    pub fn as_str(&self) -> &str {
        &self.encoded
    }
}

impl fmt::Debug for PasswordDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PasswordDigest({}, <redacted>)", self.hasher.as_str())
    }
}

#[cfg(test)]
mod tests;
