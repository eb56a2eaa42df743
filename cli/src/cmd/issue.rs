//! `dcc issue`: record (DCC JSON) → checked, signed `HC1:` text on standard output, and on
//! request the PDF certificate and the QR code as PNG and SVG; or `--batch` JSON Lines → a
//! directory of certificates, in parallel, with a progress bar on a terminal.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::Args;
use hcert::crypto::Algorithm;
use issuer::batch::{self, Rendered, Sink};
use issuer::names::Names;
use issuer::{pdf, qr, Policy, SigningIdentity};

use crate::{clock, files, passphrase, Outcome};

/// Pixels per module of `--png`.
const PNG_SCALE: u32 = 8;

#[derive(Args)]
pub struct IssueArgs {
    /// The DSC's private key (PKCS#8, PEM or DER; plain or encrypted).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The environment variable holding the passphrase of an encrypted --key.
    #[arg(long, value_name = "NAME")]
    key_passphrase_env: Option<String>,
    /// The signer certificate (DSC).
    #[arg(long, value_name = "FILE")]
    cert: PathBuf,
    /// The record: the DCC JSON (`ci` is generated when absent).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "batch",
        conflicts_with = "batch"
    )]
    record: Option<PathBuf>,
    /// Also write the PDF certificate.
    #[arg(long, value_name = "FILE", conflicts_with = "batch")]
    pdf: Option<PathBuf>,
    /// Also write the QR code as PNG.
    #[arg(long, value_name = "FILE", conflicts_with = "batch")]
    png: Option<PathBuf>,
    /// Also write the QR code as SVG.
    #[arg(long, value_name = "FILE", conflicts_with = "batch")]
    svg: Option<PathBuf>,
    /// Issue every record of a JSON Lines file (one DCC JSON object per line) into --out.
    #[arg(long, value_name = "FILE", requires = "out")]
    batch: Option<PathBuf>,
    /// Directory for --batch: `<UVCI>.pdf` and `<UVCI>.txt` (the HC1 text) per certificate;
    /// certificates already there are skipped.
    #[arg(long, value_name = "DIR", requires = "batch")]
    out: Option<PathBuf>,
    /// Worker threads for --batch (default: one per core).
    #[arg(long, value_name = "N", requires = "batch")]
    jobs: Option<usize>,
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
    /// Print the issued certificate's details (or the batch summary) as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(a: IssueArgs) -> Result<Outcome> {
    let backend = hcert::crypto::default_backend();
    let now = match &a.at {
        Some(s) => super::parse_at(s)?,
        None => clock::now(),
    };
    let passphrase = passphrase::optional(a.key_passphrase_env.as_deref())?;
    let identity = passphrase::load_identity(&a.key, &a.cert, passphrase.as_ref(), backend)?;
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
    policy.country = a.country.clone();
    policy.ver = a.ver.clone();
    if let (Some(input), Some(out)) = (&a.batch, &a.out) {
        return run_batch(&a, input, out, &identity, &policy, now);
    }
    let record_path = a
        .record
        .as_deref()
        .context("--record or --batch is required")?;
    let record: serde_json::Value = serde_json::from_slice(&files::read(record_path)?)
        .with_context(|| format!("{} is not JSON", record_path.display()))?;
    let issued = match issuer::issue_record(&record, &identity, &policy, now) {
        Ok(issued) => issued,
        Err(e) => {
            eprintln!("not issued: {e}");
            return Ok(Outcome::Failed);
        }
    };
    if a.pdf.is_some() || a.png.is_some() || a.svg.is_some() {
        if let Err(e) = write_outputs(&a, &issued, &policy) {
            eprintln!("issued, but not rendered: {e:#}");
            return Ok(Outcome::Failed);
        }
    }
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

/// The PDF, PNG and SVG the options ask for, from one QR encoding.
fn write_outputs(a: &IssueArgs, issued: &issuer::Issued, policy: &Policy) -> Result<()> {
    let matrix = qr::encode(&issued.hc1)?;
    if let Some(path) = &a.pdf {
        let page = pdf::Page {
            country: &policy.country,
        };
        files::write(
            path,
            &pdf::render(issued, &matrix, Names::embedded(), page)?,
        )?;
    }
    if let Some(path) = &a.png {
        files::write(path, &matrix.to_png(PNG_SCALE)?)?;
    }
    if let Some(path) = &a.svg {
        let px = u32::try_from(matrix.side_with_quiet_zone()).unwrap_or(0) * PNG_SCALE;
        files::write(path, matrix.to_svg(px).as_bytes())?;
    }
    Ok(())
}

/// Certificates as files in a directory, named by UVCI; the PDF is written last, so its
/// presence means the certificate is complete.
struct DirSink<'a> {
    dir: &'a Path,
    bar: indicatif::ProgressBar,
}

impl Sink for DirSink<'_> {
    fn exists(&self, stem: &str) -> bool {
        self.dir.join(format!("{stem}.pdf")).exists()
    }

    fn write(&self, stem: &str, cert: &Rendered) -> Result<(), String> {
        let text = format!("{}\n", cert.issued.hc1);
        files::write(&self.dir.join(format!("{stem}.txt")), text.as_bytes())
            .and_then(|()| files::write(&self.dir.join(format!("{stem}.pdf")), &cert.pdf))
            .map_err(|e| format!("{e:#}"))
    }

    fn done(&self) {
        self.bar.inc(1);
    }
}

fn run_batch(
    a: &IssueArgs,
    input: &Path,
    out: &Path,
    identity: &SigningIdentity,
    policy: &Policy,
    now: time::OffsetDateTime,
) -> Result<Outcome> {
    let jsonl = files::read(input)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let total = batch::lines(&jsonl).len();
    let bar = if std::io::stderr().is_terminal() {
        let style = indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        indicatif::ProgressBar::new(total as u64).with_style(style)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let sink = DirSink {
        dir: out,
        bar: bar.clone(),
    };
    let started = std::time::Instant::now();
    let summary = batch::run(
        &jsonl,
        identity,
        policy,
        batch::Options {
            now,
            names: Names::embedded(),
            threads: a.jobs,
        },
        &sink,
    );
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();

    for f in &summary.failed {
        eprintln!("{}:{}: not issued: {}", input.display(), f.line, f.message);
    }
    for (line, first) in &summary.duplicates {
        eprintln!(
            "{}:{line}: the same certificate as line {first}; issued once",
            input.display()
        );
    }
    if a.json {
        super::print_json(&serde_json::json!({
            "records": summary.records,
            "issued": summary.issued,
            "existing": summary.existing,
            "duplicates": summary.duplicates.iter()
                .map(|(line, first)| serde_json::json!({"line": line, "first_line": first}))
                .collect::<Vec<_>>(),
            "failed": summary.failed.iter()
                .map(|f| serde_json::json!({"line": f.line, "message": f.message}))
                .collect::<Vec<_>>(),
            "out": out.display().to_string(),
        }))?;
    } else {
        eprintln!(
            "{} records: {} issued, {} already in {}, {} duplicate, {} failed ({:.1} s, {:.0} \
             certificates/s)",
            summary.records,
            summary.issued,
            summary.existing,
            out.display(),
            summary.duplicates.len(),
            summary.failed.len(),
            seconds,
            summary.issued as f64 / seconds.max(1e-9)
        );
    }
    Ok(if summary.failed.is_empty() {
        Outcome::Ok
    } else {
        Outcome::Failed
    })
}
