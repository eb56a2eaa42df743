//! The citizen portal's logic (seed 002): login with birth number + ID-card number and an SMS
//! code, sessions with idle and absolute time-outs, the person's records and certificates, and
//! contact changes (`crate::contact`, shared with registry users).

use serde_json::json;

use crate::error::{Error, ServiceResult};
use crate::notice::Channel;
use crate::otp::{self, Delivery, Purpose, Rejected};
use crate::session::{self, SessionKind};
use crate::store::portal::PersonView;
use crate::store::{AuditEvent, CertificateRow, RecordRow};
use crate::validate;

pub use crate::session::{NewSession, Session, SessionInfo};
use crate::Ctx;

/// Why a citizen's login or contact change did not start (shared with registry users' contact
/// changes).
pub use crate::contact::ContactError as CitizenError;

/// The window of the per-IP authentication counter (SECURITY.md 49: per 10 minutes).
const AUTH_WINDOW_SECS: i64 = 600;

/// Counts an authentication POST from a client (an IPv4 address, an IPv6 /64); refuses beyond
/// the configured number per 10 minutes (SECURITY.md 49). The counter lives in the database, so
/// instances share it, as one row per client and 10-minute window: the requests of the last 10
/// minutes are estimated as this window's plus the previous window's weighted by the part of it
/// still inside them, and the check and the increment are one statement. At most
/// `portal.auth_clients_max` clients are counted per window; a further client gets 429 until the
/// window ends (with an alert), so the rows stay bounded however many addresses a flood has.
pub async fn count_auth_request(app: &Ctx, ip: std::net::IpAddr, now: i64) -> ServiceResult<()> {
    use crate::store::limits::Counted;
    const W: i64 = AUTH_WINDOW_SECS;
    let client = crate::ratelimit::client_of(ip);
    let key = app.secrets.keyed("ip", client.to_string().as_bytes());
    let window = now - now.rem_euclid(W);
    let previous = app.store.rate_previous("auth_ip", &key, window, W).await?;
    // Admitted while previous·(W − elapsed) + current·W < limit·W, i.e. while current is below
    // ⌈(limit·W − previous·(W − elapsed)) / W⌉ (in integers).
    let room = app.config.portal.auth_per_ip * W - previous * (W - (now - window));
    let below = if room > 0 { (room + W - 1) / W } else { 0 };
    let max = app.config.portal.auth_clients_max;
    match app
        .store
        .rate_count("auth_ip", &key, window, window + 2 * W, below, max)
        .await?
    {
        Counted::Yes(_) => Ok(()),
        Counted::Limited => Err(Error::TooManyRequests(60)),
        Counted::Full => {
            if app.anonymous.auth_clients_full.due(now, 60) {
                tracing::warn!(
                    event = "auth.clients_cap",
                    cap = max,
                    "authentication requests refused: portal.auth_clients_max clients counted \
                     in this 10-minute window"
                );
            }
            Err(Error::TooManyRequests(
                u64::try_from(window + W - now).unwrap_or(60).max(1),
            ))
        }
    }
}

/// Step 1: birth number + ID-card number. Malformed input is a 422 naming the field, before
/// any lookup; otherwise the answer is the same whether or not a person matched, and the SMS
/// leaves only when both numbers match a person with a phone on file (SECURITY.md 10, 37).
pub async fn start_login(
    app: &Ctx,
    flow: &[u8],
    birth_number: &str,
    id_card: &str,
    now: i64,
) -> Result<(), CitizenError> {
    let bn = validate::birth_number(birth_number)?;
    let card = validate::id_card(id_card)?;
    let throttle_key = app.secrets.keyed("birth_number", bn.as_bytes());
    otp::throttled(app, &throttle_key, now).await?;
    let person = app
        .store
        .person_by_login(
            &app.secrets.birth_number_index(&bn),
            &app.secrets.id_card_index(&card),
        )
        .await?;
    let (person_id, delivery) = match person {
        Some(PersonView {
            id,
            phone: Some(phone),
            ..
        }) => (
            Some(id),
            Some(Delivery {
                channel: Channel::Sms,
                to: phone,
            }),
        ),
        _ => (None, None),
    };
    otp::send(
        app,
        otp::Request {
            flow,
            purpose: Purpose::Login,
            person_id,
            user_id: None,
            throttle_key,
            delivery,
            destination: None,
            now,
        },
    )
    .await?;
    Ok(())
}

/// Sends a new login code for the same flow (after the cool-down); the old one is void.
pub async fn resend_login(app: &Ctx, flow: &[u8], now: i64) -> ServiceResult<bool> {
    let Some(c) = app.store.otp_latest(flow, Purpose::Login.as_str()).await? else {
        return Ok(false);
    };
    let delivery = match &c.person_id {
        Some(id) => app
            .store
            .person(id)
            .await?
            .and_then(|p| p.phone)
            .map(|to| Delivery {
                channel: Channel::Sms,
                to,
            }),
        None => None,
    };
    otp::send(
        app,
        otp::Request {
            flow,
            purpose: Purpose::Login,
            person_id: c.person_id,
            user_id: None,
            throttle_key: c.throttle_key,
            delivery,
            destination: None,
            now,
        },
    )
    .await?;
    Ok(true)
}

