//! The `dcc` command's integration tests, one binary (one link instead of one per file). Each
//! module is one area of the command; `common` runs the binary and reads its output.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../../server/tests/integration/common/chrome.rs"]
mod chrome;
mod common;

mod admin_keys;
mod cli;
mod devmode;
mod fetch;
mod keys;
mod legacy;
mod registry_reset;
mod revocation;
mod trust_list_ca;
mod verify_rules;
mod walkthrough;
