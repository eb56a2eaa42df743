//! A token logged in as its user, with a small pool of sessions (a PKCS#11 session serves one
//! thread at a time), and key generation inside it.

use std::sync::{Arc, Mutex, Weak};

use cryptoki::context::Pkcs11;
use cryptoki::error::RvError;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use hcert::crypto::{Algorithm, PublicKeyInfo};
use secrecy::{ExposeSecret as _, SecretString};
use subtle::ConstantTimeEq as _;

use crate::error::{rv_of, At, Error, Result};
use crate::public_key;
use crate::signer::TokenSigner;

/// Idle sessions kept for later signatures; more are opened under load and closed after.
const POOL_SIZE: usize = 8;

/// What [`Token::generate`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySpec {
    /// A P-256 key, for ES256.
    Es256,
    /// An RSA key of `bits` (2048–4096, a multiple of 8), for PS256.
    Ps256 {
        /// Modulus size.
        bits: u32,
    },
}

impl KeySpec {
    /// The default key of an algorithm: P-256 for ES256, RSA-3072 for PS256 (the hcert
    /// specification's minimum is 2048; 3072 is what keys made today should have).
    pub fn for_algorithm(alg: Algorithm) -> Result<KeySpec> {
        match alg {
            Algorithm::Es256 => Ok(KeySpec::Es256),
            Algorithm::Ps256 => Ok(KeySpec::Ps256 { bits: 3072 }),
            Algorithm::EdDsa => Err(Error::Unusable(
                "EdDSA keys are not made in a token here (ES256 or PS256)".into(),
            )),
        }
    }

    /// The algorithm the key signs with.
    pub fn algorithm(self) -> Algorithm {
        match self {
            KeySpec::Es256 => Algorithm::Es256,
            KeySpec::Ps256 { .. } => Algorithm::Ps256,
        }
    }
}

/// A token logged in as its user. Cheap to clone; clones share the sessions and the login.
#[derive(Clone)]
pub struct Token(Arc<TokenInner>);

/// What a [`Token`] shares among its clones and the signers made from it.
pub(crate) struct TokenInner {
    context: Pkcs11,
    slot: Slot,
    label: String,
    /// Kept to tell a second opening with another PIN from one with the same.
    pin: SecretString,
    idle: Mutex<Vec<Session>>,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("label", &self.0.label)
            .field("slot", &self.0.slot.id())
            .finish_non_exhaustive()
    }
}

impl Token {
    pub(crate) fn from_inner(inner: Arc<TokenInner>) -> Token {
        Token(inner)
    }

    pub(crate) fn downgrade(&self) -> Weak<TokenInner> {
        Arc::downgrade(&self.0)
    }

    pub(crate) fn pin_matches(&self, pin: &SecretString) -> bool {
        let (a, b) = (self.0.pin.expose_secret(), pin.expose_secret());
        a.as_bytes().ct_eq(b.as_bytes()).into()
    }

    /// Opens a first session and logs the user in; the session then waits in the pool, keeping
    /// the login (the token logs the process out when its last session closes).
    pub(crate) fn login(
        context: Pkcs11,
        slot: Slot,
        label: &str,
        pin: &SecretString,
    ) -> Result<Token> {
        let at = At {
            token: label,
            key: None,
            mechanism: None,
        };
        let session = context.open_rw_session(slot).map_err(|e| at.error(e))?;
        match session.login(UserType::User, Some(pin)) {
            Ok(()) => {}
            Err(e) => match rv_of(&e) {
                Some(RvError::PinIncorrect | RvError::PinLenRange) => {
                    return Err(Error::WrongPin {
                        token: label.to_string(),
                    })
                }
                Some(RvError::PinLocked) => {
                    return Err(Error::PinLocked {
                        token: label.to_string(),
                    })
                }
                // Logged in by other code of this process, outside this crate's registry.
                Some(RvError::UserAlreadyLoggedIn) => {}
                _ => return Err(at.error(e)),
            },
        }
        Ok(Token(Arc::new(TokenInner {
            context,
            slot,
            label: label.to_string(),
            pin: pin.clone(),
            idle: Mutex::new(vec![session]),
        })))
    }

    /// The token's label.
    pub fn label(&self) -> &str {
        &self.0.label
    }

    /// The token's slot.
    pub fn slot(&self) -> Slot {
        self.0.slot
    }

