//! Running blocking diesel calls off the async runtime.

use std::sync::Arc;

use diesel::r2d2::{ConnectionManager, Pool, R2D2Connection};
use tokio::sync::Semaphore;

/// A connection pool and a queue in front of it.
///
/// Callers wait for a connection *asynchronously* (one permit per pooled
/// connection), each for at most the pool's connection timeout, before a
/// blocking thread is involved. So when the pool is exhausted, waiting
/// requests hold no thread and every wait is bounded: the queue never makes
/// a request wait longer than the timeout, however many are queued.
pub struct Db<C: R2D2Connection + 'static> {
    pool: Pool<ConnectionManager<C>>,
    permits: Arc<Semaphore>,
}

impl<C: R2D2Connection + 'static> Db<C> {
    pub fn new(pool: Pool<ConnectionManager<C>>) -> Self {
        let permits = Arc::new(Semaphore::new(
            usize::try_from(pool.max_size()).unwrap_or(1),
        ));
        Self { pool, permits }
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
        }
    }
}

impl<C: R2D2Connection + 'static> std::ops::Deref for Db<C> {
    type Target = Pool<ConnectionManager<C>>;

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
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let _entered = span.enter();
        // What is left of the wait, at least a moment to check a connection
        // out (r2d2 also tests it and replaces a broken one).
        let left = wait
            .saturating_sub(started.elapsed())
            .max(std::time::Duration::from_millis(100));
        let mut conn = pool.get_timeout(left).map_err(|e| {
            unavailable(anyhow::Error::new(e).context("acquiring a database connection"))
        })?;
        f(&mut conn)
    })
    .await
    .map_err(|e| E::from(anyhow::Error::new(e).context("database task failed")))?
}
