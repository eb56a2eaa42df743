//! QR decoding benchmarks (issue 20): `verifier::qr::decode` on phone photos of a certificate
//! issued here, 1280 × 720 and 4000 × 3000 JPEG, and on the same photos with a blank sheet
//! (the worst case: every pass runs and finds nothing). Each carries its baseline, the JPEG
//! decoded to luminance alone, so the report gives the reader's share. One thread;
//! `taskset -c 0 cargo bench -p verifier --bench qr`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../tests/distort/mod.rs"]
mod distort;

use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use distort::Code;

/// The allocator the `dcc` binary ships with, so the figures describe the shipped program.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let hc1 = distort::fixture_hc1();
    let code = Code::of(&issuer::qr::encode(&hc1).unwrap());
    // A code filling about half the frame's height, as a scanner's preview shows it.
    let cases = [
        ("1280x720", (1280, 720), 420.0),
        ("4000x3000", (4000, 3000), 1500.0),
    ];
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    for (name, frame, side) in cases {
        let with = distort::photo(&code, false, frame, side, 20).bytes;
        let blank = distort::photo(&code, true, frame, side, 20).bytes;
        assert_eq!(
            verifier::qr::decode(&with).as_deref(),
            Ok(hc1.as_str()),
            "{name}"
        );
        assert!(verifier::qr::decode(&blank).is_err(), "{name} blank");
        let mut g = c.benchmark_group(format!("qr_{name}"));
        g.bench_function("jpeg_to_luma", |b| {
            b.iter(|| {
                image::load_from_memory(black_box(&with))
                    .unwrap()
                    .into_luma8()
            })
        });
        g.bench_function("code", |b| {
            b.iter(|| verifier::qr::decode(black_box(&with)))
        });
        g.bench_function("no_code", |b| {
            b.iter(|| verifier::qr::decode(black_box(&blank)))
        });
        g.finish();
    }
    c.final_summary();
}
