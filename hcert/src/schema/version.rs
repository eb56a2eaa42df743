//! The nine released DCC schemas and what differs between them, as data.
//! `ver` picks a release: exactly in strict mode, the highest release not above it for the verifier.

use std::fmt;

/// A released version of the EU DCC JSON schema (ehn-dcc-development/eu-dcc-schema tags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SchemaVersion {
    /// 1.0.0, the first release (then called DGC).
    V1_0_0,
    /// 1.0.1: `tt` refers to the test-type value set; no validation change.
    V1_0_1,
    /// 1.1.0: `dob` may be `YYYY` or `YYYY-MM`, no longer a `format: date`.
    V1_1_0,
    /// 1.2.0: test `dr` (date-time of result) removed.
    V1_2_0,
    /// 1.2.1: files renamed DGC → DCC; no validation change.
    V1_2_1,
    /// 1.3.0: one group with one entry, 80-character limits, no dose maximum, `tc` optional,
    /// empty `dob` allowed.
    V1_3_0,
    /// 1.3.1: no validation change.
    V1_3_1,
    /// 1.3.2: `nam` needs `fnt` or `gnt` (before: `fnt`).
    V1_3_2,
    /// 1.3.3: a value set added; no validation change.
    V1_3_3,
}

impl SchemaVersion {
    /// Every release, oldest first.
    pub const ALL: [SchemaVersion; 9] = [
        SchemaVersion::V1_0_0,
        SchemaVersion::V1_0_1,
        SchemaVersion::V1_1_0,
        SchemaVersion::V1_2_0,
        SchemaVersion::V1_2_1,
        SchemaVersion::V1_3_0,
        SchemaVersion::V1_3_1,
        SchemaVersion::V1_3_2,
        SchemaVersion::V1_3_3,
    ];

    /// The release's name as written in `ver`.
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaVersion::V1_0_0 => "1.0.0",
            SchemaVersion::V1_0_1 => "1.0.1",
            SchemaVersion::V1_1_0 => "1.1.0",
            SchemaVersion::V1_2_0 => "1.2.0",
            SchemaVersion::V1_2_1 => "1.2.1",
            SchemaVersion::V1_3_0 => "1.3.0",
            SchemaVersion::V1_3_1 => "1.3.1",
            SchemaVersion::V1_3_2 => "1.3.2",
            SchemaVersion::V1_3_3 => "1.3.3",
        }
    }

    /// The release named exactly by `ver` (strict mode: `1.3.03` or `1.0.4` name none).
    pub fn exact(ver: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == ver)
    }

    /// The highest release not above `ver`, compared as semantic version numbers
    /// (the verifier: 1.0.4 → 1.0.1, 1.3.9 → 1.3.3, 2.0.0 → 1.3.3). `None` below 1.0.0 or when
    /// `ver` is not three dot-separated decimal numbers.
    pub fn at_or_below(ver: &str) -> Option<Self> {
        // A release named exactly (nearly every certificate) needs no number parsing.
        if let Some(release) = Self::exact(ver) {
            return Some(release);
        }
        let wanted = numeric(ver)?;
        Self::ALL
            .into_iter()
            .rev()
            .find(|v| numeric(v.as_str()).is_some_and(|known| known <= wanted))
    }

    /// What this release requires, beyond what every release shares.
    pub(super) fn rules(self) -> Rules {
        use SchemaVersion::*;
        let early = matches!(self, V1_0_0 | V1_0_1 | V1_1_0 | V1_2_0 | V1_2_1);
        Rules {
            text_max: if early { 50 } else { 80 },
            test_name_max: if early { None } else { Some(80) },
            dose_max: if early { Some(9) } else { None },
            dob: match self {
                V1_0_0 | V1_0_1 => DobRule::FullDate,
                V1_1_0 | V1_2_0 | V1_2_1 => DobRule::Partial,
                _ => DobRule::PartialOrEmpty,
            },
            test_centre_required: early,
            test_result_time: matches!(self, V1_0_0 | V1_0_1 | V1_1_0),
            names: if matches!(self, V1_3_2 | V1_3_3) {
                NameRule::FntOrGnt
            } else {
                NameRule::Fnt
            },
            one_group_one_entry: !early,
        }
    }
}

impl fmt::Display for SchemaVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `MAJOR.MINOR.PATCH` as numbers; a number too large for u64 saturates (it is above every
/// release either way).
fn numeric(ver: &str) -> Option<(u64, u64, u64)> {
    let mut parts = ver.split('.').map(|part| {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(part.parse::<u64>().unwrap_or(u64::MAX))
    });
    let major = parts.next()??;
    let minor = parts.next()??;
    let patch = parts.next()??;
    match parts.next() {
        None => Some((major, minor, patch)),
        Some(_) => None,
    }
}

/// The constraints that change between releases; the rest is the same in all nine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Rules {
    /// `maxLength` of `nam/*`, `is`, `ci` and `tc`: 50 up to 1.2.1, 80 from 1.3.0.
    pub text_max: usize,
    /// `maxLength` of test `nm`: none up to 1.2.1, 80 from 1.3.0.
    pub test_name_max: Option<usize>,
    /// `maximum` of `dn` and `sd` (`minimum` is always 1): 9 up to 1.2.1, none from 1.3.0.
    pub dose_max: Option<u64>,
    /// What `dob` must look like.
    pub dob: DobRule,
    /// Test `tc` is required up to 1.2.1.
    pub test_centre_required: bool,
    /// Test `dr` (`format: date-time`) is a defined property up to 1.1.0.
    pub test_result_time: bool,
    /// Which standardised names `nam` must hold.
    pub names: NameRule,
    /// From 1.3.0: `oneOf` exactly one of `v`/`t`/`r`, each with `maxItems: 1`.
    pub one_group_one_entry: bool,
}

/// The `dob` constraint of a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DobRule {
    /// 1.0.x: `format: date` and the unanchored pattern `(19|20)\d{2}-\d{2}-\d{2}`.
    FullDate,
    /// 1.1.0–1.2.1: `^(19|20)\d\d(-\d\d){0,2}$`.
    Partial,
    /// 1.3.0+: `^((19|20)\d\d(-\d\d){0,2}){0,1}$`.
    PartialOrEmpty,
}

/// The `required` of `person_name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NameRule {
    /// Up to 1.3.1: `required: [fnt]`.
    Fnt,
    /// From 1.3.2: `anyOf: [{required: [fnt]}, {required: [gnt]}]`.
    FntOrGnt,
}
