//! The PIN renewal pages (seed 000 steps 5-8, SECURITY.md 13-18): username + picture captcha or
//! a code to the registered e-mail, the last three phone digits, and the e-mailed link's page
//! where the SMS code, the new PIN and the code channel are set. The logic lives in
//! `service::renewal`.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::context;
use serde::Deserialize;

use super::flow_page;
use super::registry::{checked_flow, code_form, ts};
use super::{
    cookie_header, error_page, message, see_other, with_cookie, CsrfForm, Web, FLOW_COOKIE,
};
use crate::secrets::token_digest;
use crate::service::captcha;
use crate::service::notice::Channel;
use crate::service::otp::Rejected;
use crate::service::registry::FormRejected;
use crate::service::renewal::{self as service, NewPin, SetRejected};
use crate::state::AppState;

/// The renewal routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/registry/renew", get(start_page).post(start))
        .route("/registry/renew/email", get(email_page).post(email))
        .route(
            "/registry/renew/email/code",
            get(email_code_page).post(email_code),
        )
        .route("/registry/renew/phone", get(phone_page).post(phone))
        .route("/registry/pin/{token}", get(set_page).post(set))
        .route("/registry/pin/{token}/code", post(resend))
}

/// Marks a response private (SECURITY.md 17, 26).
pub(super) fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

async fn start_form(
    app: &AppState,
    web: &Web,
    status: StatusCode,
    error: Option<&str>,
    username: &str,
) -> Response {
    let captcha_id = match captcha::issue(app, ts(app)) {
        Ok(id) => id,
        Err(e) => return error_page(app, web, e),
    };
    flow_page(
        app,
        web,
        status,
        "renew_start.html",
        context! { captcha_id, error, username },
    )
}

async fn start_page(State(app): State<AppState>, web: Web) -> Response {
    start_form(&app, &web, StatusCode::OK, None, "").await
}

#[derive(Deserialize)]
struct StartForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    captcha_id: String,
    #[serde(default)]
    captcha: String,
}

async fn start(State(app): State<AppState>, web: Web, Form(f): Form<StartForm>) -> Response {
    let flow = match checked_flow(&app, &web, &f.csrf).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let r = service::start(
        &app,
        &flow,
        &f.username,
        &f.captcha_id,
        &f.captcha,
        web.ip,
        ts(&app),
    )
    .await;
    let error = match r {
        Ok(Ok(())) => return see_other("/registry/renew/phone"),
        Ok(Err(FormRejected::Captcha)) => "captcha_wrong",
        Ok(Err(_)) => "username_missing",
        Err(e) => return error_page(&app, &web, e),
    };
    let keep = crate::service::registry::normalise_username(&f.username);
    start_form(
        &app,
        &web,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some(web.lang.t(error)),
        &keep,
    )
    .await
}

async fn email_page(State(app): State<AppState>, web: Web) -> Response {
    flow_page(
        &app,
        &web,
        StatusCode::OK,
        "renew_email.html",
        context! { username => "" },
    )
}

#[derive(Deserialize)]
struct UsernameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
}

async fn email(State(app): State<AppState>, web: Web, Form(f): Form<UsernameForm>) -> Response {
    let flow = match checked_flow(&app, &web, &f.csrf).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    match service::start_by_email(&app, &flow, &f.username, web.ip, ts(&app)).await {
        Ok(Ok(())) => see_other("/registry/renew/email/code"),
        Ok(Err(_)) => flow_page(
            &app,
            &web,
            StatusCode::UNPROCESSABLE_ENTITY,
            "renew_email.html",
            context! { username => "", error => web.lang.t("username_missing") },
        ),
        Err(e) => error_page(&app, &web, e),
    }
}

