//! Signing identities (DESIGN.md "Signing keys", issue #22): the signer certificates (DSC) this
//! installation publishes, each under a numeric id that never changes (the DGCA verifier API
//! pages through them by id, `X-RESUME-TOKEN`), and for those that sign here a key reference
//! (a file path or a PKCS#11 token and key label, never key bytes), the certificate types they
//! may sign and a state. Every change bumps one version number that running instances poll.
//! Certificates remember their signer's kid; a re-issue stores a new certificate for the same
//! record and UVCI that replaces the old one. The SQL is shared by SQLite and PostgreSQL through
//! [`signer_store`].

use async_trait::async_trait;

use super::{AuditEvent, CertificateRow, CertificateWrite, MessageWrite, StoreResult};

/// Where an identity is in its life (DESIGN.md "Signing keys").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SignerState {
    /// Published, not yet signing (offline apps fetch it during the lead time).
    Pending,
    /// Signing.
    Active,
    /// No longer signing, published until its last certificate has expired.
    Retired,
    /// Compromised or otherwise withdrawn: published nowhere.
    Withdrawn,
}

impl SignerState {
    /// Every state, in the order of a life.
    pub const ALL: [SignerState; 4] = [
        SignerState::Pending,
        SignerState::Active,
        SignerState::Retired,
        SignerState::Withdrawn,
    ];

    /// The stored word.
    pub fn key(self) -> &'static str {
        match self {
            SignerState::Pending => "pending",
            SignerState::Active => "active",
            SignerState::Retired => "retired",
            SignerState::Withdrawn => "withdrawn",
        }
    }

    /// Reads a stored word.
    pub fn from_key(key: &str) -> Option<SignerState> {
        SignerState::ALL.into_iter().find(|s| s.key() == key)
    }
}

impl std::fmt::Display for SignerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// A registered signer certificate and, when it signs here, its identity.
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
    /// Where its private key is (`file:PATH`, `pkcs11:token=T;object=K`); `None` for a
    /// certificate only published here.
    pub key_ref: Option<String>,
    /// The certificate types it may sign, as `v`, `t`, `r` letters.
    pub types: String,
    /// Its state.
    pub state: SignerState,
    /// When it last became active.
    pub activated_at: Option<i64>,
    /// When its state last changed.
    pub state_changed_at: Option<i64>,
    /// The latest expiry of a certificate it signed, if any.
    pub last_expiry: Option<i64>,
}

impl std::fmt::Debug for SignerCertificateRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignerCertificateRow")
            .field("id", &self.id)
            .field("kid", &hex::encode(&self.kid))
            .field("state", &self.state)
            .field("types", &self.types)
            .field("first_seen", &self.first_seen)
            .finish_non_exhaustive()
    }
}

/// A new identity, as `dcc admin keys add` registers it (pending).
#[derive(Debug, Clone)]
pub struct SignerWrite {
    /// The DSC's kid.
    pub kid: Vec<u8>,
    /// The DSC, DER.
    pub der: Vec<u8>,
    /// Where its key is.
    pub key_ref: String,
    /// The types it may sign, `v`, `t`, `r` letters.
    pub types: String,
}

/// A current certificate to sign anew (its signer was withdrawn).
#[derive(Debug, Clone)]
pub struct ReissueSource {
    /// The certificate.
    pub certificate: CertificateRow,
    /// Its record.
    pub record_id: String,
    /// Its holder.
    pub person_id: String,
}

