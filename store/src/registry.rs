//! Storage of registry users (issue #9): accounts, registrations between their SMS code and
//! their contact details, PIN changes and resets. The SQL is shared by SQLite and PostgreSQL
//! through [`registry_store`].

use async_trait::async_trait;

use super::{AuditEvent, StoreResult};

/// A registry user's account.
#[derive(Clone)]
pub struct UserRow {
    /// Random id.
    pub id: String,
    /// The username (8 Crockford base32 characters).
    pub username: String,
    /// Name as entered at registration.
    pub display_name: String,
    /// Mobile number (E.164).
    pub phone: String,
    /// E-mail address.
    pub email: String,
    /// `sms` or `email`.
    pub otp_channel: String,
    /// argon2id PHC string.
    pub pin_hash: String,
    /// When suspended by an operator.
    pub suspended_at: Option<i64>,
    /// Whether a NIA identity is linked to the account (issue #21).
    pub nia_linked: bool,
}

impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("otp_channel", &self.otp_channel)
            .finish_non_exhaustive()
    }
}

/// A new account.
pub struct UserWrite {
    /// Random id.
    pub id: String,
    /// Username.
    pub username: String,
    /// Keyed index of the birth number.
    pub bn_index: Vec<u8>,
    /// Name.
    pub display_name: String,
    /// Mobile number.
    pub phone: String,
    /// E-mail address.
    pub email: String,
    /// `sms` or `email`.
    pub otp_channel: String,
    /// argon2id PHC string.
    pub pin_hash: String,
}

/// A registration in progress.
#[derive(Clone)]
pub struct RegFlow {
    /// Keyed index of the birth number.
    pub bn_index: Vec<u8>,
    /// The phone the code went to.
    pub phone: String,
    /// The birth date the birth number encodes (`YYYY-MM-DD`), for the PIN blocklist.
    pub birth_date: Option<String>,
    /// When the SMS code was entered.
    pub verified_at: Option<i64>,
    /// Expiry.
    pub expires_at: i64,
}

/// What finishing a registration did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registered {
    /// A new account.
    Created,
    /// The birth number had an account: its holder was notified instead.
    Existing,
}

/// What linking a NIA identity to an account did (issue #21): one account per person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NiaLink {
    /// Linked; the notices and the audit event are written.
    Linked,
    /// The account has a linked identity already (unlink it first).
    AccountLinked,
    /// Another account was registered with this birth number.
    RegisteredElsewhere,
    /// Another account has this identity linked.
    LinkedElsewhere,
}

/// Registry-user storage.
#[async_trait]
pub trait RegistryStore: Send + Sync {
    /// Starts (or restarts) the registration of a flow.
    async fn reg_flow_put(&self, flow_sha256: &[u8], flow: &RegFlow, now: i64) -> StoreResult<()>;
    /// The registration of a flow.
    async fn reg_flow(&self, flow_sha256: &[u8]) -> StoreResult<Option<RegFlow>>;
    /// Marks the flow's SMS code entered.
    async fn reg_flow_verified(&self, flow_sha256: &[u8], now: i64) -> StoreResult<()>;
    /// Finishes a registration in one transaction: deletes the flow and either creates the
    /// account (when no account has the birth number) or enqueues `existing_notice` for the
    /// existing one (its recipient is filled in from the account's e-mail); `created_notice`
    /// goes out only for a new account. Audited either way. `None` when the flow has no
    /// verified registration (its code was not entered, or it finished already).
    async fn register(
        &self,
        flow_sha256: &[u8],
        user: &UserWrite,
        created_notice: &super::MessageWrite,
        existing_notice: &super::MessageWrite,
        now: i64,
    ) -> StoreResult<Option<Registered>>;

