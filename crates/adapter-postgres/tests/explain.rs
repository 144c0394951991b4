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

#[test]
fn session_lists_use_their_indexes_at_a_million_sessions() {
    let (_store, db) = TestDatabase::migrated_store();
    let mut conn = PgConnection::establish(db.url()).unwrap();
    // 1,000,000 sessions over 100,000 users and 250,000 clients.
    conn.batch_execute(
        "INSERT INTO clients (id, rotating_token, last_active_session_id, cookie_expires_at, created_at, updated_at)
         SELECT 'client_' || g, 'rt' || g, NULL, 0, g, g FROM generate_series(1, 250000) g;
         INSERT INTO sessions (id, client_id, user_id, status, last_active_at, expire_at, abandon_at, created_at, updated_at)
         SELECT 'sess_' || g, 'client_' || (g % 250000 + 1), 'user_' || (g % 100000),
                (ARRAY['active','ended','revoked','expired'])[g % 4 + 1], g, g, g, g, g
         FROM generate_series(1, 1000000) g;
         ANALYZE clients; ANALYZE sessions;",
    )
    .unwrap();

    let cases = [
        (
            "SELECT * FROM sessions WHERE user_id = 'user_42' ORDER BY created_at DESC, id DESC LIMIT 10 OFFSET 0",
            "sessions_user_newest",
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
    ];
    for (query, index) in cases {
        let plan = plan(&mut conn, query);
        assert!(plan.contains(index), "{query}\nexpected {index}:\n{plan}");
        assert!(!plan.contains("Seq Scan"), "{query}\n{plan}");
    }
}
