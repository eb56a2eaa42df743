//! What the service tells a person by SMS or e-mail, named by key and parameters. The words are
//! in the `texts` catalogues (`notice-*` messages); every notice goes out in Czech, then English.
//! A notice carries only what it must (SECURITY.md 4, 48): a code, its purpose and validity; a
//! link; a username; the kind of a certificate — never a birth number or a record's details.

use hcert::CertType;
use texts::{Arg, Lang};

use crate::store::portal::ContactField;
use crate::store::MessageWrite;

/// The channel of an outbox message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A text message to a phone number.
    Sms,
    /// An e-mail.
    Email,
}

impl Channel {
    /// The stored name: `sms` or `email`.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
        }
    }
}

/// A notice.
pub enum Notice<'a> {
    /// A one-time code; `purpose` is the stored name of its `otp::Purpose` (the catalogue
    /// words it).
    Code {
        purpose: &'a str,
        code: &'a str,
        minutes: i64,
    },
    /// A PIN-renewal link; the code that goes with it arrives over `code_channel`.
    Renewal {
        username: &'a str,
        link: &'a str,
        code_channel: Channel,
    },
    /// Someone tried to register with the birth number of an existing account.
    RegistrationAttempt,
    /// A registry account was created.
    RegistrationComplete { username: &'a str },
    /// The PIN of a registry account was changed.
    PinChanged,
    /// A citizen's contact was changed.
    ContactChanged { field: ContactField },
    /// An issued certificate (the PDF is attached).
    Certificate { kind: CertType },
    /// An organisation recorded other contact details than those on file (`fields`:
    /// `id_card`, `phone`, `email`); no values.
    ContactRecorded { org: &'a str, fields: &'a [&'a str] },
    /// The security questions of a registry account were set.
    QuestionsSet,
    /// To an organisation's account managers: a user renews the PIN by security questions.
    QuestionsRenewal { name: &'a str, username: &'a str },
}

// Secrets (the code, the link's token) never reach a Debug print.
impl std::fmt::Debug for Notice<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// Between the Czech and the English text of an SMS (one line).
const SMS_SEPARATOR: &str = " / ";
/// How a notice's two languages are laid out in an e-mail.
enum Layout {
    /// On one line, `Czech / English`: every SMS, and the short notices by e-mail.
    Line,
    /// Czech, a blank line, English, a final line end.
    Paragraphs,
    /// The certificate e-mail: Czech, a `---` rule, English, with CRLF line ends.
    Rule,
}

impl Notice<'_> {
    /// The catalogue key of the body; the subject is `<key>-subject`.
    fn key(&self) -> &'static str {
        match self {
            Notice::Code { .. } => "notice-code",
            Notice::Renewal { .. } => "notice-renewal",
            Notice::RegistrationAttempt => "notice-registration-attempt",
            Notice::RegistrationComplete { .. } => "notice-registration-complete",
            Notice::PinChanged => "notice-pin-changed",
            Notice::ContactChanged { .. } => "notice-contact-changed",
            Notice::Certificate { .. } => "notice-certificate",
            Notice::ContactRecorded { .. } => "notice-contact-recorded",
            Notice::QuestionsSet => "notice-questions-set",
            Notice::QuestionsRenewal { .. } => "notice-questions-renewal",
        }
    }

    /// The text in one language.
    fn text(&self, lang: Lang) -> String {
        let key = self.key();
        match self {
            Notice::Code {
                purpose,
                code,
                minutes,
            } => lang.format(
                key,
                &[
                    ("purpose", Arg::Str(purpose)),
                    ("code", Arg::Str(code)),
                    ("minutes", Arg::Num(*minutes)),
                ],
            ),
            Notice::Renewal {
                username,
                code_channel,
                ..
            } => lang.format(
                key,
                &[
                    ("username", Arg::Str(username)),
                    ("code_channel", Arg::Str(code_channel.as_str())),
                ],
            ),
            Notice::RegistrationComplete { username } => {
                lang.format(key, &[("username", Arg::Str(username))])
            }
            Notice::ContactChanged { field } => {
                let field = match field {
                    ContactField::Phone => "phone",
                    ContactField::Email => "email",
                };
                lang.format(key, &[("field", Arg::Str(field))])
            }
            Notice::Certificate { kind } => {
                lang.format(key, &[("kind", Arg::Str(kind_word(*kind)))])
            }
            Notice::ContactRecorded { org, fields } => {
                // The organisation's name as registered, without control characters.
                let org: String = org.chars().filter(|c| !c.is_control()).take(100).collect();
                let fields = fields
                    .iter()
                    .map(|f| lang.format("notice-contact-field", &[("field", Arg::Str(f))]))
                    .collect::<Vec<_>>()
                    .join(", ");
                lang.format(
                    key,
                    &[("org", Arg::Str(&org)), ("fields", Arg::Str(&fields))],
                )
            }
            Notice::QuestionsRenewal { name, username } => lang.format(
                key,
                &[("name", Arg::Str(name)), ("username", Arg::Str(username))],
            ),
            Notice::RegistrationAttempt | Notice::PinChanged | Notice::QuestionsSet => {
                lang.format(key, &[])
            }
        }
    }

    /// Czech, `separator`, English.
    fn both(&self, separator: &str) -> String {
        format!("{}{separator}{}", self.text(Lang::Cs), self.text(Lang::En))
    }

    /// The subject line (for e-mail; an SMS keeps it in the outbox only).
    pub fn subject(&self) -> String {
        let key = format!("{}-subject", self.key());
        format!(
            "{}{SMS_SEPARATOR}{}",
            Lang::Cs.format(&key, &[]),
            Lang::En.format(&key, &[])
        )
    }

    /// Short notices read the same by SMS and e-mail: both languages on one line, which
    /// SECURITY.md 4's exact template of a code message holds to.
    fn layout(&self) -> Layout {
        match self {
            Notice::Code { .. }
            | Notice::PinChanged
            | Notice::ContactChanged { .. }
            | Notice::ContactRecorded { .. }
            | Notice::QuestionsSet => Layout::Line,
            Notice::Renewal { .. }
            | Notice::RegistrationAttempt
            | Notice::RegistrationComplete { .. }
            | Notice::QuestionsRenewal { .. } => Layout::Paragraphs,
            Notice::Certificate { .. } => Layout::Rule,
        }
    }

    /// The text for `channel`: both languages on one line for an SMS, laid out by
    /// [`Notice::layout`] for an e-mail. The renewal link stands once, after both languages.
    pub fn body(&self, channel: Channel) -> String {
        let layout = match channel {
            Channel::Sms => Layout::Line,
            Channel::Email => self.layout(),
        };
        let mut text = match layout {
            Layout::Line => self.both(SMS_SEPARATOR),
            Layout::Paragraphs => self.both("\n\n") + "\n",
            Layout::Rule => (self.both("\n\n---\n\n") + "\n").replace('\n', "\r\n"),
        };
        if let Notice::Renewal { link, .. } = self {
            text.push('\n');
            text.push_str(link);
            text.push('\n');
        }
        text
    }

    /// The outbox message to `recipient` (empty: the store fills it in from the account).
    pub fn message(&self, channel: Channel, recipient: impl Into<String>) -> MessageWrite {
        MessageWrite {
            channel: channel.as_str().into(),
            recipient: recipient.into(),
            subject: self.subject(),
            body: self.body(channel),
            attachment: None,
        }
    }
}

