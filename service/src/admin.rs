//! `dcc admin`: bootstrap before registry users exist — organisations, API tokens (printed
//! once, stored as SHA-256) and the development population registry.

pub mod keys;

use std::path::Path;
use std::sync::Arc;

use crate::bootstrap;
use crate::config::Config;
use crate::population as registry;
use crate::secrets;
use crate::store::{self, Org, Store, TokenInfo};

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
    /// Opening the whole service (keys, resources) failed.
    #[error(transparent)]
    Start(#[from] crate::ctx::StartError),
    /// The service refused; the message says why.
    #[error("{0}")]
    App(String),
}

/// Opens the configured store (creating the data directory), for commands that need no keys.
pub async fn open_store(config: &Config) -> Result<Arc<dyn Store>, AdminError> {
    open(config).await
}

/// `dcc admin keys reissue --from KID`: opens the whole service (its keyring) and signs anew
/// what `kid` signed ([`crate::keys::reissue`]); refused for an unknown kid or one that is not
/// withdrawn.
pub async fn keys_reissue(
    config: Config,
    kid: &[u8],
    clock: Arc<dyn crate::clock::Clock>,
) -> Result<crate::keys::Reissued, AdminError> {
    use crate::store::signers::SignerState;
    let (app, _) = crate::ctx::Ctx::open(config, clock, crate::ctx::Overrides::default()).await?;
    let rows = app.store.signer_certificates().await?;
    let name = crate::keyring::kid_name(kid);
    match rows.iter().find(|r| r.kid == kid) {
        None => Err(AdminError::Invalid(format!(
            "no signer certificate has the kid {name} (see `dcc admin keys list`)"
        ))),
        // A retired identity's certificates stay valid: signing them anew would leave two
        // valid certificates under one UVCI.
        Some(r) if r.state != SignerState::Withdrawn => Err(AdminError::Invalid(format!(
            "{name} is {}: only what a withdrawn identity signed is re-issued \
             (`dcc admin keys withdraw` first)",
            r.state
        ))),
        Some(_) => crate::keys::reissue(&app, kid)
            .await
            .map_err(|e| AdminError::App(e.to_string())),
    }
}

async fn open(config: &Config) -> Result<Arc<dyn Store>, AdminError> {
    std::fs::create_dir_all(&config.data_dir)
        .map_err(|e| AdminError::Invalid(format!("{}: {e}", config.data_dir.display())))?;
    let secrets = bootstrap::load_secret(&config.data_dir)?;
    Ok(store::open(&config.database_url(), bootstrap::outbox_key(&secrets)?).await?)
}

/// An IČO: 8 digits with the mod-11 check digit ([`crate::validate::check_ico`]).
pub fn check_ico(ico: &str) -> Result<(), AdminError> {
    crate::validate::check_ico(ico).map_err(|e| {
        AdminError::Invalid(match e {
            crate::validate::IcoError::Length => "--ico must be 8 digits".into(),
            crate::validate::IcoError::CheckDigit => "--ico: the check digit does not match".into(),
        })
    })
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

/// A token as `dcc admin token create` prints it, once.
pub struct CreatedToken {
    /// The id to list or revoke it by.
    pub id: i64,
    /// The bearer token; stored only as its digest.
    pub token: String,
}

impl std::fmt::Debug for CreatedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedToken")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

async fn org(store: &dyn Store, ico: &str) -> Result<Org, AdminError> {
    store
        .org_by_ico(ico)
        .await?
        .ok_or_else(|| AdminError::Invalid(format!("no organisation with IČO {ico}")))
}

/// `dcc admin token create`: returns the token, which is stored only as its digest.
pub async fn create_token(
    config: &Config,
    ico: &str,
    now: i64,
) -> Result<CreatedToken, AdminError> {
    let store = open(config).await?;
    let org = org(store.as_ref(), ico).await?;
    let token = secrets::new_token().map_err(|e| AdminError::Invalid(format!("random: {e}")))?;
    let expires = now + config.token_days * 86_400;
    let id = store
        .create_token(org.id, &secrets::token_digest(&token), expires, now)
        .await?;
    store
        .audit(
            &store::AuditEvent {
                event: "token.created".into(),
                org_id: Some(org.id),
                subject: None,
                detail: serde_json::json!({"token": id, "expires_at": expires}),
            },
            now,
        )
        .await?;
    Ok(CreatedToken { id, token })
}

/// `dcc admin token list`: the organisation's tokens, without secrets.
pub async fn list_tokens(config: &Config, ico: &str) -> Result<Vec<TokenInfo>, AdminError> {
    let store = open(config).await?;
    let org = org(store.as_ref(), ico).await?;
    Ok(store.tokens(org.id).await?)
}

/// `dcc admin token revoke`: revokes one token (`id`) or all of the organisation's; the next
/// request with a revoked token is refused (SECURITY.md 32). Returns how many were revoked.
pub async fn revoke_tokens(
    config: &Config,
    ico: &str,
    id: Option<i64>,
    now: i64,
) -> Result<u64, AdminError> {
    let store = open(config).await?;
    let org = org(store.as_ref(), ico).await?;
    let n = store.revoke_tokens(org.id, id, now).await?;
    if n == 0 {
        return Err(AdminError::Invalid(match id {
            Some(id) => format!("{ico} has no unrevoked token {id}"),
            None => format!("{ico} has no unrevoked token"),
        }));
    }
    store
        .audit(
            &store::AuditEvent {
                event: "token.revoked".into(),
                org_id: Some(org.id),
                subject: None,
                detail: serde_json::json!({"token": id, "revoked": n}),
            },
            now,
        )
        .await?;
    Ok(n)
}

/// `dcc revoke --uvci`: revokes one certificate as the operator; returns false when it was
/// revoked already. Running servers see it within their refresh interval.
pub async fn revoke_certificate(
    config: &Config,
    uvci: &str,
    reason: &str,
    now: i64,
) -> Result<bool, AdminError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 || reason.chars().any(char::is_control) {
        return Err(AdminError::Invalid(
            "--reason: 1 to 200 characters, no control characters".into(),
        ));
    }
    let store = open(config).await?;
    let (cert, _) = store
        .certificate_by_uvci(uvci.trim())
        .await?
        .ok_or_else(|| AdminError::Invalid("no certificate with this UVCI".into()))?;
    let done = crate::revocation::revoke(store.as_ref(), &cert, reason, None, now).await?;
    Ok(done == crate::revocation::Revoked::Now)
}

