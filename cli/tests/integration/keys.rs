//! `dcc keys generate` and key custody from the command line (SECURITY.md 41-42): KeyUsage, the
//! EKUs of `--types` and the usage period on every DSC; keys encrypted under a passphrase named by
//! `--key-passphrase-env`, which `issue` and `trust-list build` then need; errors that name the
//! problem and never show key material.

use crate::common;

use common::{dcc, p, text};

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, Output};

use x509_parser::prelude::FromDer as _;

const PASS_VAR: &str = "DCC_TEST_KEY_PASSPHRASE";

/// Runs `dcc` with `args` and only the variables in `env` added to a clean environment.
fn dcc_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dcc"))
        .args(args)
        .env_remove(PASS_VAR)
        .envs(env.iter().copied())
        .output()
        .expect("run dcc")
}

/// No error shows key material: no PEM armour, no "PRIVATE KEY" label, no base64 of a key.
fn assert_no_key_material(out: &Output, keys: &[&Path]) {
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!all.contains("PRIVATE KEY"), "{all}");
    assert!(!all.contains("-----"), "{all}");
    for k in keys {
        let pem = std::fs::read_to_string(k).unwrap();
        for line in pem.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!all.contains(line), "a line of {} in {all}", k.display());
        }
    }
}

fn record(kind: &str) -> String {
    p(&fixtures::path(&format!("records/{kind}.json"))).to_string()
}

