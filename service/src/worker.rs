//! The health worker's services (issue #21; seed 001: what a registry user may do once an
//! organisation approved them): find a person by birth number and ID-card number, see the
//! organisation's records for them, record a vaccination, test or recovery, revoke a
//! certificate. Recording and revoking go through the provider API's own functions
//! (`provider::create_record`, `revocation::revoke_for_org`), so the rules, audit and
//! idempotency are the API's.
//!
//! A found person is named in URLs by an opaque reference: their birth and ID-card numbers
//! sealed under the installation's key, bound to the searching session and organisation and
//! valid for an hour, so a guessed or borrowed reference shows nobody.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use hcert::CertType;
use issuer::names::{Kind, Names};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use crate::error::{Error, ServiceResult};
use crate::provider::{self, RecordView};
use crate::store::{AuditEvent, Org};
use crate::{validate, validator, Ctx};

/// How long a search's reference stays valid.
pub const REF_TTL_SECS: i64 = 3600;
/// The sealing label of person references.
const REF_LABEL: &str = "dcc/worker-person/v1";
/// Person searches per health worker per hour: enough for a vaccination desk's day (one every
/// half minute), too few to walk through birth numbers (each search is audited as well).
pub const SEARCHES_PER_HOUR: i64 = 120;
/// The disease every entry targets: COVID-19 (`tg`).
const COVID_19: &str = "840539006";

/// Products and what follows from each: the marketing-authorisation holder (`ma`) and the
/// vaccine type (`vp`), so the worker picks only the product. The value sets carry no such
/// relation; these are the EU register's entries of the products in use.
pub const PRODUCTS: &[(&str, &str, &str)] = &[
    ("EU/1/20/1528", "ORG-100030215", "1119349007"),
    ("EU/1/20/1507", "ORG-100031184", "1119349007"),
    ("EU/1/21/1529", "ORG-100001699", "J07BX03"),
    ("EU/1/20/1525", "ORG-100001417", "J07BX03"),
    ("EU/1/21/1618", "ORG-100032020", "1162643001"),
    ("EU/1/21/1624", "ORG-100036422", "1157024006"),
    ("EU/1/21/1580", "ORG-100000788", "1162643001"),
];

/// The manufacturer and vaccine type a product implies, when known.
pub fn product_defaults(product: &str) -> Option<(&'static str, &'static str)> {
    PRODUCTS
        .iter()
        .find(|(p, _, _)| *p == product)
        .map(|(_, ma, vp)| (*ma, *vp))
}

/// What a search found.
#[derive(Debug)]
pub enum Search {
    /// Both numbers match a person: the reference to their page.
    Found(String),
    /// No person with both numbers (one answer for an unknown birth number and a wrong card).
    NotFound,
    /// A number is malformed; nothing was looked up.
    Malformed(Field),
}

/// The person a reference names, with this organisation's records.
pub struct PersonCard {
    /// Family name.
    pub family_name: String,
    /// Given name.
    pub given_name: String,
    /// Date of birth.
    pub dob: String,
    /// Identified in the population registry.
    pub identified: bool,
    /// E-mail on file.
    pub email: Option<String>,
    /// Phone on file.
    pub phone: Option<String>,
    /// This organisation's records, newest first.
    pub records: Vec<RecordView>,
}

impl std::fmt::Debug for PersonCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonCard")
            .field("records", &self.records.len())
            .finish_non_exhaustive()
    }
}

/// A form field the worker must correct; the web layer names it in the page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Birth number.
    BirthNumber,
    /// ID-card number.
    IdCard,
    /// Vaccine product.
    Product,
    /// Manufacturer.
    Manufacturer,
    /// Dose number and series length.
    Dose,
    /// Date of the vaccination, or of a recovery's first positive test.
    Date,
    /// Country.
    Country,
    /// Type of test.
    TestType,
    /// Test name (NAAT) or device (rapid test).
    TestName,
    /// Test result.
    TestResult,
    /// Testing centre.
    TestCentre,
    /// Time of sample collection.
    SampleTime,
    /// A recovery's validity.
    Validity,
    /// E-mail.
    Email,
    /// Phone.
    Phone,
    /// Reason of a revocation.
    Reason,
}

