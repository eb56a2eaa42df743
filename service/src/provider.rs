//! The provider API's logic: a recorded vaccination, test or recovery is checked, stored, and —
//! when the rules of seed 002 say so — signed, superseding the person's older certificate of
//! that type, and e-mailed, all in one transaction.
//!
//! Rules: a vaccination certificate once the final dose of the series is recorded (dose n of
//! n); test and recovery certificates on their record; certificates only for persons
//! identified in the population registry.

use hcert::CertType;
use issuer::names::{Kind, Names};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use crate::error::{Error, Problem, ServiceResult};
use crate::notice::{Channel, Notice, Sender};
use crate::secrets;
use crate::store::portal::PersonView;
use crate::store::{
    AuditEvent, CertificateWrite, Conflict, IdempotencyWrite, MessageWrite, Org, PersonWrite,
    RecordContacts, RecordRow, RecordWrite, RegistryEntry, StoreError,
};
use crate::Ctx;
use crate::{mail, validate};

/// The person a record is about.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    /// Rodné číslo.
    pub birth_number: String,
    /// ID-card number.
    #[serde(default)]
    pub id_card: Option<String>,
    /// Family name (`fn`).
    pub family_name: String,
    /// Given name (`gn`).
    pub given_name: String,
    /// Date of birth, as in the DCC (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`).
    pub dob: String,
    /// E-mail for the automatic certificate e-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Mobile phone, E.164.
    #[serde(default)]
    pub phone: Option<String>,
}

impl std::fmt::Debug for PersonInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonInput").finish_non_exhaustive()
    }
}

/// `POST /api/v1/records`: the person and exactly one of `v`, `t`, `r` (one DCC entry object,
/// without `ci` and `is`, which the server sets).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordInput {
    /// The person.
    pub person: PersonInput,
    /// A vaccination entry.
    #[serde(default)]
    pub v: Option<Value>,
    /// A test entry.
    #[serde(default)]
    pub t: Option<Value>,
    /// A recovery entry.
    #[serde(default)]
    pub r: Option<Value>,
}

/// A certificate as the API shows it.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct CertificateView {
    /// Id.
    pub id: String,
    /// UVCI.
    pub uvci: String,
    /// `HC1:` text.
    pub hc1: String,
    /// iat.
    pub issued_at: i64,
    /// exp.
    pub expires_at: i64,
    /// Whether a newer certificate replaced it.
    pub superseded: bool,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// A record as the API shows it.
#[derive(Debug, Serialize, PartialEq)]
pub struct RecordView {
    /// Record id.
    pub id: String,
    /// Person id.
    pub person_id: String,
    /// `v`, `t` or `r`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The DCC entry as recorded.
    pub entry: Value,
    /// Recorded at, Unix seconds.
    pub created_at: i64,
    /// The registry user (id) who recorded it; absent when an API token did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<String>,
    /// The certificate issued on it.
    pub certificate: Option<CertificateView>,
    /// Why no certificate was issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl From<RecordRow> for RecordView {
    fn from(r: RecordRow) -> Self {
        RecordView {
            id: r.id,
            person_id: r.person_id,
            kind: r.kind.key().to_string(),
            entry: r.entry,
            created_at: r.created_at,
            recorded_by: r.recorded_by,
            certificate: r.certificate.map(|c| CertificateView {
                id: c.id,
                uvci: c.uvci,
                hc1: c.hc1,
                issued_at: c.issued_at,
                expires_at: c.expires_at,
                superseded: c.superseded_at.is_some(),
                revoked: c.revoked_at.is_some(),
            }),
            note: r.note,
        }
    }
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::Invalid(Problem::field(msg))
}

/// Checks an `Idempotency-Key` header value.
fn check_idempotency_key(key: &str) -> ServiceResult<()> {
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| (0x21..0x7f).contains(&b)) {
        return Err(invalid(
            "Idempotency-Key: must be 1 to 255 visible ASCII characters",
        ));
    }
    Ok(())
}

/// A stored idempotent request: the same body gets the same record back, another body is
/// refused.
async fn replay(
    app: &Ctx,
    org: &Org,
    key: &str,
    digest: &[u8],
) -> ServiceResult<Option<RecordView>> {
    let Some((stored_digest, record_id)) = app.store.idempotency(org.id, key).await? else {
        return Ok(None);
    };
    if stored_digest != digest {
        return Err(invalid(
            "Idempotency-Key: this key was used with a different request body",
        ));
    }
    let row = own_record(org, app.store.record(org.id, &record_id).await?)
        .ok_or_else(|| Error::Internal("idempotency key without its record".into()))?;
    Ok(Some(row.into()))
}

