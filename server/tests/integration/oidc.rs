//! Login through NIA (seed 002, SECURITY.md threat model): dcc as an OpenID Connect relying
//! party against a small OpenID provider this test starts on loopback. The provider serves
//! discovery and its keys, answers the authorization request at once with a code, checks the
//! client's authentication, the redirect URI and the PKCE verifier at the token endpoint, and
//! signs ID tokens with an RSA key generated here; a switch makes it forge one claim at a time.

use crate::common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use common::{Backend, Harness, BN_IDENTIFIED, BN_UNKNOWN};
use http_body_util::BodyExt as _;
use openidconnect::core::{CoreJsonWebKeySet, CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey};
use openidconnect::url::Url;
use openidconnect::{
    AccessToken, Audience, IdTokenClaims, IssuerUrl, JsonWebKeyId, Nonce, PrivateSigningKey as _,
    StandardClaims, SubjectIdentifier,
};
use serde_json::{json, Value};
use server::service::nia::{NiaClaims, NiaIdToken};
use sha2::Digest as _;
use tower::ServiceExt as _;

pub(crate) const CLIENT_ID: &str = "dcc-portal";
pub(crate) const CLIENT_SECRET: &str = "s3cret-of-the-portal";
const BASE_URL: &str = "https://dcc.test";
const REDIRECT_URI: &str = "https://dcc.test/login/nia/callback";

// ---------------------------------------------------------------------------------------------
// The OpenID provider.

/// What the provider forges in the next ID token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Forge {
    Nothing,
    Nonce,
    Audience,
    Issuer,
    OtherKey,
    Expired,
    NoClaim,
}

struct Pending {
    challenge: String,
    nonce: Option<String>,
    redirect_uri: String,
}

pub(crate) struct Op {
    issuer: String,
    key_pem: String,
    other_key_pem: String,
    /// The time the provider issues tokens at (the harness's clock).
    pub(crate) now: i64,
    /// The birth number the provider asserts.
    bn: String,
    forge: Forge,
    codes: HashMap<String, Pending>,
    /// Token requests the provider refused (bad client, code, redirect URI or verifier).
    pub(crate) refused: Vec<String>,
    tokens_issued: usize,
    /// Whether the authorization endpoint answers a page whose link leads back (the user's
    /// click at the provider, as at NIA: the navigation back starts on the provider's site)
    /// rather than redirecting at once.
    pub(crate) interactive: bool,
}

pub(crate) type Shared = Arc<Mutex<Op>>;

/// A 2048-bit RSA key as PKCS#1 PEM (what `CoreRsaPrivateSigningKey::from_pem` reads).
fn rsa_pem() -> String {
    use rsa::pkcs1::EncodeRsaPrivateKey as _;
    use rsa::pkcs8::DecodePrivateKey as _;
    let der = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256)
        .unwrap()
        .serialize_der();
    rsa::RsaPrivateKey::from_pkcs8_der(&der)
        .unwrap()
        .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
        .unwrap()
        .to_string()
}

fn signing_key(pem: &str) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new("k1".into()))).unwrap()
}

fn at(secs: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(secs, 0).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

async fn discovery(State(op): State<Shared>) -> Json<Value> {
    let iss = op.lock().unwrap().issuer.clone();
    Json(json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "jwks_uri": format!("{iss}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid"],
    }))
}

async fn jwks(State(op): State<Shared>) -> Json<Value> {
    let pem = op.lock().unwrap().key_pem.clone();
    let set = CoreJsonWebKeySet::new(vec![signing_key(&pem).as_verification_key()]);
    Json(serde_json::to_value(set).unwrap())
}

/// Authenticates the user at once and sends the browser back with a code and the state.
async fn authorize(State(op): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let ok = q.get("response_type").map(String::as_str) == Some("code")
        && q.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && q.get("code_challenge_method").map(String::as_str) == Some("S256")
        && q.get("scope")
            .is_some_and(|s| s.split(' ').any(|s| s == "openid"));
    let (Some(redirect), Some(challenge), true) =
        (q.get("redirect_uri"), q.get("code_challenge"), ok)
    else {
        return (StatusCode::BAD_REQUEST, "bad authorization request").into_response();
    };
    let code = b64(&rand_bytes());
    op.lock().unwrap().codes.insert(
        code.clone(),
        Pending {
            challenge: challenge.clone(),
            nonce: q.get("nonce").cloned(),
            redirect_uri: redirect.clone(),
        },
    );
    let mut back = Url::parse(redirect).unwrap();
    back.query_pairs_mut().append_pair("code", &code);
    if let Some(state) = q.get("state") {
        back.query_pairs_mut().append_pair("state", state);
    }
    if op.lock().unwrap().interactive {
        let href = back.to_string().replace('&', "&amp;");
        return axum::response::Html(format!(
            "<!doctype html><html lang=\"cs\"><head><meta charset=\"utf-8\"><title>NIA</title>\
             </head><body><main><h1>NIA</h1><a id=\"nia-continue\" href=\"{href}\">\
             Pokračovat</a></main></body></html>"
        ))
        .into_response();
    }
    (StatusCode::FOUND, [(header::LOCATION, back.to_string())]).into_response()
}

fn rand_bytes() -> [u8; 16] {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b).unwrap();
    b
}

