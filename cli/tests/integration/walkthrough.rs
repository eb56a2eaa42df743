//! The README's "first five minutes" as a newcomer walks them (issue #21): the built `dcc` in a
//! fresh directory, `dcc serve` on its embedded defaults and `dcc admin dev seed` beside it, then
//! a real browser (headless Chromium): the citizen logs in with the printed birth number and
//! ID card and the code from the newest file of `dcc-data/sms/`; the registry user signs in
//! without the picture (the accessible alternative: a code at the registered e-mail, read from
//! `dcc-data/mail/`) and reaches the health workers' pages; the certificate e-mailed to the
//! citizen is scanned from its PDF and pasted into the validators' page, which says valid. Every
//! page passes axe-core and leaves a screenshot (`target/screenshots/walkthrough-*.png`).

use crate::chrome;
use crate::common::{dcc_in, text};

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use fantoccini::Client;

/// What the README tells the newcomer to type, checked to be there, so the walkthrough and the
/// README cannot drift apart.
const BIRTH_NUMBER: &str = "855101/0006";
const ID_CARD: &str = "DEMO00001";
const PIN: &str = "Ukazka-Lekar-7291";
const ENTER: &str = "\u{e007}";

/// `dcc serve`, killed when dropped.
struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The files of `dir` in name order (they sort by time), newest last.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut list: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    list.sort();
    list
}

/// Waits for a file in `dir` that is not among `seen` and whose raw text passes `wanted`;
/// returns its text without headers ([`decode_mail`]).
fn new_file(dir: &Path, seen: &mut Vec<PathBuf>, wanted: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        for f in files(dir) {
            if seen.contains(&f) {
                continue;
            }
            let raw = std::fs::read(&f).unwrap();
            if wanted(&String::from_utf8_lossy(&raw)) {
                seen.push(f);
                return decode_mail(&raw);
            }
        }
        assert!(
            Instant::now() < deadline,
            "no new message in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Whether a message holds a six-digit code.
fn has_code(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_digit())
        .any(|w| w.len() == 6)
}

/// The one six-digit code of a message (it appears in Czech and in English).
fn code_in(text: &str) -> String {
    let codes: Vec<&str> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 6)
        .collect();
    assert!(!codes.is_empty(), "no code in {text}");
    assert!(codes.iter().all(|c| *c == codes[0]), "one code: {text}");
    codes[0].to_string()
}

/// The text of a message file without its headers: an SMS file's text; an `.eml`'s parts
/// decoded (base64 and quoted-printable), so its words can be read.
fn decode_mail(raw: &[u8]) -> String {
    let raw = String::from_utf8_lossy(raw).replace("\r\n", "\n");
    let mut out = String::new();
    let mut encoding = String::new();
    let mut in_headers = true;
    let mut body = String::new();
    let flush = |encoding: &str, body: &mut String, out: &mut String| {
        match encoding {
            "base64" => {
                let joined: String = body.split_whitespace().collect();
                if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(joined) {
                    out.push_str(&String::from_utf8_lossy(&bytes));
                }
            }
            "quoted-printable" => out.push_str(&quoted_printable(body)),
            _ => out.push_str(body),
        }
        body.clear();
    };
    for line in raw.lines() {
        if line.starts_with("--") {
            flush(&encoding, &mut body, &mut out);
            in_headers = true;
            encoding.clear();
            continue;
        }
        if in_headers {
            if line.is_empty() {
                in_headers = false;
            } else if let Some(v) = line
                .to_ascii_lowercase()
                .strip_prefix("content-transfer-encoding:")
            {
                encoding = v.trim().to_string();
            }
            continue;
        }
        body.push_str(line);
        body.push('\n');
    }
    flush(&encoding, &mut body, &mut out);
    out
}

