//! Signer certificates (DSC) and the trust lists that carry them.
#![forbid(unsafe_code)]
