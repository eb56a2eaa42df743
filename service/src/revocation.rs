//! Revocation (issue #7): a certificate is revoked by an operator (`dcc revoke`), by the
//! provider whose record it certifies (the provider API), or — when configured — once a newer
//! certificate supersedes it. Its revocation entries (the EU scheme's three hashes, by signer
//! kid, kept until the certificate expires) are stored with the revocation in one transaction;
//! the server publishes them as gateway batches in a signed list and consults them in
//! `POST /verify`.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hcert::cose::Sign1;
use hcert::cwt;
use serde_json::{json, Value};
use time::OffsetDateTime;
use verifier::revocation::{Batch, CertHashes, HashType, RevocationList, RevocationListBuilder};

use crate::error::{Error, Problem, ServiceResult};
use crate::store::{AuditEvent, CertificateRow, RevocationEntry, Store, StoreError};
use crate::Ctx;

/// Seconds a server keeps its revocation list before reading the database again; a revocation
/// through this instance takes effect at once, one through another instance within this time.
pub const REFRESH_SECS: i64 = 10;

/// The revocation entries of an issued certificate: each hash type the certificate has, under
/// its signer's kid, until it expires.
pub fn entries_of(hc1: &str, expires_at: i64) -> Result<Vec<RevocationEntry>, String> {
    let cose = hcert::hc1::unwrap(hc1).map_err(|e| e.to_string())?;
    let sign1 = Sign1::parse(&cose).map_err(|e| e.to_string())?;
    let decoded = cwt::decode(sign1.payload()).map_err(|e| e.to_string())?;
    let issuer = decoded.issuer.clone();
    let dcc = cwt::into_json(decoded.dcc);
    let hashes = CertHashes::of(&sign1, issuer.as_deref(), &dcc);
    let kid = sign1.kid.clone().unwrap_or_default();
    Ok(HashType::ALL
        .into_iter()
        .filter_map(|t| {
            hashes.get(t).map(|h| RevocationEntry {
                kid: kid.clone(),
                hash_type: t.name().to_string(),
                hash: h.to_vec(),
                expires_at,
            })
        })
        .collect())
}

/// What a revocation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    /// Revoked now.
    Now,
    /// It was revoked before; nothing changed.
    Already,
}

/// Revokes `cert` for `reason` and audits it. `org_id` is the organisation acting (`None`:
/// an operator).
pub async fn revoke(
    store: &dyn Store,
    cert: &CertificateRow,
    reason: &str,
    org_id: Option<i64>,
    now: i64,
) -> Result<Revoked, StoreError> {
    let mut entries = entries_of(&cert.hc1, cert.expires_at)
        .map_err(|e| StoreError::Data(format!("stored certificate {}: {e}", cert.id)))?;
    // A re-issued certificate keeps its UVCI (issue #22): revoking it by UCI covers the ones it
    // replaced and that replace it, each under its own signer's kid; the signature entry only
    // the certificate revoked.
    for other in store.certificates_with_uvci(&cert.uvci).await? {
        if other.id == cert.id {
            continue;
        }
        let more = entries_of(&other.hc1, other.expires_at)
            .map_err(|e| StoreError::Data(format!("stored certificate {}: {e}", other.id)))?;
        entries.extend(more.into_iter().filter(|e| e.hash_type != "SIGNATURE"));
    }
    if !store
        .revoke_certificate(&cert.id, reason, &entries, now)
        .await?
    {
        return Ok(Revoked::Already);
    }
    store
        .audit(
            &AuditEvent {
                event: "certificate.revoked".into(),
                org_id,
                subject: None,
                detail: json!({"certificate": cert.id, "reason": reason}),
            },
            now,
        )
        .await?;
    Ok(Revoked::Now)
}

/// Revokes every superseded certificate not yet revoked; returns how many. Run after each
/// issuance when `revoke_superseded` is on, and by `dcc revoke --superseded`, which also picks
/// up any a crash left between the two.
pub async fn revoke_superseded(store: &dyn Store, now: i64) -> Result<u64, StoreError> {
    let mut n = 0;
    loop {
        let batch = store.superseded_unrevoked(100).await?;
        if batch.is_empty() {
            return Ok(n);
        }
        for cert in &batch {
            if revoke(store, cert, "superseded", None, now).await? == Revoked::Now {
                n += 1;
            }
        }
    }
}

