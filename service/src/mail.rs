//! E-mail: the certificate message (Czech and English, no health details in the text, the
//! certificate attached), the `Mailer` trait with an SMTP implementation (`lettre`) and the
//! development sink that writes `.eml` files to `DATA_DIR/mail/`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::clock::Clock;
use crate::config::{SmtpConfig, SmtpTls};
use crate::sink::FileSink;
use crate::store::OutboxMessage;

/// The certificate as an attachment: the PDF the citizen prints (QR code and every field, Czech
/// and English), rendered off the async threads. Should rendering fail, the `HC1:` text goes
/// instead, which validation apps and `dcc verify -` take as input.
pub async fn certificate_attachment(
    issued: &issuer::Issued,
    country: &str,
) -> (String, String, Vec<u8>) {
    let job = issued.clone();
    let country = country.to_string();
    let pdf = tokio::task::spawn_blocking(move || {
        let qr = issuer::qr::encode(&job.hc1)?;
        issuer::pdf::render(
            &job,
            &qr,
            issuer::names::Names::embedded(),
            issuer::pdf::Page { country: &country },
        )
    })
    .await;
    match pdf {
        Ok(Ok(pdf)) => ("certificate.pdf".into(), "application/pdf".into(), pdf),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "PDF rendering failed; attaching the HC1 text");
            hc1_attachment(issued)
        }
        Err(e) => {
            tracing::warn!(error = %e, "PDF task failed; attaching the HC1 text");
            hc1_attachment(issued)
        }
    }
}

fn hc1_attachment(issued: &issuer::Issued) -> (String, String, Vec<u8>) {
    (
        "certificate-hc1.txt".into(),
        "text/plain; charset=utf-8".into(),
        issued.hc1.clone().into_bytes(),
    )
}

/// Why a message could not be sent.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MailError(pub String);

/// Sends one outbox e-mail.
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends the message; an error means "try again later".
    async fn send(&self, message: &OutboxMessage) -> Result<(), MailError>;
}

/// Builds the MIME message of an outbox e-mail.
pub fn build_message(from: &str, m: &OutboxMessage) -> Result<Message, MailError> {
    let from: Mailbox = from
        .parse()
        .map_err(|e| MailError(format!("sender address: {e}")))?;
    let to: Mailbox = m
        .recipient
        .parse()
        .map_err(|e| MailError(format!("recipient address: {e}")))?;
    let builder = Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.clone());
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(m.body.clone());
    let message = match &m.attachment {
        Some((name, mime, bytes)) => {
            let ct =
                ContentType::parse(mime).map_err(|e| MailError(format!("attachment type: {e}")))?;
            builder.multipart(
                MultiPart::mixed()
                    .singlepart(text)
                    .singlepart(Attachment::new(name.clone()).body(bytes.clone(), ct)),
            )
        }
        None => builder.singlepart(text),
    };
    message.map_err(|e| MailError(format!("cannot build the message: {e}")))
}

/// Sends through SMTP (host, port and TLS from the configuration).
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: String,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer").finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for `host` with the configuration's port, TLS and credentials.
    pub fn new(host: &str, cfg: &SmtpConfig) -> Result<Self, MailError> {
        let builder = match cfg.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|e| MailError(format!("SMTP STARTTLS: {e}")))?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|e| MailError(format!("SMTP TLS: {e}")))?,
        };
        let mut builder = builder
            .port(cfg.port)
            .timeout(Some(Duration::from_secs(cfg.timeout_secs)));
        if let (Some(user), Some(pass)) = (&cfg.username, &cfg.password) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                pass.expose_secret().to_string(),
            ));
        }
        Ok(SmtpMailer {
            transport: builder.build(),
            from: cfg.from.clone(),
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, message: &OutboxMessage) -> Result<(), MailError> {
        let m = build_message(&self.from, message)?;
        self.transport
            .send(m)
            .await
            .map(|_| ())
            .map_err(|e| MailError(format!("SMTP: {e}")))
    }
}

/// Development mailer, without an SMTP host: each message is one file in `DATA_DIR/mail/`
/// (`20261207T112233.123456Z-0001-mail-42.eml`, 42 the outbox id), named to sort by time as
/// the SMS files are ([`FileSink`]).
#[derive(Debug)]
pub struct FileMailer {
    sink: Arc<FileSink>,
    from: String,
}

impl FileMailer {
    /// Writes into `dir`, naming files by `clock`'s time.
    pub fn new(dir: PathBuf, from: String, clock: Arc<dyn Clock>) -> Self {
        FileMailer {
            sink: Arc::new(FileSink::new(dir, "eml", clock)),
            from,
        }
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, message: &OutboxMessage) -> Result<(), MailError> {
        let bytes = build_message(&self.from, message)?.formatted();
        let sink = self.sink.clone();
        let tag = format!("mail-{}", message.id);
        let path = tokio::task::spawn_blocking(move || sink.write(&tag, &bytes))
            .await
            .map_err(|e| MailError(format!("mail file task: {e}")))?
            .map_err(|e| MailError(format!("{}: {e}", self.sink.dir().display())))?;
        tracing::info!(
            outbox_id = message.id,
            file = %path.display(),
            "e-mail written to a file (development: no SMTP host configured)"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue #21 part 4: the sender is the operator by name, not "dcc".
    #[test]
    fn the_sender_is_the_operator() {
        let config = crate::config::Config::default();
        let from = config.mail_sender();
        assert_eq!(
            from,
            "\"Ministerstvo zdravotnictví ČR\" <noreply@dcc.invalid>"
        );
        let m = OutboxMessage {
            id: 1,
            channel: "email".into(),
            recipient: "jana@example.cz".into(),
            subject: "Test".into(),
            body: "Text".into(),
            attachment: None,
            attempts: 1,
            lease_token: String::new(),
        };
        let raw = String::from_utf8(build_message(&from, &m).unwrap().formatted()).unwrap();
        let from_line = raw.lines().find(|l| l.starts_with("From:")).unwrap();
        assert!(from_line.contains("<noreply@dcc.invalid>"), "{from_line}");
        assert!(!from_line.contains("dcc <"), "{from_line}");
    }
}
