//! PIN renewal of registry users, in the steps of seed 000 hardened as SECURITY.md 13-18 says:
//! username + picture captcha (or, for whoever cannot read the picture, a code to the registered
//! e-mail) → the last three digits of the registered mobile number → an SMS code and an e-mailed
//! link valid 3 days → new PIN twice and the code channel. The phone-digits step answers the same
//! for unknown users, wrong and right digits; messages leave only on a full match. The helpdesk
//! path sends the same link and code on an operator's word.

use serde_json::json;

use crate::captcha::check as captcha;
use crate::error::{Error, ServiceResult};
use crate::notice::{Channel, Notice};
use crate::otp::{self, Delivery, Purpose, Rejected};
use crate::pin::{self, PinContext};
use crate::registry::{
    account_of_email_code, email_code_to_account, normalise_username, with_pins, FormRejected,
};
use crate::secrets;
use crate::store::registry::UserRow;
use crate::store::AuditEvent;
use crate::Ctx;

/// A reset link is valid 3 days (seed 000 step 7).
pub const RESET_SECS: i64 = 3 * 24 * 3600;
/// The renewal flow between steps 5 and 6 lives 15 minutes (SECURITY.md 22).
const FLOW_SECS: i64 = 900;
/// Phone-digit tries per username per 24 hours (SECURITY.md 15).
const DIGIT_TRIES: i64 = 3;
/// Renewal starts per IP per hour (SECURITY.md 15).
const STARTS_PER_IP: i64 = 10;
const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// The keyed identifier renewal counters use: the normalised username, known or not.
pub(crate) fn user_key(app: &Ctx, username: &str) -> Vec<u8> {
    app.secrets.keyed("registry_renewal", username.as_bytes())
}

pub(crate) fn subject(key: &[u8]) -> Option<String> {
    Some(hex::encode(key.get(..8).unwrap_or_default()))
}

async fn audit(app: &Ctx, event: &str, subject: Option<String>, now: i64) -> ServiceResult<()> {
    app.store
        .audit(
            &AuditEvent {
                event: event.into(),
                org_id: None,
                subject,
                detail: json!({}),
            },
            now,
        )
        .await?;
    Ok(())
}

/// At most ten renewal starts per IP an hour (SECURITY.md 15); counts this one.
async fn count_start(app: &Ctx, ip: std::net::IpAddr, now: i64) -> ServiceResult<()> {
    let key = app.secrets.keyed("ip", ip.to_string().as_bytes());
    let (n, oldest_wait) = app.store.events_since("renew_ip", &key, now - HOUR).await?;
    if n >= STARTS_PER_IP {
        let wait = oldest_wait.map_or(HOUR, |latest| (latest + HOUR - now).clamp(60, HOUR));
        return Err(Error::TooManyRequests(wait.unsigned_abs()));
    }
    Ok(app.store.event_add("renew_ip", &key, now).await?)
}

/// Step 5: username + the picture's digits. Whatever the username, a right captcha continues
/// to the phone-digits step (SECURITY.md 13); only the captcha itself is said to be wrong.
pub async fn start(
    app: &Ctx,
    flow: &[u8],
    username: &str,
    captcha_id: &str,
    captcha_answer: &str,
    ip: std::net::IpAddr,
    now: i64,
) -> ServiceResult<Result<(), FormRejected>> {
    count_start(app, ip, now).await?;
    if !captcha::answered(app, captcha_id, captcha_answer, now).await? {
        return Ok(Err(FormRejected::Captcha));
    }
    let username = normalise_username(username);
    if username.is_empty() {
        return Ok(Err(FormRejected::Field("username")));
    }
    app.store
        .renewal_flow_put(flow, &username, now, now + FLOW_SECS)
        .await?;
    audit(
        app,
        "registry.renewal_started",
        subject(&user_key(app, &username)),
        now,
    )
    .await?;
    Ok(Ok(()))
}

