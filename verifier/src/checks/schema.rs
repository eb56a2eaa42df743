//! Schema: the DCC against the schema of its `ver`, with `format` as an annotation only, plus
//! exactly one of v/t/r holding exactly one entry (hcert spec; see DESIGN.md "Decisions").

use hcert::schema::{self, Formats, JsonView};

use crate::Outcome;

/// Checks the decoded DCC.
pub fn check<V: JsonView>(dcc: &V) -> Outcome {
    match schema::validate(dcc, Formats::Annotate) {
        Ok(_) => Outcome::Pass,
        Err(errors) => {
            let shown: Vec<String> = errors.iter().take(5).map(ToString::to_string).collect();
            let more = errors.len().saturating_sub(shown.len());
            let mut msg = format!(
                "the certificate does not match its schema: {}",
                shown.join("; ")
            );
            if more > 0 {
                msg.push_str(&format!(" (and {more} more)"));
            }
            Outcome::Fail(msg)
        }
    }
}
