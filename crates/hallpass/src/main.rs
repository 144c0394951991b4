//! `hallpass`: a self-hosted session and token service that speaks Clerk's
//! Client, Session and Token wire protocol.
//!
//! This binary is the composition root: it reads configuration, sets up
//! logging, opens the store (embedded SQLite by default, PostgreSQL when a
//! database URL is configured), starts the instance and serves the Frontend
//! and Backend APIs on their own listeners.

mod admin;
mod cli;
mod database_url;
mod display_settings;
mod identity_settings;
mod password_settings;
mod rate_limit;
mod serve;
mod settings;
mod store;
mod sweeper;
mod system;
mod telemetry;

/// jemalloc: thread caches suit a server whose blocking-pool threads
/// allocate what its actix workers free (measured in docs/performance.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::{Cli, Command, InstanceCommand, KeysCommand, SecretKeyCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match settings::Settings::load(&cli.global) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("hallpass: invalid configuration: {e:#}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log);
    let result = actix_web::rt::System::new().block_on(async move {
        match cli.command {
            Command::Serve => serve::run(settings).await,
            Command::Migrate => admin::migrate(&settings).await,
            Command::Instance {
                command: InstanceCommand::Show { json },
            } => admin::show_instance(&settings, json).await,
            Command::SecretKeys {
                command: SecretKeyCommand::Create,
            } => admin::create_secret_key(&settings).await,
            Command::Keys {
                command: KeysCommand::Rotate,
            } => admin::rotate_keys(&settings).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = ?e, "hallpass stopped with an error");
            eprintln!("hallpass: {e:#}");
            ExitCode::FAILURE
        }
    }
}
