//! Registered signer certificates on SQLite and PostgreSQL: ids ascend in the order of
//! registration, a second registration of a kid keeps the first row (id, DER, first seen), and
//! the ids survive closing and reopening the database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use secrecy::SecretString;
use store::{SignerCertificateRow, Store};

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
        .signer_register(b"kid-one!", b"der one", 100)
        .await
        .unwrap();
    let second = store
        .signer_register(b"kid-two!", b"der two", 200)
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
        .signer_register(b"kid-one!", b"other", 300)
        .await
        .unwrap();
    assert_eq!(again, first);
    let listed = store.signer_certificates().await.unwrap();
    assert_eq!(listed, vec![first.clone(), second.clone()]);
    drop(store);

    let reopened = open(&url).await;
    let third = reopened
        .signer_register(b"kid-3!!!", b"der three", 400)
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
