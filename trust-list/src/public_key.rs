//! A certificate's SubjectPublicKeyInfo → `hcert::crypto::PublicKeyInfo`: the key kinds DCC
//! signatures use (P-256, P-384, RSA, Ed25519), anything else named in a clear error.

use hcert::crypto::PublicKeyInfo;
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::der;
use crate::error::{Error, Result};

const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
/// id-RSASSA-PSS as a key algorithm (RFC 4055): some national PKIs mark PSS-only RSA keys so.
const RSASSA_PSS: &str = "1.2.840.113549.1.1.10";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const ED25519: &str = "1.3.101.112";
const P256: &str = "1.2.840.10045.3.1.7";
const P384: &str = "1.3.132.0.34";

/// Field primes of P-256 and P-384, to recognise explicitly encoded curve parameters.
const P256_PRIME: &[u8] = &[
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
];
const P384_PRIME: &[u8] = &[
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
];
/// The curve coefficients b of P-256 and P-384 (with p, they pin the curve).
const P256_B: &[u8] = &[
    0x5a, 0xc6, 0x35, 0xd8, 0xaa, 0x3a, 0x93, 0xe7, 0xb3, 0xeb, 0xbd, 0x55, 0x76, 0x98, 0x86, 0xbc,
    0x65, 0x1d, 0x06, 0xb0, 0xcc, 0x53, 0xb0, 0xf6, 0x3b, 0xce, 0x3c, 0x3e, 0x27, 0xd2, 0x60, 0x4b,
];
const P384_B: &[u8] = &[
    0xb3, 0x31, 0x2f, 0xa7, 0xe2, 0x3e, 0xe7, 0xe4, 0x98, 0x8e, 0x05, 0x6b, 0xe3, 0xf8, 0x2d, 0x19,
    0x18, 0x1d, 0x9c, 0x6e, 0xfe, 0x81, 0x41, 0x12, 0x03, 0x14, 0x08, 0x8f, 0x50, 0x13, 0x87, 0x5a,
    0xc6, 0x56, 0x39, 0x8d, 0x8a, 0x2e, 0xd1, 0x9d, 0x2a, 0x85, 0xc8, 0xed, 0xd3, 0xec, 0x2a, 0xef,
];

#[derive(Clone, Copy)]
enum Curve {
    P256,
    P384,
}

/// Converts the certificate's key. RSA keys under rsaEncryption or id-RSASSA-PSS are accepted;
/// EC keys on P-256 or P-384, by named curve or by explicit parameters.
pub(crate) fn from_spki(spki: &SubjectPublicKeyInfo<'_>) -> Result<PublicKeyInfo> {
    let alg = spki.algorithm.algorithm.to_id_string();
    let key: &[u8] = &spki.subject_public_key.data;
    match alg.as_str() {
        RSA_ENCRYPTION | RSASSA_PSS => rsa(key),
        EC_PUBLIC_KEY => {
            let params = spki.algorithm.parameters.as_ref();
            let curve = match params {
                Some(any) if any.tag().0 == u32::from(der::TAG_OID) => {
                    let oid = any.as_oid().map_err(|_| {
                        Error::BadCertificate("EC key with a malformed curve OID".into())
                    })?;
                    match oid.to_id_string().as_str() {
                        P256 => Curve::P256,
                        P384 => Curve::P384,
                        other => {
                            return Err(Error::UnsupportedKey(format!(
                                "EC key on curve {}",
                                curve_name(other)
                            )))
                        }
                    }
                }
                Some(any) if any.tag().0 == u32::from(der::TAG_SEQUENCE) => {
                    explicit_curve(any.data).ok_or_else(|| {
                        Error::UnsupportedKey(
                            "EC key with explicit parameters of an unknown curve".into(),
                        )
                    })?
                }
                _ => {
                    return Err(Error::UnsupportedKey(
                        "EC key without a named curve (implicitlyCA)".into(),
                    ))
                }
            };
            ec_point(curve, key)
        }
        ED25519 => {
            if key.len() == 32 {
                Ok(PublicKeyInfo::Ed25519(key.to_vec()))
            } else {
                Err(Error::BadCertificate(format!(
                    "Ed25519 public key of {} bytes, expected 32",
                    key.len()
                )))
            }
        }
        other => Err(Error::UnsupportedKey(key_name(other))),
    }
}

