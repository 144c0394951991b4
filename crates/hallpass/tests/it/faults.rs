//! Fault drills against real processes: PostgreSQL going away under load
//! (through a proxy the test cuts, see `pg_proxy`), slow queries and an
//! exhausted pool, SIGTERM with a request in flight, `kill -9` in the middle
//! of writes. Every wait is bounded; everything stays on loopback.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hallpass_adapter_postgres::test_support::TestDatabase;
use reqwest::Method;
use serde_json::{Value, json};

use crate::pg_proxy::PgProxy;
use crate::support::*;

/// `hallpass serve` on PostgreSQL at `url`, from inside a multi-threaded
/// test (the banner wait blocks).
pub fn node(dir: &Path, url: &str, envs: &[(&str, &str)]) -> Server {
    let envs = without_rate_limits(envs);
    tokio::task::block_in_place(|| serve_with_env(dir, &["--database-url", url], &envs))
}

/// `envs` with rate limiting off: the drills load one secret key far
/// beyond its default budget on purpose (rate limits have their own tests).
pub fn without_rate_limits<'a>(envs: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut envs = envs.to_vec();
    envs.push(("HALLPASS__RATE_LIMIT__ENABLED", "false"));
    envs
}

pub async fn fresh_database() -> TestDatabase {
    tokio::task::spawn_blocking(TestDatabase::create)
        .await
        .unwrap()
}

/// One answer: status, `Retry-After`, the body, how long it took.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: Value,
    pub took: Duration,
}

impl Answer {
    async fn of(req: reqwest::RequestBuilder) -> Self {
        let started = Instant::now();
        let res = match req.send().await {
            Ok(res) => res,
            Err(e) => panic!("no answer after {:?}: {e:?}", started.elapsed()),
        };
        let status = res.status().as_u16();
        let retry_after = res
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = res.json().await.unwrap_or(Value::Null);
        Self {
            status,
            retry_after,
            body,
            took: started.elapsed(),
        }
    }

    /// The outage answer: 503, `Retry-After`, Clerk's error shape.
    fn assert_unavailable(&self) {
        assert_eq!(self.status, 503, "{self:?}");
        assert_eq!(self.retry_after.as_deref(), Some("1"), "{self:?}");
        assert_eq!(
            self.body["errors"][0]["code"], "service_unavailable",
            "{self:?}"
        );
        assert!(
            self.body["errors"][0]["long_message"].is_string(),
            "{self:?}"
        );
    }
}

pub async fn mint(server: &Server, sid: &str) -> Answer {
    mint_with(&http(), server, sid).await
}

/// [`mint`] through `client`: concurrent requests share one client (and
/// its connection pool) rather than each building its own, which costs
/// enough CPU on a busy machine to stall the requests themselves.
pub async fn mint_with(client: &reqwest::Client, server: &Server, sid: &str) -> Answer {
    Answer::of(
        client
            .post(format!("{}/v1/sessions/{sid}/tokens", server.bapi))
            .bearer_auth(server.secret_key_or_first())
            .header("content-type", "application/json"),
    )
    .await
}

async fn readyz(server: &Server) -> Answer {
    Answer::of(http().get(format!("{}/readyz", server.bapi))).await
}

/// Mints in `workers` loops until stopped, keeping every answer.
struct Load {
    stop: Arc<AtomicBool>,
    answers: Arc<Mutex<Vec<(Instant, Answer)>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    fn start(server: &Arc<Server>, sid: &str, workers: usize) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let answers = Arc::new(Mutex::new(Vec::new()));
        let client = http();
        let tasks = (0..workers)
            .map(|_| {
                let (server, sid, client) = (server.clone(), sid.to_owned(), client.clone());
                let (stop, answers) = (stop.clone(), answers.clone());
                tokio::spawn(async move {
                    while !stop.load(Ordering::SeqCst) {
                        let sent = Instant::now();
                        let answer = mint_with(&client, &server, &sid).await;
                        answers.lock().unwrap().push((sent, answer));
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                })
            })
            .collect();
        Self {
            stop,
            answers,
            tasks,
        }
    }

