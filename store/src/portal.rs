//! Storage of the citizen portal and the old-certificate exchange: one-time-code challenges,
//! counted events for throttling, persons as citizens see them, contact changes
//! and legacy certificates. Like `sql.rs`, one macro expands the same SQL for both backends.

use async_trait::async_trait;

use super::{AuditEvent, CertificateRow, CertificateWrite, MessageWrite, RecordRow, StoreResult};

/// A one-time-code challenge to store, with the message that carries its code.
#[derive(Clone)]
pub struct ChallengeWrite {
    /// Random id.
    pub id: String,
    /// SHA-256 of the flow cookie it belongs to.
    pub flow_sha256: Vec<u8>,
    /// `login`, `contact_phone`, `contact_email`, `step_up`.
    pub purpose: String,
    /// The person it authenticates; `None` when the submitted data matched nobody.
    pub person_id: Option<String>,
    /// The registry user it authenticates (registry login).
    pub user_id: Option<String>,
    /// Keyed digest of the identifier its failures count against.
    pub throttle_key: Vec<u8>,
    /// `sms` or `email`.
    pub channel: String,
    /// The new contact of a contact change.
    pub destination: Option<String>,
    /// HMAC of the code; `None` when no code was sent.
    pub code_mac: Option<Vec<u8>>,
    /// Now.
    pub now: i64,
    /// Expiry of the code.
    pub expires_at: i64,
    /// The message with the code.
    pub message: Option<MessageWrite>,
    /// Counted events (kind, keyed identifier) written with it.
    pub events: Vec<(String, Vec<u8>)>,
    /// Its audit event.
    pub audit: AuditEvent,
}

impl ChallengeWrite {
    /// A message the size of a real code message, written and deleted in the challenge's
    /// transaction when nothing is to be sent.
    pub fn decoy_message(&self) -> MessageWrite {
        MessageWrite {
            channel: "sms".into(),
            recipient: "+000000000000".into(),
            subject: "dcc: jednorázový kód / one-time code".into(),
            body: "0".repeat(110),
            attachment: None,
        }
    }
}

impl std::fmt::Debug for ChallengeWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChallengeWrite")
            .field("purpose", &self.purpose)
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

/// A stored challenge.
#[derive(Clone)]
pub struct Challenge {
    /// Id.
    pub id: String,
    /// Purpose.
    pub purpose: String,
    /// The person, when the data matched.
    pub person_id: Option<String>,
    /// The registry user, when the data matched (registry login).
    pub user_id: Option<String>,
    /// Keyed digest of the identifier its failures count against.
    pub throttle_key: Vec<u8>,
    /// `sms` or `email`.
    pub channel: String,
    /// The new contact of a contact change.
    pub destination: Option<String>,
    /// HMAC of the code.
    pub code_mac: Option<Vec<u8>>,
    /// Wrong entries so far.
    pub attempts: i64,
    /// Created (sent) at.
    pub created_at: i64,
    /// Expires at.
    pub expires_at: i64,
    /// When the right code was entered.
    pub consumed_at: Option<i64>,
}

impl std::fmt::Debug for Challenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Challenge")
            .field("purpose", &self.purpose)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// A person as the portal shows them to themselves.
#[derive(Clone)]
pub struct PersonView {
    /// Id.
    pub id: String,
    /// Family name.
    pub family_name: String,
    /// Given name.
    pub given_name: String,
    /// Date of birth.
    pub dob: String,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Identified in the population registry.
    pub identified: bool,
    /// HMAC blind index of the ID-card number on file.
    pub id_card_index: Option<Vec<u8>>,
    /// HMAC blind index of the birth number.
    pub bn_index: Vec<u8>,
}

impl std::fmt::Debug for PersonView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonView")
            .field("identified", &self.identified)
            .finish_non_exhaustive()
    }
}

