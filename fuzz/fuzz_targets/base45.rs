//! Fuzz target: any text through the Base45 decoder; what decodes must encode back to it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(bytes) = hcert::base45::decode(text) {
            assert_eq!(hcert::base45::encode(&bytes), text);
        }
    }
});
