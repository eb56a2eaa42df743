//! First start: the data directory, development keys (as `dcc keys generate` writes them) and
//! the installation secret are created when missing; keys readable by group or others are
//! refused, encrypted keys are opened with the configured passphrase, and an EdDSA DSC is refused
//! unless allowed (SECURITY.md 41).

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use hcert::crypto::{Algorithm, Backend, Signer};
use issuer::key_file;
use issuer::keys::{self, KeyOptions};
use issuer::SigningIdentity;
use secrecy::SecretString;
use time::OffsetDateTime;

use crate::config::IssuerConfig;
use crate::secrets::{self, Secrets};

/// Why the server could not prepare its files.
#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The outbox key cannot be derived from the installation secret.
    #[error("cannot derive the outbox key: {0}")]
    OutboxKey(#[source] crate::seal::SealError),
    /// A key file may be read by others.
    #[error("{0} is readable by group or others; chmod 600 it")]
    KeyMode(String),
    /// The keys cannot be used.
    #[error("keys in {dir}: {message}")]
    Keys {
        /// The directory.
        dir: String,
        /// Why.
        message: String,
    },
    /// A key file is encrypted and no passphrase is configured.
    #[error(
        "{0} is encrypted: set issuer.key_passphrase_env (or DCC_KEY_PASSPHRASE_ENV) to the name \
         of the environment variable that holds its passphrase"
    )]
    KeyEncrypted(String),
    /// The configured passphrase does not open a key file.
    #[error("{0}: cannot decrypt the signing key: wrong passphrase or damaged file")]
    KeyDecrypt(String),
    /// The DSC is EdDSA and `issuer.allow_eddsa` is not set.
    #[error(
        "{0} is an EdDSA key, which EU verifiers reject; the server signs with ES256 or PS256 \
         (set issuer.allow_eddsa = true to sign with EdDSA anyway)"
    )]
    EddsaNotAllowed(String),
    /// The OS random generator failed.
    #[error("random generator: {0}")]
    Random(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BootstrapError + '_ {
    move |source| BootstrapError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes a file with `mode`, atomically (temporary file, then rename).
pub fn write_file(path: &Path, bytes: &[u8], mode: u32) -> Result<(), BootstrapError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io(dir))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp: PathBuf = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&tmp)
        .map_err(io(&tmp))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(io(&tmp))?;
    fs::rename(&tmp, path).map_err(io(path))
}

/// Days the development DSC is valid, and may sign: its PrivateKeyUsagePeriod covers the whole
/// validity, so a development server keeps issuing for two years rather than the EU's six
/// months; `dcc serve` warns as the end nears (replace the keys directory to start over).
pub const DEV_DSC_DAYS: i64 = 730;

/// Generates a development CSCA, DSC (ES256, unrestricted), trust-list CA and trust-list signer
/// into `dir`, the private keys unencrypted.
pub fn generate_keys(dir: &Path, country: &str, now: OffsetDateTime) -> Result<(), BootstrapError> {
    generate_keys_with(dir, country, now, None)
}

/// [`generate_keys`], the private keys encrypted under `passphrase` when given.
pub fn generate_keys_with(
    dir: &Path,
    country: &str,
    now: OffsetDateTime,
    passphrase: Option<&SecretString>,
) -> Result<(), BootstrapError> {
    let keys_err = |e: issuer::Error| BootstrapError::Keys {
        dir: dir.display().to_string(),
        message: e.to_string(),
    };
    let generated = keys::generate(&KeyOptions {
        alg: Algorithm::Es256,
        rsa_bits: 3072,
        types: Vec::new(),
        country: country.to_string(),
        now,
        dsc_days: DEV_DSC_DAYS,
        usage_days: DEV_DSC_DAYS,
    })
    .map_err(keys_err)?;
    let key = |pem: &str| -> Result<String, BootstrapError> {
        match passphrase {
            Some(p) => key_file::encrypt_pem(pem.as_bytes(), p).map_err(keys_err),
            None => Ok(pem.to_string()),
        }
    };
    write_file(
        &dir.join("csca.pem"),
        generated.csca.cert_pem.as_bytes(),
        0o644,
    )?;
    write_file(
        &dir.join("csca.key"),
        key(&generated.csca.key_pem)?.as_bytes(),
        0o600,
    )?;
    write_file(
        &dir.join("dsc.pem"),
        generated.dsc.cert_pem.as_bytes(),
        0o644,
    )?;
    write_file(
        &dir.join("dsc.key"),
        key(&generated.dsc.key_pem)?.as_bytes(),
        0o600,
    )?;
    write_file(
        &dir.join("trust-list.pem"),
        generated.trust_list.cert_pem.as_bytes(),
        0o644,
    )?;
    write_file(
        &dir.join("trust-list.key"),
        key(&generated.trust_list.key_pem)?.as_bytes(),
        0o600,
    )?;
    // The CA that issued trust-list.pem, for readers' `--trust-list-ca` and for renewing the
    // signer; the server itself never reads it, so key directories without it load as before.
    write_file(
        &dir.join("trust-list-ca.pem"),
        generated.trust_list_ca.cert_pem.as_bytes(),
        0o644,
    )?;
    write_file(
        &dir.join("trust-list-ca.key"),
        key(&generated.trust_list_ca.key_pem)?.as_bytes(),
        0o600,
    )
}

