//! The store: every storage port implemented with diesel, one module per
//! aggregate, each implementing its port once.
//!
//! This folder is **compiled by each backend adapter**, not by
//! `hallpass-adapter-store` itself: `hallpass-adapter-sqlite` and
//! `hallpass-adapter-postgres` each include it as their `store` module
//! (`#[path = "../../adapter-store/src/store/mod.rs"] mod store;`), so the
//! same source becomes plain, concrete diesel code for `SqliteConnection`
//! and for `PgConnection`, and the port impls belong to the adapter's own
//! store type. Nothing here is inside a macro: clippy's lints apply and an
//! IDE follows every call. Why this shape rather than backend-generic code:
//! `docs/adr/0001-storage.md`.
//!
//! What the including crate provides, in its `backend` module (the only
//! differences between the backends here):
//! - `Conn`: the diesel connection type;
//! - `Store`: the store type, with a `pool: Db<Conn>` field;
//! - `write_tx(conn, f)`: runs `f` in a write transaction (`BEGIN
//!   IMMEDIATE` on SQLite, which takes the write lock up front instead of
//!   failing to upgrade; a plain transaction on PostgreSQL);
//! - `lock_user(conn, id)`: inside a write transaction, whether the user
//!   exists, holding its row against concurrent writers until the end of
//!   the transaction (`SELECT … FOR UPDATE` on PostgreSQL; on SQLite the
//!   write transaction holds the whole database already).

mod clients;
mod dev_browsers;
mod handshake_nonces;
mod identity_query;
mod instance;
mod memberships;
mod organizations;
mod refresh_tokens;
mod session_activities;
mod sessions;
mod sign_in_tokens;
mod sweeps;
mod templates;
mod users;

use diesel::RunQueryDsl;
use diesel::query_dsl::methods::ExecuteDsl;
use hallpass_adapter_store::errors::{is_unique_violation, unexpected};
use hallpass_ports::InsertError;

use crate::backend::Conn;

diesel::define_sql_function! {
    /// SQL's `lower`, on text that may be `NULL`.
    fn lower(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// The statuses of a live session, as stored.
const LIVE: [&str; 2] = ["active", "pending"];

/// Runs an insert: a unique violation is a [`InsertError::Conflict`].
fn insert_row<Q>(conn: &mut Conn, query: Q, doing: &'static str) -> Result<(), InsertError>
where
    Q: RunQueryDsl<Conn> + ExecuteDsl<Conn>,
{
    query.execute(conn).map(|_| ()).map_err(|e| {
        if is_unique_violation(&e) {
            InsertError::Conflict
        } else {
            InsertError::Unexpected(unexpected(e, doing))
        }
    })
}
