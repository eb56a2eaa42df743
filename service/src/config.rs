//! The server's configuration: one typed struct, built once. Defaults ← `dcc.toml` (or
//! `--config FILE`) ← `DCC_*` variables and `DATABASE_URL`. The loader takes the environment as
//! a map, so tests never touch the process environment.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::Deserialize;

/// Development or production (DESIGN.md "Modes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Without an SMS gateway or SMTP host, messages go to files in `DATA_DIR/sms/` and
    /// `DATA_DIR/mail/`; `dcc admin dev seed` may create demo data.
    #[default]
    Development,
    /// An SMS gateway and an SMTP host are required; no file sinks, no seed command.
    Production,
}

impl Mode {
    /// `development` or `production`, as configured.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Development => "development",
            Mode::Production => "production",
        }
    }
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain SMTP (a relay on loopback).
    #[default]
    None,
    /// STARTTLS after connecting.
    Starttls,
    /// TLS from the start (SMTPS, port 465).
    Tls,
}

/// Outgoing mail.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpConfig {
    /// SMTP host; without one, mail is written to `DATA_DIR/mail/*.eml` instead (development
    /// mode; production refuses to start without one).
    pub host: Option<String>,
    /// Port.
    pub port: u16,
    /// Transport security.
    pub tls: SmtpTls,
    /// Sender address; without a display name (`Name <address>`), the operator's name is
    /// shown as the sender (issue #21 part 4).
    pub from: String,
    /// Login user.
    pub username: Option<String>,
    /// Login password.
    pub password: Option<SecretString>,
    /// Timeout of connecting to the SMTP server, in seconds (lettre's async transport bounds
    /// only the connection); at most three quarters of `outbox.lease_secs`, the bound the worker
    /// puts on each whole send, whatever the transport, so a message is sent while its lease
    /// holds.
    pub timeout_secs: u64,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: None,
            port: 25,
            tls: SmtpTls::None,
            from: "noreply@dcc.invalid".into(),
            username: None,
            password: None,
            timeout_secs: 20,
        }
    }
}

/// The SMS gateway.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmsConfig {
    /// HTTP endpoint taking `{"to", "text"}` as JSON; without one, each SMS is written to
    /// `DATA_DIR/sms/` (development mode; production refuses to start without one).
    pub url: Option<String>,
    /// Bearer token for the gateway.
    pub token: Option<SecretString>,
}

/// The outbox worker.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboxConfig {
    /// Run the worker in this process.
    pub worker: bool,
    /// Poll interval in milliseconds.
    pub poll_ms: u64,
    /// Lease of a claimed message in seconds: after a crash it is sent again once this passes.
    /// The worker renews it immediately before each send, and each send may take at most three
    /// quarters of it.
    pub lease_secs: i64,
    /// Attempts before a message is given up.
    pub max_attempts: i64,
    /// Messages claimed at once.
    pub batch: i64,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            worker: true,
            poll_ms: 1000,
            lease_secs: 120,
            max_attempts: 10,
            batch: 10,
        }
    }
}

/// How long ended rows are kept (SECURITY.md 48).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// Days a sent or given-up outbox message is kept (recipient, status, times and last error;
    /// its text is wiped when it ends), so operators can answer "did my mail leave?".
    pub outbox_days: i64,
    /// Days audit events are kept.
    pub audit_days: i64,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            outbox_days: 7,
            audit_days: 365,
        }
    }
}

/// The citizen portal and the old-certificate exchange (SECURITY.md 1-3, 11, 22, 29-31, 49).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PortalConfig {
    /// The origin users reach the portal at (`https://host[:port]`): links in messages and the
    /// `Origin` check are built from it, never from `Host`. Default: `http://` + listen.
    pub base_url: Option<String>,
    /// Lifetime of a one-time code in seconds (hard cap 600).
    pub otp_secs: i64,
    /// Wrong entries before a code is void.
    pub otp_attempts: i64,
    /// Seconds before a code may be re-sent.
    pub otp_resend_secs: i64,
    /// Session idle time-out in seconds.
    pub session_idle_secs: i64,
    /// Session absolute time-out in seconds.
    pub session_absolute_secs: i64,
    /// Authentication POSTs per IP per 10 minutes.
    pub auth_per_ip: i64,
    /// Client addresses whose authentication POSTs are counted in one 10-minute window, across
    /// instances; a further address gets 429 until the window ends, so the counters' rows stay
    /// bounded whatever the number of addresses (DESIGN.md "Anonymous work is bounded").
    pub auth_clients_max: i64,
    /// Captcha pictures per client IP (IPv6: per /64) and minute, per instance and in memory;
    /// 0 switches the limit off.
    pub captcha_per_minute: u32,
    /// Captcha answers whose one-use rows may be held at once (their tokens live 5 minutes);
    /// beyond, answers are refused like expired ones and an alert is logged.
    pub captcha_answers_max: i64,
    /// Days an exchange URL stays valid after import.
    pub exchange_days: i64,
    /// Downloads per exchange URL.
    pub exchange_downloads: i64,
    /// Unknown exchange tokens per IP per hour before 429.
    pub exchange_misses_per_ip: i64,
    /// SMS per hour the whole installation may send.
    pub sms_per_hour: i64,
}

impl Default for PortalConfig {
    fn default() -> Self {
        PortalConfig {
            base_url: None,
            otp_secs: 300,
            otp_attempts: 5,
            otp_resend_secs: 60,
            session_idle_secs: 30 * 60,
            session_absolute_secs: 12 * 3600,
            auth_per_ip: 60,
            auth_clients_max: 100_000,
            captcha_per_minute: 60,
            captcha_answers_max: 20_000,
            exchange_days: 90,
            exchange_downloads: 20,
            exchange_misses_per_ip: 20,
            sms_per_hour: 1000,
        }
    }
}