/// Signing identities and the certificates they signed.
#[async_trait]
pub trait SignerStore: Send + Sync {
    /// Registers a signer certificate unless one with its kid is on file (several instances may
    /// start at once: the unique kid makes the second insert a no-op), as an active identity
    /// when `key_ref` is given; a row on file without a key reference gains `key_ref`. Returns
    /// the row on file, which the caller compares with `der` (a different certificate under
    /// the same kid).
    async fn signer_register(
        &self,
        kid: &[u8],
        der: &[u8],
        key_ref: Option<&str>,
        now: i64,
    ) -> StoreResult<SignerCertificateRow>;
    /// Adds a pending identity, audited in the same transaction; a kid on file is
    /// `Conflict(Signer)`.
    async fn signer_add(
        &self,
        s: &SignerWrite,
        audit: &AuditEvent,
        now: i64,
    ) -> StoreResult<SignerCertificateRow>;
    /// Moves an identity to `to` when its state is `from` (any but withdrawn when `None`),
    /// audited in the same transaction; false when no row was in that state.
    async fn signer_set_state(
        &self,
        kid: &[u8],
        from: Option<SignerState>,
        to: SignerState,
        audit: &AuditEvent,
        now: i64,
    ) -> StoreResult<bool>;
    /// Every registered signer certificate, by id.
    async fn signer_certificates(&self) -> StoreResult<Vec<SignerCertificateRow>>;
    /// The number every change of the identities bumps.
    async fn signer_version(&self) -> StoreResult<i64>;
    /// Certificates stored before their signer's kid was (at most `limit`): id and `HC1:`.
    async fn certificates_without_signer(&self, limit: i64) -> StoreResult<Vec<(String, String)>>;
    /// Records a certificate's signer kid (read from its HC1).
    async fn set_certificate_signer(&self, id: &str, kid: &[u8]) -> StoreResult<()>;
    /// Current (not superseded, not revoked) certificates signed by `kid` that have not expired
    /// at `now`, oldest first, at most `limit`.
    async fn certificates_signed_by(
        &self,
        kid: &[u8],
        now: i64,
        limit: i64,
    ) -> StoreResult<Vec<ReissueSource>>;
    /// Stores `new` for the record of `old` in place of it (`old` superseded, `new.replaces`
    /// it) with its e-mail and audit events, when `old` is still current and `new`'s signer is
    /// active: false when `old` was replaced, superseded or revoked meanwhile (a revocation
    /// committed after the re-issue read it is not undone).
    async fn reissue_certificate(
        &self,
        old: &ReissueSource,
        new: &CertificateWrite,
        message: Option<&MessageWrite>,
        audit: &[AuditEvent],
        now: i64,
    ) -> StoreResult<bool>;
    /// Every certificate under `uvci` (a re-issued one and those it replaced), oldest first.
    async fn certificates_with_uvci(&self, uvci: &str) -> StoreResult<Vec<CertificateRow>>;
    /// Records kept without a certificate because no identity was active for their type
    /// (their note begins with `note`, which holds no `%` or `_`), oldest first, at most
    /// `limit`: record id and person id.
    async fn records_awaiting_signer(
        &self,
        note: &str,
        limit: i64,
    ) -> StoreResult<Vec<(String, String)>>;
    /// Issues the certificate of a record kept for want of a signer (its note, beginning with
    /// `note`, is cleared), with its e-mail and audit events; false when another run issued it
    /// first. `record` is the record's id and its person's, as [`Self::records_awaiting_signer`]
    /// gives them.
    async fn issue_awaiting(
        &self,
        record: &(String, String),
        note: &str,
        c: &CertificateWrite,
        message: Option<&MessageWrite>,
        audit: &[AuditEvent],
        now: i64,
    ) -> StoreResult<bool>;
}

