//! COSE_Sign1 (RFC 9052) with `coset`: tag 18, untagged, or tag 61 (CWT) around tag 18 on input;
//! alg and kid from the protected header first, then the unprotected one (hcert spec §3.3.1).

use coset::iana::EnumI64;
use coset::{
    CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder, Label,
    RegisteredLabelWithPrivate, TaggedCborSerializable,
};

use crate::crypto::{Algorithm, Signer};
use crate::{Error, Result};

const TAG_SIGN1: u8 = 0xD2; // tag 18, one byte
const TAG_CWT: [u8; 2] = [0xD8, 0x3D]; // tag 61

/// A parsed COSE_Sign1 with the fields the verifier needs.
#[derive(Clone)]
pub struct Sign1 {
    inner: CoseSign1,
    /// The algorithm identifier as written (protected first), if any.
    pub alg_id: Option<AlgId>,
    /// The key identifier (protected first; the unprotected one only when there is none).
    pub kid: Option<Vec<u8>>,
}

/// A COSE algorithm label as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlgId {
    /// An integer label (-7, -37, -8, or another).
    Int(i64),
    /// A text label.
    Text(String),
}

impl AlgId {
    /// The algorithm if it is one dcc supports.
    pub fn algorithm(&self) -> Option<Algorithm> {
        match self {
            AlgId::Int(i) => Algorithm::from_cose_id(*i),
            AlgId::Text(_) => None,
        }
    }
}

impl std::fmt::Display for AlgId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AlgId::Int(i) => match Algorithm::from_cose_id(*i) {
                Some(a) => write!(f, "{a} ({i})"),
                None => write!(f, "{i}"),
            },
            AlgId::Text(t) => write!(f, "{t:?}"),
        }
    }
}

fn alg_of(label: &Option<coset::Algorithm>) -> Option<AlgId> {
    label.as_ref().map(|l| match l {
        RegisteredLabelWithPrivate::Assigned(a) => AlgId::Int(a.to_i64()),
        RegisteredLabelWithPrivate::PrivateUse(i) => AlgId::Int(*i),
        RegisteredLabelWithPrivate::Text(t) => AlgId::Text(t.clone()),
    })
}

/// Strips the tags COSE_Sign1 may arrive in: 61(18(x)), 18(x) or x.
fn untag(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(&TAG_CWT[..]).unwrap_or(bytes);
    bytes.strip_prefix(&[TAG_SIGN1][..]).unwrap_or(bytes)
}

impl Sign1 {
    /// Parses a COSE_Sign1 structure.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let first = bytes.first().copied();
        let inner = CoseSign1::from_slice(untag(bytes)).map_err(|e| {
            Error::Cose(match first {
                None => "no data".to_string(),
                Some(b) if b >> 5 == 6 && b != TAG_SIGN1 => format!(
                    "not a COSE_Sign1 message: unexpected CBOR tag (first byte 0x{b:02x}); {e}"
                ),
                Some(_) => format!("not a COSE_Sign1 message (an array of 4): {e}"),
            })
        })?;
        let alg_id = alg_of(&inner.protected.header.alg).or_else(|| alg_of(&inner.unprotected.alg));
        let kid = if !inner.protected.header.key_id.is_empty() {
            Some(inner.protected.header.key_id.clone())
        } else if !inner.unprotected.key_id.is_empty() {
            Some(inner.unprotected.key_id.clone())
        } else {
            None
        };
        Ok(Sign1 { inner, alg_id, kid })
    }

    /// The signed payload (the CWT), empty when detached.
    pub fn payload(&self) -> &[u8] {
        self.inner.payload.as_deref().unwrap_or(&[])
    }

    /// Whether the payload is carried in the message (hcert never detaches it).
    pub fn has_payload(&self) -> bool {
        self.inner.payload.is_some()
    }

    /// The signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.inner.signature
    }

    /// The Sig_structure that was signed, built over the protected header's original bytes.
    pub fn to_be_signed(&self) -> Vec<u8> {
        self.inner.tbs_data(&[])
    }

    /// Whether the protected header holds the kid (a kid only in the unprotected header is
    /// accepted on input, but is not covered by the signature).
    pub fn kid_is_protected(&self) -> bool {
        !self.inner.protected.header.key_id.is_empty()
    }

    /// Label of every header parameter present, for diagnostics.
    pub fn header_labels(&self) -> Vec<String> {
        let h = &self.inner.protected.header;
        h.rest
            .iter()
            .map(|(l, _)| match l {
                Label::Int(i) => i.to_string(),
                Label::Text(t) => t.clone(),
            })
            .collect()
    }
}

/// Signs `payload` into a tagged COSE_Sign1 with alg and kid in the protected header.
pub fn sign(payload: Vec<u8>, kid: &[u8], signer: &dyn Signer) -> Result<Vec<u8>> {
    let alg = match signer.algorithm() {
        Algorithm::Es256 => coset::iana::Algorithm::ES256,
        Algorithm::Ps256 => coset::iana::Algorithm::PS256,
        Algorithm::EdDsa => coset::iana::Algorithm::EdDSA,
    };
    let protected = HeaderBuilder::new()
        .algorithm(alg)
        .key_id(kid.to_vec())
        .build();
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .payload(payload)
        .try_create_signature(&[], |tbs| signer.sign(tbs))?
        .build();
    sign1
        .to_tagged_vec()
        .map_err(|e| Error::Cose(format!("cannot encode COSE_Sign1: {e}")))
}
