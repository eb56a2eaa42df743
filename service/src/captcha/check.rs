//! The picture captcha (SECURITY.md 13–14): a page gets a sealed token and stores nothing; the
//! picture is redrawn from the token; an answer writes one small row (the challenge id), so each
//! challenge takes one answer, and a global cap bounds those rows whatever the number of clients.

use crate::captcha::{self, token};
use crate::error::{Error, ServiceResult};
use crate::secrets;
use crate::store::limits::AnswerSlot;
use crate::Ctx;

/// A captcha challenge lives 5 minutes (SECURITY.md 13).
pub const CAPTCHA_SECS: i64 = 300;

/// The longest a token can be; longer input is refused before any work.
const TOKEN_MAX: usize = 128;

/// The longest a picture waits for a drawing slot before 503.
const PICTURE_QUEUE: std::time::Duration = std::time::Duration::from_secs(1);

/// Seconds between two alerts of the answers' cap, per instance.
const ALERT_EVERY_SECS: i64 = 60;

/// The sealing key of this installation's captcha tokens.
fn key(app: &Ctx) -> Vec<u8> {
    app.secrets.keyed("captcha", b"token/v1")
}

/// A fresh challenge for a page: the token its form carries and its picture URL names. Nothing
/// is stored.
pub fn issue(app: &Ctx, now: i64) -> ServiceResult<String> {
    let internal = |e: captcha::CaptchaError| Error::Internal(format!("captcha: {e}"));
    let c = (app.captchas)().map_err(internal)?;
    let id = secrets::random::<{ token::ID_LEN }>()
        .map_err(|e| Error::Internal(format!("captcha id: {e}")))?;
    token::seal(&key(app), id, now + CAPTCHA_SECS, &c).map_err(internal)
}

/// The challenge of an intact token of this installation that has not expired.
fn open(app: &Ctx, token: &str, now: i64) -> Option<token::Opened> {
    if token.len() > TOKEN_MAX {
        return None;
    }
    token::open(&key(app), token).filter(|o| o.expires_at >= now)
}

/// The PNG of a token's challenge, drawn again; `None` for a token that is not intact or has
/// expired. Reads and writes nothing. Drawing costs about 0.9 ms of CPU (`benches/captcha.rs`),
/// so it runs on a blocking thread holding one of the instance's picture slots; 503 when none
/// frees up within a second. The caller limits how often one client may ask.
pub async fn picture(app: &Ctx, token: &str, now: i64) -> ServiceResult<Option<Vec<u8>>> {
    let Some(o) = open(app, token, now) else {
        return Ok(None);
    };
    let slots = app.anonymous.picture_slots.clone();
    let permit = tokio::time::timeout(PICTURE_QUEUE, slots.acquire_owned())
        .await
        .map_err(|_| Error::Unavailable(1))?
        .map_err(|e| Error::Internal(format!("captcha slots: {e}")))?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        captcha::render_png(&o.captcha)
    })
    .await
    .map_err(|e| Error::Internal(format!("captcha task: {e}")))?
    .map(Some)
    .map_err(|e| Error::Internal(format!("captcha picture: {e}")))
}

/// Uses a challenge: true only for its answer, within 5 minutes, at its first submission. A
/// damaged, foreign or expired token writes nothing; otherwise the challenge's one-use row is
/// written before the answer is compared, so a wrong answer uses the challenge up too. When the
/// rows reach `portal.captcha_answers_max`, every answer is refused like an expired one until
/// rows expire, and an alert is logged (at most once a minute per instance): a flood of solved
/// captchas then costs users a new picture, never unbounded storage.
pub async fn answered(app: &Ctx, token: &str, answer: &str, now: i64) -> ServiceResult<bool> {
    let Some(o) = open(app, token, now) else {
        return Ok(false);
    };
    let cap = app.config.portal.captcha_answers_max;
    match app
        .store
        .captcha_answer_take(&o.id, o.expires_at, now, cap)
        .await?
    {
        AnswerSlot::First => Ok(captcha::answer_is(&o.captcha.answer, answer)),
        AnswerSlot::Used => Ok(false),
        AnswerSlot::Full => {
            if app.anonymous.captcha_full.due(now, ALERT_EVERY_SECS) {
                tracing::warn!(
                    event = "captcha.answers_cap",
                    cap,
                    "captcha answers refused: the one-use rows reached portal.captcha_answers_max"
                );
            }
            Ok(false)
        }
    }
}
