//! Key usage: a signer certificate whose extended key usage names DCC types may sign only those
//! types (OIDs 1.3.6.1.4.1.1847.2021.1.1–.3 and the legacy 1.3.6.1.4.1.0.1847.2021.1.x).

use hcert::schema::{JsonView, ObjectView};
use hcert::CertType;
use trust_list::KeyUsage;

use crate::Outcome;

/// Checks that the signer may sign every type the certificate holds.
pub fn check<V: JsonView>(usage: &KeyUsage, dcc: &V) -> Outcome {
    // Collecting nothing allocates nothing: the passing path stays free of allocations.
    let forbidden: Vec<&str> = ["v", "t", "r"]
        .into_iter()
        .filter(|k| dcc.object().is_some_and(|o| o.contains_key(k)))
        .filter_map(CertType::from_key)
        .filter(|t| !usage.allows(*t))
        .map(CertType::name)
        .collect();
    if forbidden.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail(format!(
            "the signer certificate may not sign {} certificates (its key usage allows: {})",
            forbidden.join(" and "),
            usage.describe()
        ))
    }
}
