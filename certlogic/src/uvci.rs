//! `extractFromUVCI`: a fragment of a UVCI (UCI) split on `/`, `#` and `:`, without checking the
//! format (specification: "it's not checked for compliance"); the `URN:UVCI:` prefix is optional.

const OPTIONAL_PREFIX: &str = "URN:UVCI:";

/// Fragment `index` of `uvci`, `None` when there is no such fragment. Empty fragments count:
/// `"a::c/#/f"` has six.
pub(crate) fn extract_fragment(uvci: &str, index: f64) -> Option<&str> {
    if index < 0.0 {
        return None;
    }
    let rest = uvci.strip_prefix(OPTIONAL_PREFIX).unwrap_or(uvci);
    // Saturates for indices beyond usize, which no string has that many fragments for.
    rest.split(['/', '#', ':']).nth(index as usize)
}
