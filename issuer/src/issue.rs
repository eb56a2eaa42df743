//! Record → DCC → signed HC1. The record is the DCC JSON of the schema; `ci` is generated when
//! absent, `fnt`/`gnt` are always written, and the issuer refuses what the signer certificate
//! may not sign (KeyUsage, type, validity and usage period at iat).

use hcert::dcc::{Dcc, Entry};
use hcert::{cose, cwt, hc1, schema, translit, uvci};
use serde_json::Value;
use time::{Date, OffsetDateTime};

use crate::sign::SigningIdentity;
use crate::{Error, Result};

/// How certificates are issued.
#[derive(Clone)]
pub struct Policy {
    /// Issuing country (CWT iss and UVCI).
    pub country: String,
    /// Schema version written when the record has none.
    pub ver: String,
    /// Validity of a vaccination certificate, in days.
    pub vaccination_days: i64,
    /// Validity of a test certificate, in hours after issue.
    pub test_hours: i64,
    /// The longest validity of a recovery certificate, in days after issue; it ends earlier
    /// when the recovery does (`du`).
    pub recovery_days: i64,
    /// Installation secret for UVCIs.
    pub uvci_secret: Vec<u8>,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("country", &self.country)
            .field("ver", &self.ver)
            .finish_non_exhaustive()
    }
}

impl Policy {
    /// Defaults for a Czech installation with the given UVCI secret.
    pub fn new(uvci_secret: Vec<u8>) -> Self {
        Policy {
            country: "CZ".into(),
            ver: "1.3.0".into(),
            vaccination_days: 365,
            test_hours: 72,
            recovery_days: 180,
            uvci_secret,
        }
    }
}

/// A signed certificate.
#[derive(Clone)]
pub struct Issued {
    /// The `HC1:` text.
    pub hc1: String,
    /// The DCC as signed.
    pub dcc: Dcc,
    /// The UVCI.
    pub uvci: String,
    /// Issued at, seconds since the epoch.
    pub issued_at: i64,
    /// Expires at, seconds since the epoch.
    pub expires_at: i64,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

fn record_err(msg: impl Into<String>) -> Error {
    Error::Record(msg.into())
}

fn parse_date(field: &str, s: &str) -> Result<Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.get(..10).unwrap_or(s), &fmt)
        .map_err(|_| record_err(format!("{field}: {s:?} is not a date YYYY-MM-DD")))
}

fn parse_date_time(field: &str, s: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|_| record_err(format!("{field}: {s:?} is not an RFC 3339 date-time")))
}

/// Turns a record into the DCC to sign: fills `ver`, `fnt`/`gnt` and `ci`, then checks the
/// schema (strictly), that there is exactly one entry, and that dates are plausible at `now`.
pub fn prepare(record: &Value, policy: &Policy, now: OffsetDateTime) -> Result<Dcc> {
    let mut record = record.clone();
    let obj = record
        .as_object_mut()
        .ok_or_else(|| record_err("the record is not a JSON object"))?;
    obj.entry("ver")
        .or_insert_with(|| Value::from(policy.ver.clone()));
    if let Some(nam) = obj.get_mut("nam").and_then(Value::as_object_mut) {
        for (plain, std) in [("fn", "fnt"), ("gn", "gnt")] {
            let has_std = nam
                .get(std)
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty());
            if let (Some(name), false) = (nam.get(plain).and_then(Value::as_str), has_std) {
                let t = translit::icao(name, 80);
                if !t.is_empty() {
                    nam.insert(std.to_string(), Value::from(t));
                }
            }
        }
    }
    let groups: Vec<&str> = ["v", "t", "r"]
        .into_iter()
        .filter(|k| obj.contains_key(*k))
        .collect();
    let [group] = groups.as_slice() else {
        return Err(record_err(format!(
            "a record holds exactly one of v, t or r; this one has {}",
            if groups.is_empty() {
                "none".to_string()
            } else {
                groups.join(", ")
            }
        )));
    };
    let entries = obj
        .get_mut(*group)
        .and_then(Value::as_array_mut)
        .ok_or_else(|| record_err(format!("{group} must be an array with one entry")))?;
    let [entry] = entries.as_mut_slice() else {
        return Err(record_err(format!(
            "{group} must hold exactly one entry, it holds {}",
            entries.len()
        )));
    };
    let entry = entry
        .as_object_mut()
        .ok_or_else(|| record_err(format!("{group}/0 is not an object")))?;
    match entry.get("ci").and_then(Value::as_str) {
        Some(ci) if !ci.is_empty() => {
            uvci::validate(ci).map_err(|e| record_err(format!("{group}/0/ci: {e}")))?;
        }
        _ => {
            // The identity of the record: everything but ci, in a stable order.
            entry.remove("ci");
            let identity = serde_json::to_vec(&sorted(&record))
                .map_err(|e| record_err(format!("cannot serialise the record: {e}")))?;
            let ci = uvci::build(&policy.country, &policy.uvci_secret, &identity)?;
            if let Some(e) = record
                .get_mut(*group)
                .and_then(|g| g.get_mut(0))
                .and_then(Value::as_object_mut)
            {
                e.insert("ci".into(), Value::from(ci));
            }
        }
    }
    if let Err(errors) = schema::validate(&record, schema::Formats::Assert) {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        return Err(record_err(format!("schema: {}", list.join("; "))));
    }
    let dcc: Dcc = serde_json::from_value(record)
        .map_err(|e| record_err(format!("the record does not fit the DCC model: {e}")))?;
    check_dates(&dcc, now)?;
    Ok(dcc)
}

