//! What the service tells a person by SMS or e-mail, named by key and parameters. The words are
//! in the `texts` catalogues (`notice-*` messages); every notice goes out in Czech, then English.
//! A notice carries only what it must (SECURITY.md 4, 48): a code, its purpose and validity; a
//! link; a username; the kind of a certificate — never a birth number or a record's details.
//! It opens with the configured service name ([`Sender`]), and the times it prints are Prague's.

use hcert::CertType;
use texts::{Arg, Lang};

use crate::config::OperatorConfig;
use crate::store::portal::ContactField;
use crate::store::MessageWrite;

/// Who a message says it is from: the service's name in each language (`[operator]
/// service_name`, `service_name_en`; SECURITY.md 4), never the program's.
#[derive(Debug, Clone, Copy)]
pub struct Sender<'a> {
    /// The name in Czech.
    pub cs: &'a str,
    /// The name in English.
    pub en: &'a str,
}

impl<'a> Sender<'a> {
    /// The configured service name.
    pub fn of(operator: &'a OperatorConfig) -> Self {
        Sender {
            cs: &operator.service_name,
            en: &operator.service_name_en,
        }
    }

    fn name(&self, lang: Lang) -> &'a str {
        match lang {
            Lang::Cs => self.cs,
            Lang::En => self.en,
        }
    }
}

