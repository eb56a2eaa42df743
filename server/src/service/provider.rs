//! The provider API's logic: a recorded vaccination, test or recovery is checked, stored, and —
//! when the rules of seed 002 say so — signed, superseding the person's older certificate of
//! that type, and e-mailed, all in one transaction.
//!
//! Rules: a vaccination certificate once the final dose of the series is recorded (dose n of
//! n); test and recovery certificates on their record; certificates only for persons
//! identified in the population registry.

use issuer::names::{Kind, Names};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use crate::error::{AppError, AppResult};
use crate::secrets;
use crate::state::AppState;
use crate::store::{
    AuditEvent, CertificateWrite, IdempotencyWrite, MessageWrite, Org, PersonWrite, RecordRow,
    RecordWrite, StoreError,
};
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
            kind: r.kind,
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

fn invalid(msg: impl Into<String>) -> AppError {
    AppError::Invalid(msg.into())
}

/// Checks an `Idempotency-Key` header value.
fn check_idempotency_key(key: &str) -> AppResult<()> {
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
    app: &AppState,
    org: &Org,
    key: &str,
    digest: &[u8],
) -> AppResult<Option<RecordView>> {
    let Some((stored_digest, record_id)) = app.store.idempotency(org.id, key).await? else {
        return Ok(None);
    };
    if stored_digest != digest {
        return Err(invalid(
            "Idempotency-Key: this key was used with a different request body",
        ));
    }
    let row = own_record(org, app.store.record(org.id, &record_id).await?)
        .ok_or_else(|| AppError::Internal("idempotency key without its record".into()))?;
    Ok(Some(row.into()))
}

