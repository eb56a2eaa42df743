//! The verifier back end's public resources, built once at start-up: dcc's signed trust list,
//! business rules (list with hashes, each by hash), value sets, each with an ETag; and the
//! verification of a posted `HC1:` text against this installation's signers.

use std::collections::BTreeMap;
use std::path::Path;

use bytes::Bytes;
use issuer::names::{Kind, Names, ValueSet as NameSet};
use serde_json::{json, Value};
use time::OffsetDateTime;
use trust_list::TrustList;
use verifier::revocation::RevocationList;
use verifier::rules::{RuleSet, ValueSets};

use crate::bootstrap::LoadedKeys;

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

/// Everything the validation apps download, and what `/verify` checks with.
#[derive(Debug)]
pub struct PublicResources {
    /// The signed trust list (JWS).
    pub trust_list: Resource,
    /// `[{"identifier", "version", "country", "hash"}]`.
    pub rules_index: Resource,
    /// Each rule by its hash.
    pub rules: BTreeMap<String, Resource>,
    /// `[{"id", "hash"}]`.
    pub valuesets_index: Resource,
    /// Each value set by its hash.
    pub valuesets: BTreeMap<String, Resource>,
    /// The signers `/verify` trusts.
    pub trust: TrustList,
    /// Business rules `/verify` evaluates (none when no rules directory is configured).
    pub rule_set: Option<RuleSet>,
    /// The configured value sets as rules see them (`external.valueSets`).
    pub value_sets: Option<ValueSets>,
    /// The codes records may use and their names on certificates: the configured value sets,
    /// else the project's own.
    pub names: Names,
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

fn field<'a>(v: &'a Value, names: &[&str]) -> &'a str {
    names
        .iter()
        .find_map(|n| v.get(*n).and_then(Value::as_str))
        .unwrap_or("")
}

impl PublicResources {
    /// Builds the resources: the trust list of this installation's DSC signed at `now`, and
    /// the rules and value sets of the configured directories.
    pub fn build(
        keys: &LoadedKeys,
        rules_dir: Option<&Path>,
        valuesets_dir: Option<&Path>,
        now: OffsetDateTime,
        backend: &dyn hcert::crypto::Backend,
    ) -> Result<Self, ResourceError> {
        let dscs = vec![keys.identity.dsc.clone()];
        let jws = trust_list::build_signed(
            &dscs,
            keys.trust_list_signer.as_ref(),
            &keys.trust_list_cert_der,
            now.unix_timestamp(),
        )
        .map_err(|e| ResourceError(format!("signed trust list: {e}")))?;
        let trust = TrustList::from_dscs(dscs, backend);

        let mut rules = BTreeMap::new();
        let mut index = Vec::new();
        let mut rule_set = None;
        if let Some(dir) = rules_dir {
            let files = json_files(dir)?;
            let mut set = RuleSet::new();
            for (name, bytes) in &files {
                let errors = set.add(name, bytes);
                if let Some(e) = errors.first() {
                    return Err(ResourceError(format!("rules: {e}")));
                }
                let value: Value = serde_json::from_slice(bytes)
                    .map_err(|e| ResourceError(format!("{name}: {e}")))?;
                let list = match value {
                    Value::Array(a) => a,
                    one => vec![one],
                };
                for rule in list {
                    let res = Resource::json(&rule);
                    let hash = res.etag.trim_matches('"').to_string();
                    index.push(json!({
                        "identifier": field(&rule, &["Identifier", "identifier"]),
                        "version": field(&rule, &["Version", "version"]),
                        "country": field(&rule, &["Country", "country"]),
                        "hash": hash,
                    }));
                    rules.insert(hash, res);
                }
            }
            rule_set = Some(set);
        }

        let mut valuesets = BTreeMap::new();
        let mut vs_index = Vec::new();
        let mut value_sets = None;
        let mut names = Names::embedded().clone();
        if let Some(dir) = valuesets_dir {
            let files = json_files(dir)?;
            let mut sets = ValueSets::new();
            for (name, bytes) in &files {
                sets.add_file(name, bytes)
                    .map_err(|e| ResourceError(format!("value sets: {e}")))?;
            }
            value_sets = Some(sets);
            // A configured set replaces the project's own of its kind; the others stay.
            for (name, bytes) in &files {
                let set =
                    NameSet::parse(bytes).map_err(|e| ResourceError(format!("{name}: {e}")))?;
                if let Some(kind) = Kind::from_id(set.id()) {
                    names.insert(kind, set);
                }
            }
            for (name, bytes) in files {
                let value: Value = serde_json::from_slice(&bytes)
                    .map_err(|e| ResourceError(format!("{name}: {e}")))?;
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
                vs_index.push(json!({"id": id, "hash": hash}));
                valuesets.insert(hash, res);
            }
        }
        Ok(PublicResources {
            trust_list: Resource::new(jws.into_bytes(), "application/jose"),
            rules_index: Resource::json(&Value::Array(index)),
            rules,
            valuesets_index: Resource::json(&Value::Array(vs_index)),
            valuesets,
            trust,
            rule_set,
            value_sets,
            names,
        })
    }
}

/// The longest `HC1:` text accepted (a version-40 QR code in alphanumeric mode holds 4,296).
pub const MAX_HC1: usize = 4296;

/// Verifies an `HC1:` text at `at` with this installation's signers (and rules, when
/// configured); the report serialises to the `dcc verify --json` object.
pub fn verify(
    public: &PublicResources,
    country: &str,
    hc1: &str,
    at: OffsetDateTime,
    revocation: Option<&RevocationList>,
) -> verifier::Report {
    let mut ctx = verifier::Context::new(&public.trust, at);
    if let Some(list) = revocation {
        ctx = ctx.with_revocation(list);
    }
    if let Some(rules) = &public.rule_set {
        ctx = ctx.with_rules(rules, country, public.value_sets.as_ref());
    }
    verifier::verify_text(hc1, &ctx)
}
