//! The hsm crate's error: what failed (module, token, key, mechanism), never a PIN.

use std::path::PathBuf;

use cryptoki::error::RvError;

/// Why a token could not be opened, a key made or found, or a signature produced.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The PKCS#11 module could not be loaded or initialised.
    #[error("PKCS#11 module {}: {reason}", .path.display())]
    Module {
        /// The module's path as given.
        path: PathBuf,
        /// What went wrong, from the loader or the module.
        reason: String,
    },
    /// No initialised token of this label in any slot of the module.
    #[error("PKCS#11 module {}: no token labelled {token:?}", .module.display())]
    TokenNotFound {
        /// The module's path.
        module: PathBuf,
        /// The label asked for.
        token: String,
    },
    /// The token refused the user PIN (the PIN itself is never part of an error).
    #[error("token {token:?}: the user PIN is wrong")]
    WrongPin {
        /// The token's label.
        token: String,
    },
    /// Too many wrong PINs: the token refuses every login until its SO unlocks it.
    #[error("token {token:?}: the user PIN is locked")]
    PinLocked {
        /// The token's label.
        token: String,
    },
    /// The environment variable meant to hold the PIN is unset, empty or not UTF-8.
    #[error("the PIN variable {var} is {problem}")]
    PinVariable {
        /// The variable's name.
        var: String,
        /// "not set", "empty" or "not valid UTF-8".
        problem: &'static str,
    },
    /// No private key of this label on the token.
    #[error("token {token:?}: no private key labelled {key:?}")]
    KeyNotFound {
        /// The token's label.
        token: String,
        /// The key label asked for.
        key: String,
    },
    /// `generate` refuses a label already on the token, so no key is ever shadowed.
    #[error("token {token:?}: a key labelled {key:?} already exists")]
    KeyExists {
        /// The token's label.
        token: String,
        /// The key label.
        key: String,
    },
    /// The key is not of the kind the algorithm needs (an RSA key asked to sign ES256, a curve
    /// other than P-256, several keys of one label).
    #[error("token {token:?}, key {key:?}: {reason}")]
    KeyMismatch {
        /// The token's label.
        token: String,
        /// The key label.
        key: String,
        /// What does not fit.
        reason: String,
    },
    /// A PKCS#11 call failed: which call, on which token and key, with which mechanism.
    #[error("token {token:?}{}: {function} failed{}: {rv}",
        .key.as_ref().map(|k| format!(", key {k:?}")).unwrap_or_default(),
        .mechanism.map(|m| format!(" with {m}")).unwrap_or_default())]
    Pkcs11 {
        /// The token's label.
        token: String,
        /// The key label, when the call concerned a key.
        key: Option<String>,
        /// The PKCS#11 function ("C_Sign").
        function: String,
        /// The mechanism, when the call used one ("CKM_ECDSA").
        mechanism: Option<&'static str>,
        /// The module's return value, or the wrapper's error.
        rv: String,
    },
    /// Something the token or key cannot be used for: an algorithm this crate does not put in a
    /// token (EdDSA), an RSA size outside 2048–4096, a public key the token returns malformed.
    #[error("{0}")]
    Unusable(String),
    /// Building a CSR or certificate for a token key failed.
    #[error("certificate: {0}")]
    Certificate(String),
}

/// The hsm crate's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The return value of a failed PKCS#11 call, if the module gave one.
pub(crate) fn rv_of(e: &cryptoki::error::Error) -> Option<RvError> {
    match e {
        cryptoki::error::Error::Pkcs11(rv, _) => Some(*rv),
        _ => None,
    }
}

/// Where a PKCS#11 call happened, to name it in an [`Error::Pkcs11`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct At<'a> {
    pub token: &'a str,
    pub key: Option<&'a str>,
    pub mechanism: Option<&'static str>,
}

impl At<'_> {
    /// The error of a failed call: the function and return value as PKCS#11 names them
    /// (`C_Sign`, `MechanismInvalid`); cryptoki's own text for the spec's long descriptions
    /// would drown the context.
    pub(crate) fn error(self, e: cryptoki::error::Error) -> Error {
        let (function, rv) = match &e {
            cryptoki::error::Error::Pkcs11(rv, function) => {
                (format!("C_{function:?}"), format!("{rv:?}"))
            }
            other => ("cryptoki".to_string(), other.to_string()),
        };
        Error::Pkcs11 {
            token: self.token.to_string(),
            key: self.key.map(str::to_string),
            function,
            mechanism: self.mechanism,
            rv,
        }
    }
}
