//! The `dcc` binary against its contracts (DESIGN.md): keys generate → issue → verify, exit codes
//! 0/1/2, the JSON report, trust lists, decode, and clear errors for bad input.

use crate::common;

use common::{dcc, p, text};

use std::path::Path;
use std::process::{Command, Output};

fn keys(dir: &Path, alg: &str, types: Option<&str>) {
    let mut args = vec![
        "keys",
        "generate",
        "--out",
        p(dir),
        "--alg",
        alg,
        "--rsa-bits",
        "2048",
    ];
    if let Some(t) = types {
        args.extend(["--types", t]);
    }
    let out = dcc(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// Issues a fixture record now. The recovery fixture's recovery (2021) is long over, and a
/// certificate never outlasts its `du`: it is issued with `du` 150 days from today instead.
fn issue(dir: &Path, record: &str) -> Output {
    let mut path = fixtures::path(&format!("records/{record}.json"));
    if record == "recovery" {
        let mut dcc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        // `dcc issue` signs at the real clock, so the test reads it too.
        #[allow(clippy::disallowed_methods)]
        let until = time::OffsetDateTime::now_utc().date() + time::Duration::days(150);
        dcc["r"][0]["du"] = serde_json::json!(until.to_string());
        path = dir.join("recovery-now.json");
        std::fs::write(&path, dcc.to_string()).unwrap();
    }
    dcc(&[
        "issue",
        "--key",
        p(&dir.join("dsc.key")),
        "--cert",
        p(&dir.join("dsc.pem")),
        "--record",
        p(&path),
    ])
}

fn verify_json(args: &[&str]) -> (i32, serde_json::Value) {
    let out = dcc(args);
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {} / {}", text(&out.stdout), text(&out.stderr)));
    (out.status.code().unwrap(), report)
}

#[test]
fn keys_issue_verify_for_each_algorithm() {
    let tmp = tempfile::tempdir().unwrap();
    for alg in ["es256", "ps256", "eddsa"] {
        let dir = tmp.path().join(alg);
        keys(&dir, alg, None);
        for f in [
            "csca.pem",
            "dsc.pem",
            "dsc.key",
            "trust-list.pem",
            "trust-list.key",
        ] {
            assert!(dir.join(f).is_file(), "{alg}: {f} missing");
        }
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("dsc.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{alg}: dsc.key mode");
        for record in ["vaccination", "test", "recovery"] {
            let out = issue(&dir, record);
            assert!(
                out.status.success(),
                "{alg} {record}: {}",
                text(&out.stderr)
            );
            let warned = text(&out.stderr).contains("EdDSA is outside the EU DCC specification");
            assert_eq!(warned, alg == "eddsa", "{alg}: warning on stderr");
            let hc1 = text(&out.stdout).trim().to_string();
            assert!(hc1.starts_with("HC1:"));
            let (code, report) = verify_json(&[
                "verify",
                "--trust-cert",
                p(&dir.join("dsc.pem")),
                "--json",
                &hc1,
            ]);
            assert_eq!(code, 0, "{alg} {record}: {report}");
            assert_eq!(report["verdict"], "valid");
            for check in [
                "prefix",
                "base45",
                "zlib",
                "cose",
                "cbor",
                "signature",
                "expiry",
                "key_usage",
                "schema",
            ] {
                assert_eq!(report["checks"][check], "pass", "{alg} {record} {check}");
            }
            for check in ["qr", "rules", "revocation"] {
                assert_eq!(report["checks"][check], "skip", "{alg} {record} {check}");
            }
            assert_eq!(report["issuer"], "CZ");
            assert!(report["dcc"]["nam"]["fnt"].is_string());
        }
    }
}

#[test]
fn not_valid_exits_1_with_named_errors_and_human_output() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("k");
    keys(&dir, "es256", None);
    let hc1 = text(&issue(&dir, "test").stdout).trim().to_string();
    // Far in the future: expired.
    let (code, report) = verify_json(&[
        "verify",
        "--trust-cert",
        p(&dir.join("dsc.pem")),
        "--at",
        "2030-01-01T00:00:00Z",
        "--json",
        &hc1,
    ]);
    assert_eq!(code, 1);
    assert_eq!(report["verdict"], "invalid");
    assert_eq!(report["checks"]["expiry"], "fail");
    assert_eq!(report["errors"][0]["check"], "expiry");
    assert!(report["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("expired"));
    // Human output names the failing check.
    let out = dcc(&[
        "verify",
        "--trust-cert",
        p(&dir.join("dsc.pem")),
        "--at",
        "2030-01-01T00:00:00Z",
        &hc1,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let s = text(&out.stdout);
    assert!(s.contains("NOT VALID") && s.contains("expiry:"), "{s}");
    // Garbage text: prefix fails, the rest is skipped.
    let (code, report) = verify_json(&["verify", "--json", "HC2:ABC"]);
    assert_eq!(code, 1);
    assert_eq!(report["checks"]["prefix"], "fail");
    assert_eq!(report["checks"]["signature"], "skip");
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope.pem");
    let cases: Vec<Vec<&str>> = vec![
        vec!["verify"],
        vec!["verify", "--at", "yesterday", "HC1:"],
        vec!["verify", "--trust-cert", p(&missing), "HC1:"],
        vec![
            "issue",
            "--key",
            p(&missing),
            "--cert",
            p(&missing),
            "--record",
            p(&missing),
        ],
        vec!["frobnicate"],
    ];
    for args in cases {
        let out = dcc(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!text(&out.stderr).is_empty(), "{args:?}: no message");
    }
}

#[test]
fn standard_input_is_read_with_dash() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("k");
    keys(&dir, "es256", None);
    let hc1 = text(&issue(&dir, "vaccination").stdout);
    let mut child = Command::new(env!("CARGO_BIN_EXE_dcc"))
        .args(["verify", "--trust-cert", p(&dir.join("dsc.pem")), "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(hc1.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).starts_with("VALID"));
}

#[test]
fn restricted_dsc_refuses_other_types() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("t-only");
    keys(&dir, "es256", Some("t"));
    assert!(issue(&dir, "test").status.success());
    let out = issue(&dir, "vaccination");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("may not sign vaccination"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn signed_trust_list_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("k");
    keys(&dir, "es256", None);
    let other = tmp.path().join("other");
    keys(&other, "es256", None);
    let list = tmp.path().join("tl.jws");
    let out = dcc(&[
        "trust-list",
        "build",
        "--cert",
        p(&dir.join("dsc.pem")),
        "--sign-key",
        p(&dir.join("trust-list.key")),
        "--sign-cert",
        p(&dir.join("trust-list.pem")),
        "--out",
        p(&list),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let hc1 = text(&issue(&dir, "recovery").stdout).trim().to_string();
    let (code, report) = verify_json(&[
        "verify",
        "--trust-list",
        p(&list),
        "--trust-list-cert",
        p(&dir.join("trust-list.pem")),
        "--json",
        &hc1,
    ]);
    assert_eq!(code, 0, "{report}");
    // Pinned to another signer's certificate: refused with a message.
    let out = dcc(&[
        "verify",
        "--trust-list",
        p(&list),
        "--trust-list-cert",
        p(&other.join("trust-list.pem")),
        &hc1,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("trust list"),
        "{}",
        text(&out.stderr)
    );
    // A signing key that does not match the certificate: nothing written.
    let bad = tmp.path().join("bad.jws");
    let out = dcc(&[
        "trust-list",
        "build",
        "--cert",
        p(&dir.join("dsc.pem")),
        "--sign-key",
        p(&other.join("trust-list.key")),
        "--sign-cert",
        p(&dir.join("trust-list.pem")),
        "--out",
        p(&bad),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!bad.exists());
    // verify prints the entries.
    let out = dcc(&[
        "trust-list",
        "verify",
        "--trust-list",
        p(&list),
        "--trust-list-cert",
        p(&dir.join("trust-list.pem")),
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["certificates"].as_array().unwrap().len(), 1);
}

#[test]
fn malformed_trust_list_names_the_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let list = tmp.path().join("gateway.json");
    std::fs::write(&list, r#"[{"kid":"AAAAAAAAAAA=","country":"CZ","certificateType":"DSC","rawData":"not base64!"}]"#).unwrap();
    let out = dcc(&["verify", "--trust-list", p(&list), "HC1:"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("entry 0") || err.contains("entry 1"), "{err}");
    assert!(err.contains("rawData"), "{err}");
}

#[test]
fn decode_shows_payload_without_trust() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("k");
    keys(&dir, "ps256", None);
    let hc1 = text(&issue(&dir, "test").stdout).trim().to_string();
    let out = dcc(&["decode", &hc1]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["alg"], "PS256 (-37)");
    assert_eq!(v["kid_protected"], true);
    assert_eq!(v["dcc"]["nam"]["fn"], "Novák");
    // NumericDates as the CWT holds them: whole seconds, printed as integers.
    let (iat, exp) = (&v["issued_at"], &v["expires_at"]);
    assert!(iat.is_i64() && exp.is_i64(), "{iat} {exp}");
    assert!(exp.as_i64() > iat.as_i64(), "{iat} {exp}");
    assert!(!text(&out.stdout).contains(".0,"), "{}", text(&out.stdout));
}

#[test]
fn existing_keys_are_not_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("k");
    keys(&dir, "es256", None);
    let before = std::fs::read(dir.join("dsc.key")).unwrap();
    let out = dcc(&["keys", "generate", "--out", p(&dir)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read(dir.join("dsc.key")).unwrap(), before);
}