fn quoted_printable(s: &str) -> String {
    let joined = s.replace("=\n", "");
    let b = joined.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (c, hex) {
            (b'=', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The PDF attached to an `.eml` (base64 between the part's headers and the next boundary).
fn pdf_of(raw: &str) -> Vec<u8> {
    let raw = raw.replace("\r\n", "\n");
    let at = raw
        .find("Content-Type: application/pdf")
        .expect("a PDF part");
    let part = &raw[at..];
    let start = part.find("\n\n").expect("the part's body") + 2;
    let end = part[start..].find("\n--").map_or(part.len(), |e| start + e);
    let b64: String = part[start..end].split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64 PDF")
}

/// The QR text of a PDF's first page (rasterised at 400 dpi by pdftoppm).
fn qr_of_pdf(pdf: &[u8], dir: &Path) -> String {
    let file = dir.join("certificate.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = dir.join("page");
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "400", "-singlefile", "-f", "1", "-l", "1"])
        .arg(&file)
        .arg(&out)
        .status()
        .expect("pdftoppm (poppler-utils) must be installed; .ci/run installs it");
    assert!(status.success());
    let png = std::fs::read(out.with_extension("png")).unwrap();
    verifier::qr::decode(&png).expect("the certificate's QR code")
}

async fn shot(client: &Client, name: &str) {
    chrome::screenshot(client, &format!("walkthrough-{name}")).await;
}

#[tokio::test]
async fn the_readme_walkthrough_works_in_a_browser() {
    let readme = std::fs::read_to_string(chrome::workspace().join("README.md")).unwrap();
    for said in [
        "cargo run --release -p cli -- serve",
        "cargo run --release -p cli -- admin dev seed",
        BIRTH_NUMBER,
        ID_CARD,
        PIN,
        "dcc-data/sms/",
        "dcc-data/mail/",
        "http://127.0.0.1:8080/registry",
        "http://127.0.0.1:8080/verify",
    ] {
        assert!(readme.contains(said), "the README no longer says {said:?}");
    }

    // 1. `dcc serve` in a fresh directory, on its defaults but the port.
    let tmp = tempfile::tempdir().unwrap();
    let port = chrome::free_port();
    let listen = format!("127.0.0.1:{port}");
    let base = format!("http://{listen}");
    let serve = Serve(
        dcc_in(tmp.path(), &["serve", "--listen", &listen], &[])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // Ready when /health answers (the port is bound before the database is opened).
    let deadline = Instant::now() + Duration::from_secs(120);
    let health = format!("{base}/health");
    while !reqwest::get(&health)
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(
            Instant::now() < deadline,
            "dcc serve does not answer /health"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let data = tmp.path().join("dcc-data");
    let (sms, mail) = (data.join("sms"), data.join("mail"));

    // 2. The seed, in the same directory; it prints the registry user's username.
    let seeded = dcc_in(tmp.path(), &["admin", "dev", "seed"], &[])
        .output()
        .unwrap();
    let out = text(&seeded.stdout);
    assert!(seeded.status.success(), "{out}{}", text(&seeded.stderr));
    for said in [BIRTH_NUMBER, ID_CARD, PIN, "dcc-data/sms", "dcc-data/mail"] {
        assert!(
            out.contains(said),
            "the seed no longer prints {said:?}:\n{out}"
        );
    }
    let username = out
        .split("username ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .expect("the username")
        .to_string();

    let browser_dir = tempfile::tempdir().unwrap();
    let driver = chrome::Chromedriver::start(browser_dir.path());
    let client = driver
        .browser(
            &browser_dir.path().join("profile"),
            &browser_dir.path().join("downloads"),
            &[],
        )
        .await;
    let goto = |path: &str| {
        let url = format!("{base}{path}");
        let client = &client;
        async move { client.goto(&url).await }
    };
    let (mut seen_sms, mut seen_mail) = (files(&sms), files(&mail));

    // 3. The citizen: birth number, ID card, the code from the newest SMS file.
    goto("/").await.unwrap();
    shot(&client, "1-citizen-login").await;
    chrome::type_into(&client, "#birth_number", BIRTH_NUMBER).await;
    chrome::type_into(&client, "#id_card", &format!("{ID_CARD}{ENTER}")).await;
    chrome::wait_for_path(&client, "/login/code").await;
    let code = code_in(&new_file(&sms, &mut seen_sms, |_| true));
    chrome::type_into(&client, "#code", &format!("{code}{ENTER}")).await;
    chrome::wait_for(&client, "li.record").await;
    assert_eq!(client.current_url().await.unwrap().path(), "/me");
    let records = client
        .find_all(fantoccini::Locator::Css("li.record"))
        .await
        .unwrap();
    assert_eq!(records.len(), 2, "both doses");
    chrome::wait_for(&client, "a[href^='/me/certificates/']").await;
    shot(&client, "2-citizen-records").await;
    chrome::click(&client, "form[action='/logout'] button").await;
    chrome::wait_for_path(&client, "/").await;

    // 4. The registry user, without the picture: a code at the registered e-mail, the PIN, then
    //    the login code by SMS.
    goto("/registry").await.unwrap();
    shot(&client, "3-registry-login").await;
    chrome::click(&client, "a[href='/registry/login/email']").await;
    chrome::type_into(&client, "#username", &format!("{username}{ENTER}")).await;
    // The code's mail, not the username's that the outbox may deliver only now.
    let mailed = new_file(&mail, &mut seen_mail, |m| {
        !m.contains("application/pdf") && has_code(&decode_mail(m.as_bytes()))
    });
    chrome::wait_for(&client, "#pin").await;
    shot(&client, "4-registry-email-code").await;
    chrome::type_into(&client, "#code", &code_in(&mailed)).await;
    chrome::type_into(&client, "#pin", &format!("{PIN}{ENTER}")).await;
    chrome::wait_for_path(&client, "/registry/login/code").await;
    // The login code's SMS, not another notice the outbox may deliver only now.
    let code = code_in(&new_file(&sms, &mut seen_sms, |m| {
        m.contains("registry login code")
    }));
    chrome::type_into(&client, "#code", &format!("{code}{ENTER}")).await;
    chrome::wait_for(&client, "a[href='/registry/work']").await;
    assert_eq!(
        client.current_url().await.unwrap().path(),
        "/registry/account"
    );
    shot(&client, "5-registry-account").await;
    goto("/registry/work").await.unwrap();
    chrome::wait_for(&client, "a[href='/registry/work/99999994']").await;
    shot(&client, "6-worker-organisations").await;

    // 5. The citizen's certificate e-mail: its PDF's QR pasted into the validators' page.
    let pdf_mail = files(&mail)
        .into_iter()
        .map(|f| String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned())
        .find(|m| m.contains("application/pdf"))
        .expect("the certificate e-mail with its PDF");
    let hc1 = qr_of_pdf(&pdf_of(&pdf_mail), tmp.path());
    assert!(hc1.starts_with("HC1:"), "{hc1}");
    goto("/verify").await.unwrap();
    chrome::type_into(&client, "#text", &hc1).await;
    chrome::click(&client, "#verify-form button[type=submit]").await;
    chrome::wait_for(&client, "#result .verdict-valid").await;
    shot(&client, "7-verify-valid").await;

    client.close().await.unwrap();
    drop(driver);
    drop(serve);
}
