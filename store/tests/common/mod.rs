//! What the store's test binaries share: the sealing key and a fresh PostgreSQL database per
//! test, dropped also when the test panics.

use std::future::Future;

use sqlx::Connection as _;
use store::seal::SealingKey;

const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub fn key() -> SealingKey {
    SealingKey::new(&[7; 32]).unwrap()
}

/// Runs `test` with the URL of a new database named `<prefix>_<uuid>` on the server of
/// `DCC_TEST_DATABASE_URL` (default: 127.0.0.1:5432), drops the database, then returns what the
/// test returned or raises its panic.
pub async fn with_postgres<T, F, Fut>(prefix: &str, test: F) -> T
where
    T: Send + 'static,
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let admin = std::env::var("DCC_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_PG.into());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| {
        panic!("PostgreSQL is not reachable at {admin} ({e}); start it or set DCC_TEST_DATABASE_URL")
    });
    let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let base = admin.split('?').next().unwrap();
    let (server, _) = base.rsplit_once('/').unwrap();
    let outcome = tokio::spawn(test(format!("{server}/{name}"))).await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .unwrap();
    match outcome {
        Ok(value) => value,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}