/// Registry users (issue #9; SECURITY.md 4-7).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegistryConfig {
    /// Shortest PIN in code points (the seed's 6; 8 recommended; never below 6).
    pub pin_min_len: usize,
    /// Whether users may choose e-mail for their one-time codes (`otp.email_enabled`).
    pub email_otp: bool,
    /// argon2id memory in KiB (at least 19456).
    pub argon2_m_kib: u32,
    /// argon2id iterations (at least 2).
    pub argon2_t: u32,
    /// argon2id lanes.
    pub argon2_p: u32,
    /// PEM file of the certification authorities whose personal certificates may register
    /// (seeds 001 and 003); registration by certificate is offered only when set.
    pub certificate_cas: Option<std::path::PathBuf>,
    /// Whether a user without a usable mobile phone may renew the PIN by answering two of
    /// three security questions (SECURITY.md 19); off by default.
    pub recovery_questions: bool,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        RegistryConfig {
            pin_min_len: 6,
            email_otp: true,
            argon2_m_kib: 19456,
            argon2_t: 2,
            argon2_p: 1,
            certificate_cas: None,
            recovery_questions: false,
        }
    }
}

/// Citizen login through the national identity provider (NIA) as an OpenID Connect relying
/// party (seed 002, SECURITY.md threat model). Off unless `issuer_url` is set.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OidcConfig {
    /// The provider's issuer URL; discovery reads `{issuer_url}/.well-known/openid-configuration`.
    /// `https://`, or `http://` on loopback only (tests, a local provider).
    pub issuer_url: Option<String>,
    /// The client id registered with the provider (the ID token's audience).
    pub client_id: String,
    /// The client secret (sent with HTTP Basic authentication to the token endpoint).
    pub client_secret: Option<SecretString>,
    /// The ID-token claim that carries the birth number.
    pub birth_number_claim: String,
}

impl Default for OidcConfig {
    fn default() -> Self {
        OidcConfig {
            issuer_url: None,
            client_id: String::new(),
            client_secret: None,
            birth_number_claim: "birth_number".into(),
        }
    }
}

impl OidcConfig {
    /// Whether NIA login is offered.
    pub fn enabled(&self) -> bool {
        self.issuer_url.is_some()
    }
}

/// The listener (issue 18, DESIGN.md "Anonymous work is bounded"): what one client can hold
/// open. `axum::serve` had none of these, so a few hundred half-sent requests exhausted the
/// process's file descriptors.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Seconds a client has to send a request's head, from when the connection is ready for one
    /// (accepted, or idle after a response; hyper restarts the timer then, so this is also the
    /// time a keep-alive connection may sit idle between requests).
    pub header_read_timeout_secs: u64,
    /// Seconds without a byte moving either way before a connection is closed, whatever it is
    /// doing: a client that stops reading a response or stops sending a body. Longer than the
    /// 30 s request time-out, so a slow handler is never cut by it.
    pub idle_timeout_secs: u64,
    /// Connections open at once (lowered at start to the open-file limit less 64). At the limit
    /// a new connection closes the one that has waited longest for a request head (half-sent,
    /// or idle after a response), or waits in the accept queue when there is none.
    pub max_connections: usize,
    /// Seconds open connections get to finish after Ctrl-C or SIGTERM before they are closed.
    pub shutdown_grace_secs: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            header_read_timeout_secs: 10,
            idle_timeout_secs: 60,
            max_connections: 1024,
            shutdown_grace_secs: 20,
        }
    }
}

/// The image decoders of the scan form (issue 18, DESIGN.md "Anonymous work is bounded"): one
/// fixed pool, a bounded queue, a time budget per image.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DecodeConfig {
    /// Images decoded at once; 0: one per core.
    pub workers: usize,
    /// Images that may wait for a decoder; beyond them a request gets 503. Default: twice the
    /// number of workers.
    pub queue: Option<usize>,
    /// Milliseconds one image may take before the decoder gives up on it.
    pub budget_ms: u64,
}

impl Default for DecodeConfig {
    fn default() -> Self {
        DecodeConfig {
            workers: 0,
            queue: None,
            budget_ms: 2000,
        }
    }
}

impl DecodeConfig {
    /// The number of decoders: the configured one, or one per core.
    pub fn workers(&self) -> usize {
        match self.workers {
            0 => std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            n => n,
        }
    }

    /// The number of images that may wait.
    pub fn queue(&self) -> usize {
        self.queue
            .unwrap_or_else(|| self.workers().saturating_mul(2))
    }
}

/// The signing keys (SECURITY.md 41) and their lifecycle (issue #22).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IssuerConfig {
    /// The CSCA certificate(s), PEM, a new DSC must chain to (`dcc admin keys add`); default
    /// `KEYS_DIR/csca.pem`.
    pub csca_file: Option<PathBuf>,
    /// Hours a new DSC is published before it may sign, so offline apps have fetched it
    /// (default 48); `dcc admin keys activate --now` skips it in an emergency.
    pub lead_hours: i64,
    /// Seconds between a running instance's checks of the store's key version (default 10).
    pub key_refresh_secs: u64,
    /// PKCS#11 tokens by label: the module and the environment variable holding the PIN.
    pub tokens: std::collections::BTreeMap<String, TokenConfig>,
    /// The name of the environment variable that holds the passphrase of encrypted keys
    /// (`dsc.key`, `trust-list.key`); read once at start. Development keys generated on first
    /// start are encrypted with it too.
    pub key_passphrase_env: Option<String>,
    /// Sign with an EdDSA DSC. EdDSA is outside the EU DCC specification and EU verifiers reject
    /// it, so the server refuses such a key unless this is set.
    pub allow_eddsa: bool,
    /// The passphrase itself, from the variable `key_passphrase_env` names in the environment
    /// [`Config::load`] was given; never from the file.
    #[serde(skip)]
    pub key_passphrase: Option<SecretString>,
}

