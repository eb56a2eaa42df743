//! Permissions of registry users (issue #10; seeds 001 and 003; SECURITY.md 33, 34, 47): a user
//! asks to act for an organisation named by its IČO; only that organisation's account managers
//! approve, refuse or revoke, never for themselves; an organisation may give a processing
//! organisation a power of attorney (recorded, at most [`ATTORNEY_MAX_DAYS`] days, revocable),
//! whose members then act for it. [`authorise`] answers, on every provider request, whether a
//! user may act for an organisation now. The operator bootstraps the first managers with
//! `dcc admin registry grant` ([`grant_operator`]). Every decision is audited in the same
//! transaction as the change; a request is e-mailed to the organisation's managers and a decision
//! to the requester, with the organisation's name and a link to the page only.

use serde_json::json;

use crate::error::{Error, Problem, ServiceResult};
use crate::notice::{self, Channel, Notice};
use crate::secrets::{self, Secrets};
use crate::store::permissions::{AttorneyRow, AttorneyWrite, Authority, PermissionRow};
use crate::store::{AuditEvent, Org, Store};
use crate::validator;
use crate::Ctx;

/// The longest power of attorney, in days from its start.
pub const ATTORNEY_MAX_DAYS: i64 = 366;
/// The longest note on a power of attorney.
const NOTE_MAX_CHARS: usize = 200;

/// A manager's answer to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The user may act for the organisation.
    Approve,
    /// The user may not.
    Refuse,
}

/// What a permission lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Acts for the organisation (the provider API).
    Member,
    /// Also decides the organisation's requests and powers of attorney.
    Manager,
}

impl Role {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Manager => "manager",
        }
    }
}

/// Why a request for a permission was not recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestRejected {
    /// The IČO is not 8 digits with a valid check digit.
    Ico,
    /// No organisation has this IČO.
    UnknownOrg,
    /// A request is waiting for a decision already.
    Pending,
    /// The user holds the permission already.
    Approved,
}

/// Why a power of attorney was not recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttorneyRejected {
    /// The agent's IČO is not 8 digits with a valid check digit.
    Ico,
    /// No organisation has the agent's IČO.
    UnknownOrg,
    /// The agent is the grantor.
    SameOrg,
    /// The period is empty, starts in the past or is longer than [`ATTORNEY_MAX_DAYS`].
    Period,
    /// The note is too long or holds control characters.
    Note,
}

/// The organisation a user acts for, and by what right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acting {
    /// The organisation.
    pub org: Org,
    /// Its own permission, or a power of attorney.
    pub authority: Authority,
}

/// What an organisation's managers see: its permissions and powers of attorney.
#[derive(Debug, Clone)]
pub struct OrgOverview {
    /// The organisation.
    pub org: Org,
    /// Every permission of the organisation, oldest request first.
    pub permissions: Vec<PermissionRow>,
    /// The powers of attorney it gave or holds, newest first.
    pub attorneys: Vec<AttorneyRow>,
}

/// An IČO as typed: spaces dropped; `None` unless 8 digits with a valid check digit.
pub fn normalise_ico(input: &str) -> Option<String> {
    let ico: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    crate::validate::check_ico(&ico).is_ok().then_some(ico)
}

fn pseudonym(secrets: &Secrets, user_id: &str) -> String {
    secrets.pseudonym(user_id.as_bytes())
}

fn new_id() -> String {
    secrets::new_id()
}

/// A user asks to act for the organisation with this IČO (seed 001: "zažádat o oprávnění").
/// A refused or revoked permission may be asked for again.
pub async fn request(
    app: &Ctx,
    user_id: &str,
    ico: &str,
    now: i64,
) -> ServiceResult<Result<(), RequestRejected>> {
    let Some(ico) = normalise_ico(ico) else {
        return Ok(Err(RequestRejected::Ico));
    };
    let Some(org) = app.store.org_by_ico(&ico).await? else {
        return Ok(Err(RequestRejected::UnknownOrg));
    };
    match app.store.permission_of(user_id, org.id).await? {
        Some(p) if p.state == "requested" => return Ok(Err(RequestRejected::Pending)),
        Some(p) if p.state == "approved" => return Ok(Err(RequestRejected::Approved)),
        _ => {}
    }
    let id = new_id();
    let audit = AuditEvent {
        event: "permission.requested".into(),
        org_id: Some(org.id),
        subject: Some(pseudonym(&app.secrets, user_id)),
        detail: json!({ "permission": id, "role": Role::Member.as_str() }),
    };
    // The managers learn of it by e-mail (organisation, time, the page's link): no name, no
    // birth number; the page shows who asked.
    let link = format!("{}/registry/org/{}", app.config.base_url(), org.ico);
    let when = notice::local_time(now);
    let notice = Notice::PermissionRequested {
        org: &org.name,
        when: &when,
        link: &link,
    }
    .message(app.sender(), Channel::Email, "");
    if app
        .store
        .permission_request(&id, user_id, org.id, &notice, &audit, now)
        .await?
    {
        Ok(Ok(()))
    } else {
        // Another request of this user for this organisation won a race.
        Ok(Err(RequestRejected::Pending))
    }
}

