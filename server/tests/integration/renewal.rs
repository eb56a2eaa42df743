//! PIN renewal over HTTP (issue #9, seed 000 steps 5-8; SECURITY.md 11, 13-18): username +
//! captcha (or an e-mailed code), the phone-digits step that answers alike, the e-mailed link
//! with the SMS code of the same request, the new PIN and channel; link reuse, expiry and
//! replacement; the helpdesk reset; the login lockout and its release. A fixed clock, known
//! captcha answers and captured SMS/e-mail.

use crate::common;

use axum::http::StatusCode;
use common::registry::{captcha_id, mails, renewal_started};
use common::web::{code_of, deliver, Browser, Page};
use common::{Backend, Harness, CAPTCHA};
use server::service::registry::{self as reg, Details};

const BN: &str = "736028/0004";
const PHONE: &str = "+420601555777";
const EMAIL: &str = "jana@nemocnice.example";
const PIN: &str = "modrý kůň skáče přes plot";
const NEW_PIN: &str = "zelená žába v rákosí kváká";

/// A registered user (through the service, SMS step included); returns the username.
async fn registered(h: &Harness) -> String {
    let now = h.clock_now();
    let flow = server::secrets::token_digest("registration-flow");
    reg::start_registration(&h.app, &flow, PHONE, BN, now)
        .await
        .unwrap()
        .unwrap();
    let code = code_of(&deliver(h).await[0].1);
    reg::verify_registration(&h.app, &flow, &code, now)
        .await
        .unwrap()
        .unwrap();
    let details = Details {
        name: "Jana Dvořáková".into(),
        email: EMAIL.into(),
        pin: PIN.into(),
        pin2: PIN.into(),
        channel: "sms".into(),
    };
    assert!(reg::finish_registration(&h.app, &flow, details, now)
        .await
        .unwrap()
        .unwrap());
    let m = mails(h).await;
    let i = m[0].1.find("registry username: ").unwrap() + 19;
    m[0].1[i..i + 8].to_string()
}

/// Step 6: the digits; returns the answer page.
async fn digits(h: &Harness, b: &mut Browser, digits: &str) -> Page {
    let p = b.get(h, "/registry/renew/phone").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    b.post(
        h,
        "/registry/renew/phone",
        &[("csrf", &p.csrf()), ("digits", digits)],
    )
    .await
}

/// The link's token in a renewal e-mail.
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

/// The renewal's messages after step 6: the SMS code and the link's token.
async fn code_and_link(h: &Harness) -> (String, String) {
    let sms = deliver(h).await;
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert_eq!(sms[0].0, PHONE);
    let m = mails(h).await;
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].0, EMAIL);
    (code_of(&sms[0].1), token_in(&m[0].1))
}

async fn set_pin(h: &Harness, b: &mut Browser, token: &str, code: &str, pin: &str) -> Page {
    let p = b.get(h, &format!("/registry/pin/{token}")).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    b.post(
        h,
        &format!("/registry/pin/{token}"),
        &[
            ("csrf", &p.csrf()),
            ("code", code),
            ("pin", pin),
            ("pin2", pin),
            ("channel", "email"),
        ],
    )
    .await
}

