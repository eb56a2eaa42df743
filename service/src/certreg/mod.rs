//! Registration by a personal certificate: a registry user proves possession of a certificate
//! issued by a trusted certification authority by signing a challenge the server handed out.
//!
//! Pure: no I/O and no clock (the caller passes `now` in Unix seconds). Two proof forms:
//!
//! * **plain** ([`verify_plain`]): PEM (or DER) certificates, the user's first and optional
//!   intermediates after it, and a raw signature over exactly the challenge bytes: ECDSA P-256 with
//!   SHA-256 or P-384 with SHA-384 (ASN.1 DER `Ecdsa-Sig-Value`), RSA PKCS#1 v1.5 or RSA-PSS with
//!   SHA-256 (salt length 32, MGF1-SHA-256), or Ed25519;
//! * **CMS** ([`verify_cms`]): a DER or PEM CMS/PKCS#7 `ContentInfo` holding a `SignedData` with
//!   exactly one `SignerInfo`, the challenge as encapsulated `id-data` content or detached; when
//!   signed attributes are present their `messageDigest` must be the digest of the challenge
//!   (and `contentType`, if present, `id-data`). The signer's certificate and any intermediates
//!   come from the `SignedData` certificates. The encoding must be DER (no BER indefinite
//!   lengths, as `openssl cms -sign` without `-stream` writes): the signed attributes are
//!   verified in their DER (sorted) re-encoding, as RFC 5652 prescribes.
//!
//! [`verify`] takes either form as a [`Proof`]; [`ProofKind::detect`] tells them apart.
//!
//! In both forms the user certificate must chain to one of the [`TrustedCas`] (directly or through
//! supplied intermediates, at most [`MAX_CHAIN_DEPTH`] issuers), every certificate of the chain
//! must be valid at `now`, every issuer must be a CA (`basicConstraints cA`, `keyCertSign` when
//! `keyUsage` is present, `pathLenConstraint` honoured), and the user certificate must be an
//! end-entity certificate allowed to sign (`digitalSignature` or `nonRepudiation` when `keyUsage`
//! is present; `clientAuth`, `emailProtection` or `anyExtendedKeyUsage` when `extendedKeyUsage`
//! is present). Critical extensions other than basicConstraints, keyUsage, extendedKeyUsage,
//! subjectAltName, certificatePolicies and the key identifiers are refused on the user certificate
//! and the intermediates (name and policy constraints are not processed). Revocation (CRL, OCSP)
//! is not checked here.
//!
//! Signatures are checked with `aws-lc-rs`: RSA PKCS#1 v1.5 and RSA-PSS with SHA-256/384/512
//! (2048 to 8192 bits), ECDSA P-256/P-384 with SHA-256/384, Ed25519.

use std::fmt::Write as _;

use aws_lc_rs::signature::{self as sig, UnparsedPublicKey, VerificationAlgorithm};
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{ObjectIdentifier, OctetStringRef};
use der::oid::db::{rfc5911, rfc5912, rfc8410};
use der::{Decode as _, Encode as _};
use x509_parser::der_parser::asn1_rs::{Class, Tag, ToDer as _};
use x509_parser::prelude::FromDer as _;
use x509_parser::prelude::{
    AlgorithmIdentifier, AttributeTypeAndValue, GeneralName, ParsedExtension, SubjectPublicKeyInfo,
    X509Certificate, X509Name,
};
use x509_parser::signature_algorithm::RsaSsaPssParams;

/// The most issuers between the user certificate and a trust anchor, the anchor included
/// (so at most `MAX_CHAIN_DEPTH - 1` intermediates).
pub const MAX_CHAIN_DEPTH: usize = 4;

/// The most certificates a proof may carry (user certificate and intermediates).
pub const MAX_CERTIFICATES: usize = 16;

/// Why a certificate registration proof (or the trusted CA configuration) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertRegError {
    #[error("the challenge is empty")]
    EmptyChallenge,
    #[error("malformed PEM: {0}")]
    Pem(String),
    #[error("no certificate given")]
    NoCertificate,
    #[error("too many certificates: {0} (at most {MAX_CERTIFICATES})")]
    TooManyCertificates(usize),
    #[error("certificate #{index} is not a valid X.509 certificate: {reason}")]
    Certificate { index: usize, reason: String },
    #[error("certificate \"{subject}\" has a malformed extension: {reason}")]
    Extension { subject: String, reason: String },
    #[error("certificate \"{subject}\" has an unsupported critical extension {oid}")]
    CriticalExtension { subject: String, oid: String },
    #[error("certificate \"{subject}\" expired at {not_after} (now {now}, Unix seconds)")]
    Expired {
        subject: String,
        not_after: i64,
        now: i64,
    },
    #[error(
        "certificate \"{subject}\" is not valid before {not_before} (now {now}, Unix seconds)"
    )]
    NotYetValid {
        subject: String,
        not_before: i64,
        now: i64,
    },
    #[error("certificate \"{subject}\" cannot issue certificates: {reason}")]
    NotACa { subject: String, reason: String },
    #[error("CA certificate \"{subject}\" allows {allowed} intermediate(s) below it, the chain has {found}")]
    PathLength {
        subject: String,
        allowed: u32,
        found: usize,
    },
    #[error("the user certificate \"{subject}\" is a CA certificate")]
    UserIsCa { subject: String },
    #[error("the user certificate \"{subject}\" does not allow signing (keyUsage has neither digitalSignature nor nonRepudiation)")]
    KeyUsage { subject: String },
    #[error("the user certificate \"{subject}\" is not for client authentication or e-mail protection (extendedKeyUsage)")]
    ExtendedKeyUsage { subject: String },
    #[error("no trusted CA or supplied intermediate issued \"{subject}\" (issuer \"{issuer}\")")]
    UntrustedIssuer { subject: String, issuer: String },
    #[error("the signature of \"{subject}\" does not verify with the key of \"{issuer}\"")]
    ChainSignature { subject: String, issuer: String },
    #[error("the chain from \"{subject}\" needs more than {MAX_CHAIN_DEPTH} issuers")]
    ChainTooLong { subject: String },
    #[error("unsupported public key: {0}")]
    UnsupportedKey(String),
    #[error("unsupported signature algorithm: {0}")]
    UnsupportedAlgorithm(String),
    #[error("the signature over the challenge does not verify with the key of \"{subject}\"")]
    BadSignature { subject: String },
    #[error("malformed CMS: {0}")]
    Cms(String),
    #[error("unsupported CMS: {0}")]
    CmsUnsupported(String),
    #[error("the CMS SignedData has {0} SignerInfos, exactly one is expected")]
    CmsSignerCount(usize),
    #[error("the signer's certificate is not in the CMS SignedData")]
    CmsSignerNotFound,
    #[error("the content signed in the CMS is not the challenge")]
    CmsContentMismatch,
    #[error("the CMS messageDigest attribute is not the digest of the challenge")]
    CmsDigestMismatch,
    #[error("CMS signed attributes: {0}")]
    CmsSignedAttributes(String),
}

