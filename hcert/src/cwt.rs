//! The CWT claims of an hcert (iss 1, exp 4, iat 6, hcert -260 → {1: DCC}), decoded
//! generically: a CWT map whose -260 holds `{1: map}` is enough; wrong claim types are left
//! for the expiry and schema checks to name.

use ciborium::Value;

use crate::{Error, Result};

/// CWT claim keys (RFC 8392) and the hcert claim.
pub mod keys {
    /// Issuer (country code).
    pub const ISS: i64 = 1;
    /// Expiration time.
    pub const EXP: i64 = 4;
    /// Issued at.
    pub const IAT: i64 = 6;
    /// The health certificate claim.
    pub const HCERT: i64 = -260;
    /// The EU DCC inside the hcert claim.
    pub const EU_DCC_V1: i64 = 1;
}

/// A claim that may be missing or of the wrong type; the message says which.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim<T> {
    /// Not in the map.
    Missing,
    /// Present but unusable (the message says why).
    Invalid(String),
    /// Present and well typed.
    Present(T),
}

impl<T: Copy> Claim<T> {
    /// The value when present.
    pub fn value(&self) -> Option<T> {
        match self {
            Claim::Present(v) => Some(*v),
            _ => None,
        }
    }
}

/// The decoded claims of an hcert CWT.
#[derive(Clone)]
pub struct Cwt {
    /// `iss`: the issuing country, when it is text.
    pub issuer: Option<String>,
    /// `iat` in seconds since the epoch (integer or float on the wire).
    pub issued_at: Claim<f64>,
    /// `exp` in seconds since the epoch.
    pub expires_at: Claim<f64>,
    /// The DCC map as decoded.
    pub dcc: Value,
}

impl std::fmt::Debug for Cwt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The DCC holds personal data: never in a Debug print.
        f.debug_struct("Cwt")
            .field("issuer", &self.issuer)
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

fn int_key(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(i) => i64::try_from(i128::from(*i)).ok(),
        _ => None,
    }
}

fn numeric_date(map: &[(Value, Value)], key: i64, name: &str) -> Claim<f64> {
    match map
        .iter()
        .find(|(k, _)| int_key(k) == Some(key))
        .map(|(_, v)| v)
    {
        None => Claim::Missing,
        Some(Value::Integer(i)) => Claim::Present(i128::from(*i) as f64),
        Some(Value::Float(f)) if f.is_finite() => Claim::Present(*f),
        Some(Value::Tag(1, inner)) => match inner.as_ref() {
            Value::Integer(i) => Claim::Present(i128::from(*i) as f64),
            Value::Float(f) if f.is_finite() => Claim::Present(*f),
            _ => Claim::Invalid(format!("{name} is not a number")),
        },
        Some(other) => Claim::Invalid(format!("{name} is {}, not a number", kind(other))),
    }
}

/// A short name of a CBOR value's type for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Integer(_) => "an integer",
        Value::Bytes(_) => "a byte string",
        Value::Float(_) => "a float",
        Value::Text(_) => "a text string",
        Value::Bool(_) => "a boolean",
        Value::Null => "null",
        Value::Tag(..) => "a tagged value",
        Value::Array(_) => "an array",
        Value::Map(_) => "a map",
        _ => "an unknown CBOR item",
    }
}