/// The token endpoint: client_secret_basic, a known code for the same redirect URI, and the
/// PKCE verifier of its challenge; then an ID token, forged as the switch says.
async fn token(
    State(op): State<Shared>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let mut op = op.lock().unwrap();
    let basic = format!("Basic {}", {
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    });
    let refuse = |op: &mut Op, why: &str| {
        op.refused.push(why.to_string());
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response()
    };
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(basic.as_str())
    {
        return refuse(&mut op, "client authentication");
    }
    if f.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return refuse(&mut op, "grant_type");
    }
    let Some(pending) = f.get("code").and_then(|c| op.codes.remove(c)) else {
        return refuse(&mut op, "unknown code");
    };
    if f.get("redirect_uri") != Some(&pending.redirect_uri) {
        return refuse(&mut op, "redirect_uri");
    }
    let verifier = f.get("code_verifier").cloned().unwrap_or_default();
    if b64(&sha2::Sha256::digest(verifier.as_bytes())) != pending.challenge {
        return refuse(&mut op, "code_verifier");
    }
    let access = AccessToken::new(b64(&rand_bytes()));
    let now = op.now;
    let forge = op.forge;
    let issuer = if forge == Forge::Issuer {
        "http://127.0.0.1:9/someone-else".to_string()
    } else {
        op.issuer.clone()
    };
    let audience = if forge == Forge::Audience {
        "another-client"
    } else {
        CLIENT_ID
    };
    let nonce = if forge == Forge::Nonce {
        Some("a-nonce-of-another-login".to_string())
    } else {
        pending.nonce.clone()
    };
    let (iat, exp) = if forge == Forge::Expired {
        (now - 400, now - 100)
    } else {
        (now, now + 300)
    };
    let mut extra = serde_json::Map::new();
    if forge != Forge::NoClaim {
        extra.insert("birth_number".into(), Value::from(op.bn.clone()));
    }
    let claims = IdTokenClaims::new(
        IssuerUrl::new(issuer).unwrap(),
        vec![Audience::new(audience.into())],
        at(exp),
        at(iat),
        StandardClaims::new(SubjectIdentifier::new("nia-pairwise-42".into())),
        NiaClaims { other: extra },
    )
    .set_nonce(nonce.map(Nonce::new));
    let key = if forge == Forge::OtherKey {
        signing_key(&op.other_key_pem)
    } else {
        signing_key(&op.key_pem)
    };
    let id_token = NiaIdToken::new(
        claims,
        &key,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        Some(&access),
        None,
    )
    .unwrap();
    op.tokens_issued += 1;
    Json(json!({
        "access_token": access.secret(),
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token.to_string(),
    }))
    .into_response()
}

/// Starts the provider on 127.0.0.1:0; its issuer has a path, as real ones often do. Its
/// authorization endpoint sends the browser back to the request's `redirect_uri`, so the
/// browser tests use it too.
pub(crate) async fn provider() -> (String, Shared) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}/nia", listener.local_addr().unwrap());
    let (key_pem, other_key_pem) = (rsa_pem(), rsa_pem());
    let op = Arc::new(Mutex::new(Op {
        issuer: issuer.clone(),
        key_pem,
        other_key_pem,
        now: 0,
        bn: BN_IDENTIFIED.into(),
        forge: Forge::Nothing,
        codes: HashMap::new(),
        refused: Vec::new(),
        tokens_issued: 0,
        interactive: false,
    }));
    let app = Router::new()
        .route("/nia/.well-known/openid-configuration", get(discovery))
        .route("/nia/jwks", get(jwks))
        .route("/nia/authorize", get(authorize))
        .route("/nia/token", post(token))
        .with_state(op.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (issuer, op)
}

/// A harness whose portal logs in through the provider at `issuer`.
async fn harness(backend: Backend, issuer: &str, op: &Shared) -> Harness {
    let h = Harness::with(
        backend,
        &[
            ("DCC_OIDC_ISSUER", issuer),
            ("DCC_OIDC_CLIENT_ID", CLIENT_ID),
            ("DCC_OIDC_CLIENT_SECRET", CLIENT_SECRET),
            ("DCC_BASE_URL", BASE_URL),
        ],
        true,
    )
    .await;
    op.lock().unwrap().now = h.clock_now();
    h
}

// ---------------------------------------------------------------------------------------------
// The browser.

/// A browser: a cookie jar; requests go to the app in process.
#[derive(Default, Clone)]
struct Browser {
    cookies: HashMap<String, String>,
}

#[derive(Debug)]
struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
    set_cookies: Vec<String>,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get("location")
            .map_or("", |v| v.to_str().unwrap())
    }
}

impl Browser {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn get(&mut self, h: &Harness, path: &str) -> Page {
        let req = Request::get(path)
            .header("cookie", self.cookie_header())
            .body(Body::empty())
            .unwrap();
        self.send(h, req).await
    }

    /// A same-origin form post.
    async fn post(&mut self, h: &Harness, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", common::web::encode(k), common::web::encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = Request::post(path)
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        self.send(h, req).await
    }

    async fn send(&mut self, h: &Harness, req: Request<Body>) -> Page {
        let resp = server::app(h.app.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let mut set_cookies = Vec::new();
        for c in headers.get_all("set-cookie") {
            let c = c.to_str().unwrap().to_string();
            let (kv, attrs) = c.split_once(';').unwrap();
            let (k, v) = kv.split_once('=').unwrap();
            assert!(k.starts_with("__Host-"), "{k}");
            let attrs = match attrs.rsplit_once("; Max-Age=") {
                Some((a, n)) if n.bytes().all(|b| b.is_ascii_digit()) => a,
                _ => attrs,
            };
            let same_site = if k == "__Host-dcc-nia" {
                "Lax"
            } else {
                "Strict"
            };
            assert_eq!(
                attrs,
                format!(" Secure; HttpOnly; SameSite={same_site}; Path=/"),
                "cookie attributes: {c}"
            );
            if c.ends_with("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
            set_cookies.push(k.to_string());
        }
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).replace("&#x2f;", "/"),
            set_cookies,
        }
    }
}

