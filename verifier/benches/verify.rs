//! Verify benchmarks: each full verification (`verify_text` of the whole `HC1:` text) beside its
//! baseline, the bare `VerifyKey::verify` of the same Sig_structure and signature with the same
//! parsed key; ES256 and PS256-2048 from EU test vectors (CZ/1, CH/1), PS256-3072, EdDSA and ES256
//! certificates signed here. Also the decode alone and each check, to attribute the difference.
//! After criterion, `cargo bench` prints full ÷ bare measured alternately in one loop.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use criterion::Criterion;
use hcert::cose::Sign1;
use hcert::crypto::{aws_lc, default_backend, Algorithm, PublicKeyInfo, VerifyKey};
use hcert::{cose, cwt, hc1, translit, uvci};
use serde_json::Value as Json;
use time::{Duration, OffsetDateTime};
use trust_list::{Dsc, KeyUsage, TrustList};
use verifier::{checks, Context};

/// The allocator the `dcc` binary ships with, so the ratios describe the shipped program.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A certificate with what it takes to verify it, and its bare signature check.
struct Case {
    name: &'static str,
    text: String,
    trust: TrustList,
    at: OffsetDateTime,
    alg: Algorithm,
    key: Arc<dyn VerifyKey>,
    tbs: Vec<u8>,
    signature: Vec<u8>,
}

impl Case {
    fn new(name: &'static str, text: String, trust: TrustList, at: OffsetDateTime) -> Case {
        let sign1 = Sign1::parse(&hc1::unwrap(&text).unwrap()).unwrap();
        let candidates = trust.candidates(sign1.kid.as_deref().unwrap());
        let key = candidates[0].key.clone().unwrap();
        let alg = sign1.alg_id.as_ref().unwrap().algorithm().unwrap();
        let case = Case {
            name,
            alg,
            key,
            tbs: sign1.to_be_signed(),
            signature: sign1.signature().to_vec(),
            text,
            trust,
            at,
        };
        let report = case.full();
        let errors: Vec<_> = report.errors().collect();
        assert!(report.is_valid(), "{name}: {errors:?}");
        case.bare();
        case
    }

    fn bare(&self) {
        self.key
            .verify(self.alg, black_box(&self.tbs), black_box(&self.signature))
            .unwrap();
    }

    fn full(&self) -> verifier::Report {
        verifier::verify_text(black_box(&self.text), &Context::new(&self.trust, self.at))
    }
}

