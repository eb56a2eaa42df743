//! HTTP(S) downloads for `dcc trust-list fetch`: a time-out, a size cap, and errors that name
//! the URL and what went wrong.

use std::io::Read as _;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};

/// How long a download may take in all.
const TIMEOUT: Duration = Duration::from_secs(30);

/// GETs `url` and returns the body of a 200 answer, refusing more than `max_bytes`.
pub fn get(url: &str, max_bytes: usize) -> Result<Vec<u8>> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        bail!("{url}: only http:// and https:// URLs can be fetched");
    }
    let client = reqwest::blocking::Client::builder()
        .timeout(TIMEOUT)
        .user_agent(concat!("dcc/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("cannot set up the HTTP client")?;
    let resp = client
        .get(url)
        .send()
        .with_context(|| format!("cannot download {url}"))?;
    let status = resp.status();
    if !status.is_success() {
        bail!("{url} answered {status}");
    }
    if resp.content_length().is_some_and(|n| n > max_bytes as u64) {
        bail!("{url}: the answer is larger than {max_bytes} bytes");
    }
    let mut body = Vec::new();
    resp.take(max_bytes as u64 + 1)
        .read_to_end(&mut body)
        .with_context(|| format!("{url}: the download broke off"))?;
    if body.len() > max_bytes {
        bail!("{url}: the answer is larger than {max_bytes} bytes");
    }
    Ok(body)
}
