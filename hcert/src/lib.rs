//! The EU Digital COVID Certificate container: `HC1:` + Base45(zlib(COSE_Sign1(CWT))).
//! Pure: no files, no network, no clock; crypto comes in through `crypto::Backend`.
#![forbid(unsafe_code)]

pub mod base45;
pub mod cbor_json;
pub mod cose;
pub mod crypto;
pub mod cwt;
pub mod dcc;
mod error;
pub mod hc1;
pub mod prefix;
pub mod schema;
pub mod translit;
pub mod uvci;
pub mod zlib;

pub use error::{Error, Result};
/// The three kinds of certificate; each DCC holds exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CertType {
    /// `v`: vaccination.
    Vaccination,
    /// `t`: test.
    Test,
    /// `r`: recovery.
    Recovery,
}

impl CertType {
    /// The DCC member that holds entries of this type.
    pub fn key(self) -> &'static str {
        match self {
            CertType::Vaccination => "v",
            CertType::Test => "t",
            CertType::Recovery => "r",
        }
    }

    /// The type named by a DCC member (`v`, `t`, `r`).
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "v" => Some(CertType::Vaccination),
            "t" => Some(CertType::Test),
            "r" => Some(CertType::Recovery),
            _ => None,
        }
    }

    /// English name for messages.
    pub fn name(self) -> &'static str {
        match self {
            CertType::Vaccination => "vaccination",
            CertType::Test => "test",
            CertType::Recovery => "recovery",
        }
    }
}
