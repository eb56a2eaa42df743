//! dcc's own signed trust list (DESIGN.md "Decisions"): a compact JWS, ES256, the signing
//! certificate in `x5c`, payload `{"issued_at": RFC 3339, "certificates": [gateway entries]}`.
//!
//! The JWS is written by hand (base64url of header and payload, ES256 over `header.payload`)
//! rather than with a JOSE crate: the one shape we need is thirty lines, signing goes through
//! `hcert::crypto::Signer` like every other signature in dcc, and a general JOSE library would
//! bring its own crypto and a wider set of accepted algorithms to restrict again.

use hcert::crypto::{Algorithm, Backend, PublicKeyInfo, Signer};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::dsc::{parse_certificate, Dsc};
use crate::encoding::{self, quote};
use crate::entry::{self, EntryOut};
use crate::error::{Error, Result};
use crate::list_signer::{check_list_signer, ListSigner};
use crate::rfc3339;
use crate::trust_list::TrustList;

/// What a signed trust list said, and whether its signature was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTrustList {
    /// `issued_at`, Unix seconds.
    pub issued_at: i64,
    /// The signer certificates it lists (`DSC` entries).
    pub dscs: Vec<Dsc>,
    /// The certificate in the header's `x5c`.
    pub signing_cert: Dsc,
    /// True when the signature was verified against a pinned certificate or with a signer a
    /// given trust-list CA issued; false when the list was only parsed (nothing given), so
    /// nothing vouches for its contents.
    pub signature_checked: bool,
}

impl SignedTrustList {
    /// A trust list of the listed signers, keys parsed by `backend`, carrying `issued_at`.
    pub fn into_trust_list(self, backend: &dyn Backend) -> TrustList {
        let mut list = TrustList::from_dscs(self.dscs, backend);
        list.issued_at = Some(self.issued_at);
        list
    }
}

#[derive(Serialize)]
struct Header<'a> {
    alg: &'static str,
    x5c: [&'a str; 1],
}

#[derive(Serialize)]
struct Payload {
    issued_at: String,
    certificates: Vec<EntryOut>,
}

/// Builds the signed list of `dscs`, issued at `issued_at_unix`. `signer` must be ES256 and hold
/// the key of `signing_cert_der` (a P-256 certificate; PEM and base64 are accepted too), whose
/// DER goes into `x5c`. The pairing of key and certificate is not checked here (no backend);
/// `verify_signed` with the certificate pinned does that.
pub fn build_signed(
    dscs: &[Dsc],
    signer: &dyn Signer,
    signing_cert_der: &[u8],
    issued_at_unix: i64,
) -> Result<String> {
    let payload = Payload {
        issued_at: rfc3339::format(issued_at_unix)?,
        certificates: dscs.iter().map(|d| EntryOut::new(d, false)).collect(),
    };
    sign_jws(&to_json(&payload)?, signer, signing_cert_der)
}

/// Signs a JSON payload as dcc signs its published lists: a compact JWS, ES256, with the
/// signing certificate (P-256) in `x5c`. The trust list and the revocation list both use it.
pub fn sign_jws(payload: &[u8], signer: &dyn Signer, signing_cert_der: &[u8]) -> Result<String> {
    if signer.algorithm() != Algorithm::Es256 {
        return Err(Error::signing_algorithm(signer.algorithm()));
    }
    let cert = parse_certificate(signing_cert_der).map_err(|e| e.at("list signing certificate"))?;
    require_p256(&cert)?;
    let x5c = encoding::b64(&cert.der);
    let header = Header {
        alg: "ES256",
        x5c: [&x5c],
    };
    let signing_input = format!(
        "{}.{}",
        encoding::b64url(&to_json(&header)?),
        encoding::b64url(payload)
    );
    let signature = signer.sign(signing_input.as_bytes())?;
    if signature.len() != 64 {
        return Err(Error::SigningAlgorithm(format!(
            "a {}-byte signature where ES256 needs 64 (raw r‖s)",
            signature.len()
        )));
    }
    Ok(format!("{signing_input}.{}", encoding::b64url(&signature)))
}

