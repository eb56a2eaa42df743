//! The `Logic` of every member-state rule in ../shared/conformance/rules/testdata, evaluated on
//! each of its upstream tests (`{"payload", "external"}` → `expected`): real rules exercise
//! partial dates, offsets, month/year arithmetic, `reduce` and `in` over value sets.
//! Rule selection and the Rule JSON model are not this crate's; only `Logic` is read here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

fn json_files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files_under(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "json") {
            out.push(path);
        }
    }
}

#[test]
fn member_state_rules_give_their_expected_results() {
    let root = fixtures::conformance().join("rules/testdata");
    let mut rules = Vec::new();
    json_files_under(&root, &mut rules);
    rules.retain(|path| path.file_name().is_some_and(|name| name == "rule.json"));
    rules.sort();
    let (mut failures, mut tests) = (Vec::new(), 0);
    for rule_path in &rules {
        let rule: Value = serde_json::from_str(&fs::read_to_string(rule_path).unwrap()).unwrap();
        let id = rule["Identifier"].as_str().unwrap_or("?").to_owned();
        let compiled = match certlogic::compile(&rule["Logic"]) {
            Ok(compiled) => compiled,
            Err(e) => {
                failures.push(format!("{id}: Logic rejected: {e}"));
                continue;
            }
        };
        let mut test_files = Vec::new();
        json_files_under(&rule_path.parent().unwrap().join("tests"), &mut test_files);
        test_files.sort();
        for test_path in test_files {
            tests += 1;
            let test: Value =
                serde_json::from_str(&fs::read_to_string(&test_path).unwrap()).unwrap();
            let name = test_path.file_stem().unwrap().to_string_lossy();
            let data = json!({
                "payload": test.get("payload").cloned().unwrap_or(Value::Null),
                "external": test.get("external").cloned().unwrap_or(Value::Null),
            });
            let expected = &test["expected"];
            match compiled.evaluate(&data) {
                Ok(got) if &got == expected => {}
                got => failures.push(format!("{id}/{name}: expected {expected}, got {got:?}")),
            }
            // The same data assembled from borrowed parts, as the verifier passes it: the
            // payload whole, `external` member by member (the value sets among them).
            let mut external = certlogic::Data::new();
            if let Some(members) = data["external"].as_object() {
                for (key, value) in members {
                    external = external.json(key, value);
                }
            }
            let assembled = certlogic::Data::new()
                .json("payload", &data["payload"])
                .object("external", external);
            match compiled.evaluate_in(&assembled) {
                Ok(got) if &got == expected => {}
                got => failures.push(format!("{id}/{name} (assembled): got {got:?}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {tests} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!((rules.len(), tests), (101, 668), "the README's counts");
}
