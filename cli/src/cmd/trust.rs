//! `dcc trust-list build|verify`: dcc's signed trust list (DESIGN.md "Trust lists").

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Subcommand;
use hcert::crypto::Algorithm;
use serde_json::json;

use crate::{clock, files, Outcome};

#[derive(Subcommand)]
pub enum TrustCommand {
    /// Sign a trust list of signer certificates.
    Build {
        /// Signer certificate to list (PEM, DER, base64; a directory of them); repeatable.
        #[arg(long = "cert", value_name = "FILE", required = true)]
        certs: Vec<PathBuf>,
        /// The trust-list signing key (PKCS#8).
        #[arg(long = "sign-key", value_name = "FILE")]
        sign_key: PathBuf,
        /// The trust-list signing certificate (P-256).
        #[arg(long = "sign-cert", value_name = "FILE")]
        sign_cert: PathBuf,
        /// Where to write the list.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Check a trust list and print what it holds.
    Verify {
        /// The list (dcc's signed list or the gateway's JSON).
        #[arg(long = "trust-list", value_name = "FILE")]
        trust_list: PathBuf,
        /// The certificate that must have signed it.
        #[arg(long = "trust-list-cert", value_name = "FILE")]
        trust_list_cert: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(c: TrustCommand) -> Result<Outcome> {
    let backend = hcert::crypto::default_backend();
    match c {
        TrustCommand::Build {
            certs,
            sign_key,
            sign_cert,
            out,
        } => {
            let mut dscs = Vec::new();
            for c in &certs {
                dscs.extend(files::trust_certs(c)?);
            }
            let key = issuer::sign::pkcs8_der(&files::read(&sign_key)?)?;
            let signer = backend
                .signer(Algorithm::Es256, &key)
                .with_context(|| format!("{} is not a P-256 key", sign_key.display()))?;
            let cert = files::read(&sign_cert)?;
            let jws = trust_list::build_signed(
                &dscs,
                signer.as_ref(),
                &cert,
                clock::now().unix_timestamp(),
            )?;
            // Check what was written verifies with the given certificate before replacing a list.
            trust_list::verify_signed(&jws, Some(&cert), backend)
                .context("the signing key does not match --sign-cert")?;
            files::write(&out, jws.as_bytes())?;
            println!(
                "wrote {} ({} signer certificates)",
                out.display(),
                dscs.len()
            );
            Ok(Outcome::Ok)
        }
        TrustCommand::Verify {
            trust_list,
            trust_list_cert,
            json,
        } => {
            let trust =
                files::load_trust(&[], Some(&trust_list), trust_list_cert.as_deref(), backend)?;
            let entries: Vec<_> = trust
                .iter()
                .map(|k| {
                    json!({
                        "kid": k.dsc.kid_base64(),
                        "country": k.dsc.country,
                        "subject": k.dsc.subject,
                        "key": k.dsc.public_key.describe(),
                        "key_usage": k.dsc.key_usage.describe(),
                        "usable": k.key.is_ok(),
                    })
                })
                .collect();
            if json {
                super::print_json(&json!({"issued_at": trust.issued_at, "certificates": entries}))?;
            } else {
                println!("{} signer certificates", trust.len());
                for k in trust.iter() {
                    println!(
                        "  {} {} {} ({})",
                        k.dsc.kid_base64(),
                        k.dsc.country.as_deref().unwrap_or("--"),
                        k.dsc.subject,
                        k.dsc.key_usage.describe()
                    );
                }
            }
            Ok(Outcome::Ok)
        }
    }
}
