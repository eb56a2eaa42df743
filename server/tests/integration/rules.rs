//! The project's rules and value sets are served and evaluated by default: `POST /verify` passes
//! certificates the rules accept, naming every rule that applied, and fails those they refuse
//! (a test sample too old, a vaccination too recent); a configured directory replaces them, and
//! one without rules switches the rules check off.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};

use crate::common::{self, Backend, Harness, BN_IDENTIFIED};

async fn issue(h: &Harness, record: &Value) -> String {
    let (status, created, _) = h.send(h.post_record(record, None)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["certificate"]["hc1"]
        .as_str()
        .unwrap_or_else(|| panic!("a certificate: {created}"))
        .to_string()
}

async fn verify(h: &Harness, hc1: &str) -> Value {
    let req = Request::post("/verify")
        .header("content-type", "application/json")
        .body(Body::from(json!({ "hc1": hc1 }).to_string()))
        .unwrap();
    let (status, report, _) = h.send(req).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    report
}

/// Each rule the report names, with its result.
type Results = Vec<(String, String)>;

fn results(report: &Value) -> Results {
    report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["identifier"].as_str().unwrap().to_string(),
                r["result"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn recovery(fr: &str, df: &str, du: &str) -> Value {
    json!({
        "person": common::person(BN_IDENTIFIED, None),
        "r": {"tg": "840539006", "fr": fr, "df": df, "du": du}
    })
}

/// The clock is 2026-03-02 10:00 UTC. Each case: the record, the verdict, and the rules the
/// report names with their results (the general rule, the type's rules, the invalidation rule
/// for vaccinations).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_rules_decide_verify() {
    let h = Harness::new(Backend::Sqlite).await;
    let passed = |ids: &[&str]| -> Results {
        ids.iter()
            .map(|id| (id.to_string(), "passed".to_string()))
            .collect()
    };
    let cases: Vec<(&str, Value, &str, Results)> = vec![
        (
            "vaccination 2/2, 20 days ago",
            common::vaccination(BN_IDENTIFIED, 2, 2, "2026-02-10", None),
            "valid",
            passed(&[
                "GR-CZ-0001",
                "IR-CZ-0001",
                "VR-CZ-0001",
                "VR-CZ-0002",
                "VR-CZ-0003",
            ]),
        ),
        (
            "test sampled 26 hours ago",
            common::test_record(BN_IDENTIFIED, "2026-03-01T08:00:00Z", None),
            "valid",
            passed(&["GR-CZ-0001", "TR-CZ-0001", "TR-CZ-0002", "TR-CZ-0003"]),
        ),
        (
            "recovery valid today",
            recovery("2026-01-20", "2026-02-01", "2026-07-20"),
            "valid",
            passed(&["GR-CZ-0001", "RR-CZ-0001"]),
        ),
        (
            "test sampled 98 hours ago (72 allowed)",
            common::test_record(BN_IDENTIFIED, "2026-02-26T08:00:00Z", None),
            "invalid",
            vec![
                ("GR-CZ-0001".into(), "passed".into()),
                ("TR-CZ-0001".into(), "passed".into()),
                ("TR-CZ-0002".into(), "fail".into()),
                ("TR-CZ-0003".into(), "passed".into()),
            ],
        ),
        (
            "vaccination 1/1, 5 days ago (14 needed)",
            common::vaccination(BN_IDENTIFIED, 1, 1, "2026-02-25", None),
            "invalid",
            vec![
                ("GR-CZ-0001".into(), "passed".into()),
                ("IR-CZ-0001".into(), "passed".into()),
                ("VR-CZ-0001".into(), "passed".into()),
                ("VR-CZ-0002".into(), "passed".into()),
                ("VR-CZ-0003".into(), "fail".into()),
            ],
        ),
    ];
    for (name, record, verdict, rules) in cases {
        let report = verify(&h, &issue(&h, &record).await).await;
        assert_eq!(report["verdict"], verdict, "{name}: {report}");
        let mut got = results(&report);
        got.sort();
        assert_eq!(got, rules, "{name}: {report}");
        let check = if verdict == "valid" { "pass" } else { "fail" };
        assert_eq!(report["checks"]["rules"], check, "{name}");
        if verdict == "invalid" {
            // Only the rules failed: the certificate itself is sound.
            let failed: Vec<&str> = report["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["check"].as_str().unwrap())
                .collect();
            assert_eq!(failed, ["rules"], "{name}: {report}");
        }
    }
    h.finish().await;
}

/// `DCC_RULES_DIR` replaces the project's rules: a directory with one rule serves and evaluates
/// that rule only; an empty one serves none and `/verify` skips the rules check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rules_directory_replaces_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    let none = dir.path().join("none");
    std::fs::create_dir_all(&one).unwrap();
    std::fs::create_dir_all(&none).unwrap();
    std::fs::copy(
        fixtures::rules_dir().join("GR-CZ-0001.json"),
        one.join("GR-CZ-0001.json"),
    )
    .unwrap();
    for (rules_dir, listed, check) in [(&one, 1, "pass"), (&none, 0, "skip")] {
        let h = Harness::with(
            Backend::Sqlite,
            &[("DCC_RULES_DIR", rules_dir.to_str().unwrap())],
            true,
        )
        .await;
        let (_, index, _) = h
            .send(Request::get("/rules").body(Body::empty()).unwrap())
            .await;
        assert_eq!(index.as_array().unwrap().len(), listed, "{index}");
        let hc1 = issue(
            &h,
            &common::test_record(BN_IDENTIFIED, "2026-02-26T08:00:00Z", None),
        )
        .await;
        let report = verify(&h, &hc1).await;
        assert_eq!(report["verdict"], "valid", "{report}");
        assert_eq!(report["checks"]["rules"], check, "{report}");
        assert_eq!(report["rules"].as_array().unwrap().len(), listed);
        // The value sets stay the project's own.
        let (_, sets, _) = h
            .send(Request::get("/valuesets").body(Body::empty()).unwrap())
            .await;
        assert_eq!(sets.as_array().unwrap().len(), 8);
        h.finish().await;
    }
}