/// `dcc revoke --superseded`: revokes every superseded certificate not yet revoked.
pub async fn revoke_superseded(config: &Config, now: i64) -> Result<u64, AdminError> {
    let store = open(config).await?;
    Ok(crate::revocation::revoke_superseded(store.as_ref(), now).await?)
}

/// `dcc admin registry import persons.csv`: returns how many persons were imported.
pub async fn import_registry(config: &Config, csv: &Path, now: i64) -> Result<u64, AdminError> {
    let text = std::fs::read_to_string(csv)
        .map_err(|e| AdminError::Invalid(format!("{}: {e}", csv.display())))?;
    import_registry_text(config, &text, now).await
}

/// [`import_registry`] of the CSV's text ([`registry::parse_csv`] says the format); a person
/// imported again is refreshed.
pub async fn import_registry_text(
    config: &Config,
    text: &str,
    now: i64,
) -> Result<u64, AdminError> {
    let secrets = bootstrap::load_secret(&config.data_dir)?;
    let entries = registry::parse_csv(text, &secrets).map_err(AdminError::Invalid)?;
    let store = open(config).await?;
    Ok(store.registry_import(&entries, now).await?)
}

/// `dcc admin registry grant --username U --ico I [--manager]`: the operator approves a
/// registry user's permission for an organisation, as a member or an account manager (who then
/// decides the organisation's requests), audited as decided by `operator`.
pub async fn registry_grant(
    config: &Config,
    username: &str,
    ico: &str,
    manager: bool,
    now: i64,
) -> Result<Org, AdminError> {
    let secrets = bootstrap::load_secret(&config.data_dir)?;
    let store = open(config).await?;
    let role = if manager {
        crate::permissions::Role::Manager
    } else {
        crate::permissions::Role::Member
    };
    crate::permissions::grant_operator(store.as_ref(), &secrets, username, ico, role, now)
        .await
        .map_err(|e| match e {
            crate::Error::Internal(detail) => AdminError::App(detail),
            other => AdminError::App(other.to_string()),
        })
}

/// `dcc admin legacy import FILE --org ICO`: registers old-format certificates (JSON Lines, each
/// a provider-API record plus `legacy_id`) with fresh exchange URLs, which are returned once.
pub async fn legacy_import(
    config: Config,
    org_ico: &str,
    jsonl: &[u8],
    clock: Arc<dyn crate::clock::Clock>,
) -> Result<Vec<(usize, crate::exchange::Imported)>, AdminError> {
    check_ico(org_ico)?;
    let now = clock.now();
    let (app, _) = crate::ctx::Ctx::open(config, clock, crate::ctx::Overrides::default()).await?;
    let org = app
        .store
        .org_by_ico(org_ico)
        .await?
        .ok_or_else(|| AdminError::Invalid(format!("no organisation with IČO {org_ico}")))?;
    crate::exchange::import(&app, &org, jsonl, now)
        .await
        .map_err(|e| AdminError::App(e.to_string()))
}

/// `dcc admin legacy revoke --legacy-id ID`: the exchange URL of that old certificate stops
/// working; false when it is unknown or revoked already.
pub async fn legacy_revoke(
    config: Config,
    legacy_id: &str,
    clock: Arc<dyn crate::clock::Clock>,
) -> Result<bool, AdminError> {
    let now = clock.now().unix_timestamp();
    let (app, _) = crate::ctx::Ctx::open(config, clock, crate::ctx::Overrides::default()).await?;
    crate::exchange::revoke(&app, legacy_id, now)
        .await
        .map_err(|e| AdminError::App(e.to_string()))
}

/// `dcc admin registry reset --username U --operator NAME`: the helpdesk path of seed 000. The
/// user's sessions end, the login lockout is released, and the renewal link (by e-mail) and code
/// (by SMS) go out as in a self-service renewal; audited with the operator's name. `false` when
/// no account has the username.
pub async fn registry_reset(
    config: Config,
    username: &str,
    operator: &str,
    clock: Arc<dyn crate::clock::Clock>,
) -> Result<bool, AdminError> {
    if operator.trim().is_empty() || operator.len() > 64 || operator.chars().any(char::is_control) {
        return Err(AdminError::Invalid(
            "--operator: 1 to 64 printable characters naming who reset the account".into(),
        ));
    }
    let now = clock.now().unix_timestamp();
    let (app, _) = crate::ctx::Ctx::open(config, clock, crate::ctx::Overrides::default()).await?;
    crate::renewal::helpdesk_reset(&app, username, operator.trim(), now)
        .await
        .map_err(|e| AdminError::App(e.to_string()))
}
