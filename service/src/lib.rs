//! dcc's domain layer (store ← service ← server ← cli): the installation's secrets and keys,
//! configuration, validation of what people type, the population registry, PINs, mail and SMS
//! behind traits, and registration certificates. Nothing here knows HTTP or pages.
//!
//! The domain's operations (records and issuance, accounts, OTP, renewal, permissions,
//! exchange, revocation, the outbox worker) still live in the server's `service` module and move
//! here next (issue 19).
#![forbid(unsafe_code)]

pub mod bootstrap;
pub mod certreg;
pub mod clock;
pub mod config;
pub mod mail;
pub mod pin;
pub mod registry;
pub mod secrets;
pub mod sms;
pub mod validate;

pub use config::Config;
pub use store::{self, seal};
