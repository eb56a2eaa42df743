//! Development mode out of the box (DESIGN.md "Modes"): `dcc admin dev seed` twice makes the demo
//! data once, and what it prints logs in, the citizen and the registry user each with the code
//! from the newest file in `DATA_DIR/sms/`; production refuses to start without an SMS gateway
//! and an SMTP host, keeps no file sinks and has no seed.

use crate::common;

use std::path::Path;
use std::sync::Arc;

use axum::http::StatusCode;
use common::web::{code_of, Browser};
use common::{Backend, CaptureMailer, CaptureSms, Harness, TestDb, NOW};
use server::clock::FixedClock;
use server::dev::{CITIZEN, HEALTH_WORKER_PIN, ORG_ICO};
use server::{AppState, Overrides};

/// The files of a sink directory, oldest first (their names sort by time).
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// The code in the newest SMS file: the file holds `To: <number>`, a blank line, the text.
fn newest_code(dir: &Path) -> (String, String) {
    let newest = files(dir).pop().expect("an SMS file");
    let content = std::fs::read_to_string(&newest).unwrap();
    let (head, text) = content.split_once("\n\n").expect("head and text");
    (head.to_string(), code_of(text.trim_end()))
}

async fn seed_twice_then_log_in(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(backend, dir.path()).await;
    let cfg = common::config(dir.path(), &db.url, &[]);
    let clock = Arc::new(FixedClock::new(NOW));
    let first = server::dev::seed(cfg.clone(), clock.clone()).await.unwrap();
    assert!(first.org_created && first.user_created, "{first:?}");
    assert_eq!(first.records_created, 2);
    let token = first.token.as_ref().expect("a new token").token.clone();
    let certificate = first.records[1]
        .certificate
        .as_ref()
        .expect("the second dose completes the series");
    let sms_dir = first.sms_dir.clone().expect("SMS go to files");
    assert_eq!(sms_dir, dir.path().join("sms"));
    assert_eq!(first.mail_dir.clone().unwrap(), dir.path().join("mail"));
    assert_eq!(first.base_url, "http://127.0.0.1:8080");

    // Again: nothing new, nothing fails.
    clock.advance(time::Duration::minutes(5));
    let second = server::dev::seed(cfg.clone(), clock.clone()).await.unwrap();
    assert!(!second.org_created && !second.user_created, "{second:?}");
    assert!(second.token.is_none(), "a token is shown once");
    assert_eq!(second.records_created, 0);
    assert_eq!(second.username, first.username);
    let ids = |s: &server::dev::Seeded| s.records.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&second), ids(&first));
    assert_eq!(
        second.records[1].certificate.as_ref().unwrap().uvci,
        certificate.uvci
    );

    // The server on the same data directory, with its own file sinks.
    let overrides = Overrides {
        captcha: Some(common::known_captcha()),
        ..Overrides::default()
    };
    let (app, started) = AppState::open(cfg, clock.clone(), overrides).await.unwrap();
    assert_eq!(started.sms_dir.as_deref(), Some(sms_dir.as_path()));
    let h = Harness {
        app,
        sms: Arc::new(CaptureSms::default()),
        dir,
        clock,
        mailer: Arc::new(CaptureMailer::default()),
        db,
        token,
        backend,
    };
    // The seed's messages (the registry user's username, the certificate) become .eml files.
    server::outbox::run_once(&h.app).await.unwrap();
    let mail = files(&h.dir.path().join("mail"));
    assert!(mail.len() >= 2, "{mail:?}");
    assert!(files(&sms_dir).is_empty(), "no SMS before a login");
    // The printed token works on the provider API.
    let (status, record, _) = h
        .send(h.get_auth(&format!("/api/v1/records/{}", first.records[1].id)))
        .await;
    assert_eq!(status, StatusCode::OK, "{record}");

    // The citizen: birth number + ID card, then the code from the SMS file.
    let mut citizen = Browser::default();
    let p = citizen
        .citizen_login(&h, CITIZEN.birth_number, CITIZEN.id_card)
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    server::outbox::run_once(&h.app).await.unwrap();
    let (head, code) = newest_code(&sms_dir);
    assert_eq!(head, format!("To: {}", CITIZEN.phone));
    let p = citizen.citizen_code(&h, &code).await;
    assert_eq!(p.location(), "/me", "{}", p.body);
    let me = citizen.get(&h, "/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.body.contains(&certificate.uvci), "{}", me.body);

    // The registry user: username + PIN + captcha, then the code from the SMS file.
    let mut worker = Browser::default();
    let p = worker
        .registry_login(&h, &first.username, HEALTH_WORKER_PIN)
        .await;
    assert_eq!(p.location(), "/registry/login/code", "{}", p.body);
    server::outbox::run_once(&h.app).await.unwrap();
    let (_, code) = newest_code(&sms_dir);
    let p = worker.registry_code(&h, &code).await;
    assert_eq!(p.location(), "/registry/account", "{}", p.body);
    let org = worker.get(&h, &format!("/registry/org/{ORG_ICO}")).await;
    assert_eq!(org.status, StatusCode::OK, "the account manager's page");
    assert_eq!(files(&sms_dir).len(), 2);
    h.finish().await;
}
both!(seed_twice_then_log_in);

#[tokio::test]
async fn production_needs_real_delivery_and_has_no_seed() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let env = |extra: &[(&str, &str)]| {
        let mut env: std::collections::HashMap<String, String> = [
            ("DCC_DATA_DIR".to_string(), data.display().to_string()),
            ("DCC_MODE".to_string(), "production".to_string()),
        ]
        .into();
        for (k, v) in extra {
            env.insert((*k).to_string(), (*v).to_string());
        }
        server::Config::load(None, &env).unwrap()
    };
    let clock = Arc::new(FixedClock::new(NOW));
    let err = AppState::open(env(&[]), clock.clone(), Overrides::default())
        .await
        .expect_err("no SMS gateway, no SMTP host");
    let msg = err.to_string();
    assert!(
        msg.contains("DCC_SMS_URL") && msg.contains("DCC_SMTP_HOST"),
        "{msg}"
    );
    assert!(!data.exists(), "refused before anything is created");
    let err = server::dev::seed(env(&[]), clock.clone())
        .await
        .expect_err("no seed in production")
        .to_string();
    assert!(err.contains("production"), "{err}");
    assert!(!data.exists());
    let full = env(&[
        ("DCC_SMS_URL", "https://sms.example.cz/send"),
        ("DCC_SMTP_HOST", "127.0.0.1"),
    ]);
    let (_, started) = AppState::open(full.clone(), clock.clone(), Overrides::default())
        .await
        .unwrap();
    assert!(started.sms_dir.is_none() && started.mail_dir.is_none());
    assert!(!data.join("sms").exists() && !data.join("mail").exists());
    assert!(server::dev::seed(full, clock).await.is_err());
}