#[test]
fn encrypted_keys_issue_verify_and_sign_a_trust_list() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("keys");
    let pass = [(PASS_VAR, "a long passphrase")];
    let out = dcc_env(
        &[
            "keys",
            "generate",
            "--out",
            p(&dir),
            "--key-passphrase-env",
            PASS_VAR,
        ],
        &pass,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    for f in ["csca.key", "dsc.key", "trust-list.key", "trust-list-ca.key"] {
        let key = std::fs::read_to_string(dir.join(f)).unwrap();
        assert!(
            key.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"),
            "{f}: {}",
            key.lines().next().unwrap_or_default()
        );
        let mode = std::fs::metadata(dir.join(f)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{f}");
    }
    let dsc_key = dir.join("dsc.key");
    let dsc_pem = dir.join("dsc.pem");
    let keys = [dsc_key.as_path()];
    let rec = record("vaccination");
    let issue = |env: &[(&str, &str)], with_option: bool| {
        let mut args = vec![
            "issue",
            "--key",
            p(&dsc_key),
            "--cert",
            p(&dsc_pem),
            "--record",
            &rec,
        ];
        if with_option {
            args.extend(["--key-passphrase-env", PASS_VAR]);
        }
        dcc_env(&args, env)
    };

    // The right passphrase signs, and `dcc verify` accepts what was signed.
    let out = issue(&pass, true);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let hc1 = text(&out.stdout).trim().to_string();
    assert!(hc1.starts_with("HC1:"), "{hc1}");
    let verified = dcc(&["verify", "--trust-cert", p(&dir.join("dsc.pem")), &hc1]);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        text(&verified.stdout)
    );

    // A wrong passphrase: exit 2, the message, no key material.
    let out = issue(&[(PASS_VAR, "a long passphrasE")], true);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("cannot decrypt the signing key: wrong passphrase or damaged file"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("dsc.key"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    assert_no_key_material(&out, &keys);

    // No option: the error names it.
    let out = issue(&pass, false);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("the key is encrypted")
            && text(&out.stderr).contains("--key-passphrase-env NAME"),
        "{}",
        text(&out.stderr)
    );
    assert_no_key_material(&out, &keys);

    // The option naming a variable that is not set, or is empty: the error names the variable.
    for (env, want) in [
        (&[][..], format!("the variable {PASS_VAR} is not set")),
        (
            &[(PASS_VAR, "")][..],
            format!("the variable {PASS_VAR} is empty"),
        ),
    ] {
        let out = issue(env, true);
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains(&want), "{}", text(&out.stderr));
        assert_no_key_material(&out, &keys);
    }

    // Batch issuance opens the key the same way.
    let jsonl = tmp.path().join("records.jsonl");
    let line = serde_json::to_string(
        &serde_json::from_str::<serde_json::Value>(
            &std::fs::read_to_string(record("test")).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    std::fs::write(&jsonl, format!("{line}\n")).unwrap();
    let batch_out = tmp.path().join("batch");
    let out = dcc_env(
        &[
            "issue",
            "--key",
            p(&dsc_key),
            "--cert",
            p(&dir.join("dsc.pem")),
            "--key-passphrase-env",
            PASS_VAR,
            "--batch",
            p(&jsonl),
            "--out",
            p(&batch_out),
            "--json",
        ],
        &pass,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["issued"], 1, "{summary}");

    // `trust-list build --sign-key` with the encrypted trust-list key.
    let list = tmp.path().join("list.jws");
    let build = |env: &[(&str, &str)], with_option: bool| {
        let mut args = vec![
            "trust-list".to_string(),
            "build".into(),
            "--cert".into(),
            p(&dir.join("dsc.pem")).into(),
            "--sign-key".into(),
            p(&dir.join("trust-list.key")).into(),
            "--sign-cert".into(),
            p(&dir.join("trust-list.pem")).into(),
            "--out".into(),
            p(&list).into(),
        ];
        if with_option {
            args.extend(["--key-passphrase-env".into(), PASS_VAR.into()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        dcc_env(&args, env)
    };
    let out = build(&pass, false);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--key-passphrase-env"),
        "{}",
        text(&out.stderr)
    );
    assert_no_key_material(&out, &[dir.join("trust-list.key").as_path()]);
    let out = build(&pass, true);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (code, report) = {
        let out = dcc(&[
            "verify",
            "--json",
            "--trust-list",
            p(&list),
            "--trust-list-cert",
            p(&dir.join("trust-list.pem")),
            &hc1,
        ]);
        (
            out.status.code(),
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
        )
    };
    assert_eq!(code, Some(0), "{report}");
}

/// What `dir/dsc.pem` says, read with x509-parser.
struct DscFacts {
    /// KeyUsage digitalSignature.
    digital_signature: bool,
    /// The extended key usage OIDs, sorted.
    ekus: Vec<String>,
    /// PrivateKeyUsagePeriod, Unix seconds.
    period: Option<(i64, i64)>,
    /// notBefore and notAfter, Unix seconds.
    validity: (i64, i64),
}

fn dsc_extensions(dir: &Path) -> DscFacts {
    let pem = std::fs::read(dir.join("dsc.pem")).unwrap();
    let der = pem::parse(pem).unwrap().into_contents();
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(&der).unwrap();
    let ku = cert.key_usage().unwrap().expect("a KeyUsage extension");
    let mut ekus: Vec<String> = cert
        .extended_key_usage()
        .unwrap()
        .map(|e| e.value.other.iter().map(|o| o.to_id_string()).collect())
        .unwrap_or_default();
    ekus.sort();
    let period = cert
        .extensions()
        .iter()
        .find(|e| e.oid.to_id_string() == "2.5.29.16")
        .map(|e| {
            let p = trust_list::UsagePeriod::from_der(e.value).unwrap();
            (p.not_before.unwrap(), p.not_after.unwrap())
        });
    let v = cert.validity();
    DscFacts {
        digital_signature: ku.value.digital_signature(),
        ekus,
        period,
        validity: (v.not_before.timestamp(), v.not_after.timestamp()),
    }
}

#[test]
fn every_dsc_has_key_usage_the_ekus_of_its_types_and_a_usage_period() {
    let tmp = tempfile::tempdir().unwrap();
    let t = "1.3.6.1.4.1.1847.2021.1.1";
    let v = "1.3.6.1.4.1.1847.2021.1.2";
    let r = "1.3.6.1.4.1.1847.2021.1.3";
    for (types, want) in [
        (None, vec![]),
        (Some("t"), vec![t]),
        (Some("v"), vec![v]),
        (Some("r"), vec![r]),
        (Some("v,t"), vec![t, v]),
        (Some("t,v,r"), vec![t, v, r]),
    ] {
        let dir = tmp.path().join(types.unwrap_or("all").replace(',', ""));
        let mut args = vec!["keys", "generate", "--out", p(&dir)];
        if let Some(ty) = types {
            args.extend(["--types", ty]);
        }
        let out = dcc(&args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let DscFacts {
            digital_signature,
            ekus,
            period,
            validity: (not_before, not_after),
        } = dsc_extensions(&dir);
        assert!(digital_signature, "{types:?}");
        assert_eq!(ekus, want, "{types:?}");
        // About six months of signing within two years of validity.
        assert_eq!(
            period,
            Some((not_before, not_before + 183 * 86_400)),
            "{types:?}"
        );
        assert_eq!(not_after - not_before, 730 * 86_400, "{types:?}");
        // The private keys are unencrypted by default (development).
        let key = std::fs::read_to_string(dir.join("dsc.key")).unwrap();
        assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"), "{types:?}");
    }
    let dir = tmp.path().join("usage");
    let out = dcc(&["keys", "generate", "--out", p(&dir), "--usage-days", "365"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let facts = dsc_extensions(&dir);
    let not_before = facts.validity.0;
    assert_eq!(facts.period, Some((not_before, not_before + 365 * 86_400)));
    for bad in ["0", "731"] {
        let out = dcc(&[
            "keys",
            "generate",
            "--out",
            p(&tmp.path().join("bad")),
            "--usage-days",
            bad,
        ]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(text(&out.stderr).contains("--usage-days"), "{bad}");
    }
}

#[test]
fn a_dsc_past_its_usage_period_does_not_sign() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("keys");
    let out = dcc(&["keys", "generate", "--out", p(&dir), "--usage-days", "30"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let not_before = dsc_extensions(&dir).validity.0;
    let at = |days: i64| {
        time::OffsetDateTime::from_unix_timestamp(not_before + days * 86_400)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let issue_at = |when: &str| {
        dcc(&[
            "issue",
            "--key",
            p(&dir.join("dsc.key")),
            "--cert",
            p(&dir.join("dsc.pem")),
            "--record",
            &record("test"),
            "--at",
            when,
        ])
    };
    let day_29 = at(29);
    let out = issue_at(&day_29);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let day_31 = at(31);
    let out = issue_at(&day_31);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("its private key may sign only from"),
        "{}",
        text(&out.stderr)
    );
}
