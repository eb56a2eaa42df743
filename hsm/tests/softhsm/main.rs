//! The hsm crate against SoftHSM: each test initialises its own token in a SoftHSM store of
//! this process's own (under cargo nextest a process per test, under cargo test one for all).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod certificates;
mod custody;
mod errors;
mod signing;
mod support;
