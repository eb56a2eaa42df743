//! Signing keys at start-up and before each signature (SECURITY.md 41-42): EdDSA only when
//! `issuer.allow_eddsa`, encrypted keys opened with the passphrase named by
//! `issuer.key_passphrase_env`, and a DSC past its usage period refuses issuance, audited.

use crate::common;

use std::path::Path;
use std::sync::Arc;

use axum::http::StatusCode;
use common::{vaccination, Backend, Harness, BN_IDENTIFIED, NOW};
use hcert::crypto::Algorithm;
use issuer::keys::{self, KeyOptions};
use server::bootstrap::{self, BootstrapError};
use server::clock::FixedClock;
use server::{AppState, Overrides, StartError};

const PASS_VAR: &str = "DCC_TEST_KEY_PASSPHRASE";

/// Writes a CSCA, DSC and trust-list signer into `dir` as `dcc keys generate` does.
fn write_keys(dir: &Path, alg: Algorithm, from: time::OffsetDateTime, usage_days: i64) {
    let g = keys::generate(&KeyOptions {
        alg,
        rsa_bits: 2048,
        types: vec![],
        country: "CZ".into(),
        now: from,
        dsc_days: 730,
        usage_days,
    })
    .unwrap();
    for (name, bytes, mode) in [
        ("csca.pem", &g.csca.cert_pem, 0o644),
        ("dsc.pem", &g.dsc.cert_pem, 0o644),
        ("dsc.key", &g.dsc.key_pem, 0o600),
        ("trust-list.pem", &g.trust_list.cert_pem, 0o644),
        ("trust-list.key", &g.trust_list.key_pem, 0o600),
    ] {
        bootstrap::write_file(&dir.join(name), bytes.as_bytes(), mode).unwrap();
    }
}

/// Opens a state on a fresh SQLite file in `dir` with the extra variables.
async fn open(dir: &Path, extra: &[(&str, &str)]) -> Result<AppState, StartError> {
    let url = format!("sqlite:{}", dir.join("db").display());
    let cfg = server::Config::load(None, &env(dir, &url, extra)).map_err(StartError::Config)?;
    let clock = Arc::new(FixedClock::new(NOW));
    AppState::open(cfg, clock, Overrides::default())
        .await
        .map(|(state, _)| state)
}

fn env(dir: &Path, url: &str, extra: &[(&str, &str)]) -> std::collections::HashMap<String, String> {
    let mut env: std::collections::HashMap<String, String> = [
        ("DCC_DATA_DIR".to_string(), dir.display().to_string()),
        ("DATABASE_URL".to_string(), url.to_string()),
    ]
    .into();
    for (k, v) in extra {
        env.insert((*k).to_string(), (*v).to_string());
    }
    env
}

#[tokio::test]
async fn an_eddsa_key_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    write_keys(&dir.path().join("keys"), Algorithm::EdDsa, NOW, 730);
    let err = open(dir.path(), &[]).await.expect_err("EdDSA refused");
    assert!(
        matches!(
            err,
            StartError::Bootstrap(BootstrapError::EddsaNotAllowed(_))
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("EdDSA") && msg.contains("issuer.allow_eddsa = true"),
        "{msg}"
    );
    // Allowed by the variable, or by the file.
    let state = open(dir.path(), &[("DCC_ALLOW_EDDSA", "true")])
        .await
        .unwrap();
    assert_eq!(
        state.issuance.newest().unwrap().algorithm(),
        Algorithm::EdDsa
    );
    drop(state);
    let file = dir.path().join("dcc.toml");
    std::fs::write(&file, "[issuer]\nallow_eddsa = true\n").unwrap();
    let url = format!("sqlite:{}", dir.path().join("db").display());
    let cfg = server::Config::load(Some(&file), &env(dir.path(), &url, &[])).unwrap();
    assert!(cfg.issuer.allow_eddsa);
    assert!(!server::Config::default().issuer.allow_eddsa);
}

