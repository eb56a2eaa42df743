//! The `HC1:` context identifier in front of the Base45 text (hcert spec §4.3).

use crate::{Error, Result};

/// The context identifier of an EU DCC, version 1.
pub const HC1: &str = "HC1:";

/// Returns the text after `HC1:`; anything else (another version, lower case, nothing) fails.
pub fn strip(text: &str) -> Result<&str> {
    if let Some(rest) = text.strip_prefix(HC1) {
        return Ok(rest);
    }
    let shown: String = text.chars().take(4).collect();
    if shown.is_empty() {
        Err(Error::Prefix(
            "the text is empty; expected it to start with HC1:".into(),
        ))
    } else {
        Err(Error::Prefix(format!(
            "the text starts with {shown:?}, not the context identifier \"HC1:\""
        )))
    }
}

/// Puts `HC1:` in front of Base45 text.
pub fn add(base45: &str) -> String {
    let mut out = String::with_capacity(HC1.len() + base45.len());
    out.push_str(HC1);
    out.push_str(base45);
    out
}
