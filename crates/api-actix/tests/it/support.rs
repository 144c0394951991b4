//! Both APIs mounted as `hallpass serve` mounts them (serve.rs), in
//! process: the embedded store in a temporary directory, the real RS256
//! key ring, the real use cases, a clock the test steps and deterministic
//! ids. Requests go through the public route sets only.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use actix_web::App;
use actix_web::body::MessageBody;
use actix_web::dev::{Service as _, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::from_fn;
use actix_web::test::{self, TestRequest};
use actix_web::web::{self, Bytes};
use hallpass_adapter_jwt::JoseKeys;
use hallpass_adapter_sqlite::SqliteStore;
use hallpass_api_actix::metrics::{self, ApiName, Metrics, MetricsOptions, PoolStats};
use hallpass_api_actix::{ApiOptions, backend_api, frontend_api};
use hallpass_app::{Deps, Hallpass, InstanceConfig, KeyPolicy};
use hallpass_domain::redirect::AllowedOrigins;
use hallpass_domain::{Environment, FrontendApi, InstanceSettings, UnixMillis};
use hallpass_ports::{Clock, IdGenerator};
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};

/// The instant every test starts at (2023-11-14T22:13:20Z), in milliseconds.
pub const T0: i64 = 1_700_000_000_000;
/// The app a development browser comes from (loopback: allowed on development instances).
pub const DEV_APP: &str = "http://localhost:3000";
/// The development instance's Frontend API.
pub const DEV_FAPI: &str = "http://127.0.0.1:4000";
/// The production app (an allowed origin) and its cookie domain.
pub const PROD_APP: &str = "https://app.example.com";
pub const PROD_FAPI: &str = "https://clerk.example.com";
pub const COOKIE_DOMAIN: &str = "example.com";
/// The address requests come from.
pub const PEER: &str = "203.0.113.9:40000";
/// A phone's user agent (woothee: smartphone, Safari).
pub const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

/// A clock the test moves.
#[derive(Debug)]
pub struct TestClock(AtomicI64);

impl Clock for TestClock {
    fn now(&self) -> UnixMillis {
        UnixMillis::new(self.0.load(Ordering::SeqCst))
    }
}

/// Distinct, deterministic values (a counter times an odd constant).
#[derive(Debug, Default)]
pub struct TestIds(AtomicU64);

impl IdGenerator for TestIds {
    fn random_u128(&self) -> u128 {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        u128::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)
    }
    fn fill(&self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(16) {
            let bits = self.random_u128().to_be_bytes();
            chunk.copy_from_slice(&bits[..chunk.len()]);
        }
    }
}

