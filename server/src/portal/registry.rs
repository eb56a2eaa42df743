//! The registry-user pages (issue #9; seeds 000 and 001): sign-in with username + PIN + the
//! picture captcha and a one-time code, registration by SMS, and the account page. The logic
//! lives in `service::registry`; these handlers read forms and cookies, check CSRF and render.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::context;
use serde::Deserialize;

use super::web::REGISTRY_COOKIE;
use super::{
    cookie_header, error_page, flow_of, flow_page, message, now, page, see_other, with_cookie,
    CsrfForm, Web, FLOW_COOKIE,
};
use crate::error::AppError;
use crate::service::otp::Rejected;
use crate::service::registry::{
    self as service, CertRejected, ChangeRejected, Details, FormRejected,
};
use crate::state::AppState;

/// The registry's routes, under `/registry`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/registry", get(login_page))
        .route("/registry/captcha/{id}", get(captcha))
        .route("/registry/login", post(login))
        .route(
            "/registry/login/code",
            get(login_code_page).post(login_code),
        )
        .route(
            "/registry/login/email",
            get(email_login_page).post(email_login),
        )
        .route(
            "/registry/login/email/code",
            get(email_login_code_page).post(email_login_code),
        )
        .route("/registry/register", get(register_page).post(register))
        .route(
            "/registry/register/code",
            get(register_code_page).post(register_code),
        )
        .route(
            "/registry/register/details",
            get(details_page).post(details),
        )
        .route(
            "/registry/register/certificate",
            get(certificate_page).post(certificate),
        )
        .route("/registry/account", get(account))
        .route("/registry/account/pin", get(pin_page).post(pin_change))
        .route("/registry/sessions", get(sessions_page))
        .route("/registry/sessions/end", post(end_session))
        .route("/registry/logout", post(logout))
}

pub(super) fn ts(app: &AppState) -> i64 {
    now(app).unix_timestamp()
}

/// The sign-in page with a fresh captcha.
async fn sign_in(
    app: &AppState,
    web: &Web,
    status: StatusCode,
    error: Option<&str>,
    username: &str,
) -> Response {
    sign_in_with(app, web, status, error, None, username).await
}

/// The sign-in page with a fresh captcha and an optional notice.
async fn sign_in_with(
    app: &AppState,
    web: &Web,
    status: StatusCode,
    error: Option<&str>,
    notice: Option<&str>,
    username: &str,
) -> Response {
    let captcha_id = match crate::service::captcha::issue(app, ts(app)) {
        Ok(id) => id,
        Err(e) => return error_page(app, web, e),
    };
    flow_page(
        app,
        web,
        status,
        "registry_login.html",
        context! {
            captcha_id, error, notice, username,
            cert_offered => app.certificate_cas.is_some(),
            nia => app.config.oidc.enabled(),
        },
    )
}

#[derive(Deserialize)]
struct LoginQuery {
    #[serde(default)]
    renewed: Option<String>,
}

async fn login_page(
    State(app): State<AppState>,
    web: Web,
    Query(q): Query<LoginQuery>,
) -> Response {
    if let Some(tok) = &web.registry {
        if let Ok(Some(_)) = service::session(&app, tok, ts(&app)).await {
            return see_other("/registry/account");
        }
    }
    let notice = q.renewed.is_some().then(|| web.lang.t("renew_done"));
    sign_in_with(&app, &web, StatusCode::OK, None, notice, "").await
}

