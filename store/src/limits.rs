//! Storage that anonymous requests write, each with a bound that holds whatever the number of
//! clients (DESIGN.md "Anonymous work is bounded"): the one-use rows of submitted captcha
//! answers and the per-key request counters. The SQL is shared by SQLite and PostgreSQL through
//! [`limit_store`].

use async_trait::async_trait;

use super::StoreResult;

/// What taking a captcha challenge's one-use row found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerSlot {
    /// The first answer to this challenge: its row is written now.
    First,
    /// The challenge was answered before.
    Used,
    /// The table holds its cap of unexpired rows: nothing was written.
    Full,
}

/// What counting a request found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Counted: the key's requests in the window, this one included.
    Yes(i64),
    /// The key has its allowed number of requests in the window: nothing was written.
    Limited,
    /// The key is new in the window and the window already counts its cap of keys: nothing
    /// was written but the count of refused keys.
    Full,
}

/// Captcha one-use rows and request counters.
#[async_trait]
pub trait LimitStore: Send + Sync {
    /// Writes the one-use row of a captcha challenge (a unique insert, so a second answer to
    /// the same challenge is [`AnswerSlot::Used`]). When the table holds `max_rows` rows, its
    /// expired rows are deleted first; if `max_rows` unexpired rows remain, nothing is written.
    async fn captcha_answer_take(
        &self,
        challenge_id: &[u8],
        expires_at: i64,
        now: i64,
        max_rows: i64,
    ) -> StoreResult<AnswerSlot>;

    /// The count of a key in the window of `window_secs` before the one starting at
    /// `window_start` (0 when it has none).
    async fn rate_previous(
        &self,
        kind: &str,
        key: &[u8],
        window_start: i64,
        window_secs: i64,
    ) -> StoreResult<i64>;

    /// Counts one request of a key in a window if the key has fewer than `below` requests in
    /// it, atomically (two instances cannot both take the last one): one row per kind, key and
    /// window, deleted by `purge` after `expires_at`. A key new in the window is counted only
    /// while fewer than `max_keys` keys have a row in it (counted in the window's row with the
    /// empty key).
    async fn rate_count(
        &self,
        kind: &str,
        key: &[u8],
        window_start: i64,
        expires_at: i64,
        below: i64,
        max_keys: i64,
    ) -> StoreResult<Counted>;
}

macro_rules! limit_store {
    ($store:ident) => {
        #[async_trait::async_trait]
        impl super::limits::LimitStore for $store {
            async fn captcha_answer_take(
                &self,
                challenge_id: &[u8],
                expires_at: i64,
                now: i64,
                max_rows: i64,
            ) -> StoreResult<super::limits::AnswerSlot> {
                use super::limits::AnswerSlot;
                let count = || async {
                    let row = sqlx::query("SELECT COUNT(*) AS n FROM captcha_answers")
                        .fetch_one(&self.pool)
                        .await?;
                    col::<i64, _>(&row, "n")
                };
                if count().await? >= max_rows {
                    sqlx::query("DELETE FROM captcha_answers WHERE expires_at < $1")
                        .bind(now)
                        .execute(&self.pool)
                        .await?;
                    if count().await? >= max_rows {
                        return Ok(AnswerSlot::Full);
                    }
                }
                let done = sqlx::query(
                    "INSERT INTO captcha_answers (challenge_id, expires_at) VALUES ($1, $2) \
                     ON CONFLICT (challenge_id) DO NOTHING",
                )
                .bind(challenge_id)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(if done.rows_affected() == 1 {
                    AnswerSlot::First
                } else {
                    AnswerSlot::Used
                })
            }

            async fn rate_previous(
                &self,
                kind: &str,
                key: &[u8],
                window_start: i64,
                window_secs: i64,
            ) -> StoreResult<i64> {
                let row = sqlx::query(
                    "SELECT n FROM rate_counters \
                     WHERE kind = $1 AND key = $2 AND window_start = $3",
                )
                .bind(kind)
                .bind(key)
                .bind(window_start - window_secs)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map_or(Ok(0), |r| col(r, "n"))
            }

            async fn rate_count(
                &self,
                kind: &str,
                key: &[u8],
                window_start: i64,
                expires_at: i64,
                below: i64,
                max_keys: i64,
            ) -> StoreResult<super::limits::Counted> {
                use super::limits::Counted;
                if below <= 0 {
                    return Ok(Counted::Limited);
                }
                let mut tx = self.pool.begin().await?;
                // The check and the increment in one statement: the row is locked while it runs.
                let bumped = sqlx::query(
                    "UPDATE rate_counters SET n = n + 1 \
                     WHERE kind = $1 AND key = $2 AND window_start = $3 AND n < $4 RETURNING n",
                )
                .bind(kind)
                .bind(key)
                .bind(window_start)
                .bind(below)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(r) = bumped {
                    let n: i64 = col(&r, "n")?;
                    tx.commit().await?;
                    return Ok(Counted::Yes(n));
                }
                let known = sqlx::query(
                    "SELECT n FROM rate_counters \
                     WHERE kind = $1 AND key = $2 AND window_start = $3",
                )
                .bind(kind)
                .bind(key)
                .bind(window_start)
                .fetch_optional(&mut *tx)
                .await?;
                if known.is_some() {
                    tx.commit().await?;
                    return Ok(Counted::Limited);
                }
                // A key new in this window: the window's row with the empty key counts them,
                // refused ones included (that one row tells how large a flood was).
                let keys: i64 = col(
                    &sqlx::query(
                        "INSERT INTO rate_counters (kind, key, window_start, expires_at, n) \
                         VALUES ($1, $2, $3, $4, 1) ON CONFLICT (kind, key, window_start) \
                         DO UPDATE SET n = rate_counters.n + 1 RETURNING n",
                    )
                    .bind(kind)
                    .bind(&[] as &[u8])
                    .bind(window_start)
                    .bind(expires_at)
                    .fetch_one(&mut *tx)
                    .await?,
                    "n",
                )?;
                if keys > max_keys {
                    tx.commit().await?;
                    return Ok(Counted::Full);
                }
                // Another instance may have inserted the key meanwhile: then the same limit.
                let counted = sqlx::query(
                    "INSERT INTO rate_counters (kind, key, window_start, expires_at, n) \
                     VALUES ($1, $2, $3, $4, 1) ON CONFLICT (kind, key, window_start) \
                     DO UPDATE SET n = rate_counters.n + 1 WHERE rate_counters.n < $5 \
                     RETURNING n",
                )
                .bind(kind)
                .bind(key)
                .bind(window_start)
                .bind(expires_at)
                .bind(below)
                .fetch_optional(&mut *tx)
                .await?;
                tx.commit().await?;
                match counted {
                    Some(r) => Ok(Counted::Yes(col(&r, "n")?)),
                    None => Ok(Counted::Limited),
                }
            }
        }
    };
}

pub(super) use limit_store;
