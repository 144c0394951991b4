//! Choosing and opening the store: PostgreSQL when a database URL is
//! configured, the embedded SQLite file otherwise.

use std::path::Path;

use anyhow::{Context as _, bail};
use hallpass_adapter_postgres::PgStore;
use hallpass_adapter_sqlite::SqliteStore;

use crate::settings::Settings;

/// An open store of either kind.
#[derive(Debug)]
pub enum OpenedStore {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

/// What to do about pending PostgreSQL migrations. (The embedded store is
/// always migrated on open: it belongs to this process alone.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Migrations {
    Apply,
    RequireApplied,
}

/// Opens the configured store.
pub async fn open(settings: &Settings, migrations: Migrations) -> anyhow::Result<OpenedStore> {
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || match &settings.database_url {
        None => {
            let path = settings.sqlite_path();
            let store = SqliteStore::open(&path)?;
            warn_if_exposed(&path);
            Ok(OpenedStore::Sqlite(store))
        }
        Some(url) => {
            let store = PgStore::connect(url.expose(), &settings.database)?;
            match migrations {
                Migrations::Apply => {
                    let applied = store.migrate()?;
                    if applied > 0 {
                        tracing::info!(applied, "applied PostgreSQL migrations");
                    }
                }
                Migrations::RequireApplied => {
                    let pending = store.pending_migrations()?;
                    if pending > 0 {
                        bail!("the database has {pending} pending migration(s): run `hallpass migrate` first");
                    }
                }
            }
            Ok(OpenedStore::Postgres(store))
        }
    })
    .await
    .context("opening the store")?
}

/// Warns about each part of the embedded store at `path` that group or
/// others may access. (A new store is private; an existing one keeps the
/// permissions it was given.)
fn warn_if_exposed(path: &Path) {
    for exposed in hallpass_adapter_sqlite::exposed_paths(path) {
        let what = if exposed.is_dir { "directory" } else { "file" };
        let (path, mode) = (exposed.path.display(), format!("{:04o}", exposed.mode));
        tracing::warn!(
            %path,
            %mode,
            "the embedded store's {what} {path} has mode {mode}: other local users can \
             read it, and with it the signing keys unless `keys.encryption_key` is set; \
             make it private with `chmod {:o} {path}`",
            exposed.private_mode(),
        );
    }
}

/// A one-line description for people.
pub fn describe(settings: &Settings) -> String {
    match &settings.database_url {
        None => format!("embedded SQLite at {}", settings.sqlite_path().display()),
        Some(url) => format!("PostgreSQL at {}", url.redacted()),
    }
}
