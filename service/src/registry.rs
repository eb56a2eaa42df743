//! Registry users (issue #9; seeds 000 and 001; SECURITY.md 5-7, 9, 11-14): registration by
//! SMS (mobile + birth number → SMS code → contact details and PIN → the username by e-mail) and
//! login with username + PIN + the picture captcha, then a one-time code through the user's
//! channel. Unknown users, wrong PINs and suspended accounts cost one argon2id evaluation and get
//! one answer; the code leaves only when everything matched.

use std::time::Duration;

use serde_json::json;

use crate::error::{Error, ServiceResult};
use crate::notice::{Channel, Notice};
use crate::otp::{self, Delivery, Purpose, Rejected};
use crate::pin::{self, PinContext, PinHasher, PinRejected};
use crate::secrets;
use crate::session::{self, NewSession, Session, SessionInfo, SessionKind};
use crate::store::registry::{RegFlow, Registered, UserWrite};
use crate::store::{AuditEvent, MessageWrite, StoreError};
use crate::validate;
use crate::Ctx;

/// A registration flow lives 15 minutes (SECURITY.md 22: pre-login flows).
pub const FLOW_SECS: i64 = 900;
/// The longest wait for an argon2id slot before 503 (SECURITY.md 50).
const PIN_QUEUE: Duration = Duration::from_secs(2);

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new username: 8 Crockford base32 characters (40 bits) from the OS CSPRNG (SECURITY.md 12).
pub fn new_username() -> Result<String, getrandom::Error> {
    let bytes = secrets::random::<5>()?;
    let bits = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    Ok((0..8)
        .rev()
        .map(|i| {
            let v = (bits >> (i * 5)) & 31;
            CROCKFORD
                .get(usize::try_from(v).unwrap_or(0))
                .map_or('0', |c| char::from(*c))
        })
        .collect())
}

/// A typed username as stored: Crockford's reading (case-insensitive, O → 0, I and L → 1,
/// hyphens and spaces ignored); at most 64 characters are read.
pub fn normalise_username(input: &str) -> String {
    input
        .chars()
        .take(64)
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            u => u,
        })
        .collect()
}

/// Runs `f` on a blocking thread holding an argon2id slot; 503 when none frees up in 2 s.
pub(crate) async fn with_pins<T: Send + 'static>(
    app: &Ctx,
    f: impl FnOnce(&PinHasher) -> T + Send + 'static,
) -> ServiceResult<T> {
    let permit = tokio::time::timeout(PIN_QUEUE, app.pin_slots.clone().acquire_owned())
        .await
        .map_err(|_| Error::Unavailable(2))?
        .map_err(|e| Error::Internal(e.to_string()))?;
    let pins = app.pins.clone();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        f(&pins)
    })
    .await
    .map_err(|e| Error::Internal(format!("PIN task: {e}")))
}

/// Why a registration form was not accepted: the field and a reason code for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormRejected {
    /// A field is malformed (`phone`, `birth_number`, `email`, `name`, `channel`).
    Field(&'static str),
    /// The two PIN entries differ.
    PinMismatch,
    /// The PIN breaks the policy.
    Pin(PinRejected),
    /// The picture's digits were wrong, used or expired.
    Captcha,
}

/// Registration step 1 (seed 001): mobile number + birth number; the code goes to that number.
pub async fn start_registration(
    app: &Ctx,
    flow: &[u8],
    phone: &str,
    birth_number: &str,
    now: i64,
) -> ServiceResult<Result<(), FormRejected>> {
    let Ok(phone) = validate::phone(phone) else {
        return Ok(Err(FormRejected::Field("phone")));
    };
    let Ok(bn) = validate::birth_number(birth_number) else {
        return Ok(Err(FormRejected::Field("birth_number")));
    };
    let throttle_key = app.secrets.keyed("registry_bn", bn.as_bytes());
    otp::throttled(app, &throttle_key, now).await?;
    let birth_date = pin::date_from_birth_number(&bn.replace('/', "")).map(|d| d.to_string());
    let index = app.secrets.birth_number_index(&bn);
    begin(app, flow, index, phone, birth_date, throttle_key, now).await?;
    Ok(Ok(()))
}

