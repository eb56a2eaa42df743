//! Fuzz target: any text through the whole verifier (prefix → … → schema) with an empty trust list.
#![no_main]

use libfuzzer_sys::fuzz_target;
use time::OffsetDateTime;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let trust = trust_list::TrustList::new();
        let ctx = verifier::Context::new(&trust, OffsetDateTime::UNIX_EPOCH);
        let _ = verifier::verify_text(text, &ctx);
    }
});
