//! `dcc admin`: set up providers before registry users exist (DESIGN.md "Bootstrap"):
//! organisations, API tokens (printed once) and the development population registry; and, in
//! development mode, demo data (`dcc admin dev seed`).

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
    /// Old-format certificates and their 1:1 exchange URLs.
    Legacy {
        #[command(subcommand)]
        command: LegacyCommand,
    },
    /// Signing identities: add, activate, retire, withdraw, list, re-issue (issue #22).
    Keys {
        #[command(subcommand)]
        command: super::admin_keys::KeysCommand,
    },
    /// Development mode only: demo data.
    Dev {
        #[command(subcommand)]
        command: DevCommand,
    },
}

#[derive(Subcommand)]
enum DevCommand {
    /// Create a demo organisation, API token, registry user and citizen with a certificate, and
    /// print how to log in (idempotent; refused in production mode).
    Seed,
}

#[derive(Subcommand)]
enum LegacyCommand {
    /// Registers old certificates from a JSON Lines file (each line a provider-API record with
    /// `legacy_id`) and prints each exchange URL once, as `line<TAB>legacy_id<TAB>url`.
    Import {
        /// The JSON Lines file.
        file: PathBuf,
        /// IČO of the organisation the records belong to.
        #[arg(long)]
        org: String,
    },
    /// Revokes the exchange URL of one old certificate.
    Revoke {
        /// The old certificate's number, as imported.
        #[arg(long)]
        legacy_id: String,
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
    /// List an organisation's tokens (ids and dates; the tokens themselves are not kept).
    List {
        /// The organisation's IČO.
        #[arg(long)]
        org: String,
    },
    /// Revoke one token of an organisation, or all of them.
    Revoke {
        /// The organisation's IČO.
        #[arg(long)]
        org: String,
        /// The token's id (from `create` or `list`).
        #[arg(long, required_unless_present = "all", conflicts_with = "all")]
        id: Option<i64>,
        /// Revoke every token of the organisation.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand)]
enum RegistryCommand {
    /// Import persons identified in the registry: CSV with a birth_number (and id_card) column.
    Import {
        /// The CSV file.
        file: PathBuf,
    },
    /// Approve a registry user's permission for an organisation (the first account managers).
    Grant {
        /// The registry user's username.
        #[arg(long)]
        username: String,
        /// The organisation's IČO.
        #[arg(long)]
        ico: String,
        /// As an account manager, who decides the organisation's requests.
        #[arg(long)]
        manager: bool,
    },
    /// Helpdesk reset of a registry user (seed 000): ends the sessions, releases the lockout
    /// and sends a PIN renewal link by e-mail and a code by SMS; audited.
    Reset {
        /// The registry user's username.
        #[arg(long)]
        username: String,
        /// Who resets the account (recorded in the audit trail).
        #[arg(long)]
        operator: String,
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
            let org = rt.block_on(service::admin::create_org(&cfg, &ico, &name, now))?;
            println!("created organisation {} ({})", org.ico, org.name);
        }
        AdminCommand::Token {
            command: TokenCommand::Create { org },
        } => {
            let created = rt.block_on(service::admin::create_token(&cfg, &org, now))?;
            eprintln!(
                "token {} for {org}, valid {} days; it is shown only now:",
                created.id, cfg.token_days
            );
            println!("{}", created.token);
        }
        AdminCommand::Token {
            command: TokenCommand::List { org },
        } => {
            let tokens = rt.block_on(service::admin::list_tokens(&cfg, &org))?;
            println!("id\tcreated\texpires\tstate");
            for t in tokens {
                let state = match t.revoked_at {
                    Some(at) => format!("revoked {}", day(at)),
                    None if t.expires_at <= now => "expired".to_string(),
                    None => "active".to_string(),
                };
                println!(
                    "{}\t{}\t{}\t{state}",
                    t.id,
                    day(t.created_at),
                    day(t.expires_at)
                );
            }
        }
        AdminCommand::Token {
            command: TokenCommand::Revoke { org, id, all: _ },
        } => {
            let n = rt.block_on(service::admin::revoke_tokens(&cfg, &org, id, now))?;
            println!("revoked {n} token(s) of {org}");
        }
        AdminCommand::Registry {
            command: RegistryCommand::Import { file },
        } => {
            let n = rt.block_on(service::admin::import_registry(&cfg, &file, now))?;
            println!("imported {n} persons into the development registry");
        }
        AdminCommand::Registry {
            command:
                RegistryCommand::Grant {
                    username,
                    ico,
                    manager,
                },
        } => {
            let org = rt.block_on(service::admin::registry_grant(
                &cfg, &username, &ico, manager, now,
            ))?;
            println!(
                "granted {} for {} ({})",
                if manager { "account manager" } else { "member" },
                org.ico,
                org.name
            );
        }
        AdminCommand::Registry {
            command: RegistryCommand::Reset { username, operator },
        } => {
            let clock = std::sync::Arc::new(service::clock::SystemClock);
            if rt.block_on(service::admin::registry_reset(
                cfg, &username, &operator, clock,
            ))? {
                println!(
                    "reset {username}: sessions ended, a renewal link and code are on their way"
                );
            } else {
                anyhow::bail!("no registry account has the username {username}");
            }
        }
        AdminCommand::Legacy {
            command: LegacyCommand::Import { file, org },
        } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let clock = std::sync::Arc::new(service::clock::SystemClock);
            let results = rt.block_on(service::admin::legacy_import(cfg, &org, &bytes, clock))?;
            let (mut ok, mut failed) = (0, 0);
            for (line, r) in results {
                match r {
                    service::exchange::Imported::Ok { legacy_id, url } => {
                        ok += 1;
                        println!("{line}\t{legacy_id}\t{url}");
                    }
                    service::exchange::Imported::Failed(why) => {
                        failed += 1;
                        eprintln!("line {line}: {why}");
                    }
                }
            }
            eprintln!(
                "imported {ok} old certificate(s), {failed} line(s) skipped; the URLs are shown \
                 only now"
            );
            if failed > 0 {
                return Ok(Outcome::Failed);
            }
        }
        AdminCommand::Dev {
            command: DevCommand::Seed,
        } => {
            let data_dir = cfg.data_dir.clone();
            let clock = std::sync::Arc::new(service::clock::SystemClock);
            let seeded = rt.block_on(service::dev::seed(cfg, clock))?;
            print_seeded(&seeded, &data_dir);
        }
        AdminCommand::Keys { command } => return super::admin_keys::run(cfg, command),
        AdminCommand::Legacy {
            command: LegacyCommand::Revoke { legacy_id },
        } => {
            let clock = std::sync::Arc::new(service::clock::SystemClock);
            if rt.block_on(service::admin::legacy_revoke(cfg, &legacy_id, clock))? {
                println!("revoked the exchange URL of {legacy_id}");
            } else {
                anyhow::bail!("no active exchange URL for {legacy_id}");
            }
        }
    }
    Ok(Outcome::Ok)
}

/// What `dcc admin dev seed` made, and step by step how to log in with it.
fn print_seeded(s: &service::dev::Seeded, data_dir: &std::path::Path) {
    use service::dev::{CITIZEN, HEALTH_WORKER, HEALTH_WORKER_PIN};
    let made = |created: bool| if created { "created" } else { "already there" };
    let url = &s.base_url;
    let dir_flag = if data_dir == std::path::Path::new("dcc-data") {
        String::new()
    } else {
        format!(" --data-dir {}", data_dir.display())
    };
    println!(
        "Demo data in {} (development mode; every name and number is made up):",
        data_dir.display()
    );
    println!(
        "  organisation {} {}: {}",
        s.org.ico,
        s.org.name,
        made(s.org_created)
    );
    match &s.token {
        Some(t) => println!(
            "  provider API token {} (shown only now): {}",
            t.id, t.token
        ),
        None => println!(
            "  provider API token: made by an earlier seed (`dcc admin token create --org {}{dir_flag}` makes another)",
            s.org.ico
        ),
    }
    println!(
        "  registry user {} {}: {}, account manager of {}",
        HEALTH_WORKER.given_name,
        HEALTH_WORKER.family_name,
        made(s.user_created),
        s.org.ico
    );
    let certificate = s
        .records
        .iter()
        .find_map(|r| r.certificate.as_ref())
        .map_or_else(
            || "no certificate (see the records' notes)".to_string(),
            |c| format!("certificate {}", c.uvci),
        );
    println!(
        "  citizen {} {}: {} vaccination records ({} recorded now), {certificate}",
        CITIZEN.given_name,
        CITIZEN.family_name,
        s.records.len(),
        s.records_created
    );
    println!();
    println!("Start the server if it is not running (its outbox worker writes the messages):");
    println!("  dcc serve{dir_flag}");
    let code = match &s.sms_dir {
        Some(dir) => format!(
            "the 6-digit code is in the newest file of {}: cat \"$(ls -d {}/* | tail -1)\"",
            dir.display(),
            dir.display()
        ),
        None => format!(
            "the code goes by SMS to {}, a made-up number: with DCC_SMS_URL set it is not delivered \
             anywhere useful; unset it to have codes written to DATA_DIR/sms/",
            CITIZEN.phone
        ),
    };
    println!();
    println!("Log in as a citizen:");
    println!("  1. open {url}/");
    println!(
        "  2. birth number {}, ID-card number {}",
        CITIZEN.birth_number, CITIZEN.id_card
    );
    println!("  3. {code}");
    println!("  4. \"My records\" lists both doses and offers the certificate PDF");
    println!();
    println!("Log in as a registry user (a health worker):");
    println!("  1. open {url}/registry");
    println!(
        "  2. username {}, PIN {HEALTH_WORKER_PIN}, and the digits in the picture",
        s.username
    );
    println!("  3. {code}");
    println!(
        "  4. record vaccinations, tests and recoveries for organisation {}",
        s.org.ico
    );
    println!();
    match &s.mail_dir {
        Some(dir) => println!(
            "E-mails (the citizen's certificate, the registry user's username) are files in {}.",
            dir.display()
        ),
        None => println!("E-mails go through the configured SMTP host to @example.org addresses."),
    }
}

/// A Unix time as its UTC date.
fn day(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.date().to_string())
        .unwrap_or_else(|_| unix.to_string())
}
