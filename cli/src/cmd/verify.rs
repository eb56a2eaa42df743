//! `dcc verify`: the contract in DESIGN.md; exit 0 valid, 1 not valid, 2 usage error.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use clap::Args;
use verifier::revocation::{
    looks_like_cms, RevocationList, RevocationListBuilder, RevocationSigners,
};
use verifier::{Check, Context, Outcome as CheckOutcome, Report};

use crate::list_trust::ListTrust;
use crate::{clock, files, Outcome};

#[derive(Args)]
pub struct VerifyArgs {
    /// Trusted signer certificate (PEM, DER or base64 of DER; a directory of them); repeatable.
    #[arg(long = "trust-cert", value_name = "FILE")]
    trust_cert: Vec<PathBuf>,
    /// Trust list: the gateway's JSON or dcc's signed list.
    #[arg(long = "trust-list", value_name = "FILE")]
    trust_list: Option<PathBuf>,
    /// Certificate that must have signed the trust list (pinned).
    #[arg(
        long = "trust-list-cert",
        value_name = "FILE",
        conflicts_with = "trust_list_ca"
    )]
    trust_list_cert: Option<PathBuf>,
    /// CA whose list signers are trusted (PEM, DER, base64; a PEM bundle may hold several;
    /// repeatable): the trust list's signer must be issued by one of them, both valid at --at,
    /// and carry no DCC key usage. Give the old and the new CA while a signer is renewed.
    #[arg(long = "trust-list-ca", value_name = "FILE")]
    trust_list_ca: Vec<PathBuf>,
    /// Business rules: a Rule JSON file, an array, the gateway's download, or a directory.
    #[arg(long, value_name = "FILE|DIR", requires = "country")]
    rules: Option<PathBuf>,
    /// Value sets for the rules: a `{"<id>": [codes]}` file or a directory of EU value-set files.
    #[arg(long, value_name = "FILE|DIR", requires = "rules")]
    valuesets: Option<PathBuf>,
    /// The country of arrival, whose Acceptance rules apply (ISO 3166 alpha-2).
    #[arg(long, value_name = "CC", requires = "rules")]
    country: Option<String>,
    /// Revocation list: the gateway's batch JSON (one batch or an array), the gateway's
    /// CMS-signed batch (DER, BER, base64 text or PEM; checked against --revocation-signer),
    /// dcc's signed list (`GET /revocation-list` of `dcc serve`), or a directory of such files
    /// (`.json`, `.cms`, `.p7m`, `.txt`, `.b64`); repeatable. Without it the `revocation` check
    /// is skipped.
    #[arg(long, value_name = "FILE|DIR")]
    revocation: Vec<PathBuf>,
    /// Upload certificate (PEM or DER; several per file allowed) of a country whose CMS-signed
    /// revocation batches are accepted: the signer must be one of them, and a batch must be of
    /// the signer's country; repeatable. Required when a --revocation source is CMS.
    #[arg(
        long = "revocation-signer",
        value_name = "FILE",
        requires = "revocation"
    )]
    revocation_signer: Vec<PathBuf>,
    /// The certificate that must have signed a signed revocation list (the server's
    /// trust-list certificate); without it the list's signature is not checked.
    #[arg(long, value_name = "FILE", requires = "revocation")]
    revocation_cert: Option<PathBuf>,
    /// The oldest trust list accepted, e.g. `36h`, `7d`, `90m`, `3600s`: an older list (or
    /// one without an issue time) fails the signature check.
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    max_trust_age: Option<time::Duration>,
    /// Validation clock, RFC 3339 (default: now).
    #[arg(long)]
    at: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Read the certificate from a QR image (PNG or JPEG).
    #[arg(long = "qr-image", value_name = "FILE", conflicts_with = "input")]
    qr_image: Option<PathBuf>,
    /// The HC1 text, or - for standard input.
    #[arg(required_unless_present = "qr_image")]
    input: Option<String>,
}

pub fn run(a: VerifyArgs) -> Result<Outcome> {
    let backend = hcert::crypto::default_backend();
    let at = match &a.at {
        Some(s) => super::parse_at(s)?,
        None => clock::now(),
    };
    let list_trust = ListTrust::load(a.trust_list_cert.clone(), a.trust_list_ca.clone())?;
    let trust = files::load_trust(
        &a.trust_cert,
        a.trust_list.as_deref(),
        &list_trust,
        at.unix_timestamp(),
        backend,
    )?;
    let rules = match &a.rules {
        Some(path) => {
            let (set, errors) = super::rules::load_rules(path)?;
            // As the EU apps do with a downloaded set: a rule that cannot be read is left out,
            // loudly; the others still apply.
            for e in &errors {
                eprintln!("warning: rule left out: {e}");
            }
            Some(set)
        }
        None => None,
    };
    let value_sets = a
        .valuesets
        .as_deref()
        .map(super::rules::load_value_sets)
        .transpose()?;
    let pin = a.revocation_cert.as_deref().map(files::read).transpose()?;
    let mut signers = RevocationSigners::new();
    for file in &a.revocation_signer {
        signers
            .add_pem_or_der(&files::read(file)?)
            .with_context(|| file.display().to_string())?;
    }
    let revocation = load_revocation(&a.revocation, pin.as_deref(), &signers)?;
    let mut ctx = Context::new(&trust, at);
    if let Some(max) = a.max_trust_age {
        ctx = ctx.with_max_trust_age(max);
    }
    if let Some(list) = &revocation {
        ctx = ctx.with_revocation(list);
    }
    if let (Some(set), Some(country)) = (&rules, &a.country) {
        if !set.has_acceptance_rules_for(country) {
            eprintln!("warning: the rules hold no Acceptance rule of country {country}");
        }
        ctx = ctx.with_rules(set, country, value_sets.as_ref());
    }
    let report = match (&a.qr_image, &a.input) {
        (Some(img), _) => verifier::verify_qr_image(&files::read(img)?, &ctx),
        (None, Some(input)) => verifier::verify_text(&super::input_text(input)?, &ctx),
        (None, None) => anyhow::bail!("give the HC1 text, - for standard input, or --qr-image"),
    };
    if a.json {
        super::print_json(&report)?;
    } else {
        print_human(&report);
    }
    Ok(if report.is_valid() {
        Outcome::Ok
    } else {
        Outcome::Failed
    })
}