/// The picture of a captcha token, drawn again from the token (nothing is read from the
/// database); limited per client in memory, since drawing costs CPU (`benches/captcha.rs`).
async fn captcha(State(app): State<AppState>, web: Web, Path(token): Path<String>) -> Response {
    if let Some(limiter) = &app.anonymous.captcha_pictures {
        if let Err(secs) = limiter.check(crate::ratelimit::client_of(web.ip)) {
            return AppError::TooManyRequests(secs).into_response();
        }
    }
    let token = token.trim_end_matches(".png");
    match crate::service::captcha::picture(&app, token, ts(&app)).await {
        Ok(Some(png)) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            png,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    pin: String,
    #[serde(default)]
    captcha_id: String,
    #[serde(default)]
    captcha: String,
}

/// A form POST of a flow: the CSRF check, then the count against the IP's authentication
/// budget; the flow's digest.
pub(super) async fn checked_flow(
    app: &AppState,
    web: &Web,
    csrf: &str,
) -> Result<Vec<u8>, Response> {
    let Some(flow) = web.csrf_checked(app, web.flow.as_deref(), csrf) else {
        return Err(error_page(app, web, AppError::Forbidden("csrf".into())));
    };
    let digest = crate::secrets::token_digest(flow);
    counted(app, web).await?;
    Ok(digest)
}

/// Counts the POST against the IP's authentication budget (SECURITY.md 49).
pub(super) async fn counted(app: &AppState, web: &Web) -> Result<(), Response> {
    crate::service::citizen::count_auth_request(app, web.ip, ts(app))
        .await
        .map_err(|e| error_page(app, web, e))
}

async fn login(State(app): State<AppState>, web: Web, Form(f): Form<LoginForm>) -> Response {
    let Some(flow) = web.csrf_checked(&app, web.flow.as_deref(), &f.csrf) else {
        return error_page(&app, &web, AppError::Forbidden("csrf".into()));
    };
    // An empty field is named as missing; it says nothing about any account.
    let missing = if f.username.trim().is_empty() {
        Some("username_missing")
    } else if f.pin.is_empty() {
        Some("pin_missing")
    } else {
        None
    };
    if let Some(key) = missing {
        let keep = service::normalise_username(&f.username);
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return sign_in(&app, &web, status, Some(web.lang.t(key)), &keep).await;
    }
    if let Err(r) = counted(&app, &web).await {
        return r;
    }
    let digest = crate::secrets::token_digest(flow);
    let r = service::start_login(
        &app,
        &digest,
        &f.username,
        &f.pin,
        &f.captcha_id,
        &f.captcha,
        ts(&app),
    )
    .await;
    match r {
        Ok(Ok(())) => see_other("/registry/login/code"),
        Ok(Err(_)) => {
            let keep = service::normalise_username(&f.username);
            sign_in(
                &app,
                &web,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(web.lang.t("captcha_wrong")),
                &keep,
            )
            .await
        }
        Err(e) => error_page(&app, &web, e),
    }
}

/// The sign-in without the picture (SECURITY.md 14), step 1: the username, to which account's
/// e-mail the code goes.
async fn email_login_page(State(app): State<AppState>, web: Web) -> Response {
    let ctx = context! { step => "username", username => "" };
    flow_page(&app, &web, StatusCode::OK, "registry_login_email.html", ctx)
}

#[derive(Deserialize)]
struct UsernameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
}

async fn email_login(
    State(app): State<AppState>,
    web: Web,
    Form(f): Form<UsernameForm>,
) -> Response {
    let digest = match checked_flow(&app, &web, &f.csrf).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    match service::start_login_by_email(&app, &digest, &f.username, ts(&app)).await {
        Ok(Ok(())) => see_other("/registry/login/email/code"),
        Ok(Err(_)) => {
            let ctx = context! {
                step => "username", username => "", error => web.lang.t("username_missing"),
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            flow_page(&app, &web, status, "registry_login_email.html", ctx)
        }
        Err(e) => error_page(&app, &web, e),
    }
}

/// Step 2: the e-mailed code and the PIN; then the login code as after the picture.
async fn email_login_code_page(State(app): State<AppState>, web: Web) -> Response {
    email_code_form(&app, &web, StatusCode::OK, None)
}

fn email_code_form(app: &AppState, web: &Web, status: StatusCode, error: Option<&str>) -> Response {
    if web.flow.is_none() {
        return see_other("/registry/login/email");
    }
    let ctx = context! { step => "code", error };
    flow_page(app, web, status, "registry_login_email.html", ctx)
}

#[derive(Deserialize)]
struct EmailCodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    pin: String,
}