    /// The account with this username.
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRow>>;
    /// An account by id.
    async fn user(&self, id: &str) -> StoreResult<Option<UserRow>>;
    /// The account registered with this birth-number index (NIA login).
    async fn user_by_bn_index(&self, bn_index: &[u8]) -> StoreResult<Option<UserRow>>;
    /// The account of a NIA identity (its birth-number index), in one query: the account
    /// registered with it, else the one that linked it.
    async fn user_by_nia_identity(&self, bn_index: &[u8]) -> StoreResult<Option<UserRow>>;
    /// Links the NIA identity `nia_index` to an account in one transaction, refusing when the
    /// account has one linked or when another account was registered with that index or has it
    /// linked; on success enqueues `notices` (recipients filled in as for
    /// [`RegistryStore::reset_finish`]) and writes the audit event.
    async fn nia_link(
        &self,
        user_id: &str,
        nia_index: &[u8],
        notices: &[super::MessageWrite],
        audit: &AuditEvent,
        now: i64,
    ) -> StoreResult<NiaLink>;
    /// Removes the account's linked NIA identity in one transaction with the notices and the
    /// audit event; false (and nothing written) when none was linked.
    async fn nia_unlink(
        &self,
        user_id: &str,
        notices: &[super::MessageWrite],
        audit: &AuditEvent,
        now: i64,
    ) -> StoreResult<bool>;
    /// Keeps a verified NIA identity for the confirmation of the user who asked to link it,
    /// under the digest of the request's NIA cookie (replacing an older one of that cookie).
    async fn nia_link_park(
        &self,
        cookie_sha256: &[u8],
        user_id: &str,
        nia_index: &[u8],
        expires_at: i64,
    ) -> StoreResult<()>;
    /// Takes (reads and deletes: once) the identity kept under a cookie digest: the user who
    /// asked and the index, when it has not expired at `now`.
    async fn nia_link_take(
        &self,
        cookie_sha256: &[u8],
        now: i64,
    ) -> StoreResult<Option<(String, Vec<u8>)>>;
    /// Replaces the PIN hash (a rehash with stronger parameters at login).
    async fn user_set_pin_hash(&self, id: &str, pin_hash: &str) -> StoreResult<()>;

