use std::process::Command;
use std::time::Duration;

use hallpass_adapter_postgres::test_support::TestDatabase;
use hallpass_domain::{Environment, PublishableKey};
use serde_json::{Value, json};

use crate::support::*;

async fn get(url: &str) -> (u16, String, Value) {
    let res = http().get(url).send().await.expect("request");
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = res.json().await.expect("json body");
    (status, content_type, body)
}

#[tokio::test]
async fn serve_on_the_embedded_store_prints_how_to_reach_it_and_answers_health_checks() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[]);

    assert!(
        server.instance_id.starts_with("ins_"),
        "{}",
        server.instance_id
    );
    assert!(
        server.secret_line.starts_with("sk_test_"),
        "{}",
        server.secret_line
    );
    let (env, host) = PublishableKey::decode(&server.publishable_key).unwrap();
    assert_eq!(env, Environment::Development);
    assert_eq!(format!("http://{host}"), server.fapi);
    assert!(dir.path().join("hallpass.sqlite3").exists());

    for base in [&server.fapi, &server.bapi] {
        let (status, ct, body) = get(&format!("{base}/healthz")).await;
        assert_eq!(
            (status, ct.as_str(), body),
            (200, "application/json", json!({"status": "ok"}))
        );
        let (status, _, body) = get(&format!("{base}/readyz")).await;
        assert_eq!((status, body), (200, json!({"status": "ready"})));
        let (status, ct, body) = get(&format!("{base}/nothing-here")).await;
        assert_eq!(status, 404);
        assert_eq!(ct, "application/json");
        assert_eq!(
            body,
            json!({"errors": [{
                "code": "resource_not_found",
                "message": "not found",
                "long_message": "GET /nothing-here not found",
                "meta": {}
            }]})
        );
    }
    // Under /v1 the Backend API authenticates before it routes.
    let (status, _, body) = get(&format!("{}/v1/nothing-here", server.bapi)).await;
    assert_eq!(
        (status, &body["errors"][0]["code"]),
        (401, &json!("authentication_invalid"))
    );
    let res = server
        .bapi(reqwest::Method::GET, "/v1/nothing-here")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn a_restart_keeps_the_instance_and_never_prints_the_secret_again() {
    let dir = tempfile::tempdir().unwrap();
    let first = serve(dir.path(), &[]);
    let id = first.instance_id.clone();
    drop(first);
    let second = serve(dir.path(), &[]);
    assert_eq!(second.instance_id, id);
    assert!(
        !second.secret_line.contains("sk_test_"),
        "{}",
        second.secret_line
    );

    let out = hallpass()
        .args(["instance", "show", "--json", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["instance_id"], id.as_str());
    assert_eq!(shown["environment"], "development");
    assert_eq!(shown["secret_keys"].as_array().unwrap().len(), 1);
    assert_eq!(shown["signing_keys"][0]["kid"], id.as_str());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("sk_test_"));
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = serve(dir.path(), &[]);
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no exit 20 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// SIGTERM sent the moment the readiness line is read, start after start:
/// every run drains and exits 0. (With the handlers installed after the
/// banner, a signal in between met the default action: "signal: 15".)
#[test]
fn sigterm_as_soon_as_the_ready_line_is_read_still_drains() {
    use std::io::{BufRead as _, BufReader, Write as _};
    use std::process::Stdio;

    let dir = tempfile::tempdir().unwrap();
    for start in 0..20 {
        let mut child = hallpass()
            .args(["serve", "--fapi-addr", "127.0.0.1:0"])
            .args(["--bapi-addr", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        // A shell already waiting, so the signal leaves within microseconds
        // of the line (spawning `kill` then would take a millisecond).
        let mut killer = Command::new("sh")
            .arg("-c")
            .arg(format!("read _ && kill -TERM {}", child.id()))
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        killer.stdin.take().unwrap().write_all(b"go\n").unwrap();
        assert!(line.contains("is ready"), "start {start}: {line:?}");
        assert!(killer.wait().unwrap().success());
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("start {start}: no exit 20 s after SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(
            status.code(),
            Some(0),
            "start {start}: exit status {status}"
        );
    }
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

/// Under the usual umask 022 a new embedded store is still private: it
/// holds the signing key (plain PEM without `keys.encryption_key`).
#[test]
fn a_new_embedded_store_is_private_under_umask_022() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hallpass-data");
    let _server = serve_command(hallpass_after("umask 022"), &data, &[], &[], None);
    let modes: Vec<String> = ["", "sqlite3", "sqlite3-wal", "sqlite3-shm"]
        .into_iter()
        .map(|ext| {
            let path = match ext {
                "" => data.clone(),
                ext => data.join(format!("hallpass.{ext}")),
            };
            format!("{ext} {:o}", mode(&path))
        })
        .collect();
    assert_eq!(
        modes,
        [" 700", "sqlite3 600", "sqlite3-wal 600", "sqlite3-shm 600"],
        "the data directory, then the database and its -wal and -shm files"
    );
}

/// An existing store others can read is left as it is, with a warning per
/// directory or file naming it, its mode and the fix; a private one gets
/// none.
#[test]
fn an_existing_store_others_can_read_is_reported_at_start() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let db = data.join("hallpass.sqlite3");
    let warnings = |log: &std::path::Path| -> Vec<Value> {
        std::fs::read_to_string(log)
            .unwrap()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|e| e["level"] == "WARN")
            .filter(|e| e["message"].as_str().unwrap().contains("embedded store"))
            .collect()
    };
    let envs = [
        ("HALLPASS__LOG__LEVEL", "warn"),
        ("HALLPASS__LOG__FORMAT", "json"),
    ];
    let log = tmp.path().join("first.log");
    drop(serve_logging(&data, &[], &envs, Some(&log)));
    assert_eq!(warnings(&log), Vec::<Value>::new(), "a private store");

    let chmod = |path: &std::path::Path, mode: &str| {
        let status = Command::new("chmod").arg(mode).arg(path).status().unwrap();
        assert!(status.success());
    };
    chmod(&data, "755");
    chmod(&db, "644");
    let log = tmp.path().join("second.log");
    drop(serve_logging(&data, &[], &envs, Some(&log)));
    assert_eq!((mode(&data), mode(&db)), (0o755, 0o644), "left as they are");
    let warnings = warnings(&log);
    for (path, mode, private) in [(&data, "0755", "700"), (&db, "0644", "600")] {
        let path = path.display().to_string();
        let warning = warnings
            .iter()
            .find(|w| w["path"] == path.as_str())
            .unwrap_or_else(|| panic!("no warning for {path}: {warnings:#?}"));
        assert_eq!(warning["mode"], mode);
        let message = warning["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("has mode {mode}"))
                && message.contains(&format!("chmod {private} {path}")),
            "{message}"
        );
    }
}

#[tokio::test]
async fn serve_on_postgres_migrates_creates_the_instance_and_reports_readiness() {
    let db = tokio::task::spawn_blocking(TestDatabase::create)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &["--database-url", db.url()]);
    assert!(server.secret_line.starts_with("sk_test_"));
    assert!(
        !dir.path().join("hallpass.sqlite3").exists(),
        "no embedded store when Postgres is configured"
    );
    let (status, _, _) = get(&format!("{}/readyz", server.bapi)).await;
    assert_eq!(status, 200);

    let out = hallpass()
        .args(["instance", "show", "--json", "--database-url", db.url()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{:?}: {} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["instance_id"], server.instance_id.as_str());

    // The database disappears: readiness says so with a Clerk error and
    // Retry-After, while liveness still answers.
    let name = db.name().to_owned();
    drop(db);
    let res = http()
        .get(format!("{}/readyz", server.bapi))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 503);
    assert_eq!(res.headers()["retry-after"], "1");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "service_unavailable");
    // Requests that need the store fail fast with a 503 and Retry-After,
    // not a 500.
    let res = http()
        .post(format!("{}/v1/dev_browser", server.fapi))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 503);
    assert_eq!(res.headers()["retry-after"], "1");
    let res = server
        .bapi(reqwest::Method::GET, "/v1/sessions?user_id=u")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 503);
    let (status, _, _) = get(&format!("{}/healthz", server.bapi)).await;
    assert_eq!(status, 200, "database {name} dropped, process still alive");
}

#[tokio::test]
async fn migrate_prepares_an_empty_postgres_database() {
    let db = tokio::task::spawn_blocking(TestDatabase::create)
        .await
        .unwrap();
    let out = hallpass()
        .args(["migrate", "--database-url", db.url()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Migrated but empty: no instance until the first serve.
    let out = hallpass()
        .args(["instance", "show", "--database-url", db.url()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("run `hallpass serve` once"));
}

#[tokio::test]
async fn instance_show_refuses_an_unmigrated_database() {
    let db = tokio::task::spawn_blocking(TestDatabase::create)
        .await
        .unwrap();
    let out = hallpass()
        .args(["instance", "show", "--database-url", db.url()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("run `hallpass migrate` first"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
