//! Web sessions of citizens and of registry users: one set of statements for both kinds. Each
//! kind keeps its own table, whose owner column references its own accounts (`persons`,
//! `registry_users`); the kind picks the table and the owner column, nothing else differs.

use async_trait::async_trait;

use super::{AuditEvent, StoreResult};

/// Whose session: the kind names the table and the owner column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// A citizen of the portal; the owner is a person id (`web_sessions`).
    Citizen,
    /// A registry user; the owner is a user id (`registry_sessions`).
    Registry,
}

impl SessionKind {
    /// Both kinds, for work over every session table (the purge).
    pub const ALL: [SessionKind; 2] = [SessionKind::Citizen, SessionKind::Registry];

    /// The table holding this kind's sessions.
    pub(crate) fn table(self) -> &'static str {
        match self {
            SessionKind::Citizen => "web_sessions",
            SessionKind::Registry => "registry_sessions",
        }
    }

    /// The column naming the owner (a foreign key to the kind's accounts).
    pub(crate) fn owner_column(self) -> &'static str {
        match self {
            SessionKind::Citizen => "person_id",
            SessionKind::Registry => "user_id",
        }
    }
}

/// A stored session. Holds no secret: the cookie is known only by its digest, the row's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// The person (citizen) or user (registry) logged in.
    pub owner_id: String,
    /// Created at.
    pub created_at: i64,
    /// Last request.
    pub last_seen_at: i64,
    /// Absolute end.
    pub expires_at: i64,
    /// When a one-time code was last entered in this session.
    pub otp_verified_at: i64,
}

/// One session of an owner as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionListed {
    /// SHA-256 of the cookie.
    pub id_sha256: Vec<u8>,
    /// Created at.
    pub created_at: i64,
    /// Last request.
    pub last_seen_at: i64,
}

/// Session storage, the kind chosen per call.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Creates a session with its audit event, in one transaction.
    async fn session_create(
        &self,
        kind: SessionKind,
        id_sha256: &[u8],
        owner_id: &str,
        now: i64,
        expires_at: i64,
        audit: &AuditEvent,
    ) -> StoreResult<()>;
    /// The session with this digest.
    async fn session(&self, kind: SessionKind, id_sha256: &[u8])
        -> StoreResult<Option<SessionRow>>;
    /// Records activity (and, when given, a freshly entered one-time code).
    async fn session_touch(
        &self,
        kind: SessionKind,
        id_sha256: &[u8],
        now: i64,
        otp_verified_at: Option<i64>,
    ) -> StoreResult<()>;
    /// Ends a session.
    async fn session_end(&self, kind: SessionKind, id_sha256: &[u8]) -> StoreResult<()>;
    /// An owner's sessions, newest activity first.
    async fn sessions_of(
        &self,
        kind: SessionKind,
        owner_id: &str,
    ) -> StoreResult<Vec<SessionListed>>;
    /// Ends every session of an owner; returns how many ended.
    async fn sessions_end_all(&self, kind: SessionKind, owner_id: &str) -> StoreResult<u64>;
}

macro_rules! session_store {
    ($store:ident) => {
        #[async_trait::async_trait]
        impl super::session::SessionStore for $store {
            async fn session_create(
                &self,
                kind: super::session::SessionKind,
                id_sha256: &[u8],
                owner_id: &str,
                now: i64,
                expires_at: i64,
                audit: &AuditEvent,
            ) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(&format!(
                    "INSERT INTO {} (id_sha256, {}, created_at, last_seen_at, expires_at, \
                     otp_verified_at) VALUES ($1, $2, $3, $3, $4, $3)",
                    kind.table(),
                    kind.owner_column(),
                ))
                .bind(id_sha256)
                .bind(owner_id)
                .bind(now)
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
                insert_audit(&mut *tx, audit, now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn session(
                &self,
                kind: super::session::SessionKind,
                id_sha256: &[u8],
            ) -> StoreResult<Option<super::session::SessionRow>> {
                let row = sqlx::query(&format!(
                    "SELECT {} AS owner_id, created_at, last_seen_at, expires_at, \
                     otp_verified_at FROM {} WHERE id_sha256 = $1",
                    kind.owner_column(),
                    kind.table(),
                ))
                .bind(id_sha256)
                .fetch_optional(&self.pool)
                .await?;
                match row {
                    Some(r) => Ok(Some(super::session::SessionRow {
                        owner_id: col(&r, "owner_id")?,
                        created_at: col(&r, "created_at")?,
                        last_seen_at: col(&r, "last_seen_at")?,
                        expires_at: col(&r, "expires_at")?,
                        otp_verified_at: col(&r, "otp_verified_at")?,
                    })),
                    None => Ok(None),
                }
            }

            async fn session_touch(
                &self,
                kind: super::session::SessionKind,
                id_sha256: &[u8],
                now: i64,
                otp_verified_at: Option<i64>,
            ) -> StoreResult<()> {
                sqlx::query(&format!(
                    "UPDATE {} SET last_seen_at = $2, \
                     otp_verified_at = COALESCE($3, otp_verified_at) WHERE id_sha256 = $1",
                    kind.table(),
                ))
                .bind(id_sha256)
                .bind(now)
                .bind(otp_verified_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn session_end(
                &self,
                kind: super::session::SessionKind,
                id_sha256: &[u8],
            ) -> StoreResult<()> {
                sqlx::query(&format!(
                    "DELETE FROM {} WHERE id_sha256 = $1",
                    kind.table()
                ))
                .bind(id_sha256)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn sessions_of(
                &self,
                kind: super::session::SessionKind,
                owner_id: &str,
            ) -> StoreResult<Vec<super::session::SessionListed>> {
                let rows = sqlx::query(&format!(
                    "SELECT id_sha256, created_at, last_seen_at FROM {} \
                     WHERE {} = $1 ORDER BY last_seen_at DESC",
                    kind.table(),
                    kind.owner_column(),
                ))
                .bind(owner_id)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(super::session::SessionListed {
                            id_sha256: col(r, "id_sha256")?,
                            created_at: col(r, "created_at")?,
                            last_seen_at: col(r, "last_seen_at")?,
                        })
                    })
                    .collect()
            }

            async fn sessions_end_all(
                &self,
                kind: super::session::SessionKind,
                owner_id: &str,
            ) -> StoreResult<u64> {
                Ok(sqlx::query(&format!(
                    "DELETE FROM {} WHERE {} = $1",
                    kind.table(),
                    kind.owner_column(),
                ))
                .bind(owner_id)
                .execute(&self.pool)
                .await?
                .rows_affected())
            }
        }
    };
}

pub(super) use session_store;
