//! Revocation (EU DCC scheme): 16-byte hash prefixes in gateway batches of one kid, hash type and
//! expiry; a certificate is revoked when one of its hashes is in an unexpired batch of its kid.
//! Pure: batches come in as bytes, the clock as an argument. Batches come as JSON or, as the
//! gateway delivers them, CMS-signed by the uploading country (`cms.rs`).

mod ber;
mod cms;
mod hashes;
mod load;

use std::fmt;
use std::sync::Arc;

use hcert::schema::JsonView;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub use self::cms::{looks_like_cms, RevocationSigners, SignerCertError};
pub use hashes::{signature_hash_input, truncated_sha256, uci_of, CertHashes, EntryHash};
pub use load::RevocationError;

use crate::Outcome;

/// What a batch's entries are hashes of (gateway `RevocationHashTypeDto`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HashType {
    /// The COSE signature (ECDSA: r only).
    Signature,
    /// The UCI.
    Uci,
    /// Issuer country code + UCI.
    CountryCodeUci,
}

impl HashType {
    /// Every type, in the order a certificate is looked up.
    pub const ALL: [HashType; 3] = [HashType::Uci, HashType::CountryCodeUci, HashType::Signature];

    /// The name on the wire (`hashType`).
    pub fn name(self) -> &'static str {
        match self {
            HashType::Signature => "SIGNATURE",
            HashType::Uci => "UCI",
            HashType::CountryCodeUci => "COUNTRYCODEUCI",
        }
    }

    /// The type of a wire name.
    pub fn from_name(name: &str) -> Option<HashType> {
        HashType::ALL.into_iter().find(|t| t.name() == name)
    }

    fn slot(self) -> usize {
        match self {
            HashType::Uci => 0,
            HashType::CountryCodeUci => 1,
            HashType::Signature => 2,
        }
    }
}

/// One batch as the gateway defines it, for lists built in code (the server's own).
#[derive(Debug, Clone)]
pub struct Batch {
    /// ISO 3166 alpha-2 code of the country that revoked.
    pub country: String,
    /// After this instant the batch no longer applies.
    pub expires: OffsetDateTime,
    /// The signer's kid; `None` for the gateway's `UNKNOWN_KID`.
    pub kid: Option<Vec<u8>>,
    /// What the entries are hashes of.
    pub hash_type: HashType,
    /// The entries.
    pub hashes: Vec<EntryHash>,
}

/// Where a batch came from and what it says, without its entries.
#[derive(Debug, Clone)]
struct BatchInfo {
    country: String,
    expires: OffsetDateTime,
    expires_nanos: i128,
    kid: Option<Box<[u8]>>,
    hash_type: HashType,
    source: Arc<str>,
    /// Position in the source's array (`None` for a file holding one batch object).
    position: Option<usize>,
}

/// The entries of one hash type: sorted hashes, the batch of each, and a bucket index over the
/// leading bits so that a lookup touches one small run of the vector.
#[derive(Debug, Clone, Default)]
struct Table {
    hashes: Vec<EntryHash>,
    batches: Vec<u32>,
    /// `starts[b]..starts[b + 1]` holds the hashes whose leading `bits` bits equal `b`.
    starts: Vec<u32>,
    bits: u32,
}

impl Table {
    fn build(mut entries: Vec<(EntryHash, u32)>) -> Table {
        entries.sort_unstable();
        entries.dedup();
        // About 8 to 16 entries per bucket, at most 2^16 buckets (256 KiB of index).
        let bits = (usize::BITS - entries.len().leading_zeros())
            .saturating_sub(4)
            .min(16);
        let buckets = 1usize << bits;
        let mut starts = Vec::with_capacity(buckets + 1);
        let mut position = 0usize;
        for bucket in 0..buckets {
            while entries
                .get(position)
                .is_some_and(|(h, _)| Table::bucket_of(h, bits) < bucket)
            {
                position += 1;
            }
            starts.push(u32::try_from(position).unwrap_or(u32::MAX));
        }
        starts.push(u32::try_from(entries.len()).unwrap_or(u32::MAX));
        let (hashes, batches) = entries.into_iter().unzip();
        Table {
            hashes,
            batches,
            starts,
            bits,
        }
    }

    fn bucket_of(hash: &EntryHash, bits: u32) -> usize {
        let lead = u32::from(u16::from_be_bytes([hash[0], hash[1]]));
        (lead >> (16 - bits)) as usize
    }

    /// The batches holding `hash`.
    fn batches_of(&self, hash: EntryHash) -> impl Iterator<Item = u32> + '_ {
        let bucket = Table::bucket_of(&hash, self.bits);
        let start = self.starts.get(bucket).copied().unwrap_or(0) as usize;
        let end = self.starts.get(bucket + 1).copied().unwrap_or(0) as usize;
        let run = self.hashes.get(start..end).unwrap_or(&[]);
        let first = start + run.partition_point(|h| *h < hash);
        self.hashes
            .get(first..end)
            .unwrap_or(&[])
            .iter()
            .zip(self.batches.get(first..end).unwrap_or(&[]))
            .take_while(move |(h, _)| **h == hash)
            .map(|(_, b)| *b)
    }

    fn memory_bytes(&self) -> usize {
        self.hashes.capacity() * size_of::<EntryHash>()
            + self.batches.capacity() * size_of::<u32>()
            + self.starts.capacity() * size_of::<u32>()
    }
}

