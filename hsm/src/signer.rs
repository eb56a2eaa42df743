//! `hcert::crypto::Signer` over a token's private key. ES256: SHA-256 in the process, then
//! CKM_ECDSA in the token (SoftHSM 2.6 refuses CKM_ECDSA_SHA256), which gives the raw r‖s COSE
//! wants. PS256: CKM_SHA256_RSA_PKCS_PSS with MGF1-SHA-256 and a 32-byte salt (hcert §3.3.2).

use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use hcert::crypto::{Algorithm, CryptoError, PublicKeyInfo, Signer};
use sha2::{Digest as _, Sha256};

use crate::error::{Error, Result};
use crate::public_key;
use crate::token::Token;

/// A private key in a token, signing with one algorithm. Cheap to clone; safe to share between
/// threads (each signature takes a session of the token's pool).
#[derive(Clone)]
pub struct TokenSigner {
    token: Token,
    key_label: String,
    key: ObjectHandle,
    alg: Algorithm,
    public_key: PublicKeyInfo,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSigner")
            .field("token", &self.token.label())
            .field("key_label", &self.key_label)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// How PS256 pads: MGF1 with SHA-256 and a salt as long as the hash.
const PSS: PkcsPssParams = PkcsPssParams {
    hash_alg: MechanismType::SHA256,
    mgf: PkcsMgfType::MGF1_SHA256,
    s_len: cryptoki::types::Ulong::new(32),
};

impl TokenSigner {
    /// Finds the private key labelled `key_label` and its public key, and checks the key fits
    /// `alg`.
    pub(crate) fn find(token: Token, key_label: &str, alg: Algorithm) -> Result<TokenSigner> {
        let mismatch = |reason: String| Error::KeyMismatch {
            token: token.label().to_string(),
            key: key_label.to_string(),
            reason,
        };
        let (wanted, kind) = match alg {
            Algorithm::Es256 => (KeyType::EC, "an EC"),
            Algorithm::Ps256 => (KeyType::RSA, "an RSA"),
            Algorithm::EdDsa => {
                return Err(Error::Unusable(
                    "EdDSA keys are not used from a token here (ES256 or PS256)".into(),
                ))
            }
        };
        let at = token.at(Some(key_label), None);
        let (key, public_key) = token.with_session(|session| {
            let keys = Token::find(session, at, ObjectClass::PRIVATE_KEY, key_label)?;
            let key = match keys.as_slice() {
                [] => {
                    return Err(Error::KeyNotFound {
                        token: token.label().to_string(),
                        key: key_label.to_string(),
                    })
                }
                [key] => *key,
                _ => {
                    return Err(mismatch(format!(
                        "{} private keys carry this label",
                        keys.len()
                    )))
                }
            };
            let key_type = session
                .get_attributes(key, &[AttributeType::KeyType])
                .map_err(|e| at.error(e))?
                .into_iter()
                .find_map(|a| match a {
                    Attribute::KeyType(t) => Some(t),
                    _ => None,
                });
            match key_type {
                Some(t) if t == wanted => {}
                Some(t) => return Err(mismatch(format!("{alg} needs {kind} key, not {t}"))),
                None => return Err(mismatch("the token does not tell the key type".into())),
            }
            // The EC point lives on the public key object; an RSA private key has its modulus
            // and exponent itself.
            let source = match alg {
                Algorithm::Es256 => {
                    match Token::find(session, at, ObjectClass::PUBLIC_KEY, key_label)?.as_slice() {
                        [public] => *public,
                        _ => {
                            return Err(mismatch("no single public key carries this label".into()))
                        }
                    }
                }
                _ => key,
            };
            Ok((key, public_key::read(session, at, source, alg)?))
        })?;
        Ok(TokenSigner {
            token,
            key_label: key_label.to_string(),
            key,
            alg,
            public_key,
        })
    }

    /// The key's label on the token.
    pub fn key_label(&self) -> &str {
        &self.key_label
    }

    /// The token holding the key.
    pub fn token(&self) -> &Token {
        &self.token
    }

    /// The public key, as the issuer and verifier take it.
    pub fn public_key(&self) -> &PublicKeyInfo {
        &self.public_key
    }

    /// The public key as SubjectPublicKeyInfo DER.
    pub fn public_key_der(&self) -> Result<Vec<u8>> {
        public_key::spki_der(&self.public_key)
    }

    /// The key's handle, for callers reading its attributes through [`Token`]'s module.
    pub fn handle(&self) -> ObjectHandle {
        self.key
    }

    /// Signs `tbs` as [`Signer::sign`] does, but with an error naming token, key, mechanism
    /// and the module's return value (the trait's error is only "signing failed").
    pub fn try_sign(&self, tbs: &[u8]) -> Result<Vec<u8>> {
        match self.alg {
            Algorithm::Es256 => {
                let digest = Sha256::digest(tbs);
                let sig = self.raw_sign(&Mechanism::Ecdsa, "CKM_ECDSA", &digest)?;
                if sig.len() != 64 {
                    return Err(Error::Unusable(format!(
                        "token {:?}, key {:?}: CKM_ECDSA gave {} bytes, not the 64 of P-256 r‖s",
                        self.token.label(),
                        self.key_label,
                        sig.len()
                    )));
                }
                Ok(sig)
            }
            _ => self.raw_sign(
                &Mechanism::Sha256RsaPkcsPss(PSS),
                "CKM_SHA256_RSA_PKCS_PSS",
                tbs,
            ),
        }
    }

    /// One C_Sign with `mechanism` on a pooled session.
    pub(crate) fn raw_sign(
        &self,
        mechanism: &Mechanism<'_>,
        name: &'static str,
        data: &[u8],
    ) -> Result<Vec<u8>> {
        let at = self.token.at(Some(&self.key_label), Some(name));
        self.token.with_session(|session| {
            session
                .sign(mechanism, self.key, data)
                .map_err(|e| at.error(e))
        })
    }
}

impl Signer for TokenSigner {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn sign(&self, tbs: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.try_sign(tbs).map_err(|_| CryptoError::SigningFailed)
    }
}
