//! The EU DGCA dialect of the verifier back end, driven over a real socket by a client written
//! from the DGCA services' API descriptions (dgca-verifier-service `SignerInformationController`,
//! dgca-businessrule-service `BusinessRuleController`, `ValueSetController`,
//! `CountryListController`): signer certificates downloaded page by page verify certificates
//! of this server, across a key change and a restart; rules and value sets fetched by country
//! and hash hash to what they are listed under; `GET /rules/{x}` tells countries from hashes.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::common::{self, Backend, Harness, BN_IDENTIFIED, NOW};

/// A server of `state` on a loopback port; the task ends with the test.
async fn listen(state: server::AppState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, server::app(state)).await });
    format!("http://{addr}")
}

/// One answer, its body as bytes (the hashes are over them).
struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&self.body));
        })
    }

    fn header(&self, name: &str) -> &str {
        self.headers[name].to_str().unwrap()
    }
}

/// The DGCA client: `X-VERSION: 1.0` on every request, as the business-rule service asks.
struct Client {
    base: String,
    http: reqwest::Client,
}

impl Client {
    fn new(base: String) -> Client {
        Client {
            base,
            http: reqwest::Client::new(),
        }
    }

    async fn get(&self, path: &str, headers: &[(&str, String)]) -> Answer {
        let mut req = self
            .http
            .get(format!("{}{path}", self.base))
            .header("X-VERSION", "1.0");
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        let resp = req.send().await.unwrap();
        Answer {
            status: StatusCode::from_u16(resp.status().as_u16()).unwrap(),
            headers: resp.headers().clone(),
            body: resp.bytes().await.unwrap().to_vec(),
        }
    }

