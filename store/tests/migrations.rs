//! The two migration folders describe one schema: the same migrations by version and name, and
//! after running them, the same tables with the same columns on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;

use secrecy::SecretString;
use sqlx::{Connection as _, Row as _};

mod common;
use common::{key, with_postgres};

/// `0001_init.sql`-style names of one folder, sorted.
fn migration_names(backend: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn both_folders_hold_the_same_migrations() {
    let sqlite = migration_names("sqlite");
    let postgres = migration_names("postgres");
    assert!(sqlite.len() >= 13, "{sqlite:?}");
    assert_eq!(sqlite, postgres);
}

async fn sqlite_columns() -> BTreeSet<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.db");
    let url = format!("sqlite:{}", path.display());
    store::open(&SecretString::from(url.clone()), key())
        .await
        .expect("migrate SQLite");
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query(
        "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get("t"), r.get("c")))
    .collect()
}

async fn postgres_columns() -> BTreeSet<(String, String)> {
    let result = with_postgres("dcc_schema", |url| async move {
        let opened = store::open(&SecretString::from(url.clone()), key()).await;
        opened.map_err(|e| e.to_string())?;
        let mut db = sqlx::PgConnection::connect(&url)
            .await
            .map_err(|e| e.to_string())?;
        let rows = sqlx::query(
            "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name NOT LIKE '\\_sqlx%'",
        )
        .fetch_all(&mut db)
        .await
        .map_err(|e| e.to_string())?;
        db.close().await.ok();
        Ok::<BTreeSet<(String, String)>, String>(
            rows.iter().map(|r| (r.get("t"), r.get("c"))).collect(),
        )
    })
    .await;
    result.expect("migrate PostgreSQL and read its columns")
}

#[tokio::test]
async fn both_backends_end_with_the_same_tables_and_columns() {
    let sqlite = sqlite_columns().await;
    let postgres = postgres_columns().await;
    let tables: BTreeSet<&str> = sqlite.iter().map(|(t, _)| t.as_str()).collect();
    assert!(
        tables.contains("outbox") && tables.contains("audit_log"),
        "{tables:?}"
    );
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only in SQLite: {only_sqlite:?}; only in PostgreSQL: {only_postgres:?}"
    );
}

/// The rows an installation had before migration 0015 (signing identities), written with plain
/// SQL: an organisation, a person, a record, its certificate, an e-mail about it and a signer.
const BEFORE_0015: &[&str] = &[
    "INSERT INTO organisations (ico, name, created_at) VALUES ('25596641', 'N', 1)",
    "INSERT INTO persons (id, bn_index, family_name, given_name, dob, identified, created_at, \
     updated_at) VALUES ('p1', 'bn', 'F', 'G', '1970-01-01', true, 1, 1)",
    "INSERT INTO records (id, person_id, org_id, kind, entry, created_at) \
     VALUES ('r1', 'p1', 1, 't', '{}', 1)",
    "INSERT INTO certificates (id, record_id, person_id, kind, uvci, hc1, issued_at, expires_at) \
     VALUES ('c1', 'r1', 'p1', 't', 'URN:UVCI:01:CZ:X#1', 'HC1:x', 1, 100)",
    "INSERT INTO outbox (channel, recipient, subject, body, certificate_id, status, attempts, \
     next_attempt_at, created_at) VALUES ('email', 'a@example.org', '', '', 'c1', 'sent', 1, 1, 1)",
    "INSERT INTO signer_certificates (kid, der, first_seen) VALUES ('kid-one!', 'der', 1)",
    "INSERT INTO revocation_entries (certificate_id, kid, hash_type, hash, expires_at) \
     VALUES ('c1', 'kid-one!', 'UCI', 'h', 100)",
];

/// After 0015 on the same rows: everything kept (the SQLite certificates table is rebuilt, the
/// outbox still references its row), the old signer an active identity without a key, and a
/// re-issue's second certificate for the record and UVCI fits once the first is superseded.
const AFTER_0015: &[(&str, &str)] = &[
    (
        "SELECT COUNT(*) AS n FROM certificates WHERE id = 'c1' AND signer_kid IS NULL \
      AND replaces IS NULL",
        "1",
    ),
    (
        "SELECT COUNT(*) AS n FROM outbox o JOIN certificates c ON c.id = o.certificate_id",
        "1",
    ),
    (
        "SELECT COUNT(*) AS n FROM signer_certificates WHERE state = 'active' AND key_ref IS NULL \
      AND types = 'vtr' AND activated_at = 1",
        "1",
    ),
    (
        "SELECT COUNT(*) AS n FROM revocation_entries r JOIN certificates c \
         ON c.id = r.certificate_id WHERE r.kid = 'kid-one!'",
        "1",
    ),
];