async fn encrypted_keys_start_and_sign(backend: Backend) {
    let pass = [
        ("DCC_KEY_PASSPHRASE_ENV", PASS_VAR),
        (PASS_VAR, "server passphrase"),
    ];
    // First start with a passphrase configured: the development keys are written encrypted.
    let h = Harness::with(backend, &pass, true).await;
    let keys_dir = h.dir.path().join("keys");
    for f in ["csca.key", "dsc.key", "trust-list.key"] {
        let key = std::fs::read_to_string(keys_dir.join(f)).unwrap();
        assert!(
            key.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
            "{f}"
        );
    }
    // And they sign: a complete series gets a certificate that the verifier back end accepts.
    let body = vaccination(BN_IDENTIFIED, 1, 1, "2026-01-10", None);
    let (status, created, _) = h.send(h.post_record(&body, None)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let hc1 = created["certificate"]["hc1"]
        .as_str()
        .expect("a certificate");
    let verify = axum::http::Request::post("/verify")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            serde_json::json!({ "hc1": hc1 }).to_string(),
        ))
        .unwrap();
    let (status, report, _) = h.send(verify).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["verdict"], "valid", "{report}");

    // Restarts: a wrong passphrase, none configured, a variable that is not set.
    let cfg = h.app.config.as_ref().clone();
    let url = secrecy::ExposeSecret::expose_secret(&cfg.database_url()).to_string();
    let restart = |extra: &[(&str, &str)]| env(h.dir.path(), &url, extra);
    let clock = Arc::new(FixedClock::new(NOW));
    for (extra, want) in [
        (
            &[
                ("DCC_KEY_PASSPHRASE_ENV", PASS_VAR),
                (PASS_VAR, "server passphrasE"),
            ][..],
            "cannot decrypt the signing key: wrong passphrase or damaged file",
        ),
        (
            &[][..],
            "dsc.key is encrypted: set issuer.key_passphrase_env (or DCC_KEY_PASSPHRASE_ENV)",
        ),
        (
            &[("DCC_KEY_PASSPHRASE_ENV", "DCC_TEST_NOT_SET")][..],
            "issuer.key_passphrase_env: the variable DCC_TEST_NOT_SET is not set",
        ),
    ] {
        let err = match server::Config::load(None, &restart(extra)) {
            Err(e) => e.to_string(),
            Ok(cfg) => AppState::open(cfg, clock.clone(), Overrides::default())
                .await
                .expect_err("refused")
                .to_string(),
        };
        assert!(err.contains(want), "{extra:?}: {err}");
        assert!(
            !err.contains("PRIVATE KEY") && !err.contains("-----"),
            "{err}"
        );
        assert!(!err.contains("server passphrase"), "{err}");
    }
    // The passphrase never shows in the configuration's Debug output.
    assert!(!format!("{cfg:?}").contains("server passphrase"));
    h.finish().await;
}
both!(encrypted_keys_start_and_sign);

async fn a_dsc_past_its_usage_period_refuses_and_is_audited(backend: Backend) {
    // Keys made 40 days before NOW whose key may sign for 30 days: the server starts (it still
    // verifies), but issuance is refused with the reason, and audited.
    let keys_dir = tempfile::tempdir().unwrap();
    write_keys(
        keys_dir.path(),
        Algorithm::Es256,
        NOW - time::Duration::days(40),
        30,
    );
    let dir = keys_dir.path().display().to_string();
    let h = Harness::with(backend, &[("DCC_KEYS_DIR", &dir)], true).await;
    let window = h.app.issuance.newest().unwrap().signing_window();
    assert!(window.from_extension);
    assert!(window.until < NOW.unix_timestamp());
    let body = vaccination(BN_IDENTIFIED, 1, 1, "2026-01-10", None);
    let (status, created, _) = h.send(h.post_record(&body, None)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert!(created["certificate"].is_null(), "{created}");
    let note = created["note"].as_str().unwrap();
    assert!(
        note.contains("signer certificate: its private key may sign only from"),
        "{note}"
    );
    let refused = h
        .app
        .store
        .audit_events(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|(e, _)| e == "issuance.refused")
        .count();
    assert_eq!(refused, 1);
    h.finish().await;
}
both!(a_dsc_past_its_usage_period_refuses_and_is_audited);
