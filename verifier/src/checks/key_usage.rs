//! Key usage: a signer certificate whose extended key usage names DCC types may sign only those
//! types (OIDs 1.3.6.1.4.1.1847.2021.1.1–.3 and the legacy 1.3.6.1.4.1.0.1847.2021.1.x).

use hcert::schema::{JsonView, ObjectView};
use hcert::CertType;
use trust_list::KeyUsage;

use crate::checks::signature::Signer;
use crate::Outcome;

/// Checks the identified signer, whether or not its signature verified, so that a report names
/// every fault at once (issue #20): with several certificates of one kid, one that may sign the
/// certificate's types is enough, since any of them may be the signer. Skip when the kid names
/// no trusted certificate.
pub fn check_signer<V: JsonView>(signer: &Signer<'_>, dcc: &V) -> Outcome {
    let mut first_failure = None;
    for dsc in signer.identified() {
        match check(&dsc.key_usage, dcc) {
            Outcome::Pass => return Outcome::Pass,
            failure => {
                first_failure.get_or_insert(failure);
            }
        }
    }
    first_failure.unwrap_or(Outcome::Skip)
}

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