/// Step 2: the code. A right code opens a new session (a new id: the flow id is discarded).
pub async fn finish_login(
    app: &Ctx,
    flow: &[u8],
    code: &str,
    now: i64,
) -> ServiceResult<Result<NewSession, Rejected>> {
    let c = match otp::check(app, flow, Purpose::Login, code, now).await? {
        Ok(c) => c,
        Err(r) => {
            app.store
                .audit(
                    &AuditEvent {
                        event: "login.failed".into(),
                        org_id: None,
                        subject: None,
                        detail: json!({"reason": "otp"}),
                    },
                    now,
                )
                .await?;
            return Ok(Err(r));
        }
    };
    let Some(person_id) = c.person_id else {
        return Ok(Err(Rejected::Wrong));
    };
    Ok(Ok(open_session(app, &person_id, "sms", now).await?))
}

/// Opens a session for a person who just authenticated (`method`: `sms`, `nia`): a new 128-bit
/// id, stored as its SHA-256, audited as `login.succeeded`.
pub async fn open_session(
    app: &Ctx,
    person_id: &str,
    method: &str,
    now: i64,
) -> ServiceResult<NewSession> {
    session::open(app, SessionKind::Citizen, person_id, method, now).await
}

/// The citizen session of a cookie, if it is live (SECURITY.md 22); records the activity.
pub async fn session(app: &Ctx, cookie: &str, now: i64) -> ServiceResult<Option<Session>> {
    session::load(app, SessionKind::Citizen, cookie, now).await
}

/// The person's live sessions (SECURITY.md 22).
pub async fn sessions(app: &Ctx, s: &Session) -> ServiceResult<Vec<SessionInfo>> {
    session::list(app, s.kind, &s.owner_id, &s.digest).await
}

/// Ends another session of the same person by its handle (audited as `session.ended`); false
/// when there is none.
pub async fn end_session(app: &Ctx, s: &Session, handle: &str, now: i64) -> ServiceResult<bool> {
    session::end_other(app, s.kind, &s.owner_id, &s.digest, handle, now).await
}

/// Ends a session (logout, audited).
pub async fn logout(app: &Ctx, s: &Session, now: i64) -> ServiceResult<()> {
    session::logout(app, s, now).await
}

/// The person and their records, for "My records".
pub struct Overview {
    /// The person.
    pub person: PersonView,
    /// Records with the recording organisation's name, oldest first.
    pub records: Vec<(RecordRow, String)>,
}

/// The logged-in person's records.
pub async fn overview(app: &Ctx, s: &Session) -> ServiceResult<Overview> {
    let person = app
        .store
        .person(&s.owner_id)
        .await?
        .ok_or(Error::NotFound)?;
    let records = app.store.citizen_records(&s.owner_id).await?;
    Ok(Overview { person, records })
}

/// A certificate of the logged-in person, as a PDF with the certificate it renders (whose
/// type and date name the file): only their own, current one (SECURITY.md 36); others are 404.
pub async fn certificate_pdf(
    app: &Ctx,
    s: &Session,
    certificate_id: &str,
    now: i64,
) -> ServiceResult<(Vec<u8>, CertificateRow)> {
    let cert = app
        .store
        .person_certificate(&s.owner_id, certificate_id)
        .await?
        .filter(|c| c.superseded_at.is_none() && c.revoked_at.is_none())
        .ok_or(Error::NotFound)?;
    let pdf = render_pdf(app, &cert).await?;
    app.store
        .audit(
            &AuditEvent {
                event: "certificate.downloaded".into(),
                org_id: None,
                subject: Some(app.secrets.pseudonym(s.owner_id.as_bytes())),
                detail: json!({"certificate": cert.id, "via": "portal"}),
            },
            now,
        )
        .await?;
    Ok((pdf, cert))
}

/// Renders a stored certificate as the PDF citizens print, off the async threads.
pub async fn render_pdf(app: &Ctx, cert: &CertificateRow) -> ServiceResult<Vec<u8>> {
    let hc1 = cert.hc1.clone();
    let country = app.config.country.clone();
    let public = app.public.clone();
    let _permit = app
        .pdf_slots
        .acquire()
        .await
        .map_err(|e| Error::Internal(format!("PDF slots: {e}")))?;
    tokio::task::spawn_blocking(move || {
        let issued = issuer::Issued::from_hc1(&hc1)?;
        let qr = issuer::qr::encode(&issued.hc1)?;
        issuer::pdf::render(
            &issued,
            &qr,
            &public.names,
            issuer::pdf::Page { country: &country },
        )
    })
    .await
    .map_err(|e| Error::Internal(format!("PDF task: {e}")))?
    .map_err(|e| Error::Internal(format!("PDF: {e}")))
}

/// Whether the session entered a code recently enough for a sensitive change (SECURITY.md 23).
pub fn fresh_otp(s: &Session, now: i64) -> bool {
    s.fresh(now)
}
