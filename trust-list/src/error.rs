//! The one error type of the crate. Messages say what was wrong and where, so a CLI can print
//! them as they are ("trust list entry 3 (kid q4O1tk8zvqk=): rawData is not base64").

use hcert::crypto::{Algorithm, CryptoError};

/// Everything that can go wrong reading certificates and trust lists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The input is none of PEM, DER or base64 of DER, or holds no certificate.
    #[error("not a certificate: {0}")]
    NotCertificate(String),
    /// The bytes are DER but not a well-formed X.509 certificate.
    #[error("malformed X.509 certificate: {0}")]
    BadCertificate(String),
    /// The certificate's public key is of a kind DCC signatures cannot use (names the kind).
    #[error("unsupported public key: {0} (supported: P-256, P-384, RSA, Ed25519)")]
    UnsupportedKey(String),
    /// A field of a trust-list entry or document is missing or malformed.
    #[error("{field} {problem}")]
    Field {
        /// The field as spelt on the wire (`rawData`, `issued_at`).
        field: &'static str,
        /// What is wrong with it, as a predicate ("is not base64 (…)").
        problem: String,
    },
    /// The kid an entry states is not the one computed from its certificate.
    #[error("kid {stated} does not match the certificate, whose kid is {computed}")]
    KidMismatch {
        /// The kid as written in the entry.
        stated: String,
        /// The certificate's kid, base64.
        computed: String,
    },
    /// The country an entry states differs from the `C` in the certificate's subject.
    #[error("country {stated} does not match the certificate's subject country {certificate}")]
    CountryMismatch {
        /// The country as written in the entry.
        stated: String,
        /// The subject's `C`.
        certificate: String,
    },
    /// The thumbprint an entry states is not the SHA-256 of its certificate.
    #[error("thumbprint {stated} does not match the certificate's SHA-256 {computed}")]
    ThumbprintMismatch {
        /// The thumbprint as written in the entry.
        stated: String,
        /// The certificate's SHA-256, lowercase hex.
        computed: String,
    },
    /// One entry of a list (or one file of a set) failed. `at` names it: "trust list entry 3
    /// (kid q4O1tk8zvqk=)" (index from 0, as in the JSON array) or "file dsc.pem".
    #[error("{at}: {error}")]
    Entry {
        /// Which entry or file.
        at: String,
        /// What was wrong with it (its text is part of this error's message).
        error: Box<Error>,
    },
    /// The document is not JSON, or not of the expected shape; the text says which.
    #[error("{0}")]
    Json(String),
    /// A signed trust list is not a well-formed compact JWS of the expected shape.
    #[error("signed trust list: {0}")]
    Jws(String),
    /// The `x5c` certificate of a signed trust list is not the pinned one.
    #[error(
        "signed trust list: signed by {found}, not by the pinned trust-list certificate {pinned}"
    )]
    SignerNotPinned {
        /// Subject of the certificate in `x5c`.
        found: String,
        /// Subject of the pinned certificate.
        pinned: String,
    },
    /// The signature of a signed trust list does not verify with its signing certificate (the
    /// pinned one, or the `x5c` one a trust-list CA issued).
    #[error("signed trust list: signature does not verify with the signing certificate ({0})")]
    BadSignature(CryptoError),
    /// The `x5c` certificate of a signed trust list does not chain to a given trust-list CA, or
    /// is not valid at the verification time, or is not meant for signing documents.
    #[error(
        "signed trust list: the signing certificate {subject} is not accepted under the given \
         trust-list CAs: {reason}"
    )]
    SignerNotIssued {
        /// Subject of the certificate in `x5c`.
        subject: String,
        /// Why, in words.
        reason: String,
    },
    /// The `x5c` certificate of a signed trust list carries DCC extended key usages: it is a
    /// document signer (DSC), and a DSC must not vouch for the list of signers.
    #[error(
        "signed trust list: the signing certificate {subject} carries the DCC extended key usage \
         {oids}, which marks a document signer (DSC); a list signer must not carry it"
    )]
    ListSignerIsDsc {
        /// Subject of the certificate in `x5c`.
        subject: String,
        /// The DCC OIDs found, dotted, each with the type it grants.
        oids: String,
    },
    /// Signed trust lists are ES256 only (DESIGN.md); the signer offered another algorithm.
    #[error("signed trust lists use ES256 with a P-256 key; got {0}")]
    SigningAlgorithm(String),
    /// A time is outside what RFC 3339 and Unix seconds can express.
    #[error("time {0} cannot be written as an RFC 3339 date-time")]
    TimeOutOfRange(i64),
    /// A certificate given as a country signing CA is no CA (no `basicConstraints cA`).
    #[error("{0} is not a CA certificate (no basicConstraints cA), so it cannot be a CSCA")]
    NotCsca(String),
    /// A certificate given as a trust-list CA is no CA (no `basicConstraints cA`).
    #[error(
        "{0} is not a CA certificate (no basicConstraints cA), so it cannot be a trust-list CA"
    )]
    NotTrustListCa(String),
    /// A signer certificate was not issued by any of the given CSCAs.
    #[error("signer certificate {kid} does not chain to a given CSCA: {reason}")]
    NotIssued {
        /// The DSC's kid, base64.
        kid: String,
        /// Why, in words.
        reason: String,
    },
    /// The crypto backend failed (signing, or parsing the signing certificate's key).
    #[error("crypto: {0}")]
    Crypto(#[from] CryptoError),
}

impl Error {
    /// Wraps `self` as the error of the named entry or file.
    pub(crate) fn at(self, at: impl Into<String>) -> Error {
        Error::Entry {
            at: at.into(),
            error: Box::new(self),
        }
    }

    /// A missing or malformed field.
    pub(crate) fn field(field: &'static str, problem: impl Into<String>) -> Error {
        Error::Field {
            field,
            problem: problem.into(),
        }
    }

    /// The signing algorithm error for `alg`.
    pub(crate) fn signing_algorithm(alg: Algorithm) -> Error {
        Error::SigningAlgorithm(alg.name().to_string())
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
