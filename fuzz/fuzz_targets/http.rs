//! Whole requests through both route sets, in process, on a development
//! instance over the embedded store: whatever arrives, the answer is never
//! a 5xx, and every error is Clerk's JSON shape.
//!
//! At start the target creates a development browser, signs a user in with
//! a ticket and keeps the secret key; inputs name them with placeholders
//! (`$SK`, `$DVB`, `$SID`, `$CID`, `$USER`) so the fuzzer gets past
//! authentication.
//!
//! Input: flags (`b`: Backend API, else Frontend API; `k`: add the secret
//! key as `Authorization`), a newline, the method, a newline, the request
//! target (path and query), a newline, header lines (`name: value`), an
//! empty line, the body.
#![no_main]

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::http::Method;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::rt::System;
use actix_web::test::{self, TestRequest};
use actix_web::{App, web};
use hallpass_adapter_jwt::JoseKeys;
use hallpass_adapter_sqlite::SqliteStore;
use hallpass_api_actix::ApiOptions;
use hallpass_app::{Deps, Hallpass, IdentityPolicy, InstanceConfig, KeyPolicy};
use hallpass_domain::{AllowedOrigins, Environment, FrontendApi, InstanceSettings, UnixMillis};
use hallpass_fuzz::{fields, now};
use hallpass_ports::{Clock, IdGenerator};
use libfuzzer_sys::fuzz_target;
use secrecy::ExposeSecret as _;
use serde_json::Value;

type App_ = Hallpass<SqliteStore, JoseKeys>;

#[derive(Debug)]
struct FixedClock;

impl Clock for FixedClock {
    fn now(&self) -> UnixMillis {
        now()
    }
}

/// Deterministic, distinct values: a counter spread over 128 bits.
#[derive(Debug)]
struct CountingIds(AtomicU64);

impl IdGenerator for CountingIds {
    fn random_u128(&self) -> u128 {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        u128::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)
    }
    fn fill(&self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(16) {
            let bits = self.random_u128().to_le_bytes();
            chunk.copy_from_slice(&bits[..chunk.len()]);
        }
    }
}

/// The status, `Content-Type` and body of a response.
type Answer = (u16, Option<String>, Vec<u8>);
/// One route set as a service, built once: actix leaks a little with every
/// route table it builds.
type Caller = Rc<dyn Fn(TestRequest) -> Pin<Box<dyn Future<Output = Answer>>>>;

