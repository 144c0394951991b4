//! Test keys, token signing, a frozen clock and a tiny JWKS server.

#![allow(dead_code)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jws::{self, JwsHeader, JwsSigner, RS256};
use serde_json::{Map, Value, json};

pub const ISS: &str = "http://127.0.0.1:7710";
pub const AZP: &str = "http://localhost:5173";
pub const SESSION_CAT: &str = "cl_B7d4PD111AAA";
pub const TEMPLATE_CAT: &str = "cl_B7d4PD222AAA";
pub const M2M_CAT: &str = "cl_B7d4PD333AAA";
/// The frozen "now" of every test clock, in Unix seconds.
pub const NOW: i64 = 1_750_000_000;

/// An RSA-2048 key pair with a kid.
#[derive(Debug)]
pub struct TestKey {
    pub kid: String,
    pub private_pem: Vec<u8>,
    pub public_pem: Vec<u8>,
    pub public_jwk: Value,
}

impl TestKey {
    fn generate(kid: &str) -> Self {
        let pair = RS256.generate_key_pair(2048).unwrap();
        let mut jwk = pair.to_jwk_public_key();
        jwk.set_key_id(kid);
        jwk.set_algorithm("RS256");
        jwk.set_key_use("sig");
        Self {
            kid: kid.to_owned(),
            private_pem: pair.to_pem_private_key(),
            public_pem: pair.to_pem_public_key(),
            public_jwk: Value::Object(jwk.as_ref().clone()),
        }
    }

    /// The public JWK with `alg` replaced (or removed with `None`).
    pub fn jwk_with_alg(&self, alg: Option<&str>) -> Value {
        let mut jwk = self.public_jwk.clone();
        let map = jwk.as_object_mut().unwrap();
        match alg {
            Some(alg) => map.insert("alg".into(), json!(alg)),
            None => map.remove("alg"),
        };
        jwk
    }
}

/// Three keys shared by every test (generating RSA keys is slow).
pub fn key_a() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| TestKey::generate("ins_keyA"))
}

pub fn key_b() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| TestKey::generate("ins_keyB"))
}

pub fn key_c() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| TestKey::generate("ins_keyC"))
}

/// `{"keys":[…]}` of the given public JWKs.
pub fn jwks_of(jwks: &[Value]) -> String {
    json!({ "keys": jwks }).to_string()
}

/// `{"keys":[…]}` of the given keys.
pub fn jwks(keys: &[&TestKey]) -> String {
    jwks_of(
        &keys
            .iter()
            .map(|k| k.public_jwk.clone())
            .collect::<Vec<_>>(),
    )
}

