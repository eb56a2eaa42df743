//! `dcc issue`: record (DCC JSON) → checked, signed `HC1:` text on standard output.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Args;
use hcert::crypto::Algorithm;
use issuer::{Policy, SigningIdentity};

use crate::{clock, files, Outcome};

#[derive(Args)]
pub struct IssueArgs {
    /// The DSC's private key (PKCS#8, PEM or DER).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The signer certificate (DSC).
    #[arg(long, value_name = "FILE")]
    cert: PathBuf,
    /// The record: the DCC JSON (`ci` is generated when absent).
    #[arg(long, value_name = "FILE")]
    record: PathBuf,
    /// Issuing country (CWT iss, UVCI).
    #[arg(long, default_value = "CZ")]
    country: String,
    /// Schema version written when the record has none.
    #[arg(long = "schema-version", default_value = "1.3.0")]
    ver: String,
    /// Installation secret for UVCIs (default: derived from the signing key).
    #[arg(long, value_name = "FILE")]
    secret: Option<PathBuf>,
    /// Issue time, RFC 3339 (default: now).
    #[arg(long)]
    at: Option<String>,
    /// Print the issued certificate's details as JSON instead of the bare HC1 text.
    #[arg(long)]
    json: bool,
}

pub fn run(a: IssueArgs) -> Result<Outcome> {
    let backend = hcert::crypto::default_backend();
    let now = match &a.at {
        Some(s) => super::parse_at(s)?,
        None => clock::now(),
    };
    let identity = SigningIdentity::load(&files::read(&a.key)?, &files::read(&a.cert)?, backend)
        .with_context(|| format!("{} with {}", a.key.display(), a.cert.display()))?;
    if identity.algorithm() == Algorithm::EdDsa {
        eprintln!(
            "warning: EdDSA is outside the EU DCC specification; EU validation apps will not \
             accept this certificate"
        );
    }
    let secret = match &a.secret {
        Some(p) => files::read(p)?,
        None => identity.derived_secret(),
    };
    let mut policy = Policy::new(secret);
    policy.country = a.country;
    policy.ver = a.ver;
    let record: serde_json::Value = serde_json::from_slice(&files::read(&a.record)?)
        .with_context(|| format!("{} is not JSON", a.record.display()))?;
    match issuer::issue_record(&record, &identity, &policy, now) {
        Ok(issued) => {
            if a.json {
                super::print_json(&serde_json::json!({
                    "hc1": issued.hc1,
                    "uvci": issued.uvci,
                    "issued_at": issued.issued_at,
                    "expires_at": issued.expires_at,
                    "alg": identity.algorithm().name(),
                }))?;
            } else {
                println!("{}", issued.hc1);
            }
            Ok(Outcome::Ok)
        }
        Err(e) => {
            eprintln!("not issued: {e}");
            Ok(Outcome::Failed)
        }
    }
}