    pub(crate) fn at<'a>(
        &'a self,
        key: Option<&'a str>,
        mechanism: Option<&'static str>,
    ) -> At<'a> {
        At {
            token: &self.0.label,
            key,
            mechanism,
        }
    }

    /// Runs `f` on a logged-in session of the pool (a new one when all are busy), then puts the
    /// session back unless `f` failed: a failed session may be broken, and a new one costs
    /// little.
    pub(crate) fn with_session<T>(&self, f: impl FnOnce(&Session) -> Result<T>) -> Result<T> {
        let idle = self.0.idle.lock().ok().and_then(|mut idle| idle.pop());
        let session = match idle {
            Some(session) => session,
            None => self.open_session()?,
        };
        let result = f(&session);
        if result.is_ok() {
            if let Ok(mut idle) = self.0.idle.lock() {
                if idle.len() < POOL_SIZE {
                    idle.push(session);
                }
            }
        }
        result
    }

    /// A new session; logged in already when another session of the process is, else (every
    /// session had failed and closed) logged in again.
    fn open_session(&self) -> Result<Session> {
        let at = self.at(None, None);
        let session = self
            .0
            .context
            .open_rw_session(self.0.slot)
            .map_err(|e| at.error(e))?;
        match session.login(UserType::User, Some(&self.0.pin)) {
            Ok(()) => Ok(session),
            Err(e) if rv_of(&e) == Some(RvError::UserAlreadyLoggedIn) => Ok(session),
            Err(e) => Err(at.error(e)),
        }
    }

    /// The objects of `class` labelled `key_label`.
    pub(crate) fn find(
        session: &Session,
        at: At<'_>,
        class: ObjectClass,
        key_label: &str,
    ) -> Result<Vec<ObjectHandle>> {
        session
            .find_objects(&[
                Attribute::Class(class),
                Attribute::Label(key_label.as_bytes().to_vec()),
            ])
            .map_err(|e| at.error(e))
    }

    /// Generates a key pair inside the token, labelled `key_label` (both halves), and returns
    /// its public key. The private key is a token object that is private, sensitive, never
    /// extractable and may only sign. A label already on the token is refused (checked just
    /// before generating: two processes generating one label at once may both succeed).
    pub fn generate(&self, key_label: &str, spec: KeySpec) -> Result<PublicKeyInfo> {
        let (mechanism, name, public_attrs) = match spec {
            KeySpec::Es256 => (
                Mechanism::EccKeyPairGen,
                "CKM_EC_KEY_PAIR_GEN",
                vec![Attribute::EcParams(public_key::P256_PARAMS.to_vec())],
            ),
            KeySpec::Ps256 { bits } => {
                if !(2048..=4096).contains(&bits) || bits % 8 != 0 {
                    return Err(Error::Unusable(format!(
                        "RSA key size {bits} (2048 to 4096 bits, a multiple of 8)"
                    )));
                }
                (
                    Mechanism::RsaPkcsKeyPairGen,
                    "CKM_RSA_PKCS_KEY_PAIR_GEN",
                    vec![
                        Attribute::ModulusBits(u64::from(bits).into()),
                        Attribute::PublicExponent(vec![0x01, 0x00, 0x01]),
                    ],
                )
            }
        };
        let label = Attribute::Label(key_label.as_bytes().to_vec());
        let mut public = vec![
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Verify(true),
            label.clone(),
        ];
        public.extend(public_attrs);
        let private = [
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
            Attribute::Decrypt(false),
            Attribute::Derive(false),
            Attribute::Unwrap(false),
            label,
        ];
        let at = self.at(Some(key_label), Some(name));
        self.with_session(|session| {
            for class in [ObjectClass::PRIVATE_KEY, ObjectClass::PUBLIC_KEY] {
                if !Self::find(session, at, class, key_label)?.is_empty() {
                    return Err(Error::KeyExists {
                        token: self.0.label.clone(),
                        key: key_label.to_string(),
                    });
                }
            }
            let (public_key, _private_key) = session
                .generate_key_pair(&mechanism, &public, &private)
                .map_err(|e| at.error(e))?;
            public_key::read(session, at, public_key, spec.algorithm())
        })
    }

    /// The public key of the key pair labelled `key_label`.
    pub fn public_key(&self, key_label: &str, alg: Algorithm) -> Result<PublicKeyInfo> {
        Ok(self.signer(key_label, alg)?.public_key().clone())
    }

    /// A signer over the private key labelled `key_label`, for `alg` (ES256 on a P-256 key,
    /// PS256 on an RSA key); fails naming the token and label when there is no such key.
    pub fn signer(&self, key_label: &str, alg: Algorithm) -> Result<TokenSigner> {
        TokenSigner::find(self.clone(), key_label, alg)
    }
}
