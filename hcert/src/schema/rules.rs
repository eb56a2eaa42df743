//! The DCC schema's constraints below `ver`, walked over a payload: `nam`, `dob`, the groups
//! `v`/`t`/`r` and their entries. Every violation is recorded; none stops the walk.

use std::fmt;

use serde_json::Number;

use super::version::{DobRule, NameRule, Rules};
use super::{describe, formats, patterns, Formats, JsonView, ObjectView, SchemaError};

/// Every violation of `rules` in `root`, except those of `ver` (checked when it was selected).
pub(super) fn check<V: JsonView>(
    root: &V::Obj,
    rules: Rules,
    formats: Formats,
) -> Vec<SchemaError> {
    let mut checker = Checker {
        rules,
        formats,
        errors: Vec::new(),
    };
    checker.root::<V>(root);
    checker.errors
}

/// The three groups, in schema order.
const GROUPS: [(&str, Group); 3] = [
    ("v", Group::Vaccination),
    ("t", Group::Test),
    ("r", Group::Recovery),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Vaccination,
    Test,
    Recovery,
}

/// What a property of an entry must be.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A string, with a `maxLength` if given.
    Text(Option<usize>),
    /// `country_vt`: a string with the unanchored pattern `[A-Z]{1,10}`.
    Country,
    /// `dose_posint`: an integer ≥ 1, ≤ the release's maximum if it has one.
    Dose,
    /// A string with `format: date`.
    Date,
    /// A string with `format: date-time`.
    DateTime,
}

