//! The provider API and the verifier back end through `app(state).oneshot`, on a real SQLite
//! file and a real PostgreSQL database.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{vaccination, Backend, Harness, BN_IDENTIFIED, BN_OTHER, BN_UNKNOWN};
use serde_json::{json, Value};

async fn provider_flow(backend: Backend) {
    let h = Harness::new(backend).await;
    let body = vaccination(BN_IDENTIFIED, 1, 2, "2026-01-10", Some("anezka@example.cz"));

    // No token, a wrong token, a token in the query string: 401.
    let mut no_auth = h.post_record(&body, None);
    no_auth.headers_mut().remove("authorization");
    assert_eq!(h.send(no_auth).await.0, StatusCode::UNAUTHORIZED);
    let mut wrong = h.post_record(&body, None);
    wrong
        .headers_mut()
        .insert("authorization", "Bearer dcc_wrong".parse().unwrap());
    let (status, err, _) = h.send(wrong).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(err["error"], "unauthorized");
    let query = Request::get(format!("/api/v1/records/x?access_token={}", h.token))
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.send(query).await.0, StatusCode::UNAUTHORIZED);

    // Dose 1 of 2: recorded, no certificate, no e-mail.
    let (status, first, headers) = h.send(h.post_record(&body, None)).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(first["certificate"].is_null());
    assert!(first["note"]
        .as_str()
        .unwrap()
        .contains("series incomplete"));
    assert_eq!(h.app.store.outbox_counts().await.unwrap().pending, 0);

    // Dose 2 of 2: certificate and one e-mail in the outbox.
    let body2 = vaccination(BN_IDENTIFIED, 2, 2, "2026-02-10", Some("anezka@example.cz"));
    let (status, second, _) = h.send(h.post_record(&body2, None)).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let cert = &second["certificate"];
    assert!(cert["uvci"]
        .as_str()
        .unwrap()
        .starts_with("URN:UVCI:01:CZ:"));
    assert!(cert["hc1"].as_str().unwrap().starts_with("HC1:"));
    assert_eq!(cert["superseded"], false);
    assert_eq!(second["person_id"], first["person_id"]);
    assert_eq!(second["entry"]["is"], "Ministerstvo zdravotnictví ČR");
    assert_eq!(h.app.store.outbox_counts().await.unwrap().pending, 1);

    // The certificate verifies at the verifier back end.
    let verify = Request::post("/verify")
        .header("content-type", "application/json")
        .body(Body::from(json!({"hc1": cert["hc1"]}).to_string()))
        .unwrap();
    let (status, report, _) = h.send(verify).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["verdict"], "valid", "{report}");
    assert_eq!(report["dcc"]["v"][0]["dn"], 2);

    // A booster (3/3) supersedes the 2/2 certificate.
    let body3 = vaccination(BN_IDENTIFIED, 3, 3, "2026-03-01", None);
    let (status, third, _) = h.send(h.post_record(&body3, None)).await;
    assert_eq!(status, StatusCode::CREATED, "{third}");
    assert!(third["certificate"]["uvci"].is_string());
    assert_ne!(third["certificate"]["uvci"], cert["uvci"]);
    // No e-mail given with this record: the person's stored address is kept and gets it.
    let person_id = first["person_id"].as_str().unwrap();
    let (status, list, _) = h
        .send(h.get_auth(&format!("/api/v1/persons/{person_id}/records")))
        .await;
    assert_eq!(status, StatusCode::OK);
    let records = list["records"].as_array().unwrap();
    assert_eq!(records.len(), 3);
    assert_eq!(records[1]["certificate"]["superseded"], true);
    assert_eq!(records[2]["certificate"]["superseded"], false);

    // A test certificate does not supersede the vaccination certificate.
    let t = common::test_record(BN_IDENTIFIED, "2026-03-02T08:00:00Z", None);
    let (status, test, _) = h.send(h.post_record(&t, None)).await;
    assert_eq!(status, StatusCode::CREATED, "{test}");
    assert_eq!(test["type"], "t");
    let (_, one, _) = h
        .send(h.get_auth(&format!(
            "/api/v1/records/{}",
            third["id"].as_str().unwrap()
        )))
        .await;
    assert_eq!(one["certificate"]["superseded"], false);

    // A person not identified in the registry: recorded, no certificate.
    let (status, unknown, _) = h
        .send(h.post_record(
            &vaccination(BN_UNKNOWN, 1, 1, "2026-02-01", Some("x@example.cz")),
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(unknown["certificate"].is_null());
    assert!(unknown["note"].as_str().unwrap().contains("not identified"));
    // The booster's and the test's certificates, given without an address, went to the one on
    // file (SECURITY.md 48); the unidentified person's record sent nothing.
    assert_eq!(h.app.store.outbox_counts().await.unwrap().pending, 3);

    // Unknown record and person ids: 404.
    assert_eq!(
        h.send(h.get_auth("/api/v1/records/00000000-0000-4000-8000-000000000000"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.send(h.get_auth("/api/v1/persons/nobody/records")).await.0,
        StatusCode::NOT_FOUND
    );

    // The audit log holds the events, and no birth number is anywhere in it.
    let events: Vec<String> = h
        .app
        .store
        .audit_events(100)
        .await
        .unwrap()
        .into_iter()
        .map(|(e, _)| e)
        .collect();
    assert!(events.contains(&"certificate.issued".to_string()));
    assert!(events.contains(&"issuance.refused".to_string()));
    assert!(events.contains(&"email.enqueued".to_string()));
    if backend == Backend::Sqlite {
        let bytes = std::fs::read(h.dir.path().join("test.db")).unwrap();
        let wal = std::fs::read(h.dir.path().join("test.db-wal")).unwrap_or_default();
        for hay in [&bytes, &wal] {
            for needle in ["736028", "7360280004", "AB123456"] {
                assert!(
                    !hay.windows(needle.len()).any(|w| w == needle.as_bytes()),
                    "{needle} stored in clear"
                );
            }
        }
    }
    h.finish().await;
}
both!(provider_flow);

async fn idempotency(backend: Backend) {
    let h = Harness::new(backend).await;
    let body = vaccination(BN_OTHER, 1, 1, "2026-01-10", Some("o@example.cz"));
    let (s1, r1, _) = h.send(h.post_record(&body, Some("key-1"))).await;
    assert_eq!(s1, StatusCode::CREATED, "{r1}");
    let (s2, r2, _) = h.send(h.post_record(&body, Some("key-1"))).await;
    assert_eq!(s2, StatusCode::CREATED);
    assert_eq!(r1, r2, "same key and body: the same response");
    let person = r1["person_id"].as_str().unwrap();
    let (_, list, _) = h
        .send(h.get_auth(&format!("/api/v1/persons/{person}/records")))
        .await;
    assert_eq!(list["records"].as_array().unwrap().len(), 1);
    assert_eq!(h.app.store.outbox_counts().await.unwrap().pending, 1);

    // The same key with another body.
    let other = vaccination(BN_OTHER, 1, 1, "2026-01-11", None);
    let (s3, e3, _) = h.send(h.post_record(&other, Some("key-1"))).await;
    assert_eq!(s3, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        e3["message"].as_str().unwrap().contains("Idempotency-Key"),
        "{e3}"
    );

    // Concurrent requests with one new key: one record, both get it.
    let body4 = common::test_record(BN_OTHER, "2026-03-01T10:00:00Z", None);
    let reqs: Vec<_> = (0..6)
        .map(|_| {
            let app = h.app.clone();
            let req = h.post_record(&body4, Some("key-2"));
            tokio::spawn(async move { common::send(&app, req).await })
        })
        .collect();
    let mut ids = std::collections::BTreeSet::new();
    for r in reqs {
        let (s, v, _) = r.await.unwrap();
        assert_eq!(s, StatusCode::CREATED, "{v}");
        ids.insert(v["id"].as_str().unwrap().to_string());
    }
    assert_eq!(ids.len(), 1, "one record for one key");
    let (_, list, _) = h
        .send(h.get_auth(&format!("/api/v1/persons/{person}/records")))
        .await;
    assert_eq!(list["records"].as_array().unwrap().len(), 2);

    // Recording the very same event again without a key: 409, nothing stored.
    let (s5, e5, _) = h.send(h.post_record(&body, None)).await;
    assert_eq!(s5, StatusCode::CONFLICT, "{e5}");
    let (_, list, _) = h
        .send(h.get_auth(&format!("/api/v1/persons/{person}/records")))
        .await;
    assert_eq!(list["records"].as_array().unwrap().len(), 2);
    h.finish().await;
}
both!(idempotency);

async fn bad_input(backend: Backend) {
    let h = Harness::new(backend).await;
    let good = vaccination(BN_IDENTIFIED, 2, 2, "2026-01-10", Some("a@example.cz"));
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = good.clone();
        f(&mut b);
        b
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "bad birth number",
            with(&|b| b["person"]["birth_number"] = json!("736028/0005")),
            "person.birth_number",
        ),
        (
            "letters in birth number",
            with(&|b| b["person"]["birth_number"] = json!("73602A/0004")),
            "person.birth_number",
        ),
        (
            "header injection in e-mail",
            with(&|b| b["person"]["email"] = json!("a@b.cz\r\nBcc: x@y.cz")),
            "person.email",
        ),
        (
            "phone not E.164",
            with(&|b| b["person"]["phone"] = json!("601123456")),
            "person.phone",
        ),
        (
            "long name",
            with(&|b| b["person"]["family_name"] = json!("A".repeat(51))),
            "person.family_name",
        ),
        (
            "ci sent",
            with(&|b| b["v"]["ci"] = json!("URN:UVCI:01:CZ:X#1")),
            "v.ci",
        ),
        (
            "is sent",
            with(&|b| b["v"]["is"] = json!("Someone")),
            "v.is",
        ),
        ("dose 0", with(&|b| b["v"]["dn"] = json!(0)), "v.dn"),
        ("dose 10", with(&|b| b["v"]["sd"] = json!(10)), "v.sd"),
        (
            "two entries",
            with(&|b| b["t"] = json!({})),
            "exactly one of v, t or r",
        ),
        (
            "no entry",
            with(&|b| {
                b.as_object_mut().unwrap().remove("v");
            }),
            "exactly one of v, t or r",
        ),
        (
            "unknown field",
            with(&|b| b["extra"] = json!(1)),
            "unknown field",
        ),
        (
            "unknown person field",
            with(&|b| b["person"]["nickname"] = json!("x")),
            "unknown field",
        ),
        (
            "missing birth number",
            with(&|b| {
                b["person"].as_object_mut().unwrap().remove("birth_number");
            }),
            "birth_number",
        ),
        (
            "future vaccination",
            with(&|b| b["v"]["dt"] = json!("2026-04-01")),
            "future",
        ),
        (
            "schema: missing tg",
            with(&|b| {
                b["v"].as_object_mut().unwrap().remove("tg");
            }),
            "schema",
        ),
        (
            "unknown vaccine product",
            with(&|b| b["v"]["mp"] = json!("EU/1/99/999")),
            "v.mp",
        ),
        (
            "unknown manufacturer",
            with(&|b| b["v"]["ma"] = json!("ORG-0")),
            "v.ma",
        ),
        (
            "unknown country",
            with(&|b| b["v"]["co"] = json!("XX")),
            "v.co",
        ),
        (
            "unknown disease",
            with(&|b| b["v"]["tg"] = json!("12345")),
            "v.tg",
        ),
        (
            "entry not an object",
            with(&|b| b["v"] = json!([1])),
            "v: must be one entry object",
        ),
    ];
    for (name, body, expect) in cases {
        let (status, err, _) = h.send(h.post_record(&body, None)).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "case {name}: {err}"
        );
        assert_eq!(err["error"], "invalid", "case {name}");
        let msg = err["message"].as_str().unwrap();
        assert!(
            msg.contains(expect),
            "case {name}: {msg:?} should name {expect:?}"
        );
        assert!(
            !msg.contains("736028"),
            "case {name}: the message echoes a birth number"
        );
    }
    // Not JSON, malformed JSON, too large.
    let mut text = h.post_record(&good, None);
    text.headers_mut()
        .insert("content-type", "text/plain".parse().unwrap());
    let (status, err, _) = h.send(text).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(err["error"], "unsupported_media_type");
    let broken = Request::post("/api/v1/records")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {}", h.token))
        .body(Body::from("{\"person\": "))
        .unwrap();
    let (status, err, _) = h.send(broken).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let big = Request::post("/api/v1/records")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {}", h.token))
        .body(Body::from(vec![b' '; 70 * 1024]))
        .unwrap();
    assert_eq!(h.send(big).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, err, _) = h
        .send(h.post_record(&good, Some("bad key with spaces")))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["message"].as_str().unwrap().contains("Idempotency-Key"));

    // Nothing was stored.
    let events = h.app.store.audit_events(100).await.unwrap();
    assert!(
        events.iter().all(|(e, _)| e != "record.created"),
        "{events:?}"
    );
    assert_eq!(h.app.store.outbox_counts().await.unwrap().pending, 0);
    h.finish().await;
}
both!(bad_input);