/// The configured trust anchors: CA certificates (DER), each checked at load to be a CA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedCas {
    certs: Vec<Vec<u8>>,
}

impl TrustedCas {
    /// Reads one or more `CERTIFICATE` PEM blocks (or concatenated DER certificates). Every
    /// certificate must have `basicConstraints cA=true` (and `keyCertSign` when `keyUsage` is
    /// present); validity is checked at verification time, against its `now`.
    pub fn from_pem(pem: &[u8]) -> Result<Self, CertRegError> {
        let certs = read_certificates(pem)?;
        if certs.is_empty() {
            return Err(CertRegError::NoCertificate);
        }
        for (index, der) in certs.iter().enumerate() {
            let parsed = Parsed::new(der, index)?;
            check_ca(&parsed, 0)?;
        }
        Ok(Self { certs })
    }

    /// How many trust anchors are configured (never zero).
    pub fn count(&self) -> usize {
        self.certs.len()
    }

    fn parsed(&self) -> Result<Vec<Parsed<'_>>, CertRegError> {
        self.certs
            .iter()
            .enumerate()
            .map(|(index, der)| Parsed::new(der, index))
            .collect()
    }
}

/// The form of a proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofKind {
    /// Certificates plus a raw signature over the challenge.
    Plain,
    /// A CMS/PKCS#7 SignedData (certificates inside it).
    Cms,
}

impl ProofKind {
    /// `Cms` when `signature` is a PEM `CMS`/`PKCS7` block or a DER `ContentInfo` of type
    /// signedData, `Plain` otherwise.
    pub fn detect(signature: &[u8]) -> Self {
        if looks_like_pem(signature) {
            match pem::parse(signature) {
                Ok(block) if is_cms_label(block.tag()) => Self::Cms,
                _ => Self::Plain,
            }
        } else {
            match ContentInfo::from_der(signature) {
                Ok(ci) if ci.content_type == rfc5911::ID_SIGNED_DATA => Self::Cms,
                _ => Self::Plain,
            }
        }
    }
}

/// What a user submitted in answer to a challenge.
#[derive(Debug, Clone, Copy)]
pub struct Proof<'a> {
    pub kind: ProofKind,
    /// PEM (or DER) certificates: for `Plain` the user certificate first, then optional
    /// intermediates; for `Cms` optional extra intermediates (may be empty).
    pub certificates: &'a [u8],
    /// `Plain`: the raw signature; `Cms`: the DER or PEM `ContentInfo`.
    pub signature: &'a [u8],
}

/// The verified certificate holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// The subject distinguished name as an RFC 4514 string (last RDN first).
    pub subject: String,
    pub common_name: Option<String>,
    /// The first rfc822Name of subjectAltName, else the subject's emailAddress attribute.
    pub email: Option<String>,
    /// The serial number in lower-case hex, without leading zero bytes.
    pub serial_hex: String,
    /// SHA-256 over the certificate's DER encoding.
    pub fingerprint_sha256: [u8; 32],
    /// End of the certificate's validity (Unix seconds).
    pub not_after: i64,
}

/// Verifies a proof of either kind (see [`verify_plain`], [`verify_cms`]).
pub fn verify(
    cas: &TrustedCas,
    proof: &Proof<'_>,
    challenge: &[u8],
    now: i64,
) -> Result<Signer, CertRegError> {
    match proof.kind {
        ProofKind::Plain => verify_plain(cas, proof.certificates, challenge, proof.signature, now),
        ProofKind::Cms => verify_cms_with(cas, proof.signature, proof.certificates, challenge, now),
    }
}

