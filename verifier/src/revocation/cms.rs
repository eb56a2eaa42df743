//! The dgc-gateway's CMS-signed revocation batches: the uploading country wraps each batch JSON
//! in a CMS SignedData signed with its upload certificate, and the download hands it on as
//! base64 text. Reads that form (DER, BER, base64 or PEM) and checks it against configured signers.

use ::cms::cert::x509::spki::AlgorithmIdentifierOwned;
use ::cms::cert::x509::Certificate;
use ::cms::content_info::ContentInfo;
use ::cms::signed_data::{SignedData, SignerIdentifier};
use aws_lc_rs::signature::{self as sig, UnparsedPublicKey, VerificationAlgorithm};
use base64::Engine as _;
use der::asn1::{ObjectIdentifier, OctetString};
use der::oid::db::{rfc4519, rfc5280, rfc5911, rfc5912};
use der::{Any, Decode as _, Encode as _, Reader as _, SliceReader, Tag, Tagged as _};
use sha2::Digest as _;

use super::ber;
use super::load::BASE64;

/// PEM labels of a CMS SignedData (RFC 7468 `CMS`, OpenSSL's `PKCS7`, and an older one).
const CMS_LABELS: [&str; 3] = ["CMS", "PKCS7", "PKCS #7 SIGNED DATA"];

/// The certificates whose signatures a CMS batch may carry: the uploading countries' upload
/// certificates, the gateway's trust anchors for batches.
#[derive(Debug, Clone, Default)]
pub struct RevocationSigners {
    certs: Vec<SignerCert>,
}

/// A signer certificate that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("revocation signer certificate: {0}")]
pub struct SignerCertError(String);

/// What the checks need of one configured certificate.
#[derive(Debug, Clone)]
pub(super) struct SignerCert {
    issuer: Vec<u8>,
    serial: Vec<u8>,
    key_id: Option<Vec<u8>>,
    /// RFC 4514, for messages.
    pub(super) subject: String,
    /// The subject's countryName, upper case.
    pub(super) country: Option<String>,
    key: PublicKey,
}

#[derive(Debug, Clone)]
enum PublicKey {
    /// Uncompressed point.
    P256(Vec<u8>),
    P384(Vec<u8>),
    /// PKCS#1 RSAPublicKey.
    Rsa(Vec<u8>),
}

impl PublicKey {
    fn name(&self) -> &'static str {
        match self {
            PublicKey::P256(_) => "ECDSA P-256",
            PublicKey::P384(_) => "ECDSA P-384",
            PublicKey::Rsa(_) => "RSA",
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            PublicKey::P256(b) | PublicKey::P384(b) | PublicKey::Rsa(b) => b,
        }
    }
}

impl RevocationSigners {
    /// No signer: every CMS batch is refused.
    pub fn new() -> Self {
        RevocationSigners::default()
    }

    /// The certificates of one file: PEM `CERTIFICATE` blocks, concatenated DER, or the base64
    /// of DER.
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self, SignerCertError> {
        let mut signers = RevocationSigners::new();
        signers.add_pem_or_der(bytes)?;
        Ok(signers)
    }

    /// Adds the certificates of one more file (see [`from_pem_or_der`](Self::from_pem_or_der));
    /// returns how many it held.
    pub fn add_pem_or_der(&mut self, bytes: &[u8]) -> Result<usize, SignerCertError> {
        let ders = certificate_ders(bytes).map_err(SignerCertError)?;
        if ders.is_empty() {
            return Err(SignerCertError("the file holds no certificate".into()));
        }
        let first = self.certs.len();
        for (i, der) in ders.iter().enumerate() {
            let cert = SignerCert::parse(der)
                .map_err(|e| SignerCertError(format!("certificate #{}: {e}", i + 1)))?;
            self.certs.push(cert);
        }
        Ok(self.certs.len() - first)
    }

    /// Certificates configured.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Whether none is configured.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// The certificate `sid` designates (RFC 5652 5.3).
    fn find(&self, sid: &SignerIdentifier) -> Result<Option<&SignerCert>, String> {
        Ok(match sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => {
                let issuer = ias
                    .issuer
                    .to_der()
                    .map_err(|e| format!("CMS SignerInfo: issuer: {e}"))?;
                let serial = trim_leading_zeros(ias.serial_number.as_bytes());
                self.certs
                    .iter()
                    .find(|c| c.issuer == issuer && c.serial == serial)
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                let want = ski.0.as_bytes();
                self.certs
                    .iter()
                    .find(|c| c.key_id.as_deref() == Some(want))
            }
        })
    }
}

