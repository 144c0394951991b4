//! # hallpass-domain
//!
//! The pure core of Hallpass: instances, clients, sessions, JWT templates and
//! the tokens they carry, modelled as values and state machines.
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
pub mod client;
pub mod cookie;
pub mod handshake;
pub mod id;
pub mod instance;
pub mod json;
pub mod rate;
pub mod redirect;
pub mod refresh;
pub mod session;
pub mod settings;
pub mod sign_in_token;
pub mod template;
pub mod time;
pub mod token;

pub use client::{Client, ClientError, RotatingToken, SignIn};
pub use handshake::{
    HandshakeError, HandshakeInput, RefreshCookiesInput, cookie_suffix_from_digest,
    handshake_directives, payload_size, refresh_directives, session_token_of,
};
pub use id::{
    ClientId, DevBrowserId, IdError, InstanceId, JwtTemplateId, OrganizationId, SessionId,
    SignInTokenId, UserId,
};
pub use instance::{Environment, FrontendApi, FrontendApiError, Instance, PublishableKey};
pub use json::{Json, JsonNumber, JsonObject};
pub use redirect::{AllowedOrigins, RedirectError, RedirectUrl};
pub use session::{
    Activity, Actor, InvalidActor, NewSession, SelectOrganizationError, Session, SessionAction,
    SessionStatus, SessionTask, TransitionError,
};
pub use settings::{InstanceSettings, SessionLifetime, SettingsError};
pub use sign_in_token::{SignInToken, SignInTokenError, SignInTokenRecord, SignInTokenStatus};
pub use template::{
    CustomSigningKey, JwtTemplate, JwtTemplateRecord, NewJwtTemplate, RESERVED_CLAIMS,
    ShortcodeError, SigningAlgorithm, TemplateError, TemplateName, TemplateSigning,
    TemplateTokenInput, render_claims, template_token_claims, validate_claims,
};
pub use time::UnixMillis;
