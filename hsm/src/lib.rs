//! Signing keys that never leave a PKCS#11 token (an HSM; SoftHSM in tests): ES256 and PS256
//! keys generated in the token, a [`hcert::crypto::Signer`] over them for the issuer, and the
//! certificates such a key needs (a CSR for the DSC, or a development DSC signed by a CSCA).
//!
//! ```no_run
//! # fn main() -> hsm::Result<()> {
//! use hcert::crypto::Algorithm;
//! let module = hsm::Module::open("/usr/lib/softhsm/libsofthsm2.so")?;
//! let token = module.token("dcc", &hsm::pin_from_env("DCC_HSM_PIN")?)?;
//! token.generate("dsc-2026", hsm::KeySpec::Es256)?;
//! let signer = token.signer("dsc-2026", Algorithm::Es256)?; // an hcert::crypto::Signer
//! assert_eq!(signer.try_sign(b"Sig_structure")?.len(), 64); // ES256: raw r‖s
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cert;
mod error;
mod module;
mod pin;
mod public_key;
mod signer;
mod token;

pub use cert::{csr, dev_dsc};
pub use error::{Error, Result};
pub use module::Module;
pub use pin::{pin_from_env, pin_from_vars};
pub use public_key::spki_der;
pub use signer::TokenSigner;
pub use token::{KeySpec, Token};
