//! The RustCrypto backend (p256, p384, rsa, ed25519-dalek), pure Rust and kept behind the
//! `rustcrypto` feature. It verifies all three algorithms but refuses to sign PS256: the `rsa`
//! crate is not used for private-key operations (timing side channel, PERFORMANCE.md).

use std::fmt;
use std::sync::Arc;

use super::{Algorithm, Backend, CryptoError, PublicKeyInfo, Signer, VerifyKey};

/// The RustCrypto crypto provider.
#[derive(Debug, Clone, Copy, Default)]
pub struct RustCrypto;

const NAME: &str = "RustCrypto";

enum Key {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Rsa(rsa::pss::VerifyingKey<sha2::Sha256>),
    Ed25519(ed25519_dalek::VerifyingKey),
}

struct RcVerifyKey(Key);

impl fmt::Debug for RcVerifyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RcVerifyKey").finish_non_exhaustive()
    }
}

fn bad_key(e: impl fmt::Display) -> CryptoError {
    CryptoError::BadKey(e.to_string())
}

impl VerifyKey for RcVerifyKey {
    fn verify(&self, alg: Algorithm, tbs: &[u8], sig: &[u8]) -> Result<(), CryptoError> {
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        use p256::ecdsa::signature::Verifier;
        use sha2::Digest;
        let ok = match (&self.0, alg) {
            (Key::P256(k), Algorithm::Es256) => {
                p256::ecdsa::Signature::from_slice(sig).is_ok_and(|s| k.verify(tbs, &s).is_ok())
            }
            (Key::P384(k), Algorithm::Es256) => {
                // ES256 names SHA-256 whatever the curve: verify the SHA-256 prehash.
                let digest = sha2::Sha256::digest(tbs);
                p384::ecdsa::Signature::from_slice(sig)
                    .is_ok_and(|s| k.verify_prehash(&digest, &s).is_ok())
            }
            (Key::Rsa(k), Algorithm::Ps256) => {
                rsa::pss::Signature::try_from(sig).is_ok_and(|s| k.verify(tbs, &s).is_ok())
            }
            (Key::Ed25519(k), Algorithm::EdDsa) => ed25519_dalek::Signature::from_slice(sig)
                .is_ok_and(|s| k.verify_strict(tbs, &s).is_ok()),
            (key, alg) => {
                let key = match key {
                    Key::P256(_) => "P-256",
                    Key::P384(_) => "P-384",
                    Key::Rsa(_) => "RSA",
                    Key::Ed25519(_) => "Ed25519",
                };
                return Err(CryptoError::AlgorithmMismatch { alg, key });
            }
        };
        if ok {
            Ok(())
        } else {
            Err(CryptoError::BadSignature)
        }
    }
}

enum SignKey {
    P256(p256::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

struct RcSigner(SignKey);

impl Signer for RcSigner {
    fn algorithm(&self) -> Algorithm {
        match self.0 {
            SignKey::P256(_) => Algorithm::Es256,
            SignKey::Ed25519(_) => Algorithm::EdDsa,
        }
    }

    fn sign(&self, tbs: &[u8]) -> Result<Vec<u8>, CryptoError> {
        use p256::ecdsa::signature::Signer as _;
        Ok(match &self.0 {
            SignKey::P256(k) => {
                let s: p256::ecdsa::Signature = k.sign(tbs);
                s.to_bytes().to_vec()
            }
            SignKey::Ed25519(k) => k.sign(tbs).to_bytes().to_vec(),
        })
    }
}

impl Backend for RustCrypto {
    fn name(&self) -> &'static str {
        NAME
    }

    fn verify_key(&self, key: &PublicKeyInfo) -> Result<Arc<dyn VerifyKey>, CryptoError> {
        let key = match key {
            PublicKeyInfo::P256(p) => {
                Key::P256(p256::ecdsa::VerifyingKey::from_sec1_bytes(p).map_err(bad_key)?)
            }
            PublicKeyInfo::P384(p) => {
                Key::P384(p384::ecdsa::VerifyingKey::from_sec1_bytes(p).map_err(bad_key)?)
            }
            PublicKeyInfo::Rsa { pkcs1_der, bits } => {
                use rsa::pkcs1::DecodeRsaPublicKey;
                if !(2048..=8192).contains(bits) {
                    return Err(CryptoError::BadKey(format!(
                        "RSA key of {bits} bits (2048 to 8192 supported)"
                    )));
                }
                let k = rsa::RsaPublicKey::from_pkcs1_der(pkcs1_der).map_err(bad_key)?;
                Key::Rsa(rsa::pss::VerifyingKey::new(k))
            }
            PublicKeyInfo::Ed25519(p) => {
                let bytes: [u8; 32] = p
                    .as_slice()
                    .try_into()
                    .map_err(|_| CryptoError::BadKey("Ed25519 key is not 32 bytes".into()))?;
                Key::Ed25519(ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(bad_key)?)
            }
        };
        Ok(Arc::new(RcVerifyKey(key)))
    }

    fn signer(&self, alg: Algorithm, pkcs8_der: &[u8]) -> Result<Box<dyn Signer>, CryptoError> {
        use p256::pkcs8::DecodePrivateKey;
        let key = match alg {
            Algorithm::Es256 => {
                SignKey::P256(p256::ecdsa::SigningKey::from_pkcs8_der(pkcs8_der).map_err(bad_key)?)
            }
            Algorithm::EdDsa => SignKey::Ed25519(
                ed25519_dalek::SigningKey::from_pkcs8_der(pkcs8_der).map_err(bad_key)?,
            ),
            Algorithm::Ps256 => {
                return Err(CryptoError::Unsupported {
                    backend: NAME,
                    what: "PS256 signing (the rsa crate is not used for private-key operations)"
                        .into(),
                })
            }
        };
        Ok(Box::new(RcSigner(key)))
    }
}