/// Audits a refused attempt to decide; the 403 to answer.
async fn denied(
    app: &Ctx,
    manager: &str,
    org_id: i64,
    detail: serde_json::Value,
    message: &'static str,
    now: i64,
) -> Error {
    let event = AuditEvent {
        event: "permission.denied".into(),
        org_id: Some(org_id),
        subject: Some(pseudonym(&app.secrets, manager)),
        detail,
    };
    match app.store.audit(&event, now).await {
        Ok(()) => Error::Forbidden(Problem::new(message)),
        Err(e) => e.into(),
    }
}

/// The permission `id` as a manager may change it: it exists (404), is not the manager's own
/// (403) and the manager manages its organisation (403); refused attempts are audited.
async fn managed_permission(
    app: &Ctx,
    manager: &str,
    id: &str,
    now: i64,
) -> ServiceResult<PermissionRow> {
    let p = app.store.permission(id).await?.ok_or(Error::NotFound)?;
    if p.user_id == manager {
        return Err(denied(
            app,
            manager,
            p.org.id,
            json!({ "permission": p.id, "reason": "own_permission" }),
            "error-own-permission",
            now,
        )
        .await);
    }
    if !app.store.is_manager(manager, p.org.id).await? {
        return Err(denied(
            app,
            manager,
            p.org.id,
            json!({ "permission": p.id, "reason": "not_manager" }),
            "error-not-manager",
            now,
        )
        .await);
    }
    Ok(p)
}

/// An account manager approves or refuses a pending request of their organisation
/// (SECURITY.md 34). 404: no such request; 403: the manager's own request, or not a manager of
/// that organisation; 409: decided already.
pub async fn decide(
    app: &Ctx,
    manager: &str,
    permission_id: &str,
    decision: Decision,
    now: i64,
) -> ServiceResult<PermissionRow> {
    let p = managed_permission(app, manager, permission_id, now).await?;
    if p.state != "requested" {
        return Err(Error::Conflict(Problem::new("error-decided")));
    }
    let (event, to) = match decision {
        Decision::Approve => ("permission.approved", "approved"),
        Decision::Refuse => ("permission.refused", "refused"),
    };
    let audit = AuditEvent {
        event: event.into(),
        org_id: Some(p.org.id),
        subject: Some(pseudonym(&app.secrets, &p.user_id)),
        detail: json!({
            "permission": p.id, "role": p.role, "by": pseudonym(&app.secrets, manager),
        }),
    };
    let link = format!("{}/registry/permissions", app.config.base_url());
    let when = notice::local_time(now);
    let notice = Notice::PermissionDecided {
        org: &p.org.name,
        approved: decision == Decision::Approve,
        when: &when,
        link: &link,
    }
    .message(app.sender(), Channel::Email, "");
    if !app
        .store
        .permission_decide(
            &p.id,
            "requested",
            to,
            Some(manager),
            Some(&notice),
            &audit,
            now,
        )
        .await?
    {
        return Err(Error::Conflict(Problem::new("error-decided")));
    }
    Ok(p)
}

/// An account manager revokes an approved permission of their organisation; it stops working
/// on the holder's next request. Same refusals as [`decide`].
pub async fn revoke(
    app: &Ctx,
    manager: &str,
    permission_id: &str,
    now: i64,
) -> ServiceResult<PermissionRow> {
    let p = managed_permission(app, manager, permission_id, now).await?;
    if p.state != "approved" {
        return Err(Error::Conflict(Problem::new(
            "error-permission-not-in-force",
        )));
    }
    let audit = AuditEvent {
        event: "permission.revoked".into(),
        org_id: Some(p.org.id),
        subject: Some(pseudonym(&app.secrets, &p.user_id)),
        detail: json!({
            "permission": p.id, "role": p.role, "by": pseudonym(&app.secrets, manager),
        }),
    };
    if !app
        .store
        .permission_decide(
            &p.id,
            "approved",
            "revoked",
            Some(manager),
            None,
            &audit,
            now,
        )
        .await?
    {
        return Err(Error::Conflict(Problem::new(
            "error-permission-not-in-force",
        )));
    }
    Ok(p)
}

