//! The citizen portal's pages (seed 002): login with birth number, ID-card number and an SMS
//! code, "My records" with the certificate download, contact changes, and the old-certificate
//! exchange (scan form and the 1:1 URL). Server-rendered HTML (minijinja, auto-escaped), Czech
//! by default with English, no JavaScript. The logic lives in `service::{citizen, exchange}`;
//! this module reads forms and cookies, checks CSRF and renders.

mod oidc;
mod permissions;
mod questions;
mod registry;
mod renewal;
mod web;

use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::{context, Value};
use serde::Deserialize;

use ::service::Error as ServiceError;

use crate::error::AppError;
pub use crate::i18n::{self, Lang};
pub use crate::pages::Pages;
use crate::service::otp::Rejected;
use crate::service::{citizen, exchange};
use crate::state::AppState;
use crate::store::portal::ContactField;
pub use web::{cookie_header, Web, FLOW_COOKIE, LANG_COOKIE, SESSION_COOKIE};

/// The portal's style sheet.
pub const CSS: &str = include_str!("../../static/portal.css");

/// Form bodies (SECURITY.md 50).
pub const FORM_LIMIT: usize = 16 * 1024;
/// An uploaded photo of an old certificate's code (SECURITY.md 39).
pub const PHOTO_LIMIT: usize = 2 * 1024 * 1024;
/// Largest side of an uploaded photo, in pixels.
pub const PHOTO_MAX_SIDE: u32 = 4000;

/// The portal's routes.
pub fn routes(state: &AppState) -> Router<AppState> {
    let _ = state;
    Router::new()
        .route("/", get(home))
        .route("/login", post(login))
        .route("/login/code", get(code_page).post(code_submit))
        .route("/login/resend", post(resend))
        .route("/login/nia", get(oidc::start))
        .route("/login/nia/callback", get(oidc::callback))
        .route("/registry/nia", get(oidc::start_registry))
        .route("/logout", post(logout))
        .route("/me", get(me))
        .route("/me/certificates/{id}/pdf", get(my_pdf))
        .route("/me/contact", get(contact_page).post(contact_submit))
        .route("/me/contact/confirm", post(contact_confirm))
        .route("/me/sessions", get(sessions_page))
        .route("/me/sessions/end", post(end_session))
        .route("/me/step-up", post(step_up))
        .route("/me/step-up/confirm", post(step_up_confirm))
        .route("/lang/{lang}", get(set_lang))
        .route("/static/portal.css", get(css))
        .route("/exchange/{token}", get(exchange_page))
        .route("/exchange/{token}/pdf", get(exchange_pdf))
        .merge(registry::routes())
        .merge(permissions::routes())
        .merge(renewal::routes())
        .merge(questions::routes())
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
        .merge(
            Router::new()
                .route("/exchange", get(scan_page).post(scan_submit))
                .layer(DefaultBodyLimit::max(PHOTO_LIMIT + 64 * 1024)),
        )
}

fn now(app: &AppState) -> time::OffsetDateTime {
    app.clock.now()
}

fn page(app: &AppState, web: &Web, status: StatusCode, name: &str, ctx: Value) -> Response {
    // Whether the security-question branch is on (SECURITY.md 19), for every page's links.
    let ctx = context! { recovery_questions => app.config.registry.recovery_questions, ..ctx };
    match app.pages.render(name, web.lang, &web.path, ctx) {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(e) => AppError::Internal(format!("template {name}: {e}")).into_response(),
    }
}

/// A message page: heading, text, one link.
fn message(
    app: &AppState,
    web: &Web,
    status: StatusCode,
    heading: &str,
    text: &str,
    link: (&str, &str),
) -> Response {
    page(
        app,
        web,
        status,
        "message.html",
        context! { heading, text, link => link.0, link_text => link.1 },
    )
}

