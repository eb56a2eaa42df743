//! dcc's signed list checked against trust-list CAs (`ListSigner::IssuedBy`): a signer its CA
//! issued verifies; another CA, an expired signer or CA, a signer carrying a DCC key usage, one
//! not meant for document signing or not issued by the CA at all are refused, each saying why;
//! old and new CAs side by side accept both signers (renewal with overlap).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use base64::Engine as _;
use hcert::crypto::{all_backends, default_backend, Algorithm, Backend};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};
use serde_json::{json, Value};
use trust_list::{
    build_signed, parse_certificate, verify_signed, verify_signed_by, Dsc, Error, ListSigner,
    TrustListCa, ARCS_DOCUMENT_SIGNING, OID_TEST, OID_VACCINATION,
};

const ISSUED_AT: i64 = 1_650_000_000; // 2022-04-15T05:20:00Z
const AT: i64 = ISSUED_AT + 86_400; // the verification time, a day later

/// A trust-list CA named `cn`, valid over the given years (rcgen's default: always).
fn ca(cn: &str, years: Option<(i32, i32)>) -> common::Ca {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = CertificateParams::new(vec![]).unwrap();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    if let Some((from, to)) = years {
        params.not_before = rcgen::date_time_ymd(from, 1, 1);
        params.not_after = rcgen::date_time_ymd(to, 1, 1);
    }
    let cert = params.self_signed(&key).unwrap();
    common::Ca { cert, key }
}

fn cas(cas: &[&common::Ca]) -> Vec<TrustListCa> {
    cas.iter()
        .flat_map(|c| TrustListCa::parse_all(c.cert.pem().as_bytes()).unwrap())
        .collect()
}

/// What a list signer carries.
struct Signer {
    ekus: Vec<Vec<u64>>,
    /// Validity, (year, month) to (year, month).
    valid: ((i32, u8), (i32, u8)),
}

impl Default for Signer {
    fn default() -> Self {
        Signer {
            ekus: vec![ARCS_DOCUMENT_SIGNING.to_vec()],
            valid: ((2021, 5), (2023, 5)),
        }
    }
}

/// A P-256 list signer issued by `ca` (self-signed when `ca` is None).
fn signer(ca: Option<&common::Ca>, spec: &Signer) -> common::Issued {
    let key = common::key(common::KeyKind::P256);
    let mut params = CertificateParams::new(vec![]).unwrap();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "CZ");
    dn.push(DnType::CommonName, "CZ trust list signer");
    params.distinguished_name = dn;
    let ((y0, m0), (y1, m1)) = spec.valid;
    params.not_before = rcgen::date_time_ymd(y0, m0, 1);
    params.not_after = rcgen::date_time_ymd(y1, m1, 1);
    params.extended_key_usages = spec
        .ekus
        .iter()
        .map(|arcs| ExtendedKeyUsagePurpose::Other(arcs.clone()))
        .collect();
    let cert = match ca {
        Some(ca) => params.signed_by(&key.pair, &ca.cert, &ca.key).unwrap(),
        None => params.self_signed(&key.pair).unwrap(),
    };
    common::Issued {
        der: cert.der().to_vec(),
        pem: cert.pem(),
        key,
    }
}

/// The listed DSCs: two of a CSCA.
fn dscs() -> Vec<Dsc> {
    let csca = common::ca();
    vec![
        parse_certificate(&common::simple(&csca, Some("CZ"), "A").der).unwrap(),
        parse_certificate(&common::simple(&csca, Some("CZ"), "B").der).unwrap(),
    ]
}

fn list(backend: &dyn Backend, by: &common::Issued, dscs: &[Dsc], issued_at: i64) -> String {
    let signer = backend.signer(Algorithm::Es256, &by.key.pkcs8).unwrap();
    build_signed(dscs, signer.as_ref(), &by.der, issued_at).unwrap()
}

fn by<'a>(cas: &'a [TrustListCa], at: i64) -> ListSigner<'a> {
    ListSigner::IssuedBy { cas, at }
}

