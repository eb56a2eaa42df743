//! Signing identities at run time (issue #22, DESIGN.md "Signing keys"): key references, the
//! keyring an instance signs with and the lists it publishes, loaded from the store and swapped
//! in whole ([`Issuance::refresh`]) when the store's key version changes or time alone changes
//! the published set. What runs on a [`crate::Ctx`] (the follower, the sweep, the re-issue) is
//! in `keys`; `dcc admin keys` in `admin::keys`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use hcert::CertType;
use issuer::{Policy, SigningIdentity};
use secrecy::SecretString;
use time::OffsetDateTime;
use trust_list::Dsc;

use crate::config::{Config, TokenConfig};
use crate::public::{ListSigner, Published, ResourceError};
use crate::signers::{self, SignerError};
use crate::store::signers::SignerState;
use crate::store::{SignerCertificateRow, StoreError};

/// The note (or its beginning) of a record kept without a certificate because no identity could
/// sign its type; the sweep issues such records once one can.
pub const NO_SIGNER_NOTE: &str =
    "no signing key may sign this certificate type now: the certificate is issued once one is \
     active";

/// Why no identity signs a type now.
#[derive(Debug)]
pub enum NoSigner {
    /// No active identity may sign the type (or none has its key open here).
    NoneActive,
    /// The newest active identity for the type refuses now (its DSC's validity or key-usage
    /// period): why.
    Refused(issuer::Error),
}

impl NoSigner {
    /// The record's note: [`NO_SIGNER_NOTE`], with the refusal when there is one.
    pub fn note(&self) -> String {
        match self {
            NoSigner::NoneActive => NO_SIGNER_NOTE.to_string(),
            NoSigner::Refused(e) => format!("{NO_SIGNER_NOTE} (the active key refuses: {e})"),
        }
    }

    /// The audit event's reason.
    pub fn reason(&self) -> String {
        match self {
            NoSigner::NoneActive => "no_active_signer".into(),
            NoSigner::Refused(e) => e.to_string(),
        }
    }
}

/// Where an identity's private key is: never the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRef {
    /// A PKCS#8 key file (PEM or DER, encrypted under `issuer.key_passphrase_env` or not).
    File(PathBuf),
    /// A key in a PKCS#11 token configured under `[issuer.tokens.TOKEN]`.
    Pkcs11 {
        /// The token's label.
        token: String,
        /// The key's label (`CKA_LABEL`).
        key: String,
    },
}

impl KeyRef {
    /// Reads `file:PATH` or `pkcs11:token=TOKEN;object=KEY` (RFC 7512's two attributes; labels
    /// without `;`, `=` or control characters).
    pub fn parse(s: &str) -> Result<KeyRef, String> {
        if let Some(path) = s.strip_prefix("file:") {
            if path.is_empty() {
                return Err("key reference file: names no path".into());
            }
            return Ok(KeyRef::File(PathBuf::from(path)));
        }
        let Some(attrs) = s.strip_prefix("pkcs11:") else {
            return Err(format!(
                "key reference {s:?} is neither file:PATH nor pkcs11:token=T;object=K"
            ));
        };
        let (mut token, mut key) = (None, None);
        for attr in attrs.split(';') {
            match attr.split_once('=') {
                Some(("token", v)) => token = Some(v),
                Some(("object", v)) => key = Some(v),
                _ => return Err(format!("key reference {s:?}: unknown attribute {attr:?}")),
            }
        }
        match (token, key) {
            (Some(t), Some(k)) => KeyRef::pkcs11(t, k),
            _ => Err(format!("key reference {s:?} needs token= and object=")),
        }
    }

    /// A PKCS#11 reference, its labels checked.
    pub fn pkcs11(token: &str, key: &str) -> Result<KeyRef, String> {
        for (what, label) in [("token", token), ("key", key)] {
            if label.is_empty()
                || label.len() > 32
                || label
                    .chars()
                    .any(|c| c == ';' || c == '=' || c.is_control())
            {
                return Err(format!(
                    "the {what} label must be 1 to 32 characters without ';', '=' or control \
                     characters"
                ));
            }
        }
        Ok(KeyRef::Pkcs11 {
            token: token.to_string(),
            key: key.to_string(),
        })
    }
}

