//! Every signer certificate of the EU DCC test vectors loads (read from shared/conformance at
//! test time): real countries' DSCs, non-strict DER included.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};

use hcert::CertType;
use sha2::{Digest, Sha256};
use trust_list::{parse_certificate, KeyUsage, TrustList};

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// (vector path relative to the data folder, its signer certificate as base64).
fn vector_certificates() -> Vec<(String, String)> {
    let root = common::vectors();
    let mut files = Vec::new();
    json_files(&root, &mut files);
    files.sort();
    files
        .iter()
        .filter_map(|path| {
            let name = path.strip_prefix(&root).unwrap().display().to_string();
            let text = std::fs::read(path).unwrap();
            let doc: serde_json::Value = serde_json::from_slice(&text).ok()?;
            let cert = doc
                .get("TESTCTX")?
                .get("CERTIFICATE")?
                .as_str()?
                .to_string();
            Some((name, cert))
        })
        .collect()
}

#[test]
fn every_vector_dsc_loads() {
    let certs = vector_certificates();
    assert!(certs.len() >= 100, "only {} vectors found", certs.len());
    let mut dscs = Vec::new();
    for (name, b64) in &certs {
        let dsc = parse_certificate(b64.as_bytes()).unwrap_or_else(|e| panic!("case {name}: {e}"));
        assert_eq!(dsc.kid, Sha256::digest(&dsc.der)[..8], "case {name}");
        dscs.push(dsc);
    }
    for backend in hcert::crypto::all_backends() {
        let list = TrustList::from_dscs(dscs.iter().cloned(), backend);
        for key in list.iter() {
            assert!(
                key.key.is_ok(),
                "{}: {} refused the key: {:?}",
                key.dsc.subject,
                backend.name(),
                key.key.as_ref().err()
            );
        }
    }
}

fn dsc_of(vector: &str) -> trust_list::Dsc {
    let (_, b64) = vector_certificates()
        .into_iter()
        .find(|(name, _)| name == vector)
        .unwrap_or_else(|| panic!("vector {vector} not found"));
    parse_certificate(b64.as_bytes()).unwrap()
}

#[test]
fn vector_key_usage_and_countries() {
    use CertType::*;
    let cases: &[(&str, KeyUsage, Option<&str>)] = &[
        // An empty extended key usage SEQUENCE: may sign everything.
        ("common/2DCode/raw/CO15.json", KeyUsage::UNRESTRICTED, None),
        // Legacy OIDs 1.3.6.1.4.1.0.1847.2021.1.x.
        (
            "NL/2DCode/raw/000-NL-test.json",
            KeyUsage::only(&[Test]),
            Some("NL"),
        ),
        (
            "NL/2DCode/raw/072-NL-vaccination.json",
            KeyUsage::only(&[Vaccination]),
            Some("NL"),
        ),
        (
            "DK/2DCode/raw/1.json",
            KeyUsage::only(&[Test, Vaccination, Recovery]),
            Some("DK"),
        ),
        // Current OIDs.
        (
            "AE/2DCode/raw/test.json",
            KeyUsage::only(&[Test, Vaccination, Recovery]),
            Some("AE"),
        ),
        // Explicitly encoded default cA FALSE, no EKU.
        ("CZ/2DCode/raw/1.json", KeyUsage::UNRESTRICTED, Some("CZ")),
    ];
    for (vector, usage, country) in cases {
        let dsc = dsc_of(vector);
        assert_eq!(dsc.key_usage, *usage, "case {vector}");
        assert_eq!(dsc.country.as_deref(), *country, "case {vector}");
    }
    assert_eq!(
        dsc_of("CH/2DCode/raw/1.json").public_key.describe(),
        "RSA-2048"
    );
}
