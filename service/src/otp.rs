//! One-time codes (SECURITY.md 1-4, 11, 49): six digits from the OS CSPRNG, stored as an HMAC,
//! bound to a flow and a purpose, valid a few minutes, consumed once; wrong entries and sends
//! are counted per keyed identifier, so unknown identifiers throttle like known ones.

use crate::error::{Error, ServiceResult};
use crate::notice::{Channel, Notice};
use crate::secrets;
use crate::store::portal::{Challenge, ChallengeWrite};
use crate::store::AuditEvent;
use crate::Ctx;
use serde_json::json;

/// What a code is for; part of the binding, so a code of one purpose fails at another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Citizen login.
    Login,
    /// Confirming a new phone number.
    ContactPhone,
    /// Confirming a new e-mail address.
    ContactEmail,
    /// Re-confirming the current phone before a sensitive change.
    StepUp,
    /// Registering a registry user: the code goes to the phone being registered.
    Registration,
    /// Registry-user login after username + PIN + captcha.
    RegistryLogin,
    /// PIN renewal: the SMS code that goes with the e-mailed link.
    Renewal,
    /// PIN renewal without the picture: a code to the registered e-mail (SECURITY.md 14).
    RenewalEmail,
    /// Registry-user login without the picture: a code to the registered e-mail in place of
    /// the captcha (SECURITY.md 14).
    RegistryLoginEmail,
}

impl Purpose {
    /// Every purpose.
    pub const ALL: [Purpose; 9] = [
        Purpose::Login,
        Purpose::ContactPhone,
        Purpose::ContactEmail,
        Purpose::StepUp,
        Purpose::Registration,
        Purpose::RegistryLogin,
        Purpose::Renewal,
        Purpose::RenewalEmail,
        Purpose::RegistryLoginEmail,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Login => "login",
            Purpose::ContactPhone => "contact_phone",
            Purpose::ContactEmail => "contact_email",
            Purpose::StepUp => "step_up",
            Purpose::Registration => "registration",
            Purpose::RegistryLogin => "registry_login",
            Purpose::Renewal => "renewal",
            Purpose::RenewalEmail => "renewal_email",
            Purpose::RegistryLoginEmail => "registry_login_email",
        }
    }

    /// How long a code lives: the configured `portal.otp_secs`, but 10 minutes for a code to a
    /// new phone or e-mail, which may take longer to reach (SECURITY.md 2, 23: the hard cap).
    pub fn lifetime_secs(self, configured: i64) -> i64 {
        match self {
            Purpose::ContactPhone | Purpose::ContactEmail => CONTACT_CODE_SECS,
            _ => configured,
        }
    }
}

/// The lifetime of a code to a new contact (SECURITY.md 23).
pub const CONTACT_CODE_SECS: i64 = 600;

/// Where a code goes.
#[derive(Clone)]
pub struct Delivery {
    /// By SMS or e-mail.
    pub channel: Channel,
    /// Number or address.
    pub to: String,
}

/// A code to send.
pub struct Request<'a> {
    /// SHA-256 of the flow or session cookie the code is bound to.
    pub flow: &'a [u8],
    /// Its purpose.
    pub purpose: Purpose,
    /// The person; `None` when the submitted data matched nobody.
    pub person_id: Option<String>,
    /// The registry user (registry login).
    pub user_id: Option<String>,
    /// Keyed digest of the submitted identifier.
    pub throttle_key: Vec<u8>,
    /// Where to send it; `None` (the submitted data matched nobody) sends nothing but still
    /// stores a challenge.
    pub delivery: Option<Delivery>,
    /// The new contact of a contact change.
    pub destination: Option<String>,
    /// Now, Unix seconds.
    pub now: i64,
}

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// Sends per identifier per hour (SECURITY.md 3).
const SENDS_PER_IDENTIFIER: i64 = 5;
/// Sends per destination per 24 hours (SECURITY.md 3).
const SENDS_PER_DESTINATION: i64 = 10;
/// Failures before the waiting starts (SECURITY.md 11).
const FREE_FAILURES: i64 = 5;

/// The wait a keyed identifier must sit out after its failures, if any: from the 5th
/// consecutive failure 30 s, doubling up to an hour (SECURITY.md 11).
pub async fn throttled(app: &Ctx, key: &[u8], now: i64) -> ServiceResult<()> {
    let (n, latest) = app.store.events_since("auth_fail", key, now - DAY).await?;
    if n < FREE_FAILURES {
        return Ok(());
    }
    let wait = (30_i64 << (n - FREE_FAILURES).min(7)).min(HOUR);
    let until = latest.unwrap_or(now) + wait;
    if now < until {
        return Err(Error::TooManyRequests((until - now).unsigned_abs()));
    }
    Ok(())
}

