//! The health worker's pages (issue #21; seed 001): choose an organisation, find a person by
//! birth number and ID-card number, see the organisation's records for them, record a
//! vaccination, test or recovery, revoke a certificate. The logic lives in `service::worker`
//! (which calls the provider API's functions); these handlers check the session, CSRF and the
//! permission for the organisation on every request, read forms and render.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use hcert::CertType;
use issuer::names::{Kind, Names};
use minijinja::{context, Value};
use serde::Deserialize;

use super::registry::{require_session, ts};
use super::web::{date, mask_email, mask_phone};
use super::{error_page, message, now, page, Lang, Web};
use crate::error::AppError;
use crate::service::provider::RecordView;
use crate::service::worker::{self as service, EventForm, Field, Recorded, Search};
use crate::service::{permissions, validator};
use crate::state::AppState;
use crate::store::Org;

/// The health-worker routes, under `/registry/work`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/registry/work", get(orgs_page))
        .route("/registry/work/{ico}", get(search_page))
        .route("/registry/work/{ico}/search", post(search))
        .route("/registry/work/{ico}/person/{pref}", get(person_page))
        .route(
            "/registry/work/{ico}/person/{pref}/{kind}",
            get(form_page).post(record),
        )
        .route(
            "/registry/work/{ico}/person/{pref}/certificates/{id}/revoke",
            post(revoke),
        )
}

/// Who acts, for which organisation: checked on every request.
struct Acting {
    user_id: String,
    /// The session's digest: person references are bound to it.
    session: Vec<u8>,
    /// The session cookie, for the CSRF tokens of the forms.
    cookie: String,
    org: Org,
}

/// The session, then a permission or power of attorney for `ico` now (403 page otherwise).
async fn acting(app: &AppState, web: &Web, ico: &str) -> Result<Acting, Response> {
    let (session, user_id, cookie) = require_session(app, web).await?;
    match permissions::authorise(app, &user_id, ico, ts(app)).await {
        Ok(Some(a)) => Ok(Acting {
            user_id,
            session,
            cookie,
            org: a.org,
        }),
        Ok(None) => {
            let t = |k| web.lang.t(k);
            Err(message(
                app,
                web,
                StatusCode::FORBIDDEN,
                t("worker_forbidden_title"),
                t("worker_forbidden"),
                ("/registry/work", t("worker_orgs_back")),
            ))
        }
        Err(e) => Err(error_page(app, web, e)),
    }
}

/// A POST: the CSRF check (SECURITY.md 24) against the registry cookie first.
async fn acting_post(app: &AppState, web: &Web, ico: &str, csrf: &str) -> Result<Acting, Response> {
    if web
        .csrf_checked(app, web.registry.as_deref(), csrf)
        .is_none()
    {
        return Err(error_page(app, web, AppError::Forbidden("csrf".into())));
    }
    acting(app, web, ico).await
}

/// Worker pages show personal and health data: never cached.
fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn render(app: &AppState, web: &Web, status: StatusCode, name: &str, ctx: Value) -> Response {
    no_store(page(app, web, status, name, ctx))
}

fn label(names: &Names, lang: Lang, kind: Kind, code: &str) -> String {
    let l = names.label(kind, code);
    match (lang, l.cs) {
        (Lang::Cs, Some(cs)) => cs.to_string(),
        _ => l.en.to_string(),
    }
}

