//! The validators' scanner (issue 20): `GET /verify` in both languages, `POST /verify/image`
//! with camera frames and photos (the server's decoder), the page's form with pasted text or a
//! photo; what a validator sees (verdict, name, date of birth, type, the failed check in
//! words, no other health data); the same-origin check, size limits and the per-IP bucket it
//! shares with `POST /verify`.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{Backend, Harness, BN_IDENTIFIED};
use http_body_util::BodyExt as _;
use serde_json::json;
use tower::ServiceExt as _;

/// The project's own rules and value sets, configured explicitly so the test does not depend
/// on what the server serves by default.
fn rules_config() -> Vec<(&'static str, String)> {
    vec![
        ("DCC_RULES_DIR", fixtures::rules_dir().display().to_string()),
        (
            "DCC_VALUESETS_DIR",
            fixtures::valuesets_dir().display().to_string(),
        ),
    ]
}

async fn harness(extra: &[(&str, &str)]) -> Harness {
    let owned = rules_config();
    let mut vars: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    vars.extend_from_slice(extra);
    Harness::with(Backend::Sqlite, &vars, true).await
}

/// Records a vaccination (dose `dn` of 2, the last) and returns its certificate's `HC1:` text.
async fn certificate(h: &Harness, dn: u64, date: &str) -> String {
    let body = common::vaccination(BN_IDENTIFIED, dn, 2, date, None);
    let (status, created, _) = h.send(h.post_record(&body, None)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["certificate"]["hc1"].as_str().unwrap().to_string()
}

/// A PNG of the code, `scale` pixels per module.
fn qr_png(hc1: &str, scale: u32) -> Vec<u8> {
    issuer::qr::encode(hc1).unwrap().to_png(scale).unwrap()
}

struct Answer {
    status: StatusCode,
    body: String,
    headers: axum::http::HeaderMap,
}

async fn send(h: &Harness, req: Request<Body>) -> Answer {
    let resp = server::app(h.app.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        headers,
    }
}

/// A frame or photo as the page's script sends it.
fn image_post(query: &str, content_type: &str, bytes: Vec<u8>) -> Request<Body> {
    Request::post(format!("/verify/image?{query}"))
        .header("content-type", content_type)
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(bytes))
        .unwrap()
}

/// The page's form: `(name, file name, bytes)`.
fn form_post(parts: &[(&str, Option<&str>, &[u8])], lang: &str) -> Request<Body> {
    let boundary = "----dccscannerboundary";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                     Content-Type: image/png\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Request::post("/verify/image")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("sec-fetch-site", "same-origin")
        .header("cookie", format!("__Host-dcc-lang={lang}"))
        .body(Body::from(body))
        .unwrap()
}

/// The verdict class of a result (`valid`, `invalid`, `norules`), if the answer shows one.
fn verdict(body: &str) -> Option<&str> {
    let i = body.find("verdict verdict-")? + "verdict verdict-".len();
    let rest = &body[i..];
    Some(&rest[..rest.find('"')?])
}

