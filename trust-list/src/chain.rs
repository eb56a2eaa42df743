//! Whether a signer certificate was issued by a country signing CA (CSCA). The DGCA
//! verifier service's lists are unsigned, so each DSC's own signature is its only link to an
//! authority the reader trusts. rustls-webpki (over aws-lc-rs, as certreg) checks the link: the
//! issuer name, the CSCA's signature, and the DSC's validity at its own notBefore (the instant
//! the CSCA vouched for it, when the CSCA must have been valid too; whether the DSC is still
//! valid is the verifier's expiry check).

use std::time::Duration;

use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm, UnixTime};
use webpki::aws_lc_rs as alg;
use webpki::{EndEntityCert, ExtendedKeyUsageValidator, KeyPurposeIdIter};
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

use crate::dsc::Dsc;
use crate::encoding;
use crate::error::{Error, Result};

/// The algorithms a CSCA may sign with: ECDSA P-256/P-384, RSA PKCS#1 v1.5 and RSA-PSS with
/// SHA-256/384/512, Ed25519 (what member states' CSCAs use, and more).
static CSCA_ALGS: &[&dyn SignatureVerificationAlgorithm] = &[
    alg::ECDSA_P256_SHA256,
    alg::ECDSA_P256_SHA384,
    alg::ECDSA_P384_SHA256,
    alg::ECDSA_P384_SHA384,
    alg::ED25519,
    alg::RSA_PKCS1_2048_8192_SHA256,
    alg::RSA_PKCS1_2048_8192_SHA384,
    alg::RSA_PKCS1_2048_8192_SHA512,
    alg::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
    alg::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
    alg::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
    alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
];

/// A DSC's extended key usage names the DCC types it may sign (checked by the verifier), not a
/// TLS purpose: every value is accepted here.
struct AnyPurpose;

impl ExtendedKeyUsageValidator for AnyPurpose {
    fn validate(&self, _: KeyPurposeIdIter<'_, '_>) -> std::result::Result<(), webpki::Error> {
        Ok(())
    }
}

/// A country signing CA: a certificate with `basicConstraints cA`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Csca {
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// Its subject, RFC 4514 style.
    pub subject: String,
    /// notBefore, Unix seconds.
    pub not_before: i64,
    /// notAfter, Unix seconds.
    pub not_after: i64,
}

impl Csca {
    /// Every certificate of `bytes` (a PEM bundle, DER or base64 of DER), each of which must be
    /// a CA.
    pub fn parse_all(bytes: &[u8]) -> Result<Vec<Csca>> {
        encoding::certificate_ders(bytes)?
            .into_iter()
            .enumerate()
            .map(|(i, der)| Csca::from_der(der).map_err(|e| e.at(format!("certificate {i}"))))
            .collect()
    }

    fn from_der(der: Vec<u8>) -> Result<Csca> {
        let (_, cert) =
            X509Certificate::from_der(&der).map_err(|e| Error::BadCertificate(e.to_string()))?;
        let subject = cert.subject().to_string();
        let is_ca = cert
            .basic_constraints()
            .map_err(|e| Error::BadCertificate(e.to_string()))?
            .is_some_and(|bc| bc.value.ca);
        if !is_ca {
            return Err(Error::NotCsca(subject));
        }
        let validity = cert.validity();
        Ok(Csca {
            not_before: validity.not_before.timestamp(),
            not_after: validity.not_after.timestamp(),
            der,
            subject,
        })
    }
}

/// Checks that one of `cscas`, valid when the DSC's validity began, issued `dsc`; the error
/// names the DSC's kid.
pub fn check_issued_by(dsc: &Dsc, cscas: &[Csca]) -> Result<()> {
    // webpki takes an anchor as a bare name and key: its validity is ours to check.
    let cscas: Vec<&Csca> = cscas
        .iter()
        .filter(|c| c.not_before <= dsc.not_before && dsc.not_before <= c.not_after)
        .collect();
    let refused = |reason: String| Error::NotIssued {
        kid: dsc.kid_base64(),
        reason,
    };
    let der = CertificateDer::from(dsc.der.as_slice());
    let end_entity = EndEntityCert::try_from(&der).map_err(|e| refused(explain(&e)))?;
    let ders: Vec<CertificateDer<'_>> = cscas
        .iter()
        .map(|c| CertificateDer::from(c.der.as_slice()))
        .collect();
    let anchors = ders
        .iter()
        .zip(&cscas)
        .map(|(der, c)| {
            webpki::anchor_from_trusted_cert(der)
                .map_err(|e| Error::BadCertificate(format!("CSCA {}: {}", c.subject, explain(&e))))
        })
        .collect::<Result<Vec<_>>>()?;
    let at = UnixTime::since_unix_epoch(Duration::from_secs(
        u64::try_from(dsc.not_before).unwrap_or(0),
    ));
    end_entity
        .verify_for_usage(CSCA_ALGS, &anchors, &[], at, AnyPurpose, None, None)
        .map(|_| ())
        .map_err(|e| refused(explain(&e)))
}

/// webpki's refusal in words.
fn explain(e: &webpki::Error) -> String {
    match e {
        webpki::Error::UnknownIssuer => {
            "issued by none of the given CSCAs that were valid when its validity began".into()
        }
        webpki::Error::InvalidSignatureForPublicKey => {
            "its signature does not verify with the key of the given CSCA of its issuer's name"
                .into()
        }
        webpki::Error::UnsupportedSignatureAlgorithmContext(_)
        | webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            "signed with an algorithm this reader does not take".into()
        }
        webpki::Error::CaUsedAsEndEntity => "it is a CA, not a signer certificate".into(),
        webpki::Error::BadDer | webpki::Error::BadDerTime => "not strict DER".into(),
        other => format!("{other:?}"),
    }
}
