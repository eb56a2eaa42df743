//! SECURITY.md 43 and 44 at the issuer: a signature stays inside its DSC's validity (iat not
//! before notBefore, exp capped at notAfter) and names the DSC by the first 8 bytes of SHA-256
//! over its DER in the protected header; UVCIs are unique with valid check characters, stable
//! within an installation and unrelated across installations.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashSet;

use hcert::crypto::{default_backend, Algorithm};
use issuer::keys::{self, KeyOptions};
use issuer::{Issued, Policy, SigningIdentity};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use time::macros::datetime;
use time::OffsetDateTime;

const NOW: OffsetDateTime = datetime!(2021-06-02 10:00 UTC);

/// A DSC valid for `days` from about `NOW`, with its DER as generated.
fn identity(alg: Algorithm, days: i64) -> (SigningIdentity, Vec<u8>) {
    let generated = keys::generate(&KeyOptions {
        alg,
        rsa_bits: 2048,
        types: Vec::new(),
        country: "CZ".into(),
        now: NOW,
        dsc_days: days,
        usage_days: days,
    })
    .unwrap();
    let id = SigningIdentity::load(
        generated.dsc.key_pem.as_bytes(),
        generated.dsc.cert_pem.as_bytes(),
        default_backend(),
    )
    .unwrap();
    (id, generated.dsc.cert_der)
}

fn record(kind: &str) -> Value {
    fixtures::records()
        .unwrap()
        .into_iter()
        .find(|(k, _)| k == kind)
        .unwrap()
        .1
}

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap()
}

/// SECURITY.md 43: no certificate before the DSC's notBefore or after its notAfter; 30 days
/// before notAfter a vaccination certificate (a year by policy) ends exactly at notAfter while
/// a test certificate (72 hours) keeps its own end; the CWT carries what `Issued` says.
#[test]
fn signatures_stay_inside_the_dsc_validity() {
    let (id, _) = identity(Algorithm::Es256, 365);
    let policy = Policy::new(b"installation secret".to_vec());
    let (not_before, not_after) = (id.dsc.not_before, id.dsc.not_after);
    let vaccination = record("vaccination");

    let early = issuer::issue_record(&vaccination, &id, &policy, at(not_before - 1));
    assert!(early.is_err(), "signed a second before notBefore");
    let first = issuer::issue_record(&vaccination, &id, &policy, at(not_before)).unwrap();
    assert_eq!(first.issued_at, not_before);
    assert!(first.expires_at <= not_after);

    let late = at(not_after - 30 * 86400);
    let v = issuer::issue_record(&vaccination, &id, &policy, late).unwrap();
    assert_eq!(v.issued_at, late.unix_timestamp());
    assert_eq!(v.expires_at, not_after, "exp = min(iat + 365 d, notAfter)");
    let t = issuer::issue_record(&record("test"), &id, &policy, late).unwrap();
    assert_eq!(t.expires_at, late.unix_timestamp() + 72 * 3600);
    let mut recovery = record("recovery");
    recovery["r"][0]["du"] = json!("2099-01-01");
    let r = issuer::issue_record(&recovery, &id, &policy, late).unwrap();
    assert_eq!(
        r.expires_at, not_after,
        "a recovery's du does not outlive the DSC"
    );

    // The signed CWT says the same.
    for issued in [&first, &v, &t, &r] {
        let back = Issued::from_hc1(&issued.hc1).unwrap();
        assert_eq!(
            (back.issued_at, back.expires_at),
            (issued.issued_at, issued.expires_at)
        );
    }

    let after = issuer::issue_record(&vaccination, &id, &policy, at(not_after + 1));
    assert!(after.is_err(), "signed after notAfter");
}

/// A recovery certificate ends with the recovery it attests (the last second of `du`) and no
/// later than 180 days after issue: exp = min(du, iat + 180 d), in `Issued` and in the CWT; a
/// recovery over before the time of issue gets no certificate.
#[test]
fn a_recovery_certificate_ends_with_its_du_or_after_180_days() {
    let (id, _) = identity(Algorithm::Es256, 365);
    let policy = Policy::new(b"installation secret".to_vec());
    let iat = NOW.unix_timestamp();
    let end_of = |date: OffsetDateTime| date.unix_timestamp() + 86_399;
    let cases = [
        // (case, du, expected exp)
        (
            "du 148 days after issue",
            "2021-10-28",
            end_of(datetime!(2021-10-28 00:00 UTC)),
        ),
        ("du a year after issue", "2022-06-01", iat + 180 * 86_400),
        (
            "du on the day of issue",
            "2021-06-02",
            end_of(datetime!(2021-06-02 00:00 UTC)),
        ),
    ];
    for (case, du, expected) in cases {
        let mut recovery = record("recovery");
        recovery["r"][0]["du"] = json!(du);
        let issued = issuer::issue_record(&recovery, &id, &policy, NOW).unwrap();
        assert_eq!(issued.issued_at, iat, "{case}");
        assert_eq!(issued.expires_at, expected, "{case}");
        let back = Issued::from_hc1(&issued.hc1).unwrap();
        assert_eq!(back.expires_at, expected, "{case}: the CWT's exp");
    }
    // A recovery already over at the time of issue: refused, naming du, not a certificate
    // expired from the start nor a fresh 180-day term.
    let mut over = record("recovery");
    over["r"][0]["du"] = json!("2021-06-01");
    let err = issuer::issue_record(&over, &id, &policy, NOW).unwrap_err();
    assert!(err.to_string().contains("r/0/du"), "{err}");
    assert!(err.to_string().contains("2021-06-01"), "{err}");
}