/// Extensions of the files read from a `--revocation` directory: batch JSON, and the gateway's
/// CMS-signed batches in binary (`.cms`, `.p7m`) or base64 text (`.txt`, `.b64`).
const BATCH_EXTENSIONS: [&str; 5] = ["json", "cms", "p7m", "txt", "b64"];

/// The `--revocation` sources, all or nothing: a file that cannot be read or parsed fails the
/// command (exit 2) with the file, batch and entry named. A CMS-signed batch must verify
/// against `signers`; one without any signer configured is refused.
fn load_revocation(
    paths: &[PathBuf],
    pin: Option<&[u8]>,
    signers: &RevocationSigners,
) -> Result<Option<RevocationList>> {
    if paths.is_empty() {
        return Ok(None);
    }
    let mut builder = RevocationListBuilder::new();
    let mut add = |file: &Path| -> Result<()> {
        let bytes = files::read(file)?;
        let name = file.display().to_string();
        if looks_like_cms(&bytes) {
            if signers.is_empty() {
                bail!(
                    "{name} is a CMS-signed revocation batch: pass --revocation-signer with the \
                     upload certificate of the country that signed it"
                );
            }
            builder.add_cms(&name, &bytes, signers)?;
            return Ok(());
        }
        match signed_batches(&bytes, pin, &name)? {
            Some(batches) => builder.add_json(&name, &batches)?,
            None => builder.add_json(&name, &bytes)?,
        }
        Ok(())
    };
    for path in paths {
        if path.is_dir() {
            let mut batch_files: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("cannot list {}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && p.extension().is_some_and(|e| {
                            BATCH_EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x))
                        })
                })
                .collect();
            if batch_files.is_empty() {
                bail!(
                    "{} holds no revocation batch files (.json, .cms, .p7m, .txt, .b64)",
                    path.display()
                );
            }
            batch_files.sort();
            for file in &batch_files {
                add(file)?;
            }
        } else {
            add(path)?;
        }
    }
    let list = builder.build();
    if list.is_empty() {
        eprintln!("warning: the revocation list holds no entries");
    }
    Ok(Some(list))
}

/// `36h`, `7d`, `90m`, `3600s` (or plain seconds).
fn parse_age(s: &str) -> std::result::Result<time::Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: i64 = digits
        .parse()
        .map_err(|_| format!("{s:?}: a number with a unit (s, m, h, d), e.g. 36h"))?;
    let unit = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        other => return Err(format!("unknown unit {other:?}: use s, m, h or d")),
    };
    n.checked_mul(unit)
        .map(time::Duration::seconds)
        .ok_or_else(|| format!("{s:?} is too long"))
}

/// The batches of dcc's signed revocation list (a compact JWS whose payload is
/// `{"issued_at", "batches"}`), its signature checked when `pin` is given; `None` when the
/// bytes are not a JWS (the gateway's plain JSON).
fn signed_batches(bytes: &[u8], pin: Option<&[u8]>, name: &str) -> Result<Option<Vec<u8>>> {
    let text = std::str::from_utf8(bytes).unwrap_or("").trim();
    if !text.starts_with("eyJ") || text.split('.').count() != 3 {
        return Ok(None);
    }
    let opened = trust_list::open_signed_list(
        text,
        pin,
        hcert::crypto::default_backend(),
        "signed revocation list",
    )
    .with_context(|| name.to_string())?;
    if !opened.signature_checked {
        eprintln!("warning: {name}: the revocation list's signature is not checked (give --revocation-cert)");
    }
    let batches = opened
        .payload
        .get("batches")
        .with_context(|| format!("{name}: the signed revocation list has no batches"))?;
    Ok(Some(serde_json::to_vec(batches)?))
}

fn print_human(report: &Report) {
    let kind = report.dcc().and_then(|d| {
        ["v", "t", "r"]
            .into_iter()
            .find(|k| d.get(*k).is_some())
            .and_then(hcert::CertType::from_key)
    });
    if report.is_valid() {
        let kind = kind.map_or("certificate", |k| k.name());
        let issuer = report.issuer.as_deref().unwrap_or("?");
        println!("VALID: {kind} certificate issued by {issuer}");
        if *report.outcome(Check::Rules) == CheckOutcome::Pass {
            println!("  business rules: {} passed", report.rules.len());
        }
        if *report.outcome(Check::Revocation) == CheckOutcome::Pass {
            println!("  revocation: not on the revocation list");
        }
    } else {
        println!("NOT VALID");
        for (check, msg) in report.errors() {
            println!("  {}: {msg}", check.name());
        }
        let unreached: Vec<&str> = Check::ALL
            .iter()
            .filter(|c| {
                *report.outcome(**c) == CheckOutcome::Skip
                    && !matches!(c, Check::Qr | Check::Rules | Check::Revocation)
            })
            .map(|c| c.name())
            .collect();
        if !unreached.is_empty() {
            println!("  not checked: {}", unreached.join(", "));
        }
    }
}
