//! Registry users change their own phone and e-mail (issue #21 part 6, SECURITY.md 23, 24, 45):
//! a step-up code to the current channel entered at most 5 minutes before, then a code to the
//! new contact (10 minutes); until it is entered codes keep going to the old contact, which is
//! told of the change. On a real SQLite file and a real PostgreSQL database, with a fixed clock
//! and captured SMS/e-mail.

use crate::common;

use axum::http::StatusCode;
use common::registry::{mails, registered_user, sign_in, user_id};
use common::web::{code_of, deliver, Browser};
use common::{Backend, Harness};

const BN: &str = "700101/1006";
const PHONE: &str = "+420601000201";
const EMAIL: &str = "jana@a.example";
const NEW_PHONE: &str = "+420602000202";
const NEW_EMAIL: &str = "jana.nova@b.example";

/// The details of the audit events of a type.
async fn audit_details(h: &Harness, event: &str) -> Vec<String> {
    common::audit_column(h, "detail", event)
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// The one SMS delivered since the last call, to `to`.
async fn one_sms_to(h: &Harness, to: &str) -> String {
    let sms = deliver(h).await;
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert_eq!(sms[0].0, to, "{sms:?}");
    sms[0].1.clone()
}

/// Step-up through the pages: a code to the current phone, entered; the page then offers the
/// change forms.
async fn step_up(h: &Harness, b: &mut Browser, phone: &str) -> String {
    let csrf = b.get(h, "/registry/account/contact").await.csrf();
    let p = b
        .post(h, "/registry/account/step-up", &[("csrf", &csrf)])
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("na Váš současný telefon"), "{}", p.body);
    let code = code_of(&one_sms_to(h, phone).await);
    let p = b
        .post(
            h,
            "/registry/account/step-up/confirm",
            &[("csrf", &csrf), ("code", &code)],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("name=\"value\""), "{}", p.body);
    csrf
}

