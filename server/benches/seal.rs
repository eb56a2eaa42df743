//! What sealing the outbox costs (issue 18 defect 5): AES-256-GCM over an SMS, an e-mail and a
//! certificate e-mail with its PDF, beside copying the same bytes (the baseline every message
//! pays anyway). `cargo bench -p server --bench seal`; the notes read the ratio off criterion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use server::secrets::Secrets;

fn seal(c: &mut Criterion) {
    let key = Secrets::new([7; 32])
        .sealing_key(server::store::OUTBOX_KEY_LABEL)
        .unwrap();
    let aad = b"email\0jana@example.cz";
    let mut g = c.benchmark_group("outbox_seal");
    // An SMS code, a reset-link e-mail, a certificate e-mail with a PDF of 64 and 256 KiB.
    for size in [160usize, 2 * 1024, 64 * 1024, 256 * 1024] {
        let plain: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let sealed = key.seal(aad, &plain).unwrap();
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_with_input(BenchmarkId::new("copy", size), &plain, |b, p| {
            b.iter(|| std::hint::black_box(p.clone()))
        });
        g.bench_with_input(BenchmarkId::new("seal", size), &plain, |b, p| {
            b.iter(|| key.seal(aad, p).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("open", size), &sealed, |b, s| {
            b.iter(|| key.open(aad, s).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, seal);
criterion_main!(benches);
