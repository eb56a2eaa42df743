//! The security-question branch of PIN renewal (SECURITY.md 19), off unless
//! `registry.recovery_questions` is set. A signed-in user picks three different questions of a
//! fixed list and answers them; the answers are NFKC-normalised, case-folded and stored as
//! argon2id. A user without a usable mobile phone answers them instead of the phone-digits step
//! (seed 000 step 6): two of three right, within three tries per username a day, send the
//! e-mailed link with its code by e-mail (there is no phone to text it to) and tell the user's
//! organisations' account managers. The questions page and its answer say the same for unknown
//! users, users without questions, wrong and right answers.

use serde_json::json;
use unicode_normalization::UnicodeNormalization as _;

use crate::error::{Error, ServiceResult};
use crate::notice::{Channel, Notice};
use crate::registry::with_pins;
use crate::renewal::{issue_reset_via, subject, user_key};
use crate::store::AuditEvent;
use crate::Ctx;

/// The questions a user may choose: keys of the portal's strings.
pub const QUESTIONS: [&str; 8] = [
    "q_q_school",
    "q_q_street",
    "q_q_pet",
    "q_q_friend",
    "q_q_teacher",
    "q_q_parents_town",
    "q_q_employer",
    "q_q_book",
];

/// Longest answer, in code points after normalisation.
pub const MAX_ANSWER_CHARS: usize = 100;
/// Question tries per username per 24 hours (SECURITY.md 19).
const TRIES: i64 = 3;
/// Right answers needed of three (SECURITY.md 19).
const NEEDED: usize = 2;
const DAY: i64 = 24 * 3600;

/// An answer as stored and compared: NFKC, case-folded, runs of white space as one space,
/// trimmed.
pub fn normalise_answer(answer: &str) -> String {
    let folded: String = answer
        .nfkc()
        .collect::<String>()
        .to_uppercase()
        .to_lowercase()
        .nfkc()
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The key of `QUESTIONS` equal to `key`.
fn known(key: &str) -> Option<&'static str> {
    QUESTIONS.iter().copied().find(|q| *q == key)
}

/// Why the questions were not set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionsRejected {
    /// A question is not of the list, or two are the same.
    Questions,
    /// The answer of this position (1 to 3) is empty or longer than 100 characters.
    Answer(usize),
}

/// Whether the session's code is fresh enough to set the questions (SECURITY.md 23).
pub use crate::registry::session_fresh;

/// The user's chosen questions, in order (empty when none are set).
pub async fn chosen(app: &Ctx, user_id: &str) -> ServiceResult<Vec<&'static str>> {
    Ok(app
        .store
        .answers(user_id)
        .await?
        .iter()
        .filter_map(|a| known(&a.question))
        .collect())
}