impl SignerCert {
    fn parse(der: &[u8]) -> Result<SignerCert, String> {
        let cert = Certificate::from_der(der).map_err(|e| format!("not X.509: {e}"))?;
        let tbs = &cert.tbs_certificate;
        let subject = tbs.subject.to_string();
        let spki = &tbs.subject_public_key_info;
        let key_bytes = spki.subject_public_key.raw_bytes().to_vec();
        let key = if spki.algorithm.oid == rfc5912::ID_EC_PUBLIC_KEY {
            let curve: Option<ObjectIdentifier> = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as().ok());
            match curve {
                Some(c) if c == rfc5912::SECP_256_R_1 => PublicKey::P256(key_bytes),
                Some(c) if c == rfc5912::SECP_384_R_1 => PublicKey::P384(key_bytes),
                Some(c) => {
                    return Err(format!(
                        "\"{subject}\": elliptic curve {c} is not supported (P-256, P-384)"
                    ))
                }
                None => return Err(format!("\"{subject}\": an EC key without a named curve")),
            }
        } else if spki.algorithm.oid == rfc5912::RSA_ENCRYPTION
            || spki.algorithm.oid == rfc5912::ID_RSASSA_PSS
        {
            PublicKey::Rsa(key_bytes)
        } else {
            return Err(format!(
                "\"{subject}\": key algorithm {} is not supported (ECDSA P-256/P-384, RSA)",
                spki.algorithm.oid
            ));
        };
        let key_id = match tbs
            .extensions
            .iter()
            .flatten()
            .find(|e| e.extn_id == rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER)
        {
            Some(ext) => Some(
                OctetString::from_der(ext.extn_value.as_bytes())
                    .map_err(|e| format!("\"{subject}\": subjectKeyIdentifier: {e}"))?
                    .as_bytes()
                    .to_vec(),
            ),
            None => None,
        };
        let issuer = tbs
            .issuer
            .to_der()
            .map_err(|e| format!("\"{subject}\": issuer: {e}"))?;
        Ok(SignerCert {
            issuer,
            serial: trim_leading_zeros(tbs.serial_number.as_bytes()).to_vec(),
            key_id,
            country: country_of(&cert),
            subject,
            key,
        })
    }
}

/// The subject's countryName (X.520: a PrintableString of two letters), if it has one.
fn country_of(cert: &Certificate) -> Option<String> {
    cert.tbs_certificate
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid == rfc4519::C)
        .filter(|atv| matches!(atv.value.tag(), Tag::PrintableString | Tag::Utf8String))
        .and_then(|atv| std::str::from_utf8(atv.value.value()).ok())
        .map(|c| c.trim().to_ascii_uppercase())
}