/// The organisation with this IČO when `manager` manages it; 404 for a malformed or unknown
/// IČO, 403 otherwise.
pub async fn managed_org(app: &Ctx, manager: &str, ico: &str) -> ServiceResult<Org> {
    let ico = normalise_ico(ico).ok_or(Error::NotFound)?;
    let org = app.store.org_by_ico(&ico).await?.ok_or(Error::NotFound)?;
    if !app.store.is_manager(manager, org.id).await? {
        return Err(Error::Forbidden(Problem::new("error-managers-only-page")));
    }
    Ok(org)
}

/// The organisation's permissions and powers of attorney, for its managers.
pub async fn overview(app: &Ctx, manager: &str, ico: &str) -> ServiceResult<OrgOverview> {
    let org = managed_org(app, manager, ico).await?;
    Ok(OrgOverview {
        permissions: app.store.org_permissions(org.id).await?,
        attorneys: app.store.org_attorneys(org.id).await?,
        org,
    })
}

/// A user's permissions, and for each approved one the powers of attorney its organisation
/// holds in force at `now` (the organisations the user may also act for).
pub async fn mine(
    app: &Ctx,
    user_id: &str,
    now: i64,
) -> ServiceResult<(Vec<PermissionRow>, Vec<AttorneyRow>)> {
    let permissions = app.store.user_permissions(user_id).await?;
    let mut held = Vec::new();
    for p in permissions.iter().filter(|p| p.state == "approved") {
        held.extend(
            app.store
                .org_attorneys(p.org.id)
                .await?
                .into_iter()
                .filter(|a| a.agent.id == p.org.id && a.in_force(now)),
        );
    }
    Ok((permissions, held))
}

/// A power of attorney to record.
#[derive(Debug, Clone)]
pub struct AttorneyInput<'a> {
    /// The processing organisation's IČO.
    pub agent_ico: &'a str,
    /// The first day it is valid, from its start in Prague; `None`: today.
    pub valid_from: Option<time::Date>,
    /// The last day it is valid, to its end in Prague (23:59:59 local).
    pub valid_until: time::Date,
    /// A note (the reference of the signed paper, say).
    pub note: Option<&'a str>,
}

/// A manager of the organisation `grantor_ico` gives the processing organisation a power of
/// attorney (seed 003: "plné moci"): its members act for the grantor from the start of
/// `valid_from` to the end of `valid_until`, whole days in Prague time (the calendar days the
/// signed paper names), at most [`ATTORNEY_MAX_DAYS`] days. Returns the new id.
pub async fn grant_attorney(
    app: &Ctx,
    manager: &str,
    grantor_ico: &str,
    input: AttorneyInput<'_>,
    now: i64,
) -> ServiceResult<Result<String, AttorneyRejected>> {
    let grantor = managed_org(app, manager, grantor_ico).await?;
    let Some(agent_ico) = normalise_ico(input.agent_ico) else {
        return Ok(Err(AttorneyRejected::Ico));
    };
    let Some(agent) = app.store.org_by_ico(&agent_ico).await? else {
        return Ok(Err(AttorneyRejected::UnknownOrg));
    };
    if agent.id == grantor.id {
        return Ok(Err(AttorneyRejected::SameOrg));
    }
    let today = time::OffsetDateTime::from_unix_timestamp(now)
        .ok()
        .and_then(validator::local_day)
        .ok_or_else(|| Error::Internal("now is outside the calendar".into()))?;
    let first = input.valid_from.unwrap_or(today);
    let days = (input.valid_until - first).whole_days() + 1;
    let bounds = validator::day_start(first).zip(validator::day_end(input.valid_until));
    let Some((valid_from, valid_until)) = bounds else {
        return Ok(Err(AttorneyRejected::Period));
    };
    if first < today || !(1..=ATTORNEY_MAX_DAYS).contains(&days) || valid_until <= now {
        return Ok(Err(AttorneyRejected::Period));
    }
    let note = input.note.map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > NOTE_MAX_CHARS || n.chars().any(char::is_control)) {
        return Ok(Err(AttorneyRejected::Note));
    }
    let id = new_id();
    let audit = AuditEvent {
        event: "attorney.granted".into(),
        org_id: Some(grantor.id),
        subject: Some(pseudonym(&app.secrets, manager)),
        detail: json!({
            "attorney": id, "agent_org": agent.id,
            "valid_from": valid_from, "valid_until": valid_until,
        }),
    };
    let write = AttorneyWrite {
        id: id.clone(),
        grantor_org_id: grantor.id,
        agent_org_id: agent.id,
        valid_from,
        valid_until,
        note: note.map(str::to_string),
    };
    if !app
        .store
        .attorney_grant(&write, Some(manager), &audit, now)
        .await?
    {
        return Err(Error::Forbidden(Problem::new(
            "error-managers-only-attorney",
        )));
    }
    Ok(Ok(id))
}

