//! File helpers: reading inputs with the path in the error, writing secrets with mode 0600,
//! and loading trust from the formats `dcc verify` accepts.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use hcert::crypto::Backend;
use trust_list::TrustList;

use crate::list_trust::ListTrust;

/// Reads a file, naming it in the error.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Reads a UTF-8 file.
pub fn read_text(path: &Path) -> Result<String> {
    fs::read_to_string(path).with_context(|| format!("cannot read {} as text", path.display()))
}

/// Writes a file atomically (temporary file, then rename), so a failure leaves the old one.
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    write_mode(path, bytes, 0o644)
}

/// Writes a secret (a private key) readable by its owner only.
pub fn write_secret(path: &Path, bytes: &[u8]) -> Result<()> {
    write_mode(path, bytes, 0o600)
}

fn write_mode(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    // One atomic-write implementation for the CLI and the server.
    service::bootstrap::write_file(path, bytes, mode).map_err(Into::into)
}

/// The PEM/DER/base64 certificates of a file, or of every `.pem`/`.crt`/`.der` file in a
/// directory.
pub fn trust_certs(path: &Path) -> Result<Vec<trust_list::Dsc>> {
    if path.is_dir() {
        let mut files = Vec::new();
        let mut entries: Vec<_> = fs::read_dir(path)
            .with_context(|| format!("cannot list {}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension()
                    .is_some_and(|e| matches!(e.to_str(), Some("pem" | "crt" | "cer" | "der")))
            })
            .collect();
        entries.sort();
        for p in entries {
            files.push((p.display().to_string(), read(&p)?));
        }
        if files.is_empty() {
            bail!("{} holds no .pem, .crt, .cer or .der files", path.display());
        }
        return trust_list::from_pem_files(&files).map_err(Into::into);
    }
    let bytes = read(path)?;
    trust_list::parse_certificates(&bytes).with_context(|| path.display().to_string())
}

/// Loads `--trust-cert` and `--trust-list` inputs into one trust list; dcc's signed list is
/// checked as `list_trust` says (`--trust-list-cert` or `--trust-list-ca`, the CAs at `at`,
/// Unix seconds).
pub fn load_trust(
    certs: &[PathBuf],
    list: Option<&Path>,
    list_trust: &ListTrust,
    at: i64,
    backend: &dyn Backend,
) -> Result<TrustList> {
    let mut trust = TrustList::new();
    for c in certs {
        if !c.exists() {
            bail!("--trust-cert {} does not exist", c.display());
        }
        // A certificate that cannot be used is reported, not fatal: the verifier then names the
        // missing signer in the signature check, as it would for any unknown key.
        match trust_certs(c) {
            Ok(dscs) => trust.extend(dscs, backend),
            Err(e) => eprintln!("warning: --trust-cert {} is not usable: {e:#}", c.display()),
        }
    }
    if let Some(list) = list {
        let text = read_text(list)?;
        let trimmed = text.trim_start();
        if trimmed.starts_with('[') || trimmed.starts_with('{') {
            let dscs = trust_list::parse_gateway_json(text.as_bytes())
                .with_context(|| format!("trust list {}", list.display()))?;
            trust.extend(dscs, backend);
        } else {
            let signed = trust_list::verify_signed_by(&text, list_trust.signer(at), backend)
                .with_context(|| format!("trust list {}", list.display()))?;
            if !signed.signature_checked {
                eprintln!(
                    "warning: the trust list's signature was not checked (give --trust-list-cert \
                     or --trust-list-ca)"
                );
            }
            let issued_at = signed.issued_at;
            trust.extend(signed.dscs, backend);
            trust.issued_at = Some(issued_at);
        }
    }
    Ok(trust)
}