impl Default for IssuerConfig {
    fn default() -> Self {
        IssuerConfig {
            csca_file: None,
            lead_hours: 48,
            key_refresh_secs: 10,
            tokens: std::collections::BTreeMap::new(),
            key_passphrase_env: None,
            allow_eddsa: false,
            key_passphrase: None,
        }
    }
}

/// A PKCS#11 token signing keys live in (`[issuer.tokens.LABEL]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    /// The PKCS#11 module (e.g. `/usr/lib/softhsm/libsofthsm2.so`).
    pub module: PathBuf,
    /// The environment variable holding the token's user PIN, read when a key is opened.
    pub pin_env: String,
}

/// Who runs the service, as citizens and health workers read it (issue #21 part 4): the
/// operator's name, the helpdesk, and the privacy notice and accessibility statement (the
/// defaults, written for a health ministry, are in the text catalogues; a text set here replaces
/// them, paragraphs separated by blank lines).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OperatorConfig {
    /// The operator (controller), in Czech.
    pub name: String,
    /// The operator's name in English.
    pub name_en: String,
    /// The service's name, in Czech, that every SMS and e-mail opens with (SECURITY.md 4), so a
    /// person knows who writes.
    pub service_name: String,
    /// The service's name in English, for the English half of a message.
    pub service_name_en: String,
    /// The helpdesk's e-mail address.
    pub helpdesk_email: String,
    /// The helpdesk's telephone number.
    pub helpdesk_phone: String,
    /// The privacy notice in Czech, replacing the default.
    pub privacy_cs: Option<String>,
    /// The privacy notice in English, replacing the default.
    pub privacy_en: Option<String>,
    /// The accessibility statement in Czech, replacing the default.
    pub accessibility_cs: Option<String>,
    /// The accessibility statement in English, replacing the default.
    pub accessibility_en: Option<String>,
}

impl Default for OperatorConfig {
    fn default() -> Self {
        OperatorConfig {
            name: "Ministerstvo zdravotnictví ČR".into(),
            name_en: "Ministry of Health of the Czech Republic".into(),
            service_name: "Certifikát COVID-19".into(),
            service_name_en: "COVID-19 certificate".into(),
            helpdesk_email: "helpdesk@example.cz".into(),
            helpdesk_phone: "+420 221 000 000".into(),
            privacy_cs: None,
            privacy_en: None,
            accessibility_cs: None,
            accessibility_en: None,
        }
    }
}

/// Everything `dcc serve` reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `development` (the default) or `production` (DESIGN.md "Modes").
    pub mode: Mode,
    /// Listen address, `host:port`: an IP address (`127.0.0.1:8080`, `[::1]:8080`) or a host
    /// name resolved when the server starts (`localhost:8080`).
    pub listen: String,
    /// Data directory: SQLite file, development keys, installation secret.
    pub data_dir: PathBuf,
    /// Database URL; default `sqlite:` + `DATA_DIR/dcc.db`. May hold a password.
    pub database_url: Option<SecretString>,
    /// Directory of `dsc.key`, `dsc.pem`, `trust-list.key`, `trust-list.pem`; default
    /// `DATA_DIR/keys`, generated on first start when missing.
    pub keys_dir: Option<PathBuf>,
    /// Issuing country.
    pub country: String,
    /// The certificate issuer written into entries (`is`).
    pub certificate_issuer: String,
    /// Highest dose number accepted (`dn`, `sd`).
    pub max_dose: u64,
    /// Provider API token lifetime in days (≤ 90).
    pub token_days: i64,
    /// Directory of business rules (JSON) served at `/rules`.
    pub rules_dir: Option<PathBuf>,
    /// Directory of value sets (JSON) served at `/valuesets`.
    pub valuesets_dir: Option<PathBuf>,
    /// `POST /verify` requests per client IP and minute, per instance; 0 switches the limit off
    /// (load tests).
    pub verify_per_minute: u32,
    /// Revoke a certificate once a newer one supersedes it (a re-issue of the same kind).
    pub revoke_superseded: bool,
    /// Origins (`https://host[:port]`) whose browser apps may call the verifier routes (CORS);
    /// empty: none.
    pub cors_origins: Vec<String>,
    /// Outgoing mail.
    pub smtp: SmtpConfig,
    /// SMS gateway.
    pub sms: SmsConfig,
    /// Outbox worker.
    pub outbox: OutboxConfig,
    /// How long ended outbox messages and audit events are kept.
    pub retention: RetentionConfig,
    /// Citizen portal and exchange.
    pub portal: PortalConfig,
    /// Login through NIA (OpenID Connect).
    pub oidc: OidcConfig,
    /// Registry users: PIN policy and hashing, one-time-code channels.
    pub registry: RegistryConfig,
    /// Connection limits and time-outs.
    pub server: ServerConfig,
    /// Image decoding of the scan form.
    pub decode: DecodeConfig,
    /// Signing keys: passphrase, EdDSA.
    pub issuer: IssuerConfig,
    /// Who runs the service: name, helpdesk, privacy and accessibility texts.
    pub operator: OperatorConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mode: Mode::Development,
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("dcc-data"),
            database_url: None,
            keys_dir: None,
            country: "CZ".into(),
            certificate_issuer: "Ministerstvo zdravotnictví ČR".into(),
            max_dose: 9,
            token_days: 90,
            rules_dir: None,
            valuesets_dir: None,
            verify_per_minute: 600,
            revoke_superseded: false,
            cors_origins: Vec::new(),
            smtp: SmtpConfig::default(),
            sms: SmsConfig::default(),
            outbox: OutboxConfig::default(),
            retention: RetentionConfig::default(),
            portal: PortalConfig::default(),
            oidc: OidcConfig::default(),
            registry: RegistryConfig::default(),
            server: ServerConfig::default(),
            decode: DecodeConfig::default(),
            issuer: IssuerConfig::default(),
            operator: OperatorConfig::default(),
        }
    }
}

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A value is malformed; the message names it.
    #[error("configuration: {0}")]
    Invalid(String),
}

