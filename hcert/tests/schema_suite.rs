//! The schema conformance kit (shared/conformance/schema), graded as its harness
//! `run_schema_suite.py` grades `dcc schema`: strict mode, every payload below `invalid/` invalid
//! with errors listed, every one below `valid/` or `examples/` valid. Plus the verifier's mode.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::path::{Path, PathBuf};

use hcert::schema::{validate, Formats, SchemaVersion};
use proptest::prelude::*;
use serde_json::{json, Value};

/// The schema conformance folder (`DCC_SHARED` or `../shared` beside the repository).
fn conformance_dir() -> PathBuf {
    fixtures::conformance().join("schema")
}

/// Every `*.json` below `dir`, sorted, except the schemas themselves (`*schema.json`).
fn payload_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            payload_files(&path, out);
        } else if name.ends_with(".json") && !name.ends_with("schema.json") {
            out.push(path);
        }
    }
}

/// The harness's rule: below a folder `invalid` → invalid; else below `valid`/`examples` →
/// valid; else not graded.
fn expectation(case_id: &str) -> Option<bool> {
    let folders: Vec<&str> = case_id.split('/').collect();
    let folders = &folders[..folders.len() - 1];
    if folders.contains(&"invalid") {
        Some(false)
    } else if folders.contains(&"valid") || folders.contains(&"examples") {
        Some(true)
    } else {
        None
    }
}

/// Grades one case; `None` when it passes, else the harness-style reason.
fn grade(path: &Path, expected: bool) -> Option<String> {
    let text = fs::read_to_string(path).unwrap();
    let payload: Value = match serde_json::from_str(&text) {
        Ok(payload) => payload,
        Err(e) => return Some(format!("not JSON: {e}")),
    };
    match (validate(&payload, Formats::Assert), expected) {
        (Ok(_), true) => None,
        (Err(errors), false) if !errors.is_empty() => None,
        (Err(_), false) => Some("invalid but no errors listed".to_owned()),
        (Ok(version), false) => Some(format!("expected invalid, got valid (schema {version})")),
        (Err(errors), true) => {
            let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
            Some(format!("expected valid, got errors {errors:?}"))
        }
    }
}

