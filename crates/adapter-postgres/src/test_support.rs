//! A fresh PostgreSQL database per test, created from the embedded
//! migrations and dropped when the guard goes out of scope.
//!
//! The server is taken from `HALLPASS_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). If it cannot be reached the
//! test fails with a message saying how to start it: it never skips.

#![allow(clippy::panic, clippy::expect_used)]

use diesel::connection::SimpleConnection as _;
use diesel::pg::PgConnection;
use diesel::{Connection as _, RunQueryDsl as _};

use crate::{PgOptions, PgStore};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The admin URL tests use.
pub fn admin_url() -> String {
    std::env::var("HALLPASS_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

fn with_database(url: &str, name: &str) -> String {
    let (base, _) = url.rsplit_once('/').unwrap_or((url, ""));
    format!("{base}/{name}")
}

fn connect_admin() -> PgConnection {
    let url = admin_url();
    PgConnection::establish(&url).unwrap_or_else(|e| {
        panic!(
            "cannot reach PostgreSQL at {url}: {e}\n\
             The integration tests need a PostgreSQL server. Start one, e.g.\n  \
             pg_ctlcluster --skip-systemctl-redirect 15 main start\n\
             or point HALLPASS_TEST_DATABASE_URL at a server where the user may CREATE DATABASE."
        )
    })
}

/// A database that exists for the life of this value.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates an empty database with a unique name.
    pub fn create() -> Self {
        let mut bytes = [0u8; 8];
        getrandom_fill(&mut bytes);
        let name = format!(
            "hallpass_test_{}_{}",
            std::process::id(),
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        let mut admin = connect_admin();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("creating test database {name}: {e}"));
        let url = with_database(&admin_url(), &name);
        Self { name, url }
    }

    /// Creates a database and a migrated store on it.
    pub fn migrated_store() -> (PgStore, Self) {
        let db = Self::create();
        let store = PgStore::connect(&db.url, &PgOptions::default()).expect("connect");
        store.migrate().expect("migrate");
        (store, db)
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A plain connection to a test database, for tests that look at or hold
/// rows behind the server's back (invariant checks, row locks).
pub struct SqlSession(PgConnection);

impl std::fmt::Debug for SqlSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlSession").finish_non_exhaustive()
    }
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

impl SqlSession {
    /// Runs statements (several, `;`-separated, allowed).
    pub fn execute(&mut self, sql: &str) {
        self.0
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The one `BIGINT` column `n` of the one row `sql` returns, e.g.
    /// `SELECT count(*) AS n FROM sessions`.
    pub fn number(&mut self, sql: &str) -> i64 {
        diesel::sql_query(sql)
            .get_result::<Count>(&mut self.0)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .n
    }
}

impl TestDatabase {
    /// A connection of its own to this database.
    pub fn sql(&self) -> SqlSession {
        SqlSession(
            PgConnection::establish(&self.url)
                .unwrap_or_else(|e| panic!("connecting to {}: {e}", self.name)),
        )
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let mut admin = connect_admin();
        let _ = diesel::sql_query(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut admin);
    }
}

/// Random bytes for the database name, without a dependency: the name only
/// needs to differ between concurrent tests of one run.
fn getrandom_fill(buf: &mut [u8]) {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher as _, Hasher as _};
    for chunk in buf.chunks_mut(8) {
        let mut h = RandomState::new().build_hasher();
        h.write_usize(chunk.as_ptr() as usize);
        let v = h.finish().to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
}