impl std::fmt::Display for KeyRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyRef::File(p) => write!(f, "file:{}", p.display()),
            KeyRef::Pkcs11 { token, key } => write!(f, "pkcs11:token={token};object={key}"),
        }
    }
}

/// The logged-in token `label` of `config` (the hsm crate keeps one module context per process
/// and shares a token's login among its openers).
pub fn open_token(label: &str, config: &TokenConfig) -> Result<hsm::Token, String> {
    let module = hsm::Module::open(&config.module)
        .map_err(|e| format!("PKCS#11 module {}: {e}", config.module.display()))?;
    let pin: SecretString = hsm::pin_from_env(&config.pin_env)
        .map_err(|e| format!("token {label}: the PIN in ${}: {e}", config.pin_env))?;
    module
        .token(label, &pin)
        .map_err(|e| format!("token {label}: {e}"))
}

/// Opens the key `key_ref` names with its certificate `cert_der`, checking they belong
/// together (a probe signature); the error says what is wrong without the key.
pub fn open_identity(
    config: &Config,
    key_ref: &KeyRef,
    cert_der: &[u8],
    backend: &dyn hcert::crypto::Backend,
) -> Result<SigningIdentity, String> {
    let identity = match key_ref {
        KeyRef::File(path) => {
            let key = crate::bootstrap::read_key(path).map_err(|e| e.to_string())?;
            SigningIdentity::load_with_passphrase(
                &key,
                cert_der,
                config.issuer.key_passphrase.as_ref(),
                backend,
            )
            .map_err(|e| format!("{}: {e}", path.display()))?
        }
        KeyRef::Pkcs11 { token, key } => {
            let tc = config.issuer.tokens.get(token).ok_or_else(|| {
                format!("token {token} is not configured (add [issuer.tokens.{token}])")
            })?;
            let token = open_token(token, tc)?;
            let dsc = trust_list::parse_certificate(cert_der).map_err(|e| e.to_string())?;
            let alg = issuer::sign::algorithm_for(&dsc.public_key).map_err(|e| e.to_string())?;
            let signer = token
                .signer(key, alg)
                .map_err(|e| format!("key {key} in token {}: {e}", token.label()))?;
            SigningIdentity::from_signer(Box::new(signer), cert_der, backend)
                .map_err(|e| format!("key {key} in token {}: {e}", token.label()))?
        }
    };
    if identity.algorithm() == hcert::crypto::Algorithm::EdDsa && !config.issuer.allow_eddsa {
        return Err(format!(
            "{key_ref}: an EdDSA key signs only with issuer.allow_eddsa (EU verifiers reject it)"
        ));
    }
    Ok(identity)
}

/// A kid as operators read it: base64, as trust lists carry it.
pub fn kid_name(kid: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(kid)
}

/// The certificate types of a stored `types` word (`v`, `t`, `r` letters).
pub fn types_of(word: &str) -> Vec<CertType> {
    word.chars()
        .filter_map(|c| CertType::from_key(c.encode_utf8(&mut [0; 4])))
        .collect()
}

/// One identity as an instance holds it.
#[derive(Debug)]
pub struct Identity {
    /// The stored row.
    pub row: SignerCertificateRow,
    /// The types it may sign.
    pub types: Vec<CertType>,
    /// Its key, when the identity is active and the key opened here.
    pub signing: Option<Arc<SigningIdentity>>,
}

/// What an instance signs with and publishes, swapped in whole.
#[derive(Debug)]
pub struct Keyring {
    /// The store's key version it was loaded at.
    pub version: i64,
    /// Every identity on file.
    pub identities: Vec<Identity>,
    /// The lists of the published signers.
    pub published: Arc<Published>,
    /// When the published set changes by time alone (Unix seconds).
    pub next_change: Option<i64>,
}

