//! `dcc verify`: the contract in DESIGN.md; exit 0 valid, 1 not valid, 2 usage error.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use verifier::{Check, Context, Outcome as CheckOutcome, Report};

use crate::{clock, files, Outcome};

#[derive(Args)]
pub struct VerifyArgs {
    /// Trusted signer certificate (PEM, DER or base64 of DER; a directory of them); repeatable.
    #[arg(long = "trust-cert", value_name = "FILE")]
    trust_cert: Vec<PathBuf>,
    /// Trust list: the gateway's JSON or dcc's signed list.
    #[arg(long = "trust-list", value_name = "FILE")]
    trust_list: Option<PathBuf>,
    /// Certificate that must have signed the trust list.
    #[arg(long = "trust-list-cert", value_name = "FILE")]
    trust_list_cert: Option<PathBuf>,
    /// Business rules: a Rule JSON file, an array, the gateway's download, or a directory.
    #[arg(long, value_name = "FILE|DIR", requires = "country")]
    rules: Option<PathBuf>,
    /// Value sets for the rules: a `{"<id>": [codes]}` file or a directory of EU value-set files.
    #[arg(long, value_name = "FILE|DIR", requires = "rules")]
    valuesets: Option<PathBuf>,
    /// The country of arrival, whose Acceptance rules apply (ISO 3166 alpha-2).
    #[arg(long, value_name = "CC", requires = "rules")]
    country: Option<String>,
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
    let trust = files::load_trust(
        &a.trust_cert,
        a.trust_list.as_deref(),
        a.trust_list_cert.as_deref(),
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
    let mut ctx = Context::new(&trust, at);
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

fn print_human(report: &Report) {
    let kind = report.dcc.as_ref().and_then(|d| {
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