/// The one entry of the record, checked for the fields only the server may set.
fn entry_of(input: &RecordInput, max_dose: u64) -> ServiceResult<(CertType, Map<String, Value>)> {
    let given: Vec<(CertType, &Value)> = [
        (CertType::Vaccination, &input.v),
        (CertType::Test, &input.t),
        (CertType::Recovery, &input.r),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
    .collect();
    let [(kind, value)] = given.as_slice() else {
        return Err(invalid(format!(
            "a record holds exactly one of v, t or r; this one has {}",
            if given.is_empty() {
                "none".to_string()
            } else {
                given
                    .iter()
                    .map(|(k, _)| k.key())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        )));
    };
    let Value::Object(entry) = value else {
        return Err(invalid(format!("{}: must be one entry object", kind.key())));
    };
    for field in ["ci", "is"] {
        if entry.contains_key(field) {
            return Err(invalid(format!(
                "{}.{field}: is set by the server and must not be sent",
                kind.key()
            )));
        }
    }
    if *kind == CertType::Vaccination {
        for field in ["dn", "sd"] {
            let n = entry.get(field).and_then(Value::as_u64);
            match n {
                Some(n) if (1..=max_dose).contains(&n) => {}
                _ => {
                    return Err(invalid(format!(
                        "v.{field}: must be an integer from 1 to {max_dose}"
                    )))
                }
            }
        }
    }
    Ok((*kind, entry.clone()))
}

/// The first day an event date may name (SECURITY.md 35): the pandemic's, 2020-01-01.
const FIRST_EVENT_DAY: time::Date = time::macros::date!(2020 - 01 - 01);

/// The event dates of an entry lie from 2020-01-01 to today + 1 day (SECURITY.md 35: `v.dt`,
/// `t.sc`, `r.fr`, `r.df`), and a recovery's validity ends (`r.du`) no earlier than it starts.
/// The messages name the field and the allowed range, never the value.
fn check_dates(kind: CertType, entry: &Map<String, Value>, today: time::Date) -> ServiceResult<()> {
    let kind_key = kind.key();
    let last = today.next_day().unwrap_or(today);
    let day = |field: &str, with_time: bool| -> ServiceResult<Option<time::Date>> {
        let Some(v) = entry.get(field) else {
            return Ok(None);
        };
        // A non-string value is left to the schema check, which names the type.
        let Some(text) = v.as_str() else {
            return Ok(None);
        };
        let parsed = if with_time {
            OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .ok()
                .map(|t| t.to_offset(time::UtcOffset::UTC).date())
        } else {
            time::Date::parse(
                text,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .ok()
        };
        match parsed {
            Some(d) => Ok(Some(d)),
            None => Err(invalid(format!(
                "{kind_key}.{field}: must be {}",
                if with_time {
                    "a date and time (RFC 3339)"
                } else {
                    "a date YYYY-MM-DD"
                }
            ))),
        }
    };
    let fields: &[(&str, bool)] = match kind {
        CertType::Vaccination => &[("dt", false)],
        CertType::Test => &[("sc", true)],
        CertType::Recovery => &[("fr", false), ("df", false)],
    };
    for (field, with_time) in fields {
        if let Some(d) = day(field, *with_time)? {
            if d < FIRST_EVENT_DAY || d > last {
                return Err(invalid(format!(
                    "{kind_key}.{field}: must lie from 2020-01-01 to tomorrow, not before and not \
                     further in the future"
                )));
            }
        }
    }
    if kind == CertType::Recovery {
        if let (Some(from), Some(until)) = (day("df", false)?, day("du", false)?) {
            if until < from {
                return Err(invalid("r.du: must not be before r.df"));
            }
        }
    }
    Ok(())
}

/// The coded fields of each entry type and the value set each code must come from
/// (SECURITY.md 35).
const CODED: &[(CertType, &str, Kind)] = &[
    (CertType::Vaccination, "tg", Kind::Disease),
    (CertType::Vaccination, "vp", Kind::VaccineType),
    (CertType::Vaccination, "mp", Kind::Product),
    (CertType::Vaccination, "ma", Kind::Manufacturer),
    (CertType::Vaccination, "co", Kind::Country),
    (CertType::Test, "tg", Kind::Disease),
    (CertType::Test, "tt", Kind::TestType),
    (CertType::Test, "ma", Kind::TestDevice),
    (CertType::Test, "tr", Kind::TestResult),
    (CertType::Test, "co", Kind::Country),
    (CertType::Recovery, "tg", Kind::Disease),
    (CertType::Recovery, "co", Kind::Country),
];

/// Every coded field that is present holds a code of its value set.
fn check_codes(kind: CertType, entry: &Map<String, Value>, names: &Names) -> ServiceResult<()> {
    for (_, field, set) in CODED.iter().filter(|(k, _, _)| *k == kind) {
        let Some(value) = entry.get(*field) else {
            continue;
        };
        // A non-string value is left to the schema check, which names the type.
        let Some(code) = value.as_str() else { continue };
        if names.contains(*set, code) == Some(false) {
            let shown: String = code.chars().take(40).collect();
            return Err(invalid(format!(
                "{}.{field}: {shown:?} is not a code of its value set",
                kind.key()
            )));
        }
    }
    Ok(())
}

fn dose_complete(entry: &Map<String, Value>) -> bool {
    let n = |f: &str| entry.get(f).and_then(Value::as_u64).unwrap_or(0);
    n("dn") >= n("sd")
}

/// A record read for `org` only when it is that organisation's: the second check of SECURITY.md
/// 33 after the extractor's (the query filters by organisation too).
fn own_record(org: &Org, row: Option<RecordRow>) -> Option<RecordRow> {
    row.filter(|r| r.org_id == org.id)
}

/// Names and date of birth for a record: the population registry's where it has them (a
/// record that disagrees is refused, naming the field), else the record's.
struct Identity {
    family_name: String,
    given_name: String,
    dob: String,
    /// The registry gave them: they replace what is on file.
    from_registry: bool,
}

impl Identity {
    fn resolve(
        registered: Option<&RegistryEntry>,
        family_name: String,
        given_name: String,
        dob: &str,
    ) -> ServiceResult<Identity> {
        let Some(r) = registered else {
            return Ok(Identity {
                family_name,
                given_name,
                dob: dob.to_string(),
                from_registry: false,
            });
        };
        let mismatch =
            |field: &str| invalid(format!("{field}: does not match the population registry"));
        let family_name = match &r.family_name {
            Some(n) if !validate::same_name(n, &family_name) => {
                return Err(mismatch("person.family_name"))
            }
            Some(n) => n.clone(),
            None => family_name,
        };
        let given_name = match &r.given_name {
            Some(n) if !validate::same_name(n, &given_name) => {
                return Err(mismatch("person.given_name"))
            }
            Some(n) => n.clone(),
            None => given_name,
        };
        let dob = match &r.dob {
            // A shorter date (`YYYY-MM`, `YYYY`) agrees when it is a prefix of the registry's.
            Some(d) if !d.starts_with(dob) || dob.is_empty() => return Err(mismatch("person.dob")),
            Some(d) => d.clone(),
            None => dob.to_string(),
        };
        let from_registry = r.family_name.is_some() && r.given_name.is_some() && r.dob.is_some();
        Ok(Identity {
            family_name,
            given_name,
            dob,
            from_registry,
        })
    }
}

/// What a record's login factor and contacts do to the person's (DESIGN.md "Who owns a
/// person's data"): they fill empty fields only; a different value stays with the record, and
/// the person is told.
struct Contacts {
    /// The ID-card index to write: the registry's, or the record's for an empty field.
    id_card_index: Option<Vec<u8>>,
    /// The registry's ID-card number replaces what is on file.
    id_card_from_registry: bool,
    /// Where this record's certificate e-mail goes: the address given with the record, else
    /// the one on file (SECURITY.md 48).
    mail_to: Option<String>,
    /// The fields given with values other than those on file (`id_card`, `phone`, `email`).
    differing: Vec<&'static str>,
}

impl Contacts {
    fn resolve(
        on_file: Option<&PersonView>,
        registry_card: Option<Vec<u8>>,
        given: &RecordContacts,
    ) -> Contacts {
        fn differs<T: PartialEq + ?Sized>(on_file: Option<&T>, given: Option<&T>) -> bool {
            matches!((on_file, given), (Some(a), Some(b)) if a != b)
        }
        let card_on_file = registry_card
            .as_deref()
            .or(on_file.and_then(|p| p.id_card_index.as_deref()));
        let mut differing = Vec::new();
        if differs(card_on_file, given.id_card_index.as_deref()) {
            differing.push("id_card");
        }
        if differs(
            on_file.and_then(|p| p.phone.as_deref()),
            given.phone.as_deref(),
        ) {
            differing.push("phone");
        }
        if differs(
            on_file.and_then(|p| p.email.as_deref()),
            given.email.as_deref(),
        ) {
            differing.push("email");
        }
        Contacts {
            id_card_from_registry: registry_card.is_some(),
            id_card_index: registry_card.or_else(|| given.id_card_index.clone()),
            mail_to: given
                .email
                .clone()
                .or_else(|| on_file.and_then(|p| p.email.clone())),
            differing,
        }
    }
}

/// The notices to a person's contacts on file when an organisation recorded other contacts
/// for them: one SMS to the phone and one e-mail to the address on file. No values, no
/// health data.
fn contact_notices(
    sender: Sender<'_>,
    person: &PersonView,
    org: &str,
    fields: &[&str],
) -> Vec<MessageWrite> {
    let notice = Notice::ContactRecorded { org, fields };
    let mut out = Vec::new();
    if let Some(phone) = &person.phone {
        out.push(notice.message(sender, Channel::Sms, phone.clone()));
    }
    if let Some(email) = &person.email {
        out.push(notice.message(sender, Channel::Email, email.clone()));
    }
    out
}

/// Records an event for a person; issues and e-mails the certificate when the rules say so.
/// `recorder` is the registry user acting through a session (`None` for an API token); it is
/// stored with the record. Returns the record as stored (the same view on an idempotent replay).
pub async fn create_record(
    app: &Ctx,
    org: &Org,
    recorder: Option<&str>,
    body: &[u8],
    idempotency_key: Option<&str>,
    now: OffsetDateTime,
) -> ServiceResult<RecordView> {
    let digest = secrets::sha256(body);
    if let Some(key) = idempotency_key {
        check_idempotency_key(key)?;
        if let Some(view) = replay(app, org, key, &digest).await? {
            return Ok(view);
        }
    }
    let input: RecordInput = crate::json::json(body)?;
    record_event(
        app,
        org,
        recorder,
        &input,
        Some((digest, idempotency_key)),
        None,
        now,
    )
    .await
}

/// Checks and stores one recorded event; issues and e-mails its certificate when the rules say
/// so, unless it came with an old-format certificate (`legacy`), whose exchange issues it.
/// `recorder` is the registry user who writes it, if one does.
pub(crate) async fn record_event(
    app: &Ctx,
    org: &Org,
    recorder: Option<&str>,
    input: &RecordInput,
    request: Option<(Vec<u8>, Option<&str>)>,
    legacy: Option<crate::store::portal::LegacyWrite>,
    now: OffsetDateTime,
) -> ServiceResult<RecordView> {
    let (digest, idempotency_key) = match request {
        Some((d, k)) => (d, k),
        None => (Vec::new(), None),
    };
    let cfg = &app.config;
    let (kind, mut entry) = entry_of(input, cfg.max_dose)?;
    check_codes(kind, &entry, &app.public.names)?;
    check_dates(kind, &entry, now.date())?;
    let p = &input.person;
    let person = ValidPerson::of(p)?;
    let bn_index = app.secrets.birth_number_index(&person.birth_number);
    let registered = app.registry.lookup(&bn_index).await?;
    let identity = Identity::resolve(
        registered.as_ref(),
        person.family_name,
        person.given_name,
        &p.dob,
    )?;
    let on_file = app.store.person_by_bn(&bn_index).await?;
    let given = RecordContacts {
        id_card_index: person.id_card.map(|c| app.secrets.id_card_index(&c)),
        phone: person.phone,
        email: person.email,
    };
    let contacts = Contacts::resolve(
        on_file.as_ref(),
        registered.as_ref().and_then(|r| r.id_card_index.clone()),
        &given,
    );

    entry.insert("is".into(), Value::from(cfg.certificate_issuer.clone()));
    entry
        .entry("co")
        .or_insert_with(|| Value::from(cfg.country.clone()));
    let record = json!({
        "nam": {"fn": &identity.family_name, "gn": &identity.given_name},
        "dob": &identity.dob,
        kind.key(): [Value::Object(entry.clone())],
    });
    let issuance = app.issuance.clone();
    let policy = issuer::Policy {
        uvci_secret: app.secrets.person_uvci_secret(&bn_index),
        ..issuance.policy.clone()
    };
    let dcc = issuer::prepare(&record, &policy, now).map_err(|e| invalid(e.to_string()))?;

    let subject = app.secrets.pseudonym(&bn_index);
    let identified = registered.is_some();
    let complete = kind != CertType::Vaccination || dose_complete(&entry);
    let record_id = secrets::new_id();
    let detail = match recorder {
        Some(user_id) => json!({
            "record": record_id, "type": kind.key(),
            "recorder": app.secrets.pseudonym(user_id.as_bytes()),
        }),
        None => json!({"record": record_id, "type": kind.key()}),
    };
    let event = Event {
        org,
        subject: &subject,
        record_id: &record_id,
    };
    let mut audit = vec![event.audit("record.created", detail)];
    let notices = if contacts.differing.is_empty() {
        Vec::new()
    } else {
        audit.push(event.audit(
            "person.contact_differs",
            json!({"record": record_id, "fields": contacts.differing}),
        ));
        on_file
            .as_ref()
            .map(|person| contact_notices(app.sender(), person, &org.name, &contacts.differing))
            .unwrap_or_default()
    };

    let IssueOutcome {
        certificate,
        message,
        note,
    } = if legacy.is_some() {
        IssueOutcome::note("old-format certificate: the new one is issued at the exchange")
    } else if !complete {
        IssueOutcome::note("series incomplete: a certificate is issued with the final dose")
    } else if !identified {
        audit.push(event.audit(
            "issuance.refused",
            json!({"record": record_id, "reason": "not_identified"}),
        ));
        IssueOutcome::note("not identified in the population registry: no certificate")
    } else {
        let signing = Signing {
            dcc,
            issuance,
            policy,
            kind,
            mail_to: contacts.mail_to.as_deref(),
            country: &cfg.country,
            sender: Sender::of(&cfg.operator),
            now,
        };
        sign_certificate(signing, &event, &mut audit).await?
    };

    let write = RecordWrite {
        org_id: org.id,
        person: PersonWrite {
            new_id: secrets::new_id(),
            bn_index,
            id_card_index: contacts.id_card_index,
            family_name: identity.family_name,
            given_name: identity.given_name,
            dob: identity.dob,
            email: given.email.clone(),
            phone: given.phone.clone(),
            identified,
            names_from_registry: identity.from_registry,
            id_card_from_registry: contacts.id_card_from_registry,
        },
        record_id: record_id.clone(),
        kind,
        entry_json: Value::Object(entry).to_string(),
        note,
        now: now.unix_timestamp(),
        certificate,
        message,
        notices,
        contacts: given,
        idempotency: idempotency_key.map(|k| IdempotencyWrite {
            key: k.to_string(),
            request_sha256: digest.clone(),
        }),
        audit,
        legacy,
        recorded_by: recorder.map(str::to_string),
    };
    match write_or_replay(app, org, &write, idempotency_key, &digest).await? {
        Written::Stored => {}
        Written::Replayed(view) => return Ok(*view),
        Written::SignerChanged => {
            // The signer was withdrawn or retired between signing and storing: the record is
            // kept, awaiting a signer, and the sweep issues it with the identity active now.
            crate::keys::refresh(app, true)
                .await
                .map_err(|e| Error::Internal(e.to_string()))?;
            let mut write = write;
            write.certificate = None;
            write.message = None;
            write.note = Some(crate::keys::NO_SIGNER_NOTE.to_string());
            write
                .audit
                .retain(|a| a.event != "certificate.issued" && a.event != "email.enqueued");
            write.audit.push(event.audit(
                "issuance.refused",
                json!({"record": record_id, "reason": "signer_changed"}),
            ));
            match write_or_replay(app, org, &write, idempotency_key, &digest).await? {
                Written::Replayed(view) => return Ok(*view),
                Written::Stored => {}
                Written::SignerChanged => {
                    return Err(Error::Internal(
                        "a record without certificate met a signer".into(),
                    ))
                }
            }
            // The record is stored: a failing sweep is logged (the follower sweeps again), not
            // answered as a failure the client might retry into a second record.
            if let Err(e) = crate::keys::sweep(app).await {
                tracing::error!(error = %e, "issuing records that waited for a signer failed");
            }
            let row = own_record(org, app.store.record(org.id, &record_id).await?)
                .ok_or_else(|| Error::Internal("the record just written is missing".into()))?;
            return Ok(row.into());
        }
    }
    if write.certificate.is_some() {
        app.counters.certificate_issued();
        if cfg.revoke_superseded {
            // After the commit: a crash here leaves superseded certificates unrevoked until
            // the next issuance or `dcc revoke --superseded` sweeps them.
            match crate::revocation::revoke_superseded(app.store.as_ref(), now.unix_timestamp())
                .await
            {
                Ok(0) => {}
                Ok(_) => app.revocation.invalidate(),
                Err(e) => tracing::error!(error = %e, "revoking superseded certificates failed"),
            }
        }
    }
    let row = own_record(org, app.store.record(org.id, &record_id).await?)
        .ok_or_else(|| Error::Internal("the record just written is missing".into()))?;
    Ok(row.into())
}

/// The person's fields of a record, each checked (SECURITY.md 35, 37): the birth number with
/// the date it encodes (and the record's date of birth agreeing with it), names, ID card and
/// contacts in their canonical forms.
struct ValidPerson {
    birth_number: String,
    id_card: Option<String>,
    family_name: String,
    given_name: String,
    email: Option<String>,
    phone: Option<String>,
}

impl ValidPerson {
    fn of(p: &PersonInput) -> ServiceResult<ValidPerson> {
        let (birth_number, born) =
            validate::birth_number_and_date(&p.birth_number).map_err(|e| invalid(e.to_string()))?;
        validate::dob_agrees("person.dob", &p.dob, born).map_err(|e| invalid(e.to_string()))?;
        Ok(ValidPerson {
            birth_number,
            id_card: p
                .id_card
                .as_deref()
                .map(validate::id_card)
                .transpose()
                .map_err(|e| invalid(e.to_string()))?,
            family_name: validate::name("person.family_name", &p.family_name)
                .map_err(|e| invalid(e.to_string()))?,
            given_name: validate::name("person.given_name", &p.given_name)
                .map_err(|e| invalid(e.to_string()))?,
            email: p
                .email
                .as_deref()
                .map(validate::email)
                .transpose()
                .map_err(|e| invalid(e.to_string()))?,
            phone: p
                .phone
                .as_deref()
                .map(validate::phone)
                .transpose()
                .map_err(|e| invalid(e.to_string()))?,
        })
    }
}

/// What a record's issuance step leaves: the certificate and its mail, or a note why none.
struct IssueOutcome {
    certificate: Option<CertificateWrite>,
    message: Option<MessageWrite>,
    note: Option<String>,
}

impl IssueOutcome {
    fn note(why: &str) -> IssueOutcome {
        IssueOutcome {
            certificate: None,
            message: None,
            note: Some(why.to_string()),
        }
    }
}

/// What signing one record's certificate takes.
struct Signing<'a> {
    dcc: hcert::dcc::Dcc,
    issuance: std::sync::Arc<crate::ctx::Issuance>,
    policy: issuer::Policy,
    kind: CertType,
    mail_to: Option<&'a str>,
    country: &'a str,
    sender: Sender<'a>,
    now: OffsetDateTime,
}

/// Whom the audit events of one record name.
struct Event<'a> {
    org: &'a Org,
    subject: &'a str,
    record_id: &'a str,
}

impl Event<'_> {
    fn audit(&self, event: &str, detail: Value) -> AuditEvent {
        AuditEvent {
            event: event.into(),
            org_id: Some(self.org.id),
            subject: Some(self.subject.to_string()),
            detail,
        }
    }
}