async fn email_login_code(
    State(app): State<AppState>,
    web: Web,
    Form(f): Form<EmailCodeForm>,
) -> Response {
    let Some(flow) = web.csrf_checked(&app, web.flow.as_deref(), &f.csrf) else {
        return error_page(&app, &web, AppError::Forbidden("csrf".into()));
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    if f.pin.is_empty() {
        return email_code_form(&app, &web, status, Some(web.lang.t("pin_missing")));
    }
    if let Err(r) = counted(&app, &web).await {
        return r;
    }
    let digest = crate::secrets::token_digest(flow);
    match service::login_by_email_code(&app, &digest, &f.code, &f.pin, ts(&app)).await {
        Ok(Ok(())) => see_other("/registry/login/code"),
        Ok(Err(Rejected::NoChallenge)) => see_other("/registry/login/email"),
        Ok(Err(Rejected::Wrong)) => {
            email_code_form(&app, &web, status, Some(web.lang.t("code_wrong")))
        }
        Err(e) => error_page(&app, &web, e),
    }
}

pub(super) fn code_form(
    app: &AppState,
    web: &Web,
    status: StatusCode,
    action: &str,
    back: &str,
    error: Option<&str>,
) -> Response {
    // Registration texts the phone just entered, renewal without the picture e-mails the
    // registered address; login goes by the account's chosen channel.
    let kind = if action.starts_with("/registry/register") {
        "registration"
    } else if action.starts_with("/registry/renew/email") {
        "renewal_email"
    } else {
        "registry"
    };
    match &web.flow {
        Some(flow) => page(
            app,
            web,
            status,
            "code.html",
            context! {
                csrf => app.secrets.csrf_token(flow),
                action, back, error, kind,
            },
        ),
        None => see_other(back),
    }
}

async fn login_code_page(State(app): State<AppState>, web: Web) -> Response {
    code_form(
        &app,
        &web,
        StatusCode::OK,
        "/registry/login/code",
        "/registry",
        None,
    )
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

async fn login_code(State(app): State<AppState>, web: Web, Form(f): Form<CodeForm>) -> Response {
    let digest = match checked_flow(&app, &web, &f.csrf).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    match service::finish_login(&app, &digest, &f.code, ts(&app)).await {
        Ok(Ok(session)) => {
            let resp = with_cookie(
                see_other("/registry/account"),
                cookie_header(REGISTRY_COOKIE, &session.token, None),
            );
            with_cookie(resp, cookie_header(FLOW_COOKIE, "", Some(0)))
        }
        Ok(Err(Rejected::NoChallenge)) => {
            sign_in(
                &app,
                &web,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(web.lang.t("flow_expired")),
                "",
            )
            .await
        }
        Ok(Err(Rejected::Wrong)) => code_form(
            &app,
            &web,
            StatusCode::UNPROCESSABLE_ENTITY,
            "/registry/login/code",
            "/registry",
            Some(web.lang.t("code_wrong")),
        ),
        Err(e) => error_page(&app, &web, e),
    }
}

fn register_form(
    app: &AppState,
    web: &Web,
    status: StatusCode,
    error: Option<&str>,
    phone: &str,
) -> Response {
    flow_page(
        app,
        web,
        status,
        "registry_register.html",
        context! { error, phone, cert_offered => app.certificate_cas.is_some() },
    )
}

async fn register_page(State(app): State<AppState>, web: Web) -> Response {
    register_form(&app, &web, StatusCode::OK, None, "")
}

#[derive(Deserialize)]
struct RegisterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    birth_number: String,
}

async fn register(State(app): State<AppState>, web: Web, Form(f): Form<RegisterForm>) -> Response {
    let digest = match checked_flow(&app, &web, &f.csrf).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    match service::start_registration(&app, &digest, &f.phone, &f.birth_number, ts(&app)).await {
        Ok(Ok(())) => see_other("/registry/register/code"),
        Ok(Err(FormRejected::Field("phone"))) => register_form(
            &app,
            &web,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(web.lang.t("reg_phone_invalid")),
            "",
        ),
        Ok(Err(_)) => register_form(
            &app,
            &web,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(web.lang.t("bn_invalid")),
            &f.phone,
        ),
        Err(e) => error_page(&app, &web, e),
    }
}

async fn register_code_page(State(app): State<AppState>, web: Web) -> Response {
    code_form(
        &app,
        &web,
        StatusCode::OK,
        "/registry/register/code",
        "/registry/register",
        None,
    )
}

async fn register_code(State(app): State<AppState>, web: Web, Form(f): Form<CodeForm>) -> Response {
    let digest = match checked_flow(&app, &web, &f.csrf).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    match service::verify_registration(&app, &digest, &f.code, ts(&app)).await {
        Ok(Ok(())) => see_other("/registry/register/details"),
        Ok(Err(Rejected::NoChallenge)) => register_form(
            &app,
            &web,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(web.lang.t("flow_expired")),
            "",
        ),
        Ok(Err(Rejected::Wrong)) => code_form(
            &app,
            &web,
            StatusCode::UNPROCESSABLE_ENTITY,
            "/registry/register/code",
            "/registry/register",
            Some(web.lang.t("code_wrong")),
        ),
        Err(e) => error_page(&app, &web, e),
    }
}

fn details_form(
    app: &AppState,
    web: &Web,
    status: StatusCode,
    error: Option<String>,
    d: &Details,
) -> Response {
    flow_page(
        app,
        web,
        status,
        "registry_details.html",
        context! {
            error, name => d.name, email => d.email,
            email_otp => app.config.registry.email_otp,
        },
    )
}

async fn details_page(State(app): State<AppState>, web: Web) -> Response {
    let verified = match &web.flow {
        Some(flow) => {
            let digest = crate::secrets::token_digest(flow);
            service::registration_verified(&app, &digest, ts(&app)).await
        }
        None => Ok(false),
    };
    match verified {
        Ok(true) => details_form(&app, &web, StatusCode::OK, None, &Details::default()),
        Ok(false) => see_other("/registry/register"),
        Err(e) => error_page(&app, &web, e),
    }
}

#[derive(Deserialize)]
struct DetailsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    pin: String,
    #[serde(default)]
    pin2: String,
    #[serde(default)]
    channel: String,
}