/// Migrates the database at `url` (as sqlx connects to it: `conn_url`) to 0014, writes the rows,
/// lets the store migrate the rest and checks them.
async fn upgrade_keeps_rows<C>(url: &str, conn_url: &str, folder: &str)
where
    C: sqlx::Connection,
    for<'c> &'c mut C: sqlx::Executor<'c, Database = <C as sqlx::Connection>::Database>,
    <C as sqlx::Connection>::Database: sqlx::migrate::MigrateDatabase,
    C: sqlx::migrate::Migrate,
    i64: sqlx::Type<<C as sqlx::Connection>::Database>
        + for<'r> sqlx::Decode<'r, <C as sqlx::Connection>::Database>,
    for<'a> &'a str: sqlx::ColumnIndex<<<C as sqlx::Connection>::Database as sqlx::Database>::Row>,
    for<'q> <<C as sqlx::Connection>::Database as sqlx::Database>::Arguments<'q>:
        sqlx::IntoArguments<'q, <C as sqlx::Connection>::Database>,
{
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder);
    let mut migrator = sqlx::migrate::Migrator::new(dir).await.unwrap();
    let before: Vec<_> = migrator
        .migrations
        .iter()
        .filter(|m| m.version < 15)
        .cloned()
        .collect();
    migrator.migrations = before.into();
    let mut conn = C::connect(conn_url).await.unwrap();
    migrator.run_direct(&mut conn).await.unwrap();
    for sql in BEFORE_0015 {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();
    // The store runs the rest.
    store::open(&SecretString::from(url.to_string()), key())
        .await
        .expect("migrate to the latest");
    let mut conn = C::connect(conn_url).await.unwrap();
    for (sql, want) in AFTER_0015 {
        let n: i64 = sqlx::query(sql)
            .fetch_one(&mut conn)
            .await
            .unwrap()
            .get("n");
        assert_eq!(n.to_string(), *want, "{sql}");
    }
    // Record and UVCI are unique among current certificates only.
    let second = "INSERT INTO certificates (id, record_id, person_id, kind, uvci, hc1, \
                  issued_at, expires_at, replaces) VALUES ('c2', 'r1', 'p1', 't', \
                  'URN:UVCI:01:CZ:X#1', 'HC1:y', 2, 100, 'c1')";
    assert!(
        sqlx::query(second).execute(&mut conn).await.is_err(),
        "c1 is current"
    );
    sqlx::query("UPDATE certificates SET superseded_at = 2 WHERE id = 'c1'")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query(second).execute(&mut conn).await.unwrap();
    // One UCI hash under two kids (the certificate and its re-issue).
    sqlx::query(
        "INSERT INTO revocation_entries (certificate_id, kid, hash_type, hash, expires_at) \
         VALUES ('c2', 'kid-two!', 'UCI', 'h', 100)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
}

#[tokio::test]
async fn sqlite_upgrade_to_signing_identities_keeps_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("old.db").display());
    let conn_url = format!("{url}?mode=rwc");
    upgrade_keeps_rows::<sqlx::SqliteConnection>(&url, &conn_url, "sqlite").await;
    // Every reference still points at a row.
    let mut conn = sqlx::SqliteConnection::connect(&conn_url).await.unwrap();
    let broken = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert!(broken.is_empty(), "{} broken references", broken.len());
}

#[tokio::test]
async fn postgres_upgrade_to_signing_identities_keeps_every_row() {
    with_postgres("dcc_upgrade", |url| async move {
        upgrade_keeps_rows::<sqlx::PgConnection>(&url, &url, "postgres").await;
    })
    .await;
}

/// The rows before migration 0017 (NIA link): a registry user and a pending NIA request.
const BEFORE_0017: &[&str] = &[
    "INSERT INTO registry_users (id, username, bn_index, display_name, phone, email, pin_hash, \
     created_at, pin_changed_at) VALUES ('u1', 'AAAAAAAA', 'bn-1', 'N', '+420601555777', \
     'a@example.org', 'h', 1, 1)",
    "INSERT INTO oidc_flows (cookie_sha256, state, nonce, pkce_verifier, created_at, expires_at, \
     purpose) VALUES ('c1', 's', 'n', 'v', 1, 601, 'registry')",
];