/// Username + PIN + captcha: whether the code step was reached and a code left.
async fn login_sends_code(h: &Harness, username: &str, pin: &str) -> (StatusCode, usize) {
    let mut b = Browser::default();
    let p = b.registry_login(h, username, pin).await;
    let sent = deliver(h).await.len() + mails(h).await.len();
    (p.status, sent)
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

/// Seed 000 steps 5-10 end to end, with SECURITY.md 16-18's guarantees.
async fn pin_renewal(backend: Backend) {
    let h = Harness::new(backend).await;
    let username = registered(&h).await;
    // A session that must end with the renewal.
    let session = server::secrets::token_digest("old-session");
    let user = h
        .app
        .store
        .user_by_username(&username)
        .await
        .unwrap()
        .unwrap();
    let now = h.clock_now();
    h.app
        .store
        .session_create(
            server::store::SessionKind::Registry,
            &session,
            &user.id,
            now,
            now + 3600,
            &login_event(),
        )
        .await
        .unwrap();
    let mut b = renewal_started(&h, &username.to_lowercase()).await;
    let p = b.get(&h, "/registry/renew/phone").await;
    assert!(p.body.contains("Nemám mobilní telefon"), "{}", p.body);
    assert!(
        !p.body.contains("555777"),
        "no stored phone digits on the page"
    );
    let answer = digits(&h, &mut b, "777").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer.body.contains("Pokud údaje souhlasí"),
        "{}",
        answer.body
    );
    let (code, token) = code_and_link(&h).await;
    assert!(token.len() >= 22, "128 bits in base64url: {token}");
    // Only the digest is stored.
    assert!(h
        .app
        .store
        .reset_user(token.as_bytes(), h.clock_now())
        .await
        .unwrap()
        .is_none());
    // The link's page: private, and fetching it twice consumes nothing (mail scanners).
    let mut other = Browser::default();
    let p = other.get(&h, &format!("/registry/pin/{token}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.headers["cache-control"], "no-store");
    assert_eq!(p.headers["referrer-policy"], "no-referrer");
    // A wrong code, a weak PIN and two different PINs are refused with reasons.
    let p = set_pin(&h, &mut other, &token, "000000", NEW_PIN).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Kód z SMS není správný"), "{}", p.body);
    let p = set_pin(&h, &mut other, &token, &code, "123456").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("class=\"error\""), "{}", p.body);
    let p = other.get(&h, &format!("/registry/pin/{token}")).await;
    let p = other
        .post(
            &h,
            &format!("/registry/pin/{token}"),
            &[
                ("csrf", &p.csrf()),
                ("code", &code),
                ("pin", NEW_PIN),
                ("pin2", "something else entirely"),
            ],
        )
        .await;
    assert!(p.body.contains("Zadané PINy se neshodují"), "{}", p.body);
    // The right code and a good PIN: back to the login page, not logged in.
    let p = set_pin(&h, &mut other, &token, &code, NEW_PIN).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/registry?renewed=1");
    assert!(!other.cookies.contains_key("__Host-dcc-registry"));
    let p = other.get(&h, "/registry?renewed=1").await;
    assert!(p.body.contains("Osobní heslo bylo obnoveno"), "{}", p.body);
    // Notices by SMS and e-mail, with neither link nor code.
    let sms = deliver(&h).await;
    let m = mails(&h).await;
    assert_eq!((sms.len(), m.len()), (1, 1), "{sms:?} {m:?}");
    for body in [&sms[0].1, &m[0].1] {
        assert!(body.contains("PIN"), "{body}");
        assert!(!body.contains("/registry/pin/") && !body.contains(&code));
    }
    // Every session ended; the link is spent and its page is the one for unknown links.
    assert!(h
        .app
        .store
        .session(server::store::SessionKind::Registry, &session)
        .await
        .unwrap()
        .is_none());
    let used = other.get(&h, &format!("/registry/pin/{token}")).await;
    let unknown = other.get(&h, "/registry/pin/AAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(used.status, StatusCode::NOT_FOUND);
    assert_eq!(
        used.body.replace(&token, "T"),
        unknown.body.replace("AAAAAAAAAAAAAAAAAAAAAA", "T")
    );
    // The new PIN signs in (the code now goes by e-mail); the old one does not.
    assert_eq!(
        login_sends_code(&h, &username, PIN).await,
        (StatusCode::SEE_OTHER, 0)
    );
    assert_eq!(
        login_sends_code(&h, &username, NEW_PIN).await,
        (StatusCode::SEE_OTHER, 1)
    );
    let stored = h
        .app
        .store
        .user_by_username(&username)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.otp_channel, "email");
    assert!(stored.pin_hash.starts_with("$argon2id$"));
    let events = audit_events(&h).await;
    for e in [
        "registry.renewal_started",
        "registry.renewal_phone_step",
        "registry.renewal_link_sent",
        "registry.pin_renewed",
    ] {
        assert!(events.iter().any(|x| x == e), "{e} in {events:?}");
    }
    h.finish().await;
}
both!(pin_renewal);

fn login_event() -> server::store::AuditEvent {
    server::store::AuditEvent {
        event: "registry.login_succeeded".into(),
        org_id: None,
        subject: None,
        detail: serde_json::json!({}),
    }
}

/// SECURITY.md 15: unknown user, wrong digits and right digits get the same page; only the
/// full match sends; after three tries a day right digits send nothing.
#[tokio::test]
async fn the_phone_step_answers_alike() {
    let h = Harness::new(Backend::Sqlite).await;
    let username = registered(&h).await;
    let mut unknown = renewal_started(&h, "ZZZZZZZZ").await;
    let a = digits(&h, &mut unknown, "777").await;
    assert!(deliver(&h).await.is_empty() && mails(&h).await.is_empty());
    let mut b = renewal_started(&h, &username).await;
    let wrong = digits(&h, &mut b, "123").await;
    assert!(deliver(&h).await.is_empty() && mails(&h).await.is_empty());
    digits(&h, &mut b, "999").await;
    assert!(deliver(&h).await.is_empty() && mails(&h).await.is_empty());
    let right = digits(&h, &mut b, "777").await;
    let (_, first) = code_and_link(&h).await;
    // The answer page has no form, so nothing in it differs per request.
    let strip = |p: &Page| {
        assert!(!p.body.contains("name=\"csrf\""));
        p.body.clone()
    };
    assert_eq!(a.status, wrong.status);
    assert_eq!(wrong.status, right.status);
    assert_eq!(strip(&a), strip(&wrong));
    assert_eq!(strip(&wrong), strip(&right));
    // That was the third try of the day; a fourth sends nothing even when right.
    let fourth = digits(&h, &mut b, "777").await;
    assert_eq!(strip(&fourth), strip(&right));
    assert!(deliver(&h).await.is_empty() && mails(&h).await.is_empty());
    // A day later the tries are back, and the newer request voids the older link.
    h.clock
        .advance(time::Duration::hours(24) + time::Duration::seconds(1));
    let mut b = renewal_started(&h, &username).await;
    digits(&h, &mut b, "777").await;
    let (_, second) = code_and_link(&h).await;
    let mut c = Browser::default();
    assert_eq!(
        c.get(&h, &format!("/registry/pin/{first}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get(&h, &format!("/registry/pin/{second}")).await.status,
        StatusCode::OK
    );
    // Without step 5 the phone step sends the browser back to it.
    let mut fresh = Browser::default();
    let p = fresh.get(&h, "/registry/renew/phone").await;
    assert_eq!(p.location(), "/registry/renew");
    h.finish().await;
}

/// SECURITY.md 16: a link expires after 3 days, and a successful login voids it.
#[tokio::test]
async fn reset_links_expire_and_a_login_voids_them() {
    let h = Harness::new(Backend::Sqlite).await;
    let username = registered(&h).await;
    let mut b = renewal_started(&h, &username).await;
    digits(&h, &mut b, "777").await;
    let (_, token) = code_and_link(&h).await;
    h.clock
        .advance(time::Duration::days(3) + time::Duration::seconds(1));
    assert_eq!(
        b.get(&h, &format!("/registry/pin/{token}")).await.status,
        StatusCode::NOT_FOUND
    );
    let mut b = renewal_started(&h, &username).await;
    digits(&h, &mut b, "777").await;
    let (_, token) = code_and_link(&h).await;
    assert_eq!(
        b.get(&h, &format!("/registry/pin/{token}")).await.status,
        StatusCode::OK
    );
    // Sign in with the old PIN: the pending link ends.
    let mut l = Browser::default();
    l.registry_login(&h, &username, PIN).await;
    let code = code_of(&deliver(&h).await[0].1);
    let p = l.registry_code(&h, &code).await;
    assert_eq!(p.location(), "/registry/account");
    assert_eq!(
        b.get(&h, &format!("/registry/pin/{token}")).await.status,
        StatusCode::NOT_FOUND
    );
    h.finish().await;
}

/// SECURITY.md 13, 15, 17: a captcha is single-use; ten starts per IP an hour; a new SMS code
/// only after the 60-second cool-down.
#[tokio::test]
async fn captcha_replay_start_limit_and_code_cool_down() {
    let h = Harness::new(Backend::Sqlite).await;
    let username = registered(&h).await;
    let mut b = Browser::default();
    let p = b.get(&h, "/registry/renew").await;
    let id = captcha_id(&p);
    let csrf = p.csrf();
    let fields = [
        ("csrf", csrf.as_str()),
        ("username", username.as_str()),
        ("captcha_id", id.as_str()),
        ("captcha", CAPTCHA),
    ];
    let first = b.post(&h, "/registry/renew", &fields).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let mut again = b.clone();
    let replay = again.post(&h, "/registry/renew", &fields).await;
    assert_eq!(replay.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(replay.body.contains("Číslice z obrázku nesouhlasí"));
    // The resend on the link page waits 60 s after the last code.
    digits(&h, &mut b, "777").await;
    let (_, token) = code_and_link(&h).await;
    let p = b.get(&h, &format!("/registry/pin/{token}")).await;
    let early = b
        .post(
            &h,
            &format!("/registry/pin/{token}/code"),
            &[("csrf", &p.csrf())],
        )
        .await;
    assert_eq!(early.status, StatusCode::TOO_MANY_REQUESTS);
    h.clock.advance(time::Duration::seconds(61));
    let later = b
        .post(
            &h,
            &format!("/registry/pin/{token}/code"),
            &[("csrf", &p.csrf())],
        )
        .await;
    assert_eq!(later.status, StatusCode::OK, "{}", later.body);
    assert_eq!(deliver(&h).await.len(), 1);
    // Eight more starts make ten this hour; the eleventh is refused.
    for _ in 0..8 {
        renewal_started(&h, "ZZZZZZZZ").await;
    }
    let mut b = Browser::default();
    let p = b.get(&h, "/registry/renew").await;
    let p = b
        .post(
            &h,
            "/registry/renew",
            &[
                ("csrf", &p.csrf()),
                ("username", "ZZZZZZZZ"),
                ("captcha_id", &captcha_id(&p)),
                ("captcha", CAPTCHA),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    h.finish().await;
}

/// SECURITY.md 14: whoever cannot read the picture gets a code at the registered e-mail
/// instead; an unknown username gets the same answer and nothing is sent.
#[tokio::test]
async fn the_accessible_alternative_mails_a_code() {
    let h = Harness::new(Backend::Sqlite).await;
    let username = registered(&h).await;
    let start = |name: String| {
        let h = &h;
        async move {
            let mut b = Browser::default();
            let p = b.get(h, "/registry/renew/email").await;
            assert_eq!(p.status, StatusCode::OK);
            let p = b
                .post(
                    h,
                    "/registry/renew/email",
                    &[("csrf", &p.csrf()), ("username", &name)],
                )
                .await;
            (b, p)
        }
    };
    let (_, unknown) = start("ZZZZZZZZ".into()).await;
    assert!(mails(&h).await.is_empty());
    let (mut b, known) = start(username.clone()).await;
    assert_eq!(unknown.status, known.status);
    assert_eq!(known.location(), "/registry/renew/email/code");
    let m = mails(&h).await;
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].0, EMAIL);
    let code = code_of(&m[0].1);
    let p = b.get(&h, "/registry/renew/email/code").await;
    let p = b
        .post(
            &h,
            "/registry/renew/email/code",
            &[("csrf", &p.csrf()), ("code", &code)],
        )
        .await;
    assert_eq!(p.location(), "/registry/renew/phone", "{}", p.body);
    digits(&h, &mut b, "777").await;
    code_and_link(&h).await;
    h.finish().await;
}

/// SECURITY.md 14 at sign-in: who cannot read the picture asks for a code at the registered
/// e-mail, enters it with the PIN and then the login code, as after the picture. An unknown
/// username gets the same answer and nothing; a wrong e-mailed code is said so; a right code
/// with a wrong PIN sends no login code; the e-mailed code works once.
#[tokio::test]
async fn sign_in_without_the_picture() {
    let h = Harness::new(Backend::Sqlite).await;
    let username = registered(&h).await;
    let start = |name: String| {
        let h = &h;
        async move {
            let mut b = Browser::default();
            let p = b.get(h, "/registry").await;
            assert!(
                p.body.contains("href=\"/registry/login/email\""),
                "{}",
                p.body
            );
            let p = b.get(h, "/registry/login/email").await;
            assert_eq!(p.status, StatusCode::OK);
            let p = b
                .post(
                    h,
                    "/registry/login/email",
                    &[("csrf", &p.csrf()), ("username", &name)],
                )
                .await;
            (b, p)
        }
    };
    let (_, unknown) = start("ZZZZZZZZ".into()).await;
    assert!(mails(&h).await.is_empty());
    assert!(deliver(&h).await.is_empty());
    let (mut b, known) = start(username.clone()).await;
    assert_eq!(
        (unknown.status, unknown.location()),
        (known.status, known.location())
    );
    assert_eq!(known.location(), "/registry/login/email/code");
    let m = mails(&h).await;
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].0, EMAIL);
    assert!(m[0].1.contains("without the picture"), "{}", m[0].1);
    let code = code_of(&m[0].1);
    let submit = |b: &mut Browser, code: String, pin: &'static str| {
        let h = &h;
        let mut b = std::mem::take(b);
        async move {
            let p = b.get(h, "/registry/login/email/code").await;
            assert_eq!(p.status, StatusCode::OK);
            let p = b
                .post(
                    h,
                    "/registry/login/email/code",
                    &[("csrf", &p.csrf()), ("code", &code), ("pin", pin)],
                )
                .await;
            (b, p)
        }
    };
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (b2, p) = submit(&mut b, wrong.into(), PIN).await;
    b = b2;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("code"), "{}", p.body);
    // The right code with a wrong PIN: the same step as any login, and no login code leaves.
    let (b2, p) = submit(&mut b, code.clone(), "wrong PIN here").await;
    b = b2;
    assert_eq!(p.location(), "/registry/login/code", "{}", p.body);
    assert!(deliver(&h).await.is_empty());
    assert!(mails(&h).await.is_empty());
    // The code was spent: asking again, then the right PIN.
    let (b2, p) = submit(&mut b, code, PIN).await;
    b = b2;
    assert_ne!(
        p.location(),
        "/registry/login/code",
        "a spent code is refused"
    );
    // A new code after the interval between codes.
    h.clock.advance(time::Duration::minutes(2));
    let (mut b, _) = {
        let p = b.get(&h, "/registry/login/email").await;
        let p = b
            .post(
                &h,
                "/registry/login/email",
                &[("csrf", &p.csrf()), ("username", &username)],
            )
            .await;
        assert_eq!(
            p.location(),
            "/registry/login/email/code",
            "{} {}",
            p.status,
            p.body
        );
        (b, p)
    };
    let code = code_of(&mails(&h).await[0].1);
    let (b2, p) = submit(&mut b, code, PIN).await;
    b = b2;
    assert_eq!(p.location(), "/registry/login/code", "{}", p.body);
    let sms = deliver(&h).await;
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].0, PHONE);
    let p = b.registry_code(&h, &code_of(&sms[0].1)).await;
    assert_eq!(p.location(), "/registry/account", "{}", p.body);
    h.finish().await;
}

