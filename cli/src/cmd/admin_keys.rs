//! `dcc admin keys`: the signing identities' lifecycle (issue #22): add a DSC with its key as a
//! pending identity, activate it after the lead time, retire or withdraw one, list them, and
//! re-issue what a withdrawn one signed. Running servers follow within
//! `issuer.key_refresh_secs`. `--at` (development mode only) acts at another time, for trying a
//! rollover out.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context as _, Result};
use clap::{Args, Subcommand};
use service::admin::keys::{self as admin, rfc3339};
use service::config::{Config, Mode};
use service::keys::KeyRef;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::{clock, Outcome};

/// The algorithms of keys made in a token.
#[derive(clap::ValueEnum, Clone, Copy)]
pub enum TokenAlg {
    /// ECDSA P-256 with SHA-256.
    Es256,
    /// RSASSA-PSS with SHA-256, RSA-3072.
    Ps256,
}

/// When the command acts.
#[derive(Args, Clone)]
pub struct At {
    /// Act as at this time (RFC 3339); honoured only in development mode.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
}

/// Who acts, for the audit trail.
#[derive(Args, Clone)]
pub struct Operator {
    /// Who makes the change (recorded in the audit trail; default $USER).
    #[arg(long)]
    operator: Option<String>,
}

impl Operator {
    fn name(&self) -> Result<String> {
        let name = self
            .operator
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "unknown".into());
        let name = name.trim().to_string();
        if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
            bail!("--operator: 1 to 64 printable characters naming who acts");
        }
        Ok(name)
    }
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Register a DSC and its private key as a pending identity: published at once, signing
    /// after `activate` (the lead time, default 48 h, lets offline apps fetch it first).
    Add {
        /// The DSC, PEM or DER; it must chain to the configured CSCA (issuer.csca_file).
        #[arg(long, value_name = "FILE")]
        cert: PathBuf,
        /// The private key file (PKCS#8, PEM or DER; 0600).
        #[arg(long, value_name = "FILE", conflicts_with_all = ["token", "key_label"])]
        key: Option<PathBuf>,
        /// The PKCS#11 token holding the key (configured under [issuer.tokens.LABEL]).
        #[arg(long, value_name = "LABEL", requires = "key_label")]
        token: Option<String>,
        /// The key's label in the token.
        #[arg(long, value_name = "LABEL", requires = "token")]
        key_label: Option<String>,
        /// The certificate types it may sign: v, t, r (default: all its EKU allows).
        #[arg(long, value_name = "v,t,r")]
        types: Option<String>,
        #[command(flatten)]
        operator: Operator,
        #[command(flatten)]
        at: At,
    },
    /// Make a key pair inside a PKCS#11 token (never extractable) and a CSR for it, or, in
    /// development mode, a DSC from the development CSCA; then `add --token --key-label`.
    Generate {
        /// Keys in a PKCS#11 token (the only kind made here; `dcc keys generate` writes files).
        #[arg(long, required = true)]
        pkcs11: bool,
        /// The token (configured under [issuer.tokens.LABEL]).
        #[arg(long, value_name = "LABEL")]
        token: String,
        /// The new key's label.
        #[arg(long, value_name = "LABEL")]
        key_label: String,
        /// ES256 (P-256) or PS256 (RSA-3072).
        #[arg(long, value_enum, default_value = "es256")]
        alg: TokenAlg,
        /// Restrict the DSC to these types (v,t,r); default: unrestricted.
        #[arg(long, value_name = "v,t,r")]
        types: Option<String>,
        /// Write the certificate signing request (PEM) here, for the CSCA.
        #[arg(
            long,
            value_name = "FILE",
            required_unless_present = "dev_dsc",
            conflicts_with = "dev_dsc"
        )]
        csr: Option<PathBuf>,
        /// Development mode: write a DSC (PEM) signed by the development CSCA here.
        #[arg(long, value_name = "FILE")]
        dev_dsc: Option<PathBuf>,
        #[command(flatten)]
        at: At,
    },
    /// Start signing with a pending identity (refused before the lead time has passed).
    Activate {
        /// The identity's kid (as `list` prints it).
        kid: String,
        /// Skip the lead time (an emergency; audited).
        #[arg(long)]
        now: bool,
        #[command(flatten)]
        operator: Operator,
        #[command(flatten)]
        at: At,
    },
    /// Stop signing with an active identity; it stays published until its certificates expire.
    Retire {
        /// The identity's kid.
        kid: String,
        #[command(flatten)]
        operator: Operator,
        #[command(flatten)]
        at: At,
    },
    /// Withdraw an identity (a compromised key): it leaves the published lists at once and
    /// everything it signed fails verification; `reissue --from KID` signs it anew.
    Withdraw {
        /// The identity's kid.
        kid: String,
        /// Why (recorded in the audit trail).
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        operator: Operator,
        #[command(flatten)]
        at: At,
    },
    /// List the signer certificates, their state and whether they are published.
    List {
        #[command(flatten)]
        at: At,
    },
    /// Sign anew, with the active identities, every current certificate KID signed (each once;
    /// the holders get the new one by e-mail through the outbox).
    Reissue {
        /// The withdrawn identity's kid.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        at: At,
    },
}