/// `POST /api/v1/certificates/{uvci}/revoke`: the provider whose record the certificate
/// certifies revokes it. Other organisations' certificates are 404.
pub async fn revoke_for_org(
    app: &Ctx,
    org_id: i64,
    uvci: &str,
    reason: &str,
    now: OffsetDateTime,
) -> ServiceResult<Value> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 || reason.chars().any(char::is_control) {
        return Err(Error::Invalid(Problem::field(
            "reason: 1 to 200 characters, no control characters",
        )));
    }
    let (cert, owner) = app
        .store
        .certificate_by_uvci(uvci)
        .await?
        .ok_or(Error::NotFound)?;
    if owner != org_id {
        return Err(Error::NotFound);
    }
    let done = revoke(
        app.store.as_ref(),
        &cert,
        reason,
        Some(org_id),
        now.unix_timestamp(),
    )
    .await?;
    app.revocation.invalidate();
    Ok(json!({"uvci": cert.uvci, "revoked": true, "already": done == Revoked::Already}))
}

/// Entries grouped by (kid, hash type): the latest expiry and the hashes.
type Grouped<'a> = BTreeMap<(&'a [u8], &'a str), (i64, Vec<&'a [u8]>)>;

/// Groups entries into gateway batches: one per signer kid and hash type, expiring with the
/// last certificate in it.
fn batches(entries: &[RevocationEntry]) -> Grouped<'_> {
    let mut out = Grouped::new();
    for e in entries {
        let slot = out
            .entry((e.kid.as_slice(), e.hash_type.as_str()))
            .or_insert((e.expires_at, Vec::new()));
        slot.0 = slot.0.max(e.expires_at);
        slot.1.push(&e.hash);
    }
    out
}

fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// The batches in the gateway's JSON format (`dcc verify --revocation` reads them).
pub fn batches_json(entries: &[RevocationEntry], country: &str) -> Value {
    Value::Array(
        batches(entries)
            .into_iter()
            .map(|((kid, hash_type), (expires, hashes))| {
                json!({
                    "country": country,
                    "expires": rfc3339(expires),
                    "kid": BASE64.encode(kid),
                    "hashType": hash_type,
                    "entries": hashes.iter().map(|h| json!({"hash": BASE64.encode(h)})).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// The lookup structure `POST /verify` consults.
pub fn build_list(entries: &[RevocationEntry], country: &str) -> Result<RevocationList, String> {
    let mut builder = RevocationListBuilder::new();
    for ((kid, hash_type), (expires, hashes)) in batches(entries) {
        let hash_type = HashType::from_name(hash_type)
            .ok_or_else(|| format!("stored hash type {hash_type:?}"))?;
        let expires = OffsetDateTime::from_unix_timestamp(expires).map_err(|e| e.to_string())?;
        let hashes = hashes
            .iter()
            .map(|h| <[u8; 16]>::try_from(*h).map_err(|_| "a stored hash is not 16 bytes"))
            .collect::<Result<Vec<_>, _>>()?;
        builder
            .add_batch(
                "database",
                Batch {
                    country: country.to_string(),
                    expires,
                    kid: Some(kid.to_vec()),
                    hash_type,
                    hashes,
                },
            )
            .map_err(|e| e.to_string())?;
    }
    Ok(builder.build())
}

/// The revocation list of one server instance, read from the database at most every
/// [`REFRESH_SECS`] (and at once after a revocation through this instance).
#[derive(Debug, Default)]
pub struct RevocationCache {
    current: RwLock<Option<(Arc<RevocationList>, i64)>>,
}

impl RevocationCache {
    /// The list as of `now`.
    pub async fn get(
        &self,
        store: &dyn Store,
        country: &str,
        now: OffsetDateTime,
    ) -> ServiceResult<Arc<RevocationList>> {
        let now = now.unix_timestamp();
        if let Ok(guard) = self.current.read() {
            if let Some((list, at)) = guard.as_ref() {
                if (*at..*at + REFRESH_SECS).contains(&now) {
                    return Ok(list.clone());
                }
            }
        }
        let entries = store.revocation_entries(now).await?;
        let list = Arc::new(build_list(&entries, country).map_err(Error::Internal)?);
        if let Ok(mut guard) = self.current.write() {
            *guard = Some((list.clone(), now));
        }
        Ok(list)
    }

    /// Forgets the list, so the next request reads the database.
    pub fn invalidate(&self) {
        if let Ok(mut guard) = self.current.write() {
            *guard = None;
        }
    }
}
