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
//! In both forms the user certificate must chain to one of the [`TrustedCas`], directly or through
//! supplied intermediates. `rustls-webpki` builds and checks that path (`chain.rs`): the
//! signatures, the validity at `now` of the user certificate and the intermediates,
//! `basicConstraints` (the user certificate is no CA, every issuer is one, the intermediates'
//! `pathLenConstraint`), the name constraints of the intermediates and trust anchors, and
//! `extendedKeyUsage`; it refuses critical extensions other than keyUsage, subjectAltName,
//! basicConstraints, nameConstraints, cRLDistributionPoints and extendedKeyUsage (so a critical
//! certificatePolicies or policy constraint too). This module adds what webpki leaves out:
//!
//! * `keyUsage`, which webpki ignores: `digitalSignature` or `nonRepudiation` on the user
//!   certificate, `keyCertSign` on the intermediates of the verified path, when present;
//! * the trust anchors, which webpki takes as a bare name, key and name constraints:
//!   `basicConstraints cA` and `keyCertSign` (when `keyUsage` is present) when they are loaded,
//!   validity at `now` and `pathLenConstraint` on the verified path;
//! * the limits: at most [`MAX_CHAIN_DEPTH`] issuers, [`MAX_CERTIFICATES`] certificates a proof;
//! * which certificate a refusal concerns (`refusal.rs`: webpki's errors say what, not where).
//!
//! `extendedKeyUsage`, when present, must allow `clientAuth`, `emailProtection` or
//! `anyExtendedKeyUsage`: webpki's `KeyUsage` takes a single purpose, so a validator of ours says
//! so. webpki applies it to every certificate of the path, not only the user's: a CA whose own
//! extendedKeyUsage has none of the three cannot issue registration certificates.
//!
//! Name constraints are webpki's: dNSName and iPAddress subtrees are checked against the
//! subjectAltName entries of the certificates below the constrained CA. The other name forms are
//! not implemented and fail closed: an rfc822Name constraint refuses every certificate below it
//! with an rfc822Name in subjectAltName, whether the address is inside the subtree or not (an
//! address only in the subject's emailAddress attribute is not checked at all); a directoryName
//! constraint, permitted or excluded, refuses every certificate below the CA, since each has a
//! subject; a URI constraint refuses certificates with a URI. So a CA with directory-name
//! constraints, as an intermediate or as a trust anchor, cannot issue registration certificates
//! ([`CertRegError::NameConstraints`]); configure a CA below it as the trust anchor instead.
//!
//! Signatures, of the certificates and of the challenge, are checked by webpki over `aws-lc-rs`:
//! RSA PKCS#1 v1.5 and RSA-PSS with SHA-256/384/512 (2048 to 8192 bits, `rsaEncryption` keys:
//! webpki has no `id-RSASSA-PSS` keys), ECDSA P-256/P-384 with SHA-256/384, Ed25519. Revocation
//! (CRL, OCSP) is not checked here.

mod chain;
mod refusal;

use std::fmt::Write as _;

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{ObjectIdentifier, OctetStringRef};
use der::oid::db::{rfc5911, rfc5912, rfc8410};
use der::{Decode as _, Encode as _};
use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm};
use webpki::aws_lc_rs as alg;
use webpki::EndEntityCert;
use x509_parser::der_parser::asn1_rs::{Class, Tag, ToDer as _};
use x509_parser::prelude::FromDer as _;
use x509_parser::prelude::{
    AlgorithmIdentifier, AttributeTypeAndValue, GeneralName, ParsedExtension, X509Certificate,
    X509Name,
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
    #[error("CA certificate \"{subject}\" restricts its extendedKeyUsage to purposes other than client authentication or e-mail protection")]
    CaExtendedKeyUsage { subject: String },
    /// webpki does not say which name broke the constraints, nor which constraint: `ca` is the
    /// nearest CA above the user that has name constraints.
    #[error("the chain of \"{subject}\" violates the name constraints of CA \"{ca}\" (a name outside its permitted or inside its excluded subtrees, or a name form that cannot be checked against them: rfc822Name, directoryName, URI)")]
    NameConstraints { subject: String, ca: String },
    /// A webpki refusal without a variant of its own (DER webpki cannot read, not X.509 v3, a
    /// repeated extension...).
    #[error("certificate \"{subject}\" is refused: {reason}")]
    Refused { subject: String, reason: String },
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
    /// present) and be readable by webpki as a trust anchor; validity is checked at verification
    /// time, against its `now`.
    pub fn from_pem(pem: &[u8]) -> Result<Self, CertRegError> {
        let certs = read_certificates(pem)?;
        if certs.is_empty() {
            return Err(CertRegError::NoCertificate);
        }
        for (index, der) in certs.iter().enumerate() {
            let parsed = Parsed::new(der, index)?;
            chain::check_anchor(&parsed)?;
            webpki::anchor_from_trusted_cert(&CertificateDer::from(der.as_slice()))
                .map_err(|e| refusal::of(&parsed, e))?;
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
    chain::verify_chain(user, &pool, &cas.parsed()?, now)?;
    verify_by_user(user, PLAIN_ALGS, challenge, signature, || {
        CertRegError::UnsupportedKey(key_name(user))
    })?;
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
    chain::verify_chain(user, &pool, &cas.parsed()?, now)?;

    let alg_der = si
        .signature_algorithm
        .to_der()
        .map_err(|e| CertRegError::Cms(format!("signature algorithm: {e}")))?;
    let alg = match AlgorithmIdentifier::from_der(&alg_der) {
        Ok(([], alg)) => alg,
        _ => return Err(CertRegError::Cms("malformed signature algorithm".into())),
    };
    let scheme = Scheme::from_algorithm(&alg, Some(digest))?;
    verify_by_user(
        user,
        &scheme.algorithms(),
        message,
        si.signature.as_bytes(),
        || {
            CertRegError::UnsupportedAlgorithm(format!(
                "signature algorithm {} does not fit the signer's {}",
                alg.algorithm,
                key_name(user)
            ))
        },
    )?;
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

    fn not_before(&self) -> i64 {
        self.cert.validity().not_before.timestamp()
    }

    fn not_after(&self) -> i64 {
        self.cert.validity().not_after.timestamp()
    }

    fn path_len_constraint(&self) -> Option<u32> {
        let bc = self.cert.basic_constraints().ok().flatten()?;
        bc.value.path_len_constraint
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
            not_after: self.not_after(),
        }
    }
}

fn trim_leading_zeros(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&b| b != 0) {
        Some(first) => bytes.get(first..).unwrap_or(bytes),
        None => bytes.get(bytes.len().saturating_sub(1)..).unwrap_or(bytes),
    }
}

