//! Decode-path benchmarks on a real certificate (EU test vector CZ/1, read from the shared
//! conformance data): Base45 with our table decoder beside the `base45` crate, our inflater
//! beside flate2's zlib-rs, and each later stage (COSE parse, CWT decode, CBOR → JSON, schema)
//! so the decode time can be attributed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use hcert::cose::Sign1;
use hcert::schema::{self, Formats};
use hcert::{base45, cwt, hc1, prefix, zlib};

/// The `PREFIX` (whole `HC1:` text) of an EU test vector.
fn vector_text(relative: &str) -> String {
    let path = fixtures::conformance().join("dgc/testdata").join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let vector: serde_json::Value = serde_json::from_str(&text).unwrap();
    vector["PREFIX"].as_str().unwrap().to_string()
}

/// One whole stream through a reused flate2 (zlib-rs) inflater.
fn zlib_rs(inflater: &mut flate2::Decompress, data: &[u8]) -> Vec<u8> {
    inflater.reset(true);
    let mut out = Vec::with_capacity(data.len() * 4);
    let status = inflater
        .decompress_vec(data, &mut out, flate2::FlushDecompress::Finish)
        .unwrap();
    assert_eq!(status, flate2::Status::StreamEnd);
    out
}

fn benches(c: &mut Criterion) {
    let text = vector_text("CZ/2DCode/raw/1.json");
    let body = prefix::strip(&text).unwrap().to_string();
    let compressed = base45::decode(&body).unwrap();
    assert_eq!(::base45::decode(&body).unwrap(), compressed);
    let cose_bytes = zlib::inflate(&compressed).unwrap();
    let sign1 = Sign1::parse(&cose_bytes).unwrap();
    let claims = cwt::decode(sign1.payload()).unwrap();
    let json = cwt::to_json(&claims.dcc);

    // Baseline (the crate) beside the measured thing (our table decoder).
    let mut g = c.benchmark_group("base45");
    g.bench_function("table", |b| b.iter(|| base45::decode(black_box(&body))));
    g.bench_function("crate", |b| b.iter(|| ::base45::decode(black_box(&body))));
    g.finish();

    // Baseline (flate2's zlib-rs with a reused inflater, as `zlib::inflate` ran until it got
    // its own) beside the measured thing: CZ/1 (one dynamic-Huffman block), CH/1 (one stored
    // block) and CZ/1's COSE deflated here, as the issuer does.
    let mut g = c.benchmark_group("inflate");
    let ch = base45::decode(prefix::strip(&vector_text("CH/2DCode/raw/1.json")).unwrap()).unwrap();
    let here = zlib::deflate(&cose_bytes).unwrap();
    for (name, data) in [("cz1", &compressed), ("ch1", &ch), ("deflated_here", &here)] {
        let mut inflater = flate2::Decompress::new(true);
        assert_eq!(zlib_rs(&mut inflater, data), zlib::inflate(data).unwrap());
        g.bench_function(format!("ours_{name}"), |b| {
            b.iter(|| zlib::inflate(black_box(data)))
        });
        g.bench_function(format!("flate2_zlib_rs_{name}"), |b| {
            b.iter(|| zlib_rs(&mut inflater, black_box(data)))
        });
    }
    g.finish();

    // The later stages one by one, and the whole decode for comparison.
    let mut g = c.benchmark_group("decode");
    g.bench_function("cose_parse", |b| {
        b.iter(|| Sign1::parse(black_box(&cose_bytes)))
    });
    g.bench_function("sig_structure", |b| {
        b.iter(|| black_box(&sign1).to_be_signed())
    });
    g.bench_function("cwt_decode", |b| {
        b.iter(|| cwt::decode(black_box(sign1.payload())))
    });
    g.bench_function("to_json", |b| {
        b.iter(|| cwt::to_json(black_box(&claims.dcc)))
    });
    g.bench_function("schema_annotate", |b| {
        b.iter(|| schema::validate(black_box(&json), Formats::Annotate))
    });
    g.bench_function("hc1_to_json", |b| {
        b.iter(|| {
            let cose_bytes = hc1::unwrap(black_box(&text)).unwrap();
            let sign1 = Sign1::parse(&cose_bytes).unwrap();
            let claims = cwt::decode(sign1.payload()).unwrap();
            cwt::to_json(&claims.dcc)
        })
    });
    g.finish();
}

criterion_group!(decode, benches);
criterion_main!(decode);
