//! Issue 18 defect 7 (parts): NUL and invalid UTF-8 in paths, queries, forms and JSON are a 4xx
//! before any database query, with no ERROR in the log, on SQLite and PostgreSQL; JSON errors
//! name the field, never the value; `POST /verify` takes an object only; the development SMS
//! sink logs no phone digit beyond the country code (SECURITY.md 15). Its own test binary,
//! because it installs the global log subscriber.

use crate::common;

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::registry::captcha_id;
use common::web::{code_of, deliver, Browser};
use common::{vaccination, Backend, Harness, BN_IDENTIFIED, CAPTCHA};
use serde_json::json;
use server::sms::Sms as _;

fn log() -> &'static common::Sink {
    static SINK: OnceLock<common::Sink> = OnceLock::new();
    SINK.get_or_init(|| {
        let sink = common::Sink::default();
        sink.install();
        sink
    })
}

/// The ERROR lines of the log.
fn errors() -> Vec<String> {
    log()
        .text()
        .lines()
        .filter(|l| l.contains("ERROR"))
        .map(str::to_string)
        .collect()
}

/// A citizen with a certificate, logged in.
async fn citizen(h: &Harness) -> Browser {
    let (status, _, _) = h
        .send(h.post_record(&vaccination(BN_IDENTIFIED, 1, 1, "2026-02-01", None), None))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let mut b = Browser::default();
    let p = b.citizen_login(h, BN_IDENTIFIED, "AB123456").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let code = code_of(&deliver(h).await[0].1);
    let p = b.citizen_code(h, &code).await;
    assert_eq!(p.location(), "/me", "{}", p.body);
    b
}

/// A form post with a raw (already encoded) body.
fn form(b: &Browser, path: &str, body: Vec<u8>) -> Request<Body> {
    Request::post(path)
        .header("cookie", b.cookie_header())
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap()
}

fn client_error(s: StatusCode, what: &str) {
    assert!(s.is_client_error(), "{what}: {s}");
}

