//! `hallpass serve`.

use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context as _;
use hallpass_adapter_jwt::JoseKeys;
use hallpass_api_actix::metrics::{self, ApiName, Metrics, MetricsOptions, PoolStats};
use hallpass_api_actix::{backend_api, frontend_api};
use hallpass_app::Hallpass;
use hallpass_domain::FrontendApi;
use hallpass_ports::Store;
use secrecy::ExposeSecret as _;
use std::net::{SocketAddr, TcpListener};
use std::time::Duration;
use tracing_actix_web::TracingLogger;

use crate::telemetry::RedactedRootSpan;

use crate::settings::Settings;
use crate::store::{self, Migrations, OpenedStore};
use crate::system;

/// How long an idle keep-alive connection stays open. Longer than the
/// idle timeouts of HTTP clients (Node's undici: 4 s; Go: 90 s is the
/// exception), so the client, not the server, closes idle connections:
/// a server closing first races a client reusing the connection for a
/// POST, which the client cannot retry ("fetch failed").
const IDLE_KEEP_ALIVE: Duration = Duration::from_secs(75);

fn bind(addr: SocketAddr, what: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr).with_context(|| format!("binding the {what} to {addr}"))
}

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let fapi = bind(settings.fapi_addr, "Frontend API")?;
    let bapi = bind(settings.bapi_addr, "Backend API")?;
    let frontend = settings.frontend_api(fapi.local_addr()?)?;
    match store::open(&settings, Migrations::Apply).await? {
        OpenedStore::Sqlite(s) => {
            let probe = s.clone();
            let metrics = metrics_for(&settings, move || probe.pool_state());
            serve(s, &settings, fapi, bapi, frontend, metrics).await
        }
        OpenedStore::Postgres(s) => {
            let probe = s.clone();
            let metrics = metrics_for(&settings, move || probe.pool_state());
            serve(s, &settings, fapi, bapi, frontend, metrics).await
        }
    }
}

/// The metrics registry, if enabled, reading the store's pool at scrape time.
fn metrics_for(
    settings: &Settings,
    pool: impl Fn() -> (u32, u32, u32) + Send + Sync + 'static,
) -> Option<web::Data<Metrics>> {
    settings.metrics.enabled.then(|| {
        web::Data::new(Metrics::new(MetricsOptions {
            bearer_token: settings
                .metrics
                .bearer_token
                .clone()
                .map(secrecy::SecretString::from),
            pool: Some(Box::new(move || {
                let (max, open, idle) = pool();
                PoolStats { max, open, idle }
            })),
        }))
    })
}

async fn serve<S: Store>(
    store: S,
    settings: &Settings,
    fapi: TcpListener,
    bapi: TcpListener,
    frontend: FrontendApi,
    metrics: Option<web::Data<Metrics>>,
) -> anyhow::Result<()> {
    let started = Hallpass::start(
        system::deps(
            store,
            settings.encryption_key.as_deref(),
            settings.passwords.clone(),
        ),
        settings.instance_config(frontend.clone()),
    )
    .await
    .context("starting the instance")?;
    let app = web::Data::new(started.app);
    let grace = settings.shutdown_grace.as_secs();
    let (fapi_addr, bapi_addr) = (fapi.local_addr()?, bapi.local_addr()?);

    let data = app.clone();
    let options = web::Data::new(settings.api.clone());
    let fapi_options = options.clone();
    let limits = web::Data::new(settings.rate_limit.build()?);
    tracing::info!(
        rate_limits = settings.rate_limit.describe(),
        "rate limits configured"
    );
    let fapi_limits = limits.clone();
    let fapi_metrics = metrics.clone();
    let fapi_server = HttpServer::new(move || {
        let mut app = App::new();
        if let Some(m) = &fapi_metrics {
            app = app.app_data(m.clone());
        }
        app.app_data(ApiName::Frontend)
            .wrap(from_fn(metrics::record))
            .wrap(TracingLogger::<RedactedRootSpan>::new())
            .app_data(data.clone())
            .app_data(fapi_options.clone())
            .app_data(fapi_limits.clone())
            .configure(frontend_api::<S, JoseKeys>)
    })
    .listen(fapi)?
    .disable_signals()
    .keep_alive(IDLE_KEEP_ALIVE)
    .shutdown_timeout(grace)
    .run();
    let data = app.clone();
    let bapi_server = HttpServer::new(move || {
        let mut app = App::new();
        if let Some(m) = &metrics {
            app = app.app_data(m.clone());
        }
        app.app_data(ApiName::Backend)
            .wrap(from_fn(metrics::record))
            .wrap(TracingLogger::<RedactedRootSpan>::new())
            .app_data(data.clone())
            .app_data(options.clone())
            .app_data(limits.clone())
            .configure(backend_api::<S, JoseKeys>)
    })
    .listen(bapi)?
    .disable_signals()
    .keep_alive(IDLE_KEEP_ALIVE)
    .shutdown_timeout(grace)
    .run();

    // The signal handlers go in before the banner announces readiness: a
    // SIGTERM sent as soon as the banner is read must drain, not meet the
    // default action (exit by signal 15).
    let shutdown = ShutdownSignals::install()?;
    print_banner(
        &app,
        settings,
        &frontend,
        fapi_addr,
        bapi_addr,
        started.created_secret_key.as_ref(),
    );

    let keys_task = actix_web::rt::spawn(keep_keys_fresh(
        app.clone(),
        settings.key_refresh_interval,
        settings.key_rotate_after,
    ));
    let sweep_task = settings
        .sweep
        .map(|policy| actix_web::rt::spawn(crate::sweeper::run(app.clone(), policy)));
    let (fapi_handle, bapi_handle) = (fapi_server.handle(), bapi_server.handle());
    let fapi_task = actix_web::rt::spawn(fapi_server);
    let bapi_task = actix_web::rt::spawn(bapi_server);
    tokio::select! {
        () = shutdown.recv() => {
            tracing::info!(grace_secs = grace, "shutting down: draining in-flight requests");
            keys_task.abort();
            if let Some(task) = &sweep_task {
                task.abort();
            }
            tokio::join!(fapi_handle.stop(true), bapi_handle.stop(true));
            Ok(())
        }
        r = fapi_task => r.context("the Frontend API server task failed")?.context("the Frontend API server failed"),
        r = bapi_task => r.context("the Backend API server task failed")?.context("the Backend API server failed"),
    }
}

