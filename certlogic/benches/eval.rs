//! One country's whole rule set (CH, 20 rules from ../shared/conformance/rules/testdata) on one
//! vaccination payload: `rules/compiled` evaluates compiled rules (the verifier's path);
//! baselines `rules/compile_and_evaluate` (compiling every time) and `rules/compile` alone.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::path::Path;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};

const COUNTRY: &str = "CH";

/// The rules' `Logic`, and the data of the first test with a vaccination in its payload.
fn rule_set() -> (Vec<Value>, Value) {
    let dir = fixtures::conformance().join("rules/testdata").join(COUNTRY);
    let mut rule_dirs: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    rule_dirs.sort();
    let read = |path: &Path| -> Value {
        serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
    };
    let mut logics = Vec::new();
    let mut data = None;
    for rule_dir in rule_dirs.iter().filter(|d| d.is_dir()) {
        logics.push(read(&rule_dir.join("rule.json"))["Logic"].clone());
        let mut tests: Vec<_> = fs::read_dir(rule_dir.join("tests"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        tests.sort();
        for test in tests {
            let test = read(&test);
            let vaccinated = test["payload"]["v"]
                .as_array()
                .is_some_and(|v| !v.is_empty());
            if data.is_none() && vaccinated {
                data = Some(json!({"payload": test["payload"], "external": test["external"]}));
            }
        }
    }
    (logics, data.expect("a test with a vaccination payload"))
}

fn rules(c: &mut Criterion) {
    let (logics, data) = rule_set();
    let compiled: Vec<_> = logics
        .iter()
        .map(|l| certlogic::compile(l).unwrap())
        .collect();
    let mut group = c.benchmark_group("rules");
    group.bench_function("compiled", |b| {
        b.iter(|| {
            for rule in &compiled {
                black_box(rule.evaluate(black_box(&data)).ok());
            }
        })
    });
    group.bench_function("compile_and_evaluate", |b| {
        b.iter(|| {
            for logic in &logics {
                black_box(certlogic::evaluate(black_box(logic), black_box(&data)).ok());
            }
        })
    });
    group.bench_function("compile", |b| {
        b.iter(|| {
            for logic in &logics {
                black_box(certlogic::compile(black_box(logic)).ok());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, rules);
criterion_main!(benches);
