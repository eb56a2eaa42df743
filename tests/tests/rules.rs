//! Issue → verify with business rules: the project's own rules (rules/) and value sets
//! (valuesets/) give passed, fail and open results in the report, `checks.rules` follows them,
//! and rules do not run on a certificate whose signature did not verify.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use hcert::crypto::{default_backend, Algorithm};
use issuer::keys::{self, KeyOptions};
use issuer::{Policy, SigningIdentity};
use time::macros::datetime;
use time::OffsetDateTime;
use trust_list::TrustList;
use verifier::rules::{RuleSet, ValueSets};
use verifier::{Check, Context, Outcome, Report};

/// Issue time: the fixture vaccination is from 2021-06-01, the test sample from 08:15 that day.
const NOW: OffsetDateTime = datetime!(2021-06-02 10:00 UTC);

fn identity() -> SigningIdentity {
    let generated = keys::generate(&KeyOptions {
        alg: Algorithm::Es256,
        rsa_bits: 2048,
        types: Vec::new(),
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

fn record(kind: &str) -> serde_json::Value {
    fixtures::records()
        .unwrap()
        .into_iter()
        .find(|(k, _)| k == kind)
        .unwrap()
        .1
}

fn json_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

fn project_rules() -> RuleSet {
    let files = json_files(&fixtures::rules_dir());
    let (set, errors) = RuleSet::load(files.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(set.len(), 9);
    set
}

fn project_value_sets() -> ValueSets {
    let mut sets = ValueSets::new();
    for (name, bytes) in json_files(&fixtures::valuesets_dir()) {
        sets.add_file(&name, &bytes).unwrap();
    }
    sets
}

struct Env {
    id: SigningIdentity,
    trust: TrustList,
    rules: RuleSet,
    value_sets: ValueSets,
}

impl Env {
    fn new() -> Env {
        let id = identity();
        let trust = TrustList::from_dscs([id.dsc.clone()], default_backend());
        Env {
            id,
            trust,
            rules: project_rules(),
            value_sets: project_value_sets(),
        }
    }

    fn issue(&self, record: &serde_json::Value) -> String {
        let policy = Policy::new(b"rules test".to_vec());
        issuer::issue_record(record, &self.id, &policy, NOW)
            .unwrap()
            .hc1
    }

    fn verify(&self, hc1: &str, at: OffsetDateTime, country: &str, with_sets: bool) -> Report {
        let sets = with_sets.then_some(&self.value_sets);
        let ctx = Context::new(&self.trust, at).with_rules(&self.rules, country, sets);
        verifier::verify_text(hc1, &ctx)
    }
}

/// identifier → result, in report order.
fn results(report: &Report) -> Vec<(String, String)> {
    report
        .rules
        .iter()
        .map(|r| (r.identifier.to_string(), r.result.to_string()))
        .collect()
}

fn expect(report: &Report, want: &[(&str, &str)]) {
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(i, r)| (i.to_string(), r.to_string()))
        .collect();
    assert_eq!(results(report), want);
}

#[test]
fn a_complete_vaccination_passes_every_rule() {
    let env = Env::new();
    let hc1 = env.issue(&record("vaccination"));
    let report = env.verify(&hc1, datetime!(2021-06-20 10:00 UTC), "CZ", true);
    expect(
        &report,
        &[
            ("GR-CZ-0001", "passed"),
            ("IR-CZ-0001", "passed"),
            ("VR-CZ-0001", "passed"),
            ("VR-CZ-0002", "passed"),
            ("VR-CZ-0003", "passed"),
        ],
    );
    assert_eq!(*report.outcome(Check::Rules), Outcome::Pass);
    assert!(
        report.is_valid(),
        "{:?}",
        report.errors().collect::<Vec<_>>()
    );
    let rule = &report.rules[2];
    assert_eq!(&*rule.version, "1.0.0");
    assert_eq!(
        &*rule.description,
        "The vaccination course is complete (dose n of n)."
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["checks"]["rules"], "pass");
    assert_eq!(json["rules"][2]["result"], "passed");
}

#[test]
fn a_failed_rule_fails_the_check_and_the_verdict() {
    let env = Env::new();
    // One day after the last dose: "14 days since the last dose" fails.
    let hc1 = env.issue(&record("vaccination"));
    let report = env.verify(&hc1, NOW + time::Duration::hours(1), "CZ", true);
    assert_eq!(&*report.rules[4].identifier, "VR-CZ-0003");
    assert_eq!(report.rules[4].result, "fail");
    let Outcome::Fail(msg) = report.outcome(Check::Rules) else {
        panic!("{:?}", report.outcome(Check::Rules));
    };
    assert!(msg.contains("1 of 5 business rules did not pass"), "{msg}");
    assert!(msg.contains("VR-CZ-0003 fail: At least 14 days"), "{msg}");
    assert!(!report.is_valid());
    assert_eq!(*report.outcome(Check::Signature), Outcome::Pass);

    // Dose 1 of 2: "dose n of n" fails.
    let mut first_dose = record("vaccination");
    first_dose["v"][0]["dn"] = 1.into();
    let report = env.verify(
        &env.issue(&first_dose),
        datetime!(2021-06-20 10:00 UTC),
        "CZ",
        true,
    );
    assert_eq!(&*report.rules[2].identifier, "VR-CZ-0001");
    assert_eq!(report.rules[2].result, "fail");
    assert!(!report.is_valid());
}

#[test]
fn a_rule_that_cannot_decide_is_open_and_fails_the_check() {
    let env = Env::new();
    let hc1 = env.issue(&record("vaccination"));
    // Without value sets, "in" over external.valueSets has no list: an evaluation error.
    let report = env.verify(&hc1, datetime!(2021-06-20 10:00 UTC), "CZ", false);
    assert_eq!(&*report.rules[3].identifier, "VR-CZ-0002");
    assert_eq!(report.rules[3].result, "open");
    let Outcome::Fail(msg) = report.outcome(Check::Rules) else {
        panic!("{:?}", report.outcome(Check::Rules));
    };
    assert!(msg.contains("VR-CZ-0002 open (evaluation failed"), "{msg}");
    assert!(!report.is_valid());
}

#[test]
fn test_and_recovery_certificates_get_their_own_rules() {
    let env = Env::new();
    let test = env.issue(&record("test"));
    let report = env.verify(&test, NOW + time::Duration::hours(1), "cz", true);
    expect(
        &report,
        &[
            ("GR-CZ-0001", "passed"),
            ("TR-CZ-0001", "passed"),
            ("TR-CZ-0002", "passed"),
            ("TR-CZ-0003", "passed"),
        ],
    );
    assert!(
        report.is_valid(),
        "{:?}",
        report.errors().collect::<Vec<_>>()
    );
    // Four days after the sample: the 72-hour rule fails (the certificate has expired too).
    let late = env.verify(&test, NOW + time::Duration::days(4), "CZ", true);
    assert_eq!(&*late.rules[2].identifier, "TR-CZ-0002");
    assert_eq!(late.rules[2].result, "fail");

    let mut positive = record("test");
    positive["t"][0]["tr"] = "260373001".into();
    let report = env.verify(
        &env.issue(&positive),
        NOW + time::Duration::hours(1),
        "CZ",
        true,
    );
    assert_eq!(&*report.rules[1].identifier, "TR-CZ-0001");
    assert_eq!(report.rules[1].result, "fail");

    let recovery = env.issue(&record("recovery"));
    let report = env.verify(&recovery, NOW + time::Duration::hours(1), "CZ", true);
    expect(
        &report,
        &[("GR-CZ-0001", "passed"), ("RR-CZ-0001", "passed")],
    );
    assert!(report.is_valid());
    // After du (2021-10-28) the recovery rule fails.
    let report = env.verify(&recovery, datetime!(2021-10-29 12:00 UTC), "CZ", true);
    assert_eq!(report.rules[1].result, "fail");
}

#[test]
fn another_arrival_country_applies_only_the_issuers_invalidation_rules() {
    let env = Env::new();
    let vaccination = env.issue(&record("vaccination"));
    let report = env.verify(&vaccination, NOW + time::Duration::hours(1), "AT", true);
    expect(&report, &[("IR-CZ-0001", "passed")]);
    assert_eq!(*report.outcome(Check::Rules), Outcome::Pass);

    let mut withdrawn = record("vaccination");
    withdrawn["v"][0]["mp"] = "CVnCoV".into();
    withdrawn["v"][0]["ma"] = "ORG-100006270".into();
    let report = env.verify(
        &env.issue(&withdrawn),
        NOW + time::Duration::hours(1),
        "AT",
        true,
    );
    expect(&report, &[("IR-CZ-0001", "fail")]);
    assert!(!report.is_valid());

    // No rule applies to a test arriving in AT: nothing forbids it.
    let test = env.issue(&record("test"));
    let report = env.verify(&test, NOW + time::Duration::hours(1), "AT", true);
    assert!(report.rules.is_empty());
    assert_eq!(*report.outcome(Check::Rules), Outcome::Pass);
}

#[test]
fn rules_need_a_verified_signature_and_a_rule_set() {
    let env = Env::new();
    let hc1 = env.issue(&record("vaccination"));
    let at = datetime!(2021-06-20 10:00 UTC);
    // Untrusted signer: the signature fails and rules are not run.
    let nobody = TrustList::new();
    let ctx = Context::new(&nobody, at).with_rules(&env.rules, "CZ", Some(&env.value_sets));
    let report = verifier::verify_text(&hc1, &ctx);
    assert!(matches!(report.outcome(Check::Signature), Outcome::Fail(_)));
    assert_eq!(*report.outcome(Check::Rules), Outcome::Skip);
    assert!(report.rules.is_empty());
    // No rules asked for: skipped, and the certificate is valid.
    let report = verifier::verify_text(&hc1, &Context::new(&env.trust, at));
    assert_eq!(*report.outcome(Check::Rules), Outcome::Skip);
    assert!(report.is_valid());
}
