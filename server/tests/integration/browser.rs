//! The citizen portal in a real browser: headless Chromium driven over WebDriver (chromedriver)
//! with `fantoccini`, against the server on a real loopback socket. A citizen logs in with birth
//! number, ID card and the SMS code and downloads the certificate; an old certificate's code is
//! exchanged through the scan form. Each downloaded PDF's QR code is read at 400 dpi and checked
//! at the server's `/verify`. Screenshots go to `target/screenshots/`.
//!
//! Chromium and chromedriver are required: without them these tests fail (never skip) and say
//! what to install (`.ci/run` installs the Debian packages `chromium chromium-driver`).

use crate::common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::chrome::{self, Chromedriver, PATIENCE};
use common::{Backend, Harness, BN_IDENTIFIED};
use fantoccini::Client;
use serde_json::{json, Value};
use server::service::exchange::Imported;

/// The server on a real loopback socket, its base URL `http://localhost:PORT`, a chromedriver and
/// a browser session.
struct Portal {
    h: Harness,
    base: String,
    addr: SocketAddr,
    server: tokio::task::JoinHandle<()>,
    client: Client,
    downloads: PathBuf,
    // Fields drop in order: chromedriver and Chromium are killed before their directory goes.
    _driver: Chromedriver,
    browser_dir: tempfile::TempDir,
}

impl Portal {
    async fn start() -> Portal {
        Self::start_with(&[], |_| Vec::new()).await
    }

    /// A portal whose server gets `env` and whose Chromium gets the switches `args` makes in
    /// the browser's directory.
    async fn start_with(env: &[(&str, &str)], args: impl FnOnce(&Path) -> Vec<String>) -> Portal {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // `localhost` is a secure context, so Chromium keeps the `Secure` `__Host-` cookies.
        let base = format!("http://localhost:{}", addr.port());
        let mut vars = vec![("DCC_BASE_URL", base.as_str())];
        vars.extend_from_slice(env);
        let h = Harness::with(Backend::Sqlite, &vars, true).await;
        let app = server::app(h.app.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        let browser_dir = tempfile::tempdir().unwrap();
        let downloads = browser_dir.path().join("downloads");
        std::fs::create_dir_all(&downloads).unwrap();
        let driver = Chromedriver::start(browser_dir.path());
        let extra = args(browser_dir.path());
        let client = driver
            .browser(&browser_dir.path().join("profile"), &downloads, &extra)
            .await;
        Portal {
            h,
            base,
            addr,
            server,
            client,
            downloads,
            browser_dir,
            _driver: driver,
        }
    }

    async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    /// Waits for an element to appear (after a navigation).
    async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        chrome::wait_for(&self.client, css).await
    }

    /// Waits for the element and clicks it.
    async fn click(&self, css: &str) {
        chrome::click(&self.client, css).await;
    }

    async fn type_into(&self, css: &str, text: &str) {
        chrome::type_into(&self.client, css, text).await;
    }

    async fn main_text(&self) -> String {
        chrome::main_text(&self.client).await
    }

    async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_string()
    }

    /// The accessibility check, then a screenshot ([`chrome::screenshot`]).
    async fn screenshot(&self, name: &str) -> PathBuf {
        chrome::screenshot(&self.client, name).await
    }

    /// Waits for the one finished PDF in the download directory.
    async fn downloaded_pdf(&self) -> (PathBuf, Vec<u8>) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let files: Vec<PathBuf> = std::fs::read_dir(&self.downloads)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            let pdfs: Vec<&PathBuf> = files
                .iter()
                .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
                .collect();
            if let [pdf] = pdfs.as_slice() {
                let bytes = std::fs::read(pdf).unwrap();
                if bytes.starts_with(b"%PDF") && bytes.trim_ascii_end().ends_with(b"%%EOF") {
                    return ((*pdf).clone(), bytes);
                }
            }
            assert!(pdfs.len() <= 1, "one download: {files:?}");
            assert!(
                Instant::now() < deadline,
                "no PDF downloaded within {PATIENCE:?}: {files:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Reads the QR code of the PDF's first page at 400 dpi (rqrr needs ≥ 10 pixels per module).
    fn qr_of(&self, pdf: &Path) -> String {
        self.qr_at(pdf, 400)
    }

    /// Reads the QR code of the PDF's first page rasterised at `dpi`.
    fn qr_at(&self, pdf: &Path, dpi: u32) -> String {
        let out = self.browser_dir.path().join("page");
        let dpi = dpi.to_string();
        let status = Command::new("pdftoppm")
            .args(["-png", "-r", &dpi, "-singlefile", "-f", "1", "-l", "1"])
            .arg(pdf)
            .arg(&out)
            .status()
            .expect("pdftoppm (poppler-utils) must be installed; .ci/run installs it");
        assert!(status.success(), "pdftoppm {status}");
        let png = std::fs::read(out.with_extension("png")).unwrap();
        verifier::qr::decode(&png).unwrap_or_else(|e| panic!("the PDF's QR code: {e}"))
    }

    /// The server's verdict on `hc1`, over the socket (`POST /verify`).
    async fn verify(&self, hc1: &str) -> Value {
        let resp = reqwest::Client::new()
            .post(format!("http://{}/verify", self.addr))
            .json(&json!({ "hc1": hc1 }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), reqwest::StatusCode::OK);
        resp.json().await.unwrap()
    }

    async fn finish(self) {
        self.client.close().await.unwrap();
        self.server.abort();
        self.h.finish().await;
    }
}

