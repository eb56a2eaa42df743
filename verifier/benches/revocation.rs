//! Revocation with 1,000,000 entries (1,000 gateway batches, three hash types, 100 kids): load,
//! lookup alone (spread probes), hashes + lookup beside hashing alone, `verify_text` with and
//! without the list; under `cargo bench` also the structure's memory and an interleaved ratio.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::time::{Duration as StdDuration, Instant};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use criterion::Criterion;
use hcert::cose::Sign1;
use hcert::crypto::{default_backend, Algorithm};
use hcert::{cwt, hc1};
use issuer::keys::{self, KeyOptions};
use issuer::{Policy, SigningIdentity};
use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use trust_list::TrustList;
use verifier::revocation::{CertHashes, HashType, RevocationList};
use verifier::{Check, Context, Outcome};

const BATCHES: usize = 1_000;
const PER_BATCH: usize = 1_000;
const KIDS: usize = 100;
const NOW: OffsetDateTime = datetime!(2021-06-02 10:00 UTC);

/// A deterministic pseudo-random 16-byte hash.
fn hash(i: u64) -> [u8; 16] {
    Sha256::digest(i.to_le_bytes())[..16].try_into().unwrap()
}

fn kid(i: usize) -> [u8; 8] {
    (i as u64).to_be_bytes()
}

/// The gateway JSON of the 1M entries: one array of batches.
fn list_json() -> Vec<u8> {
    let batches: Vec<Json> = (0..BATCHES)
        .map(|b| {
            let entries: Vec<Json> = (0..PER_BATCH)
                .map(|e| json!({ "hash": B64.encode(hash((b * PER_BATCH + e) as u64)) }))
                .collect();
            json!({
                "country": "CZ",
                "expires": "2030-01-01T00:00:00Z",
                "kid": B64.encode(kid(b % KIDS)),
                "hashType": HashType::ALL[b % 3].name(),
                "entries": entries,
            })
        })
        .collect();
    serde_json::to_vec(&batches).unwrap()
}

/// A certificate, decoded, and its trust.
struct Cert {
    text: String,
    sign1: Sign1,
    issuer: Option<String>,
    dcc: Json,
    trust: TrustList,
}

fn cert() -> Cert {
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
    let record = fixtures::records().unwrap().remove(0).1;
    let issued = issuer::issue_record(&record, &id, &Policy::new(b"bench".to_vec()), NOW).unwrap();
    let sign1 = Sign1::parse(&hc1::unwrap(&issued.hc1).unwrap()).unwrap();
    let claims = cwt::decode(sign1.payload()).unwrap();
    Cert {
        text: issued.hc1,
        issuer: claims.issuer.clone(),
        dcc: cwt::to_json(&claims.dcc),
        sign1,
        trust: TrustList::from_dscs([id.dsc.clone()], default_backend()),
    }
}

fn at() -> OffsetDateTime {
    NOW + Duration::hours(1)
}

