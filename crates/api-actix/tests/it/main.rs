//! The HTTP layer in process: both route sets mounted as `hallpass serve`
//! mounts them, on the embedded store in a temporary directory, with the
//! real key ring and use cases. Response bodies are pinned with insta JSON
//! snapshots (`tests/it/snapshots/`), ids, tokens and timestamps redacted
//! after their shape is checked (`redact.rs`); headers that matter are
//! asserted in the tests. What needs a real process (signals, faults,
//! several nodes, shared rate limits) stays in `crates/hallpass/tests`.
//!
//! Update snapshots after an intended change of a wire shape:
//! `INSTA_UPDATE=always cargo test -p hallpass-api-actix --test it`, then
//! review the diff (or `cargo insta review` with cargo-insta installed).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// Snapshots a response body (or any JSON value) with the redactions of
/// `redact.rs`.
macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        crate::redact::settings().bind(|| insta::assert_json_snapshot!($name, $value))
    };
}

mod bapi_bulk;
mod bapi_clients;
mod bapi_memberships;
mod bapi_organizations;
mod bapi_passwords;
mod bapi_sessions;
mod bapi_templates;
mod bapi_tokens;
mod bapi_users;
mod clerk_js;
mod common;
mod environment;
mod fapi_client;
mod fapi_sessions;
mod fapi_user;
mod handshake;
mod identity;
mod last_active_token;
mod metrics;
mod organizations;
mod redact;
mod support;
mod versions;
