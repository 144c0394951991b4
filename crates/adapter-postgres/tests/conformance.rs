//! The storage conformance suite against a real PostgreSQL: a fresh database
//! per test, migrated from the embedded migrations and dropped afterwards.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hallpass_adapter_postgres::PgStore;
use hallpass_adapter_postgres::test_support::TestDatabase;

async fn fresh_store() -> (PgStore, TestDatabase) {
    tokio::task::spawn_blocking(TestDatabase::migrated_store)
        .await
        .expect("create test database")
}

hallpass_store_conformance::storage_conformance_tests!(|| fresh_store());