/// The options of a select: every code of the value set with its name, sorted by name.
fn options(names: &Names, lang: Lang, kind: Kind) -> Vec<Value> {
    let mut out: Vec<(String, String)> = names
        .set(kind)
        .map(|s| {
            s.codes()
                .map(|c| (label(names, lang, kind, c), c.to_string()))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out.into_iter()
        .map(|(name, code)| context! { code, name })
        .collect()
}

async fn orgs_page(State(app): State<AppState>, web: Web) -> Response {
    let (_, user_id, _) = match require_session(&app, &web).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (mine, held) = match permissions::mine(&app, &user_id, ts(&app)).await {
        Ok(m) => m,
        Err(e) => return error_page(&app, &web, e),
    };
    let mut orgs: Vec<Value> = mine
        .iter()
        .filter(|p| p.state == "approved")
        .map(|p| context! { name => p.org.name, ico => p.org.ico, via => "" })
        .collect();
    orgs.extend(held.iter().map(|a| {
        context! { name => a.grantor.name, ico => a.grantor.ico, via => a.agent.name }
    }));
    render(
        &app,
        &web,
        StatusCode::OK,
        "worker_orgs.html",
        context! { orgs },
    )
}

/// The search form, with an error or a notice.
fn search_view(
    app: &AppState,
    web: &Web,
    a: &Acting,
    status: StatusCode,
    error: Option<&str>,
    invalid: &str,
) -> Response {
    render(
        app,
        web,
        status,
        "worker_search.html",
        context! {
            csrf => app.secrets.csrf_token(&a.cookie), org_name => a.org.name, ico => a.org.ico,
            error, invalid,
        },
    )
}

async fn search_page(State(app): State<AppState>, web: Web, Path(ico): Path<String>) -> Response {
    match acting(&app, &web, &ico).await {
        Ok(a) => search_view(&app, &web, &a, StatusCode::OK, None, ""),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
struct SearchForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    birth_number: String,
    #[serde(default)]
    id_card: String,
}

async fn search(
    State(app): State<AppState>,
    web: Web,
    Path(ico): Path<String>,
    Form(f): Form<SearchForm>,
) -> Response {
    let a = match acting_post(&app, &web, &ico, &f.csrf).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let found = service::search(
        &app,
        &a.org,
        &a.user_id,
        &a.session,
        &f.birth_number,
        &f.id_card,
        now(&app),
    )
    .await;
    let t = |k| web.lang.t(k);
    match found {
        Ok(Search::Found(r)) => {
            super::see_other(&format!("/registry/work/{}/person/{r}", a.org.ico))
        }
        // One answer, whichever number did not match; the form comes back empty.
        Ok(Search::NotFound) => search_view(
            &app,
            &web,
            &a,
            StatusCode::NOT_FOUND,
            Some(t("worker_not_found")),
            "",
        ),
        Ok(Search::Malformed(field)) => search_view(
            &app,
            &web,
            &a,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(t(field_key(field))),
            field.name(),
        ),
        Err(e) => error_page(&app, &web, e),
    }
}

/// The message naming a field to correct.
fn field_key(f: Field) -> &'static str {
    match f {
        Field::BirthNumber => "worker_err_birth_number",
        Field::IdCard => "worker_err_id_card",
        Field::Product => "worker_err_product",
        Field::Manufacturer => "worker_err_manufacturer",
        Field::Dose => "worker_err_dose",
        Field::Date => "worker_err_date",
        Field::Country => "worker_err_country",
        Field::TestType => "worker_err_test_type",
        Field::TestName => "worker_err_test_name",
        Field::TestResult => "worker_err_test_result",
        Field::TestCentre => "worker_err_test_centre",
        Field::SampleTime => "worker_err_sample_time",
        Field::Validity => "worker_err_validity",
        Field::Email => "worker_err_email",
        Field::Phone => "worker_err_phone",
        Field::Reason => "worker_err_reason",
    }
}

fn kind_of(segment: &str) -> Option<CertType> {
    match segment {
        "vaccination" => Some(CertType::Vaccination),
        "test" => Some(CertType::Test),
        "recovery" => Some(CertType::Recovery),
        _ => None,
    }
}

fn kind_key(kind: CertType) -> &'static str {
    match kind {
        CertType::Vaccination => "vaccination",
        CertType::Test => "test",
        CertType::Recovery => "recovery",
    }
}

fn text(entry: &serde_json::Value, field: &str) -> String {
    match entry.get(field) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => String::new(),
    }
}

/// Why a record has no certificate, in the page's language.
fn why(lang: Lang, note: Option<&str>) -> String {
    let t = |k| lang.t(k).to_string();
    match note {
        Some(n) if n.starts_with("series incomplete") => t("worker_why_incomplete"),
        Some(n) if n.starts_with("not identified") => t("worker_why_not_identified"),
        Some(n) if n.starts_with("old-format") => t("why_legacy"),
        Some(n) => match n.strip_prefix("certificate refused: ") {
            Some(detail) => format!("{} {detail}", t("worker_why_refused")),
            None => t("why_other"),
        },
        None => t("why_other"),
    }
}

