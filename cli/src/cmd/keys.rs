//! `dcc keys generate`: a development CSCA, DSC and trust-list signer in a directory.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use hcert::crypto::Algorithm;
use hcert::CertType;
use issuer::keys::{self, KeyOptions};

use crate::{clock, files, Outcome};

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
    /// Directory for csca.pem, dsc.pem, dsc.key, trust-list.pem, trust-list.key.
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
    /// Replace keys already in the directory.
    #[arg(long)]
    force: bool,
}

pub fn run(a: GenerateArgs) -> Result<Outcome> {
    let mut types = Vec::new();
    for t in &a.types {
        match CertType::from_key(t.trim()) {
            Some(t) => types.push(t),
            None => bail!("--types: {t:?} is not v, t or r"),
        }
    }
    generate(
        &a.out,
        a.alg.into(),
        &types,
        a.rsa_bits,
        &a.country,
        a.days,
        a.force,
    )?;
    println!("wrote {}", a.out.display());
    Ok(Outcome::Ok)
}

/// Generates keys into `dir` (used by `demo` too).
pub fn generate(
    dir: &Path,
    alg: Algorithm,
    types: &[CertType],
    rsa_bits: usize,
    country: &str,
    days: i64,
    force: bool,
) -> Result<()> {
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        bail!("--country {country:?} is not a two-letter upper-case code");
    }
    if !force && dir.join("dsc.key").exists() {
        bail!(
            "{} already holds keys; give --force to replace them",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir)?;
    let generated = keys::generate(&KeyOptions {
        alg,
        rsa_bits,
        types: types.to_vec(),
        country: country.to_string(),
        now: clock::now(),
        dsc_days: days,
    })?;
    files::write(&dir.join("csca.pem"), generated.csca.cert_pem.as_bytes())?;
    files::write_secret(&dir.join("csca.key"), generated.csca.key_pem.as_bytes())?;
    files::write(&dir.join("dsc.pem"), generated.dsc.cert_pem.as_bytes())?;
    files::write_secret(&dir.join("dsc.key"), generated.dsc.key_pem.as_bytes())?;
    files::write(
        &dir.join("trust-list.pem"),
        generated.trust_list.cert_pem.as_bytes(),
    )?;
    files::write_secret(
        &dir.join("trust-list.key"),
        generated.trust_list.key_pem.as_bytes(),
    )?;
    Ok(())
}
