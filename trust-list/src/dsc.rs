//! A document signer certificate (DSC): the facts a verifier needs from it (kid, country,
//! validity, key usage, public key), read once from PEM, DER or base64 of DER.

use std::fmt;

use hcert::crypto::PublicKeyInfo;
use sha2::{Digest, Sha256};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;

use crate::encoding;
use crate::error::{Error, Result};
use crate::key_usage::{self, KeyUsage};
use crate::public_key;

const OID_EXTENDED_KEY_USAGE: &str = "2.5.29.37";

/// A signer certificate and what was read from it.
#[derive(Clone, PartialEq, Eq)]
pub struct Dsc {
    /// The certificate exactly as encoded (the kid and thumbprint are taken over these bytes).
    pub der: Vec<u8>,
    /// hcert spec: the first 8 bytes of SHA-256 over the DER.
    pub kid: [u8; 8],
    /// The subject's `C`. Trust-list loaders fill it from the entry's `country` when the
    /// subject has none (the gateway attributes every DSC to its uploading country).
    pub country: Option<String>,
    /// The subject, RFC 4514 style ("C=CZ, O=MZCR, CN=CZ DSC 1").
    pub subject: String,
    /// notBefore, Unix seconds.
    pub not_before: i64,
    /// notAfter, Unix seconds.
    pub not_after: i64,
    /// Which certificate types the DSC may sign (extended key usage).
    pub key_usage: KeyUsage,
    /// The public key, in the shape crypto backends take.
    pub public_key: PublicKeyInfo,
}

impl fmt::Debug for Dsc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dsc")
            .field("kid", &self.kid_base64())
            .field("country", &self.country)
            .field("subject", &self.subject)
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .field("key_usage", &self.key_usage)
            .field("public_key", &self.public_key)
            .finish_non_exhaustive()
    }
}

/// Parses one signer certificate from PEM (exactly one `CERTIFICATE` block), DER or bare
/// base64 of DER (whitespace ignored), told apart by their first bytes.
pub fn parse_certificate(bytes: &[u8]) -> Result<Dsc> {
    let ders = encoding::certificate_ders(bytes)?;
    match ders.as_slice() {
        [der] => Dsc::from_der(der),
        more => Err(Error::NotCertificate(format!(
            "PEM holds {} certificates where one was expected",
            more.len()
        ))),
    }
}

/// Parses every certificate in `bytes`: all `CERTIFICATE` blocks of a PEM bundle, or the one
/// certificate of DER or base64 input.
pub fn parse_certificates(bytes: &[u8]) -> Result<Vec<Dsc>> {
    encoding::certificate_ders(bytes)?
        .iter()
        .enumerate()
        .map(|(i, der)| Dsc::from_der(der).map_err(|e| e.at(format!("certificate {i}"))))
        .collect()
}

impl Dsc {
    /// Parses a DER certificate. Tolerates what real DSCs carry (an explicitly encoded default
    /// `cA FALSE`, an empty extended key usage, unknown or malformed non-critical extensions):
    /// only the outer structure, validity, subject and key must be sound.
    pub fn from_der(der: &[u8]) -> Result<Dsc> {
        let (rest, cert) =
            X509Certificate::from_der(der).map_err(|e| Error::BadCertificate(e.to_string()))?;
        if !rest.is_empty() {
            return Err(Error::BadCertificate(format!(
                "{} bytes of trailing data after the certificate",
                rest.len()
            )));
        }
        let public_key = public_key::from_spki(cert.public_key())?;
        let digest = Sha256::digest(der);
        let mut kid = [0u8; 8];
        kid.copy_from_slice(digest.get(..8).unwrap_or(&[0; 8]));
        Ok(Dsc {
            der: der.to_vec(),
            kid,
            country: country(&cert),
            subject: cert.subject().to_string(),
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            key_usage: key_usage(&cert),
            public_key,
        })
    }

    /// The kid as standard base64 with padding, as the gateway and `dcc verify --json` write it.
    pub fn kid_base64(&self) -> String {
        encoding::b64(&self.kid)
    }

    /// SHA-256 of the DER, lowercase hex: the gateway's `thumbprint`.
    pub fn thumbprint(&self) -> String {
        encoding::hex(&Sha256::digest(&self.der))
    }

    /// Whether `at` (Unix seconds) lies within notBefore..=notAfter, both inclusive.
    pub fn is_valid_at(&self, at: i64) -> bool {
        self.not_before <= at && at <= self.not_after
    }

    /// The certificate as PEM.
    pub fn to_pem(&self) -> String {
        pem::encode(&pem::Pem::new("CERTIFICATE", self.der.clone()))
    }
}

/// The first `C` of the subject, trimmed; an attribute of an unexpected string type is read
/// as UTF-8 where it can be.
fn country(cert: &X509Certificate<'_>) -> Option<String> {
    let attr = cert.subject().iter_country().next()?;
    let text = match attr.as_str() {
        Ok(s) => s.to_string(),
        Err(_) => String::from_utf8_lossy(attr.attr_value().data).into_owned(),
    };
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// Key usage from every extended key usage extension.
fn key_usage(cert: &X509Certificate<'_>) -> KeyUsage {
    KeyUsage::from_eku_oids(eku_oids(cert))
}

/// The OIDs (DER contents) of every extended key usage extension: x509-parser's reading when it
/// has one, else the raw extension value read leniently (an empty SEQUENCE, BER oddities).
fn eku_oids<'a>(cert: &'a X509Certificate<'_>) -> Vec<&'a [u8]> {
    let mut oids: Vec<&[u8]> = Vec::new();
    for ext in cert.extensions() {
        if ext.oid.to_id_string() != OID_EXTENDED_KEY_USAGE {
            continue;
        }
        match ext.parsed_extension() {
            ParsedExtension::ExtendedKeyUsage(eku) => {
                oids.extend(eku.other.iter().map(|oid| oid.as_bytes()));
            }
            _ => oids.extend(KeyUsage::raw_eku_oids(ext.value)),
        }
    }
    oids
}

/// The DCC key usage OIDs (current or legacy arc) of a certificate's extended key usage, dotted
/// and with the type each grants; empty when it has none (or cannot be read as X.509).
pub(crate) fn dcc_eku_names(der: &[u8]) -> Vec<String> {
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return Vec::new();
    };
    eku_oids(&cert)
        .into_iter()
        .filter_map(key_usage::dcc_oid_name)
        .collect()
}
