//! The signer certificates this installation publishes: the identities in the store (each under
//! a numeric id that never changes), read back as one set that dcc's signed trust list, the
//! DGCA verifier API and `POST /verify` all use. DESIGN.md "Signing keys": every DSC whose
//! certificates can still be valid is published, never a withdrawn one.

use time::OffsetDateTime;
use trust_list::Dsc;

use crate::store::{Store, StoreError};

/// Why the published signers could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    /// The store failed.
    #[error("signer certificates: {0}")]
    Store(#[from] StoreError),
    /// Another certificate is registered under the loaded DSC's kid (8 bytes of SHA-256: a
    /// collision, or a tampered row).
    #[error("signer certificates: kid {kid} is registered for another certificate")]
    KidTaken {
        /// The kid, base64.
        kid: String,
    },
    /// A registered certificate does not parse.
    #[error("signer certificate {id}: {error}")]
    Stored {
        /// Its id.
        id: i64,
        /// Why.
        error: trust_list::Error,
    },
}

/// A published signer certificate and its id (the DGCA resume token).
#[derive(Debug, Clone)]
pub struct Published {
    /// The id, stable across restarts.
    pub id: i64,
    /// The certificate.
    pub dsc: Dsc,
}

/// The published signer certificates, by ascending id.
#[derive(Debug, Clone, Default)]
pub struct Signers(Vec<Published>);

impl Signers {
    /// The set of `published`, ordered by id.
    pub fn new(mut published: Vec<Published>) -> Self {
        published.sort_by_key(|p| p.id);
        Signers(published)
    }

    /// DGCA verifier API: the first certificate after the resume token (the id of the last one
    /// the client received), or the first of all without one.
    pub fn after(&self, resume: Option<i64>) -> Option<&Published> {
        self.0.iter().find(|p| resume.is_none_or(|r| p.id > r))
    }

    /// Every published certificate, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Published> {
        self.0.iter()
    }

    /// The certificates, by id.
    pub fn dscs(&self) -> Vec<Dsc> {
        self.0.iter().map(|p| p.dsc.clone()).collect()
    }
}

/// The published set of `rows` at `now` (DESIGN.md "Signing keys"): every pending, active and
/// retired certificate whose certificates can still be valid, never a withdrawn one: a DSC past
/// its notAfter leaves, and a retired one once the last certificate it signed has expired (at
/// once when it signed none). Also returns when the set next changes by time alone (the first
/// second after such an end), so a running instance rebuilds its lists then; a row whose
/// certificate does not parse is an error naming its id.
pub fn published(
    rows: &[crate::store::SignerCertificateRow],
    now: i64,
) -> Result<(Signers, Option<i64>), SignerError> {
    use crate::store::signers::SignerState;
    let mut out = Vec::new();
    let mut next: Option<i64> = None;
    let mut until = |t: i64| next = Some(next.map_or(t, |n| n.min(t)));
    for row in rows {
        if row.state == SignerState::Withdrawn {
            continue;
        }
        let dsc =
            Dsc::from_der(&row.der).map_err(|error| SignerError::Stored { id: row.id, error })?;
        let end = match row.state {
            SignerState::Retired => row.last_expiry.unwrap_or(i64::MIN).min(dsc.not_after),
            _ => dsc.not_after,
        };
        if end < now {
            continue;
        }
        until(end.saturating_add(1));
        out.push(Published { id: row.id, dsc });
    }
    Ok((Signers::new(out), next))
}

/// Registers `current` (the DSC of the keys directory, whose key is at `key_ref`) as an active
/// identity unless it is on file; another certificate under its kid is an error.
pub async fn register(
    store: &dyn Store,
    current: &Dsc,
    key_ref: &str,
    now: OffsetDateTime,
) -> Result<(), SignerError> {
    let row = store
        .signer_register(
            &current.kid,
            &current.der,
            Some(key_ref),
            now.unix_timestamp(),
        )
        .await?;
    if row.der != current.der {
        return Err(SignerError::KidTaken {
            kid: current.kid_base64(),
        });
    }
    Ok(())
}
