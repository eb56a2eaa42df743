//! The outbox: a real SMTP conversation with a sink started here, the crash between claim and
//! send, retries with backoff, and two server instances sending a burst exactly once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use base64::Engine as _;
use common::{vaccination, Backend, CaptureMailer, Harness, BN_IDENTIFIED, BN_OTHER};
use server::outbox;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

/// One message the sink received.
#[derive(Debug, Clone)]
struct Received {
    from: String,
    to: Vec<String>,
    data: String,
}

/// A minimal SMTP server: EHLO, MAIL, RCPT, DATA, QUIT; everything else is answered 250.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<Received>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = Arc::new(Mutex::new(Vec::new()));
    let store = inbox.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = stream.into_split();
                let mut r = BufReader::new(r);
                w.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let (mut from, mut to) = (String::new(), Vec::new());
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    match verb.as_str() {
                        "EHLO" | "HELO" => {
                            w.write_all(b"250-sink\r\n250 8BITMIME\r\n").await.unwrap()
                        }
                        "MAIL" => {
                            from = line.trim_end().to_string();
                            w.write_all(b"250 OK\r\n").await.unwrap();
                        }
                        "RCPT" => {
                            to.push(line.trim_end().to_string());
                            w.write_all(b"250 OK\r\n").await.unwrap();
                        }
                        "DATA" => {
                            w.write_all(b"354 go ahead\r\n").await.unwrap();
                            let mut data = String::new();
                            loop {
                                let mut l = String::new();
                                if r.read_line(&mut l).await.unwrap_or(0) == 0 {
                                    return;
                                }
                                if l == ".\r\n" {
                                    break;
                                }
                                data.push_str(l.strip_prefix('.').unwrap_or(&l));
                            }
                            store.lock().unwrap().push(Received {
                                from: from.clone(),
                                to: std::mem::take(&mut to),
                                data,
                            });
                            w.write_all(b"250 queued\r\n").await.unwrap();
                        }
                        "QUIT" => {
                            w.write_all(b"221 bye\r\n").await.unwrap();
                            return;
                        }
                        _ => w.write_all(b"250 OK\r\n").await.unwrap(),
                    }
                }
            });
        }
    });
    (port, inbox)
}

