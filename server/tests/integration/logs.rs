//! SECURITY.md 45: a full provider flow, e-mail sending included, logs no birth number, ID-card
//! number, token, e-mail address or HC1 text. Its own test binary, because it installs the global
//! log subscriber.

use crate::common;

use axum::http::StatusCode;
use common::{vaccination, Backend, Harness, BN_IDENTIFIED, BN_UNKNOWN};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_personal_data_in_logs() {
    let sink = common::Sink::default();
    sink.install();
    let h = Harness::new(Backend::Sqlite).await;
    let email = "jana.distinctive@example.cz";
    let body = vaccination(BN_IDENTIFIED, 1, 1, "2026-02-01", Some(email));
    let (status, rec, _) = h.send(h.post_record(&body, Some("log-key"))).await;
    assert_eq!(status, StatusCode::CREATED);
    let unknown = vaccination(BN_UNKNOWN, 1, 1, "2026-02-01", Some(email));
    assert_eq!(
        h.send(h.post_record(&unknown, None)).await.0,
        StatusCode::CREATED
    );
    let mut bad = body.clone();
    bad["person"]["birth_number"] = serde_json::json!("736028/0005");
    assert_eq!(
        h.send(h.post_record(&bad, None)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    *h.mailer.fail.lock().unwrap() = true;
    server::outbox::run_once(&h.app).await.unwrap();
    let log = sink.text();
    assert!(
        log.contains("send failed"),
        "the log sink captured the flow: {log}"
    );
    let hc1 = rec["certificate"]["hc1"].as_str().unwrap();
    for secret in [
        "736028/0004",
        "7360280004",
        "805512",
        "AB123456",
        email,
        h.token.as_str(),
        &hc1[..40],
        "+420601123456",
    ] {
        assert!(!log.contains(secret), "{secret:?} is in the log");
    }
    h.finish().await;
}
