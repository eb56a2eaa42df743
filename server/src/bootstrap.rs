//! First start: the data directory, development keys (as `dcc keys generate` writes them) and
//! the installation secret are created when missing; keys readable by group or others are
//! refused (SECURITY.md 41).

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use hcert::crypto::{Algorithm, Backend, Signer};
use issuer::keys::{self, KeyOptions};
use issuer::SigningIdentity;
use time::OffsetDateTime;

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

/// Generates a development CSCA, DSC (ES256, unrestricted) and trust-list signer into `dir`.
pub fn generate_keys(dir: &Path, country: &str, now: OffsetDateTime) -> Result<(), BootstrapError> {
    let generated = keys::generate(&KeyOptions {
        alg: Algorithm::Es256,
        rsa_bits: 3072,
        types: Vec::new(),
        country: country.to_string(),
        now,
        dsc_days: 730,
    })
    .map_err(|e| BootstrapError::Keys {
        dir: dir.display().to_string(),
        message: e.to_string(),
    })?;
    write_file(
        &dir.join("csca.pem"),
        generated.csca.cert_pem.as_bytes(),
        0o644,
    )?;
    write_file(
        &dir.join("csca.key"),
        generated.csca.key_pem.as_bytes(),
        0o600,
    )?;
    write_file(
        &dir.join("dsc.pem"),
        generated.dsc.cert_pem.as_bytes(),
        0o644,
    )?;
    write_file(
        &dir.join("dsc.key"),
        generated.dsc.key_pem.as_bytes(),
        0o600,
    )?;
    write_file(
        &dir.join("trust-list.pem"),
        generated.trust_list.cert_pem.as_bytes(),
        0o644,
    )?;
    write_file(
        &dir.join("trust-list.key"),
        generated.trust_list.key_pem.as_bytes(),
        0o600,
    )
}

/// Reads a private key, refusing one that group or others may read.
fn read_key(path: &Path) -> Result<Vec<u8>, BootstrapError> {
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

/// Loads (generating on first start) the keys in `dir`. Returns whether they were generated.
pub fn load_keys(
    dir: &Path,
    country: &str,
    now: OffsetDateTime,
    backend: &dyn Backend,
) -> Result<(LoadedKeys, bool), BootstrapError> {
    let generated = !dir.join("dsc.key").exists();
    if generated {
        generate_keys(dir, country, now)?;
    }
    let keys_err = |message: String| BootstrapError::Keys {
        dir: dir.display().to_string(),
        message,
    };
    let dsc_pem_path = dir.join("dsc.pem");
    let dsc_pem = fs::read(&dsc_pem_path).map_err(io(&dsc_pem_path))?;
    let identity = SigningIdentity::load(&read_key(&dir.join("dsc.key"))?, &dsc_pem, backend)
        .map_err(|e| keys_err(e.to_string()))?;
    if identity.algorithm() == Algorithm::EdDsa {
        return Err(keys_err(
            "the DSC is EdDSA, which EU verifiers reject; the server signs with ES256 or PS256"
                .into(),
        ));
    }
    let tl_key = issuer::sign::pkcs8_der(&read_key(&dir.join("trust-list.key"))?)
        .map_err(|e| keys_err(e.to_string()))?;
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