#[derive(Clone, Copy)]
enum Kind {
    Str,
    Int,
    Bool,
    /// Comma-separated.
    List,
}

/// The `DCC_*` variables and the configuration keys they set.
const ENV: &[(&str, &[&str], Kind)] = &[
    ("DCC_MODE", &["mode"], Kind::Str),
    ("DCC_LISTEN", &["listen"], Kind::Str),
    ("DCC_DATA_DIR", &["data_dir"], Kind::Str),
    ("DCC_DATABASE_URL", &["database_url"], Kind::Str),
    ("DCC_KEYS_DIR", &["keys_dir"], Kind::Str),
    ("DCC_COUNTRY", &["country"], Kind::Str),
    ("DCC_CERTIFICATE_ISSUER", &["certificate_issuer"], Kind::Str),
    ("DCC_MAX_DOSE", &["max_dose"], Kind::Int),
    ("DCC_TOKEN_DAYS", &["token_days"], Kind::Int),
    ("DCC_RULES_DIR", &["rules_dir"], Kind::Str),
    ("DCC_VALUESETS_DIR", &["valuesets_dir"], Kind::Str),
    ("DCC_VERIFY_PER_MINUTE", &["verify_per_minute"], Kind::Int),
    ("DCC_CORS_ORIGINS", &["cors_origins"], Kind::List),
    ("DCC_REVOKE_SUPERSEDED", &["revoke_superseded"], Kind::Bool),
    ("DCC_OPERATOR_NAME", &["operator", "name"], Kind::Str),
    ("DCC_OPERATOR_NAME_EN", &["operator", "name_en"], Kind::Str),
    (
        "DCC_OPERATOR_SERVICE_NAME",
        &["operator", "service_name"],
        Kind::Str,
    ),
    (
        "DCC_OPERATOR_SERVICE_NAME_EN",
        &["operator", "service_name_en"],
        Kind::Str,
    ),
    (
        "DCC_OPERATOR_HELPDESK_EMAIL",
        &["operator", "helpdesk_email"],
        Kind::Str,
    ),
    (
        "DCC_OPERATOR_HELPDESK_PHONE",
        &["operator", "helpdesk_phone"],
        Kind::Str,
    ),
    ("DCC_SMTP_HOST", &["smtp", "host"], Kind::Str),
    ("DCC_SMTP_PORT", &["smtp", "port"], Kind::Int),
    ("DCC_SMTP_TLS", &["smtp", "tls"], Kind::Str),
    ("DCC_SMTP_FROM", &["smtp", "from"], Kind::Str),
    ("DCC_SMTP_USERNAME", &["smtp", "username"], Kind::Str),
    ("DCC_SMTP_PASSWORD", &["smtp", "password"], Kind::Str),
    ("DCC_SMS_URL", &["sms", "url"], Kind::Str),
    ("DCC_SMS_TOKEN", &["sms", "token"], Kind::Str),
    ("DCC_OUTBOX_WORKER", &["outbox", "worker"], Kind::Bool),
    ("DCC_OUTBOX_POLL_MS", &["outbox", "poll_ms"], Kind::Int),
    ("DCC_BASE_URL", &["portal", "base_url"], Kind::Str),
    ("DCC_AUTH_PER_IP", &["portal", "auth_per_ip"], Kind::Int),
    (
        "DCC_AUTH_CLIENTS_MAX",
        &["portal", "auth_clients_max"],
        Kind::Int,
    ),
    (
        "DCC_CAPTCHA_PER_MINUTE",
        &["portal", "captcha_per_minute"],
        Kind::Int,
    ),
    (
        "DCC_CAPTCHA_ANSWERS_MAX",
        &["portal", "captcha_answers_max"],
        Kind::Int,
    ),
    ("DCC_SMS_PER_HOUR", &["portal", "sms_per_hour"], Kind::Int),
    ("DCC_OIDC_ISSUER", &["oidc", "issuer_url"], Kind::Str),
    ("DCC_PIN_MIN_LEN", &["registry", "pin_min_len"], Kind::Int),
    ("DCC_EMAIL_OTP", &["registry", "email_otp"], Kind::Bool),
    ("DCC_ARGON2_T", &["registry", "argon2_t"], Kind::Int),
    (
        "DCC_RECOVERY_QUESTIONS",
        &["registry", "recovery_questions"],
        Kind::Bool,
    ),
    (
        "DCC_REGISTRY_CAS",
        &["registry", "certificate_cas"],
        Kind::Str,
    ),
    ("DCC_OIDC_CLIENT_ID", &["oidc", "client_id"], Kind::Str),
    (
        "DCC_OIDC_CLIENT_SECRET",
        &["oidc", "client_secret"],
        Kind::Str,
    ),
    (
        "DCC_OUTBOX_LEASE_SECS",
        &["outbox", "lease_secs"],
        Kind::Int,
    ),
    (
        "DCC_HEADER_READ_TIMEOUT_SECS",
        &["server", "header_read_timeout_secs"],
        Kind::Int,
    ),
    (
        "DCC_IDLE_TIMEOUT_SECS",
        &["server", "idle_timeout_secs"],
        Kind::Int,
    ),
    (
        "DCC_MAX_CONNECTIONS",
        &["server", "max_connections"],
        Kind::Int,
    ),
    ("DCC_DECODE_WORKERS", &["decode", "workers"], Kind::Int),
    ("DCC_DECODE_QUEUE", &["decode", "queue"], Kind::Int),
    (
        "DCC_SMTP_TIMEOUT_SECS",
        &["smtp", "timeout_secs"],
        Kind::Int,
    ),
    (
        "DCC_RETENTION_OUTBOX_DAYS",
        &["retention", "outbox_days"],
        Kind::Int,
    ),
    (
        "DCC_RETENTION_AUDIT_DAYS",
        &["retention", "audit_days"],
        Kind::Int,
    ),
    (
        "DCC_KEY_PASSPHRASE_ENV",
        &["issuer", "key_passphrase_env"],
        Kind::Str,
    ),
    ("DCC_ALLOW_EDDSA", &["issuer", "allow_eddsa"], Kind::Bool),
    ("DCC_KEY_LEAD_HOURS", &["issuer", "lead_hours"], Kind::Int),
    (
        "DCC_KEY_REFRESH_SECS",
        &["issuer", "key_refresh_secs"],
        Kind::Int,
    ),
    ("DCC_CSCA_FILE", &["issuer", "csca_file"], Kind::Str),
];

