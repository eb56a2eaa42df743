//! The server's configuration: one typed struct, built once. Defaults ← `dcc.toml` (or
//! `--config FILE`) ← `DCC_*` variables and `DATABASE_URL`. The loader takes the environment as
//! a map, so tests never touch the process environment.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::Deserialize;

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
    /// SMTP host; without one, mail is written to `DATA_DIR/mail/*.eml` instead (development).
    pub host: Option<String>,
    /// Port.
    pub port: u16,
    /// Transport security.
    pub tls: SmtpTls,
    /// Sender address.
    pub from: String,
    /// Login user.
    pub username: Option<String>,
    /// Login password.
    pub password: Option<SecretString>,
    /// Per-connection timeout in seconds.
    pub timeout_secs: u64,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: None,
            port: 25,
            tls: SmtpTls::None,
            from: "dcc <noreply@dcc.invalid>".into(),
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
    /// HTTP endpoint taking `{"to", "text"}` as JSON; without one, SMS are logged (no text).
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

/// Everything `dcc serve` reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Listen address.
    pub listen: SocketAddr,
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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
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
    (
        "DCC_OUTBOX_LEASE_SECS",
        &["outbox", "lease_secs"],
        Kind::Int,
    ),
];

impl Config {
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
        let config: Config = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid(e.message().to_string()))?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), ConfigError> {
        if self.country.len() != 2 || !self.country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ConfigError::Invalid(format!(
                "country {:?} is not a two-letter upper-case code",
                self.country
            )));
        }
        if !(1..=90).contains(&self.token_days) {
            return Err(ConfigError::Invalid("token_days must be 1 to 90".into()));
        }
        for origin in &self.cors_origins {
            check_origin(origin)?;
        }
        if self.max_dose == 0 {
            return Err(ConfigError::Invalid("max_dose must be at least 1".into()));
        }
        Ok(())
    }

    /// The directory of the signing keys.
    pub fn keys_dir(&self) -> PathBuf {
        self.keys_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("keys"))
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
        assert_eq!(c.listen.port(), 9000);
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
        assert_eq!(d.listen.to_string(), "127.0.0.1:8080");
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
}