/// Signs the certificate (on a blocking thread) and, when the record names an address, its
/// mail; a refusal by the signer (e.g. a DSC outside its usage period) is a note, not an error.
async fn sign_certificate(
    s: Signing<'_>,
    e: &Event<'_>,
    audit: &mut Vec<AuditEvent>,
) -> ServiceResult<IssueOutcome> {
    let Signing {
        dcc,
        issuance,
        policy,
        kind,
        mail_to,
        country,
        sender,
        now,
    } = s;
    let identity = match issuance.signer_for(kind, now.unix_timestamp()) {
        Ok(identity) => identity,
        Err(none) => {
            tracing::warn!(r#type = kind.key(), reason = %none.reason(), "no signing identity may sign the type");
            audit.push(e.audit(
                "issuance.refused",
                json!({"record": e.record_id, "reason": none.reason()}),
            ));
            return Ok(IssueOutcome::note(&none.note()));
        }
    };
    let signer = identity.clone();
    let signed = tokio::task::spawn_blocking(move || issuer::issue(dcc, &signer, &policy, now))
        .await
        .map_err(|e| Error::Internal(format!("signing task: {e}")))?;
    let issued = match signed {
        Ok(issued) => issued,
        Err(err) => {
            tracing::warn!(error = %err, "issuance refused by the signer");
            audit.push(e.audit(
                "issuance.refused",
                json!({"record": e.record_id, "reason": err.to_string()}),
            ));
            return Ok(IssueOutcome::note(&format!("certificate refused: {err}")));
        }
    };
    let cert_id = secrets::new_id();
    audit.push(e.audit(
        "certificate.issued",
        json!({"record": e.record_id, "certificate": cert_id, "type": kind.key()}),
    ));
    let mut message = None;
    if let Some(to) = mail_to {
        let attachment = mail::certificate_attachment(&issued, country).await;
        message = Some(MessageWrite {
            attachment: Some(attachment),
            ..Notice::Certificate { kind }.message(sender, Channel::Email, to)
        });
        audit.push(e.audit("email.enqueued", json!({"certificate": cert_id})));
    }
    Ok(IssueOutcome {
        certificate: Some(CertificateWrite {
            id: cert_id,
            kind,
            uvci: issued.uvci,
            hc1: issued.hc1,
            issued_at: issued.issued_at,
            expires_at: issued.expires_at,
            signer_kid: identity.dsc.kid.to_vec(),
        }),
        message,
        note: None,
    })
}

/// What writing a record came to.
enum Written {
    /// Stored.
    Stored,
    /// Another request with this idempotency key stored first: its answer.
    Replayed(Box<RecordView>),
    /// The certificate's signer is no longer active: nothing was stored.
    SignerChanged,
}

/// Writes the record in one transaction. A lost race on the idempotency key answers what the
/// winner stored; other unique keys are conflicts named for the provider.
async fn write_or_replay(
    app: &Ctx,
    org: &Org,
    write: &RecordWrite,
    idempotency_key: Option<&str>,
    digest: &[u8],
) -> ServiceResult<Written> {
    match app.store.write_record(write).await {
        Ok(_) => Ok(Written::Stored),
        Err(StoreError::Conflict(Conflict::IdempotencyKey)) => {
            // Another request with this key won the race: answer what it stored.
            if let Some(key) = idempotency_key {
                if let Some(view) = replay(app, org, key, digest).await? {
                    return Ok(Written::Replayed(Box::new(view)));
                }
            }
            Err(Error::Conflict(Problem::new("error-idempotency-in-use")))
        }
        Err(StoreError::Conflict(Conflict::SignerNotActive)) => Ok(Written::SignerChanged),
        Err(StoreError::Conflict(Conflict::LegacyCertificate)) => {
            Err(Error::Conflict(Problem::new("error-legacy-imported")))
        }
        Err(StoreError::Conflict(Conflict::Certificate)) => {
            Err(Error::Conflict(Problem::new("error-event-recorded")))
        }
        Err(e) => Err(e.into()),
    }
}

/// The records this organisation made for a person.
pub async fn person_records(
    app: &Ctx,
    org: &Org,
    person_id: &str,
) -> ServiceResult<Vec<RecordView>> {
    let rows = app
        .store
        .person_records(org.id, person_id)
        .await?
        .unwrap_or_default();
    let views: Vec<RecordView> = rows
        .into_iter()
        .filter_map(|r| own_record(org, Some(r)))
        .map(RecordView::from)
        .collect();
    // A person this organisation recorded nothing for answers as an unknown id does: the
    // answer must not tell which ids exist.
    if views.is_empty() {
        return Err(Error::NotFound);
    }
    Ok(views)
}

/// One record of this organisation.
pub async fn record(app: &Ctx, org: &Org, record_id: &str) -> ServiceResult<RecordView> {
    own_record(org, app.store.record(org.id, record_id).await?)
        .map(RecordView::from)
        .ok_or(Error::NotFound)
}
