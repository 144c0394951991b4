//! The storage conformance suite against the embedded store: a fresh file
//! per test in a temporary directory, removed when the test ends.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hallpass_adapter_sqlite::SqliteStore;

async fn fresh_store() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("hallpass.sqlite3")).expect("open store");
    (store, dir)
}

hallpass_store_conformance::storage_conformance_tests!(|| fresh_store());
