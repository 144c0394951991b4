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

/// Migration 000009 adopts the users that sessions and sign-in tokens
/// already reference: rows written as a store without users wrote them
/// (by the previous version, in plain SQL here), then the migration run
/// again on that store.
#[tokio::test]
async fn the_identity_migration_adopts_users_that_sessions_and_tickets_reference() {
    use diesel::Connection as _;
    use diesel::connection::SimpleConnection as _;
    use hallpass_domain::{UnixMillis, User, UserId};
    use hallpass_ports::{UserFilter, UserStore as _};

    let (store, dir) = fresh_store().await;
    let mut conn = diesel::sqlite::SqliteConnection::establish(
        dir.path().join("hallpass.sqlite3").to_str().unwrap(),
    )
    .expect("connect");
    // Back to before the identity migration: the later ones first.
    conn.batch_execute(include_str!(
        "../../../migrations/sqlite/2026-12-08-000010_passwords/down.sql"
    ))
    .expect("the store before passwords");
    conn.batch_execute(include_str!(
        "../../../migrations/sqlite/2026-12-07-000009_identity/down.sql"
    ))
    .expect("the store before identity");
    conn.batch_execute(
        "INSERT INTO clients (id, rotating_token, cookie_expires_at, created_at, updated_at)
             VALUES ('client_1', 'rt', 0, 1000, 1000);
         INSERT INTO sessions (id, client_id, user_id, status, last_active_at, expire_at, abandon_at, created_at, updated_at)
             VALUES ('sess_1', 'client_1', 'legacy-user', 'active', 3000, 9000, 9000, 3000, 3000),
                    ('sess_2', 'client_1', 'legacy-user', 'revoked', 2000, 9000, 9000, 2000, 2500),
                    ('sess_3', 'client_1', 'user_2', 'ended', 5000, 9000, 9000, 5000, 5000);
         INSERT INTO sign_in_tokens (id, user_id, token_hash, status, expires_at, created_at, updated_at)
             VALUES ('sit_1', 'ticket-only', 'h1', 'pending', 9000, 4000, 4000),
                    ('sit_2', 'user_2', 'h2', 'accepted', 9000, 1500, 1600);",
    )
    .expect("rows of the previous version");
    conn.batch_execute(include_str!(
        "../../../migrations/sqlite/2026-12-07-000009_identity/up.sql"
    ))
    .expect("migrate");
    conn.batch_execute(include_str!(
        "../../../migrations/sqlite/2026-12-08-000010_passwords/up.sql"
    ))
    .expect("migrate passwords");

    // Each referenced id is a user with nothing but its id, created at its
    // earliest reference (a session or a ticket).
    for (id, created) in [
        ("legacy-user", 2000),
        ("ticket-only", 4000),
        ("user_2", 1500),
    ] {
        let id = UserId::parse(id).unwrap();
        assert_eq!(
            store.find_user(&id).await.expect("adopted"),
            User::adopt(id.clone(), UnixMillis::new(created))
        );
    }
    assert_eq!(store.count_users(&UserFilter::default()).await.unwrap(), 3);
}
