//! # hallpass-adapter-sqlite
//!
//! The embedded storage adapter: SQLite (bundled, nothing to install) in one
//! file under the data directory. It is what `hallpass serve` uses when no
//! database URL is configured, and it passes the same conformance suite as
//! the PostgreSQL adapter.
//!
//! It is meant for one `hallpass` process (a development machine, a small
//! single-node deployment). Several processes sharing one store need the
//! PostgreSQL adapter.
//!
//! The query code is `hallpass-adapter-store`'s, compiled here for
//! `SqliteConnection` (module `store`); this crate adds only what is
//! SQLite's own: opening the file, the pragmas, the migrations and the
//! write transaction's flavour (module `backend`).

mod files;

pub use files::{ExposedPath, exposed_paths};

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use diesel::connection::SimpleConnection as _;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness as _, embed_migrations};
use hallpass_adapter_store::blocking::{Db, OnConnect};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// A store in one SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    pool: Db<SqliteConnection>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct Pragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        // busy_timeout first: connections then wait for each other instead
        // of failing. synchronous=FULL makes an acknowledged write survive
        // power loss. (WAL mode is set once, at open: it is stored in the file.)
        conn.batch_execute(
            "PRAGMA busy_timeout = 5000;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

impl SqliteStore {
    /// The connection pool right now: `(maximum, open, idle)`, for metrics.
    pub fn pool_state(&self) -> (u32, u32, u32) {
        let state = self.pool.state();
        (
            self.pool.max_size(),
            state.connections,
            state.idle_connections,
        )
    }

    /// Opens (creating if needed) the store at `path` and applies pending
    /// migrations. A new directory is created `0700` and a new database
    /// file `0600` (see [`exposed_paths`] for an existing store).
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            files::create_private_dir(dir)
                .with_context(|| format!("creating the data directory {}", dir.display()))?;
        }
        files::create_private_file(path)
            .with_context(|| format!("creating the SQLite store {}", path.display()))?;
        let url = path
            .to_str()
            .with_context(|| format!("the store path {} is not UTF-8", path.display()))?;
        // WAL lets readers run beside the one writer; it persists in the file.
        {
            use diesel::Connection as _;
            let mut conn = SqliteConnection::establish(url)
                .with_context(|| format!("opening the SQLite store {}", path.display()))?;
            conn.batch_execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;")
                .context("switching the SQLite store to WAL mode")?;
        }
        let pool = Pool::builder()
            .max_size(8)
            .connection_timeout(Duration::from_secs(5))
            .connection_customizer(Box::new(OnConnect(Pragmas)));
        let pool = Db::build(pool, ConnectionManager::<SqliteConnection>::new(url))
            .with_context(|| format!("opening the SQLite store {}", path.display()))?;
        let store = Self { pool };
        store.migrate()?;
        Ok(store)
    }

    /// Applies pending migrations; returns how many ran.
    pub fn migrate(&self) -> anyhow::Result<usize> {
        let mut conn = self.pool.get().context("connecting to the SQLite store")?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!(e))
            .context("applying SQLite migrations")?;
        Ok(applied.len())
    }
}

/// What the shared store code (`src/store/` of `hallpass-adapter-store`)
/// needs from this backend: everything in which SQLite differs there.
mod backend {
    pub(crate) type Conn = diesel::sqlite::SqliteConnection;
    pub(crate) type Store = crate::SqliteStore;

    /// A write transaction: `BEGIN IMMEDIATE`, which takes the write lock up
    /// front instead of failing to upgrade a read lock under contention.
    pub(crate) fn write_tx<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        conn.immediate_transaction(f)
    }

    /// Whether the user exists. The write transaction (`BEGIN IMMEDIATE`)
    /// holds SQLite's one write lock already: no row lock is needed.
    pub(crate) fn lock_user(conn: &mut Conn, id: &str) -> diesel::QueryResult<bool> {
        use diesel::prelude::*;
        use hallpass_adapter_store::schema::users;
        diesel::select(diesel::dsl::exists(users::table.find(id))).get_result(conn)
    }
}

/// The storage ports implemented for [`SqliteStore`]: the query code shared
/// with the PostgreSQL adapter, compiled here for SQLite.
#[path = "../../adapter-store/src/store/mod.rs"]
mod store;
