//! Revocation through the server: a provider revokes a certificate of its own records, the
//! next `/verify` fails `revocation`; the published list is signed, carries the three hashes
//! and answers 304 while unchanged; superseded certificates are revoked when configured; on a
//! real SQLite file and a real PostgreSQL database.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{test_record, Backend, Harness, BN_IDENTIFIED};
use serde_json::{json, Value};

async fn verify(h: &Harness, hc1: &Value) -> Value {
    let req = Request::post("/verify")
        .header("content-type", "application/json")
        .body(Body::from(json!({ "hc1": hc1 }).to_string()))
        .unwrap();
    let (status, report, _) = h.send(req).await;
    assert_eq!(status, StatusCode::OK);
    report
}

fn revoke_request(token: &str, uvci: &str, body: &str) -> Request<Body> {
    Request::post(common::revoke_path(uvci))
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body.to_string()))
        .unwrap()
}

async fn revocation_list(h: &Harness, etag: Option<&str>) -> (StatusCode, String, String) {
    let mut req = Request::get("/revocation-list");
    if let Some(e) = etag {
        req = req.header("if-none-match", e);
    }
    let (status, body, headers) = h.send(req.body(Body::empty()).unwrap()).await;
    let etag = headers["etag"].to_str().unwrap().to_string();
    (status, body.as_str().unwrap_or("").to_string(), etag)
}

async fn revoke_and_publish(backend: Backend) {
    let h = Harness::new(backend).await;
    let (status, created, _) = h
        .send(h.post_record(
            &test_record(BN_IDENTIFIED, "2026-03-01T08:00:00Z", None),
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let hc1 = &created["certificate"]["hc1"];
    let uvci = created["certificate"]["uvci"].as_str().unwrap().to_string();
    let report = verify(&h, hc1).await;
    assert_eq!(report["verdict"], "valid", "{report}");
    assert_eq!(report["checks"]["revocation"], "pass");

    // The published list: signed, empty, with an ETag.
    let (status, jws, empty_etag) = revocation_list(&h, None).await;
    assert_eq!(status, StatusCode::OK);
    let pin = std::fs::read(h.dir.path().join("keys/trust-list.pem")).unwrap();
    let opened = trust_list::open_signed_list(
        &jws,
        Some(&pin),
        hcert::crypto::default_backend(),
        "revocation list",
    )
    .unwrap();
    assert!(opened.signature_checked);
    assert_eq!(opened.payload["batches"], json!([]));

    // Another organisation cannot revoke it (404, as for its records), nor can anyone
    // without a token; a malformed body is a 422.
    let cfg = h.app.config.as_ref().clone();
    let now = common::NOW.unix_timestamp();
    server::admin::create_org(&cfg, "27082440", "Jiná nemocnice", now)
        .await
        .unwrap();
    let other = server::admin::create_token(&cfg, "27082440", now)
        .await
        .unwrap();
    let body = r#"{"reason": "issued in error"}"#;
    assert_eq!(
        h.send(revoke_request(&other.token, &uvci, body)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.send(revoke_request("nobody", &uvci, body)).await.0,
        StatusCode::UNAUTHORIZED
    );
    // A UVCI whose check character is `/` reaches the handler as one segment: its 404 is the
    // API's problem answer, not the router's empty one.
    let (status, err, _) = h
        .send(revoke_request(&h.token, "URN:UVCI:01:CZ:ABC#/", body))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(err["error"], "not_found", "{err}");
    for bad in [r#"{"reason": ""}"#, r#"{"why": "x"}"#, "{"] {
        let (status, err, _) = h.send(revoke_request(&h.token, &uvci, bad)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {err}");
    }
    assert_eq!(verify(&h, hc1).await["verdict"], "valid");

    // The issuing provider revokes it: the next verify fails `revocation`.
    let (status, out, headers) = h.send(revoke_request(&h.token, &uvci, body)).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(out["already"], false);
    let report = verify(&h, hc1).await;
    assert_eq!(report["verdict"], "invalid", "{report}");
    assert_eq!(report["checks"]["revocation"], "fail");
    assert_eq!(report["checks"]["signature"], "pass");
    assert!(report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["check"] == "revocation"));
    let (_, again, _) = h.send(revoke_request(&h.token, &uvci, body)).await;
    assert_eq!(again["already"], true);

    // The list now holds one batch per hash type for the DSC's kid, and a new ETag.
    let (status, jws, etag) = revocation_list(&h, Some(&empty_etag)).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(etag, empty_etag);
    let opened = trust_list::open_signed_list(
        &jws,
        Some(&pin),
        hcert::crypto::default_backend(),
        "revocation list",
    )
    .unwrap();
    let batches = opened.payload["batches"].as_array().unwrap().clone();
    let mut types: Vec<&str> = batches
        .iter()
        .map(|b| b["hashType"].as_str().unwrap())
        .collect();
    types.sort_unstable();
    assert_eq!(types, ["COUNTRYCODEUCI", "SIGNATURE", "UCI"]);
    for b in &batches {
        assert_eq!(b["country"], "CZ");
        assert_eq!(b["entries"].as_array().unwrap().len(), 1);
    }
    // Unchanged: 304.
    let (status, body304, _) = revocation_list(&h, Some(&etag)).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body304.is_empty());

    // What validation apps download verifies offline: the published batches revoke the
    // certificate in the verifier crate too.
    let list = verifier::revocation::RevocationList::from_json(
        "published",
        &serde_json::to_vec(&Value::Array(batches)).unwrap(),
    )
    .unwrap();
    let published = h.app.issuance.published();
    let ctx = verifier::Context::new(&published.trust, common::NOW).with_revocation(&list);
    let offline = verifier::verify_text(hc1.as_str().unwrap(), &ctx);
    assert_eq!(
        serde_json::to_value(&offline).unwrap()["checks"]["revocation"],
        "fail"
    );
    let events = h.app.store.audit_events(100).await.unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|(e, _)| e == "certificate.revoked")
            .count(),
        1
    );
    h.finish().await;
}
both!(revoke_and_publish);