/// Step 5, the accessible alternative (SECURITY.md 14): instead of the picture, a one-time
/// code to the registered e-mail. The same answer whether or not the username exists; the code
/// is rate-limited like any other.
pub async fn start_by_email(
    app: &Ctx,
    flow: &[u8],
    username: &str,
    ip: std::net::IpAddr,
    now: i64,
) -> ServiceResult<Result<(), FormRejected>> {
    count_start(app, ip, now).await?;
    let username = normalise_username(username);
    if username.is_empty() {
        return Ok(Err(FormRejected::Field("username")));
    }
    let throttle_key = user_key(app, &username);
    email_code_to_account(
        app,
        flow,
        Purpose::RenewalEmail,
        &username,
        throttle_key,
        now,
    )
    .await?;
    Ok(Ok(()))
}

/// The e-mailed code of the accessible alternative: a right code passes step 5.
pub async fn verify_email_code(
    app: &Ctx,
    flow: &[u8],
    code: &str,
    now: i64,
) -> ServiceResult<Result<(), Rejected>> {
    let user = match account_of_email_code(app, flow, Purpose::RenewalEmail, code, now).await? {
        Ok(u) => u,
        Err(r) => return Ok(Err(r)),
    };
    app.store
        .renewal_flow_put(flow, &user.username, now, now + FLOW_SECS)
        .await?;
    audit(
        app,
        "registry.renewal_started",
        subject(&user_key(app, &user.username)),
        now,
    )
    .await?;
    Ok(Ok(()))
}

/// Whether the flow passed step 5 and is still open.
pub async fn flow_open(app: &Ctx, flow: &[u8], now: i64) -> ServiceResult<bool> {
    Ok(app.store.renewal_flow(flow, now).await?.is_some())
}

/// The last three digits of a stored number.
fn last_digits(phone: &str) -> Vec<u8> {
    let digits: Vec<u8> = phone.bytes().filter(u8::is_ascii_digit).collect();
    digits
        .get(digits.len().saturating_sub(3)..)
        .unwrap_or_default()
        .to_vec()
}

/// Step 6: the last three digits of the registered mobile number. `false` when the flow has not
/// passed step 5 (start again); otherwise one answer for unknown user, no phone, wrong and right
/// digits, and the SMS code and e-mailed link leave only when the digits match within the
/// third try of the day (SECURITY.md 15).
pub async fn phone_digits(app: &Ctx, flow: &[u8], digits: &str, now: i64) -> ServiceResult<bool> {
    let Some(username) = app.store.renewal_flow(flow, now).await? else {
        return Ok(false);
    };
    let key = user_key(app, &username);
    let (tries, _) = app
        .store
        .events_since("renew_digits", &key, now - DAY)
        .await?;
    app.store.event_add("renew_digits", &key, now).await?;
    let digits = digits.trim();
    let well_formed = digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit());
    let user = app.store.user_by_username(&username).await?;
    let matched = user.filter(|u| {
        // Every operand is evaluated before the decision, so the answer's timing does not
        // depend on which of them failed.
        let same = secrets::ct_eq(&last_digits(&u.phone), digits.as_bytes());
        let usable = u.suspended_at.is_none() && !u.phone.is_empty();
        same & usable & well_formed & (tries < DIGIT_TRIES)
    });
    audit(app, "registry.renewal_phone_step", subject(&key), now).await?;
    match matched {
        Some(u) => issue_reset(app, &u, now).await,
        None => decoy_reset(app, key, now).await,
    }?;
    Ok(true)
}

/// What an unmatched renewal step writes instead of a reset: the same challenge row and
/// counters as a real send, with nothing to deliver.
pub(crate) async fn decoy_reset(app: &Ctx, key: Vec<u8>, now: i64) -> ServiceResult<()> {
    let decoy = secrets::token_digest(
        &secrets::new_url_token().map_err(|e| Error::Internal(e.to_string()))?,
    );
    otp::send(
        app,
        otp::Request {
            flow: &decoy,
            purpose: Purpose::Renewal,
            person_id: None,
            user_id: None,
            throttle_key: key,
            delivery: None,
            destination: None,
            now,
        },
    )
    .await
}

