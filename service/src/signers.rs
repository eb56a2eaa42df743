//! The signer certificates this installation publishes: registered in the store at start-up
//! from the loaded keys (each under a numeric id that never changes), and read back as one set
//! that dcc's signed trust list, the DGCA verifier API and `POST /verify` all use. DESIGN.md
//! "Signing keys": every DSC whose certificates can still be valid is published.

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

/// Registers `current` (the DSC this instance signs with) unless it is on file, then reads every
/// registered certificate and keeps those whose validity has not ended at `now`.
pub async fn register(
    store: &dyn Store,
    current: &Dsc,
    now: OffsetDateTime,
) -> Result<Signers, SignerError> {
    let now = now.unix_timestamp();
    let row = store
        .signer_register(&current.kid, &current.der, now)
        .await?;
    if row.der != current.der {
        return Err(SignerError::KidTaken {
            kid: current.kid_base64(),
        });
    }
    let mut published = Vec::new();
    for row in store.signer_certificates().await? {
        let dsc =
            Dsc::from_der(&row.der).map_err(|error| SignerError::Stored { id: row.id, error })?;
        if dsc.not_after >= now {
            published.push(Published { id: row.id, dsc });
        }
    }
    Ok(Signers::new(published))
}
