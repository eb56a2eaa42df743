//! `dcc schema --payload FILE --json`: the strict validator (formats asserted), as specified in
//! shared/conformance/schema/README.md. Exit 0 valid, 1 invalid, 2 unreadable or not JSON.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Args;
use hcert::schema::{self, Formats};
use serde_json::json;

use crate::{files, Outcome};

#[derive(Args)]
pub struct SchemaArgs {
    /// The DCC payload (JSON).
    #[arg(long, value_name = "FILE")]
    payload: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(a: SchemaArgs) -> Result<Outcome> {
    let bytes = files::read(&a.payload)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not JSON", a.payload.display()))?;
    let errors: Vec<String> = match schema::validate(&value, Formats::Assert) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    };
    let valid = errors.is_empty();
    if a.json {
        super::print_json(&json!({"valid": valid, "errors": errors}))?;
    } else if valid {
        println!("valid");
    } else {
        println!("invalid:");
        for e in &errors {
            println!("  {e}");
        }
    }
    Ok(if valid { Outcome::Ok } else { Outcome::Failed })
}
