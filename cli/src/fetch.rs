//! HTTP(S) downloads for `dcc trust-list fetch`: a time-out, a size cap, and errors that name
//! the URL and what went wrong.

use std::io::Read as _;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use reqwest::blocking::Client;
use reqwest::header::HeaderMap;

/// How long a download may take in all.
const TIMEOUT: Duration = Duration::from_secs(30);

/// An answer: its status, headers and body.
pub struct Answer {
    /// The status code.
    pub status: reqwest::StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, at most the size asked for.
    pub body: Vec<u8>,
}

/// One HTTP client for the downloads of a command.
pub struct Http(Client);

impl Http {
    /// The client: time-out, user agent.
    pub fn new() -> Result<Http> {
        Client::builder()
            .timeout(TIMEOUT)
            .user_agent(concat!("dcc/", env!("CARGO_PKG_VERSION")))
            .build()
            .map(Http)
            .context("cannot set up the HTTP client")
    }

    /// GETs `url` with `headers`; a 2xx answer is read (at most `max_bytes`), any other is an
    /// error naming the status.
    pub fn get(&self, url: &str, headers: &[(&str, String)], max_bytes: usize) -> Result<Answer> {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            bail!("{url}: only http:// and https:// URLs can be fetched");
        }
        let mut request = self.0.get(url);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let resp = request
            .send()
            .with_context(|| format!("cannot download {url}"))?;
        let status = resp.status();
        if !status.is_success() {
            bail!("{url} answered {status}");
        }
        if resp.content_length().is_some_and(|n| n > max_bytes as u64) {
            bail!("{url}: the answer is larger than {max_bytes} bytes");
        }
        let headers = resp.headers().clone();
        let mut body = Vec::new();
        resp.take(max_bytes as u64 + 1)
            .read_to_end(&mut body)
            .with_context(|| format!("{url}: the download broke off"))?;
        if body.len() > max_bytes {
            bail!("{url}: the answer is larger than {max_bytes} bytes");
        }
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

/// GETs `url` and returns the body of a 2xx answer, refusing more than `max_bytes`.
pub fn get(url: &str, max_bytes: usize) -> Result<Vec<u8>> {
    Ok(Http::new()?.get(url, &[], max_bytes)?.body)
}