async fn details(State(app): State<AppState>, web: Web, Form(f): Form<DetailsForm>) -> Response {
    let Some(flow) = web.csrf_checked(&app, web.flow.as_deref(), &f.csrf) else {
        return error_page(&app, &web, AppError::Forbidden("csrf".into()));
    };
    let digest = crate::secrets::token_digest(flow);
    let d = Details {
        name: f.name,
        email: f.email,
        pin: f.pin,
        pin2: f.pin2,
        channel: f.channel,
    };
    let t = |k| web.lang.t(k);
    match service::finish_registration(&app, &digest, d.clone(), ts(&app)).await {
        Ok(Ok(true)) => with_cookie(
            message(
                &app,
                &web,
                StatusCode::OK,
                t("reg_done_title"),
                t("reg_done"),
                ("/registry", t("to_login")),
            ),
            cookie_header(FLOW_COOKIE, "", Some(0)),
        ),
        Ok(Ok(false)) => see_other("/registry/register"),
        Ok(Err(r)) => {
            let error = match r {
                FormRejected::Field("name") => t("reg_name_invalid").to_string(),
                FormRejected::Field("email") => t("reg_email_invalid").to_string(),
                FormRejected::Field(_) => t("reg_channel_invalid").to_string(),
                FormRejected::PinMismatch => t("reg_pin_mismatch").to_string(),
                FormRejected::Pin(p) => p.message(web.lang),
                FormRejected::Captcha => t("captcha_wrong").to_string(),
            };
            details_form(
                &app,
                &web,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(error),
                &d,
            )
        }
        Err(e) => error_page(&app, &web, e),
    }
}

/// The registry session of a request: digest, user id and cookie, or the sign-in page's 401.
pub(super) async fn require_session(
    app: &AppState,
    web: &Web,
) -> Result<(Vec<u8>, String, String), Response> {
    let (s, tok) = require_account_session(app, web).await?;
    Ok((s.digest, s.owner_id, tok))
}

/// The registry session of a request whole (the contact pages' step-up needs the time of its
/// last code) and its cookie, or the sign-in page's 401.
pub(super) async fn require_account_session(
    app: &AppState,
    web: &Web,
) -> Result<(crate::service::session::Session, String), Response> {
    let expired = || {
        let t = |k| web.lang.t(k);
        message(
            app,
            web,
            StatusCode::UNAUTHORIZED,
            t("session_expired_title"),
            t("session_expired"),
            ("/registry", t("to_login")),
        )
    };
    let Some(tok) = &web.registry else {
        return Err(expired());
    };
    match service::live_session(app, tok, ts(app)).await {
        Ok(Some(s)) => Ok((s, tok.clone())),
        Ok(None) => Err(expired()),
        Err(e) => Err(error_page(app, web, e)),
    }
}