/// Verifies a plain proof: `certs_pem` holds the user certificate first and optional
/// intermediates, `signature` is over exactly `challenge`.
pub fn verify_plain(
    cas: &TrustedCas,
    certs_pem: &[u8],
    challenge: &[u8],
    signature: &[u8],
    now: i64,
) -> Result<Signer, CertRegError> {
    if challenge.is_empty() {
        return Err(CertRegError::EmptyChallenge);
    }
    let ders = read_certificates(certs_pem)?;
    if ders.len() > MAX_CERTIFICATES {
        return Err(CertRegError::TooManyCertificates(ders.len()));
    }
    let parsed = parse_all(&ders)?;
    let (user, rest) = parsed.split_first().ok_or(CertRegError::NoCertificate)?;
    let pool: Vec<&Parsed<'_>> = rest.iter().collect();
    let anchors = cas.parsed()?;
    check_user(user, now)?;
    build_chain(&anchors, user, &pool, now)?;
    verify_plain_signature(user, challenge, signature)?;
    Ok(user.signer())
}

/// Verifies a CMS proof: `cms_der_or_pem` is a `ContentInfo` holding a `SignedData` over
/// `challenge` (encapsulated or detached) with the signer's certificate inside.
pub fn verify_cms(
    cas: &TrustedCas,
    cms_der_or_pem: &[u8],
    challenge: &[u8],
    now: i64,
) -> Result<Signer, CertRegError> {
    verify_cms_with(cas, cms_der_or_pem, &[], challenge, now)
}

fn verify_cms_with(
    cas: &TrustedCas,
    cms_input: &[u8],
    extra_certs: &[u8],
    challenge: &[u8],
    now: i64,
) -> Result<Signer, CertRegError> {
    if challenge.is_empty() {
        return Err(CertRegError::EmptyChallenge);
    }
    let der = cms_der(cms_input)?;
    let ci = ContentInfo::from_der(&der)
        .map_err(|e| CertRegError::Cms(format!("not a ContentInfo: {e}")))?;
    if ci.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(CertRegError::CmsUnsupported(format!(
            "content type {} is not signedData",
            ci.content_type
        )));
    }
    let sd: SignedData = ci
        .content
        .decode_as()
        .map_err(|e| CertRegError::Cms(format!("SignedData: {e}")))?;
    let mut infos = sd.signer_infos.0.iter();
    let (Some(si), None) = (infos.next(), infos.next()) else {
        return Err(CertRegError::CmsSignerCount(sd.signer_infos.0.len()));
    };

    let econtent = &sd.encap_content_info;
    if econtent.econtent_type != rfc5911::ID_DATA {
        return Err(CertRegError::CmsUnsupported(format!(
            "encapsulated content type {} is not id-data",
            econtent.econtent_type
        )));
    }
    if let Some(content) = &econtent.econtent {
        let content: OctetStringRef<'_> = content
            .decode_as()
            .map_err(|e| CertRegError::Cms(format!("eContent: {e}")))?;
        if content.as_bytes() != challenge {
            return Err(CertRegError::CmsContentMismatch);
        }
    }

    let digest = Hash::from_oid_bytes(si.digest_alg.oid.as_bytes()).ok_or_else(|| {
        CertRegError::CmsUnsupported(format!("digest algorithm {}", si.digest_alg.oid))
    })?;
    let signed_attrs_der;
    let message: &[u8] = match &si.signed_attrs {
        Some(attrs) => {
            check_signed_attributes(si, digest, challenge, &econtent.econtent_type)?;
            // The signature covers the DER of the attributes with the SET OF tag (RFC 5652 5.4).
            signed_attrs_der = attrs
                .to_der()
                .map_err(|e| CertRegError::Cms(format!("signed attributes: {e}")))?;
            &signed_attrs_der
        }
        None => challenge,
    };

    let mut ders = Vec::new();
    if let Some(set) = &sd.certificates {
        for choice in set.0.iter() {
            if let CertificateChoices::Certificate(cert) = choice {
                ders.push(
                    cert.to_der()
                        .map_err(|e| CertRegError::Cms(format!("certificate: {e}")))?,
                );
            }
        }
    }
    if !extra_certs.is_empty() {
        ders.extend(read_certificates(extra_certs)?);
    }
    if ders.len() > MAX_CERTIFICATES {
        return Err(CertRegError::TooManyCertificates(ders.len()));
    }
    let parsed = parse_all(&ders)?;
    let signer_index = find_signer(&si.sid, &parsed)?.ok_or(CertRegError::CmsSignerNotFound)?;
    let user = parsed
        .get(signer_index)
        .ok_or(CertRegError::CmsSignerNotFound)?;
    let pool: Vec<&Parsed<'_>> = parsed
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != signer_index)
        .map(|(_, p)| p)
        .collect();
    let anchors = cas.parsed()?;
    check_user(user, now)?;
    build_chain(&anchors, user, &pool, now)?;

    let alg_der = si
        .signature_algorithm
        .to_der()
        .map_err(|e| CertRegError::Cms(format!("signature algorithm: {e}")))?;
    let alg = match AlgorithmIdentifier::from_der(&alg_der) {
        Ok(([], alg)) => alg,
        _ => return Err(CertRegError::Cms("malformed signature algorithm".into())),
    };
    let scheme = Scheme::from_algorithm(&alg, Some(digest))?;
    let key = KeyKind::of(user.cert.public_key())?;
    let verifier = verification_algorithm(key, scheme).ok_or_else(|| {
        CertRegError::UnsupportedAlgorithm(format!(
            "signature algorithm {} does not fit the signer's {} key",
            alg.algorithm,
            key.name()
        ))
    })?;
    UnparsedPublicKey::new(verifier, key_bytes(user.cert.public_key()))
        .verify(message, si.signature.as_bytes())
        .map_err(|_| CertRegError::BadSignature {
            subject: user.subject.clone(),
        })?;
    Ok(user.signer())
}

