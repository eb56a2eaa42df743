//! Registry users over HTTP (issue #9, SECURITY.md 5-7, 9, 11-13, 20-22, 45): registration by
//! SMS, sign-in with username + PIN + picture captcha + one-time code, on a real SQLite file and
//! a real PostgreSQL database, with a fixed clock, known captcha answers and captured SMS/e-mail.

use crate::common;

use axum::http::StatusCode;
use common::registry::{captcha_id, mails, username_in};
use common::web::{code_of, deliver, Browser, Page};
use common::{Backend, Harness, CAPTCHA};

const BN: &str = "736028/0004";
const PHONE: &str = "+420601555777";
const PIN: &str = "modrý kůň skáče přes plot";

/// Registration by SMS up to the final page; returns that page.
async fn register(h: &Harness, bn: &str, phone: &str, email: &str, pin: &str) -> Page {
    let mut b = Browser::default();
    let p = b.get(h, "/registry/register").await;
    assert_eq!(p.status, StatusCode::OK);
    let p = b
        .post(
            h,
            "/registry/register",
            &[("csrf", &p.csrf()), ("phone", phone), ("birth_number", bn)],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/registry/register/code");
    let sms = deliver(h).await;
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert_eq!(sms[0].0, phone);
    let code = code_of(&sms[0].1);
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
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("autocomplete=\"new-password\""));
    assert!(!p.body.contains("onpaste"), "paste is allowed");
    b.post(
        h,
        "/registry/register/details",
        &[
            ("csrf", &p.csrf()),
            ("name", "MUDr. Jana Dvořáková"),
            ("email", email),
            ("pin", pin),
            ("pin2", pin),
            ("channel", "sms"),
        ],
    )
    .await
}

/// Signs in up to the code step; returns the browser and the response of the first step.
async fn sign_in(h: &Harness, username: &str, pin: &str) -> (Browser, Page) {
    let mut b = Browser::default();
    let p = b.get(h, "/registry").await;
    assert_eq!(p.status, StatusCode::OK);
    let id = captcha_id(&p);
    let png = b.get(h, &format!("/registry/captcha/{id}")).await;
    assert_eq!(png.headers["content-type"], "image/png");
    assert!(png.bytes.starts_with(b"\x89PNG"));
    let p = b
        .post(
            h,
            "/registry/login",
            &[
                ("csrf", &p.csrf()),
                ("username", username),
                ("pin", pin),
                ("captcha_id", &id),
                ("captcha", CAPTCHA),
            ],
        )
        .await;
    (b, p)
}

async fn register_and_sign_in(backend: Backend) {
    let h = Harness::new(backend).await;
    let done = register(&h, BN, PHONE, "jana@nemocnice.example", PIN).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Registrace dokončena"), "{}", done.body);
    let m = mails(&h).await;
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].0, "jana@nemocnice.example");
    let username = username_in(&m[0].1);
    assert!(
        username
            .bytes()
            .all(|c| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&c)),
        "{username}"
    );
    // The PIN is stored as argon2id with SECURITY.md 7's parameters.
    let user = h
        .app
        .store
        .user_by_username(&username)
        .await
        .unwrap()
        .unwrap();
    assert!(
        user.pin_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{}",
        user.pin_hash
    );
    // Sign in: lower case and O for 0 are read as Crockford's alphabet says.
    let typed = username.to_lowercase().replace('0', "o");
    let (mut b, p) = sign_in(&h, &typed, PIN).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/registry/login/code");
    let sms = deliver(&h).await;
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].0, PHONE);
    let code = code_of(&sms[0].1);
    let flow = b.cookies["__Host-dcc-flow"].clone();
    let p = b.registry_code(&h, &code).await;
    assert_eq!(p.location(), "/registry/account", "{}", p.body);
    let session = b.cookies["__Host-dcc-registry"].clone();
    assert_ne!(session, flow, "a new id at login (SECURITY.md 20)");
    assert!(!b.cookies.contains_key("__Host-dcc-flow"));
    let p = b.get(&h, "/registry/account").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains(&username), "{}", p.body);
    assert!(p.body.contains("MUDr. Jana Dvořáková"));
    assert!(!p.body.contains("601555777"), "no phone digits on pages");
    // The citizen portal does not take a registry session.
    assert_eq!(b.get(&h, "/me").await.status, StatusCode::UNAUTHORIZED);
    // Idle time-out, then logout ends the record.
    h.clock.advance(time::Duration::minutes(31));
    assert_eq!(
        b.get(&h, "/registry/account").await.status,
        StatusCode::UNAUTHORIZED
    );
    h.finish().await;
}
both!(register_and_sign_in);