/// Implements [`SignerStore`] for a store type whose `pool` is an sqlx pool, inside the module
/// where `sql_store!` was expanded (its `col`, `insert_certificate`, `insert_outbox`,
/// `insert_audit`, and the backend's `SIGNER_STATE` query).
macro_rules! signer_store {
    ($store:ident) => {
        const SIGNER_COLUMNS: &str = "s.id, s.kid, s.der, s.first_seen, s.key_ref, s.types, \
             s.state, s.activated_at, s.state_changed_at, \
             (SELECT MAX(c.expires_at) FROM certificates c WHERE c.signer_kid = s.kid) \
             AS last_expiry";

        fn signer_of(row: &DbRow) -> StoreResult<super::signers::SignerCertificateRow> {
            let state: String = col(row, "state")?;
            Ok(super::signers::SignerCertificateRow {
                id: col(row, "id")?,
                kid: col(row, "kid")?,
                der: col(row, "der")?,
                first_seen: col(row, "first_seen")?,
                key_ref: col(row, "key_ref")?,
                types: col(row, "types")?,
                state: super::signers::SignerState::from_key(&state).ok_or_else(|| {
                    super::StoreError::Data(format!("signer state {state:?} is unknown"))
                })?,
                activated_at: col(row, "activated_at")?,
                state_changed_at: col(row, "state_changed_at")?,
                last_expiry: col(row, "last_expiry")?,
            })
        }

        async fn bump_signer_version(
            conn: &mut <Db as sqlx::Database>::Connection,
        ) -> StoreResult<()> {
            sqlx::query("UPDATE signer_version SET version = version + 1 WHERE id = 1")
                .execute(conn)
                .await?;
            Ok(())
        }

        async fn signer_by_kid(
            conn: &mut <Db as sqlx::Database>::Connection,
            kid: &[u8],
        ) -> StoreResult<super::signers::SignerCertificateRow> {
            let row = sqlx::query(&format!(
                "SELECT {SIGNER_COLUMNS} FROM signer_certificates s WHERE s.kid = $1"
            ))
            .bind(kid)
            .fetch_one(conn)
            .await?;
            signer_of(&row)
        }

        #[async_trait::async_trait]
        impl super::signers::SignerStore for $store {
            async fn signer_register(
                &self,
                kid: &[u8],
                der: &[u8],
                key_ref: Option<&str>,
                now: i64,
            ) -> StoreResult<super::signers::SignerCertificateRow> {
                let mut tx = self.pool.begin().await?;
                let added = sqlx::query(
                    "INSERT INTO signer_certificates (kid, der, first_seen, key_ref, state, \
                     activated_at, state_changed_at) VALUES ($1, $2, $3, $4, 'active', $3, $3) \
                     ON CONFLICT (kid) DO NOTHING",
                )
                .bind(kid)
                .bind(der)
                .bind(now)
                .bind(key_ref)
                .execute(&mut *tx)
                .await?;
                let mut changed = added.rows_affected() > 0;
                if let (Some(key_ref), false) = (key_ref, changed) {
                    let filled = sqlx::query(
                        "UPDATE signer_certificates SET key_ref = $1 \
                         WHERE kid = $2 AND key_ref IS NULL AND der = $3",
                    )
                    .bind(key_ref)
                    .bind(kid)
                    .bind(der)
                    .execute(&mut *tx)
                    .await?;
                    changed = filled.rows_affected() > 0;
                }
                if changed {
                    bump_signer_version(&mut *tx).await?;
                }
                let row = signer_by_kid(&mut *tx, kid).await?;
                tx.commit().await?;
                Ok(row)
            }

            async fn signer_add(
                &self,
                s: &super::signers::SignerWrite,
                audit: &AuditEvent,
                now: i64,
            ) -> StoreResult<super::signers::SignerCertificateRow> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO signer_certificates (kid, der, first_seen, key_ref, types, \
                     state, state_changed_at) VALUES ($1, $2, $3, $4, $5, 'pending', $3)",
                )
                .bind(&s.kid)
                .bind(&s.der)
                .bind(now)
                .bind(&s.key_ref)
                .bind(&s.types)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, crate::Conflict::Signer))?;
                bump_signer_version(&mut *tx).await?;
                insert_audit(&mut *tx, audit, now).await?;
                let row = signer_by_kid(&mut *tx, &s.kid).await?;
                tx.commit().await?;
                Ok(row)
            }

            async fn signer_set_state(
                &self,
                kid: &[u8],
                from: Option<super::signers::SignerState>,
                to: super::signers::SignerState,
                audit: &AuditEvent,
                now: i64,
            ) -> StoreResult<bool> {
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE signer_certificates SET state = $1, state_changed_at = $2, \
                     activated_at = CASE WHEN $1 = 'active' THEN $2 ELSE activated_at END \
                     WHERE kid = $3 AND state <> 'withdrawn' \
                     AND ($4 IS NULL OR state = $4)",
                )
                .bind(to.key())
                .bind(now)
                .bind(kid)
                .bind(from.map(super::signers::SignerState::key))
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                bump_signer_version(&mut *tx).await?;
                insert_audit(&mut *tx, audit, now).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn signer_certificates(
                &self,
            ) -> StoreResult<Vec<super::signers::SignerCertificateRow>> {
                sqlx::query(&format!(
                    "SELECT {SIGNER_COLUMNS} FROM signer_certificates s ORDER BY s.id"
                ))
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(signer_of)
                .collect()
            }

            async fn signer_version(&self) -> StoreResult<i64> {
                let row = sqlx::query("SELECT version FROM signer_version WHERE id = 1")
                    .fetch_one(&self.pool)
                    .await?;
                col(&row, "version")
            }

            async fn certificates_without_signer(
                &self,
                limit: i64,
            ) -> StoreResult<Vec<(String, String)>> {
                let rows = sqlx::query(
                    "SELECT id, hc1 FROM certificates WHERE signer_kid IS NULL ORDER BY id \
                     LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| Ok((col(r, "id")?, col(r, "hc1")?)))
                    .collect()
            }

            async fn set_certificate_signer(&self, id: &str, kid: &[u8]) -> StoreResult<()> {
                sqlx::query("UPDATE certificates SET signer_kid = $1 WHERE id = $2")
                    .bind(kid)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn certificates_signed_by(
                &self,
                kid: &[u8],
                now: i64,
                limit: i64,
            ) -> StoreResult<Vec<super::signers::ReissueSource>> {
                let rows = sqlx::query(&format!(
                    "SELECT {CERT_COLUMNS}, c.record_id, c.person_id FROM certificates c \
                     WHERE c.signer_kid = $1 AND c.superseded_at IS NULL \
                     AND c.revoked_at IS NULL AND c.expires_at > $2 \
                     ORDER BY c.issued_at, c.id LIMIT $3"
                ))
                .bind(kid)
                .bind(now)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(super::signers::ReissueSource {
                            certificate: certificate_of(r)?,
                            record_id: col(r, "record_id")?,
                            person_id: col(r, "person_id")?,
                        })
                    })
                    .collect()
            }

            async fn reissue_certificate(
                &self,
                old: &super::signers::ReissueSource,
                new: &CertificateWrite,
                message: Option<&super::MessageWrite>,
                audit: &[AuditEvent],
                now: i64,
            ) -> StoreResult<bool> {
                let mut tx = self.pool.begin().await?;
                let superseded = sqlx::query(
                    "UPDATE certificates SET superseded_at = $1 \
                     WHERE id = $2 AND superseded_at IS NULL AND revoked_at IS NULL",
                )
                .bind(now)
                .bind(&old.certificate.id)
                .execute(&mut *tx)
                .await?;
                if superseded.rows_affected() == 0 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                insert_signed_certificate(
                    &mut tx,
                    &old.record_id,
                    &old.person_id,
                    new,
                    Some(&old.certificate.id),
                )
                .await?;
                if let Some(m) = message {
                    insert_outbox(&self.outbox_key, &mut *tx, m, Some(&new.id), now).await?;
                }
                for a in audit {
                    insert_audit(&mut *tx, a, now).await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn certificates_with_uvci(&self, uvci: &str) -> StoreResult<Vec<CertificateRow>> {
                let rows = sqlx::query(&format!(
                    "SELECT {CERT_COLUMNS} FROM certificates c WHERE c.uvci = $1 \
                     ORDER BY c.issued_at, c.id"
                ))
                .bind(uvci)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(certificate_of).collect()
            }

            async fn records_awaiting_signer(
                &self,
                note: &str,
                limit: i64,
            ) -> StoreResult<Vec<(String, String)>> {
                let rows = sqlx::query(
                    "SELECT r.id, r.person_id FROM records r WHERE r.note LIKE $1 \
                     AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.record_id = r.id) \
                     ORDER BY r.seq LIMIT $2",
                )
                .bind(format!("{note}%"))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| Ok((col(r, "id")?, col(r, "person_id")?)))
                    .collect()
            }

            async fn issue_awaiting(
                &self,
                record: &(String, String),
                note: &str,
                c: &CertificateWrite,
                message: Option<&super::MessageWrite>,
                audit: &[AuditEvent],
                now: i64,
            ) -> StoreResult<bool> {
                let (record_id, person_id) = (record.0.as_str(), record.1.as_str());
                let mut tx = self.pool.begin().await?;
                let claimed = sqlx::query(
                    "UPDATE records SET note = NULL WHERE id = $1 AND person_id = $2 \
                     AND note LIKE $3",
                )
                .bind(record_id)
                .bind(person_id)
                .bind(format!("{note}%"))
                .execute(&mut *tx)
                .await?;
                if claimed.rows_affected() == 0 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                insert_certificate(&mut tx, record_id, person_id, c, now).await?;
                if let Some(m) = message {
                    insert_outbox(&self.outbox_key, &mut *tx, m, Some(&c.id), now).await?;
                }
                for a in audit {
                    insert_audit(&mut *tx, a, now).await?;
                }
                tx.commit().await?;
                Ok(true)
            }
        }
    };
}

pub(super) use signer_store;