/// Reads a signed list. With `pinned_signing_cert` (PEM, DER or base64) the `x5c` certificate
/// must be that certificate byte for byte, the ES256 signature must verify with its key, and
/// `issued_at` must fall within its validity. Without it the list is only parsed and
/// `signature_checked` is false. Every listed entry must be sound; the first bad one is named.
/// [`verify_signed_by`] also takes trust-list CAs.
pub fn verify_signed(
    jws: &str,
    pinned_signing_cert: Option<&[u8]>,
    backend: &dyn Backend,
) -> Result<SignedTrustList> {
    verify_signed_by(jws, pinned_signing_cert.into(), backend)
}

/// Reads a signed list whose signer must be `signer`: pinned (as [`verify_signed`]), issued by
/// a trust-list CA (see [`ListSigner::IssuedBy`]: the signer renewable with overlap), or not
/// checked at all. Every listed entry must be sound; the first bad one is named.
pub fn verify_signed_by(
    jws: &str,
    signer: ListSigner<'_>,
    backend: &dyn Backend,
) -> Result<SignedTrustList> {
    let OpenedList {
        payload,
        issued_at,
        signing_cert,
        signature_checked,
    } = open_signed_list_by(jws, signer, backend, "signed trust list")?;
    let entries = match payload.get("certificates") {
        Some(Value::Array(entries)) => entries,
        Some(other) => {
            return Err(Error::field(
                "certificates",
                format!("is {}, not an array", entry::kind(other)),
            )
            .at("signed trust list payload"))
        }
        None => {
            return Err(Error::field("certificates", "is missing").at("signed trust list payload"))
        }
    };
    let mut dscs = Vec::with_capacity(entries.len());
    for (i, value) in entries.iter().enumerate() {
        let parsed = entry::parse(value)
            .map_err(|e| e.at(entry::label("signed trust list entry", i, value)))?;
        dscs.extend(parsed);
    }
    Ok(SignedTrustList {
        issued_at,
        dscs,
        signing_cert,
        signature_checked,
    })
}

/// A signed list opened by [`open_signed_list`].
#[derive(Debug, Clone)]
pub struct OpenedList {
    /// The payload object.
    pub payload: Map<String, Value>,
    /// Its `issued_at`, Unix seconds.
    pub issued_at: i64,
    /// The certificate in the header's `x5c`.
    pub signing_cert: Dsc,
    /// True when the signature was verified (pinned certificate or trust-list CA).
    pub signature_checked: bool,
}

/// Opens a list signed by [`sign_jws`] whose payload carries `issued_at` (RFC 3339): checks
/// the JWS shape and header (ES256, no `crit`, an `x5c` certificate), and, when a certificate
/// is pinned, that it is the `x5c` one, that its signature verifies, and that the list was
/// issued within its validity. `what` names the list in errors. [`open_signed_list_by`] also
/// takes trust-list CAs.
pub fn open_signed_list(
    jws: &str,
    pinned_signing_cert: Option<&[u8]>,
    backend: &dyn Backend,
    what: &str,
) -> Result<OpenedList> {
    open_signed_list_by(jws, pinned_signing_cert.into(), backend, what)
}

