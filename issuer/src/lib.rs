//! The issuer: signing keys (ES256, PS256, EdDSA), development key generation, and record →
//! checked DCC → CWT → signed `HC1:` text. The clock is an argument.
#![forbid(unsafe_code)]

pub mod batch;
mod error;
pub mod issue;
pub mod key_file;
pub mod keys;
pub mod names;
pub mod pdf;
pub mod qr;
pub mod sign;
pub mod signer_checks;

pub use error::{Error, Result};
pub use issue::{issue, issue_record, prepare, Issued, Policy};
pub use sign::SigningIdentity;
pub use signer_checks::SigningWindow;
