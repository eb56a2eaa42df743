//! The health worker's pages (issue #21; seed 001; SECURITY.md 24, 33, 47; DESIGN.md "Who owns a
//! person's data"): a registry user with an approved permission chooses the organisation, finds
//! a person by birth number and ID-card number, records through the provider API's rules and
//! idempotency, and revokes. On a real SQLite file and a real PostgreSQL database.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::registry::registered_user;
use common::web::{Browser, Page};
use common::{vaccination, Backend, Harness, BN_IDENTIFIED, BN_UNKNOWN};
use serde_json::{json, Value};
use sqlx::Connection as _;

const ORG: &str = "25596641";
const ORG_B: &str = "12345679";
const WORKER: (&str, &str, &str) = ("750505/1004", "+420601000102", "sestra@a.example");
const CARD: &str = "AB123456";

/// A registered, signed-in user; with a member permission for [`ORG`] when `granted`.
async fn worker(h: &Harness, granted: bool) -> (String, Browser) {
    let (username, b) = registered_user(h, WORKER.0, WORKER.1, WORKER.2).await;
    if granted {
        server::admin::registry_grant(&h.app.config, &username, ORG, false, h.clock_now())
            .await
            .unwrap();
    }
    (username, b)
}

async fn search(h: &Harness, b: &mut Browser, bn: &str, card: &str) -> Page {
    let p = b.get(h, &format!("/registry/work/{ORG}")).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let fields = [
        ("csrf", p.csrf()),
        ("birth_number", bn.into()),
        ("id_card", card.into()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post(h, &format!("/registry/work/{ORG}/search"), &fields)
        .await
}

/// The person page's path a successful search redirects to.
async fn found(h: &Harness, b: &mut Browser) -> String {
    let p = search(h, b, BN_IDENTIFIED, "ab 123456").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let to = p.location().to_string();
    assert!(
        to.starts_with(&format!("/registry/work/{ORG}/person/")),
        "{to}"
    );
    assert!(!to.contains("736028"), "no birth number in the URL: {to}");
    to
}

/// The hidden value of a form field.
fn hidden(p: &Page, name: &str) -> String {
    let pat = format!("name=\"{name}\" value=\"");
    let i = p
        .body
        .find(&pat)
        .unwrap_or_else(|| panic!("no {name}: {}", p.body))
        + pat.len();
    p.body[i..i + p.body[i..].find('"').unwrap()].to_string()
}

/// Posts a record form rendered at `person/{kind}` with `fields`; returns the answer and the key.
async fn submit(
    h: &Harness,
    b: &mut Browser,
    person: &str,
    kind: &str,
    fields: &[(&str, &str)],
) -> (Page, String, String) {
    let form = b.get(h, &format!("{person}/{kind}")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let (csrf, key) = (form.csrf(), hidden(&form, "key"));
    let mut all = vec![("csrf", csrf.as_str()), ("key", key.as_str())];
    all.extend_from_slice(fields);
    let p = b.post(h, &format!("{person}/{kind}"), &all).await;
    (p, csrf, key)
}

const DOSE_2: &[(&str, &str)] = &[
    ("product", "EU/1/20/1528"),
    ("manufacturer", ""),
    ("dose", "2"),
    ("doses", "2"),
    ("date", "2026-02-10"),
    ("country", "CZ"),
    ("email", "anezka@example.cz"),
    ("phone", ""),
];

async fn audited(h: &Harness, event: &str) -> Vec<Value> {
    common::audit_column(h, "detail", event)
        .await
        .iter()
        .map(|r| serde_json::from_str(r.as_deref().unwrap()).unwrap())
        .collect()
}

async fn execute(h: &Harness, sql: &str) {
    match h.backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&h.db.url).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&h.db.url).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
    }
}

