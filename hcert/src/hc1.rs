//! The whole chain in one place: `HC1:` text ⇄ COSE bytes, stage by stage, so each stage's
//! error names itself (prefix, base45, zlib).

use crate::{base45, prefix, zlib, Result};

/// `HC1:` text → COSE_Sign1 bytes (prefix, Base45, inflate).
pub fn unwrap(text: &str) -> Result<Vec<u8>> {
    let b45 = prefix::strip(text)?;
    let compressed = base45::decode(b45)?;
    zlib::inflate(&compressed)
}

/// COSE_Sign1 bytes → `HC1:` text (deflate, Base45, prefix).
pub fn wrap(cose: &[u8]) -> Result<String> {
    let compressed = zlib::deflate(cose)?;
    Ok(prefix::add(&base45::encode(&compressed)))
}