/// Step 7: a reset link by e-mail (ending the user's older links) and an SMS code bound to it.
async fn issue_reset(app: &Ctx, user: &UserRow, now: i64) -> ServiceResult<()> {
    issue_reset_via(app, user, Channel::Sms, now).await
}

/// Step 7 with the code bound to the link sent by `code_channel`: SMS, or e-mail for the
/// security-question branch (SECURITY.md 19), whose user has no usable phone.
pub(crate) async fn issue_reset_via(
    app: &Ctx,
    user: &UserRow,
    code_channel: Channel,
    now: i64,
) -> ServiceResult<()> {
    let token = secrets::new_url_token().map_err(|e| Error::Internal(e.to_string()))?;
    let digest = secrets::token_digest(&token);
    // From the configured origin, never from the request's Host (SECURITY.md 17).
    let link = format!("{}/registry/pin/{token}", app.config.base_url());
    let mail = Notice::Renewal {
        username: &user.username,
        link: &link,
        code_channel,
    }
    .message(app.sender(), Channel::Email, user.email.clone());
    app.store
        .reset_create(
            &digest,
            &user.id,
            now,
            now + RESET_SECS,
            &mail,
            &AuditEvent {
                event: "registry.renewal_link_sent".into(),
                org_id: None,
                subject: Some(app.secrets.pseudonym(user.id.as_bytes())),
                detail: json!({}),
            },
        )
        .await?;
    send_code(app, &digest, user, code_channel, now).await
}

async fn send_code(
    app: &Ctx,
    link: &[u8],
    user: &UserRow,
    channel: Channel,
    now: i64,
) -> ServiceResult<()> {
    let to = if channel == Channel::Email {
        user.email.clone()
    } else {
        user.phone.clone()
    };
    otp::send(
        app,
        otp::Request {
            flow: link,
            purpose: Purpose::Renewal,
            person_id: None,
            user_id: Some(user.id.clone()),
            throttle_key: user_key(app, &user.username),
            delivery: Some(Delivery { channel, to }),
            destination: None,
            now,
        },
    )
    .await
}

/// How the code of a link's request went: `email` when the security-question branch issued it,
/// otherwise `sms`.
pub async fn code_channel(app: &Ctx, token: &str) -> ServiceResult<Channel> {
    let latest = app
        .store
        .otp_latest(&secrets::token_digest(token), Purpose::Renewal.as_str())
        .await?;
    Ok(match latest {
        Some(c) if c.channel == Channel::Email.as_str() => Channel::Email,
        _ => Channel::Sms,
    })
}

/// The account of an open reset link (unknown, used, voided and expired links: `None`).
pub async fn link_user(app: &Ctx, token: &str, now: i64) -> ServiceResult<Option<UserRow>> {
    if token.is_empty() || token.len() > 64 {
        return Ok(None);
    }
    match app
        .store
        .reset_user(&secrets::token_digest(token), now)
        .await?
    {
        Some(id) => Ok(app.store.user(&id).await?),
        None => Ok(None),
    }
}

/// A new code for an open link whose code expired (60 s cool-down, SECURITY.md 17), by the
/// channel of the first. `false` when the link is not open.
pub async fn resend_code(app: &Ctx, token: &str, now: i64) -> ServiceResult<bool> {
    let Some(user) = link_user(app, token, now).await? else {
        return Ok(false);
    };
    let channel = code_channel(app, token).await?;
    send_code(app, &secrets::token_digest(token), &user, channel, now).await?;
    Ok(true)
}

/// Step 8's form.
#[derive(Clone, Default)]
pub struct NewPin {
    /// The SMS code of this link's request.
    pub code: String,
    /// The new PIN.
    pub pin: String,
    /// Again.
    pub pin2: String,
    /// `sms` or `email`.
    pub channel: String,
}

impl std::fmt::Debug for NewPin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewPin")
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

