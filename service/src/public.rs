//! The verifier back end's public resources: business rules (list with hashes, each by hash,
//! by country) and value sets, built once at start-up, each with an ETag; the signer-dependent
//! part ([`Published`]: dcc's signed trust list, the DGCA verifier service's view of the same
//! signers, the trust `/verify` uses), rebuilt whenever the signing identities change; and the
//! verification of a posted `HC1:` text against this installation's signers and rules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use bytes::Bytes;
use issuer::names::{Kind, Names, ValueSet as NameSet};
use serde_json::{json, Value};
use time::OffsetDateTime;
use trust_list::TrustList;
use verifier::revocation::RevocationList;
use verifier::rules::{RuleSet, ValueSets};

use crate::defaults;
use crate::signers::Signers;

/// A cacheable resource: body, content type and strong ETag (SHA-256 of the body).
#[derive(Debug, Clone)]
pub struct Resource {
    /// The body.
    pub body: Bytes,
    /// Content type.
    pub content_type: &'static str,
    /// `"<hex>"`.
    pub etag: String,
}

impl Resource {
    /// A body whose ETag is set by the caller (a signed list whose signature differs on each
    /// signing while its content does not).
    pub fn with_etag(body: Vec<u8>, content_type: &'static str, etag: String) -> Self {
        Resource {
            body: Bytes::from(body),
            content_type,
            etag,
        }
    }

    fn new(body: Vec<u8>, content_type: &'static str) -> Self {
        let etag = format!("\"{}\"", hex::encode(crate::secrets::sha256(&body)));
        Resource {
            body: Bytes::from(body),
            content_type,
            etag,
        }
    }

    fn json(v: &Value) -> Self {
        Resource::new(v.to_string().into_bytes(), "application/json")
    }
}

/// A business rule as served: its country (upper case) and its JSON.
#[derive(Debug, Clone)]
pub struct ServedRule {
    /// The rule's `Country`, upper case.
    pub country: String,
    /// The rule's JSON, whose SHA-256 is its hash.
    pub resource: Resource,
}

/// Signs the lists the server publishes (trust list, revocation list): ES256 with the
/// trust-list key, its certificate in `x5c`.
pub struct ListSigner {
    /// The key.
    pub signer: Box<dyn hcert::crypto::Signer>,
    /// Its certificate, DER.
    pub cert_der: Vec<u8>,
}

impl std::fmt::Debug for ListSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListSigner").finish_non_exhaustive()
    }
}

/// What depends on the published signers: rebuilt and swapped in whole when they change.
#[derive(Debug)]
pub struct Published {
    /// The signed trust list (JWS).
    pub trust_list: Resource,
    /// The published signer certificates with their ids (DGCA verifier service).
    pub signers: Signers,
    /// DGCA verifier service: the kids of the published signers, `["<base64>", ...]`.
    pub signer_status: Resource,
    /// The signers `/verify` trusts: the published ones.
    pub trust: TrustList,
}

impl Published {
    /// The trust list of `signers`, signed at `now` by the list signer, and the DGCA views.
    pub fn build(
        signers: Signers,
        list_signer: &ListSigner,
        now: OffsetDateTime,
        backend: &dyn hcert::crypto::Backend,
    ) -> Result<Self, ResourceError> {
        let dscs = signers.dscs();
        let jws = trust_list::build_signed(
            &dscs,
            list_signer.signer.as_ref(),
            &list_signer.cert_der,
            now.unix_timestamp(),
        )
        .map_err(|e| ResourceError(format!("signed trust list: {e}")))?;
        let kids: Vec<String> = dscs.iter().map(trust_list::Dsc::kid_base64).collect();
        Ok(Published {
            trust_list: Resource::new(jws.into_bytes(), "application/jose"),
            signers,
            signer_status: Resource::json(&json!(kids)),
            trust: TrustList::from_dscs(dscs, backend),
        })
    }
}

/// Everything the validation apps download besides the signers, in dcc's dialect and the DGCA
/// services'.
#[derive(Debug)]
pub struct PublicResources {
    /// `[{"identifier", "version", "country", "hash"}]`.
    pub rules_index: Resource,
    /// Each rule by its hash.
    pub rules: BTreeMap<String, ServedRule>,
    /// DGCA business-rule service: the rules index of each country with rules.
    pub rules_by_country: BTreeMap<String, Resource>,
    /// DGCA business-rule service: the index of a country without rules (`[]`).
    pub no_rules: Resource,
    /// DGCA business-rule service: `["CZ", ...]`, the countries with rules and this
    /// installation's.
    pub country_list: Resource,
    /// `[{"id", "hash"}]`.
    pub valuesets_index: Resource,
    /// Each value set by its hash.
    pub valuesets: BTreeMap<String, Resource>,
    /// Business rules `/verify` evaluates (none when the configured directory holds none).
    pub rule_set: Option<RuleSet>,
    /// The value sets as rules see them (`external.valueSets`).
    pub value_sets: Option<ValueSets>,
    /// The codes records may use and their names on certificates: the configured value sets,
    /// else the project's own.
    pub names: Names,
}

