//! The citizen's pages behind the session: records and certificate PDFs, contacts and their
//! change by codes, step-up, the list of sessions, logout.

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

pub(super) async fn contact_view(
    app: &AppState,
    web: &Web,
    s: &citizen::Session,
    tok: &str,
    status: StatusCode,
    error: Option<&str>,
    notice: Option<&str>,
) -> Response {
    let person = match app.store.person(&s.owner_id).await {
        Ok(Some(p)) => p,
        Ok(None) => return error_page(app, web, AppError::NotFound),
        Err(e) => return error_page(app, web, AppError::from(e)),
    };
    let proposals = match app.store.contact_proposals(&s.owner_id).await {
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
pub(super) struct ChangedQuery {
    #[serde(default)]
    changed: Option<String>,
}

pub(super) async fn contact_page(
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
pub(super) struct ContactForm {
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

pub(super) fn contact_field(name: &str) -> Option<ContactField> {
    match name {
        "phone" => Some(ContactField::Phone),
        "email" => Some(ContactField::Email),
        _ => None,
    }
}

pub(super) fn contact_code_form(
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
            kind => if field == "email" { "contact_email" } else { "contact_phone" },
            error,
        },
    )
}

pub(super) async fn contact_submit(
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
        let proposed = match app.store.contact_proposals(&s.owner_id).await {
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
        Err(CitizenError::Field(_)) => {
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
        Err(CitizenError::StepUpRequired) => {
            let mut r = contact_view(&app, &web, &s, &tok, StatusCode::FORBIDDEN, None, None).await;
            r.headers_mut()
                .insert("x-dcc-error", HeaderValue::from_static("step_up_required"));
            r
        }
        Err(e) => error_page(&app, &web, e),
    }
}

pub(super) async fn contact_confirm(
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

pub(super) async fn step_up(
    State(app): State<AppState>,
    web: Web,
    Form(f): Form<CsrfForm>,
) -> Response {
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
                kind => "step_up",
            },
        ),
        Err(e) => error_page(&app, &web, e),
    }
}

pub(super) async fn step_up_confirm(
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
                kind => "step_up", error => web.lang.t("code_wrong"),
            },
        ),
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
