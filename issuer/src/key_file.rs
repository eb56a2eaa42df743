//! Private key files: PKCS#8 as PEM or DER, plain or encrypted with a passphrase (SECURITY.md
//! 41). Writes PBES2 with scrypt and AES-256-CBC; reads whatever PBES2 the `pkcs8` crate reads
//! (scrypt or PBKDF2-HMAC-SHA256/SHA1 with AES-128/256-CBC, as `openssl pkcs8 -topk8 -v2` writes).
//! The passphrase is an argument: this crate reads no environment.

use pkcs8::der::Decode as _;
use pkcs8::pkcs5::{pbes2, scrypt};
use pkcs8::{EncryptedPrivateKeyInfo, LineEnding, PrivateKeyInfo};
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret as _, SecretString};

use crate::{Error, Result};

/// The PEM label of a plain PKCS#8 key (RFC 7468 §10).
const LABEL_PLAIN: &str = "PRIVATE KEY";
/// The PEM label of an encrypted PKCS#8 key (RFC 7468 §11).
const LABEL_ENCRYPTED: &str = "ENCRYPTED PRIVATE KEY";

/// scrypt cost written into new files: N = 2^14, r = 8, p = 1 (16 MiB, about a tenth of a
/// second per unlock), what `openssl pkcs8 -scrypt` writes. 2^15 needs 32 MiB, which OpenSSL's
/// default memory limit refuses ("memory limit exceeded"), so `openssl pkey` could not open it.
const SCRYPT_LOG_N: u8 = 14;

/// A PKCS#8 `PrivateKeyInfo` in DER, wiped from memory when dropped.
pub type KeyDer = Zeroizing<Vec<u8>>;

/// A key file's contents, told apart by PEM label or by which structure the DER parses as.
enum Form {
    Plain(KeyDer),
    Encrypted(Vec<u8>),
}

fn read_form(bytes: &[u8]) -> Result<Form> {
    let text = std::str::from_utf8(bytes).ok();
    if let Some(t) = text.filter(|t| t.contains("-----BEGIN")) {
        // The pem crate's errors describe the framing, never the contents.
        let block = pem::parse(t).map_err(|e| Error::Key(format!("not a PEM key: {e}")))?;
        return match block.tag() {
            LABEL_PLAIN => Ok(Form::Plain(Zeroizing::new(block.into_contents()))),
            LABEL_ENCRYPTED => Ok(Form::Encrypted(block.into_contents())),
            other => Err(Error::Key(format!(
                "the PEM block is {other:?}; a PKCS#8 private key is needed"
            ))),
        };
    }
    if bytes.first() == Some(&0x30) {
        if EncryptedPrivateKeyInfo::from_der(bytes).is_ok() {
            return Ok(Form::Encrypted(bytes.to_vec()));
        }
        // Anything else in DER is handed on as a plain key; the crypto backend judges it.
        return Ok(Form::Plain(Zeroizing::new(bytes.to_vec())));
    }
    Err(Error::Key("the key is neither PEM nor DER".into()))
}

/// Whether `bytes` hold an encrypted PKCS#8 key (so a caller can ask for the passphrase).
pub fn is_encrypted(bytes: &[u8]) -> bool {
    matches!(read_form(bytes), Ok(Form::Encrypted(_)))
}

/// The PKCS#8 DER of a key file. A plain key is returned as it is (a passphrase, if given, is
/// not needed); an encrypted one needs `passphrase` and fails with [`Error::KeyEncrypted`]
/// without it and [`Error::KeyDecrypt`] with a wrong one.
pub fn decode(bytes: &[u8], passphrase: Option<&SecretString>) -> Result<KeyDer> {
    let encrypted = match read_form(bytes)? {
        Form::Plain(der) => return Ok(der),
        Form::Encrypted(der) => der,
    };
    let passphrase = passphrase.ok_or(Error::KeyEncrypted)?;
    let info = EncryptedPrivateKeyInfo::from_der(&encrypted).map_err(|_| Error::KeyDecrypt)?;
    let plain = info
        .decrypt(passphrase.expose_secret().as_bytes())
        .map_err(|_| Error::KeyDecrypt)?;
    // A wrong key passes the CBC padding check about once in 256 tries; the structure does not.
    PrivateKeyInfo::from_der(plain.as_bytes()).map_err(|_| Error::KeyDecrypt)?;
    Ok(Zeroizing::new(plain.as_bytes().to_vec()))
}

/// Encrypts a plain PKCS#8 key (PEM or DER) under `passphrase`: an `ENCRYPTED PRIVATE KEY` PEM,
/// PBES2 with scrypt (fresh 16-byte salt) and AES-256-CBC (fresh IV).
pub fn encrypt_pem(key: &[u8], passphrase: &SecretString) -> Result<String> {
    if passphrase.expose_secret().is_empty() {
        return Err(Error::Key("the passphrase is empty".into()));
    }
    let der = match read_form(key)? {
        Form::Plain(der) => der,
        Form::Encrypted(_) => return Err(Error::Key("the key is encrypted already".into())),
    };
    let info = PrivateKeyInfo::from_der(&der)
        .map_err(|e| Error::Key(format!("not a PKCS#8 private key: {e}")))?;
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 16];
    getrandom::getrandom(&mut salt)
        .and_then(|()| getrandom::getrandom(&mut iv))
        .map_err(|e| Error::Key(format!("random generator: {e}")))?;
    let cost = scrypt::Params::new(SCRYPT_LOG_N, 8, 1, 32)
        .map_err(|e| Error::Key(format!("scrypt parameters: {e}")))?;
    let params = pbes2::Parameters::scrypt_aes256cbc(cost, &salt, &iv)
        .map_err(|e| Error::Key(format!("PBES2 parameters: {e}")))?;
    let encrypted = info
        .encrypt_with_params(params, passphrase.expose_secret().as_bytes())
        .map_err(|e| Error::Key(format!("cannot encrypt the key: {e}")))?;
    let pem = encrypted
        .to_pem(LABEL_ENCRYPTED, LineEnding::LF)
        .map_err(|e| Error::Key(format!("cannot encode the encrypted key: {e}")))?;
    Ok(pem.to_string())
}
