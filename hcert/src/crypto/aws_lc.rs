//! The aws-lc-rs backend: fastest measured for ECDSA and RSA-PSS (PERFORMANCE.md), and it can
//! sign with all three algorithms. Public keys are parsed once into `ParsedPublicKey`.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as sig, KeyPair, ParsedPublicKey};

use super::{ecdsa_raw_to_der, Algorithm, Backend, CryptoError, PublicKeyInfo, Signer, VerifyKey};

/// The aws-lc-rs crypto provider.
#[derive(Debug, Clone, Copy, Default)]
pub struct AwsLc;

const NAME: &str = "aws-lc-rs";

enum Key {
    /// P-256: COSE ES256 signatures are raw r‖s, which `_FIXED` takes directly.
    P256(ParsedPublicKey),
    /// P-384 with SHA-256: aws-lc-rs has no fixed-width variant, so r‖s is re-encoded as DER.
    P384(ParsedPublicKey),
    Rsa(ParsedPublicKey),
    Ed25519(ParsedPublicKey),
}

struct AwsVerifyKey(Key);

impl fmt::Debug for AwsVerifyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsVerifyKey").finish_non_exhaustive()
    }
}

impl AwsVerifyKey {
    fn kind(&self) -> &'static str {
        match self.0 {
            Key::P256(_) => "P-256",
            Key::P384(_) => "P-384",
            Key::Rsa(_) => "RSA",
            Key::Ed25519(_) => "Ed25519",
        }
    }
}

impl VerifyKey for AwsVerifyKey {
    fn verify(&self, alg: Algorithm, tbs: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
        let ok = match (&self.0, alg) {
            (Key::P256(k), Algorithm::Es256) => {
                signature.len() == 64 && k.verify_sig(tbs, signature).is_ok()
            }
            (Key::P384(k), Algorithm::Es256) => {
                signature.len() == 96
                    && ecdsa_raw_to_der(signature)
                        .is_some_and(|der| k.verify_sig(tbs, &der).is_ok())
            }
            (Key::Rsa(k), Algorithm::Ps256) => k.verify_sig(tbs, signature).is_ok(),
            (Key::Ed25519(k), Algorithm::EdDsa) => k.verify_sig(tbs, signature).is_ok(),
            _ => {
                return Err(CryptoError::AlgorithmMismatch {
                    alg,
                    key: self.kind(),
                })
            }
        };
        if ok {
            Ok(())
        } else {
            Err(CryptoError::BadSignature)
        }
    }
}

fn rejected(e: impl fmt::Display) -> CryptoError {
    CryptoError::BadKey(e.to_string())
}

enum SignKey {
    Ecdsa(sig::EcdsaKeyPair),
    Rsa(sig::RsaKeyPair),
    Ed25519(sig::Ed25519KeyPair),
}

struct AwsSigner {
    alg: Algorithm,
    key: SignKey,
    rng: SystemRandom,
}

impl fmt::Debug for AwsSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsSigner")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl Signer for AwsSigner {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn sign(&self, tbs: &[u8]) -> Result<Vec<u8>, CryptoError> {
        match &self.key {
            SignKey::Ecdsa(k) => k
                .sign(&self.rng, tbs)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| CryptoError::SigningFailed),
            SignKey::Rsa(k) => {
                let mut out = vec![0u8; k.public_modulus_len()];
                k.sign(&sig::RSA_PSS_SHA256, &self.rng, tbs, &mut out)
                    .map_err(|_| CryptoError::SigningFailed)?;
                Ok(out)
            }
            SignKey::Ed25519(k) => Ok(k.sign(tbs).as_ref().to_vec()),
        }
    }
}

