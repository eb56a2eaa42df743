//! SMS behind a small trait: an HTTP gateway (JSON `{"to", "text"}`, bearer token) and a
//! development implementation that logs that a message went out, never its text or number.

use async_trait::async_trait;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
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

/// Development: logs that a message was sent (to a masked number), never the text.
#[derive(Debug, Default)]
pub struct LogSms;

/// `+420123456789` → `+42*******89`: enough to tell messages apart in a log.
pub fn mask_phone(to: &str) -> String {
    to.chars()
        .enumerate()
        .map(|(i, c)| if i < 3 || i + 2 >= to.len() { c } else { '*' })
        .collect()
}

#[async_trait]
impl Sms for LogSms {
    async fn send(&self, to: &str, _text: &SecretString) -> Result<(), SmsError> {
        tracing::info!(to = %mask_phone(to), "SMS sent (development gateway: not delivered)");
        Ok(())
    }
}

/// An HTTP gateway: `POST url` with `{"to": …, "text": …}` and an optional bearer token.
/// Plain `http://` (a relay on the local network); the answer must be 2xx.
pub struct HttpSms {
    url: hyper::Uri,
    token: Option<SecretString>,
}

impl std::fmt::Debug for HttpSms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSms")
            .field("host", &self.url.host())
            .finish_non_exhaustive()
    }
}

impl HttpSms {
    /// A gateway at `url` (`http://host[:port]/path`).
    pub fn new(url: &str, token: Option<SecretString>) -> Result<Self, SmsError> {
        let url: hyper::Uri = url.parse().map_err(|e| SmsError(format!("sms.url: {e}")))?;
        if url.scheme_str() != Some("http") || url.host().is_none() {
            return Err(SmsError("sms.url must be http://host[:port]/path".into()));
        }
        Ok(HttpSms { url, token })
    }
}

#[async_trait]
impl Sms for HttpSms {
    async fn send(&self, to: &str, text: &SecretString) -> Result<(), SmsError> {
        let host = self.url.host().unwrap_or_default();
        let port = self.url.port_u16().unwrap_or(80);
        let stream = tokio::net::TcpStream::connect((host, port))
            .await
            .map_err(|e| SmsError(format!("SMS gateway: {e}")))?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| SmsError(format!("SMS gateway: {e}")))?;
        tokio::spawn(conn);
        let body = serde_json::json!({"to": to, "text": text.expose_secret()}).to_string();
        let mut req = hyper::Request::post(self.url.path())
            .header(hyper::header::HOST, host)
            .header(hyper::header::CONTENT_TYPE, "application/json");
        if let Some(t) = &self.token {
            req = req.header(
                hyper::header::AUTHORIZATION,
                format!("Bearer {}", t.expose_secret()),
            );
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| SmsError(format!("SMS request: {e}")))?;
        let resp = sender
            .send_request(req)
            .await
            .map_err(|e| SmsError(format!("SMS gateway: {e}")))?;
        let status = resp.status();
        let _ = resp.into_body().collect().await;
        if status.is_success() {
            Ok(())
        } else {
            Err(SmsError(format!("SMS gateway answered {status}")))
        }
    }
}
