//! The security-question branch of PIN renewal over HTTP (SECURITY.md 19, 23, 47): off by
//! default (the "no mobile phone" part is the helpdesk text, the pages 404); setting the
//! questions needs a fresh code; answers stored as argon2id; two of three right answers (in
//! another case and composition) send the link and a code by e-mail and tell the organisation's
//! account managers; one right answer, unknown users and a fourth try a day send nothing, on one
//! identical page. A fixed clock, known captcha answers and captured SMS/e-mail.

use crate::common;

use axum::http::StatusCode;
use common::registry::{mails, register, renewal_started, sign_in, user_id, PIN};
use common::web::{code_of, deliver, Browser, Page};
use common::{Backend, Harness};
use server::service::questions as service;

/// Birth number, mobile, e-mail.
type Person = (&'static str, &'static str, &'static str);
const USER: Person = ("736028/0004", "+420601555777", "jana@nemocnice.example");
const MANAGER: Person = ("700101/1006", "+420601000101", "manager@a.example");
const CLERK: Person = ("750505/1004", "+420601000102", "clerk@a.example");
const ORG: &str = "25596641";
const NEW_PIN: &str = "zelená žába v rákosí kváká";

const HELPDESK: &str = "Automatická obnova osobního hesla bez mobilního telefonu není možná";
const ANSWERED: &str = "Pokud odpovědi souhlasí";

async fn on(backend: Backend) -> Harness {
    Harness::with(backend, &[("DCC_RECOVERY_QUESTIONS", "true")], true).await
}

/// The questions page, then its answers; returns both pages.
async fn answer(h: &Harness, b: &mut Browser, a: [&str; 3]) -> (Page, Page) {
    let q = b.get(h, "/registry/renew/questions").await;
    assert_eq!(q.status, StatusCode::OK, "{}", q.body);
    let p = b
        .post(
            h,
            "/registry/renew/questions",
            &[
                ("csrf", &q.csrf()),
                ("answer1", a[0]),
                ("answer2", a[1]),
                ("answer3", a[2]),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains(ANSWERED), "{}", p.body);
    (q, p)
}

/// A page without its CSRF token, to compare pages of different browsers.
fn without_csrf(p: &Page) -> String {
    if p.body.contains("name=\"csrf\"") {
        p.body.replace(&p.csrf(), "CSRF")
    } else {
        p.body.clone()
    }
}

/// Everything delivered since the last call: SMS and e-mails.
async fn sent(h: &Harness) -> (Vec<(String, String)>, Vec<(String, String)>) {
    (deliver(h).await, mails(h).await)
}

fn token_in(body: &str) -> String {
    let i = body
        .find("/registry/pin/")
        .unwrap_or_else(|| panic!("a link in {body:?}"))
        + 14;
    body[i..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap()
        .to_string()
}

/// Sets the user's questions through the service (school, pet, book).
async fn with_questions(h: &Harness, username: &str) {
    let uid = user_id(h, username).await;
    let q = |k: &str, a: &str| (k.to_string(), a.to_string());
    service::set_answers(
        &h.app,
        &uid,
        [
            q("q_q_school", "Základní škola Dvořákova"),
            q("q_q_pet", "Punťa"),
            q("q_q_book", "Malý princ"),
        ],
        h.clock_now(),
    )
    .await
    .unwrap()
    .unwrap();
    mails(h).await;
}

/// Username + PIN + captcha: whether a sign-in code left.
async fn login_sends_code(h: &Harness, username: &str, pin: &str) -> usize {
    let mut b = Browser::default();
    let p = b.registry_login(h, username, pin).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let (sms, m) = sent(h).await;
    sms.len() + m.len()
}

async fn audit_events(h: &Harness) -> Vec<String> {
    h.app
        .store
        .audit_events(1000)
        .await
        .unwrap()
        .into_iter()
        .map(|(event, _)| event)
        .collect()
}

async fn grant(h: &Harness, username: &str, role: &str) {
    let org = h.app.store.org_by_ico(ORG).await.unwrap().unwrap().id;
    let uid = user_id(h, username).await;
    h.app
        .store
        .permission_grant(
            &server::secrets::new_id(),
            &uid,
            org,
            role,
            &server::store::AuditEvent {
                event: "registry.permission_granted".into(),
                org_id: Some(org),
                subject: None,
                detail: serde_json::json!({}),
            },
            h.clock_now(),
        )
        .await
        .unwrap();
}

/// SECURITY.md 19 end to end: questions set on a fresh session, stored as argon2id; one right
/// answer sends nothing; two right (other case, decomposed letters) send the link and an
/// e-mailed code and tell the organisation's managers; the new PIN then signs in.
async fn question_renewal(backend: Backend) {
    let h = on(backend).await;
    let username = register(&h, USER.0, USER.1, USER.2).await;
    let manager = register(&h, MANAGER.0, MANAGER.1, MANAGER.2).await;
    let clerk = register(&h, CLERK.0, CLERK.1, CLERK.2).await;
    grant(&h, &username, "member").await;
    grant(&h, &manager, "manager").await;
    grant(&h, &clerk, "member").await;

    // Setting the questions on the account, right after signing in.
    let mut b = sign_in(&h, &username, USER.1).await;
    let account = b.get(&h, "/registry/account").await;
    assert!(
        account
            .body
            .contains("href=\"/registry/account/questions\""),
        "{}",
        account.body
    );
    let p = b.get(&h, "/registry/account/questions").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("<select id=\"question1\""), "{}", p.body);
    assert!(p.body.contains("<legend>"), "{}", p.body);
    // Two equal questions are refused, with the error announced.
    let form = |csrf: &str, q2: &str| {
        vec![
            ("csrf".to_string(), csrf.to_string()),
            ("question1".into(), "q_q_school".into()),
            ("answer1".into(), "Základní škola Dvořákova".into()),
            ("question2".into(), q2.to_string()),
            ("answer2".into(), "Punťa".into()),
            ("question3".into(), "q_q_book".into()),
            ("answer3".into(), "Malý princ".into()),
        ]
    };
    let fields = form(&p.csrf(), "q_q_school");
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let bad = b.post(&h, "/registry/account/questions", &refs).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("role=\"alert\""), "{}", bad.body);
    assert!(
        !bad.body.contains("Punťa"),
        "answers are not echoed: {}",
        bad.body
    );
    let fields = form(&bad.csrf(), "q_q_pet");
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = b.post(&h, "/registry/account/questions", &refs).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(
        saved.body.contains("Bezpečnostní otázky byly uloženy"),
        "{}",
        saved.body
    );
    let (_, m) = sent(&h).await;
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].0, USER.2);
    assert!(!m[0].1.contains("Punťa"));
    // Stored as argon2id PHC strings, never the answers.
    let rows = h
        .app
        .store
        .answers(&user_id(&h, &username).await)
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    for (r, plain) in rows
        .iter()
        .zip(["základní škola dvořákova", "punťa", "malý princ"])
    {
        assert!(r.answer_hash.starts_with("$argon2id$v=19$"), "{r:?}");
        assert!(!r.answer_hash.to_lowercase().contains(plain));
        assert!(!format!("{r:?}").contains("argon2"), "Debug omits the hash");
    }
    assert_eq!(
        rows.iter().map(|r| r.question.as_str()).collect::<Vec<_>>(),
        ["q_q_school", "q_q_pet", "q_q_book"]
    );

    // The renewal: the "no phone" part leads to the questions.
    let mut r = renewal_started(&h, &username.to_lowercase()).await;
    let phone = r.get(&h, "/registry/renew/phone").await;
    assert!(
        phone.body.contains("href=\"/registry/renew/questions\""),
        "{}",
        phone.body
    );
    // One right answer of three: the same page, nothing sent.
    let (q, one) = answer(&h, &mut r, ["základní škola dvořákova", "Rex", "Babička"]).await;
    for text in [
        "Jak se jmenovala Vaše první škola?",
        "Jak se jmenovalo Vaše první zvíře?",
        "Jakou knihu jste si jako první sami přečetli?",
    ] {
        assert!(q.body.contains(text), "{text} in {}", q.body);
    }
    assert_eq!(sent(&h).await, (vec![], vec![]));
    // Two right, in upper case with decomposed letters and extra spaces: the link and a code by
    // e-mail, no SMS, and the manager (not the clerk) is told, without link or code.
    let (_, two) = answer(
        &h,
        &mut r,
        [
            "  ZÁKLADNÍ   S\u{30c}KOLA DVOR\u{30c}ÁKOVA ",
            "PUNT\u{30c}A",
            "Babička",
        ],
    )
    .await;
    assert_eq!(without_csrf(&one), without_csrf(&two));
    let (sms, m) = sent(&h).await;
    assert!(sms.is_empty(), "{sms:?}");
    let to_user: Vec<&String> = m
        .iter()
        .filter(|(to, _)| to == USER.2)
        .map(|(_, b)| b)
        .collect();
    let to_manager: Vec<&String> = m
        .iter()
        .filter(|(to, _)| to == MANAGER.2)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(
        (to_user.len(), to_manager.len(), m.len()),
        (2, 1, 3),
        "{m:?}"
    );
    let link = to_user
        .iter()
        .find(|b| b.contains("/registry/pin/"))
        .unwrap();
    assert!(link.contains("kód z dalšího e-mailu"), "{link}");
    let token = token_in(link);
    let code = code_of(
        to_user
            .iter()
            .find(|b| !b.contains("/registry/pin/"))
            .unwrap(),
    );
    assert!(to_manager[0].contains(&username), "{}", to_manager[0]);
    assert!(
        !to_manager[0].contains("/registry/pin/") && !to_manager[0].contains(&code),
        "{}",
        to_manager[0]
    );

    // The link's page asks for the e-mailed code; the PIN is set with it.
    let mut other = Browser::default();
    let p = other.get(&h, &format!("/registry/pin/{token}")).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("zaslán e-mailem"), "{}", p.body);
    assert!(!p.body.contains("v SMS"), "{}", p.body);
    let p = other
        .post(
            &h,
            &format!("/registry/pin/{token}"),
            &[
                ("csrf", &p.csrf()),
                ("code", "000000"),
                ("pin", NEW_PIN),
                ("pin2", NEW_PIN),
                ("channel", "sms"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Kód z e-mailu není správný"), "{}", p.body);
    let p = other
        .post(
            &h,
            &format!("/registry/pin/{token}"),
            &[
                ("csrf", &p.csrf()),
                ("code", &code),
                ("pin", NEW_PIN),
                ("pin2", NEW_PIN),
                ("channel", "sms"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/registry?renewed=1");
    sent(&h).await;
    assert_eq!(login_sends_code(&h, &username, PIN).await, 0);
    assert_eq!(login_sends_code(&h, &username, NEW_PIN).await, 1);

    let events = audit_events(&h).await;
    for e in [
        "registry.questions_set",
        "registry.renewal_questions",
        "registry.renewal_questions_managers",
        "registry.renewal_link_sent",
        "registry.pin_renewed",
    ] {
        assert!(events.iter().any(|x| x == e), "{e} in {events:?}");
    }
    assert_eq!(
        events
            .iter()
            .filter(|e| *e == "registry.renewal_questions")
            .count(),
        2
    );
    h.finish().await;
}
both!(question_renewal);

/// Off by default: the "no phone" part is the helpdesk text, the same for every username, and
/// the question pages do not exist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn off_by_default() {
    let h = Harness::new(Backend::Sqlite).await;
    assert!(!h.app.config.registry.recovery_questions);
    let username = register(&h, USER.0, USER.1, USER.2).await;
    let mut known = renewal_started(&h, &username).await;
    let mut unknown = renewal_started(&h, "ZZZZZZZZ").await;
    let a = known.get(&h, "/registry/renew/phone").await;
    let b = unknown.get(&h, "/registry/renew/phone").await;
    assert!(a.body.contains("Nemám mobilní telefon"), "{}", a.body);
    assert!(a.body.contains(HELPDESK), "{}", a.body);
    assert!(!a.body.contains("/registry/renew/questions"), "{}", a.body);
    assert_eq!(without_csrf(&a), without_csrf(&b));
    let p = known.get(&h, "/registry/renew/questions").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let p = known
        .post(
            &h,
            "/registry/renew/questions",
            &[("csrf", &a.csrf()), ("answer1", "x")],
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let mut s = sign_in(&h, &username, USER.1).await;
    let account = s.get(&h, "/registry/account").await;
    assert!(
        !account.body.contains("/registry/account/questions"),
        "{}",
        account.body
    );
    let p = s.get(&h, "/registry/account/questions").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    h.finish().await;
}

/// SECURITY.md 23: setting the questions needs a code entered at most five minutes ago.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_session_cannot_set_questions() {
    let h = on(Backend::Sqlite).await;
    let username = register(&h, USER.0, USER.1, USER.2).await;
    let mut b = sign_in(&h, &username, USER.1).await;
    h.clock.advance(time::Duration::seconds(301));
    let p = b.get(&h, "/registry/account/questions").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("nejvýše 5 minutami"), "{}", p.body);
    assert!(!p.body.contains("<select"), "{}", p.body);
    let p = b
        .post(
            &h,
            "/registry/account/questions",
            &[
                ("csrf", &p.csrf()),
                ("question1", "q_q_school"),
                ("answer1", "a"),
                ("question2", "q_q_pet"),
                ("answer2", "b"),
                ("question3", "q_q_book"),
                ("answer3", "c"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    let uid = user_id(&h, &username).await;
    assert!(h.app.store.answers(&uid).await.unwrap().is_empty());
    assert!(!audit_events(&h)
        .await
        .iter()
        .any(|e| e == "registry.questions_set"));
    // Without a session: the sign-in page's 401.
    let p = Browser::default()
        .get(&h, "/registry/account/questions")
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    h.finish().await;
}

/// Unknown users and users without questions get stable decoy questions and the same answer
/// page, and nothing is sent; a fourth try a day sends nothing even with right answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_users_and_the_daily_limit_send_nothing() {
    let h = on(Backend::Sqlite).await;
    let username = register(&h, USER.0, USER.1, USER.2).await;
    let bare = register(&h, CLERK.0, CLERK.1, CLERK.2).await;
    with_questions(&h, &username).await;
    sent(&h).await;

    // An unknown username: three questions, the same ones again, and the same answer page.
    let mut u = renewal_started(&h, "ZZZZZZZZ").await;
    let (q1, unknown_answer) = answer(&h, &mut u, ["a", "b", "c"]).await;
    let mut u2 = renewal_started(&h, "zzzzzzzz").await;
    let q2 = u2.get(&h, "/registry/renew/questions").await;
    assert_eq!(without_csrf(&q1), without_csrf(&q2));
    assert_eq!(q1.body.matches("<label for=\"answer").count(), 3);
    assert_eq!(sent(&h).await, (vec![], vec![]));
    // A user without questions: decoys too, nothing sent.
    let mut n = renewal_started(&h, &bare).await;
    let (nq, _) = answer(&h, &mut n, ["a", "b", "c"]).await;
    assert_eq!(nq.body.matches("<label for=\"answer").count(), 3);
    assert_eq!(sent(&h).await, (vec![], vec![]));

    // Three wrong tries, then right answers: nothing sent, the same page.
    let mut r = renewal_started(&h, &username).await;
    for _ in 0..3 {
        answer(&h, &mut r, ["x", "y", "z"]).await;
    }
    let (_, fourth) = answer(
        &h,
        &mut r,
        ["Základní škola Dvořákova", "Punťa", "Malý princ"],
    )
    .await;
    assert_eq!(without_csrf(&fourth), without_csrf(&unknown_answer));
    assert_eq!(sent(&h).await, (vec![], vec![]));
    // A day later the right answers work again.
    h.clock
        .advance(time::Duration::hours(24) + time::Duration::seconds(1));
    let mut r = renewal_started(&h, &username).await;
    answer(&h, &mut r, ["Základní škola Dvořákova", "Punťa", "x"]).await;
    let (sms, m) = sent(&h).await;
    assert!(sms.is_empty());
    assert_eq!(m.len(), 2, "{m:?}");
    assert!(m.iter().all(|(to, _)| to == USER.2));
    h.finish().await;
}
