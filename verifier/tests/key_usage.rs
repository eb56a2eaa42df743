//! Key usage is judged for the signer the kid identifies even when the signature fails (issue
//! #20), so one report names every fault: a forged vaccination under a test-only DSC fails both
//! `signature` and `key_usage`; an unknown kid leaves `key_usage` skipped.
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
use serde_json::Value as Json;
use time::macros::datetime;
use time::OffsetDateTime;
use trust_list::TrustList;
use verifier::{Check, Context, Report};

const NOW: OffsetDateTime = datetime!(2021-06-02 10:00 UTC);

fn identity(types: &[CertType]) -> SigningIdentity {
    let generated = keys::generate(&KeyOptions {
        alg: Algorithm::Es256,
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

fn record(kind: &str) -> Json {
    fixtures::records()
        .unwrap()
        .into_iter()
        .find(|(k, _)| k == kind)
        .unwrap()
        .1
}

/// A `kind` certificate under `kid_of`'s kid, signed by `key_of`'s key (another key: the
/// signature does not verify).
fn forge(kind: &str, kid_of: &SigningIdentity, key_of: &SigningIdentity) -> String {
    let dcc = issuer::prepare(&record(kind), &Policy::new(b"s".to_vec()), NOW).unwrap();
    let claims = hcert::cwt::encode(
        "CZ",
        NOW.unix_timestamp(),
        NOW.unix_timestamp() + 86_400,
        ciborium::Value::serialized(&dcc).unwrap(),
    )
    .unwrap();
    let cose = hcert::cose::sign(claims, &kid_of.dsc.kid, key_of.signer()).unwrap();
    hcert::hc1::wrap(&cose).unwrap()
}

fn verify(hc1: &str, trusted: &[&SigningIdentity]) -> Report {
    let trust = TrustList::from_dscs(trusted.iter().map(|id| id.dsc.clone()), default_backend());
    let at = NOW + time::Duration::hours(1);
    verifier::verify_text(hc1, &Context::new(&trust, at))
}

/// The contract's view of a report: `checks.<name>` and the checks named in `errors`.
fn outcome_and_errors(report: &Report, check: Check) -> (String, Vec<String>) {
    let json = serde_json::to_value(report).unwrap();
    assert_eq!(json["verdict"], "invalid");
    let errors = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["check"].as_str().unwrap().to_string())
        .collect();
    (
        json["checks"][check.name()].as_str().unwrap().to_string(),
        errors,
    )
}

#[test]
fn a_bad_signature_still_has_its_signers_key_usage_judged() {
    let test_only = identity(&[CertType::Test]);
    let unrestricted = identity(&[]);
    let vaccination_only = identity(&[CertType::Vaccination]);
    let forger = identity(&[]);
    struct Case<'a> {
        name: &'a str,
        kind: &'a str,
        /// The certificate whose kid the forged certificate carries.
        kid_of: &'a SigningIdentity,
        trusted: Vec<&'a SigningIdentity>,
        key_usage: &'a str,
        errors: &'a [&'a str],
    }
    let cases = [
        Case {
            name: "a test-only DSC's kid on a vaccination",
            kind: "vaccination",
            kid_of: &test_only,
            trusted: vec![&test_only],
            key_usage: "fail",
            errors: &["signature", "key_usage"],
        },
        Case {
            name: "a vaccination-only DSC's kid on a recovery",
            kind: "recovery",
            kid_of: &vaccination_only,
            trusted: vec![&vaccination_only],
            key_usage: "fail",
            errors: &["signature", "key_usage"],
        },
        Case {
            name: "a test-only DSC's kid on a test",
            kind: "test",
            kid_of: &test_only,
            trusted: vec![&test_only],
            key_usage: "pass",
            errors: &["signature"],
        },
        Case {
            name: "an unrestricted DSC's kid on a vaccination",
            kind: "vaccination",
            kid_of: &unrestricted,
            trusted: vec![&unrestricted],
            key_usage: "pass",
            errors: &["signature"],
        },
        Case {
            name: "a kid no trusted certificate has",
            kind: "vaccination",
            kid_of: &forger,
            trusted: vec![&test_only, &unrestricted],
            key_usage: "skip",
            errors: &["signature"],
        },
    ];
    for case in cases {
        let report = verify(&forge(case.kind, case.kid_of, &forger), &case.trusted);
        let (got, got_errors) = outcome_and_errors(&report, Check::KeyUsage);
        assert_eq!(got, case.key_usage, "{}: {:?}", case.name, report.checks);
        assert_eq!(got_errors, case.errors, "{}", case.name);
        assert!(!report.is_valid(), "{}", case.name);
    }
}

#[test]
fn the_key_usage_message_names_the_forbidden_type_beside_the_signature_failure() {
    let test_only = identity(&[CertType::Test]);
    let forger = identity(&[]);
    let report = verify(&forge("vaccination", &test_only, &forger), &[&test_only]);
    let errors: Vec<_> = report.errors().collect();
    let [(Check::Signature, signature), (Check::KeyUsage, usage)] = errors.as_slice() else {
        panic!("{errors:?}");
    };
    assert!(signature.contains("does not verify"), "{signature}");
    assert!(usage.contains("may not sign vaccination"), "{usage}");
    // Expiry and schema are judged as before.
    assert_eq!(report.outcome(Check::Expiry).as_str(), "pass");
    assert_eq!(report.outcome(Check::Schema).as_str(), "pass");
}
