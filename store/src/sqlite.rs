//! SQLite: the embedded default, one file in the data directory. Claims take a lease in one
//! UPDATE; SQLite's single writer makes the UPDATE atomic.

use std::path::Path;
use std::str::FromStr as _;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::StoreError;

/// SQLite storage.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: sqlx::SqlitePool,
    /// Seals and opens outbox messages (SECURITY.md 46).
    outbox_key: std::sync::Arc<crate::seal::SealingKey>,
}

impl SqliteStore {
    const BACKEND: &'static str = "sqlite";

    /// Opens (creating it if missing) the database file and runs the migrations; outbox
    /// messages are sealed under `outbox_key`.
    pub async fn open(
        path: &Path,
        outbox_key: std::sync::Arc<crate::seal::SealingKey>,
    ) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts)
            .await?;
        // Two processes opening a new database at once (`dcc serve` starting while `dcc admin
        // dev seed` runs) would both run the first migration and one would fail: an advisory
        // lock on a file beside the database makes the second wait, then find it migrated.
        let lock_path = {
            let mut p = path.as_os_str().to_owned();
            p.push(".migrate-lock");
            std::path::PathBuf::from(p)
        };
        let lock = tokio::task::spawn_blocking(move || {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock_path)?;
            file.lock()?;
            Ok::<_, std::io::Error>(file)
        })
        .await
        .map_err(std::io::Error::other)
        .and_then(|r| r)
        .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        let migrated = sqlx::migrate!("migrations/sqlite").run(&pool).await;
        drop(lock);
        migrated?;
        Ok(SqliteStore { pool, outbox_key })
    }
}

const CLAIM: &str =
    "UPDATE outbox SET lease_until = $1, lease_token = $2, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $3 \
     AND (lease_until IS NULL OR lease_until < $3) ORDER BY id LIMIT $4) \
     RETURNING id, channel, recipient, subject, body, attachment_name, attachment_mime, \
     attachment, sealed, attempts";

/// A signer's state, read inside the transaction that stores a certificate (SQLite runs one
/// writer at a time: a withdrawal commits before or after it).
const SIGNER_STATE: &str = "SELECT state FROM signer_certificates WHERE kid = $1";

super::sql::sql_store!(SqliteStore, sqlx::Sqlite, CLAIM);
super::portal::portal_store!(SqliteStore);
super::registry::registry_store!(SqliteStore);
super::session::session_store!(SqliteStore);
super::permissions::permission_store!(SqliteStore);
super::questions::question_store!(SqliteStore);
super::limits::limit_store!(SqliteStore);
super::signers::signer_store!(SqliteStore);
