//! Rate limits over HTTP: 429 `too_many_requests` with `Retry-After`, per
//! IP and per client on the Frontend API, per secret key on the Backend
//! API; in memory per node, or shared through Redis (127.0.0.1:6379, or
//! `HALLPASS_TEST_REDIS_URL`) under a key prefix of the test's own.
//!
//! Budgets use one-day windows so a test never straddles a window's end
//! (windows are aligned on their length: one ends only at midnight UTC).

use hallpass_adapter_postgres::test_support::TestDatabase;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

const DAY: &str = "86400";

fn redis_url() -> String {
    std::env::var("HALLPASS_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

fn unique_prefix(name: &str) -> String {
    let nanos = std::time::SystemTime::UNIX_EPOCH
        .elapsed()
        .unwrap()
        .as_nanos();
    format!("hallpass-it:{name}:{}:{nanos}:", std::process::id())
}

/// Env for one budget of `limit` a day, the others unlimited.
fn only(scope: &str, limit: &'static str) -> Vec<(String, String)> {
    let mut env = vec![(
        "HALLPASS__RATE_LIMIT__ENABLED".to_owned(),
        "true".to_owned(),
    )];
    for s in ["FAPI_PER_IP", "FAPI_PER_CLIENT", "BAPI_PER_SECRET_KEY"] {
        let value = if s == scope { limit } else { "0" };
        env.push((
            format!("HALLPASS__RATE_LIMIT__{s}__LIMIT"),
            value.to_owned(),
        ));
        env.push((
            format!("HALLPASS__RATE_LIMIT__{s}__WINDOW_SECS"),
            DAY.to_owned(),
        ));
    }
    env
}

fn start(dir: &std::path::Path, extra: &[&str], env: &[(String, String)]) -> Server {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    serve_with_env(dir, extra, &env)
}

async fn dev_browser(server: &Server) -> String {
    let res = http()
        .post(format!("{}/v1/dev_browser", server.fapi))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

async fn get_client(server: &Server, dvb: &str) -> reqwest::Response {
    http()
        .get(format!("{}/v1/client?__clerk_db_jwt={dvb}", server.fapi))
        .header("Origin", APP)
        .send()
        .await
        .unwrap()
}

/// Asserts Clerk's 429 and returns its `Retry-After` in seconds.
async fn assert_too_many(res: reqwest::Response) -> u64 {
    assert_eq!(res.status(), 429);
    let headers = res.headers().clone();
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["content-type"], "application/json");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&retry), "Retry-After {retry}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "too_many_requests");
    assert_eq!(body["errors"][0]["message"], "Too many requests");
    assert!(body["errors"][0]["long_message"].is_string());
    assert_eq!(body["errors"][0]["meta"], json!({}));
    retry
}

#[tokio::test]
async fn the_frontend_api_limits_each_ip_with_a_readable_429() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &[], &only("FAPI_PER_IP", "4"));
    let dvb = dev_browser(&server).await; // 1
    for _ in 0..3 {
        assert_eq!(get_client(&server, &dvb).await.status(), 200); // 2..4
    }
    let res = get_client(&server, &dvb).await;
    // Browsers can read it: the CORS headers are there.
    assert_eq!(res.headers()["access-control-allow-origin"], APP);
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_too_many(res).await;
    // A CORS preflight spends nothing and still answers.
    let pre = http()
        .request(Method::OPTIONS, format!("{}/v1/client", server.fapi))
        .header("Origin", APP)
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(pre.status(), 204);
    // The Backend API has its own budgets.
    let res = server.bapi(Method::GET, "/v1/jwks").send().await.unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn the_frontend_api_limits_each_client_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &[], &only("FAPI_PER_CLIENT", "3"));
    let (a, b) = (dev_browser(&server).await, dev_browser(&server).await);
    for _ in 0..3 {
        assert_eq!(get_client(&server, &a).await.status(), 200);
    }
    assert_too_many(get_client(&server, &a).await).await;
    // Another client on the same IP is not limited.
    assert_eq!(get_client(&server, &b).await.status(), 200);
}

