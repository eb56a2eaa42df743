//! Certificate input forms (PEM, DER, bare base64 of DER, auto-detected) and the base64
//! flavours of the trust-list formats: standard with padding out, either padding in.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

use crate::error::{Error, Result};

const LENIENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
/// Standard alphabet, padding optional on input.
const STANDARD_IN: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
/// URL-safe alphabet, padding optional on input.
const URL_SAFE_IN: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// Standard base64 with padding, as the gateway writes kids and rawData.
pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// base64url without padding, as JWS (RFC 7515 §2) writes every part.
pub(crate) fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes standard or URL-safe base64 (told apart by `-`/`_`), padded or not, with ASCII
/// whitespace (line breaks of wrapped text) ignored.
pub(crate) fn b64_decode_lenient(text: &[u8]) -> Result<Vec<u8>, base64::DecodeError> {
    let compact: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if compact.iter().any(|b| *b == b'-' || *b == b'_') {
        URL_SAFE_IN.decode(&compact)
    } else {
        STANDARD_IN.decode(&compact)
    }
}

/// Decodes one base64url JWS part; padding tolerated.
pub(crate) fn b64url_decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    URL_SAFE_IN.decode(text)
}

/// The DER of every certificate in `bytes`: a DER certificate (starts with a SEQUENCE), PEM
/// with one or more `CERTIFICATE` blocks (other blocks ignored), or bare base64 of DER.
pub(crate) fn certificate_ders(bytes: &[u8]) -> Result<Vec<Vec<u8>>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes); // UTF-8 BOM
    if bytes.first() == Some(&0x30) {
        return Ok(vec![bytes.to_vec()]);
    }
    let text = bytes.trim_ascii();
    if text.is_empty() {
        return Err(Error::NotCertificate("the input is empty".into()));
    }
    if contains(text, b"-----BEGIN") {
        let blocks =
            pem::parse_many(text).map_err(|e| Error::NotCertificate(format!("PEM: {e}")))?;
        let (certs, others): (Vec<_>, Vec<_>) = blocks
            .into_iter()
            .partition(|p| matches!(p.tag(), "CERTIFICATE" | "X509 CERTIFICATE"));
        if certs.is_empty() {
            let found: Vec<&str> = others.iter().map(|p| p.tag()).collect();
            return Err(Error::NotCertificate(if found.is_empty() {
                "PEM without a complete BEGIN/END block".into()
            } else {
                format!(
                    "PEM holds no CERTIFICATE block (found {})",
                    found.join(", ")
                )
            }));
        }
        return Ok(certs.into_iter().map(pem::Pem::into_contents).collect());
    }
    let der = b64_decode_lenient(text)
        .map_err(|e| Error::NotCertificate(format!("neither PEM, DER nor base64 of DER ({e})")))?;
    if der.first() != Some(&0x30) {
        return Err(Error::NotCertificate(
            "base64 decodes to something other than DER".into(),
        ));
    }
    Ok(vec![der])
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Lowercase hex (thumbprints).
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A short, printable rendering of text taken from outside, for error messages.
pub(crate) fn quote(text: &str) -> String {
    const MAX: usize = 48;
    let mut out: String = text
        .chars()
        .take(MAX)
        .flat_map(char::escape_debug)
        .collect();
    if text.chars().count() > MAX {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_in_either_flavour() {
        assert_eq!(b64_decode_lenient(b"q4O1tk8zvqk=").unwrap().len(), 8);
        assert_eq!(b64_decode_lenient(b"q4O1tk8zvqk").unwrap().len(), 8);
        assert_eq!(b64_decode_lenient(b"q4O1\n tk8zvqk=").unwrap().len(), 8);
        assert_eq!(
            b64_decode_lenient(b"-_8").unwrap(),
            b64_decode_lenient(b"+/8=").unwrap()
        );
        assert!(b64_decode_lenient(b"q4O1!k8zvqk=").is_err());
    }

    #[test]
    fn rejects_non_certificates_with_reasons() {
        for (input, want) in [
            (&b""[..], "empty"),
            (b"  \n", "empty"),
            (b"hello world!", "base64"),
            (b"AAAA", "other than DER"),
            (
                b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                "found PRIVATE KEY",
            ),
            (b"-----BEGIN CERTIFICATE-----\nMII", "BEGIN/END"),
        ] {
            let e = certificate_ders(input).unwrap_err().to_string();
            assert!(e.contains(want), "{input:?}: {e}");
        }
    }

    #[test]
    fn quote_shortens_and_escapes() {
        assert_eq!(quote("a\nb"), "a\\nb");
        assert_eq!(quote(&"x".repeat(60)).chars().count(), 49);
    }
}