/// The body of the MIME part whose headers mention `filename`, decoded.
fn attachment(data: &str, filename: &str) -> Vec<u8> {
    let at = data
        .find(filename)
        .expect("the attachment is in the message");
    let head_start = data[..at].rfind("\r\n\r\n").map_or(0, |i| i + 4);
    let body_start = at + data[at..].find("\r\n\r\n").unwrap() + 4;
    let headers = data[head_start..body_start].to_ascii_lowercase();
    let body_end = body_start + data[body_start..].find("\r\n--").unwrap();
    let body = &data[body_start..body_end];
    if headers.contains("content-transfer-encoding: base64") {
        let clean: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(clean)
            .unwrap()
    } else if headers.contains("quoted-printable") {
        let joined = body.replace("=\r\n", "");
        let mut out = Vec::new();
        let b = joined.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'=' && i + 2 < b.len() + 1 {
                out.push(u8::from_str_radix(&joined[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        out
    } else {
        body.as_bytes().to_vec()
    }
}

async fn smtp_conversation(backend: Backend) {
    let (port, inbox) = smtp_sink().await;
    let port = port.to_string();
    let h = Harness::with(
        backend,
        &[
            ("DCC_SMTP_HOST", "127.0.0.1"),
            ("DCC_SMTP_PORT", &port),
            ("DCC_SMTP_TLS", "none"),
            ("DCC_SMTP_FROM", "dcc <certifikaty@dcc.example>"),
        ],
        false,
    )
    .await;
    let body = vaccination(BN_IDENTIFIED, 1, 1, "2026-02-01", Some("anezka@example.cz"));
    let (status, rec, _) = h.send(h.post_record(&body, None)).await;
    assert_eq!(status, StatusCode::CREATED, "{rec}");
    assert_eq!(outbox::run_once(&h.app).await.unwrap(), 1);
    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "one message");
    let m = &got[0];
    assert!(m.from.contains("certifikaty@dcc.example"), "{}", m.from);
    assert_eq!(m.to.len(), 1);
    assert!(m.to[0].contains("anezka@example.cz"));
    assert!(m.data.contains("Subject: "));
    assert!(m.data.contains("To: anezka@example.cz"));
    // Czech and English text; no health details or birth number in it.
    let text = m.data.to_lowercase();
    assert!(
        text.contains("certifikát") || text.contains("certifik=c3=a1t") || text.contains("dobr"),
        "{}",
        m.data
    );
    assert!(text.contains("eu digital covid certificate"));
    assert!(!m.data.contains("736028"));
    // The attachment is the certificate PDF, and its QR code verifies.
    let pdf = attachment(&m.data, "certificate.pdf");
    assert!(pdf.starts_with(b"%PDF"), "a PDF is attached");
    let pdf_path = h.dir.path().join("mailed.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();
    let out = h.dir.path().join("mailed");
    let status = std::process::Command::new("pdftoppm")
        // ≥ 10 pixels per QR module, as rqrr needs (at 150 dpi some payloads fail to decode).
        .args(["-png", "-r", "400", "-singlefile"])
        .arg(&pdf_path)
        .arg(&out)
        .status()
        .expect("pdftoppm (poppler-utils) must be installed; .ci/run installs it");
    assert!(status.success());
    let png = std::fs::read(h.dir.path().join("mailed.png")).unwrap();
    let report = verifier::verify_qr_image(
        &png,
        &verifier::Context::new(&h.app.public.trust, common::NOW),
    );
    assert!(
        report.is_valid(),
        "{:?}",
        report.errors().collect::<Vec<_>>()
    );
    let dcc = report.dcc().unwrap().clone();
    assert_eq!(
        dcc["v"][0]["ci"].as_str(),
        rec["certificate"]["uvci"].as_str()
    );
    // Marked sent: a second run sends nothing.
    assert_eq!(outbox::run_once(&h.app).await.unwrap(), 0);
    assert_eq!(inbox.lock().unwrap().len(), 1);
    let counts = h.app.store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.sent), (0, 1));
    h.finish().await;
}
both!(smtp_conversation);

async fn crash_and_retry(backend: Backend) {
    let h = Harness::new(backend).await;
    let body = vaccination(BN_IDENTIFIED, 1, 1, "2026-02-01", Some("anezka@example.cz"));
    assert_eq!(
        h.send(h.post_record(&body, None)).await.0,
        StatusCode::CREATED
    );
    // A worker claims the message and dies before sending.
    let now = h.clock_now();
    let lease = h.app.config.outbox.lease_secs;
    let claimed = h
        .app
        .store
        .claim_messages(now, now + lease, "crashed-worker", 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    // While the lease holds, nobody else sends it.
    assert_eq!(outbox::run_once(&h.app).await.unwrap(), 0);
    assert!(h.mailer.sent.lock().unwrap().is_empty());
    // After the lease, the restarted worker sends it; nothing is lost.
    h.clock.advance(time::Duration::seconds(lease + 1));
    assert_eq!(outbox::run_once(&h.app).await.unwrap(), 1);
    assert_eq!(h.mailer.sent.lock().unwrap().len(), 1);
    // The dead worker's late acknowledgement changes nothing.
    assert!(!h
        .app
        .store
        .mark_sent(claimed[0].id, "crashed-worker", h.clock_now())
        .await
        .unwrap());
    assert_eq!(outbox::run_once(&h.app).await.unwrap(), 0);

    // A failing transport: retried after the backoff, then sent.
    *h.mailer.fail.lock().unwrap() = true;
    let t = common::test_record(
        BN_IDENTIFIED,
        "2026-03-02T08:00:00Z",
        Some("anezka@example.cz"),
    );
    assert_eq!(h.send(h.post_record(&t, None)).await.0, StatusCode::CREATED);
    assert_eq!(outbox::run_once(&h.app).await.unwrap(), 1);
    assert_eq!(h.app.store.outbox_counts().await.unwrap().pending, 1);
    assert_eq!(
        outbox::run_once(&h.app).await.unwrap(),
        0,
        "not before the backoff"
    );
    *h.mailer.fail.lock().unwrap() = false;
    h.clock
        .advance(time::Duration::seconds(outbox::backoff_secs(1)));
    assert_eq!(outbox::run_once(&h.app).await.unwrap(), 1);
    let counts = h.app.store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.sent), (0, 2));
    assert_eq!(h.mailer.sent.lock().unwrap().len(), 2);
    h.finish().await;
}
both!(crash_and_retry);

async fn two_instances_burst(backend: Backend) {
    let h = Harness::new(backend).await;
    let second_mailer = Arc::new(CaptureMailer::default());
    let second = h.second_instance(second_mailer.clone()).await;
    let apps = [h.app.clone(), second.clone()];
    // 16 events, each posted to both instances at once with one idempotency key.
    let mut tasks = Vec::new();
    for i in 0..16 {
        let bn = if i % 2 == 0 { BN_IDENTIFIED } else { BN_OTHER };
        let body = common::test_record(
            bn,
            &format!("2026-03-01T{:02}:{:02}:00Z", 8 + i / 4, i * 3),
            Some("burst@example.cz"),
        );
        for app in &apps {
            let req = h.post_record(&body, Some(&format!("burst-{i}")));
            let app = app.clone();
            tasks.push(tokio::spawn(async move { common::send(&app, req).await }));
        }
    }
    let mut by_key: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (n, t) in tasks.into_iter().enumerate() {
        let (status, v, _) = t.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{v}");
        by_key
            .entry(n / 2)
            .or_default()
            .push(v["id"].as_str().unwrap().to_string());
    }
    for (k, ids) in &by_key {
        assert_eq!(ids[0], ids[1], "key {k} processed twice");
    }
    assert_eq!(h.app.store.outbox_counts().await.unwrap().pending, 16);
    // Both workers drain the outbox concurrently.
    let workers: Vec<_> = apps
        .iter()
        .cloned()
        .map(|app| {
            tokio::spawn(async move {
                loop {
                    let n = outbox::run_once(&app).await.unwrap();
                    if n == 0 && app.store.outbox_counts().await.unwrap().pending == 0 {
                        break;
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    let mut ids: Vec<i64> = h
        .mailer
        .sent
        .lock()
        .unwrap()
        .iter()
        .chain(second_mailer.sent.lock().unwrap().iter())
        .map(|(id, _, _)| *id)
        .collect();
    let total = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(total, 16, "every message sent exactly once");
    assert_eq!(ids.len(), 16);
    let counts = h.app.store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.sent), (0, 16));
    h.finish().await;
}
both!(two_instances_burst);
