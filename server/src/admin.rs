//! `dcc admin`: bootstrap before registry users exist — organisations, API tokens (printed
//! once, stored as SHA-256) and the development population registry.

use std::path::Path;
use std::sync::Arc;

use crate::bootstrap;
use crate::config::Config;
use crate::registry;
use crate::secrets;
use crate::store::{self, Org, Store};

/// Why an admin command failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Bad input; the message names it.
    #[error("{0}")]
    Invalid(String),
    /// Storage.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// Data directory.
    #[error(transparent)]
    Bootstrap(#[from] bootstrap::BootstrapError),
}

async fn open(config: &Config) -> Result<Arc<dyn Store>, AdminError> {
    std::fs::create_dir_all(&config.data_dir)
        .map_err(|e| AdminError::Invalid(format!("{}: {e}", config.data_dir.display())))?;
    Ok(store::open(&config.database_url()).await?)
}

/// An IČO: 8 digits with the mod-11 check digit.
pub fn check_ico(ico: &str) -> Result<(), AdminError> {
    let digits: Vec<u32> = ico.chars().filter_map(|c| c.to_digit(10)).collect();
    if ico.len() != 8 || digits.len() != 8 {
        return Err(AdminError::Invalid("--ico must be 8 digits".into()));
    }
    let sum: u32 = digits
        .iter()
        .take(7)
        .zip((2..=8).rev())
        .map(|(d, w)| d * w)
        .sum();
    let check = (11 - sum % 11) % 10;
    if digits.last() != Some(&check) {
        return Err(AdminError::Invalid(
            "--ico: the check digit does not match".into(),
        ));
    }
    Ok(())
}

/// `dcc admin org create`.
pub async fn create_org(
    config: &Config,
    ico: &str,
    name: &str,
    now: i64,
) -> Result<Org, AdminError> {
    check_ico(ico)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AdminError::Invalid(
            "--name must be 1 to 200 characters".into(),
        ));
    }
    let store = open(config).await?;
    Ok(store.create_org(ico, name, now).await?)
}

/// `dcc admin token create`: returns the token, which is stored only as its digest.
pub async fn create_token(config: &Config, ico: &str, now: i64) -> Result<String, AdminError> {
    let store = open(config).await?;
    let org = store
        .org_by_ico(ico)
        .await?
        .ok_or_else(|| AdminError::Invalid(format!("no organisation with IČO {ico}")))?;
    let token = secrets::new_token().map_err(|e| AdminError::Invalid(format!("random: {e}")))?;
    let expires = now + config.token_days * 86_400;
    store
        .create_token(org.id, &secrets::token_digest(&token), expires, now)
        .await?;
    store
        .audit(
            &store::AuditEvent {
                event: "token.created".into(),
                org_id: Some(org.id),
                subject: None,
                detail: serde_json::json!({"expires_at": expires}),
            },
            now,
        )
        .await?;
    Ok(token)
}

/// `dcc admin registry import persons.csv`: returns how many persons were imported.
pub async fn import_registry(config: &Config, csv: &Path, now: i64) -> Result<u64, AdminError> {
    let text = std::fs::read_to_string(csv)
        .map_err(|e| AdminError::Invalid(format!("{}: {e}", csv.display())))?;
    let secrets = bootstrap::load_secret(&config.data_dir)?;
    let entries = registry::parse_csv(&text, &secrets).map_err(AdminError::Invalid)?;
    let store = open(config).await?;
    Ok(store.registry_import(&entries, now).await?)
}
