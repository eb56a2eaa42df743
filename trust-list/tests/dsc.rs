//! Signer certificates generated with rcgen: kid, country, validity, key usage and key type,
//! from PEM, DER and base64, and the non-strict encodings real countries issue.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use base64::Engine as _;
use common::{KeyKind, Spec};
use hcert::crypto::PublicKeyInfo;
use hcert::CertType::{self, Recovery, Test, Vaccination};
use sha2::{Digest, Sha256};
use trust_list::{parse_certificate, parse_certificates, Dsc, Error, KeyUsage};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn reads_kid_country_subject_and_validity() {
    let ca = common::ca();
    let issued = common::simple(&ca, Some("CZ"), "CZ DSC 1");
    let dsc = parse_certificate(&issued.der).unwrap();
    let digest = Sha256::digest(&issued.der);
    assert_eq!(dsc.kid, digest[..8]);
    assert_eq!(dsc.kid_base64(), b64(&digest[..8]));
    assert_eq!(dsc.thumbprint().len(), 64);
    assert_eq!(dsc.der, issued.der);
    assert_eq!(dsc.country.as_deref(), Some("CZ"));
    assert!(dsc.subject.contains("CN=CZ DSC 1"), "{}", dsc.subject);
    assert!(dsc.subject.contains("C=CZ"), "{}", dsc.subject);
    assert_eq!(
        (dsc.not_before, dsc.not_after),
        (common::NOT_BEFORE, common::NOT_AFTER)
    );
    assert!(dsc.is_valid_at(common::NOT_BEFORE));
    assert!(dsc.is_valid_at(common::NOT_AFTER));
    assert!(!dsc.is_valid_at(common::NOT_AFTER + 1));
    assert!(!dsc.is_valid_at(common::NOT_BEFORE - 1));
    assert_eq!(dsc.key_usage, KeyUsage::UNRESTRICTED);
    assert!(format!("{dsc:?}").contains(&dsc.kid_base64()));

    let no_country = common::simple(&ca, None, "EC-Me");
    assert_eq!(parse_certificate(&no_country.der).unwrap().country, None);
}

#[test]
fn reads_every_key_type() {
    let ca = common::ca();
    for kind in KeyKind::all() {
        let issued = common::dsc(
            &ca,
            &Spec {
                kind,
                ..Spec::default()
            },
        );
        let dsc = parse_certificate(&issued.der).unwrap();
        match (kind, &dsc.public_key) {
            (KeyKind::P256, PublicKeyInfo::P256(p)) => assert_eq!((p.len(), p[0]), (65, 4)),
            (KeyKind::P384, PublicKeyInfo::P384(p)) => assert_eq!((p.len(), p[0]), (97, 4)),
            (KeyKind::Ed25519, PublicKeyInfo::Ed25519(p)) => assert_eq!(p.len(), 32),
            (KeyKind::Rsa(n), PublicKeyInfo::Rsa { bits, pkcs1_der }) => {
                assert_eq!(*bits, n);
                assert_eq!(pkcs1_der[0], 0x30);
            }
            (kind, key) => panic!("{kind:?} read as {key:?}"),
        }
        if let Some(alg) = kind.algorithm() {
            let public = hcert::crypto::aws_lc::public_key_of(alg, &issued.key.pkcs8).unwrap();
            match &dsc.public_key {
                PublicKeyInfo::P256(p) | PublicKeyInfo::Ed25519(p) => assert_eq!(p, &public),
                PublicKeyInfo::Rsa { pkcs1_der, .. } => assert_eq!(pkcs1_der, &public),
                other => panic!("{other:?}"),
            }
        }
    }
}

#[test]
fn rsa_sizes() {
    let ca = common::ca();
    for bits in [3072, 4096] {
        let issued = common::dsc(
            &ca,
            &Spec {
                kind: KeyKind::Rsa(bits),
                ..Spec::default()
            },
        );
        let dsc = parse_certificate(&issued.der).unwrap();
        assert_eq!(dsc.public_key.describe(), format!("RSA-{bits}"));
    }
}

