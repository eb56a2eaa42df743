//! Batch issuance: JSON Lines of records → signed certificates with their PDFs, in parallel
//! (rayon). A bad line is reported by its number and skipped; the rest are issued. The sink
//! names files by UVCI, which the issuer derives from the record, so a re-run skips what exists.

use std::collections::HashMap;

use hcert::dcc::Dcc;
use rayon::prelude::*;
use serde_json::Value;
use time::OffsetDateTime;

use crate::names::Names;
use crate::sign::SigningIdentity;
use crate::{pdf, qr, Issued, Policy};

/// One certificate, signed and rendered.
pub struct Rendered {
    /// The record's line number (1-based).
    pub line: usize,
    /// The signed certificate (`HC1:` text, DCC, UVCI, times).
    pub issued: Issued,
    /// The PDF certificate.
    pub pdf: Vec<u8>,
}

impl std::fmt::Debug for Rendered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rendered")
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

/// Where a batch puts its certificates (the CLI: files in a directory).
pub trait Sink: Sync {
    /// Whether the certificate with this file stem is already stored: a re-run skips it.
    fn exists(&self, stem: &str) -> bool;
    /// Stores one certificate under `stem`.
    fn write(&self, stem: &str, cert: &Rendered) -> Result<(), String>;
    /// Called once per record when it is done, whatever the outcome (for a progress bar).
    fn done(&self) {}
}

/// A record that was not issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Line number in the input (1-based).
    pub line: usize,
    /// What was wrong.
    pub message: String,
}

/// What a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Records read (non-blank lines).
    pub records: usize,
    /// Certificates signed and stored.
    pub issued: usize,
    /// Certificates already stored by an earlier run.
    pub existing: usize,
    /// Lines that repeat an earlier line's certificate: (line, first line).
    pub duplicates: Vec<(usize, usize)>,
    /// Lines not issued, in line order.
    pub failed: Vec<Failure>,
}

/// How a batch runs.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// The issue time of every certificate in the batch.
    pub now: OffsetDateTime,
    /// Names for the PDF's codes.
    pub names: &'a Names,
    /// Worker threads; `None` uses rayon's global pool (one per core).
    pub threads: Option<usize>,
}

/// A file name for a certificate, from its UVCI: `URN:UVCI:01:CZ:ABC#K` → `01_CZ_ABC-K`.
pub fn file_stem(uvci: &str) -> String {
    let rest = uvci
        .get(..9)
        .filter(|p| p.eq_ignore_ascii_case("URN:UVCI:"))
        .map_or(uvci, |_| uvci.get(9..).unwrap_or_default());
    rest.chars()
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' => c,
            '#' => '-',
            '/' => '.',
            _ => '_',
        })
        .collect()
}

/// The non-blank lines of JSON Lines input with their 1-based numbers.
pub fn lines(jsonl: &[u8]) -> Vec<(usize, &[u8])> {
    jsonl
        .split(|b| *b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix(b"\r").unwrap_or(l)))
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
        .collect()
}

enum Outcome {
    Issued,
    Existing,
    Duplicate(usize),
    Failed(String),
}

/// Issues every record of `jsonl` (one DCC JSON object per line) into `sink`.
pub fn run(
    jsonl: &[u8],
    key: &SigningIdentity,
    policy: &Policy,
    opts: Options<'_>,
    sink: &dyn Sink,
) -> Summary {
    let lines = lines(jsonl);
    let work = || -> Vec<(usize, Outcome)> {
        // Checking a record is cheap; signing and rendering are not. Check all first, so that
        // a record repeated in the batch is issued once, for its first line, in any order.
        let prepared: Vec<(usize, Result<Dcc, String>)> = lines
            .par_iter()
            .map(|(n, line)| (*n, prepare(line, policy, opts.now)))
            .collect();
        let mut first_line: HashMap<String, usize> = HashMap::new();
        let mut todo = Vec::with_capacity(prepared.len());
        let mut outcomes = Vec::with_capacity(prepared.len());
        for (n, p) in prepared {
            match p {
                Ok(dcc) => {
                    let uvci = dcc.uvci().unwrap_or_default().to_string();
                    match first_line.get(&uvci) {
                        Some(first) => outcomes.push((n, Outcome::Duplicate(*first))),
                        None => {
                            first_line.insert(uvci, n);
                            todo.push((n, dcc));
                        }
                    }
                }
                Err(e) => outcomes.push((n, Outcome::Failed(e))),
            }
        }
        for _ in &outcomes {
            sink.done();
        }
        outcomes.par_extend(todo.into_par_iter().map(|(n, dcc)| {
            let outcome = issue_one(n, dcc, key, policy, &opts, sink);
            sink.done();
            (n, outcome)
        }));
        outcomes.sort_by_key(|(n, _)| *n);
        outcomes
    };
    let outcomes = match opts.threads {
        Some(t) => match rayon::ThreadPoolBuilder::new().num_threads(t).build() {
            Ok(pool) => pool.install(work),
            Err(_) => work(),
        },
        None => work(),
    };
    let mut summary = Summary {
        records: lines.len(),
        ..Summary::default()
    };
    for (line, outcome) in outcomes {
        match outcome {
            Outcome::Issued => summary.issued += 1,
            Outcome::Existing => summary.existing += 1,
            Outcome::Duplicate(first) => summary.duplicates.push((line, first)),
            Outcome::Failed(message) => summary.failed.push(Failure { line, message }),
        }
    }
    summary
}

fn prepare(line: &[u8], policy: &Policy, now: OffsetDateTime) -> Result<Dcc, String> {
    let record: Value = serde_json::from_slice(line).map_err(|e| format!("not JSON: {e}"))?;
    let dcc = crate::prepare(&record, policy, now).map_err(|e| e.to_string())?;
    if dcc.uvci().is_none() {
        return Err("the record has no entry".into());
    }
    Ok(dcc)
}

fn issue_one(
    n: usize,
    dcc: Dcc,
    key: &SigningIdentity,
    policy: &Policy,
    opts: &Options<'_>,
    sink: &dyn Sink,
) -> Outcome {
    let stem = file_stem(dcc.uvci().unwrap_or_default());
    if sink.exists(&stem) {
        return Outcome::Existing;
    }
    let issued = match crate::issue(dcc, key, policy, opts.now) {
        Ok(i) => i,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let rendered = qr::encode(&issued.hc1).and_then(|m| {
        pdf::render(
            &issued,
            &m,
            opts.names,
            pdf::Page {
                country: &policy.country,
            },
        )
    });
    let pdf = match rendered {
        Ok(p) => p,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let cert = Rendered {
        line: n,
        issued,
        pdf,
    };
    match sink.write(&stem, &cert) {
        Ok(()) => Outcome::Issued,
        Err(e) => Outcome::Failed(e),
    }
}

#[cfg(test)]
mod tests;