/// SECURITY.md 11: from the fifth failure a wait applies (unknown usernames alike), it is
/// released when the wait is over, and a helpdesk reset releases it at once, ends the
/// sessions and sends a link and code; audited.
#[tokio::test]
async fn lockout_its_release_and_the_helpdesk_reset() {
    let h = Harness::new(Backend::Sqlite).await;
    let username = registered(&h).await;
    for name in [username.as_str(), "ZZZZZZZZ"] {
        for _ in 0..5 {
            assert_eq!(
                login_sends_code(&h, name, "wrong PIN here").await,
                (StatusCode::SEE_OTHER, 0)
            );
        }
        assert_eq!(
            login_sends_code(&h, name, PIN).await.0,
            StatusCode::TOO_MANY_REQUESTS,
            "{name}"
        );
    }
    // Every attempt counts as a code request too (so a 429 tells nothing about the PIN): the
    // wait of item 11 and the hourly cap of item 3 are both over an hour later; no permanent
    // lockout.
    h.clock.advance(time::Duration::seconds(31));
    assert_eq!(
        login_sends_code(&h, &username, PIN).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    h.clock.advance(time::Duration::hours(1));
    assert_eq!(
        login_sends_code(&h, &username, PIN).await,
        (StatusCode::SEE_OTHER, 1)
    );
    // Locked again; the helpdesk releases it.
    for _ in 0..6 {
        login_sends_code(&h, &username, "wrong PIN here").await;
    }
    assert_eq!(
        login_sends_code(&h, &username, PIN).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    let now = h.clock_now();
    assert!(
        !server::service::renewal::helpdesk_reset(&h.app, "ZZZZZZZZ", "operator", now)
            .await
            .unwrap()
    );
    assert!(
        server::service::renewal::helpdesk_reset(&h.app, &username, "operator", now)
            .await
            .unwrap()
    );
    let (code, token) = code_and_link(&h).await;
    let mut b = Browser::default();
    let p = set_pin(&h, &mut b, &token, &code, NEW_PIN).await;
    assert_eq!(p.location(), "/registry?renewed=1", "{}", p.body);
    mails(&h).await;
    deliver(&h).await;
    assert_eq!(
        login_sends_code(&h, &username, NEW_PIN).await,
        (StatusCode::SEE_OTHER, 1)
    );
    assert!(audit_events(&h)
        .await
        .iter()
        .any(|e| e == "registry.helpdesk_reset"));
    h.finish().await;
}

/// SECURITY.md 8: a PIN change needs the current PIN, a code entered at most 5 minutes ago and
/// the new PIN twice; it ends the user's other sessions (not this one) and is notified by SMS
/// and e-mail; CSRF-checked.
#[tokio::test]
async fn pin_change_needs_the_current_pin_and_a_fresh_code() {
    use common::registry::{registered_user, sign_in};
    let h = Harness::new(Backend::Sqlite).await;
    let (username, mut b) = registered_user(&h, BN, PHONE, EMAIL).await;
    let mut other = sign_in(&h, &username, PHONE).await;
    mails(&h).await;
    let p = b.get(&h, "/registry/account").await;
    assert!(p.body.contains("/registry/account/pin"));
    let form = b.get(&h, "/registry/account/pin").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.headers["cache-control"], "no-store");
    let change = |b: &mut Browser, csrf: String, current: &'static str, new: &'static str| {
        let mut b2 = b.clone();
        let h = &h;
        async move {
            b2.post(
                h,
                "/registry/account/pin",
                &[
                    ("csrf", &csrf),
                    ("current", current),
                    ("pin", new),
                    ("pin2", new),
                ],
            )
            .await
        }
    };
    let p = change(&mut b, form.csrf(), "wrong PIN entirely", NEW_PIN).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.body.contains("Současný PIN nesouhlasí"), "{}", p.body);
    let p = change(&mut b, String::new(), PIN, NEW_PIN).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "CSRF");
    let p = change(&mut b, form.csrf(), PIN, "aaaaaaaa").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let before = b.cookies["__Host-dcc-registry"].clone();
    let mut old_id = b.clone();
    let p = b
        .post(
            &h,
            "/registry/account/pin",
            &[
                ("csrf", &form.csrf()),
                ("current", PIN),
                ("pin", NEW_PIN),
                ("pin2", NEW_PIN),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("PIN byl změněn"), "{}", p.body);
    // This session goes on under a new id (SECURITY.md 20); the old id and the other session
    // ended; notices by SMS and e-mail.
    assert_ne!(b.cookies["__Host-dcc-registry"], before);
    assert_eq!(b.get(&h, "/registry/account").await.status, StatusCode::OK);
    assert_eq!(
        old_id.get(&h, "/registry/account").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        other.get(&h, "/registry/account").await.status,
        StatusCode::UNAUTHORIZED
    );
    let (sms, m) = (deliver(&h).await, mails(&h).await);
    assert_eq!((sms.len(), m.len()), (1, 1), "{sms:?} {m:?}");
    assert!(sms[0].1.contains("PIN") && m[0].1.contains("PIN"));
    assert!(audit_events(&h)
        .await
        .iter()
        .any(|e| e == "registry.pin_changed"));
    // Five minutes after the code, a change needs a new sign-in.
    h.clock.advance(time::Duration::minutes(6));
    let stale = b.get(&h, "/registry/account/pin").await;
    assert!(
        stale.body.contains("nejvýše před 5 minutami"),
        "{}",
        stale.body
    );
    let p = change(&mut b, stale.csrf(), NEW_PIN, PIN).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // The new PIN signs in.
    assert_eq!(
        login_sends_code(&h, &username, NEW_PIN).await,
        (StatusCode::SEE_OTHER, 1)
    );
    h.finish().await;
}