fn query_of(url: &str) -> HashMap<String, String> {
    Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// `/login/nia`, then the provider: the authorization request's parameters and the callback
/// (path and query) the provider sends the browser back to.
async fn to_provider_and_back(h: &Harness, b: &mut Browser) -> (HashMap<String, String>, String) {
    to_provider_and_back_from(h, b, "/login/nia").await
}

/// The same, starting at `start` (`/login/nia` or `/registry/nia`).
async fn to_provider_and_back_from(
    h: &Harness,
    b: &mut Browser,
    start: &str,
) -> (HashMap<String, String>, String) {
    let p = b.get(h, start).await;
    back_from_provider(b, p).await
}

/// The browser, sent to the provider by `p`, comes back: the authorization request's
/// parameters and the callback (path and query).
async fn back_from_provider(b: &Browser, p: Page) -> (HashMap<String, String>, String) {
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(b.cookies.contains_key("__Host-dcc-nia"));
    let auth = p.location().to_string();
    let params = query_of(&auth);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = http.get(&auth).send().await.unwrap();
    assert_eq!(
        resp.status().as_u16(),
        302,
        "{}",
        resp.text().await.unwrap()
    );
    let back = resp.headers()["location"].to_str().unwrap().to_string();
    let callback = back
        .strip_prefix(BASE_URL)
        .expect("back to the configured origin")
        .to_string();
    assert!(callback.starts_with("/login/nia/callback?"), "{callback}");
    (params, callback)
}

/// The whole login; the callback's page.
async fn nia_login(h: &Harness, b: &mut Browser) -> Page {
    let (_, callback) = to_provider_and_back(h, b).await;
    b.get(h, &callback).await
}

/// A refusal: the generic page, 403, no session, the NIA cookie cleared.
fn assert_refused(p: &Page, b: &Browser, what: &str) {
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{what}: {}", p.body);
    assert!(
        p.body.contains("Přihlášení přes NIA se nezdařilo"),
        "{what}: {}",
        p.body
    );
    assert!(!b.cookies.contains_key("__Host-dcc-session"), "{what}");
    assert!(
        !p.set_cookies.iter().any(|c| c == "__Host-dcc-session"),
        "{what}"
    );
    assert!(!b.cookies.contains_key("__Host-dcc-nia"), "{what}");
}

async fn record_series(h: &Harness, bn: &str) -> Value {
    let (s, body, _) = h
        .send(h.post_record(&common::vaccination(bn, 2, 2, "2026-02-20", None), None))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    body
}

/// The reasons of the refused logins so far, oldest first, from the audit trail.
async fn refusals(h: &Harness) -> Vec<String> {
    use sqlx::Connection as _;
    let sql = "SELECT detail FROM audit_log WHERE event = 'login.failed' ORDER BY id";
    let details: Vec<String> = match h.backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&h.db.url).await.unwrap();
            sqlx::query_scalar(sql).fetch_all(&mut c).await.unwrap()
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&h.db.url).await.unwrap();
            sqlx::query_scalar(sql).fetch_all(&mut c).await.unwrap()
        }
    };
    details
        .iter()
        .map(|d| {
            let v: Value = serde_json::from_str(d).unwrap();
            assert_eq!(v["method"], "nia", "{d}");
            match v["check"].as_str() {
                Some(check) => format!("{}:{check}", v["reason"].as_str().unwrap()),
                None => v["reason"].as_str().unwrap().to_string(),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The tests.

/// (a) The whole flow logs in the person with that birth number; "My records" shows theirs.
async fn login_through_nia(backend: Backend) {
    let (issuer, op) = provider().await;
    let h = harness(backend, &issuer, &op).await;
    let rec = record_series(&h, BN_IDENTIFIED).await;
    let uvci = rec["certificate"]["uvci"].as_str().unwrap().to_string();
    let mut b = Browser::default();
    let home = b.get(&h, "/").await;
    assert!(home.body.contains("href=\"/login/nia\""), "{}", home.body);
    assert!(home
        .body
        .contains("Přihlásit se přes NIA (eObčanka, bankovní identita)"));
    assert!(b.cookies.contains_key("__Host-dcc-flow"));
    let (_, callback) = to_provider_and_back(&h, &mut b).await;
    let nia_cookie = b.cookies["__Host-dcc-nia"].clone();
    let p = b.get(&h, &callback).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("href=\"/me\""), "{}", p.body);
    assert!(p.body.contains("Pokračovat na Moje záznamy"));
    assert!(
        p.body.contains("/lang/en?next=/\""),
        "the language switch leads home"
    );
    assert_eq!(p.headers["cache-control"], "no-store");
    assert!(b.cookies.contains_key("__Host-dcc-session"));
    assert!(!b.cookies.contains_key("__Host-dcc-nia"), "used up");
    assert!(!b.cookies.contains_key("__Host-dcc-flow"), "discarded");
    {
        let op = op.lock().unwrap();
        assert!(op.refused.is_empty(), "{:?}", op.refused);
        assert_eq!(op.tokens_issued, 1);
    }
    let me = b.get(&h, "/me").await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert!(me.body.contains("Anežka Dvořáková"), "{}", me.body);
    assert!(me.body.contains(&uvci));
    // The pending request was used once: the same callback with the same cookie is refused.
    let mut replay = Browser::default();
    replay.cookies.insert("__Host-dcc-nia".into(), nia_cookie);
    let p = replay.get(&h, &callback).await;
    assert_refused(&p, &replay, "replayed callback");
    assert_eq!(refusals(&h).await, ["flow"]);
    h.finish().await;
}
both!(login_through_nia);

/// (b) A wrong or missing state, a missing or foreign cookie, a provider error: refused, each
/// with the same page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_and_cookie_are_checked() {
    let (issuer, op) = provider().await;
    let h = harness(Backend::Sqlite, &issuer, &op).await;
    record_series(&h, BN_IDENTIFIED).await;
    let mut pages = Vec::new();

    // A wrong state; the pending request is gone afterwards, so the right one fails too.
    let mut b = Browser::default();
    let (_, callback) = to_provider_and_back(&h, &mut b).await;
    let cookie = b.cookies["__Host-dcc-nia"].clone();
    let mut url = Url::parse(&format!("{BASE_URL}{callback}")).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                format!("{v}x")
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(&pairs);
    let wrong = format!("{}?{}", url.path(), url.query().unwrap());
    let p = b.get(&h, &wrong).await;
    assert_refused(&p, &b, "wrong state");
    pages.push(p.body);
    b.cookies.insert("__Host-dcc-nia".into(), cookie);
    let p = b.get(&h, &callback).await;
    assert_refused(&p, &b, "right state after a wrong one");
    pages.push(p.body);

    // No state at all.
    let mut b = Browser::default();
    let (_, callback) = to_provider_and_back(&h, &mut b).await;
    let code = query_of(&format!("{BASE_URL}{callback}"))["code"].clone();
    let p = b.get(&h, &format!("/login/nia/callback?code={code}")).await;
    assert_refused(&p, &b, "no state");
    pages.push(p.body);

    // Another browser (no NIA cookie: a forged login) and a foreign cookie.
    let mut victim = Browser::default();
    let (_, callback) = to_provider_and_back(&h, &mut victim).await;
    let mut attacker = Browser::default();
    let p = attacker.get(&h, &callback).await;
    assert_refused(&p, &attacker, "no cookie");
    pages.push(p.body);
    let mut other = Browser::default();
    to_provider_and_back(&h, &mut other).await;
    let p = other.get(&h, &callback).await;
    assert_refused(&p, &other, "another flow's cookie");
    pages.push(p.body);

    // The provider reports an error (the user cancelled).
    let mut b = Browser::default();
    let (params, _) = to_provider_and_back(&h, &mut b).await;
    let p = b
        .get(
            &h,
            &format!(
                "/login/nia/callback?error=access_denied&state={}",
                params["state"]
            ),
        )
        .await;
    assert_refused(&p, &b, "provider error");
    pages.push(p.body);

    // A malformed query and none.
    let mut b = Browser::default();
    to_provider_and_back(&h, &mut b).await;
    let p = b.get(&h, "/login/nia/callback?state=a&state=b").await;
    assert_refused(&p, &b, "repeated state");
    pages.push(p.body);
    let p = Browser::default().get(&h, "/login/nia/callback").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    pages.push(p.body);

    // An expired pending request (more than 10 minutes at the provider).
    let mut b = Browser::default();
    let (_, callback) = to_provider_and_back(&h, &mut b).await;
    h.clock.advance(time::Duration::minutes(11));
    let p = b.get(&h, &callback).await;
    assert_refused(&p, &b, "expired");
    pages.push(p.body);

    assert!(pages.windows(2).all(|w| w[0] == w[1]), "one page for all");
    assert_eq!(op.lock().unwrap().tokens_issued, 0, "no code was exchanged");
    assert_eq!(
        refusals(&h).await,
        ["state", "flow", "state", "flow", "state", "provider", "state", "flow", "flow"]
    );
    h.finish().await;
}

/// (c) ID tokens with a wrong nonce, audience or issuer, signed by another key, or expired:
/// refused. (d) A birth number with no person, or none: the same page.
async fn forged_id_tokens_are_refused(backend: Backend) {
    let (issuer, op) = provider().await;
    let h = harness(backend, &issuer, &op).await;
    record_series(&h, BN_IDENTIFIED).await;
    let mut pages = Vec::new();
    for forge in [
        Forge::Nonce,
        Forge::Audience,
        Forge::Issuer,
        Forge::OtherKey,
        Forge::Expired,
        Forge::NoClaim,
    ] {
        op.lock().unwrap().forge = forge;
        let mut b = Browser::default();
        let p = nia_login(&h, &mut b).await;
        assert_refused(&p, &b, &format!("{forge:?}"));
        pages.push(p.body);
    }
    op.lock().unwrap().forge = Forge::Nothing;
    for bn in [BN_UNKNOWN, "not a birth number"] {
        op.lock().unwrap().bn = bn.into();
        let mut b = Browser::default();
        let p = nia_login(&h, &mut b).await;
        assert_refused(&p, &b, bn);
        pages.push(p.body);
    }
    {
        let op = op.lock().unwrap();
        assert!(op.refused.is_empty(), "{:?}", op.refused);
        assert_eq!(op.tokens_issued, 8, "every code was exchanged");
    }
    assert!(pages.windows(2).all(|w| w[0] == w[1]), "one page for all");
    assert_eq!(
        refusals(&h).await,
        [
            "id_token:nonce",
            "id_token:audience",
            "id_token:issuer",
            "id_token:signature",
            "id_token:expired",
            "claim",
            "no_person",
            "claim"
        ]
    );
    // With the claim right again, the same provider logs the person in.
    op.lock().unwrap().bn = "7360280004".into();
    let mut b = Browser::default();
    let p = nia_login(&h, &mut b).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(b.get(&h, "/me").await.status, StatusCode::OK);
    h.finish().await;
}
both!(forged_id_tokens_are_refused);

/// (e) The authorization request: code flow, PKCE S256, a state, a nonce and exactly the
/// configured redirect URI; fresh values for every login.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_request_carries_pkce_state_nonce_and_the_exact_redirect_uri() {
    let (issuer, op) = provider().await;
    let h = harness(Backend::Sqlite, &issuer, &op).await;
    let mut seen = Vec::new();
    for _ in 0..2 {
        let mut b = Browser::default();
        let p = b.get(&h, "/login/nia").await;
        assert_eq!(p.status, StatusCode::SEE_OTHER);
        let loc = p.location().to_string();
        assert!(loc.starts_with(&format!("{issuer}/authorize?")), "{loc}");
        let q = query_of(&loc);
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], CLIENT_ID);
        assert_eq!(q["redirect_uri"], REDIRECT_URI);
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"].len(), 43, "base64url of SHA-256");
        assert!(q["scope"].split(' ').any(|s| s == "openid"));
        assert!(q["state"].len() >= 22, "state: 128 bits or more");
        assert!(q["nonce"].len() >= 22, "nonce: 128 bits or more");
        assert!(!q.contains_key("client_secret"));
        // The NIA cookie: Lax (the provider's redirect back is cross-site), 10 minutes.
        let set = p.headers["set-cookie"].to_str().unwrap();
        assert!(
            set.starts_with("__Host-dcc-nia=")
                && set.ends_with("SameSite=Lax; Path=/; Max-Age=600"),
            "{set}"
        );
        seen.push(q);
    }
    for k in ["state", "nonce", "code_challenge"] {
        assert_ne!(seen[0][k], seen[1][k], "{k} is fresh");
    }
    h.finish().await;
}

