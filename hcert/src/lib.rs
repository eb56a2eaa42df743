//! The EU Digital COVID Certificate container: `HC1:` + Base45(zlib(COSE_Sign1(CWT))).
//! Pure: no files, no network, no clock; crypto comes in through `crypto::Backend`.
#![forbid(unsafe_code)]

pub mod crypto;
