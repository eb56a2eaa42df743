//! The EU gateway's trust-list JSON: an array of `{kid, country, certificateType, rawData,
//! signature, thumbprint, timestamp}`. Only `DSC` entries are signers; the rest are skipped.

use serde_json::Value;

use crate::dsc::Dsc;
use crate::entry::{self, EntryOut};
use crate::error::{Error, Result};
use crate::Loaded;

const WHAT: &str = "trust list entry";

/// Reads a gateway trust list; the first malformed or inconsistent entry fails the whole list,
/// named by index and kid ("trust list entry 3 (kid q4O1tk8zvqk=): rawData is not base64").
pub fn parse_gateway_json(bytes: &[u8]) -> Result<Vec<Dsc>> {
    let mut dscs = Vec::new();
    for (i, value) in entries(bytes)?.iter().enumerate() {
        if let Some(dsc) = entry::parse(value).map_err(|e| e.at(entry::label(WHAT, i, value)))? {
            dscs.push(dsc);
        }
    }
    Ok(dscs)
}

/// Reads a gateway trust list, keeping the good entries and one named error per bad one. Fails
/// only when the document itself is not a JSON array.
pub fn parse_gateway_json_lenient(bytes: &[u8]) -> Result<Loaded> {
    let mut loaded = Loaded::default();
    for (i, value) in entries(bytes)?.iter().enumerate() {
        match entry::parse(value) {
            Ok(Some(dsc)) => loaded.dscs.push(dsc),
            Ok(None) => {}
            Err(e) => loaded.errors.push(e.at(entry::label(WHAT, i, value))),
        }
    }
    Ok(loaded)
}

/// Writes `dscs` as a gateway trust list (`kid`, `country`, `certificateType`, `rawData`,
/// `thumbprint`; no `signature`, which only the gateway's uploading countries can make).
pub fn to_gateway_json(dscs: &[Dsc]) -> Result<String> {
    let entries: Vec<EntryOut> = dscs.iter().map(|d| EntryOut::new(d, true)).collect();
    serde_json::to_string_pretty(&entries).map_err(|e| Error::Json(e.to_string()))
}

fn entries(bytes: &[u8]) -> Result<Vec<Value>> {
    let doc: Value = serde_json::from_slice(bytes)
        .map_err(|e| Error::Json(format!("trust list is not JSON: {e}")))?;
    match doc {
        Value::Array(entries) => Ok(entries),
        other => Err(Error::Json(format!(
            "trust list: expected a JSON array of entries, found {}",
            entry::kind(&other)
        ))),
    }
}
