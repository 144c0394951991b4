#![doc = include_str!("../README.md")]

#[cfg(feature = "actix")]
pub mod actix;
mod claims;
mod config;
mod error;
mod jwks;
mod token;
mod verifier;

pub use claims::{Actor, OrgClaims, SessionClaims};
pub use config::{Clock, SystemClock, VerifierConfig};
pub use error::{ConfigError, VerifyError};
pub use verifier::Verifier;

/// The `cat` header of a session token (Hallpass and Clerk).
pub const SESSION_TOKEN_CATEGORY: &str = "cl_B7d4PD111AAA";
/// The `cat` header of a JWT-template token: never accepted as a session.
pub const TEMPLATE_TOKEN_CATEGORY: &str = "cl_B7d4PD222AAA";
/// The `cat` header of a machine-to-machine token: never accepted.
pub const M2M_TOKEN_CATEGORY: &str = "cl_B7d4PD333AAA";
/// Tokens longer than this are refused before any decoding.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// The name of the session cookie Clerk's front-end SDKs set.
pub const SESSION_COOKIE: &str = "__session";
