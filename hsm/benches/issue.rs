//! HC1 issuance with an ES256 key in SoftHSM against the same with an in-process aws-lc-rs key,
//! in one run: `issue_record` of the vaccination fixture beside its baseline, the bare
//! `Signer::sign` of its Sig_structure. After criterion, `cargo bench` prints the SoftHSM ÷
//! aws-lc-rs ratios measured alternately.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../tests/softhsm/support.rs"]
#[allow(dead_code)]
mod support;

use std::hint::black_box;
use std::time::{Duration as StdDuration, Instant};

use criterion::Criterion;
use hcert::cose::Sign1;
use hcert::crypto::{default_backend, Algorithm};
use hsm::KeySpec;
use issuer::keys;
use issuer::{Policy, SigningIdentity};
use serde_json::Value as Json;
use support::NOW;

struct Case {
    name: &'static str,
    id: SigningIdentity,
    policy: Policy,
    record: Json,
    tbs: Vec<u8>,
}

impl Case {
    fn new(name: &'static str, id: SigningIdentity) -> Case {
        let record = fixtures::records()
            .unwrap()
            .into_iter()
            .find(|(k, _)| k == "vaccination")
            .unwrap()
            .1;
        let policy = Policy::new(b"bench secret".to_vec());
        let issued = issuer::issue_record(&record, &id, &policy, NOW).unwrap();
        let cose_bytes = hcert::hc1::unwrap(&issued.hc1).unwrap();
        let tbs = Sign1::parse(&cose_bytes).unwrap().to_be_signed();
        Case {
            name,
            id,
            policy,
            record,
            tbs,
        }
    }

    fn bare(&self) -> Vec<u8> {
        self.id.signer().sign(black_box(&self.tbs)).unwrap()
    }

    fn full(&self) -> issuer::Issued {
        issuer::issue_record(black_box(&self.record), &self.id, &self.policy, NOW).unwrap()
    }
}

/// The ES256 DSC of `dcc keys generate`, key in process.
fn in_process() -> SigningIdentity {
    let dev = keys::generate(&support::dsc_options(Algorithm::Es256, Vec::new())).unwrap();
    SigningIdentity::load(
        dev.dsc.key_pem.as_bytes(),
        dev.dsc.cert_pem.as_bytes(),
        default_backend(),
    )
    .unwrap()
}

/// An ES256 key made in a SoftHSM token, with a development DSC.
fn in_softhsm() -> SigningIdentity {
    let token = support::token("bench");
    token.generate("dsc", KeySpec::Es256).unwrap();
    let signer = token.signer("dsc", Algorithm::Es256).unwrap();
    let opts = support::dsc_options(Algorithm::Es256, Vec::new());
    let dev = keys::generate(&opts).unwrap();
    let dsc = hsm::dev_dsc(
        &signer,
        dev.csca.cert_pem.as_bytes(),
        &dev.csca.key_pem,
        &opts,
    )
    .unwrap();
    SigningIdentity::from_signer(Box::new(signer), &dsc, default_backend()).unwrap()
}

fn benches(c: &mut Criterion, cases: &[Case]) {
    let mut g = c.benchmark_group("hsm_issue");
    for case in cases {
        g.bench_function(format!("bare_sign_{}", case.name), |b| {
            b.iter(|| case.bare())
        });
        g.bench_function(format!("full_{}", case.name), |b| b.iter(|| case.full()));
    }
    g.finish();
}

/// SoftHSM ÷ aws-lc-rs, for the bare signature and the whole issue, measured alternately
/// (blocks of 20 of each, in turns, for about a second and a half).
fn interleaved_ratios(local: &Case, token: &Case) {
    type Run = fn(&Case);
    let runs: [(&str, Run); 2] = [
        ("bare_sign", |c| {
            black_box(c.bare());
        }),
        ("full", |c| {
            black_box(c.full());
        }),
    ];
    for (what, run) in runs {
        let mut ratios = Vec::new();
        let started = Instant::now();
        while started.elapsed() < StdDuration::from_millis(1500) || ratios.len() < 50 {
            let t = Instant::now();
            for _ in 0..20 {
                run(local);
            }
            let local_time = t.elapsed();
            let t = Instant::now();
            for _ in 0..20 {
                run(token);
            }
            ratios.push(t.elapsed().as_secs_f64() / local_time.as_secs_f64());
        }
        ratios.sort_by(f64::total_cmp);
        let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q) as usize];
        println!(
            "ratio hsm_issue/{what}_{1} ÷ hsm_issue/{what}_{0}: {2:.3} (quartiles {3:.3}–{4:.3}, {5} turns, interleaved)",
            local.name,
            token.name,
            at(0.5),
            at(0.25),
            at(0.75),
            ratios.len()
        );
    }
}

fn main() {
    let cases = [
        Case::new("es256_aws_lc", in_process()),
        Case::new("es256_softhsm", in_softhsm()),
    ];
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c, &cases);
    c.final_summary();
    // Only under `cargo bench` (not `cargo test --benches`, which runs each bench once).
    if std::env::args().any(|a| a == "--bench") {
        interleaved_ratios(&cases[0], &cases[1]);
    }
}
