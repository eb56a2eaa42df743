//! Issue benchmarks: `issue_record` of the vaccination fixture (record → checked DCC → CWT →
//! COSE → HC1) beside its baseline, the bare `Signer::sign` of the same Sig_structure, for ES256,
//! PS256 (RSA-2048) and EdDSA; plus `prepare`, the rest of `issue` and its parts, to attribute
//! the difference. After criterion, `cargo bench` prints issue ÷ bare sign measured alternately.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::time::{Duration as StdDuration, Instant};

use criterion::Criterion;
use hcert::cose::Sign1;
use hcert::crypto::{default_backend, Algorithm};
use issuer::keys::{self, KeyOptions};
use issuer::{Policy, SigningIdentity};
use serde_json::Value as Json;
use time::OffsetDateTime;

struct Case {
    name: &'static str,
    id: SigningIdentity,
    policy: Policy,
    record: Json,
    now: OffsetDateTime,
    tbs: Vec<u8>,
}

impl Case {
    fn new(name: &'static str, alg: Algorithm) -> Case {
        let now = OffsetDateTime::from_unix_timestamp(1_622_628_000).unwrap(); // 2021-06-02 10:00 UTC
        let generated = keys::generate(&KeyOptions {
            alg,
            rsa_bits: 2048,
            types: Vec::new(),
            country: "CZ".into(),
            now: now - time::Duration::days(10),
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
        let policy = Policy::new(b"bench secret".to_vec());
        let issued = issuer::issue_record(&record, &id, &policy, now).unwrap();
        let cose_bytes = hcert::hc1::unwrap(&issued.hc1).unwrap();
        let tbs = Sign1::parse(&cose_bytes).unwrap().to_be_signed();
        Case {
            name,
            id,
            policy,
            record,
            now,
            tbs,
        }
    }

    fn bare(&self) -> Vec<u8> {
        self.id.signer().sign(black_box(&self.tbs)).unwrap()
    }

    fn full(&self) -> issuer::Issued {
        issuer::issue_record(black_box(&self.record), &self.id, &self.policy, self.now).unwrap()
    }
}

fn benches(c: &mut Criterion, cases: &[Case]) {
    let mut g = c.benchmark_group("issue");
    for case in cases {
        g.bench_function(format!("bare_sign_{}", case.name), |b| {
            b.iter(|| case.bare())
        });
        g.bench_function(format!("full_{}", case.name), |b| b.iter(|| case.full()));
    }
    g.finish();

    // The parts of the ES256 issue: record checks, then CBOR + sign + zlib + Base45.
    let es256 = &cases[0];
    let dcc = issuer::prepare(&es256.record, &es256.policy, es256.now).unwrap();
    let mut g = c.benchmark_group("issue_stages_es256");
    g.bench_function("prepare", |b| {
        b.iter(|| issuer::prepare(black_box(&es256.record), &es256.policy, es256.now).unwrap())
    });
    g.bench_function("issue_prepared", |b| {
        b.iter(|| issuer::issue(dcc.clone(), &es256.id, &es256.policy, es256.now).unwrap())
    });
    // Inside issue_prepared: DCC → CBOR → CWT, COSE (the signature), deflate, Base45.
    let issued = issuer::issue(dcc.clone(), &es256.id, &es256.policy, es256.now).unwrap();
    let cose_bytes = hcert::hc1::unwrap(&issued.hc1).unwrap();
    let compressed = hcert::zlib::deflate(&cose_bytes).unwrap();
    g.bench_function("cwt_encode", |b| {
        b.iter(|| {
            let cbor = ciborium::Value::serialized(black_box(&dcc)).unwrap();
            hcert::cwt::encode("CZ", 1_622_628_000, 1_654_164_000, cbor).unwrap()
        })
    });
    g.bench_function("deflate_best", |b| {
        b.iter(|| hcert::zlib::deflate(black_box(&cose_bytes)).unwrap())
    });
    g.bench_function("base45_encode", |b| {
        b.iter(|| hcert::base45::encode(black_box(&compressed)))
    });
    g.finish();
}

/// issue ÷ bare sign measured alternately (blocks of 20 of each, in turns, for about a second).
fn interleaved_ratios(cases: &[Case]) {
    for case in cases {
        let mut ratios = Vec::new();
        let started = Instant::now();
        while started.elapsed() < StdDuration::from_millis(1500) || ratios.len() < 50 {
            let t = Instant::now();
            for _ in 0..20 {
                black_box(case.bare());
            }
            let bare = t.elapsed();
            let t = Instant::now();
            for _ in 0..20 {
                black_box(case.full());
            }
            let full = t.elapsed();
            ratios.push(full.as_secs_f64() / bare.as_secs_f64());
        }
        ratios.sort_by(f64::total_cmp);
        let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q) as usize];
        println!(
            "ratio issue/full_{0} ÷ issue/bare_sign_{0}: {1:.3} (quartiles {2:.3}–{3:.3}, {4} turns, interleaved)",
            case.name,
            at(0.5),
            at(0.25),
            at(0.75),
            ratios.len()
        );
    }
}

fn main() {
    let cases = vec![
        Case::new("es256", Algorithm::Es256),
        Case::new("ps256", Algorithm::Ps256),
        Case::new("eddsa", Algorithm::EdDsa),
    ];
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c, &cases);
    c.final_summary();
    // Only under `cargo bench` (not `cargo test --benches`, which runs each bench once).
    if std::env::args().any(|a| a == "--bench") {
        interleaved_ratios(&cases);
    }
}
