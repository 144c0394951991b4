//! The validated values a user is made of: names, username, external id,
//! image URL, email address and phone number.

use std::fmt;

/// Why a profile value was refused. `field` is the Backend API parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} must be at most {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} must be at least {min} characters")]
    TooShort { field: &'static str, min: usize },
    #[error("{field} contains a character it may not contain")]
    InvalidCharacter { field: &'static str },
    #[error("{field} is not in a valid format")]
    InvalidFormat { field: &'static str },
}

impl FieldError {
    /// The Backend API parameter the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Empty { field }
            | Self::TooLong { field, .. }
            | Self::TooShort { field, .. }
            | Self::InvalidCharacter { field }
            | Self::InvalidFormat { field } => field,
        }
    }
}

macro_rules! text_value {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Rebuilds a stored value without validating it again.
            pub fn from_record(value: String) -> Self {
                Self(value)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

/// Checks a free-text value: not empty, at most `max` characters (Unicode
/// scalar values), no control characters.
fn free_text(value: &str, field: &'static str, max: usize) -> Result<(), FieldError> {
    if value.is_empty() {
        return Err(FieldError::Empty { field });
    }
    if value.chars().count() > max {
        return Err(FieldError::TooLong { field, max });
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::InvalidCharacter { field });
    }
    Ok(())
}

text_value!(
    /// The id of the user in the team's own system (`external_id`): 1 to
    /// [`ExternalId::MAX_CHARS`] characters, no control characters. Unique
    /// per instance (the store's unique index).
    ExternalId
);

impl ExternalId {
    pub const MAX_CHARS: usize = 255;

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        free_text(value, "external_id", Self::MAX_CHARS)?;
        Ok(Self(value.to_owned()))
    }
}

text_value!(
    /// A first or last name: 1 to [`PersonName::MAX_CHARS`] characters, no
    /// control characters. An empty value on the wire means "no name" and is
    /// the caller's `None`.
    PersonName
);

impl PersonName {
    pub const MAX_CHARS: usize = 256;

    /// Validates a name; `field` is `first_name` or `last_name`.
    pub fn parse(value: &str, field: &'static str) -> Result<Self, FieldError> {
        free_text(value, field, Self::MAX_CHARS)?;
        Ok(Self(value.to_owned()))
    }
}

text_value!(
    /// A username, as Clerk's default rules have it: "from 4 to 64
    /// characters in length and can contain alphanumeric characters,
    /// underscores (_), and dashes (-)"
    /// (<https://clerk.com/docs/authentication/configuration/sign-up-sign-in-options>).
    /// Kept as given; unique per instance regardless of case
    /// ([`Username::normalized`]).
    Username
);

impl Username {
    pub const MIN_CHARS: usize = 4;
    pub const MAX_CHARS: usize = 64;

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        const FIELD: &str = "username";
        if value.is_empty() {
            return Err(FieldError::Empty { field: FIELD });
        }
        if !value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(FieldError::InvalidCharacter { field: FIELD });
        }
        // ASCII only from here: bytes are characters.
        if value.len() < Self::MIN_CHARS {
            return Err(FieldError::TooShort {
                field: FIELD,
                min: Self::MIN_CHARS,
            });
        }
        if value.len() > Self::MAX_CHARS {
            return Err(FieldError::TooLong {
                field: FIELD,
                max: Self::MAX_CHARS,
            });
        }
        Ok(Self(value.to_owned()))
    }

    /// The uniqueness key: the username in lowercase.
    pub fn normalized(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

text_value!(
    /// An absolute `http`/`https` URL of an image, at most
    /// [`ImageUrl::MAX_CHARS`] characters, kept as given.
    ImageUrl
);

impl ImageUrl {
    pub const MAX_CHARS: usize = 2048;

    /// Validates an image URL; `field` is the parameter it came from.
    pub fn parse(value: &str, field: &'static str) -> Result<Self, FieldError> {
        free_text(value, field, Self::MAX_CHARS)?;
        if value.chars().any(char::is_whitespace) {
            return Err(FieldError::InvalidCharacter { field });
        }
        let parsed = url::Url::parse(value).map_err(|_| FieldError::InvalidFormat { field })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(FieldError::InvalidFormat { field });
        }
        Ok(Self(value.to_owned()))
    }
}

text_value!(
    /// An email address, lowercased (Clerk compares addresses without
    /// case; the lowercase form is both what is shown and the uniqueness
    /// key). Syntax: `local@domain`, the local part 1 to 64 characters of
    /// RFC 5322's dot-atom (letters, digits and ``!#$%&'*+/=?^_`{|}~-``,
    /// dots between them), the domain 1 to 253 characters of at least two
    /// DNS labels (letters, digits, inner hyphens, 1 to 63 each) whose last
    /// is not all digits; 254 characters at most in all (RFC 5321). Quoted
    /// local parts, IP literals and non-ASCII addresses are refused.
    Email
);

impl Email {
    pub const MAX_CHARS: usize = 254;
    const FIELD: &'static str = "email_address";

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let field = Self::FIELD;
        if value.is_empty() {
            return Err(FieldError::Empty { field });
        }
        if !value.is_ascii() || value.bytes().any(|b| b.is_ascii_control() || b == b' ') {
            return Err(FieldError::InvalidCharacter { field });
        }
        if value.len() > Self::MAX_CHARS {
            return Err(FieldError::TooLong {
                field,
                max: Self::MAX_CHARS,
            });
        }
        let (local, domain) = value
            .rsplit_once('@')
            .ok_or(FieldError::InvalidFormat { field })?;
        if !valid_local_part(local) || !valid_domain(domain) {
            return Err(FieldError::InvalidFormat { field });
        }
        Ok(Self(value.to_ascii_lowercase()))
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

fn valid_local_part(local: &str) -> bool {
    const SPECIALS: &[u8] = b"!#$%&'*+/=?^_`{|}~-";
    !local.is_empty()
        && local.len() <= 64
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || SPECIALS.contains(&b))
        })
}

pub(super) fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels
            .last()
            .is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()))
}

text_value!(
    /// A phone number in E.164 form: `+`, then 7 to 15 digits, the first not
    /// `0`. Parsing accepts the usual separators (spaces, `-`, `.`, `(`,
    /// `)`) and drops them: `+1 (415) 555-0100` is `+14155550100`, which is
    /// also the uniqueness key.
    E164
);

impl E164 {
    pub const MIN_DIGITS: usize = 7;
    pub const MAX_DIGITS: usize = 15;
    const FIELD: &'static str = "phone_number";

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let field = Self::FIELD;
        if value.is_empty() {
            return Err(FieldError::Empty { field });
        }
        let rest = value
            .strip_prefix('+')
            .ok_or(FieldError::InvalidFormat { field })?;
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(FieldError::InvalidCharacter { field }),
            }
        }
        if digits.len() < Self::MIN_DIGITS
            || digits.len() > Self::MAX_DIGITS
            || digits.starts_with('0')
        {
            return Err(FieldError::InvalidFormat { field });
        }
        Ok(Self(format!("+{digits}")))
    }
}
