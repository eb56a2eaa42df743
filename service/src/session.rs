//! Web sessions of citizens and of registry users (SECURITY.md 20, 22, 23): one implementation
//! of opening, loading under the idle and absolute time-outs, listing, ending and the step-up
//! freshness of the last one-time code. The kind says whose session it is and which audit
//! events it writes; everything else is the same for both.

use serde_json::json;

use crate::error::{Error, ServiceResult};
use crate::secrets;
use crate::store::session::SessionListed;
use crate::store::AuditEvent;
use crate::Ctx;

pub use crate::store::SessionKind;

/// How long after its code a session may make sensitive changes (SECURITY.md 8, 23).
pub const FRESH_SECS: i64 = 300;

/// The audit events of a kind, kept as they were before the two kinds shared this module.
struct Events {
    /// A login opened a session.
    opened: &'static str,
    /// The owner ended another of their sessions from the list.
    ended_other: &'static str,
    /// The owner logged out (registry logouts are not audited).
    logout: Option<&'static str>,
}

fn events(kind: SessionKind) -> Events {
    match kind {
        SessionKind::Citizen => Events {
            opened: "login.succeeded",
            ended_other: "session.ended",
            logout: Some("logout"),
        },
        SessionKind::Registry => Events {
            opened: "registry.login_succeeded",
            ended_other: "registry.session_ended",
            logout: None,
        },
    }
}

/// A new session's cookie value (128 bits, shown to the browser only).
pub struct NewSession {
    /// The cookie value.
    pub token: String,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession").finish_non_exhaustive()
    }
}

/// A live session.
#[derive(Clone)]
pub struct Session {
    /// Citizen or registry user.
    pub kind: SessionKind,
    /// SHA-256 of the cookie.
    pub digest: Vec<u8>,
    /// The person (citizen) or user (registry).
    pub owner_id: String,
    /// When a code was last entered.
    pub otp_verified_at: i64,
}

/// Prints the kind only: the digest is the key of the stored session.
impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Whether the session's code was entered at most [`FRESH_SECS`] ago (SECURITY.md 23).
    pub fn fresh(&self, now: i64) -> bool {
        now - self.otp_verified_at <= FRESH_SECS
    }
}

/// Opens a session for an owner who just authenticated (`method`: `sms`, `pin+otp`, `nia`): a
/// new 128-bit id, stored as its SHA-256, with the kind's login audit event.
pub async fn open(
    app: &Ctx,
    kind: SessionKind,
    owner_id: &str,
    method: &str,
    now: i64,
) -> ServiceResult<NewSession> {
    let token = secrets::new_url_token().map_err(|e| Error::Internal(e.to_string()))?;
    app.store
        .session_create(
            kind,
            &secrets::token_digest(&token),
            owner_id,
            now,
            now + app.config.portal.session_absolute_secs,
            &AuditEvent {
                event: events(kind).opened.into(),
                org_id: None,
                subject: Some(app.secrets.pseudonym(owner_id.as_bytes())),
                detail: json!({ "method": method }),
            },
        )
        .await?;
    Ok(NewSession { token })
}

/// The session of a cookie, if it is live: known, idle less than the idle time-out and before
/// its absolute end (SECURITY.md 22). Records the activity; a dead session is deleted.
pub async fn load(
    app: &Ctx,
    kind: SessionKind,
    cookie: &str,
    now: i64,
) -> ServiceResult<Option<Session>> {
    let digest = secrets::token_digest(cookie);
    let Some(s) = app.store.session(kind, &digest).await? else {
        return Ok(None);
    };
    let cfg = &app.config.portal;
    if now > s.last_seen_at + cfg.session_idle_secs || now > s.expires_at {
        app.store.session_end(kind, &digest).await?;
        return Ok(None);
    }
    app.store.session_touch(kind, &digest, now, None).await?;
    Ok(Some(Session {
        kind,
        digest,
        owner_id: s.owner_id,
        otp_verified_at: s.otp_verified_at,
    }))
}

/// Whether the stored session with this digest entered its code at most [`FRESH_SECS`] ago;
/// false when there is none.
pub async fn fresh(app: &Ctx, kind: SessionKind, digest: &[u8], now: i64) -> ServiceResult<bool> {
    Ok(app
        .store
        .session(kind, digest)
        .await?
        .is_some_and(|s| now - s.otp_verified_at <= FRESH_SECS))
}

/// Marks a session's code as entered now (a step-up code was right).
pub async fn mark_fresh(app: &Ctx, s: &Session, now: i64) -> ServiceResult<()> {
    Ok(app
        .store
        .session_touch(s.kind, &s.digest, now, Some(now))
        .await?)
}

