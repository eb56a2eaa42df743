//! The CWT claims of an hcert (iss 1, exp 4, iat 6, hcert -260 → {1: DCC}), decoded
//! generically: a CWT map whose -260 holds `{1: map}` is enough; wrong claim types are left
//! for the expiry and schema checks to name.

use ciborium::Value;

use crate::cbor_json::{Head, Inner, Malformed, Node, Reader, Shape, MAX_DEPTH};
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
    let value: Value = ciborium::de::from_reader_with_recursion_limit(&mut reader, MAX_DEPTH)
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

/// What the hcert claim (-260) turned out to hold.
enum Hcert<T> {
    NotMap(&'static str),
    NoDcc,
    DccNotMap(&'static str),
    /// The DCC as read, and where its map is in the payload.
    Dcc(T, std::ops::Range<usize>),
}

/// The claims [`decode`] reads besides the hcert: iss, exp and iat.
const CLAIMS: [i128; 3] = [keys::ISS as i128, keys::EXP as i128, keys::IAT as i128];

/// An iss, exp or iat claim as read, at its place in the claims map.
struct Seen<'a> {
    at: usize,
    key: i128,
    value: Shape<'a>,
}

/// [`decode`] followed by [`into_json`], in one pass over the bytes: the same claims, the same
/// DCC JSON, the same errors (`cbor`), without a `ciborium::Value` tree.
/// The returned [`Cwt`]'s `dcc` is `Value::Null`: the DCC is the JSON beside it.
pub fn decode_json(payload: &[u8]) -> Result<(Cwt, serde_json::Value)> {
    let (cwt, dcc, _) = decode_with(payload, |r, left| {
        r.json_map(left).map(serde_json::Value::Object)
    })
    .map_err(Malformed::into_error)??;
    Ok((cwt, dcc))
}

/// [`decode_json`] with the DCC as a [`Node`] borrowing from `payload`, and the byte range of
/// the DCC's map in `payload` ([`crate::cbor_json::to_json`] of that range is
/// [`decode_json`]'s DCC).
pub fn decode_node(payload: &[u8]) -> Result<(Cwt, Node<'_>, std::ops::Range<usize>)> {
    decode_with(payload, |r, left| r.node_map(left).map(Node::Object))
        .map_err(Malformed::into_error)?
}

/// The one-pass decode, with `dcc` reading the DCC map's entries (its head read).
fn decode_with<'a, T>(
    payload: &'a [u8],
    dcc: impl Fn(&mut Reader<'a>, Option<u64>) -> Result<T, Malformed>,
) -> Result<Result<(Cwt, T, std::ops::Range<usize>)>, Malformed> {
    let mut r = Reader::new(payload);
    let head = r.head()?;
    let Head::Map(mut left) = head else {
        let shape = r.shape_from(head)?;
        return Ok(Err(after_the_map(&r).unwrap_or_else(|| {
            Error::Cbor(format!(
                "the payload is {}, not a CWT claims map",
                shape.kind()
            ))
        })));
    };
    r.enter()?;
    let (mut count, mut hcert) = (0usize, None);
    let mut seen: Vec<Seen<'_>> = Vec::new();
    while r.more(&mut left) {
        let key = r.shape()?.int();
        match key {
            Some(k) if k == i128::from(keys::HCERT) && hcert.is_none() => {
                hcert = Some((count, hcert_claim(&mut r, &dcc)?));
            }
            Some(k) if CLAIMS.contains(&k) => {
                seen.push(Seen {
                    at: count,
                    key: k,
                    value: r.shape()?,
                });
            }
            _ => {
                r.shape()?;
            }
        }
        count += 1;
    }
    r.leave();
    if let Some(e) = after_the_map(&r) {
        return Ok(Err(e));
    }
    let (hcert_at, dcc) = match hcert {
        None => return Ok(Err(Error::Cbor("the CWT has no hcert claim (-260)".into()))),
        Some((_, Hcert::NotMap(kind))) => {
            return Ok(Err(Error::Cbor(format!(
                "the hcert claim (-260) is {kind}, not a map"
            ))))
        }
        Some((_, Hcert::NoDcc)) => {
            return Ok(Err(Error::Cbor(
                "the hcert claim has no EU DCC (key 1)".into(),
            )))
        }
        Some((_, Hcert::DccNotMap(kind))) => {
            return Ok(Err(Error::Cbor(format!(
                "the EU DCC (-260/1) is {kind}, not a map"
            ))))
        }
        Some((at, Hcert::Dcc(dcc, range))) => (at, (dcc, range)),
    };
    // [`decode`] looks the claims up after swap-removing the hcert entry (the last entry takes
    // its place); with a repeated claim key, pick the one that lookup finds.
    let last = count.saturating_sub(1);
    let pick = |key: i64| {
        let key = i128::from(key);
        let of_key = || seen.iter().filter(move |s| s.key == key);
        of_key()
            .find(|s| s.at < hcert_at)
            .or_else(|| of_key().find(|s| s.at == last && last != hcert_at))
            .or_else(|| of_key().find(|s| s.at > hcert_at))
            .map(|s| &s.value)
    };
    let issuer = match pick(keys::ISS) {
        Some(Shape::Text(t)) => Some(t.clone().into_owned()),
        _ => None,
    };
    let cwt = Cwt {
        issuer,
        issued_at: numeric_date_shape(pick(keys::IAT), "iat"),
        expires_at: numeric_date_shape(pick(keys::EXP), "exp"),
        dcc: Value::Null,
    };
    let (dcc, range) = dcc;
    Ok(Ok((cwt, dcc, range)))
}

/// The error for bytes after the claims map, if any.
fn after_the_map(r: &Reader<'_>) -> Option<Error> {
    match r.trailing() {
        0 => None,
        n => Some(Error::Cbor(format!("{n} byte(s) after the CWT claims map"))),
    }
}

/// Reads the hcert claim's value: the first key 1 of its map converted to JSON when a map.
fn hcert_claim<'a, T>(
    r: &mut Reader<'a>,
    dcc: &impl Fn(&mut Reader<'a>, Option<u64>) -> Result<T, Malformed>,
) -> Result<Hcert<T>, Malformed> {
    let head = r.head()?;
    let Head::Map(mut left) = head else {
        return Ok(Hcert::NotMap(r.shape_from(head)?.kind()));
    };
    r.enter()?;
    let mut found = Hcert::NoDcc;
    while r.more(&mut left) {
        let key = r.shape()?.int();
        if key != Some(i128::from(keys::EU_DCC_V1)) || !matches!(found, Hcert::NoDcc) {
            r.shape()?;
            continue;
        }
        let start = r.position();
        let head = r.head()?;
        found = match head {
            Head::Map(left) => {
                let value = dcc(r, left)?;
                Hcert::Dcc(value, start..r.position())
            }
            _ => Hcert::DccNotMap(r.shape_from(head)?.kind()),
        };
    }
    r.leave();
    Ok(found)
}

/// [`numeric_date`] for a claim read as a [`Shape`].
fn numeric_date_shape(value: Option<&Shape<'_>>, name: &str) -> Claim<f64> {
    match value {
        None => Claim::Missing,
        Some(Shape::Int(i)) => Claim::Present(*i as f64),
        Some(Shape::Float(f)) if f.is_finite() => Claim::Present(*f),
        Some(Shape::Tag(1, inner)) => match inner {
            Inner::Int(i) => Claim::Present(*i as f64),
            Inner::Float(f) if f.is_finite() => Claim::Present(*f),
            _ => Claim::Invalid(format!("{name} is not a number")),
        },
        Some(other) => Claim::Invalid(format!("{name} is {}, not a number", other.kind())),
    }
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