#[test]
fn key_usage_from_the_dcc_oids_only() {
    let ca = common::ca();
    let cases: &[(&str, &[CertType], bool, KeyUsage)] = &[
        ("no EKU", &[], false, KeyUsage::UNRESTRICTED),
        ("clientAuth only", &[], true, KeyUsage::UNRESTRICTED),
        ("test", &[Test], false, KeyUsage::only(&[Test])),
        (
            "vaccination",
            &[Vaccination],
            false,
            KeyUsage::only(&[Vaccination]),
        ),
        (
            "recovery + clientAuth",
            &[Recovery],
            true,
            KeyUsage::only(&[Recovery]),
        ),
        (
            "all three",
            &[Test, Vaccination, Recovery],
            false,
            KeyUsage::only(&[Test, Vaccination, Recovery]),
        ),
    ];
    for (name, types, other_eku, want) in cases {
        let issued = common::dsc(
            &ca,
            &Spec {
                types,
                other_eku: *other_eku,
                ..Spec::default()
            },
        );
        let got = parse_certificate(&issued.der).unwrap().key_usage;
        assert_eq!(got, *want, "case {name}");
        for t in [Test, Vaccination, Recovery] {
            assert_eq!(got.allows(t), want.allows(t), "case {name}, {t:?}");
        }
    }
    let test_only = KeyUsage::only(&[Test]);
    assert!(!test_only.allows(Vaccination));
    assert_eq!(test_only.to_string(), "may sign test certificates only");
}

/// EKU arcs of the legacy 1.3.6.1.4.1.0.1847.2021.1.x form.
fn legacy_eku(last: u8) -> Vec<u8> {
    let oid = [
        0x2b, 0x06, 0x01, 0x04, 0x01, 0x00, 0x8e, 0x37, 0x8f, 0x65, 0x01, last,
    ];
    let mut v = vec![0x30, oid.len() as u8 + 2, 0x06, oid.len() as u8];
    v.extend(oid);
    v
}

/// (OID arcs, DER value) of an extension written as is.
type RawExtension = (Vec<u64>, Vec<u8>);

const EKU: &[u64] = &[2, 5, 29, 37];
const BASIC_CONSTRAINTS: &[u64] = &[2, 5, 29, 19];

#[test]
fn tolerates_what_countries_issue() {
    let ca = common::ca();
    let cases: Vec<(&str, Vec<RawExtension>, KeyUsage)> = vec![
        (
            "empty EKU sequence",
            vec![(EKU.to_vec(), vec![0x30, 0x00])],
            KeyUsage::UNRESTRICTED,
        ),
        (
            "explicit default cA FALSE",
            vec![(
                BASIC_CONSTRAINTS.to_vec(),
                vec![0x30, 0x03, 0x01, 0x01, 0x00],
            )],
            KeyUsage::UNRESTRICTED,
        ),
        (
            "legacy vaccination OID",
            vec![(EKU.to_vec(), legacy_eku(2))],
            KeyUsage::only(&[Vaccination]),
        ),
        (
            "truncated EKU value",
            vec![(EKU.to_vec(), {
                let mut v = legacy_eku(1);
                v[1] = 0x7f;
                v
            })],
            KeyUsage::only(&[Test]),
        ),
        (
            "unknown extension with garbage",
            vec![(vec![1, 2, 3, 4, 5], vec![0xff, 0x00, 0x13])],
            KeyUsage::UNRESTRICTED,
        ),
        (
            "malformed basic constraints",
            vec![(BASIC_CONSTRAINTS.to_vec(), vec![0x30, 0x03, 0x02, 0x01])],
            KeyUsage::UNRESTRICTED,
        ),
    ];
    for (name, raw_extensions, want) in cases {
        let issued = common::dsc(
            &ca,
            &Spec {
                raw_extensions,
                ..Spec::default()
            },
        );
        let dsc = parse_certificate(&issued.der).unwrap_or_else(|e| panic!("case {name}: {e}"));
        assert_eq!(dsc.key_usage, want, "case {name}");
    }
}

