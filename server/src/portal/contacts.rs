//! The contact pages of both portals (SECURITY.md 23): a step-up code to the current channel,
//! then the new phone or e-mail and the code sent to it. Citizens at `/me/contact`, registry
//! users at `/registry/account/contact`; one set of handlers, the logic in `service::contact`.

use super::*;
use crate::service::contact::{self, ContactError};
use crate::service::session::{Session, SessionKind};

/// Whose contact pages: where they live and how their session is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Area {
    /// The citizen portal (`/me`).
    Citizen,
    /// The registry (`/registry/account`).
    Registry,
}

impl Area {
    /// The contact page; the step-up and confirmation forms post below it.
    fn base(self) -> &'static str {
        match self {
            Area::Citizen => "/me/contact",
            Area::Registry => "/registry/account/contact",
        }
    }

    /// The step-up form's target (`…/confirm` takes its code).
    fn step_up(self) -> &'static str {
        match self {
            Area::Citizen => "/me/step-up",
            Area::Registry => "/registry/account/step-up",
        }
    }

    /// The page the contact page links back to, and the link's text key.
    fn back(self) -> (&'static str, &'static str) {
        match self {
            Area::Citizen => ("/me", "back_records"),
            Area::Registry => ("/registry/account", "perm_back_account"),
        }
    }

    /// The live session of the request and its cookie, or the page saying why not.
    async fn session(self, app: &AppState, web: &Web) -> Result<(Session, String), Response> {
        match self {
            Area::Citizen => super::account::require_session(app, web).await,
            Area::Registry => super::registry::require_account_session(app, web).await,
        }
    }

    /// The session of a form POST whose CSRF check (SECURITY.md 24) passes.
    async fn session_post(
        self,
        app: &AppState,
        web: &Web,
        csrf: &str,
    ) -> Result<(Session, String), Response> {
        let (s, tok) = self.session(app, web).await?;
        if web.csrf_checked(app, Some(&tok), csrf).is_none() {
            return Err(error_page(app, web, AppError::Forbidden("csrf".into())));
        }
        Ok((s, tok))
    }
}

/// The portals' contact routes.
pub(super) fn routes() -> Router<AppState> {
    let mut r = Router::new();
    for area in [Area::Citizen, Area::Registry] {
        r = r
            .route(
                area.base(),
                get(
                    move |State(app): State<AppState>, web: Web, Query(q): Query<ChangedQuery>| {
                        contact_page(area, app, web, q)
                    },
                )
                .post(
                    move |State(app): State<AppState>, web: Web, Form(f): Form<ContactForm>| {
                        contact_submit(area, app, web, f)
                    },
                ),
            )
            .route(
                &format!("{}/confirm", area.base()),
                post(
                    move |State(app): State<AppState>, web: Web, Form(f): Form<CodeForm>| {
                        contact_confirm(area, app, web, f)
                    },
                ),
            )
            .route(
                area.step_up(),
                post(
                    move |State(app): State<AppState>, web: Web, Form(f): Form<CsrfForm>| {
                        step_up(area, app, web, f)
                    },
                ),
            )
            .route(
                &format!("{}/confirm", area.step_up()),
                post(
                    move |State(app): State<AppState>, web: Web, Form(f): Form<CodeForm>| {
                        step_up_confirm(area, app, web, f)
                    },
                ),
            );
    }
    r
}

/// What the contact page shows of an account: masked contacts, and whether its step-up code
/// goes by e-mail (a registry user's choice).
struct Shown {
    phone: Option<String>,
    email: Option<String>,
    step_up_email: bool,
}