/// Stores a registration flow for an identity (a birth number's index or a certificate
/// subject's) and texts the code to the phone being registered.
async fn begin(
    app: &Ctx,
    flow: &[u8],
    identity: Vec<u8>,
    phone: String,
    birth_date: Option<String>,
    throttle_key: Vec<u8>,
    now: i64,
) -> ServiceResult<()> {
    app.store
        .reg_flow_put(
            flow,
            &RegFlow {
                bn_index: identity,
                phone: phone.clone(),
                birth_date,
                verified_at: None,
                expires_at: now + FLOW_SECS,
            },
            now,
        )
        .await?;
    otp::send(
        app,
        otp::Request {
            flow,
            purpose: Purpose::Registration,
            person_id: None,
            user_id: None,
            throttle_key,
            delivery: Some(Delivery {
                channel: Channel::Sms,
                to: phone.clone(),
            }),
            destination: Some(phone),
            now,
        },
    )
    .await
}

/// Registration step 2: the SMS code.
pub async fn verify_registration(
    app: &Ctx,
    flow: &[u8],
    code: &str,
    now: i64,
) -> ServiceResult<Result<(), Rejected>> {
    match app.store.reg_flow(flow).await? {
        Some(f) if f.expires_at >= now => {}
        _ => return Ok(Err(Rejected::NoChallenge)),
    }
    match otp::check(app, flow, Purpose::Registration, code, now).await? {
        Ok(_) => {
            app.store.reg_flow_verified(flow, now).await?;
            Ok(Ok(()))
        }
        Err(r) => Ok(Err(r)),
    }
}

/// Whether the flow's code was entered and the flow is still open (the details page).
pub async fn registration_verified(app: &Ctx, flow: &[u8], now: i64) -> ServiceResult<bool> {
    Ok(app
        .store
        .reg_flow(flow)
        .await?
        .is_some_and(|f| f.verified_at.is_some() && f.expires_at >= now))
}

/// Registration step 3: contact details, PIN and code channel.
#[derive(Clone, Default)]
pub struct Details {
    /// Full name.
    pub name: String,
    /// E-mail address (the username goes there).
    pub email: String,
    /// PIN.
    pub pin: String,
    /// PIN again.
    pub pin2: String,
    /// `sms` or `email`.
    pub channel: String,
}