/// SECURITY.md 23: the phone change of a registry user, with its attacks.
async fn registry_user_changes_the_phone(backend: Backend) {
    let h = Harness::new(backend).await;
    let (username, mut b) = registered_user(&h, BN, PHONE, EMAIL).await;
    let id = user_id(&h, &username).await;
    mails(&h).await;

    // The account page links the contact page, which shows the contacts masked.
    let p = b.get(&h, "/registry/account").await;
    assert!(
        p.body.contains("href=\"/registry/account/contact\""),
        "{}",
        p.body
    );
    let p = b.get(&h, "/registry/account/contact").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(!p.body.contains(PHONE) && !p.body.contains(EMAIL), "masked");
    assert!(p.body.contains("href=\"/registry/account\""), "{}", p.body);

    // No fresh code (the login's is 5 min 1 s old): refused, nothing sent.
    h.clock.advance(time::Duration::seconds(301));
    let p = b.get(&h, "/registry/account/contact").await;
    assert!(
        p.body.contains("action=\"/registry/account/step-up\""),
        "{}",
        p.body
    );
    let csrf = p.csrf();
    let p = b
        .post(
            &h,
            "/registry/account/contact",
            &[("csrf", &csrf), ("field", "phone"), ("value", NEW_PHONE)],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(p.headers["x-dcc-error"], "step_up_required");
    assert!(deliver(&h).await.is_empty());
    // CSRF as on the other registry forms: another token, or a cross-site post → 403.
    let p = b
        .post(&h, "/registry/account/step-up", &[("csrf", "x")])
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let mut cross = b.clone();
    cross.cross_site = true;
    let p = cross
        .post(&h, "/registry/account/step-up", &[("csrf", &csrf)])
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(deliver(&h).await.is_empty());
    // A citizen's contact page is not the registry user's.
    assert_eq!(
        b.get(&h, "/me/contact").await.status,
        StatusCode::UNAUTHORIZED
    );

    // A wrong step-up code → 422, still not fresh.
    let p = b
        .post(&h, "/registry/account/step-up", &[("csrf", &csrf)])
        .await;
    assert_eq!(p.status, StatusCode::OK);
    let right = code_of(&one_sms_to(&h, PHONE).await);
    let wrong = if right == "000000" {
        "000001"
    } else {
        "000000"
    };
    let p = b
        .post(
            &h,
            "/registry/account/step-up/confirm",
            &[("csrf", &csrf), ("code", wrong)],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    h.clock.advance(time::Duration::seconds(61));

    // Step-up, then the new phone: its code goes to the new number, valid 10 minutes.
    let csrf = step_up(&h, &mut b, PHONE).await;
    let p = b
        .post(
            &h,
            "/registry/account/contact",
            &[("csrf", &csrf), ("field", "phone"), ("value", NEW_PHONE)],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Platí 10 minut"), "{}", p.body);
    let sms = one_sms_to(&h, NEW_PHONE).await;
    assert!(sms.contains("platí 10 min."), "{sms}");
    let first_code = code_of(&sms);

    // Until it is entered the old number stays: a login texts the old phone.
    let _other = sign_in(&h, &username, PHONE).await;
    let stored = h.app.store.user(&id).await.unwrap().unwrap();
    assert_eq!(stored.phone, PHONE);

    // A wrong code for the new number → 422; an expired right one (10 min 1 s) → 422.
    let wrong = if first_code == "000000" {
        "000001"
    } else {
        "000000"
    };
    let confirm = |code: &str| {
        [
            ("csrf", csrf.clone()),
            ("field", "phone".to_string()),
            ("code", code.to_string()),
        ]
    };
    let form = confirm(wrong);
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = b
        .post(&h, "/registry/account/contact/confirm", &fields)
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    h.clock.advance(time::Duration::seconds(601));
    let form = confirm(&first_code);
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = b
        .post(&h, "/registry/account/contact/confirm", &fields)
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "expired");
    assert_eq!(h.app.store.user(&id).await.unwrap().unwrap().phone, PHONE);
    assert!(deliver(&h).await.is_empty(), "no notice before a change");

    // Again from the step-up (the last one is older than 5 minutes); now the right code.
    let csrf = step_up(&h, &mut b, PHONE).await;
    let p = b
        .post(
            &h,
            "/registry/account/contact",
            &[("csrf", &csrf), ("field", "phone"), ("value", NEW_PHONE)],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let code = code_of(&one_sms_to(&h, NEW_PHONE).await);
    let fields = [("csrf", csrf.as_str()), ("field", "phone"), ("code", &code)];
    let p = b
        .post(&h, "/registry/account/contact/confirm", &fields)
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/registry/account/contact?changed=1");
    let p = b.get(&h, "/registry/account/contact?changed=1").await;
    assert!(p.body.contains("Kontakt byl změněn"), "{}", p.body);
    assert_eq!(
        h.app.store.user(&id).await.unwrap().unwrap().phone,
        NEW_PHONE
    );
    // The old number is told (no new number in the text); the change is audited by field only.
    let notice = one_sms_to(&h, PHONE).await;
    assert!(
        notice.starts_with("Certifikát COVID-19: Vaše telefonní číslo v portálu bylo změněno"),
        "{notice}"
    );
    assert!(!notice.contains(&NEW_PHONE[4..]), "{notice}");
    let details = audit_details(&h, "registry.contact_changed").await;
    assert_eq!(details, vec![r#"{"field":"phone"}"#.to_string()]);
    for event in ["otp.sent", "otp.verified", "otp.failed"] {
        for d in audit_details(&h, event).await {
            assert!(
                !d.contains(&NEW_PHONE[4..]) && !d.contains(&PHONE[4..]),
                "{d}"
            );
        }
    }

    // The code is used: replaying it changes nothing and is refused.
    let p = b
        .post(&h, "/registry/account/contact/confirm", &fields)
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(deliver(&h).await.is_empty());
    assert_eq!(audit_details(&h, "registry.contact_changed").await.len(), 1);

    // From now on the login code goes to the new number.
    let _b = sign_in(&h, &username, NEW_PHONE).await;
    h.finish().await;
}
both!(registry_user_changes_the_phone);

/// The e-mail change: the code goes to the new address, the notice to the old one, the
/// registry's mails then go to the new address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_user_changes_the_e_mail() {
    let h = Harness::new(Backend::Sqlite).await;
    let (username, mut b) = registered_user(&h, BN, PHONE, EMAIL).await;
    let id = user_id(&h, &username).await;
    mails(&h).await;
    // Fresh from the login: no step-up needed within 5 minutes.
    let csrf = b.get(&h, "/registry/account/contact").await.csrf();
    let p = b
        .post(
            &h,
            "/registry/account/contact",
            &[
                ("csrf", &csrf),
                ("field", "email"),
                ("value", "not-an-address"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = b
        .post(
            &h,
            "/registry/account/contact",
            &[("csrf", &csrf), ("field", "email"), ("value", NEW_EMAIL)],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Zadejte kód z e-mailu"), "{}", p.body);
    let m = mails(&h).await;
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].0, NEW_EMAIL);
    let code = code_of(&m[0].1);
    let p = b
        .post(
            &h,
            "/registry/account/contact/confirm",
            &[("csrf", &csrf), ("field", "email"), ("code", &code)],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let user = h.app.store.user(&id).await.unwrap().unwrap();
    assert_eq!(
        (user.email.as_str(), user.phone.as_str()),
        (NEW_EMAIL, PHONE)
    );
    let m = mails(&h).await;
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].0, EMAIL);
    assert!(m[0].1.contains("e-mailová adresa v portálu byla změněna"));
    assert!(!m[0].1.contains(NEW_EMAIL));
    h.finish().await;
}
