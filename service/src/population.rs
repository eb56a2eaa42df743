//! The population registry (ROB) says whether a person is identified. It is an outside system:
//! a trait here, with a development implementation backed by the `registry_persons` table that
//! `dcc admin registry import persons.csv` fills.

use std::sync::Arc;

use async_trait::async_trait;

use crate::secrets::Secrets;
use crate::store::{RegistryEntry, Store, StoreError};
use crate::validate;

/// The population registry: whether a person is identified, and then their names, date of
/// birth and ID-card number, which outrank what providers record (DESIGN.md "Who owns a
/// person's data").
#[async_trait]
pub trait Registry: Send + Sync {
    /// The identified person with this birth-number blind index, if any.
    async fn lookup(&self, bn_index: &[u8]) -> Result<Option<RegistryEntry>, StoreError>;

    /// Whether the person with this birth-number blind index is identified.
    async fn is_identified(&self, bn_index: &[u8]) -> Result<bool, StoreError> {
        Ok(self.lookup(bn_index).await?.is_some())
    }
}

/// The development registry: whoever was imported is identified.
pub struct DevRegistry {
    store: Arc<dyn Store>,
}

impl DevRegistry {
    /// Backed by `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        DevRegistry { store }
    }
}

#[async_trait]
impl Registry for DevRegistry {
    async fn lookup(&self, bn_index: &[u8]) -> Result<Option<RegistryEntry>, StoreError> {
        self.store.registry_lookup(bn_index).await
    }
}

/// Parses `persons.csv`: a header line naming `birth_number` and optionally `id_card`,
/// `family_name`, `given_name` and `dob` (`YYYY-MM-DD`, agreeing with the birth number); other
/// columns are ignored; then one person per line. Errors name the line, never the value.
pub fn parse_csv(text: &str, secrets: &Secrets) -> Result<Vec<RegistryEntry>, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err("persons.csv is empty".into());
    };
    let cols: Vec<String> = header
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    let bn_col = cols
        .iter()
        .position(|c| c == "birth_number")
        .ok_or("persons.csv: the header has no birth_number column")?;
    let card_col = cols.iter().position(|c| c == "id_card");
    let column = |name: &str| cols.iter().position(|c| c == name);
    let (fn_col, gn_col, dob_col) = (column("family_name"), column("given_name"), column("dob"));
    let mut out = Vec::new();
    for (i, line) in lines {
        let fields: Vec<&str> = line
            .split(',')
            .map(|f| f.trim().trim_matches('"'))
            .collect();
        let bn = fields
            .get(bn_col)
            .ok_or_else(|| format!("persons.csv line {}: no birth_number", i + 1))?;
        let line_error = |e: validate::Invalid| format!("persons.csv line {}: {e}", i + 1);
        let (bn, born) = validate::birth_number_and_date(bn).map_err(line_error)?;
        let optional = |c: Option<usize>| -> Option<&str> {
            c.and_then(|c| fields.get(c))
                .copied()
                .filter(|s| !s.is_empty())
        };
        let family_name = optional(fn_col)
            .map(|n| validate::name("family_name", n))
            .transpose()
            .map_err(line_error)?;
        let given_name = optional(gn_col)
            .map(|n| validate::name("given_name", n))
            .transpose()
            .map_err(line_error)?;
        let dob = match optional(dob_col) {
            Some(d) if d.len() == 10 => {
                validate::dob_agrees("dob", d, born).map_err(line_error)?;
                Some(d.to_string())
            }
            Some(_) => {
                return Err(format!(
                    "persons.csv line {}: dob: must be YYYY-MM-DD",
                    i + 1
                ))
            }
            None => None,
        };
        let card = match card_col
            .and_then(|c| fields.get(c))
            .filter(|s| !s.is_empty())
        {
            Some(c) => Some(
                secrets.id_card_index(
                    &validate::id_card(c)
                        .map_err(|e| format!("persons.csv line {}: {}", i + 1, e.problem))?,
                ),
            ),
            None => None,
        };
        out.push(RegistryEntry {
            bn_index: secrets.birth_number_index(&bn),
            id_card_index: card,
            family_name,
            given_name,
            dob,
        });
    }
    Ok(out)
}