/// SECURITY.md 33, 24: no permission → 403 on every page; the choice lists only approved
/// organisations; a revoked permission stops the next request; a POST without the CSRF token
/// is refused.
async fn worker_needs_a_permission_checked_on_every_request(backend: Backend) {
    let h = Harness::new(backend).await;
    let (username, mut b) = worker(&h, false).await;
    let p = b.get(&h, "/registry/work").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("Nemáte schválené oprávnění"), "{}", p.body);
    assert!(!p.body.contains(&format!("/registry/work/{ORG}")));
    let p = b.get(&h, &format!("/registry/work/{ORG}")).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    assert!(p.body.contains("Bez oprávnění"), "{}", p.body);
    let csrf = b.get(&h, "/registry/account").await.csrf();
    let p = b
        .post(
            &h,
            &format!("/registry/work/{ORG}/search"),
            &[
                ("csrf", &csrf),
                ("birth_number", BN_IDENTIFIED),
                ("id_card", CARD),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(audited(&h, "person.searched").await.is_empty());

    server::admin::registry_grant(&h.app.config, &username, ORG, false, h.clock_now())
        .await
        .unwrap();
    let p = b.get(&h, "/registry/work").await;
    assert!(
        p.body.contains(&format!("href=\"/registry/work/{ORG}\"")),
        "{}",
        p.body
    );
    assert!(p.body.contains("Nemocnice Test"));
    let person = found(&h, &mut b).await;

    // CSRF: a missing token, and a cross-site post, are refused before anything happens.
    let p = b
        .post(
            &h,
            &format!("{person}/vaccination"),
            &[("key", "k1"), ("product", "EU/1/20/1528")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let mut cross = b.clone();
    cross.cross_site = true;
    let p = cross
        .post(
            &h,
            &format!("/registry/work/{ORG}/search"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);

    // The permission revoked: the next request is refused, the person page too.
    execute(&h, "UPDATE registry_permissions SET state = 'revoked'").await;
    let p = b.get(&h, &person).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    let p = b.get(&h, &format!("/registry/work/{ORG}")).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    h.finish().await;
}
both!(worker_needs_a_permission_checked_on_every_request);

/// DESIGN.md "Who owns a person's data": a wrong ID-card number answers exactly as an unknown
/// birth number; every search is audited with the organisation, pseudonymous person and
/// searcher, and whether it found; a malformed number is named; a reference works only in the
/// session that searched.
async fn worker_search_answers_one_not_found_and_is_audited(backend: Backend) {
    let h = Harness::new(backend).await;
    let (username, mut b) = worker(&h, true).await;
    let wrong_card = search(&h, &mut b, BN_IDENTIFIED, "XY999999").await;
    let unknown = search(&h, &mut b, BN_UNKNOWN, CARD).await;
    assert_eq!(wrong_card.status, StatusCode::NOT_FOUND);
    assert_eq!(wrong_card.status, unknown.status);
    assert_eq!(wrong_card.body, unknown.body);
    assert!(wrong_card
        .body
        .contains("Osobu s tímto rodným číslem a číslem průkazu jsme nenašli"));
    assert!(!wrong_card.body.contains("XY999999") && !unknown.body.contains("805512"));

    let p = search(&h, &mut b, "123", CARD).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Zadejte platné rodné číslo."), "{}", p.body);
    assert!(p.body.contains("aria-invalid=\"true\""));

    let person = found(&h, &mut b).await;
    let p = b.get(&h, &person).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Anežka Dvořáková"), "{}", p.body);
    assert!(p.body.contains("28. 10. 1973"));
    assert_eq!(p.headers["cache-control"], "no-store");

    let events = audited(&h, "person.searched").await;
    let found: Vec<bool> = events
        .iter()
        .map(|e| e["found"].as_bool().unwrap())
        .collect();
    assert_eq!(found, [false, false, true], "{events:?}");
    for e in &events {
        assert!(e["searcher"].as_str().unwrap().len() == 16, "{e}");
        assert!(!e.to_string().contains("736028"), "{e}");
    }

    // Another session of the same user, a tampered reference: nobody is shown.
    let mut other = common::registry::sign_in(&h, &username, WORKER.1).await;
    assert_eq!(other.get(&h, &person).await.status, StatusCode::NOT_FOUND);
    let mut tampered = person.clone();
    tampered.pop();
    tampered.push(if person.ends_with('A') { 'B' } else { 'A' });
    assert_eq!(b.get(&h, &tampered).await.status, StatusCode::NOT_FOUND);
    h.finish().await;
}
both!(worker_search_answers_one_not_found_and_is_audited);

/// Seed 002 through the pages: the organisation's records only; dose 2/2 issues the
/// certificate and e-mails it; a double submit records once; revoking with a reason makes
/// `POST /verify` fail the revocation check.
async fn worker_records_a_dose_once_and_revokes(backend: Backend) {
    let h = Harness::new(backend).await;
    // Dose 1 by this organisation's API token, and a test by another organisation.
    let (s, _, _) = h
        .send(h.post_record(&vaccination(BN_IDENTIFIED, 1, 2, "2026-01-10", None), None))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let now = h.clock_now();
    server::admin::create_org(&h.app.config, ORG_B, "Laboratoř B", now)
        .await
        .unwrap();
    let token_b = server::admin::create_token(&h.app.config, ORG_B, now)
        .await
        .unwrap()
        .token;
    let req = Request::post("/api/v1/records")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token_b}"))
        .body(Body::from(
            common::test_record(BN_IDENTIFIED, "2026-02-20T08:00:00Z", None).to_string(),
        ))
        .unwrap();
    assert_eq!(h.send(req).await.0, StatusCode::CREATED);

    let (_, mut b) = worker(&h, true).await;
    let person = found(&h, &mut b).await;
    let p = b.get(&h, &person).await;
    assert!(
        p.body.contains("Dávka") || p.body.contains("1/2"),
        "{}",
        p.body
    );
    assert!(p.body.contains("1/2"), "{}", p.body);
    assert!(
        !p.body.contains("Odběrové místo Praha 4"),
        "another organisation's record"
    );
    assert!(
        p.body.contains("schéma očkování ještě není úplné"),
        "{}",
        p.body
    );

    let (first, csrf, key) = submit(&h, &mut b, &person, "vaccination", DOSE_2).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(
        first.body.contains("Certifikát byl vydán."),
        "{}",
        first.body
    );
    assert!(first.body.contains("a•••@example.cz"), "{}", first.body);
    let i = first.body.find("URN:UVCI:").unwrap();
    let uvci = first.body[i..i + first.body[i..].find('<').unwrap()].to_string();
    let (cert, _) = h
        .app
        .store
        .certificate_by_uvci(&uvci)
        .await
        .unwrap()
        .unwrap();

    // The double click: the same form again answers the same record.
    let mut again = vec![("csrf", csrf.as_str()), ("key", key.as_str())];
    again.extend_from_slice(DOSE_2);
    let second = b.post(&h, &format!("{person}/vaccination"), &again).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert!(second.body.contains(&uvci));
    assert_eq!(audited(&h, "record.created").await.len(), 3);
    // The other organisation's test and this dose.
    assert_eq!(audited(&h, "certificate.issued").await.len(), 2);
    let mails = common::registry::mails(&h).await;
    let to: Vec<&str> = mails.iter().map(|(to, _)| to.as_str()).collect();
    assert_eq!(to, ["anezka@example.cz"], "{mails:?}");
    let created = audited(&h, "record.created").await;
    assert!(created[2]["recorder"].is_string(), "{created:?}");

    // Revoking needs a reason; then the certificate is revoked.
    let p = b.get(&h, &person).await;
    assert!(p.body.contains(&uvci), "{}", p.body);
    let action = format!("{person}/certificates/{}/revoke", cert.id);
    assert!(p.body.contains(&action), "{}", p.body);
    let p = b
        .post(&h, &action, &[("csrf", &csrf), ("reason", "  ")])
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Zadejte důvod zneplatnění"), "{}", p.body);
    let p = b
        .post(
            &h,
            &action,
            &[("csrf", &csrf), ("reason", "zapsáno omylem")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = b.get(&h, p.location()).await;
    assert!(p.body.contains("Certifikát je zneplatněn."), "{}", p.body);
    assert!(
        !p.body.contains(&action),
        "no revoke form for a revoked certificate: {}",
        p.body
    );
    let req = Request::post("/verify")
        .header("content-type", "application/json")
        .body(Body::from(json!({ "hc1": cert.hc1 }).to_string()))
        .unwrap();
    let (_, report, _) = h.send(req).await;
    assert_eq!(report["checks"]["revocation"], "fail", "{report}");
    let revoked = audited(&h, "certificate.revoked").await;
    assert_eq!(revoked[0]["reason"], "zapsáno omylem");
    h.finish().await;
}
both!(worker_records_a_dose_once_and_revokes);

/// A test and a recovery through the forms; corrections named in the page's language with the
/// values kept.
async fn worker_records_a_test_and_a_recovery(backend: Backend) {
    let h = Harness::new(backend).await;
    let (_, mut b) = worker(&h, true).await;
    let person = found(&h, &mut b).await;

    // Corrections, in Czech and then in English; the typed values stay.
    let bad = [
        ("product", ""),
        ("dose", "3"),
        ("doses", "x"),
        ("date", "2026-02-10"),
        ("country", "CZ"),
        ("email", "not-an-address"),
    ];
    let (p, _, key) = submit(&h, &mut b, &person, "vaccination", &bad).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    for says in [
        "Vyberte očkovací látku.",
        "Zadejte pořadí dávky",
        "Zadejte platnou e-mailovou adresu",
    ] {
        assert!(p.body.contains(says), "{says}: {}", p.body);
    }
    assert!(p.body.contains("value=\"not-an-address\""));
    assert!(p.body.contains("value=\"3\""));
    assert_eq!(hidden(&p, "key"), key, "the form keeps its key");
    b.cookies.insert("__Host-dcc-lang".into(), "en".into());
    let (p, _, _) = submit(&h, &mut b, &person, "vaccination", &bad).await;
    assert!(p.body.contains("Choose the vaccine product."), "{}", p.body);
    b.cookies.remove("__Host-dcc-lang");
    assert!(audited(&h, "record.created").await.is_empty());

    let (p, _, _) = submit(
        &h,
        &mut b,
        &person,
        "test",
        &[
            ("test_type", "LP217198-3"),
            ("test_device", "1232"),
            ("sample_time", "2026-03-01T09:30"),
            ("test_result", "260415000"),
            ("test_centre", "Odběrové místo Brno"),
            ("country", "CZ"),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Certifikát byl vydán."), "{}", p.body);
    assert!(
        p.body.contains("certifikát si stáhne na portálu"),
        "{}",
        p.body
    );

    let (p, _, _) = submit(
        &h,
        &mut b,
        &person,
        "recovery",
        &[
            ("date", "2026-01-05"),
            ("valid_from", "2026-01-16"),
            ("valid_until", "2026-07-04"),
            ("country", "CZ"),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Certifikát byl vydán."), "{}", p.body);
    let p = b.get(&h, &person).await;
    assert!(p.body.contains("Odběrové místo Brno"), "{}", p.body);
    assert_eq!(audited(&h, "certificate.issued").await.len(), 2);
    h.finish().await;
}
both!(worker_records_a_test_and_a_recovery);

/// A certificate past its `exp` reads "no longer valid" on the person page and offers no
/// revocation; a worker's person searches are limited per hour (SEARCHES_PER_HOUR), the 429
/// telling how long to wait, and the limit is the worker's whatever the organisation.
#[tokio::test]
async fn worker_sees_expiry_and_searches_are_limited() {
    let h = Harness::new(Backend::Sqlite).await;
    let (s, _, _) = h
        .send(h.post_record(&vaccination(BN_IDENTIFIED, 2, 2, "2026-01-10", None), None))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (username, mut b) = worker(&h, true).await;
    let person = found(&h, &mut b).await;
    let p = b.get(&h, &person).await;
    assert!(p.body.contains("vydán a platný"), "{}", p.body);
    assert!(
        p.body.contains("/revoke"),
        "a valid certificate can be revoked"
    );

    h.clock.advance(time::Duration::days(400));
    let mut b = common::registry::sign_in(&h, &username, WORKER.1).await;
    let person = found(&h, &mut b).await;
    let p = b.get(&h, &person).await;
    assert!(p.body.contains("platnost již skončila"), "{}", p.body);
    assert!(!p.body.contains("vydán a platný"), "{}", p.body);
    assert!(
        !p.body.contains("/revoke"),
        "an expired certificate is not revoked"
    );

    let limit = server::service::worker::SEARCHES_PER_HOUR;
    // One search was made above in this hour; the rest of the budget, then one too many.
    for _ in 1..limit {
        let p = search(&h, &mut b, BN_UNKNOWN, CARD).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND);
    }
    let p = search(&h, &mut b, BN_IDENTIFIED, "ab 123456").await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS, "{}", p.body);
    let wait: u64 = p.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((3000..=3600).contains(&wait), "{wait}");
    // A malformed number is named without counting or looking anything up.
    assert_eq!(
        search(&h, &mut b, "123", CARD).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    h.clock.advance(time::Duration::minutes(61));
    let mut b = common::registry::sign_in(&h, &username, WORKER.1).await;
    let p = search(&h, &mut b, BN_IDENTIFIED, "ab 123456").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    h.finish().await;
}