#[test]
fn conformance_suite_strict() {
    let root = conformance_dir();
    let mut failures = Vec::new();
    let mut graded = 0;
    for part in ["testdata", "cases"] {
        let mut files = Vec::new();
        payload_files(&root.join(part), &mut files);
        for path in files {
            let case_id = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let Some(expected) = expectation(&case_id) else {
                continue;
            };
            graded += 1;
            if let Some(reason) = grade(&path, expected) {
                failures.push(format!("FAIL {case_id}: {reason}"));
            }
        }
    }
    println!(
        "schema: {} passed, {} failed",
        graded - failures.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(graded, 326, "the kit holds 326 graded payloads (144 + 182)");
}

fn recovery(ver: &str) -> Value {
    json!({
        "ver": ver,
        "nam": {"fnt": "MUSTERMANN", "gnt": "MAX"},
        "dob": "1964-08-12",
        "r": [{
            "tg": "840539006", "fr": "2021-06-01", "co": "AT", "is": "BMSGPK",
            "df": "2021-06-12", "du": "2021-11-28", "ci": "URN:UVCI:01:AT:X"
        }]
    })
}

#[test]
fn annotate_mode_lets_a_date_time_pass_in_a_date_field() {
    for v in SchemaVersion::ALL {
        let mut dcc = recovery(v.as_str());
        dcc["r"][0]["fr"] = json!("2021-06-01T10:00:00Z");
        assert!(validate(&dcc, Formats::Assert).is_err(), "{v}");
        assert_eq!(validate(&dcc, Formats::Annotate), Ok(v));
    }
    let vaccination = json!({
        "ver": "1.3.3", "nam": {"fnt": "X"}, "dob": "1964",
        "v": [{"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215",
               "dn": 1, "sd": 2, "dt": "2021-06-11T00:00:00+02:00", "co": "NL", "is": "X", "ci": "Y"}]
    });
    assert!(validate(&vaccination, Formats::Assert).is_err());
    assert_eq!(
        validate(&vaccination, Formats::Annotate),
        Ok(SchemaVersion::V1_3_3)
    );
}

#[test]
fn annotate_mode_keeps_patterns_and_types() {
    // 1.0.x dob: the format is an annotation, the (unanchored) pattern is not.
    let mut dcc = recovery("1.0.0");
    dcc["dob"] = json!("1964-08-12T00:00:00");
    assert!(validate(&dcc, Formats::Assert).is_err());
    assert!(validate(&dcc, Formats::Annotate).is_ok());
    dcc["dob"] = json!("1964-08");
    assert!(validate(&dcc, Formats::Annotate).is_err());
    let mut dcc = recovery("1.3.3");
    dcc["r"][0]["fr"] = json!(20210601);
    assert!(validate(&dcc, Formats::Annotate).is_err());
}

#[test]
fn annotate_mode_falls_back_to_the_highest_release_not_above() {
    let table = [
        ("1.0.4", Some(SchemaVersion::V1_0_1)),
        ("1.3.9", Some(SchemaVersion::V1_3_3)),
        ("1.2.7", Some(SchemaVersion::V1_2_1)),
        ("3.0.0", Some(SchemaVersion::V1_3_3)),
        ("0.9.9", None),
    ];
    for (ver, expected) in table {
        let dcc = recovery(ver);
        assert_eq!(validate(&dcc, Formats::Annotate).ok(), expected, "{ver}");
        assert!(validate(&dcc, Formats::Assert).is_err(), "strict {ver}");
    }
    // 1.0.4 is judged by 1.0.1: a year-only dob (allowed from 1.1.0) fails.
    let mut dcc = recovery("1.0.4");
    dcc["dob"] = json!("1964");
    assert!(validate(&dcc, Formats::Annotate).is_err());
    dcc["ver"] = json!("1.1.4");
    assert_eq!(validate(&dcc, Formats::Annotate), Ok(SchemaVersion::V1_1_0));
}

#[test]
fn annotate_mode_requires_one_group_with_one_entry_in_every_release() {
    for v in SchemaVersion::ALL {
        let early = v < SchemaVersion::V1_3_0;
        let mut two_entries = recovery(v.as_str());
        let entry = two_entries["r"][0].clone();
        two_entries["r"] = json!([entry.clone(), entry.clone()]);
        assert_eq!(
            validate(&two_entries, Formats::Assert).is_ok(),
            early,
            "{v}"
        );
        assert!(validate(&two_entries, Formats::Annotate).is_err(), "{v}");

        let mut two_groups = recovery(v.as_str());
        two_groups["t"] = two_groups["r"].clone(); // not a test entry, but still a group `t`
        let mut no_group = recovery(v.as_str());
        no_group.as_object_mut().unwrap().remove("r");
        assert_eq!(validate(&no_group, Formats::Assert).is_ok(), early, "{v}");
        assert!(validate(&no_group, Formats::Annotate).is_err(), "{v}");
        assert!(validate(&two_groups, Formats::Annotate).is_err(), "{v}");
    }
}

/// Any JSON value, nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from), // NaN and infinities become null
        "\\PC{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::vec((dcc_key(), inner), 0..8)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// Keys the validator looks at, and others, so the walk reaches every branch.
fn dcc_key() -> impl Strategy<Value = String> {
    const KNOWN: [&str; 29] = [
        "ver", "nam", "dob", "v", "t", "r", "fn", "fnt", "gn", "gnt", "tg", "vp", "mp", "ma", "dn",
        "sd", "dt", "co", "is", "ci", "tt", "nm", "sc", "dr", "tr", "tc", "fr", "df", "du",
    ];
    prop_oneof![
        prop::sample::select(KNOWN.as_slice()).prop_map(str::to_owned),
        "\\PC{0,4}",
    ]
}

/// A payload shaped like a DCC: a real or near `ver`, then anything.
fn dcc_like() -> impl Strategy<Value = Value> {
    let ver = prop_oneof![
        prop::sample::select(SchemaVersion::ALL.as_slice()).prop_map(|v| v.as_str().to_owned()),
        "[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}",
        "\\PC{0,8}",
    ];
    (ver, prop::collection::vec((dcc_key(), any_json()), 0..8)).prop_map(|(ver, pairs)| {
        let mut object: serde_json::Map<String, Value> = pairs.into_iter().collect();
        object.insert("ver".to_owned(), Value::from(ver));
        Value::Object(object)
    })
}

fn never_panics(value: &Value) {
    for formats in [Formats::Assert, Formats::Annotate] {
        if let Err(errors) = validate(value, formats) {
            assert!(!errors.is_empty());
            for error in errors {
                let _ = error.to_string();
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics(value in any_json()) {
        never_panics(&value);
    }

    #[test]
    fn dcc_like_payloads_never_panic(value in dcc_like()) {
        never_panics(&value);
    }
}

#[test]
fn deep_nesting_and_long_strings_never_panic() {
    // Building, cloning and dropping a 10 000-deep Value recurses (the validator does not: it
    // looks only at known depths); give the thread room for that.
    let worker = std::thread::Builder::new().stack_size(256 << 20).spawn(|| {
        let mut deep = json!("x");
        for _ in 0..10_000 {
            deep = Value::Array(vec![deep]); // not json!: that re-serialises `deep` each time
        }
        let long = "9".repeat(1_000_000);
        for value in [
            json!({"ver": "1.3.3", "nam": deep.clone(), "v": deep.clone(), "dob": deep}),
            json!({"ver": long.clone(), "dob": long.clone()}),
            json!({"ver": format!("1.3.{long}"), "nam": {"fnt": long.clone()}, "dob": long, "t": [{}]}),
        ] {
            never_panics(&value);
        }
    });
    worker.unwrap().join().unwrap();
}
