//! One error type for the container; each stage of encode/decode has its own variant so the
//! verifier can name the check that failed.

use crate::crypto::CryptoError;

/// What went wrong, and at which stage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The text does not start with the `HC1:` context identifier.
    #[error("prefix: {0}")]
    Prefix(String),
    /// The Base45 text is malformed.
    #[error("base45: {0}")]
    Base45(String),
    /// The bytes are not one complete zlib stream.
    #[error("zlib: {0}")]
    Zlib(String),
    /// The bytes are not a COSE_Sign1 structure.
    #[error("cose: {0}")]
    Cose(String),
    /// The COSE payload is not a CWT holding an hcert.
    #[error("cbor: {0}")]
    Cbor(String),
    /// A UVCI is malformed.
    #[error("uvci: {0}")]
    Uvci(String),
    /// A record cannot be turned into a certificate.
    #[error("record: {0}")]
    Record(String),
    /// Signing or verifying failed.
    #[error("crypto: {0}")]
    Crypto(#[from] CryptoError),
}

/// Result with the container's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