/// Without configuration there is no NIA login; an unreachable provider is a clear page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nia_is_offered_only_when_configured_and_reachable() {
    let h = Harness::new(Backend::Sqlite).await;
    let mut b = Browser::default();
    let home = b.get(&h, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(!home.body.contains("/login/nia"), "{}", home.body);
    assert_eq!(b.get(&h, "/login/nia").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        b.get(&h, "/login/nia/callback?code=a&state=b").await.status,
        StatusCode::NOT_FOUND
    );
    h.finish().await;

    // A provider that does not answer.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}/nia", closed.local_addr().unwrap());
    drop(closed);
    let op = provider().await.1;
    let h = harness(Backend::Sqlite, &issuer, &op).await;
    let mut b = Browser::default();
    let p = b.get(&h, "/login/nia").await;
    assert_eq!(p.status, StatusCode::SERVICE_UNAVAILABLE, "{}", p.body);
    assert!(p.body.contains("NIA je nedostupná"), "{}", p.body);
    assert!(!b.cookies.contains_key("__Host-dcc-nia"));
    h.finish().await;
}

/// A registry account registered by SMS with `bn` (through the service, code included).
async fn registry_user(h: &Harness, bn: &str) {
    use server::service::registry as reg;
    let now = h.clock_now();
    let flow = server::secrets::token_digest("registration-flow");
    reg::start_registration(&h.app, &flow, "+420601555777", bn, now)
        .await
        .unwrap()
        .unwrap();
    let sms = common::web::deliver(h).await;
    let code = common::web::code_of(&sms[0].1);
    reg::verify_registration(&h.app, &flow, &code, now)
        .await
        .unwrap()
        .unwrap();
    let details = reg::Details {
        name: "Jana Dvořáková".into(),
        email: "jana@nemocnice.example".into(),
        pin: "modrý kůň skáče přes plot".into(),
        pin2: "modrý kůň skáče přes plot".into(),
        channel: "sms".into(),
    };
    assert!(reg::finish_registration(&h.app, &flow, details, now)
        .await
        .unwrap()
        .unwrap());
}

