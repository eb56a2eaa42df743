//! Changing the phone or e-mail of a signed-in account (SECURITY.md 23), one implementation for
//! citizens and registry users: a step-up code to the current channel, entered at most five
//! minutes before; then a code to the new contact (10 minutes), which counts only once entered,
//! so until then codes keep going to the old one; the old contact is told, and the change audited.

use serde_json::json;

use crate::error::{Error, Problem, ServiceResult};
use crate::notice::{Channel, Notice};
use crate::otp::{self, Delivery, Purpose, Rejected};
use crate::session::{self, Session, SessionKind};
use crate::store::portal::{ContactField, ContactOwner};
use crate::store::AuditEvent;
use crate::validate;
use crate::Ctx;

/// Why a portal form was refused before anything was sent: the typed reasons a page is chosen
/// by, beside everything the lower layers refuse.
#[derive(Debug, thiserror::Error)]
pub enum ContactError {
    /// A field of the form is malformed (named, never echoed).
    #[error(transparent)]
    Field(#[from] validate::Invalid),
    /// Changing a contact needs a code entered in the last five minutes.
    #[error("a one-time code entered in the last five minutes is needed")]
    StepUpRequired,
    /// Limits, storage and the rest.
    #[error(transparent)]
    Service(#[from] Error),
}

impl From<crate::store::StoreError> for ContactError {
    fn from(e: crate::store::StoreError) -> Self {
        ContactError::Service(e.into())
    }
}

impl From<ContactError> for Error {
    fn from(e: ContactError) -> Self {
        match e {
            ContactError::Field(invalid) => Error::Invalid(Problem::field(invalid.to_string())),
            ContactError::StepUpRequired => Error::Forbidden(Problem::new("error-step-up")),
            ContactError::Service(e) => e,
        }
    }
}

/// An account's contacts as they stand, and where its codes go.
struct Contacts {
    phone: Option<String>,
    email: Option<String>,
    /// Where a step-up code goes: a citizen's phone; a registry user's chosen channel.
    current: Option<Delivery>,
    /// The identifier sends and wrong codes count against (SECURITY.md 3, 11): the account's
    /// own, apart from its login's.
    throttle_key: Vec<u8>,
}

async fn contacts(app: &Ctx, s: &Session) -> ServiceResult<Contacts> {
    match s.kind {
        SessionKind::Citizen => {
            let p = app
                .store
                .person(&s.owner_id)
                .await?
                .ok_or(Error::NotFound)?;
            Ok(Contacts {
                current: p.phone.clone().map(|to| Delivery {
                    channel: Channel::Sms,
                    to,
                }),
                phone: p.phone,
                email: p.email,
                throttle_key: app.secrets.keyed("person", p.id.as_bytes()),
            })
        }
        SessionKind::Registry => {
            let u = app
                .store
                .user(&s.owner_id)
                .await?
                .ok_or(Error::Unauthorized)?;
            let current = crate::registry::code_delivery(app, &u);
            Ok(Contacts {
                current: Some(current),
                throttle_key: app.secrets.keyed("user", u.id.as_bytes()),
                phone: Some(u.phone),
                email: Some(u.email),
            })
        }
    }
}

/// A code request bound to the session, naming its owner as the challenge's person or user.
fn request<'a>(
    s: &'a Session,
    purpose: Purpose,
    throttle_key: Vec<u8>,
    delivery: Option<Delivery>,
    destination: Option<String>,
    now: i64,
) -> otp::Request<'a> {
    let (person_id, user_id) = match s.kind {
        SessionKind::Citizen => (Some(s.owner_id.clone()), None),
        SessionKind::Registry => (None, Some(s.owner_id.clone())),
    };
    otp::Request {
        flow: &s.digest,
        purpose,
        person_id,
        user_id,
        throttle_key,
        delivery,
        destination,
        now,
    }
}

/// Sends a step-up code to the account's current channel.
pub async fn start_step_up(app: &Ctx, s: &Session, now: i64) -> ServiceResult<()> {
    let c = contacts(app, s).await?;
    otp::send(
        app,
        request(s, Purpose::StepUp, c.throttle_key, c.current, None, now),
    )
    .await
}

/// Checks a step-up code; a right one marks the session fresh for five minutes.
pub async fn finish_step_up(
    app: &Ctx,
    s: &Session,
    code: &str,
    now: i64,
) -> ServiceResult<Result<(), Rejected>> {
    match otp::check(app, &s.digest, Purpose::StepUp, code, now).await? {
        Ok(_) => {
            session::mark_fresh(app, s, now).await?;
            Ok(Ok(()))
        }
        Err(r) => Ok(Err(r)),
    }
}

fn purpose_of(field: ContactField) -> Purpose {
    match field {
        ContactField::Phone => Purpose::ContactPhone,
        ContactField::Email => Purpose::ContactEmail,
    }
}

fn field_name(field: ContactField) -> &'static str {
    match field {
        ContactField::Phone => "phone",
        ContactField::Email => "email",
    }
}

/// Starts a change: checks the step-up, validates the new contact and sends a code to it. The
/// contact on file stays until that code is entered.
pub async fn start_change(
    app: &Ctx,
    s: &Session,
    field: ContactField,
    value: &str,
    now: i64,
) -> Result<(), ContactError> {
    if !s.fresh(now) {
        return Err(ContactError::StepUpRequired);
    }
    let (value, channel) = match field {
        ContactField::Phone => (validate::phone(value)?, Channel::Sms),
        ContactField::Email => (validate::email(value)?, Channel::Email),
    };
    let c = contacts(app, s).await?;
    let delivery = Delivery {
        channel,
        to: value.clone(),
    };
    let r = request(
        s,
        purpose_of(field),
        c.throttle_key,
        Some(delivery),
        Some(value),
        now,
    );
    otp::send(app, r).await?;
    Ok(())
}

/// Confirms a change with the code sent to the new contact (once: the code is consumed); the
/// old contact gets a notice in the same transaction, and the audit event names the field only.
pub async fn finish_change(
    app: &Ctx,
    s: &Session,
    field: ContactField,
    code: &str,
    now: i64,
) -> ServiceResult<Result<(), Rejected>> {
    let c = match otp::check(app, &s.digest, purpose_of(field), code, now).await? {
        Ok(c) => c,
        Err(r) => return Ok(Err(r)),
    };
    let Some(value) = c.destination else {
        return Ok(Err(Rejected::NoChallenge));
    };
    let old = contacts(app, s).await?;
    let (old, channel) = match field {
        ContactField::Phone => (old.phone, Channel::Sms),
        ContactField::Email => (old.email, Channel::Email),
    };
    let notice = old.map(|to| Notice::ContactChanged { field }.message(app.sender(), channel, to));
    let (owner, event) = match s.kind {
        SessionKind::Citizen => (ContactOwner::Person(&s.owner_id), "contact.changed"),
        SessionKind::Registry => (ContactOwner::User(&s.owner_id), "registry.contact_changed"),
    };
    // The field only: no old or new value in the audit trail (SECURITY.md 45).
    let audit = AuditEvent {
        event: event.into(),
        org_id: None,
        subject: Some(app.secrets.pseudonym(s.owner_id.as_bytes())),
        detail: json!({ "field": field_name(field) }),
    };
    app.store
        .set_contact(owner, field, &value, notice.as_ref(), &audit, now)
        .await?;
    Ok(Ok(()))
}