/// Sets the user's three questions and answers (question key, answer), replacing the old ones,
/// with an e-mail notice to the user. The caller checked the session is fresh.
pub async fn set_answers(
    app: &Ctx,
    user_id: &str,
    answers: [(String, String); 3],
    now: i64,
) -> ServiceResult<Result<(), QuestionsRejected>> {
    let mut keys: Vec<&'static str> = Vec::with_capacity(3);
    let mut texts: Vec<String> = Vec::with_capacity(3);
    for (i, (question, answer)) in answers.iter().enumerate() {
        let Some(key) = known(question).filter(|k| !keys.contains(k)) else {
            return Ok(Err(QuestionsRejected::Questions));
        };
        let text = normalise_answer(answer);
        let len = text.chars().count();
        if len == 0 || len > MAX_ANSWER_CHARS {
            return Ok(Err(QuestionsRejected::Answer(i + 1)));
        }
        keys.push(key);
        texts.push(text);
    }
    let hashes = with_pins(app, move |h| {
        texts
            .iter()
            .map(|t| h.hash(t))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?
    .map_err(|e| Error::Internal(e.to_string()))?;
    let rows: Vec<(i64, String, String)> = (1_i64..)
        .zip(keys.iter().zip(hashes))
        .map(|(slot, (key, hash))| (slot, (*key).to_string(), hash))
        .collect();
    let notice = Notice::QuestionsSet.message(app.sender(), Channel::Email, "");
    app.store
        .answers_set(
            user_id,
            &rows,
            &notice,
            &AuditEvent {
                event: "registry.questions_set".into(),
                org_id: None,
                subject: Some(app.secrets.pseudonym(user_id.as_bytes())),
                detail: json!({}),
            },
            now,
        )
        .await?;
    Ok(Ok(()))
}

/// Three different questions chosen by an HMAC of the username: stable for a username, so a
/// page asked twice for an unknown user (or one without questions) looks like a real one.
fn decoy(app: &Ctx, username: &str) -> Vec<&'static str> {
    let mac = app
        .secrets
        .keyed("registry_questions_decoy", username.as_bytes());
    let mut picked: Vec<&'static str> = Vec::with_capacity(3);
    let candidates = mac
        .iter()
        .filter_map(|b| QUESTIONS.get(usize::from(*b) % QUESTIONS.len()))
        .chain(QUESTIONS.iter());
    for q in candidates {
        if picked.len() == 3 {
            break;
        }
        if !picked.contains(q) {
            picked.push(q);
        }
    }
    picked
}

/// The stored answers of a username when it names an account with all three set: the account
/// and (question, answer hash) by slot. Reads the same rows whether or not it does.
async fn stored(
    app: &Ctx,
    username: &str,
) -> ServiceResult<(
    Option<crate::store::registry::UserRow>,
    Vec<(&'static str, String)>,
)> {
    let user = app.store.user_by_username(username).await?;
    let rows = app
        .store
        .answers(user.as_ref().map_or("", |u| u.id.as_str()))
        .await?;
    let answers: Vec<(&'static str, String)> = rows
        .into_iter()
        .filter_map(|r| known(&r.question).map(|k| (k, r.answer_hash)))
        .collect();
    if answers.len() == 3 {
        Ok((user, answers))
    } else {
        Ok((user, Vec::new()))
    }
}

/// The three questions the renewal flow's page asks: the account's, or for unknown users and
/// users without questions a stable decoy set. `None` when the flow has not passed step 5.
pub async fn questions_for(
    app: &Ctx,
    flow: &[u8],
    now: i64,
) -> ServiceResult<Option<Vec<&'static str>>> {
    let Some(username) = app.store.renewal_flow(flow, now).await? else {
        return Ok(None);
    };
    let (_, answers) = stored(app, &username).await?;
    if answers.is_empty() {
        return Ok(Some(decoy(app, &username)));
    }
    Ok(Some(answers.into_iter().map(|(q, _)| q).collect()))
}

/// The answers to the three questions, in the order asked. `false` when the flow has not passed
/// step 5 (start again); otherwise one answer whatever happened. The link and its code leave
/// only when two of three answers are right within the third try of the day; three argon2id
/// evaluations run every time (dummy ones for missing answers), so the timing does not tell
/// which answer failed or whether the account exists.
pub async fn check_answers(
    app: &Ctx,
    flow: &[u8],
    answers: [String; 3],
    now: i64,
) -> ServiceResult<bool> {
    let Some(username) = app.store.renewal_flow(flow, now).await? else {
        return Ok(false);
    };
    let key = user_key(app, &username);
    let (tries, _) = app
        .store
        .events_since("renew_questions", &key, now - DAY)
        .await?;
    app.store.event_add("renew_questions", &key, now).await?;
    let (user, stored) = stored(app, &username).await?;
    let hashes: Vec<Option<String>> = if stored.is_empty() {
        vec![None, None, None]
    } else {
        stored.into_iter().map(|(_, h)| Some(h)).collect()
    };
    let given: Vec<String> = answers.iter().map(|a| normalise_answer(a)).collect();
    let right = with_pins(app, move |h| {
        given
            .iter()
            .zip(hashes)
            .map(|(answer, hash)| {
                let fits = !answer.is_empty() && answer.chars().count() <= MAX_ANSWER_CHARS;
                match hash {
                    Some(phc) => h.verify(answer, &phc).is_ok_and(|v| v.ok) & fits,
                    None => {
                        h.verify_dummy(answer);
                        false
                    }
                }
            })
            .filter(|ok| *ok)
            .count()
    })
    .await?;
    let matched = user.filter(|u| u.suspended_at.is_none() & (right >= NEEDED) & (tries < TRIES));
    app.store
        .audit(
            &AuditEvent {
                event: "registry.renewal_questions".into(),
                org_id: None,
                subject: subject(&key),
                detail: json!({ "matched": matched.is_some() }),
            },
            now,
        )
        .await?;
    match matched {
        Some(u) => {
            issue_reset_via(app, &u, Channel::Email, now).await?;
            notify_managers(app, &u, now).await?;
        }
        None => crate::renewal::decoy_reset(app, key, now).await?,
    }
    Ok(true)
}

/// Tells the account managers of the user's organisations that the user renews the PIN by the
/// security questions (SECURITY.md 19); no link, no code.
async fn notify_managers(
    app: &Ctx,
    user: &crate::store::registry::UserRow,
    now: i64,
) -> ServiceResult<()> {
    let notice = Notice::QuestionsRenewal {
        name: &user.display_name,
        username: &user.username,
    }
    .message(app.sender(), Channel::Email, "");
    app.store
        .notify_user_managers(
            &user.id,
            &notice,
            &AuditEvent {
                event: "registry.renewal_questions_managers".into(),
                org_id: None,
                subject: Some(app.secrets.pseudonym(user.id.as_bytes())),
                detail: json!({}),
            },
            now,
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_normalise_case_width_and_composition() {
        // Decomposed "r" + caron, upper case, full-width letters and extra spaces.
        assert_eq!(normalise_answer("  DVOR\u{30c}ÁK   Jan "), "dvořák jan");
        assert_eq!(normalise_answer("ＡＢＣ"), "abc");
        assert_eq!(normalise_answer("Straße"), "strasse");
        assert_eq!(normalise_answer(" \t "), "");
    }
}
