//! `dcc admin`: set up providers before registry users exist (DESIGN.md "Bootstrap"):
//! organisations, API tokens (printed once) and the development population registry.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};

use crate::{clock, Outcome};

#[derive(Args)]
pub struct AdminArgs {
    /// Data directory (default ./dcc-data, or as configured).
    #[arg(long, value_name = "DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// Configuration file (default ./dcc.toml when it exists).
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Health-care provider organisations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Provider API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The development population registry.
    Registry {
        #[command(subcommand)]
        command: RegistryCommand,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Create an organisation.
    Create {
        /// IČO (8 digits).
        #[arg(long)]
        ico: String,
        /// Name.
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for an organisation; it is printed once and stored hashed.
    Create {
        /// The organisation's IČO.
        #[arg(long)]
        org: String,
    },
}

#[derive(Subcommand)]
enum RegistryCommand {
    /// Import persons identified in the registry: CSV with a birth_number (and id_card) column.
    Import {
        /// The CSV file.
        file: PathBuf,
    },
}

pub fn run(a: AdminArgs) -> Result<Outcome> {
    let cfg = super::serve::load_config(a.config.as_deref(), a.data_dir)?;
    let now = clock::now().unix_timestamp();
    let rt = super::serve::runtime()?;
    match a.command {
        AdminCommand::Org {
            command: OrgCommand::Create { ico, name },
        } => {
            let org = rt.block_on(server::admin::create_org(&cfg, &ico, &name, now))?;
            println!("created organisation {} ({})", org.ico, org.name);
        }
        AdminCommand::Token {
            command: TokenCommand::Create { org },
        } => {
            let token = rt.block_on(server::admin::create_token(&cfg, &org, now))?;
            eprintln!(
                "token for {org}, valid {} days; it is shown only now:",
                cfg.token_days
            );
            println!("{token}");
        }
        AdminCommand::Registry {
            command: RegistryCommand::Import { file },
        } => {
            let n = rt.block_on(server::admin::import_registry(&cfg, &file, now))?;
            println!("imported {n} persons into the development registry");
        }
    }
    Ok(Outcome::Ok)
}