async fn account(State(app): State<AppState>, web: Web) -> Response {
    let (_, user_id, tok) = match require_session(&app, &web).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let user = match app.store.user(&user_id).await {
        Ok(Some(u)) => u,
        Ok(None) => return error_page(&app, &web, AppError::Unauthorized),
        Err(e) => return error_page(&app, &web, AppError::from(e)),
    };
    let mut resp = page(
        &app,
        &web,
        StatusCode::OK,
        "registry_account.html",
        context! {
            csrf => app.secrets.csrf_token(&tok),
            name => user.display_name, username => user.username, channel => user.otp_channel,
            nia => app.config.oidc.enabled(), nia_linked => user.nia_linked,
        },
    );
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    if !user.nia_linked {
        // The link form's answer redirects to the provider.
        if let Some(csp) = super::oidc::link_csp(&app) {
            resp.headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, csp);
        }
    }
    resp
}

async fn logout(State(app): State<AppState>, web: Web, Form(f): Form<CsrfForm>) -> Response {
    let Some(tok) = web.csrf_checked(&app, web.registry.as_deref(), &f.csrf) else {
        return error_page(&app, &web, AppError::Forbidden("csrf".into()));
    };
    let digest = crate::secrets::token_digest(tok);
    if let Err(e) = service::logout(&app, &digest).await {
        return error_page(&app, &web, e);
    }
    with_cookie(
        see_other("/registry"),
        cookie_header(REGISTRY_COOKIE, "", Some(0)),
    )
}

fn certificate_form(
    app: &AppState,
    web: &Web,
    status: StatusCode,
    error: Option<String>,
    phone: &str,
) -> Response {
    let (flow, set) = match flow_of(app, web) {
        Ok(f) => f,
        Err(e) => return error_page(app, web, e),
    };
    let challenge =
        service::certificate_challenge(app, &crate::secrets::token_digest(&flow), ts(app));
    let resp = page(
        app,
        web,
        status,
        "registry_certificate.html",
        context! { csrf => app.secrets.csrf_token(&flow), challenge, error, phone },
    );
    match set {
        Some(c) => with_cookie(resp, c),
        None => resp,
    }
}

async fn certificate_page(State(app): State<AppState>, web: Web) -> Response {
    if app.certificate_cas.is_none() {
        let t = |k| web.lang.t(k);
        return message(
            &app,
            &web,
            StatusCode::NOT_FOUND,
            t("cert_title"),
            t("cert_not_offered"),
            ("/registry/register", t("reg_register")),
        );
    }
    certificate_form(&app, &web, StatusCode::OK, None, "")
}

#[derive(Deserialize)]
struct CertificateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    certificates: String,
    #[serde(default)]
    signature: String,
}

async fn certificate(
    State(app): State<AppState>,
    web: Web,
    Form(f): Form<CertificateForm>,
) -> Response {
    let digest = match checked_flow(&app, &web, &f.csrf).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let r = service::start_certificate_registration(
        &app,
        &digest,
        &f.phone,
        &f.challenge,
        &f.certificates,
        &f.signature,
        ts(&app),
    )
    .await;
    let t = |k| web.lang.t(k);
    let error = match r {
        Ok(Ok(())) => return see_other("/registry/register/code"),
        Ok(Err(CertRejected::NotOffered)) => t("cert_not_offered").to_string(),
        Ok(Err(CertRejected::Phone)) => t("reg_phone_invalid").to_string(),
        Ok(Err(CertRejected::Challenge)) => t("cert_challenge_expired").to_string(),
        Ok(Err(CertRejected::Certificate(why))) => format!("{}{why}", t("cert_refused")),
        Err(e) => return error_page(&app, &web, e),
    };
    certificate_form(
        &app,
        &web,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some(error),
        &f.phone,
    )
}

fn pin_form(
    app: &AppState,
    web: &Web,
    status: StatusCode,
    tok: &str,
    stale: bool,
    error: Option<String>,
) -> Response {
    let mut resp = page(
        app,
        web,
        status,
        "registry_pin.html",
        context! { csrf => app.secrets.csrf_token(tok), stale, error, no_channel => true },
    );
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    resp
}