/// What a response was: status, headers, body.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    async fn from_service<B: MessageBody>(res: ServiceResponse<B>) -> Self {
        let status = res.status();
        let headers = res.headers().clone();
        let body = test::read_body(res).await;
        Self {
            status,
            headers,
            body,
        }
    }

    async fn from_error(e: actix_web::Error) -> Self {
        let res = e.error_response();
        let status = res.status();
        let headers = res.headers().clone();
        let body = actix_web::body::to_bytes(res.into_body())
            .await
            .unwrap_or_default();
        Self {
            status,
            headers,
            body,
        }
    }

    /// The body as JSON, after checking the response says it is JSON.
    pub fn json(&self) -> Value {
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "status {}, body {:?}",
            self.status,
            self.body
        );
        serde_json::from_slice(&self.body).unwrap()
    }

    /// The status and the body, for a check that names both in its failure.
    pub fn ok_json(&self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "{:?}", self.body);
        self.json()
    }

    /// The Clerk error code of an error response, after checking its status.
    pub fn error(&self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "{:?}", self.body);
        assert_eq!(self.header("cache-control"), Some("no-store"));
        self.json()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The one `Set-Cookie` for `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let prefix = format!("{name}=");
        let mut found = self
            .set_cookies()
            .into_iter()
            .filter(|c| c.starts_with(&prefix));
        let one = found.next();
        assert!(found.next().is_none(), "two Set-Cookie for {name}");
        one
    }
}

/// The value of `name=value; …` in a cookie or directive.
pub fn cookie_value(cookie: &str) -> &str {
    let pair = cookie.split(';').next().unwrap();
    pair.split_once('=').unwrap().1
}

/// The `__clerk_handshake` JWT a development handshake's redirect carries
/// in its query.
pub fn handshake_in_location(res: &Resp) -> String {
    let location = url::Url::parse(res.header("location").unwrap()).unwrap();
    location
        .query_pairs()
        .find(|(k, _)| k == "__clerk_handshake")
        .unwrap()
        .1
        .into_owned()
}

/// The value of the directive that starts with `prefix` (`"__session="`).
pub fn directive_value(directives: &[String], prefix: &str) -> Option<String> {
    directives
        .iter()
        .find(|d| d.starts_with(prefix))
        .map(|d| cookie_value(d).to_owned())
}

type Call = Box<dyn Fn(TestRequest) -> Pin<Box<dyn Future<Output = Resp>>>>;

/// Boxes an initialised service so the harness can hold both APIs.
macro_rules! boxed {
    ($service:expr) => {{
        let service = Rc::new($service);
        Box::new(move |req: TestRequest| {
            let service = Rc::clone(&service);
            Box::pin(async move {
                match service.call(req.to_request()).await {
                    Ok(res) => Resp::from_service(res).await,
                    // Middleware refusals are errors until the server renders them.
                    Err(e) => Resp::from_error(e).await,
                }
            }) as Pin<Box<dyn Future<Output = Resp>>>
        }) as Call
    }};
}

/// One instance with both APIs.
pub struct Harness {
    fapi: Call,
    bapi: Call,
    clock: Arc<TestClock>,
    pub secret_key: String,
    /// The instance's store, for writing what the Backend API cannot yet.
    pub store: SqliteStore,
    _dir: tempfile::TempDir,
}

impl std::fmt::Debug for Harness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Harness").finish_non_exhaustive()
    }
}

/// The options `hallpass serve` derives from its defaults, for an environment.
pub fn options(environment: Environment) -> ApiOptions {
    let development = environment == Environment::Development;
    let origins = if development {
        Vec::new()
    } else {
        vec![PROD_APP.to_owned()]
    };
    ApiOptions {
        origins: AllowedOrigins::new(&origins, development).unwrap(),
        cookie_domain: (!development).then(|| COOKIE_DOMAIN.to_owned()),
        ..ApiOptions::default()
    }
}

impl Harness {
    /// A development instance.
    pub async fn dev() -> Self {
        Self::start(Environment::Development, options(Environment::Development)).await
    }

    /// A production instance (`https://app.example.com` allowed, cookies on
    /// `example.com`).
    pub async fn prod() -> Self {
        Self::start(Environment::Production, options(Environment::Production)).await
    }

    pub async fn start(environment: Environment, options: ApiOptions) -> Self {
        Self::start_with(environment, options, None).await
    }

    /// [`Harness::start`], recording into `metrics` when given.
    pub async fn start_with(
        environment: Environment,
        options: ApiOptions,
        metrics: Option<web::Data<Metrics>>,
    ) -> Self {
        Self::start_full(
            environment,
            options,
            metrics,
            hallpass_app::IdentityPolicy::default(),
        )
        .await
    }

    /// [`Harness::start_with`] with the instance's identity policy (roles).
    pub async fn start_full(
        environment: Environment,
        options: ApiOptions,
        metrics: Option<web::Data<Metrics>>,
        identity: hallpass_app::IdentityPolicy,
    ) -> Self {
        Self::start_instance(
            environment,
            options,
            metrics,
            identity,
            InstanceSettings::default(),
        )
        .await
    }

    /// A development instance where a client may hold several sessions.
    pub async fn dev_multi_session() -> Self {
        let defaults = InstanceSettings::default();
        let settings = InstanceSettings::new(
            *defaults.lifetime(),
            defaults.activity_write_interval(),
            defaults.token_lifetime(),
            true,
        )
        .unwrap();
        Self::start_instance(
            Environment::Development,
            options(Environment::Development),
            None,
            hallpass_app::IdentityPolicy::default(),
            settings,
        )
        .await
    }

    async fn start_instance(
        environment: Environment,
        options: ApiOptions,
        metrics: Option<web::Data<Metrics>>,
        identity: hallpass_app::IdentityPolicy,
        settings: InstanceSettings,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("hallpass.sqlite3")).unwrap();
        let clock = Arc::new(TestClock(AtomicI64::new(T0)));
        let fapi_url = match environment {
            Environment::Development => DEV_FAPI,
            Environment::Production => PROD_FAPI,
        };
        let started = Hallpass::start(
            Deps {
                store: store.clone(),
                keys: JoseKeys::plain(),
                clock: clock.clone(),
                ids: Arc::new(TestIds::default()),
                passwords: Arc::new(
                    hallpass_adapter_password::Hasher::new(Default::default()).unwrap(),
                ),
            },
            InstanceConfig {
                environment,
                frontend_api: FrontendApi::parse(fapi_url).unwrap(),
                settings,
                keys: KeyPolicy::default(),
                identity,
            },
        )
        .await
        .unwrap();
        let secret_key = started
            .created_secret_key
            .expect("a first start creates a secret key")
            .key
            .expose_secret()
            .to_owned();
        let metrics = metrics.unwrap_or_else(|| {
            let probe = store.clone();
            web::Data::new(Metrics::new(MetricsOptions {
                bearer_token: None,
                pool: Some(Box::new(move || {
                    let (max, open, idle) = probe.pool_state();
                    PoolStats { max, open, idle }
                })),
            }))
        });
        let app = web::Data::new(started.app);
        let options = web::Data::new(options);
        let fapi = test::init_service(
            App::new()
                .app_data(metrics.clone())
                .app_data(ApiName::Frontend)
                .wrap(from_fn(metrics::record))
                .app_data(app.clone())
                .app_data(options.clone())
                .configure(frontend_api::<SqliteStore, JoseKeys>),
        )
        .await;
        let bapi = test::init_service(
            App::new()
                .app_data(metrics.clone())
                .app_data(ApiName::Backend)
                .wrap(from_fn(metrics::record))
                .app_data(app.clone())
                .app_data(options.clone())
                .configure(backend_api::<SqliteStore, JoseKeys>),
        )
        .await;
        Self {
            fapi: boxed!(fapi),
            bapi: boxed!(bapi),
            clock,
            secret_key,
            store,
            _dir: dir,
        }
    }

    pub fn advance(&self, by: Duration) {
        self.clock
            .0
            .fetch_add(i64::try_from(by.as_millis()).unwrap(), Ordering::SeqCst);
    }

    /// A Frontend API request, as it arrives.
    pub async fn fapi(&self, req: TestRequest) -> Resp {
        (self.fapi)(req).await
    }

    /// A Backend API request as it arrives (no secret key added).
    pub async fn bapi_raw(&self, req: TestRequest) -> Resp {
        (self.bapi)(req).await
    }

    /// A Backend API request with the instance's secret key.
    pub async fn bapi(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut req = TestRequest::default()
            .method(method)
            .uri(path)
            .insert_header(("authorization", format!("Bearer {}", self.secret_key)));
        if let Some(body) = body {
            req = req.set_json(body);
        }
        self.bapi_raw(req).await
    }

    /// Breaks the instance's store under it: drops `table` from the
    /// database file, so that every read of it fails (a store failure on
    /// demand, for checking that it is never read as "nothing there").
    pub fn break_table(&self, table: &str) {
        use diesel::{Connection as _, RunQueryDsl as _};
        let path = self._dir.path().join("hallpass.sqlite3");
        let mut conn = diesel::SqliteConnection::establish(path.to_str().unwrap()).unwrap();
        diesel::sql_query(format!("DROP TABLE {table}"))
            .execute(&mut conn)
            .unwrap();
    }

    /// Stores a user with this id (no profile) unless one exists, as the
    /// Backend API's `POST /v1/users` would: sign-ins need a user.
    pub async fn user_exists(&self, id: &str) {
        use hallpass_ports::UserStore as _;
        let id = hallpass_domain::UserId::parse(id).unwrap();
        if self.store.find_user(&id).await.is_err() {
            self.store
                .insert_user(&hallpass_domain::User::adopt(id, self.clock.now()))
                .await
                .unwrap();
        }
    }

    /// `POST /v1/sessions` for `user` (stored first if need be): the
    /// session object.
    pub async fn create_session(&self, user: &str) -> Value {
        self.user_exists(user).await;
        self.bapi(
            Method::POST,
            "/v1/sessions",
            Some(json!({ "user_id": user })),
        )
        .await
        .ok_json()
    }

    /// A pending sign-in token's ticket for `user` (stored first if need
    /// be).
    pub async fn ticket(&self, user: &str) -> String {
        self.user_exists(user).await;
        let body = self
            .bapi(
                Method::POST,
                "/v1/sign_in_tokens",
                Some(json!({ "user_id": user })),
            )
            .await
            .ok_json();
        body["token"].as_str().unwrap().to_owned()
    }

    /// `POST /v1/jwt_templates`: the template object.
    pub async fn create_template(&self, body: Value) -> Value {
        self.bapi(Method::POST, "/v1/jwt_templates", Some(body))
            .await
            .ok_json()
    }

    /// `GET /metrics` on the Backend API listener.
    pub async fn scrape(&self) -> String {
        let res = self.bapi_raw(TestRequest::get().uri("/metrics")).await;
        assert_eq!(res.status, StatusCode::OK);
        String::from_utf8(res.body.to_vec()).unwrap()
    }
}

