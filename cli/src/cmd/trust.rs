//! `dcc trust-list build|fetch|verify`: dcc's signed trust list (DESIGN.md "Trust lists"), and
//! the signer certificates of a DGCA verifier service.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::Subcommand;
use hcert::crypto::Algorithm;
use serde_json::json;

use crate::list_trust::ListTrust;
use crate::{clock, dgca, files, passphrase, Outcome};

#[derive(Subcommand)]
pub enum TrustCommand {
    /// Sign a trust list of signer certificates.
    Build {
        /// Signer certificate to list (PEM, DER, base64; a directory of them); repeatable.
        #[arg(long = "cert", value_name = "FILE", required = true)]
        certs: Vec<PathBuf>,
        /// The trust-list signing key (PKCS#8; plain or encrypted).
        #[arg(long = "sign-key", value_name = "FILE")]
        sign_key: PathBuf,
        /// The environment variable holding the passphrase of an encrypted --sign-key.
        #[arg(long, value_name = "NAME")]
        key_passphrase_env: Option<String>,
        /// The trust-list signing certificate (P-256).
        #[arg(long = "sign-cert", value_name = "FILE")]
        sign_cert: PathBuf,
        /// Where to write the list.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The list's issue time, RFC 3339 (default: now).
        #[arg(long)]
        at: Option<String>,
    },
    /// Download dcc's signed trust list, check its signature against a pinned certificate (or a
    /// signer issued by a trust-list CA), and store it atomically: a failed download or check
    /// never replaces the list in place. With --csca, read a DGCA verifier service instead:
    /// every signer certificate, each of which must chain to a given CSCA, stored as the
    /// gateway's trust-list JSON.
    Fetch {
        /// Where the list is served: dcc's signed list (`https://dcc.example/trust-list`), or
        /// with --csca the base URL of a DGCA verifier service (`https://dcc.example`).
        url: String,
        /// The certificate that must have signed dcc's list (pinned).
        #[arg(
            long = "trust-list-cert",
            value_name = "FILE",
            required_unless_present_any = ["cscas", "trust_list_ca"],
            conflicts_with_all = ["cscas", "trust_list_ca"]
        )]
        trust_list_cert: Option<PathBuf>,
        /// A CA whose list signers are trusted (PEM, DER, base64; a PEM bundle may hold
        /// several; repeatable): dcc's list must be signed by a certificate one of them issued,
        /// both valid now, carrying no DCC key usage. Give the old and the new CA while the
        /// signer is renewed.
        #[arg(long = "trust-list-ca", value_name = "FILE", conflicts_with = "cscas")]
        trust_list_ca: Vec<PathBuf>,
        /// A country signing CA (PEM, DER, base64; repeatable): the URL is a DGCA verifier
        /// service, whose unsigned list is accepted only if each of its signer certificates
        /// chains to one of them.
        #[arg(long = "csca", value_name = "FILE")]
        cscas: Vec<PathBuf>,
        /// Where to store the list.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Accept a list issued before the one in place (a rollback; dcc's list only).
        #[arg(long, conflicts_with = "cscas")]
        allow_older: bool,
    },
    /// Check a trust list and print what it holds.
    Verify {
        /// The list (dcc's signed list or the gateway's JSON).
        #[arg(long = "trust-list", value_name = "FILE")]
        trust_list: PathBuf,
        /// The certificate that must have signed it (pinned).
        #[arg(
            long = "trust-list-cert",
            value_name = "FILE",
            conflicts_with = "trust_list_ca"
        )]
        trust_list_cert: Option<PathBuf>,
        /// A CA whose list signers are trusted (PEM, DER, base64; a PEM bundle may hold
        /// several; repeatable): the list must be signed by a certificate one of them issued,
        /// both valid now, carrying no DCC key usage.
        #[arg(long = "trust-list-ca", value_name = "FILE")]
        trust_list_ca: Vec<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// The largest trust list `fetch` accepts.
const MAX_LIST_BYTES: usize = 16 * 1024 * 1024;

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

