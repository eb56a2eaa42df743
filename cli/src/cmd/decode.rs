//! `dcc decode`: the payload without trust: headers, claims and the DCC as JSON.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Args;
use serde_json::json;

use crate::{files, Outcome};

#[derive(Args)]
pub struct DecodeArgs {
    /// Read the certificate from a QR image.
    #[arg(long = "qr-image", value_name = "FILE", conflicts_with = "input")]
    qr_image: Option<PathBuf>,
    /// The HC1 text, or - for standard input.
    #[arg(required_unless_present = "qr_image")]
    input: Option<String>,
}

pub fn run(a: DecodeArgs) -> Result<Outcome> {
    use base64::Engine as _;
    let text = match (&a.qr_image, &a.input) {
        (Some(img), _) => verifier::qr::decode(&files::read(img)?)?,
        (None, Some(i)) => super::input_text(i)?,
        (None, None) => anyhow::bail!("give the HC1 text, - for standard input, or --qr-image"),
    };
    let cose = hcert::hc1::unwrap(&text).context("not an HC1 certificate")?;
    let sign1 = hcert::cose::Sign1::parse(&cose)?;
    let cwt = hcert::cwt::decode(sign1.payload())?;
    let out = json!({
        "alg": sign1.alg_id.as_ref().map(ToString::to_string),
        "kid": sign1.kid.as_ref().map(|k| base64::engine::general_purpose::STANDARD.encode(k)),
        "kid_protected": sign1.kid_is_protected(),
        "issuer": cwt.issuer,
        "issued_at": cwt.issued_at.value().map(numeric_date),
        "expires_at": cwt.expires_at.value().map(numeric_date),
        "dcc": hcert::cwt::to_json(&cwt.dcc),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(Outcome::Ok)
}

/// A CWT NumericDate as JSON: whole seconds as an integer (`1622505600`, not `1622505600.0`), as
/// nearly every issuer writes them; a fractional one (RFC 8392 allows it) stays a float.
fn numeric_date(seconds: f64) -> serde_json::Value {
    const LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53: every integer below is exact in f64
    if seconds.fract() == 0.0 && seconds.abs() < LIMIT {
        // In range and whole: the conversion is exact.
        #[allow(clippy::cast_possible_truncation)]
        serde_json::Value::from(seconds as i64)
    } else {
        serde_json::Value::from(seconds)
    }
}
