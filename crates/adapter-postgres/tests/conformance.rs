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

/// Migration 000009 adopts the users that sessions and sign-in tokens
/// already reference: rows written as a store without users wrote them
/// (by the previous version, in plain SQL here), then the migration run
/// again on that store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_identity_migration_adopts_users_that_sessions_and_tickets_reference() {
    use hallpass_domain::{UnixMillis, User, UserId};
    use hallpass_ports::{UserFilter, UserStore as _};

    let (store, db) = fresh_store().await;
    let mut sql = db.sql();
    // Back to before the identity migration: the later ones first.
    sql.execute(include_str!(
        "../../../migrations/postgres/2026-12-08-000010_passwords/down.sql"
    ));
    sql.execute(include_str!(
        "../../../migrations/postgres/2026-12-07-000009_identity/down.sql"
    ));
    sql.execute(
        "INSERT INTO clients (id, rotating_token, cookie_expires_at, created_at, updated_at)
             VALUES ('client_1', 'rt', 0, 1000, 1000);
         INSERT INTO sessions (id, client_id, user_id, status, last_active_at, expire_at, abandon_at, created_at, updated_at)
             VALUES ('sess_1', 'client_1', 'legacy-user', 'active', 3000, 9000, 9000, 3000, 3000),
                    ('sess_2', 'client_1', 'legacy-user', 'revoked', 2000, 9000, 9000, 2000, 2500),
                    ('sess_3', 'client_1', 'user_2', 'ended', 5000, 9000, 9000, 5000, 5000);
         INSERT INTO sign_in_tokens (id, user_id, token_hash, status, expires_at, created_at, updated_at)
             VALUES ('sit_1', 'ticket-only', 'h1', 'pending', 9000, 4000, 4000),
                    ('sit_2', 'user_2', 'h2', 'accepted', 9000, 1500, 1600);",
    );
    sql.execute(include_str!(
        "../../../migrations/postgres/2026-12-07-000009_identity/up.sql"
    ));
    sql.execute(include_str!(
        "../../../migrations/postgres/2026-12-08-000010_passwords/up.sql"
    ));

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
    // The sessions themselves are as they were.
    assert_eq!(
        sql.number("SELECT count(*) AS n FROM sessions WHERE user_id = 'legacy-user'"),
        2
    );
}
