//! `dcc certlogic --logic FILE --data FILE`: evaluates a CertLogic expression on data and prints
//! the JSON result (shared/conformance/certlogic/README.md). Exit 1 for a malformed expression or
//! an evaluation error, 2 for unreadable input.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Args;

use crate::{files, Outcome};

#[derive(Args)]
pub struct CertlogicArgs {
    /// The CertLogic expression (JSON).
    #[arg(long, value_name = "FILE")]
    logic: PathBuf,
    /// The data to evaluate it on (JSON).
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
}

fn read_json(path: &std::path::Path) -> Result<serde_json::Value> {
    serde_json::from_slice(&files::read(path)?)
        .with_context(|| format!("{} is not JSON", path.display()))
}

pub fn run(a: CertlogicArgs) -> Result<Outcome> {
    let logic = read_json(&a.logic)?;
    let data = read_json(&a.data)?;
    match certlogic::evaluate(&logic, &data) {
        Ok(result) => {
            super::print_json(&result)?;
            Ok(Outcome::Ok)
        }
        Err(e) => {
            eprintln!("certlogic: {e}");
            Ok(Outcome::Failed)
        }
    }
}