impl Keyring {
    /// The identity to sign a `kind` certificate at `at` with: of the active identities that
    /// may sign the type and whose key is open here, the one activated last that passes the
    /// checks before signing (SECURITY.md 42); else why none.
    pub fn signer_for(&self, kind: CertType, at: i64) -> Result<Arc<SigningIdentity>, NoSigner> {
        let mut candidates: Vec<_> = self
            .identities
            .iter()
            .filter(|i| i.row.state == SignerState::Active && i.types.contains(&kind))
            .filter_map(|i| {
                let s = i.signing.as_ref()?;
                Some((i.row.activated_at.unwrap_or(i64::MIN), i.row.id, s))
            })
            .collect();
        candidates.sort_by_key(|(activated, id, _)| std::cmp::Reverse((*activated, *id)));
        let mut refusal = None;
        for (_, _, s) in candidates {
            match s.check_before_signing(kind, at) {
                Ok(()) => return Ok(s.clone()),
                Err(e) => {
                    refusal.get_or_insert(e);
                }
            }
        }
        Err(refusal.map_or(NoSigner::NoneActive, NoSigner::Refused))
    }

    /// The key of the active identity activated last, whatever it may sign now (the start-up
    /// log's warning about its signing window; tests).
    pub fn newest(&self) -> Option<Arc<SigningIdentity>> {
        self.identities
            .iter()
            .filter(|i| i.row.state == SignerState::Active)
            .filter_map(|i| Some((i.row.activated_at, i.row.id, i.signing.as_ref()?)))
            .max_by_key(|(a, id, _)| (*a, *id))
            .map(|(_, _, s)| s.clone())
    }
}

/// Why the keyring could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored signer certificate.
    #[error(transparent)]
    Signer(#[from] SignerError),
    /// The trust list could not be signed.
    #[error(transparent)]
    Resource(#[from] ResourceError),
}

/// Signing: the issuance policy, the current keyring, and the keys opened so far.
pub struct Issuance {
    /// Validity, country, UVCI secret.
    pub policy: Policy,
    ring: ArcSwap<Keyring>,
    opened: OpenedKeys,
    reload: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Issuance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuance")
            .field("version", &self.ring.load().version)
            .finish_non_exhaustive()
    }
}

impl Issuance {
    /// Loads the keyring from the store; `opened` are keys already open (the keys directory's).
    pub async fn load(
        app_store: &dyn crate::store::Store,
        config: &Config,
        list_signer: &ListSigner,
        policy: Policy,
        opened: Vec<Arc<SigningIdentity>>,
        now: OffsetDateTime,
    ) -> Result<Issuance, KeyringError> {
        let opened = opened
            .into_iter()
            .map(|s| (s.dsc.kid.to_vec(), s))
            .collect::<HashMap<_, _>>();
        let opened = OpenedKeys(Mutex::new(opened));
        let ring = opened.read(app_store, config, list_signer, now).await?;
        let issuance = Issuance {
            policy,
            ring: ArcSwap::from_pointee(ring),
            opened,
            reload: tokio::sync::Mutex::new(()),
        };
        Ok(issuance)
    }

    /// The current keyring.
    pub fn ring(&self) -> Arc<Keyring> {
        self.ring.load_full()
    }

    /// The current published lists.
    pub fn published(&self) -> Arc<Published> {
        self.ring.load().published.clone()
    }

    /// The identity to sign a `kind` certificate with at `at` ([`Keyring::signer_for`]).
    pub fn signer_for(&self, kind: CertType, at: i64) -> Result<Arc<SigningIdentity>, NoSigner> {
        self.ring.load().signer_for(kind, at)
    }

    /// [`Keyring::newest`] of the current keyring.
    pub fn newest(&self) -> Option<Arc<SigningIdentity>> {
        self.ring.load().newest()
    }

