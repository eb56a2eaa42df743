//! SMS behind a small trait: an HTTP gateway (JSON `{"to", "text"}`, bearer token) and the
//! development sink that writes each message to a file in `DATA_DIR/sms/` (DESIGN.md "Modes");
//! the log says that a message went out and where, never its text or the whole number.

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};

use crate::clock::Clock;
use crate::sink::FileSink;

/// Why an SMS could not be sent.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SmsError(pub String);

/// Sends text messages. The text may hold a one-time code: it is a secret.
#[async_trait]
pub trait Sms: Send + Sync {
    /// Sends `text` to `to` (E.164).
    async fn send(&self, to: &str, text: &SecretString) -> Result<(), SmsError>;
}

/// Development, without an SMS gateway: each message is one file in `DATA_DIR/sms/`
/// (`20261207T112233.123456Z-0001-sms-420.txt`), holding the recipient and the text, so a
/// developer can read the code; the name carries the country code only (SECURITY.md 15).
#[derive(Debug)]
pub struct FileSms {
    sink: Arc<FileSink>,
}

impl FileSms {
    /// Writes into `dir`, naming files by `clock`'s time.
    pub fn new(dir: PathBuf, clock: Arc<dyn Clock>) -> Self {
        FileSms {
            sink: Arc::new(FileSink::new(dir, "txt", clock)),
        }
    }
}

/// The country code of an E.164 number (ITU-T E.164 assignments: `1` and `7` have one digit,
/// the two-digit codes are listed, every other code has three digits).
fn country_code(digits: &str) -> Option<&str> {
    const TWO: &[&str] = &[
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
        "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
        "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    ];
    let len = match digits.get(..1)? {
        "1" | "7" => 1,
        _ if TWO.contains(&digits.get(..2)?) => 2,
        _ => 3,
    };
    digits.get(..len)
}

/// `+420601123456` → `+420 ***`: the country code and nothing else of the number
/// (SECURITY.md 15), which still tells a log reader where a message went.
pub fn mask_phone(to: &str) -> String {
    match to
        .strip_prefix('+')
        .filter(|d| d.len() > 3 && d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(country_code)
    {
        Some(cc) => format!("+{cc} ***"),
        None => "***".to_string(),
    }
}

/// The file's name ends in `sms-<country code>`, or `sms` for a number that is not E.164.
fn file_tag(to: &str) -> String {
    let masked = mask_phone(to);
    match masked
        .strip_prefix('+')
        .and_then(|m| m.strip_suffix(" ***"))
    {
        Some(cc) => format!("sms-{cc}"),
        None => "sms".to_string(),
    }
}

#[async_trait]
impl Sms for FileSms {
    async fn send(&self, to: &str, text: &SecretString) -> Result<(), SmsError> {
        let content = format!("To: {to}\n\n{}\n", text.expose_secret());
        let sink = self.sink.clone();
        let tag = file_tag(to);
        let path = tokio::task::spawn_blocking(move || sink.write(&tag, content.as_bytes()))
            .await
            .map_err(|e| SmsError(format!("SMS file task: {e}")))?
            .map_err(|e| SmsError(format!("{}: {e}", self.sink.dir().display())))?;
        tracing::info!(
            to = %mask_phone(to),
            file = %path.display(),
            "SMS written to a file (development: no SMS gateway configured)"
        );
        Ok(())
    }
}

/// An HTTP gateway: `POST url` with `{"to": …, "text": …}` and an optional bearer token, over
/// `https://` (or `http://` to a relay on the local network); the answer must be 2xx.
pub struct HttpSms {
    url: String,
    host: String,
    token: Option<SecretString>,
    client: reqwest::Client,
}

impl std::fmt::Debug for HttpSms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSms")
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

/// How long one SMS request may take.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

impl HttpSms {
    /// A gateway at `url` (`https://host[:port]/path` or `http://…`).
    pub fn new(url: &str, token: Option<SecretString>) -> Result<Self, SmsError> {
        let parsed = reqwest::Url::parse(url).map_err(|e| SmsError(format!("sms.url: {e}")))?;
        let host = parsed
            .host_str()
            .filter(|_| matches!(parsed.scheme(), "https" | "http"))
            .ok_or_else(|| {
                SmsError("sms.url must be https://host[:port]/path (or http://)".into())
            })?
            .to_string();
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| SmsError(format!("SMS client: {e}")))?;
        Ok(HttpSms {
            url: url.to_string(),
            host,
            token,
            client,
        })
    }
}

#[async_trait]
impl Sms for HttpSms {
    async fn send(&self, to: &str, text: &SecretString) -> Result<(), SmsError> {
        let body = serde_json::json!({"to": to, "text": text.expose_secret()}).to_string();
        let mut req = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t.expose_secret());
        }
        // The error's text names the gateway, never the number or the message.
        let resp = req
            .send()
            .await
            .map_err(|e| SmsError(format!("SMS gateway {}: {}", self.host, e.without_url())))?;
        let status = resp.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(SmsError(format!("SMS gateway answered {status}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file holds the recipient and the text; its name the country code only.
    #[tokio::test]
    async fn file_sms_writes_one_file_per_message() {
        let tmp = tempfile::tempdir().unwrap();
        let clock = Arc::new(crate::clock::FixedClock::new(
            time::macros::datetime!(2026-12-07 11:22:33.123456 UTC),
        ));
        let sms = FileSms::new(tmp.path().join("sms"), clock);
        for text in ["dcc: kód 123456", "dcc: kód 654321"] {
            sms.send("+420601987654", &SecretString::from(text))
                .await
                .unwrap();
        }
        let mut files: Vec<_> = std::fs::read_dir(tmp.path().join("sms"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let names: Vec<String> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "20261207T112233.123456Z-0001-sms-420.txt",
                "20261207T112233.123456Z-0002-sms-420.txt"
            ]
        );
        assert_eq!(
            std::fs::read_to_string(&files[1]).unwrap(),
            "To: +420601987654\n\ndcc: kód 654321\n"
        );
        assert_eq!(file_tag("601987654"), "sms");
    }

    #[test]
    fn masks_keep_the_country_code_only() {
        for (number, masked) in [
            ("+420601123456", "+420 ***"),
            ("+421901123456", "+421 ***"),
            ("+12025550123", "+1 ***"),
            ("+74951234567", "+7 ***"),
            ("+4915112345678", "+49 ***"),
            ("+353861234567", "+353 ***"),
            ("601123456", "***"),
            ("+42", "***"),
            ("+420 601 123 456", "***"),
        ] {
            assert_eq!(mask_phone(number), masked, "{number}");
        }
    }
}
