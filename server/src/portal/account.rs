//! The citizen's pages behind the session: records and certificate PDFs, the list of sessions,
//! logout (the contact pages are `contacts`, shared with registry users).

use super::*;

/// The live session of the request, or the "session ended" page (401).
pub(super) async fn require_session(
    app: &AppState,
    web: &Web,
) -> Result<(citizen::Session, String), Response> {
    let Some(tok) = &web.session else {
        // No session cookie at all: a first visit, not a logout.
        return Err(message(
            app,
            web,
            StatusCode::UNAUTHORIZED,
            web.lang.t("login_required_title"),
            web.lang.t("login_required"),
            ("/", web.lang.t("to_login")),
        ));
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
pub(super) async fn session_post(
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

pub(super) async fn logout(
    State(app): State<AppState>,
    web: Web,
    Form(f): Form<CsrfForm>,
) -> Response {
    let (s, _) = match session_post(&app, &web, &f.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(e) = citizen::logout(&app, &s, now(&app).unix_timestamp()).await {
        return error_page(&app, &web, e);
    }
    with_cookie(see_other("/"), cookie_header(SESSION_COOKIE, "", Some(0)))
}

pub(super) async fn me(State(app): State<AppState>, web: Web) -> Response {
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

pub(super) async fn my_pdf(
    State(app): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> Response {
    let (s, _) = match require_session(&app, &web).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match citizen::certificate_pdf(&app, &s, &id, now(&app).unix_timestamp()).await {
        Ok((pdf, cert)) => pdf_response(pdf, &card::file_name_of(&cert.hc1)),
        Err(e) => error_page(&app, &web, e),
    }
}

pub(super) async fn sessions_view(
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
pub(super) fn session_items(web: &Web, list: &[citizen::SessionInfo]) -> Vec<Value> {
    list.iter()
        .map(|i| {
            context! {
                handle => i.handle, current => i.current,
                started => when(web.lang, i.created_at), last => when(web.lang, i.last_seen_at),
            }
        })
        .collect()
}

pub(super) async fn sessions_page(State(app): State<AppState>, web: Web) -> Response {
    match require_session(&app, &web).await {
        Ok((s, tok)) => sessions_view(&app, &web, &s, &tok, None).await,
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub(super) struct EndForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    handle: String,
}

pub(super) async fn end_session(
    State(app): State<AppState>,
    web: Web,
    Form(f): Form<EndForm>,
) -> Response {
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