/// A loaded revocation list: every batch read, its entries indexed per hash type.
///
/// **Kid matching.** In the EU scheme the gateway groups entries by the kid of the signer
/// certificate, and the EU verifier apps look a certificate up only among the entries of its own
/// kid (dgca-verifier-app-android `IsDccRevokedUseCase`: `getMetadataByKid(kid)`; CovPass
/// `validateRevocation`: the kid list first). So a hash revokes a certificate only when its batch
/// has the certificate's kid. A batch uploaded with the gateway's `UNKNOWN_KID` (the issuer does
/// not know which key signed) applies to any kid, but only to certificates whose CWT issuer is
/// the batch's country, so one country's list cannot revoke another's certificates.
///
/// **Expiry.** A batch whose `expires` lies before the validation clock is ignored at lookup.
#[derive(Debug, Clone)]
pub struct RevocationList {
    batches: Vec<BatchInfo>,
    tables: [Table; 3],
}

impl Default for RevocationList {
    fn default() -> Self {
        RevocationListBuilder::new().build()
    }
}

/// Collects batches from several sources, then indexes them once ([`build`](Self::build)).
#[derive(Debug, Default)]
pub struct RevocationListBuilder {
    batches: Vec<BatchInfo>,
    entries: [Vec<(EntryHash, u32)>; 3],
}

impl RevocationListBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        RevocationListBuilder::default()
    }

    /// Reads one source: the gateway's batch JSON, a single batch object or an array of them.
    /// All or nothing: on error nothing of this source is kept, and the error names the source,
    /// the batch and the entry.
    pub fn add_json(&mut self, source: &str, bytes: &[u8]) -> Result<(), RevocationError> {
        let marks = self.marks();
        let result = load::read(self, source, bytes);
        if result.is_err() {
            self.rollback(marks);
        }
        result
    }

    /// Reads one CMS-signed source (DER, BER, base64 or PEM of a CMS SignedData around the
    /// batch JSON, as the gateway delivers it): the signer must be one of `signers`, the
    /// signature and signed attributes must verify, and every batch's country must be the
    /// signer certificate's country (when it names one), since a country revokes only its own
    /// certificates. The JSON is then read as by [`add_json`](Self::add_json); all or nothing.
    pub fn add_cms(
        &mut self,
        source: &str,
        bytes: &[u8],
        signers: &RevocationSigners,
    ) -> Result<(), RevocationError> {
        let (content, signer) =
            self::cms::open(bytes, signers).map_err(|m| RevocationError::new(source, m))?;
        let marks = self.marks();
        self.add_json(source, &content)?;
        let Some(country) = &signer.country else {
            return Ok(());
        };
        let foreign = self
            .batches
            .get(marks.0..)
            .unwrap_or(&[])
            .iter()
            .find(|b| !b.country.eq_ignore_ascii_case(country))
            .map(|b| (b.position, b.country.clone()));
        if let Some((position, batch_country)) = foreign {
            self.rollback(marks);
            let at = position.map_or_else(String::new, |i| format!(" [{i}]"));
            return Err(RevocationError::new(
                source,
                format!(
                    "the batch{at} revokes for country {batch_country} but is signed by \"{}\", \
                     a certificate of country {country}: a country cannot revoke for another",
                    signer.subject
                ),
            ));
        }
        Ok(())
    }

    /// Adds a batch built in code.
    pub fn add_batch(&mut self, source: &str, batch: Batch) -> Result<(), RevocationError> {
        let info = BatchInfo {
            expires_nanos: batch.expires.unix_timestamp_nanos(),
            country: batch.country,
            expires: batch.expires,
            kid: batch.kid.map(Vec::into_boxed_slice),
            hash_type: batch.hash_type,
            source: Arc::from(source),
            position: None,
        };
        let index = self
            .push_batch(info)
            .map_err(|m| RevocationError::new(source, m))?;
        let slot = batch.hash_type.slot();
        if let Some(entries) = self.entries.get_mut(slot) {
            entries.extend(batch.hashes.into_iter().map(|h| (h, index)));
        }
        Ok(())
    }

    /// Indexes everything read.
    pub fn build(self) -> RevocationList {
        let [uci, country_uci, signature] = self.entries;
        RevocationList {
            batches: self.batches,
            tables: [
                Table::build(uci),
                Table::build(country_uci),
                Table::build(signature),
            ],
        }
    }

    fn push_batch(&mut self, info: BatchInfo) -> Result<u32, String> {
        let index =
            u32::try_from(self.batches.len()).map_err(|_| "more than 2^32 batches".to_string())?;
        self.batches.push(info);
        Ok(index)
    }

    fn marks(&self) -> (usize, [usize; 3]) {
        (self.batches.len(), self.entries.each_ref().map(Vec::len))
    }

    fn rollback(&mut self, (batches, entries): (usize, [usize; 3])) {
        self.batches.truncate(batches);
        for (e, len) in self.entries.iter_mut().zip(entries) {
            e.truncate(len);
        }
    }
}

