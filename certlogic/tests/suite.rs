//! The official CertLogic test suites (specification 1.3.3), read from ../shared/conformance at
//! test time: every evaluation assertion and every validation case; each failure names its case.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashSet;
use std::fs;
use std::path::PathBuf;

use serde_json::{json, Value};

fn conformance_dir() -> PathBuf {
    fixtures::conformance().join("certlogic")
}

/// Suite files of one folder, sorted, with the case-id prefix the harness uses.
fn suite_files(folder: &str) -> Vec<(String, Value)> {
    let dir = conformance_dir().join(folder);
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no suite files in {}", dir.display());
    paths
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            let text = fs::read_to_string(&path).unwrap();
            (
                format!("{folder}/{name}"),
                serde_json::from_str(&text).unwrap(),
            )
        })
        .collect()
}

/// Case ids that `known_issues.csv` excuses (its README: those are not graded).
fn known_issues() -> HashSet<String> {
    let text = fs::read_to_string(conformance_dir().join("known_issues.csv")).unwrap_or_default();
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.starts_with("case_id,") && !line.is_empty())
        .filter_map(|line| line.split(',').next())
        .map(|id| id.trim().to_owned())
        .collect()
}

/// Deep equality as the harness grades: numbers by value, `true` never equal to `1`.
fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

fn is_skip(value: &Value) -> bool {
    value.get("directive").and_then(Value::as_str) == Some("skip")
}

#[test]
fn evaluation_suite() {
    let known = known_issues();
    let (mut failures, mut graded, mut skipped) = (Vec::new(), 0, 0);
    for (file, suite) in suite_files("testSuite") {
        for (ci, case) in suite["cases"].as_array().unwrap().iter().enumerate() {
            let name = case["name"]
                .as_str()
                .map_or_else(|| format!("case {}", ci + 1), str::to_owned);
            for (ai, assertion) in case["assertions"].as_array().unwrap().iter().enumerate() {
                let id = format!("{file}::{name}::#{}", ai + 1);
                if is_skip(&suite) || is_skip(case) || is_skip(assertion) || known.contains(&id) {
                    skipped += 1;
                    continue;
                }
                graded += 1;
                let logic = assertion
                    .get("certLogicExpression")
                    .unwrap_or(&case["certLogicExpression"]);
                let data = assertion.get("data").unwrap_or(&Value::Null);
                let got = certlogic::evaluate(logic, data);
                // An object as data, assembled from its members, gives the same answer.
                if let (Some(members), Ok(compiled)) = (data.as_object(), certlogic::compile(logic))
                {
                    let assembled = members
                        .iter()
                        .fold(certlogic::Data::new(), |d, (k, v)| d.json(k, v));
                    let again = compiled.evaluate_in(&assembled);
                    let same = match (&got, &again) {
                        (Ok(a), Ok(b)) => json_equal(a, b),
                        (Err(_), Err(_)) => true,
                        _ => false,
                    };
                    if !same {
                        failures.push(format!("{id}: {got:?}, assembled {again:?}"));
                    }
                }
                if assertion.get("expectedError") == Some(&json!(true)) {
                    if let Ok(value) = got {
                        failures.push(format!("{id}: expected an error, got {value}"));
                    }
                    continue;
                }
                let expected = &assertion["expected"];
                match got {
                    Ok(value) if json_equal(&value, expected) => {}
                    Ok(value) => failures.push(format!("{id}: expected {expected}, got {value}")),
                    Err(e) => failures.push(format!("{id}: expected {expected}, got error {e}")),
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {graded} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The README's count: 232 assertions, 14 skipped upstream.
    assert_eq!((graded, skipped), (218, 14));
}

#[test]
fn validation_suite() {
    let known = known_issues();
    let (mut failures, mut graded) = (Vec::new(), 0);
    for (file, suite) in suite_files("validation-testSuite") {
        let suite_name = suite["name"].as_str().unwrap_or_default().to_owned();
        for (ci, case) in suite["cases"].as_array().unwrap().iter().enumerate() {
            let name = case["name"]
                .as_str()
                .map_or_else(|| format!("case {}", ci + 1), str::to_owned);
            let id = format!("{file}::{name}");
            if is_skip(&suite) || is_skip(case) || known.contains(&id) {
                continue;
            }
            graded += 1;
            let logic = &case["certLogicExpression"];
            let invalid = !case["issues"].as_array().unwrap().is_empty();
            let issues = certlogic::validate(logic);
            let compiled = certlogic::compile(logic);
            if invalid {
                if issues.is_empty() || compiled.is_ok() {
                    failures.push(format!(
                        "{id} ({suite_name}): {logic} accepted, expected issues"
                    ));
                }
                continue;
            }
            if !issues.is_empty() {
                failures.push(format!("{id} ({suite_name}): {logic} rejected: {issues:?}"));
                continue;
            }
            // Valid ones evaluate on `{}`: literals to themselves, `var` to the context or null.
            let expected = match logic {
                Value::Object(op) if op.contains_key("var") => {
                    if op["var"] == json!("") {
                        json!({})
                    } else {
                        Value::Null
                    }
                }
                literal => literal.clone(),
            };
            match compiled.map(|c| c.evaluate(&json!({}))) {
                Ok(Ok(value)) if json_equal(&value, &expected) => {}
                other => {
                    failures.push(format!("{id}: {logic} gave {other:?}, expected {expected}"))
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {graded} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(graded, 23);
}
