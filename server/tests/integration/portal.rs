//! The citizen portal over HTTP (issue #8, SECURITY.md): login with birth number + ID-card
//! number + SMS code, sessions, CSRF, records and PDF, contact change, and the old-certificate
//! exchange, on a real SQLite file and a real PostgreSQL database, with a fixed clock and the
//! SMS captured from the outbox worker.

use crate::common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use common::web::{code_of, deliver, Browser, Page};
use common::{Backend, Harness, BN_IDENTIFIED, BN_OTHER, BN_UNKNOWN};
use serde_json::{json, Value};
use server::service::exchange::Imported;
use tower::ServiceExt as _;

/// Records a completed vaccination series (with phone and ID card) for `bn`.
async fn record_series(h: &Harness, bn: &str) -> Value {
    let (s, body, _) = h
        .send(h.post_record(&common::vaccination(bn, 2, 2, "2026-02-20", None), None))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    body
}

/// Logs in as the person of `bn` with ID card AB123456; returns the browser with a session.
async fn log_in(h: &Harness, bn: &str) -> Browser {
    let mut b = Browser::default();
    // The ID card as people type it, with a space.
    let p = b.citizen_login(h, bn, "AB 123456").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let sms = deliver(h).await;
    assert_eq!(sms.len(), 1, "{sms:?}");
    let p = b.citizen_code(h, &code_of(&sms[0].1)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/me");
    assert!(b.cookies.contains_key("__Host-dcc-session"));
    assert!(
        !b.cookies.contains_key("__Host-dcc-flow"),
        "the flow id is discarded"
    );
    b
}

async fn login_records_and_pdf(backend: Backend) {
    let h = Harness::new(backend).await;
    let rec = record_series(&h, BN_IDENTIFIED).await;
    let uvci = rec["certificate"]["uvci"].as_str().unwrap().to_string();
    let mut b = log_in(&h, BN_IDENTIFIED).await;
    let me = b.get(&h, "/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.body.contains("Anežka Dvořáková"), "{}", me.body);
    assert!(me.body.contains(&uvci));
    assert_eq!(me.headers["cache-control"], "no-store");
    let i = me.body.find("/me/certificates/").unwrap();
    let link = &me.body[i..i + me.body[i..].find('"').unwrap()];
    let pdf = b.get(&h, link).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF"));
    // Another person's certificate is 404 (SECURITY.md 36).
    let (st, other, _) = h
        .send(h.post_record(
            &common::vaccination(BN_OTHER, 2, 2, "2026-02-19", None),
            None,
        ))
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let other_id = other["certificate"]["id"].as_str().unwrap();
    let p = b.get(&h, &format!("/me/certificates/{other_id}/pdf")).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    // The sessions table holds digests only (SECURITY.md 20).
    let session = b.cookies["__Host-dcc-session"].clone();
    assert_eq!(session.len(), 22, "128 bits, base64url");
    // The whole database as a backup would hold it (SQLite file and WAL, or pg_dump); the
    // citizen's session row is in it, so an empty read cannot pass for "not stored".
    let db = h.raw_database_bytes().await;
    assert!(db.len() > 4096, "the database was read");
    assert!(
        !db.windows(session.len()).any(|w| w == session.as_bytes()),
        "the session cookie is not stored in clear"
    );
    // Logout ends the server record: the replayed cookie is 401.
    let me = b.get(&h, "/me").await;
    let out = b.post(&h, "/logout", &[("csrf", &me.csrf())]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let mut replay = Browser::default();
    replay
        .cookies
        .insert("__Host-dcc-session".into(), session.clone());
    assert_eq!(replay.get(&h, "/me").await.status, StatusCode::UNAUTHORIZED);
    h.finish().await;
}
both!(login_records_and_pdf);

async fn uniform_login_answers(backend: Backend) {
    let h = Harness::new(backend).await;
    record_series(&h, BN_IDENTIFIED).await;
    // A person without a phone.
    let mut no_phone = common::vaccination(BN_OTHER, 2, 2, "2026-02-21", None);
    no_phone["person"].as_object_mut().unwrap().remove("phone");
    let (s, _, _) = h.send(h.post_record(&no_phone, None)).await;
    assert_eq!(s, StatusCode::CREATED);
    deliver(&h).await;
    let mut answers = Vec::new();
    for (bn, card) in [
        (BN_UNKNOWN, "AB123456"),
        (BN_IDENTIFIED, "XY999999"),
        (BN_OTHER, "AB123456"),
        (BN_IDENTIFIED, "AB123456"),
    ] {
        let mut b = Browser::default();
        let p = b.citizen_login(&h, bn, card).await;
        let next = b.get(&h, p.location()).await;
        let masked = next.body.replace(&next.csrf(), "CSRF");
        answers.push((p.status, p.location().to_string(), next.status, masked));
        let sms = deliver(&h).await;
        let expected = usize::from(bn == BN_IDENTIFIED && card == "AB123456");
        assert_eq!(sms.len(), expected, "{bn} {card}");
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:#?}");
    h.finish().await;
}
both!(uniform_login_answers);

#[tokio::test]
async fn malformed_birth_numbers_are_named_and_nothing_is_stored() {
    let h = Harness::new(Backend::Sqlite).await;
    for bad in [
        "736028/0005",
        "abc",
        "7360280004x",
        "731328/0004",
        "",
        "12345678901234",
    ] {
        let mut b = Browser::default();
        let p = b.citizen_login(&h, bad, "AB1").await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        // An empty field is missing rather than malformed (issue #21 part 5).
        let says = if bad.is_empty() {
            "Vyplňte rodné číslo."
        } else {
            "Rodné číslo nemá platný tvar"
        };
        assert!(p.body.contains(says), "{bad}: {}", p.body);
        assert!(p.body.contains("role=\"alert\""));
    }
    let flow = vec![0u8; 32];
    assert!(h
        .app
        .store
        .otp_latest(&flow, "login")
        .await
        .unwrap()
        .is_none());
    assert!(deliver(&h).await.is_empty());
    h.finish().await;
}

/// Starts a login for `bn` (ID card AB123456) in a new browser; returns it with the code sent,
/// if one was.
async fn start_login(h: &Harness, bn: &str) -> (Browser, String, Option<String>) {
    let mut b = Browser::default();
    let p = b.citizen_login(h, bn, "AB123456").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let code = deliver(h).await.first().map(|(_, text)| code_of(text));
    let csrf = b.get(h, "/login/code").await.csrf();
    (b, csrf, code)
}

async fn wrong_codes_void_and_throttle(backend: Backend) {
    let h = Harness::new(backend).await;
    record_series(&h, BN_IDENTIFIED).await;
    // Known and unknown birth numbers throttle alike (SECURITY.md 3, 11).
    for bn in [BN_IDENTIFIED, BN_UNKNOWN] {
        let (mut b, csrf, code) = start_login(&h, bn).await;
        let right = code.clone().unwrap_or_else(|| "123456".into());
        let wrong = if right == "000000" {
            "111111"
        } else {
            "000000"
        };
        for i in 0..5 {
            let p = b
                .post(&h, "/login/code", &[("csrf", &csrf), ("code", wrong)])
                .await;
            assert_eq!(
                p.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{bn}: wrong entry {i}"
            );
        }
        // Five wrong entries voided the challenge: the right code no longer works.
        let p = b
            .post(&h, "/login/code", &[("csrf", &csrf), ("code", &right)])
            .await;
        assert_eq!(
            p.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bn}: void after 5 wrong"
        );
        // A new attempt within 30 s of the 5th failure waits, known or unknown.
        let mut again = Browser::default();
        let p = again.citizen_login(&h, bn, "AB123456").await;
        assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS, "{bn}");
        assert!(p.headers.contains_key("retry-after"));
        assert!(deliver(&h).await.is_empty());
        assert!(!b.cookies.contains_key("__Host-dcc-session"));
        h.clock.advance(time::Duration::hours(2));
    }
    h.finish().await;
}
both!(wrong_codes_void_and_throttle);

#[tokio::test]
async fn codes_expire_and_resend_voids_the_old() {
    let h = Harness::new(Backend::Sqlite).await;
    record_series(&h, BN_IDENTIFIED).await;
    let (mut b, csrf, code) = start_login(&h, BN_IDENTIFIED).await;
    h.clock.advance(time::Duration::seconds(301));
    let p = b
        .post(
            &h,
            "/login/code",
            &[("csrf", &csrf), ("code", &code.unwrap())],
        )
        .await;
    assert_eq!(
        p.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "expired after 5 min 1 s"
    );
    let p = b.post(&h, "/login/resend", &[("csrf", &csrf)]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let old = code_of(&deliver(&h).await[0].1);
    h.clock.advance(time::Duration::seconds(59));
    let p = b.post(&h, "/login/resend", &[("csrf", &csrf)]).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS, "resend at 59 s");
    assert!(p.headers.contains_key("retry-after"));
    assert!(deliver(&h).await.is_empty());
    h.clock.advance(time::Duration::seconds(1));
    let p = b.post(&h, "/login/resend", &[("csrf", &csrf)]).await;
    assert_eq!(p.status, StatusCode::OK, "resend at 60 s");
    let new = code_of(&deliver(&h).await[0].1);
    if old != new {
        let p = b
            .post(&h, "/login/code", &[("csrf", &csrf), ("code", &old)])
            .await;
        assert_eq!(
            p.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the old code is void"
        );
    }
    let p = b
        .post(&h, "/login/code", &[("csrf", &csrf), ("code", &new)])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "the new code logs in");
    h.finish().await;
}

#[tokio::test]
async fn codes_are_single_use_and_sends_are_capped() {
    let h = Harness::new(Backend::Sqlite).await;
    record_series(&h, BN_IDENTIFIED).await;
    let (mut b, csrf, code) = start_login(&h, BN_IDENTIFIED).await;
    let code = code.unwrap();
    let flow = b.cookies["__Host-dcc-flow"].clone();
    let p = b
        .post(&h, "/login/code", &[("csrf", &csrf), ("code", &code)])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let mut again = Browser::default();
    again.cookies.insert("__Host-dcc-flow".into(), flow);
    let p = again
        .post(&h, "/login/code", &[("csrf", &csrf), ("code", &code)])
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "a used code");
    assert!(!again.cookies.contains_key("__Host-dcc-session"));
    // Five sends per birth number per hour; the sixth is 429 and sends nothing.
    for _ in 0..4 {
        h.clock.advance(time::Duration::seconds(61));
        start_login(&h, BN_IDENTIFIED).await;
    }
    let mut b = Browser::default();
    let p = b.citizen_login(&h, BN_IDENTIFIED, "AB123456").await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(deliver(&h).await.is_empty());
    h.finish().await;
}