impl Field {
    /// The form field's name (and the input's id).
    pub fn name(self) -> &'static str {
        match self {
            Field::BirthNumber => "birth_number",
            Field::IdCard => "id_card",
            Field::Product => "product",
            Field::Manufacturer => "manufacturer",
            Field::Dose => "dose",
            Field::Date => "date",
            Field::Country => "country",
            Field::TestType => "test_type",
            Field::TestName => "test_name",
            Field::TestResult => "test_result",
            Field::TestCentre => "test_centre",
            Field::SampleTime => "sample_time",
            Field::Validity => "valid_until",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Reason => "reason",
        }
    }
}

/// What the record forms send, all as typed; empty where not asked.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EventForm {
    /// `mp`.
    pub product: String,
    /// `ma` of a vaccination; empty: the product's.
    pub manufacturer: String,
    /// `dn`.
    pub dose: String,
    /// `sd`.
    pub doses: String,
    /// `dt` or `fr` (`YYYY-MM-DD`).
    pub date: String,
    /// `co`.
    pub country: String,
    /// `tt`.
    pub test_type: String,
    /// `nm` (NAAT).
    pub test_name: String,
    /// `ma` of a rapid test.
    pub test_device: String,
    /// `tr`.
    pub test_result: String,
    /// `tc`.
    pub test_centre: String,
    /// `sc` as a `datetime-local` value, Prague time.
    pub sample_time: String,
    /// `df`.
    pub valid_from: String,
    /// `du`.
    pub valid_until: String,
    /// E-mail for the certificate, optional.
    pub email: String,
    /// Mobile phone, optional.
    pub phone: String,
}

/// What a recording did.
#[derive(Debug)]
pub enum Recorded {
    /// Stored (or replayed for the same idempotency key): the record, and where the
    /// certificate was mailed when one was issued and an address is known.
    Done(Box<RecordView>, Option<String>),
    /// The form needs corrections; nothing was stored.
    Rejected(Vec<Field>),
}

/// The person a reference names: birth number and ID-card number, normalised.
struct PersonRef {
    birth_number: String,
    id_card: String,
}

fn ref_aad(org: &Org, user_id: &str, session: &[u8], expires: i64) -> Vec<u8> {
    let mut aad = Vec::new();
    aad.extend_from_slice(&org.id.to_be_bytes());
    aad.extend_from_slice(&expires.to_be_bytes());
    aad.extend_from_slice(session);
    aad.extend_from_slice(user_id.as_bytes());
    aad
}

fn seal_ref(
    app: &Ctx,
    org: &Org,
    user_id: &str,
    session: &[u8],
    p: &PersonRef,
    now: i64,
) -> ServiceResult<String> {
    let expires = now + REF_TTL_SECS;
    let key = app
        .secrets
        .sealing_key(REF_LABEL)
        .map_err(|e| Error::Internal(e.to_string()))?;
    let plain = format!("{}:{}", p.birth_number, p.id_card);
    let sealed = key
        .seal(&ref_aad(org, user_id, session, expires), plain.as_bytes())
        .map_err(|e| Error::Internal(e.to_string()))?;
    let mut out = expires.to_be_bytes().to_vec();
    out.extend_from_slice(&sealed);
    Ok(B64.encode(out))
}

/// Opens a reference this session made for this organisation; anything else is not found.
fn open_ref(
    app: &Ctx,
    org: &Org,
    user_id: &str,
    session: &[u8],
    reference: &str,
    now: i64,
) -> ServiceResult<PersonRef> {
    let bytes = B64.decode(reference).map_err(|_| Error::NotFound)?;
    let (head, sealed) = bytes.split_at_checked(8).ok_or(Error::NotFound)?;
    let expires = i64::from_be_bytes(head.try_into().map_err(|_| Error::NotFound)?);
    if now >= expires {
        return Err(Error::NotFound);
    }
    let key = app
        .secrets
        .sealing_key(REF_LABEL)
        .map_err(|e| Error::Internal(e.to_string()))?;
    let plain = key
        .open(&ref_aad(org, user_id, session, expires), sealed)
        .map_err(|_| Error::NotFound)?;
    let text = String::from_utf8(plain).map_err(|_| Error::NotFound)?;
    let (birth_number, id_card) = text.split_once(':').ok_or(Error::NotFound)?;
    Ok(PersonRef {
        birth_number: birth_number.to_string(),
        id_card: id_card.to_string(),
    })
}

