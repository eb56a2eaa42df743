//! The permission pages of registry users (issue #10; seeds 001 and 003; SECURITY.md 33, 34):
//! "My permissions" with the request form, and each organisation's page for its account
//! managers (pending requests, members, powers of attorney). The logic lives in
//! `service::permissions`; these handlers check the session and CSRF, read forms and render.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::{context, Value};
use serde::Deserialize;

use super::registry::ts;
use super::{error_page, page, see_other, web, Lang, Web};
use crate::error::AppError;
use crate::service::permissions::{
    self as service, AttorneyInput, AttorneyRejected, Decision, RequestRejected,
};
use crate::state::AppState;
use crate::store::permissions::AttorneyRow;

/// The permission routes, under `/registry`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/registry/permissions", get(permissions_page).post(request))
        .route("/registry/org/{ico}", get(org_page))
        .route("/registry/org/{ico}/decide", post(decide))
        .route("/registry/org/{ico}/revoke", post(revoke))
        .route("/registry/org/{ico}/attorney", post(grant_attorney))
        .route("/registry/org/{ico}/attorney/revoke", post(revoke_attorney))
}

/// The registry session of a request: user id and cookie, or the sign-in page's 401.
async fn require_session(app: &AppState, web: &Web) -> Result<(String, String), Response> {
    super::registry::require_session(app, web)
        .await
        .map(|(_, user, tok)| (user, tok))
}

/// A POST's CSRF check (SECURITY.md 24) against the registry cookie, then its session.
async fn session_post(app: &AppState, web: &Web, csrf: &str) -> Result<(String, String), Response> {
    if web
        .csrf_checked(app, web.registry.as_deref(), csrf)
        .is_none()
    {
        return Err(error_page(app, web, AppError::Forbidden("csrf".into())));
    }
    require_session(app, web).await
}

/// A Unix time as the date people write in the page's language: its day in Prague.
fn day(lang: Lang, unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| web::date(lang, &crate::service::validator::local_date(t)))
        .unwrap_or_default()
}

fn role_label(lang: Lang, role: &str) -> &'static str {
    lang.t(if role == "manager" {
        "perm_role_manager"
    } else {
        "perm_role_member"
    })
}

fn state_label(lang: Lang, state: &str) -> &'static str {
    lang.t(match state {
        "requested" => "perm_state_requested",
        "approved" => "perm_state_approved",
        "refused" => "perm_state_refused",
        _ => "perm_state_revoked",
    })
}

/// A power of attorney for the pages; `other` is the organisation on the other side.
fn attorney_item(lang: Lang, a: &AttorneyRow, grantor_side: bool, now: i64) -> Value {
    let other = if grantor_side { &a.agent } else { &a.grantor };
    let status = if a.revoked_at.is_some() {
        "perm_att_revoked"
    } else if now >= a.valid_until {
        "perm_att_expired"
    } else if now < a.valid_from {
        "perm_att_future"
    } else {
        "perm_att_in_force"
    };
    context! {
        id => a.id, org_name => other.name, org_ico => other.ico,
        from => day(lang, a.valid_from),
        // The last day it is valid: `valid_until` is exclusive.
        until => day(lang, a.valid_until - 1),
        status => lang.t(status), note => a.note,
        revocable => grantor_side && a.revoked_at.is_none() && now < a.valid_until,
    }
}

/// What "My permissions" shows, with the request form.
struct ListView<'a> {
    status: StatusCode,
    error: Option<&'a str>,
    notice: Option<&'a str>,
    ico: &'a str,
}

async fn list_view(
    app: &AppState,
    web: &Web,
    user_id: &str,
    tok: &str,
    v: ListView<'_>,
) -> Response {
    let lang = web.lang;
    let now = ts(app);
    let (permissions, held) = match service::mine(app, user_id, now).await {
        Ok(m) => m,
        Err(e) => return error_page(app, web, e),
    };
    let permissions: Vec<Value> = permissions
        .iter()
        .map(|p| {
            context! {
                org_name => p.org.name, ico => p.org.ico,
                role => role_label(lang, &p.role), state => state_label(lang, &p.state),
                manage => p.state == "approved" && p.role == "manager",
            }
        })
        .collect();
    let held: Vec<Value> = held
        .iter()
        .map(|a| {
            context! {
                grantor_name => a.grantor.name, grantor_ico => a.grantor.ico,
                agent_name => a.agent.name, until => day(lang, a.valid_until - 1),
            }
        })
        .collect();
    page(
        app,
        web,
        v.status,
        "perm_list.html",
        context! {
            csrf => app.secrets.csrf_token(tok), permissions, held,
            error => v.error, notice => v.notice, ico => v.ico,
        },
    )
}

