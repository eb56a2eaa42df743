//! Issuance outputs: `HC1:` → QR → PDF per certificate (one core; target ≤ 5 ms) beside its
//! parts (QR encode + PNG, the signature itself), for the fixture vaccination (ES256) and the
//! largest realistic certificate (PS256, RSA-3072); and batch throughput in certificates per
//! second (sign + render, rayon on every core; target ≥ 200/s on 2 cores) beside the same batch
//! on one thread. After criterion: PDF ÷ QR+PNG and batch speed-up, measured alternately.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use hcert::crypto::Algorithm;
use issuer::batch::{self, Rendered, Sink};
use issuer::names::Names;
use issuer::{pdf, qr, Issued};

const BATCH: usize = 200;

fn render(issued: &Issued) -> Vec<u8> {
    let m = qr::encode(&issued.hc1).unwrap();
    pdf::render(issued, &m, Names::embedded(), pdf::Page { country: "CZ" }).unwrap()
}

/// Keeps nothing: the batch's own work, without the disk.
struct Discard;

impl Sink for Discard {
    fn exists(&self, _stem: &str) -> bool {
        false
    }
    fn write(&self, _stem: &str, cert: &Rendered) -> Result<(), String> {
        black_box(cert.pdf.len());
        Ok(())
    }
}

/// `BATCH` distinct vaccination records, one per line.
fn jsonl() -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..BATCH {
        let mut r = common::vaccination_record();
        r["nam"]["gn"] = format!("Řehořka Anežka {i}").into();
        out.extend(serde_json::to_vec(&r).unwrap());
        out.push(b'\n');
    }
    out
}

fn run_batch(input: &[u8], id: &issuer::SigningIdentity, threads: Option<usize>) {
    let summary = batch::run(
        input,
        id,
        &common::policy(),
        batch::Options {
            now: common::now(),
            names: Names::embedded(),
            threads,
        },
        &Discard,
    );
    assert_eq!(summary.issued, BATCH, "{:?}", summary.failed);
}

fn main() {
    let cases = common::typical_and_largest();
    let es256 = common::identity(Algorithm::Es256, 2048);
    let input = jsonl();
    // Warm the fonts and value sets, which load once per process.
    black_box(render(&cases[0].1));

    let mut c = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(4));
    let mut g = c.benchmark_group("outputs");
    for (name, issued) in &cases {
        g.bench_function(format!("qr_png/{name}"), |b| {
            b.iter(|| {
                qr::encode(black_box(&issued.hc1))
                    .unwrap()
                    .to_png(8)
                    .unwrap()
            })
        });
        g.bench_function(format!("hc1_qr_pdf/{name}"), |b| {
            b.iter(|| render(black_box(issued)))
        });
    }
    let record = common::vaccination_record();
    g.bench_function("issue_es256/typical", |b| {
        b.iter(|| {
            issuer::issue_record(black_box(&record), &es256, &common::policy(), common::now())
                .unwrap()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("batch");
    g.sample_size(10);
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function("es256_all_cores", |b| {
        b.iter(|| run_batch(&input, &es256, None))
    });
    g.bench_function("es256_one_thread", |b| {
        b.iter(|| run_batch(&input, &es256, Some(1)))
    });
    g.finish();
    c.final_summary();

    for (name, issued) in &cases {
        let (mut pdf_t, mut png_t) = (Duration::ZERO, Duration::ZERO);
        for _ in 0..20 {
            let t = Instant::now();
            for _ in 0..5 {
                black_box(render(issued));
            }
            pdf_t += t.elapsed();
            let t = Instant::now();
            for _ in 0..5 {
                black_box(qr::encode(&issued.hc1).unwrap().to_png(8).unwrap());
            }
            png_t += t.elapsed();
        }
        println!(
            "ratio {name}: HC1→QR→PDF / QR+PNG = {:.2} ({:.2} ms / {:.2} ms)",
            pdf_t.as_secs_f64() / png_t.as_secs_f64(),
            pdf_t.as_secs_f64() * 1e3 / 100.0,
            png_t.as_secs_f64() * 1e3 / 100.0
        );
    }
    let (mut all, mut one) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..3 {
        let t = Instant::now();
        run_batch(&input, &es256, None);
        all += t.elapsed();
        let t = Instant::now();
        run_batch(&input, &es256, Some(1));
        one += t.elapsed();
    }
    println!(
        "batch: {:.0} certificates/s on all cores, {:.0}/s on one thread (speed-up {:.2})",
        3.0 * BATCH as f64 / all.as_secs_f64(),
        3.0 * BATCH as f64 / one.as_secs_f64(),
        one.as_secs_f64() / all.as_secs_f64()
    );
}
