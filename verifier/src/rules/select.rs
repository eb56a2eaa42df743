//! Which rules apply: the narrow selection of the `dcc rules` contract, and the EU verifier
//! apps' selection for a certificate. Either way only the highest `Version` of an `Identifier`
//! counts.

use std::collections::BTreeMap;

use hcert::CertType;
use time::OffsetDateTime;

use super::model::{Rule, RuleType};

/// What the verifier knows when it picks rules for one certificate.
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    /// The validation clock.
    pub at: OffsetDateTime,
    /// The country of arrival: its Acceptance rules apply.
    pub arrival_country: Option<&'a str>,
    /// The issuing country (CWT `iss`): its Invalidation rules apply.
    pub issuer_country: Option<&'a str>,
    /// The certificate's type: General rules and those of this type apply (`None`: General only).
    pub certificate_type: Option<CertType>,
    /// A region of the arrival country: rules with a `Region` apply only where it matches.
    pub region: Option<&'a str>,
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Keeps the highest `Version` per `Identifier` (the first one read on a tie), ordered by
/// identifier.
pub fn highest_versions<'r>(rules: impl IntoIterator<Item = &'r Rule>) -> Vec<&'r Rule> {
    let mut best: BTreeMap<&str, &Rule> = BTreeMap::new();
    for rule in rules {
        let entry = best.entry(rule.identifier.as_str()).or_insert(rule);
        if rule.semantic_version() > entry.semantic_version() {
            *entry = rule;
        }
    }
    best.into_values().collect()
}

/// The `dcc rules` contract: `Type` Acceptance, `Country` equal to `country` (case-insensitive),
/// `ValidFrom <= at <= ValidTo`; no `CertificateType`, region or schema-version filter.
pub fn acceptance<'r>(rules: &'r [Rule], country: &str, at: OffsetDateTime) -> Vec<&'r Rule> {
    highest_versions(rules.iter().filter(|r| {
        r.rule_type == RuleType::Acceptance && same(&r.country, country) && r.is_valid_at(at)
    }))
}

/// As the EU verifier apps select: the arrival country's Acceptance rules and the issuing
/// country's Invalidation rules, of CertificateType General or the certificate's type, valid at
/// the clock, in the verifier's region or national.
pub fn for_certificate<'r>(rules: &'r [Rule], s: &Selection<'_>) -> Vec<&'r Rule> {
    let country_matches = |r: &Rule| match &r.rule_type {
        RuleType::Acceptance => s.arrival_country.is_some_and(|c| same(&r.country, c)),
        RuleType::Invalidation => s.issuer_country.is_some_and(|c| same(&r.country, c)),
        RuleType::Other(_) => false,
    };
    let region_matches = |r: &Rule| match (&r.region, s.region) {
        (None, _) => true,
        (Some(want), Some(have)) => same(want, have),
        (Some(_), None) => false,
    };
    highest_versions(rules.iter().filter(|r| {
        country_matches(r)
            && region_matches(r)
            && r.certificate_type.applies_to(s.certificate_type)
            && r.is_valid_at(s.at)
    }))
}