/// SECURITY.md 12: a birth number that has an account gets the same final page, no second
/// account, and a notice at the stored address instead of a username.
#[tokio::test]
async fn registering_twice_makes_one_account() {
    let h = Harness::new(Backend::Sqlite).await;
    let first = register(&h, BN, PHONE, "jana@nemocnice.example", PIN).await;
    let m = mails(&h).await;
    let username = username_in(&m[0].1);
    let second = register(&h, BN, "+420777888999", "someone@else.example", PIN).await;
    assert_eq!(first.status, second.status);
    assert_eq!(first.body, second.body);
    let m = mails(&h).await;
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].0, "jana@nemocnice.example", "the stored address");
    assert!(m[0].1.contains("Someone tried to register"), "{}", m[0].1);
    assert!(!m[0].1.contains(&username));
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&h.db.url)
        .await
        .unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM registry_users")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 1);
    h.finish().await;
}

/// SECURITY.md 12: usernames are 8 Crockford base32 characters and do not repeat.
#[test]
fn usernames_are_unique_and_well_formed() {
    let names: std::collections::HashSet<String> = (0..1000)
        .map(|_| server::service::registry::new_username().unwrap())
        .collect();
    assert_eq!(names.len(), 1000);
    for n in &names {
        assert_eq!(n.len(), 8);
        assert!(
            n.bytes()
                .all(|c| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&c)),
            "{n}"
        );
    }
}

/// SECURITY.md 9: unknown user, wrong PIN and suspended account give one identical response,
/// send nothing, and cost exactly one argon2id evaluation each, as a right PIN does.
#[tokio::test]
async fn sign_in_failures_look_alike() {
    let h = Harness::new(Backend::Sqlite).await;
    register(&h, BN, PHONE, "jana@nemocnice.example", PIN).await;
    let username = username_in(&mails(&h).await[0].1);
    register(
        &h,
        "640812/0004",
        "+420601000222",
        "petr@nemocnice.example",
        PIN,
    )
    .await;
    let suspended = username_in(&mails(&h).await[0].1);
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&h.db.url)
        .await
        .unwrap();
    sqlx::query("UPDATE registry_users SET suspended_at = 1 WHERE username = $1")
        .bind(&suspended)
        .execute(&mut conn)
        .await
        .unwrap();
    let mut answers = Vec::new();
    for (user, pin) in [
        ("ZZZZZZZZ", PIN),
        (username.as_str(), "modrý kůň skáče přes plot!"),
        (suspended.as_str(), PIN),
    ] {
        let before = h.app.pins.evaluations();
        let (_, p) = sign_in(&h, user, pin).await;
        assert_eq!(h.app.pins.evaluations() - before, 1, "{user}");
        answers.push((p.status, p.location().to_string(), p.body));
        assert!(deliver(&h).await.is_empty(), "nothing sent for {user}");
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    let before = h.app.pins.evaluations();
    let (_, p) = sign_in(&h, &username, PIN).await;
    assert_eq!(h.app.pins.evaluations() - before, 1);
    assert_eq!((p.status, p.location().to_string(), p.body), answers[0]);
    assert_eq!(deliver(&h).await.len(), 1, "the right PIN sends the code");
    h.finish().await;
}