impl Config {
    /// The mail sender as recipients see it: `smtp.from` when it names itself, else the
    /// operator's name before the address.
    pub fn mail_sender(&self) -> String {
        let from = self.smtp.from.trim();
        if from.contains('<') {
            from.to_string()
        } else {
            // Quoted: the name may hold dots or commas.
            let name = self.operator.name.replace(['"', '\\'], "");
            format!("\"{name}\" <{from}>")
        }
    }

    /// Loads the configuration: defaults, then `file` (or `dcc.toml` in the working directory
    /// when it exists), then the variables in `env`. `DATABASE_URL` is honoured as sqlx users
    /// expect; `DCC_DATABASE_URL` wins over it.
    pub fn load(file: Option<&Path>, env: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let mut table = toml::Table::new();
        let file = match file {
            Some(f) => Some(f.to_path_buf()),
            None => Some(PathBuf::from("dcc.toml")).filter(|p| p.is_file()),
        };
        if let Some(path) = file {
            let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                path: path.display().to_string(),
                source,
            })?;
            table = text
                .parse::<toml::Table>()
                .map_err(|e| ConfigError::Invalid(format!("{}: {e}", path.display())))?;
        }
        if let Some(url) = env.get("DATABASE_URL") {
            set(
                &mut table,
                &["database_url"],
                toml::Value::String(url.clone()),
            );
        }
        for (name, path, kind) in ENV {
            let Some(raw) = env.get(*name) else { continue };
            let value = match kind {
                Kind::Str => toml::Value::String(raw.clone()),
                Kind::Int => toml::Value::Integer(raw.trim().parse().map_err(|_| {
                    ConfigError::Invalid(format!("{name}: {raw:?} is not a number"))
                })?),
                Kind::List => toml::Value::Array(
                    raw.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| toml::Value::String(s.to_string()))
                        .collect(),
                ),
                Kind::Bool => toml::Value::Boolean(match raw.trim() {
                    "1" | "true" | "yes" | "on" => true,
                    "0" | "false" | "no" | "off" => false,
                    _ => {
                        return Err(ConfigError::Invalid(format!(
                            "{name}: {raw:?} is not true or false"
                        )))
                    }
                }),
            };
            set(&mut table, path, value);
        }
        check_mode(table.get("mode"))?;
        let mut config: Config = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid(e.message().to_string()))?;
        config.check()?;
        if let Some(name) = &config.issuer.key_passphrase_env {
            config.issuer.key_passphrase = Some(passphrase(name, env)?);
        }
        Ok(config)
    }

    fn check(&self) -> Result<(), ConfigError> {
        check_listen(&self.listen)?;
        if self.country.len() != 2 || !self.country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ConfigError::Invalid(format!(
                "country {:?} is not a two-letter upper-case code",
                self.country
            )));
        }
        if !(1..=90).contains(&self.token_days) {
            return Err(ConfigError::Invalid("token_days must be 1 to 90".into()));
        }
        if !(0..=24 * 90).contains(&self.issuer.lead_hours) {
            return Err(ConfigError::Invalid(
                "issuer.lead_hours must be 0 to 2160 (90 days)".into(),
            ));
        }
        if !(1..=3600).contains(&self.issuer.key_refresh_secs) {
            return Err(ConfigError::Invalid(
                "issuer.key_refresh_secs must be 1 to 3600".into(),
            ));
        }
        for origin in &self.cors_origins {
            check_origin(origin)?;
        }
        if let Some(b) = &self.portal.base_url {
            check_origin(b)?;
        }
        let r = &self.registry;
        if !(6..=128).contains(&r.pin_min_len) {
            return Err(ConfigError::Invalid(
                "registry.pin_min_len must be 6 to 128".into(),
            ));
        }
        if r.argon2_m_kib < 19456 || r.argon2_t < 2 || r.argon2_p < 1 {
            return Err(ConfigError::Invalid(
                "registry.argon2 parameters must be at least m=19456 KiB, t=2, p=1".into(),
            ));
        }
        if self.portal.auth_clients_max < 1 || self.portal.captcha_answers_max < 1 {
            return Err(ConfigError::Invalid(
                "portal.auth_clients_max and portal.captcha_answers_max must be at least 1".into(),
            ));
        }
        if !(60..=600).contains(&self.portal.otp_secs) {
            return Err(ConfigError::Invalid(
                "portal.otp_secs must be 60 to 600 (codes live at most 10 minutes)".into(),
            ));
        }
        if let Some(issuer) = &self.oidc.issuer_url {
            check_issuer(issuer)?;
            if self.oidc.client_id.trim().is_empty() {
                return Err(ConfigError::Invalid(
                    "oidc.client_id is required when oidc.issuer_url is set".into(),
                ));
            }
            if self.oidc.birth_number_claim.trim().is_empty() {
                return Err(ConfigError::Invalid(
                    "oidc.birth_number_claim must name a claim".into(),
                ));
            }
        }
        let srv = &self.server;
        if srv.header_read_timeout_secs == 0
            || srv.idle_timeout_secs == 0
            || srv.max_connections == 0
            || !(1..=30).contains(&srv.shutdown_grace_secs)
        {
            return Err(ConfigError::Invalid(
                "server: time-outs and max_connections must be at least 1, shutdown_grace_secs \
                 1 to 30"
                    .into(),
            ));
        }
        if self.decode.budget_ms == 0 {
            return Err(ConfigError::Invalid(
                "decode.budget_ms must be at least 1".into(),
            ));
        }
        if self.max_dose == 0 {
            return Err(ConfigError::Invalid("max_dose must be at least 1".into()));
        }
        for name in [&self.operator.service_name, &self.operator.service_name_en] {
            if name.trim().is_empty()
                || name.chars().count() > 40
                || name.chars().any(char::is_control)
            {
                return Err(ConfigError::Invalid(
                    "operator.service_name and operator.service_name_en must be 1 to 40 \
                     characters without control characters (every SMS opens with them)"
                        .into(),
                ));
            }
        }
        self.check_outbox()
    }

    /// A message is sent while its lease holds, so a worker never sends one another instance
    /// has re-claimed (issue 18 defect 6).
    fn check_outbox(&self) -> Result<(), ConfigError> {
        let o = &self.outbox;
        if !(2..=3600).contains(&o.lease_secs) {
            return Err(ConfigError::Invalid(
                "outbox.lease_secs must be 2 to 3600".into(),
            ));
        }
        if !(1..=100).contains(&o.batch) || o.max_attempts < 1 {
            return Err(ConfigError::Invalid(
                "outbox.batch must be 1 to 100 and outbox.max_attempts at least 1".into(),
            ));
        }
        let timeout = i64::try_from(self.smtp.timeout_secs).unwrap_or(i64::MAX);
        if timeout < 1 || timeout.saturating_mul(4) > o.lease_secs.saturating_mul(3) {
            return Err(ConfigError::Invalid(format!(
                "smtp.timeout_secs ({timeout}) must be 1 to three quarters of outbox.lease_secs \
                 ({}): a message must be sent while its lease holds",
                o.lease_secs
            )));
        }
        let r = &self.retention;
        if !(1..=365).contains(&r.outbox_days) || !(1..=3650).contains(&r.audit_days) {
            return Err(ConfigError::Invalid(
                "retention.outbox_days must be 1 to 365 and retention.audit_days 1 to 3650".into(),
            ));
        }
        Ok(())
    }

    /// The longest one send may take: three quarters of the lease, so the message is marked
    /// before the lease the worker renewed just before sending it runs out.
    pub fn send_deadline(&self) -> std::time::Duration {
        let lease_ms = u64::try_from(self.outbox.lease_secs).unwrap_or(0) * 1000;
        std::time::Duration::from_millis(lease_ms / 4 * 3)
    }

    /// Production needs real delivery (DESIGN.md "Modes"): the settings missing for it, named
    /// as variable and key; `sms`/`mail` say a transport is given otherwise (tests' overrides).
    /// Empty in development, where the file sinks stand in.
    pub fn missing_for_production(&self, sms: bool, mail: bool) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.mode == Mode::Production {
            if !sms && self.sms.url.is_none() {
                missing.push("DCC_SMS_URL (sms.url)");
            }
            if !mail && self.smtp.host.is_none() {
                missing.push("DCC_SMTP_HOST (smtp.host)");
            }
        }
        missing
    }

    /// Refuses a production configuration without an SMS gateway or SMTP host, naming what is
    /// missing.
    pub fn check_production(&self, sms: bool, mail: bool) -> Result<(), ConfigError> {
        let missing = self.missing_for_production(sms, mail);
        if missing.is_empty() {
            return Ok(());
        }
        Err(ConfigError::Invalid(format!(
            "mode = production needs an SMS gateway and an SMTP host, and has no file sinks: set \
             {} (or run with mode = development)",
            missing.join(" and ")
        )))
    }

    /// The origin links and the `Origin` check use.
    pub fn base_url(&self) -> String {
        match &self.portal.base_url {
            Some(b) => b.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.listen),
        }
    }

    /// The redirect URI registered with the identity provider: exactly this, nothing derived
    /// from the request.
    pub fn oidc_redirect_uri(&self) -> String {
        format!("{}/login/nia/callback", self.base_url())
    }

    /// The directory of the signing keys.
    pub fn keys_dir(&self) -> PathBuf {
        self.keys_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("keys"))
    }

    /// The CSCA file new DSCs must chain to: `issuer.csca_file`, else `KEYS_DIR/csca.pem`.
    pub fn csca_file(&self) -> PathBuf {
        self.issuer
            .csca_file
            .clone()
            .unwrap_or_else(|| self.keys_dir().join("csca.pem"))
    }

    /// The database URL: the configured one, or the SQLite file in the data directory.
    pub fn database_url(&self) -> SecretString {
        match &self.database_url {
            Some(u) => u.clone(),
            None => {
                SecretString::from(format!("sqlite:{}", self.data_dir.join("dcc.db").display()))
            }
        }
    }
}

