//! Storage of permissions (issue #10; seeds 001 and 003; SECURITY.md 33, 34): which registry
//! user may act for which organisation, the requests and decisions that lead there, and the
//! powers of attorney by which an organisation lets a processing organisation act for it. Every
//! change is written in one transaction with its audit event; the manager condition of a
//! decision is checked again inside its statement. The SQL is shared by SQLite and PostgreSQL
//! through [`permission_store`].

use async_trait::async_trait;

use super::{AuditEvent, Org, StoreResult};

/// Who decided when no registry user did: `dcc admin registry grant`.
pub const OPERATOR: &str = "operator";

/// A user's permission for an organisation, with the names the pages show.
#[derive(Clone)]
pub struct PermissionRow {
    /// Random id.
    pub id: String,
    /// The user.
    pub user_id: String,
    /// The user's username.
    pub username: String,
    /// The user's name.
    pub display_name: String,
    /// The organisation.
    pub org: Org,
    /// `member` or `manager`.
    pub role: String,
    /// `requested`, `approved`, `refused` or `revoked`.
    pub state: String,
    /// When last requested.
    pub requested_at: i64,
    /// When last decided.
    pub decided_at: Option<i64>,
    /// The deciding manager's user id, or [`OPERATOR`].
    pub decided_by: Option<String>,
}

impl std::fmt::Debug for PermissionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PermissionRow")
            .field("id", &self.id)
            .field("org", &self.org.id)
            .field("role", &self.role)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// A power of attorney: the agent organisation's members act for the grantor organisation
/// from `valid_from` (inclusive) to `valid_until` (exclusive) unless revoked (seed 003).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttorneyRow {
    /// Random id.
    pub id: String,
    /// The organisation that gave it.
    pub grantor: Org,
    /// The processing organisation that acts.
    pub agent: Org,
    /// The granting manager's user id, or [`OPERATOR`].
    pub created_by: String,
    /// Recorded at.
    pub created_at: i64,
    /// Start, Unix seconds.
    pub valid_from: i64,
    /// End (exclusive), Unix seconds.
    pub valid_until: i64,
    /// When revoked.
    pub revoked_at: Option<i64>,
    /// Who revoked it.
    pub revoked_by: Option<String>,
    /// The grantor's note (e.g. the reference of the signed paper).
    pub note: Option<String>,
}

impl AttorneyRow {
    /// Whether it lets the agent act at `now`.
    pub fn in_force(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.valid_from <= now && now < self.valid_until
    }
}

/// A new power of attorney.
#[derive(Debug, Clone)]
pub struct AttorneyWrite {
    /// Random id.
    pub id: String,
    /// The organisation that gives it.
    pub grantor_org_id: i64,
    /// The processing organisation.
    pub agent_org_id: i64,
    /// Start, Unix seconds.
    pub valid_from: i64,
    /// End (exclusive), Unix seconds.
    pub valid_until: i64,
    /// The grantor's note.
    pub note: Option<String>,
}

/// Why a user may act for an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authority {
    /// An approved permission for the organisation itself.
    Direct,
    /// An approved permission for an agent organisation holding this power of attorney.
    Attorney(String),
}

/// The EXISTS clause "user `user` is an approved, unsuspended manager of organisation `org`";
/// both arguments are SQL expressions (a placeholder or a column).
pub(super) fn manager_clause(user: &str, org: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM registry_permissions m JOIN registry_users mu ON mu.id = m.user_id \
         WHERE m.user_id = {user} AND m.org_id = {org} AND m.role = 'manager' \
         AND m.state = 'approved' AND mu.suspended_at IS NULL)"
    )
}

/// The columns of a [`PermissionRow`].
pub(super) const PERMISSION_SELECT: &str = "SELECT p.id, p.user_id, u.username, u.display_name, \
     p.org_id, o.ico, o.name AS org_name, p.role, p.state, p.requested_at, p.decided_at, \
     p.decided_by FROM registry_permissions p JOIN registry_users u ON u.id = p.user_id \
     JOIN organisations o ON o.id = p.org_id";