/// SECURITY.md 13: a captcha takes one answer, within 5 minutes; a wrong one costs no PIN check.
#[tokio::test]
async fn captchas_are_single_use() {
    let h = Harness::new(Backend::Sqlite).await;
    let mut b = Browser::default();
    let p = b.get(&h, "/registry").await;
    let id = captcha_id(&p);
    let csrf = p.csrf();
    let post = |answer: &'static str, id: String, csrf: String| {
        let mut b = b.clone();
        let h = &h;
        async move {
            b.post(
                h,
                "/registry/login",
                &[
                    ("csrf", &csrf),
                    ("username", "ABCDEFGH"),
                    ("pin", PIN),
                    ("captcha_id", &id),
                    ("captcha", answer),
                ],
            )
            .await
        }
    };
    let before = h.app.pins.evaluations();
    let p = post("13579", id.clone(), csrf.clone()).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("nesouhlasí"), "{}", p.body);
    assert_eq!(h.app.pins.evaluations(), before, "no PIN check");
    // The right answer to the used challenge is refused too.
    let p = post(CAPTCHA, id.clone(), csrf.clone()).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A fresh one, answered after 5 min 1 s.
    let mut b2 = b.clone();
    let p = b2.get(&h, "/registry").await;
    let id = captcha_id(&p);
    h.clock.advance(time::Duration::seconds(301));
    assert_eq!(
        b2.get(&h, &format!("/registry/captcha/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let p = post(CAPTCHA, id, csrf.clone()).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Pasted with spaces, within time: accepted (the flow goes on to the code step).
    let p = b2.get(&h, "/registry").await;
    let id = captcha_id(&p);
    let p = post(" 24 680 ", id, csrf).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    h.finish().await;
}

/// SECURITY.md 5, 6: the details step names why a PIN is refused and stores nothing.
#[tokio::test]
async fn weak_pins_are_refused_with_a_reason() {
    let h = Harness::new(Backend::Sqlite).await;
    for (pin, expect) in [
        ("abc12", "alespoň 6 znaků"),
        ("x123456", "po sobě jdoucích"),
        ("28.10.1973 x", "datum narození"),
        ("password", "uhodnout"),
    ] {
        let p = register(&h, BN, PHONE, "jana@nemocnice.example", pin).await;
        assert_eq!(
            p.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{pin}: {}",
            p.body
        );
        assert!(p.body.to_lowercase().contains(expect), "{pin}: {}", p.body);
        h.clock.advance(time::Duration::seconds(61));
    }
    assert!(mails(&h).await.is_empty());
    h.finish().await;
}

/// A certification authority and a personal certificate it issued, made here.
pub(crate) struct TestCa {
    pub(crate) cert: rcgen::Certificate,
    key: rcgen::KeyPair,
}

impl TestCa {
    pub(crate) fn new(cn: &str) -> TestCa {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyUsagePurpose};
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        p.not_before = rcgen::date_time_ymd(2020, 1, 1);
        p.not_after = rcgen::date_time_ymd(2040, 1, 1);
        let cert = p.self_signed(&key).unwrap();
        TestCa { cert, key }
    }

    /// A personal certificate (digital signature, not a CA) and its key.
    pub(crate) fn issue(&self, cn: &str) -> (String, rcgen::KeyPair) {
        use rcgen::{CertificateParams, DnType, IsCa, KeyUsagePurpose};
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.distinguished_name
            .push(DnType::OrganizationName, "Nemocnice Test");
        p.is_ca = IsCa::ExplicitNoCa;
        p.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        p.not_before = rcgen::date_time_ymd(2024, 1, 1);
        p.not_after = rcgen::date_time_ymd(2030, 1, 1);
        let cert = p.signed_by(&key, &self.cert, &self.key).unwrap();
        (cert.pem(), key)
    }
}

/// A plain ECDSA signature over `msg`, base64, as `openssl dgst -sha256 -sign` makes it.
pub(crate) fn sign_b64(key: &rcgen::KeyPair, msg: &str) -> String {
    use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
    use base64::Engine as _;
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &key.serialize_der()).unwrap();
    let sig = pair
        .sign(&aws_lc_rs::rand::SystemRandom::new(), msg.as_bytes())
        .unwrap();
    base64::engine::general_purpose::STANDARD.encode(sig.as_ref())
}

fn hidden(p: &Page, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let i = p.body.find(&needle).unwrap() + needle.len();
    p.body[i..i + p.body[i..].find('"').unwrap()].replace("&#x3a;", ":")
}