async fn superseded_are_revoked_when_configured(backend: Backend) {
    let h = Harness::with(backend, &[("DCC_REVOKE_SUPERSEDED", "true")], true).await;
    let first = h
        .send(h.post_record(
            &test_record(BN_IDENTIFIED, "2026-03-01T08:00:00Z", None),
            None,
        ))
        .await
        .1;
    let old = first["certificate"]["hc1"].clone();
    assert_eq!(verify(&h, &old).await["verdict"], "valid");
    let second = h
        .send(h.post_record(
            &test_record(BN_IDENTIFIED, "2026-03-02T08:00:00Z", None),
            None,
        ))
        .await
        .1;
    let new = second["certificate"]["hc1"].clone();
    // The re-issue supersedes and revokes the old certificate; the new one passes.
    let report = verify(&h, &old).await;
    assert_eq!(report["checks"]["revocation"], "fail", "{report}");
    let report = verify(&h, &new).await;
    assert_eq!(report["verdict"], "valid", "{report}");
    assert_eq!(report["checks"]["revocation"], "pass");
    let person = second["person_id"].as_str().unwrap();
    let (_, list, _) = h
        .send(h.get_auth(&format!("/api/v1/persons/{person}/records")))
        .await;
    let revoked: Vec<bool> = list["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["certificate"]["revoked"].as_bool().unwrap())
        .collect();
    assert_eq!(revoked.iter().filter(|r| **r).count(), 1, "{list}");
    // Nothing is left for the sweep.
    let cfg = h.app.config.as_ref().clone();
    assert_eq!(
        server::admin::revoke_superseded(&cfg, h.clock_now())
            .await
            .unwrap(),
        0
    );
    h.finish().await;
}
both!(superseded_are_revoked_when_configured);

/// Off by default: a booster does not revoke the certificate it supersedes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn superseded_stay_valid_by_default() {
    let h = Harness::new(Backend::Sqlite).await;
    let first = h
        .send(h.post_record(
            &test_record(BN_IDENTIFIED, "2026-03-01T08:00:00Z", None),
            None,
        ))
        .await
        .1;
    h.send(h.post_record(
        &test_record(BN_IDENTIFIED, "2026-03-02T08:00:00Z", None),
        None,
    ))
    .await;
    let report = verify(&h, &first["certificate"]["hc1"]).await;
    assert_eq!(report["checks"]["revocation"], "pass", "{report}");
    // The operator's sweep revokes it.
    let cfg = h.app.config.as_ref().clone();
    assert_eq!(
        server::admin::revoke_superseded(&cfg, h.clock_now())
            .await
            .unwrap(),
        1
    );
    h.app.revocation.invalidate();
    let report = verify(&h, &first["certificate"]["hc1"]).await;
    assert_eq!(report["checks"]["revocation"], "fail", "{report}");
    h.finish().await;
}