fn trim_leading_zeros(bytes: &[u8]) -> &[u8] {
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    bytes.get(zeros..).unwrap_or(&[])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `bytes` look like a CMS structure rather than JSON: DER or BER (a SEQUENCE with a
/// long or indefinite length), base64 of it (which starts with `MI`), or a CMS/PKCS7 PEM block.
pub fn looks_like_cms(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let [0x30, len, ..] = bytes {
        return *len >= 0x80;
    }
    let text = bytes.trim_ascii_start();
    text.starts_with(b"MI")
        || CMS_LABELS
            .iter()
            .any(|l| text.starts_with(format!("-----BEGIN {l}-----").as_bytes()))
}

/// The BER bytes of the input's CMS, whichever of the forms it is in.
fn unwrap_text(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.first() == Some(&0x30) {
        return Ok(bytes.to_vec());
    }
    let text = bytes.trim_ascii();
    if text.is_empty() {
        return Err("the file is empty (expected a CMS-signed revocation batch)".into());
    }
    if text.starts_with(b"-----BEGIN ") {
        let mut blocks = pem_blocks(text)?.into_iter();
        return match (blocks.next(), blocks.next()) {
            (Some((label, der)), None) if CMS_LABELS.contains(&label.as_str()) => Ok(der),
            (Some((label, _)), None) => Err(format!(
                "PEM block \"{label}\" is not a CMS structure (expected CMS or PKCS7)"
            )),
            _ => Err("expected exactly one CMS PEM block".into()),
        };
    }
    let compact: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    BASE64
        .decode(&compact)
        .map_err(|e| format!("neither DER, PEM nor base64 of a CMS structure: {e}"))
}

/// `(label, contents)` of each PEM block; text between blocks is ignored, a broken block is not.
fn pem_blocks(text: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let text = std::str::from_utf8(text).map_err(|_| "PEM text that is not UTF-8".to_string())?;
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = rest.get(start + 11..).unwrap_or("");
        let label_end = after
            .find("-----")
            .ok_or("a PEM BEGIN line without its closing dashes")?;
        let label = after.get(..label_end).unwrap_or("");
        let body_start = label_end + 5;
        let end_line = format!("-----END {label}-----");
        let body_len = after
            .get(body_start..)
            .and_then(|b| b.find(&end_line))
            .ok_or_else(|| format!("PEM block \"{label}\" has no END line"))?;
        let body = after.get(body_start..body_start + body_len).unwrap_or("");
        let compact: String = body
            .lines()
            .filter(|l| !l.contains(':'))
            .flat_map(|l| l.chars())
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let der = BASE64
            .decode(compact.as_bytes())
            .map_err(|e| format!("PEM block \"{label}\": {e}"))?;
        blocks.push((label.to_string(), der));
        rest = after
            .get(body_start + body_len + end_line.len()..)
            .unwrap_or("");
    }
    Ok(blocks)
}

/// The DER certificates of a file: PEM `CERTIFICATE` blocks, concatenated DER or base64 of DER.
fn certificate_ders(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let text = bytes.trim_ascii();
    if text.starts_with(b"-----BEGIN ") || text.windows(11).any(|w| w == b"-----BEGIN ") {
        return Ok(pem_blocks(text)?
            .into_iter()
            .filter(|(label, _)| label == "CERTIFICATE")
            .map(|(_, der)| der)
            .collect());
    }
    let der = if bytes.first() == Some(&0x30) {
        bytes.to_vec()
    } else {
        let compact: Vec<u8> = text
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        BASE64
            .decode(&compact)
            .map_err(|e| format!("neither PEM, DER nor base64 of DER: {e}"))?
    };
    let mut reader = SliceReader::new(&der).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        let any = Any::decode(&mut reader)
            .map_err(|e| format!("certificate #{}: not DER: {e}", out.len() + 1))?;
        out.push(any.to_der().map_err(|e| e.to_string())?);
    }
    Ok(out)
}

/// Digest algorithms of a SignerInfo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn from_oid(oid: &ObjectIdentifier) -> Option<Hash> {
        [
            (rfc5912::ID_SHA_256, Hash::Sha256),
            (rfc5912::ID_SHA_384, Hash::Sha384),
            (rfc5912::ID_SHA_512, Hash::Sha512),
        ]
        .into_iter()
        .find(|(o, _)| o == oid)
        .map(|(_, h)| h)
    }

    fn name(self) -> &'static str {
        match self {
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        }
    }

    fn len(self) -> u32 {
        match self {
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Hash::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Hash::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }
}

/// Checks the CMS in `bytes` against `signers`: the encapsulated content (the batch JSON) and
/// the certificate that signed it. Every error says what was wrong.
pub(super) fn open<'s>(
    bytes: &[u8],
    signers: &'s RevocationSigners,
) -> Result<(Vec<u8>, &'s SignerCert), String> {
    let ber = unwrap_text(bytes)?;
    let der = ber::to_der(&ber).map_err(|e| format!("CMS: {e}"))?;
    let ci = ContentInfo::from_der(&der).map_err(|e| format!("CMS: not a ContentInfo: {e}"))?;
    if ci.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(format!(
            "CMS: content type {} is not id-signedData",
            ci.content_type
        ));
    }
    let sd: SignedData = ci
        .content
        .decode_as()
        .map_err(|e| format!("CMS SignedData: {e}"))?;
    let mut infos = sd.signer_infos.0.iter();
    let (Some(si), None) = (infos.next(), infos.next()) else {
        return Err(format!(
            "CMS SignedData: {} SignerInfos, exactly one is expected",
            sd.signer_infos.0.len()
        ));
    };
    let encap = &sd.encap_content_info;
    if encap.econtent_type != rfc5911::ID_DATA {
        return Err(format!(
            "CMS SignedData: encapsulated content type {} is not id-data",
            encap.econtent_type
        ));
    }
    let content: OctetString = encap
        .econtent
        .as_ref()
        .ok_or("CMS SignedData: no encapsulated content (a detached signature)")?
        .decode_as()
        .map_err(|e| format!("CMS SignedData: encapsulated content: {e}"))?;
    let content = content.into_bytes();

    let signer = signers.find(&si.sid)?.ok_or_else(|| {
        format!(
            "CMS: the signer ({}) is not one of the {} configured revocation signer certificates",
            describe(&si.sid),
            signers.len()
        )
    })?;
    let digest = Hash::from_oid(&si.digest_alg.oid).ok_or_else(|| {
        format!(
            "CMS SignerInfo: digest algorithm {} is not supported (SHA-256, SHA-384, SHA-512)",
            si.digest_alg.oid
        )
    })?;
    let attrs_der;
    let message: &[u8] = match &si.signed_attrs {
        Some(attrs) => {
            check_signed_attributes(attrs, digest, &content)?;
            // RFC 5652 5.4: the signature covers the DER of the attributes as a SET OF (0x31).
            attrs_der = attrs
                .to_der()
                .map_err(|e| format!("CMS SignerInfo: signed attributes: {e}"))?;
            &attrs_der
        }
        None => &content,
    };
    let algorithm = verification_algorithm(&si.signature_algorithm, digest, &signer.key)?;
    UnparsedPublicKey::new(algorithm, signer.key.bytes())
        .verify(message, si.signature.as_bytes())
        .map_err(|_| {
            format!(
                "CMS: the signature does not verify with the key of \"{}\"",
                signer.subject
            )
        })?;
    Ok((content, signer))
}