async fn one_code_succeeds_once_under_concurrency(backend: Backend) {
    let h = Harness::new(backend).await;
    record_series(&h, BN_IDENTIFIED).await;
    let mut b = Browser::default();
    b.citizen_login(&h, BN_IDENTIFIED, "AB123456").await;
    let code = code_of(&deliver(&h).await[0].1);
    let csrf = b.get(&h, "/login/code").await.csrf();
    let h = std::sync::Arc::new(h);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (h, mut b, csrf, code) = (h.clone(), b.clone(), csrf.clone(), code.clone());
        tasks.push(tokio::spawn(async move {
            b.post(&h, "/login/code", &[("csrf", &csrf), ("code", &code)])
                .await
                .status
        }));
    }
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap() == StatusCode::SEE_OTHER {
            ok += 1;
        }
    }
    assert_eq!(ok, 1, "exactly one of 20 parallel submissions logs in");
    std::sync::Arc::into_inner(h).unwrap().finish().await;
}
both!(one_code_succeeds_once_under_concurrency);

#[tokio::test]
async fn sessions_time_out() {
    let h = Harness::new(Backend::Sqlite).await;
    record_series(&h, BN_IDENTIFIED).await;
    let mut b = log_in(&h, BN_IDENTIFIED).await;
    h.clock.advance(time::Duration::seconds(29 * 60 + 59));
    assert_eq!(b.get(&h, "/me").await.status, StatusCode::OK);
    h.clock.advance(time::Duration::seconds(30 * 60 + 1));
    assert_eq!(
        b.get(&h, "/me").await.status,
        StatusCode::UNAUTHORIZED,
        "idle 30 min 1 s"
    );

    let mut b = log_in(&h, BN_IDENTIFIED).await;
    for _ in 0..72 {
        h.clock.advance(time::Duration::minutes(10));
        assert_eq!(b.get(&h, "/me").await.status, StatusCode::OK);
    }
    h.clock.advance(time::Duration::seconds(1));
    assert_eq!(
        b.get(&h, "/me").await.status,
        StatusCode::UNAUTHORIZED,
        "absolute 12 h"
    );
    h.finish().await;
}

