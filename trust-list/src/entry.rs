//! One trust-list entry `{kid, country, certificateType, rawData, …}`, as the EU gateway writes
//! it and as dcc's signed list reuses it: read with its consistency checks, and written.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::dsc::Dsc;
use crate::encoding::{self, quote};
use crate::error::{Error, Result};

/// An entry as written (gateway JSON and the signed list's `certificates`).
#[derive(Debug, Serialize)]
pub(crate) struct EntryOut {
    kid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<String>,
    #[serde(rename = "certificateType")]
    certificate_type: &'static str,
    #[serde(rename = "rawData")]
    raw_data: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    thumbprint: Option<String>,
}

impl EntryOut {
    /// The entry for `dsc`; `thumbprint` adds the gateway's SHA-256 of the DER.
    pub(crate) fn new(dsc: &Dsc, thumbprint: bool) -> EntryOut {
        EntryOut {
            kid: dsc.kid_base64(),
            country: dsc.country.clone(),
            certificate_type: "DSC",
            raw_data: encoding::b64(&dsc.der),
            thumbprint: thumbprint.then(|| dsc.thumbprint()),
        }
    }
}

/// How an entry is named in errors: "trust list entry 3 (kid q4O1tk8zvqk=)"; `index` counts
/// from 0, as in the JSON array.
pub(crate) fn label(what: &str, index: usize, entry: &Value) -> String {
    match entry.get("kid").and_then(Value::as_str) {
        Some(kid) => format!("{what} {index} (kid {})", quote(kid)),
        None => format!("{what} {index}"),
    }
}

/// Reads one entry. `Ok(None)`: a well-formed entry of another certificateType (CSCA, UPLOAD,
/// AUTHENTICATION), which does not sign DCCs. The entry's `kid`, `thumbprint` and `country`
/// must agree with its certificate when present; `signature` (a CMS signature by the uploading
/// country's key) and `timestamp` are not checked, as the gateway's trust anchors are not ours.
pub(crate) fn parse(entry: &Value) -> Result<Option<Dsc>> {
    let obj = entry
        .as_object()
        .ok_or_else(|| Error::Json(format!("expected an object, found {}", kind(entry))))?;
    let cert_type = string(obj, "certificateType")?
        .ok_or_else(|| Error::field("certificateType", "is missing"))?;
    if !cert_type.trim().eq_ignore_ascii_case("DSC") {
        return Ok(None);
    }
    let raw = string(obj, "rawData")?.ok_or_else(|| Error::field("rawData", "is missing"))?;
    let der = encoding::b64_decode_lenient(raw.as_bytes())
        .map_err(|e| Error::field("rawData", format!("is not base64 ({e})")))?;
    let mut dsc = Dsc::from_der(&der)?;

    if let Some(kid) = string(obj, "kid")? {
        let stated = encoding::b64_decode_lenient(kid.as_bytes())
            .map_err(|e| Error::field("kid", format!("is not base64 ({e})")))?;
        if stated != dsc.kid {
            return Err(Error::KidMismatch {
                stated: quote(kid),
                computed: dsc.kid_base64(),
            });
        }
    }
    if let Some(thumbprint) = string(obj, "thumbprint")? {
        let computed = dsc.thumbprint();
        if !thumbprint.trim().eq_ignore_ascii_case(&computed) {
            return Err(Error::ThumbprintMismatch {
                stated: quote(thumbprint),
                computed,
            });
        }
    }
    if let Some(country) = string(obj, "country")?.map(str::trim) {
        match &dsc.country {
            Some(subject_c) if !subject_c.eq_ignore_ascii_case(country) => {
                return Err(Error::CountryMismatch {
                    stated: quote(country),
                    certificate: subject_c.clone(),
                });
            }
            Some(_) => {}
            None if country.is_empty() => {}
            None => dsc.country = Some(country.to_string()),
        }
    }
    Ok(Some(dsc))
}

/// A string member: `Ok(None)` when absent or null, an error naming the member when of
/// another type.
fn string<'a>(obj: &'a Map<String, Value>, field: &'static str) -> Result<Option<&'a str>> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(Error::field(
            field,
            format!("is {}, not a string", kind(other)),
        )),
    }
}

/// "a number", "an object": for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
