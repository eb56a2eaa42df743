//! Certificates for a token key, made with rcgen over a `RemoteKeyPair` that signs in the
//! token: the CSR a CSCA turns into the DSC, and, for development, the DSC itself signed by a
//! CSCA whose key is at hand. The DSC's contents come from `issuer::keys::dsc_params`.

use std::sync::{Arc, Mutex};

use cryptoki::mechanism::Mechanism;
use hcert::crypto::{Algorithm, PublicKeyInfo, Signer as _};
use issuer::keys::{self, KeyOptions};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue, IsCa, KeyIdMethod,
    KeyPair, KeyUsagePurpose, SignatureAlgorithm,
};
use sha2::{Digest as _, Sha256};
use x509_parser::der_parser::asn1_rs::Tag;
use x509_parser::prelude::{FromDer as _, ParsedExtension, X509Certificate, X509Name};

use crate::error::{Error, Result};
use crate::signer::TokenSigner;

/// The token key as rcgen's remote key. rcgen's `RemoteKeyError` carries no detail, so the
/// token's own error waits in `failure` for the caller.
struct RemoteKey {
    signer: TokenSigner,
    failure: Arc<Mutex<Option<Error>>>,
}

impl rcgen::RemoteKeyPair for RemoteKey {
    /// The raw public key as rcgen's own key pairs give it: the uncompressed point, or the
    /// PKCS#1 RSAPublicKey.
    fn public_key(&self) -> &[u8] {
        match self.signer.public_key() {
            PublicKeyInfo::P256(point) => point,
            PublicKeyInfo::Rsa { pkcs1_der, .. } => pkcs1_der,
            _ => &[],
        }
    }

    /// X.509 signatures: ECDSA as DER (not COSE's r‖s), RSA as PKCS#1 v1.5 with SHA-256 (the
    /// rsaEncryption key every CSCA accepts; PSS stays for the DCCs themselves).
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let signed = match self.signer.algorithm() {
            Algorithm::Es256 => self
                .signer
                .raw_sign(&Mechanism::Ecdsa, "CKM_ECDSA", &Sha256::digest(msg))
                .and_then(|raw| {
                    hcert::crypto::ecdsa_raw_to_der(&raw)
                        .ok_or_else(|| Error::Certificate("CKM_ECDSA gave no r‖s signature".into()))
                }),
            _ => self
                .signer
                .raw_sign(&Mechanism::Sha256RsaPkcs, "CKM_SHA256_RSA_PKCS", msg),
        };
        signed.map_err(|e| {
            if let Ok(mut failure) = self.failure.lock() {
                *failure = Some(e);
            }
            rcgen::Error::RemoteKeyError
        })
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        match self.signer.algorithm() {
            Algorithm::Es256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            _ => &rcgen::PKCS_RSA_SHA256,
        }
    }
}

/// Runs `f` with the token key as an rcgen key pair; a failure inside the token comes back as
/// the token's error rather than rcgen's "remote key error".
fn with_rcgen_key<T>(
    signer: &TokenSigner,
    f: impl FnOnce(&KeyPair) -> Result<T, rcgen::Error>,
) -> Result<T> {
    let failure = Arc::new(Mutex::new(None));
    let key = KeyPair::from_remote(Box::new(RemoteKey {
        signer: signer.clone(),
        failure: Arc::clone(&failure),
    }))
    .map_err(|e| Error::Certificate(e.to_string()))?;
    f(&key).map_err(|e| {
        failure
            .lock()
            .ok()
            .and_then(|mut f| f.take())
            .unwrap_or_else(|| Error::Certificate(e.to_string()))
    })
}

/// The DSC parameters of `opts` for `signer`'s algorithm.
fn params_for(signer: &TokenSigner, opts: &KeyOptions) -> Result<CertificateParams> {
    let opts = KeyOptions {
        alg: signer.algorithm(),
        ..opts.clone()
    };
    keys::dsc_params(&opts).map_err(|e| Error::Certificate(e.to_string()))
}

