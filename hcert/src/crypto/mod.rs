//! Crypto as two small traits (`Signer`, `VerifyKey`) and a `Backend` that makes them, so the
//! container names no crypto library; backends live in sibling modules behind cargo features.

#[cfg(feature = "aws-lc-rs")]
pub mod aws_lc;
#[cfg(feature = "rustcrypto")]
pub mod rustcrypto;

use std::fmt;
use std::sync::Arc;

/// COSE signature algorithms the hcert specification allows (plus EdDSA, outside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// ECDSA with SHA-256, COSE -7; raw r‖s signature.
    Es256,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32, COSE -37.
    Ps256,
    /// Ed25519, COSE -8. Outside the EU specification.
    EdDsa,
}

impl Algorithm {
    /// The COSE algorithm identifier.
    pub fn cose_id(self) -> i64 {
        match self {
            Algorithm::Es256 => -7,
            Algorithm::Ps256 => -37,
            Algorithm::EdDsa => -8,
        }
    }

    /// The algorithm for a COSE identifier, if it is one we know.
    pub fn from_cose_id(id: i64) -> Option<Self> {
        match id {
            -7 => Some(Algorithm::Es256),
            -37 => Some(Algorithm::Ps256),
            -8 => Some(Algorithm::EdDsa),
            _ => None,
        }
    }

    /// Name as written in COSE/JOSE ("ES256").
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Es256 => "ES256",
            Algorithm::Ps256 => "PS256",
            Algorithm::EdDsa => "EdDSA",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What went wrong in a crypto operation. Never carries key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The signature did not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// The algorithm cannot be used with this key (e.g. PS256 with an EC key).
    #[error("algorithm {alg} does not fit a {key} key")]
    AlgorithmMismatch { alg: Algorithm, key: &'static str },
    /// The key could not be parsed or is of an unsupported kind or size.
    #[error("unusable key: {0}")]
    BadKey(String),
    /// The backend does not offer this operation.
    #[error("not supported by the {backend} backend: {what}")]
    Unsupported { backend: &'static str, what: String },
    /// Signing failed inside the backend.
    #[error("signing failed")]
    SigningFailed,
}

/// A public key taken from a certificate's SubjectPublicKeyInfo, in the shape backends take.
#[derive(Clone, PartialEq, Eq)]
pub enum PublicKeyInfo {
    /// P-256, uncompressed SEC1 point (65 bytes).
    P256(Vec<u8>),
    /// P-384, uncompressed SEC1 point (97 bytes).
    P384(Vec<u8>),
    /// RSA public key as PKCS#1 RSAPublicKey DER, with its modulus size in bits.
    Rsa { pkcs1_der: Vec<u8>, bits: usize },
    /// Ed25519 public key (32 bytes).
    Ed25519(Vec<u8>),
}

impl PublicKeyInfo {
    /// Short human name of the key type ("P-256", "RSA-3072").
    pub fn describe(&self) -> String {
        match self {
            PublicKeyInfo::P256(_) => "P-256".into(),
            PublicKeyInfo::P384(_) => "P-384".into(),
            PublicKeyInfo::Rsa { bits, .. } => format!("RSA-{bits}"),
            PublicKeyInfo::Ed25519(_) => "Ed25519".into(),
        }
    }
}

impl fmt::Debug for PublicKeyInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKeyInfo({})", self.describe())
    }
}

/// Produces signatures for one private key.
pub trait Signer: Send + Sync {
    /// The algorithm this key signs with.
    fn algorithm(&self) -> Algorithm;
    /// Signs `tbs`; ECDSA signatures are raw r‖s as COSE requires.
    fn sign(&self, tbs: &[u8]) -> Result<Vec<u8>, CryptoError>;
}

/// Checks signatures for one parsed public key (parse once, verify many times).
pub trait VerifyKey: Send + Sync {
    /// Verifies `sig` over `tbs` with `alg`; a mismatch of alg and key is an error.
    fn verify(&self, alg: Algorithm, tbs: &[u8], sig: &[u8]) -> Result<(), CryptoError>;
}

/// A crypto provider: turns key material into `Signer`s and `VerifyKey`s.
pub trait Backend: Send + Sync {
    /// Short name for messages ("aws-lc-rs").
    fn name(&self) -> &'static str;
    /// Parses a public key once for many verifications.
    fn verify_key(&self, key: &PublicKeyInfo) -> Result<Arc<dyn VerifyKey>, CryptoError>;
    /// Loads a PKCS#8 private key (DER) for `alg`.
    fn signer(&self, alg: Algorithm, pkcs8_der: &[u8]) -> Result<Box<dyn Signer>, CryptoError>;
}

/// The default backend of this build: aws-lc-rs when enabled, else RustCrypto.
pub fn default_backend() -> &'static dyn Backend {
    #[cfg(feature = "aws-lc-rs")]
    {
        &aws_lc::AwsLc
    }
    #[cfg(all(not(feature = "aws-lc-rs"), feature = "rustcrypto"))]
    {
        &rustcrypto::RustCrypto
    }
}

/// All backends compiled into this build, for tests that loop over each.
pub fn all_backends() -> Vec<&'static dyn Backend> {
    let backends: [Option<&'static dyn Backend>; 2] = [
        #[cfg(feature = "aws-lc-rs")]
        Some(&aws_lc::AwsLc),
        #[cfg(not(feature = "aws-lc-rs"))]
        None,
        #[cfg(feature = "rustcrypto")]
        Some(&rustcrypto::RustCrypto),
        #[cfg(not(feature = "rustcrypto"))]
        None,
    ];
    backends.into_iter().flatten().collect()
}

/// Converts a raw r‖s ECDSA signature into ASN.1 DER (for backends that take only DER).
pub fn ecdsa_raw_to_der(sig: &[u8]) -> Option<Vec<u8>> {
    if sig.is_empty() || !sig.len().is_multiple_of(2) || sig.len() > 132 {
        return None;
    }
    let (r, s) = sig.split_at(sig.len() / 2);
    fn int(v: &[u8]) -> Vec<u8> {
        let start = v
            .iter()
            .position(|b| *b != 0)
            .unwrap_or(v.len().saturating_sub(1));
        let v = v.get(start..).unwrap_or(&[]);
        let mut out = Vec::with_capacity(v.len() + 3);
        out.push(0x02);
        let pad = v.first().is_some_and(|b| b & 0x80 != 0);
        out.push((v.len() + usize::from(pad)) as u8);
        if pad {
            out.push(0);
        }
        out.extend_from_slice(v);
        out
    }
    let (ri, si) = (int(r), int(s));
    let len = ri.len() + si.len();
    let mut out = Vec::with_capacity(len + 3);
    out.push(0x30);
    if len >= 0x80 {
        out.push(0x81);
    }
    out.push(len as u8);
    out.extend(ri);
    out.extend(si);
    Some(out)
}