    /// Reloads the keyring from `store` when its key version changed or time alone changed the
    /// published set (`force`: always); returns whether it did. Concurrent calls reload once.
    pub async fn refresh(
        &self,
        store: &dyn crate::store::Store,
        config: &Config,
        list_signer: &ListSigner,
        now: OffsetDateTime,
        force: bool,
    ) -> Result<bool, KeyringError> {
        let _one = self.reload.lock().await;
        let current = self.ring.load_full();
        if !force {
            let version = store.signer_version().await?;
            let due = current
                .next_change
                .is_some_and(|t| now.unix_timestamp() >= t);
            if version == current.version && !due {
                return Ok(false);
            }
        }
        let ring = self.opened.read(store, config, list_signer, now).await?;
        self.ring.store(Arc::new(ring));
        Ok(true)
    }
}

/// The keys opened so far, by kid, so a reload does not read files or tokens again.
struct OpenedKeys(Mutex<HashMap<Vec<u8>, Arc<SigningIdentity>>>);

impl OpenedKeys {
    /// Reads the identities and builds the keyring (keys of active identities opened, on a
    /// blocking thread; a key that does not open is logged and leaves its identity unusable
    /// here, never the instance down).
    async fn read(
        &self,
        store: &dyn crate::store::Store,
        config: &Config,
        list_signer: &ListSigner,
        now: OffsetDateTime,
    ) -> Result<Keyring, KeyringError> {
        let version = store.signer_version().await?;
        let rows = store.signer_certificates().await?;
        let (published, next_change) = signers::published(&rows, now.unix_timestamp())?;
        let backend = hcert::crypto::default_backend();
        let mut identities = Vec::with_capacity(rows.len());
        for row in rows {
            let types = types_of(&row.types);
            let signing = match (&row.state, &row.key_ref) {
                (SignerState::Active, Some(key_ref)) => self.open(config, &row, key_ref).await,
                _ => None,
            };
            identities.push(Identity {
                row,
                types,
                signing,
            });
        }
        let published = Published::build(published, list_signer, now, backend)?;
        Ok(Keyring {
            version,
            identities,
            published: Arc::new(published),
            next_change,
        })
    }

    async fn open(
        &self,
        config: &Config,
        row: &SignerCertificateRow,
        key_ref: &str,
    ) -> Option<Arc<SigningIdentity>> {
        if let Some(s) = self.0.lock().ok()?.get(&row.kid) {
            return Some(s.clone());
        }
        let kid = Dsc::from_der(&row.der).map(|d| d.kid_base64()).ok()?;
        let (config, der, key_ref_s) = (config.clone(), row.der.clone(), key_ref.to_string());
        let opened = tokio::task::spawn_blocking(move || {
            let key_ref = KeyRef::parse(&key_ref_s)?;
            open_identity(&config, &key_ref, &der, hcert::crypto::default_backend())
        })
        .await;
        match opened {
            Ok(Ok(identity)) => {
                let identity = Arc::new(identity);
                if let Ok(mut o) = self.0.lock() {
                    o.insert(row.kid.clone(), identity.clone());
                }
                Some(identity)
            }
            Ok(Err(why)) => {
                tracing::error!(%kid, %why, "the key of an active signing identity does not open here");
                None
            }
            Err(e) => {
                tracing::error!(%kid, error = %e, "opening a signing key failed");
                None
            }
        }
    }
}

/// Fills the signer kid of certificates stored before it was kept, from their HC1 (an HC1
/// that does not decode gets an empty kid, so it is not read again); returns how many.
pub async fn backfill_signers(store: &dyn crate::store::Store) -> Result<u64, StoreError> {
    let mut n = 0;
    loop {
        let batch = store.certificates_without_signer(500).await?;
        if batch.is_empty() {
            return Ok(n);
        }
        for (id, hc1) in batch {
            let kid = hcert::hc1::unwrap(&hc1)
                .ok()
                .and_then(|cose| hcert::cose::Sign1::parse(&cose).ok())
                .and_then(|s| s.kid)
                .unwrap_or_default();
            store.set_certificate_signer(&id, &kid).await?;
            n += 1;
        }
    }
}