/// How a Frontend API caller carries its client credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `__clerk_db_jwt` in the query (development instances).
    DevBrowser,
    /// The `__client` cookie (production browsers).
    Cookie,
    /// `_is_native=1` with `Authorization` (native apps).
    Native,
}

/// A Frontend API caller that keeps what the responses give it, as
/// clerk-js does: the development browser, the `__client` cookie, the
/// native `Authorization` token.
#[derive(Debug, Clone)]
pub struct Browser {
    pub transport: Transport,
    pub credential: Option<String>,
    pub origin: Option<&'static str>,
    pub user_agent: Option<&'static str>,
}

impl Browser {
    /// A development browser, created with `POST /v1/dev_browser`.
    pub async fn dev(h: &Harness) -> Self {
        let res = h.fapi(TestRequest::post().uri("/v1/dev_browser")).await;
        let dvb = res.ok_json()["token"].as_str().unwrap().to_owned();
        Self {
            transport: Transport::DevBrowser,
            credential: Some(dvb),
            origin: Some(DEV_APP),
            user_agent: None,
        }
    }

    /// A production browser without a client yet.
    pub fn cookie() -> Self {
        Self {
            transport: Transport::Cookie,
            credential: None,
            origin: Some(PROD_APP),
            user_agent: None,
        }
    }

