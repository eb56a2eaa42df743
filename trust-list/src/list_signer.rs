//! Who must have signed dcc's published lists (DESIGN.md "Trust lists"): a pinned certificate,
//! or any list signer a trust-list CA issued, so the signer can be renewed with overlap (the old
//! and the new CA, or signers of one CA, are accepted side by side while valid).

use crate::chain::{self, Csca, Link};
use crate::dsc::{self, Dsc};
use crate::error::{Error, Result};

/// id-kp-documentSigning (RFC 9336): the extended key usage that marks dcc's list signers.
/// Chosen over a private arc because it is registered for exactly this ("signing documents
/// other than code or e-mail"), and no TLS, code or DCC verifier accepts it for its own use.
pub const OID_DOCUMENT_SIGNING: &str = "1.3.6.1.5.5.7.3.36";
/// The arcs of [`OID_DOCUMENT_SIGNING`], in the shape certificate builders take
/// (`rcgen::ExtendedKeyUsagePurpose::Other`).
pub const ARCS_DOCUMENT_SIGNING: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 36];

/// DER contents of id-kp-documentSigning.
const DER_DOCUMENT_SIGNING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x24];

/// A CA that issues dcc's list signers: a certificate with `basicConstraints cA`, given to
/// readers as `--trust-list-ca`. It may be a root or an intermediate; the list signer in `x5c`
/// must be issued by it directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustListCa {
    ca: Csca,
}

impl TrustListCa {
    /// Every certificate of `bytes` (a PEM bundle, DER or base64 of DER), each of which must be
    /// a CA.
    pub fn parse_all(bytes: &[u8]) -> Result<Vec<TrustListCa>> {
        Ok(chain::parse_cas(bytes, Error::NotTrustListCa)?
            .into_iter()
            .map(|ca| TrustListCa { ca })
            .collect())
    }

    /// Its subject, RFC 4514 style.
    pub fn subject(&self) -> &str {
        &self.ca.subject
    }

    /// notBefore, Unix seconds.
    pub fn not_before(&self) -> i64 {
        self.ca.not_before
    }

    /// notAfter, Unix seconds.
    pub fn not_after(&self) -> i64 {
        self.ca.not_after
    }

    /// The certificate, DER.
    pub fn der(&self) -> &[u8] {
        &self.ca.der
    }
}

/// Who must have signed a list read by [`crate::verify_signed_by`] or
/// [`crate::open_signed_list_by`].
#[derive(Debug, Clone, Copy)]
pub enum ListSigner<'a> {
    /// Nobody: the list is only parsed, and says so (`signature_checked` is false).
    Unchecked,
    /// Exactly this certificate (PEM, DER or base64 of DER), byte for byte.
    Pinned(&'a [u8]),
    /// Any list signer issued by one of these CAs, the CA and the signer both valid at `at`
    /// (Unix seconds, the caller's clock), the signer carrying no DCC extended key usage.
    IssuedBy {
        /// The accepted CAs: during a renewal, the old and the new one.
        cas: &'a [TrustListCa],
        /// The verification time.
        at: i64,
    },
}

impl<'a> From<Option<&'a [u8]>> for ListSigner<'a> {
    /// A pinned certificate when given, else [`ListSigner::Unchecked`].
    fn from(pinned: Option<&'a [u8]>) -> Self {
        pinned.map_or(ListSigner::Unchecked, ListSigner::Pinned)
    }
}

/// Checks that `signer` (the list's `x5c` certificate) may sign lists under `cas` at `at`: it
/// carries no DCC extended key usage (a DSC must not vouch for other signers), one of the CAs
/// valid at `at` issued it, it is valid at `at`, and its extended key usage, if it has one,
/// lists id-kp-documentSigning (RFC 5280 §4.2.1.12: without one it may serve any purpose).
/// The error says which failed.
pub(crate) fn check_list_signer(signer: &Dsc, cas: &[TrustListCa], at: i64) -> Result<()> {
    let dcc = dsc::dcc_eku_names(&signer.der);
    if !dcc.is_empty() {
        return Err(Error::ListSignerIsDsc {
            subject: signer.subject.clone(),
            oids: dcc.join(", "),
        });
    }
    let cas: Vec<Csca> = cas.iter().map(|c| c.ca.clone()).collect();
    let link = Link {
        anchor: "trust-list CA",
        when: "at the verification time",
        purpose: "id-kp-documentSigning (1.3.6.1.5.5.7.3.36)",
        at,
    };
    let usage = webpki::KeyUsage::required_if_present(DER_DOCUMENT_SIGNING);
    link.verify(&signer.der, &cas, usage).map_err(|refusal| {
        refusal.into_error(|reason| Error::SignerNotIssued {
            subject: signer.subject.clone(),
            reason,
        })
    })
}