/// Decodes the COSE payload into CWT claims; fails (`cbor`) unless it is a map whose claim
/// -260 holds `{1: map}`.
pub fn decode(payload: &[u8]) -> Result<Cwt> {
    let mut reader = payload;
    let value: Value = ciborium::from_reader(&mut reader)
        .map_err(|e| Error::Cbor(format!("the payload is not valid CBOR: {e}")))?;
    if !reader.is_empty() {
        return Err(Error::Cbor(format!(
            "{} byte(s) after the CWT claims map",
            reader.len()
        )));
    }
    let Value::Map(mut map) = value else {
        return Err(Error::Cbor(format!(
            "the payload is {}, not a CWT claims map",
            kind(&value)
        )));
    };
    // Move the DCC out of the map rather than cloning it: it is most of the payload.
    let hcert_at = map
        .iter()
        .position(|(k, _)| int_key(k) == Some(keys::HCERT))
        .ok_or_else(|| Error::Cbor("the CWT has no hcert claim (-260)".into()))?;
    let (_, hcert) = map.swap_remove(hcert_at);
    let Value::Map(mut hcert) = hcert else {
        return Err(Error::Cbor(format!(
            "the hcert claim (-260) is {}, not a map",
            kind(&hcert)
        )));
    };
    let dcc_at = hcert
        .iter()
        .position(|(k, _)| int_key(k) == Some(keys::EU_DCC_V1))
        .ok_or_else(|| Error::Cbor("the hcert claim has no EU DCC (key 1)".into()))?;
    let (_, dcc) = hcert.swap_remove(dcc_at);
    if !matches!(dcc, Value::Map(_)) {
        return Err(Error::Cbor(format!(
            "the EU DCC (-260/1) is {}, not a map",
            kind(&dcc)
        )));
    }
    let issuer = map
        .iter()
        .find(|(k, _)| int_key(k) == Some(keys::ISS))
        .and_then(|(_, v)| v.as_text().map(str::to_owned));
    Ok(Cwt {
        issuer,
        issued_at: numeric_date(&map, keys::IAT, "iat"),
        expires_at: numeric_date(&map, keys::EXP, "exp"),
        dcc,
    })
}

/// Encodes claims for signing: iss, iat, exp and the DCC under -260/1.
pub fn encode(issuer: &str, issued_at: i64, expires_at: i64, dcc: Value) -> Result<Vec<u8>> {
    let claims = Value::Map(vec![
        (Value::from(keys::ISS), Value::from(issuer)),
        (Value::from(keys::EXP), Value::from(expires_at)),
        (Value::from(keys::IAT), Value::from(issued_at)),
        (
            Value::from(keys::HCERT),
            Value::Map(vec![(Value::from(keys::EU_DCC_V1), dcc)]),
        ),
    ]);
    let mut out = Vec::with_capacity(512);
    ciborium::into_writer(&claims, &mut out)
        .map_err(|e| Error::Cbor(format!("cannot encode the CWT: {e}")))?;
    Ok(out)
}

/// Like [`to_json`], consuming the value so strings move instead of being copied (verify path).
pub fn into_json(v: Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Text(s) => J::String(s),
        Value::Array(a) => J::Array(a.into_iter().map(into_json).collect()),
        Value::Map(m) => J::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Value::Text(s) => s,
                        Value::Integer(i) => i128::from(i).to_string(),
                        other => to_json(&other).to_string(),
                    };
                    (key, into_json(v))
                })
                .collect(),
        ),
        Value::Tag(_, inner) => into_json(*inner),
        other => to_json(&other),
    }
}

/// Converts decoded CBOR into JSON for reports and schema checks: text keys kept, integer keys
/// written as decimal text, byte strings as base64, tags dropped, non-finite floats as null.
pub fn to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Integer(i) => {
            let i = i128::from(*i);
            if let Ok(n) = i64::try_from(i) {
                J::from(n)
            } else if let Ok(n) = u64::try_from(i) {
                J::from(n)
            } else {
                serde_json::Number::from_f64(i as f64).map_or(J::Null, J::Number)
            }
        }
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Text(s) => J::String(s.clone()),
        Value::Bool(b) => J::Bool(*b),
        Value::Null => J::Null,
        Value::Bytes(b) => J::String(base64_std(b)),
        Value::Tag(_, inner) => to_json(inner),
        Value::Array(a) => J::Array(a.iter().map(to_json).collect()),
        Value::Map(m) => J::Object(
            m.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Value::Text(s) => s.clone(),
                        Value::Integer(i) => i128::from(*i).to_string(),
                        other => to_json(other).to_string(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        _ => J::Null,
    }
}

fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