/// Reads a private key, refusing one that group or others may read.
pub fn read_key(path: &Path) -> Result<Vec<u8>, BootstrapError> {
    let meta = fs::metadata(path).map_err(io(path))?;
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(BootstrapError::KeyMode(path.display().to_string()));
    }
    fs::read(path).map_err(io(path))
}

/// The installation's key material, loaded.
pub struct LoadedKeys {
    /// The DSC and its key.
    pub identity: SigningIdentity,
    /// Signs the trust list (ES256).
    pub trust_list_signer: Box<dyn Signer>,
    /// The trust-list signing certificate, DER.
    pub trust_list_cert_der: Vec<u8>,
}

impl std::fmt::Debug for LoadedKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedKeys")
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

/// The issuer's key errors with the file named, and the configuration key for a passphrase.
fn key_file_err(path: &Path, e: issuer::Error) -> BootstrapError {
    let file = path.display().to_string();
    match e {
        issuer::Error::KeyEncrypted => BootstrapError::KeyEncrypted(file),
        issuer::Error::KeyDecrypt => BootstrapError::KeyDecrypt(file),
        other => BootstrapError::Keys {
            dir: path.parent().unwrap_or(path).display().to_string(),
            message: format!(
                "{}: {other}",
                path.file_name().unwrap_or_default().to_string_lossy()
            ),
        },
    }
}

/// Loads (generating on first start) the keys in `dir`, decrypting them with
/// `issuer.key_passphrase` where they are encrypted. Returns whether they were generated.
pub fn load_keys(
    dir: &Path,
    country: &str,
    now: OffsetDateTime,
    issuer: &IssuerConfig,
    backend: &dyn Backend,
) -> Result<(LoadedKeys, bool), BootstrapError> {
    let passphrase = issuer.key_passphrase.as_ref();
    let generated = !dir.join("dsc.key").exists();
    if generated {
        generate_keys_with(dir, country, now, passphrase)?;
    }
    let keys_err = |message: String| BootstrapError::Keys {
        dir: dir.display().to_string(),
        message,
    };
    let dsc_pem_path = dir.join("dsc.pem");
    let dsc_pem = fs::read(&dsc_pem_path).map_err(io(&dsc_pem_path))?;
    let dsc_key_path = dir.join("dsc.key");
    let identity = SigningIdentity::load_with_passphrase(
        &read_key(&dsc_key_path)?,
        &dsc_pem,
        passphrase,
        backend,
    )
    .map_err(|e| key_file_err(&dsc_key_path, e))?;
    if identity.algorithm() == Algorithm::EdDsa && !issuer.allow_eddsa {
        return Err(BootstrapError::EddsaNotAllowed(
            dsc_key_path.display().to_string(),
        ));
    }
    let tl_key_path = dir.join("trust-list.key");
    let tl_key = key_file::decode(&read_key(&tl_key_path)?, passphrase)
        .map_err(|e| key_file_err(&tl_key_path, e))?;
    let trust_list_signer = backend
        .signer(Algorithm::Es256, &tl_key)
        .map_err(|e| keys_err(format!("trust-list.key: {e}")))?;
    let tl_pem_path = dir.join("trust-list.pem");
    let tl_pem = fs::read(&tl_pem_path).map_err(io(&tl_pem_path))?;
    let tl_cert = trust_list::parse_certificate(&tl_pem)
        .map_err(|e| keys_err(format!("trust-list.pem: {e}")))?;
    Ok((
        LoadedKeys {
            identity,
            trust_list_signer,
            trust_list_cert_der: tl_cert.der,
        },
        generated,
    ))
}

/// Loads (creating on first start, mode 0600) the installation secret `DATA_DIR/secret`.
/// The key outbox messages are sealed with at rest (SECURITY.md 46), from the installation
/// secret.
pub fn outbox_key(secrets: &Secrets) -> Result<crate::seal::SealingKey, BootstrapError> {
    secrets
        .sealing_key(crate::store::OUTBOX_KEY_LABEL)
        .map_err(BootstrapError::OutboxKey)
}

pub fn load_secret(data_dir: &Path) -> Result<Secrets, BootstrapError> {
    let path = data_dir.join("secret");
    if !path.exists() {
        let bytes = secrets::random::<32>().map_err(|e| BootstrapError::Random(e.to_string()))?;
        write_file(&path, hex::encode(bytes).as_bytes(), 0o600)?;
    }
    let text = read_key(&path)?;
    let bytes =
        hex::decode(String::from_utf8_lossy(&text).trim()).map_err(|_| BootstrapError::Keys {
            dir: data_dir.display().to_string(),
            message: "secret is not 64 hex characters".into(),
        })?;
    let root: [u8; 32] = bytes.try_into().map_err(|_| BootstrapError::Keys {
        dir: data_dir.display().to_string(),
        message: "secret is not 32 bytes".into(),
    })?;
    Ok(Secrets::new(root))
}