fn main() {
    let text = list_json();
    let started = Instant::now();
    let list = RevocationList::from_json("bench.json", &text).unwrap();
    let load_once = started.elapsed();
    assert_eq!(list.len(), BATCHES * PER_BATCH);
    let cert = cert();

    // Probes: misses with random hashes, and hits (UCI entries of their batch's kid).
    let misses: Vec<CertHashes> = (0..4096u64)
        .map(|i| CertHashes {
            uci: Some(hash(u64::MAX - 3 * i)),
            country_code_uci: Some(hash(u64::MAX - 3 * i - 1)),
            signature: Some(hash(u64::MAX - 3 * i - 2)),
        })
        .collect();
    let hits: Vec<(CertHashes, [u8; 8])> = (0..4096usize)
        .map(|i| {
            let b = (i * 3 * 7) % BATCHES / 3 * 3; // a UCI batch
            let h = hash((b * PER_BATCH + i % PER_BATCH) as u64);
            let probe = CertHashes {
                uci: Some(h),
                ..misses[i]
            };
            (probe, kid(b % KIDS))
        })
        .collect();
    for (probe, k) in &hits[..16] {
        assert!(list.lookup(probe, Some(k), Some("CZ"), at()).is_some());
    }
    let cert_kid = cert.sign1.kid.clone().unwrap();

    let mut c = Criterion::default().configure_from_args();
    {
        let mut g = c.benchmark_group("revocation");
        g.sample_size(10)
            .measurement_time(StdDuration::from_secs(20));
        g.bench_function("load_1m_entries_json", |b| {
            b.iter(|| RevocationList::from_json("bench.json", black_box(&text)).unwrap())
        });
    }
    {
        let mut g = c.benchmark_group("revocation");
        let mut i = 0usize;
        g.bench_function("lookup_only_miss_3_hashes", |b| {
            b.iter(|| {
                i = (i + 1) & 4095;
                list.lookup(black_box(&misses[i]), Some(&cert_kid), Some("CZ"), at())
            })
        });
        let mut i = 0usize;
        g.bench_function("lookup_only_hit", |b| {
            b.iter(|| {
                i = (i + 1) & 4095;
                let (probe, k) = &hits[i];
                list.lookup(black_box(probe), Some(k), Some("CZ"), at())
            })
        });
        // Baseline: the three SHA-256 alone, then with the lookups, for a decoded certificate.
        g.bench_function("hashes_only", |b| {
            b.iter(|| CertHashes::of(black_box(&cert.sign1), cert.issuer.as_deref(), &cert.dcc))
        });
        g.bench_function("hashes_and_lookup", |b| {
            b.iter(|| {
                verifier::revocation::check(
                    &list,
                    black_box(&cert.sign1),
                    cert.issuer.as_deref(),
                    &cert.dcc,
                    at(),
                )
            })
        });
        // The whole verification, without and with the list.
        g.bench_function("verify_text_without_list", |b| {
            b.iter(|| {
                verifier::verify_text(black_box(&cert.text), &Context::new(&cert.trust, at()))
            })
        });
        g.bench_function("verify_text_with_1m_list", |b| {
            b.iter(|| {
                let ctx = Context::new(&cert.trust, at()).with_revocation(&list);
                verifier::verify_text(black_box(&cert.text), &ctx)
            })
        });
        g.finish();
    }
    c.final_summary();

    let report = verifier::verify_text(
        &cert.text,
        &Context::new(&cert.trust, at()).with_revocation(&list),
    );
    assert_eq!(report.outcome(Check::Revocation), &Outcome::Pass);
    if std::env::args().any(|a| a == "--bench") {
        interleaved(&cert, &list);
        let bytes = list.memory_bytes();
        println!(
            "revocation list: {} entries in {} batches, {:.1} MiB ({:.1} bytes/entry: 16 hash + 4 \
             batch + index and batch records); JSON {:.1} MiB, loaded once in {:.0} ms",
            list.len(),
            list.batch_count(),
            bytes as f64 / (1024.0 * 1024.0),
            bytes as f64 / list.len() as f64,
            text.len() as f64 / (1024.0 * 1024.0),
            load_once.as_secs_f64() * 1e3,
        );
    }
}

/// `verify_text` without and with the list, alternately in one loop, so that load from other
/// processes falls on both alike: the difference is what revocation adds per certificate.
fn interleaved(cert: &Cert, list: &RevocationList) {
    const ROUNDS: u32 = 20_000;
    let (mut without, mut with) = (StdDuration::ZERO, StdDuration::ZERO);
    let plain = Context::new(&cert.trust, at());
    let revoking = Context::new(&cert.trust, at()).with_revocation(list);
    for _ in 0..ROUNDS {
        let t = Instant::now();
        black_box(verifier::verify_text(black_box(&cert.text), &plain));
        without += t.elapsed();
        let t = Instant::now();
        black_box(verifier::verify_text(black_box(&cert.text), &revoking));
        with += t.elapsed();
    }
    let (a, b) = (without / ROUNDS, with / ROUNDS);
    println!(
        "verify_text interleaved: without list {a:?}, with 1M-entry list {b:?} (ratio {:.3}, \
         difference {:?} per certificate)",
        b.as_secs_f64() / a.as_secs_f64(),
        b.saturating_sub(a),
    );
}
