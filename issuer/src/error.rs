//! The issuer's error: what was wrong with the record, the key or the signer certificate.

/// Why a certificate was not issued or keys not generated.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The record is not a valid DCC record; the message names the field.
    #[error("record: {0}")]
    Record(String),
    /// The signing key or signer certificate cannot be used.
    #[error("key: {0}")]
    Key(String),
    /// The signer certificate does not allow this certificate (type or validity).
    #[error("signer certificate: {0}")]
    Signer(String),
    /// Certificate generation failed.
    #[error("certificate generation: {0}")]
    Generate(String),
    /// A QR code, image or PDF could not be produced.
    #[error("rendering: {0}")]
    Render(String),
    /// From the container.
    #[error(transparent)]
    Hcert(#[from] hcert::Error),
    /// From the trust list.
    #[error(transparent)]
    TrustList(#[from] trust_list::Error),
}

/// Result with the issuer's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