fn kind_word(kind: CertType) -> &'static str {
    match kind {
        CertType::Vaccination => "vaccination",
        CertType::Test => "test",
        CertType::Recovery => "recovery",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_notices_name_the_fields_in_each_language_and_drop_control_characters() {
        let n = Notice::ContactRecorded {
            org: "Nemocnice\nNa Homolce",
            fields: &["id_card", "email"],
        };
        let sms = n.body(Channel::Sms);
        assert!(sms.starts_with(
            "dcc: NemocniceNa Homolce u Vás zaznamenal(a) jiné údaje: číslo občanského průkazu, \
             e-mailovou adresu."
        ), "{sms}");
        assert!(
            sms.contains("recorded a different ID-card number, e-mail address for you"),
            "{sms}"
        );
    }

    #[test]
    fn every_code_purpose_has_its_own_words() {
        for purpose in crate::otp::Purpose::ALL {
            let n = Notice::Code {
                purpose: purpose.as_str(),
                code: "1",
                minutes: 5,
            };
            let text = n.body(Channel::Sms);
            // The catalogue's fallback word is for none of them.
            assert!(
                !text.contains("ověření") && !text.contains("verification"),
                "{purpose:?}: {text}"
            );
        }
    }

    #[test]
    fn a_code_sms_names_purpose_code_and_validity_in_both_languages() {
        let n = Notice::Code {
            purpose: "login",
            code: "482913",
            minutes: 5,
        };
        assert_eq!(
            n.body(Channel::Sms),
            "dcc: kód pro přihlášení je 482913, platí 5 min. / dcc login code 482913, valid 5 min."
        );
        assert_eq!(n.subject(), "dcc: jednorázový kód / one-time code");
        assert!(!format!("{n:?}").contains("482913"));
    }

    #[test]
    fn every_notice_renders_from_the_catalogue() {
        let notices = [
            Notice::Code {
                purpose: "renewal_email",
                code: "1",
                minutes: 5,
            },
            Notice::Renewal {
                username: "jan.novak",
                link: "https://example.test/registry/pin/t",
                code_channel: Channel::Email,
            },
            Notice::RegistrationAttempt,
            Notice::RegistrationComplete {
                username: "jan.novak",
            },
            Notice::PinChanged,
            Notice::ContactChanged {
                field: ContactField::Email,
            },
            Notice::Certificate {
                kind: CertType::Recovery,
            },
            Notice::ContactRecorded {
                org: "Nemocnice\nNa Homolce",
                fields: &["id_card", "email"],
            },
            Notice::QuestionsSet,
            Notice::QuestionsRenewal {
                name: "Jan Novák",
                username: "jan.novak",
            },
        ];
        for n in &notices {
            for channel in [Channel::Sms, Channel::Email] {
                let body = n.body(channel);
                // An unknown key comes back as the key itself; a missing parameter as `{$x}`.
                assert!(
                    !body.contains("notice-") && !body.contains('{'),
                    "{n:?}: {body}"
                );
            }
            assert!(!n.subject().contains("notice-"), "{n:?}");
        }
        assert_eq!(
            notices[0].body(Channel::Email),
            notices[0].body(Channel::Sms)
        );
        let renewal = notices[1].body(Channel::Email);
        assert!(renewal.contains("z dalšího e-mailu") && renewal.contains("from the other e-mail"));
        assert!(renewal.contains("https://example.test/registry/pin/t"));
        let cert = notices[6].body(Channel::Email);
        assert!(cert.contains("o prodělaném onemocnění") && cert.contains("(recovery)"));
        assert!(cert.contains("\r\n\r\n---\r\n\r\n") && !cert.replace("\r\n", "").contains('\n'));
        assert_eq!(
            notices[5].body(Channel::Sms),
            "dcc: Vaše e-mailová adresa v portálu byla změněna. Pokud jste to nebyli Vy, \
             kontaktujte podporu. / dcc: your e-mail address in the portal was changed. If this \
             was not you, contact support."
        );
    }
}