/// One property of an entry: name, kind, and whether `required` lists it.
type Property = (&'static str, Kind, bool);

/// Where a property is, written out (`v/0/dn`) only when a violation there is recorded, so a
/// valid payload costs no path strings.
#[derive(Debug, Clone, Copy)]
enum At<'a> {
    /// A member of the payload: `dob`, `v`.
    Key(&'a str),
    /// A member of `nam`: `nam/fnt`.
    Name(&'a str),
    /// An entry of a group: `v/0`.
    Entry(&'a str, usize),
    /// A property of an entry: `v/0/dn`.
    Field(&'a str, usize, &'a str),
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Key(key) => f.write_str(key),
            At::Name(key) => write!(f, "nam/{key}"),
            At::Entry(group, index) => write!(f, "{group}/{index}"),
            At::Field(group, index, key) => write!(f, "{group}/{index}/{key}"),
        }
    }
}

struct Checker {
    rules: Rules,
    formats: Formats,
    errors: Vec<SchemaError>,
}

impl Checker {
    fn fail(&mut self, path: impl fmt::Display, message: impl Into<String>) {
        self.errors
            .push(SchemaError::new(path.to_string(), message));
    }

    fn root<V: JsonView>(&mut self, root: &V::Obj) {
        // Up to 1.2.1 `required: [ver, nam, dob]`; from 1.3.0 each `oneOf` branch requires them.
        for key in ["nam", "dob"] {
            if !root.contains_key(key) {
                self.fail(key, "is required but missing");
            }
        }
        if let Some(name) = root.get("nam") {
            self.person_name(name);
        }
        if let Some(dob) = root.get("dob") {
            self.date_of_birth(dob);
        }
        for (key, group) in GROUPS {
            if let Some(entries) = root.get(key) {
                self.group(key, group, entries);
            }
        }
        if self.rules.one_group_one_entry {
            let present: Vec<&str> = GROUPS
                .iter()
                .map(|(key, _)| *key)
                .filter(|key| root.contains_key(key))
                .collect();
            if present.len() != 1 {
                let has = if present.is_empty() {
                    "none".to_owned()
                } else {
                    present.join(" and ")
                };
                self.fail("", format!("must hold exactly one of v, t, r; has {has}"));
            }
        }
    }

    /// `person_name`: an object of four optional strings, some required.
    fn person_name<V: JsonView>(&mut self, name: &V) {
        let Some(name) = name.object() else {
            self.fail("nam", format!("must be an object, got {}", describe(name)));
            return;
        };
        match self.rules.names {
            NameRule::Fnt => {
                if !name.contains_key("fnt") {
                    self.fail("nam/fnt", "is required but missing");
                }
            }
            NameRule::FntOrGnt => {
                if !name.contains_key("fnt") && !name.contains_key("gnt") {
                    self.fail("nam", "must hold fnt or gnt (or both)");
                }
            }
        }
        for (key, standardised) in [("fn", false), ("fnt", true), ("gn", false), ("gnt", true)] {
            let Some(value) = name.get(key) else { continue };
            let path = At::Name(key);
            let Some(text) = self.text(path, value, Some(self.rules.text_max)) else {
                continue;
            };
            if standardised && !patterns::is_icao_name(text) {
                self.fail(
                    path,
                    format!("must match ^[A-Z<]*$, got {}", describe(value)),
                );
            }
        }
    }

    fn date_of_birth<V: JsonView>(&mut self, dob: &V) {
        let Some(text) = self.text(At::Key("dob"), dob, None) else {
            return;
        };
        let (matches, pattern) = match self.rules.dob {
            DobRule::FullDate => {
                if self.formats == Formats::Assert && !formats::is_date(text) {
                    self.fail(
                        "dob",
                        format!("must be a date YYYY-MM-DD, got {}", describe(dob)),
                    );
                }
                (
                    patterns::contains_full_dob(text),
                    r"(19|20)\d{2}-\d{2}-\d{2}",
                )
            }
            DobRule::Partial => (
                patterns::is_partial_dob(text, false),
                r"^(19|20)\d\d(-\d\d){0,2}$",
            ),
            DobRule::PartialOrEmpty => (
                patterns::is_partial_dob(text, true),
                r"^((19|20)\d\d(-\d\d){0,2}){0,1}$",
            ),
        };
        if !matches {
            self.fail(
                "dob",
                format!("must match {pattern}, got {}", describe(dob)),
            );
        }
    }

    /// A group: an array of 1 (from 1.3.0 exactly 1) entries, each checked.
    fn group<V: JsonView>(&mut self, key: &str, group: Group, entries: &V) {
        let Some(entries) = entries.array() else {
            self.fail(key, format!("must be an array, got {}", describe(entries)));
            return;
        };
        if entries.is_empty() {
            self.fail(key, "must hold at least 1 entry, has 0");
        }
        if self.rules.one_group_one_entry && entries.len() > 1 {
            let count = entries.len();
            self.fail(key, format!("must hold at most 1 entry, has {count}"));
        }
        let properties = self.properties(group);
        for (index, entry) in entries.iter().enumerate() {
            self.entry(key, index, entry, &properties);
        }
    }

    /// The properties of an entry of `group` in this release, in schema order.
    fn properties(&self, group: Group) -> Vec<Property> {
        use Kind::*;
        let text = Text(None);
        let limited = Text(Some(self.rules.text_max));
        match group {
            Group::Vaccination => vec![
                ("tg", text, true),
                ("vp", text, true),
                ("mp", text, true),
                ("ma", text, true),
                ("dn", Dose, true),
                ("sd", Dose, true),
                ("dt", Date, true),
                ("co", Country, true),
                ("is", limited, true),
                ("ci", limited, true),
            ],
            Group::Test => {
                let mut properties = vec![
                    ("tg", text, true),
                    ("tt", text, true),
                    ("nm", Text(self.rules.test_name_max), false),
                    ("ma", text, false),
                    ("sc", DateTime, true),
                ];
                if self.rules.test_result_time {
                    properties.push(("dr", DateTime, false));
                }
                properties.extend([
                    ("tr", text, true),
                    ("tc", limited, self.rules.test_centre_required),
                    ("co", Country, true),
                    ("is", limited, true),
                    ("ci", limited, true),
                ]);
                properties
            }
            Group::Recovery => vec![
                ("tg", text, true),
                ("fr", Date, true),
                ("co", Country, true),
                ("is", limited, true),
                ("df", Date, true),
                ("du", Date, true),
                ("ci", limited, true),
            ],
        }
    }

    /// An entry: an object with the group's properties; others are allowed and ignored.
    fn entry<V: JsonView>(
        &mut self,
        group: &str,
        index: usize,
        entry: &V,
        properties: &[Property],
    ) {
        let Some(entry) = entry.object() else {
            let path = At::Entry(group, index);
            self.fail(path, format!("must be an object, got {}", describe(entry)));
            return;
        };
        for &(key, kind, required) in properties {
            let field = At::Field(group, index, key);
            match entry.get(key) {
                None if required => self.fail(field, "is required but missing"),
                None => {}
                Some(value) => self.property(field, kind, value),
            }
        }
    }

    fn property<V: JsonView>(&mut self, path: At<'_>, kind: Kind, value: &V) {
        match kind {
            Kind::Text(max) => {
                self.text(path, value, max);
            }
            Kind::Country => {
                if let Some(text) = self.text(path, value, None) {
                    if !patterns::contains_upper_letter(text) {
                        self.fail(
                            path,
                            format!("must match [A-Z]{{1,10}}, got {}", describe(value)),
                        );
                    }
                }
            }
            Kind::Dose => {
                let max = self.rules.dose_max;
                if !value.number().is_some_and(|n| is_dose(n, max)) {
                    let range = match max {
                        Some(max) => format!("from 1 to {max}"),
                        None => ">= 1".to_owned(),
                    };
                    self.fail(
                        path,
                        format!("must be an integer {range}, got {}", describe(value)),
                    );
                }
            }
            Kind::Date => {
                if let Some(text) = self.text(path, value, None) {
                    if self.formats == Formats::Assert && !formats::is_date(text) {
                        let got = describe(value);
                        self.fail(path, format!("must be a date YYYY-MM-DD, got {got}"));
                    }
                }
            }
            Kind::DateTime => {
                if let Some(text) = self.text(path, value, None) {
                    if self.formats == Formats::Assert && !formats::is_date_time(text) {
                        let got = describe(value);
                        self.fail(
                            path,
                            format!(
                                "must be a date-time YYYY-MM-DDThh:mm:ss with an offset, got {got}"
                            ),
                        );
                    }
                }
            }
        }
    }

    /// `type: string` and an optional `maxLength` (counted in Unicode code points, as JSON
    /// Schema counts). The string, when it is one, for further checks.
    fn text<'v, V: JsonView>(
        &mut self,
        path: At<'_>,
        value: &'v V,
        max: Option<usize>,
    ) -> Option<&'v str> {
        let Some(text) = value.text() else {
            self.fail(path, format!("must be a string, got {}", describe(value)));
            return None;
        };
        if let Some(max) = max {
            let length = text.chars().count();
            if length > max {
                self.fail(
                    path,
                    format!("must be at most {max} characters, got {length}"),
                );
            }
        }
        Some(text)
    }
}

/// `type: integer`, `minimum: 1`, `maximum: max`. JSON Schema counts `2.0` as an integer.
fn is_dose(n: &Number, max: Option<u64>) -> bool {
    if let Some(whole) = n.as_u64() {
        return whole >= 1 && max.is_none_or(|max| whole <= max);
    }
    if n.is_i64() {
        return false; // negative
    }
    match n.as_f64() {
        Some(x) if x.is_finite() && x.fract() == 0.0 => {
            x >= 1.0 && max.is_none_or(|max| x <= max as f64)
        }
        _ => false,
    }
}