/// One record for the person page and the result page; `now` (Unix seconds) tells an expired
/// certificate from a valid one.
fn record_item(names: &Names, lang: Lang, r: &RecordView, now: i64) -> Value {
    let e = &r.entry;
    let t = |k| lang.t(k).to_string();
    let (title, day, details) = match r.kind.as_str() {
        "v" => (
            t("vaccination"),
            date(lang, &text(e, "dt")),
            vec![
                (
                    t("product"),
                    label(names, lang, Kind::Product, &text(e, "mp")),
                ),
                (
                    t("manufacturer"),
                    label(names, lang, Kind::Manufacturer, &text(e, "ma")),
                ),
                (t("dose"), format!("{}/{}", text(e, "dn"), text(e, "sd"))),
            ],
        ),
        "t" => (
            t("test"),
            date(lang, &text(e, "sc")),
            vec![
                (
                    t("test_type"),
                    label(names, lang, Kind::TestType, &text(e, "tt")),
                ),
                (
                    t("test_result"),
                    label(names, lang, Kind::TestResult, &text(e, "tr")),
                ),
                (t("test_centre"), text(e, "tc")),
            ],
        ),
        _ => (
            t("recovery"),
            date(lang, &text(e, "fr")),
            vec![
                (t("valid_from"), date(lang, &text(e, "df"))),
                (t("valid_until"), date(lang, &text(e, "du"))),
            ],
        ),
    };
    let mut details = details;
    details.push((
        t("country"),
        label(names, lang, Kind::Country, &text(e, "co")),
    ));
    let cert = r.certificate.as_ref();
    let state = match cert {
        Some(c) if c.revoked => t("worker_cert_revoked"),
        Some(c) if c.superseded => t("worker_cert_superseded"),
        Some(c) if c.expires_at <= now => t("worker_cert_expired"),
        Some(_) => t("worker_cert_valid"),
        None => why(lang, r.note.as_deref()),
    };
    context! {
        title, date => day, details,
        cert_id => cert.map(|c| c.id.clone()),
        uvci => cert.map(|c| c.uvci.clone()),
        active => cert.is_some_and(|c| !c.revoked && !c.superseded && c.expires_at > now),
        revoked => cert.is_some_and(|c| c.revoked),
        state,
    }
}

/// The person page, with an error of a revoke form or a notice.
async fn person_view(
    app: &AppState,
    web: &Web,
    a: &Acting,
    pref: &str,
    status: StatusCode,
    notice: Option<&str>,
    error: Option<(&str, &str)>,
) -> Response {
    let lang = web.lang;
    let card = match service::person(app, &a.org, &a.user_id, &a.session, pref, now(app)).await {
        Ok(c) => c,
        Err(e) => return no_store(error_page(app, web, e)),
    };
    let names = &app.public.names;
    let ts = now(app).unix_timestamp();
    let records: Vec<Value> = card
        .records
        .iter()
        .map(|r| record_item(names, lang, r, ts))
        .collect();
    render(
        app,
        web,
        status,
        "worker_person.html",
        context! {
            csrf => app.secrets.csrf_token(&a.cookie), org_name => a.org.name, ico => a.org.ico,
            pref, name => format!("{} {}", card.given_name, card.family_name),
            dob => date(lang, &card.dob), identified => card.identified,
            email => mask_email(card.email.as_deref()), phone => mask_phone(card.phone.as_deref()),
            records, notice,
            error_cert => error.map(|e| e.0), error => error.map(|e| e.1),
        },
    )
}

#[derive(Deserialize)]
struct PersonQuery {
    #[serde(default)]
    done: String,
}

async fn person_page(
    State(app): State<AppState>,
    web: Web,
    Path((ico, pref)): Path<(String, String)>,
    Query(q): Query<PersonQuery>,
) -> Response {
    let notice = (q.done == "revoked").then(|| web.lang.t("worker_revoked"));
    match acting(&app, &web, &ico).await {
        Ok(a) => person_view(&app, &web, &a, &pref, StatusCode::OK, notice, None).await,
        Err(r) => r,
    }
}

/// A record form: the values typed, the fields to correct, a message, the idempotency key.
struct FormView<'a> {
    status: StatusCode,
    form: &'a EventForm,
    bad: &'a [Field],
    problem: Option<String>,
    key: &'a str,
}

fn form_view(
    app: &AppState,
    web: &Web,
    a: &Acting,
    pref: &str,
    kind: CertType,
    v: FormView<'_>,
) -> Response {
    let lang = web.lang;
    let t = |k| lang.t(k);
    let names = &app.public.names;
    let errors: Vec<Value> = v
        .bad
        .iter()
        .map(|f| context! { field => f.name(), text => t(field_key(*f)) })
        .collect();
    let invalid: Vec<&str> = v.bad.iter().map(|f| f.name()).collect();
    let kind = kind_key(kind);
    render(
        app,
        web,
        v.status,
        "worker_form.html",
        context! {
            csrf => app.secrets.csrf_token(&a.cookie), org_name => a.org.name, ico => a.org.ico,
            pref, kind, title => t(match kind {
                "vaccination" => "worker_record_vaccination",
                "test" => "worker_record_test",
                _ => "worker_record_recovery",
            }),
            f => Value::from_serialize(v.form), key => v.key, errors, invalid,
            problem => v.problem,
            products => options(names, lang, Kind::Product),
            manufacturers => options(names, lang, Kind::Manufacturer),
            countries => options(names, lang, Kind::Country),
            test_types => options(names, lang, Kind::TestType),
            test_devices => options(names, lang, Kind::TestDevice),
            test_results => options(names, lang, Kind::TestResult),
            max_dose => app.config.max_dose,
        },
    )
}

