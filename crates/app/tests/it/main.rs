//! Use cases against the real embedded store and the real signing adapter,
//! with an injected clock and id generator.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod activation;
mod handshakes;
mod keys;
mod lifecycle;
mod refresh;
mod sign_in_users;
mod start;
mod support;
mod sweeps;