/// A SignerIdentifier for messages.
fn describe(sid: &SignerIdentifier) -> String {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => format!(
            "issuer \"{}\", serial {}",
            ias.issuer,
            hex(ias.serial_number.as_bytes())
        ),
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            format!("subject key identifier {}", hex(ski.0.as_bytes()))
        }
    }
}

/// RFC 5652 5.3: with signed attributes, `contentType` and `messageDigest` are mandatory, each
/// with one value; the digest is that of the content.
fn check_signed_attributes(
    attrs: &::cms::signed_data::SignedAttributes,
    digest: Hash,
    content: &[u8],
) -> Result<(), String> {
    let single = |oid: ObjectIdentifier, name: &str| -> Result<&Any, String> {
        let mut found = attrs.iter().filter(|a| a.oid == oid);
        let (Some(attr), None) = (found.next(), found.next()) else {
            return Err(format!(
                "CMS signed attributes: expected one {name} attribute"
            ));
        };
        let mut values = attr.values.iter();
        match (values.next(), values.next()) {
            (Some(v), None) => Ok(v),
            _ => Err(format!(
                "CMS signed attributes: {name} must have exactly one value"
            )),
        }
    };
    let md: OctetString = single(rfc5911::ID_MESSAGE_DIGEST, "messageDigest")?
        .decode_as()
        .map_err(|e| format!("CMS signed attributes: messageDigest: {e}"))?;
    if md.as_bytes() != digest.digest(content).as_slice() {
        return Err(format!(
            "CMS: the messageDigest attribute is not the {} of the content (the batch was \
             altered after signing)",
            digest.name()
        ));
    }
    let ct: ObjectIdentifier = single(rfc5911::ID_CONTENT_TYPE, "contentType")?
        .decode_as()
        .map_err(|e| format!("CMS signed attributes: contentType: {e}"))?;
    if ct != rfc5911::ID_DATA {
        return Err(format!(
            "CMS signed attributes: contentType {ct} is not id-data"
        ));
    }
    Ok(())
}

/// RFC 4055 RSASSA-PSS-params; absent members take their (SHA-1) defaults, which are refused.
#[derive(der::Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_length: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer_field: Option<u32>,
}

/// The hash of RSASSA-PSS parameters that aws-lc-rs verifies: MGF1 with the same hash, a salt
/// as long as the hash, trailer field 1.
fn pss_hash(alg: &AlgorithmIdentifierOwned) -> Result<Hash, String> {
    let unsupported = |what: &str| format!("CMS SignerInfo: RSASSA-PSS {what} is not supported");
    let params: PssParams = alg
        .parameters
        .as_ref()
        .ok_or_else(|| unsupported("without parameters"))?
        .decode_as()
        .map_err(|e| format!("CMS SignerInfo: RSASSA-PSS parameters: {e}"))?;
    let hash = params
        .hash
        .as_ref()
        .and_then(|h| Hash::from_oid(&h.oid))
        .ok_or_else(|| unsupported("with a hash other than SHA-256/384/512"))?;
    let mgf_hash = params
        .mask_gen
        .as_ref()
        .filter(|m| m.oid == rfc5912::ID_MGF_1)
        .and_then(|m| m.parameters.as_ref())
        .and_then(|p| p.decode_as::<AlgorithmIdentifierOwned>().ok())
        .and_then(|h| Hash::from_oid(&h.oid));
    if mgf_hash != Some(hash) {
        return Err(unsupported(
            "with a mask generation other than MGF1 with the same hash",
        ));
    }
    if params.salt_length != Some(hash.len()) {
        return Err(unsupported("with a salt length other than the hash length"));
    }
    if params.trailer_field.unwrap_or(1) != 1 {
        return Err(unsupported("with a trailer field other than 1"));
    }
    Ok(hash)
}

