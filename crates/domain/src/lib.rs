//! # hallpass-domain
//!
//! The pure core of Hallpass: instances, clients, sessions, JWT templates and
//! the tokens they carry, and the identities behind them (users,
//! organizations, memberships, roles), modelled as values and state machines.
//!
//! Rules of this crate:
//! - no I/O, no async, no clock, no randomness, no serialisation framework;
//! - time (`now`) and randomness (id bodies, rotating tokens) come in as
//!   arguments, so every transition is a deterministic function;
//! - an illegal transition is an error value, never a panic;
//! - once a value is inside the domain it is valid (validating constructors).
//!
//! Other Rust services can embed this crate to reason about Hallpass sessions
//! with exactly the rules the server applies.

pub mod activity;
pub mod api_version;
pub mod client;
pub mod cookie;
pub mod display;
pub mod handshake;
pub mod id;
pub mod instance;
pub mod json;
pub mod membership;
pub mod metadata;
pub mod org_claims;
pub mod organization;
pub mod password;
pub mod rate;
pub mod redirect;
pub mod refresh;
pub mod role;
pub mod session;
pub mod settings;
pub mod sign_in_token;
pub mod template;
pub mod time;
pub mod token;
pub mod user;

pub use client::{Client, ClientError, RotatingToken, SignIn};
pub use handshake::{
    HandshakeError, HandshakeInput, RefreshCookiesInput, cookie_suffix_from_digest,
    handshake_directives, payload_size, refresh_directives, session_token_of,
};
pub use id::{
    ClientId, DevBrowserId, EmailAddressId, IdError, InstanceId, JwtTemplateId, OrganizationId,
    OrganizationMembershipId, PhoneNumberId, SessionId, SignInTokenId, UserId,
};
pub use instance::{Environment, FrontendApi, FrontendApiError, Instance, PublishableKey};
pub use json::{Json, JsonNumber, JsonObject};
pub use membership::{Membership, MembershipError, MembershipRecord, NewMembership};
pub use metadata::{
    METADATA_MAX_BYTES, Metadata, MetadataError, MetadataField, MetadataFieldError, deep_merge,
};
pub use org_claims::{OrgClaims, OrgClaimsError, OrgClaimsV1, OrgClaimsV2, TokenOrganization};
pub use organization::{
    InvalidOrganizationRef, MembershipLimit, NewOrganization, Organization, OrganizationName,
    OrganizationPatch, OrganizationRecord, OrganizationRef, Slug,
};
pub use password::{
    CharClass, DigestError, Password, PasswordDigest, PasswordHasher, PasswordPolicy,
    PasswordPolicyError, PasswordRejected,
};
pub use redirect::{AllowedOrigins, RedirectError, RedirectUrl};
pub use role::{
    Permission, Role, RoleDescription, RoleEntry, RoleError, RoleSet, RoleSetDescription,
    SYSTEM_PERMISSIONS,
};
pub use session::{
    Activity, Actor, InvalidActor, NewSession, OrganizationChoice, SelectOrganizationError,
    Session, SessionAction, SessionStatus, SessionTask, TransitionError,
};
pub use settings::{InstanceSettings, SessionLifetime, SettingsError};
pub use sign_in_token::{SignInToken, SignInTokenError, SignInTokenRecord, SignInTokenStatus};
pub use template::{
    CustomSigningKey, JwtTemplate, JwtTemplateRecord, NewJwtTemplate, RESERVED_CLAIMS,
    ShortcodeError, SigningAlgorithm, TemplateError, TemplateName, TemplateSigning,
    TemplateTokenInput, render_claims, template_token_claims, validate_claims,
};
pub use time::UnixMillis;
pub use user::{
    E164, Email, EmailAddress, ExternalId, FieldError, IdentifierKind, ImageUrl, Lock, NewUser,
    PasswordCredential, PersonName, PhoneNumber, SignInRefused, User, UserError, UserMetadataPatch,
    UserMetadataReplacement, UserPatch, UserRecord, Username, shown_identifier,
};