/// Every page a visitor reaches without an account, in Czech and in English, passes axe-core
/// (0 critical, 0 serious); the signed-in pages are checked where the flows below take their
/// screenshots.
#[tokio::test]
async fn public_pages_pass_the_accessibility_check() {
    let p = Portal::start().await;
    let pages = [
        ("home", "/"),
        ("privacy", "/privacy"),
        ("accessibility", "/accessibility"),
        ("exchange-scan", "/exchange"),
        ("scanner", "/verify"),
        ("registry-login", "/registry"),
        ("registry-login-email", "/registry/login/email"),
        ("registry-register", "/registry/register"),
        ("renew-start", "/registry/renew"),
        ("renew-email", "/registry/renew/email"),
        ("not-found", "/no/such/page"),
    ];
    for lang in ["cs", "en"] {
        p.goto(&format!("/lang/{lang}?next=/")).await;
        for (name, path) in pages {
            p.goto(path).await;
            let html_lang = p.wait_for("html").await.attr("lang").await.unwrap();
            assert_eq!(html_lang.as_deref(), Some(lang), "{path}");
            p.screenshot(&format!("public-{name}-{lang}")).await;
        }
    }
    p.finish().await;
}

/// The code in the OTP message "Certifikát COVID-19: kód pro … je 123456, platí 5 min. / COVID-19
/// certificate: … code 123456, …".
fn code_of(sms: &str) -> String {
    let (_, after) = sms
        .split_once(" je ")
        .unwrap_or_else(|| panic!("no code in {sms:?}"));
    let code = &after[..6];
    assert!(code.bytes().all(|b| b.is_ascii_digit()), "{sms:?}");
    assert!(sms.contains(&format!("code {code}")), "{sms:?}");
    code.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn citizen_logs_in_and_downloads_the_certificate() {
    let p = Portal::start().await;
    let (status, rec, _) =
        p.h.send(p.h.post_record(
            // 20 days before the clock: the default rules want 14 since the last dose.
            &common::vaccination(BN_IDENTIFIED, 2, 2, "2026-02-10", None),
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rec}");
    let uvci = rec["certificate"]["uvci"].as_str().unwrap().to_string();
    let issued_hc1 = rec["certificate"]["hc1"].as_str().unwrap().to_string();

    // Login: birth number and ID card.
    p.goto("/").await;
    p.wait_for("form[action='/login'] #birth_number").await;
    p.screenshot("portal-login").await;
    p.type_into("#birth_number", BN_IDENTIFIED).await;
    p.type_into("#id_card", "AB 123456").await;
    p.click("form[action='/login'] button[type=submit]").await;

    // The SMS code, from the outbox.
    p.wait_for("#code").await;
    assert_eq!(p.path().await, "/login/code");
    server::outbox::run_once(&p.h.app).await.unwrap();
    let sms = std::mem::take(&mut *p.h.sms.sent.lock().unwrap());
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert_eq!(sms[0].0, "+420601123456");
    let code = code_of(&sms[0].1);
    p.screenshot("portal-code").await;
    p.type_into("#code", &code).await;
    p.click("form[action='/login/code'] button[type=submit]")
        .await;

    // My records.
    let link = p.wait_for("a[href^='/me/certificates/']").await;
    assert_eq!(p.path().await, "/me");
    let text = p.main_text().await;
    assert!(text.contains("Anežka Dvořáková"), "{text}");
    assert!(text.contains(&uvci), "{text}");
    p.screenshot("portal-records").await;
    let cookies = p.client.get_all_cookies().await.unwrap();
    assert!(
        cookies.iter().any(|c| c.name() == "__Host-dcc-session"),
        "the browser keeps the session cookie: {cookies:?}"
    );

    // The certificate on screen (issue #21 part 2): its QR, in both languages.
    p.wait_for(".cert .qr svg").await;
    p.screenshot("portal-certificate-cs").await;

    // The PDF, by clicking, named by type and date; its QR code verifies at the server.
    link.click().await.unwrap();
    let (pdf, _) = p.downloaded_pdf().await;
    assert_eq!(
        pdf.file_name().unwrap(),
        "certifikat-ockovani-2026-02-10.pdf"
    );
    let hc1 = p.qr_of(&pdf);
    assert!(hc1.starts_with("HC1:"), "{hc1}");
    assert_eq!(hc1, issued_hc1, "the PDF carries the issued certificate");
    let report = p.verify(&hc1).await;
    assert_eq!(report["verdict"], "valid", "{report}");

    // The page printed (WebDriver print, A4): one page whose QR code is the certificate's.
    let config = fantoccini::wd::PrintConfiguration::builder()
        .size(fantoccini::wd::PrintSize::A4)
        .build()
        .unwrap();
    let printed = p.client.print(config).await.unwrap();
    let printed_path = p.browser_dir.path().join("printed.pdf");
    std::fs::write(&printed_path, &printed).unwrap();
    let info = Command::new("pdfinfo").arg(&printed_path).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 1")),
        "one page: {info}"
    );
    // Read at 150 dpi, a QR under 6 cm would have under 5 pixels per module and not decode.
    assert_eq!(p.qr_at(&printed_path, 150), issued_hc1, "the printed QR");
    let shot = p.browser_dir.path().join("printed-page");
    Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-singlefile"])
        .arg(&printed_path)
        .arg(&shot)
        .status()
        .unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    std::fs::copy(
        shot.with_extension("png"),
        dir.join("portal-certificate-print.png"),
    )
    .unwrap();

    p.click("header nav a[hreflang=en]").await;
    p.wait_for("html[lang=en] .cert .qr svg").await;
    let text = p.main_text().await;
    assert!(
        text.contains("EU Digital COVID Certificate – vaccination"),
        "{text}"
    );
    p.screenshot("portal-certificate-en").await;
    p.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_certificate_exchange_in_the_browser() {
    let p = Portal::start().await;
    let org = p.h.app.store.org_by_ico("25596641").await.unwrap().unwrap();
    let mut line = common::vaccination(BN_IDENTIFIED, 2, 2, "2021-06-01", None);
    line["legacy_id"] = json!("OCK-2021-0001");
    let imported =
        server::service::exchange::import(&p.h.app, &org, line.to_string().as_bytes(), common::NOW)
            .await
            .unwrap();
    let url = match imported.as_slice() {
        [(_, Imported::Ok { url, .. })] => url.clone(),
        other => panic!("{other:?}"),
    };
    assert!(url.starts_with(&format!("{}/exchange/", p.base)), "{url}");
    let token = url.rsplit('/').next().unwrap().to_string();

    // The scan form: the code's text pasted.
    p.goto("/exchange").await;
    p.wait_for("form[action='/exchange'] #text").await;
    p.screenshot("exchange-scan").await;
    p.type_into("#text", &url).await;
    p.click("form[action='/exchange'] button[type=submit]")
        .await;

    // The new certificate.
    let link = p.wait_for("a[href$='/pdf']").await;
    assert_eq!(p.path().await, format!("/exchange/{token}"));
    assert_eq!(
        link.attr("href").await.unwrap().as_deref(),
        Some(format!("/exchange/{token}/pdf").as_str())
    );
    let shown = p.wait_for(".cert-uvci .uvci").await.text().await.unwrap();
    assert!(shown.starts_with("URN:UVCI:"), "{shown}");
    let text = p.main_text().await;
    assert!(text.contains("Anežka Dvořáková"), "{text}");
    p.screenshot("exchange-page").await;
    let (cert, _) =
        p.h.app
            .store
            .certificate_by_uvci(&shown)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no certificate {shown}"));

    // The PDF, by clicking; its QR code is the certificate shown, and it verifies.
    link.click().await.unwrap();
    let (pdf, _) = p.downloaded_pdf().await;
    let hc1 = p.qr_of(&pdf);
    assert_eq!(hc1, cert.hc1, "the PDF carries the certificate on the page");
    let report = p.verify(&hc1).await;
    assert_eq!(report["verdict"], "valid", "{report}");
    p.finish().await;
}

/// The SMS and e-mails the server sent since the last call.
async fn outbox(h: &Harness) -> (Vec<(String, String)>, Vec<(String, String)>) {
    server::outbox::run_once(&h.app).await.unwrap();
    let sms = std::mem::take(&mut *h.sms.sent.lock().unwrap());
    let mails = std::mem::take(&mut *h.mailer.bodies.lock().unwrap());
    (sms, mails)
}

impl Portal {
    async fn submit(&self, form_action: &str) {
        self.click(&format!("form[action='{form_action}'] button[type=submit]"))
            .await;
    }
}

/// Issue #9 in the browser: registration by SMS, sign-in with username + PIN + the picture
/// captcha + the SMS code, and the full PIN renewal of seed 000 (username + captcha, the phone
/// digits, the e-mailed link with the SMS code, the new PIN), then sign-in with the new PIN.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_user_registers_signs_in_and_renews_the_pin() {
    let p = Portal::start().await;
    let phone = "+420601555777";
    let email = "jana@nemocnice.example";
    let pin = "modrý kůň skáče přes plot";
    let new_pin = "zelená žába v rákosí kváká";

    // Registration: phone and birth number, the SMS code, then contact details and PIN.
    p.goto("/registry/register").await;
    p.type_into("#phone", phone).await;
    p.type_into("#birth_number", "7360280004").await;
    p.screenshot("registry-register").await;
    p.submit("/registry/register").await;
    p.wait_for("#code").await;
    let (sms, _) = outbox(&p.h).await;
    assert_eq!(sms.len(), 1, "{sms:?}");
    p.type_into("#code", &code_of(&sms[0].1)).await;
    p.submit("/registry/register/code").await;
    p.wait_for("#name").await;
    p.type_into("#name", "MUDr. Jana Dvořáková").await;
    p.type_into("#email", email).await;
    p.type_into("#pin", pin).await;
    p.type_into("#pin2", pin).await;
    p.screenshot("registry-details").await;
    p.submit("/registry/register/details").await;
    p.wait_for("main h1").await;
    let text = p.main_text().await;
    assert!(text.contains("Registrace dokončena"), "{text}");
    let (_, mails) = outbox(&p.h).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let i = mails[0].1.find("registry username: ").unwrap() + 19;
    let username = mails[0].1[i..i + 8].to_string();

    // Sign-in: username, PIN and the picture's digits, then the SMS code.
    p.goto("/registry").await;
    let img = p.wait_for("img.captcha").await;
    let loaded = p
        .client
        .execute(
            "return arguments[0].complete && arguments[0].naturalWidth > 0",
            vec![serde_json::to_value(&img).unwrap()],
        )
        .await
        .unwrap();
    assert_eq!(loaded, json!(true), "the captcha picture loads");
    p.type_into("#username", &username.to_lowercase()).await;
    p.type_into("#pin", pin).await;
    p.type_into("#captcha", common::CAPTCHA).await;
    p.screenshot("registry-login").await;
    p.submit("/registry/login").await;
    p.wait_for("#code").await;
    let (sms, _) = outbox(&p.h).await;
    assert_eq!(sms.len(), 1, "{sms:?}");
    p.type_into("#code", &code_of(&sms[0].1)).await;
    p.submit("/registry/login/code").await;
    p.wait_for("form[action='/registry/logout']").await;
    assert_eq!(p.path().await, "/registry/account");
    let text = p.main_text().await;
    assert!(text.contains(&username), "{text}");
    p.screenshot("registry-account").await;

    // Permissions: the user manages the first organisation and asks for a second one.
    let cfg = p.h.app.config.as_ref().clone();
    let now = p.h.clock_now();
    server::admin::create_org(&cfg, "27177203", "Laboratoř Test", now)
        .await
        .unwrap();
    server::service::permissions::grant_operator(
        p.h.app.store.as_ref(),
        &p.h.app.secrets,
        &username,
        "25596641",
        server::service::permissions::Role::Manager,
        now,
    )
    .await
    .unwrap();
    p.click("a[href='/registry/permissions']").await;
    p.type_into("#ico", "27177203").await;
    p.submit("/registry/permissions").await;
    p.wait_for("main [role=status]").await;
    let text = p.main_text().await;
    assert!(text.contains("Laboratoř Test"), "{text}");
    assert!(text.contains("čeká na schválení"), "{text}");
    p.screenshot("registry-permissions").await;
    p.goto("/registry/org/25596641").await;
    p.wait_for("form[action='/registry/org/25596641/attorney']")
        .await;
    p.screenshot("registry-org").await;
    p.goto("/registry/account").await;
    p.submit("/registry/logout").await;
    p.wait_for("#username").await;

    // PIN renewal, seed 000 steps 4-10.
    p.click("a[href='/registry/renew']").await;
    p.type_into("#username", &username).await;
    p.type_into("#captcha", common::CAPTCHA).await;
    p.screenshot("renew-start").await;
    p.submit("/registry/renew").await;
    p.wait_for("#digits").await;
    p.type_into("#digits", "777").await;
    p.screenshot("renew-phone").await;
    p.submit("/registry/renew/phone").await;
    p.wait_for("main [role=status]").await;
    let text = p.main_text().await;
    assert!(text.contains("Pokud údaje souhlasí"), "{text}");
    let (sms, mails) = outbox(&p.h).await;
    assert_eq!((sms.len(), mails.len()), (1, 1), "{sms:?} {mails:?}");
    let link = mails[0]
        .1
        .lines()
        .find(|l| l.contains("/registry/pin/"))
        .unwrap()
        .trim()
        .to_string();
    assert!(
        link.starts_with(&p.base),
        "links use the configured base URL: {link}"
    );
    p.client.goto(&link).await.unwrap();
    p.type_into("#code", &code_of(&sms[0].1)).await;
    p.type_into("#pin", new_pin).await;
    p.type_into("#pin2", new_pin).await;
    p.screenshot("renew-set").await;
    let action = format!("/registry/pin/{}", link.rsplit('/').next().unwrap());
    p.submit(&action).await;
    p.wait_for("main [role=status]").await;
    assert_eq!(p.path().await, "/registry");
    let text = p.main_text().await;
    assert!(text.contains("Osobní heslo bylo obnoveno"), "{text}");
    p.screenshot("renew-done").await;
    let (sms, mails) = outbox(&p.h).await;
    assert_eq!(
        (sms.len(), mails.len()),
        (1, 1),
        "notices: {sms:?} {mails:?}"
    );

    // The new PIN signs in.
    p.type_into("#username", &username).await;
    p.type_into("#pin", new_pin).await;
    p.type_into("#captcha", common::CAPTCHA).await;
    p.submit("/registry/login").await;
    p.wait_for("#code").await;
    let (sms, _) = outbox(&p.h).await;
    p.type_into("#code", &code_of(&sms[0].1)).await;
    p.submit("/registry/login/code").await;
    p.wait_for("form[action='/registry/logout']").await;
    assert_eq!(p.path().await, "/registry/account");
    p.finish().await;
}

/// The project's rules and value sets, configured explicitly (the verdict depends on them).
fn rules_env() -> [(&'static str, String); 2] {
    [
        ("DCC_RULES_DIR", fixtures::rules_dir().display().to_string()),
        (
            "DCC_VALUESETS_DIR",
            fixtures::valuesets_dir().display().to_string(),
        ),
    ]
}

/// A Y4M video (4:2:0, 10 frames a second) of `frames` identical 640 × 480 frames: the QR code
/// of `hc1`, 3 pixels a module, on a grey desk, as Chromium's fake camera plays it.
fn qr_video(hc1: &str, frames: usize) -> Vec<u8> {
    let (w, h) = (640usize, 480usize);
    let qr = issuer::qr::encode(hc1).unwrap();
    let scale = 3;
    let side = qr.side_with_quiet_zone() * scale;
    assert!(side <= h, "the code fits the frame ({side} px)");
    let quiet = (qr.side_with_quiet_zone() - qr.width()) / 2;
    let (x0, y0) = ((w - side) / 2, (h - side) / 2);
    let mut luma = vec![150u8; w * h];
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = (x / scale, y / scale);
            let dark = mx >= quiet
                && my >= quiet
                && mx - quiet < qr.width()
                && my - quiet < qr.width()
                && qr.is_dark(mx - quiet, my - quiet);
            luma[(y0 + y) * w + x0 + x] = if dark { 20 } else { 235 };
        }
    }
    let mut out = format!("YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\n").into_bytes();
    for _ in 0..frames {
        out.extend_from_slice(b"FRAME\n");
        out.extend_from_slice(&luma);
        out.extend(std::iter::repeat_n(128u8, w * h / 2));
    }
    out
}