/// `mode` must be `development` or `production`; anything else is refused by name, before serde
/// would say only "unknown variant".
fn check_mode(value: Option<&toml::Value>) -> Result<(), ConfigError> {
    match value {
        None => Ok(()),
        Some(toml::Value::String(s)) if matches!(s.as_str(), "development" | "production") => {
            Ok(())
        }
        Some(other) => Err(ConfigError::Invalid(format!(
            "mode (DCC_MODE) is {other}: it must be development or production"
        ))),
    }
}

/// `host:port`: a port number after the last colon, a host or IP address before it (IPv6 in
/// brackets). Host names are resolved when the server binds.
pub fn check_listen(listen: &str) -> Result<(), ConfigError> {
    let bad = || {
        ConfigError::Invalid(format!(
            "listen (DCC_LISTEN, --listen) {listen:?} must be host:port, e.g. 127.0.0.1:8080, \
             localhost:8080 or [::1]:8080"
        ))
    };
    let (host, port) = listen.rsplit_once(':').ok_or_else(bad)?;
    port.parse::<u16>().map_err(|_| bad())?;
    let host_ok = if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        v6.parse::<std::net::Ipv6Addr>().is_ok()
    } else {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    };
    if host_ok {
        Ok(())
    } else {
        Err(bad())
    }
}