    /// Passes a renewal flow's first step (seed 000 step 5): the typed username, normalised.
    async fn renewal_flow_put(
        &self,
        flow_sha256: &[u8],
        username: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()>;
    /// The username of an unexpired renewal flow.
    async fn renewal_flow(&self, flow_sha256: &[u8], now: i64) -> StoreResult<Option<String>>;
    /// Stores a reset link in one transaction with its e-mail and audit event, ending the
    /// user's older links (SECURITY.md 16: a newer request voids them).
    async fn reset_create(
        &self,
        token_sha256: &[u8],
        user_id: &str,
        now: i64,
        expires_at: i64,
        mail: &super::MessageWrite,
        audit: &AuditEvent,
    ) -> StoreResult<()>;
    /// The user of an open, unexpired reset link.
    async fn reset_user(&self, token_sha256: &[u8], now: i64) -> StoreResult<Option<String>>;
    /// Sets the new PIN through a reset link in one transaction (SECURITY.md 18): ends the
    /// link (once only, before expiry) and every other open link of the user, stores the PIN
    /// hash and code channel, ends all the user's sessions, enqueues `notices` (an `sms` one
    /// goes to the user's phone, an `email` one to the e-mail; the recipients are filled in
    /// here) and writes the audit event. The user's id, or `None` when the link was not open.
    async fn reset_finish(
        &self,
        token_sha256: &[u8],
        pin_hash: &str,
        otp_channel: &str,
        notices: &[super::MessageWrite],
        audit: &AuditEvent,
        now: i64,
    ) -> StoreResult<Option<String>>;
    /// Changes a signed-in user's PIN in one transaction (SECURITY.md 8, 20): stores the hash,
    /// gives the current session (`session`) the new id `new_session`, ends the user's other
    /// sessions and open reset links, enqueues `notices` (recipients filled in as for
    /// [`RegistryStore::reset_finish`]) and audits.
    #[allow(clippy::too_many_arguments)]
    async fn pin_change(
        &self,
        user_id: &str,
        session: &[u8],
        new_session: &[u8],
        pin_hash: &str,
        notices: &[super::MessageWrite],
        audit: &AuditEvent,
        now: i64,
    ) -> StoreResult<()>;
    /// Ends every open reset link of a user (a successful login, SECURITY.md 16).
    async fn resets_end(&self, user_id: &str, now: i64) -> StoreResult<()>;
}

/// Implements [`RegistryStore`] for a store type whose `pool` is an sqlx pool; `$db` is the
/// sqlx database type.
macro_rules! registry_store {
    ($store:ident) => {
        fn user_of(row: &DbRow) -> StoreResult<super::registry::UserRow> {
            let nia_index: Option<Vec<u8>> = col(row, "nia_index")?;
            Ok(super::registry::UserRow {
                id: col(row, "id")?,
                username: col(row, "username")?,
                display_name: col(row, "display_name")?,
                phone: col(row, "phone")?,
                email: col(row, "email")?,
                otp_channel: col(row, "otp_channel")?,
                pin_hash: col(row, "pin_hash")?,
                suspended_at: col(row, "suspended_at")?,
                nia_linked: nia_index.is_some(),
            })
        }

        /// The notices to a user's stored phone and e-mail, inside a transaction.
        async fn notices_to_user_tx(
            outbox_key: &crate::seal::SealingKey,
            tx: &mut sqlx::Transaction<'_, Db>,
            phone: &str,
            email: &str,
            notices: &[super::MessageWrite],
            now: i64,
        ) -> StoreResult<()> {
            for n in notices {
                let mut n = n.clone();
                n.recipient = if n.channel == "sms" {
                    phone.to_string()
                } else {
                    email.to_string()
                };
                insert_outbox(outbox_key, &mut **tx, &n, None, now).await?;
            }
            Ok(())
        }

        /// A new PIN inside a transaction: the hash, the user's sessions (but `keep`) and open
        /// reset links ended, the notices to the stored phone and e-mail (sealed under
        /// `outbox_key`), the audit event.
        // One transaction's inputs; a struct would only rename them.
        #[allow(clippy::too_many_arguments)]
        async fn new_pin_tx(
            outbox_key: &crate::seal::SealingKey,
            tx: &mut sqlx::Transaction<'_, Db>,
            user_id: &str,
            keep: Option<&[u8]>,
            pin_hash: &str,
            notices: &[super::MessageWrite],
            audit: &AuditEvent,
            now: i64,
        ) -> StoreResult<()> {
            let user = sqlx::query(
                "UPDATE registry_users SET pin_hash = $2, pin_changed_at = $3 WHERE id = $1 \
                 RETURNING phone, email",
            )
            .bind(user_id)
            .bind(pin_hash)
            .bind(now)
            .fetch_one(&mut **tx)
            .await?;
            let phone: String = col(&user, "phone")?;
            let email: String = col(&user, "email")?;
            sqlx::query(
                "UPDATE pin_resets SET ended_at = $2 WHERE user_id = $1 AND ended_at IS NULL",
            )
            .bind(user_id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
            sqlx::query("DELETE FROM registry_sessions WHERE user_id = $1 AND id_sha256 <> $2")
                .bind(user_id)
                .bind(keep.unwrap_or_default())
                .execute(&mut **tx)
                .await?;
            notices_to_user_tx(outbox_key, tx, &phone, &email, notices, now).await?;
            insert_audit(&mut **tx, audit, now).await?;
            Ok(())
        }

        const USER_COLUMNS: &str = "id, username, display_name, phone, email, otp_channel, \
                                    pin_hash, suspended_at, nia_index";

        #[async_trait::async_trait]
        impl super::registry::RegistryStore for $store {
            async fn reg_flow_put(
                &self,
                flow_sha256: &[u8],
                f: &super::registry::RegFlow,
                now: i64,
            ) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM registry_flows WHERE flow_sha256 = $1")
                    .bind(flow_sha256)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO registry_flows (flow_sha256, bn_index, phone, birth_date, \
                     created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(flow_sha256)
                .bind(&f.bn_index)
                .bind(&f.phone)
                .bind(&f.birth_date)
                .bind(now)
                .bind(f.expires_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn reg_flow(
                &self,
                flow_sha256: &[u8],
            ) -> StoreResult<Option<super::registry::RegFlow>> {
                let row = sqlx::query(
                    "SELECT bn_index, phone, birth_date, verified_at, expires_at \
                     FROM registry_flows WHERE flow_sha256 = $1",
                )
                .bind(flow_sha256)
                .fetch_optional(&self.pool)
                .await?;
                match row {
                    Some(r) => Ok(Some(super::registry::RegFlow {
                        bn_index: col(&r, "bn_index")?,
                        phone: col(&r, "phone")?,
                        birth_date: col(&r, "birth_date")?,
                        verified_at: col(&r, "verified_at")?,
                        expires_at: col(&r, "expires_at")?,
                    })),
                    None => Ok(None),
                }
            }

            async fn reg_flow_verified(&self, flow_sha256: &[u8], now: i64) -> StoreResult<()> {
                sqlx::query("UPDATE registry_flows SET verified_at = $2 WHERE flow_sha256 = $1")
                    .bind(flow_sha256)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn register(
                &self,
                flow_sha256: &[u8],
                u: &super::registry::UserWrite,
                created_notice: &super::MessageWrite,
                existing_notice: &super::MessageWrite,
                now: i64,
            ) -> StoreResult<Option<super::registry::Registered>> {
                let mut tx = self.pool.begin().await?;
                let taken = sqlx::query(
                    "DELETE FROM registry_flows WHERE flow_sha256 = $1 AND verified_at IS NOT NULL \
                     RETURNING bn_index",
                )
                .bind(flow_sha256)
                .fetch_optional(&mut *tx)
                .await?;
                if taken.is_none() {
                    return Ok(None);
                }
                // One account per person: a birth number linked to an account counts as its own.
                let existing = sqlx::query(
                    "SELECT id, email FROM registry_users WHERE bn_index = $1 OR nia_index = $1",
                )
                    .bind(&u.bn_index)
                    .fetch_optional(&mut *tx)
                    .await?;
                let (outcome, notice, subject) = match existing {
                    Some(r) => {
                        let mut notice = existing_notice.clone();
                        notice.recipient = col(&r, "email")?;
                        let id: String = col(&r, "id")?;
                        (super::registry::Registered::Existing, notice, id)
                    }
                    None => {
                        sqlx::query(
                            "INSERT INTO registry_users (id, username, bn_index, display_name, \
                             phone, email, otp_channel, pin_hash, created_at, pin_changed_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
                        )
                        .bind(&u.id)
                        .bind(&u.username)
                        .bind(&u.bn_index)
                        .bind(&u.display_name)
                        .bind(&u.phone)
                        .bind(&u.email)
                        .bind(&u.otp_channel)
                        .bind(&u.pin_hash)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| conflict_or(e, crate::Conflict::Account))?;
                        (
                            super::registry::Registered::Created,
                            created_notice.clone(),
                            u.id.clone(),
                        )
                    }
                };
                insert_outbox(&self.outbox_key, &mut *tx, &notice, None, now).await?;
                insert_audit(
                    &mut *tx,
                    &AuditEvent {
                        event: match outcome {
                            super::registry::Registered::Created => "registry.registered",
                            super::registry::Registered::Existing => "registry.registration_existing",
                        }
                        .into(),
                        org_id: None,
                        subject: Some(subject),
                        detail: serde_json::json!({ "method": "sms" }),
                    },
                    now,
                )
                .await?;
                tx.commit().await?;
                Ok(Some(outcome))
            }

            async fn user_by_username(
                &self,
                username: &str,
            ) -> StoreResult<Option<super::registry::UserRow>> {
                let row = sqlx::query(&format!(
                    "SELECT {USER_COLUMNS} FROM registry_users WHERE username = $1"
                ))
                .bind(username)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(user_of).transpose()
            }

            async fn user(&self, id: &str) -> StoreResult<Option<super::registry::UserRow>> {
                let row = sqlx::query(&format!(
                    "SELECT {USER_COLUMNS} FROM registry_users WHERE id = $1"
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(user_of).transpose()
            }

            async fn user_by_bn_index(
                &self,
                bn_index: &[u8],
            ) -> StoreResult<Option<super::registry::UserRow>> {
                let row = sqlx::query(&format!(
                    "SELECT {USER_COLUMNS} FROM registry_users WHERE bn_index = $1"
                ))
                .bind(bn_index)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(user_of).transpose()
            }

            async fn user_by_nia_identity(
                &self,
                bn_index: &[u8],
            ) -> StoreResult<Option<super::registry::UserRow>> {
                let row = sqlx::query(&format!(
                    "SELECT {USER_COLUMNS} FROM registry_users \
                     WHERE bn_index = $1 OR nia_index = $1 \
                     ORDER BY CASE WHEN bn_index = $1 THEN 0 ELSE 1 END LIMIT 1"
                ))
                .bind(bn_index)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(user_of).transpose()
            }

            async fn nia_link(
                &self,
                user_id: &str,
                nia_index: &[u8],
                notices: &[super::MessageWrite],
                audit: &AuditEvent,
                now: i64,
            ) -> StoreResult<super::registry::NiaLink> {
                use super::registry::NiaLink;
                let mut tx = self.pool.begin().await?;
                let registered = sqlx::query(
                    "SELECT id FROM registry_users WHERE bn_index = $1 AND id <> $2",
                )
                .bind(nia_index)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
                if registered.is_some() {
                    return Ok(NiaLink::RegisteredElsewhere);
                }
                let linked = sqlx::query(
                    "SELECT id FROM registry_users WHERE nia_index = $1 AND id <> $2",
                )
                .bind(nia_index)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
                if linked.is_some() {
                    return Ok(NiaLink::LinkedElsewhere);
                }
                let updated = sqlx::query(
                    "UPDATE registry_users SET nia_index = $2 \
                     WHERE id = $1 AND nia_index IS NULL RETURNING phone, email",
                )
                .bind(user_id)
                .bind(nia_index)
                .fetch_optional(&mut *tx)
                .await;
                let row = match updated {
                    Ok(Some(row)) => row,
                    Ok(None) => return Ok(NiaLink::AccountLinked),
                    // Another account linked it a moment ago.
                    Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                        return Ok(NiaLink::LinkedElsewhere)
                    }
                    Err(e) => return Err(e.into()),
                };
                let phone: String = col(&row, "phone")?;
                let email: String = col(&row, "email")?;
                notices_to_user_tx(&self.outbox_key, &mut tx, &phone, &email, notices, now)
                    .await?;
                insert_audit(&mut *tx, audit, now).await?;
                tx.commit().await?;
                Ok(NiaLink::Linked)
            }

            async fn nia_unlink(
                &self,
                user_id: &str,
                notices: &[super::MessageWrite],
                audit: &AuditEvent,
                now: i64,
            ) -> StoreResult<bool> {
                let mut tx = self.pool.begin().await?;
                let row = sqlx::query(
                    "UPDATE registry_users SET nia_index = NULL \
                     WHERE id = $1 AND nia_index IS NOT NULL RETURNING phone, email",
                )
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    return Ok(false);
                };
                let phone: String = col(&row, "phone")?;
                let email: String = col(&row, "email")?;
                notices_to_user_tx(&self.outbox_key, &mut tx, &phone, &email, notices, now)
                    .await?;
                insert_audit(&mut *tx, audit, now).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn nia_link_park(
                &self,
                cookie_sha256: &[u8],
                user_id: &str,
                nia_index: &[u8],
                expires_at: i64,
            ) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM nia_link_confirmations WHERE cookie_sha256 = $1")
                    .bind(cookie_sha256)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO nia_link_confirmations (cookie_sha256, user_id, nia_index, \
                     expires_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(cookie_sha256)
                .bind(user_id)
                .bind(nia_index)
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn nia_link_take(
                &self,
                cookie_sha256: &[u8],
                now: i64,
            ) -> StoreResult<Option<(String, Vec<u8>)>> {
                let row = sqlx::query(
                    "DELETE FROM nia_link_confirmations WHERE cookie_sha256 = $1 \
                     RETURNING user_id, nia_index, expires_at",
                )
                .bind(cookie_sha256)
                .fetch_optional(&self.pool)
                .await?;
                let Some(r) = row else {
                    return Ok(None);
                };
                let expires_at: i64 = col(&r, "expires_at")?;
                if expires_at < now {
                    return Ok(None);
                }
                Ok(Some((col(&r, "user_id")?, col(&r, "nia_index")?)))
            }

            async fn user_set_pin_hash(&self, id: &str, pin_hash: &str) -> StoreResult<()> {
                sqlx::query("UPDATE registry_users SET pin_hash = $2 WHERE id = $1")
                    .bind(id)
                    .bind(pin_hash)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn renewal_flow_put(
                &self,
                flow_sha256: &[u8],
                username: &str,
                now: i64,
                expires_at: i64,
            ) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM renewal_flows WHERE flow_sha256 = $1")
                    .bind(flow_sha256)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO renewal_flows (flow_sha256, username, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(flow_sha256)
                .bind(username)
                .bind(now)
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn renewal_flow(
                &self,
                flow_sha256: &[u8],
                now: i64,
            ) -> StoreResult<Option<String>> {
                let row = sqlx::query(
                    "SELECT username FROM renewal_flows WHERE flow_sha256 = $1 AND expires_at >= $2",
                )
                .bind(flow_sha256)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(|r| col(r, "username")).transpose()
            }

            async fn reset_create(
                &self,
                token_sha256: &[u8],
                user_id: &str,
                now: i64,
                expires_at: i64,
                mail: &super::MessageWrite,
                audit: &AuditEvent,
            ) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "UPDATE pin_resets SET ended_at = $2 WHERE user_id = $1 AND ended_at IS NULL",
                )
                .bind(user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO pin_resets (token_sha256, user_id, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(token_sha256)
                .bind(user_id)
                .bind(now)
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
                insert_outbox(&self.outbox_key, &mut *tx, mail, None, now).await?;
                insert_audit(&mut *tx, audit, now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn reset_user(
                &self,
                token_sha256: &[u8],
                now: i64,
            ) -> StoreResult<Option<String>> {
                let row = sqlx::query(
                    "SELECT user_id FROM pin_resets \
                     WHERE token_sha256 = $1 AND ended_at IS NULL AND expires_at >= $2",
                )
                .bind(token_sha256)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(|r| col(r, "user_id")).transpose()
            }

            async fn reset_finish(
                &self,
                token_sha256: &[u8],
                pin_hash: &str,
                otp_channel: &str,
                notices: &[super::MessageWrite],
                audit: &AuditEvent,
                now: i64,
            ) -> StoreResult<Option<String>> {
                let mut tx = self.pool.begin().await?;
                let row = sqlx::query(
                    "UPDATE pin_resets SET ended_at = $2 \
                     WHERE token_sha256 = $1 AND ended_at IS NULL AND expires_at >= $2 \
                     RETURNING user_id",
                )
                .bind(token_sha256)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    return Ok(None);
                };
                let user_id: String = col(&row, "user_id")?;
                sqlx::query("UPDATE registry_users SET otp_channel = $2 WHERE id = $1")
                    .bind(&user_id)
                    .bind(otp_channel)
                    .execute(&mut *tx)
                    .await?;
                let key = &self.outbox_key;
                new_pin_tx(key, &mut tx, &user_id, None, pin_hash, notices, audit, now).await?;
                tx.commit().await?;
                Ok(Some(user_id))
            }

            async fn pin_change(
                &self,
                user_id: &str,
                session: &[u8],
                new_session: &[u8],
                pin_hash: &str,
                notices: &[super::MessageWrite],
                audit: &AuditEvent,
                now: i64,
            ) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "UPDATE registry_sessions SET id_sha256 = $3 \
                     WHERE id_sha256 = $1 AND user_id = $2",
                )
                .bind(session)
                .bind(user_id)
                .bind(new_session)
                .execute(&mut *tx)
                .await?;
                new_pin_tx(
                    &self.outbox_key,
                    &mut tx,
                    user_id,
                    Some(new_session),
                    pin_hash,
                    notices,
                    audit,
                    now,
                )
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn resets_end(&self, user_id: &str, now: i64) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE pin_resets SET ended_at = $2 WHERE user_id = $1 AND ended_at IS NULL",
                )
                .bind(user_id)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }
        }
    };
}

pub(super) use registry_store;
