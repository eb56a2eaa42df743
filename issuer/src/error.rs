//! The issuer's error: what was wrong with the record, the key or the signer certificate.

use time::OffsetDateTime;

/// Why a certificate was not issued or keys not generated.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The record is not a valid DCC record; the message names the field.
    #[error("record: {0}")]
    Record(String),
    /// The signing key or signer certificate cannot be used.
    #[error("key: {0}")]
    Key(String),
    /// The key file is encrypted PKCS#8 and no passphrase was given. The caller knows how a
    /// passphrase is supplied (an option, a configuration key) and says so.
    #[error("key: the signing key is encrypted and no passphrase was given")]
    KeyEncrypted,
    /// The passphrase does not decrypt the key file. A wrong passphrase and a damaged file look
    /// alike to PBES2 (a padding or structure error after decryption), so one message says both.
    #[error("key: cannot decrypt the signing key: wrong passphrase or damaged file")]
    KeyDecrypt,
    /// SECURITY.md 42: the DSC's KeyUsage must be present and include digitalSignature.
    #[error("signer certificate: {}", if *.key_usage_present {
        "its KeyUsage does not include digitalSignature"
    } else {
        "it has no KeyUsage extension; a DSC needs KeyUsage digitalSignature"
    })]
    DscNotForSigning {
        /// Whether the certificate has a KeyUsage extension at all.
        key_usage_present: bool,
    },
    /// The DSC's extended key usage (DCC OIDs) leaves out this certificate type.
    #[error(
        "signer certificate: it may not sign {cert_type} certificates (key usage: {key_usage})"
    )]
    DscWrongType {
        /// "vaccination", "test" or "recovery".
        cert_type: &'static str,
        /// What the DSC may sign, as a sentence.
        key_usage: String,
    },
    /// The issue time is before the DSC's notBefore.
    #[error(
        "signer certificate: it is not valid at the issue time {}: it is valid from {}",
        rfc3339(*.at), rfc3339(*.not_before)
    )]
    DscNotYetValid {
        /// Issue time, Unix seconds.
        at: i64,
        /// notBefore, Unix seconds.
        not_before: i64,
    },
    /// The issue time is after the DSC's notAfter.
    #[error(
        "signer certificate: it is not valid at the issue time {}: it expired at {}",
        rfc3339(*.at), rfc3339(*.not_after)
    )]
    DscExpired {
        /// Issue time, Unix seconds.
        at: i64,
        /// notAfter, Unix seconds.
        not_after: i64,
    },
    /// The issue time is outside the private-key usage period: the DSC's PrivateKeyUsagePeriod,
    /// or notBefore + 6 months when it has none (SECURITY.md 42). Certificates it signed before
    /// stay valid; a new DSC signs from now on.
    #[error(
        "signer certificate: its private key may sign only from {} to {} ({}); the issue time is {}",
        rfc3339(*.from), rfc3339(*.until),
        if *.from_extension { "its private key usage period" }
        else { "notBefore + 6 months, as it states no private key usage period" },
        rfc3339(*.at)
    )]
    DscUsagePeriod {
        /// Issue time, Unix seconds.
        at: i64,
        /// The first instant the key may sign.
        from: i64,
        /// The last instant the key may sign.
        until: i64,
        /// Whether the period comes from the PrivateKeyUsagePeriod extension.
        from_extension: bool,
    },
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

/// Unix seconds as RFC 3339, or the number when out of range.
pub(crate) fn rfc3339(t: i64) -> String {
    OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

/// Result with the issuer's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