/// [`open_signed_list`] with the signer `signer`: pinned, issued by one of the given trust-list
/// CAs (no DCC extended key usage, CA and signer valid at the verification time), or not
/// checked. With a signer given, the signature must verify with the `x5c` certificate's key and
/// the list must have been issued within that certificate's validity.
pub fn open_signed_list_by(
    jws: &str,
    signer: ListSigner<'_>,
    backend: &dyn Backend,
    what: &str,
) -> Result<OpenedList> {
    let jws = jws.trim();
    let parts: Vec<&str> = jws.split('.').collect();
    let [header_b64, payload_b64, signature_b64] = parts.as_slice() else {
        return Err(Error::Jws(format!(
            "expected a compact JWS (three base64url parts separated by dots), found {} part{}",
            parts.len(),
            if parts.len() == 1 { "" } else { "s" }
        )));
    };
    let header = json_object(header_b64, "header")?;
    match header.get("alg").and_then(Value::as_str) {
        Some("ES256") => {}
        Some(other) => return Err(Error::Jws(format!("alg {} is not ES256", quote(other)))),
        None => return Err(Error::Jws("header has no alg".into())),
    }
    if header.contains_key("crit") {
        // RFC 7515 §4.1.11: a recipient must reject extensions it does not understand.
        return Err(Error::Jws("header lists critical extensions (crit)".into()));
    }
    let signing_cert = x5c_certificate(&header)?;
    let signature = encoding::b64url_decode(signature_b64)
        .map_err(|e| Error::Jws(format!("signature is not base64url ({e})")))?;

    let signature_checked = match signer {
        ListSigner::Unchecked => false,
        ListSigner::Pinned(pinned) => {
            let pinned =
                parse_certificate(pinned).map_err(|e| e.at("pinned trust-list certificate"))?;
            if pinned.der != signing_cert.der {
                return Err(Error::SignerNotPinned {
                    found: signing_cert.subject.clone(),
                    pinned: pinned.subject,
                });
            }
            true
        }
        ListSigner::IssuedBy { cas, at } => {
            check_list_signer(&signing_cert, cas, at)?;
            true
        }
    };
    if signature_checked {
        require_p256(&signing_cert)?;
        let key = backend.verify_key(&signing_cert.public_key)?;
        let signing_input = format!("{header_b64}.{payload_b64}");
        key.verify(Algorithm::Es256, signing_input.as_bytes(), &signature)
            .map_err(Error::BadSignature)?;
    }

    let payload = json_object(payload_b64, "payload")?;
    let issued_at = match payload.get("issued_at") {
        Some(Value::String(s)) => rfc3339::parse(s).map_err(|e| Error::field("issued_at", e)),
        Some(other) => Err(Error::field(
            "issued_at",
            format!("is {}, not an RFC 3339 string", entry::kind(other)),
        )),
        None => Err(Error::field("issued_at", "is missing")),
    }
    .map_err(|e| e.at(format!("{what} payload")))?;
    if signature_checked && !signing_cert.is_valid_at(issued_at) {
        return Err(Error::Jws(format!(
            "issued at {}, outside the validity of its signing certificate ({} to {})",
            rfc3339::show(issued_at),
            rfc3339::show(signing_cert.not_before),
            rfc3339::show(signing_cert.not_after)
        )));
    }
    Ok(OpenedList {
        payload,
        issued_at,
        signing_cert,
        signature_checked,
    })
}

/// Decodes one base64url part into a JSON object; `what` names the part in errors.
fn json_object(part: &str, what: &str) -> Result<Map<String, Value>> {
    let bytes = encoding::b64url_decode(part)
        .map_err(|e| Error::Jws(format!("{what} is not base64url ({e})")))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(obj)) => Ok(obj),
        Ok(other) => Err(Error::Jws(format!(
            "{what} is {}, not a JSON object",
            entry::kind(&other)
        ))),
        Err(e) => Err(Error::Jws(format!("{what} is not JSON ({e})"))),
    }
}

/// The first `x5c` certificate (RFC 7515 §4.1.6: standard base64 of DER; the one whose key
/// signed).
fn x5c_certificate(header: &Map<String, Value>) -> Result<Dsc> {
    let first = match header.get("x5c") {
        Some(Value::Array(chain)) => chain.first(),
        Some(_) => return Err(Error::Jws("x5c is not an array".into())),
        None => return Err(Error::Jws("header has no x5c certificate".into())),
    };
    let b64 = first
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Jws("x5c does not start with a base64 certificate".into()))?;
    let der = encoding::b64_decode_lenient(b64.as_bytes())
        .map_err(|e| Error::Jws(format!("x5c certificate is not base64 ({e})")))?;
    Dsc::from_der(&der).map_err(|e| e.at("signed trust list x5c certificate"))
}

/// JWS ES256 is ECDSA on P-256 (RFC 7518 §3.4); a P-384 key would need ES384.
fn require_p256(cert: &Dsc) -> Result<()> {
    match cert.public_key {
        PublicKeyInfo::P256(_) => Ok(()),
        ref other => Err(Error::SigningAlgorithm(format!(
            "a certificate with a {} key",
            other.describe()
        ))),
    }
}

fn to_json(value: &impl Serialize) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| Error::Json(e.to_string()))
}
