//! The link of a signer certificate to its country signing CA (`check_issued_by`), for DSCs of
//! every key kind and CSCAs of EC and RSA keys: the issuing CSCA is found among others; another
//! CSCA, none, or one not valid when the DSC began are refused naming the DSC's kid; a
//! certificate that is no CA is not taken as a CSCA.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{KeyKind, Spec};
use hcert::CertType::{Test, Vaccination};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa};
use trust_list::{check_issued_by, parse_certificate, Csca, Error};

fn csca_of(ca: &common::Ca) -> Csca {
    let mut all = Csca::parse_all(ca.cert.pem().as_bytes()).unwrap();
    assert_eq!(all.len(), 1);
    all.remove(0)
}

/// A CA of `key` (its algorithm signs) with its own validity.
fn ca_with(key: KeyKind, years: Option<(i32, i32)>) -> common::Ca {
    let key = common::key(key).pair;
    let mut params = CertificateParams::new(vec![]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "CZ CSCA other");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    if let Some((from, to)) = years {
        params.not_before = rcgen::date_time_ymd(from, 1, 1);
        params.not_after = rcgen::date_time_ymd(to, 1, 1);
    }
    let cert = params.self_signed(&key).unwrap();
    common::Ca { cert, key }
}

#[test]
fn dscs_of_every_key_kind_chain_to_their_csca() {
    let ca = common::ca();
    let csca = csca_of(&ca);
    for kind in KeyKind::all() {
        let issued = common::dsc(
            &ca,
            &Spec {
                kind,
                types: &[Vaccination, Test],
                other_eku: true,
                ..Spec::default()
            },
        );
        let dsc = parse_certificate(&issued.der).unwrap();
        check_issued_by(&dsc, std::slice::from_ref(&csca))
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
    }
}

#[test]
fn the_issuer_is_found_among_other_cscas() {
    let (ca, other) = (common::ca(), common::ca());
    let rsa = ca_with(KeyKind::Rsa(2048), None);
    let dsc = parse_certificate(&common::simple(&ca, Some("CZ"), "CZ DSC").der).unwrap();
    check_issued_by(&dsc, &[csca_of(&other), csca_of(&rsa), csca_of(&ca)]).unwrap();
    // An RSA CSCA (PKCS#1 v1.5, SHA-256) issuing an EC DSC.
    let by_rsa = parse_certificate(&common::simple(&rsa, Some("CZ"), "CZ DSC").der).unwrap();
    check_issued_by(&by_rsa, &[csca_of(&rsa)]).unwrap();
}

/// Each refusal names the DSC's kid and says why.
#[test]
fn refusals_name_the_kid() {
    let (ca, other) = (common::ca(), common::ca());
    let dsc = parse_certificate(&common::simple(&ca, Some("CZ"), "CZ DSC").der).unwrap();
    let expired = ca_with(KeyKind::P256, Some((2015, 2020)));
    let late = ca_with(KeyKind::P256, Some((2022, 2030)));
    let named_otherwise = ca_with(KeyKind::P256, None);
    let cases: [(&str, Vec<Csca>, &str); 5] = [
        // The issuer's name, another key (development CSCAs share their names).
        (
            "another key",
            vec![csca_of(&other)],
            "signature does not verify",
        ),
        (
            "another name",
            vec![csca_of(&named_otherwise)],
            "issued by none",
        ),
        ("no CSCA", vec![], "issued by none"),
        // The issuer's name and key, but not valid when the DSC began.
        ("expired", vec![csca_of(&expired)], "issued by none"),
        ("not yet valid", vec![csca_of(&late)], "issued by none"),
    ];
    for (name, cscas, reason) in cases {
        let err = check_issued_by(&dsc, &cscas).unwrap_err();
        let Error::NotIssued { kid, reason: why } = &err else {
            panic!("{name}: {err}");
        };
        assert_eq!(kid, &dsc.kid_base64(), "{name}");
        assert!(why.contains(reason), "{name}: {err}");
        assert!(
            err.to_string().starts_with(&format!(
                "signer certificate {} does not chain",
                dsc.kid_base64()
            )),
            "{name}: {err}"
        );
    }
    // A DSC of `late` that begins within its validity chains: only validity refused the above.
    let key = common::key(KeyKind::P256).pair;
    let mut params = CertificateParams::new(vec![]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "CZ DSC 2023");
    params.not_before = rcgen::date_time_ymd(2023, 1, 1);
    params.not_after = rcgen::date_time_ymd(2025, 1, 1);
    let in_time = params.signed_by(&key, &late.cert, &late.key).unwrap();
    let in_time = parse_certificate(in_time.der()).unwrap();
    check_issued_by(&in_time, &[csca_of(&late)]).unwrap();
}

#[test]
fn only_ca_certificates_are_cscas() {
    let ca = common::ca();
    let issued = common::simple(&ca, Some("CZ"), "CZ DSC");
    let err = Csca::parse_all(issued.pem.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("is not a CA certificate"), "{err}");
    let bundle = format!("{}{}", ca.cert.pem(), common::ca().cert.pem());
    assert_eq!(Csca::parse_all(bundle.as_bytes()).unwrap().len(), 2);
    assert!(Csca::parse_all(b"not a certificate").is_err());
}
