//! `zlib::inflate` (our whole-buffer inflater) held to flate2's zlib-rs, the inflater it
//! replaced: the same bytes from every stream zlib-rs accepts, and a refusal of every stream it
//! refuses. Streams of every compression level and of stored, fixed and dynamic blocks, with
//! codes longer than the lookup tables, damaged, cut short and extended; random bodies behind a
//! valid header; and every compressed payload of the EU test vectors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::io::Write;

use flate2::write::ZlibEncoder;
use flate2::{Compression, Decompress, FlushDecompress, Status};
use hcert::{base45, prefix, zlib};
use proptest::collection::vec;
use proptest::prelude::*;

/// zlib-rs's verdict, with the same rules: one complete stream, nothing after it, at most
/// `MAX_INFLATED` bytes out.
fn oracle(data: &[u8]) -> Option<Vec<u8>> {
    let mut inflater = Decompress::new(true);
    let mut out = Vec::with_capacity(zlib::MAX_INFLATED + 1);
    let status = inflater
        .decompress_vec(data, &mut out, FlushDecompress::Finish)
        .ok()?;
    let complete = status == Status::StreamEnd && inflater.total_in() == data.len() as u64;
    (complete && out.len() <= zlib::MAX_INFLATED).then_some(out)
}

fn agrees(data: &[u8]) -> Result<(), TestCaseError> {
    let ours = zlib::inflate(data);
    let theirs = oracle(data);
    match (&ours, &theirs) {
        (Ok(a), Some(b)) => prop_assert!(a == b, "different output for {}", hex::encode(data)),
        (Err(_), None) => {}
        _ => prop_assert!(
            false,
            "ours {:?}, zlib-rs {} for {}",
            ours.as_ref().map(Vec::len),
            theirs
                .as_ref()
                .map_or("refuses".into(), |v| format!("{} bytes", v.len())),
            hex::encode(data)
        ),
    }
    Ok(())
}

