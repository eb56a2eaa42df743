//! Registry users for page and API tests: registration by SMS and sign-in with username + PIN +
//! picture captcha + one-time code, through the pages, as a person would (issue #9).

use axum::http::StatusCode;

use super::web::{code_of, deliver, Browser, Page};
use super::{Harness, CAPTCHA};

/// The PIN every test user chooses.
pub const PIN: &str = "modrý kůň skáče přes plot";

/// The e-mails delivered since the last call: recipient and body.
pub async fn mails(h: &Harness) -> Vec<(String, String)> {
    server::outbox::run_once(&h.app).await.unwrap();
    std::mem::take(&mut *h.mailer.bodies.lock().unwrap())
}

/// The username in the e-mail that finishes a registration.
pub fn username_in(body: &str) -> String {
    let i = body.find("registry username: ").expect("a username") + 19;
    body[i..i + 8].to_string()
}

/// The one-time code the outbox texted to `phone` since the last delivery.
async fn code_for(h: &Harness, phone: &str) -> String {
    let sms = deliver(h).await;
    let (_, text) = sms
        .iter()
        .rev()
        .find(|(to, _)| to == phone)
        .unwrap_or_else(|| panic!("no SMS to {phone}: {sms:?}"));
    code_of(text)
}

/// Registers a user by SMS through the pages; returns the username e-mailed to `email`.
pub async fn register(h: &Harness, bn: &str, phone: &str, email: &str) -> String {
    let mut b = Browser::default();
    let p = b.get(h, "/registry/register").await;
    let p = b
        .post(
            h,
            "/registry/register",
            &[("csrf", &p.csrf()), ("phone", phone), ("birth_number", bn)],
        )
        .await;
    assert_eq!(p.location(), "/registry/register/code", "{}", p.body);
    let code = code_for(h, phone).await;
    let p = b.get(h, "/registry/register/code").await;
    let p = b
        .post(
            h,
            "/registry/register/code",
            &[("csrf", &p.csrf()), ("code", &code)],
        )
        .await;
    assert_eq!(p.location(), "/registry/register/details", "{}", p.body);
    let p = b.get(h, "/registry/register/details").await;
    let p = b
        .post(
            h,
            "/registry/register/details",
            &[
                ("csrf", &p.csrf()),
                ("name", &format!("Uživatel {}", &phone[phone.len() - 3..])),
                ("email", email),
                ("pin", PIN),
                ("pin2", PIN),
                ("channel", "sms"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let m = mails(h).await;
    let (_, body) = m
        .iter()
        .find(|(to, body)| to == email && body.contains("registry username: "))
        .unwrap_or_else(|| panic!("no username e-mail to {email}: {m:?}"));
    username_in(body)
}

/// The captcha id of a page with the picture captcha.
pub fn captcha_id(p: &Page) -> String {
    let i = p.body.find("name=\"captcha_id\" value=\"").unwrap() + 25;
    p.body[i..i + p.body[i..].find('"').unwrap()].to_string()
}

/// Signs a registered user in (username + PIN + captcha, then the code texted to `phone`);
/// returns the browser holding the registry session.
pub async fn sign_in(h: &Harness, username: &str, phone: &str) -> Browser {
    let mut b = Browser::default();
    let p = b.registry_login(h, username, PIN).await;
    assert_eq!(p.location(), "/registry/login/code", "{}", p.body);
    let code = code_for(h, phone).await;
    let p = b.registry_code(h, &code).await;
    assert_eq!(p.location(), "/registry/account", "{}", p.body);
    assert!(b.cookies.contains_key("__Host-dcc-registry"));
    b
}

/// A registered, signed-in registry user: the username and the browser with its session.
pub async fn registered_user(h: &Harness, bn: &str, phone: &str, email: &str) -> (String, Browser) {
    let username = register(h, bn, phone, email).await;
    let b = sign_in(h, &username, phone).await;
    (username, b)
}

/// The registry user id of a username.
pub async fn user_id(h: &Harness, username: &str) -> String {
    h.app
        .store
        .user_by_username(username)
        .await
        .unwrap()
        .expect("a registered user")
        .id
}

/// Step 5 with a right captcha; returns the browser on the phone-digits step.
pub async fn renewal_started(h: &Harness, username: &str) -> Browser {
    let mut b = Browser::default();
    let p = b.get(h, "/registry/renew").await;
    assert_eq!(p.status, StatusCode::OK);
    let p = b
        .post(
            h,
            "/registry/renew",
            &[
                ("csrf", &p.csrf()),
                ("username", username),
                ("captcha_id", &captcha_id(&p)),
                ("captcha", CAPTCHA),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/registry/renew/phone");
    b
}