/// Session claims as Hallpass mints them at `now`.
pub fn claims_at(now: i64) -> Map<String, Value> {
    match json!({
        "azp": AZP,
        "exp": now + 60,
        "fva": [0, -1],
        "iat": now,
        "iss": ISS,
        "nbf": now - 10,
        "sid": "sess_2abc",
        "sts": "active",
        "sub": "user_2xyz",
        "v": 2,
    }) {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

pub fn claims() -> Map<String, Value> {
    claims_at(NOW)
}

/// Signs `claims` with `signer`, header `typ: JWT`, `kid` and `cat` (if any);
/// josekit sets `alg` from the signer.
pub fn sign_with(
    signer: &dyn JwsSigner,
    kid: &str,
    cat: Option<&str>,
    claims: &Map<String, Value>,
) -> String {
    let mut header = JwsHeader::new();
    header.set_token_type("JWT");
    header.set_key_id(kid);
    if let Some(cat) = cat {
        header.set_claim("cat", Some(json!(cat))).unwrap();
    }
    let payload = serde_json::to_vec(claims).unwrap();
    jws::serialize_compact(&payload, &header, signer).unwrap()
}

/// A session token (`cat` session) signed by `key` with RS256.
pub fn sign(key: &TestKey, claims: &Map<String, Value>) -> String {
    sign_cat(key, Some(SESSION_CAT), claims)
}

pub fn sign_cat(key: &TestKey, cat: Option<&str>, claims: &Map<String, Value>) -> String {
    let signer = RS256.signer_from_pem(&key.private_pem).unwrap();
    sign_with(&signer, &key.kid, cat, claims)
}

/// A token from raw header and claims JSON with the given signature bytes.
pub fn raw_token(header: &Value, claims: &Map<String, Value>, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

/// A clock frozen at [`NOW`] that tests move by hand.
#[derive(Debug, Clone)]
pub struct TestClock(Arc<AtomicI64>);

impl TestClock {
    pub fn new() -> Self {
        Self(Arc::new(AtomicI64::new(NOW)))
    }

    pub fn advance(&self, by: Duration) {
        self.0
            .fetch_add(i64::try_from(by.as_secs()).unwrap(), Ordering::SeqCst);
    }

    pub fn now_secs(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }

    /// The closure to put in `VerifierConfig::clock`.
    pub fn as_fn(&self) -> impl Fn() -> SystemTime + Send + Sync + 'static {
        let secs = Arc::clone(&self.0);
        move || {
            UNIX_EPOCH + Duration::from_secs(u64::try_from(secs.load(Ordering::SeqCst)).unwrap())
        }
    }
}

#[derive(Debug)]
struct ServerState {
    jwks: String,
    status: u16,
    hits: usize,
    authorizations: Vec<Option<String>>,
    paths: Vec<String>,
    /// When set, requests without `Authorization: Bearer <this>` get a 401.
    require_bearer: Option<String>,
    delay: Duration,
}

/// A one-thread HTTP/1.1 server that answers every request with the
/// current JWKS, counting requests and recording their `Authorization`.
#[derive(Debug, Clone)]
pub struct JwksServer {
    pub base_url: String,
    state: Arc<Mutex<ServerState>>,
}

impl JwksServer {
    pub fn start(jwks: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(ServerState {
            jwks,
            status: 200,
            hits: 0,
            authorizations: Vec::new(),
            paths: Vec::new(),
            require_bearer: None,
            delay: Duration::ZERO,
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let path = request_line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_owned();
                let mut authorization = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':')
                        && name.eq_ignore_ascii_case("authorization")
                    {
                        authorization = Some(value.trim().to_owned());
                    }
                }
                let (status, body, delay) = {
                    let mut s = shared.lock().unwrap();
                    s.hits += 1;
                    s.paths.push(path);
                    s.authorizations.push(authorization.clone());
                    let authorized = s
                        .require_bearer
                        .as_ref()
                        .is_none_or(|sk| authorization.as_deref() == Some(&format!("Bearer {sk}")));
                    if authorized {
                        (s.status, s.jwks.clone(), s.delay)
                    } else {
                        (401, r#"{"errors":[]}"#.to_owned(), s.delay)
                    }
                };
                std::thread::sleep(delay);
                let response = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes());
            }
        });
        Self { base_url, state }
    }

    pub fn jwks_url(&self) -> String {
        format!("{}/.well-known/jwks.json", self.base_url)
    }

    pub fn set_jwks(&self, jwks: String) {
        self.state.lock().unwrap().jwks = jwks;
    }

    pub fn set_status(&self, status: u16) {
        self.state.lock().unwrap().status = status;
    }

    pub fn set_delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    pub fn require_bearer(&self, secret: &str) {
        self.state.lock().unwrap().require_bearer = Some(secret.to_owned());
    }

    pub fn hits(&self) -> usize {
        self.state.lock().unwrap().hits
    }

    pub fn authorizations(&self) -> Vec<Option<String>> {
        self.state.lock().unwrap().authorizations.clone()
    }

    pub fn paths(&self) -> Vec<String> {
        self.state.lock().unwrap().paths.clone()
    }
}
