//! Issue 18, defect 3: what one uploaded picture costs a decode worker. The worst case, a
//! 4,000 × 4,000 PNG of random blocks (25–30 s in one piece before), under the 2 s budget of
//! `read_qr_within`, beside a clean 1,000 px code (the baseline) and a code photographed at
//! 4,000 px. `cargo bench -p server --bench decode`; the ratios are read off criterion's report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use server::decode_pool::{read_qr_within, Cancel};

const URL: &str = "https://dcc.example/exchange/AAAAAAAAAAAAAAAAAAAAAA";
const BUDGET: Duration = Duration::from_secs(2);

fn png(img: &image::GrayImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The code of [`URL`] with its quiet zone, about `side` pixels wide.
fn code(side: u32) -> Vec<u8> {
    let matrix = issuer::qr::encode_bytes(URL).unwrap();
    let scale = side / u32::try_from(matrix.side_with_quiet_zone()).unwrap();
    matrix.to_png(scale).unwrap()
}

/// `side` × `side` pixels of black and white `block` × `block` squares from a fixed xorshift
/// sequence: a picture full of finder-pattern look-alikes, under the 2 MiB upload limit.
pub fn noise(side: u32, block: u32) -> Vec<u8> {
    let cells = side.div_ceil(block);
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut dark = Vec::with_capacity((cells * cells) as usize);
    for _ in 0..cells * cells {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        dark.push(state & 1 == 1);
    }
    let img = image::GrayImage::from_fn(side, side, |x, y| {
        let i = (y / block * cells + x / block) as usize;
        image::Luma([if dark.get(i).copied().unwrap_or(false) {
            0
        } else {
            255
        }])
    });
    png(&img)
}

/// `DCC_BENCH_UNBOUNDED=4,8` (block sizes in pixels): one timing each, outside criterion, since
/// a full-size pass over noise takes tens of seconds: the PNG's size, the first pass alone
/// (budget 0), the 2 s budget and the whole unbounded decoder, as before the budget.
fn calibrate() {
    let Ok(blocks) = std::env::var("DCC_BENCH_UNBOUNDED") else {
        return;
    };
    let cancel = Cancel::default();
    for block in blocks
        .split(',')
        .filter_map(|b| b.trim().parse::<u32>().ok())
    {
        let bytes = noise(4000, block);
        let t = Instant::now();
        let first = read_qr_within(&bytes, Duration::ZERO, &cancel);
        let first_pass = t.elapsed();
        let t = Instant::now();
        let within = read_qr_within(&bytes, BUDGET, &cancel);
        let budgeted = t.elapsed();
        let t = Instant::now();
        let full = verifier::qr::decode(&bytes);
        let unbounded = t.elapsed();
        eprintln!(
            "noise {block} px blocks: {} KiB; first pass {first_pass:.2?} ({first:?}); 2 s budget \
             {budgeted:.2?} ({within:?}); unbounded {unbounded:.2?} ({full:?})",
            bytes.len() / 1024
        );
    }
}

fn bench(c: &mut Criterion) {
    calibrate();
    let clean = code(1000);
    let photo = code(4000);
    let noisy = noise(4000, 4);
    assert!(noisy.len() <= 2 * 1024 * 1024, "{} bytes", noisy.len());
    let cancel = Cancel::default();
    for (name, bytes) in [("clean", &clean), ("photo", &photo)] {
        assert_eq!(
            read_qr_within(bytes, BUDGET, &cancel).as_deref(),
            Ok(URL),
            "{name}"
        );
    }
    let mut g = c.benchmark_group("decode");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.bench_function("clean_1000px", |b| {
        b.iter(|| read_qr_within(&clean, BUDGET, &cancel))
    });
    g.bench_function("photo_4000px", |b| {
        b.iter(|| read_qr_within(&photo, BUDGET, &cancel))
    });
    g.bench_function("noise_4000px_budget_2s", |b| {
        b.iter(|| read_qr_within(&noisy, BUDGET, &cancel))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