/// The columns of an [`AttorneyRow`].
pub(super) const ATTORNEY_SELECT: &str = "SELECT a.id, a.grantor_org_id, g.ico AS grantor_ico, \
     g.name AS grantor_name, a.agent_org_id, t.ico AS agent_ico, t.name AS agent_name, \
     a.created_by, a.created_at, a.valid_from, a.valid_until, a.revoked_at, a.revoked_by, \
     a.note FROM powers_of_attorney a JOIN organisations g ON g.id = a.grantor_org_id \
     JOIN organisations t ON t.id = a.agent_org_id";

/// Permission storage.
#[async_trait]
pub trait PermissionStore: Send + Sync {
    /// A user asks to act for an organisation (as a member): a new row, or a refused or revoked
    /// row back to `requested`, with its audit event and `notice` to each approved, unsuspended
    /// manager of the organisation but the requester (its recipient filled in from their
    /// e-mail). False when the user has a pending request or an approved permission for it
    /// already (nothing changes).
    async fn permission_request(
        &self,
        id: &str,
        user_id: &str,
        org_id: i64,
        notice: &super::MessageWrite,
        audit: &AuditEvent,
        now: i64,
    ) -> StoreResult<bool>;
    /// A permission by id.
    async fn permission(&self, id: &str) -> StoreResult<Option<PermissionRow>>;
    /// The user's permission for the organisation, in whatever state.
    async fn permission_of(&self, user_id: &str, org_id: i64)
        -> StoreResult<Option<PermissionRow>>;
    /// The user's permissions, by organisation name.
    async fn user_permissions(&self, user_id: &str) -> StoreResult<Vec<PermissionRow>>;
    /// The organisation's permissions, oldest request first.
    async fn org_permissions(&self, org_id: i64) -> StoreResult<Vec<PermissionRow>>;
    /// Whether the user is an approved, unsuspended manager of the organisation.
    async fn is_manager(&self, user_id: &str, org_id: i64) -> StoreResult<bool>;
    /// Moves a permission from state `from` to `to` with its audit event, in one transaction.
    /// With `manager` the statement matches only when that user is an approved manager of the
    /// permission's organisation and not its holder (SECURITY.md 34); without, the operator
    /// decides. `notice` goes to the permission holder's e-mail (filled in here). False when
    /// nothing matched (nothing is written).
    #[allow(clippy::too_many_arguments)] // One transaction's inputs; a struct would only rename them.
    async fn permission_decide(
        &self,
        id: &str,
        from: &str,
        to: &str,
        manager: Option<&str>,
        notice: Option<&super::MessageWrite>,
        audit: &AuditEvent,
        now: i64,
    ) -> StoreResult<bool>;
    /// The operator's grant: the user's permission for the organisation becomes approved with
    /// `role`, whatever it was, with its audit event.
    async fn permission_grant(
        &self,
        id: &str,
        user_id: &str,
        org_id: i64,
        role: &str,
        audit: &AuditEvent,
        now: i64,
    ) -> StoreResult<()>;
    /// Why the user may act for the organisation at `now`: an approved permission for it, or one
    /// for an agent organisation holding a power of attorney in force. `None`: not at all.
    async fn authority(
        &self,
        user_id: &str,
        org_id: i64,
        now: i64,
    ) -> StoreResult<Option<Authority>>;
    /// Records a power of attorney with its audit event. With `manager` only when that user is
    /// an approved manager of the grantor; false when not (nothing is written).
    async fn attorney_grant(
        &self,
        a: &AttorneyWrite,
        manager: Option<&str>,
        audit: &AuditEvent,
        now: i64,
    ) -> StoreResult<bool>;
    /// A power of attorney by id.
    async fn attorney(&self, id: &str) -> StoreResult<Option<AttorneyRow>>;
    /// The powers of attorney the organisation gave or holds, newest first.
    async fn org_attorneys(&self, org_id: i64) -> StoreResult<Vec<AttorneyRow>>;
    /// Revokes a power of attorney with its audit event; with `manager` only when that user is
    /// an approved manager of the grantor. False when nothing matched (unknown, revoked
    /// already, or not a manager).
    async fn attorney_revoke(
        &self,
        id: &str,
        manager: Option<&str>,
        audit: &AuditEvent,
        now: i64,
    ) -> StoreResult<bool>;
}

