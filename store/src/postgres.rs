//! PostgreSQL: several `dcc serve` instances share one database. Outbox claims lock their rows
//! with `FOR UPDATE SKIP LOCKED`, so two instances never claim the same message.

use sqlx::postgres::PgPoolOptions;

use super::StoreError;

/// PostgreSQL storage.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: sqlx::PgPool,
    /// Seals and opens outbox messages (SECURITY.md 46).
    outbox_key: std::sync::Arc<crate::seal::SealingKey>,
}

impl PgStore {
    const BACKEND: &'static str = "postgres";

    /// Connects and runs the migrations (sqlx takes an advisory lock, so concurrent starts are
    /// safe); outbox messages are sealed under `outbox_key`.
    pub async fn connect(
        url: &str,
        outbox_key: std::sync::Arc<crate::seal::SealingKey>,
    ) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect(url)
            .await
            .map_err(StoreError::Connect)?;
        sqlx::migrate!("migrations/postgres").run(&pool).await?;
        Ok(PgStore { pool, outbox_key })
    }
}

const CLAIM: &str =
    "UPDATE outbox SET lease_until = $1, lease_token = $2, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $3 \
     AND (lease_until IS NULL OR lease_until < $3) ORDER BY id LIMIT $4 \
     FOR UPDATE SKIP LOCKED) \
     RETURNING id, channel, recipient, subject, body, attachment_name, attachment_mime, \
     attachment, sealed, attempts";

/// A signer's state, read inside the transaction that stores a certificate; the share lock
/// makes a concurrent withdrawal wait for the certificate's commit (and the issuance see it).
const SIGNER_STATE: &str = "SELECT state FROM signer_certificates WHERE kid = $1 FOR SHARE";

super::sql::sql_store!(PgStore, sqlx::Postgres, CLAIM);
super::portal::portal_store!(PgStore);
super::registry::registry_store!(PgStore);
super::session::session_store!(PgStore);
super::permissions::permission_store!(PgStore);
super::questions::question_store!(PgStore);
super::limits::limit_store!(PgStore);
super::signers::signer_store!(PgStore);