#[test]
fn two_eku_extensions_combine() {
    let ca = common::ca();
    let issued = common::dsc(
        &ca,
        &Spec {
            types: &[Test],
            raw_extensions: vec![(EKU.to_vec(), legacy_eku(3))],
            ..Spec::default()
        },
    );
    let dsc = parse_certificate(&issued.der).unwrap();
    assert_eq!(dsc.key_usage, KeyUsage::only(&[Test, Recovery]));
}

#[test]
fn accepts_pem_der_and_base64() {
    let ca = common::ca();
    let issued = common::simple(&ca, Some("CZ"), "CZ DSC");
    let want = Dsc::from_der(&issued.der).unwrap();
    let wrapped: String = b64(&issued.der)
        .as_bytes()
        .chunks(64)
        .map(|l| format!("  {}\r\n", std::str::from_utf8(l).unwrap()))
        .collect();
    let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&issued.der);
    let forms: Vec<(&str, Vec<u8>)> = vec![
        ("DER", issued.der.clone()),
        ("PEM", issued.pem.clone().into_bytes()),
        (
            "PEM with CRLF",
            issued.pem.replace('\n', "\r\n").into_bytes(),
        ),
        ("PEM with BOM and text", {
            let mut v = b"\xef\xbb\xbfsubject=CZ DSC\n".to_vec();
            v.extend(issued.pem.as_bytes());
            v
        }),
        ("base64", b64(&issued.der).into_bytes()),
        (
            "base64 with newline",
            format!("{}\n", b64(&issued.der)).into_bytes(),
        ),
        ("wrapped base64", wrapped.into_bytes()),
        ("base64url", url_safe.into_bytes()),
        ("Dsc::to_pem", want.to_pem().into_bytes()),
    ];
    for (name, input) in forms {
        let got = parse_certificate(&input).unwrap_or_else(|e| panic!("case {name}: {e}"));
        assert_eq!(got, want, "case {name}");
    }
}

#[test]
fn pem_bundles() {
    let ca = common::ca();
    let a = common::simple(&ca, Some("CZ"), "A");
    let b = common::simple(&ca, Some("SK"), "B");
    let key_pem = a.key.pair.serialize_pem();
    let bundle = format!("{}{key_pem}{}", a.pem, b.pem);
    let all = parse_certificates(bundle.as_bytes()).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].country.as_deref(), Some("SK"));
    let e = parse_certificate(bundle.as_bytes()).unwrap_err();
    assert!(e.to_string().contains("2 certificates"), "{e}");
    let e = parse_certificate(key_pem.as_bytes()).unwrap_err();
    assert!(e.to_string().contains("found PRIVATE KEY"), "{e}");
}

#[test]
fn malformed_input_is_named() {
    let ca = common::ca();
    let issued = common::simple(&ca, Some("CZ"), "CZ DSC");
    let mut trailing = issued.der.clone();
    trailing.extend([0, 0]);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", vec![], "empty"),
        (
            "truncated DER",
            issued.der[..issued.der.len() - 10].to_vec(),
            "malformed X.509",
        ),
        ("trailing data", trailing, "2 bytes of trailing data"),
        (
            "not base64",
            b"certificate?".to_vec(),
            "neither PEM, DER nor base64",
        ),
        (
            "bad PEM body",
            b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n".to_vec(),
            "PEM",
        ),
    ];
    for (name, input, want) in cases {
        let e = parse_certificate(&input).unwrap_err().to_string();
        assert!(e.contains(want), "case {name}: {e}");
    }
}

#[test]
fn unsupported_keys_are_named() {
    // A P-256 certificate whose curve OID is rewritten to the made-up 1.2.840.10045.3.1.99
    // (same length, so the DER stays well formed): only the key type changes.
    let ca = common::ca();
    let mut der = common::simple(&ca, Some("CZ"), "CZ DSC").der;
    let p256 = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    let at = der.windows(p256.len()).position(|w| w == p256).unwrap();
    der[at + 9] = 0x63;
    match Dsc::from_der(&der) {
        Err(Error::UnsupportedKey(what)) => {
            assert!(what.contains("1.2.840.10045.3.1.99"), "{what}")
        }
        other => panic!("{other:?}"),
    }
}