    /// verifier-service: "start calling this method without the resume token set. Then repeat
    /// to call this method, with the resume token parameter set to the value of the last
    /// response. When you receive a 204 response you have downloaded all available
    /// certificates." Returns (resume token, X-KID, DER) of each page.
    async fn signer_certificates(&self) -> Vec<(i64, String, Vec<u8>)> {
        let mut pages: Vec<(i64, String, Vec<u8>)> = Vec::new();
        loop {
            let headers: Vec<(&str, String)> = pages
                .last()
                .map(|(token, _, _)| ("X-RESUME-TOKEN", token.to_string()))
                .into_iter()
                .collect();
            let page = self.get("/signercertificateUpdate", &headers).await;
            if page.status == StatusCode::NO_CONTENT {
                assert!(page.body.is_empty());
                return pages;
            }
            assert_eq!(page.status, StatusCode::OK);
            assert!(page.header("content-type").starts_with("text/plain"));
            let token: i64 = page.header("x-resume-token").parse().unwrap();
            if let Some((last, _, _)) = pages.last() {
                assert!(token > *last, "resume tokens ascend: {last} then {token}");
            }
            let der = base64::engine::general_purpose::STANDARD
                .decode(&page.body)
                .expect("the body is base64 of DER");
            pages.push((token, page.header("x-kid").to_string(), der));
            assert!(pages.len() < 100, "the download ends");
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// hcert spec: the kid is the first 8 bytes of SHA-256 over the DER, base64.
fn kid_of(der: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(&Sha256::digest(der)[..8])
}

/// Verifies `hc1` at the harness clock with the downloaded certificates and nothing else.
fn verify_with(ders: &[Vec<u8>], hc1: &str) -> verifier::Report {
    let backend = hcert::crypto::default_backend();
    let dscs = ders
        .iter()
        .map(|der| trust_list::Dsc::from_der(der).unwrap());
    let trust = trust_list::TrustList::from_dscs(dscs, backend);
    verifier::verify_text(hc1, &verifier::Context::new(&trust, NOW))
}

async fn hc1_of(app: &server::AppState, h: &Harness, sc: &str) -> String {
    let (status, created, _) = common::send(
        app,
        h.post_record(&common::test_record(BN_IDENTIFIED, sc, None), None),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["certificate"]["hc1"].as_str().unwrap().to_string()
}

/// A key change: the first instance signs with DSC A; its keys are moved away and a second
/// instance on the same database starts with a new DSC B. The DGCA download from the second
/// lists A and B, A under the id the first instance gave it, and verifies certificates of both.
async fn signer_certificates_page_by_page(backend: Backend) {
    let h = Harness::new(backend).await;
    let old_hc1 = hc1_of(&h.app, &h, "2026-03-01T08:00:00Z").await;
    let first: Vec<(i64, Vec<u8>)> = h
        .app
        .issuance
        .published()
        .signers
        .iter()
        .map(|p| (p.id, p.dsc.der.clone()))
        .collect();
    assert_eq!(first.len(), 1);
    let old_dsc = h.app.issuance.newest().unwrap().dsc.der.clone();
    assert_eq!(first[0].1, old_dsc);

    let keys = h.dir.path().join("keys");
    std::fs::rename(&keys, h.dir.path().join("keys-old")).unwrap();
    let app = h.second_instance(Default::default()).await;
    let new_dsc = app.issuance.newest().unwrap().dsc.der.clone();
    assert_ne!(new_dsc, old_dsc, "new keys were generated");
    let new_hc1 = hc1_of(&app, &h, "2026-03-02T08:00:00Z").await;

    let client = Client::new(listen(app.clone()).await);
    let pages = client.signer_certificates().await;
    let ders: Vec<Vec<u8>> = pages.iter().map(|(_, _, der)| der.clone()).collect();
    assert_eq!(ders, vec![old_dsc.clone(), new_dsc], "every DSC, in order");
    assert_eq!(pages[0].0, first[0].0, "A keeps its id across the restart");
    for (token, kid, der) in &pages {
        assert_eq!(kid, &kid_of(der), "X-KID of page {token}");
    }

    // The status list names exactly the downloaded kids.
    let status = client.get("/signercertificateStatus", &[]).await;
    assert_eq!(status.status, StatusCode::OK);
    let kids: BTreeSet<String> = serde_json::from_value(status.json()).unwrap();
    let downloaded: BTreeSet<String> = pages.iter().map(|(_, kid, _)| kid.clone()).collect();
    assert_eq!(kids, downloaded);

    // What was downloaded verifies certificates of both keys; without A, A's does not.
    for hc1 in [&old_hc1, &new_hc1] {
        let report = verify_with(&ders, hc1);
        assert!(
            report.is_valid(),
            "{}",
            serde_json::to_string(&report).unwrap()
        );
    }
    let report = verify_with(&ders[1..], &old_hc1);
    assert!(!report.is_valid());
    assert_eq!(report.outcome(verifier::Check::Signature).as_str(), "fail");

    // Resuming in the middle, after the end, and with a token that is not a number.
    let token = |t: String| vec![("X-RESUME-TOKEN", t)];
    let next = client
        .get("/signercertificateUpdate", &token(pages[0].0.to_string()))
        .await;
    assert_eq!(next.header("x-resume-token"), pages[1].0.to_string());
    let end = client
        .get("/signercertificateUpdate", &token(pages[1].0.to_string()))
        .await;
    assert_eq!(end.status, StatusCode::NO_CONTENT);
    let before = client
        .get("/signercertificateUpdate", &token("-1".into()))
        .await;
    assert_eq!(before.header("x-resume-token"), pages[0].0.to_string());
    for bad in ["abc", "1.5", ""] {
        let answer = client
            .get("/signercertificateUpdate", &token(bad.into()))
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad:?}");
        assert!(answer.json()["message"]
            .as_str()
            .unwrap()
            .contains("X-RESUME-TOKEN"));
    }

    // The first instance, not restarted, still publishes its own DSC only; its trust list and
    // the DGCA list read the same set.
    let jws = common::send(
        &h.app,
        axum::http::Request::get("/trust-list")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .1;
    let signed = trust_list::verify_signed(
        jws.as_str().unwrap(),
        None,
        hcert::crypto::default_backend(),
    )
    .unwrap();
    assert_eq!(signed.dscs.len(), 1);
    let jws = common::send(
        &app,
        axum::http::Request::get("/trust-list")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .1;
    let signed = trust_list::verify_signed(
        jws.as_str().unwrap(),
        None,
        hcert::crypto::default_backend(),
    )
    .unwrap();
    let listed: Vec<Vec<u8>> = signed.dscs.iter().map(|d| d.der.clone()).collect();
    assert_eq!(
        listed, ders,
        "dcc's trust list holds what the DGCA list holds"
    );
    h.finish().await;
}
both!(signer_certificates_page_by_page);

/// business-rule service: `GET /rules`, then each country's list and each rule by country and
/// hash, whose SHA-256 is the hash; value sets by hash likewise; the country list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_and_value_sets_by_country_and_hash() {
    let h = Harness::new(Backend::Sqlite).await;
    let client = Client::new(listen(h.app.clone()).await);

    let all = client.get("/rules", &[]).await;
    assert_eq!(all.status, StatusCode::OK);
    let all = all.json();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 9, "the project's rules by default: {all:?}");
    let countries: BTreeSet<String> = all
        .iter()
        .map(|r| r["country"].as_str().unwrap().to_string())
        .collect();
    let mut fetched = 0;
    for country in &countries {
        let listed = client.get(&format!("/rules/{country}"), &[]).await;
        assert_eq!(listed.status, StatusCode::OK, "{country}");
        let listed = listed.json();
        let expected: Vec<&Value> = all.iter().filter(|r| r["country"] == *country).collect();
        assert_eq!(
            listed.as_array().unwrap().iter().collect::<Vec<_>>(),
            expected
        );
        for entry in listed.as_array().unwrap() {
            let hash = entry["hash"].as_str().unwrap();
            let rule = client.get(&format!("/rules/{country}/{hash}"), &[]).await;
            assert_eq!(rule.status, StatusCode::OK, "{country}/{hash}");
            assert_eq!(
                sha256_hex(&rule.body),
                hash,
                "the served bytes hash to the hash"
            );
            let json = rule.json();
            assert_eq!(json["Identifier"], entry["identifier"]);
            assert_eq!(json["Version"], entry["version"]);
            assert_eq!(json["Country"], entry["country"]);
            // dcc's own path to the same rule: the same bytes.
            let ours = client.get(&format!("/rules/{hash}"), &[]).await;
            assert_eq!(ours.body, rule.body);
            fetched += 1;
        }
    }
    assert_eq!(fetched, all.len());

    let sets = client.get("/valuesets", &[]).await.json();
    let sets = sets.as_array().unwrap();
    assert_eq!(
        sets.len(),
        8,
        "the project's value sets by default: {sets:?}"
    );
    for entry in sets {
        let hash = entry["hash"].as_str().unwrap();
        let set = client.get(&format!("/valuesets/{hash}"), &[]).await;
        assert_eq!(set.status, StatusCode::OK);
        assert_eq!(sha256_hex(&set.body), hash);
        assert_eq!(set.json()["valueSetId"], entry["id"]);
    }

    let list = client.get("/countrylist", &[]).await;
    assert_eq!(list.status, StatusCode::OK);
    let list: BTreeSet<String> = serde_json::from_value(list.json()).unwrap();
    assert!(list.contains("CZ"));
    assert!(countries.is_subset(&list), "{list:?}");
    h.finish().await;
}

/// `GET /rules/{x}`: two letters in either case are a country, 64 hex digits in either case a
/// hash; 63 or 65 digits, three letters, an unknown hash are 404; a country without rules has
/// an empty list. `/rules/{country}/{hash}` wants the rule's own country.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_path_tells_countries_from_hashes() {
    let h = Harness::new(Backend::Sqlite).await;
    let client = Client::new(listen(h.app.clone()).await);
    let cz = client.get("/rules/CZ", &[]).await;
    let hash = cz.json()[0]["hash"].as_str().unwrap().to_string();
    let cases: Vec<(String, StatusCode)> = vec![
        ("/rules/cz".into(), StatusCode::OK),
        ("/rules/Cz".into(), StatusCode::OK),
        ("/rules/DE".into(), StatusCode::OK),
        (format!("/rules/{hash}"), StatusCode::OK),
        (format!("/rules/{}", hash.to_uppercase()), StatusCode::OK),
        (format!("/rules/{}", &hash[..63]), StatusCode::NOT_FOUND),
        (format!("/rules/{hash}0"), StatusCode::NOT_FOUND),
        (format!("/rules/{}", "0".repeat(64)), StatusCode::NOT_FOUND),
        (format!("/rules/{}g", &hash[..63]), StatusCode::NOT_FOUND),
        ("/rules/CZE".into(), StatusCode::NOT_FOUND),
        ("/rules/C1".into(), StatusCode::NOT_FOUND),
        (format!("/rules/cz/{hash}"), StatusCode::OK),
        (format!("/rules/DE/{hash}"), StatusCode::NOT_FOUND),
        (
            format!("/rules/CZ/{}", "0".repeat(64)),
            StatusCode::NOT_FOUND,
        ),
        (format!("/rules/CZ/{}", &hash[..63]), StatusCode::NOT_FOUND),
        (format!("/rules/CZE/{hash}"), StatusCode::BAD_REQUEST),
    ];
    for (path, status) in &cases {
        let answer = client.get(path, &[]).await;
        assert_eq!(answer.status, *status, "{path}");
        if *status != StatusCode::OK {
            assert!(answer.json()["error"].is_string(), "{path}");
        }
    }
    assert_eq!(client.get("/rules/cz", &[]).await.body, cz.body);
    assert_eq!(
        client.get("/rules/DE", &[]).await.json(),
        serde_json::json!([])
    );
    let upper = client
        .get(&format!("/rules/{}", hash.to_uppercase()), &[])
        .await;
    assert_eq!(sha256_hex(&upper.body), hash);
    // Conditional GET of a country's list.
    let etag = cz.header("etag").to_string();
    let again = client.get("/rules/CZ", &[("If-None-Match", etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    h.finish().await;
}