/// A PKCS#10 certificate signing request (PEM) for the DSC of `signer`'s key, signed by that
/// key: the subject, KeyUsage, DCC EKUs and usage period of `opts` ride in its extension
/// request; the CSCA sets validity and identifiers.
pub fn csr(signer: &TokenSigner, opts: &KeyOptions) -> Result<String> {
    let mut params = params_for(signer, opts)?;
    // The authority key identifier is the CSCA's to write; rcgen refuses it in a CSR.
    params.use_authority_key_identifier_extension = false;
    let request = with_rcgen_key(signer, |key| params.serialize_request(key))?;
    request.pem().map_err(|e| Error::Certificate(e.to_string()))
}

/// For development: the DSC (DER) of `signer`'s key under `opts` (as `dcc keys generate` makes
/// them), signed by the CSCA of `csca_cert` (PEM or DER) and `csca_key_pem` (PKCS#8 PEM).
pub fn dev_dsc(
    signer: &TokenSigner,
    csca_cert: &[u8],
    csca_key_pem: &str,
    opts: &KeyOptions,
) -> Result<Vec<u8>> {
    let csca_key = KeyPair::from_pem(csca_key_pem)
        .map_err(|e| Error::Certificate(format!("CSCA key: {e}")))?;
    let issuer = csca_issuer(csca_cert, &csca_key)?;
    let params = params_for(signer, opts)?;
    let dsc = with_rcgen_key(signer, |key| params.signed_by(key, &issuer, &csca_key))?;
    Ok(dsc.der().to_vec())
}

/// The CSCA as rcgen's issuer: what rcgen takes from it is the subject name, written back
/// byte for byte so the DSC's issuer name matches, and the key identifier for the DSC's
/// authority key identifier.
fn csca_issuer(cert: &[u8], key: &KeyPair) -> Result<rcgen::Certificate> {
    let bad = |what: String| Error::Certificate(format!("CSCA certificate: {what}"));
    let der = if cert.starts_with(b"-----BEGIN") {
        pem::parse(cert)
            .map_err(|e| bad(e.to_string()))?
            .into_contents()
    } else {
        cert.to_vec()
    };
    let (_, x509) = X509Certificate::from_der(&der).map_err(|e| bad(e.to_string()))?;
    let mut params = CertificateParams::default();
    params.distinguished_name = name(x509.subject()).map_err(bad)?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    let ski = x509
        .extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(id) => Some(id.0.to_vec()),
            _ => None,
        });
    if let Some(ski) = ski {
        params.key_identifier_method = KeyIdMethod::PreSpecified(ski);
    }
    params
        .self_signed(key)
        .map_err(|e| Error::Certificate(format!("CSCA: {e}")))
}

/// An X.509 name as rcgen's, each value in its original string type.
fn name(x509: &X509Name<'_>) -> Result<DistinguishedName, String> {
    let mut dn = DistinguishedName::new();
    for rdn in x509.iter() {
        let mut attributes = rdn.iter();
        let (Some(attribute), None) = (attributes.next(), attributes.next()) else {
            return Err("a subject name part with several attributes".into());
        };
        let oid: Vec<u64> = attribute
            .attr_type()
            .iter()
            .ok_or("a subject attribute type out of range")?
            .collect();
        let value = attribute.attr_value();
        let text = std::str::from_utf8(value.data).map_err(|_| "a subject value not UTF-8")?;
        let value = match value.header.tag() {
            Tag::PrintableString => {
                DnValue::PrintableString(text.try_into().map_err(|e: rcgen::Error| e.to_string())?)
            }
            Tag::Ia5String => {
                DnValue::Ia5String(text.try_into().map_err(|e: rcgen::Error| e.to_string())?)
            }
            Tag::Utf8String => DnValue::Utf8String(text.to_string()),
            other => return Err(format!("a subject value of type {other:?}")),
        };
        dn.push(DnType::from_oid(&oid), value);
    }
    Ok(dn)
}