/// What the path segment of `GET /rules/{x}` names: dcc's rule by hash, or the DGCA index of a
/// country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RulesKey {
    /// Two letters, upper-cased: the DGCA index of the country's rules.
    Country(String),
    /// 64 hex digits, lower-cased: one rule.
    Hash(String),
}

impl RulesKey {
    /// Reads the segment; anything else names nothing.
    pub fn parse(segment: &str) -> Option<RulesKey> {
        if segment.len() == 2 && segment.bytes().all(|b| b.is_ascii_alphabetic()) {
            Some(RulesKey::Country(segment.to_ascii_uppercase()))
        } else if segment.len() == 64 && segment.bytes().all(|b| b.is_ascii_hexdigit()) {
            Some(RulesKey::Hash(segment.to_ascii_lowercase()))
        } else {
            None
        }
    }
}

/// Why the resources could not be built.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ResourceError(pub String);

/// The `.json` files of a directory, sorted by name.
fn json_files(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, ResourceError> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| ResourceError(format!("{}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            std::fs::read(&p)
                .map(|b| (p.display().to_string(), b))
                .map_err(|e| ResourceError(format!("{}: {e}", p.display())))
        })
        .collect()
}

/// The files of the configured directory, else the embedded ones.
fn files(
    dir: Option<&Path>,
    embedded: &[defaults::File],
) -> Result<Vec<(String, Vec<u8>)>, ResourceError> {
    match dir {
        Some(dir) => json_files(dir),
        None => Ok(embedded
            .iter()
            .map(|(name, bytes)| ((*name).to_string(), bytes.to_vec()))
            .collect()),
    }
}

fn field<'a>(v: &'a Value, names: &[&str]) -> &'a str {
    names
        .iter()
        .find_map(|n| v.get(*n).and_then(Value::as_str))
        .unwrap_or("")
}

/// What the public resources are built from.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// The rules directory; `None`: the project's own rules.
    pub rules_dir: Option<&'a Path>,
    /// The value-set directory; `None`: the project's own value sets.
    pub valuesets_dir: Option<&'a Path>,
    /// This installation's country, always in the country list.
    pub country: &'a str,
}

/// The rules, read: the rule set, each rule by hash, the index.
struct Rules {
    set: RuleSet,
    by_hash: BTreeMap<String, ServedRule>,
    index: Vec<Value>,
}

fn load_rules(files: &[(String, Vec<u8>)]) -> Result<Rules, ResourceError> {
    let mut rules = Rules {
        set: RuleSet::new(),
        by_hash: BTreeMap::new(),
        index: Vec::new(),
    };
    for (name, bytes) in files {
        let errors = rules.set.add(name, bytes);
        if let Some(e) = errors.first() {
            return Err(ResourceError(format!("rules: {e}")));
        }
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| ResourceError(format!("{name}: {e}")))?;
        let list = match value {
            Value::Array(a) => a,
            one => vec![one],
        };
        for rule in list {
            let resource = Resource::json(&rule);
            let hash = resource.etag.trim_matches('"').to_string();
            let country = field(&rule, &["Country", "country"]).to_ascii_uppercase();
            rules.index.push(json!({
                "identifier": field(&rule, &["Identifier", "identifier"]),
                "version": field(&rule, &["Version", "version"]),
                "country": country,
                "hash": hash,
            }));
            rules.by_hash.insert(hash, ServedRule { country, resource });
        }
    }
    Ok(rules)
}

/// The value sets, read: as rules see them, as names of codes, each by hash, the index.
struct ValueSetFiles {
    sets: ValueSets,
    names: Names,
    by_hash: BTreeMap<String, Resource>,
    index: Vec<Value>,
}