/// Sorts object keys recursively so the same record always serialises the same way.
fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .filter_map(|k| m.get(k).map(|x| (k.clone(), sorted(x))))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

fn check_dates(dcc: &Dcc, now: OffsetDateTime) -> Result<()> {
    let today = now.date();
    if dcc.date_of_birth.len() == 10 && parse_date("dob", &dcc.date_of_birth)? > today {
        return Err(record_err("dob: the date of birth is in the future"));
    }
    match dcc.entry() {
        Some(Entry::Vaccination(v)) => {
            if parse_date("v/0/dt", &v.dt)? > today {
                return Err(record_err("v/0/dt: the vaccination date is in the future"));
            }
        }
        Some(Entry::Test(t)) => {
            if parse_date_time("t/0/sc", &t.sc)? > now {
                return Err(record_err("t/0/sc: the sample was taken in the future"));
            }
        }
        Some(Entry::Recovery(r)) => {
            let fr = parse_date("r/0/fr", &r.fr)?;
            let df = parse_date("r/0/df", &r.df)?;
            let du = parse_date("r/0/du", &r.du)?;
            if fr > today {
                return Err(record_err(
                    "r/0/fr: the first positive test is in the future",
                ));
            }
            if df < fr {
                return Err(record_err(
                    "r/0/df: valid from is before the first positive test",
                ));
            }
            if du < df {
                return Err(record_err("r/0/du: valid until is before valid from"));
            }
        }
        None => return Err(record_err("a record holds exactly one entry")),
    }
    Ok(())
}

fn expiry(dcc: &Dcc, policy: &Policy, iat: OffsetDateTime) -> Result<OffsetDateTime> {
    Ok(match dcc.entry() {
        Some(Entry::Vaccination(_)) => iat + time::Duration::days(policy.vaccination_days),
        Some(Entry::Test(_)) => iat + time::Duration::hours(policy.test_hours),
        Some(Entry::Recovery(r)) => {
            // The certificate ends with the recovery (the last second of `du`), and no later
            // than `recovery_days` after issue: never past the recovery it attests. A recovery
            // already over has nothing left to certify.
            let du = parse_date("r/0/du", &r.du)?;
            let end = du
                .with_hms(23, 59, 59)
                .map_err(|e| record_err(format!("r/0/du: {e}")))?
                .assume_utc();
            if end < iat {
                return Err(record_err(format!(
                    "r/0/du: the recovery was valid until {}, before the time of issue: a \
                     certificate would be expired from the start",
                    r.du
                )));
            }
            end.min(iat + time::Duration::days(policy.recovery_days))
        }
        None => return Err(record_err("a record holds exactly one entry")),
    })
}

/// Signs a prepared DCC at `now`, after the signer checks of SECURITY.md 42
/// ([`SigningIdentity::check_before_signing`]): KeyUsage, type, validity, usage period.
pub fn issue(
    dcc: Dcc,
    key: &SigningIdentity,
    policy: &Policy,
    now: OffsetDateTime,
) -> Result<Issued> {
    let cert_type = dcc
        .cert_type()
        .ok_or_else(|| record_err("a record holds exactly one of v, t or r"))?;
    let iat = now.unix_timestamp();
    key.check_before_signing(cert_type, iat)?;
    let exp = expiry(&dcc, policy, now)?;
    let exp = exp.unix_timestamp().min(key.dsc.not_after);
    let dcc_cbor = ciborium::Value::serialized(&dcc)
        .map_err(|e| record_err(format!("cannot encode the DCC: {e}")))?;
    let claims = cwt::encode(&policy.country, iat, exp, dcc_cbor)?;
    let cose = cose::sign(claims, &key.dsc.kid, key.signer())?;
    let hc1 = hc1::wrap(&cose)?;
    let uvci = dcc.uvci().unwrap_or_default().to_string();
    Ok(Issued {
        hc1,
        dcc,
        uvci,
        issued_at: iat,
        expires_at: exp,
    })
}

/// `prepare` then `issue`.
pub fn issue_record(
    record: &Value,
    key: &SigningIdentity,
    policy: &Policy,
    now: OffsetDateTime,
) -> Result<Issued> {
    let dcc = prepare(record, policy, now)?;
    issue(dcc, key, policy, now)
}

impl Issued {
    /// Reads back a certificate this installation issued and stored (its `HC1:` text), to
    /// render it again. The signature is not checked: the text comes from our own database.
    pub fn from_hc1(text: &str) -> Result<Issued> {
        let cose_bytes = hc1::unwrap(text)?;
        let sign1 = cose::Sign1::parse(&cose_bytes)?;
        let (claims, dcc_json) = cwt::decode_json(sign1.payload())?;
        let dcc: Dcc = serde_json::from_value(dcc_json)
            .map_err(|e| record_err(format!("the stored DCC does not read back: {e}")))?;
        // Integral seconds as issued; the float form only exists for foreign certificates.
        let secs = |c: &cwt::Claim<f64>| c.value().map_or(0, |v| v as i64);
        Ok(Issued {
            hc1: text.to_string(),
            uvci: dcc.uvci().unwrap_or_default().to_string(),
            issued_at: secs(&claims.issued_at),
            expires_at: secs(&claims.expires_at),
            dcc,
        })
    }
}
