//! The Backend API's session list stays an index scan at a million
//! sessions: the planner is asked, not trusted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use diesel::connection::SimpleConnection as _;
use diesel::pg::PgConnection;
use diesel::{Connection as _, QueryableByName, RunQueryDsl as _, sql_query, sql_types::Text};
use hallpass_adapter_postgres::test_support::TestDatabase;

#[derive(QueryableByName)]
struct Plan {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

fn plan(conn: &mut PgConnection, query: &str) -> String {
    sql_query(format!("EXPLAIN {query}"))
        .load::<Plan>(conn)
        .unwrap()
        .into_iter()
        .map(|p| p.line)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Sessions `sess_1..=sessions` over `clients` clients and `users` users,
/// each with the status the SQL expression `status` gives (over `g`).
fn insert_sessions(conn: &mut PgConnection, sessions: u32, clients: u32, users: u32, status: &str) {
    conn.batch_execute(&format!(
        "INSERT INTO clients (id, rotating_token, last_active_session_id, cookie_expires_at, created_at, updated_at)
         SELECT 'client_' || g, 'rt' || g, NULL, 0, g, g FROM generate_series(1, {clients}) g;
         INSERT INTO sessions (id, client_id, user_id, status, last_active_at, expire_at, abandon_at, created_at, updated_at)
         SELECT 'sess_' || g, 'client_' || (g % {clients} + 1), 'user_' || (g % {users}), {status}, g, g, g, g, g
         FROM generate_series(1, {sessions}) g;"
    ))
    .unwrap();
}

#[test]
fn session_lists_use_their_indexes_at_a_million_sessions() {
    let (_store, db) = TestDatabase::migrated_store();
    let mut conn = PgConnection::establish(db.url()).unwrap();
    // 1,000,000 sessions over 100,000 users and 250,000 clients.
    insert_sessions(
        &mut conn,
        1_000_000,
        250_000,
        100_000,
        "(ARRAY['active','ended','revoked','expired'])[g % 4 + 1]",
    );
    conn.batch_execute(
        "-- One session in ten has a recorded activity.
         INSERT INTO session_activities (session_id, is_mobile, device_type, updated_at)
         SELECT 'sess_' || g, false, 'desktop', g FROM generate_series(1, 1000000, 10) g;
         ANALYZE clients; ANALYZE sessions; ANALYZE session_activities;",
    )
    .unwrap();

    let cases = [
        (
            "SELECT * FROM sessions WHERE user_id = 'user_42' ORDER BY created_at DESC, id DESC LIMIT 10 OFFSET 0",
            "sessions_user_newest",
        ),
        // The listed sessions' activities, read after the page.
        (
            "SELECT * FROM session_activities WHERE session_id = ANY(ARRAY['sess_11', 'sess_21'])",
            "session_activities_pkey",
        ),
        (
            "SELECT * FROM sessions WHERE client_id = 'client_42' ORDER BY created_at DESC, id DESC LIMIT 10",
            "sessions_client_newest",
        ),
        (
            "SELECT count(*) FROM sessions WHERE user_id = 'user_42'",
            "sessions_user_newest",
        ),
        (
            "SELECT * FROM sessions WHERE id = 'sess_500000'",
            "sessions_pkey",
        ),
        // Deprecated unscoped lists, with a status filter or without.
        (
            "SELECT * FROM sessions WHERE status = 'revoked' ORDER BY created_at DESC, id DESC LIMIT 10",
            "sessions_newest",
        ),
        // The sweep: live sessions whose deadline passed since the last one.
        (
            "UPDATE sessions SET status = 'expired' WHERE expire_at <= 500100 AND expire_at > 500000 \
             AND status IN ('active', 'pending')",
            "sessions_by_expiry",
        ),
    ];
    for (query, index) in cases {
        let plan = plan(&mut conn, query);
        assert!(plan.contains(index), "{query}\nexpected {index}:\n{plan}");
        assert!(!plan.contains("Seq Scan"), "{query}\n{plan}");
    }
}

/// A status change (revoke, sign-out, end, expiry) is a HOT update: no
/// index names `status`, and the table keeps room on its pages, so the new
/// row version stays on its page and no index is written. Checked with
/// PostgreSQL's own counter, on an update shaped like the store's (every
/// column set, only `status` and `updated_at` changed).
#[test]
fn a_status_change_is_a_hot_update() {
    let (_store, db) = TestDatabase::migrated_store();
    let mut conn = PgConnection::establish(db.url()).unwrap();
    insert_sessions(&mut conn, 10_000, 1_000, 100, "'active'");
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let hot = conn
        .transaction(|conn| {
            sql_query(
                "UPDATE sessions SET client_id = client_id, user_id = user_id, status = 'revoked', \
                 actor_sub = actor_sub, actor_iss = actor_iss, actor_sid = actor_sid, \
                 last_active_organization_id = last_active_organization_id, tasks = tasks, \
                 last_active_at = last_active_at, expire_at = expire_at, abandon_at = abandon_at, \
                 created_at = created_at, updated_at = updated_at + 1 \
                 WHERE id IN ('sess_1', 'sess_5000', 'sess_10000') AND status IN ('active', 'pending')",
            )
            .execute(conn)?;
            sql_query("SELECT pg_stat_get_xact_tuples_hot_updated('sessions'::regclass) AS n")
                .get_result::<Count>(conn)
        })
        .unwrap();
    assert_eq!(hot.n, 3, "every status change should be a HOT update");
}
