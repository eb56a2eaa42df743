//! How the CLI checks dcc's signed trust list: `--trust-list-cert` (the signer pinned) or
//! `--trust-list-ca` (any list signer one of the CAs issued: renewable with overlap), or not at
//! all, with a warning.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use trust_list::{ListSigner, TrustListCa};

use crate::files;

/// What the options asked for, read from their files.
pub enum ListTrust {
    /// Neither option: the list is parsed and its signature is not checked.
    Unchecked,
    /// `--trust-list-cert FILE`: the certificate, and the file for messages.
    Pinned {
        /// The certificate as read (PEM, DER or base64).
        cert: Vec<u8>,
        /// The option's file.
        file: PathBuf,
    },
    /// `--trust-list-ca FILE...`: every CA of the files (each may be a PEM bundle).
    Cas {
        /// The CAs.
        cas: Vec<TrustListCa>,
        /// The option's files.
        files: Vec<PathBuf>,
    },
}

impl ListTrust {
    /// Reads the files of `--trust-list-cert` or `--trust-list-ca` (clap keeps them apart); a
    /// file that cannot be read, or a `--trust-list-ca` that is no CA, is an error naming it.
    pub fn load(cert: Option<PathBuf>, ca_files: Vec<PathBuf>) -> Result<ListTrust> {
        if let Some(file) = cert {
            return Ok(ListTrust::Pinned {
                cert: files::read(&file)?,
                file,
            });
        }
        if ca_files.is_empty() {
            return Ok(ListTrust::Unchecked);
        }
        let mut cas = Vec::new();
        for f in &ca_files {
            cas.extend(
                TrustListCa::parse_all(&files::read(f)?)
                    .with_context(|| format!("--trust-list-ca {}", f.display()))?,
            );
        }
        Ok(ListTrust::Cas {
            cas,
            files: ca_files,
        })
    }

    /// The signer the library checks, the CAs' verification time being `at` (Unix seconds).
    pub fn signer(&self, at: i64) -> ListSigner<'_> {
        match self {
            ListTrust::Unchecked => ListSigner::Unchecked,
            ListTrust::Pinned { cert, .. } => ListSigner::Pinned(cert),
            ListTrust::Cas { cas, .. } => ListSigner::IssuedBy { cas, at },
        }
    }

    /// What the list was checked against, for messages: "DIR/trust-list.pem",
    /// "--trust-list-ca a.pem, b.pem".
    pub fn describe(&self) -> String {
        match self {
            ListTrust::Unchecked => "nothing".into(),
            ListTrust::Pinned { file, .. } => file.display().to_string(),
            ListTrust::Cas { files, .. } => {
                let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
                format!("--trust-list-ca {}", names.join(", "))
            }
        }
    }
}
