//! Headless Chromium over WebDriver (chromedriver, driven with `fantoccini`) and the axe-core
//! accessibility check, shared by the server's browser tests and the `dcc` command's README
//! walkthrough (`cli/tests/integration/walkthrough.rs` includes this file by path).
//!
//! Chromium and chromedriver are required: without them the tests fail (never skip) and say
//! what to install (`.ci/run` installs the Debian packages `chromium chromium-driver`).
#![allow(dead_code)]

use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

pub const INSTALL: &str = "install the Debian packages `chromium chromium-driver` \
    (apt-get install -y chromium chromium-driver; .ci/run installs them when chromedriver is missing)";

/// How long a page or a download may take.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The first of `names` on `PATH` (or in the Debian locations).
pub fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .chain(["/usr/bin", "/usr/lib/chromium"].map(PathBuf::from))
        .collect();
    names
        .iter()
        .flat_map(|n| dirs.iter().map(move |d| d.join(n)))
        .find(|p| p.is_file())
}

/// The workspace's root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The version of axe-core the accessibility checks run; `scripts/test` installs it with npm
/// into `target/axe` (or `DCC_AXE_JS` names the file).
pub const AXE_VERSION: &str = "4.14.1";

/// axe-core's script, read once per test process.
pub fn axe_source() -> &'static str {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = std::env::var_os("DCC_AXE_JS").map_or_else(
            || workspace().join("target/axe/node_modules/axe-core/axe.min.js"),
            PathBuf::from,
        );
        let source = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core is missing ({}: {e}): scripts/test installs it; or run \
                 `npm install --no-save --prefix target/axe axe-core@{AXE_VERSION}`",
                path.display()
            )
        });
        assert!(
            source.contains(&format!("axe v{AXE_VERSION}")),
            "{} is not axe-core {AXE_VERSION}",
            path.display()
        );
        source
    })
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A chromedriver child process in its own process group; dropping it (also on panic) kills the
/// group, so the Chromium it started goes too.
pub struct Chromedriver {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Chromedriver {
    pub fn start(dir: &Path) -> Chromedriver {
        let exe = which(&["chromedriver"])
            .unwrap_or_else(|| panic!("chromedriver is not installed: {INSTALL}"));
        let port = free_port();
        let log = dir.join("chromedriver.log");
        let child = Command::new(&exe)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {} ({e}): {INSTALL}", exe.display()));
        let mut driver = Chromedriver { child, port, log };
        let deadline = Instant::now() + PATIENCE;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = driver.child.try_wait().unwrap() {
                panic!(
                    "chromedriver exited ({status}) before listening:\n{}",
                    driver.log_text()
                );
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver does not listen on port {port}:\n{}",
                driver.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A headless Chromium with a phone's viewport (412 × 915 CSS pixels), downloading into
    /// `downloads` without asking.
    /// `extra` are more Chromium switches (the scanner's fake camera).
    pub async fn browser(&self, profile: &Path, downloads: &Path, extra: &[String]) -> Client {
        let chromium = which(&["chromium", "chromium-browser", "google-chrome"])
            .unwrap_or_else(|| panic!("Chromium is not installed: {INSTALL}"));
        let mut args: Vec<String> = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=412,915",
        ]
        .map(String::from)
        .to_vec();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.extend_from_slice(extra);
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": args,
                // Chromium keeps a desktop window at least 500 px wide, and `--window-size`
                // includes the window's frame: the phone's viewport is emulated.
                "mobileEmulation": {
                    "deviceMetrics": {
                        "width": 412,
                        "height": 915,
                        "pixelRatio": 1.0,
                        "mobile": true,
                        "touch": true,
                    },
                },
                "prefs": {
                    "download.default_directory": downloads,
                    "download.prompt_for_download": false,
                    "download.directory_upgrade": true,
                },
            },
        });
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        // Chromium may be slow to start when the three browser tests start at once on two
        // cores: a session that fails to start is asked for again, at most three times.
        let mut last = String::new();
        for attempt in 0..3 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await
            {
                Ok(client) => return client,
                Err(e) => last = e.to_string(),
            }
        }
        panic!(
            "no WebDriver session ({last}); is Chromium installed? {INSTALL}\n{}",
            self.log_text()
        )
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The group id is the child's pid (`process_group(0)`).
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs axe-core on the page as it is and fails on any critical or serious violation
/// (WCAG 2.x A/AA and axe's best practices), naming rule and elements; every violation found
/// is written to `target/axe/results/{name}.json`. The script is injected over WebDriver,
/// so nothing of it is served by, or committed to, the project.
pub async fn axe_check(client: &Client, name: &str) {
    client.execute(axe_source(), vec![]).await.unwrap();
    let run = r#"
        const done = arguments[arguments.length - 1];
        axe.run(document, { resultTypes: ["violations"] })
            .then(r => done(r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ")),
            }))))
            .catch(e => done({ error: String(e) }));
    "#;
    let found = client.execute_async(run, vec![]).await.unwrap();
    let dir = workspace().join("target/axe/results");
    std::fs::create_dir_all(&dir).unwrap();
    let text = serde_json::to_string_pretty(&found).unwrap();
    std::fs::write(dir.join(format!("{name}.json")), &text).unwrap();
    let list = found
        .as_array()
        .unwrap_or_else(|| panic!("axe failed on {name}: {found}"));
    let grave: Vec<&Value> = list
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("critical" | "serious")))
        .collect();
    assert!(
        grave.is_empty(),
        "axe: critical or serious violations on {name} ({}):\n{}",
        client.current_url().await.unwrap(),
        serde_json::to_string_pretty(&grave).unwrap()
    );
}

/// Waits for an element to appear (after a navigation); the failure shows the page.
pub async fn wait_for(client: &Client, css: &str) -> Element {
    match client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(css))
        .await
    {
        Ok(e) => e,
        Err(e) => panic!(
            "no `{css}` on {} ({e}):\n{}",
            client.current_url().await.unwrap(),
            client.source().await.unwrap_or_default()
        ),
    }
}

/// Waits until the browser shows `path` (a form's redirect has landed), so that the next
/// `wait_for` cannot find an element of the page being left.
pub async fn wait_for_path(client: &Client, path: &str) {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let now = client.current_url().await.unwrap();
        if now.path() == path {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still on {now}, waiting for {path}:\n{}",
            client.source().await.unwrap_or_default()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Waits for the element and clicks it.
pub async fn click(client: &Client, css: &str) {
    wait_for(client, css).await.click().await.unwrap();
}

/// Waits for a field, focuses it and types `text` (a trailing `\u{e007}` is Enter).
pub async fn type_into(client: &Client, css: &str, text: &str) {
    let field = wait_for(client, css).await;
    field.click().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// The text of the page's `main`.
pub async fn main_text(client: &Client) -> String {
    wait_for(client, "main").await.text().await.unwrap()
}

/// Checks the page with axe-core ([`axe_check`]), then saves a screenshot of the viewport as
/// `target/screenshots/{name}.png`.
pub async fn screenshot(client: &Client, name: &str) -> PathBuf {
    axe_check(client, name).await;
    let png = client.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    let dir = workspace().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    path
}
