//! `hallpass-loadgen`: replays a request list against one host, open model
//! (`--rate`) or closed loop (`--rate 0`), and prints one line of JSON.
//! See the crate README.

mod requests;
mod run;
mod stats;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Parser;

#[derive(Debug, Parser)]
#[command(about = "Open-model HTTP load generator (coordinated omission corrected)")]
struct Args {
    /// `host:port` to send to (an `http://` prefix is accepted).
    #[arg(long)]
    target: String,
    /// The request list (see the README for its format).
    #[arg(long)]
    requests: PathBuf,
    /// Requests per second on a fixed schedule; 0 for a closed loop.
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    /// Seconds to run.
    #[arg(long, default_value_t = 3.0)]
    duration: f64,
    /// Keep-alive connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Stop when the list is used up instead of cycling through it.
    #[arg(long)]
    once: bool,
    /// Statuses that count as success (comma-separated).
    #[arg(long, default_value = "200", value_delimiter = ',')]
    expect: Vec<u16>,
    /// Runtime threads of the generator.
    #[arg(long, default_value_t = 1)]
    threads: usize,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let target: SocketAddr = args
        .target
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .with_context(|| format!("--target {:?} is not host:port", args.target))?;
    if !(args.duration > 0.0 && args.duration.is_finite()) || args.connections == 0 {
        bail!("--duration and --connections must be positive");
    }
    if !(args.rate >= 0.0 && args.rate.is_finite()) {
        bail!("--rate must be 0 or positive");
    }
    let text = std::fs::read_to_string(&args.requests)
        .with_context(|| format!("reading {}", args.requests.display()))?;
    let plan = run::Plan {
        target,
        requests: requests::parse(&text)?,
        rate: (args.rate > 0.0).then_some(args.rate),
        duration: Duration::from_secs_f64(args.duration),
        connections: args.connections,
        once: args.once,
        expect: args.expect,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()?;
    let summary = runtime.block_on(run::run(plan));
    println!("{}", summary.to_json());
    Ok(())
}
