//! Fuzz target: any bytes as a COSE_Sign1 and as CWT claims.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(sign1) = hcert::cose::Sign1::parse(data) {
        let _ = sign1.to_be_signed();
        let _ = hcert::cwt::decode(sign1.payload());
    }
    let _ = hcert::cwt::decode(data);
});