/// Nothing reached the database with a NUL: no ERROR line (PostgreSQL refuses the text with an
/// error today, and the server logs a 500).
fn no_errors_logged() {
    let errors = errors();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// Paths: the provider API and the citizen's PDF.
async fn nul_in_paths(backend: Backend) {
    log();
    let h = Harness::new(backend).await;
    let mut me = citizen(&h).await;
    for path in [
        "/api/v1/records/%00",
        "/api/v1/records/abc%00def",
        "/api/v1/records/%FF",
        "/api/v1/persons/%00/records",
    ] {
        let (s, _, _) = h.send(h.get_auth(path)).await;
        client_error(s, path);
    }
    for path in ["/me/certificates/%00/pdf", "/me/certificates/%C3/pdf"] {
        client_error(me.get(&h, path).await.status, path);
    }
    // The citizen's session still works.
    assert_eq!(me.get(&h, "/me").await.status, StatusCode::OK);
    no_errors_logged();
    h.finish().await;
}
both!(nul_in_paths);

async fn nul_in_queries(backend: Backend) {
    log();
    let h = Harness::new(backend).await;
    for path in ["/registry?renewed=%00", "/?x=%FF", "/lang/en?next=/me%00"] {
        client_error(Browser::default().get(&h, path).await.status, path);
    }
    no_errors_logged();
    h.finish().await;
}
both!(nul_in_queries);

/// Forms: a username with a NUL (or bad UTF-8) behind a right captcha, at sign-in and renewal.
async fn nul_in_forms(backend: Backend) {
    log();
    let h = Harness::new(backend).await;
    for (path, username) in [
        ("/registry/login", b"AB%00CD".to_vec()),
        ("/registry/login", b"AB%FFCD".to_vec()),
        ("/registry/login", b"AB\x00CD".to_vec()),
        ("/registry/renew", b"%00".to_vec()),
    ] {
        let mut b = Browser::default();
        let p = b.get(&h, path.trim_end_matches("/login")).await;
        let mut body = format!(
            "csrf={}&pin=x&captcha_id={}&captcha={CAPTCHA}&username=",
            p.csrf(),
            captcha_id(&p)
        )
        .into_bytes();
        body.extend_from_slice(&username);
        let p = b.send(&h, form(&b, path, body)).await;
        client_error(
            p.status,
            &format!("{path} {}", String::from_utf8_lossy(&username)),
        );
    }
    no_errors_logged();
    h.finish().await;
}
both!(nul_in_forms);

/// JSON: a NUL in a name, in a key, and in the certificate text of `/verify`.
async fn nul_in_json(backend: Backend) {
    log();
    let h = Harness::new(backend).await;
    let mut record = vaccination(BN_IDENTIFIED, 1, 1, "2026-02-02", None);
    record["person"]["family_name"] = json!("Dvořá\u{0}ková");
    let (s, _, _) = h.send(h.post_record(&record, None)).await;
    client_error(s, "JSON name");
    let raw = Request::post("/api/v1/records")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {}", h.token))
        .body(Body::from(r#"{"person\u0000": 1}"#))
        .unwrap();
    client_error(h.send(raw).await.0, "JSON key");
    let verify = Request::post("/verify")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"hc1": "HC1:\u0000"}"#))
        .unwrap();
    client_error(h.send(verify).await.0, "verify");
    no_errors_logged();
    h.finish().await;
}
both!(nul_in_json);

/// Belt and braces: were a NUL to reach PostgreSQL, its refusal is a client error (400), not
/// a 500 with an ERROR line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_refusing_a_nul_is_a_client_error() {
    let h = Harness::new(Backend::Postgres).await;
    let e = match h.app.store.user_by_username("AB\0CD").await {
        Err(e) => e,
        Ok(found) => panic!("PostgreSQL took a NUL: {found:?}"),
    };
    assert!(matches!(e, server::store::StoreError::Refused(_)), "{e:?}");
    assert_eq!(
        server::error::AppError::from(e).status(),
        StatusCode::BAD_REQUEST
    );
    h.finish().await;
}

/// A birth number sent as a JSON number: 422 naming the field, without the digits.
async fn json_errors_do_not_echo_values(backend: Backend) {
    let h = Harness::new(backend).await;
    let mut record = vaccination(BN_IDENTIFIED, 1, 1, "2026-02-01", None);
    record["person"]["birth_number"] = json!(7360280004_u64);
    let (status, err, _) = h.send(h.post_record(&record, None)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let text = err.to_string();
    assert!(!text.contains("7360280004"), "{text}");
    assert!(text.contains("person.birth_number"), "{text}");
    record["person"]["birth_number"] = json!(736028.0004);
    let (status, err, _) = h.send(h.post_record(&record, None)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(!err.to_string().contains("736028"), "{err}");
    // The revocation reason as a number: the same.
    let revoke = Request::post("/api/v1/certificates/URN:UVCI:01:CZ:X/revoke")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {}", h.token))
        .body(Body::from(r#"{"reason": 7360280004}"#))
        .unwrap();
    let (status, err, _) = h.send(revoke).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(!err.to_string().contains("7360280004"), "{err}");
    h.finish().await;
}
both!(json_errors_do_not_echo_values);

/// `POST /verify` takes `{"hc1": …}` only, not an array in its place.
#[tokio::test]
async fn verify_takes_an_object_only() {
    let h = Harness::new(Backend::Sqlite).await;
    let post = |body: &str| {
        Request::post("/verify")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let (status, report, _) = h.send(post(r#"{"hc1": "HC1:NOT BASE45!"}"#)).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    for body in [r#"["HC1:NOT BASE45!"]"#, r#"[{"hc1": "HC1:NOT BASE45!"}]"#] {
        let (status, err, _) = h.send(post(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {err}");
        assert!(
            err["message"].as_str().unwrap().contains("object"),
            "{body}: {err}"
        );
    }
    h.finish().await;
}

/// SECURITY.md 15, DESIGN.md "Modes": the development SMS sink writes the number and the text
/// to its file, and its log line shows the country code only, never the text.
#[tokio::test]
async fn file_sms_logs_the_country_code_only() {
    log();
    let tmp = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(server::clock::FixedClock::new(common::NOW));
    server::sms::FileSms::new(tmp.path().join("sms"), clock)
        .send("+420601987654", &common::secret("dcc: kód 918273"))
        .await
        .unwrap();
    let text = strip_ansi(&log().text());
    let line = text
        .lines()
        .find(|l| l.contains("SMS written") && l.contains(&tmp.path().display().to_string()))
        .unwrap_or_else(|| panic!("no SMS line in {text}"));
    assert!(line.contains("to=+420 ***"), "{line}");
    for secret in ["918273", "601987654", "987654"] {
        assert!(!text.contains(secret), "{secret} in the log: {line}");
    }
    let file = std::fs::read_dir(tmp.path().join("sms"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let content = std::fs::read_to_string(&file).unwrap();
    assert!(
        content.contains("+420601987654") && content.contains("918273"),
        "{content}"
    );
}

/// The log without terminal colour codes.
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