/// A validator scans a certificate with the phone's camera (Chromium's fake camera playing a
/// video of the code): the page sends frames to the server, which decodes and verifies them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validator_scans_with_the_camera() {
    let env = rules_env();
    let vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // The video needs the certificate, and the certificate the server: the video file is
    // written after the server starts, before the camera is turned on.
    let video = std::sync::Arc::new(std::sync::Mutex::new(PathBuf::new()));
    let slot = video.clone();
    let p = Portal::start_with(&vars, move |dir| {
        let file = dir.join("camera.y4m");
        *slot.lock().unwrap() = file.clone();
        vec![
            "--use-fake-ui-for-media-stream".into(),
            "--use-fake-device-for-media-stream".into(),
            format!("--use-file-for-fake-video-capture={}", file.display()),
        ]
    })
    .await;
    let body = common::vaccination(BN_IDENTIFIED, 2, 2, "2026-02-10", None);
    let (status, created, _) = p.h.send(p.h.post_record(&body, None)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let hc1 = created["certificate"]["hc1"].as_str().unwrap();
    let file = video.lock().unwrap().clone();
    std::fs::write(&file, qr_video(hc1, 10)).unwrap();

    p.goto("/verify").await;
    let start = p.wait_for("#camera-start").await;
    p.screenshot("scanner-page").await;
    start.click().await.unwrap();
    let verdict = p.wait_for("#result .verdict").await;
    let class = verdict.attr("class").await.unwrap().unwrap_or_default();
    let text = verdict.text().await.unwrap();
    assert!(class.contains("verdict-valid"), "{class}: {text}");
    assert!(text.contains("Platný"), "{text}");
    assert!(text.contains("Anežka Dvořáková"), "{text}");
    assert!(text.contains("1973-10-28"), "{text}");
    assert!(!text.contains("URN:UVCI"), "no other data: {text}");
    // The camera is off once a result is in.
    let video_hidden = p
        .client
        .execute("return document.getElementById('camera').hidden", vec![])
        .await
        .unwrap();
    assert_eq!(video_hidden, json!(true));
    p.screenshot("scanner-camera-valid").await;
    p.finish().await;
}