#[tokio::test]
async fn the_page_in_both_languages() {
    let h = harness(&[]).await;
    for (lang, words) in [
        (
            "cs",
            ["Ověření certifikátu", "Země příjezdu", "Zapnout fotoaparát"],
        ),
        (
            "en",
            [
                "Check a certificate",
                "Country of arrival",
                "Turn the camera on",
            ],
        ),
    ] {
        let req = Request::get("/verify")
            .header("cookie", format!("__Host-dcc-lang={lang}"))
            .body(Body::empty())
            .unwrap();
        let page = send(&h, req).await;
        assert_eq!(page.status, StatusCode::OK);
        for w in words {
            assert!(page.body.contains(w), "{lang}: {w}");
        }
        // The installation's country is chosen; the script is a same-origin file (CSP).
        assert!(
            page.body.contains("<option value=\"CZ\" selected>"),
            "{lang}"
        );
        assert!(page
            .body
            .contains("<script src=\"/static/scanner.js\" defer></script>"));
        assert!(!page.body.contains("<script>"), "no inline script");
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'self'"), "{csp}");
    }
    let js = send(
        &h,
        Request::get("/static/scanner.js")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert!(js.body.contains("getUserMedia") && js.body.contains("/verify/image"));
    h.finish().await;
}

#[tokio::test]
async fn a_camera_frame_is_decoded_and_verified() {
    let h = harness(&[]).await;
    let hc1 = certificate(&h, 2, "2026-02-10").await;

    // Valid in Czechia (its rules pass): the verdict, the holder and the type, nothing else.
    let frame = send(
        &h,
        image_post("source=camera&country=CZ&at=", "image/png", qr_png(&hc1, 4)),
    )
    .await;
    assert_eq!(frame.status, StatusCode::OK, "{}", frame.body);
    assert_eq!(verdict(&frame.body), Some("valid"), "{}", frame.body);
    assert!(frame.body.contains("Anežka Dvořáková"), "{}", frame.body);
    assert!(frame.body.contains("1973-10-28"), "{}", frame.body);
    assert!(frame.body.contains("Očkování"), "{}", frame.body);
    for health in ["2026-02-10", "Comirnaty", "EU/1/20/1528", "URN:UVCI"] {
        assert!(!frame.body.contains(health), "no {health} on the result");
    }
    assert!(!frame.body.contains("<html"), "a fragment for the script");

    // A country without rules here: not green, and it says why.
    let de = send(
        &h,
        image_post("source=camera&country=DE", "image/png", qr_png(&hc1, 4)),
    )
    .await;
    assert_eq!(verdict(&de.body), Some("norules"), "{}", de.body);
    assert!(de.body.contains("Německo"), "{}", de.body);

    // A time before the certificate was issued, chosen in Prague time.
    let early = send(
        &h,
        image_post(
            "source=camera&country=CZ&at=2026-01-01T08:00",
            "image/png",
            qr_png(&hc1, 4),
        ),
    )
    .await;
    assert_eq!(verdict(&early.body), Some("invalid"), "{}", early.body);
    assert!(early.body.contains("ještě neplatí"), "{}", early.body);
    assert!(early.body.contains("1. 1. 2026 8:00"), "{}", early.body);

    // A frame without a code: 422, so the script keeps looking.
    let blank = image::GrayImage::from_pixel(320, 240, image::Luma([255]));
    let mut png = Vec::new();
    blank
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let none = send(&h, image_post("source=camera", "image/png", png)).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(verdict(&none.body), None);
    assert!(none.body.contains("role=\"alert\""), "{}", none.body);
    h.finish().await;
}

#[tokio::test]
async fn failures_are_named_in_words() {
    let h = harness(&[]).await;
    // The second dose five days ago: genuine, but Czechia's rules want 14 days.
    let first = certificate(&h, 2, "2026-02-25").await;
    let req = form_post(
        &[
            ("country", None, b"CZ"),
            ("at", None, b""),
            ("text", None, first.as_bytes()),
        ],
        "en",
    );
    let page = send(&h, req).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<html"), "the form gets the whole page");
    assert_eq!(verdict(&page.body), Some("invalid"), "{}", page.body);
    assert!(
        page.body
            .contains("It does not meet the rules of Czechia on 2. 3. 2026:"),
        "{}",
        page.body
    );
    assert!(page.body.contains("VR-CZ-0003"), "{}", page.body);
    assert!(page
        .body
        .contains("At least 14 days have passed since the last dose"));
    assert!(!page.body.contains("VR-CZ-0001"), "only the rules not met");
    // The form keeps the country chosen.
    assert!(page.body.contains("<option value=\"CZ\" selected>"));

    // A certificate whose signature was altered: the signature is named.
    let second = certificate(&h, 2, "2026-02-10").await;
    let mut cose = hcert::hc1::unwrap(&second).unwrap();
    let last = cose.len() - 1;
    cose[last] ^= 0x01;
    let forged = hcert::hc1::wrap(&cose).unwrap();
    let req = form_post(&[("text", None, forged.as_bytes())], "cs");
    let page = send(&h, req).await;
    assert_eq!(verdict(&page.body), Some("invalid"), "{}", page.body);
    assert!(page.body.contains("Podpis nelze ověřit"), "{}", page.body);

    // Revoked: named, though everything else holds.
    let uvci = issuer::Issued::from_hc1(&second).unwrap().uvci;
    let revoke = Request::post(common::revoke_path(&uvci))
        .header("authorization", format!("Bearer {}", h.token))
        .header("content-type", "application/json")
        .body(Body::from(json!({"reason": "issued in error"}).to_string()))
        .unwrap();
    let (status, body, _) = h.send(revoke).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let req = form_post(&[("text", None, second.as_bytes())], "cs");
    let page = send(&h, req).await;
    assert_eq!(verdict(&page.body), Some("invalid"), "{}", page.body);
    assert!(page.body.contains("zneplatnil"), "{}", page.body);

    // Not a certificate at all, and nothing at all.
    let req = form_post(&[("text", None, b"https://example.com/")], "en");
    let page = send(&h, req).await;
    assert!(
        page.body.contains("holds no EU Digital COVID Certificate"),
        "{}",
        page.body
    );
    let req = form_post(&[("text", None, b"  ")], "en");
    let page = send(&h, req).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("Scan the code, upload a photo"),
        "{}",
        page.body
    );
    // A time the validator mistyped is named, and the form keeps it.
    let req = form_post(
        &[
            ("at", None, b"2026-02-30T10:00"),
            ("text", None, second.as_bytes()),
        ],
        "en",
    );
    let page = send(&h, req).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("Enter the whole date and time"),
        "{}",
        page.body
    );
    h.finish().await;
}

