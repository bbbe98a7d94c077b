//! `shelfwise collect`: the reference collector of daily measurement reports, over HTTP into
//! a rotated JSONL file.

use std::path::PathBuf;

use clap::Args;

use shelfwise::reports::collect::{CollectorConfig, DEFAULT_MAX_BODY};

use crate::error::CliError;

/// `collect --help`'s examples.
pub const EXAMPLES: &str = "\
Examples:
  shelfwise collect --port 8787 --out reports.jsonl
  shelfwise collect --host 0.0.0.0 --port 8787 --out /var/lib/shelfwise/reports.jsonl --rotate-bytes 50000000 --keep 30
  # then let the shop's server pass POST /shelfwise/report to it";

// The flags of `collect` (its help text is the `Command::Collect` variant's).
#[derive(Args)]
pub struct CollectArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port (0: any free port; the address is printed on stdout).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// The path devices post to (the init option reporting.endpoint).
    #[arg(long, default_value = "/shelfwise/report")]
    path: String,
    /// The JSONL file reports are appended to.
    #[arg(long)]
    out: PathBuf,
    /// Largest body accepted, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY)]
    max_body: usize,
    /// Rotate the file before it grows past this many bytes.
    #[arg(long, default_value_t = 10_000_000)]
    rotate_bytes: u64,
    /// Rotated files kept (FILE.1 … FILE.N).
    #[arg(long, default_value_t = 10)]
    keep: u32,
}

/// Runs `shelfwise collect` until the process is stopped.
pub fn run(args: CollectArgs) -> Result<(), CliError> {
    let CollectArgs { host, port, path, out, max_body, rotate_bytes, keep } = args;
    let config = CollectorConfig { host, port, path, out, max_body, rotate_bytes, keep };
    shelfwise::reports::collect::run(&config, |url| {
        println!("collecting reports at {url} into {}", config.out.display());
    })?;
    Ok(())
}