async fn shown(app: &AppState, s: &Session) -> Result<Shown, AppError> {
    match s.kind {
        SessionKind::Citizen => {
            let p = app
                .store
                .person(&s.owner_id)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(Shown {
                phone: web::mask_phone(p.phone.as_deref()),
                email: web::mask_email(p.email.as_deref()),
                step_up_email: false,
            })
        }
        SessionKind::Registry => {
            let u = app
                .store
                .user(&s.owner_id)
                .await?
                .ok_or(AppError::Unauthorized)?;
            Ok(Shown {
                phone: web::mask_phone(Some(&u.phone)),
                email: web::mask_email(Some(&u.email)),
                step_up_email: u.otp_channel == "email" && app.config.registry.email_otp,
            })
        }
    }
}

/// Contacts that providers recorded for a citizen, to adopt (none for registry users).
async fn proposals(app: &AppState, web: &Web, s: &Session) -> Result<Vec<Value>, AppError> {
    if s.kind != SessionKind::Citizen {
        return Ok(Vec::new());
    }
    let proposals = app.store.contact_proposals(&s.owner_id).await?;
    Ok(proposals
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
        .collect())
}

/// The contact page: the contacts on file, and the change forms when the session is fresh,
/// else the step-up form.
async fn contact_view(
    area: Area,
    app: &AppState,
    web: &Web,
    (s, tok): (&Session, &str),
    status: StatusCode,
    error: Option<&str>,
    notice: Option<&str>,
) -> Response {
    let (shown, proposals) = match (shown(app, s).await, proposals(app, web, s).await) {
        (Ok(shown), Ok(p)) => (shown, p),
        (Err(e), _) | (_, Err(e)) => return error_page(app, web, e),
    };
    let none = web.lang.t("none");
    let (back, back_text) = area.back();
    let suffix = if shown.step_up_email { "_email" } else { "" };
    let mut resp = page(
        app,
        web,
        status,
        "contact.html",
        context! {
            csrf => app.secrets.csrf_token(tok),
            proposals,
            phone => shown.phone.unwrap_or_else(|| none.to_string()),
            email => shown.email.unwrap_or_else(|| none.to_string()),
            fresh => s.fresh(now(app).unix_timestamp()),
            action => area.base(), step_up => area.step_up(),
            step_up_text => web.lang.t(&format!("step_up_text{suffix}")),
            step_up_send => web.lang.t(&format!("step_up_send{suffix}")),
            back, back_text => web.lang.t(back_text),
            error, notice,
        },
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

#[derive(Deserialize)]
pub(super) struct ChangedQuery {
    #[serde(default)]
    changed: Option<String>,
}

async fn contact_page(area: Area, app: AppState, web: Web, q: ChangedQuery) -> Response {
    let (s, tok) = match area.session(&app, &web).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let notice = q.changed.map(|_| web.lang.t("contact_changed"));
    contact_view(area, &app, &web, (&s, &tok), StatusCode::OK, None, notice).await
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
    /// of a typed `value`; citizens only.
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

/// A code page of the contact flow (`kind` picks its texts) posting to `action`.
fn code_page(
    area: Area,
    app: &AppState,
    web: &Web,
    tok: &str,
    (action, kind, field): (&str, &str, &str),
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
            action, back => area.base(), field, kind, error,
        },
    )
}

fn contact_code_form(
    area: Area,
    app: &AppState,
    web: &Web,
    tok: &str,
    field: &str,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let kind = if field == "email" {
        "contact_email"
    } else {
        "contact_phone"
    };
    let action = format!("{}/confirm", area.base());
    code_page(area, app, web, tok, (&action, kind, field), status, error)
}

/// The value a citizen adopts from a provider's record, or the page saying there is none.
async fn adopted(
    app: &AppState,
    web: &Web,
    s: &Session,
    field: ContactField,
    record: &str,
) -> Result<String, Response> {
    if s.kind != SessionKind::Citizen {
        return Err(error_page(app, web, AppError::NotFound));
    }
    let proposed = match app.store.contact_proposals(&s.owner_id).await {
        Ok(list) => list.into_iter().find(|p| p.record_id == record),
        Err(e) => return Err(error_page(app, web, AppError::from(e))),
    };
    proposed
        .and_then(|p| match field {
            ContactField::Phone => p.phone,
            ContactField::Email => p.email,
        })
        .ok_or_else(|| error_page(app, web, AppError::NotFound))
}

async fn contact_submit(area: Area, app: AppState, web: Web, f: ContactForm) -> Response {
    let (s, tok) = match area.session_post(&app, &web, &f.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(field) = contact_field(&f.field) else {
        let e = AppError::Invalid("field must be phone or email".into());
        return error_page(&app, &web, e);
    };
    let value = if f.record.is_empty() {
        f.value.clone()
    } else {
        match adopted(&app, &web, &s, field, &f.record).await {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
    let at = now(&app).unix_timestamp();
    let view = |status, error| contact_view(area, &app, &web, (&s, &tok), status, error, None);
    match contact::start_change(&app, &s, field, &value, at).await {
        Ok(()) => contact_code_form(area, &app, &web, &tok, &f.field, StatusCode::OK, None),
        Err(ContactError::Field(_)) => {
            let msg = web.lang.t(match field {
                ContactField::Phone => "phone_invalid",
                ContactField::Email => "email_invalid",
            });
            view(StatusCode::UNPROCESSABLE_ENTITY, Some(msg)).await
        }
        Err(ContactError::StepUpRequired) => {
            let mut r = view(StatusCode::FORBIDDEN, None).await;
            r.headers_mut()
                .insert("x-dcc-error", HeaderValue::from_static("step_up_required"));
            r
        }
        Err(e) => error_page(&app, &web, e),
    }
}

async fn contact_confirm(area: Area, app: AppState, web: Web, f: CodeForm) -> Response {
    let (s, tok) = match area.session_post(&app, &web, &f.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(field) = contact_field(&f.field) else {
        let e = AppError::Invalid("field must be phone or email".into());
        return error_page(&app, &web, e);
    };
    match contact::finish_change(&app, &s, field, &f.code, now(&app).unix_timestamp()).await {
        Ok(Ok(())) => see_other(&format!("{}?changed=1", area.base())),
        Ok(Err(_)) => contact_code_form(
            area,
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

/// The step-up code page's kind: its texts name SMS or e-mail.
async fn step_up_kind(app: &AppState, s: &Session) -> &'static str {
    match shown(app, s).await {
        Ok(Shown {
            step_up_email: true,
            ..
        }) => "step_up_email",
        _ => "step_up",
    }
}

async fn step_up(area: Area, app: AppState, web: Web, f: CsrfForm) -> Response {
    let (s, tok) = match area.session_post(&app, &web, &f.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match contact::start_step_up(&app, &s, now(&app).unix_timestamp()).await {
        Ok(()) => {
            let action = format!("{}/confirm", area.step_up());
            let kind = step_up_kind(&app, &s).await;
            let status = StatusCode::OK;
            code_page(area, &app, &web, &tok, (&action, kind, ""), status, None)
        }
        Err(e) => error_page(&app, &web, e),
    }
}

async fn step_up_confirm(area: Area, app: AppState, web: Web, f: CodeForm) -> Response {
    let (s, tok) = match area.session_post(&app, &web, &f.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let at = now(&app).unix_timestamp();
    match contact::finish_step_up(&app, &s, &f.code, at).await {
        Ok(Ok(())) => {
            let fresh = Session {
                otp_verified_at: at,
                ..s
            };
            let done = Some(web.lang.t("step_up_done"));
            contact_view(area, &app, &web, (&fresh, &tok), StatusCode::OK, None, done).await
        }
        Ok(Err(_)) => {
            let action = format!("{}/confirm", area.step_up());
            let kind = step_up_kind(&app, &s).await;
            let (status, error) = (StatusCode::UNPROCESSABLE_ENTITY, web.lang.t("code_wrong"));
            code_page(
                area,
                &app,
                &web,
                &tok,
                (&action, kind, ""),
                status,
                Some(error),
            )
        }
        Err(e) => error_page(&app, &web, e),
    }
}