/// A contact an organisation recorded for a person that differs from the one on file.
#[derive(Clone)]
pub struct ContactProposal {
    /// The record it came with.
    pub record_id: String,
    /// The recording organisation's name.
    pub org_name: String,
    /// The phone given with the record, when it differs from the one on file.
    pub phone: Option<String>,
    /// The e-mail given with the record, when it differs from the one on file.
    pub email: Option<String>,
    /// Recorded at, Unix seconds.
    pub created_at: i64,
}

impl std::fmt::Debug for ContactProposal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContactProposal")
            .field("record_id", &self.record_id)
            .finish_non_exhaustive()
    }
}

/// An old-format certificate to register with its record.
#[derive(Clone)]
pub struct LegacyWrite {
    /// HMAC of the old certificate's number (for duplicate detection only, never a key).
    pub legacy_ref: Vec<u8>,
    /// SHA-256 of the exchange token.
    pub token_sha256: Vec<u8>,
    /// When the exchange URL stops working.
    pub expires_at: i64,
}

impl std::fmt::Debug for LegacyWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegacyWrite")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A stored old-format certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyRow {
    /// Row id.
    pub id: i64,
    /// The record it certifies.
    pub record_id: String,
    /// The holder.
    pub person_id: String,
    /// Vaccination, test or recovery.
    pub kind: super::CertType,
    /// The new certificate, once issued.
    pub certificate_id: Option<String>,
    /// PDF downloads so far.
    pub downloads: i64,
    /// Expiry of the URL.
    pub expires_at: i64,
    /// When an operator revoked the URL.
    pub revoked_at: Option<i64>,
}

/// A pending NIA (OpenID Connect) authorization request: what the callback must check.
#[derive(Clone)]
pub struct OidcFlow {
    /// The `state` sent to the provider.
    pub state: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier for the token request.
    pub pkce_verifier: String,
    /// Whose login: `citizen` or `registry`; or `link`, a registry user's linking of a NIA
    /// identity.
    pub purpose: String,
    /// The registry user who asked to link (purpose `link` only).
    pub user_id: Option<String>,
    /// When the request was made.
    pub created_at: i64,
    /// When it stops being accepted.
    pub expires_at: i64,
}

impl std::fmt::Debug for OidcFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcFlow")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Which contact a change applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactField {
    /// `persons.email`.
    Email,
    /// `persons.phone`.
    Phone,
}