async fn pin_page(State(app): State<AppState>, web: Web) -> Response {
    let (digest, _, tok) = match require_session(&app, &web).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match service::session_fresh(&app, &digest, ts(&app)).await {
        Ok(fresh) => pin_form(&app, &web, StatusCode::OK, &tok, !fresh, None),
        Err(e) => error_page(&app, &web, e),
    }
}

#[derive(Deserialize)]
struct PinChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    pin: String,
    #[serde(default)]
    pin2: String,
}

async fn pin_change(
    State(app): State<AppState>,
    web: Web,
    Form(f): Form<PinChangeForm>,
) -> Response {
    if web
        .csrf_checked(&app, web.registry.as_deref(), &f.csrf)
        .is_none()
    {
        return error_page(&app, &web, AppError::Forbidden("csrf".into()));
    }
    let (digest, user_id, tok) = match require_session(&app, &web).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let r = service::change_pin(
        &app,
        &digest,
        &user_id,
        &f.current,
        &f.pin,
        &f.pin2,
        ts(&app),
    )
    .await;
    let t = |k| web.lang.t(k);
    let error = match r {
        Ok(Ok(session)) => {
            let mut resp = message(
                &app,
                &web,
                StatusCode::OK,
                t("pinc_title"),
                t("pinc_done"),
                ("/registry/account", t("perm_back_account")),
            );
            resp.headers_mut().insert(
                header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            return with_cookie(resp, cookie_header(REGISTRY_COOKIE, &session.token, None));
        }
        Ok(Err(ChangeRejected::Stale)) => {
            return pin_form(&app, &web, StatusCode::FORBIDDEN, &tok, true, None)
        }
        // A wrong current PIN is a refused credential, not a malformed form (SECURITY.md 8).
        Ok(Err(ChangeRejected::CurrentWrong)) => {
            let error = Some(t("pinc_wrong").to_string());
            return pin_form(&app, &web, StatusCode::FORBIDDEN, &tok, false, error);
        }
        Ok(Err(ChangeRejected::Form(FormRejected::PinMismatch))) => {
            t("reg_pin_mismatch").to_string()
        }
        Ok(Err(ChangeRejected::Form(FormRejected::Pin(p)))) => p.message(web.lang),
        Ok(Err(ChangeRejected::Form(_))) => t("reg_pin_mismatch").to_string(),
        Err(e) => return error_page(&app, &web, e),
    };
    pin_form(
        &app,
        &web,
        StatusCode::UNPROCESSABLE_ENTITY,
        &tok,
        false,
        Some(error),
    )
}

async fn sessions_view(
    app: &AppState,
    web: &Web,
    (digest, user_id, tok): &(Vec<u8>, String, String),
    status: StatusCode,
    notice: Option<&str>,
) -> Response {
    let list = match service::sessions(app, user_id, digest).await {
        Ok(l) => l,
        Err(e) => return error_page(app, web, e),
    };
    let mut resp = page(
        app,
        web,
        status,
        "sessions.html",
        context! {
            csrf => app.secrets.csrf_token(tok), sessions => super::account::session_items(web, &list),
            notice, end_action => "/registry/sessions/end", back => "/registry/account",
            back_text => web.lang.t("perm_back_account"),
        },
    );
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    resp
}

async fn sessions_page(State(app): State<AppState>, web: Web) -> Response {
    match require_session(&app, &web).await {
        Ok(s) => sessions_view(&app, &web, &s, StatusCode::OK, None).await,
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
    if web
        .csrf_checked(&app, web.registry.as_deref(), &f.csrf)
        .is_none()
    {
        return error_page(&app, &web, AppError::Forbidden("csrf".into()));
    }
    let s = match require_session(&app, &web).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match service::end_session(&app, &s.1, &s.0, &f.handle, ts(&app)).await {
        Ok(true) => {
            let notice = Some(web.lang.t("session_ended"));
            sessions_view(&app, &web, &s, StatusCode::OK, notice).await
        }
        Ok(false) => error_page(&app, &web, AppError::NotFound),
        Err(e) => error_page(&app, &web, e),
    }
}