/// `dcc trust-list fetch`. A list that does not verify, or would roll back a newer one in
/// place, is refused (exit 1); download failures are errors (exit 2); either way the file in
/// place stays as it was.
fn fetch(
    url: &str,
    pin: &ListTrust,
    out: &Path,
    allow_older: bool,
    backend: &dyn hcert::crypto::Backend,
) -> Result<Outcome> {
    let now = clock::now().unix_timestamp();
    let body = crate::fetch::get(url, MAX_LIST_BYTES)?;
    let jws = std::str::from_utf8(&body).map(str::trim).unwrap_or("");
    let fetched = match trust_list::verify_signed_by(jws, pin.signer(now), backend) {
        Ok(f) => f,
        Err(e) => {
            eprintln!(
                "error: {url}: the trust list does not verify against {}: {e}; {} is unchanged",
                pin.describe(),
                out.display()
            );
            return Ok(Outcome::Failed);
        }
    };
    if !allow_older {
        // A list in place that verifies with the same pin (or CAs) and is newer wins: an
        // attacker replaying an old list (with a withdrawn signer) must not roll it back.
        let current = std::fs::read_to_string(out).ok().and_then(|old| {
            trust_list::verify_signed_by(old.trim(), pin.signer(now), backend).ok()
        });
        if let Some(current) = current.filter(|c| c.issued_at > fetched.issued_at) {
            eprintln!(
                "error: {url}: the list was issued at {}, before the one in {} ({}); kept the \
                 newer (--allow-older replaces it)",
                rfc3339(fetched.issued_at),
                out.display(),
                rfc3339(current.issued_at)
            );
            return Ok(Outcome::Failed);
        }
    }
    files::write(out, jws.as_bytes())?;
    println!(
        "stored {} ({} signer certificates, issued at {})",
        out.display(),
        fetched.dscs.len(),
        rfc3339(fetched.issued_at)
    );
    Ok(Outcome::Ok)
}

/// `dcc trust-list fetch --csca`: a DGCA verifier service's certificates, each chained to a
/// CSCA. A certificate that does not chain, or a page that does not hold what it says, is
/// refused (exit 1); download failures are errors (exit 2); the file in place stays as it was.
fn fetch_dgca(url: &str, csca_files: &[PathBuf], out: &Path) -> Result<Outcome> {
    let mut cscas = Vec::new();
    for f in csca_files {
        cscas.extend(
            trust_list::Csca::parse_all(&files::read(f)?)
                .with_context(|| format!("--csca {}", f.display()))?,
        );
    }
    let http = crate::fetch::Http::new()?;
    let base = dgca::base_url(url);
    let pages = dgca::download(&http, base)?;
    let valid = dgca::status(&http, base)?;
    let refuse = |why: String| {
        eprintln!("error: {base}: {why}; {} is unchanged", out.display());
        Ok(Outcome::Failed)
    };
    let dscs = match dgca::certificates(&pages, &valid) {
        Ok(dscs) => dscs,
        Err(why) => return refuse(why),
    };
    for dsc in &dscs {
        if let Err(e) = trust_list::check_issued_by(dsc, &cscas) {
            return refuse(e.to_string());
        }
    }
    files::write(out, trust_list::to_gateway_json(&dscs)?.as_bytes())?;
    let withdrawn = pages.len() - dscs.len();
    println!(
        "stored {} ({} signer certificates, each issued by a given CSCA{})",
        out.display(),
        dscs.len(),
        match withdrawn {
            0 => String::new(),
            n => format!("; {n} not in the status list left out"),
        }
    );
    Ok(Outcome::Ok)
}

pub fn run(c: TrustCommand) -> Result<Outcome> {
    let backend = hcert::crypto::default_backend();
    match c {
        TrustCommand::Build {
            certs,
            sign_key,
            key_passphrase_env,
            sign_cert,
            out,
            at,
        } => {
            let issued_at = match at.as_deref() {
                Some(s) => super::parse_at(s)?,
                None => clock::now(),
            };
            let mut dscs = Vec::new();
            for c in &certs {
                dscs.extend(files::trust_certs(c)?);
            }
            let passphrase = passphrase::optional(key_passphrase_env.as_deref())?;
            let key = passphrase::read_key(&sign_key, passphrase.as_ref())?;
            let signer = backend
                .signer(Algorithm::Es256, &key)
                .with_context(|| format!("{} is not a P-256 key", sign_key.display()))?;
            let cert = files::read(&sign_cert)?;
            let jws = trust_list::build_signed(
                &dscs,
                signer.as_ref(),
                &cert,
                issued_at.unix_timestamp(),
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
        TrustCommand::Fetch {
            url,
            trust_list_cert,
            trust_list_ca,
            cscas,
            out,
            allow_older,
        } => {
            if trust_list_cert.is_none() && trust_list_ca.is_empty() {
                return fetch_dgca(&url, &cscas, &out);
            }
            let pin = ListTrust::load(trust_list_cert, trust_list_ca)?;
            fetch(&url, &pin, &out, allow_older, backend)
        }
        TrustCommand::Verify {
            trust_list,
            trust_list_cert,
            trust_list_ca,
            json,
        } => {
            let list_trust = ListTrust::load(trust_list_cert, trust_list_ca)?;
            let trust = files::load_trust(
                &[],
                Some(&trust_list),
                &list_trust,
                clock::now().unix_timestamp(),
                backend,
            )?;
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
