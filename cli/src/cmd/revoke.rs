//! `dcc revoke`: the operator revokes a certificate by its UVCI, or sweeps superseded ones,
//! in the server's database; the server publishes them at `/revocation-list` and `/verify`
//! fails them.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::{clock, Outcome};

#[derive(Args)]
pub struct RevokeArgs {
    /// The certificate's UVCI (`URN:UVCI:01:CZ:…#…`).
    #[arg(
        long,
        required_unless_present = "superseded",
        conflicts_with = "superseded"
    )]
    uvci: Option<String>,
    /// Why (kept in the database and the audit log).
    #[arg(long, default_value = "revoked by the operator")]
    reason: String,
    /// Revoke every certificate a newer one superseded and that is not revoked yet.
    #[arg(long)]
    superseded: bool,
    /// Data directory (default ./dcc-data, or as configured).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Configuration file (default ./dcc.toml when it exists).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

pub fn run(a: RevokeArgs) -> Result<Outcome> {
    let cfg = super::serve::load_config(a.config.as_deref(), a.data_dir)?;
    let now = clock::now().unix_timestamp();
    let rt = super::serve::runtime()?;
    match a.uvci {
        Some(uvci) => {
            if rt.block_on(service::admin::revoke_certificate(
                &cfg, &uvci, &a.reason, now,
            ))? {
                println!("revoked {uvci}");
            } else {
                println!("{uvci} was revoked already");
            }
        }
        None => {
            let n = rt.block_on(service::admin::revoke_superseded(&cfg, now))?;
            println!("revoked {n} superseded certificate(s)");
        }
    }
    Ok(Outcome::Ok)
}
