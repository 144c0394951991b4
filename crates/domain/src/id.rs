//! Identifiers.
//!
//! Hallpass's own resources carry Clerk's prefixes (`client_`, `sess_`, ...)
//! followed by an unguessable body: 128 random bits (supplied by the caller,
//! never drawn here) written in base62. Parsing accepts any alphanumeric body
//! of 1 to 64 characters, so ids imported from Clerk (27-character KSUIDs)
//! stay valid.
//!
//! Users and organizations live in Hallpass (see `docs/identity.md`). New ones
//! get `user_` / `org_` and a base62 body ([`UserId::from_random`],
//! [`OrganizationId::from_random`]). Before Hallpass stored them, sessions
//! carried ids from the team's own user system, and stores still hold those:
//! so [`UserId`] and [`OrganizationId`] keep accepting any value that is safe
//! to carry in tokens, URLs and logs (1 to 128 characters of
//! `[A-Za-z0-9._:@|-]`), not only their own prefix.
//!
//! An email address and a phone number share Clerk's `idn_` prefix (both are
//! "identifications"); a membership is `orgmem_`.

use std::fmt;
use std::str::FromStr;

/// Why a string is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("expected an id starting with `{expected}`")]
    WrongPrefix { expected: &'static str },
    #[error("the id body must be 1 to {max} ASCII letters or digits")]
    InvalidBody { max: usize },
    #[error("the id must be 1 to {max} characters of [A-Za-z0-9._:@|-]")]
    InvalidExternal { max: usize },
    #[error("`{prefix}` ids are reserved for machines, not users")]
    Reserved { prefix: &'static str },
}

const BODY_MAX: usize = 64;
const EXTERNAL_MAX: usize = 128;
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Characters needed to write any `u128` in base62.
const BODY_LEN: usize = 22;

/// Writes 128 random bits as a fixed-width base62 string.
pub fn base62_u128(mut n: u128) -> String {
    let mut out = [b'0'; BODY_LEN];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out.iter().map(|&b| char::from(b)).collect()
}

fn valid_body(body: &str) -> bool {
    !body.is_empty() && body.len() <= BODY_MAX && body.bytes().all(|b| b.is_ascii_alphanumeric())
}

macro_rules! prefixed_id {
    ($(#[$meta:meta])* $name:ident, $prefix:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// The prefix every id of this kind starts with.
            pub const PREFIX: &'static str = $prefix;

            /// A new id whose body is the given random bits.
            pub fn from_random(bits: u128) -> Self {
                Self(format!("{}{}", $prefix, base62_u128(bits)))
            }

            /// Parses and validates an id.
            pub fn parse(value: &str) -> Result<Self, IdError> {
                let body = value
                    .strip_prefix($prefix)
                    .ok_or(IdError::WrongPrefix { expected: $prefix })?;
                if valid_body(body) {
                    Ok(Self(value.to_owned()))
                } else {
                    Err(IdError::InvalidBody { max: BODY_MAX })
                }
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

prefixed_id!(
    /// A client: one browser or device, holding zero or more sessions.
    ClientId, "client_"
);
prefixed_id!(
    /// A session: one signed-in user on one client.
    SessionId, "sess_"
);
prefixed_id!(
    /// The instance; also the `kid` prefix of its signing keys.
    InstanceId, "ins_"
);
prefixed_id!(
    /// A development browser (the dev-mode stand-in for the `__client` cookie).
    DevBrowserId, "dvb_"
);
prefixed_id!(
    /// A JWT template.
    JwtTemplateId, "jtmp_"
);
prefixed_id!(
    /// A sign-in token (ticket).
    SignInTokenId, "sit_"
);
prefixed_id!(
    /// One of a user's email addresses (Clerk's identification prefix).
    EmailAddressId, "idn_"
);
prefixed_id!(
    /// One of a user's phone numbers (Clerk's identification prefix).
    PhoneNumberId, "idn_"
);
prefixed_id!(
    /// A user's membership in an organization.
    OrganizationMembershipId, "orgmem_"
);

fn valid_external(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= EXTERNAL_MAX
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._:@|-".contains(&b) || b == b'_')
}

macro_rules! external_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

external_id!(
    /// A user of the team's own user system (the token's `sub`).
    UserId
);
external_id!(
    /// An organization of the team's own user system.
    OrganizationId
);

impl UserId {
    /// The prefix of the ids Hallpass gives new users.
    pub const PREFIX: &'static str = "user_";

    /// A new user id: `user_` and the given random bits in base62.
    pub fn from_random(bits: u128) -> Self {
        Self(format!("{}{}", Self::PREFIX, base62_u128(bits)))
    }

    /// Validates a user id. `mch_` is refused: Clerk's SDKs treat a `sub`
    /// with that prefix as a machine, and would reject the session token.
    pub fn parse(value: &str) -> Result<Self, IdError> {
        if !valid_external(value) {
            return Err(IdError::InvalidExternal { max: EXTERNAL_MAX });
        }
        if value.starts_with("mch_") {
            return Err(IdError::Reserved { prefix: "mch_" });
        }
        Ok(Self(value.to_owned()))
    }
}

impl OrganizationId {
    /// The prefix of the ids Hallpass gives new organizations.
    pub const PREFIX: &'static str = "org_";

    /// A new organization id: `org_` and the given random bits in base62.
    pub fn from_random(bits: u128) -> Self {
        Self(format!("{}{}", Self::PREFIX, base62_u128(bits)))
    }

    /// Validates an organization id.
    pub fn parse(value: &str) -> Result<Self, IdError> {
        if valid_external(value) {
            Ok(Self(value.to_owned()))
        } else {
            Err(IdError::InvalidExternal { max: EXTERNAL_MAX })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn random_ids_carry_the_prefix_and_a_fixed_width_body() {
        let id = SessionId::from_random(0);
        assert_eq!(id.as_str(), "sess_0000000000000000000000");
        let id = ClientId::from_random(u128::MAX);
        assert_eq!(id.as_str().len(), "client_".len() + 22);
        assert_eq!(ClientId::parse(id.as_str()), Ok(id));
    }

    #[test]
    fn parse_refuses_wrong_prefix_empty_and_odd_bodies() {
        assert_eq!(
            SessionId::parse("client_abc"),
            Err(IdError::WrongPrefix { expected: "sess_" })
        );
        assert!(SessionId::parse("sess_").is_err());
        assert!(SessionId::parse("sess_ab-c").is_err());
        assert!(SessionId::parse("sess_ab'c").is_err());
        assert!(SessionId::parse(&format!("sess_{}", "a".repeat(65))).is_err());
        assert!(SessionId::parse("sess_2cgmfxtaRzlfJXa4gmWRP20qo7D").is_ok());
    }

    #[test]
    fn user_ids_are_external_but_safe() {
        assert!(UserId::parse("user_2u").is_ok());
        assert!(UserId::parse("8c6f-4a@example.com").is_ok());
        assert!(UserId::parse("").is_err());
        assert!(UserId::parse("a b").is_err());
        assert!(UserId::parse("x\"y").is_err());
        assert_eq!(
            UserId::parse("mch_robot"),
            Err(IdError::Reserved { prefix: "mch_" })
        );
    }

    #[test]
    fn new_users_and_organizations_get_clerks_prefixes_and_parse_back() {
        let user = UserId::from_random(u128::MAX);
        assert!(user.as_str().starts_with("user_"));
        assert_eq!(user.as_str().len(), "user_".len() + 22);
        assert_eq!(UserId::parse(user.as_str()), Ok(user));
        let org = OrganizationId::from_random(1);
        assert_eq!(org.as_str(), "org_0000000000000000000001");
        assert_eq!(OrganizationId::parse(org.as_str()), Ok(org));
    }

    #[test]
    fn identifiers_and_memberships_carry_clerks_prefixes() {
        assert_eq!(
            EmailAddressId::from_random(0).as_str(),
            "idn_0000000000000000000000"
        );
        assert_eq!(PhoneNumberId::PREFIX, "idn_");
        assert_eq!(
            OrganizationMembershipId::from_random(0).as_str(),
            "orgmem_0000000000000000000000"
        );
        assert!(EmailAddressId::parse("idn_29w83yL7CwVlJXylYLxcslromF1").is_ok());
        assert!(OrganizationMembershipId::parse("mem_1").is_err());
    }

    #[test]
    fn organization_ids_from_before_hallpass_stored_organizations_stay_valid() {
        assert!(OrganizationId::parse("acme-corp").is_ok());
        assert!(OrganizationId::parse("org_2u").is_ok());
        assert!(OrganizationId::parse("").is_err());
        assert!(OrganizationId::parse("a/b").is_err());
        assert!(OrganizationId::parse(&"a".repeat(129)).is_err());
        assert!(OrganizationId::parse(&"a".repeat(128)).is_ok());
    }

    proptest! {
        #[test]
        fn distinct_bits_give_distinct_ids(a: u128, b: u128) {
            prop_assume!(a != b);
            prop_assert_ne!(SessionId::from_random(a), SessionId::from_random(b));
        }

        #[test]
        fn every_random_id_parses_back(bits: u128) {
            let id = DevBrowserId::from_random(bits);
            prop_assert_eq!(DevBrowserId::parse(id.as_str()), Ok(id));
        }
    }
}
