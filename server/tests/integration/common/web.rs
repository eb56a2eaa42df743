//! A browser for in-process page tests: a cookie jar that checks every `Set-Cookie`
//! (SECURITY.md 21), same-origin form posts with CSRF headers, and the SMS outbox.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

use super::Harness;

/// A browser: a cookie jar, an IP, and same-origin form posts.
#[derive(Default, Clone)]
pub struct Browser {
    pub cookies: HashMap<String, String>,
    pub ip: Option<SocketAddr>,
    pub cross_site: bool,
}

#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Page {
    pub fn csrf(&self) -> String {
        let i = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a csrf field");
        let rest = &self.body[i + 19..];
        rest[..rest.find('"').unwrap()].to_string()
    }
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .map_or("", |v| v.to_str().unwrap())
    }
}

pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Browser {
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn send(&mut self, h: &Harness, mut req: Request<Body>) -> Page {
        if let Some(ip) = self.ip {
            req.extensions_mut().insert(ConnectInfo(ip));
        }
        let resp = server::app(h.app.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        for c in headers.get_all("set-cookie") {
            let c = c.to_str().unwrap();
            let (kv, attrs) = c.split_once(';').unwrap();
            assert_eq!(
                attrs.trim_end_matches("; Max-Age=0"),
                " Secure; HttpOnly; SameSite=Strict; Path=/",
                "cookie attributes (SECURITY.md 21): {c}"
            );
            let (k, v) = kv.split_once('=').unwrap();
            assert!(k.starts_with("__Host-"), "{k}");
            if c.ends_with("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        let bytes = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Page {
            status,
            headers,
            // minijinja escapes `/` in text and attributes; browsers read `&#x2f;` as `/`.
            body: String::from_utf8_lossy(&bytes).replace("&#x2f;", "/"),
            bytes,
        }
    }

    pub async fn get(&mut self, h: &Harness, path: &str) -> Page {
        let req = Request::get(path)
            .header("cookie", self.cookie_header())
            .body(Body::empty())
            .unwrap();
        self.send(h, req).await
    }

    /// Citizen login step 1: the home page's form with a birth number and an ID-card number.
    pub async fn citizen_login(&mut self, h: &Harness, bn: &str, id_card: &str) -> Page {
        let csrf = self.get(h, "/").await.csrf();
        let fields = [
            ("csrf", csrf.as_str()),
            ("birth_number", bn),
            ("id_card", id_card),
        ];
        self.post(h, "/login", &fields).await
    }

    /// Citizen login step 2: the code page's form with `code`.
    pub async fn citizen_code(&mut self, h: &Harness, code: &str) -> Page {
        let p = self.get(h, "/login/code").await;
        self.post(h, "/login/code", &[("csrf", &p.csrf()), ("code", code)])
            .await
    }

    /// Registry sign-in step 1: the sign-in page's form with username, PIN and the right captcha.
    pub async fn registry_login(&mut self, h: &Harness, username: &str, pin: &str) -> Page {
        let p = self.get(h, "/registry").await;
        let captcha = super::registry::captcha_id(&p);
        let csrf = p.csrf();
        let fields = [
            ("csrf", csrf.as_str()),
            ("username", username),
            ("pin", pin),
            ("captcha_id", captcha.as_str()),
            ("captcha", super::CAPTCHA),
        ];
        self.post(h, "/registry/login", &fields).await
    }

    /// Registry sign-in step 2: the code page's form with `code`.
    pub async fn registry_code(&mut self, h: &Harness, code: &str) -> Page {
        let p = self.get(h, "/registry/login/code").await;
        self.post(
            h,
            "/registry/login/code",
            &[("csrf", &p.csrf()), ("code", code)],
        )
        .await
    }

    pub async fn post(&mut self, h: &Harness, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = Request::post(path)
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .header(
                "sec-fetch-site",
                if self.cross_site {
                    "cross-site"
                } else {
                    "same-origin"
                },
            )
            .body(Body::from(body))
            .unwrap();
        self.send(h, req).await
    }
}

/// Delivers the outbox and returns the SMS sent since the last call.
pub async fn deliver(h: &Harness) -> Vec<(String, String)> {
    server::outbox::run_once(&h.app).await.unwrap();
    std::mem::take(&mut *h.sms.sent.lock().unwrap())
}

pub fn code_of(sms: &str) -> String {
    otp_in(sms).unwrap_or_else(|| panic!("no code in {sms:?}"))
}

/// The code in an OTP message; the whole message must match the template (SECURITY.md 4): the
/// configured service name (the harness keeps the defaults), the purpose, the code and its
/// validity (5 minutes, 10 for a code to a new contact), in Czech then English.
pub fn otp_in(sms: &str) -> Option<String> {
    let names = server::config::OperatorConfig::default();
    otp_named(sms, &names.service_name, &names.service_name_en)
}

/// [`otp_in`] for the service names `cs` and `en`.
pub fn otp_named(sms: &str, cs: &str, en: &str) -> Option<String> {
    let rest = sms.strip_prefix(&format!("{cs}: kód pro "))?;
    let (_, after) = rest.split_once(" je ")?;
    let code = after.get(..6)?;
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let tail = after.get(6..)?.strip_prefix(", platí ")?;
    let (minutes, english) = tail.split_once(" min. / ")?;
    if !["5", "10"].contains(&minutes) || !english.starts_with(&format!("{en}: ")) {
        return None;
    }
    sms.ends_with(&format!(" code {code}, valid {minutes} min."))
        .then(|| code.to_string())
}