fn vector(name: &'static str, relative: &str) -> Case {
    let path = fixtures::conformance().join("dgc/testdata").join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: Json = serde_json::from_str(&text).unwrap();
    let dsc =
        trust_list::parse_certificate(v["TESTCTX"]["CERTIFICATE"].as_str().unwrap().as_bytes())
            .unwrap();
    let at = OffsetDateTime::parse(
        v["TESTCTX"]["VALIDATIONCLOCK"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    Case::new(
        name,
        v["PREFIX"].as_str().unwrap().to_string(),
        TrustList::from_dscs([dsc], default_backend()),
        at,
    )
}

/// Signs the vaccination fixture with a fresh key, as the issuer does (ICAO names, UVCI, CWT,
/// COSE, HC1); the DSC facts are built directly, since X.509 is not what is measured.
fn issued(name: &'static str, alg: Algorithm, rsa_bits: usize) -> Case {
    let now = OffsetDateTime::from_unix_timestamp(1_622_628_000).unwrap(); // 2021-06-02 10:00 UTC
    let backend = default_backend();
    let pkcs8 = aws_lc::generate_pkcs8(alg, rsa_bits).unwrap();
    let public = aws_lc::public_key_of(alg, &pkcs8).unwrap();
    let public_key = match alg {
        Algorithm::Es256 => PublicKeyInfo::P256(public.clone()),
        Algorithm::Ps256 => PublicKeyInfo::Rsa {
            pkcs1_der: public.clone(),
            bits: rsa_bits,
        },
        Algorithm::EdDsa => PublicKeyInfo::Ed25519(public.clone()),
    };
    let dsc = Dsc {
        der: public,
        kid: [0xBE, 0xAC, 0x00, 0x01, 0x02, 0x03, 0x04, rsa_bits as u8],
        country: Some("CZ".into()),
        subject: format!("C=CZ, CN=bench {alg}"),
        not_before: (now - Duration::days(10)).unix_timestamp(),
        not_after: (now + Duration::days(400)).unix_timestamp(),
        key_usage: KeyUsage::UNRESTRICTED,
        public_key,
    };
    let signer = backend.signer(alg, &pkcs8).unwrap();
    let records = fixtures::records().unwrap();
    let mut record = records
        .into_iter()
        .find(|(k, _)| k == "vaccination")
        .unwrap()
        .1;
    for (plain, std) in [("fn", "fnt"), ("gn", "gnt")] {
        let t = translit::icao(record["nam"][plain].as_str().unwrap(), 80);
        record["nam"][std] = Json::from(t);
    }
    record["v"][0]["ci"] = Json::from(uvci::build("CZ", b"bench", b"vaccination").unwrap());
    let dcc: hcert::dcc::Dcc = serde_json::from_value(record).unwrap();
    let claims = cwt::encode(
        "CZ",
        now.unix_timestamp(),
        (now + Duration::days(365)).unix_timestamp(),
        ciborium::Value::serialized(&dcc).unwrap(),
    )
    .unwrap();
    let cose_bytes = cose::sign(claims, &dsc.kid, signer.as_ref()).unwrap();
    let text = hc1::wrap(&cose_bytes).unwrap();
    Case::new(
        name,
        text,
        TrustList::from_dscs([dsc], backend),
        now + Duration::hours(1),
    )
}

fn cases() -> Vec<Case> {
    vec![
        vector("es256", "CZ/2DCode/raw/1.json"),
        issued("es256_issued", Algorithm::Es256, 0),
        vector("ps256_2048", "CH/2DCode/raw/1.json"),
        issued("ps256_3072", Algorithm::Ps256, 3072),
        issued("eddsa", Algorithm::EdDsa, 0),
    ]
}

/// prefix → Base45 → inflate → COSE parse → CWT claims and the DCC read as a `Node` (one pass,
/// as `verify_text`).
fn decode_only(text: &str) -> usize {
    let cose_bytes = hc1::unwrap(text).unwrap();
    let sign1 = Sign1::parse(&cose_bytes).unwrap();
    let (_, dcc, _) = cwt::decode_node(sign1.payload()).unwrap();
    black_box(&dcc);
    dcc.as_object().map_or(0, |o| o.entries().count())
}

fn benches(c: &mut Criterion, cases: &[Case]) {
    let mut g = c.benchmark_group("verify");
    for case in cases {
        g.bench_function(format!("bare_{}", case.name), |b| b.iter(|| case.bare()));
        g.bench_function(format!("full_hc1_{}", case.name), |b| {
            b.iter(|| case.full())
        });
    }
    let es256 = &cases[0];
    g.bench_function("decode_only", |b| {
        b.iter(|| decode_only(black_box(&es256.text)))
    });
    g.finish();

    // Each part of the ES256 full verify (CZ/1), to see where the time beyond the bare
    // signature goes.
    let cose_bytes = hc1::unwrap(&es256.text).unwrap();
    let sign1 = Sign1::parse(&cose_bytes).unwrap();
    let claims = cwt::decode(sign1.payload()).unwrap();
    let dcc = cwt::to_json(&claims.dcc);
    let signer = checks::signature::check(&sign1, &es256.trust);
    let dsc = signer.verified_by().unwrap();
    let mut g = c.benchmark_group("verify_stages_es256");
    g.bench_function("hc1_unwrap", |b| {
        b.iter(|| hc1::unwrap(black_box(&es256.text)))
    });
    g.bench_function("cose_parse", |b| {
        b.iter(|| Sign1::parse(black_box(&cose_bytes)))
    });
    g.bench_function("cwt_decode", |b| {
        b.iter(|| cwt::decode(black_box(sign1.payload())))
    });
    g.bench_function("to_json", |b| {
        b.iter(|| cwt::to_json(black_box(&claims.dcc)))
    });
    // CBOR straight to claims and JSON, as the report builds it when asked.
    g.bench_function("cwt_decode_json", |b| {
        b.iter(|| cwt::decode_json(black_box(sign1.payload())))
    });
    // What the verifier runs: CBOR straight to claims and the DCC as a `Node`.
    g.bench_function("cwt_decode_node", |b| {
        b.iter(|| {
            cwt::decode_node(black_box(sign1.payload()))
                .map(|(_, n, _)| black_box(n).as_object().is_some())
        })
    });
    let (_, node, _) = cwt::decode_node(sign1.payload()).unwrap();
    g.bench_function("signature_check", |b| {
        b.iter(|| checks::signature::check(black_box(&sign1), &es256.trust).outcome)
    });
    g.bench_function("expiry", |b| {
        b.iter(|| checks::expiry::check(black_box(&claims), Some(dsc), es256.at))
    });
    g.bench_function("key_usage", |b| {
        b.iter(|| checks::key_usage::check(&dsc.key_usage, black_box(&dcc)))
    });
    g.bench_function("schema", |b| {
        b.iter(|| checks::schema::check(black_box(&dcc)))
    });
    g.bench_function("schema_node", |b| {
        b.iter(|| checks::schema::check(black_box(&node)))
    });
    g.finish();
}

/// full ÷ bare measured alternately (blocks of 20 of each, in turns, for about a second), so
/// both see the same machine load; prints the median, and the quartiles, of the per-turn ratios.
fn interleaved_ratios(cases: &[Case]) {
    for case in cases {
        let mut ratios = Vec::new();
        let started = Instant::now();
        while started.elapsed() < StdDuration::from_millis(1500) || ratios.len() < 50 {
            let t = Instant::now();
            for _ in 0..20 {
                case.bare();
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
            "ratio verify/full_hc1_{0} ÷ verify/bare_{0}: {1:.3} (quartiles {2:.3}–{3:.3}, {4} turns, interleaved)",
            case.name,
            at(0.5),
            at(0.25),
            at(0.75),
            ratios.len()
        );
    }
}

fn main() {
    let cases = cases();
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c, &cases);
    c.final_summary();
    // Only under `cargo bench` (not `cargo test --benches`, which runs each bench once).
    if std::env::args().any(|a| a == "--bench") {
        interleaved_ratios(&cases);
    }
}