/// A certificate found on the list, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoked<'a> {
    /// Which of the certificate's hashes matched.
    pub hash_type: HashType,
    /// The country that revoked it.
    pub country: &'a str,
    /// When the matching batch expires.
    pub expires: OffsetDateTime,
    /// The source (file name) of the batch.
    pub source: &'a str,
    /// The batch's position in its source's array, if the source held an array.
    pub position: Option<usize>,
}

impl fmt::Display for Revoked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let expires = self
            .expires
            .format(&Rfc3339)
            .unwrap_or_else(|_| self.expires.to_string());
        write!(
            f,
            "the certificate was revoked by its issuer ({} hash on a revocation list of {}, ",
            self.hash_type.name(),
            self.country
        )?;
        match self.position {
            Some(i) => write!(f, "batch [{i}] of {}", self.source)?,
            None => write!(f, "the batch in {}", self.source)?,
        }
        write!(f, ", expires {expires})")
    }
}

impl RevocationList {
    /// An empty list.
    pub fn new() -> Self {
        RevocationList::default()
    }

    /// One source (see [`RevocationListBuilder::add_json`]).
    pub fn from_json(source: &str, bytes: &[u8]) -> Result<Self, RevocationError> {
        let mut b = RevocationListBuilder::new();
        b.add_json(source, bytes)?;
        Ok(b.build())
    }

    /// Several sources, `(name, bytes)`; any error fails the whole load.
    pub fn from_sources<'a>(
        sources: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> Result<Self, RevocationError> {
        let mut b = RevocationListBuilder::new();
        for (name, bytes) in sources {
            b.add_json(name, bytes)?;
        }
        Ok(b.build())
    }

    /// Entries indexed, over all hash types (an entry in several batches counts once per batch).
    pub fn len(&self) -> usize {
        self.tables.iter().map(|t| t.hashes.len()).sum()
    }

    /// Whether no entry was loaded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether any entry of `hash_type` was loaded.
    pub fn holds(&self, hash_type: HashType) -> bool {
        self.tables
            .get(hash_type.slot())
            .is_some_and(|t| !t.hashes.is_empty())
    }

    /// Batches read.
    pub fn batch_count(&self) -> usize {
        self.batches.len()
    }

    /// Heap bytes of the lookup structure: 20 bytes per entry (16-byte hash + 4-byte batch
    /// number), the bucket index, and the batch records.
    pub fn memory_bytes(&self) -> usize {
        let tables: usize = self.tables.iter().map(Table::memory_bytes).sum();
        let batches: usize = self
            .batches
            .iter()
            .map(|b| {
                size_of::<BatchInfo>()
                    + b.country.capacity()
                    + b.kid.as_ref().map_or(0, |k| k.len())
            })
            .sum();
        tables + batches
    }

    /// The first unexpired batch of the certificate's kid holding one of its hashes (see the
    /// type's documentation for kid matching), trying UCI, COUNTRYCODEUCI, then SIGNATURE.
    pub fn lookup(
        &self,
        hashes: &CertHashes,
        kid: Option<&[u8]>,
        issuer: Option<&str>,
        at: OffsetDateTime,
    ) -> Option<Revoked<'_>> {
        let at = at.unix_timestamp_nanos();
        HashType::ALL.into_iter().find_map(|hash_type| {
            let hash = hashes.get(hash_type)?;
            let table = self.tables.get(hash_type.slot())?;
            table
                .batches_of(hash)
                .filter_map(|i| self.batches.get(i as usize))
                .find(|b| b.expires_nanos >= at && b.applies_to(kid, issuer))
                .map(|b| Revoked {
                    hash_type,
                    country: &b.country,
                    expires: b.expires,
                    source: &b.source,
                    position: b.position,
                })
        })
    }
}

impl BatchInfo {
    fn applies_to(&self, kid: Option<&[u8]>, issuer: Option<&str>) -> bool {
        match &self.kid {
            Some(batch_kid) => kid == Some(batch_kid.as_ref()),
            None => issuer.is_some_and(|i| i.eq_ignore_ascii_case(&self.country)),
        }
    }
}

/// The `revocation` check: fail when the certificate is on the list, pass otherwise. Only the
/// hashes of the types the list holds entries of are computed.
pub fn check<V: JsonView>(
    list: &RevocationList,
    sign1: &hcert::cose::Sign1,
    issuer: Option<&str>,
    dcc: &V,
    at: OffsetDateTime,
) -> Outcome {
    let hashes = CertHashes::of_types(sign1, issuer, dcc, |t| list.holds(t));
    match list.lookup(&hashes, sign1.kid.as_deref(), issuer, at) {
        Some(revoked) => Outcome::Fail(revoked.to_string()),
        None => Outcome::Pass,
    }
}
