//! SECURITY.md 45 for registry users (issue #9): registration, sign-in (a wrong PIN included),
//! the PIN renewal and a helpdesk reset log no birth number, PIN, one-time code, captcha answer,
//! session, flow or reset token, phone number or e-mail address. Its own test binary, because it
//! installs the global log subscriber.

use crate::common;

use axum::http::StatusCode;
use common::registry::{mails, register, sign_in, PIN};
use common::web::{code_of, deliver, Browser};
use common::{Backend, Harness, CAPTCHA};

const NEW_PIN: &str = "zelená žába v rákosí kváká";
const BN: &str = "736028/0004";
const PHONE: &str = "+420601555777";
const EMAIL: &str = "jana.distinctive@nemocnice.example";

fn captcha_id(body: &str) -> String {
    let i = body.find("name=\"captcha_id\" value=\"").unwrap() + 25;
    body[i..i + body[i..].find('"').unwrap()].to_string()
}

/// Whether `code` occurs in `log` as a token of its own (not inside a longer number, an id or a
/// decimal fraction), so that timings and ids cannot match it by chance.
fn has_token(log: &str, code: &str) -> bool {
    log.match_indices(code).any(|(i, _)| {
        let before = log[..i].chars().next_back();
        let after = log[i + code.len()..].chars().next();
        let free = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '.');
        free(before) && free(after)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_flows_log_no_secrets() {
    let sink = common::Sink::default();
    sink.install();
    let h = Harness::new(Backend::Sqlite).await;
    let mut secrets: Vec<String> = vec![
        BN.into(),
        BN.replace('/', ""),
        PIN.into(),
        NEW_PIN.into(),
        PHONE.into(),
        PHONE[4..].into(),
        EMAIL.into(),
    ];
    let username = register(&h, BN, PHONE, EMAIL).await;
    // A wrong PIN, then a right sign-in.
    let mut b = Browser::default();
    let p = b.get(&h, "/registry").await;
    let wrong = b
        .post(
            &h,
            "/registry/login",
            &[
                ("csrf", &p.csrf()),
                ("username", &username),
                ("pin", "not the PIN at all"),
                ("captcha_id", &captcha_id(&p.body)),
                ("captcha", CAPTCHA),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::SEE_OTHER);
    secrets.extend(b.cookies.values().cloned());
    let signed_in = sign_in(&h, &username, PHONE).await;
    secrets.extend(signed_in.cookies.values().cloned());
    // The renewal: username + captcha, digits, link + SMS code, new PIN.
    let mut r = Browser::default();
    let p = r.get(&h, "/registry/renew").await;
    let p = r
        .post(
            &h,
            "/registry/renew",
            &[
                ("csrf", &p.csrf()),
                ("username", &username),
                ("captcha_id", &captcha_id(&p.body)),
                ("captcha", CAPTCHA),
            ],
        )
        .await;
    assert_eq!(p.location(), "/registry/renew/phone");
    let p = r.get(&h, "/registry/renew/phone").await;
    r.post(
        &h,
        "/registry/renew/phone",
        &[("csrf", &p.csrf()), ("digits", "777")],
    )
    .await;
    let sms = deliver(&h).await;
    let code = code_of(&sms[0].1);
    let m = mails(&h).await;
    let link = m[0]
        .1
        .lines()
        .find(|l| l.contains("/registry/pin/"))
        .unwrap();
    let token = link.rsplit('/').next().unwrap().trim().to_string();
    let path = format!("/registry/pin/{token}");
    let p = r.get(&h, &path).await;
    let done = r
        .post(
            &h,
            &path,
            &[
                ("csrf", &p.csrf()),
                ("code", &code),
                ("pin", NEW_PIN),
                ("pin2", NEW_PIN),
                ("channel", "sms"),
            ],
        )
        .await;
    assert_eq!(done.location(), "/registry?renewed=1", "{}", done.body);
    secrets.extend(r.cookies.values().cloned());
    secrets.push(token);
    // The notices of the change.
    deliver(&h).await;
    mails(&h).await;
    // A helpdesk reset sends another link and code.
    let now = h.clock_now();
    assert!(
        server::service::renewal::helpdesk_reset(&h.app, &username, "operator", now)
            .await
            .unwrap()
    );
    let sms = deliver(&h).await;
    let m = mails(&h).await;
    let link = m[0]
        .1
        .lines()
        .find(|l| l.contains("/registry/pin/"))
        .unwrap();
    secrets.push(link.rsplit('/').next().unwrap().trim().to_string());
    let log = sink.text();
    assert!(
        log.contains("registry"),
        "the sink captured the flows: {log}"
    );
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        assert!(!log.contains(s.as_str()), "{s:?} is in the log");
    }
    assert!(!has_token(&log, &code), "the renewal code is in the log");
    assert!(
        !has_token(&log, &code_of(&sms[0].1)),
        "a code is in the log"
    );
    assert!(
        !has_token(&log, CAPTCHA),
        "the captcha answer is in the log"
    );
    h.finish().await;
}