fn deflate(data: &[u8], level: u32) -> Vec<u8> {
    let mut enc = ZlibEncoder::new(Vec::new(), Compression::new(level));
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// Text-like data: words from a small vocabulary with skewed frequencies, so dynamic blocks
/// get long literal codes and distances of every size.
fn texty(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec((0u8..64, 0u8..8), 0..max).prop_map(|words| {
        let mut out = Vec::new();
        for (w, skew) in words {
            let w = if skew == 0 { w } else { w % (8 * skew) };
            let word = format!("w{}{} ", w, "xyz".repeat(usize::from(w % 5)));
            out.extend_from_slice(word.as_bytes());
            if w % 13 == 0 {
                out.push(w.wrapping_mul(37));
            }
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_level_of_arbitrary_bytes(bytes in vec(any::<u8>(), 0..3000), level in 0u32..10) {
        let z = deflate(&bytes, level);
        prop_assert_eq!(zlib::inflate(&z).unwrap(), bytes);
        agrees(&z)?;
    }

    #[test]
    fn every_level_of_text(text in texty(3000), level in 0u32..10) {
        let z = deflate(&text, level);
        prop_assert_eq!(zlib::inflate(&z).unwrap(), text);
        agrees(&z)?;
    }

    #[test]
    fn damaged_streams(
        text in texty(1500),
        level in 1u32..10,
        hits in vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut z = deflate(&text, level);
        for (at, with) in hits {
            let i = at.index(z.len());
            z[i] ^= with | 1;
        }
        agrees(&z)?;
    }

    /// Damage in the first bytes, where a dynamic block keeps its code lengths.
    #[test]
    fn damaged_block_headers(
        text in texty(1500),
        at in 2usize..40,
        bit in 0u8..8,
    ) {
        let mut z = deflate(&text, 9);
        let i = at.min(z.len() - 1);
        z[i] ^= 1 << bit;
        agrees(&z)?;
    }

    #[test]
    fn cut_and_extended_streams(
        text in texty(1500),
        cut in any::<prop::sample::Index>(),
        extra in vec(any::<u8>(), 0..8),
    ) {
        let z = deflate(&text, 9);
        agrees(&z[..cut.index(z.len())])?;
        let mut longer = z.clone();
        longer.extend(extra);
        agrees(&longer)?;
    }

    /// Random bodies behind a valid header, each of the three block types forced in turn.
    #[test]
    fn arbitrary_bodies(
        header in prop::sample::select(vec![[0x78u8, 0x01], [0x78, 0x9C], [0x78, 0xDA], [0x08, 0x1D], [0x48, 0x0D]]),
        block_type in 0u8..4,
        mut body in vec(any::<u8>(), 1..600),
    ) {
        body[0] = (body[0] & !0b110) | block_type << 1;
        let mut data = header.to_vec();
        data.extend(body);
        agrees(&data)?;
    }
}

/// Long inputs: codes longer than the tables' bits, distances near 32 KiB, several blocks.
#[test]
fn long_streams() {
    let mut text = Vec::new();
    let mut x: u32 = 12345;
    while text.len() < 60_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let r = (x >> 16) as usize;
        if r.is_multiple_of(7) && text.len() > 40_000 {
            let from = text.len() - 32_000 + r % 700;
            let chunk: Vec<u8> = text[from..from + 20 + r % 200].to_vec();
            text.extend(chunk);
        } else {
            // A skewed alphabet: a few letters often, many bytes rarely.
            let b = if r.is_multiple_of(3) {
                (r >> 3) as u8
            } else {
                b'a' + (r % 5) as u8
            };
            text.push(b);
        }
    }
    for level in 0..10 {
        let z = deflate(&text, level);
        assert_eq!(zlib::inflate(&z).unwrap(), text, "level {level}");
        agrees(&z).unwrap();
    }
    // Past the cap.
    let big = deflate(&[7u8; zlib::MAX_INFLATED + 1], 6);
    assert!(zlib::inflate(&big).is_err());
    agrees(&big).unwrap();
    let exact = deflate(&[7u8; zlib::MAX_INFLATED], 6);
    assert_eq!(zlib::inflate(&exact).unwrap().len(), zlib::MAX_INFLATED);
}

/// Hand-made streams at the edges zlib defines: an empty stored block, a block with no
/// distance codes, the one incomplete code allowed, a preset dictionary, a wrong checksum.
#[test]
fn edge_streams() {
    let cases: &[&str] = &[
        "7801010000ffff00000001", // empty stored block
        "789c030000000001",       // empty fixed block
        "789c4b04000062006200",   // "a", fixed, wrong checksum
        "789c4b0400006200620062", // "a", then one byte too many
        "78bb4b040000620062",     // preset dictionary flag
        "789c0500000000",         // dynamic block cut in its header
        "789c4b4c4a06000b0a0227", // "abc" fixed
        "789c07000000000000",     // block type 3
    ];
    for hex_stream in cases {
        agrees(&hex::decode(hex_stream).unwrap()).unwrap();
    }
    assert_eq!(
        zlib::inflate(&hex::decode("789c4b4c4a0600024d0127").unwrap()).unwrap(),
        b"abc"
    );
}

/// Every `PREFIX` of the EU test vectors that gets as far as zlib.
#[test]
fn agrees_on_every_dgc_test_vector() {
    let files = fixtures::json_files(&fixtures::conformance().join("dgc/testdata")).unwrap();
    let mut compared = 0;
    for path in &files {
        let Ok(vector) =
            serde_json::from_str::<serde_json::Value>(&fs::read_to_string(path).unwrap())
        else {
            continue;
        };
        let Some(text) = vector["PREFIX"].as_str() else {
            continue;
        };
        let Ok(b45) = prefix::strip(text) else {
            continue;
        };
        let Ok(compressed) = base45::decode(b45) else {
            continue;
        };
        compared += 1;
        agrees(&compressed).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    assert!(compared > 150, "{compared} compared");
}