impl std::fmt::Debug for Details {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Details")
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

/// Finishes a registration. The answer is the same whether or not the birth number already
/// had an account (SECURITY.md 12): a new account gets its username by e-mail, an existing one a
/// notice at its stored address, and no second account is made. `Ok(Ok(false))` when the flow
/// has no verified code (start again).
pub async fn finish_registration(
    app: &Ctx,
    flow: &[u8],
    d: Details,
    now: i64,
) -> ServiceResult<Result<bool, FormRejected>> {
    let Some(f) = app.store.reg_flow(flow).await? else {
        return Ok(Ok(false));
    };
    if f.verified_at.is_none() || f.expires_at < now {
        return Ok(Ok(false));
    }
    let Ok(name) = validate::name("name", &d.name) else {
        return Ok(Err(FormRejected::Field("name")));
    };
    let Ok(email) = validate::email(&d.email) else {
        return Ok(Err(FormRejected::Field("email")));
    };
    let channel = match d.channel.as_str() {
        "sms" | "" => "sms",
        "email" if app.config.registry.email_otp => "email",
        _ => return Ok(Err(FormRejected::Field("channel"))),
    };
    if d.pin != d.pin2 {
        return Ok(Err(FormRejected::PinMismatch));
    }
    let birth_date = f.birth_date.as_deref().and_then(|s| {
        time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
    });
    let mut username = new_username().map_err(|e| Error::Internal(e.to_string()))?;
    let ctx = PinContext {
        min_len: app.config.registry.pin_min_len,
        username: Some(&username),
        birth_date,
        phone: Some(&f.phone),
        ..PinContext::default()
    };
    if let Err(r) = pin::check(&d.pin, &ctx) {
        return Ok(Err(FormRejected::Pin(r)));
    }
    let pin_text = d.pin;
    let pin_hash = with_pins(app, move |h| h.hash(&pin_text))
        .await?
        .map_err(|e| Error::Internal(e.to_string()))?;
    let existing_notice = Notice::RegistrationAttempt.message(app.sender(), Channel::Email, "");
    for _ in 0..3 {
        let user = UserWrite {
            id: secrets::new_id(),
            username: username.clone(),
            bn_index: f.bn_index.clone(),
            display_name: name.clone(),
            phone: f.phone.clone(),
            email: email.clone(),
            otp_channel: channel.into(),
            pin_hash: pin_hash.clone(),
        };
        let created_notice = Notice::RegistrationComplete {
            username: &username,
        }
        .message(app.sender(), Channel::Email, email.clone());
        match app
            .store
            .register(flow, &user, &created_notice, &existing_notice, now)
            .await
        {
            Ok(Some(Registered::Created | Registered::Existing)) => return Ok(Ok(true)),
            Ok(None) => return Ok(Ok(false)),
            // Another registration took this username (or this birth number) a moment ago.
            Err(StoreError::Conflict(_)) => {
                username = new_username().map_err(|e| Error::Internal(e.to_string()))?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::Internal("no free username after 3 tries".into()))
}

/// Login step 1 (seed 000, SECURITY.md 9, 11): username + PIN + the picture's digits. A wrong
/// captcha is said so (it tells nothing about the account). Otherwise unknown user, wrong PIN
/// and suspended account give the same answer after one argon2id evaluation, and the code leaves
/// only when everything matched.
pub async fn start_login(
    app: &Ctx,
    flow: &[u8],
    username: &str,
    pin_input: &str,
    captcha_id: &str,
    captcha_answer: &str,
    now: i64,
) -> ServiceResult<Result<(), FormRejected>> {
    if !crate::captcha::check::answered(app, captcha_id, captcha_answer, now).await? {
        return Ok(Err(FormRejected::Captcha));
    }
    login_with_pin(app, flow, username, pin_input, now).await?;
    Ok(Ok(()))
}

/// Login without the picture (SECURITY.md 14), step 1: a one-time code to the registered
/// e-mail instead of the captcha. The same answer whether or not the username exists; the code
/// is throttled per username like every login code, and the PIN is still checked (step 2).
pub async fn start_login_by_email(
    app: &Ctx,
    flow: &[u8],
    username: &str,
    now: i64,
) -> ServiceResult<Result<(), FormRejected>> {
    let username = normalise_username(username);
    if username.is_empty() {
        return Ok(Err(FormRejected::Field("username")));
    }
    let throttle_key = app.secrets.keyed("registry_user", username.as_bytes());
    email_code_to_account(
        app,
        flow,
        Purpose::RegistryLoginEmail,
        &username,
        throttle_key,
        now,
    )
    .await?;
    Ok(Ok(()))
}

/// Login without the picture, step 2: the e-mailed code stands for the captcha, then the PIN
/// is checked as in [`start_login`] and the login code leaves only when both matched. A wrong
/// or expired e-mailed code is said so (it tells nothing about the PIN).
pub async fn login_by_email_code(
    app: &Ctx,
    flow: &[u8],
    code: &str,
    pin_input: &str,
    now: i64,
) -> ServiceResult<Result<(), Rejected>> {
    let user =
        match account_of_email_code(app, flow, Purpose::RegistryLoginEmail, code, now).await? {
            Ok(u) => u,
            Err(r) => return Ok(Err(r)),
        };
    login_with_pin(app, flow, &user.username, pin_input, now).await?;
    Ok(Ok(()))
}

/// The accessible alternative to the picture (SECURITY.md 14): a `purpose` code to the
/// registered e-mail of the normalised `username`, throttled under `throttle_key`. It leaves
/// only for an existing, unsuspended account; the caller's answer is the same either way.
pub(crate) async fn email_code_to_account(
    app: &Ctx,
    flow: &[u8],
    purpose: Purpose,
    username: &str,
    throttle_key: Vec<u8>,
    now: i64,
) -> ServiceResult<()> {
    otp::throttled(app, &throttle_key, now).await?;
    let user = app
        .store
        .user_by_username(username)
        .await?
        .filter(|u| u.suspended_at.is_none());
    otp::send(
        app,
        otp::Request {
            flow,
            purpose,
            person_id: None,
            delivery: user.as_ref().map(|u| Delivery {
                channel: Channel::Email,
                to: u.email.clone(),
            }),
            user_id: user.map(|u| u.id),
            throttle_key,
            destination: None,
            now,
        },
    )
    .await
}

/// The account a right e-mailed code of [`email_code_to_account`] was sent for.
pub(crate) async fn account_of_email_code(
    app: &Ctx,
    flow: &[u8],
    purpose: Purpose,
    code: &str,
    now: i64,
) -> ServiceResult<Result<crate::store::registry::UserRow, Rejected>> {
    let c = match otp::check(app, flow, purpose, code, now).await? {
        Ok(c) => c,
        Err(r) => return Ok(Err(r)),
    };
    let user = match &c.user_id {
        Some(id) => app.store.user(id).await?,
        None => None,
    };
    Ok(user.ok_or(Rejected::Wrong))
}

/// Username + PIN after the anti-automation step: unknown user, wrong PIN and suspended account
/// give the same answer after one argon2id evaluation; the login code leaves only when
/// everything matched.
async fn login_with_pin(
    app: &Ctx,
    flow: &[u8],
    username: &str,
    pin_input: &str,
    now: i64,
) -> ServiceResult<()> {
    let username = normalise_username(username);
    let throttle_key = app.secrets.keyed("registry_user", username.as_bytes());
    otp::throttled(app, &throttle_key, now).await?;
    let user = app.store.user_by_username(&username).await?;
    let pin_text = pin_input.to_string();
    let stored = user.as_ref().map(|u| u.pin_hash.clone());
    let verified = with_pins(app, move |h| match stored {
        // A rehash (stronger parameters configured) only after a right PIN: the known PIN is
        // the only input it can have.
        Some(phc) => h.verify(&pin_text, &phc).ok().map(|v| {
            let new_hash = (v.ok && v.needs_rehash)
                .then(|| h.hash(&pin_text).ok())
                .flatten();
            (v, new_hash)
        }),
        None => {
            h.verify_dummy(&pin_text);
            None
        }
    })
    .await?;
    let (ok, rehash) = match verified {
        Some((v, new_hash)) => (v.ok, new_hash),
        None => (false, None),
    };
    let user = user.filter(|u| ok && u.suspended_at.is_none());
    if let (Some(u), Some(h)) = (&user, rehash) {
        app.store.user_set_pin_hash(&u.id, &h).await?;
    }
    if user.is_none() {
        app.store.event_add("auth_fail", &throttle_key, now).await?;
        app.store
            .audit(
                &AuditEvent {
                    event: "registry.login_failed".into(),
                    org_id: None,
                    subject: Some(hex::encode(throttle_key.get(..8).unwrap_or_default())),
                    detail: json!({ "step": "pin" }),
                },
                now,
            )
            .await?;
    }
    let delivery = user.as_ref().map(|u| code_delivery(app, u));
    otp::send(
        app,
        otp::Request {
            flow,
            purpose: Purpose::RegistryLogin,
            person_id: None,
            user_id: user.map(|u| u.id),
            throttle_key,
            delivery,
            destination: None,
            now,
        },
    )
    .await?;
    Ok(())
}

/// Where a user's codes go: the e-mail when the user chose it and the operator allows e-mail
/// codes (SECURITY.md 4), else the phone.
pub(crate) fn code_delivery(app: &Ctx, u: &crate::store::registry::UserRow) -> Delivery {
    if u.otp_channel == "email" && app.config.registry.email_otp {
        Delivery {
            channel: Channel::Email,
            to: u.email.clone(),
        }
    } else {
        Delivery {
            channel: Channel::Sms,
            to: u.phone.clone(),
        }
    }
}

/// Login step 2: the code opens a registry session (a new id; the flow id is discarded).
pub async fn finish_login(
    app: &Ctx,
    flow: &[u8],
    code: &str,
    now: i64,
) -> ServiceResult<Result<NewSession, Rejected>> {
    let c = match otp::check(app, flow, Purpose::RegistryLogin, code, now).await? {
        Ok(c) => c,
        Err(r) => return Ok(Err(r)),
    };
    let Some(user_id) = c.user_id else {
        return Ok(Err(Rejected::Wrong));
    };
    Ok(Ok(open_session(app, &user_id, "pin+otp", now).await?))
}

/// Opens a registry session for a user whose login succeeded (`method`: `pin+otp` or `nia`):
/// a new id, pending reset links void (SECURITY.md 16, 20), audited.
pub async fn open_session(
    app: &Ctx,
    user_id: &str,
    method: &str,
    now: i64,
) -> ServiceResult<NewSession> {
    app.store.resets_end(user_id, now).await?;
    session::open(app, SessionKind::Registry, user_id, method, now).await
}

/// A live registry session: digest and user id. Idle and absolute time-outs as the portal's.
pub async fn session(
    app: &Ctx,
    cookie: &str,
    now: i64,
) -> ServiceResult<Option<(Vec<u8>, String)>> {
    Ok(live_session(app, cookie, now)
        .await?
        .map(|s| (s.digest, s.owner_id)))
}

/// A live registry session whole, with the time of its last code (the step-up of contact
/// changes, `crate::contact`).
pub async fn live_session(app: &Ctx, cookie: &str, now: i64) -> ServiceResult<Option<Session>> {
    session::load(app, SessionKind::Registry, cookie, now).await
}

/// Ends a registry session (logout; not audited).
pub async fn logout(app: &Ctx, digest: &[u8]) -> ServiceResult<()> {
    session::end(app, SessionKind::Registry, digest).await
}

/// The prefix of the text a certificate holder signs.
const CHALLENGE_PREFIX: &str = "dcc-registrace";

/// The text a certificate holder signs to register (seeds 001 and 003): bound by an HMAC to the
/// browser's flow and to the moment it was issued, so it is valid only in that flow for 15
/// minutes and needs no storage.
pub fn certificate_challenge(app: &Ctx, flow: &[u8], now: i64) -> String {
    let mut input = flow.to_vec();
    input.extend_from_slice(&now.to_be_bytes());
    let mac = app.secrets.keyed("registry_cert_challenge", &input);
    format!(
        "{CHALLENGE_PREFIX}:{now}:{}",
        hex::encode(mac.get(..16).unwrap_or_default())
    )
}

/// Whether `challenge` was issued to this flow within the last 15 minutes.
fn challenge_valid(app: &Ctx, flow: &[u8], challenge: &str, now: i64) -> bool {
    let mut parts = challenge.trim().splitn(3, ':');
    let (Some(CHALLENGE_PREFIX), Some(ts), Some(_)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Ok(issued) = ts.parse::<i64>() else {
        return false;
    };
    (now - FLOW_SECS..=now).contains(&issued)
        && secrets::ct_eq(
            certificate_challenge(app, flow, issued).as_bytes(),
            challenge.trim().as_bytes(),
        )
}

/// Why a certificate registration was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertRejected {
    /// This installation has no trusted authorities configured.
    NotOffered,
    /// The phone number is malformed.
    Phone,
    /// The challenge is not this flow's or has expired: sign the new one.
    Challenge,
    /// The signature or certificate was refused; the reason names what was wrong.
    Certificate(String),
}

/// The bytes of a pasted proof: PEM as it is, otherwise base64 (whitespace ignored).
fn pasted(text: &str) -> Result<Vec<u8>, ()> {
    use base64::Engine as _;
    let t = text.trim();
    if t.starts_with("-----BEGIN") {
        return Ok(t.as_bytes().to_vec());
    }
    let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| ())
}

/// Registration by certificate, step 1 (seeds 001 and 003; issue #9): the holder of a personal
/// certificate from a configured authority signs this flow's challenge (CMS/PKCS#7, or a plain
/// signature with the certificate pasted beside it); the chain, validity and key usage are
/// checked. The certificate's subject then stands in for the birth number (one account per
/// certificate holder), and the registration continues as the SMS one: a code to the phone,
/// then contact details and PIN.
pub async fn start_certificate_registration(
    app: &Ctx,
    flow: &[u8],
    phone: &str,
    challenge: &str,
    certificates: &str,
    signature: &str,
    now: i64,
) -> ServiceResult<Result<(), CertRejected>> {
    let Some(cas) = app.certificate_cas.clone() else {
        return Ok(Err(CertRejected::NotOffered));
    };
    let Ok(phone) = validate::phone(phone) else {
        return Ok(Err(CertRejected::Phone));
    };
    if !challenge_valid(app, flow, challenge, now) {
        return Ok(Err(CertRejected::Challenge));
    }
    let Ok(signature) = pasted(signature) else {
        return Ok(Err(CertRejected::Certificate(
            "the signature is neither PEM nor base64".into(),
        )));
    };
    if signature.len() > 64 * 1024 || certificates.len() > 64 * 1024 {
        return Ok(Err(CertRejected::Certificate(
            "the signature or the certificates exceed 64 KiB".into(),
        )));
    }
    let proof_challenge = challenge.trim().as_bytes().to_vec();
    let certificates = certificates.trim().as_bytes().to_vec();
    let verified = tokio::task::spawn_blocking(move || {
        let proof = crate::certreg::Proof {
            kind: crate::certreg::ProofKind::detect(&signature),
            certificates: &certificates,
            signature: &signature,
        };
        crate::certreg::verify(&cas, &proof, &proof_challenge, now).map(|s| (s, proof.kind))
    })
    .await
    .map_err(|e| Error::Internal(format!("certificate check: {e}")))?;
    let (signer, kind) = match verified {
        Ok(v) => v,
        Err(e) => return Ok(Err(CertRejected::Certificate(e.to_string()))),
    };
    let identity = app
        .secrets
        .keyed("registry_cert_subject", signer.subject.as_bytes());
    otp::throttled(app, &identity, now).await?;
    app.store
        .audit(
            &AuditEvent {
                event: "registry.certificate_verified".into(),
                org_id: None,
                subject: Some(hex::encode(identity.get(..8).unwrap_or_default())),
                detail: json!({
                    "proof": match kind {
                        crate::certreg::ProofKind::Cms => "cms",
                        crate::certreg::ProofKind::Plain => "plain",
                    },
                }),
            },
            now,
        )
        .await?;
    begin(app, flow, identity.clone(), phone, None, identity, now).await?;
    Ok(Ok(()))
}

/// Whether the registry session's one-time code was entered at most 5 minutes ago.
pub async fn session_fresh(app: &Ctx, session: &[u8], now: i64) -> ServiceResult<bool> {
    session::fresh(app, SessionKind::Registry, session, now).await
}

/// Why a PIN change was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeRejected {
    /// The session's code is older than 5 minutes: sign in again.
    Stale,
    /// The current PIN is wrong.
    CurrentWrong,
    /// The new PIN (mismatch or policy).
    Form(FormRejected),
}

/// A PIN change by a signed-in user (SECURITY.md 8): the current PIN, a code entered at most
/// 5 minutes ago and the new PIN twice. A wrong current PIN counts as a login failure of the
/// username. On success the user's other sessions and reset links end and SMS and e-mail
/// notices leave; the session continues under a new id (SECURITY.md 20), whose cookie value
/// is returned.
pub async fn change_pin(
    app: &Ctx,
    session: &[u8],
    user_id: &str,
    current: &str,
    new: &str,
    new2: &str,
    now: i64,
) -> ServiceResult<Result<NewSession, ChangeRejected>> {
    if !session_fresh(app, session, now).await? {
        return Ok(Err(ChangeRejected::Stale));
    }
    let Some(user) = app.store.user(user_id).await? else {
        return Err(Error::Unauthorized);
    };
    let login_key = app.secrets.keyed("registry_user", user.username.as_bytes());
    otp::throttled(app, &login_key, now).await?;
    let (current_text, stored) = (current.to_string(), user.pin_hash.clone());
    let right = with_pins(app, move |h| {
        h.verify(&current_text, &stored).is_ok_and(|v| v.ok)
    })
    .await?;
    if !right {
        app.store.event_add("auth_fail", &login_key, now).await?;
        return Ok(Err(ChangeRejected::CurrentWrong));
    }
    if new != new2 {
        return Ok(Err(ChangeRejected::Form(FormRejected::PinMismatch)));
    }
    let ctx = PinContext {
        min_len: app.config.registry.pin_min_len,
        username: Some(&user.username),
        phone: Some(&user.phone),
        ..PinContext::default()
    };
    if let Err(r) = pin::check(new, &ctx) {
        return Ok(Err(ChangeRejected::Form(FormRejected::Pin(r))));
    }
    let new_text = new.to_string();
    let pin_hash = with_pins(app, move |h| h.hash(&new_text))
        .await?
        .map_err(|e| Error::Internal(e.to_string()))?;
    let token = secrets::new_url_token().map_err(|e| Error::Internal(e.to_string()))?;
    app.store
        .pin_change(
            user_id,
            session,
            &secrets::token_digest(&token),
            &pin_hash,
            &[
                pin_changed_notice(app, Channel::Sms),
                pin_changed_notice(app, Channel::Email),
            ],
            &AuditEvent {
                event: "registry.pin_changed".into(),
                org_id: None,
                subject: Some(app.secrets.pseudonym(user_id.as_bytes())),
                detail: json!({}),
            },
            now,
        )
        .await?;
    app.store.events_clear("auth_fail", &login_key).await?;
    Ok(Ok(NewSession { token }))
}

/// The user's live registry sessions (SECURITY.md 22).
pub async fn sessions(app: &Ctx, user_id: &str, current: &[u8]) -> ServiceResult<Vec<SessionInfo>> {
    session::list(app, SessionKind::Registry, user_id, current).await
}

/// Ends another registry session of the same user by its handle (audited as
/// `registry.session_ended`); false when there is none.
pub async fn end_session(
    app: &Ctx,
    user_id: &str,
    current: &[u8],
    handle: &str,
    now: i64,
) -> ServiceResult<bool> {
    session::end_other(app, SessionKind::Registry, user_id, current, handle, now).await
}

/// The notice of a changed PIN (SECURITY.md 8, 18): no link, no code; the recipient is filled
/// in by the store from the account.
pub(crate) fn pin_changed_notice(app: &Ctx, channel: Channel) -> MessageWrite {
    Notice::PinChanged.message(app.sender(), channel, "")
}
