//! Shared by the output benches: keys, the fixture and the largest realistic record, issued at a
//! fixed instant.

use hcert::crypto::{default_backend, Algorithm};
use issuer::keys::{self, KeyOptions};
use issuer::{Issued, Policy, SigningIdentity};
use time::OffsetDateTime;

/// 2021-06-02 10:00 UTC.
pub fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_622_628_000).unwrap()
}

pub fn identity(alg: Algorithm, rsa_bits: usize) -> SigningIdentity {
    let g = keys::generate(&KeyOptions {
        alg,
        rsa_bits,
        types: Vec::new(),
        country: "CZ".into(),
        now: now() - time::Duration::days(10),
        dsc_days: 365,
        usage_days: 365,
    })
    .unwrap();
    SigningIdentity::load(
        g.dsc.key_pem.as_bytes(),
        g.dsc.cert_pem.as_bytes(),
        default_backend(),
    )
    .unwrap()
}

pub fn policy() -> Policy {
    Policy::new(b"bench secret".to_vec())
}

pub fn vaccination_record() -> serde_json::Value {
    fixtures::records()
        .unwrap()
        .into_iter()
        .find(|(k, _)| k == "vaccination")
        .unwrap()
        .1
}

pub fn largest_record() -> serde_json::Value {
    serde_json::from_str(include_str!("../../tests/data/largest-record.json")).unwrap()
}

/// The fixture vaccination signed with ES256, and the largest record signed with PS256 over
/// RSA-3072.
pub fn typical_and_largest() -> [(&'static str, Issued); 2] {
    let es = identity(Algorithm::Es256, 2048);
    let ps = identity(Algorithm::Ps256, 3072);
    let typical = issuer::issue_record(&vaccination_record(), &es, &policy(), now()).unwrap();
    let largest = issuer::issue_record(&largest_record(), &ps, &policy(), now()).unwrap();
    [("typical", typical), ("largest", largest)]
}