#[tokio::test]
async fn csrf_and_headers() {
    let h = Harness::new(Backend::Sqlite).await;
    record_series(&h, BN_IDENTIFIED).await;
    let mut b = Browser::default();
    let p = b.get(&h, "/").await;
    for (name, value) in [
        (
            "content-security-policy",
            "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        ),
        ("strict-transport-security", "max-age=31536000; includeSubDomains"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
        ("content-type", "text/html; charset=utf-8"),
    ] {
        assert_eq!(p.headers[name], value, "{name}");
    }
    let csrf = p.csrf();
    let fields = [
        ("csrf", csrf.as_str()),
        ("birth_number", BN_IDENTIFIED),
        ("id_card", "AB123456"),
    ];
    // Cross-site.
    let mut cross = b.clone();
    cross.cross_site = true;
    assert_eq!(
        cross.post(&h, "/login", &fields).await.status,
        StatusCode::FORBIDDEN
    );
    // Missing token, and a token of another flow.
    let p = b
        .post(
            &h,
            "/login",
            &[("birth_number", BN_IDENTIFIED), ("id_card", "AB123456")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let mut other = Browser::default();
    let other_csrf = other.get(&h, "/").await.csrf();
    let p = b
        .post(
            &h,
            "/login",
            &[
                ("csrf", &other_csrf),
                ("birth_number", BN_IDENTIFIED),
                ("id_card", "AB123456"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(deliver(&h).await.is_empty(), "no code for refused posts");
    // A logged-in form with another session's token.
    let mut a = log_in(&h, BN_IDENTIFIED).await;
    let c = log_in(&h, BN_IDENTIFIED).await;
    let mut c2 = c.clone();
    let c_csrf = c2.get(&h, "/me").await.csrf();
    assert_eq!(
        a.post(&h, "/logout", &[("csrf", &c_csrf)]).await.status,
        StatusCode::FORBIDDEN
    );
    // GET on a state-changing route is 405; an error page carries the headers too.
    let p = a.get(&h, "/logout").await;
    assert_eq!(p.status, StatusCode::METHOD_NOT_ALLOWED);
    let p = a.get(&h, "/exchange/AAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert_eq!(p.headers["x-frame-options"], "DENY");
    assert_eq!(p.headers["cache-control"], "no-store");
    // next= only relative.
    let p = a.get(&h, "/lang/en?next=https://evil.example").await;
    assert_eq!(p.location(), "/");
    let p = a.get(&h, "/lang/en?next=/me").await;
    assert_eq!(p.location(), "/me");
    assert!(a.get(&h, "/me").await.body.contains("My records"));
    h.finish().await;
}

async fn contact_change(backend: Backend) {
    let h = Harness::new(backend).await;
    record_series(&h, BN_IDENTIFIED).await;
    let mut b = log_in(&h, BN_IDENTIFIED).await;
    let page = b.get(&h, "/me/contact").await;
    assert!(
        !page.body.contains("601123456"),
        "the full phone is never shown"
    );
    let csrf = page.csrf();
    // Without a code in the last 5 minutes: step-up required.
    h.clock.advance(time::Duration::minutes(6));
    let p = b
        .post(
            &h,
            "/me/contact",
            &[
                ("csrf", &csrf),
                ("field", "phone"),
                ("value", "+420777000111"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(p.headers["x-dcc-error"], "step_up_required");
    let p = b.post(&h, "/me/step-up", &[("csrf", &csrf)]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let sms = deliver(&h).await;
    assert_eq!(sms[0].0, "+420601123456");
    let code = code_of(&sms[0].1);
    let p = b
        .post(
            &h,
            "/me/step-up/confirm",
            &[("csrf", &csrf), ("code", &code)],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    // A malformed number is named; nothing changes.
    let p = b
        .post(
            &h,
            "/me/contact",
            &[("csrf", &csrf), ("field", "phone"), ("value", "12")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.body.contains("Telefonní číslo zadejte mezinárodně"),
        "{}",
        p.body
    );
    // The code goes to the new number; until it is entered, the old number stays.
    let p = b
        .post(
            &h,
            "/me/contact",
            &[
                ("csrf", &csrf),
                ("field", "phone"),
                ("value", "+420777000111"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    let sms = deliver(&h).await;
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].0, "+420777000111");
    let code = code_of(&sms[0].1);
    let p = b
        .post(
            &h,
            "/me/contact/confirm",
            &[("csrf", &csrf), ("field", "phone"), ("code", &code)],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let sms = deliver(&h).await;
    assert_eq!(sms.len(), 1, "a notice to the old number");
    assert_eq!(sms[0].0, "+420601123456");
    assert!(!sms[0].1.contains("777000111"));
    let events = h.app.store.audit_events(20).await.unwrap();
    assert!(
        events.iter().any(|(e, _)| e == "contact.changed"),
        "{events:?}"
    );
    // The next login texts the new number.
    h.clock.advance(time::Duration::minutes(2));
    let mut b = Browser::default();
    b.citizen_login(&h, BN_IDENTIFIED, "AB123456").await;
    assert_eq!(deliver(&h).await[0].0, "+420777000111");
    h.finish().await;
}
both!(contact_change);

/// Imports old certificates for the harness's organisation; returns the URL tokens.
async fn import_legacy(h: &Harness, lines: &[Value]) -> Vec<String> {
    let org = h.app.store.org_by_ico("25596641").await.unwrap().unwrap();
    let jsonl = lines
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    let out = server::service::exchange::import(&h.app, &org, jsonl.as_bytes(), common::NOW)
        .await
        .unwrap();
    out.into_iter()
        .map(|(line, r)| match r {
            Imported::Ok { url, .. } => url.rsplit('/').next().unwrap().to_string(),
            Imported::Failed(m) => panic!("line {line}: {m}"),
        })
        .collect()
}

fn legacy_line(id: &str, bn: &str, dt: &str) -> Value {
    let mut v = common::vaccination(bn, 2, 2, dt, None);
    v["legacy_id"] = json!(id);
    v
}

fn uvci_on(page: &Page) -> String {
    let i = page.body.find("URN:UVCI:").expect("a UVCI on the page");
    let rest = &page.body[i..];
    rest[..rest.find('<').unwrap()].to_string()
}

async fn exchange_is_one_to_one(backend: Backend) {
    let h = Harness::new(backend).await;
    let tokens = import_legacy(
        &h,
        &[
            legacy_line("OCK-2021-0001", BN_IDENTIFIED, "2021-06-01"),
            legacy_line("OCK-2021-0002", BN_IDENTIFIED, "2021-12-01"),
        ],
    )
    .await;
    assert_eq!(tokens.len(), 2);
    assert!(tokens.iter().all(|t| t.len() == 22), "128-bit tokens");
    let mut b = Browser::default();
    let mut uvcis = Vec::new();
    for _ in 0..3 {
        let p = b.get(&h, &format!("/exchange/{}", tokens[0])).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert_eq!(p.headers["x-robots-tag"], "noindex");
        assert_eq!(p.headers["referrer-policy"], "no-referrer");
        assert_eq!(p.headers["cache-control"], "no-store");
        uvcis.push(uvci_on(&p));
    }
    assert!(uvcis.windows(2).all(|w| w[0] == w[1]), "{uvcis:?}");
    let issued = h
        .app
        .store
        .audit_events(50)
        .await
        .unwrap()
        .into_iter()
        .filter(|(e, _)| e == "certificate.issued")
        .count();
    assert_eq!(issued, 1, "signed once");
    let other = b.get(&h, &format!("/exchange/{}", tokens[1])).await;
    assert_ne!(
        uvci_on(&other),
        uvcis[0],
        "two old certificates, two new ones"
    );
    // The PDF, at most 20 times.
    for i in 0..20 {
        let p = b.get(&h, &format!("/exchange/{}/pdf", tokens[0])).await;
        assert_eq!(p.status, StatusCode::OK, "download {i}");
        assert!(p.bytes.starts_with(b"%PDF"));
    }
    let p = b.get(&h, &format!("/exchange/{}/pdf", tokens[0])).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "21st download");
    // Unknown, legacy number, expired and revoked: one identical 404.
    let not_found = |p: &Page| (p.status, p.body.clone());
    let reference = not_found(&b.get(&h, "/exchange/AAAAAAAAAAAAAAAAAAAAAA").await);
    assert_eq!(reference.0, StatusCode::NOT_FOUND);
    assert_eq!(
        not_found(&b.get(&h, "/exchange/OCK-2021-0001").await),
        reference
    );
    assert!(
        server::service::exchange::revoke(&h.app, "OCK-2021-0002", h.clock_now())
            .await
            .unwrap()
    );
    assert_eq!(
        not_found(&b.get(&h, &format!("/exchange/{}", tokens[1])).await),
        reference
    );
    h.clock.advance(time::Duration::days(91));
    let expired = b.get(&h, &format!("/exchange/{}", tokens[0])).await;
    assert_eq!(not_found(&expired), reference);
    h.finish().await;
}
both!(exchange_is_one_to_one);

#[tokio::test]
async fn exchange_misses_are_limited_per_ip() {
    let h = Harness::new(Backend::Sqlite).await;
    let mut b = Browser {
        ip: Some("198.51.100.7:40000".parse().unwrap()),
        ..Browser::default()
    };
    for i in 0..20 {
        let p = b.get(&h, &format!("/exchange/{:A>22}", i)).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND);
    }
    let p = b.get(&h, "/exchange/BBBBBBBBBBBBBBBBBBBBBB").await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    let mut other = Browser {
        ip: Some("198.51.100.8:40000".parse().unwrap()),
        ..Browser::default()
    };
    assert_eq!(
        other
            .get(&h, "/exchange/BBBBBBBBBBBBBBBBBBBBBB")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    h.finish().await;
}

/// Issue #7: with DCC_REVOKE_SUPERSEDED the certificate an exchange supersedes fails
/// revocation at `/verify`, and the new one passes.
#[tokio::test]
async fn exchange_revokes_the_superseded_certificate() {
    let h = Harness::with(Backend::Sqlite, &[("DCC_REVOKE_SUPERSEDED", "true")], true).await;
    let old = record_series(&h, BN_IDENTIFIED).await;
    let old_hc1 = old["certificate"]["hc1"].as_str().unwrap().to_string();
    let tokens = import_legacy(&h, &[legacy_line("OCK-7", BN_IDENTIFIED, "2021-06-01")]).await;
    let mut b = Browser::default();
    let p = b.get(&h, &format!("/exchange/{}", tokens[0])).await;
    assert_eq!(p.status, StatusCode::OK);
    let new_uvci = uvci_on(&p);
    let (_, new_cert) = {
        let (c, org) = h
            .app
            .store
            .certificate_by_uvci(&new_uvci)
            .await
            .unwrap()
            .unwrap();
        (org, c)
    };
    let verify = |hc1: String| {
        Request::post("/verify")
            .header("content-type", "application/json")
            .body(Body::from(json!({"hc1": hc1}).to_string()))
            .unwrap()
    };
    let (s, report, _) = h.send(verify(old_hc1)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(report["checks"]["revocation"], "fail", "{report}");
    let (_, report, _) = h.send(verify(new_cert.hc1)).await;
    assert_eq!(report["checks"]["revocation"], "pass", "{report}");
    assert_eq!(report["verdict"], "valid", "{report}");
    h.finish().await;
}

#[tokio::test]
async fn scan_form_reads_text_and_photos() {
    let h = Harness::new(Backend::Sqlite).await;
    let tokens = import_legacy(&h, &[legacy_line("OCK-9", BN_IDENTIFIED, "2021-06-01")]).await;
    let url = format!("{}/exchange/{}", h.app.config.base_url(), tokens[0]);
    let mut b = Browser::default();
    let csrf = b.get(&h, "/exchange").await.csrf();
    let multipart = |b: &Browser, parts: &[(&str, Option<&str>, &[u8])]| {
        let boundary = "dccboundary";
        let mut body = Vec::new();
        for (name, file, bytes) in parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match file {
                Some(f) => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
                ),
                None => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        Request::post("/exchange")
            .header("cookie", b.cookie_header())
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap()
    };
    // The code's text.
    let req = multipart(
        &b,
        &[
            ("csrf", None, csrf.as_bytes()),
            ("text", None, url.as_bytes()),
        ],
    );
    let p = b.send(&h, req).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), format!("/exchange/{}", tokens[0]));
    // A photo of the code.
    let png = issuer::qr::encode_bytes(&url).unwrap().to_png(8).unwrap();
    let req = multipart(
        &b,
        &[
            ("csrf", None, csrf.as_bytes()),
            ("photo", Some("code.png"), &png),
        ],
    );
    let p = b.send(&h, req).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), format!("/exchange/{}", tokens[0]));
    // An EU code is not an exchange code; a picture without a code, a non-image and nothing
    // at all each get their message.
    let req = multipart(
        &b,
        &[
            ("csrf", None, csrf.as_bytes()),
            ("text", None, b"HC1:NCFOXN%TS3DH"),
        ],
    );
    let p = b.send(&h, req).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("neobsahuje odkaz"), "{}", p.body);
    let blank = {
        let img = image::GrayImage::from_pixel(64, 64, image::Luma([255]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    let req = multipart(
        &b,
        &[
            ("csrf", None, csrf.as_bytes()),
            ("photo", Some("x.png"), &blank),
        ],
    );
    let p = b.send(&h, req).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("nenašli QR kód"), "{}", p.body);
    let req = multipart(
        &b,
        &[
            ("csrf", None, csrf.as_bytes()),
            ("photo", Some("x.png"), b"GIF89a not png"),
        ],
    );
    let p = b.send(&h, req).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("PNG ani JPEG"), "{}", p.body);
    let req = multipart(&b, &[("csrf", None, csrf.as_bytes())]);
    let p = b.send(&h, req).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Too large: more than 2 MiB.
    let big = vec![0u8; 2 * 1024 * 1024 + 1];
    let req = multipart(
        &b,
        &[
            ("csrf", None, csrf.as_bytes()),
            ("photo", Some("big.png"), &big),
        ],
    );
    let p = b.send(&h, req).await;
    assert_eq!(p.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", p.body);
    // Without the CSRF token: refused.
    let req = multipart(&b, &[("text", None, url.as_bytes())]);
    assert_eq!(b.send(&h, req).await.status, StatusCode::FORBIDDEN);
    h.finish().await;
}

/// SECURITY.md 31, 45, 46: the portal's flows log no birth or ID-card number, code, cookie,
/// exchange token or phone number (exchange paths only as the token digest's first 8 hex
/// characters), and the SQLite file holds no birth number in any form. The log subscriber is
/// global to this test binary, so the other tests' flows are captured too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_flows_leak_nothing_to_logs_or_the_database() {
    let sink = common::Sink::default();
    sink.install();
    let h = Harness::new(Backend::Sqlite).await;
    record_series(&h, BN_IDENTIFIED).await;
    let (mut b, csrf, code) = start_login(&h, BN_IDENTIFIED).await;
    let code = code.unwrap();
    let flow = b.cookies["__Host-dcc-flow"].clone();
    let p = b
        .post(&h, "/login/code", &[("csrf", &csrf), ("code", "999999")])
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = b
        .post(&h, "/login/code", &[("csrf", &csrf), ("code", &code)])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let session = b.cookies["__Host-dcc-session"].clone();
    b.get(&h, "/me").await;
    start_login(&h, BN_UNKNOWN).await;
    let tokens = import_legacy(&h, &[legacy_line("OCK-LOG", BN_IDENTIFIED, "2021-06-01")]).await;
    let token = tokens[0].clone();
    assert_eq!(
        b.get(&h, &format!("/exchange/{token}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        b.get(&h, &format!("/exchange/{token}/pdf")).await.status,
        StatusCode::OK
    );

    let log = sink.text();
    let digest = hex::encode(&server::secrets::token_digest(&token)[..4]);
    assert!(log.contains(&format!("/exchange/{digest}")), "{log}");
    for secret in [
        BN_IDENTIFIED,
        &BN_IDENTIFIED.replace('/', ""),
        BN_UNKNOWN,
        &BN_UNKNOWN.replace('/', ""),
        "AB123456",
        &code,
        &flow,
        &session,
        &token,
        "OCK-LOG",
        "601123456",
    ] {
        assert!(!log.contains(secret), "{secret:?} is in the log");
    }
    let mut bytes = std::fs::read(h.dir.path().join("test.db")).unwrap();
    bytes.extend(std::fs::read(h.dir.path().join("test.db-wal")).unwrap_or_default());
    for secret in [
        BN_IDENTIFIED,
        &BN_IDENTIFIED.replace('/', ""),
        "AB123456",
        &token,
        &session,
    ] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret:?} is in the database file"
        );
    }
    h.finish().await;
}

/// SECURITY.md 28: a forced database failure gives the generic page with a request id only.
#[tokio::test]
async fn unexpected_failures_show_a_request_id_only() {
    let h = Harness::new(Backend::Sqlite).await;
    record_series(&h, BN_IDENTIFIED).await;
    let mut b = log_in(&h, BN_IDENTIFIED).await;
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&h.db.url)
        .await
        .unwrap();
    sqlx::query("DROP TABLE web_sessions")
        .execute(&mut conn)
        .await
        .unwrap();
    let p = b.get(&h, "/me").await;
    assert_eq!(p.status, StatusCode::INTERNAL_SERVER_ERROR);
    let id = p.headers["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 16);
    assert!(p.body.contains(&id), "{}", p.body);
    for leak in ["web_sessions", "sqlite", "SELECT", "/tmp", "error returned"] {
        assert!(!p.body.contains(leak), "{leak} in {}", p.body);
    }
    h.finish().await;
}

/// SECURITY.md 48: ended codes, counters and sessions are purged after 24 hours.
#[tokio::test]
async fn purge_removes_ended_rows() {
    let h = Harness::new(Backend::Sqlite).await;
    record_series(&h, BN_IDENTIFIED).await;
    let (b, _, _) = start_login(&h, BN_IDENTIFIED).await;
    let flow = server::secrets::token_digest(&b.cookies["__Host-dcc-flow"]);
    assert!(h
        .app
        .store
        .otp_latest(&flow, "login")
        .await
        .unwrap()
        .is_some());
    h.clock.advance(time::Duration::hours(25));
    let removed = server::outbox::purge(&h.app, h.clock_now()).await.unwrap();
    assert!(removed >= 2, "the challenge and its counters: {removed}");
    assert!(h
        .app
        .store
        .otp_latest(&flow, "login")
        .await
        .unwrap()
        .is_none());
    h.finish().await;
}

/// SECURITY.md 37: a birth number in the query string is not read; OTP step without the
/// login step restarts.
#[tokio::test]
async fn query_strings_and_skipped_steps() {
    let h = Harness::new(Backend::Sqlite).await;
    record_series(&h, BN_IDENTIFIED).await;
    let mut b = Browser::default();
    let csrf = b.get(&h, "/").await.csrf();
    let p = b
        .post(
            &h,
            "/login?birth_number=736028%2F0004&id_card=AB123456",
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(deliver(&h).await.is_empty());
    let p = b
        .post(&h, "/login/code", &[("csrf", &csrf), ("code", "123456")])
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Začněte prosím znovu"), "{}", p.body);
    h.finish().await;
}

/// SECURITY.md 49: with a budget of 10 the 11th code is a 503 + Retry-After; an alert event
/// is written once, when 80 % is spent; exactly 10 messages leave. (The 11th asks for a fresh
/// identifier, under its own per-identifier cap: the spent budget refuses it all the same.)
#[tokio::test]
async fn the_sms_budget_stops_sending() {
    let h = Harness::with(Backend::Sqlite, &[("DCC_SMS_PER_HOUR", "10")], true).await;
    record_series(&h, BN_IDENTIFIED).await;
    let (st, _, _) = h
        .send(h.post_record(
            &common::vaccination(BN_OTHER, 2, 2, "2026-02-19", None),
            None,
        ))
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let mut sent = 0;
    // Five per person: the per-identifier cap is five an hour.
    for bn in [BN_IDENTIFIED, BN_OTHER] {
        for i in 0..5 {
            let (_, _, code) = start_login(&h, bn).await;
            assert!(code.is_some(), "send {i} for {bn}");
            sent += 1;
            let alerts = h
                .app
                .store
                .audit_events(100)
                .await
                .unwrap()
                .into_iter()
                .filter(|(e, _)| e == "sms.budget_alert")
                .count();
            assert_eq!(alerts, usize::from(sent >= 8), "after {sent} sends");
        }
    }
    let mut b = Browser::default();
    let p = b.citizen_login(&h, BN_UNKNOWN, "AB123456").await;
    assert_eq!(p.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(p.headers.contains_key("retry-after"));
    assert!(deliver(&h).await.is_empty());
    let events = h.app.store.audit_events(100).await.unwrap();
    assert_eq!(events.iter().filter(|(e, _)| e == "otp.sent").count(), 10);
    assert_eq!(
        events
            .iter()
            .filter(|(e, _)| e == "sms.budget_alert")
            .count(),
        1
    );
    h.finish().await;
}

/// SECURITY.md 49: two instances on one PostgreSQL share the per-IP authentication counter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_share_the_ip_counter() {
    let h = Harness::with(Backend::Postgres, &[("DCC_AUTH_PER_IP", "4")], true).await;
    let second = h.second_instance(h.mailer.clone()).await;
    let ip: SocketAddr = "203.0.113.9:5000".parse().unwrap();
    let mut b = Browser {
        ip: Some(ip),
        ..Browser::default()
    };
    let csrf = b.get(&h, "/").await.csrf();
    let form = "birth_number=805512%2F0007&id_card=X1&csrf=".to_string() + &csrf;
    let post = |b: &Browser| {
        let mut req = Request::post("/login")
            .header("cookie", b.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(form.clone()))
            .unwrap();
        req.extensions_mut().insert(ConnectInfo(ip));
        req
    };
    let mut statuses = Vec::new();
    for i in 0..5 {
        let app = if i % 2 == 0 { &h.app } else { &second };
        let resp = server::app(app.clone()).oneshot(post(&b)).await.unwrap();
        statuses.push(resp.status());
        // Each accepted attempt needs the resend cool-down of its flow to pass.
        h.clock.advance(time::Duration::seconds(61));
    }
    assert!(
        statuses[..4].iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );
    assert_eq!(statuses[4], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    h.finish().await;
}

/// SECURITY.md 22: a citizen lists their sessions and ends another one, which is 401 at once.
#[tokio::test]
async fn sessions_are_listed_and_ended() {
    let h = Harness::new(Backend::Sqlite).await;
    record_series(&h, BN_IDENTIFIED).await;
    let mut phone = log_in(&h, BN_IDENTIFIED).await;
    h.clock.advance(time::Duration::minutes(2));
    let mut laptop = log_in(&h, BN_IDENTIFIED).await;
    let page = laptop.get(&h, "/me/sessions").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.body.matches("<li class=\"record\">").count(),
        2,
        "{}",
        page.body
    );
    assert!(page.body.contains("Toto zařízení"));
    assert!(!page.body.contains(&laptop.cookies["__Host-dcc-session"]));
    let i = page.body.find("name=\"handle\" value=\"").unwrap() + 21;
    let handle = page.body[i..i + 16].to_string();
    let p = laptop
        .post(
            &h,
            "/me/sessions/end",
            &[("csrf", &page.csrf()), ("handle", &handle)],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(phone.get(&h, "/me").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(laptop.get(&h, "/me").await.status, StatusCode::OK);
    // Its own session cannot be ended this way (that is logout), nor an unknown handle.
    let csrf = page.csrf();
    let page = laptop.get(&h, "/me/sessions").await;
    assert_eq!(page.body.matches("<li class=\"record\">").count(), 1);
    let p = laptop
        .post(
            &h,
            "/me/sessions/end",
            &[("csrf", &csrf), ("handle", "0011223344556677")],
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    h.finish().await;
}

/// SECURITY.md 25-27: every route answers with the security headers, success or error;
/// private pages are `no-store`, public lists carry an ETag; other methods are 405.
#[tokio::test]
async fn header_sweep_over_the_routes() {
    let h = Harness::new(Backend::Sqlite).await;
    record_series(&h, BN_IDENTIFIED).await;
    let mut b = log_in(&h, BN_IDENTIFIED).await;
    let private = [
        "/",
        "/login/code",
        "/me",
        "/me/contact",
        "/me/sessions",
        "/exchange",
        "/exchange/AAAAAAAAAAAAAAAAAAAAAA",
        "/no-such-page",
        "/health",
    ];
    let public = ["/trust-list", "/rules", "/valuesets", "/revocation-list"];
    for path in private.iter().chain(public.iter()) {
        let p = b.get(&h, path).await;
        for (name, value) in [
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "no-referrer"),
            ("x-frame-options", "DENY"),
            (
                "strict-transport-security",
                "max-age=31536000; includeSubDomains",
            ),
        ] {
            assert_eq!(
                p.headers.get(name).map(|v| v.to_str().unwrap()),
                Some(value),
                "{path}: {name}"
            );
        }
        assert!(
            p.headers["content-security-policy"]
                .to_str()
                .unwrap()
                .starts_with("default-src 'self'; object-src 'none'"),
            "{path}"
        );
        assert!(!p.headers.contains_key("server"), "{path}");
        if private.contains(path) {
            assert_eq!(p.headers["cache-control"], "no-store", "{path}");
        } else {
            assert!(p.headers.contains_key("etag"), "{path}");
        }
    }
    for (method, path) in [("TRACE", "/"), ("DELETE", "/me"), ("PUT", "/login")] {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            b.send(&h, req).await.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
    }
    h.finish().await;
}

/// The audit events written since the last call, oldest first.
async fn new_events(h: &Harness, seen: &mut usize) -> Vec<String> {
    let all = h.app.store.audit_events(1000).await.unwrap();
    let fresh = all.len() - *seen;
    *seen = all.len();
    all.into_iter()
        .take(fresh)
        .rev()
        .map(|(event, _)| event)
        .collect()
}

/// SECURITY.md 47: each citizen flow writes its expected list of audit events.
#[tokio::test]
async fn each_flow_writes_its_audit_events() {
    let h = Harness::new(Backend::Sqlite).await;
    let mut seen = 0;
    new_events(&h, &mut seen).await;
    let rec = record_series(&h, BN_IDENTIFIED).await;
    assert_eq!(
        new_events(&h, &mut seen).await,
        ["record.created", "certificate.issued", "email.enqueued"]
            .iter()
            .filter(|e| **e != "email.enqueued" || rec["person"].get("email").is_some())
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
    // Login with one wrong code first.
    let (mut b, csrf, code) = start_login(&h, BN_IDENTIFIED).await;
    b.post(&h, "/login/code", &[("csrf", &csrf), ("code", "000000")])
        .await;
    let p = b
        .post(
            &h,
            "/login/code",
            &[("csrf", &csrf), ("code", &code.unwrap())],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(
        new_events(&h, &mut seen).await,
        [
            "otp.sent",
            "otp.failed",
            "login.failed",
            "otp.verified",
            "login.succeeded"
        ]
    );
    // An unknown person: the code is withheld, and the audit log says so.
    start_login(&h, BN_UNKNOWN).await;
    assert_eq!(new_events(&h, &mut seen).await, ["otp.withheld"]);
    // The PDF.
    let me = b.get(&h, "/me").await;
    let i = me.body.find("/me/certificates/").unwrap();
    let link = &me.body[i..i + me.body[i..].find('"').unwrap()];
    assert_eq!(b.get(&h, link).await.status, StatusCode::OK);
    assert_eq!(new_events(&h, &mut seen).await, ["certificate.downloaded"]);
    // Logout.
    let me = b.get(&h, "/me").await;
    b.post(&h, "/logout", &[("csrf", &me.csrf())]).await;
    assert_eq!(new_events(&h, &mut seen).await, ["logout"]);
    // The exchange: import, then the new certificate is issued once and downloaded.
    let tokens = import_legacy(&h, &[legacy_line("OCK-AUDIT", BN_OTHER, "2021-06-01")]).await;
    new_events(&h, &mut seen).await;
    let mut anon = Browser::default();
    anon.get(&h, &format!("/exchange/{}", tokens[0])).await;
    anon.get(&h, &format!("/exchange/{}/pdf", tokens[0])).await;
    let events = new_events(&h, &mut seen).await;
    assert_eq!(
        events.iter().filter(|e| *e == "certificate.issued").count(),
        1,
        "{events:?}"
    );
    assert_eq!(
        events.last().map(String::as_str),
        Some("exchange.downloaded")
    );
    h.finish().await;
}

/// SECURITY.md 46: after the portal's flows on PostgreSQL, a `pg_dump` of the database holds no
/// birth number or ID-card number in any form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_dump_holds_no_birth_number() {
    let h = Harness::new(Backend::Postgres).await;
    record_series(&h, BN_IDENTIFIED).await;
    let mut b = log_in(&h, BN_IDENTIFIED).await;
    b.get(&h, "/me").await;
    start_login(&h, BN_UNKNOWN).await;
    let tokens = import_legacy(&h, &[legacy_line("OCK-DUMP", BN_OTHER, "2021-06-01")]).await;
    Browser::default()
        .get(&h, &format!("/exchange/{}/pdf", tokens[0]))
        .await;
    let out = std::process::Command::new("pg_dump")
        .args(["--data-only", "--inserts", &h.db.url])
        .output()
        .expect("pg_dump (postgresql-client) is installed");
    assert!(
        out.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dump = out.stdout;
    assert!(dump.len() > 10_000, "the dump holds the data");
    assert!(
        dump.windows(7).any(|w| w == b"persons"),
        "the dump lists persons: {}",
        String::from_utf8_lossy(&dump[..2000])
    );
    for bn in [BN_IDENTIFIED, BN_OTHER, BN_UNKNOWN] {
        for form in [bn.to_string(), bn.replace('/', "")] {
            assert!(
                !dump.windows(form.len()).any(|w| w == form.as_bytes()),
                "{form:?} is in the dump"
            );
        }
    }
    assert!(
        !dump.windows(8).any(|w| w == b"AB123456"),
        "the ID card is in the dump"
    );
    h.finish().await;
}

/// The `<main>` of a page: what the page itself says, without the site's header and footer.
fn main_of(p: &Page) -> &str {
    let start = p.body.find("<main").expect("a main element");
    let end = p.body.find("</main>").expect("the end of main");
    &p.body[start..end]
}

/// Issue #21 part 5: the wording and flow fixes of the citizen's pages, each as the page says it.
#[tokio::test]
async fn citizen_pages_say_what_happened() {
    let h = Harness::new(Backend::Sqlite).await;
    record_series(&h, BN_IDENTIFIED).await;
    deliver(&h).await;
    // A first visit to /me asks to log in; nobody was logged out.
    let mut fresh = Browser::default();
    let p = fresh.get(&h, "/me").await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(
        main_of(&p).contains("Tato stránka je dostupná po přihlášení."),
        "{}",
        p.body
    );
    assert!(!p.body.contains("odhlásili"), "{}", p.body);
    // An empty login form says what is missing, not that it is invalid.
    let csrf = fresh.get(&h, "/").await.csrf();
    let p = fresh
        .post(
            &h,
            "/login",
            &[("csrf", &csrf), ("birth_number", ""), ("id_card", "")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Vyplňte rodné číslo."), "{}", p.body);
    assert!(!p.body.contains("nemá platný tvar"), "{}", p.body);
    let p = fresh
        .post(
            &h,
            "/login",
            &[
                ("csrf", &csrf),
                ("birth_number", BN_IDENTIFIED),
                ("id_card", " "),
            ],
        )
        .await;
    assert!(
        p.body.contains("Vyplňte číslo občanského průkazu."),
        "{}",
        p.body
    );
    assert!(
        deliver(&h).await.is_empty(),
        "nothing sent for an incomplete form"
    );
    // The e-mail change's code page speaks of the e-mail, the phone change's of the new phone.
    let mut b = log_in(&h, BN_IDENTIFIED).await;
    let csrf = b.get(&h, "/me/contact").await.csrf();
    let p = b
        .post(
            &h,
            "/me/contact",
            &[
                ("csrf", &csrf),
                ("field", "email"),
                ("value", "anezka@example.cz"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let main = main_of(&p);
    assert!(main.contains("Zadejte kód z e-mailu"), "{main}");
    assert!(main.contains("na novou adresu"), "{main}");
    assert!(!main.contains("SMS") && !main.contains("telefon"), "{main}");
    server::outbox::run_once(&h.app).await.unwrap();
    let mails = std::mem::take(&mut *h.mailer.bodies.lock().unwrap());
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0].1.contains("kód pro změnu e-mailu"),
        "{}",
        mails[0].1
    );
    let p = b
        .post(
            &h,
            "/me/contact",
            &[
                ("csrf", &csrf),
                ("field", "phone"),
                ("value", "+420777000111"),
            ],
        )
        .await;
    assert!(
        main_of(&p).contains("na nové telefonní číslo"),
        "{}",
        p.body
    );
    assert!(deliver(&h).await[0].1.contains("kód pro změnu telefonu"));
    // Two forms in a row keep their distance (the button never touches the next label).
    assert!(b
        .get(&h, "/static/portal.css")
        .await
        .body
        .contains("form + form { margin-top"));
    // A superseded certificate was replaced by a newer one, not the other way round.
    assert_eq!(
        server::i18n::Lang::Cs.t("why_superseded"),
        "Tento certifikát byl nahrazen novějším."
    );
    h.finish().await;
}

/// Issue #21 part 5: the language switch of the exchange page keeps the page (its token) and
/// writes no token into a link.
#[tokio::test]
async fn the_exchange_page_switches_language_in_place() {
    let h = Harness::new(Backend::Sqlite).await;
    let tokens = import_legacy(&h, &[legacy_line("OCK-L", BN_IDENTIFIED, "2021-06-01")]).await;
    let url = format!("/exchange/{}", tokens[0]);
    let mut b = Browser::default();
    let p = b.get(&h, &url).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("href=\"?lang=en\""), "{}", p.body);
    assert!(!p.body.contains(&format!("next={url}")), "{}", p.body);
    let p = b.get(&h, &format!("{url}?lang=en")).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), url);
    assert_eq!(p.headers["referrer-policy"], "no-referrer");
    let p = b.get(&h, &url).await;
    assert!(p.body.contains("Your new EU certificate"), "{}", p.body);
    assert!(p.body.contains("href=\"?lang=cs\""), "{}", p.body);
    h.finish().await;
}

/// The `d` of the QR's path in an SVG: the modules, as the issuer draws them.
fn qr_path(svg: &str) -> &str {
    let i = svg.find("<path fill=\"#000\" d=\"").expect("a QR path") + 22;
    &svg[i..i + svg[i..].find('"').unwrap()]
}

/// The `filename` of a download's `Content-Disposition`.
fn file_name(p: &Page) -> String {
    let d = p.headers["content-disposition"].to_str().unwrap();
    assert!(d.starts_with("attachment; filename=\""), "{d}");
    d["attachment; filename=\"".len()..d.len() - 1].to_string()
}

/// Issue #21 part 2: `/me` shows each current certificate with its QR code (the one the issuer
/// draws for the certificate's HC1), holder, date of birth, UVCI, the entry and validity, and
/// the PDF's file name says the type and the date of the event; the exchange page likewise.
#[tokio::test]
async fn the_certificate_is_on_the_page_and_its_file_says_what_it_is() {
    let h = Harness::new(Backend::Sqlite).await;
    let rec = record_series(&h, BN_IDENTIFIED).await;
    let hc1 = rec["certificate"]["hc1"].as_str().unwrap().to_string();
    let uvci = rec["certificate"]["uvci"].as_str().unwrap().to_string();
    // A test sampled at 00:30 Prague time on 2 March (23:30 UTC the day before).
    let (st, test, _) = h
        .send(h.post_record(
            &common::test_record(BN_IDENTIFIED, "2026-03-01T23:30:00Z", None),
            None,
        ))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{test}");
    let recovery = json!({
        "person": common::person(BN_IDENTIFIED, None),
        "r": {"tg": "840539006", "fr": "2026-01-10", "df": "2026-01-21", "du": "2026-07-09"}
    });
    let (st, rec_r, _) = h.send(h.post_record(&recovery, None)).await;
    assert_eq!(st, StatusCode::CREATED, "{rec_r}");
    let mut b = log_in(&h, BN_IDENTIFIED).await;
    let me = b.get(&h, "/me").await;
    assert_eq!(me.status, StatusCode::OK);
    let expected = issuer::qr::encode(&hc1).unwrap().to_svg(320);
    assert!(me.body.contains(qr_path(&expected)), "the vaccination's QR");
    assert_eq!(
        me.body
            .matches("<svg role=\"img\" aria-label=\"QR kód certifikátu\"")
            .count(),
        3
    );
    let main = main_of(&me);
    for fact in [
        "Digitální certifikát EU COVID – očkování",
        "Anežka Dvořáková",
        "Datum narození",
        &uvci,
        "Dávka</dt><dd>2/2",
        "Datum očkování</dt><dd>20. 2. 2026",
        "Technická platnost certifikátu do",
        "Odběr vzorku</dt><dd>2. 3. 2026 0:30",
        "Digitální certifikát EU COVID – prodělané onemocnění",
    ] {
        assert!(main.contains(fact), "{fact}: {main}");
    }
    // Each PDF is named by its type and its event's date (a test's in Prague time).
    let mut names = Vec::new();
    let mut rest = me.body.as_str();
    while let Some(i) = rest.find("href=\"/me/certificates/") {
        let link = &rest[i + 6..];
        let link = &link[..link.find('"').unwrap()];
        let pdf = b.get(&h, link).await;
        assert_eq!(pdf.status, StatusCode::OK);
        assert!(pdf.bytes.starts_with(b"%PDF"));
        names.push(file_name(&pdf));
        rest = &rest[i + 1..];
    }
    names.sort();
    assert_eq!(
        names,
        [
            "certifikat-ockovani-2026-02-20.pdf",
            "certifikat-prodelani-2026-01-10.pdf",
            "certifikat-test-2026-03-02.pdf",
        ]
    );
    // The exchange page shows the card and names its PDF the same way.
    let tokens = import_legacy(&h, &[legacy_line("OCK-P", BN_OTHER, "2021-06-14")]).await;
    let p = b.get(&h, &format!("/exchange/{}", tokens[0])).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let (cert, _) = h
        .app
        .store
        .certificate_by_uvci(&uvci_on(&p))
        .await
        .unwrap()
        .unwrap();
    let expected = issuer::qr::encode(&cert.hc1).unwrap().to_svg(320);
    assert!(
        p.body.contains(qr_path(&expected)),
        "the exchanged certificate's QR"
    );
    assert!(
        main_of(&p).contains("Datum očkování</dt><dd>14. 6. 2021"),
        "{}",
        p.body
    );
    let pdf = b.get(&h, &format!("/exchange/{}/pdf", tokens[0])).await;
    assert_eq!(file_name(&pdf), "certifikat-ockovani-2021-06-14.pdf");
    // The page needs no image request, so the CSP (default-src 'self') stays as strict.
    assert!(!p.body.contains("data:image") && !p.body.contains("<script"));
    h.finish().await;
}

/// Issue #21 part 4: the operator's privacy notice and accessibility statement (defaults and
/// configured), the operator and helpdesk in every footer, no "dcc" in what citizens read, an
/// HTML 404 for browsers (the JSON problem for the API), and times in Prague time.
#[tokio::test]
async fn a_government_service_names_its_operator() {
    let h = Harness::with(
        Backend::Sqlite,
        &[
            ("DCC_OPERATOR_NAME", "Státní zdravotní ústav"),
            ("DCC_OPERATOR_HELPDESK_PHONE", "+420 267 081 111"),
        ],
        true,
    )
    .await;
    record_series(&h, BN_IDENTIFIED).await;
    let mut b = Browser::default();
    let p = b.get(&h, "/privacy").await;
    assert_eq!(p.status, StatusCode::OK);
    for says in [
        "Ochrana osobních údajů",
        "Správcem osobních údajů je Státní zdravotní ústav",
        "Účel:",
        "Doba uložení:",
        "Vaše práva:",
        "Službu provozuje Státní zdravotní ústav.",
        "Podpora: +420 267 081 111",
    ] {
        assert!(p.body.contains(says), "{says}: {}", p.body);
    }
    let p = b.get(&h, "/accessibility").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("Prohlášení o přístupnosti"));
    assert!(p.body.contains("99/2019 Sb."), "{}", p.body);
    let p = b.get(&h, "/lang/en?next=/privacy").await;
    assert_eq!(p.location(), "/privacy");
    let p = b.get(&h, "/privacy").await;
    assert!(
        p.body.contains("Privacy notice") && p.body.contains("Retention:"),
        "{}",
        p.body
    );
    b.get(&h, "/lang/cs?next=/").await;
    // What a citizen reads names no "dcc".
    for path in ["/", "/privacy", "/accessibility", "/exchange", "/registry"] {
        let p = b.get(&h, path).await;
        let visible = p.body.replace("__Host-dcc", "");
        assert!(!visible.contains("dcc"), "{path}: {}", p.body);
    }
    // 404: a page for browsers, the problem JSON for the API.
    let html = Request::get("/no/such/page")
        .header("accept", "text/html,application/xhtml+xml")
        .body(Body::empty())
        .unwrap();
    let p = b.send(&h, html).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(p.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(p.body.contains("Tato stránka neexistuje"), "{}", p.body);
    let api = Request::get("/api/v1/nothing")
        .header("accept", "text/html")
        .body(Body::empty())
        .unwrap();
    let p = b.send(&h, api).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert_eq!(p.headers["content-type"], "application/json");
    assert!(p.body.contains("\"not_found\""), "{}", p.body);
    // Times on pages are Prague time: the clock's 10:00 UTC is 11:00 in winter.
    let mut b = log_in(&h, BN_IDENTIFIED).await;
    let p = b.get(&h, "/me/sessions").await;
    assert!(main_of(&p).contains("2. 3. 2026 11:00"), "{}", p.body);
    assert!(!p.body.contains("UTC"), "{}", p.body);
    h.finish().await;
}
