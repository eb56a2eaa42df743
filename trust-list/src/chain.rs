//! Whether a signer certificate was issued by a country signing CA (CSCA). The DGCA
//! verifier service's lists are unsigned, so each DSC's own signature is its only link to an
//! authority the reader trusts. rustls-webpki (over aws-lc-rs, as certreg) checks the link: the
//! issuer name, the CSCA's signature, and the DSC's validity at its own notBefore (the instant
//! the CSCA vouched for it, when the CSCA must have been valid too; whether the DSC is still
//! valid is the verifier's expiry check). The same check links dcc's list signers to their
//! trust-list CA (`list_signer.rs`), at the verification time.

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
        parse_cas(bytes, Error::NotCsca)
    }
}

/// Every certificate of `bytes`, each of which must be a CA; `not_ca` names the role a
/// certificate without `basicConstraints cA` cannot play (CSCA, trust-list CA).
pub(crate) fn parse_cas(bytes: &[u8], not_ca: fn(String) -> Error) -> Result<Vec<Csca>> {
    encoding::certificate_ders(bytes)?
        .into_iter()
        .enumerate()
        .map(|(i, der)| ca_from_der(der, not_ca).map_err(|e| e.at(format!("certificate {i}"))))
        .collect()
}

fn ca_from_der(der: Vec<u8>, not_ca: fn(String) -> Error) -> Result<Csca> {
    let (_, cert) =
        X509Certificate::from_der(&der).map_err(|e| Error::BadCertificate(e.to_string()))?;
    let subject = cert.subject().to_string();
    let is_ca = cert
        .basic_constraints()
        .map_err(|e| Error::BadCertificate(e.to_string()))?
        .is_some_and(|bc| bc.value.ca);
    if !is_ca {
        return Err(not_ca(subject));
    }
    let validity = cert.validity();
    Ok(Csca {
        not_before: validity.not_before.timestamp(),
        not_after: validity.not_after.timestamp(),
        der,
        subject,
    })
}

/// Checks that one of `cscas`, valid when the DSC's validity began, issued `dsc`; the error
/// names the DSC's kid.
pub fn check_issued_by(dsc: &Dsc, cscas: &[Csca]) -> Result<()> {
    let refused = |reason: String| Error::NotIssued {
        kid: dsc.kid_base64(),
        reason,
    };
    let link = Link {
        anchor: "CSCA",
        when: "when its validity began",
        purpose: "any purpose",
        at: dsc.not_before,
    };
    link.verify(&dsc.der, cscas, AnyPurpose)
        .map_err(|refusal| refusal.into_error(refused))
}

/// One issuer → certificate link to check with webpki: the anchors' role and the instant,
/// which also word the refusals. Shared by the CSCA → DSC link and the trust-list CA → list
/// signer link (`list_signer.rs`).
pub(crate) struct Link {
    /// What the anchors are, singular ("CSCA", "trust-list CA").
    pub anchor: &'static str,
    /// The instant in words ("when its validity began").
    pub when: &'static str,
    /// The extended key usage required of the certificate, in words.
    pub purpose: &'static str,
    /// The instant, Unix seconds: the anchors and the certificate must be valid then.
    pub at: i64,
}

/// Why a link was refused: the certificate does not chain (the reason in words), or a given
/// anchor cannot be used at all.
pub(crate) enum Refusal {
    /// The certificate does not chain; why, in words.
    Refused(String),
    /// An anchor is unusable (the error names it).
    Unusable(Error),
}

impl Refusal {
    /// The crate error: `refused` wraps the reason of a certificate that does not chain.
    pub(crate) fn into_error(self, refused: impl FnOnce(String) -> Error) -> Error {
        match self {
            Refusal::Refused(reason) => refused(reason),
            Refusal::Unusable(e) => e,
        }
    }
}

impl Link {
    /// Checks that one of `cas` valid at `self.at` issued `cert_der`, itself valid then, with
    /// an extended key usage `usage` accepts.
    pub(crate) fn verify(
        &self,
        cert_der: &[u8],
        cas: &[Csca],
        usage: impl ExtendedKeyUsageValidator,
    ) -> std::result::Result<(), Refusal> {
        // webpki takes an anchor as a bare name and key: its validity is ours to check.
        let cas: Vec<&Csca> = cas
            .iter()
            .filter(|c| c.not_before <= self.at && self.at <= c.not_after)
            .collect();
        let der = CertificateDer::from(cert_der);
        let end_entity =
            EndEntityCert::try_from(&der).map_err(|e| Refusal::Refused(self.explain(&e)))?;
        let ders: Vec<CertificateDer<'_>> = cas
            .iter()
            .map(|c| CertificateDer::from(c.der.as_slice()))
            .collect();
        let anchors = ders
            .iter()
            .zip(&cas)
            .map(|(der, c)| {
                webpki::anchor_from_trusted_cert(der).map_err(|e| {
                    Refusal::Unusable(Error::BadCertificate(format!(
                        "{} {}: {}",
                        self.anchor,
                        c.subject,
                        self.explain(&e)
                    )))
                })
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let at =
            UnixTime::since_unix_epoch(Duration::from_secs(u64::try_from(self.at).unwrap_or(0)));
        end_entity
            .verify_for_usage(CSCA_ALGS, &anchors, &[], at, usage, None, None)
            .map(|_| ())
            .map_err(|e| Refusal::Refused(self.explain(&e)))
    }

    /// webpki's refusal in words.
    fn explain(&self, e: &webpki::Error) -> String {
        let anchor = self.anchor;
        match e {
            webpki::Error::UnknownIssuer => format!(
                "issued by none of the given {anchor}s that were valid {}",
                self.when
            ),
            webpki::Error::InvalidSignatureForPublicKey => format!(
                "its signature does not verify with the key of the given {anchor} of its issuer's \
                 name"
            ),
            webpki::Error::UnsupportedSignatureAlgorithmContext(_)
            | webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
                "signed with an algorithm this reader does not take".into()
            }
            webpki::Error::CaUsedAsEndEntity => "it is a CA, not a signer certificate".into(),
            webpki::Error::BadDer | webpki::Error::BadDerTime => "not strict DER".into(),
            webpki::Error::CertExpired { .. } => {
                format!("it has expired: it is not valid {}", self.when)
            }
            webpki::Error::CertNotValidYet { .. } => format!("it is not valid yet {}", self.when),
            webpki::Error::RequiredEkuNotFoundContext(_) => {
                format!("its extended key usage does not include {}", self.purpose)
            }
            other => format!("{other:?}"),
        }
    }
}
