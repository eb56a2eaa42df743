//! Value sets: the EU code lists (eu-dcc-valuesets format, one file per set) that rules read as
//! `external.valueSets` (`{"<id>": ["code", ...]}`), with display names for people and documents.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// One code of a value set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    /// The code, e.g. `EU/1/20/1528`.
    pub code: String,
    /// English display name.
    pub display: Option<String>,
    /// Czech display name (`display_cs`, the project's addition for bilingual documents).
    pub display_cs: Option<String>,
    /// `active`; codes without it count as active.
    pub active: bool,
}

/// One value set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ValueSet {
    /// `valueSetDate`, when given.
    pub date: Option<String>,
    entries: Vec<Entry>,
    index: BTreeMap<String, usize>,
}

impl ValueSet {
    /// The codes in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// One code's entry.
    pub fn entry(&self, code: &str) -> Option<&Entry> {
        self.index.get(code).and_then(|i| self.entries.get(*i))
    }

    fn push(&mut self, entry: Entry) {
        match self
            .index
            .get(&entry.code)
            .and_then(|i| self.entries.get_mut(*i))
        {
            Some(existing) => *existing = entry,
            None => {
                self.index.insert(entry.code.clone(), self.entries.len());
                self.entries.push(entry);
            }
        }
    }
}

/// All loaded value sets by id. The rules' view (`{"<id>": [codes]}`) is kept ready, as it is
/// passed to every evaluation.
#[derive(Debug, Clone)]
pub struct ValueSets {
    sets: BTreeMap<String, ValueSet>,
    external: Value,
}

/// A value-set file that could not be read; the message names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("value sets {source_name}: {message}")]
pub struct ValueSetError {
    /// The file (or other source name).
    pub source_name: String,
    /// What is wrong.
    pub message: String,
}

impl Default for ValueSets {
    fn default() -> Self {
        ValueSets::new()
    }
}

impl ValueSets {
    /// No value sets.
    pub fn new() -> Self {
        ValueSets {
            sets: BTreeMap::new(),
            external: Value::Object(Map::new()),
        }
    }

    /// Adds the value sets of one file: an eu-dcc-valuesets file (`{"valueSetId",
    /// "valueSetDate", "valueSetValues": {"<code>": {"display", "active", ...}}}`) or a map
    /// `{"<id>": ["code", ...]}` (the form rules see). A set loaded again is replaced.
    pub fn add_file(&mut self, source_name: &str, bytes: &[u8]) -> Result<(), ValueSetError> {
        let err = |message: String| ValueSetError {
            source_name: source_name.to_string(),
            message,
        };
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| err(format!("not JSON: {e}")))?;
        let obj = value
            .as_object()
            .ok_or_else(|| err("must be a JSON object".into()))?;
        let mut loaded = Vec::new();
        if let Some(id) = obj.get("valueSetId") {
            let id = id
                .as_str()
                .ok_or_else(|| err("valueSetId must be text".into()))?;
            let values = obj
                .get("valueSetValues")
                .ok_or_else(|| err(format!("{id}: valueSetValues is missing")))?;
            let mut set = parse_values(values).map_err(|m| err(format!("{id}: {m}")))?;
            set.date = obj
                .get("valueSetDate")
                .and_then(Value::as_str)
                .map(str::to_string);
            loaded.push((id.to_string(), set));
        } else {
            for (id, values) in obj {
                let set = parse_values(values).map_err(|m| err(format!("{id}: {m}")))?;
                loaded.push((id.clone(), set));
            }
        }
        for (id, set) in loaded {
            self.sets.insert(id, set);
        }
        self.refresh();
        Ok(())
    }

    /// Adds (or replaces) a set from bare codes.
    pub fn insert_codes<I, S>(&mut self, id: &str, codes: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut set = ValueSet::default();
        for code in codes {
            set.push(Entry {
                code: code.into(),
                active: true,
                ..Entry::default()
            });
        }
        self.sets.insert(id.to_string(), set);
        self.refresh();
    }

    fn refresh(&mut self) {
        let map: Map<String, Value> = self
            .sets
            .iter()
            .map(|(id, set)| {
                let codes = set
                    .entries
                    .iter()
                    .map(|e| Value::String(e.code.clone()))
                    .collect();
                (id.clone(), Value::Array(codes))
            })
            .collect();
        self.external = Value::Object(map);
    }

    /// `external.valueSets` for CertLogic: `{"<id>": ["code", ...]}`, every code of every set
    /// (the EU apps pass inactive codes too: rules decide what they accept).
    pub fn to_external(&self) -> &Value {
        &self.external
    }

    /// One set by id.
    pub fn get(&self, id: &str) -> Option<&ValueSet> {
        self.sets.get(id)
    }

    /// The ids of the loaded sets, sorted.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.sets.keys().map(String::as_str)
    }

    /// Whether no set is loaded.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// The English display name of `code` in set `id`.
    pub fn display(&self, id: &str, code: &str) -> Option<&str> {
        self.get(id)?.entry(code)?.display.as_deref()
    }

    /// The display name in `lang` (`en` or `cs`), falling back to English.
    pub fn display_in(&self, id: &str, code: &str, lang: &str) -> Option<&str> {
        let entry = self.get(id)?.entry(code)?;
        let localised = match lang {
            "cs" => entry.display_cs.as_deref(),
            _ => None,
        };
        localised.or(entry.display.as_deref())
    }
}

fn parse_values(values: &Value) -> Result<ValueSet, String> {
    let mut set = ValueSet::default();
    match values {
        // eu-dcc-valuesets: the codes are the keys.
        Value::Object(map) => {
            for (code, v) in map {
                let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
                set.push(Entry {
                    code: code.clone(),
                    display: text("display"),
                    display_cs: text("display_cs"),
                    active: v.get("active").and_then(Value::as_bool).unwrap_or(true),
                });
            }
        }
        Value::Array(codes) => {
            for (i, code) in codes.iter().enumerate() {
                let code = code
                    .as_str()
                    .ok_or_else(|| format!("code {i} is not text"))?;
                set.push(Entry {
                    code: code.to_string(),
                    active: true,
                    ..Entry::default()
                });
            }
        }
        _ => return Err("the values must be an object of codes or a list of codes".into()),
    }
    Ok(set)
}
