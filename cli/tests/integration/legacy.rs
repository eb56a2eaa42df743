//! `dcc admin legacy import|revoke`: old-format certificates registered from a file, each with
//! an exchange URL printed once; a bad line is named by its number and skipped.

use crate::common;

use common::{dcc, p, text};

#[test]
fn legacy_import_prints_each_url_once_and_revoke_stops_it() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let d = p(&data);
    let ok = |args: &[&str]| {
        let out = dcc(args);
        assert!(out.status.success(), "{:?}: {}", args, text(&out.stderr));
        text(&out.stdout)
    };
    ok(&[
        "admin",
        "org",
        "create",
        "--ico",
        "25596641",
        "--name",
        "Nemocnice",
        "--data-dir",
        d,
    ]);
    let csv = tmp.path().join("persons.csv");
    std::fs::write(&csv, "birth_number,id_card\n736028/0004,AB123456\n").unwrap();
    ok(&["admin", "registry", "import", p(&csv), "--data-dir", d]);

    let line = |id: &str, dt: &str| {
        serde_json::json!({
            "legacy_id": id,
            "person": {"birth_number": "736028/0004", "id_card": "AB123456",
                       "family_name": "Nováková", "given_name": "Eva", "dob": "1973-10-28"},
            "v": {"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528",
                  "ma": "ORG-100030215", "dn": 2, "sd": 2, "dt": dt}
        })
        .to_string()
    };
    let file = tmp.path().join("old.jsonl");
    std::fs::write(
        &file,
        format!(
            "{}\nnot json\n{}\n{}\n",
            line("OCK-1", "2021-06-01"),
            line("OCK-2", "2021-12-01"),
            line("OCK-1", "2021-06-02"),
        ),
    )
    .unwrap();
    let out = dcc(&[
        "admin",
        "legacy",
        "import",
        p(&file),
        "--org",
        "25596641",
        "--data-dir",
        d,
    ]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(
        !out.status.success(),
        "two bad lines make the exit non-zero"
    );
    let urls: Vec<&str> = stdout.lines().collect();
    assert_eq!(urls.len(), 2, "{stdout}");
    assert!(
        urls[0].starts_with("1\tOCK-1\thttp://127.0.0.1:8080/exchange/"),
        "{stdout}"
    );
    assert!(urls[1].starts_with("3\tOCK-2\t"), "{stdout}");
    assert!(stderr.contains("line 2: not JSON"), "{stderr}");
    assert!(
        stderr.contains("line 4: this old certificate was imported already"),
        "{stderr}"
    );
    let token = urls[0].rsplit('/').next().unwrap();
    assert_eq!(token.len(), 22, "128 bits, base64url");
    // The database keeps only the digest of the token.
    let db = std::fs::read(data.join("dcc.db")).unwrap();
    assert!(!db.windows(token.len()).any(|w| w == token.as_bytes()));

    let out = ok(&[
        "admin",
        "legacy",
        "revoke",
        "--legacy-id",
        "OCK-1",
        "--data-dir",
        d,
    ]);
    assert!(out.contains("revoked"), "{out}");
    let again = dcc(&[
        "admin",
        "legacy",
        "revoke",
        "--legacy-id",
        "OCK-1",
        "--data-dir",
        d,
    ]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("no active exchange URL for OCK-1"));
}
