//! Signer certificates (DSC) and the trust lists that carry them: X.509 parsing, kid, country,
//! validity, key usage and public keys; the gateway's JSON, PEM files and dcc's signed list;
//! the link of a DSC to its country signing CA, and of dcc's list signer to its trust-list CA.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod chain;
mod der;
mod dsc;
mod encoding;
mod entry;
mod error;
mod gateway;
mod key_usage;
mod list_signer;
mod pem_dir;
mod public_key;
mod rfc3339;
mod signed;
mod signing_limits;
mod trust_list;

pub use chain::{check_issued_by, Csca};
pub use dsc::{parse_certificate, parse_certificates, Dsc};
pub use error::{Error, Result};
pub use gateway::{parse_gateway_json, parse_gateway_json_lenient, to_gateway_json};
pub use key_usage::{eku_oid_arcs, KeyUsage, OID_RECOVERY, OID_TEST, OID_VACCINATION};
pub use list_signer::{ListSigner, TrustListCa, ARCS_DOCUMENT_SIGNING, OID_DOCUMENT_SIGNING};
pub use pem_dir::{from_pem_files, from_pem_files_lenient};
pub use signed::{
    build_signed, open_signed_list, open_signed_list_by, sign_jws, verify_signed, verify_signed_by,
    OpenedList, SignedTrustList,
};
pub use signing_limits::{
    DigitalSignature, SigningLimits, UsagePeriod, ARCS_PRIVATE_KEY_USAGE_PERIOD,
    OID_PRIVATE_KEY_USAGE_PERIOD,
};
pub use trust_list::{TrustList, TrustedKey};

/// What a lenient loader found: the good signers, and one error per bad entry or file, each
/// naming it. Strict loaders (the CLI's) stop at the first error instead.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loaded {
    /// The signers that loaded.
    pub dscs: Vec<Dsc>,
    /// What was wrong with the others.
    pub errors: Vec<Error>,
}
