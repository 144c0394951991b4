//! # hallpass-adapter-store
//!
//! Hallpass's store adapter: every storage port implemented with diesel,
//! written once for its two backends. The backend crates,
//! `hallpass-adapter-sqlite` (the embedded default) and
//! `hallpass-adapter-postgres` (production), wire connections, pools and
//! migrations; this crate holds everything else:
//!
//! - [`schema`]: the tables, the same on both backends;
//! - [`rows`]: the row types and their conversion to domain values;
//! - [`errors`]: diesel errors translated into the ports' error values;
//! - [`blocking`]: running a blocking query off the async runtime, on a pool
//!   whose connections are checked only when there is a reason to;
//! - `src/store/`: the port implementations, one module per aggregate
//!   (clients, sessions, session activities, sign-in tokens, the instance and
//!   its keys, templates, refresh tokens, handshake nonces, dev browsers,
//!   sweeps). That folder is compiled **by each backend crate** for its own
//!   connection and store types (`#[path]`), not by this crate, which names
//!   no backend; see `src/store/mod.rs` and `docs/adr/0001-storage.md`.

pub mod blocking;
pub mod errors;
pub mod identity_rows;
pub mod rows;
pub mod schema;
