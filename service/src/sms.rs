//! SMS behind a small trait: an HTTP gateway (JSON `{"to", "text"}`, bearer token) and a
//! development implementation that logs that a message went out, never its text or number.

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};

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

/// Development: logs that a message was sent (to the number's country code only), never the
/// text.
#[derive(Debug, Default)]
pub struct LogSms;

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

#[async_trait]
impl Sms for LogSms {
    async fn send(&self, to: &str, _text: &SecretString) -> Result<(), SmsError> {
        tracing::info!(to = %mask_phone(to), "SMS sent (development gateway: not delivered)");
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
            assert_eq!(super::mask_phone(number), masked, "{number}");
        }
    }
}
