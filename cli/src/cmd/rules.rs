//! `dcc rules`: evaluates business rules on a DCC payload as the contract in
//! shared/conformance/rules/README.md says (exit 0 all passed, 1 otherwise, 2 input error), and
//! the loaders for rule and value-set files that `dcc verify` shares.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use clap::Args;
use serde_json::{json, Map, Value};
use verifier::rules::{self, RuleResult, RuleSet, ValueSets};

use crate::{files, Outcome};

#[derive(Args)]
pub struct RulesArgs {
    /// Rules: one Rule JSON object, an array of them, the gateway's download, or a directory.
    #[arg(long, value_name = "FILE")]
    rules: PathBuf,
    /// The DCC payload (JSON; `null` allowed).
    #[arg(long, value_name = "FILE")]
    payload: PathBuf,
    /// Validation clock, RFC 3339.
    #[arg(long)]
    at: String,
    /// The country of arrival (ISO 3166 alpha-2).
    #[arg(long, value_name = "CC")]
    country: String,
    /// Value sets: a `{"<id>": ["code", ...]}` file or a directory of eu-dcc-valuesets files.
    #[arg(long, value_name = "FILE_OR_DIR")]
    valuesets: Option<PathBuf>,
    /// The `external` object, used as is (nothing added or overridden).
    #[arg(long, value_name = "FILE")]
    external: Option<PathBuf>,
    /// Print the results as JSON.
    #[arg(long)]
    json: bool,
}

/// Directories named so hold test cases, not rules (the upstream layout `<ID>/tests/`).
const SKIPPED_DIRS: [&str; 1] = ["tests"];
const MAX_DEPTH: usize = 4;

fn json_files(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if depth < MAX_DEPTH && !SKIPPED_DIRS.contains(&name) && !name.starts_with('.') {
                json_files(&p, depth + 1, out)?;
            }
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
    Ok(())
}

/// Reads rules from a file or from every `.json` file under a directory (sorted; `tests/`
/// folders skipped). Returns the rules and one message per malformed rule.
pub fn load_rules(path: &Path) -> Result<(RuleSet, Vec<String>)> {
    let paths = if path.is_dir() {
        let mut found = Vec::new();
        json_files(path, 0, &mut found)?;
        if found.is_empty() {
            bail!("{} holds no .json rule files", path.display());
        }
        found
    } else {
        vec![path.to_path_buf()]
    };
    let mut set = RuleSet::new();
    let mut errors = Vec::new();
    for p in paths {
        let bytes = files::read(&p)?;
        errors.extend(
            set.add(&p.display().to_string(), &bytes)
                .iter()
                .map(ToString::to_string),
        );
    }
    Ok((set, errors))
}

/// Reads value sets from a file or from every `.json` file in a directory.
pub fn load_value_sets(path: &Path) -> Result<ValueSets> {
    let paths = if path.is_dir() {
        let mut found: Vec<PathBuf> = fs::read_dir(path)
            .with_context(|| format!("cannot list {}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
            .collect();
        found.sort();
        if found.is_empty() {
            bail!("{} holds no .json value-set files", path.display());
        }
        found
    } else {
        vec![path.to_path_buf()]
    };
    let mut sets = ValueSets::new();
    for p in paths {
        sets.add_file(&p.display().to_string(), &files::read(&p)?)?;
    }
    Ok(sets)
}

fn read_json(path: &Path) -> Result<Value> {
    serde_json::from_slice(&files::read(path)?)
        .with_context(|| format!("{} is not JSON", path.display()))
}

pub fn run(a: RulesArgs) -> Result<Outcome> {
    let at = super::parse_at(&a.at)?;
    let (set, errors) = load_rules(&a.rules)?;
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("error: {e}");
        }
        bail!(
            "{} malformed rule(s) in {}",
            errors.len(),
            a.rules.display()
        );
    }
    let payload = read_json(&a.payload)?;
    let external = match &a.external {
        Some(path) => {
            if a.valuesets.is_some() {
                eprintln!("warning: --valuesets is ignored: --external is used as is");
            }
            read_json(path)?
        }
        None => {
            let value_sets = match &a.valuesets {
                Some(p) => load_value_sets(p)?.to_external().clone(),
                None => Value::Object(Map::new()),
            };
            json!({"validationClock": a.at, "valueSets": value_sets, "countryCode": a.country})
        }
    };
    let data = json!({"payload": payload, "external": external});
    let evaluations: Vec<_> = set
        .select_acceptance(&a.country, at)
        .into_iter()
        .map(|rule| rules::evaluate(rule, &data))
        .collect();
    let all_passed = evaluations.iter().all(|e| e.result == RuleResult::Passed);
    if a.json {
        let results: Vec<_> = evaluations.iter().map(|e| e.outcome()).collect();
        super::print_json(&json!({ "results": results }))?;
    } else {
        if evaluations.is_empty() {
            println!("no rule of {} is in force at {}", a.country, a.at);
        }
        for e in &evaluations {
            println!(
                "{:<6} {} {}: {}",
                e.result.as_str(),
                e.rule.identifier,
                e.rule.version,
                e.rule.description("en")
            );
            if let Some(reason) = &e.reason {
                println!("       {reason}");
            }
        }
    }
    for e in &evaluations {
        if let (true, Some(reason)) = (a.json, &e.reason) {
            eprintln!("{} open: {reason}", e.rule.identifier);
        }
    }
    Ok(if all_passed {
        Outcome::Ok
    } else {
        Outcome::Failed
    })
}