fn load_valuesets(files: Vec<(String, Vec<u8>)>) -> Result<ValueSetFiles, ResourceError> {
    let mut sets = ValueSets::new();
    for (name, bytes) in &files {
        sets.add_file(name, bytes)
            .map_err(|e| ResourceError(format!("value sets: {e}")))?;
    }
    // A configured set replaces the project's own of its kind; the others stay.
    let mut names = Names::embedded().clone();
    for (name, bytes) in &files {
        let set = NameSet::parse(bytes).map_err(|e| ResourceError(format!("{name}: {e}")))?;
        if let Some(kind) = Kind::from_id(set.id()) {
            names.insert(kind, set);
        }
    }
    let mut by_hash = BTreeMap::new();
    let mut index = Vec::new();
    for (name, bytes) in files {
        let value: Value =
            serde_json::from_slice(&bytes).map_err(|e| ResourceError(format!("{name}: {e}")))?;
        let id = value
            .get("valueSetId")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| {
                Path::new(&name)
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default()
            });
        let res = Resource::json(&value);
        let hash = res.etag.trim_matches('"').to_string();
        index.push(json!({"id": id, "hash": hash}));
        by_hash.insert(hash, res);
    }
    Ok(ValueSetFiles {
        sets,
        names,
        by_hash,
        index,
    })
}

impl PublicResources {
    /// Builds the resources: the rules and value sets of the configured directories, else the
    /// project's own.
    pub fn build(sources: Sources<'_>) -> Result<Self, ResourceError> {
        let rules = load_rules(&files(sources.rules_dir, defaults::RULES)?)?;
        let mut by_country: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for entry in &rules.index {
            let country = field(entry, &["country"]).to_string();
            by_country.entry(country).or_default().push(entry.clone());
        }
        let mut countries: BTreeSet<String> = by_country
            .keys()
            .filter(|c| matches!(RulesKey::parse(c), Some(RulesKey::Country(_))))
            .cloned()
            .collect();
        countries.insert(sources.country.to_ascii_uppercase());
        let valuesets = load_valuesets(files(sources.valuesets_dir, defaults::VALUESETS)?)?;

        Ok(PublicResources {
            rules_index: Resource::json(&Value::Array(rules.index)),
            rules: rules.by_hash,
            rules_by_country: by_country
                .into_iter()
                .map(|(c, list)| (c, Resource::json(&Value::Array(list))))
                .collect(),
            no_rules: Resource::json(&json!([])),
            country_list: Resource::json(&json!(countries)),
            valuesets_index: Resource::json(&Value::Array(valuesets.index)),
            valuesets: valuesets.by_hash,
            rule_set: (!rules.set.is_empty()).then_some(rules.set),
            value_sets: (!valuesets.sets.is_empty()).then_some(valuesets.sets),
            names: valuesets.names,
        })
    }

    /// dcc's rule of this hash (lower-case hex).
    pub fn rule(&self, hash: &str) -> Option<&Resource> {
        self.rules.get(hash).map(|r| &r.resource)
    }

    /// DGCA: the rule of this hash if it is one of `country` (upper case).
    pub fn country_rule(&self, country: &str, hash: &str) -> Option<&Resource> {
        self.rules
            .get(hash)
            .filter(|r| r.country == country)
            .map(|r| &r.resource)
    }

    /// DGCA: the rules index of `country` (upper case); empty for a country without rules.
    pub fn country_rules(&self, country: &str) -> &Resource {
        self.rules_by_country.get(country).unwrap_or(&self.no_rules)
    }
}

/// The longest `HC1:` text accepted (a version-40 QR code in alphanumeric mode holds 4,296).
pub const MAX_HC1: usize = 4296;

/// Verifies an `HC1:` text at `at` with this installation's published signers and rules (the configured
/// ones, else the project's own); the report serialises to the `dcc verify --json` object.
pub fn verify(
    public: &PublicResources,
    published: &Published,
    country: &str,
    hc1: &str,
    at: OffsetDateTime,
    revocation: Option<&RevocationList>,
) -> verifier::Report {
    let mut ctx = verifier::Context::new(&published.trust, at);
    if let Some(list) = revocation {
        ctx = ctx.with_revocation(list);
    }
    if let Some(rules) = &public.rule_set {
        ctx = ctx.with_rules(rules, country, public.value_sets.as_ref());
    }
    verifier::verify_text(hc1, &ctx)
}

#[cfg(test)]
mod tests {
    use super::RulesKey;

    /// `GET /rules/{x}`: two letters are a country, 64 hex digits a hash, in either case.
    #[test]
    fn rules_keys() {
        let hash = "ab".repeat(32);
        let cases: [(String, Option<RulesKey>); 9] = [
            ("cz".into(), Some(RulesKey::Country("CZ".into()))),
            ("Cz".into(), Some(RulesKey::Country("CZ".into()))),
            (hash.clone(), Some(RulesKey::Hash(hash.clone()))),
            (hash.to_uppercase(), Some(RulesKey::Hash(hash.clone()))),
            (hash[..63].to_string(), None),
            (format!("{hash}a"), None),
            (format!("{}g", &hash[..63]), None),
            ("CZE".into(), None),
            ("č".into(), None),
        ];
        for (segment, expected) in cases {
            assert_eq!(RulesKey::parse(&segment), expected, "{segment}");
        }
    }
}
