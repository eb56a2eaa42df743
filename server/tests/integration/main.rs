//! The server's integration tests, one binary (one link of the server and its dependencies instead
//! of one per file). Each module is one area; `common` is the harness they share. Tests that read
//! the log share the one global subscriber of `common::logging`.
//!
//! The browser tests (`browser::`) drive headless Chromium; `.config/nextest.toml` runs them one
//! at a time.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[macro_use]
mod common;

mod api;
mod browser;
mod captcha;
mod contacts;
mod devmode;
mod dgca;
mod edge;
mod hygiene;
mod identity;
mod keys;
mod logs;
mod oidc;
mod openapi;
mod outbox;
mod permissions;
mod portal;
mod questions;
mod registry;
mod registry_logs;
mod renewal;
mod revocation;
mod rollover;
mod rules;
mod scanner;
mod security_checklist;
mod serve;
mod worker;