/// Stores a challenge and, when there is somewhere to send it, its code message. Refuses a
/// resend inside the cool-down, a sixth send per identifier in an hour, and sends nothing past
/// the destination's daily cap or the installation's SMS budget.
pub async fn send(app: &Ctx, r: Request<'_>) -> ServiceResult<()> {
    let cfg = &app.config.portal;
    if let Some(prev) = app.store.otp_latest(r.flow, r.purpose.as_str()).await? {
        let ready = prev.created_at + cfg.otp_resend_secs;
        if r.now < ready {
            return Err(Error::TooManyRequests((ready - r.now).unsigned_abs()));
        }
    }
    let (sends, _) = app
        .store
        .events_since("otp_send", &r.throttle_key, r.now - HOUR)
        .await?;
    if sends >= SENDS_PER_IDENTIFIER {
        return Err(Error::TooManyRequests(HOUR.unsigned_abs() / 4));
    }
    let (sms_sent, _) = app
        .store
        .events_since("sms_budget", b"all", r.now - HOUR)
        .await?;
    if sms_sent >= cfg.sms_per_hour {
        tracing::warn!(event = "sms.budget_spent", "the hourly SMS budget is spent");
        return Err(Error::Unavailable(600));
    }
    // The same reads, computations and one transaction whether or not anything matched, so
    // the answer's timing tells nothing (SECURITY.md 10); only the message and its counters
    // differ, written in that same transaction.
    let id = secrets::new_id();
    let code = secrets::otp_code().map_err(|e| Error::Internal(e.to_string()))?;
    let mac = app.secrets.otp_mac(&id, &code);
    let dest = r.delivery.as_ref().map_or("", |d| d.to.as_str());
    let dest_key = app.secrets.keyed("destination", dest.as_bytes());
    let (to_dest, _) = app
        .store
        .events_since("otp_destination", &dest_key, r.now - DAY)
        .await?;
    // Decoys write the same rows as real sends: a challenge, a counter per identifier and
    // per destination, an SMS counter (a decoy one that spends no budget) and an audit event.
    let mut events = vec![
        ("otp_send".to_string(), r.throttle_key.clone()),
        ("otp_destination".to_string(), dest_key),
    ];
    let mut code_mac = None;
    let mut message = None;
    let mut counted_sms = false;
    if let Some(d) = &r.delivery {
        if to_dest < SENDS_PER_DESTINATION {
            code_mac = Some(mac);
            let notice = Notice::Code {
                purpose: r.purpose.as_str(),
                code: &code,
                minutes: r.purpose.lifetime_secs(cfg.otp_secs) / 60,
            };
            message = Some(notice.message(app.sender(), d.channel, d.to.clone()));
            counted_sms = d.channel == Channel::Sms;
        }
    }
    events.push((
        if counted_sms {
            "sms_budget"
        } else {
            "sms_decoy"
        }
        .to_string(),
        b"all".to_vec(),
    ));
    let channel = r
        .delivery
        .as_ref()
        .map_or(Channel::Sms, |d| d.channel)
        .as_str();
    let audit = AuditEvent {
        event: if message.is_some() {
            "otp.sent"
        } else {
            "otp.withheld"
        }
        .into(),
        org_id: None,
        subject: r
            .person_id
            .as_ref()
            .or(r.user_id.as_ref())
            .map(|p| app.secrets.pseudonym(p.as_bytes())),
        detail: json!({ "purpose": r.purpose.as_str(), "channel": channel }),
    };
    app.store
        .otp_create(&ChallengeWrite {
            id,
            flow_sha256: r.flow.to_vec(),
            purpose: r.purpose.as_str().into(),
            person_id: r.person_id,
            user_id: r.user_id,
            throttle_key: r.throttle_key,
            channel: channel.to_string(),
            destination: r.destination,
            code_mac,
            now: r.now,
            expires_at: r.now + r.purpose.lifetime_secs(cfg.otp_secs),
            message,
            events,
            audit,
        })
        .await?;
    if counted_sms
        && (sms_sent + 1) * 5 >= cfg.sms_per_hour * 4
        && sms_sent * 5 < cfg.sms_per_hour * 4
    {
        tracing::warn!(
            event = "sms.budget_alert",
            "80 % of the hourly SMS budget is spent"
        );
        app.store
            .audit(
                &AuditEvent {
                    event: "sms.budget_alert".into(),
                    org_id: None,
                    subject: None,
                    detail: json!({ "sent": sms_sent + 1, "budget": cfg.sms_per_hour }),
                },
                r.now,
            )
            .await?;
    }
    Ok(())
}

/// Why a code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// No challenge for this flow: start again.
    NoChallenge,
    /// Wrong, expired, used or void: one answer for all.
    Wrong,
}

/// Checks a code against the flow's latest challenge of the purpose and consumes it. A wrong
/// entry counts against the challenge (void after the configured attempts) and against the
/// identifier's throttle.
pub async fn check(
    app: &Ctx,
    flow: &[u8],
    purpose: Purpose,
    code: &str,
    now: i64,
) -> ServiceResult<Result<Challenge, Rejected>> {
    let cfg = &app.config.portal;
    let Some(c) = app.store.otp_latest(flow, purpose.as_str()).await? else {
        return Ok(Err(Rejected::NoChallenge));
    };
    throttled(app, &c.throttle_key, now).await?;
    let code = code.trim();
    let well_formed = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
    let matches = well_formed
        && c.code_mac
            .as_deref()
            .is_some_and(|mac| secrets::ct_eq(mac, &app.secrets.otp_mac(&c.id, code)));
    let audit = |event: &str| AuditEvent {
        event: event.into(),
        org_id: None,
        subject: c
            .person_id
            .as_ref()
            .or(c.user_id.as_ref())
            .map(|p| app.secrets.pseudonym(p.as_bytes())),
        detail: json!({ "purpose": purpose.as_str() }),
    };
    if matches && app.store.otp_consume(&c.id, cfg.otp_attempts, now).await? {
        app.store.events_clear("auth_fail", &c.throttle_key).await?;
        app.store.audit(&audit("otp.verified"), now).await?;
        return Ok(Ok(c));
    }
    app.store.otp_fail(&c.id, cfg.otp_attempts, now).await?;
    app.store
        .event_add("auth_fail", &c.throttle_key, now)
        .await?;
    app.store.audit(&audit("otp.failed"), now).await?;
    Ok(Err(Rejected::Wrong))
}
