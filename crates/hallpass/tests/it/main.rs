//! The `hallpass` binary, run as a user runs it: a real process, real
//! sockets, the embedded store in a temporary directory or a fresh
//! PostgreSQL database per test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod backend;
mod clerk_rs;
mod clerk_rs_identity;
mod config;
mod faults;
mod frontend;
mod headers;
mod logs;
mod metrics;
mod negative;
mod nodes;
mod pg_proxy;
mod rate_limits;
mod serve;
mod support;
mod templates;
mod tokens;
mod writes;