/// The aws-lc-rs algorithm for a SignerInfo's signatureAlgorithm and the signer's key. CMS
/// signers may name the bare key algorithm (id-ecPublicKey, rsaEncryption); the SignerInfo's
/// digest algorithm then gives the hash.
fn verification_algorithm(
    alg: &AlgorithmIdentifierOwned,
    digest: Hash,
    key: &PublicKey,
) -> Result<&'static dyn VerificationAlgorithm, String> {
    use Hash::{Sha256, Sha384, Sha512};
    let oid = alg.oid;
    let ecdsa = [
        (rfc5912::ECDSA_WITH_SHA_256, Sha256),
        (rfc5912::ECDSA_WITH_SHA_384, Sha384),
        (rfc5912::ECDSA_WITH_SHA_512, Sha512),
        (rfc5912::ID_EC_PUBLIC_KEY, digest),
    ];
    let pkcs1 = [
        (rfc5912::SHA_256_WITH_RSA_ENCRYPTION, Sha256),
        (rfc5912::SHA_384_WITH_RSA_ENCRYPTION, Sha384),
        (rfc5912::SHA_512_WITH_RSA_ENCRYPTION, Sha512),
        (rfc5912::RSA_ENCRYPTION, digest),
    ];
    let find =
        |table: &[(ObjectIdentifier, Hash)]| table.iter().find(|(o, _)| *o == oid).map(|(_, h)| *h);
    let misfit = || {
        format!(
            "CMS SignerInfo: signature algorithm {oid} does not fit the signer's {} key",
            key.name()
        )
    };
    if let Some(hash) = find(&ecdsa) {
        return match (key, hash) {
            (PublicKey::P256(_), Sha256) => Ok(&sig::ECDSA_P256_SHA256_ASN1),
            (PublicKey::P256(_), Sha384) => Ok(&sig::ECDSA_P256_SHA384_ASN1),
            (PublicKey::P256(_), Sha512) => Ok(&sig::ECDSA_P256_SHA512_ASN1),
            (PublicKey::P384(_), Sha256) => Ok(&sig::ECDSA_P384_SHA256_ASN1),
            (PublicKey::P384(_), Sha384) => Ok(&sig::ECDSA_P384_SHA384_ASN1),
            (PublicKey::P384(_), Sha512) => Ok(&sig::ECDSA_P384_SHA512_ASN1),
            (PublicKey::Rsa(_), _) => Err(misfit()),
        };
    }
    let rsa_hash = if let Some(hash) = find(&pkcs1) {
        Some((hash, false))
    } else if oid == rfc5912::ID_RSASSA_PSS {
        Some((pss_hash(alg)?, true))
    } else {
        None
    };
    match (rsa_hash, key) {
        (Some(_), PublicKey::P256(_) | PublicKey::P384(_)) => Err(misfit()),
        (Some((Sha256, false)), PublicKey::Rsa(_)) => Ok(&sig::RSA_PKCS1_2048_8192_SHA256),
        (Some((Sha384, false)), PublicKey::Rsa(_)) => Ok(&sig::RSA_PKCS1_2048_8192_SHA384),
        (Some((Sha512, false)), PublicKey::Rsa(_)) => Ok(&sig::RSA_PKCS1_2048_8192_SHA512),
        (Some((Sha256, true)), PublicKey::Rsa(_)) => Ok(&sig::RSA_PSS_2048_8192_SHA256),
        (Some((Sha384, true)), PublicKey::Rsa(_)) => Ok(&sig::RSA_PSS_2048_8192_SHA384),
        (Some((Sha512, true)), PublicKey::Rsa(_)) => Ok(&sig::RSA_PSS_2048_8192_SHA512),
        (None, _) => Err(format!(
            "CMS SignerInfo: signature algorithm {oid} is not supported (ECDSA, RSA PKCS#1 v1.5, \
             RSASSA-PSS)"
        )),
    }
}
