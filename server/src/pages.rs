//! The compiled page templates of the portals (minijinja, HTML auto-escaped by file name), with
//! the language's texts as `t`.

use minijinja::{context, Environment, UndefinedBehavior, Value};

use crate::i18n::Lang;

/// The compiled page templates.
pub struct Pages {
    env: Environment<'static>,
    /// The operator's name and helpdesk for every page's footer (issue #21 part 4).
    operator: ::service::config::OperatorConfig,
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages").finish_non_exhaustive()
    }
}

impl Default for Pages {
    fn default() -> Self {
        Self::new()
    }
}

const TEMPLATES: &[(&str, &str)] = &[
    (
        "worker_orgs.html",
        include_str!("../templates/worker_orgs.html"),
    ),
    (
        "worker_search.html",
        include_str!("../templates/worker_search.html"),
    ),
    (
        "worker_person.html",
        include_str!("../templates/worker_person.html"),
    ),
    (
        "worker_form.html",
        include_str!("../templates/worker_form.html"),
    ),
    (
        "worker_result.html",
        include_str!("../templates/worker_result.html"),
    ),
    (
        "perm_list.html",
        include_str!("../templates/perm_list.html"),
    ),
    ("perm_org.html", include_str!("../templates/perm_org.html")),
    ("base.html", include_str!("../templates/base.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("code.html", include_str!("../templates/code.html")),
    ("me.html", include_str!("../templates/me.html")),
    (
        "certificate.html",
        include_str!("../templates/certificate.html"),
    ),
    ("contact.html", include_str!("../templates/contact.html")),
    ("message.html", include_str!("../templates/message.html")),
    ("info.html", include_str!("../templates/info.html")),
    (
        "exchange_scan.html",
        include_str!("../templates/exchange_scan.html"),
    ),
    ("exchange.html", include_str!("../templates/exchange.html")),
    ("verify.html", include_str!("../templates/verify.html")),
    (
        "verify_result.html",
        include_str!("../templates/verify_result.html"),
    ),
    ("sessions.html", include_str!("../templates/sessions.html")),
    (
        "registry_login.html",
        include_str!("../templates/registry_login.html"),
    ),
    (
        "registry_register.html",
        include_str!("../templates/registry_register.html"),
    ),
    (
        "registry_details.html",
        include_str!("../templates/registry_details.html"),
    ),
    (
        "registry_account.html",
        include_str!("../templates/registry_account.html"),
    ),
    (
        "nia_link_confirm.html",
        include_str!("../templates/nia_link_confirm.html"),
    ),
    (
        "pin_fields.html",
        include_str!("../templates/pin_fields.html"),
    ),
    (
        "renew_start.html",
        include_str!("../templates/renew_start.html"),
    ),
    (
        "renew_email.html",
        include_str!("../templates/renew_email.html"),
    ),
    (
        "registry_login_email.html",
        include_str!("../templates/registry_login_email.html"),
    ),
    (
        "renew_phone.html",
        include_str!("../templates/renew_phone.html"),
    ),
    (
        "renew_set.html",
        include_str!("../templates/renew_set.html"),
    ),
    (
        "registry_certificate.html",
        include_str!("../templates/registry_certificate.html"),
    ),
    (
        "registry_pin.html",
        include_str!("../templates/registry_pin.html"),
    ),
    (
        "questions_set.html",
        include_str!("../templates/questions_set.html"),
    ),
    (
        "renew_questions.html",
        include_str!("../templates/renew_questions.html"),
    ),
];

impl Pages {
    /// Compiles the templates (HTML auto-escaping by file name).
    pub fn new() -> Self {
        let mut env = Environment::new();
        // A misspelt text key or a value the handler did not pass fails the render (a 500 the
        // tests see) instead of printing nothing; `{% if x %}` on an absent value stays false.
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        for (name, source) in TEMPLATES {
            // The templates are compiled in; a broken one fails the unit test `templates_compile`
            // and renders as the generic error page.
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "template does not compile");
            }
        }
        Pages {
            env,
            operator: ::service::config::OperatorConfig::default(),
        }
    }

    /// The pages of an installation: its operator in every footer.
    pub fn with_operator(operator: ::service::config::OperatorConfig) -> Self {
        Pages {
            operator,
            ..Self::new()
        }
    }

    /// The privacy notice (`privacy`) or the accessibility statement (`accessibility`) in a
    /// language, as paragraphs: the configured text, or the catalogue's default for the operator.
    pub fn info_text(&self, which: &str, lang: Lang) -> Vec<String> {
        let o = &self.operator;
        let configured = match (which, lang) {
            ("privacy", Lang::Cs) => &o.privacy_cs,
            ("privacy", Lang::En) => &o.privacy_en,
            (_, Lang::Cs) => &o.accessibility_cs,
            (_, Lang::En) => &o.accessibility_en,
        };
        let text = configured.clone().unwrap_or_else(|| {
            let name = if lang == Lang::En {
                &o.name_en
            } else {
                &o.name
            };
            lang.format(
                &format!("{which}_text"),
                &[
                    ("operator", name.into()),
                    ("email", (&o.helpdesk_email).into()),
                    ("phone", (&o.helpdesk_phone).into()),
                ],
            )
        });
        text.split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// Renders a page in a language; a failure is logged and becomes a plain 500.
    pub fn render(&self, name: &str, lang: Lang, path: &str, ctx: Value) -> Result<String, String> {
        // The registry's pages carry the registry's name, not the citizens' portal's.
        let area = if path == "/registry" || path.starts_with("/registry/") {
            "registry"
        } else {
            "citizen"
        };
        let o = &self.operator;
        let operator_name = if lang == Lang::En {
            &o.name_en
        } else {
            &o.name
        };
        let operator = context! {
            footer => lang.format("footer_operator", &[("operator", operator_name.into())]),
            helpdesk => lang.format("footer_helpdesk", &[
                ("phone", (&o.helpdesk_phone).into()),
                ("email", (&o.helpdesk_email).into()),
            ]),
        };
        let base = context! {
            area,
            operator,
            lang => lang.code(),
            t => lang.table(),
            path => path,
        };
        self.env
            .get_template(name)
            .and_then(|t| t.render(context! { ..ctx, ..base }))
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_compile_and_every_key_has_both_languages() {
        let pages = Pages::new();
        for (name, _) in TEMPLATES {
            assert!(pages.env.get_template(name).is_ok(), "{name}");
        }
        let html = pages
            .render(
                "message.html",
                Lang::En,
                "/x",
                context! { heading => "<b>", text => "t", link => "/", link_text => "home" },
            )
            .unwrap();
        assert!(
            html.contains("&lt;b&gt;") && !html.contains("<b>"),
            "{html}"
        );
        assert!(html.contains("lang=\"en\""));
    }

    #[test]
    fn a_misspelt_text_key_fails_the_render() {
        let pages = Pages::new();
        let t = Lang::En.table();
        let ok = pages
            .env
            .render_str("{{ t.to_home }}", context! { t => t.clone() });
        assert!(ok.is_ok_and(|s| !s.is_empty()));
        let err = pages.env.render_str("{{ t.to_hoem }}", context! { t => t });
        assert!(err.is_err(), "an undefined key must not render empty");
    }
}
