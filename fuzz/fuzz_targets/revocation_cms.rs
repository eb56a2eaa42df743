//! Fuzz target: any bytes as a CMS-signed revocation batch (DER, BER, base64 or PEM; the
//! parsing runs before the signer lookup, so no signer is needed) and as signer certificates.
#![no_main]

use libfuzzer_sys::fuzz_target;
use verifier::revocation::{looks_like_cms, RevocationListBuilder, RevocationSigners};

fuzz_target!(|data: &[u8]| {
    let _ = looks_like_cms(data);
    let signers = RevocationSigners::new();
    let _ = RevocationListBuilder::new().add_cms("fuzz", data, &signers);
    let _ = RevocationSigners::from_pem_or_der(data);
});