/// Seed 000's alternative sign-in: NIA opens a registry session for the account registered
/// with the ID token's birth number (not a citizen session); without such an account the login
/// is refused like any other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_login_through_nia() {
    let (issuer, op) = provider().await;
    let h = harness(Backend::Sqlite, &issuer, &op).await;
    let mut b = Browser::default();
    let login = b.get(&h, "/registry").await;
    assert!(
        login.body.contains("href=\"/registry/nia\""),
        "{}",
        login.body
    );
    let (_, callback) = to_provider_and_back_from(&h, &mut b, "/registry/nia").await;
    let p = b.get(&h, &callback).await;
    assert_refused(&p, &b, "no registry account");
    assert!(!b.cookies.contains_key("__Host-dcc-registry"));
    assert_eq!(refusals(&h).await, ["no_person"]);

    registry_user(&h, BN_IDENTIFIED).await;
    let mut b = Browser::default();
    let (_, callback) = to_provider_and_back_from(&h, &mut b, "/registry/nia").await;
    let p = b.get(&h, &callback).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("href=\"/registry/account\""), "{}", p.body);
    assert!(b.cookies.contains_key("__Host-dcc-registry"));
    assert!(
        !b.cookies.contains_key("__Host-dcc-session"),
        "no citizen session"
    );
    let account = b.get(&h, "/registry/account").await;
    assert_eq!(account.status, StatusCode::OK, "{}", account.body);
    assert!(account.body.contains("Jana Dvořáková"));
    assert_eq!(b.get(&h, "/me").await.status, StatusCode::UNAUTHORIZED);
    // A citizen NIA login with the same birth number still opens a citizen session only.
    record_series(&h, BN_IDENTIFIED).await;
    let mut c = Browser::default();
    let p = nia_login(&h, &mut c).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(c.cookies.contains_key("__Host-dcc-session"));
    assert!(!c.cookies.contains_key("__Host-dcc-registry"));
    h.finish().await;
}

