//! The signer certificates (DSC) this installation publishes, each under a numeric id that never
//! changes: the DGCA verifier API pages through them by id (`X-RESUME-TOKEN`), so a client that
//! resumes after a restart neither misses nor repeats one. Rows are only ever added; the states
//! of signing identities (pending, active, retired, withdrawn) will join them. The SQL is shared
//! by SQLite and PostgreSQL through [`signer_store`].

use async_trait::async_trait;

use super::StoreResult;

/// A registered signer certificate.
#[derive(Clone, PartialEq, Eq)]
pub struct SignerCertificateRow {
    /// The numeric id: ascending in the order of registration, never reused.
    pub id: i64,
    /// hcert spec: the first 8 bytes of SHA-256 over the DER.
    pub kid: Vec<u8>,
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// When this installation first published it, Unix seconds.
    pub first_seen: i64,
}

impl std::fmt::Debug for SignerCertificateRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignerCertificateRow")
            .field("id", &self.id)
            .field("kid", &hex::encode(&self.kid))
            .field("first_seen", &self.first_seen)
            .finish_non_exhaustive()
    }
}

/// Registered signer certificates.
#[async_trait]
pub trait SignerStore: Send + Sync {
    /// Registers a signer certificate unless one with its kid is on file (several instances may
    /// start at once: the unique kid makes the second insert a no-op), and returns the row on
    /// file, which the caller compares with `der` (a different certificate under the same kid).
    async fn signer_register(
        &self,
        kid: &[u8],
        der: &[u8],
        now: i64,
    ) -> StoreResult<SignerCertificateRow>;
    /// Every registered signer certificate, by id.
    async fn signer_certificates(&self) -> StoreResult<Vec<SignerCertificateRow>>;
}

/// Implements [`SignerStore`] for a store type whose `pool` is an sqlx pool, inside the module
/// where `sql_store!` was expanded (its `col`).
macro_rules! signer_store {
    ($store:ident) => {
        fn signer_of(row: &DbRow) -> StoreResult<super::signers::SignerCertificateRow> {
            Ok(super::signers::SignerCertificateRow {
                id: col(row, "id")?,
                kid: col(row, "kid")?,
                der: col(row, "der")?,
                first_seen: col(row, "first_seen")?,
            })
        }

        #[async_trait::async_trait]
        impl super::signers::SignerStore for $store {
            async fn signer_register(
                &self,
                kid: &[u8],
                der: &[u8],
                now: i64,
            ) -> StoreResult<super::signers::SignerCertificateRow> {
                sqlx::query(
                    "INSERT INTO signer_certificates (kid, der, first_seen) VALUES ($1, $2, $3) \
                     ON CONFLICT (kid) DO NOTHING",
                )
                .bind(kid)
                .bind(der)
                .bind(now)
                .execute(&self.pool)
                .await?;
                let row = sqlx::query(
                    "SELECT id, kid, der, first_seen FROM signer_certificates WHERE kid = $1",
                )
                .bind(kid)
                .fetch_one(&self.pool)
                .await?;
                signer_of(&row)
            }

            async fn signer_certificates(
                &self,
            ) -> StoreResult<Vec<super::signers::SignerCertificateRow>> {
                sqlx::query("SELECT id, kid, der, first_seen FROM signer_certificates ORDER BY id")
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(signer_of)
                    .collect()
            }
        }
    };
}

pub(super) use signer_store;
