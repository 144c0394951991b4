//! `hallpass`: a self-hosted session and token service that speaks Clerk's
//! Client, Session and Token wire protocol.
//!
//! This binary is the composition root: it reads configuration, sets up
//! logging, opens the store (embedded SQLite by default, PostgreSQL when a
//! database URL is configured), starts the instance and serves the Frontend
//! and Backend APIs on their own listeners.

mod admin;
mod rate_limit;
mod serve;
mod settings;
mod store;
mod sweeper;
mod system;
mod telemetry;

use std::path::PathBuf;

/// jemalloc: thread caches suit a server whose blocking-pool threads
/// allocate what its actix workers free (measured in docs/performance.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "hallpass",
    version,
    about = "A self-hosted, Clerk-compatible session and token service"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// Settings that every command takes, as flags (they override the config
/// file and `HALLPASS__…` environment variables).
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// A TOML configuration file (default: `hallpass.toml` if present).
    #[arg(long, global = true, env = "HALLPASS_CONFIG")]
    config: Option<PathBuf>,
    /// PostgreSQL URL; without one the embedded store in the data directory is used.
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Where the embedded store keeps its file.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Frontend API listen address, e.g. 127.0.0.1:7710 (port 0 picks a free port).
    #[arg(long, global = true)]
    fapi_addr: Option<String>,
    /// Backend API listen address, e.g. 127.0.0.1:7711 (port 0 picks a free port).
    #[arg(long, global = true)]
    bapi_addr: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the Frontend and Backend APIs (creates the instance on first start).
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// The instance.
    Instance {
        #[command(subcommand)]
        command: InstanceCommand,
    },
    /// Backend API secret keys.
    SecretKeys {
        #[command(subcommand)]
        command: SecretKeyCommand,
    },
    /// Token signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Schedule a rotation: the next key is published in the JWKS now and
    /// signs after `keys.rotation_delay_secs`; running nodes follow.
    Rotate,
}

#[derive(Debug, Subcommand)]
enum InstanceCommand {
    /// Print the instance's id, URLs, publishable key and key ids.
    Show {
        /// Print JSON (for scripts).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum SecretKeyCommand {
    /// Create another secret key and print it (once: only its hash is stored).
    Create,
}

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