struct Setup {
    system: actix_web::rt::SystemRunner,
    frontend: Caller,
    backend: Caller,
    vars: Vec<(&'static str, String)>,
}

async fn service(app: &web::Data<App_>, options: &web::Data<ApiOptions>, backend: bool) -> Caller {
    let routes: fn(&mut web::ServiceConfig) = if backend {
        hallpass_api_actix::backend_api::<SqliteStore, JoseKeys>
    } else {
        hallpass_api_actix::frontend_api::<SqliteStore, JoseKeys>
    };
    let service = Rc::new(
        test::init_service(
            App::new()
                .app_data(app.clone())
                .app_data(options.clone())
                .configure(routes),
        )
        .await,
    );
    Rc::new(move |req: TestRequest| {
        let service = service.clone();
        Box::pin(async move {
            // What the server does with a service error: its response.
            let res = match test::try_call_service(&*service, req.to_request()).await {
                Ok(res) => res.map_into_boxed_body().into_parts().1,
                Err(e) => e.error_response(),
            };
            let status = res.status().as_u16();
            let content_type = res
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = actix_web::body::to_bytes(res.into_body())
                .await
                .map(|b| b.to_vec())
                .unwrap_or_default();
            (status, content_type, body)
        })
    })
}

fn json(body: &[u8]) -> Value {
    serde_json::from_slice(body).expect("a JSON body")
}

fn setup() -> Setup {
    let system = System::new();
    let dir = std::env::temp_dir().join(format!("hallpass-fuzz-http-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let store = SqliteStore::open(&dir.join("store.sqlite3")).expect("the embedded store");
    let started = system
        .block_on(Hallpass::start(
            Deps {
                store,
                keys: JoseKeys::plain(),
                clock: Arc::new(FixedClock),
                ids: Arc::new(CountingIds(AtomicU64::new(1))),
                // The real hasher at Argon2's smallest cost: a body with a
                // password is hashed and verified, quickly.
                passwords: Arc::new(
                    hallpass_adapter_password::Hasher::new(hallpass_adapter_password::HashingSettings {
                        memory_kib: 8,
                        iterations: 1,
                        parallelism: 1,
                        concurrency: 1,
                        wait: std::time::Duration::from_secs(5),
                    })
                    .expect("a hasher"),
                ),
            },
            InstanceConfig {
                environment: Environment::Development,
                frontend_api: FrontendApi::parse("https://clerk.example.com").expect("an URL"),
                settings: InstanceSettings::default(),
                keys: KeyPolicy::default(),
                identity: IdentityPolicy::default(),
            },
        ))
        .expect("the instance starts");
    let secret = started
        .created_secret_key
        .expect("a new instance has a secret key")
        .key
        .expose_secret()
        .to_owned();
    let app = web::Data::new(started.app);
    let options = web::Data::new(ApiOptions {
        origins: AllowedOrigins::new(&["http://localhost:3000".to_owned()], true)
            .expect("valid origins"),
        ..ApiOptions::default()
    });
    let (frontend, backend) = system.block_on(async {
        (
            service(&app, &options, false).await,
            service(&app, &options, true).await,
        )
    });
    let vars = system.block_on(async {
        let (_, _, body) = frontend(TestRequest::post().uri("/v1/dev_browser")).await;
        let dvb = json(&body)["token"]
            .as_str()
            .expect("a dev browser")
            .to_owned();
        let (_, _, body) = backend(
            TestRequest::post()
                .uri("/v1/users")
                .insert_header(("authorization", format!("Bearer {secret}")))
                .set_json(serde_json::json!({"username": "fuzzer"})),
        )
        .await;
        let user = json(&body)["id"].as_str().expect("a user").to_owned();
        let (_, _, body) = backend(
            TestRequest::post()
                .uri("/v1/sign_in_tokens")
                .insert_header(("authorization", format!("Bearer {secret}")))
                .set_json(serde_json::json!({"user_id": user})),
        )
        .await;
        let ticket = json(&body)["token"].as_str().expect("a ticket").to_owned();
        let (status, _, body) = frontend(
            TestRequest::post()
                .uri(&format!("/v1/client/sign_ins?__clerk_db_jwt={dvb}"))
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(format!("strategy=ticket&ticket={ticket}")),
        )
        .await;
        let body = json(&body);
        assert_eq!(status, 200, "{body}");
        let sid = body["response"]["created_session_id"]
            .as_str()
            .expect("a session")
            .to_owned();
        let cid = body["client"]["id"].as_str().expect("a client").to_owned();
        vec![
            ("$SK", secret.clone()),
            ("$DVB", dvb),
            ("$SID", sid),
            ("$CID", cid),
            ("$USER", user),
        ]
    });
    Setup {
        system,
        frontend,
        backend,
        vars,
    }
}

thread_local! {
    static SETUP: Setup = setup();
}

fn expand(text: &str, vars: &[(&'static str, String)]) -> String {
    vars.iter()
        .fold(text.to_owned(), |t, (name, value)| t.replace(name, value))
}

fuzz_target!(
    // Set up before the first input: building the route tables leaks (by
    // design, in actix-router), which is no finding.
    init: SETUP.with(|_| ()),
    |data: &[u8]| {
    let f = fields(data, 4);
    let flags = f[0];
    let backend = flags.contains(&b'b');
    let Some(method) = f.get(1).and_then(|m| Method::from_bytes(m).ok()) else {
        return;
    };
    let rest = f.get(3).copied().unwrap_or_default();
    let (head, body) = match rest.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&rest[..at], &rest[at + 2..]),
        None => (rest, &b""[..]),
    };
    SETUP.with(|s| {
        let target = expand(
            &String::from_utf8_lossy(f.get(2).copied().unwrap_or_default()),
            &s.vars,
        );
        let Ok(uri) = target.parse::<actix_web::http::Uri>() else {
            return;
        };
        if !uri.path().starts_with('/') {
            return;
        }
        let mut req = TestRequest::default().method(method).uri(&uri.to_string());
        if flags.contains(&b'k') {
            req = req.insert_header(("authorization", format!("Bearer {}", s.vars[0].1)));
        }
        for line in head.split(|b| *b == b'\n') {
            let Some(colon) = line.iter().position(|b| *b == b':') else {
                continue;
            };
            let name = HeaderName::from_bytes(line[..colon].trim_ascii());
            let value = expand(
                &String::from_utf8_lossy(line[colon + 1..].trim_ascii()),
                &s.vars,
            );
            if let (Ok(name), Ok(value)) = (name, HeaderValue::from_str(&value)) {
                req = req.append_header((name, value));
            }
        }
        let body = match std::str::from_utf8(body) {
            Ok(text) => expand(text, &s.vars).into_bytes(),
            Err(_) => body.to_vec(),
        };
        let req = req.set_payload(body);
        let caller = if backend { &s.backend } else { &s.frontend };
        let (status, content_type, body) = s.system.block_on(caller(req));
        assert!(
            status < 500,
            "{status} for {target}: {}",
            String::from_utf8_lossy(&body)
        );
        if status >= 400 && !body.is_empty() {
            assert_eq!(
                content_type.as_deref(),
                Some("application/json"),
                "{status} for {target}"
            );
            let errors = json(&body);
            let first = &errors["errors"][0];
            assert!(
                first["code"].is_string() && first["message"].is_string(),
                "{status} for {target}: not Clerk's error shape: {errors}"
            );
        }
    });
});
