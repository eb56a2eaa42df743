//! Registered signer certificates on SQLite and PostgreSQL: ids ascend in the order of
//! registration, a second registration of a kid keeps the first row (id, DER, first seen), and
//! the ids survive closing and reopening the database. Signing identities move between states
//! only from the state named, each change audited and bumping the key version.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use secrecy::SecretString;
use store::signers::{SignerState, SignerWrite};
use store::{AuditEvent, SignerCertificateRow, Store};

mod common;
use common::{key, with_postgres};

async fn open(url: &str) -> std::sync::Arc<dyn Store> {
    store::open(&SecretString::from(url.to_string()), key())
        .await
        .expect("open the store")
}

fn summary(rows: &[SignerCertificateRow]) -> Vec<(i64, Vec<u8>, Vec<u8>, i64)> {
    rows.iter()
        .map(|r| (r.id, r.kid.clone(), r.der.clone(), r.first_seen))
        .collect()
}

/// Registers two certificates (one twice) on the database at `url`, reopens it and registers a
/// third: the ids stay those of the first registrations.
async fn exercise(url: String) {
    let store = open(&url).await;
    assert!(store.signer_certificates().await.unwrap().is_empty());
    let first = store
        .signer_register(b"kid-one!", b"der one", None, 100)
        .await
        .unwrap();
    let second = store
        .signer_register(b"kid-two!", b"der two", None, 200)
        .await
        .unwrap();
    assert!(first.id < second.id, "{first:?} {second:?}");
    assert_eq!(
        (first.kid.as_slice(), first.der.as_slice(), first.first_seen),
        (b"kid-one!".as_slice(), b"der one".as_slice(), 100)
    );
    // Registered again (a restart, or a second instance): the row on file, unchanged, even when
    // the caller brings other bytes under the kid; the caller compares.
    let again = store
        .signer_register(b"kid-one!", b"other", Some("file:/elsewhere"), 300)
        .await
        .unwrap();
    assert_eq!(again, first);
    let listed = store.signer_certificates().await.unwrap();
    assert_eq!(listed, vec![first.clone(), second.clone()]);
    drop(store);

    let reopened = open(&url).await;
    let third = reopened
        .signer_register(b"kid-3!!!", b"der three", None, 400)
        .await
        .unwrap();
    assert!(third.id > second.id);
    let after = reopened.signer_certificates().await.unwrap();
    assert_eq!(
        summary(&after),
        summary(&[first, second, third]),
        "ids, DER and first-seen times survive a restart"
    );
}

fn audit(event: &str) -> AuditEvent {
    AuditEvent {
        event: event.into(),
        org_id: None,
        subject: None,
        detail: serde_json::json!({}),
    }
}

/// The lifecycle on the database at `url`: the first registration with a key is an active
/// identity; an added one is pending; each transition needs its from-state, bumps the version
/// and writes its audit event; a withdrawn identity moves no more; a kid on file is refused.
async fn lifecycle(url: String) {
    let store = open(&url).await;
    let v0 = store.signer_version().await.unwrap();
    let dev = store
        .signer_register(b"dev-kid!", b"dev der", Some("file:/keys/dsc.key"), 10)
        .await
        .unwrap();
    assert_eq!(dev.state, SignerState::Active);
    assert_eq!(dev.activated_at, Some(10));
    assert_eq!(dev.key_ref.as_deref(), Some("file:/keys/dsc.key"));
    assert_eq!(dev.types, "vtr");
    let v1 = store.signer_version().await.unwrap();
    assert!(v1 > v0);
    // A restart registers it again: nothing changes, not even the version.
    store
        .signer_register(b"dev-kid!", b"dev der", Some("file:/keys/dsc.key"), 20)
        .await
        .unwrap();
    assert_eq!(store.signer_version().await.unwrap(), v1);

    let new = SignerWrite {
        kid: b"new-kid!".to_vec(),
        der: b"new der".to_vec(),
        key_ref: "pkcs11:token=t;object=k".into(),
        types: "v".into(),
    };
    let added = store
        .signer_add(&new, &audit("signer.added"), 30)
        .await
        .unwrap();
    assert_eq!(added.state, SignerState::Pending);
    assert_eq!(added.activated_at, None);
    let v2 = store.signer_version().await.unwrap();
    assert!(v2 > v1);
    assert!(matches!(
        store.signer_add(&new, &audit("signer.added"), 31).await,
        Err(store::StoreError::Conflict(store::Conflict::Signer))
    ));

    // Retiring needs an active identity: the pending one is refused, nothing changes.
    assert!(!store
        .signer_set_state(
            b"new-kid!",
            Some(SignerState::Active),
            SignerState::Retired,
            &audit("x"),
            40
        )
        .await
        .unwrap());
    assert_eq!(store.signer_version().await.unwrap(), v2);
    assert!(store
        .signer_set_state(
            b"new-kid!",
            Some(SignerState::Pending),
            SignerState::Active,
            &audit("signer.activated"),
            50
        )
        .await
        .unwrap());
    assert!(store
        .signer_set_state(
            b"dev-kid!",
            Some(SignerState::Active),
            SignerState::Retired,
            &audit("signer.retired"),
            60
        )
        .await
        .unwrap());
    assert!(store
        .signer_set_state(
            b"new-kid!",
            None,
            SignerState::Withdrawn,
            &audit("signer.withdrawn"),
            70
        )
        .await
        .unwrap());
    // Withdrawn is the end.
    assert!(!store
        .signer_set_state(b"new-kid!", None, SignerState::Active, &audit("x"), 80)
        .await
        .unwrap());
    let rows = store.signer_certificates().await.unwrap();
    let states: Vec<_> = rows
        .iter()
        .map(|r| (r.kid.clone(), r.state, r.activated_at, r.state_changed_at))
        .collect();
    assert_eq!(
        states,
        vec![
            (
                b"dev-kid!".to_vec(),
                SignerState::Retired,
                Some(10),
                Some(60)
            ),
            (
                b"new-kid!".to_vec(),
                SignerState::Withdrawn,
                Some(50),
                Some(70)
            ),
        ]
    );
    assert!(store.signer_version().await.unwrap() >= v2 + 3);
    let events: Vec<String> = store
        .audit_events(10)
        .await
        .unwrap()
        .into_iter()
        .map(|(e, _)| e)
        .collect();
    assert_eq!(
        events,
        [
            "signer.withdrawn",
            "signer.retired",
            "signer.activated",
            "signer.added"
        ],
        "one audit event per change, none for refusals"
    );
}

#[tokio::test]
async fn identities_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    lifecycle(format!("sqlite:{}", dir.path().join("ids.db").display())).await;
}

#[tokio::test]
async fn identities_postgres() {
    with_postgres("dcc_identities", lifecycle).await;
}

#[tokio::test]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("signers.db").display());
    exercise(url).await;
}

#[tokio::test]
async fn postgres() {
    with_postgres("dcc_signers", exercise).await;
}
