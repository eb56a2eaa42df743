//! Who owns a person's data (issue #18, DESIGN.md "Who owns a person's data"): the population
//! registry gives names, date of birth and ID-card number; the login factors and contacts are
//! the citizen's, so another organisation's record fills only empty fields, keeps a different
//! value with the record, tells the citizen and offers it for adoption. Also the date ranges of
//! SECURITY.md 35 and one 404 for "not yours" and "does not exist". On SQLite and PostgreSQL.

use crate::common;

use axum::http::{Request, StatusCode};
use common::web::{code_of, deliver, Browser};
use common::{Backend, Harness, BN_IDENTIFIED, BN_OTHER, BN_UNKNOWN, NOW};
use serde_json::{json, Value};

/// A second organisation with its own token.
const ICO_B: &str = "27256146";

async fn org_b_token(h: &Harness) -> String {
    let cfg = h.app.config.as_ref().clone();
    let now = NOW.unix_timestamp();
    server::admin::create_org(&cfg, ICO_B, "Klinika B", now)
        .await
        .unwrap();
    server::admin::create_token(&cfg, ICO_B, now)
        .await
        .unwrap()
        .token
}

fn post_as(token: &str, body: &Value) -> Request<axum::body::Body> {
    Request::post("/api/v1/records")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::from(body.to_string()))
        .unwrap()
}

/// Another organisation's record with another ID card, phone and e-mail.
fn hostile(bn: &str) -> Value {
    let mut body = common::vaccination(bn, 2, 2, "2026-02-21", Some("attacker@example.org"));
    body["person"]["id_card"] = json!("XY999999");
    body["person"]["phone"] = json!("+420777999888");
    body
}

/// Starts a citizen login with `id_card`; returns the SMS that left (number, text).
async fn try_login(h: &Harness, bn: &str, id_card: &str) -> Vec<(String, String)> {
    h.clock.advance(time::Duration::seconds(61));
    let p = Browser::default().citizen_login(h, bn, id_card).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    deliver(h).await
}

/// Defect 1 of issue #18: another organisation's record for a recorded person neither replaces
/// the ID card, phone or e-mail on file, nor opens a login to whoever holds the new phone. The
/// citizen is told at the contacts on file, and the event is audited.
async fn provider_cannot_take_over_a_citizen(backend: Backend) {
    for bn in [BN_IDENTIFIED, BN_UNKNOWN] {
        let h = Harness::new(backend).await;
        let token_b = org_b_token(&h).await;
        let body = common::vaccination(bn, 1, 2, "2026-02-20", Some("citizen@example.cz"));
        let (s, first, _) = h.send(h.post_record(&body, None)).await;
        assert_eq!(s, StatusCode::CREATED, "{first}");
        deliver(&h).await;
        h.mailer.bodies.lock().unwrap().clear();

        let (s, second, _) = h.send(post_as(&token_b, &hostile(bn))).await;
        assert_eq!(
            s,
            StatusCode::CREATED,
            "the record itself is kept: {second}"
        );
        assert_eq!(second["person_id"], first["person_id"], "the same person");

        // The citizen's phone was texted a notice naming the organisation, without the values.
        let sms = deliver(&h).await;
        let notices: Vec<_> = sms.iter().filter(|(to, _)| to == "+420601123456").collect();
        assert_eq!(notices.len(), 1, "{sms:?}");
        let text = &notices[0].1;
        assert!(text.contains("Klinika B"), "{text}");
        assert!(
            text.contains("phone number") && text.contains("ID-card number"),
            "{text}"
        );
        assert!(
            !text.contains("777999888") && !text.contains("XY999999"),
            "{text}"
        );
        assert!(
            sms.iter().all(|(to, _)| to != "+420777999888"),
            "nothing goes to the new phone: {sms:?}"
        );
        let mails = h.mailer.bodies.lock().unwrap().clone();
        assert!(
            mails
                .iter()
                .any(|(to, body)| to == "citizen@example.cz" && body.contains("Klinika B")),
            "an e-mail notice to the address on file: {mails:?}"
        );

        // Whoever holds the new phone and ID card cannot log in; the citizen still can.
        assert!(try_login(&h, bn, "XY999999").await.is_empty());
        let sms = try_login(&h, bn, "AB123456").await;
        assert_eq!(sms.len(), 1, "{sms:?}");
        assert_eq!(sms[0].0, "+420601123456");

        let events = h.app.store.audit_events(50).await.unwrap();
        assert!(
            events.iter().any(|(e, _)| e == "person.contact_differs"),
            "{events:?}"
        );
        h.finish().await;
    }
}
both!(provider_cannot_take_over_a_citizen);