/// A validator uploads a photo of a code (the page's form, English), and pastes the text of a
/// certificate that Czechia's rules refuse: the reason is named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validator_uploads_a_photo_and_pastes_a_code() {
    let env = rules_env();
    let vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = Portal::start_with(&vars, |_| Vec::new()).await;
    let body = common::vaccination(BN_IDENTIFIED, 2, 2, "2026-02-10", None);
    let (_, created, _) = p.h.send(p.h.post_record(&body, None)).await;
    let hc1 = created["certificate"]["hc1"].as_str().unwrap().to_string();
    let photo = p.browser_dir.path().join("code.png");
    std::fs::write(&photo, issuer::qr::encode(&hc1).unwrap().to_png(5).unwrap()).unwrap();

    p.goto("/lang/en?next=/verify").await;
    p.wait_for("#photo")
        .await
        .send_keys(&photo.display().to_string())
        .await
        .unwrap();
    p.click("#verify-form button[type=submit]").await;
    let verdict = p.wait_for("#result .verdict").await;
    let text = verdict.text().await.unwrap();
    assert!(text.contains("Valid"), "{text}");
    assert!(text.contains("Anežka Dvořáková"), "{text}");
    p.screenshot("scanner-upload-valid").await;

    // The second dose five days ago, pasted, for Czechia: not valid, and why (14 days).
    let body = common::vaccination(BN_IDENTIFIED, 2, 2, "2026-02-25", None);
    let (_, created, _) = p.h.send(p.h.post_record(&body, None)).await;
    let first = created["certificate"]["hc1"].as_str().unwrap().to_string();
    p.goto("/verify").await;
    p.type_into("#text", &first).await;
    p.click("#verify-form button[type=submit]").await;
    let verdict = p.wait_for("#result .verdict-invalid").await;
    let text = verdict.text().await.unwrap();
    assert!(text.contains("Not valid"), "{text}");
    assert!(text.contains("rules of Czechia"), "{text}");
    assert!(text.contains("VR-CZ-0003"), "{text}");
    p.screenshot("scanner-rules-invalid").await;
    p.finish().await;
}