// ---------------------------------------------------------------------------------------------
// Linking a NIA identity to a registry account (issue #21).

const PHONE_B: &str = "+420601555701";
const EMAIL_B: &str = "petr@nemocnice.example";
const PHONE_C: &str = "+420601555702";
const EMAIL_C: &str = "eva@nemocnice.example";

/// A harness whose registry also takes registration certificates of `ca`; the directory holds
/// the CA file while the harness runs.
async fn harness_with_ca(
    backend: Backend,
    issuer: &str,
    op: &Shared,
    ca: &crate::registry::TestCa,
) -> (Harness, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("cas.pem");
    std::fs::write(&pem, ca.cert.pem()).unwrap();
    let h = Harness::with(
        backend,
        &[
            ("DCC_OIDC_ISSUER", issuer),
            ("DCC_OIDC_CLIENT_ID", CLIENT_ID),
            ("DCC_OIDC_CLIENT_SECRET", CLIENT_SECRET),
            ("DCC_BASE_URL", BASE_URL),
            ("DCC_REGISTRY_CAS", pem.to_str().unwrap()),
        ],
        true,
    )
    .await;
    op.lock().unwrap().now = h.clock_now();
    (h, dir)
}

/// A registry account registered by a personal certificate of `ca` (through the service, the
/// signed challenge and the SMS code included): its username.
pub(crate) async fn certificate_user(
    h: &Harness,
    ca: &crate::registry::TestCa,
    name: &str,
    phone: &str,
    email: &str,
) -> String {
    use server::service::registry as reg;
    let now = h.clock_now();
    let flow = server::secrets::token_digest(&format!("certificate-flow-{phone}"));
    let challenge = reg::certificate_challenge(&h.app, &flow, now);
    let (cert, key) = ca.issue(name);
    let signature = crate::registry::sign_b64(&key, &challenge);
    reg::start_certificate_registration(&h.app, &flow, phone, &challenge, &cert, &signature, now)
        .await
        .unwrap()
        .unwrap();
    let sms = common::web::deliver(h).await;
    let code = common::web::code_of(&sms.last().unwrap().1);
    reg::verify_registration(&h.app, &flow, &code, now)
        .await
        .unwrap()
        .unwrap();
    let details = reg::Details {
        name: name.into(),
        email: email.into(),
        pin: common::registry::PIN.into(),
        pin2: common::registry::PIN.into(),
        channel: "sms".into(),
    };
    assert!(reg::finish_registration(&h.app, &flow, details, now)
        .await
        .unwrap()
        .unwrap());
    let m = common::registry::mails(h).await;
    let (_, body) = m.iter().find(|(to, _)| to == email).unwrap();
    common::registry::username_in(body)
}

/// A browser signed in to the registry as `username` (PIN, captcha and the code to `phone`).
async fn signed_in(h: &Harness, username: &str, phone: &str) -> Browser {
    let b = common::registry::sign_in(h, username, phone).await;
    Browser { cookies: b.cookies }
}

fn csrf_of(p: &Page) -> String {
    let i = p.body.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    p.body[i..i + p.body[i..].find('"').unwrap()].to_string()
}

/// From the account page: "Link my NIA identity", the provider, and back; the callback URL.
async fn start_link(h: &Harness, b: &mut Browser) -> String {
    let account = b.get(h, "/registry/account").await;
    assert_eq!(account.status, StatusCode::OK, "{}", account.body);
    assert!(
        account.body.contains("action=\"/registry/nia/link\""),
        "{}",
        account.body
    );
    let p = b
        .post(h, "/registry/nia/link", &[("csrf", &csrf_of(&account))])
        .await;
    let (_, callback) = back_from_provider(b, p).await;
    callback
}

/// The whole link; the callback's page.
async fn link(h: &Harness, b: &mut Browser) -> Page {
    let callback = start_link(h, b).await;
    b.get(h, &callback).await
}

/// A registry sign-in through NIA; the callback's page and the browser.
async fn registry_nia(h: &Harness) -> (Page, Browser) {
    let mut n = Browser::default();
    let (_, callback) = to_provider_and_back_from(h, &mut n, "/registry/nia").await;
    let p = n.get(h, &callback).await;
    (p, n)
}

/// Whether the account page offers linking (not linked) or unlinking (linked).
async fn linked(h: &Harness, b: &mut Browser) -> bool {
    let account = b.get(h, "/registry/account").await;
    let link = account.body.contains("action=\"/registry/nia/link\"");
    let unlink = account.body.contains("action=\"/registry/nia/unlink\"");
    assert!(link != unlink, "{}", account.body);
    unlink
}