/// A manager of the grantor revokes a power of attorney; the agent's members lose the right on
/// their next request. 404: unknown; 403: not a manager of the grantor; 409: revoked already.
pub async fn revoke_attorney(
    app: &Ctx,
    manager: &str,
    attorney_id: &str,
    now: i64,
) -> ServiceResult<AttorneyRow> {
    let a = app
        .store
        .attorney(attorney_id)
        .await?
        .ok_or(Error::NotFound)?;
    if !app.store.is_manager(manager, a.grantor.id).await? {
        return Err(Error::Forbidden(Problem::new(
            "error-grantor-managers-only",
        )));
    }
    if a.revoked_at.is_some() {
        return Err(Error::Conflict(Problem::new("error-attorney-revoked")));
    }
    let audit = AuditEvent {
        event: "attorney.revoked".into(),
        org_id: Some(a.grantor.id),
        subject: Some(pseudonym(&app.secrets, manager)),
        detail: json!({ "attorney": a.id, "agent_org": a.agent.id }),
    };
    if !app
        .store
        .attorney_revoke(&a.id, Some(manager), &audit, now)
        .await?
    {
        return Err(Error::Conflict(Problem::new("error-attorney-revoked")));
    }
    Ok(a)
}

/// Whether the registry user may act for the organisation with this IČO at `now`: an approved
/// permission for it, or one for an organisation holding its power of attorney in force
/// (SECURITY.md 33). Read from the database on every call, so a revocation bites on the next
/// request.
pub async fn authorise(
    app: &Ctx,
    user_id: &str,
    ico: &str,
    now: i64,
) -> ServiceResult<Option<Acting>> {
    let Some(ico) = normalise_ico(ico) else {
        return Ok(None);
    };
    let Some(org) = app.store.org_by_ico(&ico).await? else {
        return Ok(None);
    };
    Ok(app
        .store
        .authority(user_id, org.id, now)
        .await?
        .map(|authority| Acting { org, authority }))
}

/// `dcc admin registry grant`: the operator approves a user's permission for an organisation
/// with `role` (the first account managers; seed 003: the insurer "sets the access rights"),
/// audited with `by: operator`.
pub async fn grant_operator(
    store: &dyn Store,
    secrets: &Secrets,
    username: &str,
    ico: &str,
    role: Role,
    now: i64,
) -> ServiceResult<Org> {
    let ico = normalise_ico(ico).ok_or_else(|| {
        Error::Invalid(Problem::field(
            "--ico must be 8 digits with a valid check digit",
        ))
    })?;
    let org = store.org_by_ico(&ico).await?.ok_or_else(|| {
        Error::Invalid(Problem::new("error-no-organisation").with("ico", ico.as_str()))
    })?;
    let username = crate::registry::normalise_username(username);
    let user = store
        .user_by_username(&username)
        .await?
        .ok_or_else(|| Error::Invalid(Problem::new("error-no-user")))?;
    let id = new_id();
    let audit = AuditEvent {
        event: "permission.approved".into(),
        org_id: Some(org.id),
        subject: Some(pseudonym(secrets, &user.id)),
        detail: json!({ "role": role.as_str(), "by": crate::store::permissions::OPERATOR }),
    };
    store
        .permission_grant(&id, &user.id, org.id, role.as_str(), &audit, now)
        .await?;
    Ok(org)
}
