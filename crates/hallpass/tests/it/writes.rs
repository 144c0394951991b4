//! The minting path writes the session at most once per activity interval,
//! never once per mint, even when mints race: every row written to any
//! table is counted by a trigger while a signed-in browser and the Backend
//! API mint tokens against PostgreSQL.

use hallpass_adapter_postgres::test_support::{SqlSession, TestDatabase};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

const APP: &str = "https://app.example.com";
const MINTS: usize = 40;

/// Counts every row inserted, updated or deleted in every table, by table.
const COUNT_WRITES: &str = "
CREATE TABLE bench_writes (tbl TEXT NOT NULL, op TEXT NOT NULL);
CREATE FUNCTION bench_count_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO bench_writes VALUES (TG_TABLE_NAME, TG_OP); RETURN NULL; END $$;
DO $$ DECLARE t TEXT; BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'bench_writes' LOOP
    EXECUTE format('CREATE TRIGGER bench_count_write AFTER INSERT OR UPDATE OR DELETE ON %I
                    FOR EACH ROW EXECUTE FUNCTION bench_count_write()', t);
  END LOOP;
END $$;";

fn writes(sql: &mut SqlSession) -> Vec<(String, String, i64)> {
    let total = sql.number("SELECT count(*) AS n FROM bench_writes");
    let mut by_table = Vec::new();
    for table in [
        "sessions",
        "clients",
        "session_activities",
        "refresh_tokens",
    ] {
        for op in ["INSERT", "UPDATE", "DELETE"] {
            let n = sql.number(&format!(
                "SELECT count(*) AS n FROM bench_writes WHERE tbl = '{table}' AND op = '{op}'"
            ));
            if n > 0 {
                by_table.push((table.to_owned(), op.to_owned(), n));
            }
        }
    }
    let listed: i64 = by_table.iter().map(|(_, _, n)| n).sum();
    if listed != total {
        by_table.push(("other tables".to_owned(), "any".to_owned(), total - listed));
    }
    by_table
}

fn cookie_of(res: &reqwest::Response) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.strip_prefix("__client="))
        .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
        .find(|v| !v.is_empty())
        .expect("a __client cookie")
}

/// A production browser signed in with a ticket as the user labelled
/// `label` ([`user`]): its `__client` cookie and its session id.
async fn signed_in_browser(server: &Server, label: &str) -> (String, String) {
    let http = http();
    let res = http
        .post(format!("{}/v1/client?_method=PUT", server.fapi))
        .header("origin", APP)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = cookie_of(&res);
    let ticket: Value = server
        .bapi(Method::POST, "/v1/sign_in_tokens")
        .json(&json!({ "user_id": self::user(server, label).await }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = http
        .post(format!("{}/v1/client/sign_ins", server.fapi))
        .header("origin", APP)
        .header("cookie", format!("__client={cookie}"))
        .form(&[
            ("strategy", "ticket"),
            ("ticket", ticket["token"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = cookie_of(&res);
    let body: Value = res.json().await.unwrap();
    let sid = body["response"]["created_session_id"].as_str().unwrap();
    (cookie, sid.to_owned())
}

/// Mints `n` tokens in turn, alternating the Frontend API (cookie) and the
/// Backend API; every one must succeed.
async fn mint(server: &Server, cookie: &str, sid: &str, n: usize) {
    for i in 0..n {
        let res = if i % 2 == 0 {
            http()
                .post(format!("{}/v1/client/sessions/{sid}/tokens", server.fapi))
                .header("origin", APP)
                .header("cookie", format!("__client={cookie}"))
                .form(&[("organization_id", "")])
                .send()
                .await
                .unwrap()
        } else {
            server
                .bapi(Method::POST, &format!("/v1/sessions/{sid}/tokens"))
                .send()
                .await
                .unwrap()
        };
        assert_eq!(res.status(), 200, "mint {i}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(part(body["jwt"].as_str().unwrap(), 1)["sid"], sid);
    }
}

/// `n` Frontend API mints sent at once, over connections opened
/// beforehand so that they reach the server together.
async fn mint_concurrently(server: &Server, cookie: &str, sid: &str, n: usize) {
    let client = http();
    let mut warm = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (client, url) = (client.clone(), format!("{}/healthz", server.fapi));
        warm.spawn(async move { client.get(url).send().await.unwrap().status() });
    }
    while let Some(status) = warm.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    let url = format!("{}/v1/client/sessions/{sid}/tokens", server.fapi);
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(n));
    let mut mints = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (client, url, start) = (client.clone(), url.clone(), start.clone());
        let cookie = format!("__client={cookie}");
        mints.spawn(async move {
            start.wait().await;
            client
                .post(url)
                .header("origin", APP)
                .header("cookie", cookie)
                .form(&[("organization_id", "")])
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    while let Some(status) = mints.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn minting_writes_the_session_once_per_activity_interval_not_once_per_mint() {
    let db = tokio::task::spawn_blocking(TestDatabase::create)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = tokio::task::block_in_place(|| {
        serve_with_env(
            dir.path(),
            &["--database-url", db.url()],
            &[
                ("HALLPASS__ENVIRONMENT", "production"),
                ("HALLPASS__FRONTEND_API__ALLOWED_ORIGINS", APP),
                ("HALLPASS__SESSIONS__ACTIVITY_WRITE_INTERVAL_SECS", "3600"),
            ],
        )
    });
    let (cookie, sid) = signed_in_browser(&server, "user_writes").await;
    let mut sql = db.sql();
    sql.execute(COUNT_WRITES);

    // Within the interval that the sign-in opened: no write at all.
    mint(&server, &cookie, &sid, MINTS).await;
    assert_eq!(
        writes(&mut sql),
        vec![],
        "{MINTS} mints within one interval"
    );

    // The interval has passed (activity moved back behind the server's
    // back): the next mint records it, once; the others do not.
    sql.execute(&format!(
        "UPDATE sessions SET last_active_at = last_active_at - 3601000 WHERE id = '{sid}';
         TRUNCATE bench_writes;"
    ));
    mint(&server, &cookie, &sid, MINTS).await;
    assert_eq!(
        writes(&mut sql),
        vec![("sessions".to_owned(), "UPDATE".to_owned(), 1)],
        "{MINTS} mints after the interval"
    );
    // Mints racing once the interval has passed again: they all read the
    // same row, one records the activity, the others write nothing.
    sql.execute(&format!(
        "UPDATE sessions SET last_active_at = last_active_at - 3601000 WHERE id = '{sid}';
         TRUNCATE bench_writes;"
    ));
    mint_concurrently(&server, &cookie, &sid, MINTS).await;
    assert_eq!(
        writes(&mut sql),
        vec![("sessions".to_owned(), "UPDATE".to_owned(), 1)],
        "{MINTS} concurrent mints after the interval"
    );
    let recorded = sql.number(&format!(
        "SELECT count(*) AS n FROM sessions WHERE id = '{sid}'
           AND last_active_at > (extract(epoch FROM now()) * 1000)::bigint - 60000"
    ));
    assert_eq!(recorded, 1, "the write recorded the activity");
}