async fn email_code_page(State(app): State<AppState>, web: Web) -> Response {
    code_form(
        &app,
        &web,
        StatusCode::OK,
        "/registry/renew/email/code",
        "/registry/renew",
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

async fn email_code(State(app): State<AppState>, web: Web, Form(f): Form<CodeForm>) -> Response {
    let flow = match checked_flow(&app, &web, &f.csrf).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    match service::verify_email_code(&app, &flow, &f.code, ts(&app)).await {
        Ok(Ok(())) => see_other("/registry/renew/phone"),
        Ok(Err(Rejected::NoChallenge)) => see_other("/registry/renew/email"),
        Ok(Err(Rejected::Wrong)) => code_form(
            &app,
            &web,
            StatusCode::UNPROCESSABLE_ENTITY,
            "/registry/renew/email/code",
            "/registry/renew",
            Some(web.lang.t("code_wrong")),
        ),
        Err(e) => error_page(&app, &web, e),
    }
}

async fn phone_page(State(app): State<AppState>, web: Web) -> Response {
    let open = match &web.flow {
        Some(flow) => service::flow_open(&app, &token_digest(flow), ts(&app)).await,
        None => Ok(false),
    };
    match open {
        Ok(true) => flow_page(
            &app,
            &web,
            StatusCode::OK,
            "renew_phone.html",
            context! { sent => false },
        ),
        Ok(false) => see_other("/registry/renew"),
        Err(e) => error_page(&app, &web, e),
    }
}

#[derive(Deserialize)]
struct DigitsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    digits: String,
}

async fn phone(State(app): State<AppState>, web: Web, Form(f): Form<DigitsForm>) -> Response {
    let flow = match checked_flow(&app, &web, &f.csrf).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    match service::phone_digits(&app, &flow, &f.digits, ts(&app)).await {
        Ok(true) => flow_page(
            &app,
            &web,
            StatusCode::OK,
            "renew_phone.html",
            context! { sent => true },
        ),
        Ok(false) => see_other("/registry/renew"),
        Err(e) => error_page(&app, &web, e),
    }
}

/// One page for unknown, used, voided and expired links (SECURITY.md 16).
fn link_invalid(app: &AppState, web: &Web) -> Response {
    let t = |k| web.lang.t(k);
    no_store(message(
        app,
        web,
        StatusCode::NOT_FOUND,
        t("renew_link_invalid_title"),
        t("renew_link_invalid"),
        ("/registry/renew", t("renew_again")),
    ))
}

/// The link's form; its texts name the channel the link's code went by (SMS, or e-mail in the
/// security-question branch).
async fn set_form(
    app: &AppState,
    web: &Web,
    status: StatusCode,
    token: &str,
    error: Option<String>,
    notice: Option<&str>,
) -> Response {
    let code_by_email = match service::code_channel(app, token).await {
        Ok(c) => c == Channel::Email,
        Err(e) => return error_page(app, web, e),
    };
    no_store(flow_page(
        app,
        web,
        status,
        "renew_set.html",
        context! {
            token, error, notice, code_by_email,
            email_otp => app.config.registry.email_otp,
        },
    ))
}

/// The link's page. A GET only renders the form, so a mail scanner that fetches the link
/// uses nothing up (SECURITY.md 16).
async fn set_page(State(app): State<AppState>, web: Web, Path(token): Path<String>) -> Response {
    match service::link_user(&app, &token, ts(&app)).await {
        Ok(Some(_)) => set_form(&app, &web, StatusCode::OK, &token, None, None).await,
        Ok(None) => link_invalid(&app, &web),
        Err(e) => error_page(&app, &web, e),
    }
}

#[derive(Deserialize)]
struct SetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    pin: String,
    #[serde(default)]
    pin2: String,
    #[serde(default)]
    channel: String,
}

async fn set(
    State(app): State<AppState>,
    web: Web,
    Path(token): Path<String>,
    Form(f): Form<SetForm>,
) -> Response {
    if let Err(r) = checked_flow(&app, &web, &f.csrf).await {
        return r;
    }
    let form = NewPin {
        code: f.code,
        pin: f.pin,
        pin2: f.pin2,
        channel: f.channel,
    };
    let t = |k| web.lang.t(k);
    let error = match service::set_pin(&app, &token, form, ts(&app)).await {
        Ok(Ok(())) => {
            return with_cookie(
                see_other("/registry?renewed=1"),
                cookie_header(FLOW_COOKIE, "", Some(0)),
            )
        }
        Ok(Err(SetRejected::Link)) => return link_invalid(&app, &web),
        Ok(Err(SetRejected::Code)) => match service::code_channel(&app, &token).await {
            Ok(Channel::Email) => t("q_code_wrong_email").to_string(),
            Ok(_) => t("renew_code_wrong").to_string(),
            Err(e) => return error_page(&app, &web, e),
        },
        Ok(Err(SetRejected::Form(r))) => match r {
            FormRejected::PinMismatch => t("reg_pin_mismatch").to_string(),
            FormRejected::Pin(p) => p.message(web.lang),
            _ => t("reg_channel_invalid").to_string(),
        },
        Err(e) => return error_page(&app, &web, e),
    };
    set_form(
        &app,
        &web,
        StatusCode::UNPROCESSABLE_ENTITY,
        &token,
        Some(error),
        None,
    )
    .await
}

async fn resend(
    State(app): State<AppState>,
    web: Web,
    Path(token): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Err(r) = checked_flow(&app, &web, &f.csrf).await {
        return r;
    }
    match service::resend_code(&app, &token, ts(&app)).await {
        Ok(true) => {
            set_form(
                &app,
                &web,
                StatusCode::OK,
                &token,
                None,
                Some(web.lang.t("renew_code_resent")),
            )
            .await
        }
        Ok(false) => link_invalid(&app, &web),
        Err(e) => error_page(&app, &web, e),
    }
}