impl Backend for AwsLc {
    fn name(&self) -> &'static str {
        NAME
    }

    fn verify_key(&self, key: &PublicKeyInfo) -> Result<Arc<dyn VerifyKey>, CryptoError> {
        let key = match key {
            PublicKeyInfo::P256(p) => {
                Key::P256(ParsedPublicKey::new(&sig::ECDSA_P256_SHA256_FIXED, p).map_err(rejected)?)
            }
            PublicKeyInfo::P384(p) => {
                Key::P384(ParsedPublicKey::new(&sig::ECDSA_P384_SHA256_ASN1, p).map_err(rejected)?)
            }
            PublicKeyInfo::Rsa { pkcs1_der, bits } => {
                if !(2048..=8192).contains(bits) {
                    return Err(CryptoError::BadKey(format!(
                        "RSA key of {bits} bits (2048 to 8192 supported)"
                    )));
                }
                Key::Rsa(
                    ParsedPublicKey::new(&sig::RSA_PSS_2048_8192_SHA256, pkcs1_der)
                        .map_err(rejected)?,
                )
            }
            PublicKeyInfo::Ed25519(p) => {
                Key::Ed25519(ParsedPublicKey::new(&sig::ED25519, p).map_err(rejected)?)
            }
        };
        Ok(Arc::new(AwsVerifyKey(key)))
    }

    fn signer(&self, alg: Algorithm, pkcs8_der: &[u8]) -> Result<Box<dyn Signer>, CryptoError> {
        let key = match alg {
            Algorithm::Es256 => SignKey::Ecdsa(
                sig::EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8_der)
                    .map_err(rejected)?,
            ),
            Algorithm::Ps256 => {
                let k = sig::RsaKeyPair::from_pkcs8(pkcs8_der).map_err(rejected)?;
                let bits = k.public_modulus_len() * 8;
                if !(2048..=4096).contains(&bits) {
                    return Err(CryptoError::BadKey(format!(
                        "RSA signing key of {bits} bits (2048 to 4096 allowed)"
                    )));
                }
                SignKey::Rsa(k)
            }
            Algorithm::EdDsa => SignKey::Ed25519(
                sig::Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8_der).map_err(rejected)?,
            ),
        };
        Ok(Box::new(AwsSigner {
            alg,
            key,
            rng: SystemRandom::new(),
        }))
    }
}

/// Generates a fresh private key for `alg` as PKCS#8 DER (development keys, `dcc keys`).
/// `rsa_bits` applies to PS256 only.
pub fn generate_pkcs8(alg: Algorithm, rsa_bits: usize) -> Result<Vec<u8>, CryptoError> {
    let rng = SystemRandom::new();
    match alg {
        Algorithm::Es256 => {
            sig::EcdsaKeyPair::generate_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                .map(|d| d.as_ref().to_vec())
                .map_err(|_| CryptoError::SigningFailed)
        }
        Algorithm::Ps256 => {
            let size = match rsa_bits {
                2048 => aws_lc_rs::rsa::KeySize::Rsa2048,
                3072 => aws_lc_rs::rsa::KeySize::Rsa3072,
                4096 => aws_lc_rs::rsa::KeySize::Rsa4096,
                other => {
                    return Err(CryptoError::BadKey(format!(
                        "RSA key size {other} (choose 2048, 3072 or 4096)"
                    )))
                }
            };
            let k = sig::RsaKeyPair::generate(size).map_err(|_| CryptoError::SigningFailed)?;
            aws_lc_rs::encoding::AsDer::<aws_lc_rs::encoding::Pkcs8V1Der<'static>>::as_der(&k)
                .map(|d| d.as_ref().to_vec())
                .map_err(|_| CryptoError::SigningFailed)
        }
        Algorithm::EdDsa => sig::Ed25519KeyPair::generate_pkcs8(&rng)
            .map(|d| d.as_ref().to_vec())
            .map_err(|_| CryptoError::SigningFailed),
    }
}

/// The SEC1/raw public key bytes of a PKCS#8 key, for tests and key generation.
pub fn public_key_of(alg: Algorithm, pkcs8_der: &[u8]) -> Result<Vec<u8>, CryptoError> {
    Ok(match alg {
        Algorithm::Es256 => {
            sig::EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8_der)
                .map_err(rejected)?
                .public_key()
                .as_ref()
                .to_vec()
        }
        Algorithm::Ps256 => sig::RsaKeyPair::from_pkcs8(pkcs8_der)
            .map_err(rejected)?
            .public_key()
            .as_ref()
            .to_vec(),
        Algorithm::EdDsa => sig::Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8_der)
            .map_err(rejected)?
            .public_key()
            .as_ref()
            .to_vec(),
    })
}
