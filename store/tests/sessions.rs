//! Citizen and registry sessions through the one `SessionStore`, on SQLite and PostgreSQL: the
//! kind picks the table, the kinds never see each other's rows (even for an equal owner id),
//! and rows written straight into the tables, as before the shared statements, still load.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use secrecy::SecretString;
use sqlx::Connection as _;
use store::{AuditEvent, SessionKind, Store};

mod common;
use common::{key, with_postgres};

const OWNER: &str = "same-id";

/// A person and a registry user with the same id, and a registry session written by the
/// statement the registry used before sessions were shared. `<hex>` marks a byte string, written
/// as each backend spells one.
const SEED: [&str; 3] = [
    "INSERT INTO persons (id, bn_index, family_name, given_name, dob, identified, created_at, \
     updated_at) VALUES ('same-id', <626e>, 'F', 'G', '1980-01-01', TRUE, 0, 0)",
    "INSERT INTO registry_users (id, username, bn_index, display_name, phone, email, pin_hash, \
     created_at, pin_changed_at) VALUES ('same-id', 'ABCDEFGH', <626e>, 'D', '+420', 'e@x', 'h', 0, 0)",
    "INSERT INTO registry_sessions (id_sha256, user_id, created_at, last_seen_at, expires_at, \
     otp_verified_at) VALUES (<6c6567616379>, 'same-id', 50, 60, 1000, 55)",
];

/// `SEED` with each `<hex>` as `open hex close`.
fn seed(open: &str, close: &str) -> Vec<String> {
    SEED.iter()
        .map(|sql| sql.replace('<', open).replace('>', close))
        .collect()
}

fn login() -> AuditEvent {
    AuditEvent {
        event: "login.succeeded".into(),
        org_id: None,
        subject: None,
        detail: serde_json::json!({}),
    }
}

async fn exercise(store: &dyn Store) {
    use SessionKind::{Citizen, Registry};
    let legacy = b"legacy".as_slice();
    let old = store
        .session(Registry, legacy)
        .await
        .unwrap()
        .expect("legacy row loads");
    assert_eq!(
        (
            old.owner_id.as_str(),
            old.created_at,
            old.last_seen_at,
            old.expires_at,
            old.otp_verified_at
        ),
        (OWNER, 50, 60, 1000, 55)
    );

    let (c, r) = ([1u8; 32], [2u8; 32]);
    store
        .session_create(Citizen, &c, OWNER, 100, 1000, &login())
        .await
        .unwrap();
    store
        .session_create(Registry, &r, OWNER, 100, 1000, &login())
        .await
        .unwrap();
    assert!(store.session(Citizen, &r).await.unwrap().is_none());
    assert!(store.session(Registry, &c).await.unwrap().is_none());
    let row = store.session(Citizen, &c).await.unwrap().unwrap();
    assert_eq!(
        (row.created_at, row.last_seen_at, row.otp_verified_at),
        (100, 100, 100)
    );

    store.session_touch(Registry, &r, 150, None).await.unwrap();
    let row = store.session(Registry, &r).await.unwrap().unwrap();
    assert_eq!((row.last_seen_at, row.otp_verified_at), (150, 100));
    store
        .session_touch(Registry, &r, 160, Some(160))
        .await
        .unwrap();
    let row = store.session(Registry, &r).await.unwrap().unwrap();
    assert_eq!((row.last_seen_at, row.otp_verified_at), (160, 160));
    assert_eq!(
        store
            .session(Citizen, &c)
            .await
            .unwrap()
            .unwrap()
            .last_seen_at,
        100
    );

    let listed = |v: Vec<store::session::SessionListed>| {
        v.into_iter().map(|s| s.id_sha256).collect::<Vec<_>>()
    };
    assert_eq!(
        listed(store.sessions_of(Citizen, OWNER).await.unwrap()),
        [c.to_vec()]
    );
    assert_eq!(
        listed(store.sessions_of(Registry, OWNER).await.unwrap()),
        [r.to_vec(), legacy.to_vec()],
        "newest activity first"
    );

    assert_eq!(store.sessions_end_all(Registry, OWNER).await.unwrap(), 2);
    assert!(store.sessions_of(Registry, OWNER).await.unwrap().is_empty());
    assert!(store.session(Citizen, &c).await.unwrap().is_some());

    store
        .session_create(Registry, &r, OWNER, 100, 500, &login())
        .await
        .unwrap();
    store.purge(0, 999).await.unwrap();
    assert!(
        store.session(Registry, &r).await.unwrap().is_none(),
        "past its end"
    );
    assert!(
        store.session(Citizen, &c).await.unwrap().is_some(),
        "still inside its end"
    );
    store.session_end(Citizen, &c).await.unwrap();
    assert!(store.session(Citizen, &c).await.unwrap().is_none());
}

#[tokio::test]
async fn sessions_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("s.db").display());
    let store = store::open(&SecretString::from(url.clone()), key())
        .await
        .unwrap();
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    for sql in seed("X'", "'") {
        sqlx::query(&sql).execute(&mut conn).await.unwrap();
    }
    exercise(store.as_ref()).await;
}

#[tokio::test]
async fn sessions_on_postgres() {
    with_postgres("dcc_sessions", |url| async move {
        let store = store::open(&SecretString::from(url.clone()), key())
            .await
            .unwrap();
        let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
        for sql in seed("'\\x", "'::bytea") {
            sqlx::query(&sql).execute(&mut db).await.unwrap();
        }
        db.close().await.ok();
        exercise(store.as_ref()).await;
    })
    .await;
}