/// A record fills contacts only where none is on file, and its own e-mail receives its
/// certificate mail (SECURITY.md 48) while later mail without an address goes to the one on
/// file.
async fn records_fill_empty_contacts_only(backend: Backend) {
    let h = Harness::new(backend).await;
    let token_b = org_b_token(&h).await;
    // First record: no e-mail, so nothing is on file.
    let (s, _, _) = h
        .send(h.post_record(
            &common::vaccination(BN_IDENTIFIED, 1, 2, "2026-02-01", None),
            None,
        ))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    // The second gives one: it fills the empty field, so no notice leaves.
    let body = common::test_record(
        BN_IDENTIFIED,
        "2026-03-01T08:00:00Z",
        Some("first@example.cz"),
    );
    let (s, _, _) = h.send(post_as(&token_b, &body)).await;
    assert_eq!(s, StatusCode::CREATED);
    deliver(&h).await;
    let sent = h.mailer.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 1, "the test certificate only: {sent:?}");
    assert_eq!(sent[0].1, "first@example.cz");
    let events = h.app.store.audit_events(50).await.unwrap();
    assert!(!events.iter().any(|(e, _)| e == "person.contact_differs"));

    // A record with another address: its certificate goes there, the address on file stays
    // and hears of it.
    let body = common::vaccination(BN_IDENTIFIED, 2, 2, "2026-02-28", Some("other@example.cz"));
    let (s, _, _) = h.send(h.post_record(&body, None)).await;
    assert_eq!(s, StatusCode::CREATED);
    // A record without an address: its certificate goes to the one on file.
    let body = common::test_record(BN_IDENTIFIED, "2026-03-02T08:00:00Z", None);
    let (s, _, _) = h.send(post_as(&token_b, &body)).await;
    assert_eq!(s, StatusCode::CREATED);
    h.mailer.sent.lock().unwrap().clear();
    deliver(&h).await;
    let mut to: Vec<String> = h
        .mailer
        .sent
        .lock()
        .unwrap()
        .iter()
        .map(|(_, r, _)| r.clone())
        .collect();
    to.sort();
    assert_eq!(
        to,
        ["first@example.cz", "first@example.cz", "other@example.cz"],
        "the notice and the test certificate to the address on file, the vaccination \
         certificate to the record's"
    );
    let person = h
        .app
        .store
        .person_by_bn(&h.app.secrets.birth_number_index("7360280004"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(person.email.as_deref(), Some("first@example.cz"));
    h.finish().await;
}
both!(records_fill_empty_contacts_only);

/// For a person the registry identifies, names and date of birth come from the registry: a
/// record that disagrees is refused with a 422 naming the field (and no person data); one that
/// differs only in case or spacing is accepted and the certificate carries the registry's
/// spelling. The date of birth always agrees with the birth number.
async fn registry_is_the_identity_source(backend: Backend) {
    let h = Harness::new(backend).await;
    let base = common::vaccination(BN_IDENTIFIED, 2, 2, "2026-02-20", None);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = base.clone();
        f(&mut b);
        b
    };
    let cases: &[(&str, Value)] = &[
        (
            "person.family_name",
            with(&|b| b["person"]["family_name"] = json!("Nováková")),
        ),
        (
            "person.given_name",
            with(&|b| b["person"]["given_name"] = json!("Eva")),
        ),
        (
            "person.dob",
            with(&|b| b["person"]["dob"] = json!("1973-10-29")),
        ),
    ];
    for (field, body) in cases {
        let (s, err, _) = h.send(h.post_record(body, None)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {err}");
        let text = err.to_string();
        assert!(text.contains(field), "{text}");
        for secret in ["Nováková", "Eva", "1973-10-29", "736028"] {
            assert!(!text.contains(secret), "{text} echoes {secret}");
        }
    }
    // A date of birth that disagrees with the birth number, for a person the registry does
    // not know: refused too.
    let mut body = common::vaccination(BN_UNKNOWN, 2, 2, "2026-02-20", None);
    body["person"]["dob"] = json!("1980-05-13");
    let (s, err, _) = h.send(h.post_record(&body, None)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(err.to_string().contains("person.dob"), "{err}");
    body["person"]["dob"] = json!("1980-05");
    let (s, err, _) = h.send(h.post_record(&body, None)).await;
    assert_eq!(s, StatusCode::CREATED, "a shorter date that agrees: {err}");

    // Case and spacing aside, the names agree; the certificate spells them as the registry.
    let body = with(&|b| {
        b["person"]["family_name"] = json!("DVOŘÁKOVÁ ");
        b["person"]["given_name"] = json!("anežka");
    });
    let (s, rec, _) = h.send(h.post_record(&body, None)).await;
    assert_eq!(s, StatusCode::CREATED, "{rec}");
    let hc1 = rec["certificate"]["hc1"].as_str().unwrap();
    let cose = hcert::cose::Sign1::parse(&hcert::hc1::unwrap(hc1).unwrap()).unwrap();
    let (_, dcc) = hcert::cwt::decode_json(cose.payload()).unwrap();
    assert_eq!(dcc["nam"]["fn"], "Dvořáková", "{dcc}");
    assert_eq!(dcc["nam"]["gn"], "Anežka");
    assert_eq!(dcc["dob"], "1973-10-28");
    h.finish().await;
}
both!(registry_is_the_identity_source);

/// SECURITY.md 35: event dates from 2020-01-01 to today + 1 day, and a recovery's validity
/// ends no earlier than it starts. The message names the field, never the value.
async fn event_dates_lie_in_range(backend: Backend) {
    let h = Harness::new(backend).await;
    let today = NOW.date();
    let day = |d: time::Date| d.to_string();
    let recovery = |fr: &str, df: &str, du: &str| {
        json!({
            "person": common::person(BN_IDENTIFIED, None),
            "r": {"tg": "840539006", "fr": fr, "df": df, "du": du}
        })
    };
    let refused: Vec<(&str, Value)> = vec![
        (
            "v.dt",
            common::vaccination(BN_IDENTIFIED, 1, 2, "0000-01-01", None),
        ),
        (
            "v.dt",
            common::vaccination(BN_IDENTIFIED, 1, 2, "2019-12-31", None),
        ),
        (
            "v.dt",
            common::vaccination(
                BN_IDENTIFIED,
                1,
                2,
                &day(today + time::Duration::days(2)),
                None,
            ),
        ),
        (
            "t.sc",
            common::test_record(BN_IDENTIFIED, "2019-12-31T23:00:00Z", None),
        ),
        (
            "t.sc",
            common::test_record(BN_IDENTIFIED, "2026-03-04T00:00:00Z", None),
        ),
        ("r.fr", recovery("2019-06-01", "2026-02-01", "2026-07-01")),
        ("r.df", recovery("2026-01-20", "2026-03-05", "2026-07-01")),
        ("r.du", recovery("2026-01-20", "2026-02-01", "2026-01-31")),
    ];
    for (field, body) in refused {
        let (s, err, _) = h.send(h.post_record(&body, None)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {err}");
        let text = err.to_string();
        assert!(text.contains(field), "{field}: {text}");
        assert!(!text.contains("2019") && !text.contains("0000"), "{text}");
    }
    let accepted = [
        common::vaccination(BN_IDENTIFIED, 1, 2, "2020-01-01", None),
        // (The issuer itself refuses a vaccination or sample after now: the day of tolerance
        // is the outer bound for every date.)
        common::vaccination(BN_IDENTIFIED, 1, 2, &day(today), None),
        common::test_record(BN_IDENTIFIED, "2026-03-02T09:59:00Z", None),
        recovery("2026-01-20", "2026-02-01", "2026-07-01"),
    ];
    for body in accepted {
        let (s, rec, _) = h.send(h.post_record(&body, None)).await;
        assert_eq!(s, StatusCode::CREATED, "{body}: {rec}");
    }
    h.finish().await;
}
both!(event_dates_lie_in_range);

/// Another organisation's person id answers exactly as an unknown id (issue #18, defect 7).
async fn not_yours_is_not_found(backend: Backend) {
    let h = Harness::new(backend).await;
    let token_b = org_b_token(&h).await;
    let (_, rec, _) = h
        .send(h.post_record(
            &common::vaccination(BN_OTHER, 1, 2, "2026-02-20", None),
            None,
        ))
        .await;
    let person = rec["person_id"].as_str().unwrap();
    let get = |id: &str| {
        Request::get(format!("/api/v1/persons/{id}/records"))
            .header("authorization", format!("Bearer {token_b}"))
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let (s_theirs, body_theirs, _) = h.send(get(person)).await;
    let (s_unknown, body_unknown, _) = h.send(get(&uuid::Uuid::new_v4().to_string())).await;
    assert_eq!(s_theirs, StatusCode::NOT_FOUND, "{body_theirs}");
    assert_eq!((s_theirs, &body_theirs), (s_unknown, &body_unknown));
    // The owner still reads it.
    let (s, body, _) = h
        .send(h.get_auth(&format!("/api/v1/persons/{person}/records")))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    h.finish().await;
}
both!(not_yours_is_not_found);

/// The citizen adopts a contact another organisation recorded, through the contact-change
/// flow: a fresh code to the current phone, then a code to the new one.
async fn citizen_adopts_a_recorded_contact(backend: Backend) {
    let h = Harness::new(backend).await;
    let token_b = org_b_token(&h).await;
    let (s, _, _) = h
        .send(h.post_record(
            &common::vaccination(BN_IDENTIFIED, 1, 2, "2026-02-20", None),
            None,
        ))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let mut body = common::vaccination(BN_IDENTIFIED, 2, 2, "2026-02-28", None);
    body["person"]["phone"] = json!("+420777000222");
    let (s, rec, _) = h.send(post_as(&token_b, &body)).await;
    assert_eq!(s, StatusCode::CREATED);
    let record_b = rec["id"].as_str().unwrap().to_string();
    deliver(&h).await;

    // Log in (the code goes to the phone on file).
    let sms = try_login(&h, BN_IDENTIFIED, "AB123456").await;
    assert_eq!(sms[0].0, "+420601123456");
    h.clock.advance(time::Duration::seconds(61));
    let mut b = Browser::default();
    b.citizen_login(&h, BN_IDENTIFIED, "AB123456").await;
    let code = code_of(&deliver(&h).await[0].1);
    let p = b.citizen_code(&h, &code).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);

    // The contact page offers the recorded phone (masked) with the organisation.
    let page = b.get(&h, "/me/contact").await;
    assert!(page.body.contains("Klinika B"), "{}", page.body);
    assert!(page.body.contains(&record_b));
    assert!(!page.body.contains("777000222"), "masked like every phone");
    let csrf = page.csrf();
    // Another record id, or one of another person, is not offered.
    let p = b
        .post(
            &h,
            "/me/contact",
            &[("csrf", &csrf), ("field", "phone"), ("record", "nope")],
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    // Adopting: the code goes to the new number; entering it makes the number the citizen's.
    let p = b
        .post(
            &h,
            "/me/contact",
            &[("csrf", &csrf), ("field", "phone"), ("record", &record_b)],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let sms = deliver(&h).await;
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert_eq!(sms[0].0, "+420777000222");
    let code = code_of(&sms[0].1);
    let p = b
        .post(
            &h,
            "/me/contact/confirm",
            &[("csrf", &csrf), ("field", "phone"), ("code", &code)],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = b.get(&h, "/me/contact").await;
    assert!(!page.body.contains(&record_b), "adopted: no longer offered");
    h.finish().await;
}
both!(citizen_adopts_a_recorded_contact);

/// A flow cookie the client chose is never adopted (SECURITY.md 20): the page sets a new one,
/// and its form's CSRF token belongs to the new one.
async fn client_chosen_flow_is_not_adopted(backend: Backend) {
    let h = Harness::new(backend).await;
    for path in ["/", "/registry"] {
        let mut b = Browser::default();
        b.cookies.insert(
            "__Host-dcc-flow".into(),
            "attackerchosenflowid0123456789".into(),
        );
        let p = b.get(&h, path).await;
        assert_eq!(p.status, StatusCode::OK);
        let flow = b
            .cookies
            .get("__Host-dcc-flow")
            .cloned()
            .unwrap_or_default();
        assert_ne!(flow, "attackerchosenflowid0123456789", "{path}");
        assert!(!flow.is_empty(), "{path}: a new flow cookie is set");
        // The issued one is kept on the next page.
        b.get(&h, path).await;
        assert_eq!(b.cookies.get("__Host-dcc-flow"), Some(&flow), "{path}");
    }
    h.finish().await;
}
both!(client_chosen_flow_is_not_adopted);

/// For a person the registry does not identify, the names and date of birth of the first record
/// stay: another organisation's record does not rename them.
async fn unidentified_names_stay(backend: Backend) {
    let h = Harness::new(backend).await;
    let token_b = org_b_token(&h).await;
    let (s, _, _) = h
        .send(h.post_record(
            &common::vaccination(BN_UNKNOWN, 1, 2, "2026-02-20", None),
            None,
        ))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let mut body = common::vaccination(BN_UNKNOWN, 2, 2, "2026-02-28", None);
    body["person"]["family_name"] = json!("Jiná");
    body["person"]["dob"] = json!("1980-05");
    let (s, rec, _) = h.send(post_as(&token_b, &body)).await;
    assert_eq!(s, StatusCode::CREATED, "{rec}");
    let index = h.app.secrets.birth_number_index("8055120007");
    let person = h.app.store.person_by_bn(&index).await.unwrap().unwrap();
    assert_eq!(person.family_name, "Dvořáková");
    assert_eq!(person.dob, "1980-05-12");
    h.finish().await;
}
both!(unidentified_names_stay);

/// Two people whose certificates read alike (same names, date of birth and vaccination) get
/// different UVCIs; before, the second was refused as "already recorded" (SECURITY.md 44).
async fn look_alikes_get_their_own_uvci(backend: Backend) {
    let h = Harness::new(backend).await;
    // A second identified person born the same day, with the same names.
    let twin = "736028/0015";
    let csv = h.dir.path().join("twin.csv");
    std::fs::write(
        &csv,
        format!("birth_number,family_name,given_name,dob\n{twin},Dvořáková,Anežka,1973-10-28\n"),
    )
    .unwrap();
    server::admin::import_registry(&h.app.config, &csv, NOW.unix_timestamp())
        .await
        .unwrap();
    let mut uvcis = Vec::new();
    for bn in [BN_IDENTIFIED, twin] {
        let (s, rec, _) = h
            .send(h.post_record(&common::vaccination(bn, 2, 2, "2026-02-20", None), None))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{rec}");
        uvcis.push(rec["certificate"]["uvci"].as_str().unwrap().to_string());
    }
    assert_ne!(uvcis[0], uvcis[1]);
    h.finish().await;
}
both!(look_alikes_get_their_own_uvci);
