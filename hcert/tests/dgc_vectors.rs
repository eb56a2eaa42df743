//! The verifier's mode against the EU DCC test vectors (shared/conformance/dgc): the `JSON` of
//! every vector with an `EXPECTEDSCHEMAVALIDATION` flag must get that verdict in `Annotate` mode,
//! except the vectors `known_issues.csv` lists for that flag (upstream data errors).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use hcert::schema::{validate, Formats};
use serde_json::Value;

/// `vector,flag,...` rows naming the schema flag; the first two columns hold no quotes.
fn known_schema_issues(dir: &Path) -> BTreeSet<String> {
    fs::read_to_string(dir.join("known_issues.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut columns = line.splitn(3, ',');
            let vector = columns.next()?;
            (columns.next()? == "EXPECTEDSCHEMAVALIDATION").then(|| vector.to_owned())
        })
        .collect()
}

#[test]
fn annotate_mode_agrees_with_the_dgc_vectors() {
    let dir = fixtures::conformance().join("dgc");
    let data = dir.join("testdata");
    let known = known_schema_issues(&dir);
    let files = fixtures::json_files(&data).unwrap();
    let (mut graded, mut excused, mut failures) = (0, 0, Vec::new());
    for path in files {
        let Ok(vector) = serde_json::from_str::<Value>(&fs::read_to_string(&path).unwrap()) else {
            continue;
        };
        let expected = &vector["EXPECTEDRESULTS"]["EXPECTEDSCHEMAVALIDATION"];
        let (Some(expected), Some(payload)) = (expected.as_bool(), vector.get("JSON")) else {
            continue;
        };
        if payload.is_null() {
            continue;
        }
        let id = path
            .strip_prefix(&data)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if known.contains(&id) {
            excused += 1;
            continue;
        }
        graded += 1;
        let got = validate(payload, Formats::Annotate);
        if got.is_ok() != expected {
            failures.push(format!("FAIL {id}: expected valid={expected}, got {got:?}"));
        }
    }
    println!(
        "dgc schema: {} passed, {} failed ({excused} known issues)",
        graded - failures.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(graded >= 100, "only {graded} vectors graded");
}