/// Seeds 001 and 003 (issue #9): registration by signing the server's challenge with a
/// personal certificate from a configured authority, then the SMS code, contact details and
/// PIN as in the SMS registration; one account per certificate holder. Certificates of other
/// authorities, signatures over other text and expired challenges are refused with a reason.
#[tokio::test]
async fn register_with_a_certificate() {
    let ca = TestCa::new("dcc test qualified CA");
    let cas = tempfile::tempdir().unwrap();
    let cas_pem = cas.path().join("cas.pem");
    std::fs::write(&cas_pem, ca.cert.pem()).unwrap();
    let h = Harness::with(
        Backend::Sqlite,
        &[("DCC_REGISTRY_CAS", cas_pem.to_str().unwrap())],
        true,
    )
    .await;
    let (cert, key) = ca.issue("MUDr. Petr Svoboda");
    let submit = |b: &mut Browser, page: Page, cert: String, signature: String| {
        let mut b2 = b.clone();
        let h = &h;
        async move {
            let p = b2
                .post(
                    h,
                    "/registry/register/certificate",
                    &[
                        ("csrf", &page.csrf()),
                        ("phone", PHONE),
                        ("challenge", &hidden(&page, "challenge")),
                        ("certificates", &cert),
                        ("signature", &signature),
                    ],
                )
                .await;
            (b2, p)
        }
    };
    // Offered on the registration page.
    let mut b = Browser::default();
    let p = b.get(&h, "/registry/register").await;
    assert!(p.body.contains("/registry/register/certificate"));
    let page = b.get(&h, "/registry/register/certificate").await;
    assert_eq!(page.status, StatusCode::OK);
    let challenge = hidden(&page, "challenge");
    assert!(challenge.starts_with("dcc-registrace:"), "{challenge}");
    // Another authority's certificate.
    let (other_cert, other_key) = TestCa::new("somebody else").issue("Mallory");
    let page = b.get(&h, "/registry/register/certificate").await;
    let (_, p) = submit(&mut b, page, other_cert, sign_b64(&other_key, &challenge)).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("nepřijali"), "{}", p.body);
    // A signature over other text.
    let page = b.get(&h, "/registry/register/certificate").await;
    let (_, p) = submit(&mut b, page, cert.clone(), sign_b64(&key, "something else")).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("nepřijali"), "{}", p.body);
    // A challenge older than 15 minutes.
    let page = b.get(&h, "/registry/register/certificate").await;
    let old = hidden(&page, "challenge");
    h.clock.advance(time::Duration::minutes(16));
    let (_, p) = submit(&mut b, page, cert.clone(), sign_b64(&key, &old)).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("vypršel"), "{}", p.body);
    assert!(
        deliver(&h).await.is_empty(),
        "nothing sent for refused proofs"
    );
    // The right one: the SMS code, then details and PIN.
    let page = b.get(&h, "/registry/register/certificate").await;
    let challenge = hidden(&page, "challenge");
    let (mut b, p) = submit(&mut b, page, cert.clone(), sign_b64(&key, &challenge)).await;
    assert_eq!(p.location(), "/registry/register/code", "{}", p.body);
    let sms = deliver(&h).await;
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].0, PHONE);
    let p = b.get(&h, "/registry/register/code").await;
    let p = b
        .post(
            &h,
            "/registry/register/code",
            &[("csrf", &p.csrf()), ("code", &code_of(&sms[0].1))],
        )
        .await;
    assert_eq!(p.location(), "/registry/register/details");
    let p = b.get(&h, "/registry/register/details").await;
    let done = b
        .post(
            &h,
            "/registry/register/details",
            &[
                ("csrf", &p.csrf()),
                ("name", "MUDr. Petr Svoboda"),
                ("email", "petr@nemocnice.example"),
                ("pin", PIN),
                ("pin2", PIN),
                ("channel", "sms"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let m = mails(&h).await;
    assert_eq!(m.len(), 1);
    let username = username_in(&m[0].1);
    let (_, p) = sign_in(&h, &username, PIN).await;
    assert_eq!(p.location(), "/registry/login/code");
    assert_eq!(deliver(&h).await.len(), 1);
    assert!(h
        .app
        .store
        .audit_events(100)
        .await
        .unwrap()
        .iter()
        .any(|(e, _)| e == "registry.certificate_verified"));
    h.finish().await;
}

/// Without configured authorities the certificate path is not offered.
#[tokio::test]
async fn certificate_registration_is_off_without_authorities() {
    let h = Harness::new(Backend::Sqlite).await;
    let mut b = Browser::default();
    let p = b.get(&h, "/registry/register").await;
    assert!(!p.body.contains("/registry/register/certificate"));
    let p = b.get(&h, "/registry/register/certificate").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    h.finish().await;
}

/// SECURITY.md 22: a registry user lists their sessions and ends another one (CSRF-checked,
/// audited); the page is private.
#[tokio::test]
async fn registry_users_list_and_end_their_other_sessions() {
    use common::registry::{registered_user, sign_in};
    let h = Harness::new(Backend::Sqlite).await;
    let (username, mut b) = registered_user(&h, BN, PHONE, "jana@nemocnice.example").await;
    let mut other = sign_in(&h, &username, PHONE).await;
    let p = b.get(&h, "/registry/sessions").await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.headers["cache-control"], "no-store");
    assert_eq!(p.body.matches("name=\"handle\"").count(), 1, "{}", p.body);
    assert!(p.body.contains("Toto přihlášení") || p.body.contains("<strong>"));
    let i = p.body.find("name=\"handle\" value=\"").unwrap() + 21;
    let handle = p.body[i..i + 16].to_string();
    let refused = b
        .post(
            &h,
            "/registry/sessions/end",
            &[("csrf", ""), ("handle", &handle)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let unknown = b
        .post(
            &h,
            "/registry/sessions/end",
            &[("csrf", &p.csrf()), ("handle", "0000000000000000")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let ended = b
        .post(
            &h,
            "/registry/sessions/end",
            &[("csrf", &p.csrf()), ("handle", &handle)],
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
    assert_eq!(ended.body.matches("name=\"handle\"").count(), 0);
    assert_eq!(
        other.get(&h, "/registry/account").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(b.get(&h, "/registry/account").await.status, StatusCode::OK);
    assert!(h
        .app
        .store
        .audit_events(100)
        .await
        .unwrap()
        .iter()
        .any(|(e, _)| e == "registry.session_ended"));
    h.finish().await;
}

/// Issue #21 part 5: the registry's pages carry the registry's own header, the code page names
/// the channel the user chose (never "the phone recorded at your vaccination"), and an empty
/// login form says what is missing.
#[tokio::test]
async fn registry_pages_speak_for_the_registry() {
    let h = Harness::new(Backend::Sqlite).await;
    let mut b = Browser::default();
    let p = b.get(&h, "/registry").await;
    assert!(p.body.contains("Registr zdravotníků"), "{}", p.body);
    assert!(!p.body.contains("Certifikát COVID-19"), "{}", p.body);
    assert!(p.body.contains("<a class=\"brand\" href=\"/registry\">"));
    // Empty fields are missing, not wrong.
    let id = captcha_id(&p);
    let empty = b
        .post(
            &h,
            "/registry/login",
            &[
                ("csrf", &p.csrf()),
                ("username", ""),
                ("pin", ""),
                ("captcha_id", &id),
            ],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.body.contains("Vyplňte uživatelské jméno."),
        "{}",
        empty.body
    );
    assert!(!empty.body.contains("nesouhlasí"), "{}", empty.body);
    let done = register(&h, BN, PHONE, "jana@nemocnice.example", PIN).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let username = username_in(&mails(&h).await[0].1);
    let (mut b, p) = sign_in(&h, &username, PIN).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let code = b.get(&h, "/registry/login/code").await;
    assert!(code.body.contains("Registr zdravotníků"), "{}", code.body);
    assert!(
        code.body.contains("který jste si zvolili při registraci"),
        "{}",
        code.body
    );
    assert!(!code.body.contains("očkování"), "{}", code.body);
    h.finish().await;
}