/// A new idempotency key for a form (a double submit of one rendered form records once).
fn new_key() -> Result<String, AppError> {
    crate::secrets::new_token().map_err(|e| AppError::Internal(e.to_string()))
}

async fn form_page(
    State(app): State<AppState>,
    web: Web,
    Path((ico, pref, kind)): Path<(String, String, String)>,
) -> Response {
    let a = match acting(&app, &web, &ico).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(kind) = kind_of(&kind) else {
        return error_page(&app, &web, AppError::NotFound);
    };
    // The person must be one this session found: the person page checks the reference.
    if let Err(e) = service::person(&app, &a.org, &a.user_id, &a.session, &pref, now(&app)).await {
        return no_store(error_page(&app, &web, e));
    }
    let key = match new_key() {
        Ok(k) => k,
        Err(e) => return error_page(&app, &web, e),
    };
    let at = now(&app);
    let form = EventForm {
        country: app.config.country.clone(),
        date: if kind == CertType::Vaccination {
            validator::local_input(at)
                .get(..10)
                .unwrap_or_default()
                .to_string()
        } else {
            String::new()
        },
        sample_time: validator::local_input(at),
        ..EventForm::default()
    };
    let v = FormView {
        status: StatusCode::OK,
        form: &form,
        bad: &[],
        problem: None,
        key: &key,
    };
    form_view(&app, &web, &a, &pref, kind, v)
}

#[derive(Deserialize)]
struct RecordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    key: String,
    #[serde(flatten)]
    event: EventForm,
}

async fn record(
    State(app): State<AppState>,
    web: Web,
    Path((ico, pref, kind)): Path<(String, String, String)>,
    Form(f): Form<RecordForm>,
) -> Response {
    let a = match acting_post(&app, &web, &ico, &f.csrf).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(kind) = kind_of(&kind) else {
        return error_page(&app, &web, AppError::NotFound);
    };
    let done = service::record(
        &app,
        &a.org,
        &a.user_id,
        &a.session,
        &pref,
        kind,
        &f.event,
        &f.key,
        now(&app),
    )
    .await;
    let (bad, problem) = match done {
        Ok(Recorded::Done(view, mailed_to)) => {
            let lang = web.lang;
            let ts = now(&app).unix_timestamp();
            let item = record_item(&app.public.names, lang, &view, ts);
            return render(
                &app,
                &web,
                StatusCode::OK,
                "worker_result.html",
                context! {
                    org_name => a.org.name, ico => a.org.ico, pref, record => item,
                    issued => view.certificate.is_some(),
                    uvci => view.certificate.as_ref().map(|c| c.uvci.clone()),
                    mailed_to => mask_email(mailed_to.as_deref()),
                    why => why(lang, view.note.as_deref()),
                },
            );
        }
        Ok(Recorded::Rejected(bad)) => (bad, None),
        Err(::service::Error::Invalid(p) | ::service::Error::Conflict(p)) => {
            (Vec::new(), Some(p.text(web.lang)))
        }
        Err(e) => return no_store(error_page(&app, &web, e)),
    };
    let v = FormView {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        form: &f.event,
        bad: &bad,
        problem,
        key: &f.key,
    };
    form_view(&app, &web, &a, &pref, kind, v)
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

async fn revoke(
    State(app): State<AppState>,
    web: Web,
    Path((ico, pref, id)): Path<(String, String, String)>,
    Form(f): Form<RevokeForm>,
) -> Response {
    let a = match acting_post(&app, &web, &ico, &f.csrf).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let t = |k| web.lang.t(k);
    let done = service::revoke(
        &app,
        &a.org,
        &a.user_id,
        &a.session,
        &pref,
        &id,
        &f.reason,
        now(&app),
    )
    .await;
    match done {
        // POST, redirect, GET: a reload does not post again.
        Ok(Ok(_)) => super::see_other(&format!(
            "/registry/work/{}/person/{pref}?done=revoked",
            a.org.ico
        )),
        Ok(Err(field)) => {
            let error = Some((id.as_str(), t(field_key(field))));
            person_view(
                &app,
                &web,
                &a,
                &pref,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                error,
            )
            .await
        }
        Err(e) => no_store(error_page(&app, &web, e)),
    }
}