fn arcs(dotted: &str) -> Vec<u64> {
    dotted.split('.').map(|a| a.parse().unwrap()).collect()
}

#[test]
fn a_signer_of_the_ca_verifies() {
    let ca1 = ca("dcc trust-list CA 1", None);
    let trusted = cas(&[&ca1]);
    let dscs = dscs();
    for backend in all_backends() {
        // With id-kp-documentSigning, and without any extended key usage (RFC 5280: any use).
        for ekus in [vec![ARCS_DOCUMENT_SIGNING.to_vec()], vec![]] {
            let signing = signer(
                Some(&ca1),
                &Signer {
                    ekus,
                    ..Signer::default()
                },
            );
            let jws = list(backend, &signing, &dscs, ISSUED_AT);
            let got = verify_signed_by(&jws, by(&trusted, AT), backend).unwrap();
            assert!(got.signature_checked, "{}", backend.name());
            assert_eq!(got.dscs, dscs);
            assert_eq!(got.issued_at, ISSUED_AT);
            assert_eq!(got.signing_cert.der, signing.der);
            // Leaf pinning still works on the same list, and no signer given still parses.
            assert!(
                verify_signed(&jws, Some(&signing.der), backend)
                    .unwrap()
                    .signature_checked
            );
            assert!(
                !verify_signed_by(&jws, ListSigner::Unchecked, backend)
                    .unwrap()
                    .signature_checked
            );
        }
    }
}

#[test]
fn another_ca_is_refused() {
    let backend = default_backend();
    let (ca1, ca2) = (
        ca("dcc trust-list CA 1", None),
        ca("dcc trust-list CA 2", None),
    );
    // The same name as CA 1, another key.
    let twin = ca("dcc trust-list CA 1", None);
    let jws = list(
        backend,
        &signer(Some(&ca1), &Signer::default()),
        &dscs(),
        ISSUED_AT,
    );
    for (name, given, reason) in [
        (
            "another CA",
            cas(&[&ca2]),
            "issued by none of the given trust-list CAs",
        ),
        (
            "same name, other key",
            cas(&[&twin]),
            "signature does not verify with the key",
        ),
        ("no CA", vec![], "issued by none"),
    ] {
        let err = verify_signed_by(&jws, by(&given, AT), backend).unwrap_err();
        let Error::SignerNotIssued {
            subject,
            reason: why,
        } = &err
        else {
            panic!("{name}: {err}");
        };
        assert!(subject.contains("CZ trust list signer"), "{name}: {err}");
        assert!(why.contains(reason), "{name}: {err}");
        assert!(
            err.to_string()
                .contains("is not accepted under the given trust-list CAs"),
            "{name}: {err}"
        );
    }
}

#[test]
fn renewal_with_overlap_accepts_old_and_new() {
    let backend = default_backend();
    let (old_ca, new_ca) = (
        ca("dcc trust-list CA 2021", None),
        ca("dcc trust-list CA 2022", None),
    );
    let dscs = dscs();
    let old = list(
        backend,
        &signer(Some(&old_ca), &Signer::default()),
        &dscs,
        ISSUED_AT,
    );
    let new = list(
        backend,
        &signer(Some(&new_ca), &Signer::default()),
        &dscs,
        ISSUED_AT + 3600,
    );
    let both = cas(&[&old_ca, &new_ca]);
    for (name, jws) in [("old", &old), ("new", &new)] {
        let got =
            verify_signed_by(jws, by(&both, AT), backend).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(got.signature_checked, "{name}");
    }
    // Given as one PEM bundle, the same.
    let bundle = format!("{}{}", old_ca.cert.pem(), new_ca.cert.pem());
    let bundled = TrustListCa::parse_all(bundle.as_bytes()).unwrap();
    assert_eq!(bundled, both);
    verify_signed_by(&old, by(&bundled, AT), backend).unwrap();
    // Once the old CA is dropped, only the new signer's list is accepted.
    let new_only = cas(&[&new_ca]);
    verify_signed_by(&new, by(&new_only, AT), backend).unwrap();
    assert!(matches!(
        verify_signed_by(&old, by(&new_only, AT), backend),
        Err(Error::SignerNotIssued { .. })
    ));
    // Two signers of one CA (a renewed signer, the CA unchanged) are both accepted.
    let again = list(
        backend,
        &signer(Some(&old_ca), &Signer::default()),
        &dscs,
        ISSUED_AT,
    );
    let old_only = cas(&[&old_ca]);
    verify_signed_by(&old, by(&old_only, AT), backend).unwrap();
    verify_signed_by(&again, by(&old_only, AT), backend).unwrap();
}

