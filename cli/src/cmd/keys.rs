//! `dcc keys generate`: a development CSCA, DSC, trust-list CA and trust-list signer in a
//! directory; the private keys plain (development) or encrypted under a passphrase from the
//! environment.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use hcert::crypto::Algorithm;
use hcert::CertType;
use issuer::key_file;
use issuer::keys::{self, KeyOptions, EU_USAGE_DAYS};
use secrecy::SecretString;

use crate::{clock, files, passphrase, Outcome};

#[derive(Clone, Copy, ValueEnum)]
pub enum AlgArg {
    Es256,
    Ps256,
    Eddsa,
}

impl From<AlgArg> for Algorithm {
    fn from(a: AlgArg) -> Self {
        match a {
            AlgArg::Es256 => Algorithm::Es256,
            AlgArg::Ps256 => Algorithm::Ps256,
            AlgArg::Eddsa => Algorithm::EdDsa,
        }
    }
}

#[derive(Args)]
pub struct GenerateArgs {
    /// Directory for csca.pem, dsc.pem, dsc.key, trust-list.pem, trust-list.key,
    /// trust-list-ca.pem, trust-list-ca.key.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// DSC algorithm.
    #[arg(long, value_enum, default_value = "es256")]
    alg: AlgArg,
    /// Restrict the DSC to these types (comma-separated v,t,r); default: unrestricted.
    #[arg(long, value_delimiter = ',')]
    types: Vec<String>,
    /// RSA modulus size for ps256.
    #[arg(long, default_value_t = 3072)]
    rsa_bits: usize,
    /// Country code in the certificates.
    #[arg(long, default_value = "CZ")]
    country: String,
    /// DSC validity in days.
    #[arg(long, default_value_t = 730)]
    days: i64,
    /// Days the DSC's key may sign from its notBefore (its PrivateKeyUsagePeriod; at most
    /// --days). The default, about six months, is the EU practice; `dcc issue` refuses to sign
    /// outside it.
    #[arg(long, value_name = "DAYS", default_value_t = EU_USAGE_DAYS)]
    usage_days: i64,
    /// Encrypt the private keys (csca.key, dsc.key, trust-list.key, trust-list-ca.key) as
    /// PKCS#8 (PBES2: scrypt, AES-256-CBC) with the passphrase in this environment variable.
    /// Without it the keys are written unencrypted, for development.
    #[arg(long, value_name = "NAME")]
    key_passphrase_env: Option<String>,
    /// Replace keys already in the directory.
    #[arg(long)]
    force: bool,
}

/// What [`generate`] makes.
pub struct Spec<'a> {
    /// DSC algorithm.
    pub alg: Algorithm,
    /// Types the DSC may sign; empty: unrestricted.
    pub types: &'a [CertType],
    /// RSA modulus size for PS256.
    pub rsa_bits: usize,
    /// Country code in the subjects.
    pub country: &'a str,
    /// DSC validity in days.
    pub days: i64,
    /// Days the DSC's key may sign.
    pub usage_days: i64,
    /// Encrypts the private keys when given.
    pub passphrase: Option<&'a SecretString>,
    /// Replace keys already there.
    pub force: bool,
}

pub fn run(a: GenerateArgs) -> Result<Outcome> {
    let mut types = Vec::new();
    for t in &a.types {
        match CertType::from_key(t.trim()) {
            Some(t) => types.push(t),
            None => bail!("--types: {t:?} is not v, t or r"),
        }
    }
    if !(1..=a.days).contains(&a.usage_days) {
        bail!(
            "--usage-days {} must be from 1 to --days ({})",
            a.usage_days,
            a.days
        );
    }
    let passphrase = passphrase::optional(a.key_passphrase_env.as_deref())?;
    generate(
        &a.out,
        &Spec {
            alg: a.alg.into(),
            types: &types,
            rsa_bits: a.rsa_bits,
            country: &a.country,
            days: a.days,
            usage_days: a.usage_days,
            passphrase: passphrase.as_ref(),
            force: a.force,
        },
    )?;
    println!("wrote {}", a.out.display());
    Ok(Outcome::Ok)
}

/// Generates keys into `dir` (used by `demo` too).
pub fn generate(dir: &Path, spec: &Spec<'_>) -> Result<()> {
    let country = spec.country;
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        bail!("--country {country:?} is not a two-letter upper-case code");
    }
    if !spec.force && dir.join("dsc.key").exists() {
        bail!(
            "{} already holds keys; give --force to replace them",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir)?;
    let generated = keys::generate(&KeyOptions {
        alg: spec.alg,
        rsa_bits: spec.rsa_bits,
        types: spec.types.to_vec(),
        country: country.to_string(),
        now: clock::now(),
        dsc_days: spec.days,
        usage_days: spec.usage_days,
    })?;
    let key = |pem: &str| -> Result<String> {
        Ok(match spec.passphrase {
            Some(p) => key_file::encrypt_pem(pem.as_bytes(), p)?,
            None => pem.to_string(),
        })
    };
    files::write(&dir.join("csca.pem"), generated.csca.cert_pem.as_bytes())?;
    files::write_secret(
        &dir.join("csca.key"),
        key(&generated.csca.key_pem)?.as_bytes(),
    )?;
    files::write(&dir.join("dsc.pem"), generated.dsc.cert_pem.as_bytes())?;
    files::write_secret(
        &dir.join("dsc.key"),
        key(&generated.dsc.key_pem)?.as_bytes(),
    )?;
    files::write(
        &dir.join("trust-list.pem"),
        generated.trust_list.cert_pem.as_bytes(),
    )?;
    files::write_secret(
        &dir.join("trust-list.key"),
        key(&generated.trust_list.key_pem)?.as_bytes(),
    )?;
    files::write(
        &dir.join("trust-list-ca.pem"),
        generated.trust_list_ca.cert_pem.as_bytes(),
    )?;
    files::write_secret(
        &dir.join("trust-list-ca.key"),
        key(&generated.trust_list_ca.key_pem)?.as_bytes(),
    )?;
    Ok(())
}
