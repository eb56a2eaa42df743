//! zlib (RFC 1950) around the COSE bytes. Decoding demands one complete stream and caps the
//! output, so a truncated payload or a decompression bomb fails here, not later.

use std::cell::RefCell;
use std::io::Write;

use flate2::write::ZlibEncoder;
use flate2::{Compression, Decompress, FlushDecompress, Status};

use crate::{Error, Result};

/// Largest inflated payload accepted (SECURITY.md 39): a QR code holds under 4 KiB. The output
/// buffer never grows past this plus the one byte that shows a stream is longer.
pub const MAX_INFLATED: usize = 64 * 1024;

thread_local! {
    /// An inflater per thread, reset for each stream: making one (an aligned 40 KiB state
    /// allocation, initialised) costs a tenth of inflating a certificate.
    static INFLATER: RefCell<Option<Decompress>> = const { RefCell::new(None) };
}

/// Inflates one complete zlib stream; trailing bytes after it are an error.
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
    let reused = INFLATER.try_with(|cell| {
        let mut slot = cell.try_borrow_mut().ok()?;
        let inflater = slot.get_or_insert_with(|| Decompress::new(true));
        inflater.reset(true);
        Some(inflate_with(inflater, data))
    });
    match reused {
        Ok(Some(result)) => result,
        // The thread is exiting, or (never on this path) the inflater is in use.
        _ => inflate_with(&mut Decompress::new(true), data),
    }
}

/// Inflates `data` with a fresh (or freshly reset) inflater.
fn inflate_with(inflater: &mut Decompress, data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity((data.len() * 4).min(MAX_INFLATED));
    loop {
        let consumed = usize::try_from(inflater.total_in()).unwrap_or(usize::MAX);
        let rest = data.get(consumed..).unwrap_or(&[]);
        let before = (inflater.total_in(), inflater.total_out());
        let status = inflater
            .decompress_vec(rest, &mut out, FlushDecompress::None)
            .map_err(|e| Error::Zlib(format!("corrupt stream: {e}")))?;
        if out.len() > MAX_INFLATED {
            return Err(Error::Zlib(format!(
                "inflates to more than {MAX_INFLATED} bytes"
            )));
        }
        if status == Status::StreamEnd {
            break;
        }
        if out.len() == out.capacity() {
            if out.len() >= MAX_INFLATED {
                return Err(Error::Zlib(format!(
                    "inflates to more than {MAX_INFLATED} bytes"
                )));
            }
            out.reserve_exact(out.len().clamp(1024, MAX_INFLATED + 1 - out.len()));
        } else if before == (inflater.total_in(), inflater.total_out()) {
            return Err(Error::Zlib(
                "truncated stream: the data ends before the end of the zlib stream".into(),
            ));
        }
    }
    let consumed = inflater.total_in();
    if consumed != data.len() as u64 {
        return Err(Error::Zlib(format!(
            "{} byte(s) after the end of the zlib stream",
            (data.len() as u64).saturating_sub(consumed)
        )));
    }
    Ok(out)
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