/// The passphrase in the variable `name` of `env`; the error names the variable, never a value.
fn passphrase(name: &str, env: &HashMap<String, String>) -> Result<SecretString, ConfigError> {
    match env.get(name) {
        Some(v) if !v.is_empty() => Ok(SecretString::from(v.clone())),
        Some(_) => Err(ConfigError::Invalid(format!(
            "issuer.key_passphrase_env: the variable {name} is empty"
        ))),
        None => Err(ConfigError::Invalid(format!(
            "issuer.key_passphrase_env: the variable {name} is not set"
        ))),
    }
}

/// A CORS origin is a scheme and host (and port): never `null` or `*`, no path, no credentials.
fn check_origin(origin: &str) -> Result<(), ConfigError> {
    let bad = |why: &str| ConfigError::Invalid(format!("cors_origins: {origin:?} {why}"));
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(|| bad("must start with https:// or http://"))?;
    if rest.is_empty()
        || !rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
    {
        return Err(bad(
            "must be a scheme and host, with an optional port, and no path",
        ));
    }
    Ok(())
}

/// An issuer URL: `https://` with a host, or `http://` on loopback; no query or fragment.
fn check_issuer(issuer: &str) -> Result<(), ConfigError> {
    let bad = |why: &str| ConfigError::Invalid(format!("oidc.issuer_url: {issuer:?} {why}"));
    let rest = if let Some(r) = issuer.strip_prefix("https://") {
        r
    } else if let Some(r) = issuer.strip_prefix("http://") {
        let loopback = ["127.0.0.1", "localhost", "[::1]"].iter().any(|h| {
            r.strip_prefix(h)
                .is_some_and(|after| after.is_empty() || after.starts_with([':', '/']))
        });
        if !loopback {
            return Err(bad("must use https:// (http:// only on loopback)"));
        }
        r
    } else {
        return Err(bad("must start with https://"));
    };
    if rest.is_empty() || rest.starts_with('/') || rest.contains(['?', '#', '@', ' ']) {
        return Err(bad("must be a host and an optional path"));
    }
    Ok(())
}

