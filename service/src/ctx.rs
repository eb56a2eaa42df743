//! The domain's context: what every operation may use (storage, clock, secrets, signing, the
//! senders, the population registry, configuration and the in-memory gates), each behind a
//! trait object or an `Arc`, so tests swap in fakes. No page templates, no HTTP limiter: the web
//! layer keeps those beside it.

use std::path::PathBuf;
use std::sync::Arc;

use issuer::Policy;

use crate::bootstrap::{self, BootstrapError};
use crate::captcha::CaptchaSource;
use crate::certreg::TrustedCas;
use crate::clock::Clock;
use crate::config::Config;
use crate::counters::Counters;
use crate::mail::{FileMailer, MailError, Mailer, SmtpMailer};
use crate::pin::PinHasher;
use crate::population::{DevRegistry, Registry};
use crate::public::{PublicResources, ResourceError, Sources};
use crate::ratelimit::Anonymous;
use crate::revocation::RevocationCache;
use crate::secrets::Secrets;
use crate::signers::{self, SignerError};
use crate::sms::{FileSms, HttpSms, Sms, SmsError};
use crate::store::{self, Store, StoreError};

pub use crate::keyring::Issuance;

pub use crate::public::ListSigner;

/// What the domain's operations use.
#[derive(Clone)]
pub struct Ctx {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// SMS gateway.
    pub sms: Arc<dyn Sms>,
    /// Mail transport.
    pub mailer: Arc<dyn Mailer>,
    /// Population registry.
    pub registry: Arc<dyn Registry>,
    /// Installation secrets.
    pub secrets: Arc<Secrets>,
    /// Signing: the policy and the keyring with the published signers' lists, reloaded when
    /// the store's identities change.
    pub issuance: Arc<Issuance>,
    /// Rules and value sets.
    pub public: Arc<PublicResources>,
    /// Signs published lists.
    pub list_signer: Arc<ListSigner>,
    /// The revocation list `/verify` consults.
    pub revocation: Arc<RevocationCache>,
    /// Certificates issued and messages sent, for the metrics.
    pub counters: Arc<Counters>,
    /// Registry PINs: argon2id with the configured parameters.
    pub pins: Arc<PinHasher>,
    /// argon2id evaluations at once (SECURITY.md 50): one per core.
    pub pin_slots: Arc<tokio::sync::Semaphore>,
    /// PDF renderings at once (SECURITY.md 50): one per core.
    pub pdf_slots: Arc<tokio::sync::Semaphore>,
    /// Where captcha challenges come from.
    pub captchas: CaptchaSource,
    /// In-memory limits and alert gates of the anonymous pages.
    pub anonymous: Arc<Anonymous>,
    /// The authorities whose personal certificates may register registry users, if any.
    pub certificate_cas: Option<Arc<TrustedCas>>,
    /// Configuration.
    pub config: Arc<Config>,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("store", &self.store.backend())
            .finish_non_exhaustive()
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Configuration.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// Data directory, keys, secret.
    #[error(transparent)]
    Bootstrap(#[from] BootstrapError),
    /// Database.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Trust list, rules, value sets.
    #[error(transparent)]
    Resource(#[from] ResourceError),
    /// The published signer certificates.
    #[error(transparent)]
    Signers(#[from] SignerError),
    /// The signing identities.
    #[error("signing identities: {0}")]
    Keyring(#[from] crate::keyring::KeyringError),
    /// Mail transport.
    #[error("mail: {0}")]
    Mail(#[from] MailError),
    /// SMS gateway.
    #[error("sms: {0}")]
    Sms(#[from] SmsError),
    /// Listening socket.
    #[error("{0}")]
    Io(String),
}

/// What start-up did, for the log.
#[derive(Debug, Clone)]
pub struct Started {
    /// Keys directory.
    pub keys_dir: PathBuf,
    /// Whether development keys were generated now.
    pub keys_generated: bool,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Where e-mails are written, when no SMTP host is configured (development).
    pub mail_dir: Option<PathBuf>,
    /// Where SMS are written, when no SMS gateway is configured (development).
    pub sms_dir: Option<PathBuf>,
}

/// Optional replacements for the configured transports (tests).
#[derive(Default, Clone)]
pub struct Overrides {
    /// Mailer instead of SMTP / files.
    pub mailer: Option<Arc<dyn Mailer>>,
    /// SMS instead of the configured gateway.
    pub sms: Option<Arc<dyn Sms>>,
    /// Captcha challenges with known answers (tests).
    pub captcha: Option<crate::captcha::CaptchaSource>,
}

impl Ctx {
    /// The service's name as every SMS and e-mail opens with it (SECURITY.md 4).
    pub fn sender(&self) -> crate::notice::Sender<'_> {
        crate::notice::Sender::of(&self.config.operator)
    }

    /// Prepares the data directory (keys and secret on first start), opens the database (running
    /// its migrations) and builds the public resources.
    pub async fn open(
        config: Config,
        clock: Arc<dyn Clock>,
        overrides: Overrides,
    ) -> Result<(Ctx, Started), StartError> {
        // Before anything is created on disk: production has no file sinks.
        config.check_production(overrides.sms.is_some(), overrides.mailer.is_some())?;
        let now = clock.now();
        let backend = hcert::crypto::default_backend();
        if !config.data_dir.exists() {
            // The data directory holds the database, keys and secret: owner only.
            use std::os::unix::fs::DirBuilderExt as _;
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&config.data_dir)
                .map_err(|e| StartError::Io(format!("{}: {e}", config.data_dir.display())))?;
        }
        let keys_dir = config.keys_dir();
        let (keys, keys_generated) =
            bootstrap::load_keys(&keys_dir, &config.country, now, &config.issuer, backend)?;
        let secrets = bootstrap::load_secret(&config.data_dir)?;
        let store = store::open(&config.database_url(), bootstrap::outbox_key(&secrets)?).await?;
        // The keys directory's DSC is the first identity (DESIGN.md "Signing keys").
        let key_ref = crate::keyring::KeyRef::File(keys_dir.join("dsc.key")).to_string();
        signers::register(store.as_ref(), &keys.identity.dsc, &key_ref, now).await?;
        let filled = crate::keyring::backfill_signers(store.as_ref()).await?;
        if filled > 0 {
            tracing::info!(
                certificates = filled,
                "recorded the signer of earlier certificates"
            );
        }
        let public = PublicResources::build(Sources {
            rules_dir: config.rules_dir.as_deref(),
            valuesets_dir: config.valuesets_dir.as_deref(),
            country: &config.country,
        })?;
        let list_signer = ListSigner {
            signer: keys.trust_list_signer,
            cert_der: keys.trust_list_cert_der,
        };
        // Without a configured transport, development writes files (production was refused
        // above).
        let (mut mail_dir, mut sms_dir) = (None, None);
        let mailer: Arc<dyn Mailer> = match (overrides.mailer, &config.smtp.host) {
            (Some(m), _) => m,
            (None, Some(host)) => {
                let smtp = crate::config::SmtpConfig {
                    from: config.mail_sender(),
                    ..config.smtp.clone()
                };
                Arc::new(SmtpMailer::new(host, &smtp)?)
            }
            (None, None) => {
                let dir = config.data_dir.join("mail");
                mail_dir = Some(dir.clone());
                Arc::new(FileMailer::new(dir, config.mail_sender(), clock.clone()))
            }
        };
        let sms: Arc<dyn Sms> = match (overrides.sms, &config.sms.url) {
            (Some(s), _) => s,
            (None, Some(url)) => Arc::new(HttpSms::new(url, config.sms.token.clone())?),
            (None, None) => {
                let dir = config.data_dir.join("sms");
                sms_dir = Some(dir.clone());
                Arc::new(FileSms::new(dir, clock.clone()))
            }
        };
        let mut policy = Policy::new(secrets.uvci_secret());
        policy.country = config.country.clone();
        let issuance = Issuance::load(
            store.as_ref(),
            &config,
            &list_signer,
            policy,
            vec![Arc::new(keys.identity)],
            now,
        )
        .await?;
        let started = Started {
            keys_dir,
            keys_generated,
            backend: store.backend(),
            mail_dir,
            sms_dir,
        };
        let certificate_cas = match &config.registry.certificate_cas {
            Some(path) => {
                let pem = std::fs::read(path).map_err(|e| {
                    crate::config::ConfigError::Invalid(format!(
                        "registry.certificate_cas {}: {e}",
                        path.display()
                    ))
                })?;
                let cas = TrustedCas::from_pem(&pem).map_err(|e| {
                    crate::config::ConfigError::Invalid(format!(
                        "registry.certificate_cas {}: {e}",
                        path.display()
                    ))
                })?;
                Some(Arc::new(cas))
            }
            None => None,
        };
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let ctx = Ctx {
            certificate_cas,
            registry: Arc::new(DevRegistry::new(store.clone())),
            store,
            clock,
            sms,
            mailer,
            secrets: Arc::new(secrets),
            issuance: Arc::new(issuance),
            public: Arc::new(public),
            list_signer: Arc::new(list_signer),
            revocation: Arc::new(RevocationCache::default()),
            counters: Arc::new(Counters::default()),
            pins: Arc::new(
                PinHasher::new(
                    config.registry.argon2_m_kib,
                    config.registry.argon2_t,
                    config.registry.argon2_p,
                )
                .map_err(|e| crate::config::ConfigError::Invalid(e.to_string()))?,
            ),
            pin_slots: Arc::new(tokio::sync::Semaphore::new(cores)),
            pdf_slots: Arc::new(tokio::sync::Semaphore::new(cores)),
            captchas: overrides
                .captcha
                .unwrap_or_else(|| Arc::new(crate::captcha::new_challenge)),
            anonymous: Arc::new(Anonymous::new(config.portal.captcha_per_minute, cores / 2)),
            config: Arc::new(config),
        };
        Ok((ctx, started))
    }
}
