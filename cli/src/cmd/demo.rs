//! `dcc demo`: the README's first command until the server exists. Generates development keys
//! for each algorithm into the data directory, issues one certificate of each type, verifies
//! each, and prints where everything is.

use std::path::Path;

use anyhow::{Context as _, Result};
use hcert::crypto::Algorithm;
use issuer::{Policy, SigningIdentity};
use serde_json::{json, Value};
use trust_list::TrustList;

use crate::{clock, files, Outcome};

fn records(now: time::OffsetDateTime) -> Vec<(&'static str, Value)> {
    let day = |days_ago: i64| (now - time::Duration::days(days_ago)).date().to_string();
    let sc = (now - time::Duration::hours(5))
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    let nam = json!({"fn": "Dvořáková", "gn": "Řehořka Anežka"});
    vec![
        (
            "vaccination",
            json!({"nam": nam, "dob": "1964-08-12", "v": [{"tg": "840539006", "vp": "1119349007",
              "mp": "EU/1/20/1528", "ma": "ORG-100030215", "dn": 2, "sd": 2, "dt": day(30),
              "co": "CZ", "is": "Ministerstvo zdravotnictví ČR"}]}),
        ),
        (
            "test",
            json!({"nam": nam, "dob": "1964-08-12", "t": [{"tg": "840539006", "tt": "LP6464-4",
              "nm": "Roche LightCycler qPCR", "sc": sc, "tr": "260415000", "tc": "Odběrové místo Praha 4",
              "co": "CZ", "is": "Ministerstvo zdravotnictví ČR"}]}),
        ),
        (
            "recovery",
            json!({"nam": nam, "dob": "1964-08-12", "r": [{"tg": "840539006", "fr": day(40),
              "co": "CZ", "is": "Ministerstvo zdravotnictví ČR", "df": day(29), "du": day(-140)}]}),
        ),
    ]
}

pub fn run(data_dir: &Path) -> Result<Outcome> {
    let backend = hcert::crypto::default_backend();
    let now = clock::now();
    let mut all_valid = true;
    println!("dcc demo: data directory {}", data_dir.display());
    for (alg, name) in [
        (Algorithm::Es256, "es256"),
        (Algorithm::Ps256, "ps256"),
        (Algorithm::EdDsa, "eddsa"),
    ] {
        let dir = data_dir.join("keys").join(name);
        if !dir.join("dsc.key").exists() {
            // The demo reuses its keys from run to run: they may sign for their whole validity.
            super::keys::generate(
                &dir,
                &super::keys::Spec {
                    alg,
                    types: &[],
                    rsa_bits: 3072,
                    country: "CZ",
                    days: 730,
                    usage_days: 730,
                    passphrase: None,
                    force: false,
                },
            )?;
            println!("  generated {name} development keys in {}", dir.display());
        }
        let identity = SigningIdentity::load(
            &files::read(&dir.join("dsc.key"))?,
            &files::read(&dir.join("dsc.pem"))?,
            backend,
        )
        .with_context(|| format!("keys in {}", dir.display()))?;
        let policy = Policy::new(identity.derived_secret());
        let trust = TrustList::from_dscs([identity.dsc.clone()], backend);
        let out = data_dir.join("certificates");
        std::fs::create_dir_all(&out)?;
        for (kind, record) in records(now) {
            let issued = issuer::issue_record(&record, &identity, &policy, now)
                .with_context(|| format!("issuing the {kind} demo record"))?;
            let path = out.join(format!("{kind}-{name}.txt"));
            files::write(&path, issued.hc1.as_bytes())?;
            let report = verifier::verify_text(&issued.hc1, &verifier::Context::new(&trust, now));
            let verdict = if report.is_valid() {
                "valid"
            } else {
                "NOT VALID"
            };
            all_valid &= report.is_valid();
            println!(
                "  {name:<6} {kind:<12} {verdict:<9} {} ({} characters) -> {}",
                issued.uvci,
                issued.hc1.len(),
                path.display()
            );
            for (check, msg) in report.errors() {
                println!("         {}: {msg}", check.name());
            }
        }
    }
    println!(
        "verify one yourself: dcc verify --trust-cert {}/keys/es256/dsc.pem - < {}/certificates/vaccination-es256.txt",
        data_dir.display(),
        data_dir.display()
    );
    Ok(if all_valid {
        Outcome::Ok
    } else {
        Outcome::Failed
    })
}