/// After 0017 on the same rows: the user has no linked identity, the pending request is kept
/// without a user; a `link` request needs its user (and only it has one), and one NIA identity
/// is linked to one account at most.
async fn upgrade_to_nia_link_keeps_rows<C>(url: &str, conn_url: &str, folder: &str)
where
    C: sqlx::Connection,
    for<'c> &'c mut C: sqlx::Executor<'c, Database = <C as sqlx::Connection>::Database>,
    <C as sqlx::Connection>::Database: sqlx::migrate::MigrateDatabase,
    C: sqlx::migrate::Migrate,
    i64: sqlx::Type<<C as sqlx::Connection>::Database>
        + for<'r> sqlx::Decode<'r, <C as sqlx::Connection>::Database>,
    for<'a> &'a str: sqlx::ColumnIndex<<<C as sqlx::Connection>::Database as sqlx::Database>::Row>,
    for<'q> <<C as sqlx::Connection>::Database as sqlx::Database>::Arguments<'q>:
        sqlx::IntoArguments<'q, <C as sqlx::Connection>::Database>,
{
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder);
    let mut migrator = sqlx::migrate::Migrator::new(dir).await.unwrap();
    let before: Vec<_> = migrator
        .migrations
        .iter()
        .filter(|m| m.version < 17)
        .cloned()
        .collect();
    migrator.migrations = before.into();
    let mut conn = C::connect(conn_url).await.unwrap();
    migrator.run_direct(&mut conn).await.unwrap();
    for sql in BEFORE_0017 {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();
    store::open(&SecretString::from(url.to_string()), key())
        .await
        .expect("migrate to the latest");
    let mut conn = C::connect(conn_url).await.unwrap();
    for (sql, want) in [
        (
            "SELECT COUNT(*) AS n FROM registry_users WHERE id = 'u1' AND nia_index IS NULL",
            1,
        ),
        (
            "SELECT COUNT(*) AS n FROM oidc_flows WHERE purpose = 'registry' \
             AND user_id IS NULL AND expires_at = 601",
            1,
        ),
    ] {
        let n: i64 = sqlx::query(sql)
            .fetch_one(&mut conn)
            .await
            .unwrap()
            .get("n");
        assert_eq!(n, want, "{sql}");
    }
    let flow = |cookie: &str, purpose: &str, user: &str| {
        format!(
            "INSERT INTO oidc_flows (cookie_sha256, state, nonce, pkce_verifier, created_at, \
             expires_at, purpose, user_id) VALUES ('{cookie}', 's', 'n', 'v', 1, 601, \
             '{purpose}', {user})"
        )
    };
    for bad in [
        flow("c2", "link", "NULL"),
        flow("c3", "registry", "'u1'"),
        flow("c4", "other", "NULL"),
    ] {
        assert!(sqlx::query(&bad).execute(&mut conn).await.is_err(), "{bad}");
    }
    sqlx::query(&flow("c5", "link", "'u1'"))
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO registry_users (id, username, bn_index, display_name, phone, email, \
         pin_hash, created_at, pin_changed_at) VALUES ('u2', 'BBBBBBBB', 'bn-2', 'N', \
         '+420601555778', 'b@example.org', 'h', 1, 1)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query("UPDATE registry_users SET nia_index = 'bn-9' WHERE id = 'u1'")
        .execute(&mut conn)
        .await
        .unwrap();
    assert!(
        sqlx::query("UPDATE registry_users SET nia_index = 'bn-9' WHERE id = 'u2'")
            .execute(&mut conn)
            .await
            .is_err(),
        "one account per NIA identity"
    );
    conn.close().await.unwrap();
}

#[tokio::test]
async fn sqlite_upgrade_to_nia_link_keeps_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("old.db").display());
    let conn_url = format!("{url}?mode=rwc");
    upgrade_to_nia_link_keeps_rows::<sqlx::SqliteConnection>(&url, &conn_url, "sqlite").await;
}

#[tokio::test]
async fn postgres_upgrade_to_nia_link_keeps_every_row() {
    with_postgres("dcc_upgrade_nia", |url| async move {
        upgrade_to_nia_link_keeps_rows::<sqlx::PgConnection>(&url, &url, "postgres").await;
    })
    .await;
}