/// The time the command acts at: now, or `--at` in development mode.
fn when(cfg: &Config, at: &At) -> Result<OffsetDateTime> {
    match &at.at {
        None => Ok(clock::now()),
        Some(_) if cfg.mode != Mode::Development => {
            bail!("--at is honoured only in development mode (mode = production here)")
        }
        Some(t) => OffsetDateTime::parse(t, &Rfc3339)
            .with_context(|| format!("--at {t:?} is not an RFC 3339 time")),
    }
}

fn show(row: &service::store::SignerCertificateRow) -> String {
    use base64::Engine as _;
    format!(
        "{} ({})",
        base64::engine::general_purpose::STANDARD.encode(&row.kid),
        row.state
    )
}

pub fn run(cfg: Config, command: KeysCommand) -> Result<Outcome> {
    let rt = super::serve::runtime()?;
    match command {
        KeysCommand::Add {
            cert,
            key,
            token,
            key_label,
            types,
            operator,
            at,
        } => {
            let now = when(&cfg, &at)?.unix_timestamp();
            let key_ref = match (key, token, key_label) {
                (Some(path), None, None) => KeyRef::File(path),
                (None, Some(t), Some(k)) => KeyRef::pkcs11(&t, &k).map_err(anyhow::Error::msg)?,
                _ => bail!("give the key as --key FILE, or as --token LABEL --key-label LABEL"),
            };
            let types = types.as_deref().map(admin::parse_types).transpose()?;
            let bytes =
                std::fs::read(&cert).with_context(|| format!("--cert {}", cert.display()))?;
            let operator = operator.name()?;
            let row = rt.block_on(async {
                let store = service::admin::open_store(&cfg).await?;
                admin::add(
                    store.as_ref(),
                    &cfg,
                    &bytes,
                    &key_ref,
                    types.as_deref(),
                    &operator,
                    now,
                )
                .await
            })?;
            println!(
                "added {}: published now, may sign from {} (`dcc admin keys activate`)",
                show(&row),
                rfc3339(admin::may_sign_from(&row, &cfg))
            );
        }
        KeysCommand::Generate {
            pkcs11: _,
            token,
            key_label,
            alg,
            types,
            csr,
            dev_dsc,
            at,
        } => {
            let now = when(&cfg, &at)?;
            let types = types.as_deref().map(admin::parse_types).transpose()?;
            let alg = match alg {
                TokenAlg::Es256 => hcert::crypto::Algorithm::Es256,
                TokenAlg::Ps256 => hcert::crypto::Algorithm::Ps256,
            };
            let made = admin::generate_in_token(
                &cfg,
                &token,
                &key_label,
                alg,
                types.as_deref().unwrap_or_default(),
                dev_dsc.is_some(),
                now,
            )?;
            match (made, csr, dev_dsc) {
                (admin::Made::Csr(pem), Some(path), _) => {
                    std::fs::write(&path, pem)
                        .with_context(|| format!("--csr {}", path.display()))?;
                    println!(
                        "made key {key_label} in token {token}; the CSR is in {}",
                        path.display()
                    );
                }
                (admin::Made::DevDsc(der), _, Some(path)) => {
                    let pem = trust_list::Dsc::from_der(&der)
                        .context("the DSC just made")?
                        .to_pem();
                    std::fs::write(&path, pem)
                        .with_context(|| format!("--dev-dsc {}", path.display()))?;
                    println!(
                        "made key {key_label} in token {token} and its development DSC {}; next:                          dcc admin keys add --cert {} --token {token} --key-label {key_label}",
                        path.display(),
                        path.display()
                    );
                }
                _ => bail!("nothing to write"),
            }
        }
        KeysCommand::Activate {
            kid,
            now: immediate,
            operator,
            at,
        } => {
            let now = when(&cfg, &at)?.unix_timestamp();
            let kid = admin::parse_kid(&kid)?;
            let operator = operator.name()?;
            let row = rt.block_on(async {
                let store = service::admin::open_store(&cfg).await?;
                admin::activate(store.as_ref(), &cfg, &kid, immediate, &operator, now).await
            })?;
            println!(
                "activated {}: servers sign with it within {} s",
                show(&row),
                cfg.issuer.key_refresh_secs
            );
        }
        KeysCommand::Retire { kid, operator, at } => {
            let now = when(&cfg, &at)?.unix_timestamp();
            let kid = admin::parse_kid(&kid)?;
            let operator = operator.name()?;
            let row = rt.block_on(async {
                let store = service::admin::open_store(&cfg).await?;
                admin::retire(store.as_ref(), &kid, &operator, now).await
            })?;
            println!(
                "retired {}: published until the last certificate it signed expires",
                show(&row)
            );
        }
        KeysCommand::Withdraw {
            kid,
            reason,
            operator,
            at,
        } => {
            let now = when(&cfg, &at)?.unix_timestamp();
            let kid = admin::parse_kid(&kid)?;
            let operator = operator.name()?;
            let row = rt.block_on(async {
                let store = service::admin::open_store(&cfg).await?;
                admin::withdraw(store.as_ref(), &kid, &reason, &operator, now).await
            })?;
            println!(
                "withdrew {}: it leaves the published lists within {} s; `dcc admin keys reissue \
                 --from {}` signs its certificates anew",
                show(&row),
                cfg.issuer.key_refresh_secs,
                show(&row).split(' ').next().unwrap_or_default()
            );
        }
        KeysCommand::List { at } => {
            let now = when(&cfg, &at)?.unix_timestamp();
            let listed = rt.block_on(async {
                let store = service::admin::open_store(&cfg).await?;
                admin::list(store.as_ref(), &cfg, now).await
            })?;
            println!("id\tkid\tstate\ttypes\tpublished\tvalid until\tkey\tnote");
            for l in listed {
                use base64::Engine as _;
                let note = match (l.may_sign_from, l.row.last_expiry) {
                    (Some(t), _) => format!("may sign from {}", rfc3339(t)),
                    (None, Some(t)) => format!("its certificates valid until {}", rfc3339(t)),
                    (None, None) => String::new(),
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{note}",
                    l.row.id,
                    base64::engine::general_purpose::STANDARD.encode(&l.row.kid),
                    l.row.state,
                    l.row.types,
                    if l.published { "yes" } else { "no" },
                    l.dsc.map_or_else(|| "?".into(), |d| rfc3339(d.not_after)),
                    l.row.key_ref.as_deref().unwrap_or("-"),
                );
            }
        }
        KeysCommand::Reissue { from, at } => {
            let at = when(&cfg, &at)?;
            let kid = admin::parse_kid(&from)?;
            let clock = Arc::new(service::clock::FixedClock::new(at));
            let done = rt.block_on(service::admin::keys_reissue(cfg, &kid, clock))?;
            println!(
                "re-issued {} certificate(s); {} done before or gone",
                done.reissued, done.skipped
            );
            if done.no_signer > 0 {
                eprintln!(
                    "{} certificate(s) left: no identity is active for their type (add and \
                     activate one, then run reissue again)",
                    done.no_signer
                );
                return Ok(Outcome::Failed);
            }
        }
    }
    Ok(Outcome::Ok)
}