async fn permissions_page(State(app): State<AppState>, web: Web) -> Response {
    let (user_id, tok) = match require_session(&app, &web).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let v = ListView {
        status: StatusCode::OK,
        error: None,
        notice: None,
        ico: "",
    };
    list_view(&app, &web, &user_id, &tok, v).await
}

#[derive(Deserialize)]
struct RequestForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    ico: String,
}

async fn request(State(app): State<AppState>, web: Web, Form(f): Form<RequestForm>) -> Response {
    let (user_id, tok) = match session_post(&app, &web, &f.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let t = |k| web.lang.t(k);
    let v = match service::request(&app, &user_id, &f.ico, ts(&app)).await {
        Ok(Ok(())) => ListView {
            status: StatusCode::OK,
            error: None,
            notice: Some(t("perm_requested")),
            ico: "",
        },
        Ok(Err(r)) => ListView {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            error: Some(t(match r {
                RequestRejected::Ico => "perm_ico_invalid",
                RequestRejected::UnknownOrg => "perm_org_unknown",
                RequestRejected::Pending => "perm_pending_already",
                RequestRejected::Approved => "perm_approved_already",
            })),
            notice: None,
            ico: &f.ico,
        },
        Err(e) => return error_page(&app, &web, e),
    };
    list_view(&app, &web, &user_id, &tok, v).await
}

/// What an organisation's page shows, with the grant form's values.
#[derive(Default)]
struct OrgView<'a> {
    error: Option<&'a str>,
    agent_ico: &'a str,
    valid_until: &'a str,
    note: &'a str,
}

async fn org_view(
    app: &AppState,
    web: &Web,
    user_id: &str,
    tok: &str,
    ico: &str,
    v: OrgView<'_>,
) -> Response {
    let lang = web.lang;
    let now = ts(app);
    let o = match service::overview(app, user_id, ico).await {
        Ok(o) => o,
        Err(e) => return error_page(app, web, e),
    };
    let person = |p: &crate::store::permissions::PermissionRow| {
        context! {
            id => p.id, name => p.display_name, username => p.username,
            role => role_label(lang, &p.role), state => state_label(lang, &p.state),
            at => day(lang, p.decided_at.unwrap_or(p.requested_at)),
            own => p.user_id == user_id,
        }
    };
    let with_state = |state: &'static str| {
        o.permissions
            .iter()
            .filter(move |p| p.state == state)
            .map(person)
            .collect::<Vec<_>>()
    };
    let pending = with_state("requested");
    let members = with_state("approved");
    let past: Vec<Value> = o
        .permissions
        .iter()
        .filter(|p| p.state == "refused" || p.state == "revoked")
        .map(person)
        .collect();
    let given: Vec<Value> = o
        .attorneys
        .iter()
        .filter(|a| a.grantor.id == o.org.id)
        .map(|a| attorney_item(lang, a, true, now))
        .collect();
    let held: Vec<Value> = o
        .attorneys
        .iter()
        .filter(|a| a.agent.id == o.org.id)
        .map(|a| attorney_item(lang, a, false, now))
        .collect();
    let status = if v.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page(
        app,
        web,
        status,
        "perm_org.html",
        context! {
            csrf => app.secrets.csrf_token(tok), org_name => o.org.name, ico => o.org.ico,
            pending, members, past, given, held,
            error => v.error, agent_ico => v.agent_ico, valid_until => v.valid_until,
            note => v.note,
        },
    )
}

async fn org_page(State(app): State<AppState>, web: Web, Path(ico): Path<String>) -> Response {
    let (user_id, tok) = match require_session(&app, &web).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    org_view(&app, &web, &user_id, &tok, &ico, OrgView::default()).await
}

/// Back to the organisation's page after a change (POST, redirect, GET).
fn back_to(ico: &str) -> Response {
    match service::normalise_ico(ico) {
        Some(ico) => see_other(&format!("/registry/org/{ico}")),
        None => see_other("/registry/permissions"),
    }
}

#[derive(Deserialize)]
struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    permission: String,
    #[serde(default)]
    decision: String,
}

