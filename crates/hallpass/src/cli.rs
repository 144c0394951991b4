//! The command line: global settings as flags, and the commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::database_url::DatabaseUrl;

#[derive(Debug, Parser)]
#[command(
    name = "hallpass",
    version,
    about = "A self-hosted, Clerk-compatible session and token service"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Settings that every command takes, as flags (they override the config
/// file and `HALLPASS__…` environment variables).
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// A TOML configuration file (default: `hallpass.toml` if present).
    #[arg(long, global = true, env = "HALLPASS_CONFIG")]
    pub config: Option<PathBuf>,
    /// PostgreSQL URL; without one the embedded store in the data directory is used.
    #[arg(long, global = true)]
    pub database_url: Option<DatabaseUrl>,
    /// Where the embedded store keeps its file.
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Frontend API listen address, e.g. 127.0.0.1:7710 (port 0 picks a free port).
    #[arg(long, global = true)]
    pub fapi_addr: Option<String>,
    /// Backend API listen address, e.g. 127.0.0.1:7711 (port 0 picks a free port).
    #[arg(long, global = true)]
    pub bapi_addr: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
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
pub enum KeysCommand {
    /// Schedule a rotation: the next key is published in the JWKS now and
    /// signs after `keys.rotation_delay_secs`; running nodes follow.
    Rotate,
}

#[derive(Debug, Subcommand)]
pub enum InstanceCommand {
    /// Print the instance's id, URLs, publishable key and key ids.
    Show {
        /// Print JSON (for scripts).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SecretKeyCommand {
    /// Create another secret key and print it (once: only its hash is stored).
    Create,
}
