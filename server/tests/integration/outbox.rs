//! The outbox: a real SMTP conversation with a sink started here, the crash between claim and
//! send, retries with backoff, two server instances sending a burst exactly once (also when a
//! batch outlasts its lease), messages sealed at rest, and their retention.

use crate::common;

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
        &verifier::Context::new(&h.app.issuance.published().trust, common::NOW),
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

/// Whether `needle` occurs in `hay` with no letter or digit on either side: a code as a
/// template writes it ("je 123456, platí"), not six digits inside a hex dump or a timestamp.
fn occurs_as_word(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).enumerate().any(|(i, w)| {
        w == needle
            && (i == 0 || !hay[i - 1].is_ascii_alphanumeric())
            && hay
                .get(i + needle.len())
                .is_none_or(|b| !b.is_ascii_alphanumeric())
    })
}

fn occurs(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

const RENEWAL_PHONE: &str = "+420601555777";
const RENEWAL_EMAIL: &str = "jana@nemocnice.example";
const CERT_EMAIL: &str = "anezka@example.cz";
const CITIZEN_PHONE: &str = "+420601123456";

/// Enqueues the messages that carry secrets, none sent yet: a registry user's PIN-renewal link
/// (e-mail) and code (SMS), a certificate e-mail with its PDF, and a citizen's login code (SMS).
async fn enqueue_secret_messages(h: &Harness) {
    let username = common::registry::register(h, BN_IDENTIFIED, RENEWAL_PHONE, RENEWAL_EMAIL).await;
    let mut b = common::registry::renewal_started(h, &username).await;
    let p = b.get(h, "/registry/renew/phone").await;
    let p = b
        .post(
            h,
            "/registry/renew/phone",
            &[("csrf", &p.csrf()), ("digits", "777")],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let body = vaccination(BN_IDENTIFIED, 1, 1, "2026-02-01", Some(CERT_EMAIL));
    let (status, rec, _) = h.send(h.post_record(&body, None)).await;
    assert_eq!(status, StatusCode::CREATED, "{rec}");
    let mut b = common::web::Browser::default();
    let p = b.citizen_login(h, BN_IDENTIFIED, "AB123456").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(h.app.store.outbox_counts().await.unwrap().pending, 4);
}

/// SECURITY.md 1, 16, 46 and DESIGN.md "Modes": no one-time code, reset link, message text or
/// certificate PDF is readable in the database file, its write-ahead log or a `pg_dump`,
/// neither while the messages wait nor after they were sent.
async fn sealed_at_rest(backend: Backend) {
    let h = Harness::new(backend).await;
    enqueue_secret_messages(&h).await;
    let waiting = h.raw_database_bytes().await;
    assert_eq!(outbox::run_once(&h.app).await.unwrap(), 4);
    let sent = h.raw_database_bytes().await;
    // What went out, read back through the worker (the only reader of message contents).
    let sms = std::mem::take(&mut *h.sms.sent.lock().unwrap());
    let mails = std::mem::take(&mut *h.mailer.bodies.lock().unwrap());
    let code_to = |phone: &str| {
        let (_, text) = sms.iter().find(|(to, _)| to == phone).expect("an SMS");
        common::web::code_of(text)
    };
    let mail_to = |email: &str| {
        mails
            .iter()
            .find(|(to, _)| to == email)
            .map(|(_, body)| body.clone())
            .expect("an e-mail")
    };
    let codes = [code_to(RENEWAL_PHONE), code_to(CITIZEN_PHONE)];
    let link_mail = mail_to(RENEWAL_EMAIL);
    let at = link_mail.find("/registry/pin/").expect("a reset link") + 14;
    let token: String = link_mail[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert!(token.len() >= 22, "{link_mail}");
    let cert_mail = mail_to(CERT_EMAIL);
    // Every line of text the messages carried, long enough to be their own.
    let lines: Vec<&str> = sms
        .iter()
        .map(|(_, t)| t.as_str())
        .chain([link_mail.as_str(), cert_mail.as_str()])
        .flat_map(str::lines)
        .map(str::trim)
        .filter(|l| l.len() >= 24 && !l.contains(['\'', '\\']))
        .collect();
    assert!(lines.len() >= 4, "{lines:?}");
    for (when, bytes) in [("waiting", &waiting), ("sent", &sent)] {
        for code in &codes {
            assert!(
                !occurs_as_word(bytes, code.as_bytes()),
                "{backend:?}, {when}: the code {code} is readable in the database"
            );
        }
        assert!(
            !occurs(bytes, token.as_bytes()),
            "{backend:?}, {when}: the reset link's token is readable in the database"
        );
        for line in &lines {
            assert!(
                !occurs(bytes, line.as_bytes()),
                "{backend:?}, {when}: message text {line:?} is readable in the database"
            );
        }
        assert!(
            !occurs(bytes, b"%PDF-"),
            "{backend:?}, {when}: the certificate PDF is readable in the database"
        );
    }
    h.finish().await;
}
both!(sealed_at_rest);

/// SECURITY.md 48: sent and given-up messages are deleted after the outbox retention (7 days),
/// audit events after a year; waiting messages stay whatever their age.
async fn purged_after_retention(backend: Backend) {
    let h = Harness::new(backend).await;
    enqueue_secret_messages(&h).await;
    assert_eq!(outbox::run_once(&h.app).await.unwrap(), 4);
    // One message the transport refuses for good, and one still waiting.
    for (dead, sc) in [
        (true, "2026-03-02T08:00:00Z"),
        (false, "2026-03-02T09:00:00Z"),
    ] {
        let t = common::test_record(BN_OTHER, sc, Some("other@example.cz"));
        let (status, v, _) = h.send(h.post_record(&t, None)).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        if dead {
            let now = h.clock_now();
            let claimed = h
                .app
                .store
                .claim_messages(now, now + 60, "test-worker", 10)
                .await
                .unwrap();
            assert_eq!(claimed.len(), 1);
            h.app
                .store
                .mark_failed(claimed[0].id, "test-worker", now, "refused", true)
                .await
                .unwrap();
        }
    }
    let before = h.app.store.outbox_counts().await.unwrap();
    // The registration's code and username mail, the four of enqueue_secret_messages, and
    // whatever notices the records brought.
    assert!(
        before.pending >= 1 && before.sent >= 6 && before.failed == 1,
        "{before:?}"
    );
    assert!(!h.app.store.audit_events(10).await.unwrap().is_empty());
    // Within the retention nothing goes.
    h.clock.advance(time::Duration::days(6));
    outbox::purge(&h.app, h.clock_now()).await.unwrap();
    assert_eq!(h.app.store.outbox_counts().await.unwrap(), before);
    // After it, ended messages go; waiting ones stay.
    h.clock.advance(time::Duration::days(2));
    outbox::purge(&h.app, h.clock_now()).await.unwrap();
    let counts = h.app.store.outbox_counts().await.unwrap();
    assert_eq!(
        (counts.pending, counts.sent, counts.failed),
        (before.pending, 0, 0),
        "sent and dead messages are purged after 7 days"
    );
    assert!(!h.app.store.audit_events(10).await.unwrap().is_empty());
    // Audit events are kept a year.
    h.clock.advance(time::Duration::days(366));
    outbox::purge(&h.app, h.clock_now()).await.unwrap();
    assert_eq!(
        h.app.store.audit_events(10).await.unwrap(),
        vec![],
        "audit events are purged after a year"
    );
    h.finish().await;
}
both!(purged_after_retention);

/// A transport that takes `delay` per message and counts deliveries per outbox id.
struct SlowMailer {
    delay: std::time::Duration,
    delivered: Arc<Mutex<BTreeMap<i64, usize>>>,
}

#[async_trait::async_trait]
impl server::mail::Mailer for SlowMailer {
    async fn send(&self, m: &server::store::OutboxMessage) -> Result<(), server::mail::MailError> {
        tokio::time::sleep(self.delay).await;
        *self.delivered.lock().unwrap().entry(m.id).or_default() += 1;
        Ok(())
    }
}

/// Issue 18 defect 6: two instances with batches of 10 and a 2-second lease, and a transport
/// taking 0.6 × the lease per message. A worker whose batch outlasts its lease must not send a
/// message the other instance has re-claimed: 24 messages, each delivered exactly once.
async fn lease_held_while_sending(backend: Backend) {
    const LEASE_SECS: u64 = 2;
    let h = Harness::with(
        backend,
        &[
            ("DCC_OUTBOX_LEASE_SECS", "2"),
            ("DCC_SMTP_TIMEOUT_SECS", "1"),
        ],
        true,
    )
    .await;
    assert_eq!(
        (h.app.config.outbox.batch, h.app.config.outbox.lease_secs),
        (10, LEASE_SECS as i64)
    );
    for i in 0..24 {
        let bn = if i % 2 == 0 { BN_IDENTIFIED } else { BN_OTHER };
        let t = common::test_record(
            bn,
            &format!("2026-03-01T{:02}:{:02}:00Z", 8 + i / 4, i * 2),
            Some("burst@example.cz"),
        );
        let (status, v, _) = h.send(h.post_record(&t, None)).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
    }
    assert_eq!(h.app.store.outbox_counts().await.unwrap().pending, 24);
    let delivered = Arc::new(Mutex::new(BTreeMap::new()));
    let delay = std::time::Duration::from_millis(LEASE_SECS * 600);
    let mut apps = Vec::new();
    for _ in 0..2 {
        let cfg = h.app.config.as_ref().clone();
        let overrides = server::Overrides {
            mailer: Some(Arc::new(SlowMailer {
                delay,
                delivered: delivered.clone(),
            })),
            sms: None,
            captcha: None,
        };
        let (app, _) = server::AppState::open(cfg, h.clock.clone(), overrides)
            .await
            .unwrap();
        apps.push(app);
    }
    // The fixed clock follows real time from here, so leases run out as they would.
    let clock = h.clock.clone();
    let ticker = tokio::spawn(async move {
        use server::clock::Clock as _;
        let start = (std::time::Instant::now(), clock.now());
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            let target = start.1 + start.0.elapsed();
            let behind = target - clock.now();
            if behind.is_positive() {
                clock.advance(behind);
            }
        }
    });
    let workers: Vec<_> = apps
        .into_iter()
        .map(|app| {
            tokio::spawn(async move {
                while app.store.outbox_counts().await.unwrap().pending > 0 {
                    if outbox::run_once(&app).await.unwrap() == 0 {
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    ticker.abort();
    let delivered = delivered.lock().unwrap().clone();
    let twice: Vec<_> = delivered.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "{backend:?}: {} of 24 messages delivered more than once: {twice:?}",
        twice.len()
    );
    assert_eq!(delivered.len(), 24, "every message delivered");
    let counts = h.app.store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.sent), (0, 24));
    h.finish().await;
}
both!(lease_held_while_sending);

/// Runs one statement on the test database behind the server's back, as someone with write
/// access to it (or a row left from before sealing) would.
async fn raw_sql(h: &Harness, sql: &str) -> Vec<String> {
    use sqlx::{Connection as _, Row as _};
    match h.backend {
        Backend::Sqlite => {
            let url = format!("sqlite:{}", h.dir.path().join("test.db").display());
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            let rows = sqlx::query(sql).fetch_all(&mut c).await.unwrap();
            rows.iter()
                .map(|r| {
                    r.try_get::<Option<String>, _>(0)
                        .unwrap()
                        .unwrap_or_default()
                })
                .collect()
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&h.db.url).await.unwrap();
            let rows = sqlx::query(sql).fetch_all(&mut c).await.unwrap();
            rows.iter()
                .map(|r| {
                    r.try_get::<Option<String>, _>(0)
                        .unwrap()
                        .unwrap_or_default()
                })
                .collect()
        }
    }
}

/// A row written before messages were sealed still sends from its plaintext; a sealed message
/// readdressed in the database does not open, is given up with an error that tells nothing of
/// it, and reaches nobody. Both texts are wiped once the messages end.
async fn legacy_and_unopenable_rows(backend: Backend) {
    let h = Harness::new(backend).await;
    let now = h.clock_now();
    raw_sql(
        &h,
        &format!(
            "INSERT INTO outbox (channel, recipient, subject, body, status, attempts, \
             next_attempt_at, created_at) VALUES ('email', 'old@example.cz', 'Starý / Old', \
             'legacy body 4711', 'pending', 0, {now}, {now}) RETURNING body"
        ),
    )
    .await;
    let body = vaccination(BN_IDENTIFIED, 1, 1, "2026-02-01", Some(CERT_EMAIL));
    assert_eq!(
        h.send(h.post_record(&body, None)).await.0,
        StatusCode::CREATED
    );
    raw_sql(
        &h,
        &format!(
            "UPDATE outbox SET recipient = 'mallory@example.cz' WHERE recipient = '{CERT_EMAIL}' \
             RETURNING recipient"
        ),
    )
    .await;
    assert_eq!(outbox::run_once(&h.app).await.unwrap(), 1);
    assert_eq!(
        *h.mailer.bodies.lock().unwrap(),
        vec![("old@example.cz".to_string(), "legacy body 4711".to_string())]
    );
    let counts = h.app.store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.sent, counts.failed), (0, 1, 1));
    let error = raw_sql(
        &h,
        "SELECT last_error FROM outbox WHERE recipient = 'mallory@example.cz'",
    )
    .await;
    assert_eq!(
        error,
        vec!["sealed message does not open (another installation secret, or a changed row)"]
    );
    let left = raw_sql(
        &h,
        "SELECT subject || body || COALESCE(attachment_name, '') FROM outbox \
         WHERE sealed IS NOT NULL OR attachment IS NOT NULL OR subject <> '' OR body <> ''",
    )
    .await;
    assert!(left.is_empty(), "ended messages keep no text: {left:?}");
    h.finish().await;
}
both!(legacy_and_unopenable_rows);
