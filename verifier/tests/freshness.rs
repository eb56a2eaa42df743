//! Trust-list freshness: the report carries the list's issue time and age; with a maximum age,
//! a list older than that (or one without an issue time) fails the signature check with a
//! message that says so, and a fresh one passes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hcert::crypto::{default_backend, Algorithm};
use issuer::keys::{self, KeyOptions};
use issuer::{Policy, SigningIdentity};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use trust_list::TrustList;
use verifier::{Check, Context, Outcome};

const NOW: OffsetDateTime = datetime!(2026-06-02 10:00 UTC);

fn issued() -> (String, TrustList) {
    let generated = keys::generate(&KeyOptions {
        alg: Algorithm::Es256,
        rsa_bits: 2048,
        types: Vec::new(),
        country: "CZ".into(),
        now: NOW - Duration::days(10),
        dsc_days: 365,
        usage_days: 365,
    })
    .unwrap();
    let id = SigningIdentity::load(
        generated.dsc.key_pem.as_bytes(),
        generated.dsc.cert_pem.as_bytes(),
        default_backend(),
    )
    .unwrap();
    let record = fixtures::records()
        .unwrap()
        .into_iter()
        .find(|(k, _)| k == "vaccination")
        .unwrap()
        .1;
    let policy = Policy::new(b"freshness".to_vec());
    let hc1 = issuer::issue_record(&record, &id, &policy, NOW)
        .unwrap()
        .hc1;
    (hc1, TrustList::from_dscs([id.dsc], default_backend()))
}

#[test]
fn age_is_reported_and_a_stale_list_fails_the_signature() {
    let (hc1, mut trust) = issued();
    let at = NOW + Duration::hours(1);
    // Without an issue time: no age; asking for a maximum age then fails.
    let report = verifier::verify_text(&hc1, &Context::new(&trust, at));
    assert!(report.is_valid());
    assert!(report.trust_list.is_none());
    let strict = Context::new(&trust, at).with_max_trust_age(Duration::days(1));
    let report = verifier::verify_text(&hc1, &strict);
    match report.outcome(Check::Signature) {
        Outcome::Fail(m) => assert!(m.contains("no issue time"), "{m}"),
        other => panic!("{other:?}"),
    }

    // Issued two days before the clock.
    trust.issued_at = Some((at - Duration::days(2)).unix_timestamp());
    let report = verifier::verify_text(&hc1, &Context::new(&trust, at));
    assert!(report.is_valid());
    let age = report.trust_list.unwrap();
    assert_eq!(age.age_seconds, 2 * 86_400);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["trust_list"]["age_seconds"], 2 * 86_400);
    assert_eq!(json["trust_list"]["issued_at"], age.issued_at);

    let stale = Context::new(&trust, at).with_max_trust_age(Duration::days(1));
    let report = verifier::verify_text(&hc1, &stale);
    assert!(!report.is_valid());
    match report.outcome(Check::Signature) {
        Outcome::Fail(m) => {
            assert!(m.contains("2 d 0 h old"), "{m}");
            assert!(m.contains("maximum of 1 d 0 h"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    let fresh = Context::new(&trust, at).with_max_trust_age(Duration::days(3));
    assert!(verifier::verify_text(&hc1, &fresh).is_valid());
    // A certificate that does not decode keeps its decode failure, not a trust-list one.
    let report = verifier::verify_text("HC1:!!", &stale);
    assert_eq!(*report.outcome(Check::Signature), Outcome::Skip);
}
