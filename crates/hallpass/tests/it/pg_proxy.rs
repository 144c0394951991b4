//! A TCP proxy between `hallpass` and PostgreSQL that a test can cut,
//! restore and slow down: a database outage, or a slow network, for one
//! test's processes only (the machine's PostgreSQL keeps serving the other
//! tests).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

struct State {
    up: AtomicBool,
    /// Added before forwarding each chunk from PostgreSQL to the client.
    delay_ms: AtomicU64,
    /// Bumped on every cut: connections opened before it close.
    generation: watch::Sender<u64>,
    open: AtomicU64,
    delayed: AtomicU64,
}

/// The proxy, listening on a loopback port until dropped.
pub struct PgProxy {
    addr: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl PgProxy {
    /// Starts a proxy to the PostgreSQL server of `database_url`.
    pub async fn start(database_url: &str) -> Self {
        let url = url::Url::parse(database_url).unwrap();
        let upstream = format!(
            "{}:{}",
            url.host_str().unwrap_or("127.0.0.1"),
            url.port().unwrap_or(5432)
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State {
            up: AtomicBool::new(true),
            delay_ms: AtomicU64::new(0),
            generation: watch::channel(0).0,
            open: AtomicU64::new(0),
            delayed: AtomicU64::new(0),
        });
        let task = tokio::spawn(accept_loop(listener, upstream, state.clone()));
        Self { addr, state, task }
    }

    /// `database_url` pointed at the proxy instead.
    pub fn url_for(&self, database_url: &str) -> String {
        let mut url = url::Url::parse(database_url).unwrap();
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(self.addr.port())).unwrap();
        url.to_string()
    }

    /// The database goes away: open connections are closed and new ones
    /// are closed as soon as they arrive.
    pub fn cut(&self) {
        self.state.up.store(false, Ordering::SeqCst);
        self.state.generation.send_modify(|g| *g += 1);
    }

    /// The database is back.
    pub fn restore(&self) {
        self.state.up.store(true, Ordering::SeqCst);
    }

    /// Every answer from PostgreSQL arrives `delay` late.
    pub fn set_delay(&self, delay: Duration) {
        self.state
            .delay_ms
            .store(u64::try_from(delay.as_millis()).unwrap(), Ordering::SeqCst);
    }

    /// How many answers from PostgreSQL have been held back by the delay
    /// (started: a query is in flight once this moves).
    pub fn delayed_answers(&self) -> u64 {
        self.state.delayed.load(Ordering::SeqCst)
    }

    /// How many client connections are open through the proxy.
    pub fn open_connections(&self) -> u64 {
        self.state.open.load(Ordering::SeqCst)
    }
}

impl Drop for PgProxy {
    fn drop(&mut self) {
        self.cut();
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, upstream: String, state: Arc<State>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        if !state.up.load(Ordering::SeqCst) {
            drop(client);
            continue;
        }
        let (upstream, state) = (upstream.clone(), state.clone());
        tokio::spawn(async move {
            let Ok(server) = TcpStream::connect(&upstream).await else {
                return;
            };
            state.open.fetch_add(1, Ordering::SeqCst);
            relay(client, server, &state).await;
            state.open.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// Copies both ways until either side closes or the proxy is cut.
async fn relay(client: TcpStream, server: TcpStream, state: &State) {
    let mut cut = state.generation.subscribe();
    cut.borrow_and_update();
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut client_rx, mut client_tx) = client.into_split();
    let (mut server_rx, mut server_tx) = server.into_split();
    let to_server = async {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match client_rx.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if server_tx.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
    };
    let to_client = async {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match server_rx.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let delay = state.delay_ms.load(Ordering::SeqCst);
                    if delay > 0 {
                        state.delayed.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(delay)).await;
                    }
                    if client_tx.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
    };
    tokio::select! {
        () = to_server => {}
        () = to_client => {}
        _ = cut.changed() => {}
    }
}