/// (a) An account registered by certificate cannot sign in through NIA until its holder links
/// the NIA identity from the account page; then it can, the link is audited under the user's
/// pseudonym and notified by SMS and e-mail. (d) Unlinked, NIA sign-in fails again.
async fn certificate_account_links_its_nia_identity(backend: Backend) {
    let sink = common::Sink::default();
    sink.install();
    let (issuer, op) = provider().await;
    let ca = crate::registry::TestCa::new("dcc test qualified CA");
    let (h, _dir) = harness_with_ca(backend, &issuer, &op, &ca).await;
    let username = certificate_user(&h, &ca, "MUDr. Petr Svoboda", PHONE_B, EMAIL_B).await;
    let user_id = common::registry::user_id(&h, &username).await;
    let pseudonym = Some(h.app.secrets.pseudonym(user_id.as_bytes()));

    let (p, n) = registry_nia(&h).await;
    assert_refused(&p, &n, "a certificate account before linking");
    assert!(!n.cookies.contains_key("__Host-dcc-registry"));

    let mut b = signed_in(&h, &username, PHONE_B).await;
    let account = b.get(&h, "/registry/account").await;
    assert!(
        account.body.contains("Propojit s identitou NIA"),
        "{}",
        account.body
    );
    // Browsers apply `form-action` to the form's redirect as well: the page lets it go to the
    // provider.
    let csp = account.headers["content-security-policy"].to_str().unwrap();
    let origin = issuer.strip_suffix("/nia").unwrap();
    assert!(
        csp.ends_with(&format!("form-action 'self' {origin}")),
        "{csp}"
    );
    assert!(!linked(&h, &mut b).await);
    let p = link(&h, &mut b).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Identita NIA je propojena"), "{}", p.body);
    assert!(p.body.contains("href=\"/registry/account\""), "{}", p.body);
    assert!(!b.cookies.contains_key("__Host-dcc-nia"), "used up");
    assert!(linked(&h, &mut b).await);
    assert_eq!(
        common::audit_column(&h, "subject", "registry.nia_linked").await,
        std::slice::from_ref(&pseudonym)
    );
    let sms = common::web::deliver(&h).await;
    assert!(
        sms.iter()
            .any(|(to, text)| to == PHONE_B && text.contains("propojena identita NIA")),
        "{sms:?}"
    );
    let mails = common::registry::mails(&h).await;
    assert!(
        mails
            .iter()
            .any(|(to, text)| to == EMAIL_B && text.contains("NIA identity was just linked")),
        "{mails:?}"
    );

    // NIA signs the holder in to the account now.
    let (p, mut n) = registry_nia(&h).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(n.cookies.contains_key("__Host-dcc-registry"));
    let account = n.get(&h, "/registry/account").await;
    assert!(
        account.body.contains("MUDr. Petr Svoboda"),
        "{}",
        account.body
    );

    // (d) Unlinked: NIA sign-in is refused again.
    let account = b.get(&h, "/registry/account").await;
    let p = b
        .post(&h, "/registry/nia/unlink", &[("csrf", &csrf_of(&account))])
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Propojení s NIA je zrušeno"), "{}", p.body);
    assert!(!linked(&h, &mut b).await);
    assert_eq!(
        common::audit_column(&h, "subject", "registry.nia_unlinked").await,
        [pseudonym]
    );
    let sms = common::web::deliver(&h).await;
    assert!(
        sms.iter()
            .any(|(to, text)| to == PHONE_B && text.contains("identitou NIA bylo právě zrušeno")),
        "{sms:?}"
    );
    let (p, n) = registry_nia(&h).await;
    assert_refused(&p, &n, "after unlinking");
    assert_eq!(refusals(&h).await, ["no_person", "no_person"]);

    // No birth number in any form in the log or the audit trail (SECURITY.md 45).
    let log = sink.text();
    let audit = format!("{:?}", h.app.store.audit_events(1000).await.unwrap());
    for bn in [BN_IDENTIFIED.to_string(), BN_IDENTIFIED.replace('/', "")] {
        assert!(!log.contains(&bn), "the log holds the birth number");
        assert!(
            !audit.contains(&bn),
            "the audit trail holds the birth number"
        );
    }
    h.finish().await;
}
both!(certificate_account_links_its_nia_identity);

/// (b) One account per person: linking is refused, with a page saying why and naming no
/// account, when the birth number belongs to an account registered with it or is linked to
/// another account; nothing is linked then.
async fn link_is_refused_when_the_person_has_another_account(backend: Backend) {
    let (issuer, op) = provider().await;
    let ca = crate::registry::TestCa::new("dcc test qualified CA");
    let (h, _dir) = harness_with_ca(backend, &issuer, &op, &ca).await;
    registry_user(&h, BN_IDENTIFIED).await;
    let petr = certificate_user(&h, &ca, "MUDr. Petr Svoboda", PHONE_B, EMAIL_B).await;
    let eva = certificate_user(&h, &ca, "MUDr. Eva Malá", PHONE_C, EMAIL_C).await;
    let mut b = signed_in(&h, &petr, PHONE_B).await;

    // The birth number of the account registered by SMS.
    let p = link(&h, &mut b).await;
    assert_eq!(p.status, StatusCode::CONFLICT, "{}", p.body);
    assert!(
        p.body
            .contains("s tímto rodným číslem je v registru zaregistrován jiný účet"),
        "{}",
        p.body
    );
    assert!(
        !p.body.contains("Jana Dvořáková"),
        "no name of the other account"
    );
    assert!(!b.cookies.contains_key("__Host-dcc-nia"), "used up");
    assert!(!linked(&h, &mut b).await);

    // A birth number linked to another account.
    op.lock().unwrap().bn = common::BN_OTHER.into();
    let mut c = signed_in(&h, &eva, PHONE_C).await;
    assert_eq!(link(&h, &mut c).await.status, StatusCode::OK);
    let p = link(&h, &mut b).await;
    assert_eq!(p.status, StatusCode::CONFLICT, "{}", p.body);
    assert!(
        p.body
            .contains("tato identita je už propojena s jiným účtem"),
        "{}",
        p.body
    );
    assert!(!p.body.contains("Eva Malá"), "no name of the other account");
    assert!(!linked(&h, &mut b).await);
    assert_eq!(
        common::audit_column(&h, "subject", "registry.nia_linked")
            .await
            .len(),
        1
    );
    // NIA still signs in the account that linked it.
    let (p, mut n) = registry_nia(&h).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let account = n.get(&h, "/registry/account").await;
    assert!(account.body.contains("MUDr. Eva Malá"), "{}", account.body);
    assert_eq!(
        refusals(&h).await,
        ["registered_elsewhere", "linked_elsewhere"]
    );
    // Registering by SMS with the linked birth number makes no second account: the account
    // that linked it is told instead.
    common::registry::mails(&h).await;
    common::web::deliver(&h).await;
    h.clock.advance(time::Duration::seconds(61)); // the registration flow's resend wait
    registry_user(&h, common::BN_OTHER).await;
    let bn = server::validate::birth_number(common::BN_OTHER).unwrap();
    let index = h.app.secrets.birth_number_index(&bn);
    assert!(h
        .app
        .store
        .user_by_bn_index(&index)
        .await
        .unwrap()
        .is_none());
    let mails = common::registry::mails(&h).await;
    assert!(
        mails.len() == 1 && mails[0].0 == EMAIL_C,
        "a notice to the linked account only: {mails:?}"
    );
    h.finish().await;
}
both!(link_is_refused_when_the_person_has_another_account);

