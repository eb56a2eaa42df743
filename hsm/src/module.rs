//! A PKCS#11 module, loaded and initialised once per process: a module refuses a second
//! `C_Initialize`, so every [`Module::open`] of one path shares one context.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::RvError;
use cryptoki::slot::Slot;
use secrecy::SecretString;

use crate::error::{rv_of, Error, Result};
use crate::token::{Token, TokenInner};

/// The process's modules by path (as given, or canonical where the file exists).
static MODULES: OnceLock<Mutex<HashMap<PathBuf, Module>>> = OnceLock::new();

/// A loaded, initialised PKCS#11 module. Cheap to clone; every clone shares the context.
#[derive(Clone)]
pub struct Module {
    path: PathBuf,
    context: Pkcs11,
    /// The tokens logged in through this module, by slot: the login belongs to the process, so
    /// a second [`Module::token`] of one token shares the first one's sessions.
    tokens: Arc<Mutex<HashMap<u64, Weak<TokenInner>>>>,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Module {
    /// Loads and initialises the module at `path` (e.g. `/usr/lib/softhsm/libsofthsm2.so`), or
    /// returns the one this process already opened. SoftHSM reads `SOFTHSM2_CONF` here, once.
    pub fn open(path: impl AsRef<Path>) -> Result<Module> {
        let given = path.as_ref();
        let path = given.canonicalize().unwrap_or_else(|_| given.to_path_buf());
        let failed = |reason: String| Error::Module {
            path: given.to_path_buf(),
            reason,
        };
        let registry = MODULES.get_or_init(Mutex::default);
        let mut modules = registry
            .lock()
            .map_err(|_| failed("the module registry is poisoned".into()))?;
        if let Some(module) = modules.get(&path) {
            return Ok(module.clone());
        }
        if !path.exists() {
            return Err(failed("no such file".into()));
        }
        let context = Pkcs11::new(&path).map_err(|e| failed(e.to_string()))?;
        match context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) => {}
            // Initialised by other code of this process: the context is usable all the same.
            Err(e) if rv_of(&e) == Some(RvError::CryptokiAlreadyInitialized) => {}
            Err(e) => return Err(failed(format!("C_Initialize: {e}"))),
        }
        let module = Module {
            path: path.clone(),
            context,
            tokens: Arc::default(),
        };
        modules.insert(path, module.clone());
        Ok(module)
    }

    /// The module's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The process's one cryptoki context of this module, for what this crate does not wrap
    /// (initialising a token, reading an attribute in a test).
    pub fn context(&self) -> &Pkcs11 {
        &self.context
    }

    /// The slot holding the initialised token labelled `label`.
    pub fn slot(&self, label: &str) -> Result<Slot> {
        let at = crate::error::At {
            token: label,
            key: None,
            mechanism: None,
        };
        for slot in self
            .context
            .get_slots_with_token()
            .map_err(|e| at.error(e))?
        {
            let info = self.context.get_token_info(slot).map_err(|e| at.error(e))?;
            if info.token_initialized() && info.label().trim_end() == label {
                return Ok(slot);
            }
        }
        Err(Error::TokenNotFound {
            module: self.path.clone(),
            token: label.to_string(),
        })
    }

    /// The token labelled `label`, logged in as its user with `pin`. The login is per process:
    /// a token already logged in here is returned shared, after comparing the PIN with the one
    /// it was opened with (without a second `C_Login`, which a logged-in token would refuse
    /// whatever the PIN).
    pub fn token(&self, label: &str, pin: &SecretString) -> Result<Token> {
        let slot = self.slot(label)?;
        let mut tokens = self
            .tokens
            .lock()
            .map_err(|_| Error::Unusable(format!("token {label:?}: its registry is poisoned")))?;
        if let Some(open) = tokens.get(&slot.id()).and_then(Weak::upgrade) {
            let token = Token::from_inner(open);
            return if token.pin_matches(pin) {
                Ok(token)
            } else {
                Err(Error::WrongPin {
                    token: label.to_string(),
                })
            };
        }
        let token = Token::login(self.context.clone(), slot, label, pin)?;
        tokens.insert(slot.id(), token.downgrade());
        Ok(token)
    }
}