#[test]
fn expired_signers_and_cas_are_refused() {
    let backend = default_backend();
    let ca1 = ca("dcc trust-list CA 1", None);
    let trusted = cas(&[&ca1]);
    let jws = list(
        backend,
        &signer(Some(&ca1), &Signer::default()),
        &dscs(),
        ISSUED_AT,
    );
    // 2023-06-01: after the signer's notAfter (2023-05-01).
    let late = 1_685_577_600;
    let err = verify_signed_by(&jws, by(&trusted, late), backend).unwrap_err();
    assert!(matches!(err, Error::SignerNotIssued { .. }), "{err}");
    assert!(err.to_string().contains("it has expired"), "{err}");
    // 2021-01-01: before its notBefore.
    let early = 1_609_459_200;
    let err = verify_signed_by(&jws, by(&trusted, early), backend).unwrap_err();
    assert!(err.to_string().contains("not valid yet"), "{err}");

    // A CA that has expired by the verification time vouches for nothing.
    let expired_ca = ca("dcc trust-list CA old", Some((2015, 2022)));
    let jws = list(
        backend,
        &signer(Some(&expired_ca), &Signer::default()),
        &dscs(),
        1_625_097_600, // 2021-07-01
    );
    let old = cas(&[&expired_ca]);
    verify_signed_by(&jws, by(&old, 1_625_097_600), backend).unwrap();
    let err = verify_signed_by(&jws, by(&old, AT), backend).unwrap_err();
    assert!(
        err.to_string().contains(
            "issued by none of the given trust-list CAs that were valid at the verification time"
        ),
        "{err}"
    );
}

#[test]
fn a_signer_with_dcc_key_usage_is_refused_naming_it() {
    let backend = default_backend();
    let ca1 = ca("dcc trust-list CA 1", None);
    let trusted = cas(&[&ca1]);
    let legacy_test = "1.3.6.1.4.1.0.1847.2021.1.1";
    for (name, ekus, named) in [
        (
            "vaccination",
            vec![arcs(OID_VACCINATION)],
            vec!["1.3.6.1.4.1.1847.2021.1.2 (vaccination)"],
        ),
        (
            "test beside documentSigning",
            vec![ARCS_DOCUMENT_SIGNING.to_vec(), arcs(OID_TEST)],
            vec!["1.3.6.1.4.1.1847.2021.1.1 (test)"],
        ),
        (
            "legacy arc",
            vec![arcs(legacy_test)],
            vec!["1.3.6.1.4.1.0.1847.2021.1.1 (test)"],
        ),
        (
            "all three",
            vec![
                arcs(OID_TEST),
                arcs(OID_VACCINATION),
                arcs("1.3.6.1.4.1.1847.2021.1.3"),
            ],
            vec![".1.1 (test)", ".1.2 (vaccination)", ".1.3 (recovery)"],
        ),
    ] {
        let signing = signer(
            Some(&ca1),
            &Signer {
                ekus,
                ..Signer::default()
            },
        );
        let jws = list(backend, &signing, &dscs(), ISSUED_AT);
        let err = verify_signed_by(&jws, by(&trusted, AT), backend).unwrap_err();
        assert!(
            matches!(err, Error::ListSignerIsDsc { .. }),
            "{name}: {err}"
        );
        let msg = err.to_string();
        assert!(
            msg.contains("carries the DCC extended key usage"),
            "{name}: {msg}"
        );
        assert!(msg.contains("document signer (DSC)"), "{name}: {msg}");
        for oid in named {
            assert!(msg.contains(oid), "{name}: {oid} in {msg}");
        }
        // Pinned, the same certificate is the operator's explicit choice and still verifies.
        verify_signed(&jws, Some(&signing.der), backend).unwrap();
    }
}