/// Checks `messageDigest` (mandatory) and `contentType` (if present) of the signed attributes.
fn check_signed_attributes(
    si: &SignerInfo,
    digest: Hash,
    content: &[u8],
    econtent_type: &ObjectIdentifier,
) -> Result<(), CertRegError> {
    let Some(attrs) = &si.signed_attrs else {
        return Ok(());
    };
    let single = |oid: ObjectIdentifier, name: &str| {
        let mut found = attrs.iter().filter(|a| a.oid == oid);
        match (found.next(), found.next()) {
            (None, _) => Ok(None),
            (Some(_), Some(_)) => Err(CertRegError::CmsSignedAttributes(format!(
                "{name} appears more than once"
            ))),
            (Some(attr), None) => {
                let mut values = attr.values.iter();
                match (values.next(), values.next()) {
                    (Some(v), None) => Ok(Some(v)),
                    _ => Err(CertRegError::CmsSignedAttributes(format!(
                        "{name} must have exactly one value"
                    ))),
                }
            }
        }
    };
    let md = single(rfc5911::ID_MESSAGE_DIGEST, "messageDigest")?
        .ok_or_else(|| CertRegError::CmsSignedAttributes("no messageDigest attribute".into()))?;
    let md: OctetStringRef<'_> = md
        .decode_as()
        .map_err(|e| CertRegError::CmsSignedAttributes(format!("messageDigest: {e}")))?;
    if md.as_bytes() != digest.digest(content).as_ref() {
        return Err(CertRegError::CmsDigestMismatch);
    }
    if let Some(ct) = single(rfc5911::ID_CONTENT_TYPE, "contentType")? {
        let ct: ObjectIdentifier = ct
            .decode_as()
            .map_err(|e| CertRegError::CmsSignedAttributes(format!("contentType: {e}")))?;
        if ct != *econtent_type {
            return Err(CertRegError::CmsSignedAttributes(format!(
                "contentType {ct} differs from the encapsulated content type {econtent_type}"
            )));
        }
    }
    Ok(())
}

/// The index of the certificate `sid` designates.
fn find_signer(
    sid: &SignerIdentifier,
    certs: &[Parsed<'_>],
) -> Result<Option<usize>, CertRegError> {
    Ok(match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            let issuer = ias
                .issuer
                .to_der()
                .map_err(|e| CertRegError::Cms(format!("signer issuer: {e}")))?;
            let serial = trim_leading_zeros(ias.serial_number.as_bytes());
            certs.iter().position(|c| {
                c.cert.issuer().as_raw() == issuer.as_slice()
                    && trim_leading_zeros(c.cert.raw_serial()) == serial
            })
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            let want = ski.0.as_bytes();
            certs.iter().position(|c| c.subject_key_id() == Some(want))
        }
    })
}

fn cms_der(input: &[u8]) -> Result<Vec<u8>, CertRegError> {
    if !looks_like_pem(input) {
        return Ok(input.to_vec());
    }
    let block = pem::parse(input).map_err(|e| CertRegError::Pem(e.to_string()))?;
    if !is_cms_label(block.tag()) {
        return Err(CertRegError::Pem(format!(
            "unexpected PEM block \"{}\" (expected CMS or PKCS7)",
            block.tag()
        )));
    }
    Ok(block.into_contents())
}

fn is_cms_label(label: &str) -> bool {
    matches!(label, "CMS" | "PKCS7" | "PKCS #7 SIGNED DATA")
}

fn looks_like_pem(input: &[u8]) -> bool {
    input.windows(11).any(|w| w == b"-----BEGIN ")
}

/// The DER certificates of PEM `CERTIFICATE` blocks, or of concatenated DER certificates.
fn read_certificates(input: &[u8]) -> Result<Vec<Vec<u8>>, CertRegError> {
    if looks_like_pem(input) {
        let blocks = pem::parse_many(input).map_err(|e| CertRegError::Pem(e.to_string()))?;
        let begins = input.windows(11).filter(|w| *w == b"-----BEGIN ").count();
        if blocks.len() != begins {
            return Err(CertRegError::Pem(format!(
                "{} of {begins} PEM blocks are incomplete or malformed",
                begins.saturating_sub(blocks.len())
            )));
        }
        return blocks
            .into_iter()
            .map(|block| match block.tag() {
                "CERTIFICATE" | "X509 CERTIFICATE" => Ok(block.into_contents()),
                other => Err(CertRegError::Pem(format!(
                    "unexpected PEM block \"{other}\" (expected CERTIFICATE)"
                ))),
            })
            .collect();
    }
    let mut out = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        let next = match x509_parser::parse_x509_certificate(rest) {
            Ok((next, _)) => next,
            Err(e) => {
                return Err(CertRegError::Certificate {
                    index: out.len(),
                    reason: e.to_string(),
                })
            }
        };
        let used = rest.len().saturating_sub(next.len());
        let (cert, _) = rest
            .split_at_checked(used)
            .ok_or(CertRegError::Certificate {
                index: out.len(),
                reason: "length".into(),
            })?;
        out.push(cert.to_vec());
        rest = next;
    }
    Ok(out)
}

