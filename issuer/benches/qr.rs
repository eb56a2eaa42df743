//! QR encoders on the `HC1:` text, alphanumeric mode, error correction Q: `fast_qr` (what
//! `issuer::qr` uses) beside `qrcode` (the crate DESIGN.md names), on the fixture vaccination
//! (ES256) and the largest realistic certificate (PS256, RSA-3072); then encode + PNG. Both
//! encoders' symbols are checked to scan back with rqrr before timing. After criterion, the
//! ratio qrcode ÷ fast_qr measured alternately.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use issuer::qr::{self, QrMatrix};
use qrcode::bits::Bits;
use qrcode::{EcLevel, QrCode, Version};

/// `qrcode` forced to alphanumeric mode in the smallest version that holds the text at Q (its
/// own optimiser may mix in numeric segments).
fn qrcode_encode(text: &str) -> QrMatrix {
    let n = text.len();
    let version = (1..=40)
        .find(|&v| {
            let count_bits = match v {
                1..=9 => 9,
                10..=26 => 11,
                _ => 13,
            };
            let need = 4 + count_bits + 11 * (n / 2) + 6 * (n % 2);
            Bits::new(Version::Normal(v))
                .max_len(EcLevel::Q)
                .is_ok_and(|cap| need <= cap)
        })
        .unwrap();
    let mut bits = Bits::new(Version::Normal(version));
    bits.push_alphanumeric_data(text.as_bytes()).unwrap();
    bits.push_terminator(EcLevel::Q).unwrap();
    let code = QrCode::with_bits(bits, EcLevel::Q).unwrap();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    QrMatrix::from_modules(code.width(), dark).unwrap()
}

fn scan(m: &QrMatrix) -> String {
    let img = image::load_from_memory(&m.to_png(4).unwrap())
        .unwrap()
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    prepared.detect_grids()[0].decode().unwrap().1
}

fn main() {
    let cases = common::typical_and_largest();
    for (name, issued) in &cases {
        let fast = qr::encode(&issued.hc1).unwrap();
        let other = qrcode_encode(&issued.hc1);
        assert_eq!(scan(&fast), issued.hc1, "fast_qr {name}");
        assert_eq!(scan(&other), issued.hc1, "qrcode {name}");
        assert_eq!(fast.version(), other.version(), "{name}");
        println!(
            "{name}: {} characters, version {} ({} modules)",
            issued.hc1.len(),
            fast.version(),
            fast.width()
        );
    }

    let mut c = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(3));
    let mut g = c.benchmark_group("qr");
    for (name, issued) in &cases {
        let text = issued.hc1.as_str();
        g.bench_function(format!("encode_fast_qr/{name}"), |b| {
            b.iter(|| qr::encode(black_box(text)).unwrap())
        });
        g.bench_function(format!("encode_qrcode/{name}"), |b| {
            b.iter(|| qrcode_encode(black_box(text)))
        });
        g.bench_function(format!("encode_png/{name}"), |b| {
            b.iter(|| qr::encode(black_box(text)).unwrap().to_png(8).unwrap())
        });
        g.bench_function(format!("encode_svg/{name}"), |b| {
            b.iter(|| qr::encode(black_box(text)).unwrap().to_svg(600))
        });
    }
    g.finish();
    c.final_summary();

    // Alternating rounds, so both crates see the same machine load.
    for (name, issued) in &cases {
        let text = issued.hc1.as_str();
        let (mut fast, mut other) = (Duration::ZERO, Duration::ZERO);
        for _ in 0..30 {
            let t = Instant::now();
            for _ in 0..10 {
                black_box(qr::encode(black_box(text)).unwrap());
            }
            fast += t.elapsed();
            let t = Instant::now();
            for _ in 0..10 {
                black_box(qrcode_encode(black_box(text)));
            }
            other += t.elapsed();
        }
        println!(
            "ratio {name}: qrcode / fast_qr = {:.2} ({:.0} µs / {:.0} µs)",
            other.as_secs_f64() / fast.as_secs_f64(),
            other.as_secs_f64() * 1e6 / 300.0,
            fast.as_secs_f64() * 1e6 / 300.0
        );
    }
}
