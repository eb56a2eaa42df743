//! A directory of certificate files, handed over as (name, bytes) since the library takes no
//! paths: each file PEM (one or more `CERTIFICATE` blocks), DER or base64 of DER.

use crate::dsc::Dsc;
use crate::encoding;
use crate::error::Result;
use crate::Loaded;

/// Reads every certificate of every file; the first bad file fails, named ("file dsc.pem:
/// not a certificate: PEM holds no CERTIFICATE block (found PRIVATE KEY)"). The caller picks
/// the files (e.g. `*.pem`), so a key or CSCA beside the DSCs is its decision, not ours.
pub fn from_pem_files(files: &[(String, Vec<u8>)]) -> Result<Vec<Dsc>> {
    let mut dscs = Vec::new();
    for (name, bytes) in files {
        dscs.extend(
            read_file(name, bytes)
                .into_iter()
                .collect::<Result<Vec<_>>>()?,
        );
    }
    Ok(dscs)
}

/// Reads every file, keeping the good certificates and one named error per bad file or
/// certificate.
pub fn from_pem_files_lenient(files: &[(String, Vec<u8>)]) -> Loaded {
    let mut loaded = Loaded::default();
    for (name, bytes) in files {
        for result in read_file(name, bytes) {
            match result {
                Ok(dsc) => loaded.dscs.push(dsc),
                Err(e) => loaded.errors.push(e),
            }
        }
    }
    loaded
}

/// One result per certificate of the file (or one error for the whole file), each error
/// naming the file and, in a bundle of several, the certificate's position from 0.
fn read_file(name: &str, bytes: &[u8]) -> Vec<Result<Dsc>> {
    let at = format!("file {}", name.escape_debug());
    match encoding::certificate_ders(bytes) {
        Err(e) => vec![Err(e.at(at))],
        Ok(ders) if ders.len() == 1 => ders
            .iter()
            .map(|der| Dsc::from_der(der).map_err(|e| e.at(at.clone())))
            .collect(),
        Ok(ders) => ders
            .iter()
            .enumerate()
            .map(|(i, der)| Dsc::from_der(der).map_err(|e| e.at(format!("{at}, certificate {i}"))))
            .collect(),
    }
}
