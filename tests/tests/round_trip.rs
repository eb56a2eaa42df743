//! Issue → verify across the crates: every algorithm × every type is valid; tampering with the
//! signed payload fails `signature`; a test-only DSC cannot sign a vaccination.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hcert::crypto::{default_backend, Algorithm};
use hcert::CertType;
use issuer::keys::{self, KeyOptions};
use issuer::{Policy, SigningIdentity};
use time::macros::datetime;
use time::OffsetDateTime;
use trust_list::TrustList;
use verifier::{Check, Context, Outcome, Report};

const NOW: OffsetDateTime = datetime!(2021-06-02 10:00 UTC);
const ALGS: [Algorithm; 3] = [Algorithm::Es256, Algorithm::Ps256, Algorithm::EdDsa];

fn identity(alg: Algorithm, types: &[CertType]) -> SigningIdentity {
    let generated = keys::generate(&KeyOptions {
        alg,
        rsa_bits: 2048,
        types: types.to_vec(),
        country: "CZ".into(),
        now: NOW - time::Duration::days(10),
        dsc_days: 365,
        usage_days: 365,
    })
    .unwrap();
    SigningIdentity::load(
        generated.dsc.key_pem.as_bytes(),
        generated.dsc.cert_pem.as_bytes(),
        default_backend(),
    )
    .unwrap()
}

fn verify(hc1: &str, id: &SigningIdentity) -> Report {
    let trust = TrustList::from_dscs([id.dsc.clone()], default_backend());
    let at = NOW + time::Duration::hours(1);
    verifier::verify_text(hc1, &Context::new(&trust, at))
}

fn record(kind: &str) -> serde_json::Value {
    fixtures::records()
        .unwrap()
        .into_iter()
        .find(|(k, _)| k == kind)
        .unwrap()
        .1
}

#[test]
fn every_algorithm_and_type_round_trips() {
    let expected_fnt = [
        ("vaccination", "DVORAKOVA", "REHORKA<ANEZKA"),
        ("test", "NOVAK", "REHOR"),
        ("recovery", "STASTNY", "UZASNY<DABEL"),
    ];
    for alg in ALGS {
        let id = identity(alg, &[]);
        let policy = Policy::new(b"test secret".to_vec());
        for (kind, fnt, gnt) in expected_fnt {
            let issued = issuer::issue_record(&record(kind), &id, &policy, NOW).unwrap();
            let report = verify(&issued.hc1, &id);
            let errors: Vec<_> = report.errors().collect();
            assert!(report.is_valid(), "{alg} {kind}: {errors:?}");
            let dcc = report.dcc().unwrap();
            assert_eq!(dcc["nam"]["fnt"], fnt, "{alg} {kind}");
            assert_eq!(dcc["nam"]["gnt"], gnt, "{alg} {kind}");
            assert_eq!(dcc["ver"], "1.3.0");
            let group = CertType::from_key(&kind[..1]).unwrap().key();
            let ci = dcc[group][0]["ci"].as_str().unwrap();
            assert_eq!(ci, issued.uvci);
            hcert::uvci::validate(ci).unwrap();
            assert_eq!(report.issuer.as_deref(), Some("CZ"));
        }
    }
}

#[test]
fn the_same_record_gets_the_same_uvci() {
    let id = identity(Algorithm::Es256, &[]);
    let policy = Policy::new(b"installation secret".to_vec());
    let a = issuer::issue_record(&record("test"), &id, &policy, NOW).unwrap();
    let b = issuer::issue_record(&record("test"), &id, &policy, NOW).unwrap();
    let c = issuer::issue_record(&record("vaccination"), &id, &policy, NOW).unwrap();
    assert_eq!(a.uvci, b.uvci);
    assert_ne!(a.uvci, c.uvci);
}

/// Flips one bit in every byte of the signed CWT payload in turn: a change that still decodes
/// must fail `signature`; one that does not decode fails `cbor`. Never valid.
#[test]
fn tampering_with_any_payload_byte_fails() {
    for alg in ALGS {
        let id = identity(alg, &[]);
        let policy = Policy::new(b"s".to_vec());
        let issued = issuer::issue_record(&record("vaccination"), &id, &policy, NOW).unwrap();
        let cose = hcert::hc1::unwrap(&issued.hc1).unwrap();
        let sign1 = hcert::cose::Sign1::parse(&cose).unwrap();
        let payload = sign1.payload().to_vec();
        let start = cose
            .windows(payload.len())
            .position(|w| w == payload.as_slice())
            .unwrap();
        let mut signature_failures = 0;
        for i in 0..payload.len() {
            let mut tampered = cose.clone();
            tampered[start + i] ^= 0x01;
            let report = verify(&hcert::hc1::wrap(&tampered).unwrap(), &id);
            assert!(!report.is_valid(), "{alg}: byte {i} changed, still valid");
            match report.outcome(Check::Cbor) {
                Outcome::Pass => {
                    assert!(
                        matches!(report.outcome(Check::Signature), Outcome::Fail(_)),
                        "{alg}: byte {i} changed, signature {:?}",
                        report.outcome(Check::Signature)
                    );
                    signature_failures += 1;
                }
                Outcome::Fail(_) => {}
                Outcome::Skip => panic!("{alg}: byte {i}: cbor skipped"),
            }
        }
        assert!(
            signature_failures > payload.len() / 2,
            "{alg}: {signature_failures}"
        );
    }
}

