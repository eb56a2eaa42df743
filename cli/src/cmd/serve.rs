//! `dcc serve`: the server (DESIGN.md). Configuration: defaults ← `dcc.toml` or `--config` ←
//! `DCC_*` and `DATABASE_URL` ← these flags.

use std::collections::HashMap;
use std::io::IsTerminal as _;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Args;

use crate::Outcome;

#[derive(Args)]
pub struct ServeArgs {
    /// Listen address, host:port (default 127.0.0.1:8080; a host name such as localhost:8080
    /// is resolved).
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// Data directory: SQLite file, development keys, installation secret (default ./dcc-data).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Configuration file (default ./dcc.toml when it exists).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// The configuration of `serve` and `admin`: file and environment, then the flags.
pub fn load_config(
    config: Option<&std::path::Path>,
    data_dir: Option<PathBuf>,
) -> Result<service::Config> {
    let env: HashMap<String, String> = std::env::vars().collect();
    let mut cfg = service::Config::load(config, &env)?;
    if let Some(d) = data_dir {
        cfg.data_dir = d;
    }
    Ok(cfg)
}

/// A tokio runtime for the commands that talk to the database.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// The log goes to standard output, in colour only when that is a terminal (and `NO_COLOR` is
/// not set), so a redirected or piped log holds no escape codes.
fn init_log() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .try_init();
}

pub fn run(a: ServeArgs) -> Result<Outcome> {
    init_log();
    let mut cfg = load_config(a.config.as_deref(), a.data_dir)?;
    if let Some(l) = a.listen {
        // The flag passes the same check as DCC_LISTEN.
        service::config::check_listen(&l)?;
        cfg.listen = l;
    }
    runtime()?.block_on(server::serve(cfg))?;
    Ok(Outcome::Ok)
}
