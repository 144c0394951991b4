use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub fn hallpass() -> Command {
    with_test_env(Command::new(env!("CARGO_BIN_EXE_hallpass")))
}

/// `hallpass` run by `sh` after the shell command `prelude` (e.g.
/// `umask 022`): `sh -c '<prelude> && exec hallpass "$@"'`, same process.
pub fn hallpass_after(prelude: &str) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("{prelude} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_hallpass"));
    with_test_env(cmd)
}

fn with_test_env(mut cmd: Command) -> Command {
    cmd.env_remove("RUST_LOG")
        .env("HALLPASS__LOG__LEVEL", "error")
        // Load and fault tests drive one client far harder than a person
        // does; the rate-limit tests turn the limits back on.
        .env("HALLPASS__RATE_LIMIT__ENABLED", "false")
        .env_remove("HALLPASS_CONFIG");
    cmd
}

/// What `hallpass serve` printed, and the running process (killed on drop).
pub struct Server {
    pub child: Child,
    pub instance_id: String,
    pub fapi: String,
    pub bapi: String,
    pub publishable_key: String,
    pub secret_line: String,
    shared_key: std::sync::Mutex<Option<String>>,
}

impl Server {
    /// The secret key printed on first start.
    pub fn secret_key(&self) -> &str {
        let key = self.secret_line.split_whitespace().next().unwrap_or("");
        assert!(
            key.starts_with("sk_"),
            "no secret key was printed: {}",
            self.secret_line
        );
        key
    }

    /// The secret key this node printed, or, for a node that joined an
    /// existing instance, the one the first node printed (see `share_key`).
    pub fn secret_key_or_first(&self) -> String {
        self.shared_key
            .lock()
            .unwrap()
            .clone()
            .unwrap_or_else(|| self.secret_key().to_owned())
    }

    /// Lets this node's requests use `key` (printed by another node).
    pub fn share_key(&self, key: &str) {
        *self.shared_key.lock().unwrap() = Some(key.to_owned());
    }

    /// A Backend API request with the secret key.
    pub fn bapi(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        http()
            .request(method, format!("{}{path}", self.bapi))
            .bearer_auth(self.secret_key_or_first())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn field<'a>(lines: &'a [String], label: &str) -> &'a str {
    lines
        .iter()
        .find_map(|l| l.trim().strip_prefix(label))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no {label:?} line in {lines:#?}"))
}

/// Starts `hallpass serve` on free ports with `data_dir` and extra args,
/// and waits for its banner.
pub fn serve(data_dir: &Path, extra: &[&str]) -> Server {
    serve_with_env(data_dir, extra, &[])
}

/// [`serve`] with extra environment variables.
pub fn serve_with_env(data_dir: &Path, extra: &[&str], envs: &[(&str, &str)]) -> Server {
    serve_logging(data_dir, extra, envs, None)
}

/// [`serve_with_env`], its logs (stderr) written to `log` when given.
pub fn serve_logging(
    data_dir: &Path,
    extra: &[&str],
    envs: &[(&str, &str)],
    log: Option<&Path>,
) -> Server {
    serve_command(hallpass(), data_dir, extra, envs, log)
}

/// [`serve_logging`] with `cmd` as the `hallpass` to run (see
/// [`hallpass_after`]).
pub fn serve_command(
    mut cmd: Command,
    data_dir: &Path,
    extra: &[&str],
    envs: &[(&str, &str)],
    log: Option<&Path>,
) -> Server {
    cmd.envs(envs.iter().copied());
    if let Some(log) = log {
        cmd.stderr(std::fs::File::create(log).expect("log file"));
    }
    cmd.args([
        "serve",
        "--fapi-addr",
        "127.0.0.1:0",
        "--bapi-addr",
        "127.0.0.1:0",
    ])
    .arg("--data-dir")
    .arg(data_dir)
    .args(extra)
    .stdout(Stdio::piped());
    if log.is_none() {
        cmd.stderr(Stdio::inherit());
    }
    let mut child = cmd.spawn().expect("spawn hallpass");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let done = line.trim_start().starts_with("Secret key:");
            lines.push(line);
            if done {
                let _ = tx.send(lines.clone());
            }
        }
    });
    let lines = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(lines) => lines,
        Err(_) => {
            let _ = child.kill();
            panic!("hallpass serve did not print its banner within 60 s");
        }
    };
    let banner = &lines[0];
    let instance_id = banner.rsplit(' ').next().expect("instance id").to_owned();
    let fapi = field(&lines, "Frontend API:")
        .split(' ')
        .next()
        .expect("fapi")
        .to_owned();
    Server {
        instance_id,
        fapi,
        bapi: field(&lines, "Backend API:").to_owned(),
        publishable_key: field(&lines, "Publishable key:").to_owned(),
        secret_line: field(&lines, "Secret key:").to_owned(),
        shared_key: std::sync::Mutex::new(None),
        child,
    }
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

/// The decoded header (`0`) or payload (`1`) of a compact JWT, unverified.
pub fn part(jwt: &str, index: usize) -> serde_json::Value {
    use base64::Engine as _;
    let segment = jwt.split('.').nth(index).expect("a JWT segment");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(segment)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON")
}

/// `jwt` with one character of its signature changed (in the middle: the
/// last base64url character can carry only padding bits, so changing it may
/// leave the signature bytes as they were).
pub fn tampered(jwt: &str) -> String {
    let sig_start = jwt.rfind('.').expect("a JWT") + 1;
    let at = sig_start + (jwt.len() - sig_start) / 2;
    let original = jwt.as_bytes()[at];
    let replacement = if original == b'A' { 'B' } else { 'A' };
    format!("{}{}{}", &jwt[..at], replacement, &jwt[at + 1..])
}

/// The app origin the tests' browsers come from (loopback: allowed on
/// development instances).
pub const APP: &str = "http://localhost:3000";

/// The id of the user whose `external_id` is `label`, created through the
/// Backend API (`POST /v1/users`) the first time. Sign-ins need a user who
/// exists; tests name theirs by label.
pub async fn user(server: &Server, label: &str) -> String {
    let res = server
        .bapi(reqwest::Method::GET, "/v1/users")
        .query(&[("external_id", label)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let found: serde_json::Value = res.json().await.unwrap();
    if let Some(id) = found[0]["id"].as_str() {
        return id.to_owned();
    }
    let res = server
        .bapi(reqwest::Method::POST, "/v1/users")
        .json(&serde_json::json!({ "external_id": label }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let created: serde_json::Value = res.json().await.unwrap();
    created["id"].as_str().unwrap().to_owned()
}

/// `POST /v1/sessions` for the user labelled `user` ([`user`]; Backend
/// API); the session object.
pub async fn create_session(server: &Server, user: &str) -> serde_json::Value {
    let id = self::user(server, user).await;
    let res = server
        .bapi(reqwest::Method::POST, "/v1/sessions")
        .json(&serde_json::json!({ "user_id": id }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// [`create_session`], its id.
pub async fn session_id(server: &Server, user: &str) -> String {
    create_session(server, user).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A pending sign-in token (ticket) for the user labelled `user`
/// ([`user`]), from the Backend API.
pub async fn ticket(server: &Server, user: &str) -> String {
    let id = self::user(server, user).await;
    let res = server
        .bapi(reqwest::Method::POST, "/v1/sign_in_tokens")
        .json(&serde_json::json!({"user_id": id}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["object"], "sign_in_token");
    assert_eq!(body["status"], "pending");
    body["token"].as_str().unwrap().to_owned()
}
