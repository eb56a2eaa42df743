//! A token key's public half: read from its attributes (CKA_EC_POINT, or CKA_MODULUS and
//! CKA_PUBLIC_EXPONENT) into hcert's `PublicKeyInfo`, and written as SubjectPublicKeyInfo DER.

use cryptoki::object::{Attribute, AttributeType, ObjectHandle};
use cryptoki::session::Session;
use der::asn1::{BitString, OctetStringRef, UintRef};
use der::{Decode as _, Encode as _};
use hcert::crypto::{Algorithm, PublicKeyInfo};
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned};

use crate::error::{At, Error, Result};

/// id-ecPublicKey (RFC 5480).
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// prime256v1, the named curve P-256 (RFC 5480).
const PRIME256V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// rsaEncryption (RFC 8017), the SubjectPublicKeyInfo algorithm of any RSA key.
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// CKA_EC_PARAMS of a P-256 key: the DER of the named curve's OID.
pub(crate) const P256_PARAMS: [u8; 10] =
    [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

fn malformed(at: At<'_>, what: &str) -> Error {
    Error::KeyMismatch {
        token: at.token.to_string(),
        key: at.key.unwrap_or_default().to_string(),
        reason: format!("the token returned a malformed public key: {what}"),
    }
}

/// Reads the public key of `object` (a public key, or an RSA private key, which carries its
/// modulus and exponent too) for `alg`.
pub(crate) fn read(
    session: &Session,
    at: At<'_>,
    object: ObjectHandle,
    alg: Algorithm,
) -> Result<PublicKeyInfo> {
    let wanted: &[AttributeType] = match alg {
        Algorithm::Es256 => &[AttributeType::EcParams, AttributeType::EcPoint],
        _ => &[AttributeType::Modulus, AttributeType::PublicExponent],
    };
    let (mut params, mut point, mut modulus, mut exponent) = (None, None, None, None);
    for attribute in session
        .get_attributes(object, wanted)
        .map_err(|e| at.error(e))?
    {
        match attribute {
            Attribute::EcParams(v) => params = Some(v),
            Attribute::EcPoint(v) => point = Some(v),
            Attribute::Modulus(v) => modulus = Some(v),
            Attribute::PublicExponent(v) => exponent = Some(v),
            _ => {}
        }
    }
    match alg {
        Algorithm::Es256 => {
            if params.as_deref() != Some(&P256_PARAMS[..]) {
                return Err(Error::KeyMismatch {
                    token: at.token.to_string(),
                    key: at.key.unwrap_or_default().to_string(),
                    reason: "ES256 needs a P-256 key; this EC key is on another curve".into(),
                });
            }
            let point = point.ok_or_else(|| malformed(at, "no CKA_EC_POINT"))?;
            ec_point(&point)
                .ok_or_else(|| malformed(at, "CKA_EC_POINT is no uncompressed P-256 point"))
        }
        _ => {
            let modulus = modulus.ok_or_else(|| malformed(at, "no CKA_MODULUS"))?;
            let exponent = exponent.ok_or_else(|| malformed(at, "no CKA_PUBLIC_EXPONENT"))?;
            rsa(&modulus, &exponent).ok_or_else(|| malformed(at, "RSA modulus or exponent"))
        }
    }
}

/// The uncompressed point of CKA_EC_POINT, which PKCS#11 defines as the DER of an OCTET STRING
/// holding the point (SoftHSM does so); some modules give the bare point.
fn ec_point(value: &[u8]) -> Option<PublicKeyInfo> {
    let bare = |p: &[u8]| p.len() == 65 && p.first() == Some(&0x04);
    if bare(value) {
        return Some(PublicKeyInfo::P256(value.to_vec()));
    }
    let inner = OctetStringRef::from_der(value).ok()?;
    bare(inner.as_bytes()).then(|| PublicKeyInfo::P256(inner.as_bytes().to_vec()))
}

/// The PKCS#1 RSAPublicKey of a modulus and exponent (big-endian, as PKCS#11 gives them).
fn rsa(modulus: &[u8], exponent: &[u8]) -> Option<PublicKeyInfo> {
    let key = pkcs1::RsaPublicKey {
        modulus: UintRef::new(modulus).ok()?,
        public_exponent: UintRef::new(exponent).ok()?,
    };
    let significant = modulus.iter().skip_while(|b| **b == 0).count();
    let bits = modulus
        .iter()
        .find(|b| **b != 0)
        .map_or(0, |b| significant * 8 - b.leading_zeros() as usize);
    Some(PublicKeyInfo::Rsa {
        pkcs1_der: key.to_der().ok()?,
        bits,
    })
}

/// The SubjectPublicKeyInfo DER of a P-256 or RSA key (RFC 5480, RFC 8017 with NULL
/// parameters), what a certificate or CSR carries.
pub fn spki_der(key: &PublicKeyInfo) -> Result<Vec<u8>> {
    let encoding = |e: der::Error| Error::Unusable(format!("public key: {e}"));
    let (algorithm, parameters, bits): (_, der::Any, &[u8]) = match key {
        PublicKeyInfo::P256(point) => (
            EC_PUBLIC_KEY,
            der::Any::encode_from(&PRIME256V1).map_err(encoding)?,
            point,
        ),
        PublicKeyInfo::Rsa { pkcs1_der, .. } => (RSA_ENCRYPTION, der::Any::null(), pkcs1_der),
        other => {
            return Err(Error::Unusable(format!(
                "a {} key is not held in a token here",
                other.describe()
            )))
        }
    };
    let spki = SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: algorithm,
            parameters: Some(parameters),
        },
        subject_public_key: BitString::from_bytes(bits).map_err(encoding)?,
    };
    spki.to_der().map_err(encoding)
}