fn rsa(pkcs1: &[u8]) -> Result<PublicKeyInfo> {
    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
    let bad = || Error::BadCertificate("RSA public key is not a PKCS#1 RSAPublicKey".into());
    let (tag, seq, _) = der::read_tlv(pkcs1).ok_or_else(bad)?;
    if tag != der::TAG_SEQUENCE {
        return Err(bad());
    }
    let mut ints = der::elements(seq);
    let modulus = match ints.next() {
        Some((der::TAG_INTEGER, m)) => der::unsigned(m),
        _ => return Err(bad()),
    };
    if !matches!(ints.next(), Some((der::TAG_INTEGER, _))) {
        return Err(bad());
    }
    let bits = match modulus.first() {
        Some(top) => modulus.len() * 8 - top.leading_zeros() as usize,
        None => return Err(bad()),
    };
    Ok(PublicKeyInfo::Rsa {
        pkcs1_der: pkcs1.to_vec(),
        bits,
    })
}

fn ec_point(curve: Curve, point: &[u8]) -> Result<PublicKeyInfo> {
    let (name, len) = match curve {
        Curve::P256 => ("P-256", 65),
        Curve::P384 => ("P-384", 97),
    };
    match point.first() {
        Some(0x04) if point.len() == len => Ok(match curve {
            Curve::P256 => PublicKeyInfo::P256(point.to_vec()),
            Curve::P384 => PublicKeyInfo::P384(point.to_vec()),
        }),
        Some(0x02 | 0x03) => Err(Error::UnsupportedKey(format!(
            "{name} key as a compressed point"
        ))),
        _ => Err(Error::BadCertificate(format!(
            "{name} public key of {} bytes is not an uncompressed point ({len} bytes)",
            point.len()
        ))),
    }
}

/// ECParameters ::= SEQUENCE { version, fieldID SEQUENCE { fieldType, prime }, curve SEQUENCE
/// { a, b, seed? }, base, order, cofactor? } (RFC 3279): P-256 or P-384 by prime and b.
fn explicit_curve(params: &[u8]) -> Option<Curve> {
    let mut items = der::elements(params);
    let _version = items.next()?;
    let (_, field_id) = items.next()?;
    let (_, curve) = items.next()?;
    let mut field = der::elements(field_id);
    let _field_type = field.next()?;
    let (_, prime) = field.next()?;
    let mut coefficients = der::elements(curve);
    let _a = coefficients.next()?;
    let (_, b) = coefficients.next()?;
    let (prime, b) = (der::unsigned(prime), der::unsigned(b));
    if prime == P256_PRIME && b == der::unsigned(P256_B) {
        Some(Curve::P256)
    } else if prime == P384_PRIME && b == der::unsigned(P384_B) {
        Some(Curve::P384)
    } else {
        None
    }
}

fn curve_name(oid: &str) -> String {
    let name = match oid {
        "1.3.132.0.35" => "P-521",
        "1.3.132.0.10" => "secp256k1",
        "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1",
        "1.3.36.3.3.2.8.1.1.11" => "brainpoolP384r1",
        "1.3.36.3.3.2.8.1.1.13" => "brainpoolP512r1",
        other => return other.to_string(),
    };
    format!("{name} ({oid})")
}

fn key_name(oid: &str) -> String {
    let name = match oid {
        "1.3.101.113" => "Ed448",
        "1.3.101.110" => "X25519",
        "1.3.101.111" => "X448",
        "1.2.840.10040.4.1" => "DSA",
        "1.2.643.7.1.1.1.1" | "1.2.643.7.1.1.1.2" => "GOST R 34.10-2012",
        other => return format!("key algorithm {other}"),
    };
    format!("{name} key ({oid})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_bits_ignore_sign_padding() {
        // SEQUENCE { INTEGER 00 80 00 (16 bits), INTEGER 3 }
        let k = [0x30, 0x08, 0x02, 0x03, 0x00, 0x80, 0x00, 0x02, 0x01, 0x03];
        match rsa(&k).unwrap() {
            PublicKeyInfo::Rsa { bits, .. } => assert_eq!(bits, 16),
            other => panic!("{other:?}"),
        }
        assert!(rsa(&[0x30, 0x00]).is_err());
        assert!(rsa(&[]).is_err());
    }

    #[test]
    fn compressed_points_are_named() {
        let mut p = vec![0x02];
        p.extend([1u8; 32]);
        let e = ec_point(Curve::P256, &p).unwrap_err().to_string();
        assert!(e.contains("compressed"), "{e}");
    }
}