#[test]
fn a_signer_the_ca_did_not_issue_is_refused() {
    let backend = default_backend();
    let ca1 = ca("dcc trust-list CA 1", None);
    let trusted = cas(&[&ca1]);
    let cases: Vec<(&str, common::Issued, &str)> = vec![
        (
            "self-signed",
            signer(None, &Signer::default()),
            "issued by none of the given trust-list CAs",
        ),
        (
            "the CA itself",
            common::Issued {
                der: ca1.cert.der().to_vec(),
                pem: ca1.cert.pem(),
                key: common::Key {
                    pkcs8: ca1.key.serialize_der(),
                    pair: KeyPair::try_from(ca1.key.serialize_der().as_slice()).unwrap(),
                },
            },
            "it is a CA, not a signer certificate",
        ),
        (
            "issued for TLS clients only",
            signer(
                Some(&ca1),
                &Signer {
                    ekus: vec![arcs("1.3.6.1.5.5.7.3.2")],
                    ..Signer::default()
                },
            ),
            "does not include id-kp-documentSigning (1.3.6.1.5.5.7.3.36)",
        ),
    ];
    for (name, signing, reason) in cases {
        let jws = list(backend, &signing, &dscs(), ISSUED_AT);
        let err = verify_signed_by(&jws, by(&trusted, AT), backend).unwrap_err();
        assert!(
            matches!(err, Error::SignerNotIssued { .. }),
            "{name}: {err}"
        );
        assert!(err.to_string().contains(reason), "{name}: {err}");
    }
}

#[test]
fn a_forged_signature_under_an_issued_certificate_is_refused() {
    let backend = default_backend();
    let ca1 = ca("dcc trust-list CA 1", None);
    let trusted = cas(&[&ca1]);
    let real = signer(Some(&ca1), &Signer::default());
    let mallory = signer(None, &Signer::default());
    // Mallory signs, naming the real signer in x5c.
    let signed = list(backend, &mallory, &dscs(), ISSUED_AT);
    let b64url = |v: &Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string().as_bytes())
    };
    let header = json!({
        "alg": "ES256",
        "x5c": [base64::engine::general_purpose::STANDARD.encode(&real.der)],
    });
    let mut parts = signed.split('.');
    let (_, payload, sig) = (parts.next(), parts.next().unwrap(), parts.next().unwrap());
    let forged = format!("{}.{payload}.{sig}", b64url(&header));
    let err = verify_signed_by(&forged, by(&trusted, AT), backend).unwrap_err();
    assert!(matches!(err, Error::BadSignature(_)), "{err}");
    // A list issued outside the signer's validity is refused as with a pinned signer.
    let late = list(backend, &real, &dscs(), common::NOT_AFTER + 1);
    let err = verify_signed_by(&late, by(&trusted, AT), backend).unwrap_err();
    assert!(
        err.to_string()
            .contains("outside the validity of its signing certificate"),
        "{err}"
    );
}

#[test]
fn only_ca_certificates_are_trust_list_cas() {
    let ca1 = ca("dcc trust-list CA 1", None);
    let leaf = signer(Some(&ca1), &Signer::default());
    let err = TrustListCa::parse_all(leaf.pem.as_bytes()).unwrap_err();
    assert!(
        err.to_string().contains("cannot be a trust-list CA"),
        "{err}"
    );
    assert!(TrustListCa::parse_all(b"not a certificate").is_err());
    let parsed = &TrustListCa::parse_all(ca1.cert.der()).unwrap()[0];
    assert_eq!(parsed.der(), ca1.cert.der().as_ref());
    assert!(parsed.subject().contains("dcc trust-list CA 1"));
    assert!(parsed.not_before() < parsed.not_after());
}