    async fn finish(self) -> Vec<(Instant, Answer)> {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.tasks {
            t.await.unwrap();
        }
        std::mem::take(&mut *self.answers.lock().unwrap())
    }
}

const CONNECT_TIMEOUT_SECS: u64 = 1;
const STATEMENT_TIMEOUT_SECS: u64 = 2;

/// The longest any request may take while the store is down or slow: a
/// mint makes two database calls (the secret key, the session), each
/// bounded by one wait for a connection and one statement, plus slack for a
/// loaded CI machine. Not a performance figure: without the bounds a
/// request hangs until the client gives up (10 s).
fn bound() -> Duration {
    Duration::from_secs(2 * (CONNECT_TIMEOUT_SECS + STATEMENT_TIMEOUT_SECS) + 2)
}

fn timeouts() -> [(&'static str, String); 2] {
    [
        (
            "HALLPASS__DATABASE__CONNECT_TIMEOUT_SECS",
            CONNECT_TIMEOUT_SECS.to_string(),
        ),
        (
            "HALLPASS__DATABASE__STATEMENT_TIMEOUT_SECS",
            STATEMENT_TIMEOUT_SECS.to_string(),
        ),
    ]
}

fn env_refs<'a>(envs: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    envs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_outage_under_load_fails_fast_with_503_and_service_resumes_by_itself() {
    let db = fresh_database().await;
    let proxy = PgProxy::start(db.url()).await;
    let dir = tempfile::tempdir().unwrap();
    let envs = timeouts();
    let log = dir.path().join("stderr.log");
    let server = Arc::new(tokio::task::block_in_place(|| {
        serve_logging(
            dir.path(),
            &["--database-url", &proxy.url_for(db.url())],
            &without_rate_limits(&env_refs(&envs)),
            Some(&log),
        )
    }));
    let sid = session_id(&server, "user_1").await;
    // Warm the pool for the load (opening connections on a busy machine
    // can itself take longer than the 1 s connect timeout).
    let client = http();
    let warm: Vec<_> = (0..8)
        .map(|_| {
            let (server, sid, client) = (server.clone(), sid.clone(), client.clone());
            tokio::spawn(async move { mint_with(&client, &server, &sid).await.status })
        })
        .collect();
    for w in warm {
        assert_eq!(w.await.unwrap(), 200);
    }

    let load = Load::start(&server, &sid, 4);
    tokio::time::sleep(Duration::from_millis(700)).await;
    let cut_at = Instant::now();
    proxy.cut();
    tokio::time::sleep(Duration::from_secs(2)).await;

    // While it is down: readiness, the Backend and the Frontend API all
    // answer 503 with Retry-After and a Clerk error, within the bound.
    let ready = readyz(&server).await;
    ready.assert_unavailable();
    assert!(ready.took < bound(), "{ready:?}");
    let minted = mint(&server, &sid).await;
    minted.assert_unavailable();
    assert!(minted.took < bound(), "{minted:?}");
    let dev_browser = Answer::of(http().post(format!("{}/v1/dev_browser", server.fapi))).await;
    dev_browser.assert_unavailable();
    let healthz = Answer::of(http().get(format!("{}/healthz", server.bapi))).await;
    assert_eq!(healthz.status, 200, "liveness does not need the store");
    let jwks = Answer::of(http().get(format!("{}/.well-known/jwks.json", server.fapi))).await;
    assert_eq!(jwks.status, 200, "the keys are in memory: {jwks:?}");
    assert!(jwks.body["keys"][0]["kid"].is_string());

    // Back: the same process recovers on its own.
    proxy.restore();
    let restored_at = Instant::now();
    let deadline = restored_at + Duration::from_secs(15);
    while readyz(&server).await.status != 200 {
        assert!(Instant::now() < deadline, "not ready 15 s after restore");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    let answers = load.finish().await;
    assert_eq!(mint(&server, &sid).await.status, 200);
    // Served by the process that saw the outage (still alive, never
    // restarted), reconnected through the proxy.
    signal(&server, "-0");
    assert!(proxy.open_connections() > 0);

    let mut down = 0;
    let mut up_after = 0;
    for (sent, answer) in &answers {
        assert!(answer.took < bound(), "a request hung: {answer:?}");
        match answer.status {
            200 => {
                assert!(answer.body["jwt"].is_string(), "{answer:?}");
                if *sent > restored_at {
                    up_after += 1;
                }
            }
            _ => {
                answer.assert_unavailable();
                assert!(
                    *sent + answer.took > cut_at,
                    "failed {:?} before the cut: {answer:?}\n{}",
                    cut_at - (*sent + answer.took),
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
                down += 1;
            }
        }
    }
    assert!(down > 0, "the load saw the outage");
    assert!(up_after > 0, "the load saw the recovery");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_terminated_by_the_server_under_load_are_503s_then_replaced() {
    // What a PostgreSQL restart or failover does to a running node: the
    // server ends every connection ("terminating connection due to
    // administrator command"), here for this test's database only.
    let db = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let envs = timeouts();
    let server = Arc::new(node(dir.path(), db.url(), &env_refs(&envs)));
    let sid = session_id(&server, "user_1").await;
    assert_eq!(mint(&server, &sid).await.status, 200);

    let load = Load::start(&server, &sid, 4);
    let mut sql = tokio::task::block_in_place(|| db.sql());
    let mut terminated = 0;
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        terminated += tokio::task::block_in_place(|| {
            sql.number(&format!(
                "SELECT count(*) AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = '{}' AND application_name = 'hallpass') t",
                db.name()
            ))
        });
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let answers = load.finish().await;
    assert!(terminated > 0, "the node's connections were terminated");
    let mut ok_after = false;
    for (_, answer) in &answers {
        assert!(answer.took < bound(), "a request hung: {answer:?}");
        if answer.status == 200 {
            ok_after = true;
        } else {
            answer.assert_unavailable();
        }
    }
    assert!(ok_after);
    assert_eq!(mint(&server, &sid).await.status, 200, "recovered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_queries_and_an_exhausted_pool_fail_within_bounds_and_recover() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let mut envs = timeouts().to_vec();
    envs.push(("HALLPASS__DATABASE__MAX_CONNECTIONS", "2".to_owned()));
    let server = Arc::new(node(dir.path(), db.url(), &env_refs(&envs)));
    let sid = session_id(&server, "user_1").await;
    assert_eq!(mint(&server, &sid).await.status, 200);

    // Another client of the database holds the sessions table: every
    // session read waits for the lock, so both pooled connections sit in
    // slow statements and the other requests queue for a connection.
    let mut locker = tokio::task::block_in_place(|| db.sql());
    tokio::task::block_in_place(|| {
        locker.execute("BEGIN; LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE");
    });
    let started = Instant::now();
    let client = http();
    let requests: Vec<_> = (0..40)
        .map(|_| {
            let (server, sid, client) = (server.clone(), sid.clone(), client.clone());
            tokio::spawn(async move { mint_with(&client, &server, &sid).await })
        })
        .collect();
    for r in requests {
        let answer = r.await.unwrap();
        answer.assert_unavailable();
        assert!(answer.took < bound(), "{answer:?}");
    }
    assert!(started.elapsed() < bound(), "no unbounded queue");

    tokio::task::block_in_place(|| locker.execute("ROLLBACK"));
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answer = mint(&server, &sid).await;
        if answer.status == 200 {
            break;
        }
        answer.assert_unavailable();
        assert!(Instant::now() < deadline, "no recovery: {answer:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn wait_for_exit(server: &mut Server, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "still running after {within:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(server: &Server, sig: &str) {
    let status = std::process::Command::new("kill")
        .args([sig, &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_an_in_flight_request_stops_accepting_and_exits_zero() {
    let db = fresh_database().await;
    let proxy = PgProxy::start(db.url()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut server = node(
        dir.path(),
        &proxy.url_for(db.url()),
        &[("HALLPASS__LISTEN__SHUTDOWN_GRACE_SECS", "10")],
    );
    let sid = session_id(&server, "user_1").await;
    assert_eq!(mint(&server, &sid).await.status, 200);

    // Every database answer now takes 700 ms: a mint is in flight for
    // a few seconds.
    proxy.set_delay(Duration::from_millis(700));
    let request = {
        let url = format!("{}/v1/sessions/{sid}/tokens", server.bapi);
        let key = server.secret_key_or_first();
        tokio::spawn(async move {
            Answer::of(
                http()
                    .post(url)
                    .bearer_auth(key)
                    .header("content-type", "application/json"),
            )
            .await
        })
    };
    // SIGTERM once the request is inside hallpass, waiting on the database.
    let deadline = Instant::now() + Duration::from_secs(10);
    while proxy.delayed_answers() == 0 {
        assert!(
            Instant::now() < deadline,
            "the request never reached the database"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    signal(&server, "-TERM");

    // New connections are refused while the old request finishes.
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let fresh = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        match fresh.get(format!("{}/healthz", server.bapi)).send().await {
            Err(e) if e.is_connect() => break,
            _ => {}
        }
        assert!(Instant::now() < deadline, "still accepting after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "exited with a request in flight"
    );
    let answer = request.await.unwrap();
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(answer.body["jwt"].is_string());
    let status =
        tokio::task::block_in_place(|| wait_for_exit(&mut server, Duration::from_secs(10)));
    assert!(status.success(), "exit status {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_gives_up_on_a_request_slower_than_the_grace_period() {
    let db = fresh_database().await;
    let proxy = PgProxy::start(db.url()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut server = node(
        dir.path(),
        &proxy.url_for(db.url()),
        &[
            ("HALLPASS__LISTEN__SHUTDOWN_GRACE_SECS", "1"),
            ("HALLPASS__DATABASE__CONNECT_TIMEOUT_SECS", "1"),
            ("HALLPASS__DATABASE__STATEMENT_TIMEOUT_SECS", "2"),
        ],
    );
    let sid = session_id(&server, "user_1").await;
    proxy.set_delay(Duration::from_secs(2));
    let request = {
        let url = format!("{}/v1/sessions/{sid}/tokens", server.bapi);
        let key = server.secret_key_or_first();
        tokio::spawn(async move {
            let result = http()
                .post(url)
                .bearer_auth(key)
                .header("content-type", "application/json")
                .send()
                .await;
            (result, Instant::now())
        })
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while proxy.delayed_answers() == 0 {
        assert!(
            Instant::now() < deadline,
            "the request never reached the database"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let signalled = Instant::now();
    signal(&server, "-TERM");
    // The request needs several database round trips of 2 s each: it is
    // cut off when the 1 s grace period ends, not answered.
    let (result, ended) = request.await.unwrap();
    assert!(result.is_err(), "the slow request was answered: {result:?}");
    assert!(
        ended - signalled < Duration::from_secs(1 + 3),
        "cut off {:?} after SIGTERM",
        ended - signalled
    );
    // The process then exits 0, once the one database call already running
    // returns (a blocking call cannot be interrupted; its duration here is
    // the proxy's doing).
    let status =
        tokio::task::block_in_place(|| wait_for_exit(&mut server, Duration::from_secs(20)));
    assert!(status.success(), "exit status {status}");
}

/// A Frontend API call as clerk-js makes it (form body, `_method`, the dev
/// browser in the query); `None` when the connection failed.
async fn fapi(
    client: &reqwest::Client,
    server: &Server,
    method: &str,
    path: &str,
    dvb: Option<&str>,
) -> Option<(u16, Value)> {
    fapi_form(client, server, method, path, dvb, &[]).await
}

async fn fapi_form(
    client: &reqwest::Client,
    server: &Server,
    method: &str,
    path: &str,
    dvb: Option<&str>,
    form: &[(&str, &str)],
) -> Option<(u16, Value)> {
    let mut url = url::Url::parse(&format!("{}{path}", server.fapi)).unwrap();
    if let Some(dvb) = dvb {
        url.query_pairs_mut().append_pair("__clerk_db_jwt", dvb);
    }
    let http_method = match method {
        "GET" => Method::GET,
        "POST" => Method::POST,
        other => {
            url.query_pairs_mut().append_pair("_method", other);
            Method::POST
        }
    };
    let mut req = client.request(http_method, url).header("Origin", APP);
    if !form.is_empty() {
        req = req.form(form);
    }
    let res = req.send().await.ok()?;
    let status = res.status().as_u16();
    Some((status, res.json().await.unwrap_or(Value::Null)))
}

/// A Backend API request with the secret key, through `client`.
fn bapi(
    client: &reqwest::Client,
    server: &Server,
    method: Method,
    path: &str,
) -> reqwest::RequestBuilder {
    client
        .request(method, format!("{}{path}", server.bapi))
        .bearer_auth(server.secret_key_or_first())
}

/// A signed-in browser: its dev browser token, client and session.
struct Browser {
    dvb: String,
    client_id: String,
    sid: String,
}

/// A browser signed in as the user labelled `label` ([`user`]).
async fn sign_in_browser(client: &reqwest::Client, server: &Server, label: &str) -> Browser {
    let user = user(server, label).await;
    let (_, body) = fapi(client, server, "POST", "/v1/dev_browser", None)
        .await
        .unwrap();
    let dvb = body["token"].as_str().unwrap().to_owned();
    let (status, body) = fapi(client, server, "PUT", "/v1/client", Some(&dvb))
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    let client_id = body["response"]["id"].as_str().unwrap().to_owned();
    let res = bapi(client, server, Method::POST, "/v1/sign_in_tokens")
        .json(&json!({ "user_id": user }))
        .send()
        .await
        .unwrap();
    let ticket = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = fapi_form(
        client,
        server,
        "POST",
        "/v1/client/sign_ins",
        Some(&dvb),
        &[("strategy", "ticket"), ("ticket", &ticket)],
    )
    .await
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let sid = body["response"]["created_session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    Browser {
        dvb,
        client_id,
        sid,
    }
}

/// What the server acknowledged before it was killed.
#[derive(Default)]
struct Acks {
    /// Sessions and the terminal status an acknowledged call gave them.
    ended: Vec<(String, &'static str)>,
    /// Clients whose sign-out (all sessions) was acknowledged.
    signed_out_clients: Vec<String>,
    /// Sessions whose creation was acknowledged and nothing ended.
    live: Vec<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_load_loses_no_acknowledged_revoke_sign_out_or_session() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let server = Arc::new(node(dir.path(), db.url(), &[]));
    let first_key = server.secret_key().to_owned();
    // One HTTP client for the whole drill: building one per request costs
    // enough CPU on a busy machine to stall the requests themselves.
    let client = http();

    let mut browsers = Vec::new();
    for i in 0..12 {
        browsers.push(sign_in_browser(&client, &server, &format!("user_b{i}")).await);
    }
    let mut bapi_sessions = Vec::new();
    for i in 0..12 {
        bapi_sessions.push(session_id(&server, &format!("user_s{i}")).await);
    }
    let acks = Arc::new(Mutex::new(Acks::default()));
    let killed = Arc::new(AtomicBool::new(false));
    let pace = Duration::from_millis(60);

    // Sign-outs of every kind through the Frontend API and revokes through
    // the Backend API, new sessions and mints, all at once.
    let mut tasks = Vec::new();
    for (i, b) in browsers.into_iter().enumerate() {
        let (server, acks, killed, client) =
            (server.clone(), acks.clone(), killed.clone(), client.clone());
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(pace * u32::try_from(i).unwrap()).await;
            let (status, expected) = match i % 4 {
                0 => {
                    let res = bapi(
                        &client,
                        &server,
                        Method::POST,
                        &format!("/v1/sessions/{}/revoke", b.sid),
                    )
                    .send()
                    .await;
                    (res.map(|r| r.status().as_u16()).ok(), "revoked")
                }
                1 => (
                    fapi(
                        &client,
                        &server,
                        "POST",
                        &format!("/v1/client/sessions/{}/end", b.sid),
                        Some(&b.dvb),
                    )
                    .await
                    .map(|r| r.0),
                    "ended",
                ),
                2 => (
                    fapi(
                        &client,
                        &server,
                        "POST",
                        &format!("/v1/client/sessions/{}/remove", b.sid),
                        Some(&b.dvb),
                    )
                    .await
                    .map(|r| r.0),
                    "removed",
                ),
                _ => (
                    fapi(
                        &client,
                        &server,
                        "DELETE",
                        "/v1/client/sessions",
                        Some(&b.dvb),
                    )
                    .await
                    .map(|r| r.0),
                    "removed",
                ),
            };
            match status {
                Some(200) => {
                    let mut acks = acks.lock().unwrap();
                    acks.ended.push((b.sid.clone(), expected));
                    if i % 4 == 3 {
                        acks.signed_out_clients.push(b.client_id.clone());
                    }
                }
                Some(other) if !killed.load(Ordering::SeqCst) => {
                    panic!("{expected}: {other} before the kill")
                }
                _ => {}
            }
        }));
    }
    for (j, sid) in bapi_sessions.into_iter().enumerate() {
        let (server, acks, client) = (server.clone(), acks.clone(), client.clone());
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(pace * u32::try_from(j).unwrap()).await;
            if j % 2 == 0 {
                let res = bapi(
                    &client,
                    &server,
                    Method::POST,
                    &format!("/v1/sessions/{sid}/revoke"),
                )
                .send()
                .await;
                if res.is_ok_and(|r| r.status() == 200) {
                    acks.lock().unwrap().ended.push((sid, "revoked"));
                }
            } else {
                // Untouched sessions, minted for until the kill.
                acks.lock().unwrap().live.push(sid.clone());
                while bapi(
                    &client,
                    &server,
                    Method::POST,
                    &format!("/v1/sessions/{sid}/tokens"),
                )
                .send()
                .await
                .is_ok()
                {}
            }
        }));
    }
    for w in 0..2 {
        let (server, acks, client) = (server.clone(), acks.clone(), client.clone());
        let writer = user(&server, &format!("user_new{w}")).await;
        tasks.push(tokio::spawn(async move {
            loop {
                let res = bapi(&client, &server, Method::POST, "/v1/sessions")
                    .json(&json!({ "user_id": writer }))
                    .send()
                    .await;
                let Ok(res) = res else { break };
                if res.status() == 200 {
                    let Ok(body) = res.json::<Value>().await else {
                        break;
                    };
                    let sid = body["id"].as_str().unwrap().to_owned();
                    acks.lock().unwrap().live.push(sid);
                }
            }
        }));
    }

    // Kill once some of the sign-outs and revokes were acknowledged, with
    // the rest (and the session creations and mints) still coming.
    let deadline = Instant::now() + Duration::from_secs(20);
    while acks.lock().unwrap().ended.len() < 4 {
        assert!(Instant::now() < deadline, "no sign-out acknowledged");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    killed.store(true, Ordering::SeqCst);
    signal(&server, "-KILL");
    for t in tasks {
        t.await.unwrap();
    }
    let acks = std::mem::take(&mut *acks.lock().unwrap());
    assert!(!acks.ended.is_empty() && !acks.live.is_empty());
    drop(server);

    // The same database, a new process.
    let dir = tempfile::tempdir().unwrap();
    let restarted = node(dir.path(), db.url(), &[]);
    restarted.share_key(&first_key);
    for (sid, status) in &acks.ended {
        let res = restarted
            .bapi(Method::GET, &format!("/v1/sessions/{sid}"))
            .send()
            .await
            .unwrap();
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], *status, "acknowledged {status} of {sid}");
        let minted = mint(&restarted, sid).await;
        assert_eq!(minted.status, 422, "{sid}: {minted:?}");
    }
    for sid in &acks.live {
        let minted = mint(&restarted, sid).await;
        assert_eq!(minted.status, 200, "acknowledged session {sid}: {minted:?}");
    }

    // No half-written rows: every multi-row write is all or nothing.
    tokio::task::block_in_place(|| {
        let mut sql = db.sql();
        for (what, query) in [
            (
                "sessions without their client",
                "SELECT count(*) AS n FROM sessions s \
                 WHERE NOT EXISTS (SELECT 1 FROM clients c WHERE c.id = s.client_id)",
            ),
            (
                "clients whose last active session is not theirs",
                "SELECT count(*) AS n FROM clients c WHERE c.last_active_session_id IS NOT NULL \
                 AND NOT EXISTS (SELECT 1 FROM sessions s \
                   WHERE s.id = c.last_active_session_id AND s.client_id = c.id)",
            ),
            (
                "sessions with an unknown status or deadlines out of order",
                "SELECT count(*) AS n FROM sessions WHERE status NOT IN \
                 ('active','pending','ended','removed','revoked','replaced','expired','abandoned') \
                 OR expire_at > abandon_at OR updated_at < created_at",
            ),
            (
                "accepted tickets without the session they signed in",
                "SELECT (SELECT count(*) FROM sign_in_tokens WHERE status = 'accepted') \
                 - (SELECT count(*) FROM sessions s JOIN clients c ON c.id = s.client_id \
                    JOIN users u ON u.id = s.user_id WHERE u.external_id LIKE 'user_b%') AS n",
            ),
        ] {
            assert_eq!(sql.number(query), 0, "{what}");
        }
        for client in &acks.signed_out_clients {
            assert_eq!(
                sql.number(&format!(
                    "SELECT count(*) AS n FROM clients WHERE id = '{client}' \
                     AND last_active_session_id IS NOT NULL"
                )),
                0,
                "the signed-out client {client} still points at a session"
            );
        }
    });
}

fn run_tool(program: &str, args: &[&str]) {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pg_dump_restored_into_another_database_serves_the_same_instance() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let original = node(dir.path(), db.url(), &[]);
    let key = original.secret_key().to_owned();
    let instance = original.instance_id.clone();
    let live = session_id(&original, "user_1").await;
    let revoked = session_id(&original, "user_2").await;
    let res = original
        .bapi(Method::POST, &format!("/v1/sessions/{revoked}/revoke"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let before = mint(&original, &live).await;
    let kid = part(before.body["jwt"].as_str().unwrap(), 0)["kid"].clone();

    // The runbook: a logical backup, restored into an empty database.
    let dump = dir.path().join("hallpass.dump");
    let restored = fresh_database().await;
    tokio::task::block_in_place(|| {
        run_tool(
            "pg_dump",
            &["-Fc", "--dbname", db.url(), "-f", dump.to_str().unwrap()],
        );
        run_tool(
            "pg_restore",
            &[
                "--no-owner",
                "--dbname",
                restored.url(),
                dump.to_str().unwrap(),
            ],
        );
    });
    drop(original);

    let dir = tempfile::tempdir().unwrap();
    let server = node(dir.path(), restored.url(), &[]);
    assert_eq!(server.instance_id, instance);
    server.share_key(&key);
    let minted = mint(&server, &live).await;
    assert_eq!(minted.status, 200, "{minted:?}");
    let token = minted.body["jwt"].as_str().unwrap();
    assert_eq!(part(token, 0)["kid"], kid, "the same signing key");
    assert_eq!(part(token, 1)["sid"], live.as_str());
    let res = server
        .bapi(Method::GET, &format!("/v1/sessions/{revoked}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "revoked");
    assert_eq!(mint(&server, &revoked).await.status, 422);
}
