//! dcc's domain layer (store ← service ← server ← cli): records and issuance, citizen and
//! registry accounts, one-time codes, PIN renewal, permissions, the exchange of old
//! certificates, revocation and the outbox worker; with what they stand on: the installation's
//! secrets and keys, configuration, validation of what people type, the population registry,
//! PINs, the captcha, mail and SMS behind traits, and registration certificates.
//!
//! Operations take a [`Ctx`] (storage, clock, secrets, signing, senders, registry, config) and
//! return [`Error`]; nothing here knows HTTP, routes or page templates.
#![forbid(unsafe_code)]

pub mod admin;
pub mod bootstrap;
pub mod captcha;
pub mod certreg;
pub mod citizen;
pub mod clock;
pub mod config;
pub mod contact;
pub mod counters;
pub mod ctx;
pub mod defaults;
pub mod dev;
pub mod error;
pub mod exchange;
pub mod json;
pub mod keyring;
pub mod keys;
pub mod mail;
pub mod nia;
pub mod nia_link;
pub mod notice;
pub mod otp;
pub mod outbox;
pub mod permissions;
pub mod pin;
pub mod population;
pub mod provider;
pub mod public;
pub mod questions;
pub mod ratelimit;
pub mod registry;
pub mod renewal;
pub mod revocation;
pub mod secrets;
pub mod session;
pub mod signers;
pub mod sink;
pub mod sms;
pub mod validate;
pub mod validator;
pub mod worker;

pub use config::Config;
pub use ctx::Ctx;
pub use error::{Error, ServiceResult};
pub use store::{self, seal};
