//! Outbox messages at rest (issue 18 defect 5; SECURITY.md 1, 16, 46): subject, body and
//! attachment are sealed together under the outbox key, bound to the channel and recipient. The
//! recipient stays in clear: the person's contacts are stored in clear anyway, and operators
//! must be able to say whether a message to an address left.

use crate::seal::{SealError, SealingKey};

use super::MessageWrite;

/// The label the outbox key is derived under (the server's `Secrets::sealing_key`).
pub const KEY_LABEL: &str = "dcc/outbox/v1";

/// The columns a message's text lives in, emptied when it ends (sent or given up): nothing
/// reads them afterwards, so not even the ciphertext stays (SECURITY.md 48).
pub(super) const WIPE: &str = "subject = '', body = '', sealed = NULL, attachment_name = NULL, \
                               attachment_mime = NULL, attachment = NULL";

/// The error a message that does not open is given up with: what happened, nothing of it.
pub(super) const UNOPENED: &str =
    "sealed message does not open (another installation secret, or a changed row)";

/// What a sealed outbox row carries.
pub(super) struct Content {
    pub subject: String,
    pub body: String,
    pub attachment: Option<(String, String, Vec<u8>)>,
}

/// Binds a sealed message to its channel and recipient: moved to another row or readdressed in
/// the database, it no longer opens (so a database writer cannot redirect a reset link).
fn aad(channel: &str, recipient: &str) -> Vec<u8> {
    let mut a = Vec::with_capacity(16 + channel.len() + recipient.len());
    put(&mut a, KEY_LABEL.as_bytes());
    put(&mut a, channel.as_bytes());
    put(&mut a, recipient.as_bytes());
    a
}

/// Appends `bytes` with a 4-byte big-endian length. Larger than 4 GiB cannot reach here: the
/// largest part is a certificate PDF, and the length saturates rather than wraps.
fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

/// The next length-prefixed part.
fn take<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let (len, after) = rest.split_first_chunk::<4>()?;
    let len = usize::try_from(u32::from_be_bytes(*len)).ok()?;
    let (part, after) = after.split_at_checked(len)?;
    *rest = after;
    Some(part)
}

fn take_string(rest: &mut &[u8]) -> Option<String> {
    String::from_utf8(take(rest)?.to_vec()).ok()
}

/// The sealed form of a message's subject, body and attachment.
pub(super) fn seal(key: &SealingKey, m: &MessageWrite) -> Result<Vec<u8>, SealError> {
    let attachment_len = m.attachment.as_ref().map_or(0, |(_, _, b)| b.len() + 64);
    let mut plain = Vec::with_capacity(m.subject.len() + m.body.len() + attachment_len + 16);
    put(&mut plain, m.subject.as_bytes());
    put(&mut plain, m.body.as_bytes());
    if let Some((name, mime, bytes)) = &m.attachment {
        put(&mut plain, name.as_bytes());
        put(&mut plain, mime.as_bytes());
        put(&mut plain, bytes);
    }
    key.seal(&aad(&m.channel, &m.recipient), &plain)
}

/// Opens what [`seal`] made for this channel and recipient.
pub(super) fn open(
    key: &SealingKey,
    channel: &str,
    recipient: &str,
    sealed: &[u8],
) -> Result<Content, SealError> {
    let plain = key.open(&aad(channel, recipient), sealed)?;
    let mut rest = plain.as_slice();
    let subject = take_string(&mut rest).ok_or(SealError::Open)?;
    let body = take_string(&mut rest).ok_or(SealError::Open)?;
    let attachment = if rest.is_empty() {
        None
    } else {
        let name = take_string(&mut rest).ok_or(SealError::Open)?;
        let mime = take_string(&mut rest).ok_or(SealError::Open)?;
        let bytes = take(&mut rest).ok_or(SealError::Open)?.to_vec();
        Some((name, mime, bytes))
    };
    if !rest.is_empty() {
        return Err(SealError::Open);
    }
    Ok(Content {
        subject,
        body,
        attachment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(attachment: Option<(String, String, Vec<u8>)>) -> MessageWrite {
        MessageWrite {
            channel: "email".into(),
            recipient: "jana@example.cz".into(),
            subject: "Obnova PINu / PIN renewal".into(),
            body: "https://dcc.example/registry/pin/AAAABBBBCCCCDDDDEEEEFF\n".into(),
            attachment,
        }
    }

    #[test]
    fn round_trip_with_and_without_attachment() {
        let key = SealingKey::new(&[3; 32]).unwrap();
        for att in [
            None,
            Some(("c.pdf".to_string(), "application/pdf".to_string(), vec![])),
            Some((
                "certificate.pdf".to_string(),
                "application/pdf".to_string(),
                b"%PDF-1.7 ...".to_vec(),
            )),
        ] {
            let m = message(att.clone());
            let sealed = seal(&key, &m).unwrap();
            assert!(!sealed.windows(4).any(|w| w == b"PDF-" || w == b"AAAA"));
            let c = open(&key, &m.channel, &m.recipient, &sealed).unwrap();
            assert_eq!((c.subject, c.body, c.attachment), (m.subject, m.body, att));
        }
    }

    #[test]
    fn readdressed_or_moved_fails() {
        let key = SealingKey::new(&[3; 32]).unwrap();
        let m = message(None);
        let sealed = seal(&key, &m).unwrap();
        assert!(open(&key, "email", "mallory@example.cz", &sealed).is_err());
        assert!(open(&key, "sms", &m.recipient, &sealed).is_err());
        // The parts cannot be confused with each other across the boundary.
        assert!(open(&key, "emailjana@example.cz", "", &sealed).is_err());
    }

    #[test]
    fn malformed_plaintext_is_refused() {
        let key = SealingKey::new(&[3; 32]).unwrap();
        let a = aad("sms", "+420601000000");
        for (name, plain) in [
            ("no parts", vec![]),
            ("length past the end", vec![0, 0, 0, 9, b'x']),
            ("subject only", vec![0, 0, 0, 0]),
            (
                "trailing byte",
                vec![
                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
                ],
            ),
            ("bad UTF-8", vec![0, 0, 0, 1, 0xff, 0, 0, 0, 0]),
        ] {
            let sealed = key.seal(&a, &plain).unwrap();
            assert!(
                open(&key, "sms", "+420601000000", &sealed).is_err(),
                "{name}"
            );
        }
    }
}
