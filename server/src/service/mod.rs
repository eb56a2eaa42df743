//! Domain logic, free of HTTP: each function takes the state's parts and the instant.

pub mod captcha;
pub mod citizen;
pub mod exchange;
pub mod nia;
pub mod otp;
pub mod permissions;
pub mod provider;
pub mod public;
pub mod questions;
pub mod registry;
pub mod renewal;
pub mod revocation;
