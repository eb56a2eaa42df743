//! `dcc verify --rules --valuesets --country` and `dcc rules` on the project's own rules
//! (rules/) and value sets (valuesets/): exit codes and the report's rules part.

use crate::common;

use common::{dcc, text};

use std::path::Path;

fn p(path: &Path) -> String {
    path.to_str().unwrap().to_string()
}

/// Development keys in `dir` and the HC1 of a fixture record, issued now.
fn issued(dir: &Path, record: &str) -> String {
    let out = dcc(&["keys", "generate", "--out", &p(dir), "--alg", "es256"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = dcc(&[
        "issue",
        "--key",
        &p(&dir.join("dsc.key")),
        "--cert",
        &p(&dir.join("dsc.pem")),
        "--record",
        &p(&fixtures::path(&format!("records/{record}.json"))),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).trim().to_string()
}

fn rules_dir() -> String {
    p(&fixtures::rules_dir())
}

fn valuesets_dir() -> String {
    p(&fixtures::valuesets_dir())
}

#[test]
fn verify_with_rules_fills_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let hc1 = issued(dir.path(), "vaccination");
    let cert = p(&dir.path().join("dsc.pem"));
    let (rules, sets) = (rules_dir(), valuesets_dir());
    let base = [
        "verify",
        "--json",
        "--trust-cert",
        &cert,
        "--rules",
        &rules,
        "--country",
        "CZ",
    ];

    // The fixture vaccination (2021) is long complete: every rule passes.
    let mut args = base.to_vec();
    args.extend(["--valuesets", &sets, &hc1]);
    let out = dcc(&args);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert_eq!(report["checks"]["rules"], "pass");
    let ids: Vec<&str> = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["identifier"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "GR-CZ-0001",
            "IR-CZ-0001",
            "VR-CZ-0001",
            "VR-CZ-0002",
            "VR-CZ-0003"
        ]
    );
    assert!(report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["result"] == "passed" && r["version"] == "1.0.0"));

    // Without value sets the value-set rule is open: not valid.
    let mut args = base.to_vec();
    args.push(&hc1);
    let out = dcc(&args);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert_eq!(report["checks"]["rules"], "fail");
    assert_eq!(report["rules"][3]["result"], "open");
    let errors = report["errors"].to_string();
    assert!(errors.contains("VR-CZ-0002 open"), "{errors}");

    // The human verdict names the rules.
    let out = dcc(&[
        "verify",
        "--trust-cert",
        &cert,
        "--rules",
        &rules,
        "--country",
        "CZ",
        "--valuesets",
        &sets,
        &hc1,
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).contains("business rules: 5 passed"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn verify_rules_usage_and_input_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let hc1 = issued(dir.path(), "test");
    let cert = p(&dir.path().join("dsc.pem"));
    // --rules needs --country.
    let out = dcc(&[
        "verify",
        "--trust-cert",
        &cert,
        "--rules",
        &rules_dir(),
        &hc1,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    // A value-set file that is not JSON is named.
    let bad = dir.path().join("sets.json");
    std::fs::write(&bad, "{").unwrap();
    let out = dcc(&[
        "verify",
        "--trust-cert",
        &cert,
        "--rules",
        &rules_dir(),
        "--country",
        "CZ",
        "--valuesets",
        &p(&bad),
        &hc1,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("sets.json: not JSON"),
        "{}",
        text(&out.stderr)
    );
    // A malformed rule is left out with a warning naming it; the others apply.
    let rules = dir.path().join("rules.json");
    std::fs::write(
        &rules,
        r#"[{"Identifier": "BROKEN-1", "Logic": true},
            {"Identifier": "GR-XX-0001", "Type": "Acceptance", "Country": "CZ",
             "Version": "1.0.0", "Engine": "CERTLOGIC", "EngineVersion": "1.0.0",
             "CertificateType": "General", "ValidFrom": "2021-01-01T00:00:00Z",
             "ValidTo": "2099-01-01T00:00:00Z", "Logic": true}]"#,
    )
    .unwrap();
    let out = dcc(&[
        "verify",
        "--json",
        "--trust-cert",
        &cert,
        "--rules",
        &p(&rules),
        "--country",
        "CZ",
        &hc1,
    ]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("rules.json: rule 0 (BROKEN-1): Type is missing"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["rules"][0]["identifier"], "GR-XX-0001");
    assert_eq!(out.status.code(), Some(0), "{report}");
}

#[test]
fn rules_command_reads_a_directory_and_builds_external() {
    let dir = tempfile::tempdir().unwrap();
    let payload = dir.path().join("payload.json");
    std::fs::write(
        &payload,
        r#"{"ver": "1.3.0", "v": [{"tg": "840539006", "mp": "EU/1/20/1528", "dn": 1, "sd": 2,
            "dt": "2021-06-01"}]}"#,
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "rules".to_string(),
            "--rules".into(),
            rules_dir(),
            "--payload".into(),
            p(&payload),
            "--at".into(),
            "2021-07-01T12:00:00+02:00".into(),
            "--country".into(),
            "cz".into(),
            "--json".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = dcc(&args);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)));
        (out.status.code(), v)
    };
    let result = |v: &serde_json::Value, id: &str| {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["identifier"] == id)
            .map(|r| r["result"].as_str().unwrap().to_string())
    };
    // No CertificateType filter: test and recovery rules answer too (with `true`).
    let (code, v) = run(&["--valuesets", &valuesets_dir()]);
    assert_eq!(code, Some(1));
    assert_eq!(v["results"].as_array().unwrap().len(), 8, "{v}");
    assert_eq!(result(&v, "VR-CZ-0001").as_deref(), Some("fail"));
    assert_eq!(result(&v, "VR-CZ-0002").as_deref(), Some("passed"));
    assert_eq!(result(&v, "TR-CZ-0001").as_deref(), Some("passed"));
    // Invalidation rules are not part of `dcc rules`.
    assert_eq!(result(&v, "IR-CZ-0001"), None);
    // A value-set map file works as well; without one the value-set rules are open.
    let map = dir.path().join("map.json");
    std::fs::write(&map, r#"{"vaccines-covid-19-names": ["EU/1/21/1529"]}"#).unwrap();
    let (_, v) = run(&["--valuesets", &p(&map)]);
    assert_eq!(result(&v, "VR-CZ-0002").as_deref(), Some("fail"));
    let (_, v) = run(&[]);
    assert_eq!(result(&v, "VR-CZ-0002").as_deref(), Some("open"));
    // --external is used as is.
    let external = dir.path().join("external.json");
    std::fs::write(&external, r#"{"validationClock": "2021-06-05T00:00:00Z"}"#).unwrap();
    let (_, v) = run(&["--external", &p(&external)]);
    assert_eq!(result(&v, "VR-CZ-0003").as_deref(), Some("fail"));
    assert_eq!(result(&v, "VR-CZ-0002").as_deref(), Some("open"));
}
