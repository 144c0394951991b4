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

/// The identity reads (issue 15) use their indexes on a store of a
/// hundred thousand users, and the minting read with an organization stays
/// primary-key and unique-index lookups.
#[test]
fn identity_reads_use_their_indexes() {
    let (_store, db) = TestDatabase::migrated_store();
    let mut conn = PgConnection::establish(db.url()).unwrap();
    // 500,000 sessions over 100,000 users and 250,000 clients; every other
    // session has one of 10,000 organizations active; each user is a
    // member of two organizations and has one email address.
    insert_sessions(&mut conn, 500_000, 250_000, 100_000, "'active'");
    conn.batch_execute(
        "INSERT INTO users (id, external_id, first_name, last_name, username,
                            primary_email_address_id, primary_email_address, created_at, updated_at)
         SELECT 'user_' || g, 'ext-' || g, 'First' || g, 'Last' || g, 'name' || g,
                'idn_' || g, 'u' || g || '@example.com', g, g
         FROM generate_series(0, 99999) g;
         INSERT INTO user_email_addresses (id, user_id, position, email_address, verified, created_at, updated_at)
         SELECT 'idn_' || g, 'user_' || g, 0, 'u' || g || '@example.com', true, g, g
         FROM generate_series(0, 99999) g;
         INSERT INTO organizations (id, name, slug, members_count, created_at, updated_at)
         SELECT 'org_' || g, 'Org ' || g, 'org-' || g, 20, g, g FROM generate_series(0, 9999) g;
         INSERT INTO organization_memberships (id, organization_id, user_id, role, created_at, updated_at)
         SELECT 'orgmem_' || g || '_' || k, 'org_' || ((g * 2 + k) % 10000), 'user_' || g, 'org:member', g, g
         FROM generate_series(0, 99999) g, generate_series(0, 1) k;
         UPDATE sessions SET last_active_organization_id = 'org_' || (substr(id, 6)::int % 10000)
         WHERE substr(id, 6)::int % 2 = 0;
         INSERT INTO sign_in_tokens (id, user_id, token_hash, status, expires_at, created_at, updated_at)
         SELECT 'sit_' || g, 'user_' || (g % 100000), 'hash' || g, 'pending', g, g, g
         FROM generate_series(1, 200000) g;
         ANALYZE;",
    )
    .unwrap();

    let cases = [
        // The minting read: client, session, organization, membership.
        (
            "SELECT c.*, s.*, o.*, m.* FROM clients c \
             LEFT JOIN sessions s ON s.client_id = c.id AND s.id = 'sess_42' \
             LEFT JOIN organizations o ON o.id = s.last_active_organization_id \
             LEFT JOIN organization_memberships m \
               ON m.organization_id = s.last_active_organization_id AND m.user_id = s.user_id \
             WHERE c.id = 'client_43' LIMIT 1",
            &[
                "clients_pkey",
                "sessions_pkey|sessions_client_newest",
                "organizations_pkey",
                "organization_memberships_member",
            ][..],
        ),
        // GET /v1/users filtered by email address, external id, username,
        // organization; its count.
        (
            "SELECT * FROM users WHERE id IN (SELECT user_id FROM user_email_addresses \
             WHERE email_address = ANY(ARRAY['u42@example.com'])) \
             ORDER BY created_at DESC, id DESC LIMIT 10",
            &["user_email_addresses_address", "users_pkey"][..],
        ),
        (
            "SELECT count(*) FROM users WHERE id IN (SELECT user_id FROM user_email_addresses \
             WHERE email_address = ANY(ARRAY['u42@example.com']))",
            &["user_email_addresses_address"][..],
        ),
        (
            "SELECT * FROM users WHERE external_id = ANY(ARRAY['ext-42', 'ext-43']) \
             ORDER BY created_at DESC, id DESC LIMIT 10",
            &["users_external_id"][..],
        ),
        (
            "SELECT * FROM users WHERE lower(username) = ANY(ARRAY['name42']) \
             ORDER BY created_at DESC, id DESC LIMIT 10",
            &["users_username|users_by_username"][..],
        ),
        (
            "SELECT * FROM users WHERE id IN (SELECT user_id FROM organization_memberships \
             WHERE organization_id = ANY(ARRAY['org_42'])) ORDER BY created_at DESC, id DESC LIMIT 10",
            &[
                "organization_memberships_member|organization_memberships_by_role|organization_memberships_by_created_at",
            ][..],
        ),
        // Unfiltered pages in each indexed order.
        (
            "SELECT * FROM users ORDER BY created_at DESC, id DESC LIMIT 10 OFFSET 20",
            &["users_by_created_at"][..],
        ),
        (
            "SELECT * FROM users ORDER BY primary_email_address ASC NULLS LAST, id ASC LIMIT 10",
            &["users_by_email_address"][..],
        ),
        (
            "SELECT * FROM users ORDER BY lower(last_name) DESC NULLS FIRST, id DESC LIMIT 10",
            &["users_by_last_name"][..],
        ),
        // An organization's members, a user's memberships, organizations
        // of a member.
        (
            "SELECT * FROM organization_memberships m JOIN organizations o ON o.id = m.organization_id \
             JOIN users u ON u.id = m.user_id WHERE m.organization_id = 'org_42' \
             ORDER BY m.created_at ASC, m.id ASC LIMIT 10",
            &["organization_memberships_by_created_at"][..],
        ),
        (
            "SELECT * FROM organization_memberships m JOIN organizations o ON o.id = m.organization_id \
             JOIN users u ON u.id = m.user_id WHERE m.user_id = 'user_42' \
             ORDER BY m.created_at DESC, m.id DESC LIMIT 10",
            &["organization_memberships_by_user"][..],
        ),
        (
            "SELECT * FROM organizations WHERE id IN (SELECT organization_id FROM organization_memberships \
             WHERE user_id = ANY(ARRAY['user_42'])) ORDER BY created_at DESC, id DESC LIMIT 10",
            &["organization_memberships_by_user"][..],
        ),
        (
            "SELECT * FROM organizations WHERE slug = 'org-42'",
            &["organizations_slug"][..],
        ),
        // Deleting an organization clears it from sessions; deleting a
        // user revokes its sessions and tickets.
        (
            "UPDATE sessions SET last_active_organization_id = NULL WHERE last_active_organization_id = 'org_42'",
            &["sessions_by_active_organization"][..],
        ),
        (
            "UPDATE sessions SET status = 'revoked' WHERE user_id = 'user_42' \
             AND status IN ('active', 'pending') AND expire_at > 0 AND abandon_at > 0",
            &["sessions_user_newest"][..],
        ),
        (
            "UPDATE sign_in_tokens SET status = 'revoked' WHERE user_id = 'user_42' AND status = 'pending'",
            &["sign_in_tokens_by_user"][..],
        ),
    ];
    for (query, indexes) in cases {
        let plan = plan(&mut conn, query);
        // `a|b`: either index will do.
        for index in indexes {
            assert!(
                index.split('|').any(|i| plan.contains(i)),
                "{query}\nexpected {index}:\n{plan}"
            );
        }
        assert!(!plan.contains("Seq Scan"), "{query}\n{plan}");
    }
}