/// Reloads the signing keys from the store every `interval`, and at the
/// moment a scheduled key activates or retires, so every node sharing the
/// store follows rotations without a restart. With `rotate_after`, also
/// rotates automatically.
async fn keep_keys_fresh<S: Store>(
    app: web::Data<Hallpass<S, JoseKeys>>,
    interval: Duration,
    rotate_after: Option<Duration>,
) {
    loop {
        let wait = match app.next_key_event().await {
            Ok(Some(at)) => at.since(app.now()).min(interval) + Duration::from_millis(10),
            Ok(None) => interval,
            Err(e) => {
                tracing::warn!(error = %e, "reading the signing keys failed");
                interval
            }
        };
        tokio::time::sleep(wait).await;
        if let Some(max_age) = rotate_after {
            match app.rotate_if_older_than(max_age).await {
                Ok(Some(key)) => {
                    tracing::info!(kid = %key.kid, "rotated the signing key automatically")
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "automatic key rotation failed"),
            }
        }
        if let Err(e) = app.reload_keys().await {
            tracing::warn!(error = %e, "reloading the signing keys failed; keeping the current ones");
        }
    }
}

/// SIGTERM and SIGINT (Ctrl-C), registered when installed: a signal
/// arriving before [`ShutdownSignals::recv`] is polled is kept, not lost to
/// the default action.
struct ShutdownSignals {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(windows)]
    ctrl_c: tokio::signal::windows::CtrlC,
}

impl ShutdownSignals {
    fn install() -> anyhow::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                terminate: signal(SignalKind::terminate())
                    .context("installing the SIGTERM handler")?,
                interrupt: signal(SignalKind::interrupt())
                    .context("installing the SIGINT handler")?,
            })
        }
        #[cfg(windows)]
        {
            Ok(Self {
                ctrl_c: tokio::signal::windows::ctrl_c()
                    .context("installing the Ctrl-C handler")?,
            })
        }
    }

    /// Waits for the first shutdown signal.
    async fn recv(mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.terminate.recv() => {}
            _ = self.interrupt.recv() => {}
        }
        #[cfg(windows)]
        self.ctrl_c.recv().await;
    }
}

/// Clerk's browser SDK as the Frontend API serves it.
fn clerk_js_line(settings: &Settings) -> String {
    match &settings.api.clerk_js_dir {
        Some(dir) => {
            let installed = hallpass_api_actix::clerk_js_installed(dir);
            if installed == "not installed" {
                format!(
                    "not installed in {} (scripts/install-clerk-js.sh)",
                    dir.display()
                )
            } else {
                format!("/npm/@clerk/… serves {installed}")
            }
        }
        None => "not served".to_owned(),
    }
}

fn print_banner<S: Store>(
    app: &Hallpass<S, JoseKeys>,
    settings: &Settings,
    frontend: &FrontendApi,
    fapi_addr: SocketAddr,
    bapi_addr: SocketAddr,
    secret: Option<&hallpass_app::NewSecretKey>,
) {
    let secret_line = match secret {
        Some(k) => format!(
            "{}   (shown once: only its hash is stored)",
            k.key.expose_secret()
        ),
        None => "created at first start; `hallpass secret-keys create` makes another".to_owned(),
    };
    let bapi_host = match bapi_addr.ip() {
        ip if ip.is_unspecified() => format!("127.0.0.1:{}", bapi_addr.port()),
        _ => bapi_addr.to_string(),
    };
    println!(
        "Hallpass {version} is ready: {env} instance {id}\n  \
         Store:           {store}\n  \
         Frontend API:    {fapi} (listening on {fapi_addr})\n  \
         Backend API:     http://{bapi_host}\n  \
         Clerk JS:        {clerk_js}\n  \
         Publishable key: {pk}\n  \
         Secret key:      {secret_line}",
        version = env!("CARGO_PKG_VERSION"),
        env = app.environment(),
        id = app.instance().id,
        store = store::describe(settings),
        fapi = frontend.origin(),
        pk = app.publishable_key(),
        clerk_js = clerk_js_line(settings),
    );
}
