//! The security-question pages (SECURITY.md 19), shown only when `registry.recovery_questions`
//! is set (otherwise 404): a signed-in registry user sets three questions and answers, which
//! needs a code entered at most five minutes ago (SECURITY.md 23); and in a PIN renewal, instead
//! of the phone digits, the flow's three questions and one answer page for every outcome. The
//! logic lives in `service::questions`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use minijinja::context;
use serde::Deserialize;

use super::flow_page;
use super::registry::require_session;
use super::registry::{counted, ts};
use super::renewal::no_store;
use super::{error_page, page, see_other, Web};
use crate::error::AppError;
use crate::secrets::token_digest;
use crate::service::questions::{self as service, QuestionsRejected, QUESTIONS};
use crate::state::AppState;

/// The security-question routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/registry/account/questions",
            get(set_page).post(set_submit),
        )
        .route(
            "/registry/renew/questions",
            get(renew_page).post(renew_submit),
        )
}

/// The 404 of every page here while the branch is off.
fn off(app: &AppState, web: &Web) -> Option<Response> {
    (!app.config.registry.recovery_questions).then(|| error_page(app, web, AppError::NotFound))
}

/// What the form shows besides the fixed parts.
#[derive(Default)]
struct SetView<'a> {
    stale: bool,
    saved: bool,
    error: Option<&'a str>,
    error_slot: usize,
    chosen: Vec<String>,
    has: bool,
}

fn set_form(app: &AppState, web: &Web, status: StatusCode, tok: &str, v: SetView) -> Response {
    let slots: Vec<minijinja::Value> = (1..=3_usize)
        .map(|n| {
            let question = v.chosen.get(n - 1).cloned().unwrap_or_default();
            context! { n, question }
        })
        .collect();
    no_store(page(
        app,
        web,
        status,
        "questions_set.html",
        context! {
            csrf => app.secrets.csrf_token(tok),
            questions => QUESTIONS.to_vec(),
            slots,
            stale => v.stale,
            saved => v.saved,
            error => v.error,
            error_slot => v.error_slot,
            has => v.has,
        },
    ))
}

async fn set_page(State(app): State<AppState>, web: Web) -> Response {
    if let Some(r) = off(&app, &web) {
        return r;
    }
    let (digest, user_id, tok) = match require_session(&app, &web).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let fresh = match service::session_fresh(&app, &digest, ts(&app)).await {
        Ok(f) => f,
        Err(e) => return error_page(&app, &web, e),
    };
    let chosen = match service::chosen(&app, &user_id).await {
        Ok(c) => c,
        Err(e) => return error_page(&app, &web, e),
    };
    let view = SetView {
        stale: !fresh,
        has: !chosen.is_empty(),
        chosen: chosen.iter().map(|q| (*q).to_string()).collect(),
        ..SetView::default()
    };
    set_form(&app, &web, StatusCode::OK, &tok, view)
}

#[derive(Deserialize)]
struct SetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    question1: String,
    #[serde(default)]
    answer1: String,
    #[serde(default)]
    question2: String,
    #[serde(default)]
    answer2: String,
    #[serde(default)]
    question3: String,
    #[serde(default)]
    answer3: String,
}

async fn set_submit(State(app): State<AppState>, web: Web, Form(f): Form<SetForm>) -> Response {
    if let Some(r) = off(&app, &web) {
        return r;
    }
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
    let now = ts(&app);
    match service::session_fresh(&app, &digest, now).await {
        Ok(true) => {}
        Ok(false) => {
            let view = SetView {
                stale: true,
                ..SetView::default()
            };
            return set_form(&app, &web, StatusCode::FORBIDDEN, &tok, view);
        }
        Err(e) => return error_page(&app, &web, e),
    }
    let chosen = vec![
        f.question1.clone(),
        f.question2.clone(),
        f.question3.clone(),
    ];
    let answers = [
        (f.question1, f.answer1),
        (f.question2, f.answer2),
        (f.question3, f.answer3),
    ];
    let t = |k| web.lang.t(k);
    let (error, error_slot) = match service::set_answers(&app, &user_id, answers, now).await {
        Ok(Ok(())) => {
            let view = SetView {
                saved: true,
                has: true,
                chosen,
                ..SetView::default()
            };
            return set_form(&app, &web, StatusCode::OK, &tok, view);
        }
        Ok(Err(QuestionsRejected::Questions)) => (t("q_questions_invalid"), 0),
        Ok(Err(QuestionsRejected::Answer(n))) => (t("q_answer_invalid"), n),
        Err(e) => return error_page(&app, &web, e),
    };
    let view = SetView {
        error: Some(error),
        error_slot,
        chosen,
        ..SetView::default()
    };
    set_form(&app, &web, StatusCode::UNPROCESSABLE_ENTITY, &tok, view)
}

async fn renew_page(State(app): State<AppState>, web: Web) -> Response {
    if let Some(r) = off(&app, &web) {
        return r;
    }
    let questions = match &web.flow {
        Some(flow) => service::questions_for(&app, &token_digest(flow), ts(&app)).await,
        None => Ok(None),
    };
    match questions {
        Ok(Some(questions)) => no_store(flow_page(
            &app,
            &web,
            StatusCode::OK,
            "renew_questions.html",
            context! { questions, sent => false },
        )),
        Ok(None) => see_other("/registry/renew"),
        Err(e) => error_page(&app, &web, e),
    }
}

#[derive(Deserialize)]
struct AnswersForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    answer1: String,
    #[serde(default)]
    answer2: String,
    #[serde(default)]
    answer3: String,
}

async fn renew_submit(
    State(app): State<AppState>,
    web: Web,
    Form(f): Form<AnswersForm>,
) -> Response {
    if let Some(r) = off(&app, &web) {
        return r;
    }
    let Some(flow) = web.csrf_checked(&app, web.flow.as_deref(), &f.csrf) else {
        return error_page(&app, &web, AppError::Forbidden("csrf".into()));
    };
    let flow = token_digest(flow);
    if let Err(r) = counted(&app, &web).await {
        return r;
    }
    let answers = [f.answer1, f.answer2, f.answer3];
    match service::check_answers(&app, &flow, answers, ts(&app)).await {
        Ok(true) => no_store(flow_page(
            &app,
            &web,
            StatusCode::OK,
            "renew_questions.html",
            context! { sent => true },
        )),
        Ok(false) => see_other("/registry/renew"),
        Err(e) => error_page(&app, &web, e),
    }
}
