//! The gateway's revocation batch JSON (dgc-gateway `RevocationBatchDto`): `{"country", "expires",
//! "kid", "hashType", "entries": [{"hash": base64}]}`, one object or an array of them. Read in
//! one pass without a JSON tree; every error names the batch and entry and the line and column.

use std::fmt;
use std::sync::Arc;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value as Json;
use time::OffsetDateTime;

use super::{BatchInfo, EntryHash, HashType, RevocationListBuilder};

/// Standard base64 as the gateway writes it; the padding may be left out.
pub(super) const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The gateway's kid for a batch whose signer is not known.
const UNKNOWN_KID: &str = "UNKNOWN_KID";

/// A revocation source that could not be read: which source, and what and where in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("revocation list {file}: {message}")]
pub struct RevocationError {
    file: String,
    message: String,
}

impl RevocationError {
    pub(super) fn new(file: &str, message: impl Into<String>) -> Self {
        RevocationError {
            file: file.to_string(),
            message: message.into(),
        }
    }

    /// The source (file name) that failed.
    pub fn file(&self) -> &str {
        &self.file
    }
}

/// Reads one source into the builder (the caller rolls back on error).
pub(super) fn read(
    builder: &mut RevocationListBuilder,
    source: &str,
    bytes: &[u8],
) -> Result<(), RevocationError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(RevocationError::new(
            source,
            "the file is empty (expected a revocation batch object or an array of batches)",
        ));
    }
    let source_name: Arc<str> = Arc::from(source);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let top = Top {
        builder,
        source: &source_name,
    };
    top.deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| RevocationError::new(source, e.to_string()))
}

/// `[3]` inside an array, nothing for a lone batch object.
fn batch_path(batch: Option<usize>) -> String {
    batch.map_or_else(String::new, |i| format!("[{i}]"))
}

fn field_path(batch: Option<usize>, field: &str) -> String {
    match batch {
        Some(i) => format!("[{i}].{field}"),
        None => field.to_string(),
    }
}

/// The document: one batch or an array of batches.
struct Top<'b> {
    builder: &'b mut RevocationListBuilder,
    source: &'b Arc<str>,
}

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a revocation batch object or an array of batches")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        BatchSeed {
            builder: self.builder,
            source: self.source,
            batch: None,
        }
        .visit_map(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while seq
            .next_element_seed(BatchSeed {
                builder: &mut *self.builder,
                source: self.source,
                batch: Some(i),
            })?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }
}

/// One batch, added to the builder once it is complete and valid.
struct BatchSeed<'b> {
    builder: &'b mut RevocationListBuilder,
    source: &'b Arc<str>,
    batch: Option<usize>,
}

impl<'de> DeserializeSeed<'de> for BatchSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// The batch's members as written, before checking.
#[derive(Default)]
struct RawBatch {
    country: Option<Json>,
    expires: Option<Json>,
    kid: Option<Json>,
    hash_type: Option<Json>,
    entries: Option<Vec<EntryHash>>,
}

fn set_once<T, E: de::Error>(slot: &mut Option<T>, value: T, path: String) -> Result<(), E> {
    if slot.replace(value).is_some() {
        return Err(E::custom(format!("{path}: the member appears twice")));
    }
    Ok(())
}

impl<'de> Visitor<'de> for BatchSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.batch {
            Some(i) => write!(f, "an object for batch [{i}]"),
            None => f.write_str("a revocation batch object"),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let batch = self.batch;
        let mut raw = RawBatch::default();
        while let Some(key) = map.next_key::<String>()? {
            let path = field_path(batch, &key);
            match key.as_str() {
                "country" => set_once(&mut raw.country, map.next_value()?, path)?,
                "expires" => set_once(&mut raw.expires, map.next_value()?, path)?,
                "kid" => set_once(&mut raw.kid, map.next_value()?, path)?,
                "hashType" => set_once(&mut raw.hash_type, map.next_value()?, path)?,
                "entries" => {
                    let entries = map.next_value_seed(EntriesSeed { batch })?;
                    set_once(&mut raw.entries, entries, path)?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let (info, entries) = check_batch(raw, batch, self.source).map_err(de::Error::custom)?;
        let slot = info.hash_type.slot();
        let index = self.builder.push_batch(info).map_err(de::Error::custom)?;
        if let Some(table) = self.builder.entries.get_mut(slot) {
            table.extend(entries.into_iter().map(|h| (h, index)));
        }
        Ok(())
    }
}

/// Checks the members of a batch; the error says which member of which batch is wrong.
fn check_batch(
    raw: RawBatch,
    batch: Option<usize>,
    source: &Arc<str>,
) -> Result<(BatchInfo, Vec<EntryHash>), String> {
    let missing = |field: &str| {
        let at = batch_path(batch);
        let at = if at.is_empty() {
            String::new()
        } else {
            format!("{at}: ")
        };
        format!("{at}the batch has no \"{field}\"")
    };
    let text = |v: &Json, field: &str| -> Result<String, String> {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("{}: expected a string, found {v}", field_path(batch, field)))
    };

    let hash_type = raw.hash_type.ok_or_else(|| missing("hashType"))?;
    let hash_type = text(&hash_type, "hashType")?;
    let hash_type = HashType::from_name(&hash_type).ok_or_else(|| {
        format!(
            "{}: {hash_type:?} is not a hash type (UCI, COUNTRYCODEUCI or SIGNATURE)",
            field_path(batch, "hashType")
        )
    })?;

    let country = raw.country.ok_or_else(|| missing("country"))?;
    let country = text(&country, "country")?;
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(format!(
            "{}: {country:?} is not an ISO 3166 two-letter country code",
            field_path(batch, "country")
        ));
    }
    let country = country.to_ascii_uppercase();

