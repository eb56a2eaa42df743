//! The SQL both backends share. The statements use `$n` placeholders, which SQLite and
//! PostgreSQL both accept, and types both map the same way (i64, bool, text, bytes); the macro
//! expands one `Store` implementation per backend. Only the outbox claim differs.

use super::{StoreError, StoreResult};

/// A unique-key violation becomes `Conflict(what)`; anything else a database error.
pub(super) fn conflict_or(e: sqlx::Error, what: super::Conflict) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::from(e),
    }
}

/// The `kind` column (`v`, `t` or `r`) as the certificate type; anything else is stored data
/// that does not read back.
pub(super) fn kind_col<R>(row: &R) -> StoreResult<hcert::CertType>
where
    R: sqlx::Row,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
{
    let key: String = col(row, "kind")?;
    hcert::CertType::from_key(&key)
        .ok_or_else(|| StoreError::Data(format!("kind {key:?} is not v, t or r")))
}

/// Shorthand for reading a column.
pub(super) fn col<'r, T, R>(row: &'r R, name: &str) -> StoreResult<T>
where
    R: sqlx::Row,
    T: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
{
    row.try_get::<T, _>(name).map_err(StoreError::from)
}

macro_rules! sql_store {
    ($store:ident, $db:ty, $claim:expr) => {
        use async_trait::async_trait;

        use super::sql::{col, conflict_or, kind_col};
        use super::{
            AuditEvent, CertificateRow, CertificateWrite, OutboxCounts, OutboxMessage, Org, RecordRow, RecordWrite,
            RegistryEntry, RevocationEntry, Store, StoreResult, TokenInfo,
        };

        type DbRow = <$db as sqlx::Database>::Row;
        /// The sqlx database type, for helpers of the other store macros.
        #[allow(dead_code)]
        type Db = $db;

        fn org_of(row: &DbRow) -> StoreResult<Org> {
            Ok(Org {
                id: col(row, "id")?,
                ico: col(row, "ico")?,
                name: col(row, "name")?,
            })
        }

        fn record_of(row: &DbRow) -> StoreResult<RecordRow> {
            let entry: String = col(row, "entry")?;
            let cert_id: Option<String> = col(row, "cert_id")?;
            let certificate = match cert_id {
                Some(id) => Some(CertificateRow {
                    id,
                    kind: kind_col(row)?,
                    uvci: col(row, "uvci")?,
                    hc1: col(row, "hc1")?,
                    issued_at: col(row, "issued_at")?,
                    expires_at: col(row, "expires_at")?,
                    superseded_at: col(row, "superseded_at")?,
                    revoked_at: col(row, "revoked_at")?,
                }),
                None => None,
            };
            Ok(RecordRow {
                id: col(row, "id")?,
                person_id: col(row, "person_id")?,
                org_id: col(row, "org_id")?,
                kind: kind_col(row)?,
                entry: serde_json::from_str(&entry).unwrap_or(serde_json::Value::Null),
                note: col(row, "note")?,
                created_at: col(row, "created_at")?,
                recorded_by: col(row, "recorded_by")?,
                certificate,
            })
        }

        const RECORD_SELECT: &str = "SELECT r.id, r.person_id, r.org_id, r.kind, r.entry, r.note, \
             r.created_at, r.recorded_by, c.id AS cert_id, c.uvci, c.hc1, c.issued_at, c.expires_at, \
             c.superseded_at, c.revoked_at FROM records r LEFT JOIN certificates c ON c.record_id = r.id \
             AND NOT EXISTS (SELECT 1 FROM certificates n WHERE n.replaces = c.id)";

        const CERT_COLUMNS: &str = "c.id, c.kind, c.uvci, c.hc1, c.issued_at, c.expires_at, \
             c.superseded_at, c.revoked_at";

        fn certificate_of(row: &DbRow) -> StoreResult<CertificateRow> {
            Ok(CertificateRow {
                id: col(row, "id")?,
                kind: kind_col(row)?,
                uvci: col(row, "uvci")?,
                hc1: col(row, "hc1")?,
                issued_at: col(row, "issued_at")?,
                expires_at: col(row, "expires_at")?,
                superseded_at: col(row, "superseded_at")?,
                revoked_at: col(row, "revoked_at")?,
            })
        }

        #[async_trait]
        impl Store for $store {
            fn backend(&self) -> &'static str {
                Self::BACKEND
            }

            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn create_org(&self, ico: &str, name: &str, now: i64) -> StoreResult<Org> {
                let row = sqlx::query(
                    "INSERT INTO organisations (ico, name, created_at) VALUES ($1, $2, $3) \
                     RETURNING id, ico, name",
                )
                .bind(ico)
                .bind(name)
                .bind(now)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| conflict_or(e, crate::Conflict::Organisation))?;
                org_of(&row)
            }

            async fn org_by_ico(&self, ico: &str) -> StoreResult<Option<Org>> {
                let row = sqlx::query("SELECT id, ico, name FROM organisations WHERE ico = $1")
                    .bind(ico)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(org_of).transpose()
            }

            async fn create_token(
                &self,
                org_id: i64,
                token_sha256: &[u8],
                expires_at: i64,
                now: i64,
            ) -> StoreResult<i64> {
                let row = sqlx::query(
                    "INSERT INTO api_tokens (org_id, token_sha256, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(org_id)
                .bind(token_sha256)
                .bind(now)
                .bind(expires_at)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| conflict_or(e, crate::Conflict::Token))?;
                col(&row, "id")
            }

            async fn certificate_by_uvci(
                &self,
                uvci: &str,
            ) -> StoreResult<Option<(CertificateRow, i64)>> {
                let row = sqlx::query(&format!(
                    "SELECT {CERT_COLUMNS}, r.org_id FROM certificates c \
                     JOIN records r ON r.id = c.record_id WHERE c.uvci = $1 \
                     AND NOT EXISTS (SELECT 1 FROM certificates n WHERE n.replaces = c.id)"
                ))
                .bind(uvci)
                .fetch_optional(&self.pool)
                .await?;
                match row {
                    Some(r) => Ok(Some((certificate_of(&r)?, col(&r, "org_id")?))),
                    None => Ok(None),
                }
            }

            async fn revoke_certificate(
                &self,
                certificate_id: &str,
                reason: &str,
                entries: &[RevocationEntry],
                now: i64,
            ) -> StoreResult<bool> {
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE certificates SET revoked_at = $1, revocation_reason = $2 \
                     WHERE id = $3 AND revoked_at IS NULL",
                )
                .bind(now)
                .bind(reason)
                .bind(certificate_id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                for e in entries {
                    sqlx::query(
                        "INSERT INTO revocation_entries \
                         (certificate_id, kid, hash_type, hash, expires_at) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    )
                    .bind(certificate_id)
                    .bind(&e.kid)
                    .bind(&e.hash_type)
                    .bind(&e.hash)
                    .bind(e.expires_at)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn superseded_unrevoked(&self, limit: i64) -> StoreResult<Vec<CertificateRow>> {
                let rows = sqlx::query(&format!(
                    "SELECT {CERT_COLUMNS} FROM certificates c \
                     WHERE c.superseded_at IS NOT NULL AND c.revoked_at IS NULL \
                     AND NOT EXISTS (SELECT 1 FROM certificates n WHERE n.replaces = c.id) \
                     ORDER BY c.superseded_at LIMIT $1"
                ))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(certificate_of).collect()
            }

            async fn revocation_entries(&self, now: i64) -> StoreResult<Vec<RevocationEntry>> {
                let rows = sqlx::query(
                    "SELECT kid, hash_type, hash, expires_at FROM revocation_entries \
                     WHERE expires_at > $1 ORDER BY kid, hash_type, hash",
                )
                .bind(now)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(RevocationEntry {
                            kid: col(r, "kid")?,
                            hash_type: col(r, "hash_type")?,
                            hash: col(r, "hash")?,
                            expires_at: col(r, "expires_at")?,
                        })
                    })
                    .collect()
            }

            async fn tokens(&self, org_id: i64) -> StoreResult<Vec<TokenInfo>> {
                let rows = sqlx::query(
                    "SELECT id, created_at, expires_at, revoked_at FROM api_tokens \
                     WHERE org_id = $1 ORDER BY id",
                )
                .bind(org_id)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(TokenInfo {
                            id: col(r, "id")?,
                            created_at: col(r, "created_at")?,
                            expires_at: col(r, "expires_at")?,
                            revoked_at: col(r, "revoked_at")?,
                        })
                    })
                    .collect()
            }

            async fn revoke_tokens(
                &self,
                org_id: i64,
                id: Option<i64>,
                now: i64,
            ) -> StoreResult<u64> {
                let done = sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $1 \
                     WHERE org_id = $2 AND revoked_at IS NULL AND ($3 IS NULL OR id = $3)",
                )
                .bind(now)
                .bind(org_id)
                .bind(id)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected())
            }

            async fn org_for_token(
                &self,
                token_sha256: &[u8],
                now: i64,
            ) -> StoreResult<Option<Org>> {
                let row = sqlx::query(
                    "SELECT o.id, o.ico, o.name FROM api_tokens t \
                     JOIN organisations o ON o.id = t.org_id \
                     WHERE t.token_sha256 = $1 AND t.expires_at > $2 AND t.revoked_at IS NULL",
                )
                .bind(token_sha256)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(org_of).transpose()
            }

            async fn registry_import(
                &self,
                entries: &[RegistryEntry],
                now: i64,
            ) -> StoreResult<u64> {
                let mut tx = self.pool.begin().await?;
                let mut n = 0;
                for e in entries {
                    n += sqlx::query(
                        "INSERT INTO registry_persons (bn_index, id_card_index, imported_at, \
                         family_name, given_name, dob) VALUES ($1, $2, $3, $4, $5, $6) \
                         ON CONFLICT (bn_index) DO UPDATE SET \
                         id_card_index = excluded.id_card_index, imported_at = excluded.imported_at, \
                         family_name = excluded.family_name, given_name = excluded.given_name, \
                         dob = excluded.dob",
                    )
                    .bind(&e.bn_index)
                    .bind(&e.id_card_index)
                    .bind(now)
                    .bind(&e.family_name)
                    .bind(&e.given_name)
                    .bind(&e.dob)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                tx.commit().await?;
                Ok(n)
            }

            async fn registry_lookup(&self, bn_index: &[u8]) -> StoreResult<Option<RegistryEntry>> {
                let row = sqlx::query(
                    "SELECT bn_index, id_card_index, family_name, given_name, dob \
                     FROM registry_persons WHERE bn_index = $1",
                )
                .bind(bn_index)
                .fetch_optional(&self.pool)
                .await?;
                match row {
                    Some(r) => Ok(Some(RegistryEntry {
                        bn_index: col(&r, "bn_index")?,
                        id_card_index: col(&r, "id_card_index")?,
                        family_name: col(&r, "family_name")?,
                        given_name: col(&r, "given_name")?,
                        dob: col(&r, "dob")?,
                    })),
                    None => Ok(None),
                }
            }

            async fn idempotency(
                &self,
                org_id: i64,
                key: &str,
            ) -> StoreResult<Option<(Vec<u8>, String)>> {
                let row = sqlx::query(
                    "SELECT request_sha256, record_id FROM idempotency_keys \
                     WHERE org_id = $1 AND key = $2",
                )
                .bind(org_id)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
                match row {
                    Some(r) => Ok(Some((col(&r, "request_sha256")?, col(&r, "record_id")?))),
                    None => Ok(None),
                }
            }

            async fn write_record(&self, w: &RecordWrite) -> StoreResult<String> {
                let mut tx = self.pool.begin().await?;
                let p = &w.person;
                let person_row = sqlx::query(
                    // The login factors and contacts belong to the citizen: a record fills them
                    // only where none is on file; names, date of birth (and the ID-card number
                    // when the registry has one) come from the population registry.
                    "INSERT INTO persons (id, bn_index, id_card_index, family_name, given_name, \
                     dob, email, phone, identified, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
                     ON CONFLICT (bn_index) DO UPDATE SET \
                     id_card_index = CASE WHEN $12 THEN excluded.id_card_index \
                       ELSE COALESCE(persons.id_card_index, excluded.id_card_index) END, \
                     family_name = CASE WHEN $11 THEN excluded.family_name \
                       ELSE persons.family_name END, \
                     given_name = CASE WHEN $11 THEN excluded.given_name \
                       ELSE persons.given_name END, \
                     dob = CASE WHEN $11 THEN excluded.dob ELSE persons.dob END, \
                     email = COALESCE(persons.email, excluded.email), \
                     phone = COALESCE(persons.phone, excluded.phone), \
                     identified = excluded.identified, updated_at = excluded.updated_at \
                     RETURNING id",
                )
                .bind(&p.new_id)
                .bind(&p.bn_index)
                .bind(&p.id_card_index)
                .bind(&p.family_name)
                .bind(&p.given_name)
                .bind(&p.dob)
                .bind(&p.email)
                .bind(&p.phone)
                .bind(p.identified)
                .bind(w.now)
                .bind(p.names_from_registry)
                .bind(p.id_card_from_registry)
                .fetch_one(&mut *tx)
                .await?;
                let person_id: String = col(&person_row, "id")?;
                sqlx::query(
                    "INSERT INTO records (id, person_id, org_id, kind, entry, note, created_at, \
                     recorded_by, id_card_index, phone, email) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(&w.record_id)
                .bind(&person_id)
                .bind(w.org_id)
                .bind(w.kind.key())
                .bind(&w.entry_json)
                .bind(&w.note)
                .bind(w.now)
                .bind(&w.recorded_by)
                .bind(&w.contacts.id_card_index)
                .bind(&w.contacts.phone)
                .bind(&w.contacts.email)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, crate::Conflict::Record))?;
                if let Some(idem) = &w.idempotency {
                    sqlx::query(
                        "INSERT INTO idempotency_keys (org_id, key, request_sha256, record_id, \
                         created_at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(w.org_id)
                    .bind(&idem.key)
                    .bind(&idem.request_sha256)
                    .bind(&w.record_id)
                    .bind(w.now)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| conflict_or(e, crate::Conflict::IdempotencyKey))?;
                }
                if let Some(c) = &w.certificate {
                    insert_certificate(&mut tx, &w.record_id, &person_id, c, w.now).await?;
                }
                if let Some(m) = &w.message {
                    let certificate_id = w.certificate.as_ref().map(|c| c.id.as_str());
                    insert_outbox(&self.outbox_key, &mut *tx, m, certificate_id, w.now).await?;
                }
                for m in &w.notices {
                    insert_outbox(&self.outbox_key, &mut *tx, m, None, w.now).await?;
                }
                if let Some(l) = &w.legacy {
                    sqlx::query(
                        "INSERT INTO legacy_certificates (legacy_ref, token_sha256, record_id, \
                         created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&l.legacy_ref)
                    .bind(&l.token_sha256)
                    .bind(&w.record_id)
                    .bind(w.now)
                    .bind(l.expires_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| conflict_or(e, crate::Conflict::LegacyCertificate))?;
                }
                for a in &w.audit {
                    insert_audit(&mut *tx, a, w.now).await?;
                }
                tx.commit().await?;
                Ok(person_id)
            }

            async fn record(&self, org_id: i64, record_id: &str) -> StoreResult<Option<RecordRow>> {
                let sql = format!("{RECORD_SELECT} WHERE r.org_id = $1 AND r.id = $2");
                let row = sqlx::query(&sql)
                    .bind(org_id)
                    .bind(record_id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(record_of).transpose()
            }

            async fn person_records(
                &self,
                org_id: i64,
                person_id: &str,
            ) -> StoreResult<Option<Vec<RecordRow>>> {
                let exists = sqlx::query("SELECT id FROM persons WHERE id = $1")
                    .bind(person_id)
                    .fetch_optional(&self.pool)
                    .await?;
                if exists.is_none() {
                    return Ok(None);
                }
                let sql = format!(
                    "{RECORD_SELECT} WHERE r.org_id = $1 AND r.person_id = $2 \
                     ORDER BY r.seq"
                );
                let rows = sqlx::query(&sql)
                    .bind(org_id)
                    .bind(person_id)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(record_of).collect::<StoreResult<Vec<_>>>().map(Some)
            }

            async fn claim_messages(
                &self,
                now: i64,
                lease_until: i64,
                lease_token: &str,
                limit: i64,
            ) -> StoreResult<Vec<OutboxMessage>> {
                let rows = sqlx::query($claim)
                    .bind(lease_until)
                    .bind(lease_token)
                    .bind(now)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in &rows {
                    let id: i64 = col(r, "id")?;
                    let channel: String = col(r, "channel")?;
                    let recipient: String = col(r, "recipient")?;
                    let sealed: Option<Vec<u8>> = col(r, "sealed")?;
                    let content = match sealed {
                        Some(s) => {
                            let key = &self.outbox_key;
                            match super::sealed::open(key, &channel, &recipient, &s) {
                                Ok(c) => c,
                                Err(_) => {
                                    tracing::warn!(
                                        outbox_id = id,
                                        "a sealed message does not open; given up"
                                    );
                                    let error = super::sealed::UNOPENED;
                                    self.mark_failed(id, lease_token, now, error, true).await?;
                                    continue;
                                }
                            }
                        }
                        // Written before messages were sealed (migration 0011): sent as stored.
                        None => {
                            let name: Option<String> = col(r, "attachment_name")?;
                            let mime: Option<String> = col(r, "attachment_mime")?;
                            let bytes: Option<Vec<u8>> = col(r, "attachment")?;
                            super::sealed::Content {
                                subject: col(r, "subject")?,
                                body: col(r, "body")?,
                                attachment: match (name, mime, bytes) {
                                    (Some(n), Some(m), Some(b)) => Some((n, m, b)),
                                    _ => None,
                                },
                            }
                        }
                    };
                    out.push(OutboxMessage {
                        id,
                        channel,
                        recipient,
                        subject: content.subject,
                        body: content.body,
                        attachment: content.attachment,
                        attempts: col(r, "attempts")?,
                        lease_token: lease_token.to_string(),
                    });
                }
                out.sort_by_key(|m| m.id);
                Ok(out)
            }

            async fn extend_lease(
                &self,
                id: i64,
                lease_token: &str,
                lease_until: i64,
            ) -> StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE outbox SET lease_until = $1 \
                     WHERE id = $2 AND lease_token = $3 AND status = 'pending'",
                )
                .bind(lease_until)
                .bind(id)
                .bind(lease_token)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn mark_sent(&self, id: i64, lease_token: &str, now: i64) -> StoreResult<bool> {
                let done = sqlx::query(&format!(
                    "UPDATE outbox SET status = 'sent', sent_at = $1, ended_at = $1, \
                     lease_until = NULL, {} \
                     WHERE id = $2 AND lease_token = $3 AND status = 'pending'",
                    super::sealed::WIPE
                ))
                .bind(now)
                .bind(id)
                .bind(lease_token)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn mark_failed(
                &self,
                id: i64,
                lease_token: &str,
                next_attempt_at: i64,
                error: &str,
                give_up: bool,
            ) -> StoreResult<()> {
                let sql = if give_up {
                    format!(
                        "UPDATE outbox SET status = 'failed', next_attempt_at = $1, \
                         ended_at = $1, last_error = $2, lease_until = NULL, {} \
                         WHERE id = $3 AND lease_token = $4 AND status = 'pending'",
                        super::sealed::WIPE
                    )
                } else {
                    "UPDATE outbox SET next_attempt_at = $1, last_error = $2, \
                     lease_until = NULL WHERE id = $3 AND lease_token = $4 AND status = 'pending'"
                        .to_string()
                };
                sqlx::query(&sql)
                    .bind(next_attempt_at)
                    .bind(error)
                    .bind(id)
                    .bind(lease_token)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn outbox_counts(&self) -> StoreResult<OutboxCounts> {
                let rows =
                    sqlx::query("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
                        .fetch_all(&self.pool)
                        .await?;
                let mut c = OutboxCounts::default();
                for r in &rows {
                    let status: String = col(r, "status")?;
                    let n: i64 = col(r, "n")?;
                    match status.as_str() {
                        "pending" => c.pending = n,
                        "sent" => c.sent = n,
                        _ => c.failed += n,
                    }
                }
                Ok(c)
            }

            async fn purge_outbox(&self, before: i64) -> StoreResult<u64> {
                let done = sqlx::query("DELETE FROM outbox WHERE ended_at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn purge_audit(&self, before: i64) -> StoreResult<u64> {
                let done = sqlx::query("DELETE FROM audit_log WHERE at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn audit(&self, event: &AuditEvent, now: i64) -> StoreResult<()> {
                let mut conn = self.pool.acquire().await?;
                insert_audit(&mut *conn, event, now).await
            }

            async fn audit_events(&self, limit: i64) -> StoreResult<Vec<(String, Option<i64>)>> {
                let rows = sqlx::query(
                    "SELECT event, org_id FROM audit_log ORDER BY id DESC LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| Ok((col(r, "event")?, col(r, "org_id")?)))
                    .collect()
            }

            async fn certificates_issued(&self) -> StoreResult<i64> {
                let row = sqlx::query("SELECT COUNT(*) AS n FROM certificates")
                    .fetch_one(&self.pool)
                    .await?;
                col(&row, "n")
            }
        }

        /// Stores a certificate for a record, superseding the person's older one of its kind;
        /// a record that has a certificate, or a UVCI on file, is `Conflict(Certificate)` (a
        /// re-issue goes through `reissue_certificate` instead).
        async fn insert_certificate(
            tx: &mut sqlx::Transaction<'_, $db>,
            record_id: &str,
            person_id: &str,
            c: &CertificateWrite,
            now: i64,
        ) -> StoreResult<()> {
            let taken = sqlx::query(
                "SELECT 1 AS one FROM certificates WHERE record_id = $1 OR uvci = $2 LIMIT 1",
            )
            .bind(record_id)
            .bind(&c.uvci)
            .fetch_optional(&mut **tx)
            .await?;
            if taken.is_some() {
                return Err(super::StoreError::Conflict(crate::Conflict::Certificate));
            }
            sqlx::query(
                "UPDATE certificates SET superseded_at = $1 \
                 WHERE person_id = $2 AND kind = $3 AND superseded_at IS NULL",
            )
            .bind(now)
            .bind(person_id)
            .bind(c.kind.key())
            .execute(&mut **tx)
            .await?;
            insert_signed_certificate(tx, record_id, person_id, c, None).await
        }

        /// Inserts a certificate once its signer is found active inside this transaction (a
        /// withdrawal committed meanwhile is `Conflict(SignerNotActive)`: nothing is stored);
        /// a unique key taken by a current certificate is `Conflict(Certificate)`.
        async fn insert_signed_certificate(
            tx: &mut sqlx::Transaction<'_, $db>,
            record_id: &str,
            person_id: &str,
            c: &CertificateWrite,
            replaces: Option<&str>,
        ) -> StoreResult<()> {
            let state = sqlx::query(SIGNER_STATE)
                .bind(&c.signer_kid)
                .fetch_optional(&mut **tx)
                .await?;
            let active = match state {
                Some(row) => col::<String, _>(&row, "state")? == "active",
                None => false,
            };
            if !active {
                return Err(super::StoreError::Conflict(crate::Conflict::SignerNotActive));
            }
            sqlx::query(
                "INSERT INTO certificates (id, record_id, person_id, kind, uvci, hc1, \
                 issued_at, expires_at, signer_kid, replaces) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&c.id)
            .bind(record_id)
            .bind(person_id)
            .bind(c.kind.key())
            .bind(&c.uvci)
            .bind(&c.hc1)
            .bind(c.issued_at)
            .bind(c.expires_at)
            .bind(&c.signer_kid)
            .bind(replaces)
            .execute(&mut **tx)
            .await
            .map_err(|e| conflict_or(e, crate::Conflict::Certificate))?;
            Ok(())
        }

        /// Enqueues a message, its subject, body and attachment sealed (SECURITY.md 46).
        async fn insert_outbox(
            key: &crate::seal::SealingKey,
            conn: &mut <$db as sqlx::Database>::Connection,
            m: &super::MessageWrite,
            certificate_id: Option<&str>,
            now: i64,
        ) -> StoreResult<i64> {
            let sealed = super::sealed::seal(key, m)
                .map_err(|e| super::StoreError::Data(format!("outbox message not sealed: {e}")))?;
            let row = sqlx::query(
                "INSERT INTO outbox (channel, recipient, subject, body, sealed, certificate_id, \
                 status, attempts, next_attempt_at, created_at) \
                 VALUES ($1, $2, '', '', $3, $4, 'pending', 0, $5, $5) RETURNING id",
            )
            .bind(&m.channel)
            .bind(&m.recipient)
            .bind(sealed)
            .bind(certificate_id)
            .bind(now)
            .fetch_one(conn)
            .await?;
            col(&row, "id")
        }

        async fn insert_audit(
            conn: &mut <$db as sqlx::Database>::Connection,
            a: &AuditEvent,
            now: i64,
        ) -> StoreResult<()> {
            // The request it came from (SECURITY.md 47); none outside a request.
            let request = crate::RequestContext::current();
            sqlx::query(
                "INSERT INTO audit_log (at, event, org_id, subject, detail, request_id, \
                 client_ip) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(now)
            .bind(&a.event)
            .bind(a.org_id)
            .bind(&a.subject)
            .bind(a.detail.to_string())
            .bind(request.as_ref().map(|r| r.request_id.clone()))
            .bind(request.and_then(|r| r.client_ip).map(|ip| ip.to_string()))
            .execute(conn)
            .await?;
            Ok(())
        }
    };
}

pub(super) use sql_store;
