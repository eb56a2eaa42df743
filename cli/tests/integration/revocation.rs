//! `dcc verify --revocation FILE|DIR`: a revoked certificate exits 1 with `revocation` failing,
//! one not on the list passes, and a corrupt list is a usage error naming the file and entry.

use crate::common;

use common::{dcc, p, text};

use std::path::Path;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{json, Value as Json};
use verifier::revocation::truncated_sha256;

/// Keys in `dir`, and a test certificate they signed.
fn issued(dir: &Path) -> String {
    let out = dcc(&["keys", "generate", "--out", p(dir), "--alg", "es256"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let record = fixtures::path("records/test.json");
    let out = dcc(&[
        "issue",
        "--key",
        p(&dir.join("dsc.key")),
        "--cert",
        p(&dir.join("dsc.pem")),
        "--record",
        p(&record),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).trim().to_string()
}

fn verify(dir: &Path, hc1: &str, revocation: &[&Path]) -> (i32, Json, String) {
    let trust = dir.join("dsc.pem");
    let mut args = vec!["verify", "--json", "--trust-cert", p(&trust)];
    for r in revocation {
        args.extend(["--revocation", p(r)]);
    }
    args.push(hc1);
    let out = dcc(&args);
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Json::Null);
    (out.status.code().unwrap(), report, text(&out.stderr))
}

fn batch(kid: &str, hashes: &[[u8; 16]]) -> Json {
    let entries: Vec<Json> = hashes
        .iter()
        .map(|h| json!({ "hash": B64.encode(h) }))
        .collect();
    json!({
        "country": "CZ",
        "expires": "2099-01-01T00:00:00Z",
        "kid": kid,
        "hashType": "UCI",
        "entries": entries,
    })
}

#[test]
fn verify_checks_the_revocation_list() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("keys");
    let hc1 = issued(&keys);

    let (code, report, _) = verify(&keys, &hc1, &[]);
    assert_eq!(code, 0);
    assert_eq!(report["checks"]["revocation"], "skip");
    let kid = report["kid"].as_str().unwrap().to_string();
    let uci = report["dcc"]["t"][0]["ci"].as_str().unwrap().to_string();
    let revoked = truncated_sha256(&[uci.as_bytes()]);

    // Not on the list: pass.
    let other = tmp.path().join("other.json");
    std::fs::write(&other, batch(&kid, &[[1; 16]]).to_string()).unwrap();
    let (code, report, stderr) = verify(&keys, &hc1, &[&other]);
    assert_eq!(
        (code, &report["checks"]["revocation"]),
        (0, &json!("pass")),
        "{stderr}"
    );

    // On the list, from a file and from a directory of batch files: exit 1, `revocation` fails.
    let dir = tmp.path().join("lists");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("a.json"),
        json!([batch(&kid, &[[2; 16]])]).to_string(),
    )
    .unwrap();
    std::fs::write(dir.join("b.json"), batch(&kid, &[revoked]).to_string()).unwrap();
    std::fs::write(dir.join("README"), "not a batch").unwrap();
    for source in [dir.join("b.json"), dir.clone()] {
        let (code, report, stderr) = verify(&keys, &hc1, &[&source]);
        assert_eq!(code, 1, "{}: {stderr}", source.display());
        assert_eq!(report["verdict"], "invalid");
        assert_eq!(report["checks"]["revocation"], "fail");
        assert_eq!(report["errors"][0]["check"], "revocation");
        let message = report["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("revoked") && message.contains("UCI"),
            "{message}"
        );
    }

    // The human verdict names the check.
    let out = dcc(&[
        "verify",
        "--trust-cert",
        p(&keys.join("dsc.pem")),
        "--revocation",
        p(&dir),
        &hc1,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("NOT VALID") && stdout.contains("revocation: "),
        "{stdout}"
    );
}

#[test]
fn a_corrupt_list_is_a_usage_error_naming_the_place() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("keys");
    let hc1 = issued(&keys);
    let good = batch("AAECAwQFBgc=", &[[1; 16], [2; 16]]).to_string();
    let cases = [
        (
            "truncated.json",
            good[..good.len() - 10].to_string(),
            "EOF while parsing",
        ),
        (
            "entry.json",
            good.replacen(&B64.encode([2u8; 16]), "%%%", 1),
            "entries[1].hash",
        ),
        ("type.json", good.replacen("UCI", "SHA1", 1), "hashType"),
    ];
    for (name, content, expected) in cases {
        let file = tmp.path().join(name);
        std::fs::write(&file, content).unwrap();
        let (code, report, stderr) = verify(&keys, &hc1, &[&file]);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert_eq!(report, Json::Null, "{name}: no report on a usage error");
        assert!(
            stderr.contains(name) && stderr.contains(expected),
            "{name}: {stderr}"
        );
    }
    // A directory without batch files.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let (code, _, stderr) = verify(&keys, &hc1, &[&empty]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no .json"), "{stderr}");
}
