//! Which rules apply: the narrow selection of the `dcc rules` contract, and the EU verifier
//! apps' selection for a certificate. Either way only the highest `Version` of an `Identifier`
//! counts.

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
    // A stable sort keeps the reading order among the versions of one identifier, so the first
    // one read stays on a tie.
    let mut all: Vec<&Rule> = rules.into_iter().collect();
    all.sort_by(|a, b| a.identifier.cmp(&b.identifier));
    let mut best: Vec<&Rule> = Vec::with_capacity(all.len());
    for rule in all {
        match best.last_mut() {
            Some(last) if last.identifier == rule.identifier => {
                if rule.semantic_version() > last.semantic_version() {
                    *last = rule;
                }
            }
            _ => best.push(rule),
        }
    }
    best
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
