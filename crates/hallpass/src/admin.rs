//! Operator commands: `migrate`, `instance show`, `secret-keys create`.

use anyhow::{Context as _, bail};
use hallpass_app::Hallpass;
use hallpass_domain::PublishableKey;
use hallpass_ports::Store;
use secrecy::ExposeSecret as _;
use serde_json::json;

use crate::settings::Settings;
use crate::store::{self, Migrations, OpenedStore};
use crate::system;

/// `hallpass migrate`: applies pending migrations and exits.
pub async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    store::open(settings, Migrations::Apply).await?;
    println!("migrations applied: {}", store::describe(settings));
    Ok(())
}

/// `hallpass instance show [--json]`.
pub async fn show_instance(settings: &Settings, as_json: bool) -> anyhow::Result<()> {
    match store::open(settings, Migrations::RequireApplied).await? {
        OpenedStore::Sqlite(s) => show(s, settings, as_json).await,
        OpenedStore::Postgres(s) => show(s, settings, as_json).await,
    }
}

async fn show<S: Store>(store: S, settings: &Settings, as_json: bool) -> anyhow::Result<()> {
    let Some(instance) = store.load_instance().await.map_err(|e| e.0)? else {
        bail!("the store has no instance yet: run `hallpass serve` once to create it");
    };
    let frontend = settings.frontend_api(settings.fapi_addr)?;
    let pk = PublishableKey::new(instance.environment, &frontend);
    let secret_keys = store.list_secret_keys().await.map_err(|e| e.0)?;
    let signing_keys = store.list_signing_keys().await.map_err(|e| e.0)?;
    let value = json!({
        "instance_id": instance.id.as_str(),
        "environment": instance.environment.as_str(),
        "created_at": instance.created_at.as_millis(),
        "frontend_api_url": frontend.origin(),
        "backend_api_url": format!("http://{}", settings.bapi_addr),
        "publishable_key": pk.as_str(),
        "secret_keys": secret_keys.iter().map(|k| json!({
            "id": k.id, "hint": k.hint, "created_at": k.created_at.as_millis(),
            "revoked_at": k.revoked_at.map(|t| t.as_millis()),
        })).collect::<Vec<_>>(),
        "signing_keys": signing_keys.iter().map(|k| json!({
            "kid": k.kid, "algorithm": k.algorithm, "created_at": k.created_at.as_millis(),
            "activates_at": k.activates_at.as_millis(),
            "retires_at": k.retires_at.map(|t| t.as_millis()),
        })).collect::<Vec<_>>(),
    });
    if as_json {
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        println!(
            "Instance:        {} ({})",
            instance.id, instance.environment
        );
        println!("Store:           {}", store::describe(settings));
        println!("Frontend API:    {}", frontend.origin());
        println!("Backend API:     http://{}", settings.bapi_addr);
        println!("Publishable key: {pk}");
        for k in &secret_keys {
            let state = if k.revoked_at.is_some() {
                "revoked"
            } else {
                "active"
            };
            println!("Secret key:      {} (…{}, {state})", k.id, k.hint);
        }
        for k in &signing_keys {
            println!("Signing key:     {} ({})", k.kid, k.algorithm);
        }
    }
    Ok(())
}

/// `hallpass secret-keys create`.
pub async fn create_secret_key(settings: &Settings) -> anyhow::Result<()> {
    match store::open(settings, Migrations::RequireApplied).await? {
        OpenedStore::Sqlite(s) => create(s, settings).await,
        OpenedStore::Postgres(s) => create(s, settings).await,
    }
}

async fn create<S: Store>(store: S, settings: &Settings) -> anyhow::Result<()> {
    if store.load_instance().await.map_err(|e| e.0)?.is_none() {
        bail!("the store has no instance yet: run `hallpass serve` once to create it");
    }
    let frontend = settings.frontend_api(settings.fapi_addr)?;
    let started = Hallpass::start(
        system::deps(
            store,
            settings.encryption_key.as_deref(),
            settings.passwords.clone(),
        ),
        settings.instance_config(frontend),
    )
    .await
    .context("loading the instance")?;
    let key = started
        .app
        .create_secret_key()
        .await
        .context("creating a secret key")?;
    println!("{}", key.key.expose_secret());
    eprintln!(
        "created secret key {} (shown once: only its hash is stored)",
        key.id
    );
    Ok(())
}

/// `hallpass keys rotate`: schedules a signing-key rotation.
pub async fn rotate_keys(settings: &Settings) -> anyhow::Result<()> {
    match store::open(settings, Migrations::RequireApplied).await? {
        OpenedStore::Sqlite(s) => rotate(s, settings).await,
        OpenedStore::Postgres(s) => rotate(s, settings).await,
    }
}

async fn rotate<S: Store>(store: S, settings: &Settings) -> anyhow::Result<()> {
    let app = started(store, settings).await?;
    let key = app.rotate_signing_key().await?;
    println!(
        "scheduled signing key {}: published now, signs from {} (Unix ms); the current key stays published until every token it signed has expired",
        key.kid, key.activates_at
    );
    Ok(())
}

/// Starts the existing instance (never creates one).
async fn started<S: Store>(
    store: S,
    settings: &Settings,
) -> anyhow::Result<Hallpass<S, hallpass_adapter_jwt::JoseKeys>> {
    if store.load_instance().await.map_err(|e| e.0)?.is_none() {
        bail!("the store has no instance yet: run `hallpass serve` once to create it");
    }
    let frontend = settings.frontend_api(settings.fapi_addr)?;
    Ok(Hallpass::start(
        system::deps(
            store,
            settings.encryption_key.as_deref(),
            settings.passwords.clone(),
        ),
        settings.instance_config(frontend),
    )
    .await
    .context("loading the instance")?
    .app)
}