/// One of an owner's sessions as the session list shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SessionInfo {
    /// A handle to end it by: the first 8 bytes of the digest, hex (not the cookie).
    pub handle: String,
    /// Created at, Unix seconds.
    pub created_at: i64,
    /// Last request, Unix seconds.
    pub last_seen_at: i64,
    /// Whether it is the session asking.
    pub current: bool,
}

fn handle_of(digest: &[u8]) -> String {
    hex::encode(digest.get(..8).unwrap_or_default())
}

/// The owner's live sessions, `current` marked (SECURITY.md 22).
pub async fn list(
    app: &Ctx,
    kind: SessionKind,
    owner_id: &str,
    current: &[u8],
) -> ServiceResult<Vec<SessionInfo>> {
    Ok(app
        .store
        .sessions_of(kind, owner_id)
        .await?
        .into_iter()
        .map(|s: SessionListed| SessionInfo {
            current: s.id_sha256 == current,
            handle: handle_of(&s.id_sha256),
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
        })
        .collect())
}

/// Ends another session of the same owner by its handle, with the kind's audit event; false
/// when the owner has no other session with that handle.
pub async fn end_other(
    app: &Ctx,
    kind: SessionKind,
    owner_id: &str,
    current: &[u8],
    handle: &str,
    now: i64,
) -> ServiceResult<bool> {
    let list = app.store.sessions_of(kind, owner_id).await?;
    let Some(digest) = list
        .into_iter()
        .map(|s| s.id_sha256)
        .find(|d| handle_of(d) == handle && d != current)
    else {
        return Ok(false);
    };
    app.store.session_end(kind, &digest).await?;
    app.store
        .audit(
            &AuditEvent {
                event: events(kind).ended_other.into(),
                org_id: None,
                subject: Some(app.secrets.pseudonym(owner_id.as_bytes())),
                detail: json!({}),
            },
            now,
        )
        .await?;
    Ok(true)
}

/// Ends the session with this digest (a logout), unaudited; see [`logout`].
pub async fn end(app: &Ctx, kind: SessionKind, digest: &[u8]) -> ServiceResult<()> {
    Ok(app.store.session_end(kind, digest).await?)
}

/// Logs a session out: ends it, with the kind's logout audit event if it has one.
pub async fn logout(app: &Ctx, s: &Session, now: i64) -> ServiceResult<()> {
    end(app, s.kind, &s.digest).await?;
    if let Some(event) = events(s.kind).logout {
        app.store
            .audit(
                &AuditEvent {
                    event: event.into(),
                    org_id: None,
                    subject: Some(app.secrets.pseudonym(s.owner_id.as_bytes())),
                    detail: json!({}),
                },
                now,
            )
            .await?;
    }
    Ok(())
}

/// Ends every session of an owner (a helpdesk reset); returns how many ended.
pub async fn end_all(app: &Ctx, kind: SessionKind, owner_id: &str) -> ServiceResult<u64> {
    Ok(app.store.sessions_end_all(kind, owner_id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_for_five_minutes_after_the_code() {
        let s = Session {
            kind: SessionKind::Citizen,
            digest: vec![7; 32],
            owner_id: "p".into(),
            otp_verified_at: 1_000,
        };
        assert!(s.fresh(1_000 + FRESH_SECS));
        assert!(!s.fresh(1_000 + FRESH_SECS + 1));
    }

    #[test]
    fn debug_shows_neither_digest_nor_owner() {
        let s = Session {
            kind: SessionKind::Registry,
            digest: vec![0xab; 32],
            owner_id: "user-42".into(),
            otp_verified_at: 0,
        };
        let shown = format!("{s:?}");
        assert!(!shown.contains("ab, ") && !shown.contains("171"), "{shown}");
        assert!(!shown.contains("user-42"), "{shown}");
        let new = NewSession {
            token: "secret-cookie".into(),
        };
        assert!(!format!("{new:?}").contains("secret-cookie"));
    }

    #[test]
    fn each_kind_keeps_its_audit_events() {
        let c = events(SessionKind::Citizen);
        assert_eq!(
            (c.opened, c.ended_other, c.logout),
            ("login.succeeded", "session.ended", Some("logout"))
        );
        let r = events(SessionKind::Registry);
        assert_eq!(
            (r.opened, r.ended_other, r.logout),
            ("registry.login_succeeded", "registry.session_ended", None)
        );
    }
}
