//! The verifier's lookup table: DSCs by kid, each key parsed once by the crypto backend at load
//! time (PERFORMANCE.md: parse once, verify many times).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use hcert::crypto::{Backend, CryptoError, VerifyKey};

use crate::dsc::Dsc;

/// A trusted signer: its certificate and its key as the backend parsed it. A key the backend
/// rejected keeps the error, so the verifier can say why a matching kid did not verify.
#[derive(Clone)]
pub struct TrustedKey {
    /// The signer certificate.
    pub dsc: Dsc,
    /// The parsed key, or why the backend refused it.
    pub key: Result<Arc<dyn VerifyKey>, CryptoError>,
}

impl fmt::Debug for TrustedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrustedKey")
            .field("dsc", &self.dsc)
            .field("key", &self.key.as_ref().map(|_| "parsed"))
            .finish()
    }
}

/// Trusted signers by kid. Several DSCs may share a kid (8 bytes of a hash collide in real
/// lists); all are kept and the verifier tries each.
#[derive(Clone, Default)]
pub struct TrustList {
    by_kid: BTreeMap<[u8; 8], Vec<TrustedKey>>,
    len: usize,
    /// When the list was issued (Unix seconds), for lists that say so (dcc's signed list).
    pub issued_at: Option<i64>,
}

impl fmt::Debug for TrustList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrustList")
            .field("len", &self.len)
            .field("issued_at", &self.issued_at)
            .finish_non_exhaustive()
    }
}

impl TrustList {
    /// An empty list.
    pub fn new() -> TrustList {
        TrustList::default()
    }

    /// A list of `dscs`, keys parsed by `backend`.
    pub fn from_dscs(dscs: impl IntoIterator<Item = Dsc>, backend: &dyn Backend) -> TrustList {
        let mut list = TrustList::new();
        list.extend(dscs, backend);
        list
    }

    /// Adds a signer, parsing its key now. The same certificate (same DER) added twice is kept
    /// once.
    pub fn add(&mut self, dsc: Dsc, backend: &dyn Backend) {
        let same_kid = self.by_kid.entry(dsc.kid).or_default();
        if same_kid.iter().any(|k| k.dsc.der == dsc.der) {
            return;
        }
        let key = backend.verify_key(&dsc.public_key);
        same_kid.push(TrustedKey { dsc, key });
        self.len += 1;
    }

    /// Adds every signer of `dscs`.
    pub fn extend(&mut self, dscs: impl IntoIterator<Item = Dsc>, backend: &dyn Backend) {
        for dsc in dscs {
            self.add(dsc, backend);
        }
    }

    /// The signers whose kid is `kid`, in the order added; empty for an unknown kid or a kid
    /// that is not 8 bytes long.
    pub fn candidates(&self, kid: &[u8]) -> &[TrustedKey] {
        <[u8; 8]>::try_from(kid)
            .ok()
            .and_then(|kid| self.by_kid.get(&kid))
            .map_or(&[], Vec::as_slice)
    }

    /// How many signers the list holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the list holds no signer.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every signer, ordered by kid (then in the order added).
    pub fn iter(&self) -> impl Iterator<Item = &TrustedKey> {
        self.by_kid.values().flatten()
    }
}