/// Plain proofs: the one scheme of each key type (RSA: PKCS#1 v1.5 or PSS, with SHA-256).
static PLAIN_ALGS: &[&dyn SignatureVerificationAlgorithm] = &[
    alg::ECDSA_P256_SHA256,
    alg::ECDSA_P384_SHA384,
    alg::ED25519,
    alg::RSA_PKCS1_2048_8192_SHA256,
    alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
];

/// Verifies `signature` over `message` with the user's key, by whichever of `algs` fits the key
/// (webpki matches each to the key's algorithm and curve); `unfit` is the error when none does.
fn verify_by_user(
    user: &Parsed<'_>,
    algs: &[&dyn SignatureVerificationAlgorithm],
    message: &[u8],
    signature: &[u8],
    unfit: impl FnOnce() -> CertRegError,
) -> Result<(), CertRegError> {
    let der = CertificateDer::from(user.der);
    let cert = EndEntityCert::try_from(&der).map_err(|e| refusal::of(user, e))?;
    let mut fits = false;
    for &alg in algs {
        match cert.verify_signature(alg, message, signature) {
            Ok(()) => return Ok(()),
            Err(webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_)) => {}
            Err(_) => fits = true,
        }
    }
    Err(if fits {
        CertRegError::BadSignature {
            subject: user.subject.clone(),
        }
    } else {
        unfit()
    })
}

/// The user's key type for messages: the named curve of an EC key, else the key algorithm.
fn key_name(user: &Parsed<'_>) -> String {
    let alg = &user.cert.public_key().algorithm;
    if alg.algorithm.as_bytes() != rfc5912::ID_EC_PUBLIC_KEY.as_bytes() {
        return format!("key algorithm {}", alg.algorithm.to_id_string());
    }
    match alg.parameters.as_ref().and_then(|p| p.as_oid().ok()) {
        Some(curve) if curve.as_bytes() == rfc5912::SECP_256_R_1.as_bytes() => "P-256 key".into(),
        Some(curve) if curve.as_bytes() == rfc5912::SECP_384_R_1.as_bytes() => "P-384 key".into(),
        Some(curve) => format!("elliptic curve {}", curve.to_id_string()),
        None => "elliptic curve key without a named curve".into(),
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

    /// The webpki algorithms that verify this scheme; ECDSA has one per curve.
    fn algorithms(self) -> Vec<&'static dyn SignatureVerificationAlgorithm> {
        use Hash::{Sha256, Sha384, Sha512};
        match self {
            Self::Pkcs1(Sha256) => vec![alg::RSA_PKCS1_2048_8192_SHA256],
            Self::Pkcs1(Sha384) => vec![alg::RSA_PKCS1_2048_8192_SHA384],
            Self::Pkcs1(Sha512) => vec![alg::RSA_PKCS1_2048_8192_SHA512],
            Self::Pss(Sha256) => vec![alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY],
            Self::Pss(Sha384) => vec![alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY],
            Self::Pss(Sha512) => vec![alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY],
            Self::Ecdsa(Sha256) => vec![alg::ECDSA_P256_SHA256, alg::ECDSA_P384_SHA256],
            Self::Ecdsa(Sha384) => vec![alg::ECDSA_P256_SHA384, alg::ECDSA_P384_SHA384],
            Self::Ecdsa(Sha512) => vec![],
            Self::Ed25519 => vec![alg::ED25519],
        }
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