/// (c) A link needs the registry session of the user who asked. A callback with another
/// user's session is the common refusal. One without any (as browsers send it: the Strict
/// session cookie stays behind on the provider's redirect) keeps the identity for a same-site
/// confirmation, which links only with the asking user's session. Refusals link nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_callback_needs_the_session_of_the_user_who_asked() {
    let (issuer, op) = provider().await;
    let ca = crate::registry::TestCa::new("dcc test qualified CA");
    let (h, _dir) = harness_with_ca(Backend::Sqlite, &issuer, &op, &ca).await;
    let petr = certificate_user(&h, &ca, "MUDr. Petr Svoboda", PHONE_B, EMAIL_B).await;
    let eva = certificate_user(&h, &ca, "MUDr. Eva Malá", PHONE_C, EMAIL_C).await;
    let mut b = signed_in(&h, &petr, PHONE_B).await;
    let mut c = signed_in(&h, &eva, PHONE_C).await;
    let only_nia = |b: &Browser| {
        let mut bare = Browser::default();
        bare.cookies
            .insert("__Host-dcc-nia".into(), b.cookies["__Host-dcc-nia"].clone());
        bare
    };

    // No registry session on the callback: the confirmation page; confirmed without one.
    let callback = start_link(&h, &mut b).await;
    let mut bare = only_nia(&b);
    let p = bare.get(&h, &callback).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body.contains("action=\"/registry/nia/link/confirm\""),
        "{}",
        p.body
    );
    assert!(bare.cookies.contains_key("__Host-dcc-nia"), "kept");
    assert!(!linked(&h, &mut b).await);
    let p = bare
        .post(&h, "/registry/nia/link/confirm", &[("csrf", &csrf_of(&p))])
        .await;
    assert_refused(&p, &bare, "confirmed without a registry session");

    // Confirmed with Eva's session.
    let callback = start_link(&h, &mut b).await;
    let mut mixed = only_nia(&b);
    let p = mixed.get(&h, &callback).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    mixed.cookies.insert(
        "__Host-dcc-registry".into(),
        c.cookies["__Host-dcc-registry"].clone(),
    );
    let p = mixed
        .post(&h, "/registry/nia/link/confirm", &[("csrf", &csrf_of(&p))])
        .await;
    assert_refused(&p, &mixed, "confirmed with another user's session");

    // Confirmed by Petr, but after the 5 minutes the identity waits.
    let callback = start_link(&h, &mut b).await;
    let mut late = only_nia(&b);
    let p = late.get(&h, &callback).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    h.clock.advance(time::Duration::minutes(6));
    op.lock().unwrap().now = h.clock_now();
    late.cookies.insert(
        "__Host-dcc-registry".into(),
        b.cookies["__Host-dcc-registry"].clone(),
    );
    let p = late
        .post(&h, "/registry/nia/link/confirm", &[("csrf", &csrf_of(&p))])
        .await;
    assert_refused(&p, &late, "confirmed too late");

    // Eva's session on the callback of Petr's request.
    let callback = start_link(&h, &mut b).await;
    let mut mixed = c.clone();
    mixed
        .cookies
        .insert("__Host-dcc-nia".into(), b.cookies["__Host-dcc-nia"].clone());
    let p = mixed.get(&h, &callback).await;
    assert_refused(&p, &mixed, "another user's session");

    assert!(!linked(&h, &mut b).await);
    assert!(!linked(&h, &mut c).await);
    assert!(common::audit_column(&h, "subject", "registry.nia_linked")
        .await
        .is_empty());
    let (p, n) = registry_nia(&h).await;
    assert_refused(&p, &n, "nothing linked");
    assert_eq!(
        refusals(&h).await,
        ["session", "session", "flow", "session", "no_person"]
    );

    // Petr's own browser as browsers do it: the callback without the session cookie, then
    // the confirmation from its page with it.
    let callback = start_link(&h, &mut b).await;
    let session = b.cookies.remove("__Host-dcc-registry").unwrap();
    let p = b.get(&h, &callback).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    b.cookies.insert("__Host-dcc-registry".into(), session);
    let p = b
        .post(&h, "/registry/nia/link/confirm", &[("csrf", &csrf_of(&p))])
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Identita NIA je propojena"), "{}", p.body);
    assert!(!b.cookies.contains_key("__Host-dcc-nia"), "used up");
    assert!(linked(&h, &mut b).await);
    h.finish().await;
}
