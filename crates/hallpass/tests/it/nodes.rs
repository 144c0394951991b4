//! Three `hallpass` processes on one PostgreSQL database and nothing else
//! shared: a revoke acknowledged by one node holds on the others at once,
//! and background housekeeping runs once per interval across the nodes.
//! (A key rotation followed by every node is in `tokens.rs`:
//! `nodes_sharing_one_postgres_follow_a_rotation_without_restarts`.)

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;

use crate::faults::{fresh_database, node, without_rate_limits};
use crate::support::*;

/// A mint as the load saw it.
struct Minted {
    sid: String,
    node: char,
    sent: Instant,
    status: u16,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoke_acknowledged_by_node_a_stops_minting_on_nodes_b_and_c_under_load() {
    let db = fresh_database().await;
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let a = Arc::new(node(dirs[0].path(), db.url(), &[]));
    let b = Arc::new(node(dirs[1].path(), db.url(), &[]));
    let c = Arc::new(node(dirs[2].path(), db.url(), &[]));
    assert!(a.instance_id == b.instance_id && b.instance_id == c.instance_id);
    b.share_key(a.secret_key());
    c.share_key(a.secret_key());
    let mut sids = Vec::new();
    for i in 0..6 {
        sids.push(session_id(&a, &format!("user_{i}")).await);
    }

    // Nodes B and C mint for every session, round robin, as fast as they
    // answer, while node A revokes the sessions one after the other.
    let stop = Arc::new(AtomicBool::new(false));
    let minted = Arc::new(Mutex::new(Vec::new()));
    let mut load = Vec::new();
    let client = http();
    for (name, server) in [('B', &b), ('C', &c)] {
        for worker in 0..3 {
            let (server, sids, client) = (server.clone(), sids.clone(), client.clone());
            let (stop, minted) = (stop.clone(), minted.clone());
            load.push(tokio::spawn(async move {
                let mut i = worker;
                while !stop.load(Ordering::SeqCst) {
                    let sid = &sids[i % sids.len()];
                    i += 1;
                    let sent = Instant::now();
                    let res = client
                        .post(format!("{}/v1/sessions/{sid}/tokens", server.bapi))
                        .bearer_auth(server.secret_key_or_first())
                        .send()
                        .await
                        .unwrap();
                    let status = res.status().as_u16();
                    let body: Value = res.json().await.unwrap();
                    match status {
                        200 => assert!(body["jwt"].is_string()),
                        422 => assert_eq!(body["errors"][0]["code"], "invalid_action_for_session"),
                        other => panic!("node {name}: {other} {body}"),
                    }
                    minted.lock().unwrap().push(Minted {
                        sid: sid.clone(),
                        node: name,
                        sent,
                        status,
                    });
                }
            }));
        }
    }
    let mut acknowledged = HashMap::new();
    for sid in &sids {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let res = a
            .bapi(Method::POST, &format!("/v1/sessions/{sid}/revoke"))
            .send()
            .await
            .unwrap();
        // The instant the acknowledgement arrived: any mint request sent
        // after it must be refused.
        let acked = Instant::now();
        assert_eq!(res.status(), 200);
        acknowledged.insert(sid.clone(), acked);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    for t in load {
        t.await.unwrap();
    }

    let minted = std::mem::take(&mut *minted.lock().unwrap());
    let after_ack: Vec<&Minted> = minted
        .iter()
        .filter(|m| m.sent > acknowledged[&m.sid])
        .collect();
    let leaked: Vec<_> = after_ack
        .iter()
        .filter(|m| m.status == 200)
        .map(|m| (m.node, &m.sid))
        .collect();
    assert_eq!(
        leaked,
        vec![],
        "tokens minted after the revoke was acknowledged"
    );
    // The drill exercised both sides of every revoke, on both nodes.
    for name in ['B', 'C'] {
        assert!(
            minted
                .iter()
                .any(|m| m.node == name && m.status == 200 && m.sent < acknowledged[&m.sid]),
            "node {name} minted before the revokes"
        );
        assert!(
            after_ack.iter().any(|m| m.node == name),
            "node {name} was asked after a revoke"
        );
    }
}

fn count_lines(log: &Path, needle: &str) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(needle))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_housekeeping_sweep_runs_once_per_interval_across_three_nodes() {
    let db = fresh_database().await;
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let logs: Vec<_> = dirs.iter().map(|d| d.path().join("stderr.log")).collect();
    let envs = [
        ("HALLPASS__SWEEPS__INTERVAL_SECS", "1"),
        ("RUST_LOG", "error,hallpass::sweeper=debug"),
    ];
    let nodes: Vec<Server> = (0..3)
        .map(|i| {
            tokio::task::block_in_place(|| {
                serve_logging(
                    dirs[i].path(),
                    &["--database-url", db.url()],
                    &without_rate_limits(&envs),
                    Some(&logs[i]),
                )
            })
        })
        .collect();
    nodes[1].share_key(nodes[0].secret_key());

    // A session whose lifetime ran out and a handshake nonce that expired,
    // behind the nodes' backs: nobody reads them, the sweep settles them.
    let sid = session_id(&nodes[0], "user_1").await;
    let live = session_id(&nodes[1], "user_2").await;
    tokio::task::block_in_place(|| {
        let mut sql = db.sql();
        sql.execute(&format!(
            "UPDATE sessions SET expire_at = created_at + 1 WHERE id = '{sid}'; \
             INSERT INTO handshake_nonces (nonce_hash, payload, expires_at, created_at) \
             VALUES ('{}', '[]', 1, 0)",
            "0".repeat(64)
        ));
    });

    let mut sql = tokio::task::block_in_place(|| db.sql());
    let runs = |sql: &mut hallpass_adapter_postgres::test_support::SqlSession| {
        tokio::task::block_in_place(|| sql.number("SELECT runs AS n FROM sweeps"))
    };
    let before = runs(&mut sql);
    let watched = Instant::now();
    tokio::time::sleep(Duration::from_millis(4500)).await;
    let after = runs(&mut sql);
    let elapsed = watched.elapsed();
    drop(nodes);

    // Each node tried every second (about three tries per second in all),
    // yet the sweep ran about once per second: at most once per 0.9 s.
    let ran = after - before;
    let most = i64::try_from(elapsed.as_millis() / 900).unwrap() + 1;
    assert!(
        (2..=most).contains(&ran),
        "{ran} sweeps in {elapsed:?} with three nodes"
    );
    let done: Vec<usize> = logs
        .iter()
        .map(|l| count_lines(l, "housekeeping sweep done"))
        .collect();
    let skipped: Vec<usize> = logs
        .iter()
        .map(|l| count_lines(l, "another node's turn"))
        .collect();
    // Every run is one node's sweep (a node killed between its sweep and
    // its log line accounts for at most one missing line).
    let total = tokio::task::block_in_place(|| sql.number("SELECT runs AS n FROM sweeps"));
    let logged = i64::try_from(done.iter().sum::<usize>()).unwrap();
    assert!(
        (total - 1..=total).contains(&logged),
        "{total} runs stored, {logged} logged"
    );
    for i in 0..3 {
        assert!(
            done[i] + skipped[i] >= 2,
            "node {i} tried to sweep: {done:?} {skipped:?}"
        );
    }
    assert!(
        skipped.iter().sum::<usize>() > 0,
        "some tries found it was not their turn"
    );

    tokio::task::block_in_place(|| {
        assert_eq!(
            sql.number(&format!(
                "SELECT count(*) AS n FROM sessions WHERE id = '{sid}' AND status = 'expired' \
                 AND updated_at = expire_at"
            )),
            1,
            "the expired session is stored expired"
        );
        assert_eq!(
            sql.number(&format!(
                "SELECT count(*) AS n FROM sessions WHERE id = '{live}' AND status = 'active'"
            )),
            1
        );
        assert_eq!(
            sql.number("SELECT count(*) AS n FROM handshake_nonces"),
            0,
            "the expired nonce is gone"
        );
    });
}
