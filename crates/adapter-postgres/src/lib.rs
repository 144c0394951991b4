//! # hallpass-adapter-postgres
//!
//! The production storage adapter: PostgreSQL through diesel and an r2d2
//! pool. Migrations from `migrations/postgres` are embedded in the binary;
//! [`PgStore::migrate`] applies them (`hallpass migrate`). Blocking calls run
//! on tokio's blocking pool inside the adapter; nothing above it sees a
//! connection.
//!
//! Several `hallpass` processes can share one database: every consistency
//! rule is enforced in SQL (unique keys, compare-and-set updates inside
//! transactions), nothing lives only in one process's memory.
//!
//! The query code is `hallpass-adapter-store`'s, compiled here for
//! `PgConnection` (module `store`); this crate adds only what is
//! PostgreSQL's own: the pool's session settings, the migrations under an
//! advisory lock, the test-database harness and the write transaction's
//! flavour (module `backend`).

use std::time::Duration;

use anyhow::Context as _;
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness as _, embed_migrations};
use hallpass_adapter_store::blocking::{Db, OnConnect};

#[cfg(feature = "test-support")]
pub mod test_support;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Pool settings.
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// Maximum connections in the pool.
    pub max_connections: u32,
    /// How long a request waits for a connection before failing.
    pub connect_timeout: Duration,
    /// Server-side cap on one statement (`statement_timeout`).
    pub statement_timeout: Duration,
}

impl Default for PgOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            connect_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Debug)]
struct SessionSettings {
    statement_timeout_ms: u128,
}

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for SessionSettings {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        use diesel::connection::SimpleConnection as _;
        conn.batch_execute(&format!(
            "SET statement_timeout = {}; SET application_name = 'hallpass';",
            self.statement_timeout_ms
        ))
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// A store in a PostgreSQL database.
#[derive(Clone)]
pub struct PgStore {
    pool: Db<PgConnection>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

impl PgStore {
    /// The connection pool right now: `(maximum, open, idle)`, for metrics.
    pub fn pool_state(&self) -> (u32, u32, u32) {
        let state = self.pool.state();
        (
            self.pool.max_size(),
            state.connections,
            state.idle_connections,
        )
    }

    /// Connects to `url` (a `postgres://` URL). Fails if no connection can be
    /// made within the connect timeout. Does not migrate.
    pub fn connect(url: &str, options: &PgOptions) -> anyhow::Result<Self> {
        let pool = Pool::builder()
            .max_size(options.max_connections)
            // No background top-up of idle connections: a connection thread
            // racing the process exit (libpq and OpenSSL tearing down) crashes it.
            .min_idle(Some(0))
            .connection_timeout(options.connect_timeout)
            .connection_customizer(Box::new(OnConnect(SessionSettings {
                statement_timeout_ms: options.statement_timeout.as_millis(),
            })));
        let pool = Db::build(pool, ConnectionManager::<PgConnection>::new(url))
            .context("connecting to PostgreSQL")?;
        Ok(Self { pool })
    }

    /// Applies pending migrations; returns how many ran. Concurrent
    /// migrators are serialised by an advisory lock.
    pub fn migrate(&self) -> anyhow::Result<usize> {
        use diesel::connection::SimpleConnection as _;
        let mut conn = self.pool.get().context("connecting to PostgreSQL")?;
        conn.batch_execute("SELECT pg_advisory_lock(7406271001)")
            .context("taking the migration lock")?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|v| v.len())
            .map_err(|e| anyhow::anyhow!(e))
            .context("applying PostgreSQL migrations");
        let unlocked = conn
            .batch_execute("SELECT pg_advisory_unlock(7406271001)")
            .context("releasing the migration lock");
        let applied = applied?;
        unlocked?;
        Ok(applied)
    }

    /// Whether every embedded migration has been applied.
    pub fn pending_migrations(&self) -> anyhow::Result<usize> {
        let mut conn = self.pool.get().context("connecting to PostgreSQL")?;
        let pending = conn
            .pending_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!(e))
            .context("reading applied migrations")?;
        Ok(pending.len())
    }
}

/// What the shared store code (`src/store/` of `hallpass-adapter-store`)
/// needs from this backend: everything in which PostgreSQL differs there.
mod backend {
    use diesel::Connection as _;

    pub(crate) type Conn = diesel::pg::PgConnection;
    pub(crate) type Store = crate::PgStore;

    /// A write transaction: a plain `BEGIN` (read committed; the writes'
    /// compare-and-set conditions settle concurrent writers).
    pub(crate) fn write_tx<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        conn.transaction(f)
    }

    /// Whether the user exists, its row locked (`FOR UPDATE`) until the
    /// transaction ends: a concurrent membership insert for the user (which
    /// holds a key-share lock through its foreign key) finishes first, or
    /// waits and then finds no user.
    pub(crate) fn lock_user(conn: &mut Conn, id: &str) -> diesel::QueryResult<bool> {
        use diesel::prelude::*;
        use hallpass_adapter_store::schema::users;
        users::table
            .find(id)
            .select(users::id)
            .for_update()
            .first::<String>(conn)
            .optional()
            .map(|found| found.is_some())
    }
}

/// The storage ports implemented for [`PgStore`]: the query code shared
/// with the SQLite adapter, compiled here for PostgreSQL.
#[path = "../../adapter-store/src/store/mod.rs"]
mod store;
