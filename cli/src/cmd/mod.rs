//! One module per subcommand.

pub mod admin;
pub mod admin_keys;
pub mod certlogic;
pub mod decode;
pub mod demo;
pub mod issue;
pub mod keys;
pub mod revoke;
pub mod rules;
pub mod schema;
pub mod serve;
pub mod trust;
pub mod verify;

use std::io::Read;

use anyhow::{Context as _, Result};

/// The HC1 text of an INPUT argument: the text itself, or `-` for standard input (one trailing
/// newline removed).
pub fn input_text(input: &str) -> Result<String> {
    if input == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("cannot read standard input")?;
        if s.ends_with('\n') {
            s.pop();
            if s.ends_with('\r') {
                s.pop();
            }
        }
        Ok(s)
    } else {
        Ok(input.to_string())
    }
}

/// Parses an RFC 3339 instant for `--at`.
pub fn parse_at(s: &str) -> Result<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .with_context(|| format!("--at {s:?} is not an RFC 3339 date-time"))
}

/// Prints JSON on one line.
pub fn print_json(v: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string(v)?);
    Ok(())
}