/// An error as a page, in the page's language; 500s hide their detail (it reaches the log
/// through the response extension).
fn error_page(app: &AppState, web: &Web, e: impl Into<AppError>) -> Response {
    let e: AppError = e.into();
    let t = |k| web.lang.t(k);
    let home = ("/", t("to_home"));
    let mut resp = match &e {
        AppError::TooManyRequests(_) => message(
            app,
            web,
            e.status(),
            t("too_many_title"),
            t("too_many"),
            home,
        ),
        AppError::Unavailable(_) => {
            message(app, web, e.status(), t("too_many_title"), t("busy"), home)
        }
        AppError::NotFound => message(
            app,
            web,
            e.status(),
            t("not_found_title"),
            t("not_found"),
            home,
        ),
        AppError::Forbidden(_) => message(
            app,
            web,
            e.status(),
            t("forbidden_title"),
            t("forbidden"),
            home,
        ),
        AppError::Unauthorized => message(
            app,
            web,
            e.status(),
            t("session_expired_title"),
            t("session_expired"),
            ("/", t("to_login")),
        ),
        AppError::Invalid(m) | AppError::Conflict(m) | AppError::BadRequest(m) => {
            message(app, web, e.status(), t("invalid_title"), m, home)
        }
        AppError::Internal(_) | AppError::UnsupportedMediaType | AppError::TooLarge => {
            message(app, web, e.status(), t("error_title"), t("error"), home)
        }
    };
    if let AppError::TooManyRequests(s) | AppError::Unavailable(s) = &e {
        resp.headers_mut().insert(header::RETRY_AFTER, (*s).into());
    }
    if let AppError::Internal(d) = e {
        resp.extensions_mut()
            .insert(crate::error::InternalDetail(d));
    }
    resp
}