/// Issue #21 in the browser, keyboard first (fields typed, forms sent with Enter): a registry
/// user signs in, chooses the organisation, finds the person by birth number and ID card,
/// records dose 2/2 (the certificate is issued and mailed), revokes it with a reason; the
/// citizen's page and the validators' `/verify` page show it revoked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_worker_records_and_revokes() {
    const ENTER: &str = "\u{E007}";
    let p = Portal::start_with(
        &[(
            "DCC_RULES_DIR",
            &fixtures::rules_dir().display().to_string(),
        )],
        |_| Vec::new(),
    )
    .await;
    let phone = "+420601555778";
    let username =
        common::registry::register(&p.h, "750505/1004", phone, "sestra@nemocnice.example").await;
    server::admin::registry_grant(
        &p.h.app.config,
        &username,
        "25596641",
        false,
        p.h.clock_now(),
    )
    .await
    .unwrap();
    // Dose 1 by the organisation's system, through the API.
    let (status, _, _) =
        p.h.send(p.h.post_record(
            &common::vaccination(BN_IDENTIFIED, 1, 2, "2026-01-10", None),
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // Sign in: username, PIN, the captcha's alternative answer, then the SMS code; Enter sends.
    p.goto("/registry").await;
    p.type_into("#username", &username).await;
    p.type_into("#pin", common::registry::PIN).await;
    p.type_into("#captcha", &format!("{}{ENTER}", common::CAPTCHA))
        .await;
    p.wait_for("#code").await;
    let (sms, _) = outbox(&p.h).await;
    p.type_into("#code", &format!("{}{ENTER}", code_of(&sms[0].1)))
        .await;
    p.click("a[href='/registry/work']").await;

    // Choose the organisation; find the person.
    p.wait_for("a[href='/registry/work/25596641']").await;
    p.screenshot("worker-orgs").await;
    p.click("a[href='/registry/work/25596641']").await;
    p.type_into("#birth_number", "XXX").await;
    p.wait_for("#birth_number").await.clear().await.unwrap();
    p.type_into("#birth_number", "7360280004").await;
    p.type_into("#id_card", &format!("AB999999{ENTER}")).await;
    p.wait_for("main [role=alert]").await;
    let text = p.main_text().await;
    assert!(text.contains("jsme nenašli"), "{text}");
    p.screenshot("worker-search-not-found").await;
    p.type_into("#birth_number", "7360280004").await;
    p.type_into("#id_card", &format!("AB 123456{ENTER}")).await;
    p.wait_for("a[href$='/vaccination']").await;
    let person = p.path().await;
    assert!(!person.contains("7360280004"), "{person}");
    let text = p.main_text().await;
    assert!(text.contains("Anežka Dvořáková"), "{text}");
    assert!(text.contains("1/2"), "{text}");
    p.screenshot("worker-person").await;

    // Dose 2 of 2: the product chosen, the manufacturer from the product, today's date.
    p.click("a[href$='/vaccination']").await;
    p.wait_for("#product")
        .await
        .select_by_value("EU/1/20/1528")
        .await
        .unwrap();
    p.type_into("#dose", "2").await;
    p.type_into("#doses", "2").await;
    p.type_into("#email", "anezka@example.cz").await;
    p.screenshot("worker-vaccination-form").await;
    p.type_into("#phone", ENTER).await;
    p.wait_for("main h1").await;
    let text = p.main_text().await;
    assert!(text.contains("Certifikát byl vydán."), "{text}");
    assert!(text.contains("a•••@example.cz"), "{text}");
    p.screenshot("worker-result").await;
    let uvci = p.wait_for("main .notice .mono").await.text().await.unwrap();
    let (cert, _) =
        p.h.app
            .store
            .certificate_by_uvci(&uvci)
            .await
            .unwrap()
            .unwrap();
    let (_, mails) = outbox(&p.h).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].0, "anezka@example.cz");

    // A form with mistakes: named in Czech, the values kept.
    p.goto(&format!("{person}/test")).await;
    p.type_into("#test_centre", &format!("Odběrové místo{ENTER}"))
        .await;
    p.wait_for("main [role=alert]").await;
    let text = p.main_text().await;
    assert!(text.contains("Vyberte typ testu."), "{text}");
    p.screenshot("worker-test-errors").await;

    // Revoke it with a reason.
    p.goto(&person).await;
    p.type_into("input[name=reason]", &format!("zapsáno omylem{ENTER}"))
        .await;
    p.wait_for("main [role=status]").await;
    let text = p.main_text().await;
    assert!(text.contains("Certifikát je zneplatněn."), "{text}");
    assert!(text.contains("zneplatněn"), "{text}");
    p.screenshot("worker-revoked").await;

    // The citizen's page says so.
    p.goto("/").await;
    p.type_into("#birth_number", BN_IDENTIFIED).await;
    p.type_into("#id_card", &format!("AB123456{ENTER}")).await;
    p.wait_for("#code").await;
    let (sms, _) = outbox(&p.h).await;
    let code = sms.iter().find(|(to, _)| to == "+420601123456").unwrap();
    p.type_into("#code", &format!("{}{ENTER}", code_of(&code.1)))
        .await;
    p.wait_for("main .record").await;
    let text = p.main_text().await;
    assert!(text.contains("Tento certifikát byl zneplatněn."), "{text}");
    p.screenshot("worker-citizen-revoked").await;

    // And the validators' page.
    p.goto("/verify").await;
    p.type_into("#text", &cert.hc1).await;
    p.click("#verify-form button[type=submit]").await;
    let verdict = p.wait_for("#result .verdict-invalid").await;
    let text = verdict.text().await.unwrap();
    assert!(text.contains("Vydavatel certifikát zneplatnil."), "{text}");
    p.screenshot("worker-verify-revoked").await;
    p.finish().await;
}