/// Whose contact a change applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactOwner<'a> {
    /// A citizen: `persons.id`.
    Person(&'a str),
    /// A registry user: `registry_users.id`.
    User(&'a str),
}

/// The portal's storage operations.
#[async_trait]
pub trait PortalStore: Send + Sync {
    /// Stores a challenge (voiding the flow's open challenges of the same purpose) and its
    /// message, in one transaction.
    async fn otp_create(&self, c: &ChallengeWrite) -> StoreResult<()>;
    /// The flow's latest challenge of a purpose that is not voided.
    async fn otp_latest(&self, flow_sha256: &[u8], purpose: &str)
        -> StoreResult<Option<Challenge>>;
    /// Counts a wrong entry; the challenge is void from `max_attempts` on. Returns the count.
    async fn otp_fail(&self, id: &str, max_attempts: i64, now: i64) -> StoreResult<i64>;
    /// Consumes the challenge if it is open, unexpired and under the attempt limit: one
    /// conditional UPDATE, so it succeeds once.
    async fn otp_consume(&self, id: &str, max_attempts: i64, now: i64) -> StoreResult<bool>;

    /// Counts an event (failure, send, request) under a keyed identifier.
    async fn event_add(&self, kind: &str, key: &[u8], now: i64) -> StoreResult<()>;
    /// How many events of a kind the key has since `since`, and the time of the latest.
    async fn events_since(
        &self,
        kind: &str,
        key: &[u8],
        since: i64,
    ) -> StoreResult<(i64, Option<i64>)>;
    /// Forgets a key's events of a kind (a success resets the failure count).
    async fn events_clear(&self, kind: &str, key: &[u8]) -> StoreResult<()>;
    /// Deletes challenges, events and sessions that ended before `before`; returns rows removed.
    async fn purge(&self, before: i64, now: i64) -> StoreResult<u64>;

    /// The person whose birth-number and ID-card indexes both match.
    async fn person_by_login(
        &self,
        bn_index: &[u8],
        id_card_index: &[u8],
    ) -> StoreResult<Option<PersonView>>;
    /// The person whose birth-number index matches (login through NIA, where the provider has
    /// established the identity).
    async fn person_by_bn(&self, bn_index: &[u8]) -> StoreResult<Option<PersonView>>;
    /// A person by id.
    async fn person(&self, id: &str) -> StoreResult<Option<PersonView>>;

    /// Stores a pending NIA authorization request under the digest of its cookie, replacing
    /// an earlier one of the same cookie.
    async fn oidc_flow_put(&self, cookie_sha256: &[u8], flow: &OidcFlow) -> StoreResult<()>;
    /// Takes (reads and deletes, in one statement) the pending request of a cookie digest, so
    /// a callback can use it once.
    async fn oidc_flow_take(&self, cookie_sha256: &[u8]) -> StoreResult<Option<OidcFlow>>;
    /// Contacts that organisations recorded for a person and that differ from the person's
    /// current ones (the portal offers to adopt them), newest first, at most 10.
    async fn contact_proposals(&self, person_id: &str) -> StoreResult<Vec<ContactProposal>>;
    /// A person's records of every organisation, with the organisation's name, oldest first.
    async fn citizen_records(&self, person_id: &str) -> StoreResult<Vec<(RecordRow, String)>>;
    /// One of a person's certificates.
    async fn person_certificate(
        &self,
        person_id: &str,
        certificate_id: &str,
    ) -> StoreResult<Option<CertificateRow>>;
    /// Sets a person's or registry user's contact, enqueues the notice to the old one and
    /// audits, in one transaction (SECURITY.md 23).
    async fn set_contact(
        &self,
        owner: ContactOwner<'_>,
        field: ContactField,
        value: &str,
        notice: Option<&MessageWrite>,
        audit: &AuditEvent,
        now: i64,
    ) -> StoreResult<()>;

    /// The old-format certificate of an exchange-token digest.
    async fn legacy_by_token(&self, token_sha256: &[u8]) -> StoreResult<Option<LegacyRow>>;
    /// The old-format certificate of a row id.
    async fn legacy_by_id(&self, id: i64) -> StoreResult<Option<LegacyRow>>;
    /// Issues the exchange's certificate: supersedes the holder's older one of that kind,
    /// stores the new one and binds it to the legacy row, in one transaction. False when
    /// another request bound one first (nothing is written).
    async fn legacy_issue(
        &self,
        legacy: &LegacyRow,
        certificate: &CertificateWrite,
        audit: &[AuditEvent],
        now: i64,
    ) -> StoreResult<bool>;
    /// Counts a download if under `max`; false when the limit is reached.
    async fn legacy_download(&self, id: i64, max: i64) -> StoreResult<bool>;
    /// Revokes the exchange URL of an old certificate; false when unknown or revoked already.
    async fn legacy_revoke(&self, legacy_ref: &[u8], now: i64) -> StoreResult<bool>;
    /// A certificate by id.
    async fn certificate(&self, id: &str) -> StoreResult<Option<CertificateRow>>;
}

macro_rules! portal_store {
    ($store:ident) => {
        fn person_view_of(row: &DbRow) -> StoreResult<super::portal::PersonView> {
            Ok(super::portal::PersonView {
                id: col(row, "id")?,
                family_name: col(row, "family_name")?,
                given_name: col(row, "given_name")?,
                dob: col(row, "dob")?,
                email: col(row, "email")?,
                phone: col(row, "phone")?,
                identified: col(row, "identified")?,
                id_card_index: col(row, "id_card_index")?,
                bn_index: col(row, "bn_index")?,
            })
        }

        fn challenge_of(row: &DbRow) -> StoreResult<super::portal::Challenge> {
            Ok(super::portal::Challenge {
                id: col(row, "id")?,
                purpose: col(row, "purpose")?,
                person_id: col(row, "person_id")?,
                user_id: col(row, "user_id")?,
                throttle_key: col(row, "throttle_key")?,
                channel: col(row, "channel")?,
                destination: col(row, "destination")?,
                code_mac: col(row, "code_mac")?,
                attempts: col(row, "attempts")?,
                created_at: col(row, "created_at")?,
                expires_at: col(row, "expires_at")?,
                consumed_at: col(row, "consumed_at")?,
            })
        }

        fn legacy_of(row: &DbRow) -> StoreResult<super::portal::LegacyRow> {
            Ok(super::portal::LegacyRow {
                id: col(row, "id")?,
                record_id: col(row, "record_id")?,
                person_id: col(row, "person_id")?,
                kind: super::sql::kind_col(row)?,
                certificate_id: col(row, "certificate_id")?,
                downloads: col(row, "downloads")?,
                expires_at: col(row, "expires_at")?,
                revoked_at: col(row, "revoked_at")?,
            })
        }

        #[async_trait]
        impl super::portal::PortalStore for $store {
            async fn otp_create(&self, c: &super::portal::ChallengeWrite) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "UPDATE otp_challenges SET voided_at = $1 WHERE flow_sha256 = $2 \
                     AND purpose = $3 AND consumed_at IS NULL AND voided_at IS NULL",
                )
                .bind(c.now)
                .bind(&c.flow_sha256)
                .bind(&c.purpose)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO otp_challenges (id, flow_sha256, purpose, person_id, throttle_key, \
                     channel, destination, code_mac, created_at, expires_at, user_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(&c.id)
                .bind(&c.flow_sha256)
                .bind(&c.purpose)
                .bind(&c.person_id)
                .bind(&c.throttle_key)
                .bind(&c.channel)
                .bind(&c.destination)
                .bind(&c.code_mac)
                .bind(c.now)
                .bind(c.expires_at)
                .bind(&c.user_id)
                .execute(&mut *tx)
                .await?;
                match &c.message {
                    Some(m) => {
                        insert_outbox(&self.outbox_key, &mut *tx, m, None, c.now).await?;
                    }
                    // Nothing to send: the same insert, undone in the same transaction, so the
                    // work does not tell whether anything matched (SECURITY.md 9-10).
                    None => {
                        let decoy = c.decoy_message();
                        let id =
                            insert_outbox(&self.outbox_key, &mut *tx, &decoy, None, c.now).await?;
                        sqlx::query("DELETE FROM outbox WHERE id = $1")
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                for (kind, key) in &c.events {
                    sqlx::query("INSERT INTO auth_events (kind, key, at) VALUES ($1, $2, $3)")
                        .bind(kind)
                        .bind(key)
                        .bind(c.now)
                        .execute(&mut *tx)
                        .await?;
                }
                insert_audit(&mut *tx, &c.audit, c.now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn otp_latest(
                &self,
                flow_sha256: &[u8],
                purpose: &str,
            ) -> StoreResult<Option<super::portal::Challenge>> {
                let row = sqlx::query(
                    "SELECT id, purpose, person_id, user_id, throttle_key, channel, destination, code_mac, attempts, \
                     created_at, expires_at, consumed_at FROM otp_challenges \
                     WHERE flow_sha256 = $1 AND purpose = $2 AND voided_at IS NULL \
                     ORDER BY created_at DESC LIMIT 1",
                )
                .bind(flow_sha256)
                .bind(purpose)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(challenge_of).transpose()
            }

            async fn otp_fail(&self, id: &str, max_attempts: i64, now: i64) -> StoreResult<i64> {
                let row = sqlx::query(
                    "UPDATE otp_challenges SET attempts = attempts + 1, \
                     voided_at = CASE WHEN attempts + 1 >= $2 THEN $3 ELSE voided_at END \
                     WHERE id = $1 RETURNING attempts",
                )
                .bind(id)
                .bind(max_attempts)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                match row {
                    Some(r) => col(&r, "attempts"),
                    None => Ok(max_attempts),
                }
            }

            async fn otp_consume(&self, id: &str, max_attempts: i64, now: i64) -> StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE otp_challenges SET consumed_at = $2 WHERE id = $1 \
                     AND consumed_at IS NULL AND voided_at IS NULL AND expires_at >= $2 \
                     AND attempts < $3 AND code_mac IS NOT NULL",
                )
                .bind(id)
                .bind(now)
                .bind(max_attempts)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn event_add(&self, kind: &str, key: &[u8], now: i64) -> StoreResult<()> {
                sqlx::query("INSERT INTO auth_events (kind, key, at) VALUES ($1, $2, $3)")
                    .bind(kind)
                    .bind(key)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn events_since(
                &self,
                kind: &str,
                key: &[u8],
                since: i64,
            ) -> StoreResult<(i64, Option<i64>)> {
                let row = sqlx::query(
                    "SELECT COUNT(*) AS n, MAX(at) AS latest FROM auth_events \
                     WHERE kind = $1 AND key = $2 AND at >= $3",
                )
                .bind(kind)
                .bind(key)
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
                Ok((col(&row, "n")?, col(&row, "latest")?))
            }

            async fn events_clear(&self, kind: &str, key: &[u8]) -> StoreResult<()> {
                sqlx::query("DELETE FROM auth_events WHERE kind = $1 AND key = $2")
                    .bind(kind)
                    .bind(key)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn purge(&self, before: i64, now: i64) -> StoreResult<u64> {
                let mut n = 0;
                n += sqlx::query("DELETE FROM otp_challenges WHERE expires_at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                n += sqlx::query("DELETE FROM auth_events WHERE at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                for kind in super::session::SessionKind::ALL {
                    n += sqlx::query(&format!("DELETE FROM {} WHERE expires_at < $1", kind.table()))
                        .bind(now)
                        .execute(&self.pool)
                        .await?
                        .rows_affected();
                }
                for table in ["oidc_flows", "nia_link_confirmations"] {
                    n += sqlx::query(&format!("DELETE FROM {table} WHERE expires_at < $1"))
                        .bind(now)
                        .execute(&self.pool)
                        .await?
                        .rows_affected();
                }
                // Captcha one-use rows and request counters: once their token or window ended.
                for table in ["captcha_answers", "rate_counters"] {
                    n += sqlx::query(&format!("DELETE FROM {table} WHERE expires_at < $1"))
                        .bind(now)
                        .execute(&self.pool)
                        .await?
                        .rows_affected();
                }
                for table in ["registry_flows", "renewal_flows"] {
                    n += sqlx::query(&format!("DELETE FROM {table} WHERE expires_at < $1"))
                        .bind(before)
                        .execute(&self.pool)
                        .await?
                        .rows_affected();
                }
                // Reset links: a day after they were used, voided or expired.
                n += sqlx::query(
                    "DELETE FROM pin_resets WHERE expires_at < $1 OR ended_at < $1",
                )
                .bind(before)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(n)
            }

            async fn person_by_login(
                &self,
                bn_index: &[u8],
                id_card_index: &[u8],
            ) -> StoreResult<Option<super::portal::PersonView>> {
                let row = sqlx::query(
                    "SELECT id, family_name, given_name, dob, email, phone, identified, id_card_index, bn_index \
                     FROM persons WHERE bn_index = $1 AND id_card_index = $2",
                )
                .bind(bn_index)
                .bind(id_card_index)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(person_view_of).transpose()
            }

            async fn person_by_bn(
                &self,
                bn_index: &[u8],
            ) -> StoreResult<Option<super::portal::PersonView>> {
                let row = sqlx::query(
                    "SELECT id, family_name, given_name, dob, email, phone, identified, id_card_index, bn_index \
                     FROM persons WHERE bn_index = $1",
                )
                .bind(bn_index)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(person_view_of).transpose()
            }

            async fn oidc_flow_put(
                &self,
                cookie_sha256: &[u8],
                flow: &super::portal::OidcFlow,
            ) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM oidc_flows WHERE cookie_sha256 = $1")
                    .bind(cookie_sha256)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO oidc_flows (cookie_sha256, state, nonce, pkce_verifier, \
                     created_at, expires_at, purpose, user_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(cookie_sha256)
                .bind(&flow.state)
                .bind(&flow.nonce)
                .bind(&flow.pkce_verifier)
                .bind(flow.created_at)
                .bind(flow.expires_at)
                .bind(&flow.purpose)
                .bind(&flow.user_id)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn oidc_flow_take(
                &self,
                cookie_sha256: &[u8],
            ) -> StoreResult<Option<super::portal::OidcFlow>> {
                let row = sqlx::query(
                    "DELETE FROM oidc_flows WHERE cookie_sha256 = $1 \
                     RETURNING state, nonce, pkce_verifier, purpose, user_id, created_at, expires_at",
                )
                .bind(cookie_sha256)
                .fetch_optional(&self.pool)
                .await?;
                match row {
                    Some(r) => Ok(Some(super::portal::OidcFlow {
                        state: col(&r, "state")?,
                        nonce: col(&r, "nonce")?,
                        pkce_verifier: col(&r, "pkce_verifier")?,
                        purpose: col(&r, "purpose")?,
                        user_id: col(&r, "user_id")?,
                        created_at: col(&r, "created_at")?,
                        expires_at: col(&r, "expires_at")?,
                    })),
                    None => Ok(None),
                }
            }

            async fn person(&self, id: &str) -> StoreResult<Option<super::portal::PersonView>> {
                let row = sqlx::query(
                    "SELECT id, family_name, given_name, dob, email, phone, identified, id_card_index, bn_index \
                     FROM persons WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(person_view_of).transpose()
            }

            async fn contact_proposals(
                &self,
                person_id: &str,
            ) -> StoreResult<Vec<super::portal::ContactProposal>> {
                let rows = sqlx::query(
                    "SELECT r.id, o.name AS org_name, r.created_at, \
                     CASE WHEN r.phone <> COALESCE(p.phone, '') THEN r.phone END AS phone, \
                     CASE WHEN r.email <> COALESCE(p.email, '') THEN r.email END AS email \
                     FROM records r JOIN persons p ON p.id = r.person_id \
                     JOIN organisations o ON o.id = r.org_id \
                     WHERE r.person_id = $1 AND (r.phone <> COALESCE(p.phone, '') \
                       OR r.email <> COALESCE(p.email, '')) \
                     ORDER BY r.seq DESC LIMIT 10",
                )
                .bind(person_id)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(super::portal::ContactProposal {
                            record_id: col(r, "id")?,
                            org_name: col(r, "org_name")?,
                            phone: col(r, "phone")?,
                            email: col(r, "email")?,
                            created_at: col(r, "created_at")?,
                        })
                    })
                    .collect()
            }

            async fn citizen_records(
                &self,
                person_id: &str,
            ) -> StoreResult<Vec<(RecordRow, String)>> {
                let sql = format!(
                    "SELECT q.*, o.name AS org_name FROM ({RECORD_SELECT} WHERE r.person_id = $1) q \
                     JOIN organisations o ON o.id = q.org_id ORDER BY q.created_at, q.id"
                );
                let rows = sqlx::query(&sql)
                    .bind(person_id)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter()
                    .map(|r| Ok((record_of(r)?, col(r, "org_name")?)))
                    .collect()
            }

            async fn person_certificate(
                &self,
                person_id: &str,
                certificate_id: &str,
            ) -> StoreResult<Option<CertificateRow>> {
                let row = sqlx::query(&format!(
                    "SELECT {CERT_COLUMNS} FROM certificates c WHERE c.id = $1 AND c.person_id = $2"
                ))
                .bind(certificate_id)
                .bind(person_id)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(certificate_of).transpose()
            }

            async fn set_contact(
                &self,
                owner: super::portal::ContactOwner<'_>,
                field: super::portal::ContactField,
                value: &str,
                notice: Option<&super::MessageWrite>,
                audit: &AuditEvent,
                now: i64,
            ) -> StoreResult<()> {
                use super::portal::{ContactField, ContactOwner};
                let mut tx = self.pool.begin().await?;
                match owner {
                    ContactOwner::Person(id) => {
                        let sql = match field {
                            ContactField::Email => {
                                "UPDATE persons SET email = $1, updated_at = $2 WHERE id = $3"
                            }
                            ContactField::Phone => {
                                "UPDATE persons SET phone = $1, updated_at = $2 WHERE id = $3"
                            }
                        };
                        sqlx::query(sql).bind(value).bind(now).bind(id)
                    }
                    ContactOwner::User(id) => {
                        let sql = match field {
                            ContactField::Email => {
                                "UPDATE registry_users SET email = $1 WHERE id = $2"
                            }
                            ContactField::Phone => {
                                "UPDATE registry_users SET phone = $1 WHERE id = $2"
                            }
                        };
                        sqlx::query(sql).bind(value).bind(id)
                    }
                }
                .execute(&mut *tx)
                .await?;
                if let Some(m) = notice {
                    insert_outbox(&self.outbox_key, &mut *tx, m, None, now).await?;
                }
                insert_audit(&mut *tx, audit, now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn legacy_by_token(
                &self,
                token_sha256: &[u8],
            ) -> StoreResult<Option<super::portal::LegacyRow>> {
                let row = sqlx::query(
                    "SELECT l.id, l.record_id, r.person_id, r.kind, l.certificate_id, \
                     l.downloads, l.expires_at, l.revoked_at FROM legacy_certificates l \
                     JOIN records r ON r.id = l.record_id WHERE l.token_sha256 = $1",
                )
                .bind(token_sha256)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(legacy_of).transpose()
            }

            async fn legacy_by_id(&self, id: i64) -> StoreResult<Option<super::portal::LegacyRow>> {
                let row = sqlx::query(
                    "SELECT l.id, l.record_id, r.person_id, r.kind, l.certificate_id, \
                     l.downloads, l.expires_at, l.revoked_at FROM legacy_certificates l \
                     JOIN records r ON r.id = l.record_id WHERE l.id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(legacy_of).transpose()
            }

            async fn legacy_issue(
                &self,
                legacy: &super::portal::LegacyRow,
                c: &CertificateWrite,
                audit: &[AuditEvent],
                now: i64,
            ) -> StoreResult<bool> {
                let mut tx = self.pool.begin().await?;
                insert_certificate(&mut tx, &legacy.record_id, &legacy.person_id, c, now).await?;
                let bound = sqlx::query(
                    "UPDATE legacy_certificates SET certificate_id = $1 \
                     WHERE id = $2 AND certificate_id IS NULL",
                )
                .bind(&c.id)
                .bind(legacy.id)
                .execute(&mut *tx)
                .await?;
                if bound.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                for a in audit {
                    insert_audit(&mut *tx, a, now).await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn legacy_download(&self, id: i64, max: i64) -> StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE legacy_certificates SET downloads = downloads + 1 \
                     WHERE id = $1 AND downloads < $2",
                )
                .bind(id)
                .bind(max)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn legacy_revoke(&self, legacy_ref: &[u8], now: i64) -> StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE legacy_certificates SET revoked_at = $1 \
                     WHERE legacy_ref = $2 AND revoked_at IS NULL",
                )
                .bind(now)
                .bind(legacy_ref)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn certificate(&self, id: &str) -> StoreResult<Option<CertificateRow>> {
                let row = sqlx::query(&format!(
                    "SELECT {CERT_COLUMNS} FROM certificates c WHERE c.id = $1"
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(certificate_of).transpose()
            }
        }
    };
}

pub(super) use portal_store;