async fn verify_endpoint(backend: Backend) {
    let h = Harness::new(backend).await;
    let post = |body: Body, ct: &str| {
        Request::post("/verify")
            .header("content-type", ct)
            .body(body)
            .unwrap()
    };
    let (status, report, headers) = h
        .send(post(
            Body::from(json!({"hc1": "HC1:NOT BASE45!"}).to_string()),
            "application/json",
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(report["verdict"], "invalid");
    assert_eq!(report["checks"]["base45"], "fail");
    assert_eq!(report["errors"][0]["check"], "base45");
    let (status, report, _) = h
        .send(post(
            Body::from(json!({"hc1": "hello"}).to_string()),
            "application/json",
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["checks"]["prefix"], "fail");
    // Malformed requests.
    let (status, _, _) = h.send(post(Body::from("{}"), "text/plain")).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, err, _) = h
        .send(post(Body::from("{\"hc\": \"x\"}"), "application/json"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["message"].as_str().unwrap().contains("hc"), "{err}");
    let long = json!({"hc1": format!("HC1:{}", "A".repeat(4300))}).to_string();
    assert_eq!(
        h.send(post(Body::from(long), "application/json")).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let huge = vec![b' '; 9 * 1024];
    assert_eq!(
        h.send(post(Body::from(huge), "application/json")).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    h.finish().await;
}
both!(verify_endpoint);

async fn public_resources(backend: Backend) {
    let h = Harness::new(backend).await;
    let resp = common::send(
        &h.app,
        Request::get("/trust-list").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(resp.0, StatusCode::OK);
    let jws = resp.1.as_str().unwrap().to_string();
    let etag = resp.2["etag"].to_str().unwrap().to_string();
    assert!(resp.2["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age"));
    let pinned = std::fs::read(h.dir.path().join("keys/trust-list.pem")).unwrap();
    let signed = trust_list::verify_signed(&jws, Some(&pinned), hcert::crypto::default_backend())
        .expect("the trust list verifies");
    assert!(signed.signature_checked);
    assert_eq!(signed.dscs.len(), 1);
    assert_eq!(signed.dscs[0].kid, h.app.issuance.newest().unwrap().dsc.kid);
    // Conditional GET.
    let cond = Request::get("/trust-list")
        .header("if-none-match", &etag)
        .body(Body::empty())
        .unwrap();
    let (status, body, headers) = h.send(cond).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_null());
    assert_eq!(headers["etag"], etag.as_str());
    // Rules and value sets: the project's own without directories.
    for (uri, count) in [("/rules", 9), ("/valuesets", 8)] {
        let (status, body, headers) = h.send(Request::get(uri).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(body.as_array().map(Vec::len), Some(count), "{uri}: {body}");
        assert!(headers.contains_key("etag"));
    }
    assert_eq!(
        h.send(Request::get("/rules/abc").body(Body::empty()).unwrap())
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // Operations.
    let (status, body, _) = h
        .send(Request::get("/health").body(Body::empty()).unwrap())
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let (status, _, _) = h
        .send(Request::get("/ready").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    // `/openapi.json` is held to the router and the parsers in `openapi.rs`.
    let (status, body, _) = h
        .send(Request::get("/metrics").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = body.as_str().unwrap();
    assert!(
        text.contains(
            "dcc_http_requests_total{method=\"GET\",route=\"/trust-list\",status=\"304\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains("dcc_outbox_messages{status=\"pending\"} 0"));
    assert!(text.contains("dcc_certificates_issued_total 0"));
    h.finish().await;
}
both!(public_resources);

async fn token_revocation(backend: Backend) {
    let h = Harness::new(backend).await;
    let cfg = h.app.config.as_ref().clone();
    let now = common::NOW.unix_timestamp();
    let second = server::admin::create_token(&cfg, "25596641", now)
        .await
        .unwrap();
    let list = |token: &str| {
        Request::get(format!("/api/v1/records/{}", uuid_like()))
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    // Both tokens work (404: no such record, but authenticated).
    assert_eq!(h.send(list(&h.token)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(h.send(list(&second.token)).await.0, StatusCode::NOT_FOUND);
    // Revoking one bites on the next request; the other still works.
    let n = server::admin::revoke_tokens(&cfg, "25596641", Some(second.id), now)
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        h.send(list(&second.token)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(h.send(list(&h.token)).await.0, StatusCode::NOT_FOUND);
    let again = server::admin::revoke_tokens(&cfg, "25596641", Some(second.id), now).await;
    assert!(again
        .unwrap_err()
        .to_string()
        .contains("no unrevoked token"));
    let tokens = server::admin::list_tokens(&cfg, "25596641").await.unwrap();
    assert_eq!(tokens.len(), 2);
    assert_eq!(tokens[1].id, second.id);
    assert_eq!(tokens[1].revoked_at, Some(now));
    assert_eq!(tokens[0].revoked_at, None);
    // --all revokes the rest.
    let n = server::admin::revoke_tokens(&cfg, "25596641", None, now)
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(h.send(list(&h.token)).await.0, StatusCode::UNAUTHORIZED);
    let events = h.app.store.audit_events(100).await.unwrap();
    assert_eq!(
        events.iter().filter(|(e, _)| e == "token.revoked").count(),
        2
    );
    h.finish().await;
}
both!(token_revocation);

fn uuid_like() -> &'static str {
    "6f1c1f0e-0d2a-4c55-9a43-0d6c7a1b2c3d"
}

fn verify_request(from: Option<[u8; 4]>, origin: Option<&str>) -> Request<Body> {
    let mut b = Request::post("/verify").header("content-type", "application/json");
    if let Some(o) = origin {
        b = b.header("origin", o);
    }
    let mut req = b
        .body(Body::from(json!({"hc1": "HC1:6BF"}).to_string()))
        .unwrap();
    if let Some(ip) = from {
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                ip, 40000,
            ))));
    }
    req
}

/// SECURITY.md 49: the verify endpoint's per-IP bucket, in memory, with Retry-After.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_rate_limit_per_ip() {
    let h = Harness::with(Backend::Sqlite, &[("DCC_VERIFY_PER_MINUTE", "3")], true).await;
    let a = [192, 0, 2, 1];
    for i in 0..3 {
        let (status, report, _) = h.send(verify_request(Some(a), None)).await;
        assert_eq!(status, StatusCode::OK, "request {i}: {report}");
    }
    let (status, err, headers) = h.send(verify_request(Some(a), None)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(err["error"], "too_many_requests");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "Retry-After {retry}");
    // The bucket is checked before the body is read: a malformed body over the limit is a 429,
    // not the 422 it gets within the limit.
    let mut malformed = Request::post("/verify")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"hc1": 5}"#))
        .unwrap();
    malformed
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            a, 40000,
        ))));
    assert_eq!(h.send(malformed).await.0, StatusCode::TOO_MANY_REQUESTS);
    // Another client is not affected; other routes are not limited.
    assert_eq!(
        h.send(verify_request(Some([192, 0, 2, 2]), None)).await.0,
        StatusCode::OK
    );
    let (status, _, _) = h
        .send(Request::get("/trust-list").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    h.finish().await;

    // 0 switches the limit off (load tests).
    let h = Harness::with(Backend::Sqlite, &[("DCC_VERIFY_PER_MINUTE", "0")], true).await;
    for _ in 0..20 {
        assert_eq!(
            h.send(verify_request(Some(a), None)).await.0,
            StatusCode::OK
        );
    }
    let malformed = Request::post("/verify")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"hc1": 5}"#))
        .unwrap();
    assert_eq!(h.send(malformed).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    h.finish().await;
}

/// SECURITY.md 27: only verifier routes answer CORS, only for configured origins, never for
/// `null`, never with credentials; other methods → 405.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_only_on_verifier_routes() {
    let origin = "https://app.example.cz";
    let h = Harness::with(Backend::Sqlite, &[("DCC_CORS_ORIGINS", origin)], true).await;
    let (status, _, headers) = h.send(verify_request(None, Some(origin))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["access-control-allow-origin"], origin);
    assert!(!headers.contains_key("access-control-allow-credentials"));
    for other in ["null", "https://evil.example"] {
        let (_, _, headers) = h.send(verify_request(None, Some(other))).await;
        assert!(
            !headers.contains_key("access-control-allow-origin"),
            "{other} got {headers:?}"
        );
    }
    // Preflight for a JSON POST.
    let preflight = Request::options("/verify")
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .body(Body::empty())
        .unwrap();
    let (status, _, headers) = h.send(preflight).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(headers["access-control-allow-origin"], origin);
    // GET of a public resource carries it too, with the ETag exposed.
    let get = Request::get("/trust-list")
        .header("origin", origin)
        .body(Body::empty())
        .unwrap();
    let (_, _, headers) = h.send(get).await;
    assert_eq!(headers["access-control-allow-origin"], origin);
    assert!(headers["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .contains("etag"));
    // The provider API does not.
    let mut provider = h.get_auth(&format!("/api/v1/records/{}", uuid_like()));
    provider
        .headers_mut()
        .insert("origin", origin.parse().unwrap());
    let (_, _, headers) = h.send(provider).await;
    assert!(!headers.contains_key("access-control-allow-origin"));
    // Methods a route does not take.
    for (method, uri) in [
        ("TRACE", "/verify"),
        ("DELETE", "/trust-list"),
        ("PUT", "/health"),
    ] {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            h.send(req).await.0,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {uri}"
        );
    }
    h.finish().await;
}