impl Portal {
    /// Scrolls the element into the middle of the viewport, for the screenshot.
    async fn scroll_to(&self, css: &str) {
        let e = self.wait_for(css).await;
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center'})",
                vec![serde_json::to_value(&e).unwrap()],
            )
            .await
            .unwrap();
    }
}

/// Issue #21 in the browser: the holder of a registry account registered by certificate signs
/// in, links the NIA identity from the account page through the provider (`oidc.rs`'s, on its own
/// loopback port, so another site: Chromium withholds the Strict session cookie on its redirect
/// back and the confirmation page finishes the link), sees the unlink form and unlinks; in Czech,
/// then in English. Every page passes axe-core.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_account_links_nia_in_a_browser() {
    let (issuer, op) = crate::oidc::provider().await;
    let ca = crate::registry::TestCa::new("dcc test qualified CA");
    let cas = tempfile::tempdir().unwrap();
    let pem = cas.path().join("cas.pem");
    std::fs::write(&pem, ca.cert.pem()).unwrap();
    let p = Portal::start_with(
        &[
            ("DCC_OIDC_ISSUER", &issuer),
            ("DCC_OIDC_CLIENT_ID", crate::oidc::CLIENT_ID),
            ("DCC_OIDC_CLIENT_SECRET", crate::oidc::CLIENT_SECRET),
            ("DCC_REGISTRY_CAS", pem.to_str().unwrap()),
        ],
        |_| Vec::new(),
    )
    .await;
    op.lock().unwrap().now = p.h.clock_now();
    let phone = "+420601555701";
    let username =
        crate::oidc::certificate_user(&p.h, &ca, "MUDr. Petr Svoboda", phone, "petr@example.cz")
            .await;
    let user_id = common::registry::user_id(&p.h, &username).await;
    let is_linked = || async {
        p.h.app
            .store
            .user_by_username(&username)
            .await
            .unwrap()
            .unwrap()
            .nia_linked
    };

    // Sign in: username, PIN, the captcha, the SMS code.
    p.goto("/registry").await;
    p.type_into("#username", &username).await;
    p.type_into("#pin", common::registry::PIN).await;
    p.type_into("#captcha", common::CAPTCHA).await;
    p.submit("/registry/login").await;
    p.wait_for("#code").await;
    let (sms, _) = outbox(&p.h).await;
    p.type_into("#code", &code_of(&sms.last().unwrap().1)).await;
    p.submit("/registry/login/code").await;
    chrome::wait_for_path(&p.client, "/registry/account").await;

    // In Czech, the user confirms at the provider (a click there, as at NIA): the navigation
    // back starts on the provider's site, so Chromium withholds the Strict session cookie and
    // the callback asks for the confirmation. In English, the provider redirects at once: the
    // navigation back continues the form's, the cookie comes along and the callback links.
    for (lang, suffix, linked, unlinked) in [
        (
            "cs",
            "",
            "Identita NIA je propojena",
            "Propojení s NIA je zrušeno",
        ),
        ("en", "-en", "NIA identity linked", "NIA identity unlinked"),
    ] {
        let confirm = lang == "cs";
        op.lock().unwrap().interactive = confirm;
        // The account page offers the link.
        p.goto(&format!("/lang/{lang}?next=/registry/account"))
            .await;
        p.wait_for(&format!(
            "html[lang={lang}] form[action='/registry/nia/link']"
        ))
        .await;
        assert_eq!(p.path().await, "/registry/account");
        p.scroll_to("#nia-link-heading").await;
        p.screenshot(&format!("registry-account-nia-link{suffix}"))
            .await;

        // To the provider and back.
        p.submit("/registry/nia/link").await;
        if confirm {
            p.click("#nia-continue").await;
            // The registry's page (its header), though at the portal's callback address.
            p.wait_for("body.area-registry form[action='/registry/nia/link/confirm']")
                .await;
            assert_eq!(p.path().await, "/login/nia/callback");
            assert!(!is_linked().await, "not linked before the confirmation");
            p.screenshot("nia-link-confirm").await;
            p.submit("/registry/nia/link/confirm").await;
            chrome::wait_for_path(&p.client, "/registry/nia/link/confirm").await;
        } else {
            chrome::wait_for_path(&p.client, "/login/nia/callback").await;
        }
        p.wait_for("body.area-registry main h1").await;
        let html_lang = p.wait_for("html").await.attr("lang").await.unwrap();
        assert_eq!(html_lang.as_deref(), Some(lang));
        let text = p.main_text().await;
        assert!(text.contains(linked), "{text}");
        assert!(is_linked().await);
        p.screenshot(&format!("nia-linked{suffix}")).await;

        // The account page offers the unlink; unlinked.
        p.click("main a[href='/registry/account']").await;
        p.wait_for("form[action='/registry/nia/unlink']").await;
        p.scroll_to("#nia-link-heading").await;
        p.screenshot(&format!("registry-account-nia-linked{suffix}"))
            .await;
        p.submit("/registry/nia/unlink").await;
        chrome::wait_for_path(&p.client, "/registry/nia/unlink").await;
        let text = p.main_text().await;
        assert!(text.contains(unlinked), "{text}");
        assert!(!is_linked().await);
        p.screenshot(&format!("nia-unlinked{suffix}")).await;
        p.click("main a[href='/registry/account']").await;
        p.wait_for("form[action='/registry/nia/link']").await;
    }
    let pseudonym = Some(p.h.app.secrets.pseudonym(user_id.as_bytes()));
    assert_eq!(
        common::audit_column(&p.h, "subject", "registry.nia_linked").await,
        [pseudonym.clone(), pseudonym]
    );
    assert!(op.lock().unwrap().refused.is_empty());
    p.finish().await;
}