    let expires = raw.expires.ok_or_else(|| missing("expires"))?;
    let expires = instant(&expires).ok_or_else(|| {
        format!(
            "{}: {expires} is not an RFC 3339 date-time",
            field_path(batch, "expires")
        )
    })?;

    let kid = raw.kid.ok_or_else(|| missing("kid"))?;
    let kid = text(&kid, "kid")?;
    let kid = if kid == UNKNOWN_KID {
        None
    } else {
        match BASE64.decode(kid.as_bytes()) {
            Ok(k) if !k.is_empty() => Some(k.into_boxed_slice()),
            Ok(_) => {
                return Err(format!(
                    "{}: empty (write \"{UNKNOWN_KID}\" when the signer is not known)",
                    field_path(batch, "kid")
                ))
            }
            Err(e) => {
                return Err(format!(
                    "{}: {kid:?} is neither base64 nor \"{UNKNOWN_KID}\": {e}",
                    field_path(batch, "kid")
                ))
            }
        }
    };

    let entries = raw.entries.ok_or_else(|| missing("entries"))?;
    let info = BatchInfo {
        expires_nanos: expires.unix_timestamp_nanos(),
        country,
        expires,
        kid,
        hash_type,
        source: Arc::clone(source),
        position: batch,
    };
    Ok((info, entries))
}

/// An RFC 3339 string (or one without offset, read as UTC), or seconds since the epoch.
fn instant(v: &Json) -> Option<OffsetDateTime> {
    match v {
        Json::String(s) => crate::rules::parse_instant(s),
        Json::Number(n) => {
            let nanos = match n.as_i64() {
                Some(secs) => i128::from(secs) * 1_000_000_000,
                // Finite: serde_json numbers are never NaN or infinite; out of range fails below.
                None => (n.as_f64()? * 1e9) as i128,
            };
            OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()
        }
        _ => None,
    }
}

/// The `entries` array, decoded as it is read.
struct EntriesSeed {
    batch: Option<usize>,
}

impl<'de> DeserializeSeed<'de> for EntriesSeed {
    type Value = Vec<EntryHash>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntriesSeed {
    type Value = Vec<EntryHash>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an array for {}", field_path(self.batch, "entries"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
        while let Some(hash) = seq.next_element_seed(EntrySeed {
            batch: self.batch,
            index: out.len(),
        })? {
            out.push(hash);
        }
        Ok(out)
    }
}

/// One `{"hash": base64}` entry.
struct EntrySeed {
    batch: Option<usize>,
    index: usize,
}

impl EntrySeed {
    fn path(&self) -> String {
        field_path(self.batch, &format!("entries[{}]", self.index))
    }
}

impl<'de> DeserializeSeed<'de> for EntrySeed {
    type Value = EntryHash;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<EntryHash, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EntrySeed {
    type Value = EntryHash;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object {{\"hash\": base64}} for {}", self.path())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<EntryHash, A::Error> {
        let mut hash = None;
        while let Some(key) = map.next_key::<EntryKey>()? {
            match key {
                EntryKey::Hash => {
                    let h = map.next_value_seed(HashSeed { entry: &self })?;
                    if hash.replace(h).is_some() {
                        return Err(de::Error::custom(format!(
                            "{}.hash: the member appears twice",
                            self.path()
                        )));
                    }
                }
                EntryKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        hash.ok_or_else(|| de::Error::custom(format!("{}: the entry has no \"hash\"", self.path())))
    }
}

/// An entry's member name, read without allocating.
enum EntryKey {
    Hash,
    Other,
}

impl<'de> de::Deserialize<'de> for EntryKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = EntryKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<EntryKey, E> {
                Ok(if v == "hash" {
                    EntryKey::Hash
                } else {
                    EntryKey::Other
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

/// The base64 of a 16-byte hash, decoded without allocating.
struct HashSeed<'e> {
    entry: &'e EntrySeed,
}

impl<'de> DeserializeSeed<'de> for HashSeed<'_> {
    type Value = EntryHash;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<EntryHash, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for HashSeed<'_> {
    type Value = EntryHash;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a base64 string for {}.hash", self.entry.path())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<EntryHash, E> {
        let fail = |why: String| {
            let shown: String = v.chars().take(48).collect();
            let more = if shown.len() < v.len() { "…" } else { "" };
            E::custom(format!(
                "{}.hash: {shown:?}{more} is not the base64 of a 16-byte hash (the first 128 \
                 bits of SHA-256): {why}",
                self.entry.path()
            ))
        };
        if v.len() > 64 {
            return Err(fail(format!("{} characters", v.len())));
        }
        let mut buf = [0u8; 48];
        let n = BASE64
            .decode_slice(v.as_bytes(), &mut buf)
            .map_err(|e| fail(e.to_string()))?;
        let mut out = [0u8; 16];
        match buf.get(..n) {
            Some(decoded) if decoded.len() == 16 => out.copy_from_slice(decoded),
            _ => return Err(fail(format!("{n} bytes"))),
        }
        Ok(out)
    }
}
