//! Passphrases of encrypted private keys (SECURITY.md 41): read from the environment variable
//! that `--key-passphrase-env NAME` names, never from the command line, which `ps` shows.

use std::path::Path;

use anyhow::{anyhow, bail, Result};
use hcert::crypto::Backend;
use issuer::key_file::{self, KeyDer};
use issuer::SigningIdentity;
use secrecy::SecretString;

use crate::files;

/// The passphrase in the variable `name`: an unset, empty or non-UTF-8 variable is an error
/// naming it (never its value).
pub fn from_env(name: &str) -> Result<SecretString> {
    match std::env::var(name) {
        Ok(v) if v.is_empty() => bail!("--key-passphrase-env: the variable {name} is empty"),
        Ok(v) => Ok(SecretString::from(v)),
        Err(std::env::VarError::NotPresent) => {
            bail!("--key-passphrase-env: the variable {name} is not set")
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            bail!("--key-passphrase-env: the variable {name} is not UTF-8")
        }
    }
}

/// The passphrase when `--key-passphrase-env` was given.
pub fn optional(name: Option<&str>) -> Result<Option<SecretString>> {
    name.map(from_env).transpose()
}

/// The issuer's key errors with the file and the option named.
fn key_error(path: &Path, e: issuer::Error) -> anyhow::Error {
    match e {
        issuer::Error::KeyEncrypted => anyhow!(
            "{}: the key is encrypted; name the environment variable that holds its passphrase \
             with --key-passphrase-env NAME",
            path.display()
        ),
        issuer::Error::KeyDecrypt => anyhow!(
            "{}: cannot decrypt the signing key: wrong passphrase or damaged file",
            path.display()
        ),
        other => anyhow!("{}: {other}", path.display()),
    }
}

/// Reads a private key file, decrypting it when it is encrypted.
pub fn read_key(path: &Path, passphrase: Option<&SecretString>) -> Result<KeyDer> {
    key_file::decode(&files::read(path)?, passphrase).map_err(|e| key_error(path, e))
}

/// Loads a DSC key (plain or encrypted) with its certificate.
pub fn load_identity(
    key: &Path,
    cert: &Path,
    passphrase: Option<&SecretString>,
    backend: &dyn Backend,
) -> Result<SigningIdentity> {
    let key_bytes = files::read(key)?;
    let cert_bytes = files::read(cert)?;
    SigningIdentity::load_with_passphrase(&key_bytes, &cert_bytes, passphrase, backend).map_err(
        |e| match e {
            issuer::Error::KeyEncrypted | issuer::Error::KeyDecrypt => key_error(key, e),
            other => anyhow!("{} with {}: {other}", key.display(), cert.display()),
        },
    )
}
