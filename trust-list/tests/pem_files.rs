//! A directory of certificate files, handed over as (name, bytes).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use base64::Engine as _;
use trust_list::{from_pem_files, from_pem_files_lenient, parse_certificate};

#[test]
fn reads_a_directory() {
    let ca = common::ca();
    let a = common::simple(&ca, Some("CZ"), "A");
    let b = common::simple(&ca, Some("SK"), "B");
    let c = common::simple(&ca, Some("AT"), "C");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.pem"), &a.pem).unwrap();
    std::fs::write(dir.path().join("b.der"), &b.der).unwrap();
    std::fs::write(
        dir.path().join("c.b64"),
        base64::engine::general_purpose::STANDARD.encode(&c.der),
    )
    .unwrap();
    std::fs::write(dir.path().join("bundle.pem"), format!("{}{}", b.pem, c.pem)).unwrap();
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    let got = from_pem_files(&files).unwrap();
    let names: Vec<&str> = got.iter().map(|d| d.country.as_deref().unwrap()).collect();
    // a.pem, b.der, bundle.pem (b, c), c.b64
    assert_eq!(names, ["CZ", "SK", "SK", "AT", "AT"]);
    assert_eq!(got[0], parse_certificate(&a.der).unwrap());
}

#[test]
fn bad_files_are_named() {
    let ca = common::ca();
    let a = common::simple(&ca, Some("CZ"), "A");
    let key = a.key.pair.serialize_pem();
    let mut truncated = a.der.clone();
    truncated.truncate(100);
    let files = vec![
        ("a.pem".to_string(), a.pem.clone().into_bytes()),
        ("dsc.key".to_string(), key.into_bytes()),
        ("broken.der".to_string(), truncated),
        ("empty.pem".to_string(), Vec::new()),
    ];
    let e = from_pem_files(&files).unwrap_err().to_string();
    assert_eq!(
        e,
        "file dsc.key: not a certificate: PEM holds no CERTIFICATE block (found PRIVATE KEY)"
    );
    let loaded = from_pem_files_lenient(&files);
    assert_eq!(loaded.dscs.len(), 1);
    let errors: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors[1].starts_with("file broken.der: malformed X.509 certificate"),
        "{errors:?}"
    );
    assert_eq!(
        errors[2],
        "file empty.pem: not a certificate: the input is empty"
    );
}

#[test]
fn a_bad_certificate_in_a_bundle_is_named_by_position() {
    let ca = common::ca();
    let a = common::simple(&ca, Some("CZ"), "A");
    let broken = pem::encode(&pem::Pem::new("CERTIFICATE", a.der[..50].to_vec()));
    let files = vec![(
        "bundle.pem".to_string(),
        format!("{}{broken}", a.pem).into_bytes(),
    )];
    let e = from_pem_files(&files).unwrap_err().to_string();
    assert!(
        e.starts_with("file bundle.pem, certificate 1: malformed"),
        "{e}"
    );
    let loaded = from_pem_files_lenient(&files);
    assert_eq!((loaded.dscs.len(), loaded.errors.len()), (1, 1));
}
