//! What an issuer reads from its own DSC before each signature (SECURITY.md 42): whether the
//! KeyUsage allows digitalSignature, and the private-key usage period (extension 2.5.29.16,
//! RFC 3280 §4.2.1.4, which ICAO and the EU DCC keep). Verifiers ignore both: a certificate
//! signed while the key was usable stays valid after its usage period.

use std::time::Duration;

use der::asn1::{ContextSpecific, GeneralizedTime};
use der::{Encode as _, Reader as _, SliceReader, TagMode, TagNumber};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;

use crate::dsc::Dsc;
use crate::error::{Error, Result};

/// OID of the PrivateKeyUsagePeriod extension.
pub const OID_PRIVATE_KEY_USAGE_PERIOD: &str = "2.5.29.16";
/// Its arcs, for certificate builders (`rcgen::CustomExtension::from_oid_content`).
pub const ARCS_PRIVATE_KEY_USAGE_PERIOD: &[u64] = &[2, 5, 29, 16];

/// What the KeyUsage extension says about signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigitalSignature {
    /// KeyUsage is present with digitalSignature set.
    Allowed,
    /// KeyUsage is present without digitalSignature.
    NotAllowed,
    /// The certificate has no KeyUsage extension.
    NoKeyUsage,
}

/// The private-key usage period: `PrivateKeyUsagePeriod ::= SEQUENCE { notBefore [0]
/// GeneralizedTime OPTIONAL, notAfter [1] GeneralizedTime OPTIONAL }`, in Unix seconds. A bound
/// the extension leaves out is the certificate's validity on that side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsagePeriod {
    /// The key may sign from this instant.
    pub not_before: Option<i64>,
    /// The key may sign until this instant (inclusive).
    pub not_after: Option<i64>,
}

/// The signing-related facts of a signer certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigningLimits {
    /// KeyUsage digitalSignature.
    pub digital_signature: DigitalSignature,
    /// The PrivateKeyUsagePeriod extension, when present.
    pub usage_period: Option<UsagePeriod>,
}

impl Dsc {
    /// Reads KeyUsage and the private-key usage period from the certificate. Strict where
    /// [`Dsc::from_der`] is lenient: this is our own signer, so a malformed extension is an
    /// error rather than something to tolerate.
    pub fn signing_limits(&self) -> Result<SigningLimits> {
        let (_, cert) = X509Certificate::from_der(&self.der)
            .map_err(|e| Error::BadCertificate(e.to_string()))?;
        let mut digital_signature = DigitalSignature::NoKeyUsage;
        let mut usage_period = None;
        for ext in cert.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::KeyUsage(ku) => {
                    digital_signature = if ku.digital_signature() {
                        DigitalSignature::Allowed
                    } else {
                        DigitalSignature::NotAllowed
                    };
                }
                _ if ext.oid.to_id_string() == OID_PRIVATE_KEY_USAGE_PERIOD => {
                    usage_period = Some(UsagePeriod::from_der(ext.value)?);
                }
                _ => {}
            }
        }
        Ok(SigningLimits {
            digital_signature,
            usage_period,
        })
    }
}

fn bad_period(e: impl std::fmt::Display) -> Error {
    Error::BadCertificate(format!(
        "private key usage period ({OID_PRIVATE_KEY_USAGE_PERIOD}): {e}"
    ))
}

fn to_unix(t: GeneralizedTime) -> Result<i64> {
    i64::try_from(t.to_unix_duration().as_secs()).map_err(bad_period)
}

fn from_unix(t: i64) -> Result<GeneralizedTime> {
    let secs = u64::try_from(t).map_err(|_| Error::TimeOutOfRange(t))?;
    GeneralizedTime::from_unix_duration(Duration::from_secs(secs))
        .map_err(|_| Error::TimeOutOfRange(t))
}

impl UsagePeriod {
    /// Parses the extension's value (the DER SEQUENCE); at least one bound must be present.
    pub fn from_der(value: &[u8]) -> Result<UsagePeriod> {
        let mut reader = SliceReader::new(value).map_err(bad_period)?;
        let period = reader
            .sequence(|seq| {
                let not_before =
                    ContextSpecific::<GeneralizedTime>::decode_implicit(seq, TagNumber::N0)?;
                let not_after =
                    ContextSpecific::<GeneralizedTime>::decode_implicit(seq, TagNumber::N1)?;
                Ok((not_before.map(|c| c.value), not_after.map(|c| c.value)))
            })
            .map_err(bad_period)?;
        reader.finish(()).map_err(bad_period)?;
        let period = UsagePeriod {
            not_before: period.0.map(to_unix).transpose()?,
            not_after: period.1.map(to_unix).transpose()?,
        };
        if period.not_before.is_none() && period.not_after.is_none() {
            return Err(bad_period("neither notBefore nor notAfter is present"));
        }
        Ok(period)
    }

    /// The extension's value, DER, for a certificate builder.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        let field = |n: TagNumber, t: Option<i64>| -> Result<Option<ContextSpecific<_>>> {
            t.map(|t| {
                Ok(ContextSpecific {
                    tag_number: n,
                    tag_mode: TagMode::Implicit,
                    value: from_unix(t)?,
                })
            })
            .transpose()
        };
        let fields = [
            field(TagNumber::N0, self.not_before)?,
            field(TagNumber::N1, self.not_after)?,
        ];
        let mut contents = Vec::new();
        for f in fields.iter().flatten() {
            f.encode_to_vec(&mut contents).map_err(bad_period)?;
        }
        let mut out = Vec::new();
        der::Header::new(
            der::Tag::Sequence,
            der::Length::try_from(contents.len()).map_err(bad_period)?,
        )
        .map_err(bad_period)?
        .encode_to_vec(&mut out)
        .map_err(bad_period)?;
        out.extend(contents);
        // Round-trip through the parser so nothing malformed leaves here.
        UsagePeriod::from_der(&out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_the_rfc_3280_shape() {
        // 2026-01-01T00:00:00Z .. 2026-07-01T00:00:00Z
        let p = UsagePeriod {
            not_before: Some(1_767_225_600),
            not_after: Some(1_782_864_000),
        };
        let der = p.to_der().unwrap();
        let want = [
            &[0x30, 34, 0x80, 15][..],
            b"20260101000000Z",
            &[0x81, 15],
            b"20260701000000Z",
        ]
        .concat();
        assert_eq!(der, want);
        assert_eq!(UsagePeriod::from_der(&der).unwrap(), p);
        let only_after = UsagePeriod {
            not_before: None,
            not_after: Some(1_782_864_000),
        };
        let der = only_after.to_der().unwrap();
        assert_eq!(der.get(..4).unwrap(), [0x30, 17, 0x81, 15]);
        assert_eq!(UsagePeriod::from_der(&der).unwrap(), only_after);
    }

    #[test]
    fn refuses_malformed_values() {
        for (name, bad) in [
            ("empty sequence", vec![0x30, 0]),
            ("not a sequence", vec![0x04, 0]),
            ("truncated", vec![0x30, 17, 0x81, 15, b'2']),
            ("trailing bytes", [&[0x30, 0][..], &[0]].concat()),
            (
                "UTCTime, not GeneralizedTime contents",
                [&[0x30, 15, 0x80, 13][..], b"260101000000Z"].concat(),
            ),
        ] {
            let e = UsagePeriod::from_der(&bad).unwrap_err().to_string();
            assert!(e.contains("private key usage period"), "{name}: {e}");
        }
        let before_1970 = UsagePeriod {
            not_before: Some(-1),
            not_after: None,
        };
        assert!(before_1970.to_der().is_err());
    }
}