/// Finds a person by birth number and ID-card number (DESIGN.md "Who owns a person's data"):
/// found only when both match a person on file or in the population registry; every
/// well-formed search is audited (`person.searched`, the person and the worker pseudonymous).
/// `session` binds the returned reference to the worker's session.
pub async fn search(
    app: &Ctx,
    org: &Org,
    user_id: &str,
    session: &[u8],
    birth_number: &str,
    id_card: &str,
    now: OffsetDateTime,
) -> ServiceResult<Search> {
    let Ok(bn) = validate::birth_number(birth_number) else {
        return Ok(Search::Malformed(Field::BirthNumber));
    };
    let Ok(card) = validate::id_card(id_card) else {
        return Ok(Search::Malformed(Field::IdCard));
    };
    count_search(app, user_id, now.unix_timestamp()).await?;
    let bn_index = app.secrets.birth_number_index(&bn);
    let card_index = app.secrets.id_card_index(&card);
    let on_file = app.store.person_by_login(&bn_index, &card_index).await?;
    let found = match on_file {
        Some(_) => true,
        None => app
            .registry
            .lookup(&bn_index)
            .await?
            .and_then(|r| r.id_card_index)
            .is_some_and(|c| crate::secrets::ct_eq(&c, &card_index)),
    };
    let event = AuditEvent {
        event: "person.searched".into(),
        org_id: Some(org.id),
        subject: Some(app.secrets.pseudonym(&bn_index)),
        detail: json!({"searcher": app.secrets.pseudonym(user_id.as_bytes()), "found": found}),
    };
    app.store.audit(&event, now.unix_timestamp()).await?;
    if !found {
        return Ok(Search::NotFound);
    }
    let p = PersonRef {
        birth_number: bn,
        id_card: card,
    };
    Ok(Search::Found(seal_ref(
        app,
        org,
        user_id,
        session,
        &p,
        now.unix_timestamp(),
    )?))
}

/// At most [`SEARCHES_PER_HOUR`] well-formed searches per worker an hour, whatever the
/// organisation; counts this one. Over the limit: 429, to wait an hour after the latest
/// counted search.
async fn count_search(app: &Ctx, user_id: &str, now: i64) -> ServiceResult<()> {
    const HOUR: i64 = 3600;
    let key = app.secrets.keyed("worker_search", user_id.as_bytes());
    let (n, latest) = app
        .store
        .events_since("worker_search", &key, now - HOUR)
        .await?;
    if n >= SEARCHES_PER_HOUR {
        let wait = latest.map_or(HOUR, |t| (t + HOUR - now).clamp(1, HOUR));
        return Err(Error::TooManyRequests(wait.unsigned_abs()));
    }
    Ok(app.store.event_add("worker_search", &key, now).await?)
}

/// The person a reference names, with the organisation's records for them.
pub async fn person(
    app: &Ctx,
    org: &Org,
    user_id: &str,
    session: &[u8],
    reference: &str,
    now: OffsetDateTime,
) -> ServiceResult<PersonCard> {
    let p = open_ref(app, org, user_id, session, reference, now.unix_timestamp())?;
    card_of(app, org, &p).await
}

async fn card_of(app: &Ctx, org: &Org, p: &PersonRef) -> ServiceResult<PersonCard> {
    let bn_index = app.secrets.birth_number_index(&p.birth_number);
    let registered = app.registry.lookup(&bn_index).await?;
    let on_file = app.store.person_by_bn(&bn_index).await?;
    let records = match &on_file {
        Some(person) => match provider::person_records(app, org, &person.id).await {
            Ok(mut r) => {
                r.sort_by_key(|b| std::cmp::Reverse(b.created_at));
                r
            }
            Err(Error::NotFound) => Vec::new(),
            Err(e) => return Err(e),
        },
        None => Vec::new(),
    };
    let from_registry = |f: fn(&crate::store::RegistryEntry) -> &Option<String>| {
        registered.as_ref().and_then(|r| f(r).clone())
    };
    Ok(PersonCard {
        family_name: on_file
            .as_ref()
            .map(|p| p.family_name.clone())
            .or_else(|| from_registry(|r| &r.family_name))
            .unwrap_or_default(),
        given_name: on_file
            .as_ref()
            .map(|p| p.given_name.clone())
            .or_else(|| from_registry(|r| &r.given_name))
            .unwrap_or_default(),
        dob: on_file
            .as_ref()
            .map(|p| p.dob.clone())
            .or_else(|| from_registry(|r| &r.dob))
            .unwrap_or_default(),
        identified: registered.is_some(),
        email: on_file.as_ref().and_then(|p| p.email.clone()),
        phone: on_file.as_ref().and_then(|p| p.phone.clone()),
        records,
    })
}