fn parse_all(ders: &[Vec<u8>]) -> Result<Vec<Parsed<'_>>, CertRegError> {
    ders.iter()
        .enumerate()
        .map(|(index, der)| Parsed::new(der, index))
        .collect()
}

/// A parsed certificate with its DER and its subject as text (for messages).
struct Parsed<'a> {
    der: &'a [u8],
    cert: X509Certificate<'a>,
    subject: String,
}

impl<'a> Parsed<'a> {
    fn new(der: &'a [u8], index: usize) -> Result<Self, CertRegError> {
        let cert = match X509Certificate::from_der(der) {
            Ok((rest, _)) if !rest.is_empty() => {
                return Err(CertRegError::Certificate {
                    index,
                    reason: format!("{} bytes after the certificate", rest.len()),
                })
            }
            Ok((_, cert)) => cert,
            Err(e) => {
                return Err(CertRegError::Certificate {
                    index,
                    reason: e.to_string(),
                })
            }
        };
        let subject = rfc4514(cert.subject());
        Ok(Self { der, cert, subject })
    }

    fn issuer_text(&self) -> String {
        rfc4514(self.cert.issuer())
    }

    fn extension_error(&self, e: impl std::fmt::Display) -> CertRegError {
        CertRegError::Extension {
            subject: self.subject.clone(),
            reason: e.to_string(),
        }
    }

    fn subject_key_id(&self) -> Option<&[u8]> {
        self.cert
            .extensions()
            .iter()
            .find_map(|ext| match ext.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(id) => Some(id.0),
                _ => None,
            })
    }

    fn signer(&self) -> Signer {
        let common_name = self
            .cert
            .subject()
            .iter_common_name()
            .find_map(attribute_string);
        let san_email = match self.cert.subject_alternative_name() {
            Ok(Some(san)) => san.value.general_names.iter().find_map(|name| match name {
                GeneralName::RFC822Name(email) => Some((*email).to_owned()),
                _ => None,
            }),
            _ => None,
        };
        let email =
            san_email.or_else(|| self.cert.subject().iter_email().find_map(attribute_string));
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, self.der);
        let mut fingerprint_sha256 = [0u8; 32];
        if let Ok(bytes) = <[u8; 32]>::try_from(digest.as_ref()) {
            fingerprint_sha256 = bytes;
        }
        Signer {
            subject: self.subject.clone(),
            common_name,
            email,
            serial_hex: hex::encode(trim_leading_zeros(self.cert.raw_serial())),
            fingerprint_sha256,
            not_after: self.cert.validity().not_after.timestamp(),
        }
    }
}

fn trim_leading_zeros(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&b| b != 0) {
        Some(first) => bytes.get(first..).unwrap_or(bytes),
        None => bytes.get(bytes.len().saturating_sub(1)..).unwrap_or(bytes),
    }
}

fn check_validity(c: &Parsed<'_>, now: i64) -> Result<(), CertRegError> {
    let validity = c.cert.validity();
    let not_before = validity.not_before.timestamp();
    let not_after = validity.not_after.timestamp();
    if now < not_before {
        return Err(CertRegError::NotYetValid {
            subject: c.subject.clone(),
            not_before,
            now,
        });
    }
    if now > not_after {
        return Err(CertRegError::Expired {
            subject: c.subject.clone(),
            not_after,
            now,
        });
    }
    Ok(())
}

/// Refuses duplicate extensions and critical extensions this module does not process.
fn check_extensions(c: &Parsed<'_>) -> Result<(), CertRegError> {
    c.cert.extensions_map().map_err(|e| c.extension_error(e))?;
    for ext in c.cert.extensions().iter().filter(|ext| ext.critical) {
        let understood = matches!(
            ext.parsed_extension(),
            ParsedExtension::BasicConstraints(_)
                | ParsedExtension::KeyUsage(_)
                | ParsedExtension::ExtendedKeyUsage(_)
                | ParsedExtension::SubjectAlternativeName(_)
                | ParsedExtension::CertificatePolicies(_)
                | ParsedExtension::SubjectKeyIdentifier(_)
                | ParsedExtension::AuthorityKeyIdentifier(_)
        );
        if !understood {
            return Err(CertRegError::CriticalExtension {
                subject: c.subject.clone(),
                oid: ext.oid.to_id_string(),
            });
        }
    }
    Ok(())
}

/// The end-entity checks of the user certificate: validity, extensions, not a CA, key usages.
fn check_user(user: &Parsed<'_>, now: i64) -> Result<(), CertRegError> {
    check_validity(user, now)?;
    check_extensions(user)?;
    let subject = || user.subject.clone();
    let bc = user
        .cert
        .basic_constraints()
        .map_err(|e| user.extension_error(e))?;
    if bc.is_some_and(|bc| bc.value.ca) {
        return Err(CertRegError::UserIsCa { subject: subject() });
    }
    if let Some(ku) = user.cert.key_usage().map_err(|e| user.extension_error(e))? {
        if !(ku.value.digital_signature() || ku.value.non_repudiation()) {
            return Err(CertRegError::KeyUsage { subject: subject() });
        }
    }
    if let Some(eku) = user
        .cert
        .extended_key_usage()
        .map_err(|e| user.extension_error(e))?
    {
        let eku = eku.value;
        if !(eku.any || eku.client_auth || eku.email_protection) {
            return Err(CertRegError::ExtendedKeyUsage { subject: subject() });
        }
    }
    Ok(())
}

