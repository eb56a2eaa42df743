//! A DGCA verifier service's signer certificates, as `dcc trust-list fetch --csca` reads them:
//! `GET /signercertificateUpdate` page by page (`X-RESUME-TOKEN` until a 204), then
//! `GET /signercertificateStatus`, whose kids are the certificates still valid. The pages are
//! unsigned: what they hold is checked here, and each DSC against a CSCA by the caller.

use anyhow::{bail, Context as _, Result};
use reqwest::StatusCode;
use trust_list::Dsc;

use crate::fetch::Http;

/// The largest page (one base64 certificate) and status list accepted.
const MAX_PAGE_BYTES: usize = 64 * 1024;
const MAX_STATUS_BYTES: usize = 16 * 1024 * 1024;
/// More pages than any trust list holds: a server that never answers 204 is cut off.
const MAX_PAGES: usize = 100_000;

/// One page as it came: the resume token, the `X-KID` header and the body.
pub struct Page {
    /// `X-RESUME-TOKEN`.
    pub token: i64,
    /// `X-KID`.
    pub kid: String,
    /// Base64 of the certificate's DER.
    pub body: Vec<u8>,
}

/// The service's base URL from what was given: a trailing `/` or the path of the update
/// endpoint itself is dropped.
pub fn base_url(url: &str) -> &str {
    let url = url.trim_end_matches('/');
    url.strip_suffix("/signercertificateUpdate")
        .or_else(|| url.strip_suffix("/signercertificateStatus"))
        .unwrap_or(url)
}

fn header<'a>(answer: &'a crate::fetch::Answer, name: &str, url: &str) -> Result<&'a str> {
    answer
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .with_context(|| format!("{url}: the answer has no {name} header"))
}

/// Every page from the first to the 204. Transport errors and a broken protocol (no resume
/// token, one that does not advance, endless pages) are errors.
pub fn download(http: &Http, base: &str) -> Result<Vec<Page>> {
    let url = format!("{base}/signercertificateUpdate");
    let mut pages: Vec<Page> = Vec::new();
    loop {
        if pages.len() >= MAX_PAGES {
            bail!("{url}: more than {MAX_PAGES} certificates; stopped");
        }
        let headers: Vec<(&str, String)> = match pages.last() {
            Some(last) => vec![("X-RESUME-TOKEN", last.token.to_string())],
            None => Vec::new(),
        };
        let answer = http.get(&url, &headers, MAX_PAGE_BYTES)?;
        if answer.status == StatusCode::NO_CONTENT {
            return Ok(pages);
        }
        let token = header(&answer, "X-RESUME-TOKEN", &url)?;
        let token: i64 = token
            .trim()
            .parse()
            .with_context(|| format!("{url}: X-RESUME-TOKEN {token:?} is not an integer"))?;
        if pages.last().is_some_and(|last| token <= last.token) {
            bail!("{url}: the resume token did not advance ({token}); stopped");
        }
        let kid = header(&answer, "X-KID", &url)?.trim().to_string();
        pages.push(Page {
            token,
            kid,
            body: answer.body,
        });
    }
}

/// The kids the service lists as valid.
pub fn status(http: &Http, base: &str) -> Result<Vec<String>> {
    let url = format!("{base}/signercertificateStatus");
    let body = http.get(&url, &[], MAX_STATUS_BYTES)?.body;
    serde_json::from_slice(&body).with_context(|| format!("{url}: not a JSON array of kids"))
}

/// The certificates of the pages whose kids `valid` lists. A page that is not a certificate,
/// or whose `X-KID` is not its certificate's kid, fails the whole list (the text names it).
pub fn certificates(pages: &[Page], valid: &[String]) -> Result<Vec<Dsc>, String> {
    let mut dscs = Vec::new();
    for page in pages {
        let dsc = trust_list::parse_certificate(&page.body).map_err(|e| {
            format!(
                "the certificate after resume token {} (X-KID {}): {e}",
                page.token, page.kid
            )
        })?;
        if dsc.kid_base64() != page.kid {
            return Err(format!(
                "X-KID {} is not the kid of the certificate sent with it ({})",
                page.kid,
                dsc.kid_base64()
            ));
        }
        if valid.contains(&page.kid) {
            dscs.push(dsc);
        }
    }
    Ok(dscs)
}