async fn decide(
    State(app): State<AppState>,
    web: Web,
    Path(ico): Path<String>,
    Form(f): Form<DecideForm>,
) -> Response {
    let (user_id, _) = match session_post(&app, &web, &f.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let decision = match f.decision.as_str() {
        "approve" => Decision::Approve,
        "refuse" => Decision::Refuse,
        _ => {
            let e = AppError::Invalid("decision: approve or refuse".into());
            return error_page(&app, &web, e);
        }
    };
    match service::decide(&app, &user_id, &f.permission, decision, ts(&app)).await {
        Ok(_) => back_to(&ico),
        Err(e) => error_page(&app, &web, e),
    }
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    permission: String,
}

async fn revoke(
    State(app): State<AppState>,
    web: Web,
    Path(ico): Path<String>,
    Form(f): Form<RevokeForm>,
) -> Response {
    let (user_id, _) = match session_post(&app, &web, &f.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match service::revoke(&app, &user_id, &f.permission, ts(&app)).await {
        Ok(_) => back_to(&ico),
        Err(e) => error_page(&app, &web, e),
    }
}

#[derive(Deserialize)]
struct AttorneyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    agent_ico: String,
    #[serde(default)]
    valid_until: String,
    #[serde(default)]
    note: String,
}

/// A date as the form's hint asks for it: `D. M. RRRR` (Czech, spaces optional) or
/// `YYYY-MM-DD` (English, and what a browser's date field sends).
fn parse_day(date: &str) -> Option<time::Date> {
    let date = date.trim();
    if let Ok(d) = time::Date::parse(
        date,
        time::macros::format_description!("[year]-[month]-[day]"),
    ) {
        return Some(d);
    }
    let parts: Vec<&str> = date.split('.').map(str::trim).collect();
    let [day, month, year] = parts.as_slice() else {
        return None;
    };
    let month = time::Month::try_from(month.parse::<u8>().ok()?).ok()?;
    time::Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()
}

async fn grant_attorney(
    State(app): State<AppState>,
    web: Web,
    Path(ico): Path<String>,
    Form(f): Form<AttorneyForm>,
) -> Response {
    let (user_id, tok) = match session_post(&app, &web, &f.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let now = ts(&app);
    let Some(valid_until) = parse_day(&f.valid_until) else {
        let v = OrgView {
            error: Some(web.lang.t("perm_att_date_invalid")),
            agent_ico: &f.agent_ico,
            valid_until: &f.valid_until,
            note: &f.note,
        };
        return org_view(&app, &web, &user_id, &tok, &ico, v).await;
    };
    let input = AttorneyInput {
        agent_ico: &f.agent_ico,
        valid_from: None,
        valid_until,
        note: Some(&f.note),
    };
    let rejected = match service::grant_attorney(&app, &user_id, &ico, input, now).await {
        Ok(Ok(_)) => return back_to(&ico),
        Ok(Err(r)) => r,
        Err(e) => return error_page(&app, &web, e),
    };
    let error = web.lang.t(match rejected {
        AttorneyRejected::Ico => "perm_ico_invalid",
        AttorneyRejected::UnknownOrg => "perm_org_unknown",
        AttorneyRejected::SameOrg => "perm_att_same",
        AttorneyRejected::Period => "perm_att_period",
        AttorneyRejected::Note => "perm_att_note_invalid",
    });
    let v = OrgView {
        error: Some(error),
        agent_ico: &f.agent_ico,
        valid_until: &f.valid_until,
        note: &f.note,
    };
    org_view(&app, &web, &user_id, &tok, &ico, v).await
}

#[derive(Deserialize)]
struct RevokeAttorneyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    attorney: String,
}

async fn revoke_attorney(
    State(app): State<AppState>,
    web: Web,
    Path(ico): Path<String>,
    Form(f): Form<RevokeAttorneyForm>,
) -> Response {
    let (user_id, _) = match session_post(&app, &web, &f.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match service::revoke_attorney(&app, &user_id, &f.attorney, ts(&app)).await {
        Ok(_) => back_to(&ico),
        Err(e) => error_page(&app, &web, e),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_day;

    #[test]
    fn both_date_forms_of_the_hint_are_read() {
        let d = time::macros::date!(2026 - 12 - 31);
        for input in ["2026-12-31", "31. 12. 2026", "31.12.2026", " 31. 12. 2026 "] {
            assert_eq!(parse_day(input), Some(d), "{input}");
        }
        for bad in ["12/31/2026", "31. 13. 2026", "2026-02-30", "", "31. 12."] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }
}