/// `ca` may issue certificates, with `below` intermediates between it and the user certificate.
fn check_ca(ca: &Parsed<'_>, below: usize) -> Result<(), CertRegError> {
    let not_a_ca = |reason: &str| CertRegError::NotACa {
        subject: ca.subject.clone(),
        reason: reason.into(),
    };
    match ca
        .cert
        .basic_constraints()
        .map_err(|e| ca.extension_error(e))?
    {
        Some(bc) if bc.value.ca => {
            if let Some(allowed) = bc.value.path_len_constraint {
                if usize::try_from(allowed).is_ok_and(|allowed| below > allowed) {
                    return Err(CertRegError::PathLength {
                        subject: ca.subject.clone(),
                        allowed,
                        found: below,
                    });
                }
            }
        }
        Some(_) => return Err(not_a_ca("basicConstraints has cA=false")),
        None => return Err(not_a_ca("no basicConstraints extension")),
    }
    if let Some(ku) = ca.cert.key_usage().map_err(|e| ca.extension_error(e))? {
        if !ku.value.key_cert_sign() {
            return Err(not_a_ca("keyUsage lacks keyCertSign"));
        }
    }
    Ok(())
}

/// Finds a path from `user` to one of `anchors` through `pool` (greedy: the first issuer that
/// verifies and passes the CA and validity checks is taken; anchors are tried first).
fn build_chain(
    anchors: &[Parsed<'_>],
    user: &Parsed<'_>,
    pool: &[&Parsed<'_>],
    now: i64,
) -> Result<(), CertRegError> {
    let mut current = user;
    let mut used = vec![false; pool.len()];
    for intermediates in 0..MAX_CHAIN_DEPTH {
        let issuer_name = current.cert.issuer().as_raw();
        let mut first_error = None;
        for anchor in anchors
            .iter()
            .filter(|a| a.cert.subject().as_raw() == issuer_name)
        {
            match accept_issuer(current, anchor, intermediates, now) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        let mut next = None;
        for (i, candidate) in pool.iter().enumerate() {
            if used.get(i).copied().unwrap_or(true)
                || candidate.cert.subject().as_raw() != issuer_name
            {
                continue;
            }
            let accepted = accept_issuer(current, candidate, intermediates, now)
                .and_then(|()| check_extensions(candidate));
            match accepted {
                Ok(()) => {
                    next = Some(i);
                    break;
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        let Some(i) = next else {
            return Err(
                first_error.unwrap_or_else(|| CertRegError::UntrustedIssuer {
                    subject: current.subject.clone(),
                    issuer: current.issuer_text(),
                }),
            );
        };
        if let Some(slot) = used.get_mut(i) {
            *slot = true;
        }
        current = pool.get(i).copied().ok_or(CertRegError::NoCertificate)?;
    }
    Err(CertRegError::ChainTooLong {
        subject: user.subject.clone(),
    })
}

fn accept_issuer(
    child: &Parsed<'_>,
    issuer: &Parsed<'_>,
    below: usize,
    now: i64,
) -> Result<(), CertRegError> {
    verify_certificate_signature(child, issuer)?;
    check_ca(issuer, below)?;
    check_validity(issuer, now)
}

fn verify_certificate_signature(
    child: &Parsed<'_>,
    issuer: &Parsed<'_>,
) -> Result<(), CertRegError> {
    let bad = || CertRegError::ChainSignature {
        subject: child.subject.clone(),
        issuer: issuer.subject.clone(),
    };
    let cert = &child.cert;
    if cert.signature_algorithm != cert.tbs_certificate.signature {
        return Err(bad());
    }
    let scheme = Scheme::from_algorithm(&cert.signature_algorithm, None)?;
    let key = KeyKind::of(issuer.cert.public_key())?;
    let verifier = verification_algorithm(key, scheme).ok_or_else(bad)?;
    UnparsedPublicKey::new(verifier, key_bytes(issuer.cert.public_key()))
        .verify(cert.tbs_certificate.as_ref(), &cert.signature_value.data)
        .map_err(|_| bad())
}

fn verify_plain_signature(
    user: &Parsed<'_>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CertRegError> {
    let spki = user.cert.public_key();
    let key = KeyKind::of(spki)?;
    let schemes: &[Scheme] = match key {
        KeyKind::Rsa => &[Scheme::Pkcs1(Hash::Sha256), Scheme::Pss(Hash::Sha256)],
        KeyKind::RsaPss => &[Scheme::Pss(Hash::Sha256)],
        KeyKind::P256 => &[Scheme::Ecdsa(Hash::Sha256)],
        KeyKind::P384 => &[Scheme::Ecdsa(Hash::Sha384)],
        KeyKind::Ed25519 => &[Scheme::Ed25519],
    };
    let verified = schemes.iter().any(|&scheme| {
        verification_algorithm(key, scheme).is_some_and(|alg| {
            UnparsedPublicKey::new(alg, key_bytes(spki))
                .verify(message, signature)
                .is_ok()
        })
    });
    if verified {
        Ok(())
    } else {
        Err(CertRegError::BadSignature {
            subject: user.subject.clone(),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn from_oid_bytes(oid: &[u8]) -> Option<Self> {
        if oid == rfc5912::ID_SHA_256.as_bytes() {
            Some(Self::Sha256)
        } else if oid == rfc5912::ID_SHA_384.as_bytes() {
            Some(Self::Sha384)
        } else if oid == rfc5912::ID_SHA_512.as_bytes() {
            Some(Self::Sha512)
        } else {
            None
        }
    }

    fn len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    fn digest(self, data: &[u8]) -> aws_lc_rs::digest::Digest {
        let alg = match self {
            Self::Sha256 => &aws_lc_rs::digest::SHA256,
            Self::Sha384 => &aws_lc_rs::digest::SHA384,
            Self::Sha512 => &aws_lc_rs::digest::SHA512,
        };
        aws_lc_rs::digest::digest(alg, data)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Pkcs1(Hash),
    Pss(Hash),
    Ecdsa(Hash),
    Ed25519,
}

impl Scheme {
    /// The scheme of a signature AlgorithmIdentifier. `cms_digest` is the SignerInfo digest
    /// algorithm, which CMS pairs with the bare key algorithms rsaEncryption and id-ecPublicKey.
    fn from_algorithm(
        alg: &AlgorithmIdentifier<'_>,
        cms_digest: Option<Hash>,
    ) -> Result<Self, CertRegError> {
        let oid = alg.algorithm.as_bytes();
        let unsupported = || CertRegError::UnsupportedAlgorithm(alg.algorithm.to_id_string());
        let is = |known: ObjectIdentifier| oid == known.as_bytes();
        Ok(if is(rfc5912::SHA_256_WITH_RSA_ENCRYPTION) {
            Self::Pkcs1(Hash::Sha256)
        } else if is(rfc5912::SHA_384_WITH_RSA_ENCRYPTION) {
            Self::Pkcs1(Hash::Sha384)
        } else if is(rfc5912::SHA_512_WITH_RSA_ENCRYPTION) {
            Self::Pkcs1(Hash::Sha512)
        } else if is(rfc5912::RSA_ENCRYPTION) {
            Self::Pkcs1(cms_digest.ok_or_else(unsupported)?)
        } else if is(rfc5912::ID_RSASSA_PSS) {
            Self::Pss(pss_hash(alg)?)
        } else if is(rfc5912::ECDSA_WITH_SHA_256) {
            Self::Ecdsa(Hash::Sha256)
        } else if is(rfc5912::ECDSA_WITH_SHA_384) {
            Self::Ecdsa(Hash::Sha384)
        } else if is(rfc5912::ID_EC_PUBLIC_KEY) {
            Self::Ecdsa(cms_digest.ok_or_else(unsupported)?)
        } else if is(rfc8410::ID_ED_25519) {
            Self::Ed25519
        } else {
            return Err(unsupported());
        })
    }
}

/// The hash of RSASSA-PSS parameters, which must be MGF1 with the same hash, a salt as long as
/// the hash and trailer field 1 (what `aws-lc-rs` verifies).
fn pss_hash(alg: &AlgorithmIdentifier<'_>) -> Result<Hash, CertRegError> {
    let unsupported = |what: &str| CertRegError::UnsupportedAlgorithm(format!("RSA-PSS {what}"));
    let params = alg
        .parameters
        .as_ref()
        .ok_or_else(|| unsupported("without parameters"))?;
    let params =
        RsaSsaPssParams::try_from(params).map_err(|_| unsupported("with malformed parameters"))?;
    let hash = Hash::from_oid_bytes(params.hash_algorithm_oid().as_bytes())
        .ok_or_else(|| unsupported("with a hash other than SHA-256/384/512"))?;
    let mgf = params
        .mask_gen_algorithm()
        .map_err(|_| unsupported("with a malformed mask generation function"))?;
    if mgf.mgf.as_bytes() != rfc5912::ID_MGF_1.as_bytes()
        || Hash::from_oid_bytes(mgf.hash.as_bytes()) != Some(hash)
    {
        return Err(unsupported(
            "with a mask generation other than MGF1 with the same hash",
        ));
    }
    if usize::try_from(params.salt_length()).ok() != Some(hash.len()) {
        return Err(unsupported("with a salt length other than the hash length"));
    }
    if params.trailer_field() != 1 {
        return Err(unsupported("with a trailer field other than 1"));
    }
    Ok(hash)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Rsa,
    RsaPss,
    P256,
    P384,
    Ed25519,
}

impl KeyKind {
    fn of(spki: &SubjectPublicKeyInfo<'_>) -> Result<Self, CertRegError> {
        let oid = spki.algorithm.algorithm.as_bytes();
        if oid == rfc5912::RSA_ENCRYPTION.as_bytes() {
            Ok(Self::Rsa)
        } else if oid == rfc5912::ID_RSASSA_PSS.as_bytes() {
            Ok(Self::RsaPss)
        } else if oid == rfc5912::ID_EC_PUBLIC_KEY.as_bytes() {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok());
            match curve {
                Some(c) if c.as_bytes() == rfc5912::SECP_256_R_1.as_bytes() => Ok(Self::P256),
                Some(c) if c.as_bytes() == rfc5912::SECP_384_R_1.as_bytes() => Ok(Self::P384),
                Some(c) => Err(CertRegError::UnsupportedKey(format!(
                    "elliptic curve {}",
                    c.to_id_string()
                ))),
                None => Err(CertRegError::UnsupportedKey(
                    "elliptic curve key without a named curve".into(),
                )),
            }
        } else if oid == rfc8410::ID_ED_25519.as_bytes() {
            Ok(Self::Ed25519)
        } else {
            Err(CertRegError::UnsupportedKey(format!(
                "key algorithm {}",
                spki.algorithm.algorithm.to_id_string()
            )))
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Rsa => "RSA",
            Self::RsaPss => "RSA-PSS",
            Self::P256 => "P-256",
            Self::P384 => "P-384",
            Self::Ed25519 => "Ed25519",
        }
    }
}

/// The subjectPublicKey bits: RSAPublicKey DER, an uncompressed EC point or the Ed25519 key,
/// which is what `aws-lc-rs` takes.
fn key_bytes<'a>(spki: &'a SubjectPublicKeyInfo<'_>) -> &'a [u8] {
    &spki.subject_public_key.data
}

fn verification_algorithm(
    key: KeyKind,
    scheme: Scheme,
) -> Option<&'static dyn VerificationAlgorithm> {
    use Hash::{Sha256, Sha384, Sha512};
    Some(match (key, scheme) {
        (KeyKind::Rsa, Scheme::Pkcs1(Sha256)) => &sig::RSA_PKCS1_2048_8192_SHA256,
        (KeyKind::Rsa, Scheme::Pkcs1(Sha384)) => &sig::RSA_PKCS1_2048_8192_SHA384,
        (KeyKind::Rsa, Scheme::Pkcs1(Sha512)) => &sig::RSA_PKCS1_2048_8192_SHA512,
        (KeyKind::Rsa | KeyKind::RsaPss, Scheme::Pss(Sha256)) => &sig::RSA_PSS_2048_8192_SHA256,
        (KeyKind::Rsa | KeyKind::RsaPss, Scheme::Pss(Sha384)) => &sig::RSA_PSS_2048_8192_SHA384,
        (KeyKind::Rsa | KeyKind::RsaPss, Scheme::Pss(Sha512)) => &sig::RSA_PSS_2048_8192_SHA512,
        (KeyKind::P256, Scheme::Ecdsa(Sha256)) => &sig::ECDSA_P256_SHA256_ASN1,
        (KeyKind::P256, Scheme::Ecdsa(Sha384)) => &sig::ECDSA_P256_SHA384_ASN1,
        (KeyKind::P384, Scheme::Ecdsa(Sha256)) => &sig::ECDSA_P384_SHA256_ASN1,
        (KeyKind::P384, Scheme::Ecdsa(Sha384)) => &sig::ECDSA_P384_SHA384_ASN1,
        (KeyKind::Ed25519, Scheme::Ed25519) => &sig::ED25519,
        _ => return None,
    })
}

/// An X.509 name as an RFC 4514 string: RDNs last to first, joined by `,`, multi-valued RDNs by
/// `+`. Registered LDAP short names are used where known (CN, O, OU, C, L, ST, STREET, DC, UID,
/// serialNumber, SN, givenName, title, emailAddress, organizationIdentifier, ...); other types
/// are dotted OIDs with the value as `#` and the hex of its DER, as are values that are not
/// character strings.
fn rfc4514(name: &X509Name<'_>) -> String {
    let rdns: Vec<_> = name.iter_rdn().collect();
    let mut out = String::new();
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, atv) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            let oid = atv.attr_type().to_id_string();
            match (short_name(&oid), attribute_string(atv)) {
                (Some(short), Some(value)) => {
                    out.push_str(short);
                    out.push('=');
                    escape_rfc4514(&mut out, &value);
                }
                (short, _) => {
                    out.push_str(short.unwrap_or(&oid));
                    out.push_str("=#");
                    let der = atv.attr_value().to_der_vec().unwrap_or_default();
                    out.push_str(&hex::encode(der));
                }
            }
        }
    }
    out
}

fn short_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.6" => "C",
        "2.5.4.9" => "STREET",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        "2.5.4.4" => "SN",
        "2.5.4.5" => "serialNumber",
        "2.5.4.12" => "title",
        "2.5.4.42" => "givenName",
        "2.5.4.43" => "initials",
        "2.5.4.44" => "generationQualifier",
        "2.5.4.46" => "dnQualifier",
        "2.5.4.65" => "pseudonym",
        "2.5.4.97" => "organizationIdentifier",
        "1.2.840.113549.1.9.1" => "emailAddress",
        _ => return None,
    })
}

/// The text of a character-string attribute value (UTF-8, Printable, IA5, Numeric, Visible,
/// Teletex read as Latin-1, BMP, Universal).
fn attribute_string(atv: &AttributeTypeAndValue<'_>) -> Option<String> {
    let value = atv.attr_value();
    if value.class() != Class::Universal {
        return None;
    }
    let data = value.data;
    match value.tag() {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::NumericString
        | Tag::VisibleString => std::str::from_utf8(data).ok().map(str::to_owned),
        Tag::TeletexString => Some(data.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            if data.len() % 2 != 0 {
                return None;
            }
            let units = data
                .chunks_exact(2)
                .map(|c| <[u8; 2]>::try_from(c).map(u16::from_be_bytes).unwrap_or(0));
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .ok()
        }
        Tag::UniversalString => {
            if data.len() % 4 != 0 {
                return None;
            }
            data.chunks_exact(4)
                .map(|c| {
                    <[u8; 4]>::try_from(c)
                        .ok()
                        .and_then(|b| char::from_u32(u32::from_be_bytes(b)))
                })
                .collect()
        }
        _ => None,
    }
}

/// Appends `value` escaped per RFC 4514 2.4 (plus control characters as `\XX`).
fn escape_rfc4514(out: &mut String, value: &str) {
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            '#' if i == 0 => out.push_str("\\#"),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "\\{b:02x}");
                }
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests;
