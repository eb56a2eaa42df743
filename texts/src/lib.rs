//! Every word dcc says to a person — the portal's pages, the SMS and e-mail notices, the PIN
//! rules — in Czech (the default) and English, as [Fluent](https://projectfluent.org) messages
//! with parameters: `cs.ftl` and `en.ftl` beside this file, compiled in.
//!
//! Code names a message by its key and passes its parameters ([`Lang::format`]); the words,
//! the grammar of each language (`{ $purpose -> … }` selections) and the punctuation live in the
//! catalogue. Both catalogues hold the same keys with the same variables; the tests hold them to
//! that and to parsing cleanly.
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

const CS: &str = include_str!("cs.ftl");
const EN: &str = include_str!("en.ftl");

/// A language of the portal and of the notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Czech, the default.
    Cs,
    /// English.
    En,
}

/// A parameter's value.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    /// Text, also the selector of a `{ $x -> [a] … }` choice.
    Str(&'a str),
    /// A number (formatted plainly, and for plural choices).
    Num(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Str(s)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Str(s)
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Arg::Num(n)
    }
}

impl From<usize> for Arg<'_> {
    fn from(n: usize) -> Self {
        Arg::Num(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

/// One language's messages.
struct Catalog {
    bundle: FluentBundle<&'static FluentResource>,
    /// Every message formatted without parameters, for the page templates (`t.key`).
    plain: BTreeMap<&'static str, String>,
}

/// The parsed catalogues. A syntax error keeps the rest of the file (Fluent recovers per
/// entry); the test `catalogues_parse` fails on any.
static RESOURCES: LazyLock<[FluentResource; 2]> = LazyLock::new(|| {
    let parse = |source: &str| {
        FluentResource::try_new(source.to_string()).unwrap_or_else(|(partial, _)| partial)
    };
    [parse(CS), parse(EN)]
});

static CATALOGS: LazyLock<[Catalog; 2]> = LazyLock::new(|| {
    let [cs, en] = &*RESOURCES;
    [catalog(Lang::Cs, cs), catalog(Lang::En, en)]
});

fn catalog(lang: Lang, resource: &'static FluentResource) -> Catalog {
    let id = lang
        .code()
        .parse()
        .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default());
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Plain text for SMS and e-mail: no Unicode isolation marks around parameters.
    bundle.set_use_isolating(false);
    // Duplicate keys are refused here and by the test `catalogues_parse`.
    let _ = bundle.add_resource(resource);
    let mut plain = BTreeMap::new();
    for key in keys(resource) {
        let text = format_in(&bundle, key, None)
            .map(|(text, _)| text)
            .unwrap_or_default();
        plain.insert(key, text);
    }
    Catalog { bundle, plain }
}

/// The message keys of a resource, in file order.
fn keys(resource: &FluentResource) -> impl Iterator<Item = &str> {
    resource.entries().filter_map(|e| match e {
        fluent_syntax::ast::Entry::Message(m) => Some(m.id.name),
        _ => None,
    })
}

/// Formats `key`, and whether it formatted without errors (a parameter the message uses and
/// the caller did not pass); `None` when the bundle has no such message (or it has no value).
fn format_in(
    bundle: &FluentBundle<&'static FluentResource>,
    key: &str,
    args: Option<&FluentArgs<'_>>,
) -> Option<(String, bool)> {
    let pattern = bundle.get_message(key)?.value()?;
    let mut errors = Vec::new();
    let text = bundle
        .format_pattern(pattern, args, &mut errors)
        .into_owned();
    Some((text, errors.is_empty()))
}

impl Lang {
    /// Both languages, Czech first.
    pub const ALL: [Lang; 2] = [Lang::Cs, Lang::En];

    /// From a language cookie's value: Czech unless it says English.
    pub fn from_code(code: Option<&str>) -> Lang {
        match code {
            Some("en") => Lang::En,
            _ => Lang::Cs,
        }
    }

    /// `cs` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Cs => "cs",
            Lang::En => "en",
        }
    }

    fn catalog(self) -> &'static Catalog {
        let [cs, en] = &*CATALOGS;
        match self {
            Lang::Cs => cs,
            Lang::En => en,
        }
    }

    /// The text of a message without parameters; empty when the key is unknown (the page
    /// templates fail on unknown keys, and the tests cover the keys code names).
    pub fn t(self, key: &str) -> &'static str {
        self.catalog().plain.get(key).map_or("", String::as_str)
    }

    /// Every message of this language without parameters, for the page templates (`t.key`).
    pub fn table(self) -> &'static BTreeMap<&'static str, String> {
        &self.catalog().plain
    }

    /// The text of `key` with its parameters; the key itself when unknown, so a misspelling
    /// shows (and fails the test that reads the text) instead of sending nothing.
    pub fn format(self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        let mut fluent = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            match *value {
                Arg::Str(s) => fluent.set(*name, FluentValue::from(s)),
                Arg::Num(n) => fluent.set(*name, FluentValue::from(n)),
            }
        }
        match format_in(&self.catalog().bundle, key, Some(&fluent)) {
            Some((text, complete)) => {
                // A parameter missing shows as `{$name}`; the tests that read a message fail.
                debug_assert!(complete, "{key}: a parameter is missing");
                text
            }
            None => key.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

    use super::*;

    /// The variables a pattern uses, selectors included.
    fn variables<'s>(pattern: &Pattern<&'s str>, out: &mut BTreeSet<&'s str>) {
        fn inline<'s>(e: &InlineExpression<&'s str>, out: &mut BTreeSet<&'s str>) {
            if let InlineExpression::VariableReference { id } = e {
                out.insert(id.name);
            }
        }
        for element in &pattern.elements {
            if let PatternElement::Placeable { expression } = element {
                match expression {
                    Expression::Inline(e) => inline(e, out),
                    Expression::Select { selector, variants } => {
                        inline(selector, out);
                        for v in variants {
                            variables(&v.value, out);
                        }
                    }
                }
            }
        }
    }

    fn messages(source: &'static str) -> BTreeMap<&'static str, BTreeSet<&'static str>> {
        let resource = match FluentResource::try_new(source.to_string()) {
            Ok(r) => Box::leak(Box::new(r)),
            Err((_, errors)) => panic!("{errors:?}"),
        };
        let mut out = BTreeMap::new();
        for entry in resource.entries() {
            if let Entry::Message(m) = entry {
                let mut vars = BTreeSet::new();
                if let Some(p) = &m.value {
                    variables(p, &mut vars);
                }
                assert!(out.insert(m.id.name, vars).is_none(), "{} twice", m.id.name);
            }
        }
        out
    }

    #[test]
    fn catalogues_parse_and_hold_the_same_keys_and_variables() {
        let cs = messages(CS);
        let en = messages(EN);
        assert_eq!(
            cs.keys().collect::<Vec<_>>(),
            en.keys().collect::<Vec<_>>(),
            "cs.ftl and en.ftl must hold the same keys"
        );
        for (key, vars) in &cs {
            assert_eq!(Some(vars), en.get(key), "{key}: the variables differ");
        }
        for lang in Lang::ALL {
            for (key, text) in lang.table() {
                assert!(!text.trim().is_empty(), "{key} ({lang:?}) is empty");
            }
        }
    }

    #[test]
    fn parameters_and_selections_format() {
        let args = [
            ("service", Arg::Str("eCOVID")),
            ("purpose", Arg::Str("registry_login")),
            ("code", Arg::Str("123456")),
            ("minutes", Arg::Num(5)),
        ];
        assert_eq!(
            Lang::Cs.format("notice-code", &args),
            "eCOVID: kód pro přihlášení do registru je 123456, platí 5 min."
        );
        assert_eq!(
            Lang::En.format("notice-code", &args),
            "eCOVID: registry login code 123456, valid 5 min."
        );
        // No isolation marks around parameters in plain text.
        assert!(!Lang::En
            .format("pin-too-short", &[("min", 8usize.into())])
            .contains('\u{2068}'));
        assert_eq!(
            Lang::Cs.format("pin-too-short", &[("min", 8usize.into())]),
            "PIN musí mít alespoň 8 znaků."
        );
    }

    #[test]
    fn unknown_keys_show() {
        assert_eq!(Lang::En.format("no-such-key", &[]), "no-such-key");
        assert_eq!(Lang::En.t("no-such-key"), "");
        assert_eq!(Lang::En.t("to_home"), Lang::En.table()["to_home"]);
    }

    #[test]
    fn multiline_messages_keep_their_blank_lines() {
        let text = Lang::En.format(
            "notice-registration-complete",
            &[("username", Arg::Str("jan.novak"))],
        );
        assert_eq!(
            text,
            "Your registry username: jan.novak\n\nSign in with your username, PIN and a one-time code."
        );
    }

    /// Issue #21 part 5: Czech direct address is capitalised throughout (official style:
    /// Vám, Vás, Váš, Vaše, Vy), never mixed with the lower-case forms.
    #[test]
    fn czech_addresses_the_reader_with_capitals() {
        let lower = [
            "vám", "vás", "váš", "vaše", "vaši", "vaší", "vašeho", "vašemu", "vaším", "vy",
        ];
        for (n, line) in CS.lines().enumerate() {
            if line.starts_with('#') {
                continue;
            }
            for word in line.split(|c: char| !c.is_alphabetic()) {
                assert!(!lower.contains(&word), "cs.ftl line {}: {line}", n + 1);
            }
        }
    }
}