fn set(table: &mut toml::Table, path: &[&str], value: toml::Value) {
    match path {
        [] => {}
        [last] => {
            table.insert((*last).to_string(), value);
        }
        [first, rest @ ..] => {
            let entry = table
                .entry((*first).to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if !entry.is_table() {
                *entry = toml::Value::Table(toml::Table::new());
            }
            if let toml::Value::Table(t) = entry {
                set(t, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn defaults_then_file_then_env() {
        let dir = std::env::temp_dir().join(format!("dcc-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("dcc.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\n[smtp]\nhost = \"mail\"\nport = 2525\n",
        )
        .unwrap();
        let none = HashMap::new();
        let c = Config::load(Some(&file), &none).unwrap();
        assert_eq!(c.listen, "127.0.0.1:9000");
        assert_eq!(c.smtp.port, 2525);
        assert_eq!(c.smtp.host.as_deref(), Some("mail"));
        let env: HashMap<String, String> = [
            ("DCC_SMTP_PORT", "587"),
            ("DATABASE_URL", "postgres://x@y/z"),
            ("DCC_OUTBOX_WORKER", "false"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let c = Config::load(Some(&file), &env).unwrap();
        assert_eq!(c.smtp.port, 587);
        assert_eq!(c.database_url().expose_secret(), "postgres://x@y/z");
        assert!(!c.outbox.worker);
        let d = Config::default();
        assert_eq!(d.listen, "127.0.0.1:8080");
        assert_eq!(d.mode, Mode::Development);
        assert!(d
            .database_url()
            .expose_secret()
            .ends_with("dcc-data/dcc.db"));
        assert!(format!("{c:?}").contains("[REDACTED]") || !format!("{c:?}").contains("x@y"));
    }

    #[test]
    fn bad_values_are_named() {
        let env: HashMap<String, String> =
            [("DCC_SMTP_PORT".to_string(), "many".to_string())].into();
        let e = Config::load(Some(Path::new("/nonexistent/dcc.toml")), &HashMap::new());
        assert!(e.is_err());
        let e = Config::load(None, &env).unwrap_err().to_string();
        assert!(e.contains("DCC_SMTP_PORT"), "{e}");
    }

    #[test]
    fn sends_fit_in_the_lease_and_retention_is_bounded() {
        let load = |pairs: &[(&str, &str)]| {
            let env: HashMap<String, String> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            Config::load(None, &env).map_err(|e| e.to_string())
        };
        let d = load(&[]).unwrap();
        assert_eq!((d.retention.outbox_days, d.retention.audit_days), (7, 365));
        assert_eq!(d.send_deadline(), std::time::Duration::from_secs(90));
        let short = load(&[
            ("DCC_OUTBOX_LEASE_SECS", "2"),
            ("DCC_SMTP_TIMEOUT_SECS", "1"),
        ])
        .unwrap();
        assert_eq!(
            short.send_deadline(),
            std::time::Duration::from_millis(1500)
        );
        for (pairs, named) in [
            (
                &[("DCC_OUTBOX_LEASE_SECS", "20")][..],
                "smtp.timeout_secs (20)",
            ),
            (
                &[("DCC_SMTP_TIMEOUT_SECS", "91")][..],
                "smtp.timeout_secs (91)",
            ),
            (
                &[("DCC_SMTP_TIMEOUT_SECS", "0")][..],
                "smtp.timeout_secs (0)",
            ),
            (&[("DCC_OUTBOX_LEASE_SECS", "1")][..], "outbox.lease_secs"),
            (
                &[("DCC_RETENTION_OUTBOX_DAYS", "0")][..],
                "retention.outbox_days",
            ),
            (
                &[("DCC_RETENTION_AUDIT_DAYS", "0")][..],
                "retention.audit_days",
            ),
        ] {
            let e = load(pairs).unwrap_err();
            assert!(e.contains(named), "{pairs:?}: {e}");
        }
        let kept = load(&[
            ("DCC_RETENTION_OUTBOX_DAYS", "1"),
            ("DCC_RETENTION_AUDIT_DAYS", "730"),
        ])
        .unwrap();
        assert_eq!(
            (kept.retention.outbox_days, kept.retention.audit_days),
            (1, 730)
        );
    }

    #[test]
    fn oidc_from_env_and_checked() {
        let env = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let c = Config::load(None, &HashMap::new()).unwrap();
        assert!(!c.oidc.enabled());
        assert_eq!(c.oidc.birth_number_claim, "birth_number");
        let c = Config::load(
            None,
            &env(&[
                ("DCC_OIDC_ISSUER", "https://nia.example.cz/oidc"),
                ("DCC_OIDC_CLIENT_ID", "dcc"),
                ("DCC_OIDC_CLIENT_SECRET", "s3cret"),
                ("DCC_BASE_URL", "https://dcc.example.cz"),
            ]),
        )
        .unwrap();
        assert!(c.oidc.enabled());
        assert_eq!(
            c.oidc.client_secret.as_ref().unwrap().expose_secret(),
            "s3cret"
        );
        assert!(!format!("{c:?}").contains("s3cret"));
        assert_eq!(
            c.oidc_redirect_uri(),
            "https://dcc.example.cz/login/nia/callback"
        );
        for ok in [
            "http://127.0.0.1:8081",
            "http://localhost/x",
            "http://[::1]:9/",
        ] {
            let e = env(&[("DCC_OIDC_ISSUER", ok), ("DCC_OIDC_CLIENT_ID", "dcc")]);
            assert!(Config::load(None, &e).is_ok(), "{ok}");
        }
        for bad in [
            "http://nia.example.cz",
            "http://127.0.0.1.evil.cz",
            "ftp://nia.example.cz",
            "https://",
            "https://nia.example.cz/?x=1",
        ] {
            let e = env(&[("DCC_OIDC_ISSUER", bad), ("DCC_OIDC_CLIENT_ID", "dcc")]);
            let err = Config::load(None, &e).unwrap_err().to_string();
            assert!(err.contains("oidc.issuer_url"), "{bad}: {err}");
        }
        let e = env(&[("DCC_OIDC_ISSUER", "https://nia.example.cz")]);
        let err = Config::load(None, &e).unwrap_err().to_string();
        assert!(err.contains("client_id"), "{err}");
    }

    #[test]
    fn cors_origins_from_env_and_checked() {
        let env = |v: &str| -> HashMap<String, String> {
            [("DCC_CORS_ORIGINS".to_string(), v.to_string())].into()
        };
        let c = Config::load(None, &env("https://app.example.cz, http://localhost:3000")).unwrap();
        assert_eq!(
            c.cors_origins,
            ["https://app.example.cz", "http://localhost:3000"]
        );
        for bad in ["null", "*", "https://a.cz/path", "ftp://a.cz", "https://"] {
            let e = Config::load(None, &env(bad)).unwrap_err().to_string();
            assert!(e.contains("cors_origins"), "{bad}: {e}");
        }
        assert_eq!(Config::default().verify_per_minute, 600);
    }

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn mode_is_development_or_production() {
        let c = Config::load(None, &env(&[("DCC_MODE", "production")])).unwrap();
        assert_eq!(c.mode, Mode::Production);
        for bogus in ["bogus", "Production", "dev", ""] {
            let e = Config::load(None, &env(&[("DCC_MODE", bogus)]))
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("DCC_MODE") && e.contains("development or production"),
                "{bogus}: {e}"
            );
        }
    }

    #[test]
    fn production_names_the_missing_delivery_settings() {
        let dev = Config::load(None, &HashMap::new()).unwrap();
        assert!(dev.check_production(false, false).is_ok());
        let prod = Config::load(None, &env(&[("DCC_MODE", "production")])).unwrap();
        let e = prod.check_production(false, false).unwrap_err().to_string();
        assert!(
            e.contains("DCC_SMS_URL") && e.contains("DCC_SMTP_HOST"),
            "{e}"
        );
        let e = prod.check_production(false, true).unwrap_err().to_string();
        assert!(
            e.contains("DCC_SMS_URL") && !e.contains("DCC_SMTP_HOST"),
            "{e}"
        );
        let full = Config::load(
            None,
            &env(&[
                ("DCC_MODE", "production"),
                ("DCC_SMS_URL", "https://sms.example.cz/send"),
                ("DCC_SMTP_HOST", "mail.example.cz"),
            ]),
        )
        .unwrap();
        assert!(full.check_production(false, false).is_ok());
    }

    #[test]
    fn listen_takes_host_names() {
        for ok in [
            "localhost:8080",
            "127.0.0.1:0",
            "[::1]:8080",
            "dcc.example.cz:443",
        ] {
            let c = Config::load(None, &env(&[("DCC_LISTEN", ok)])).unwrap();
            assert_eq!(c.listen, ok);
            assert_eq!(c.base_url(), format!("http://{ok}"));
        }
        for bad in [
            "localhost",
            ":8080",
            "localhost:http",
            "[::1:8080",
            "a b:80",
            "host:99999",
        ] {
            let e = Config::load(None, &env(&[("DCC_LISTEN", bad)]))
                .unwrap_err()
                .to_string();
            assert!(e.contains("host:port"), "{bad}: {e}");
        }
    }
}
