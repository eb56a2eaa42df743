//! Issue 18: a captcha picture is drawn again from its token on every picture request, so its
//! CPU cost is paid per anonymous request (bounded by `portal.captcha_per_minute` per client).
//! `cargo bench -p server --bench captcha` prints the drawing beside two references in the same
//! run: sealing/opening a token (what a page view costs now) and one argon2id PIN check with
//! SECURITY.md 7's parameters (what every sign-in POST costs).
//!
//! 2026-12-07, 2 shared cores at load 8–10, workspace at opt-level 3 and dependencies at 2
//! (`CARGO_PROFILE_DEV_OPT_LEVEL=3 cargo bench -p server --bench captcha --profile dev`):
//! render_png 2.78 ms, token_seal 2.1 µs, token_open 1.9 µs, argon2id 48.2 ms; a picture is
//! about 1/17 of a PIN check (thread CPU time, unloaded by the scheduler: 0.87 ms vs 29 ms).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, Criterion};
use server::captcha::{self, token, Captcha};

fn bench(c: &mut Criterion) {
    let challenge = Captcha {
        answer: "905172".into(),
        seed: [7; 16],
    };
    let key = [3u8; 32];
    let sealed = token::seal(&key, [1; 16], 1_772_445_900, &challenge).unwrap();
    let mut group = c.benchmark_group("captcha");
    group.bench_function("render_png", |b| {
        b.iter(|| captcha::render_png(std::hint::black_box(&challenge)).unwrap())
    });
    group.bench_function("token_seal", |b| {
        b.iter(|| token::seal(&key, [1; 16], 1_772_445_900, &challenge).unwrap())
    });
    group.bench_function("token_open", |b| {
        b.iter(|| token::open(&key, std::hint::black_box(&sealed)).unwrap())
    });
    let pins = server::pin::PinHasher::new(19_456, 2, 1).unwrap();
    let phc = pins.hash("a PIN for the bench").unwrap();
    group.sample_size(10);
    group.bench_function("baseline_argon2id_verify", |b| {
        b.iter(|| pins.verify("a PIN for the bench", &phc).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