/// The one entry of the record, checked for the fields only the server may set.
fn entry_of(input: &RecordInput, max_dose: u64) -> AppResult<(&'static str, Map<String, Value>)> {
    let given: Vec<(&'static str, &Value)> = [("v", &input.v), ("t", &input.t), ("r", &input.r)]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
        .collect();
    let [(kind, value)] = given.as_slice() else {
        return Err(invalid(format!(
            "a record holds exactly one of v, t or r; this one has {}",
            if given.is_empty() {
                "none".to_string()
            } else {
                given.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
            }
        )));
    };
    let Value::Object(entry) = value else {
        return Err(invalid(format!("{kind}: must be one entry object")));
    };
    for field in ["ci", "is"] {
        if entry.contains_key(field) {
            return Err(invalid(format!(
                "{kind}.{field}: is set by the server and must not be sent"
            )));
        }
    }
    if *kind == "v" {
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
    Ok((kind, entry.clone()))
}

/// The coded fields of each entry type and the value set each code must come from
/// (SECURITY.md 35).
const CODED: &[(&str, &str, Kind)] = &[
    ("v", "tg", Kind::Disease),
    ("v", "vp", Kind::VaccineType),
    ("v", "mp", Kind::Product),
    ("v", "ma", Kind::Manufacturer),
    ("v", "co", Kind::Country),
    ("t", "tg", Kind::Disease),
    ("t", "tt", Kind::TestType),
    ("t", "ma", Kind::TestDevice),
    ("t", "tr", Kind::TestResult),
    ("t", "co", Kind::Country),
    ("r", "tg", Kind::Disease),
    ("r", "co", Kind::Country),
];

/// Every coded field that is present holds a code of its value set.
fn check_codes(kind: &str, entry: &Map<String, Value>, names: &Names) -> AppResult<()> {
    for (_, field, set) in CODED.iter().filter(|(k, _, _)| *k == kind) {
        let Some(value) = entry.get(*field) else {
            continue;
        };
        // A non-string value is left to the schema check, which names the type.
        let Some(code) = value.as_str() else { continue };
        if names.contains(*set, code) == Some(false) {
            let shown: String = code.chars().take(40).collect();
            return Err(invalid(format!(
                "{kind}.{field}: {shown:?} is not a code of its value set"
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

/// Records an event for a person; issues and e-mails the certificate when the rules say so.
/// `recorder` is the registry user acting through a session (`None` for an API token); it is
/// stored with the record. Returns the record as stored (the same view on an idempotent replay).
pub async fn create_record(
    app: &AppState,
    org: &Org,
    recorder: Option<&str>,
    body: &[u8],
    idempotency_key: Option<&str>,
    now: OffsetDateTime,
) -> AppResult<RecordView> {
    let digest = secrets::sha256(body);
    if let Some(key) = idempotency_key {
        check_idempotency_key(key)?;
        if let Some(view) = replay(app, org, key, &digest).await? {
            return Ok(view);
        }
    }
    let input: RecordInput = serde_json::from_slice(body).map_err(|e| invalid(e.to_string()))?;
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
    app: &AppState,
    org: &Org,
    recorder: Option<&str>,
    input: &RecordInput,
    request: Option<(Vec<u8>, Option<&str>)>,
    legacy: Option<crate::store::portal::LegacyWrite>,
    now: OffsetDateTime,
) -> AppResult<RecordView> {
    let (digest, idempotency_key) = match request {
        Some((d, k)) => (d, k),
        None => (Vec::new(), None),
    };
    let cfg = &app.config;
    let (kind, mut entry) = entry_of(input, cfg.max_dose)?;
    check_codes(kind, &entry, &app.public.names)?;
    let p = &input.person;
    let bn = validate::birth_number(&p.birth_number).map_err(|e| invalid(e.to_string()))?;
    let id_card = p
        .id_card
        .as_deref()
        .map(validate::id_card)
        .transpose()
        .map_err(|e| invalid(e.to_string()))?;
    let family_name =
        validate::name("person.family_name", &p.family_name).map_err(|e| invalid(e.to_string()))?;
    let given_name =
        validate::name("person.given_name", &p.given_name).map_err(|e| invalid(e.to_string()))?;
    let email = p
        .email
        .as_deref()
        .map(validate::email)
        .transpose()
        .map_err(|e| invalid(e.to_string()))?;
    let phone = p
        .phone
        .as_deref()
        .map(validate::phone)
        .transpose()
        .map_err(|e| invalid(e.to_string()))?;

    entry.insert("is".into(), Value::from(cfg.certificate_issuer.clone()));
    entry
        .entry("co")
        .or_insert_with(|| Value::from(cfg.country.clone()));
    let record = json!({
        "nam": {"fn": family_name, "gn": given_name},
        "dob": p.dob,
        kind: [Value::Object(entry.clone())],
    });
    let issuance = app.issuance.clone();
    let dcc =
        issuer::prepare(&record, &issuance.policy, now).map_err(|e| invalid(e.to_string()))?;

    let bn_index = app.secrets.birth_number_index(&bn);
    let subject = app.secrets.pseudonym(&bn_index);
    let identified = app.registry.is_identified(&bn_index).await?;
    let complete = kind != "v" || dose_complete(&entry);
    let record_id = secrets::new_id();
    let detail = match recorder {
        Some(user_id) => json!({
            "record": record_id, "type": kind,
            "recorder": app.secrets.pseudonym(user_id.as_bytes()),
        }),
        None => json!({"record": record_id, "type": kind}),
    };
    let mut audit = vec![AuditEvent {
        event: "record.created".into(),
        org_id: Some(org.id),
        subject: Some(subject.clone()),
        detail,
    }];

    let mut certificate = None;
    let mut message = None;
    let mut note = None;
    if legacy.is_some() {
        note = Some("old-format certificate: the new one is issued at the exchange".to_string());
    } else if !complete {
        note = Some("series incomplete: a certificate is issued with the final dose".to_string());
    } else if !identified {
        note = Some("not identified in the population registry: no certificate".to_string());
        audit.push(AuditEvent {
            event: "issuance.refused".into(),
            org_id: Some(org.id),
            subject: Some(subject.clone()),
            detail: json!({"record": record_id, "reason": "not_identified"}),
        });
    } else {
        let signed = tokio::task::spawn_blocking(move || {
            issuer::issue(dcc, &issuance.identity, &issuance.policy, now)
        })
        .await
        .map_err(|e| AppError::Internal(format!("signing task: {e}")))?;
        match signed {
            Ok(issued) => {
                let cert_id = secrets::new_id();
                audit.push(AuditEvent {
                    event: "certificate.issued".into(),
                    org_id: Some(org.id),
                    subject: Some(subject.clone()),
                    detail: json!({"record": record_id, "certificate": cert_id, "type": kind}),
                });
                if let Some(to) = &email {
                    let attachment = mail::certificate_attachment(&issued, &cfg.country).await;
                    message = Some(MessageWrite {
                        channel: "email".into(),
                        recipient: to.clone(),
                        subject: mail::CERTIFICATE_SUBJECT.into(),
                        body: mail::certificate_body(kind),
                        attachment: Some(attachment),
                    });
                    audit.push(AuditEvent {
                        event: "email.enqueued".into(),
                        org_id: Some(org.id),
                        subject: Some(subject.clone()),
                        detail: json!({"certificate": cert_id}),
                    });
                }
                certificate = Some(CertificateWrite {
                    id: cert_id,
                    kind: kind.to_string(),
                    uvci: issued.uvci,
                    hc1: issued.hc1,
                    issued_at: issued.issued_at,
                    expires_at: issued.expires_at,
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "issuance refused by the signer");
                note = Some(format!("certificate refused: {e}"));
                audit.push(AuditEvent {
                    event: "issuance.refused".into(),
                    org_id: Some(org.id),
                    subject: Some(subject.clone()),
                    detail: json!({"record": record_id, "reason": e.to_string()}),
                });
            }
        }
    }

    let write = RecordWrite {
        org_id: org.id,
        person: PersonWrite {
            new_id: secrets::new_id(),
            bn_index,
            id_card_index: id_card.map(|c| app.secrets.id_card_index(&c)),
            family_name,
            given_name,
            dob: p.dob.clone(),
            email,
            phone,
            identified,
        },
        record_id: record_id.clone(),
        kind: kind.to_string(),
        entry_json: Value::Object(entry).to_string(),
        note,
        now: now.unix_timestamp(),
        certificate,
        message,
        idempotency: idempotency_key.map(|k| IdempotencyWrite {
            key: k.to_string(),
            request_sha256: digest.clone(),
        }),
        audit,
        legacy,
        recorded_by: recorder.map(str::to_string),
    };
    match app.store.write_record(&write).await {
        Ok(_) => {}
        Err(StoreError::Conflict("idempotency key")) => {
            // Another request with this key won the race: answer what it stored.
            if let Some(key) = idempotency_key {
                if let Some(view) = replay(app, org, key, &digest).await? {
                    return Ok(view);
                }
            }
            return Err(AppError::Conflict("idempotency key in use".into()));
        }
        Err(StoreError::Conflict("legacy certificate")) => {
            return Err(AppError::Conflict(
                "this old certificate was imported already".into(),
            ))
        }
        Err(StoreError::Conflict("certificate")) => {
            return Err(AppError::Conflict(
                "this event was already recorded for this person (same certificate)".into(),
            ))
        }
        Err(e) => return Err(e.into()),
    }
    if write.certificate.is_some() {
        app.metrics.certificate_issued();
        if cfg.revoke_superseded {
            // After the commit: a crash here leaves superseded certificates unrevoked until
            // the next issuance or `dcc revoke --superseded` sweeps them.
            match crate::service::revocation::revoke_superseded(
                app.store.as_ref(),
                now.unix_timestamp(),
            )
            .await
            {
                Ok(0) => {}
                Ok(_) => app.revocation.invalidate(),
                Err(e) => tracing::error!(error = %e, "revoking superseded certificates failed"),
            }
        }
    }
    let row = own_record(org, app.store.record(org.id, &record_id).await?)
        .ok_or_else(|| AppError::Internal("the record just written is missing".into()))?;
    Ok(row.into())
}

/// The records this organisation made for a person.
pub async fn person_records(
    app: &AppState,
    org: &Org,
    person_id: &str,
) -> AppResult<Vec<RecordView>> {
    let rows = app
        .store
        .person_records(org.id, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(rows
        .into_iter()
        .filter_map(|r| own_record(org, Some(r)))
        .map(RecordView::from)
        .collect())
}

/// One record of this organisation.
pub async fn record(app: &AppState, org: &Org, record_id: &str) -> AppResult<RecordView> {
    own_record(org, app.store.record(org.id, record_id).await?)
        .map(RecordView::from)
        .ok_or(AppError::NotFound)
}