/// Why step 8 was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetRejected {
    /// The link is unknown, used, voided or expired.
    Link,
    /// The SMS code is wrong, used or expired.
    Code,
    /// The form (PIN policy, mismatch, channel).
    Form(FormRejected),
}

/// Step 8: the new PIN and the code channel, with the link and the SMS code of the same
/// request. On success the link and all others end, every session of the user ends, SMS and
/// e-mail notices (no link, no code) leave, and the login lockout is released (SECURITY.md 18).
pub async fn set_pin(
    app: &Ctx,
    token: &str,
    form: NewPin,
    now: i64,
) -> ServiceResult<Result<(), SetRejected>> {
    let Some(user) = link_user(app, token, now).await? else {
        return Ok(Err(SetRejected::Link));
    };
    let channel = match form.channel.as_str() {
        "sms" | "" => "sms",
        "email" if app.config.registry.email_otp => "email",
        _ => return Ok(Err(SetRejected::Form(FormRejected::Field("channel")))),
    };
    if form.pin != form.pin2 {
        return Ok(Err(SetRejected::Form(FormRejected::PinMismatch)));
    }
    let ctx = PinContext {
        min_len: app.config.registry.pin_min_len,
        username: Some(&user.username),
        phone: Some(&user.phone),
        ..PinContext::default()
    };
    if let Err(r) = pin::check(&form.pin, &ctx) {
        return Ok(Err(SetRejected::Form(FormRejected::Pin(r))));
    }
    let digest = secrets::token_digest(token);
    if otp::check(app, &digest, Purpose::Renewal, &form.code, now)
        .await?
        .is_err()
    {
        return Ok(Err(SetRejected::Code));
    }
    let pin_text = form.pin;
    let pin_hash = with_pins(app, move |h| h.hash(&pin_text))
        .await?
        .map_err(|e| Error::Internal(e.to_string()))?;
    let done = app
        .store
        .reset_finish(
            &digest,
            &pin_hash,
            channel,
            &[
                crate::registry::pin_changed_notice(app, Channel::Sms),
                crate::registry::pin_changed_notice(app, Channel::Email),
            ],
            &AuditEvent {
                event: "registry.pin_renewed".into(),
                org_id: None,
                subject: Some(app.secrets.pseudonym(user.id.as_bytes())),
                detail: json!({ "channel": channel }),
            },
            now,
        )
        .await?;
    if done.is_none() {
        return Ok(Err(SetRejected::Link));
    }
    release_login(app, &user.username).await?;
    Ok(Ok(()))
}

/// Releases a username's login lockout: its failure count and its hourly code-request count
/// (every sign-in attempt counts as a request, so that a 429 tells nothing about the PIN).
async fn release_login(app: &Ctx, username: &str) -> ServiceResult<()> {
    let login_key = app.secrets.keyed("registry_user", username.as_bytes());
    app.store.events_clear("auth_fail", &login_key).await?;
    app.store.events_clear("otp_send", &login_key).await?;
    Ok(())
}

/// The helpdesk path (seed 000, issue #9): an operator resets a user. The user's sessions end,
/// the login lockout is released, and the same e-mailed link and SMS code as a self-service
/// renewal are sent; audited with the operator's name. `false` when no account has the username.
pub async fn helpdesk_reset(
    app: &Ctx,
    username: &str,
    operator: &str,
    now: i64,
) -> ServiceResult<bool> {
    let username = normalise_username(username);
    let Some(user) = app.store.user_by_username(&username).await? else {
        return Ok(false);
    };
    let ended =
        crate::session::end_all(app, crate::session::SessionKind::Registry, &user.id).await?;
    release_login(app, &username).await?;
    app.store
        .audit(
            &AuditEvent {
                event: "registry.helpdesk_reset".into(),
                org_id: None,
                subject: Some(app.secrets.pseudonym(user.id.as_bytes())),
                detail: json!({ "operator": operator, "sessions_ended": ended }),
            },
            now,
        )
        .await?;
    issue_reset(app, &user, now).await?;
    Ok(true)
}
