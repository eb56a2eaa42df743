//! Citizen login: birth number and ID-card number, then the SMS code (seed 002), and a new code
//! on request.

use super::*;

pub(super) fn login_page(
    app: &AppState,
    web: &Web,
    status: StatusCode,
    error: Option<&str>,
    notice: Option<&str>,
    birth_number: &str,
) -> Response {
    flow_page(
        app,
        web,
        status,
        "login.html",
        context! { error, notice, birth_number, nia => app.config.oidc.enabled() },
    )
}

pub(super) async fn home(State(app): State<AppState>, web: Web) -> Response {
    if let Some(tok) = &web.session {
        if let Ok(Some(_)) = citizen::session(&app, tok, now(&app).unix_timestamp()).await {
            return see_other("/me");
        }
    }
    login_page(&app, &web, StatusCode::OK, None, None, "")
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    birth_number: String,
    #[serde(default)]
    id_card: String,
}

pub(super) async fn login(
    State(app): State<AppState>,
    web: Web,
    Form(f): Form<LoginForm>,
) -> Response {
    let Some(flow) = web.csrf_checked(&app, web.flow.as_deref(), &f.csrf) else {
        return error_page(&app, &web, AppError::Forbidden("csrf".into()));
    };
    // An empty field is "missing", not "invalid".
    let missing = if f.birth_number.trim().is_empty() {
        Some("bn_missing")
    } else if f.id_card.trim().is_empty() {
        Some("id_card_missing")
    } else {
        None
    };
    if let Some(key) = missing {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return login_page(&app, &web, status, Some(web.lang.t(key)), None, "");
    }
    let ts = now(&app).unix_timestamp();
    if let Err(e) = citizen::count_auth_request(&app, web.ip, ts).await {
        return error_page(&app, &web, e);
    }
    let digest = crate::secrets::token_digest(flow);
    match citizen::start_login(&app, &digest, &f.birth_number, &f.id_card, ts).await {
        Ok(()) => see_other("/login/code"),
        Err(CitizenError::Field(invalid)) => {
            // Echo the birth number only when it was the valid part, never into a log.
            let (key, keep) = if invalid.field == validate::BIRTH_NUMBER {
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

pub(super) fn code_form(
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

pub(super) async fn code_page(State(app): State<AppState>, web: Web) -> Response {
    match &web.flow {
        Some(flow) => code_form(&app, &web, StatusCode::OK, flow, None, None),
        None => see_other("/"),
    }
}

pub(super) async fn code_submit(
    State(app): State<AppState>,
    web: Web,
    Form(f): Form<CodeForm>,
) -> Response {
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

pub(super) async fn resend(
    State(app): State<AppState>,
    web: Web,
    Form(f): Form<CsrfForm>,
) -> Response {
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