    /// A native app without a client yet.
    pub fn native() -> Self {
        Self {
            transport: Transport::Native,
            credential: None,
            origin: None,
            user_agent: None,
        }
    }

    /// The request as this caller sends it.
    pub fn request(&self, method: Method, path: &str) -> TestRequest {
        let mut uri = path.to_owned();
        let mut add = |pair: &str| {
            uri.push(if uri.contains('?') { '&' } else { '?' });
            uri.push_str(pair);
        };
        match self.transport {
            Transport::DevBrowser => {
                if let Some(dvb) = &self.credential {
                    add(&format!("__clerk_db_jwt={dvb}"));
                }
            }
            Transport::Native => add("_is_native=1"),
            Transport::Cookie => {}
        }
        let mut req = TestRequest::default()
            .method(method)
            .uri(&uri)
            .peer_addr(PEER.parse::<SocketAddr>().unwrap());
        match (self.transport, &self.credential) {
            (Transport::Cookie, Some(c)) => {
                req = req.insert_header(("cookie", format!("__client={c}")));
            }
            (Transport::Native, Some(t)) => {
                req = req.insert_header(("authorization", format!("Bearer {t}")));
            }
            _ => {}
        }
        if let Some(origin) = self.origin {
            req = req.insert_header(("origin", origin));
        }
        if let Some(ua) = self.user_agent {
            req = req.insert_header(("user-agent", ua));
        }
        req
    }

    /// Sends `req` and keeps the credential the response hands back.
    pub async fn send(&mut self, h: &Harness, req: TestRequest) -> Resp {
        let res = h.fapi(req).await;
        match self.transport {
            Transport::Cookie => {
                if let Some(c) = res.cookie("__client") {
                    let value = cookie_value(&c);
                    self.credential = (!value.is_empty()).then(|| value.to_owned());
                }
            }
            Transport::Native => {
                if let Some(token) = res.header("authorization") {
                    self.credential = Some(token.to_owned());
                }
            }
            Transport::DevBrowser => {}
        }
        res
    }

    /// Signs in `user` with a ticket; the whole response body (the sign-in
    /// attempt and the client).
    pub async fn sign_in_body(&mut self, h: &Harness, user: &str) -> Value {
        let ticket = h.ticket(user).await;
        self.call(
            h,
            Method::POST,
            "/v1/client/sign_ins",
            &[("strategy", "ticket"), ("ticket", &ticket)],
        )
        .await
        .ok_json()
    }

    /// A request with an optional form body.
    pub async fn call(
        &mut self,
        h: &Harness,
        method: Method,
        path: &str,
        form: &[(&str, &str)],
    ) -> Resp {
        let mut req = self.request(method, path);
        if !form.is_empty() {
            req = req.set_form(form);
        }
        self.send(h, req).await
    }

    /// `PUT /v1/client`: a client for this caller.
    pub async fn create_client(&mut self, h: &Harness) -> Value {
        self.call(h, Method::PUT, "/v1/client", &[]).await.ok_json()
    }

    /// Signs in `user` with a ticket; the new session's id.
    pub async fn sign_in(&mut self, h: &Harness, user: &str) -> String {
        let body = self.sign_in_body(h, user).await;
        body["response"]["created_session_id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// A compact JWT's header and payload, unverified, after checking its shape.
pub fn jwt_parts(jwt: &str) -> (Value, Value) {
    use base64::Engine as _;
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWT: {jwt}");
    let decode = |s: &str| -> Value {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    };
    assert!(!parts[2].is_empty(), "a signature");
    (decode(parts[0]), decode(parts[1]))
}

/// The value of one sample line (`name{labels} value`) of a scrape, 0 when absent.
pub fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}