/// Implements [`PermissionStore`] for a store type whose `pool` is an sqlx pool, inside the
/// module where `sql_store!` was expanded (its `col`, `DbRow` and `insert_audit`).
macro_rules! permission_store {
    ($store:ident) => {
        fn permission_of_row(row: &DbRow) -> StoreResult<super::permissions::PermissionRow> {
            Ok(super::permissions::PermissionRow {
                id: col(row, "id")?,
                user_id: col(row, "user_id")?,
                username: col(row, "username")?,
                display_name: col(row, "display_name")?,
                org: Org {
                    id: col(row, "org_id")?,
                    ico: col(row, "ico")?,
                    name: col(row, "org_name")?,
                },
                role: col(row, "role")?,
                state: col(row, "state")?,
                requested_at: col(row, "requested_at")?,
                decided_at: col(row, "decided_at")?,
                decided_by: col(row, "decided_by")?,
            })
        }

        fn attorney_of_row(row: &DbRow) -> StoreResult<super::permissions::AttorneyRow> {
            Ok(super::permissions::AttorneyRow {
                id: col(row, "id")?,
                grantor: Org {
                    id: col(row, "grantor_org_id")?,
                    ico: col(row, "grantor_ico")?,
                    name: col(row, "grantor_name")?,
                },
                agent: Org {
                    id: col(row, "agent_org_id")?,
                    ico: col(row, "agent_ico")?,
                    name: col(row, "agent_name")?,
                },
                created_by: col(row, "created_by")?,
                created_at: col(row, "created_at")?,
                valid_from: col(row, "valid_from")?,
                valid_until: col(row, "valid_until")?,
                revoked_at: col(row, "revoked_at")?,
                revoked_by: col(row, "revoked_by")?,
                note: col(row, "note")?,
            })
        }

        #[async_trait::async_trait]
        impl super::permissions::PermissionStore for $store {
            async fn permission_request(
                &self,
                id: &str,
                user_id: &str,
                org_id: i64,
                notice: &super::MessageWrite,
                audit: &AuditEvent,
                now: i64,
            ) -> StoreResult<bool> {
                let mut tx = self.pool.begin().await?;
                let existing = sqlx::query(
                    "SELECT state FROM registry_permissions WHERE user_id = $1 AND org_id = $2",
                )
                .bind(user_id)
                .bind(org_id)
                .fetch_optional(&mut *tx)
                .await?;
                match existing {
                    None => {
                        sqlx::query(
                            "INSERT INTO registry_permissions (id, user_id, org_id, role, state, \
                             requested_at) VALUES ($1, $2, $3, 'member', 'requested', $4)",
                        )
                        .bind(id)
                        .bind(user_id)
                        .bind(org_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| conflict_or(e, crate::Conflict::PermissionRequest))?;
                    }
                    Some(row) => {
                        let state: String = col(&row, "state")?;
                        if state == "requested" || state == "approved" {
                            return Ok(false);
                        }
                        let done = sqlx::query(
                            "UPDATE registry_permissions SET role = 'member', \
                             state = 'requested', requested_at = $3, decided_at = NULL, \
                             decided_by = NULL WHERE user_id = $1 AND org_id = $2 \
                             AND state IN ('refused', 'revoked')",
                        )
                        .bind(user_id)
                        .bind(org_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        if done.rows_affected() != 1 {
                            return Ok(false);
                        }
                    }
                }
                let managers = sqlx::query(
                    "SELECT DISTINCT mu.email FROM registry_permissions m \
                     JOIN registry_users mu ON mu.id = m.user_id \
                     WHERE m.org_id = $1 AND m.role = 'manager' AND m.state = 'approved' \
                     AND mu.suspended_at IS NULL AND m.user_id <> $2 ORDER BY mu.email",
                )
                .bind(org_id)
                .bind(user_id)
                .fetch_all(&mut *tx)
                .await?;
                for m in &managers {
                    let message = super::MessageWrite {
                        recipient: col(m, "email")?,
                        ..notice.clone()
                    };
                    insert_outbox(&self.outbox_key, &mut *tx, &message, None, now).await?;
                }
                insert_audit(&mut *tx, audit, now).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn permission(
                &self,
                id: &str,
            ) -> StoreResult<Option<super::permissions::PermissionRow>> {
                let sql = format!("{} WHERE p.id = $1", super::permissions::PERMISSION_SELECT);
                let row = sqlx::query(&sql)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(permission_of_row).transpose()
            }

            async fn permission_of(
                &self,
                user_id: &str,
                org_id: i64,
            ) -> StoreResult<Option<super::permissions::PermissionRow>> {
                let sql = format!(
                    "{} WHERE p.user_id = $1 AND p.org_id = $2",
                    super::permissions::PERMISSION_SELECT
                );
                let row = sqlx::query(&sql)
                    .bind(user_id)
                    .bind(org_id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(permission_of_row).transpose()
            }

            async fn user_permissions(
                &self,
                user_id: &str,
            ) -> StoreResult<Vec<super::permissions::PermissionRow>> {
                let sql = format!(
                    "{} WHERE p.user_id = $1 ORDER BY o.name, o.ico",
                    super::permissions::PERMISSION_SELECT
                );
                let rows = sqlx::query(&sql)
                    .bind(user_id)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(permission_of_row).collect()
            }

            async fn org_permissions(
                &self,
                org_id: i64,
            ) -> StoreResult<Vec<super::permissions::PermissionRow>> {
                let sql = format!(
                    "{} WHERE p.org_id = $1 ORDER BY p.requested_at, p.id",
                    super::permissions::PERMISSION_SELECT
                );
                let rows = sqlx::query(&sql)
                    .bind(org_id)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(permission_of_row).collect()
            }

            async fn is_manager(&self, user_id: &str, org_id: i64) -> StoreResult<bool> {
                let sql = format!(
                    "SELECT 1 AS yes WHERE {}",
                    super::permissions::manager_clause("$1", "$2")
                );
                let row = sqlx::query(&sql)
                    .bind(user_id)
                    .bind(org_id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.is_some())
            }

            async fn permission_decide(
                &self,
                id: &str,
                from: &str,
                to: &str,
                manager: Option<&str>,
                notice: Option<&super::MessageWrite>,
                audit: &AuditEvent,
                now: i64,
            ) -> StoreResult<bool> {
                let mut tx = self.pool.begin().await?;
                let sql = format!(
                    "UPDATE registry_permissions SET state = $2, decided_at = $3, \
                     decided_by = $4 WHERE id = $1 AND state = $5 \
                     AND ($6 IS NULL OR (user_id <> $6 AND {}))",
                    super::permissions::manager_clause("$6", "registry_permissions.org_id")
                );
                let done = sqlx::query(&sql)
                    .bind(id)
                    .bind(to)
                    .bind(now)
                    .bind(manager.unwrap_or(super::permissions::OPERATOR))
                    .bind(from)
                    .bind(manager)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                if let Some(notice) = notice {
                    let holder = sqlx::query(
                        "SELECT u.email FROM registry_permissions p \
                         JOIN registry_users u ON u.id = p.user_id WHERE p.id = $1",
                    )
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                    let message = super::MessageWrite {
                        recipient: col(&holder, "email")?,
                        ..notice.clone()
                    };
                    insert_outbox(&self.outbox_key, &mut *tx, &message, None, now).await?;
                }
                insert_audit(&mut *tx, audit, now).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn permission_grant(
                &self,
                id: &str,
                user_id: &str,
                org_id: i64,
                role: &str,
                audit: &AuditEvent,
                now: i64,
            ) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO registry_permissions (id, user_id, org_id, role, state, \
                     requested_at, decided_at, decided_by) \
                     VALUES ($1, $2, $3, $4, 'approved', $5, $5, $6) \
                     ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role, \
                     state = 'approved', decided_at = excluded.decided_at, \
                     decided_by = excluded.decided_by",
                )
                .bind(id)
                .bind(user_id)
                .bind(org_id)
                .bind(role)
                .bind(now)
                .bind(super::permissions::OPERATOR)
                .execute(&mut *tx)
                .await?;
                insert_audit(&mut *tx, audit, now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn authority(
                &self,
                user_id: &str,
                org_id: i64,
                now: i64,
            ) -> StoreResult<Option<super::permissions::Authority>> {
                let direct = sqlx::query(
                    "SELECT p.id FROM registry_permissions p \
                     JOIN registry_users u ON u.id = p.user_id \
                     WHERE p.user_id = $1 AND p.org_id = $2 AND p.state = 'approved' \
                     AND u.suspended_at IS NULL",
                )
                .bind(user_id)
                .bind(org_id)
                .fetch_optional(&self.pool)
                .await?;
                if direct.is_some() {
                    return Ok(Some(super::permissions::Authority::Direct));
                }
                let via = sqlx::query(
                    "SELECT a.id FROM powers_of_attorney a \
                     JOIN registry_permissions p ON p.org_id = a.agent_org_id \
                     JOIN registry_users u ON u.id = p.user_id \
                     WHERE p.user_id = $1 AND a.grantor_org_id = $2 AND p.state = 'approved' \
                     AND u.suspended_at IS NULL AND a.revoked_at IS NULL \
                     AND a.valid_from <= $3 AND a.valid_until > $3 \
                     ORDER BY a.valid_until DESC, a.id LIMIT 1",
                )
                .bind(user_id)
                .bind(org_id)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                match via {
                    Some(r) => Ok(Some(super::permissions::Authority::Attorney(col(
                        &r, "id",
                    )?))),
                    None => Ok(None),
                }
            }

            async fn attorney_grant(
                &self,
                a: &super::permissions::AttorneyWrite,
                manager: Option<&str>,
                audit: &AuditEvent,
                now: i64,
            ) -> StoreResult<bool> {
                let mut tx = self.pool.begin().await?;
                let sql = format!(
                    "INSERT INTO powers_of_attorney (id, grantor_org_id, agent_org_id, \
                     created_by, created_at, valid_from, valid_until, note) \
                     SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE $9 IS NULL OR {}",
                    super::permissions::manager_clause("$9", "$2")
                );
                let done = sqlx::query(&sql)
                    .bind(&a.id)
                    .bind(a.grantor_org_id)
                    .bind(a.agent_org_id)
                    .bind(manager.unwrap_or(super::permissions::OPERATOR))
                    .bind(now)
                    .bind(a.valid_from)
                    .bind(a.valid_until)
                    .bind(&a.note)
                    .bind(manager)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| conflict_or(e, crate::Conflict::PowerOfAttorney))?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                insert_audit(&mut *tx, audit, now).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn attorney(
                &self,
                id: &str,
            ) -> StoreResult<Option<super::permissions::AttorneyRow>> {
                let sql = format!("{} WHERE a.id = $1", super::permissions::ATTORNEY_SELECT);
                let row = sqlx::query(&sql)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(attorney_of_row).transpose()
            }

            async fn org_attorneys(
                &self,
                org_id: i64,
            ) -> StoreResult<Vec<super::permissions::AttorneyRow>> {
                let sql = format!(
                    "{} WHERE a.grantor_org_id = $1 OR a.agent_org_id = $1 \
                     ORDER BY a.created_at DESC, a.id",
                    super::permissions::ATTORNEY_SELECT
                );
                let rows = sqlx::query(&sql)
                    .bind(org_id)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(attorney_of_row).collect()
            }

            async fn attorney_revoke(
                &self,
                id: &str,
                manager: Option<&str>,
                audit: &AuditEvent,
                now: i64,
            ) -> StoreResult<bool> {
                let mut tx = self.pool.begin().await?;
                let sql = format!(
                    "UPDATE powers_of_attorney SET revoked_at = $2, revoked_by = $3 \
                     WHERE id = $1 AND revoked_at IS NULL AND ($4 IS NULL OR {})",
                    super::permissions::manager_clause("$4", "powers_of_attorney.grantor_org_id")
                );
                let done = sqlx::query(&sql)
                    .bind(id)
                    .bind(now)
                    .bind(manager.unwrap_or(super::permissions::OPERATOR))
                    .bind(manager)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                insert_audit(&mut *tx, audit, now).await?;
                tx.commit().await?;
                Ok(true)
            }
        }
    };
}

pub(super) use permission_store;
