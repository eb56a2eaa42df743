//! zlib (RFC 1950) around the COSE bytes. Decoding demands one complete stream and caps the
//! output, so a truncated payload or a decompression bomb fails here, not later.

use std::io::Write;

use flate2::write::ZlibEncoder;
use flate2::Compression;

use crate::{Error, Result};

mod inflate;

use inflate::Fault;

/// Largest inflated payload accepted (SECURITY.md 39): a QR code holds under 4 KiB.
pub const MAX_INFLATED: usize = 64 * 1024;

/// Inflates one complete zlib stream; trailing bytes after it are an error.
///
/// Decoding is our own whole-buffer inflater (`zlib/inflate.rs`): on a certificate it takes
/// 0.7 of flate2's zlib-rs's time for a dynamic-Huffman block and 0.9 for a fixed one
/// (`cargo bench -p hcert --bench decode -- inflate`). It is held to zlib-rs by differential
/// tests (`tests/inflate_differential.rs`, `fuzz/fuzz_targets/inflate.rs`). Encoding stays
/// with flate2.
pub fn inflate(data: &[u8]) -> Result<Vec<u8>> {
    if data.len() < 2 {
        return Err(Error::Zlib(format!(
            "{} byte(s) is too short for a zlib stream",
            data.len()
        )));
    }
    let (cmf, flg) = (
        data.first().copied().unwrap_or(0),
        data.get(1).copied().unwrap_or(0),
    );
    if cmf & 0x0F != 8 || (u16::from(cmf) << 8 | u16::from(flg)) % 31 != 0 {
        return Err(Error::Zlib(format!(
            "no zlib header (first bytes 0x{cmf:02x} 0x{flg:02x}); the data is not compressed"
        )));
    }
    match inflate::inflate(data, MAX_INFLATED) {
        Ok(done) if done.consumed == data.len() => Ok(done.data),
        Ok(done) => Err(Error::Zlib(format!(
            "{} byte(s) after the end of the zlib stream",
            data.len() - done.consumed
        ))),
        Err(Fault::Truncated) => Err(Error::Zlib(
            "truncated stream: the data ends before the end of the zlib stream".into(),
        )),
        Err(Fault::TooLarge) => Err(Error::Zlib(format!(
            "inflates to more than {MAX_INFLATED} bytes"
        ))),
        Err(Fault::Corrupt(what)) => Err(Error::Zlib(format!("corrupt stream: {what}"))),
    }
}

/// Deflates at the best compression level (QR space is what matters).
pub fn deflate(data: &[u8]) -> Result<Vec<u8>> {
    let mut enc = ZlibEncoder::new(Vec::with_capacity(data.len()), Compression::best());
    enc.write_all(data)
        .and_then(|()| enc.finish())
        .map_err(|e| Error::Zlib(format!("compression failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_truncation() {
        let data = b"a payload that is long enough to compress, compress, compress".repeat(4);
        let z = deflate(&data).unwrap();
        assert_eq!(inflate(&z).unwrap(), data);
        for cut in 0..z.len() {
            assert!(inflate(&z[..cut]).is_err(), "truncated at {cut} accepted");
        }
        let mut extra = z.clone();
        extra.push(0);
        assert!(inflate(&extra)
            .unwrap_err()
            .to_string()
            .contains("after the end"));
    }

    #[test]
    fn uncompressed_data_fails() {
        let err = inflate(&[0xD2, 0x84, 0x43, 0xA1]).unwrap_err().to_string();
        assert!(err.contains("not compressed"), "{err}");
    }

    #[test]
    fn bomb_is_capped() {
        let z = deflate(&vec![0u8; MAX_INFLATED + 10]).unwrap();
        let err = inflate(&z).map(|v| v.len()).unwrap_err().to_string();
        assert!(err.contains("more than"), "{err}");
    }
}