/// An instant as a notice prints it: date and time in Prague (`2. 3. 2026 11:00`), the zone
/// people read their mail in (DESIGN.md "Pages").
pub fn local_time(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(crate::validator::local_display)
        .unwrap_or_default()
}

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
    /// A NIA identity was linked to a registry account (issue #21).
    NiaLinked,
    /// The NIA identity linked to a registry account was unlinked.
    NiaUnlinked,
    /// To an organisation's account managers: a user renews the PIN by security questions.
    QuestionsRenewal { name: &'a str, username: &'a str },
    /// To an organisation's account managers: a user asked to act for it (`when`: the request's
    /// Prague time, from [`local_time`]); the link opens the organisation's page. No name of the
    /// user, no birth number: the page shows who asked.
    PermissionRequested {
        org: &'a str,
        when: &'a str,
        link: &'a str,
    },
    /// To the requester: the organisation's managers decided (`when`: Prague time).
    PermissionDecided {
        org: &'a str,
        approved: bool,
        when: &'a str,
        link: &'a str,
    },
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
            Notice::NiaLinked => "notice-nia-linked",
            Notice::NiaUnlinked => "notice-nia-unlinked",
            Notice::QuestionsRenewal { .. } => "notice-questions-renewal",
            Notice::PermissionRequested { .. } => "notice-permission-requested",
            Notice::PermissionDecided { .. } => "notice-permission-decided",
        }
    }

    /// The text in one language, opened (where the catalogue says so) by the service's name.
    fn text(&self, sender: Sender<'_>, lang: Lang) -> String {
        let key = self.key();
        let service = ("service", Arg::Str(sender.name(lang)));
        match self {
            Notice::Code {
                purpose,
                code,
                minutes,
            } => lang.format(
                key,
                &[
                    service,
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
                    service,
                    ("username", Arg::Str(username)),
                    ("code_channel", Arg::Str(code_channel.as_str())),
                ],
            ),
            Notice::RegistrationComplete { username } => {
                lang.format(key, &[service, ("username", Arg::Str(username))])
            }
            Notice::ContactChanged { field } => {
                let field = match field {
                    ContactField::Phone => "phone",
                    ContactField::Email => "email",
                };
                lang.format(key, &[service, ("field", Arg::Str(field))])
            }
            Notice::Certificate { kind } => {
                lang.format(key, &[service, ("kind", Arg::Str(kind_word(*kind)))])
            }
            Notice::ContactRecorded { org, fields } => {
                let org = printable(org);
                let fields = fields
                    .iter()
                    .map(|f| lang.format("notice-contact-field", &[("field", Arg::Str(f))]))
                    .collect::<Vec<_>>()
                    .join(", ");
                lang.format(
                    key,
                    &[
                        service,
                        ("org", Arg::Str(&org)),
                        ("fields", Arg::Str(&fields)),
                    ],
                )
            }
            Notice::QuestionsRenewal { name, username } => lang.format(
                key,
                &[
                    service,
                    ("name", Arg::Str(name)),
                    ("username", Arg::Str(username)),
                ],
            ),
            Notice::PermissionRequested { org, when, .. } => lang.format(
                key,
                &[
                    service,
                    ("org", Arg::Str(&printable(org))),
                    ("when", Arg::Str(when)),
                ],
            ),
            Notice::PermissionDecided {
                org,
                approved,
                when,
                ..
            } => lang.format(
                key,
                &[
                    service,
                    ("org", Arg::Str(&printable(org))),
                    (
                        "decision",
                        Arg::Str(if *approved { "approved" } else { "refused" }),
                    ),
                    ("when", Arg::Str(when)),
                ],
            ),
            Notice::RegistrationAttempt
            | Notice::PinChanged
            | Notice::QuestionsSet
            | Notice::NiaLinked
            | Notice::NiaUnlinked => lang.format(key, &[service]),
        }
    }

    /// Czech, `separator`, English.
    fn both(&self, sender: Sender<'_>, separator: &str) -> String {
        format!(
            "{}{separator}{}",
            self.text(sender, Lang::Cs),
            self.text(sender, Lang::En)
        )
    }

    /// The subject line (for e-mail; an SMS keeps it in the outbox only).
    pub fn subject(&self, sender: Sender<'_>) -> String {
        let key = format!("{}-subject", self.key());
        let subject = |lang: Lang| lang.format(&key, &[("service", Arg::Str(sender.name(lang)))]);
        format!("{}{SMS_SEPARATOR}{}", subject(Lang::Cs), subject(Lang::En))
    }

    /// Short notices read the same by SMS and e-mail: both languages on one line, which
    /// SECURITY.md 4's exact template of a code message holds to.
    fn layout(&self) -> Layout {
        match self {
            Notice::Code { .. }
            | Notice::PinChanged
            | Notice::ContactChanged { .. }
            | Notice::ContactRecorded { .. }
            | Notice::QuestionsSet
            | Notice::NiaLinked
            | Notice::NiaUnlinked => Layout::Line,
            Notice::Renewal { .. }
            | Notice::RegistrationAttempt
            | Notice::RegistrationComplete { .. }
            | Notice::QuestionsRenewal { .. }
            | Notice::PermissionRequested { .. }
            | Notice::PermissionDecided { .. } => Layout::Paragraphs,
            Notice::Certificate { .. } => Layout::Rule,
        }
    }

    /// The text for `channel`: both languages on one line for an SMS, laid out by
    /// [`Notice::layout`] for an e-mail. A link stands once, after both languages.
    pub fn body(&self, sender: Sender<'_>, channel: Channel) -> String {
        let layout = match channel {
            Channel::Sms => Layout::Line,
            Channel::Email => self.layout(),
        };
        let mut text = match layout {
            Layout::Line => self.both(sender, SMS_SEPARATOR),
            Layout::Paragraphs => self.both(sender, "\n\n") + "\n",
            Layout::Rule => (self.both(sender, "\n\n---\n\n") + "\n").replace('\n', "\r\n"),
        };
        if let Notice::Renewal { link, .. }
        | Notice::PermissionRequested { link, .. }
        | Notice::PermissionDecided { link, .. } = self
        {
            text.push('\n');
            text.push_str(link);
            text.push('\n');
        }
        text
    }

    /// The outbox message to `recipient` (empty: the store fills it in from the account).
    pub fn message(
        &self,
        sender: Sender<'_>,
        channel: Channel,
        recipient: impl Into<String>,
    ) -> MessageWrite {
        MessageWrite {
            channel: channel.as_str().into(),
            recipient: recipient.into(),
            subject: self.subject(sender),
            body: self.body(sender, channel),
            attachment: None,
        }
    }
}

