//! Storage of registry users' security questions (SECURITY.md 19): three question keys per user
//! with their answers as argon2id PHC strings, replaced all three at once, and the notice to the
//! user's organisations' account managers when the questions pass a renewal. The SQL is shared
//! by SQLite and PostgreSQL through [`question_store`].

use async_trait::async_trait;

use super::{AuditEvent, MessageWrite, StoreResult};

/// One stored question and answer.
#[derive(Clone)]
pub struct AnswerRow {
    /// 1 to 3.
    pub slot: i64,
    /// The question's key (`q_question_*`).
    pub question: String,
    /// argon2id PHC string of the normalised answer.
    pub answer_hash: String,
    /// When set.
    pub set_at: i64,
}

impl std::fmt::Debug for AnswerRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnswerRow")
            .field("slot", &self.slot)
            .field("question", &self.question)
            .field("set_at", &self.set_at)
            .finish_non_exhaustive()
    }
}

/// Security-question storage.
#[async_trait]
pub trait QuestionStore: Send + Sync {
    /// Replaces the user's questions and answers by `answers` (slot, question key, answer hash)
    /// with `notice` to the user's e-mail (its recipient filled in here) and the audit event, in
    /// one transaction.
    async fn answers_set(
        &self,
        user_id: &str,
        answers: &[(i64, String, String)],
        notice: &MessageWrite,
        audit: &AuditEvent,
        now: i64,
    ) -> StoreResult<()>;
    /// The user's questions and answer hashes, by slot.
    async fn answers(&self, user_id: &str) -> StoreResult<Vec<AnswerRow>>;
    /// Enqueues `notice` (its recipient filled in here) to every approved, unsuspended account
    /// manager, other than the user, of each organisation where the user holds an approved
    /// permission, once per manager, with the audit event (its detail becomes the count), in one
    /// transaction. How many.
    async fn notify_user_managers(
        &self,
        user_id: &str,
        notice: &MessageWrite,
        audit: &AuditEvent,
        now: i64,
    ) -> StoreResult<u64>;
}

/// Implements [`QuestionStore`] for a store type whose `pool` is an sqlx pool, inside the module
/// where `sql_store!` was expanded (its `col`, `insert_outbox` and `insert_audit`).
macro_rules! question_store {
    ($store:ident) => {
        #[async_trait::async_trait]
        impl super::questions::QuestionStore for $store {
            async fn answers_set(
                &self,
                user_id: &str,
                answers: &[(i64, String, String)],
                notice: &super::MessageWrite,
                audit: &AuditEvent,
                now: i64,
            ) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                let user = sqlx::query("SELECT email FROM registry_users WHERE id = $1")
                    .bind(user_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM security_answers WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                for (slot, question, hash) in answers {
                    sqlx::query(
                        "INSERT INTO security_answers (user_id, slot, question, answer_hash, \
                         set_at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(user_id)
                    .bind(*slot)
                    .bind(question)
                    .bind(hash)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                if let Some(r) = user {
                    let message = super::MessageWrite {
                        recipient: col(&r, "email")?,
                        ..notice.clone()
                    };
                    insert_outbox(&self.outbox_key, &mut *tx, &message, None, now).await?;
                }
                insert_audit(&mut *tx, audit, now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn answers(
                &self,
                user_id: &str,
            ) -> StoreResult<Vec<super::questions::AnswerRow>> {
                let rows = sqlx::query(
                    "SELECT slot, question, answer_hash, set_at FROM security_answers \
                     WHERE user_id = $1 ORDER BY slot",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(super::questions::AnswerRow {
                            slot: col(r, "slot")?,
                            question: col(r, "question")?,
                            answer_hash: col(r, "answer_hash")?,
                            set_at: col(r, "set_at")?,
                        })
                    })
                    .collect()
            }

            async fn notify_user_managers(
                &self,
                user_id: &str,
                notice: &super::MessageWrite,
                audit: &AuditEvent,
                now: i64,
            ) -> StoreResult<u64> {
                let mut tx = self.pool.begin().await?;
                let rows = sqlx::query(
                    "SELECT DISTINCT mu.id, mu.email FROM registry_permissions p \
                     JOIN registry_permissions m ON m.org_id = p.org_id \
                     JOIN registry_users mu ON mu.id = m.user_id \
                     WHERE p.user_id = $1 AND p.state = 'approved' AND m.role = 'manager' \
                     AND m.state = 'approved' AND mu.suspended_at IS NULL AND m.user_id <> $1 \
                     ORDER BY mu.id",
                )
                .bind(user_id)
                .fetch_all(&mut *tx)
                .await?;
                let mut n = 0_u64;
                for r in &rows {
                    let message = super::MessageWrite {
                        recipient: col(r, "email")?,
                        ..notice.clone()
                    };
                    insert_outbox(&self.outbox_key, &mut *tx, &message, None, now).await?;
                    n += 1;
                }
                let audit = AuditEvent {
                    detail: serde_json::json!({ "managers": n }),
                    ..audit.clone()
                };
                insert_audit(&mut *tx, &audit, now).await?;
                tx.commit().await?;
                Ok(n)
            }
        }
    };
}

pub(super) use question_store;
