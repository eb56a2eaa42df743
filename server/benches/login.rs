//! SECURITY.md 9-10: the citizen login's first step must cost the same whether or not the
//! submitted birth number and ID card match a person with a phone. Timing belongs here, not in
//! a test assertion: `cargo bench -p server --bench login` prints both and their ratio is read
//! off criterion's report (known ÷ unknown should be ≈ 1).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use criterion::{criterion_group, criterion_main, Criterion};
use server::clock::FixedClock;
use server::service::citizen;
use server::{AppState, Config, Overrides};
use time::macros::datetime;
use tower::ServiceExt as _;

const NOW: time::OffsetDateTime = datetime!(2026-03-02 10:00 UTC);

async fn setup(dir: &std::path::Path) -> AppState {
    let env: HashMap<String, String> = [
        ("DCC_DATA_DIR".to_string(), dir.display().to_string()),
        ("DCC_OUTBOX_WORKER".to_string(), "false".to_string()),
    ]
    .into();
    let cfg = Config::load(None, &env).unwrap();
    let (app, _) = AppState::open(
        cfg.clone(),
        Arc::new(FixedClock::new(NOW)),
        Overrides::default(),
    )
    .await
    .unwrap();
    let now = NOW.unix_timestamp();
    server::admin::create_org(&cfg, "25596641", "Nemocnice", now)
        .await
        .unwrap();
    let token = server::admin::create_token(&cfg, "25596641", now)
        .await
        .unwrap()
        .token;
    let csv = dir.join("persons.csv");
    std::fs::write(&csv, "birth_number,id_card\n736028/0004,AB123456\n").unwrap();
    server::admin::import_registry(&cfg, &csv, now)
        .await
        .unwrap();
    let record = serde_json::json!({
        "person": {"birth_number": "736028/0004", "id_card": "AB123456", "family_name": "Nováková",
                   "given_name": "Eva", "dob": "1973-10-28", "phone": "+420601123456"},
        "v": {"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215",
              "dn": 2, "sd": 2, "dt": "2026-02-20"}
    });
    let req = Request::post("/api/v1/records")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(record.to_string()))
        .unwrap();
    let resp = server::app(app.clone()).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), 201);
    app
}

fn login(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = rt.block_on(setup(dir.path()));
    // Each attempt is a new flow, and the clock moves past every per-identifier and
    // per-destination cap (10 per 24 h), so each known attempt really sends.
    let now = AtomicI64::new(NOW.unix_timestamp());
    let mut group = c.benchmark_group("citizen_login_start");
    for (name, bn) in [("known", "736028/0004"), ("unknown", "805512/0007")] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let flow = server::secrets::random::<32>().unwrap();
                let at = now.fetch_add(8_641, Ordering::Relaxed);
                rt.block_on(citizen::start_login(&app, &flow, bn, "AB123456", at))
                    .unwrap();
            })
        });
    }
    group.finish();
}

criterion_group!(benches, login);
criterion_main!(benches);