/// An organisation's name as registered, without control characters, at most 100 characters.
fn printable(org: &str) -> String {
    org.chars().filter(|c| !c.is_control()).take(100).collect()
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

    /// The default `[operator]` names.
    fn sender() -> Sender<'static> {
        Sender {
            cs: "Certifikát COVID-19",
            en: "COVID-19 certificate",
        }
    }

    #[test]
    fn contact_notices_name_the_fields_in_each_language_and_drop_control_characters() {
        let n = Notice::ContactRecorded {
            org: "Nemocnice\nNa Homolce",
            fields: &["id_card", "email"],
        };
        let sms = n.body(sender(), Channel::Sms);
        assert!(
            sms.starts_with(
                "Certifikát COVID-19: NemocniceNa Homolce u Vás zaznamenal(a) jiné údaje: číslo \
             občanského průkazu, e-mailovou adresu."
            ),
            "{sms}"
        );
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
            let text = n.body(sender(), Channel::Sms);
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
            n.body(sender(), Channel::Sms),
            "Certifikát COVID-19: kód pro přihlášení je 482913, platí 5 min. / COVID-19 \
             certificate: login code 482913, valid 5 min."
        );
        assert_eq!(
            n.subject(sender()),
            "Certifikát COVID-19: jednorázový kód / COVID-19 certificate: one-time code"
        );
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
            Notice::PermissionRequested {
                org: "Nemocnice\nNa Homolce",
                when: "2. 3. 2026 11:00",
                link: "https://example.test/registry/org/25596641",
            },
            Notice::PermissionDecided {
                org: "Nemocnice Na Homolce",
                approved: false,
                when: "2. 3. 2026 11:00",
                link: "https://example.test/registry/permissions",
            },
            Notice::NiaLinked,
            Notice::NiaUnlinked,
        ];
        for n in &notices {
            for channel in [Channel::Sms, Channel::Email] {
                let body = n.body(sender(), channel);
                // An unknown key comes back as the key itself; a missing parameter as `{$x}`.
                assert!(
                    !body.contains("notice-") && !body.contains('{'),
                    "{n:?}: {body}"
                );
            }
            assert!(!n.subject(sender()).contains("notice-"), "{n:?}");
        }
        assert_eq!(
            notices[0].body(sender(), Channel::Email),
            notices[0].body(sender(), Channel::Sms)
        );
        let renewal = notices[1].body(sender(), Channel::Email);
        assert!(renewal.contains("z dalšího e-mailu") && renewal.contains("from the other e-mail"));
        assert!(renewal.contains("https://example.test/registry/pin/t"));
        let cert = notices[6].body(sender(), Channel::Email);
        assert!(cert.contains("o prodělaném onemocnění") && cert.contains("(recovery)"));
        assert!(cert.contains("\r\n\r\n---\r\n\r\n") && !cert.replace("\r\n", "").contains('\n'));
        let requested = notices[10].body(sender(), Channel::Email);
        assert!(
            requested.contains(
                "požádal dne 2. 3. 2026 11:00 o oprávnění jednat za organizaci NemocniceNa Homolce"
            ) && requested.ends_with("\nhttps://example.test/registry/org/25596641\n"),
            "{requested}"
        );
        let decided = notices[11].body(sender(), Channel::Email);
        assert!(
            decided.contains("byla dne 2. 3. 2026 11:00 zamítnuta")
                && decided.contains("was refused on 2. 3. 2026 11:00 (Prague time)"),
            "{decided}"
        );
        assert_eq!(
            notices[5].body(sender(), Channel::Sms),
            "Certifikát COVID-19: Vaše e-mailová adresa v portálu byla změněna. Pokud jste to \
             nebyli Vy, kontaktujte podporu. / COVID-19 certificate: your e-mail address in the \
             portal was changed. If this was not you, contact support."
        );
    }
}

#[cfg(test)]
mod names {
    use super::*;

    /// SECURITY.md 4: a message names the configured service, never the program.
    #[test]
    fn every_notice_opens_with_the_configured_name_and_none_says_dcc() {
        let operator = OperatorConfig {
            service_name: "eCOVID".into(),
            service_name_en: "eCOVID pass".into(),
            ..OperatorConfig::default()
        };
        let sender = Sender::of(&operator);
        let code = Notice::Code {
            purpose: "contact_phone",
            code: "123456",
            minutes: 10,
        };
        assert_eq!(
            code.body(sender, Channel::Sms),
            "eCOVID: kód pro změnu telefonu je 123456, platí 10 min. / eCOVID pass: phone change \
             code 123456, valid 10 min."
        );
        for n in [
            code,
            Notice::PinChanged,
            Notice::QuestionsSet,
            Notice::NiaLinked,
            Notice::NiaUnlinked,
            Notice::ContactChanged {
                field: ContactField::Phone,
            },
        ] {
            let (body, subject) = (n.body(sender, Channel::Sms), n.subject(sender));
            assert!(body.starts_with("eCOVID: "), "{body}");
            assert!(body.contains(" / eCOVID pass: "), "{body}");
            assert!(
                !body.contains("dcc") && !subject.contains("dcc"),
                "{body} {subject}"
            );
        }
    }

    /// Times in a notice are Prague's: 10:00 UTC is 11:00 in winter and 12:00 in summer.
    #[test]
    fn notice_times_are_prague_times() {
        use time::macros::datetime;
        assert_eq!(
            local_time(datetime!(2026-03-02 10:00 UTC).unix_timestamp()),
            "2. 3. 2026 11:00"
        );
        assert_eq!(
            local_time(datetime!(2026-07-01 10:00 UTC).unix_timestamp()),
            "1. 7. 2026 12:00"
        );
    }
}