fn see_other(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn with_cookie(mut resp: Response, cookie: String) -> Response {
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// The flow cookie of a pre-login page: the browser's when this installation issued it, else
/// a new one to set (a client-chosen flow id is never adopted, SECURITY.md 20).
fn flow_of(app: &AppState, web: &Web) -> Result<(String, Option<String>), AppError> {
    match web
        .flow
        .as_deref()
        .filter(|f| app.secrets.flow_id_issued(f))
    {
        Some(f) => Ok((f.to_string(), None)),
        None => {
            let f = app
                .secrets
                .new_flow_id()
                .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok((f.clone(), Some(cookie_header(FLOW_COOKIE, &f, None))))
        }
    }
}

fn login_page(
    app: &AppState,
    web: &Web,
    status: StatusCode,
    error: Option<&str>,
    notice: Option<&str>,
    birth_number: &str,
) -> Response {
    let (flow, set) = match flow_of(app, web) {
        Ok(f) => f,
        Err(e) => return error_page(app, web, e),
    };
    let resp = page(
        app,
        web,
        status,
        "login.html",
        context! {
            csrf => app.secrets.csrf_token(&flow),
            error, notice, birth_number,
            nia => app.config.oidc.enabled(),
        },
    );
    match set {
        Some(c) => with_cookie(resp, c),
        None => resp,
    }
}

async fn home(State(app): State<AppState>, web: Web) -> Response {
    if let Some(tok) = &web.session {
        if let Ok(Some(_)) = citizen::session(&app, tok, now(&app).unix_timestamp()).await {
            return see_other("/me");
        }
    }
    login_page(&app, &web, StatusCode::OK, None, None, "")
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    birth_number: String,
    #[serde(default)]
    id_card: String,
}

async fn login(State(app): State<AppState>, web: Web, Form(f): Form<LoginForm>) -> Response {
    let Some(flow) = web.csrf_checked(&app, web.flow.as_deref(), &f.csrf) else {
        return error_page(&app, &web, AppError::Forbidden("csrf".into()));
    };
    let ts = now(&app).unix_timestamp();
    if let Err(e) = citizen::count_auth_request(&app, web.ip, ts).await {
        return error_page(&app, &web, e);
    }
    let digest = crate::secrets::token_digest(flow);
    match citizen::start_login(&app, &digest, &f.birth_number, &f.id_card, ts).await {
        Ok(()) => see_other("/login/code"),
        Err(ServiceError::Invalid(m)) => {
            // Echo the birth number only when it was the valid part, never into a log.
            let (key, keep) = if m.contains("birth_number") {
                ("bn_invalid", "")
            } else {
                ("id_card_invalid", f.birth_number.as_str())
            };
            let msg = web.lang.t(key);
            login_page(
                &app,
                &web,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(msg),
                None,
                keep,
            )
        }
        Err(e) => error_page(&app, &web, e),
    }
}

fn code_form(
    app: &AppState,
    web: &Web,
    status: StatusCode,
    csrf_cookie: &str,
    error: Option<&str>,
    notice: Option<&str>,
) -> Response {
    page(
        app,
        web,
        status,
        "code.html",
        context! {
            csrf => app.secrets.csrf_token(csrf_cookie),
            action => "/login/code", resend => "/login/resend", back => "/",
            error, notice,
        },
    )
}

async fn code_page(State(app): State<AppState>, web: Web) -> Response {
    match &web.flow {
        Some(flow) => code_form(&app, &web, StatusCode::OK, flow, None, None),
        None => see_other("/"),
    }
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    field: String,
}

async fn code_submit(State(app): State<AppState>, web: Web, Form(f): Form<CodeForm>) -> Response {
    let Some(flow) = web.csrf_checked(&app, web.flow.as_deref(), &f.csrf) else {
        return error_page(&app, &web, AppError::Forbidden("csrf".into()));
    };
    let ts = now(&app).unix_timestamp();
    if let Err(e) = citizen::count_auth_request(&app, web.ip, ts).await {
        return error_page(&app, &web, e);
    }
    let digest = crate::secrets::token_digest(flow);
    match citizen::finish_login(&app, &digest, &f.code, ts).await {
        Ok(Ok(session)) => {
            let resp = with_cookie(
                see_other("/me"),
                cookie_header(SESSION_COOKIE, &session.token, None),
            );
            with_cookie(resp, cookie_header(FLOW_COOKIE, "", Some(0)))
        }
        Ok(Err(Rejected::NoChallenge)) => login_page(
            &app,
            &web,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(web.lang.t("flow_expired")),
            None,
            "",
        ),
        Ok(Err(Rejected::Wrong)) => code_form(
            &app,
            &web,
            StatusCode::UNPROCESSABLE_ENTITY,
            flow,
            Some(web.lang.t("code_wrong")),
            None,
        ),
        Err(e) => error_page(&app, &web, e),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn resend(State(app): State<AppState>, web: Web, Form(f): Form<CsrfForm>) -> Response {
    let Some(flow) = web.csrf_checked(&app, web.flow.as_deref(), &f.csrf) else {
        return error_page(&app, &web, AppError::Forbidden("csrf".into()));
    };
    let ts = now(&app).unix_timestamp();
    if let Err(e) = citizen::count_auth_request(&app, web.ip, ts).await {
        return error_page(&app, &web, e);
    }
    let digest = crate::secrets::token_digest(flow);
    match citizen::resend_login(&app, &digest, ts).await {
        Ok(true) => code_form(
            &app,
            &web,
            StatusCode::OK,
            flow,
            None,
            Some(web.lang.t("resent")),
        ),
        Ok(false) => see_other("/"),
        Err(e) => error_page(&app, &web, e),
    }
}

/// The live session of the request, or the "session ended" page (401).
async fn require_session(
    app: &AppState,
    web: &Web,
) -> Result<(citizen::Session, String), Response> {
    let Some(tok) = &web.session else {
        return Err(error_page(app, web, AppError::Unauthorized));
    };
    match citizen::session(app, tok, now(app).unix_timestamp()).await {
        Ok(Some(s)) => Ok((s, tok.clone())),
        Ok(None) => Err(with_cookie(
            error_page(app, web, AppError::Unauthorized),
            cookie_header(SESSION_COOKIE, "", Some(0)),
        )),
        Err(e) => Err(error_page(app, web, e)),
    }
}

/// The live session of a form POST whose CSRF check passes, or the page saying why not.
async fn session_post(
    app: &AppState,
    web: &Web,
    csrf: &str,
) -> Result<(citizen::Session, String), Response> {
    let (s, tok) = require_session(app, web).await?;
    if web.csrf_checked(app, Some(&tok), csrf).is_none() {
        return Err(error_page(app, web, AppError::Forbidden("csrf".into())));
    }
    Ok((s, tok))
}

async fn logout(State(app): State<AppState>, web: Web, Form(f): Form<CsrfForm>) -> Response {
    let (s, _) = match session_post(&app, &web, &f.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(e) = citizen::logout(&app, &s, now(&app).unix_timestamp()).await {
        return error_page(&app, &web, e);
    }
    with_cookie(see_other("/"), cookie_header(SESSION_COOKIE, "", Some(0)))
}

async fn me(State(app): State<AppState>, web: Web) -> Response {
    let (s, tok) = match require_session(&app, &web).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let o = match citizen::overview(&app, &s).await {
        Ok(o) => o,
        Err(e) => return error_page(&app, &web, e),
    };
    let records = web::record_items(&app.public.names, web.lang, &o.records);
    page(
        &app,
        &web,
        StatusCode::OK,
        "me.html",
        context! {
            csrf => app.secrets.csrf_token(&tok),
            name => format!("{} {}", o.person.given_name, o.person.family_name),
            dob => web::date(web.lang, &o.person.dob),
            identified => o.person.identified,
            records,
        },
    )
}

fn pdf_response(pdf: Vec<u8>, name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        pdf,
    )
        .into_response()
}

async fn my_pdf(State(app): State<AppState>, web: Web, Path(id): Path<String>) -> Response {
    let (s, _) = match require_session(&app, &web).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match citizen::certificate_pdf(&app, &s, &id, now(&app).unix_timestamp()).await {
        Ok(pdf) => pdf_response(pdf, "certificate.pdf"),
        Err(e) => error_page(&app, &web, e),
    }
}

async fn contact_view(
    app: &AppState,
    web: &Web,
    s: &citizen::Session,
    tok: &str,
    status: StatusCode,
    error: Option<&str>,
    notice: Option<&str>,
) -> Response {
    let person = match app.store.person(&s.person_id).await {
        Ok(Some(p)) => p,
        Ok(None) => return error_page(app, web, AppError::NotFound),
        Err(e) => return error_page(app, web, AppError::from(e)),
    };
    let proposals = match app.store.contact_proposals(&s.person_id).await {
        Ok(p) => p,
        Err(e) => return error_page(app, web, AppError::from(e)),
    };
    let items: Vec<Value> = proposals
        .iter()
        .flat_map(|p| {
            let phone = p.phone.as_deref().map(|v| {
                (
                    "phone",
                    web.lang.t("phone"),
                    web::mask_phone(Some(v)).unwrap_or_default(),
                )
            });
            let email = p.email.as_deref().map(|v| {
                (
                    "email",
                    web.lang.t("email"),
                    web::mask_email(Some(v)).unwrap_or_default(),
                )
            });
            [phone, email]
                .into_iter()
                .flatten()
                .map(|(field, label, shown)| {
                    context! {
                        field, label, shown, record => p.record_id.clone(),
                        org => p.org_name.clone(), when => when(web.lang, p.created_at),
                    }
                })
        })
        .collect();
    let none = web.lang.t("none");
    page(
        app,
        web,
        status,
        "contact.html",
        context! {
            csrf => app.secrets.csrf_token(tok),
            proposals => items,
            phone => web::mask_phone(person.phone.as_deref()).unwrap_or_else(|| none.to_string()),
            email => web::mask_email(person.email.as_deref()).unwrap_or_else(|| none.to_string()),
            fresh => citizen::fresh_otp(s, now(app).unix_timestamp()),
            error, notice,
        },
    )
}

#[derive(Deserialize)]
struct ChangedQuery {
    #[serde(default)]
    changed: Option<String>,
}

async fn contact_page(
    State(app): State<AppState>,
    web: Web,
    Query(q): Query<ChangedQuery>,
) -> Response {
    let (s, tok) = match require_session(&app, &web).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let notice = q.changed.map(|_| web.lang.t("contact_changed"));
    contact_view(&app, &web, &s, &tok, StatusCode::OK, None, notice).await
}

#[derive(Deserialize)]
struct ContactForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    value: String,
    /// Adopt the contact recorded with this record (a provider's different contact) instead
    /// of a typed `value`.
    #[serde(default)]
    record: String,
}

fn contact_field(name: &str) -> Option<ContactField> {
    match name {
        "phone" => Some(ContactField::Phone),
        "email" => Some(ContactField::Email),
        _ => None,
    }
}

fn contact_code_form(
    app: &AppState,
    web: &Web,
    tok: &str,
    field: &str,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    page(
        app,
        web,
        status,
        "code.html",
        context! {
            csrf => app.secrets.csrf_token(tok),
            action => "/me/contact/confirm", back => "/me/contact", field,
            error,
        },
    )
}

async fn contact_submit(
    State(app): State<AppState>,
    web: Web,
    Form(f): Form<ContactForm>,
) -> Response {
    let (s, tok) = match session_post(&app, &web, &f.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(field) = contact_field(&f.field) else {
        return error_page(
            &app,
            &web,
            AppError::Invalid("field must be phone or email".into()),
        );
    };
    let value = if f.record.is_empty() {
        f.value.clone()
    } else {
        let proposed = match app.store.contact_proposals(&s.person_id).await {
            Ok(list) => list.into_iter().find(|p| p.record_id == f.record),
            Err(e) => return error_page(&app, &web, AppError::from(e)),
        };
        let value = proposed.and_then(|p| match field {
            ContactField::Phone => p.phone,
            ContactField::Email => p.email,
        });
        match value {
            Some(v) => v,
            None => return error_page(&app, &web, AppError::NotFound),
        }
    };
    match citizen::start_contact_change(&app, &s, field, &value, now(&app).unix_timestamp()).await {
        Ok(()) => contact_code_form(&app, &web, &tok, &f.field, StatusCode::OK, None),
        Err(ServiceError::Invalid(_)) => {
            let msg = web.lang.t(match field {
                ContactField::Phone => "phone_invalid",
                ContactField::Email => "email_invalid",
            });
            contact_view(
                &app,
                &web,
                &s,
                &tok,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(msg),
                None,
            )
            .await
        }
        Err(ServiceError::Forbidden(_)) => {
            let mut r = contact_view(&app, &web, &s, &tok, StatusCode::FORBIDDEN, None, None).await;
            r.headers_mut()
                .insert("x-dcc-error", HeaderValue::from_static("step_up_required"));
            r
        }
        Err(e) => error_page(&app, &web, e),
    }
}

async fn contact_confirm(
    State(app): State<AppState>,
    web: Web,
    Form(f): Form<CodeForm>,
) -> Response {
    let (s, tok) = match session_post(&app, &web, &f.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(field) = contact_field(&f.field) else {
        return error_page(
            &app,
            &web,
            AppError::Invalid("field must be phone or email".into()),
        );
    };
    match citizen::finish_contact_change(&app, &s, field, &f.code, now(&app).unix_timestamp()).await
    {
        Ok(Ok(())) => see_other("/me/contact?changed=1"),
        Ok(Err(_)) => contact_code_form(
            &app,
            &web,
            &tok,
            &f.field,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(web.lang.t("code_wrong")),
        ),
        Err(e) => error_page(&app, &web, e),
    }
}

async fn step_up(State(app): State<AppState>, web: Web, Form(f): Form<CsrfForm>) -> Response {
    let (s, tok) = match session_post(&app, &web, &f.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match citizen::start_step_up(&app, &s, now(&app).unix_timestamp()).await {
        Ok(()) => page(
            &app,
            &web,
            StatusCode::OK,
            "code.html",
            context! {
                csrf => app.secrets.csrf_token(&tok),
                action => "/me/step-up/confirm", back => "/me/contact",
            },
        ),
        Err(e) => error_page(&app, &web, e),
    }
}

async fn step_up_confirm(
    State(app): State<AppState>,
    web: Web,
    Form(f): Form<CodeForm>,
) -> Response {
    let (s, tok) = match session_post(&app, &web, &f.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let ts = now(&app).unix_timestamp();
    match citizen::finish_step_up(&app, &s, &f.code, ts).await {
        Ok(Ok(())) => {
            let fresh = citizen::Session {
                otp_verified_at: ts,
                ..s
            };
            contact_view(
                &app,
                &web,
                &fresh,
                &tok,
                StatusCode::OK,
                None,
                Some(web.lang.t("step_up_done")),
            )
            .await
        }
        Ok(Err(_)) => page(
            &app,
            &web,
            StatusCode::UNPROCESSABLE_ENTITY,
            "code.html",
            context! {
                csrf => app.secrets.csrf_token(&tok),
                action => "/me/step-up/confirm", back => "/me/contact",
                error => web.lang.t("code_wrong"),
            },
        ),
        Err(e) => error_page(&app, &web, e),
    }
}

fn when(lang: Lang, unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| {
            format!(
                "{} {:02}:{:02} UTC",
                web::date(lang, &t.date().to_string()),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default()
}

async fn sessions_view(
    app: &AppState,
    web: &Web,
    s: &citizen::Session,
    tok: &str,
    notice: Option<&str>,
) -> Response {
    let list = match citizen::sessions(app, s).await {
        Ok(l) => l,
        Err(e) => return error_page(app, web, e),
    };
    let sessions = session_items(web, &list);
    page(
        app,
        web,
        StatusCode::OK,
        "sessions.html",
        context! {
            csrf => app.secrets.csrf_token(tok), sessions, notice,
            end_action => "/me/sessions/end", back => "/me", back_text => web.lang.t("back_records"),
        },
    )
}

/// The sessions page's list items.
fn session_items(web: &Web, list: &[citizen::SessionInfo]) -> Vec<Value> {
    list.iter()
        .map(|i| {
            context! {
                handle => i.handle, current => i.current,
                started => when(web.lang, i.created_at), last => when(web.lang, i.last_seen_at),
            }
        })
        .collect()
}

async fn sessions_page(State(app): State<AppState>, web: Web) -> Response {
    match require_session(&app, &web).await {
        Ok((s, tok)) => sessions_view(&app, &web, &s, &tok, None).await,
        Err(r) => r,
    }
}

#[derive(Deserialize)]
struct EndForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    handle: String,
}

async fn end_session(State(app): State<AppState>, web: Web, Form(f): Form<EndForm>) -> Response {
    let (s, tok) = match session_post(&app, &web, &f.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match citizen::end_session(&app, &s, &f.handle, now(&app).unix_timestamp()).await {
        Ok(true) => sessions_view(&app, &web, &s, &tok, Some(web.lang.t("session_ended"))).await,
        Ok(false) => error_page(&app, &web, AppError::NotFound),
        Err(e) => error_page(&app, &web, e),
    }
}

#[derive(Deserialize)]
struct NextQuery {
    #[serde(default)]
    next: Option<String>,
}

async fn set_lang(Path(lang): Path<String>, Query(q): Query<NextQuery>) -> Response {
    let lang = Lang::from_code(Some(&lang));
    let next = web::safe_next(q.next.as_deref());
    with_cookie(
        see_other(&next),
        cookie_header(LANG_COOKIE, lang.code(), None),
    )
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

fn scan_form(app: &AppState, web: &Web, status: StatusCode, error: Option<&str>) -> Response {
    let (flow, set) = match flow_of(app, web) {
        Ok(f) => f,
        Err(e) => return error_page(app, web, e),
    };
    let resp = page(
        app,
        web,
        status,
        "exchange_scan.html",
        context! { csrf => app.secrets.csrf_token(&flow), error },
    );
    match set {
        Some(c) => with_cookie(resp, c),
        None => resp,
    }
}

async fn scan_page(State(app): State<AppState>, web: Web) -> Response {
    scan_form(&app, &web, StatusCode::OK, None)
}

async fn scan_submit(State(app): State<AppState>, web: Web, mut form: Multipart) -> Response {
    let mut csrf = String::new();
    let mut text = String::new();
    let mut photo: Option<Vec<u8>> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                match field.bytes().await {
                    Ok(b) => match name.as_str() {
                        "csrf" => csrf = String::from_utf8_lossy(&b).into_owned(),
                        "text" => text = String::from_utf8_lossy(&b).into_owned(),
                        "photo" if !b.is_empty() => photo = Some(b.to_vec()),
                        _ => {}
                    },
                    Err(_) => {
                        return scan_form(
                            &app,
                            &web,
                            StatusCode::PAYLOAD_TOO_LARGE,
                            Some(web.lang.t("scan_too_large")),
                        )
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                let status = e.status();
                let msg = if status == StatusCode::PAYLOAD_TOO_LARGE {
                    web.lang.t("scan_too_large")
                } else {
                    web.lang.t("scan_nothing")
                };
                return scan_form(&app, &web, status, Some(msg));
            }
        }
    }
    if web.csrf_checked(&app, web.flow.as_deref(), &csrf).is_none() {
        return error_page(&app, &web, AppError::Forbidden("csrf".into()));
    }
    let scanned = if !text.trim().is_empty() {
        Ok(text)
    } else if let Some(bytes) = photo {
        let budget = std::time::Duration::from_millis(app.config.decode.budget_ms);
        web::read_qr(&app.decode_pool, budget, bytes).await
    } else {
        Err((StatusCode::UNPROCESSABLE_ENTITY, "scan_nothing"))
    };
    match scanned.and_then(|t| {
        web::exchange_token(&t).ok_or((StatusCode::UNPROCESSABLE_ENTITY, "scan_not_exchange"))
    }) {
        Ok(token) => see_other(&format!("/exchange/{token}")),
        Err((status, key)) => {
            let mut resp = scan_form(&app, &web, status, Some(web.lang.t(key)));
            if status == StatusCode::SERVICE_UNAVAILABLE {
                // Every decoder busy and the queue full (issue 18): a few seconds frees them.
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            }
            resp
        }
    }
}

fn exchange_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

async fn exchange_page(
    State(app): State<AppState>,
    web: Web,
    Path(token): Path<String>,
) -> Response {
    tracing::info!(path = %exchange::log_path(&token), "exchange visit");
    let (cert, legacy) = match exchange::certificate(&app, &token, web.ip, now(&app)).await {
        Ok(c) => c,
        Err(ServiceError::Conflict(_)) => {
            return exchange_headers(message(
                &app,
                &web,
                StatusCode::CONFLICT,
                web.lang.t("exchange_title"),
                web.lang.t("exchange_pending"),
                ("/", web.lang.t("to_home")),
            ))
        }
        Err(e) => return exchange_headers(error_page(&app, &web, e)),
    };
    let issued = match issuer::Issued::from_hc1(&cert.hc1) {
        Ok(i) => i,
        Err(e) => {
            return error_page(
                &app,
                &web,
                AppError::Internal(format!("stored certificate: {e}")),
            )
        }
    };
    let kind = match cert.kind.as_str() {
        "v" => web.lang.t("vaccination"),
        "t" => web.lang.t("test"),
        _ => web.lang.t("recovery"),
    };
    let name = format!(
        "{} {}",
        issued.dcc.name.given.as_deref().unwrap_or_default(),
        issued.dcc.name.family.as_deref().unwrap_or_default()
    );
    exchange_headers(page(
        &app,
        &web,
        StatusCode::OK,
        "exchange.html",
        context! {
            name => name.trim(),
            kind,
            uvci => cert.uvci,
            download => format!("/exchange/{token}/pdf"),
            limits => web.lang.t("exchange_keep")
                .replace("{until}", &exchange_until(web.lang, legacy.expires_at))
                .replace("{left}", &(app.config.portal.exchange_downloads - legacy.downloads)
                    .max(0).to_string()),
        },
    ))
}

fn exchange_until(lang: Lang, unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| web::date(lang, &t.date().to_string()))
        .unwrap_or_default()
}

async fn exchange_pdf(
    State(app): State<AppState>,
    web: Web,
    Path(token): Path<String>,
) -> Response {
    tracing::info!(path = %exchange::log_path(&token), "exchange download");
    let cert = match exchange::download(&app, &token, web.ip, now(&app)).await {
        Ok(c) => c,
        Err(e) => return exchange_headers(error_page(&app, &web, e)),
    };
    match citizen::render_pdf(&app, &cert).await {
        Ok(pdf) => exchange_headers(pdf_response(pdf, "certificate.pdf")),
        Err(e) => error_page(&app, &web, e),
    }
}
