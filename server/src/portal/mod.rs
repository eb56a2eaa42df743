//! The citizen portal's pages (seed 002): login with birth number, ID-card number and an SMS
//! code, "My records" with the certificate download, contact changes, and the old-certificate
//! exchange (scan form and the 1:1 URL). Server-rendered HTML (minijinja, auto-escaped), Czech
//! by default with English, no JavaScript. The logic lives in `service::{citizen, exchange}`;
//! this module reads forms and cookies, checks CSRF and renders.

mod account;
mod card;
mod citizen_login;
mod contacts;
mod oidc;
mod permissions;
mod questions;
mod registry;
mod renewal;
mod scan;
mod scanner;
pub(crate) use scanner::{check as scanner_check, page_get as scanner_page};
mod info;
pub(crate) use info::not_found;
mod web;
mod worker;

use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::{context, Value};
use serde::Deserialize;

use ::service::citizen::CitizenError;
use ::service::exchange::ExchangeError;
use ::service::validate;

use crate::error::AppError;
pub use crate::i18n::{self, Arg, Lang};
pub use crate::pages::Pages;
use crate::service::otp::Rejected;
use crate::service::{citizen, exchange};
use crate::state::AppState;
use crate::store::portal::ContactField;
use account::{end_session, logout, me, my_pdf, sessions_page};
use citizen_login::{code_page, code_submit, home, login, resend};
use scan::{exchange_page, exchange_pdf, scan_page, scan_submit};
pub use web::{
    cookie_header, csp_with_form_target, Web, CSP, FLOW_COOKIE, LANG_COOKIE, REGISTRY_COOKIE,
    SESSION_COOKIE,
};

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
        .route("/registry/nia/link", post(oidc::start_link))
        .route("/registry/nia/link/confirm", post(oidc::confirm_link))
        .route("/registry/nia/unlink", post(oidc::unlink))
        .route("/logout", post(logout))
        .route("/me", get(me))
        .route("/me/certificates/{id}/pdf", get(my_pdf))
        .route("/me/sessions", get(sessions_page))
        .route("/me/sessions/end", post(end_session))
        .route("/lang/{lang}", get(set_lang))
        .route("/privacy", get(info::privacy))
        .route("/accessibility", get(info::accessibility))
        .route("/static/portal.css", get(css))
        .route("/exchange/{token}", get(exchange_page))
        .route("/exchange/{token}/pdf", get(exchange_pdf))
        .merge(contacts::routes())
        .merge(registry::routes())
        .merge(permissions::routes())
        .merge(renewal::routes())
        .merge(questions::routes())
        .merge(worker::routes())
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
        .merge(
            Router::new()
                .route("/exchange", get(scan_page).post(scan_submit))
                .layer(DefaultBodyLimit::max(PHOTO_LIMIT + 64 * 1024)),
        )
        // The validators' scanner: its page `GET /verify` and `POST /verify/image` are routed
        // in `routes`, beside the JSON API's `POST /verify` and with its per-IP bucket.
        .route("/static/scanner.js", get(scanner::script))
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
        AppError::Invalid(m) | AppError::Conflict(m) | AppError::BadRequest(m) => message(
            app,
            web,
            e.status(),
            t("invalid_title"),
            &m.text(web.lang),
            home,
        ),
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

/// A page of a pre-login flow: renders with the flow's CSRF token, setting a new flow cookie
/// when the browser had none.
fn flow_page(
    app: &AppState,
    web: &Web,
    status: StatusCode,
    name: &str,
    ctx: minijinja::Value,
) -> Response {
    let (flow, set) = match flow_of(app, web) {
        Ok(f) => f,
        Err(e) => return error_page(app, web, e),
    };
    let resp = page(
        app,
        web,
        status,
        name,
        context! { csrf => app.secrets.csrf_token(&flow), ..ctx },
    );
    match set {
        Some(c) => with_cookie(resp, c),
        None => resp,
    }
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

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    field: String,
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
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

/// A Unix time as the page shows it: the date and time in Prague (DESIGN.md "Pages").
fn when(lang: Lang, unix: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(unix) else {
        return String::new();
    };
    // `YYYY-MM-DDTHH:MM` in Prague, from the one time-zone helper.
    let local = ::service::validator::local_input(t);
    match local.split_once('T') {
        Some((day, hm)) => format!("{} {hm}", web::date(lang, day)),
        None => local,
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
