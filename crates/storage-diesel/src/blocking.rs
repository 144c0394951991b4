//! Running blocking diesel calls off the async runtime.

use diesel::r2d2::{ConnectionManager, Pool, R2D2Connection};

/// Runs `f` with a pooled connection on tokio's blocking pool, inside the
/// caller's tracing span. Pool and join failures become `E::from(anyhow)`.
pub async fn run<C, T, E, F>(pool: &Pool<ConnectionManager<C>>, f: F) -> Result<T, E>
where
    C: R2D2Connection + 'static,
    F: FnOnce(&mut C) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<anyhow::Error> + Send + 'static,
{
    let pool = pool.clone();
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        // An unreachable store is marked `Unavailable` (the HTTP layer
        // answers 503 + Retry-After rather than 500).
        let mut conn = pool.get().map_err(|e| {
            E::from(
                anyhow::Error::new(e)
                    .context("acquiring a database connection")
                    .context(hallpass_ports::Unavailable),
            )
        })?;
        f(&mut conn)
    })
    .await
    .map_err(|e| E::from(anyhow::Error::new(e).context("database task failed")))?
}
