//! Running blocking diesel calls off the async runtime, on a pool whose
//! connections are checked only when there is a reason to.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel::r2d2::{
    ConnectionManager, CustomizeConnection, Error as PoolError, ManageConnection, Pool,
    R2D2Connection,
};
use tokio::sync::Semaphore;

/// A pooled connection and what the pool knows about its health.
#[derive(Debug)]
pub struct Tracked<C> {
    conn: C,
    /// When it last answered (a query that succeeded, or a ping).
    last_ok: Instant,
    /// The pool's failure epoch when it last answered.
    epoch: u64,
    /// Failed a ping after a query error: never hand it out again.
    broken: bool,
}

impl<C> std::ops::Deref for Tracked<C> {
    type Target = C;

    fn deref(&self) -> &C {
        &self.conn
    }
}

impl<C> std::ops::DerefMut for Tracked<C> {
    fn deref_mut(&mut self) -> &mut C {
        &mut self.conn
    }
}

/// A connection that answered within this long is handed out without a
/// round trip to check it.
const TRUST_FOR: Duration = Duration::from_secs(10);

/// diesel's connection manager, minus the `SELECT 1` on every checkout
/// (half of a request's round trips on the hot path). A connection is
/// pinged on checkout only when it has been idle for a while or when some
/// connection of the pool has failed since it last answered (a database
/// restart kills them all at once); a connection whose query failed is
/// pinged at once and dropped if the ping fails too.
pub struct Manager<C: R2D2Connection + 'static> {
    inner: ConnectionManager<C>,
    epoch: Arc<AtomicU64>,
}

impl<C: R2D2Connection + 'static> std::fmt::Debug for Manager<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Manager")
            .field("epoch", &self.epoch.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl<C: R2D2Connection + 'static> ManageConnection for Manager<C> {
    type Connection = Tracked<C>;
    type Error = PoolError;

    fn connect(&self) -> Result<Tracked<C>, PoolError> {
        Ok(Tracked {
            conn: self.inner.connect()?,
            last_ok: Instant::now(),
            epoch: self.epoch.load(Ordering::Acquire),
            broken: false,
        })
    }

    fn is_valid(&self, conn: &mut Tracked<C>) -> Result<(), PoolError> {
        let epoch = self.epoch.load(Ordering::Acquire);
        if conn.epoch == epoch && conn.last_ok.elapsed() < TRUST_FOR {
            return Ok(());
        }
        self.inner.is_valid(&mut conn.conn)?;
        conn.last_ok = Instant::now();
        conn.epoch = epoch;
        Ok(())
    }

    fn has_broken(&self, conn: &mut Tracked<C>) -> bool {
        conn.broken || self.inner.has_broken(&mut conn.conn)
    }
}

/// Runs an adapter's per-connection set-up (`CustomizeConnection` on the
/// bare connection) for tracked connections.
#[derive(Debug)]
pub struct OnConnect<T>(pub T);

impl<C, T> CustomizeConnection<Tracked<C>, PoolError> for OnConnect<T>
where
    C: Send + 'static,
    T: CustomizeConnection<C, PoolError>,
{
    fn on_acquire(&self, conn: &mut Tracked<C>) -> Result<(), PoolError> {
        self.0.on_acquire(&mut conn.conn)
    }

    fn on_release(&self, conn: Tracked<C>) {
        self.0.on_release(conn.conn);
    }
}

/// A connection pool and a queue in front of it.
///
/// Callers wait for a connection *asynchronously* (one permit per pooled
/// connection), each for at most the pool's connection timeout, before a
/// blocking thread is involved. So when the pool is exhausted, waiting
/// requests hold no thread and every wait is bounded: the queue never makes
/// a request wait longer than the timeout, however many are queued.
pub struct Db<C: R2D2Connection + 'static> {
    pool: Pool<Manager<C>>,
    permits: Arc<Semaphore>,
    epoch: Arc<AtomicU64>,
}

impl<C: R2D2Connection + 'static> Db<C> {
    /// Builds the pool (`builder` carries the adapter's settings; wrap its
    /// connection customizer in [`OnConnect`]) over `manager`.
    pub fn build(
        builder: r2d2::Builder<Manager<C>>,
        manager: ConnectionManager<C>,
    ) -> Result<Self, r2d2::Error> {
        let epoch = Arc::new(AtomicU64::new(0));
        let pool = builder.build(Manager {
            inner: manager,
            epoch: epoch.clone(),
        })?;
        let permits = Arc::new(Semaphore::new(
            usize::try_from(pool.max_size()).unwrap_or(1),
        ));
        Ok(Self {
            pool,
            permits,
            epoch,
        })
    }
}

impl<C: R2D2Connection + 'static> std::fmt::Debug for Db<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("max_size", &self.pool.max_size())
            .field("free_permits", &self.permits.available_permits())
            .finish()
    }
}

impl<C: R2D2Connection + 'static> Clone for Db<C> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            permits: self.permits.clone(),
            epoch: self.epoch.clone(),
        }
    }
}

impl<C: R2D2Connection + 'static> std::ops::Deref for Db<C> {
    type Target = Pool<Manager<C>>;

    fn deref(&self) -> &Self::Target {
        &self.pool
    }
}

fn unavailable<E: From<anyhow::Error>>(e: anyhow::Error) -> E {
    // The HTTP layer answers `Unavailable` with 503 + Retry-After, not 500.
    E::from(e.context(hallpass_ports::Unavailable))
}

/// Runs `f` with a pooled connection on tokio's blocking pool, inside the
/// caller's tracing span. Waiting longer than the pool's connection timeout
/// (for a free connection, or for the database to accept one) is
/// `Unavailable`; join failures become `E::from(anyhow)`.
pub async fn run<C, T, E, F>(db: &Db<C>, f: F) -> Result<T, E>
where
    C: R2D2Connection + 'static,
    F: FnOnce(&mut C) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<anyhow::Error> + Send + 'static,
{
    let wait = db.pool.connection_timeout();
    let started = tokio::time::Instant::now();
    let permit = match tokio::time::timeout(wait, db.permits.clone().acquire_owned()).await {
        Ok(Ok(permit)) => permit,
        Ok(Err(closed)) => return Err(E::from(anyhow::Error::new(closed))),
        Err(_) => {
            return Err(unavailable(anyhow::anyhow!(
                "no database connection free within {wait:?}"
            )));
        }
    };
    let pool = db.pool.clone();
    let epoch = db.epoch.clone();
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let _entered = span.enter();
        // What is left of the wait, at least a moment to check a connection
        // out (a suspect one is pinged and replaced, see `Manager`).
        let left = wait
            .saturating_sub(started.elapsed())
            .max(std::time::Duration::from_millis(100));
        let mut conn = pool.get_timeout(left).map_err(|e| {
            unavailable(anyhow::Error::new(e).context("acquiring a database connection"))
        })?;
        let result = f(&mut conn.conn);
        match &result {
            Ok(_) => conn.last_ok = Instant::now(),
            // An error may be the connection's: if it no longer answers,
            // drop it, and have every other connection checked before its
            // next use (a restart or a network cut kills them all).
            Err(_) => {
                if conn.conn.ping().is_ok() {
                    conn.last_ok = Instant::now();
                } else {
                    conn.broken = true;
                    epoch.fetch_add(1, Ordering::AcqRel);
                }
            }
        }
        result
    })
    .await
    .map_err(|e| E::from(anyhow::Error::new(e).context("database task failed")))?
}
