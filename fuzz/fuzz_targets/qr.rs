//! Fuzz target: any bytes through the QR decoder, as an image file and as a small luminance
//! buffer whose first two bytes give its width and height.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = verifier::qr::decode(data);
    if let [w, h, luma @ ..] = data {
        let (w, h) = (u32::from(*w).max(1), u32::from(*h).max(1));
        let len = (w * h) as usize;
        if let Some(luma) = luma.get(..len) {
            let _ = verifier::qr::decode_luma(w, h, luma);
        }
    }
});
