//! Fuzz target: any bytes through `zlib::inflate` (our whole-buffer inflater) and through
//! flate2's zlib-rs: both accept with the same output, or both refuse.
#![no_main]

use flate2::{Decompress, FlushDecompress, Status};
use hcert::zlib;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ours = zlib::inflate(data).ok();
    let mut inflater = Decompress::new(true);
    let mut out = Vec::with_capacity(zlib::MAX_INFLATED + 1);
    let theirs = match inflater.decompress_vec(data, &mut out, FlushDecompress::Finish) {
        Ok(Status::StreamEnd)
            if inflater.total_in() == data.len() as u64 && out.len() <= zlib::MAX_INFLATED =>
        {
            Some(out)
        }
        _ => None,
    };
    assert_eq!(ours, theirs, "zlib::inflate and zlib-rs disagree");
});
