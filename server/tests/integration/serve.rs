//! Over a real socket, start-up refusals, token expiry, and a rules directory.

use crate::common;

use std::os::unix::fs::PermissionsExt as _;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{vaccination, Backend, Harness, BN_IDENTIFIED};
use serde_json::{json, Value};
use server::clock::FixedClock;
use server::{AppState, Overrides, StartError};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// One HTTP/1.1 request over TCP; returns the status line and the body.
async fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    body: &str,
) -> (String, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_string(), body.to_string())
}

async fn real_socket(backend: Backend) {
    let h = Harness::new(backend).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = server::app(h.app.clone());
    let task = tokio::spawn(async move { axum::serve(listener, app).await });
    let (status, body) = http(addr, "GET", "/health", "").await;
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("ok"));
    let rec = vaccination(BN_IDENTIFIED, 1, 1, "2026-02-01", None);
    let (_, created, _) = h.send(h.post_record(&rec, None)).await;
    let hc1 = created["certificate"]["hc1"].as_str().unwrap();
    let (status, body) = http(addr, "POST", "/verify", &json!({"hc1": hc1}).to_string()).await;
    assert!(status.contains("200"), "{status}");
    let report: Value = serde_json::from_str(body.trim()).unwrap_or_else(|_| {
        // Chunked transfer: take the JSON between the chunk-size lines.
        let start = body.find('{').unwrap();
        let end = body.rfind('}').unwrap();
        serde_json::from_str(&body[start..=end]).unwrap()
    });
    assert_eq!(report["verdict"], "valid", "{report}");
    task.abort();
    h.finish().await;
}
both!(real_socket);

async fn token_expiry(backend: Backend) {
    let h = Harness::new(backend).await;
    let list = h.get_auth("/api/v1/persons/nobody/records");
    assert_eq!(h.send(list).await.0, StatusCode::NOT_FOUND, "valid token");
    h.clock.advance(time::Duration::days(91));
    let (status, err, _) = h.send(h.get_auth("/api/v1/persons/nobody/records")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "expired after 90 days");
    assert_eq!(err["error"], "unauthorized");
    h.finish().await;
}
both!(token_expiry);

#[tokio::test]
async fn readable_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::config(
        dir.path(),
        &format!("sqlite:{}", dir.path().join("db").display()),
        &[],
    );
    server::bootstrap::generate_keys(&dir.path().join("keys"), "CZ", common::NOW).unwrap();
    let key = dir.path().join("keys/dsc.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let clock = Arc::new(FixedClock::new(common::NOW));
    let err = AppState::open(cfg, clock, Overrides::default())
        .await
        .expect_err("a 0644 key is refused");
    assert!(matches!(err, StartError::Bootstrap(_)), "{err}");
    assert!(
        err.to_string().contains("readable by group or others"),
        "{err}"
    );
}

#[tokio::test]
async fn first_start_creates_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("dcc-data");
    let env = [("DCC_DATA_DIR".to_string(), data.display().to_string())].into();
    let cfg = server::Config::load(None, &env).unwrap();
    let clock = Arc::new(FixedClock::new(common::NOW));
    let (_, started) = AppState::open(cfg, clock.clone(), Overrides::default())
        .await
        .unwrap();
    assert!(started.keys_generated);
    assert_eq!(started.backend, "sqlite");
    for f in [
        "dcc.db",
        "secret",
        "keys/dsc.pem",
        "keys/dsc.key",
        "keys/trust-list.pem",
    ] {
        assert!(data.join(f).exists(), "{f}");
    }
    let mode = |p: &str| {
        std::fs::metadata(data.join(p))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("secret"), 0o600);
    assert_eq!(mode("keys/dsc.key"), 0o600);
    assert_eq!(mode(""), 0o700);
    // The second start reuses the keys.
    let cfg = server::Config::load(None, &env).unwrap();
    let (_, again) = AppState::open(cfg, clock, Overrides::default())
        .await
        .unwrap();
    assert!(!again.keys_generated);
}

async fn rules_directory(backend: Backend) {
    let rules_dir = fixtures::rules_dir();
    let h = Harness::with(
        backend,
        &[("DCC_RULES_DIR", rules_dir.to_str().unwrap())],
        true,
    )
    .await;
    let (status, index, headers) = h
        .send(Request::get("/rules").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    let index = index.as_array().unwrap().clone();
    assert!(!index.is_empty());
    let first = &index[0];
    assert!(first["identifier"].as_str().unwrap().contains("-CZ-"));
    let hash = first["hash"].as_str().unwrap();
    let (status, rule, rule_headers) = h
        .send(
            Request::get(format!("/rules/{hash}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rule["Identifier"], first["identifier"]);
    assert_eq!(
        rule_headers["etag"].to_str().unwrap(),
        format!("\"{hash}\"")
    );
    let cond = Request::get("/rules")
        .header("if-none-match", headers["etag"].to_str().unwrap())
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.send(cond).await.0, StatusCode::NOT_MODIFIED);
    // /verify evaluates them.
    let rec = vaccination(BN_IDENTIFIED, 2, 2, "2026-01-10", None);
    let (_, created, _) = h.send(h.post_record(&rec, None)).await;
    let verify = Request::post("/verify")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"hc1": created["certificate"]["hc1"]}).to_string(),
        ))
        .unwrap();
    let (_, report, _) = h.send(verify).await;
    assert_ne!(report["checks"]["rules"], "skip", "{report}");
    assert!(!report["rules"].as_array().unwrap().is_empty(), "{report}");
    h.finish().await;
}
both!(rules_directory);

/// The HTTP SMS gateway posts `{"to", "text"}` with the bearer token; a non-2xx answer is an
/// error.
#[tokio::test]
async fn http_sms_gateway() {
    use server::sms::{HttpSms, Sms as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let store = seen.clone();
    tokio::spawn(async move {
        let mut n = 0;
        loop {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 4096];
            let mut got = Vec::new();
            loop {
                let k = s.read(&mut buf).await.unwrap();
                got.extend_from_slice(&buf[..k]);
                let text = String::from_utf8_lossy(&got).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len: usize = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length: ")
                                .map(|v| v.trim().parse().unwrap())
                        })
                        .unwrap_or(0);
                    if body.len() >= len {
                        break;
                    }
                }
            }
            store
                .lock()
                .unwrap()
                .push(String::from_utf8_lossy(&got).to_string());
            let status = if n == 0 { "200 OK" } else { "503 Busy" };
            n += 1;
            s.write_all(
                format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            )
            .await
            .unwrap();
        }
    });
    let sms = HttpSms::new(
        &format!("http://{addr}/send"),
        Some(common::secret("gateway-token")),
    )
    .unwrap();
    sms.send("+420601123456", &common::secret("Kód 123456"))
        .await
        .unwrap();
    let err = sms
        .send("+420601123456", &common::secret("Kód 654321"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("503"), "{err}");
    let req = seen.lock().unwrap()[0].clone();
    assert!(req.starts_with("POST /send HTTP/1.1"), "{req}");
    assert!(req.contains("authorization: Bearer gateway-token"), "{req}");
    let body: Value = serde_json::from_str(req.split_once("\r\n\r\n").unwrap().1).unwrap();
    assert_eq!(body, json!({"to": "+420601123456", "text": "Kód 123456"}));
    assert!(HttpSms::new("https://gateway.example/send", None).is_ok());
    assert!(HttpSms::new("ftp://gateway.example/send", None).is_err());
    assert!(HttpSms::new("not a url", None).is_err());
    assert_eq!(server::sms::mask_phone("+420601123456"), "+420 ***");
}