fn nonempty(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

fn day(s: &str) -> Option<time::Date> {
    time::Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// The DCC entry a form describes, or the fields to correct. Codes are checked against the
/// value sets here so the worker reads which field is wrong in their language; the provider
/// checks everything again.
pub fn entry(
    kind: CertType,
    f: &EventForm,
    names: &Names,
    max_dose: u64,
) -> Result<Map<String, Value>, Vec<Field>> {
    let mut bad = Vec::new();
    let mut e = Map::new();
    e.insert("tg".into(), COVID_19.into());
    let coded = |field: Field, kind: Kind, v: &str, bad: &mut Vec<Field>| -> Option<String> {
        match nonempty(v) {
            Some(code) if names.contains(kind, code) != Some(false) => Some(code.to_string()),
            _ => {
                bad.push(field);
                None
            }
        }
    };
    match kind {
        CertType::Vaccination => {
            if let Some(mp) = coded(Field::Product, Kind::Product, &f.product, &mut bad) {
                let implied = product_defaults(&mp);
                let ma = match nonempty(&f.manufacturer) {
                    Some(_) => coded(
                        Field::Manufacturer,
                        Kind::Manufacturer,
                        &f.manufacturer,
                        &mut bad,
                    ),
                    None => match implied {
                        Some((ma, _)) => Some(ma.to_string()),
                        None => {
                            bad.push(Field::Manufacturer);
                            None
                        }
                    },
                };
                let vp = implied.map_or("J07BX03", |(_, vp)| vp);
                e.insert("vp".into(), vp.into());
                e.insert("mp".into(), mp.into());
                if let Some(ma) = ma {
                    e.insert("ma".into(), ma.into());
                }
            }
            let n = |s: &str| {
                s.trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| (1..=max_dose).contains(n))
            };
            match (n(&f.dose), n(&f.doses)) {
                (Some(dn), Some(sd)) => {
                    e.insert("dn".into(), dn.into());
                    e.insert("sd".into(), sd.into());
                }
                _ => bad.push(Field::Dose),
            }
            match day(&f.date) {
                Some(d) => {
                    e.insert("dt".into(), d.to_string().into());
                }
                None => bad.push(Field::Date),
            }
        }
        CertType::Test => {
            let tt = coded(Field::TestType, Kind::TestType, &f.test_type, &mut bad);
            // A rapid test names its device (`ma`), a NAAT its name (`nm`).
            match tt.as_deref() {
                Some("LP217198-3") => {
                    if let Some(ma) =
                        coded(Field::TestName, Kind::TestDevice, &f.test_device, &mut bad)
                    {
                        e.insert("ma".into(), ma.into());
                    }
                }
                Some(_) => match nonempty(&f.test_name).filter(|n| n.chars().count() <= 80) {
                    Some(nm) => {
                        e.insert("nm".into(), nm.into());
                    }
                    None => bad.push(Field::TestName),
                },
                None => {}
            }
            if let Some(tt) = tt {
                e.insert("tt".into(), tt.into());
            }
            match validator::local_time(&f.sample_time) {
                Ok(at) => {
                    let text = at
                        .format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default();
                    e.insert("sc".into(), text.into());
                }
                Err(_) => bad.push(Field::SampleTime),
            }
            if let Some(tr) = coded(
                Field::TestResult,
                Kind::TestResult,
                &f.test_result,
                &mut bad,
            ) {
                e.insert("tr".into(), tr.into());
            }
            match nonempty(&f.test_centre).filter(|c| c.chars().count() <= 80) {
                Some(tc) => {
                    e.insert("tc".into(), tc.into());
                }
                None => bad.push(Field::TestCentre),
            }
        }
        CertType::Recovery => {
            let fr = day(&f.date);
            let (df, du) = (day(&f.valid_from), day(&f.valid_until));
            match fr {
                Some(d) => {
                    e.insert("fr".into(), d.to_string().into());
                }
                None => bad.push(Field::Date),
            }
            match (df, du) {
                (Some(df), Some(du)) if du >= df && fr.is_none_or(|fr| df >= fr) => {
                    e.insert("df".into(), df.to_string().into());
                    e.insert("du".into(), du.to_string().into());
                }
                _ => bad.push(Field::Validity),
            }
        }
    }
    if let Some(co) = coded(Field::Country, Kind::Country, &f.country, &mut bad) {
        e.insert("co".into(), co.into());
    }
    if bad.is_empty() {
        Ok(e)
    } else {
        Err(bad)
    }
}

/// Records an event for the person a reference names, through the provider API's
/// `create_record` with `key` as its idempotency key: a second submit of the same form
/// answers the first one's record. The contacts typed fill only what is not on file (the
/// provider's rule).
#[allow(clippy::too_many_arguments)] // the session, the person, the form and the key: all needed.
pub async fn record(
    app: &Ctx,
    org: &Org,
    user_id: &str,
    session: &[u8],
    reference: &str,
    kind: CertType,
    form: &EventForm,
    key: &str,
    now: OffsetDateTime,
) -> ServiceResult<Recorded> {
    let p = open_ref(app, org, user_id, session, reference, now.unix_timestamp())?;
    let checked = entry(kind, form, &app.public.names, app.config.max_dose);
    let mut bad = checked.as_ref().err().cloned().unwrap_or_default();
    let email = nonempty(&form.email);
    let phone = nonempty(&form.phone);
    if email.is_some_and(|e| validate::email(e).is_err()) {
        bad.push(Field::Email);
    }
    if phone.is_some_and(|p| validate::phone(p).is_err()) {
        bad.push(Field::Phone);
    }
    let entry = match checked {
        Ok(e) if bad.is_empty() => e,
        _ => return Ok(Recorded::Rejected(bad)),
    };
    let card = card_of(app, org, &p).await?;
    let mut person = Map::new();
    person.insert("birth_number".into(), p.birth_number.into());
    person.insert("id_card".into(), p.id_card.into());
    person.insert("family_name".into(), card.family_name.into());
    person.insert("given_name".into(), card.given_name.into());
    person.insert("dob".into(), card.dob.into());
    if let Some(e) = email {
        person.insert("email".into(), e.into());
    }
    if let Some(ph) = phone {
        person.insert("phone".into(), ph.into());
    }
    let body = json!({"person": person, kind.key(): entry});
    let view = provider::create_record(
        app,
        org,
        Some(user_id),
        body.to_string().as_bytes(),
        Some(key),
        now,
    )
    .await?;
    let mailed_to = view
        .certificate
        .as_ref()
        .and(email.map(str::to_string).or(card.email));
    Ok(Recorded::Done(Box::new(view), mailed_to))
}

/// Revokes a certificate of this organisation's records for the person a reference names
/// (`revocation::revoke_for_org`); another person's or organisation's certificate is not
/// found. `Err(Field::Reason)` when the reason is empty or too long.
#[allow(clippy::too_many_arguments)] // the session, the person, the certificate and the reason.
pub async fn revoke(
    app: &Ctx,
    org: &Org,
    user_id: &str,
    session: &[u8],
    reference: &str,
    certificate_id: &str,
    reason: &str,
    now: OffsetDateTime,
) -> ServiceResult<Result<String, Field>> {
    let p = open_ref(app, org, user_id, session, reference, now.unix_timestamp())?;
    let card = card_of(app, org, &p).await?;
    let uvci = card
        .records
        .iter()
        .filter_map(|r| r.certificate.as_ref())
        .find(|c| c.id == certificate_id)
        .map(|c| c.uvci.clone())
        .ok_or(Error::NotFound)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 || reason.chars().any(char::is_control) {
        return Ok(Err(Field::Reason));
    }
    crate::revocation::revoke_for_org(app, org.id, &uvci, reason, now).await?;
    Ok(Ok(uvci))
}