#[tokio::test]
async fn the_backend_api_limits_each_secret_key_after_authenticating_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &[], &only("BAPI_PER_SECRET_KEY", "3"));
    for _ in 0..3 {
        let res = server.bapi(Method::GET, "/v1/jwks").send().await.unwrap();
        assert_eq!(res.status(), 200);
    }
    let res = server.bapi(Method::GET, "/v1/jwks").send().await.unwrap();
    assert_too_many(res).await;
    // A wrong key is refused as such, and spends nobody's budget.
    let res = http()
        .get(format!("{}/v1/jwks", server.bapi))
        .bearer_auth("sk_test_wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // Health checks are never limited.
    let res = http()
        .get(format!("{}/healthz", server.bapi))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

async fn count_allowed(nodes: &[&Server], hits: usize) -> usize {
    let mut allowed = 0;
    for i in 0..hits {
        let res = nodes[i % nodes.len()]
            .bapi(Method::GET, "/v1/jwks")
            .send()
            .await
            .unwrap();
        match res.status().as_u16() {
            200 => allowed += 1,
            429 => {
                assert_too_many(res).await;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    allowed
}

async fn two_nodes(
    env: &[(String, String)],
) -> (TestDatabase, Server, Server, Vec<tempfile::TempDir>) {
    let db = tokio::task::spawn_blocking(TestDatabase::create)
        .await
        .unwrap();
    let dirs = vec![tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let a = start(dirs[0].path(), &["--database-url", db.url()], env);
    let b = start(dirs[1].path(), &["--database-url", db.url()], env);
    b.share_key(a.secret_key());
    (db, a, b, dirs)
}

#[tokio::test]
async fn without_redis_each_node_has_its_own_budget() {
    let (_db, a, b, _dirs) = two_nodes(&only("BAPI_PER_SECRET_KEY", "4")).await;
    assert_eq!(count_allowed(&[&a, &b], 12).await, 8);
}

#[tokio::test]
async fn nodes_sharing_a_redis_share_the_budget() {
    let mut env = only("BAPI_PER_SECRET_KEY", "4");
    env.push(("HALLPASS__RATE_LIMIT__REDIS_URL".into(), redis_url()));
    env.push((
        "HALLPASS__RATE_LIMIT__KEY_PREFIX".into(),
        unique_prefix("shared"),
    ));
    let (_db, a, b, _dirs) = two_nodes(&env).await;
    assert_eq!(count_allowed(&[&a, &b], 12).await, 4);
}

#[tokio::test]
async fn an_unreachable_redis_lets_requests_through() {
    let dir = tempfile::tempdir().unwrap();
    let mut env = only("BAPI_PER_SECRET_KEY", "1");
    // Nothing listens on port 1.
    env.push((
        "HALLPASS__RATE_LIMIT__REDIS_URL".into(),
        "redis://127.0.0.1:1".into(),
    ));
    let server = start(dir.path(), &[], &env);
    assert_eq!(count_allowed(&[&server], 5).await, 5);
}

/// One browser, 10 tabs, on the defaults: each tab loads (client, touch,
/// token) and then polls a token a minute; two minutes of that, sent as
/// fast as possible (so inside one window), is never limited.
#[tokio::test]
async fn polling_tabs_are_never_limited_by_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    // The defaults, on (the test harness turns them off elsewhere).
    let log_path = dir.path().join("serve.log");
    let server = serve_logging(
        dir.path(),
        &[],
        &[
            ("HALLPASS__RATE_LIMIT__ENABLED", "true"),
            ("HALLPASS__LOG__LEVEL", "info"),
            ("HALLPASS__LOG__FORMAT", "json"),
        ],
        Some(&log_path),
    );
    let dvb = dev_browser(&server).await;
    let fapi = |method: Method, path: &str| {
        http()
            .request(
                method,
                format!(
                    "{}{path}?__clerk_db_jwt={dvb}&__clerk_api_version=2026-05-12",
                    server.fapi
                ),
            )
            .header("Origin", APP)
    };
    let res = fapi(Method::POST, "/v1/client").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let ticket: Value = server
        .bapi(Method::POST, "/v1/sign_in_tokens")
        .json(&json!({"user_id": user(&server, "user_1").await}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = fapi(Method::POST, "/v1/client/sign_ins")
        .form(&[
            ("strategy", "ticket"),
            ("ticket", ticket["token"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let sid = body["response"]["created_session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut statuses = Vec::new();
    for _tab in 0..10 {
        statuses.push(
            fapi(Method::GET, "/v1/client")
                .send()
                .await
                .unwrap()
                .status(),
        );
        for action in ["touch", "tokens"] {
            let path = format!("/v1/client/sessions/{sid}/{action}");
            statuses.push(fapi(Method::POST, &path).send().await.unwrap().status());
        }
    }
    for _minute in 0..2 {
        for _tab in 0..10 {
            let path = format!("/v1/client/sessions/{sid}/tokens");
            statuses.push(fapi(Method::POST, &path).send().await.unwrap().status());
        }
    }
    assert_eq!(statuses.len(), 50);
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");

    // The limits were on, with their defaults (the unit tests pin the
    // defaults' values; this node logged which limiter it counts with).
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("rate limits configured") && log.contains("in memory, per node"),
        "{log}"
    );
}

/// A private `redis-server` on a free port, killed on drop.
struct PrivateRedis {
    child: std::process::Child,
    port: u16,
}

impl PrivateRedis {
    fn start_on(port: u16) -> Self {
        let mut child = std::process::Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--port", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server (Debian: apt-get install redis-server)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Self { child, port };
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("redis-server did not listen on {port}");
    }

    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self::start_on(port)
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Redis dies under a running node: requests go through (fail open) and
/// answer promptly; when Redis is back, the limits are back, without a
/// restart of the node.
#[tokio::test]
async fn a_redis_outage_lifts_the_limits_and_they_return_with_it() {
    let redis = PrivateRedis::start();
    let port = redis.port;
    let dir = tempfile::tempdir().unwrap();
    let mut env = only("BAPI_PER_SECRET_KEY", "2");
    env.push(("HALLPASS__RATE_LIMIT__REDIS_URL".into(), redis.url()));
    let server = start(dir.path(), &[], &env);
    assert_eq!(count_allowed(&[&server], 4).await, 2);

    drop(redis);
    // Each request is answered (the client times out after 10 s); all pass.
    assert_eq!(count_allowed(&[&server], 6).await, 6);

    let _redis = PrivateRedis::start_on(port);
    // The adapter waits a second after a failure before reconnecting.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let res = server.bapi(Method::GET, "/v1/jwks").send().await.unwrap();
        if res.status() == 429 {
            assert_too_many(res).await;
            break;
        }
        assert_eq!(res.status(), 200);
        assert!(
            std::time::Instant::now() < deadline,
            "the limits did not come back with Redis"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Behind a proxy the budget is the address the proxy appended (the last
/// in `X-Forwarded-For`), whatever the client put before it.
#[tokio::test]
async fn behind_a_proxy_the_ip_budget_follows_the_address_the_proxy_saw() {
    let dir = tempfile::tempdir().unwrap();
    let mut env = only("FAPI_PER_IP", "2");
    env.push((
        "HALLPASS__FRONTEND_API__CLIENT_IP_HEADER".into(),
        "X-Forwarded-For".into(),
    ));
    let server = start(dir.path(), &[], &env);
    let hit = |xff: &'static str| {
        http()
            .post(format!("{}/v1/dev_browser", server.fapi))
            .header("x-forwarded-for", xff)
            .send()
    };
    // A client forging a new first address each time stays in one budget.
    assert_eq!(hit("1.1.1.1, 203.0.113.9").await.unwrap().status(), 200);
    assert_eq!(hit("2.2.2.2, 203.0.113.9").await.unwrap().status(), 200);
    assert_too_many(hit("3.3.3.3, 203.0.113.9").await.unwrap()).await;
    // Another address the proxy saw is another budget.
    assert_eq!(
        hit("203.0.113.9, 198.51.100.7").await.unwrap().status(),
        200
    );
}