/// SECURITY.md 43: the kid is the first 8 bytes of SHA-256 over the DSC's DER as generated,
/// in the protected header, for each algorithm.
#[test]
fn the_kid_is_in_the_protected_header() {
    for alg in [Algorithm::Es256, Algorithm::EdDsa] {
        let (id, der) = identity(alg, 365);
        let policy = Policy::new(b"installation secret".to_vec());
        let issued = issuer::issue_record(&record("test"), &id, &policy, NOW).unwrap();
        let cose = hcert::hc1::unwrap(&issued.hc1).unwrap();
        let sign1 = hcert::cose::Sign1::parse(&cose).unwrap();
        assert!(sign1.kid_is_protected(), "{alg}");
        assert_eq!(
            sign1.kid.as_deref(),
            Some(&Sha256::digest(&der)[..8]),
            "{alg}"
        );
    }
}

/// A test record made distinct by its test centre.
fn numbered(base: &Value, i: usize) -> Value {
    let mut r = base.clone();
    r["t"][0]["tc"] = json!(format!("Odběrové místo {i}"));
    r
}

fn uvci_of(record: &Value, policy: &Policy) -> String {
    issuer::prepare(record, policy, NOW)
        .unwrap()
        .uvci()
        .unwrap()
        .to_string()
}

/// SECURITY.md 44: 10,000 records give 10,000 different UVCIs, each with the country, a
/// 120-bit base32 opaque part and a check character that validates.
#[test]
fn ten_thousand_uvcis_are_unique_and_valid() {
    let policy = Policy::new(b"installation secret".to_vec());
    let base = record("test");
    let mut seen = HashSet::new();
    for i in 0..10_000 {
        let uvci = uvci_of(&numbered(&base, i), &policy);
        let parsed = hcert::uvci::validate(&uvci).unwrap_or_else(|e| panic!("{uvci}: {e}"));
        assert_eq!(parsed.country, "CZ");
        assert!(parsed.check.is_some(), "{uvci}: no check character");
        assert_eq!(parsed.opaque.len(), 24, "{uvci}");
        assert!(
            parsed
                .opaque
                .bytes()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)),
            "{uvci}"
        );
        assert!(seen.insert(uvci.clone()), "{uvci} repeats at {i}");
    }
}

/// SECURITY.md 44: the same records in two installations (different secrets) give unrelated
/// UVCIs: none shared, and their opaque parts agree position by position only as often as
/// chance (1 in 32) would have it; within one installation a record keeps its UVCI.
#[test]
fn installations_with_different_secrets_give_unrelated_uvcis() {
    let a = Policy::new(b"installation A: 32 bytes of secret".to_vec());
    let b = Policy::new(b"installation B: 32 bytes of secret".to_vec());
    let base = record("test");
    let (mut agree, mut compared) = (0usize, 0usize);
    let (mut in_a, mut in_b) = (HashSet::new(), HashSet::new());
    for i in 0..1000 {
        let r = numbered(&base, i);
        let (ua, ub) = (uvci_of(&r, &a), uvci_of(&r, &b));
        assert_eq!(uvci_of(&r, &a), ua, "the same record, the same UVCI");
        assert_ne!(ua, ub);
        let (oa, ob) = (
            hcert::uvci::validate(&ua).unwrap().opaque,
            hcert::uvci::validate(&ub).unwrap().opaque,
        );
        agree += oa.bytes().zip(ob.bytes()).filter(|(x, y)| x == y).count();
        compared += oa.len();
        in_a.insert(ua);
        in_b.insert(ub);
    }
    assert!(in_a.is_disjoint(&in_b));
    // 24,000 positions: chance agreement is 750 ± 27.
    let expected = compared / 32;
    assert!(
        (expected / 2..=expected * 2).contains(&agree),
        "{agree} of {compared} positions agree (chance: {expected})"
    );
}