#[tokio::test]
async fn a_photo_through_the_form() {
    let h = harness(&[]).await;
    let hc1 = certificate(&h, 2, "2026-02-10").await;
    let png = qr_png(&hc1, 6);
    let req = form_post(
        &[("country", None, b"CZ"), ("photo", Some("code.png"), &png)],
        "cs",
    );
    let page = send(&h, req).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(verdict(&page.body), Some("valid"), "{}", page.body);
    assert!(page.body.contains("Anežka Dvořáková"));
    h.finish().await;
}

#[tokio::test]
async fn only_this_origin_within_limits_and_in_the_verify_bucket() {
    let h = harness(&[("DCC_VERIFY_PER_MINUTE", "100")]).await;
    let hc1 = certificate(&h, 2, "2026-02-10").await;

    // Another site's page, or a client that says nothing of where it comes from: refused.
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://evil.example"),
    ] {
        let req = Request::post("/verify/image?source=camera")
            .header("content-type", "image/png")
            .header(name, value)
            .body(Body::from(qr_png(&hc1, 4)))
            .unwrap();
        assert_eq!(
            send(&h, req).await.status,
            StatusCode::FORBIDDEN,
            "{name}: {value}"
        );
    }
    let bare = Request::post("/verify/image")
        .header("content-type", "image/png")
        .body(Body::from(qr_png(&hc1, 4)))
        .unwrap();
    assert_eq!(send(&h, bare).await.status, StatusCode::FORBIDDEN);

    // A frame over 512 KiB (a photo may have 2 MiB), another type, a broken image.
    let big = vec![0u8; 600 * 1024];
    let a = send(&h, image_post("source=camera", "image/jpeg", big)).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    let a = send(
        &h,
        image_post("source=photo", "image/gif", b"GIF89a".to_vec()),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = vec![0u8; 3 * 1024 * 1024];
    let a = send(&h, image_post("source=photo", "image/jpeg", huge)).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);

    h.finish().await;

    // The bucket of POST /verify, 3 a minute, counted afresh: frames and JSON share it.

    let h = harness(&[("DCC_VERIFY_PER_MINUTE", "3")]).await;
    let hc1 = certificate(&h, 2, "2026-02-10").await;
    let json_verify = || {
        Request::post("/verify")
            .header("content-type", "application/json")
            .body(Body::from(json!({ "hc1": hc1 }).to_string()))
            .unwrap()
    };
    assert_eq!(send(&h, json_verify()).await.status, StatusCode::OK);
    let a = send(
        &h,
        image_post("source=camera", "image/png", qr_png(&hc1, 4)),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(send(&h, json_verify()).await.status, StatusCode::OK);
    let a = send(
        &h,
        image_post("source=camera", "image/png", qr_png(&hc1, 4)),
    )
    .await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.body);
    assert_eq!(
        send(&h, json_verify()).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    h.finish().await;
}
