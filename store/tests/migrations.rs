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