#[test]
fn tampering_with_the_signature_fails() {
    for alg in ALGS {
        let id = identity(alg, &[]);
        let policy = Policy::new(b"s".to_vec());
        let issued = issuer::issue_record(&record("test"), &id, &policy, NOW).unwrap();
        let mut cose = hcert::hc1::unwrap(&issued.hc1).unwrap();
        let last = cose.len() - 1;
        cose[last] ^= 0x80;
        let report = verify(&hcert::hc1::wrap(&cose).unwrap(), &id);
        let Outcome::Fail(msg) = report.outcome(Check::Signature) else {
            panic!("{alg}: {:?}", report.outcome(Check::Signature));
        };
        assert!(msg.contains("does not verify"), "{alg}: {msg}");
        assert_eq!(*report.outcome(Check::Schema), Outcome::Pass);
        assert_eq!(*report.outcome(Check::Expiry), Outcome::Pass);
    }
}

#[test]
fn an_unknown_signer_fails_signature() {
    let id = identity(Algorithm::Es256, &[]);
    let other = identity(Algorithm::Es256, &[]);
    let issued =
        issuer::issue_record(&record("test"), &id, &Policy::new(b"s".to_vec()), NOW).unwrap();
    let report = verify(&issued.hc1, &other);
    let Outcome::Fail(msg) = report.outcome(Check::Signature) else {
        panic!("{:?}", report.outcome(Check::Signature));
    };
    assert!(
        msg.contains("no trusted signer certificate has kid"),
        "{msg}"
    );
    assert_eq!(*report.outcome(Check::KeyUsage), Outcome::Skip);
}

#[test]
fn a_test_only_dsc_may_not_sign_a_vaccination() {
    let id = identity(Algorithm::Es256, &[CertType::Test]);
    let policy = Policy::new(b"s".to_vec());
    // The issuer refuses outright.
    let err = issuer::issue_record(&record("vaccination"), &id, &policy, NOW).unwrap_err();
    assert!(
        err.to_string().contains("may not sign vaccination"),
        "{err}"
    );
    // It signs a test.
    let test = issuer::issue_record(&record("test"), &id, &policy, NOW).unwrap();
    assert!(verify(&test.hc1, &id).is_valid());
    // A vaccination signed with that key anyway (bypassing the issuer) fails key_usage only.
    let dcc = issuer::prepare(&record("vaccination"), &policy, NOW).unwrap();
    let claims = hcert::cwt::encode(
        "CZ",
        NOW.unix_timestamp(),
        NOW.unix_timestamp() + 86_400,
        ciborium::Value::serialized(&dcc).unwrap(),
    )
    .unwrap();
    let cose = hcert::cose::sign(claims, &id.dsc.kid, id.signer()).unwrap();
    let report = verify(&hcert::hc1::wrap(&cose).unwrap(), &id);
    assert_eq!(*report.outcome(Check::Signature), Outcome::Pass);
    let Outcome::Fail(msg) = report.outcome(Check::KeyUsage) else {
        panic!("{:?}", report.outcome(Check::KeyUsage));
    };
    assert!(msg.contains("may not sign vaccination"), "{msg}");
    assert!(!report.is_valid());
}

#[test]
fn the_issuer_refuses_a_dsc_not_valid_at_iat() {
    let id = identity(Algorithm::Es256, &[]);
    let policy = Policy::new(b"s".to_vec());
    let late = NOW + time::Duration::days(400);
    let err = issuer::issue_record(&record("test"), &id, &policy, late).unwrap_err();
    assert!(
        err.to_string().contains("not valid at the issue time"),
        "{err}"
    );
}

#[test]
fn expiry_is_checked_at_the_given_clock() {
    let id = identity(Algorithm::Es256, &[]);
    let issued =
        issuer::issue_record(&record("test"), &id, &Policy::new(b"s".to_vec()), NOW).unwrap();
    let trust = TrustList::from_dscs([id.dsc.clone()], default_backend());
    let at = |t| verifier::verify_text(&issued.hc1, &Context::new(&trust, t));
    let exp = OffsetDateTime::from_unix_timestamp(issued.expires_at).unwrap();
    let iat = OffsetDateTime::from_unix_timestamp(issued.issued_at).unwrap();
    assert!(at(exp).is_valid(), "exp is inclusive");
    assert!(at(iat).is_valid(), "iat is inclusive");
    let late = at(exp + time::Duration::nanoseconds(1));
    assert!(matches!(late.outcome(Check::Expiry), Outcome::Fail(m) if m.contains("expired")));
    let early = at(iat - time::Duration::seconds(1));
    assert!(
        matches!(early.outcome(Check::Expiry), Outcome::Fail(m) if m.contains("not valid yet"))
    );
}

#[test]
fn bad_records_are_refused_with_the_field_named() {
    let id = identity(Algorithm::Es256, &[]);
    let policy = Policy::new(b"s".to_vec());
    let mut two_groups = record("vaccination");
    two_groups["t"] = record("test")["t"].clone();
    let mut bad_dn = record("vaccination");
    bad_dn["v"][0]["dn"] = serde_json::json!("2");
    let mut future = record("vaccination");
    future["v"][0]["dt"] = serde_json::json!("2021-07-01");
    let mut bad_ci = record("test");
    bad_ci["t"][0]["ci"] = serde_json::json!("URN:UVCI:01:CZ:ABC#Q");
    let cases = [
        (serde_json::json!([1, 2]), "not a JSON object"),
        (two_groups, "exactly one of v, t or r"),
        (bad_dn, "v/0/dn"),
        (future, "in the future"),
        (bad_ci, "check character"),
    ];
    for (rec, want) in cases {
        let err = issuer::issue_record(&rec, &id, &policy, NOW)
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "want {want:?} in {err:?}");
    }
}
