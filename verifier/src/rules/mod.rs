//! Business rules: the gateway's Rule JSON, selection as the EU verifier apps do it, evaluation
//! with the `certlogic` engine (each rule compiled once, when read), and value sets.
//! Pure: rules and value sets come in as bytes, the clock as an argument.

mod cms;
mod evaluate;
mod load;
mod model;
mod select;
mod valuesets;
mod version;

#[cfg(test)]
mod tests;

use serde_json::Value;
use time::OffsetDateTime;

pub use evaluate::{
    certificate_type, evaluate, evaluate_in, schema_gate, Evaluation, External, RuleResult,
};
pub use load::LoadError;
pub use model::{
    parse_instant, CertificateType, Description, OutcomeTexts, Rule, RuleType, CERTLOGIC_VERSION,
};
pub use select::{highest_versions, Selection};
pub use valuesets::{Entry, ValueSet, ValueSetError, ValueSets};
pub use version::Version;

/// Rules read from one or more sources, each compiled once.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

impl RuleSet {
    /// An empty set.
    pub fn new() -> Self {
        RuleSet::default()
    }

    /// Reads every source (`(name, bytes)`: a file name and its content); the good rules load,
    /// and each malformed one gives an error naming the source and the rule.
    pub fn load<'a>(
        sources: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> (RuleSet, Vec<LoadError>) {
        let mut set = RuleSet::new();
        let mut errors = Vec::new();
        for (name, bytes) in sources {
            errors.extend(set.add(name, bytes));
        }
        (set, errors)
    }

    /// Adds the rules of one source; returns the errors of the rules that could not be read.
    pub fn add(&mut self, source_name: &str, bytes: &[u8]) -> Vec<LoadError> {
        let (rules, errors) = load::load(source_name, bytes);
        self.rules.extend(rules);
        errors
    }

    /// Adds one rule.
    pub fn push(&mut self, rule: Rule) {
        self.rules.push(rule);
    }

    /// Every rule read, in reading order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether any Acceptance rule of `country` was read, whatever its validity.
    pub fn has_acceptance_rules_for(&self, country: &str) -> bool {
        self.rules.iter().any(|r| {
            r.rule_type == RuleType::Acceptance && r.country.eq_ignore_ascii_case(country.trim())
        })
    }

    /// The `dcc rules` selection (shared/conformance/rules/README.md): Acceptance rules of
    /// `country` valid at `at`, highest version per identifier.
    pub fn select_acceptance(&self, country: &str, at: OffsetDateTime) -> Vec<&Rule> {
        select::acceptance(&self.rules, country, at)
    }

    /// The EU verifier apps' selection for one certificate.
    pub fn select(&self, selection: &Selection<'_>) -> Vec<&Rule> {
        select::for_certificate(&self.rules, selection)
    }

    /// The verifier's path: selects the rules for `dcc` as the EU apps do, reports `open` those
    /// that fail the schema-version gate, and evaluates the others on
    /// `{"payload": dcc, "external": external}`.
    pub fn evaluate_certificate(
        &self,
        dcc: &Value,
        selection: &Selection<'_>,
        external: &External<'_>,
    ) -> Vec<Evaluation<'_>> {
        let scalars = external.scalars();
        let data = external.data(dcc, &scalars);
        let data = data.prepare();
        let ver = dcc.get("ver").and_then(Value::as_str);
        let have = ver.map(Version::parse);
        self.select(selection)
            .into_iter()
            .map(
                |rule| match evaluate::schema_gate_parsed(rule, ver, have.as_ref()) {
                    Ok(()) => evaluate::evaluate_prepared(rule, &data),
                    Err(reason) => Evaluation {
                        rule,
                        result: RuleResult::Open,
                        reason: Some(reason),
                    },
                },
            )
            .collect()
    }
}
