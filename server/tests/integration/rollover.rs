//! A signing-key rollover end to end (issue #22), in-process through the service functions with
//! the harness's fake clock, on SQLite and PostgreSQL: certificates issued under the
//! development key A keep verifying (against the served list and `POST /verify`) while B is
//! pending, after B is active and A retired, until A's last certificate expires; then A leaves
//! the lists by itself. B withdrawn: B's certificates fail at the next refresh; `reissue` gives
//! the holder a new certificate under C, once, with the same UVCI, by e-mail.

use crate::common;

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine as _;
use common::{test_record, vaccination, Backend, Harness, BN_IDENTIFIED, NOW};
use hcert::crypto::Algorithm;
use issuer::keys::{self, KeyOptions};
use serde_json::{json, Value};
use server::clock::Clock as _;
use service::admin::keys as admin;
use service::keys::{self as ring, KeyRef};
use service::store::signers::SignerState;

/// A new CSCA and DSC (ES256) valid from `from`, written into `dir`; returns the DSC's path,
/// its key's path and the CSCA PEM.
fn new_dsc(dir: &Path, from: time::OffsetDateTime) -> (PathBuf, PathBuf, String) {
    let g = keys::generate(&KeyOptions {
        alg: Algorithm::Es256,
        rsa_bits: 2048,
        types: vec![],
        country: "CZ".into(),
        now: from,
        dsc_days: 730,
        usage_days: 183,
    })
    .unwrap();
    std::fs::create_dir_all(dir).unwrap();
    let (cert, key) = (dir.join("dsc.pem"), dir.join("dsc.key"));
    server::bootstrap::write_file(&cert, g.dsc.cert_pem.as_bytes(), 0o644).unwrap();
    server::bootstrap::write_file(&key, g.dsc.key_pem.as_bytes(), 0o600).unwrap();
    (cert, key, g.csca.cert_pem)
}

fn kid_of_pem(path: &Path) -> Vec<u8> {
    trust_list::parse_certificate(&std::fs::read(path).unwrap())
        .unwrap()
        .kid
        .to_vec()
}

/// The kids of dcc's served trust list (its JWS checked with the installation's list signer).
async fn served_kids(h: &Harness) -> Vec<Vec<u8>> {
    let (status, body, _) = h
        .send(Request::get("/trust-list").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    let pinned = std::fs::read(h.dir.path().join("keys/trust-list.pem")).unwrap();
    let list = trust_list::verify_signed(
        body.as_str().unwrap(),
        Some(&pinned),
        hcert::crypto::default_backend(),
    )
    .unwrap();
    assert!(list.signature_checked);
    let mut kids: Vec<Vec<u8>> = list.dscs.into_iter().map(|d| d.kid.to_vec()).collect();
    kids.sort();
    // The DGCA view names the same certificates.
    let (_, status_kids, _) = h
        .send(
            Request::get("/signercertificateStatus")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let mut dgca: Vec<Vec<u8>> = status_kids
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            base64::engine::general_purpose::STANDARD
                .decode(k.as_str().unwrap())
                .unwrap()
        })
        .collect();
    dgca.sort();
    assert_eq!(kids, dgca, "the JWS list and the DGCA status list agree");
    kids
}

fn sorted(mut kids: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    kids.sort();
    kids
}

/// `POST /verify` at the harness clock: the verdict and the signature check.
async fn verdict(h: &Harness, hc1: &str) -> (String, String) {
    let req = Request::post("/verify")
        .header("content-type", "application/json")
        .body(Body::from(json!({ "hc1": hc1 }).to_string()))
        .unwrap();
    let (status, report, _) = h.send(req).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    (
        report["verdict"].as_str().unwrap().to_string(),
        report["checks"]["signature"].as_str().unwrap().to_string(),
    )
}

async fn issue(h: &Harness, body: &Value) -> Value {
    let (status, created, _) = h.send(h.post_record(body, None)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

fn kid_of_hc1(hc1: &str) -> Vec<u8> {
    let cose = hcert::hc1::unwrap(hc1).unwrap();
    hcert::cose::Sign1::parse(&cose).unwrap().kid.unwrap()
}

async fn refresh(h: &Harness) -> bool {
    ring::refresh(&h.app.ctx, false).await.unwrap()
}

async fn rollover(backend: Backend) {
    let h = Harness::new(backend).await;
    let store = h.app.store.clone();
    let now = || h.clock.now().unix_timestamp();
    let a = h.app.issuance.newest().unwrap().dsc.kid.to_vec();
    // The CSCA file new DSCs must chain to: the development CSCA and the one B and C come from.
    let dir = h.dir.path().join("new-keys");
    let (b_cert, b_key, b_csca) = new_dsc(&dir.join("b"), NOW);
    let (c_cert, c_key, c_csca) = new_dsc(&dir.join("c"), NOW);
    let dev_csca = std::fs::read_to_string(h.dir.path().join("keys/csca.pem")).unwrap();
    let mut cfg = h.app.config.as_ref().clone();
    let bundle = dir.join("cscas.pem");
    std::fs::write(&bundle, format!("{dev_csca}{b_csca}{c_csca}")).unwrap();
    cfg.issuer.csca_file = Some(bundle);
    let (b, c) = (kid_of_pem(&b_cert), kid_of_pem(&c_cert));

    // Under A: a test certificate (72 hours) and a vaccination certificate (a year).
    let t_a = issue(
        &h,
        &test_record(BN_IDENTIFIED, "2026-03-02T08:00:00Z", None),
    )
    .await;
    let t_a = t_a["certificate"]["hc1"].as_str().unwrap().to_string();
    assert_eq!(kid_of_hc1(&t_a), a);
    assert_eq!(served_kids(&h).await, vec![a.clone()]);
    assert_eq!(verdict(&h, &t_a).await.0, "valid");

    // B added: published at the next refresh, not signing; A's certificate still verifies.
    let row = admin::add(
        store.as_ref(),
        &cfg,
        &std::fs::read(&b_cert).unwrap(),
        &KeyRef::File(b_key.clone()),
        None,
        "test",
        now(),
    )
    .await
    .unwrap();
    assert_eq!(row.state, SignerState::Pending);
    assert!(refresh(&h).await, "the key version changed");
    assert!(!refresh(&h).await, "nothing changed since");
    assert_eq!(served_kids(&h).await, sorted(vec![a.clone(), b.clone()]));
    assert_eq!(verdict(&h, &t_a).await.0, "valid");
    let v = issue(&h, &vaccination(BN_IDENTIFIED, 2, 2, "2026-02-01", None)).await;
    assert_eq!(
        kid_of_hc1(v["certificate"]["hc1"].as_str().unwrap()),
        a,
        "a pending identity does not sign"
    );

    // Activation before the lead time is refused and changes nothing; after it, B signs.
    let early = admin::activate(store.as_ref(), &cfg, &b, false, "test", now())
        .await
        .unwrap_err()
        .to_string();
    assert!(early.contains("48 h lead time"), "{early}");
    assert!(!refresh(&h).await);
    h.clock.advance(time::Duration::hours(49));
    admin::activate(store.as_ref(), &cfg, &b, false, "test", now())
        .await
        .unwrap();
    // Retiring A now leaves B for every type.
    admin::retire(store.as_ref(), &a, "test", now())
        .await
        .unwrap();
    assert!(refresh(&h).await);
    let t_b = issue(
        &h,
        &test_record(
            BN_IDENTIFIED,
            "2026-03-04T09:00:00Z",
            Some("anezka@example.org"),
        ),
    )
    .await;
    let t_b = t_b["certificate"]["hc1"].as_str().unwrap().to_string();
    assert_eq!(kid_of_hc1(&t_b), b, "the active identity signs");
    assert_eq!(served_kids(&h).await, sorted(vec![a.clone(), b.clone()]));
    assert_eq!(verdict(&h, &t_b).await.0, "valid");
    // A's test certificate is past its 72 hours by now; A stays published for its vaccination
    // certificate (a year).
    assert_eq!(verdict(&h, &t_a).await.1, "pass");
    // Retiring the last active identity of a type is refused.
    let last = admin::retire(store.as_ref(), &b, "test", now())
        .await
        .unwrap_err()
        .to_string();
    assert!(last.contains("last active identity"), "{last}");

    // A's last certificate expires: A leaves the lists by itself, without a key change.
    let version = store.signer_version().await.unwrap();
    h.clock.advance(time::Duration::days(366));
    assert!(refresh(&h).await, "time alone changed the published set");
    assert_eq!(store.signer_version().await.unwrap(), version);
    assert_eq!(served_kids(&h).await, vec![b.clone()]);
    h.clock.advance(time::Duration::days(-366));
    ring::refresh(&h.app.ctx, true).await.unwrap();

    // B withdrawn: its certificates fail at the next refresh; C comes in at once (emergency).
    assert_eq!(verdict(&h, &t_b).await.0, "valid");
    admin::withdraw(store.as_ref(), &b, "key compromised", "test", now())
        .await
        .unwrap();
    // With no active identity, a record is kept without a certificate, audited, and issued
    // by the sweep once one is active.
    assert!(refresh(&h).await);
    let recovery = json!({
        "person": common::person(BN_IDENTIFIED, None),
        "r": {"tg": "840539006", "fr": "2026-02-20", "df": "2026-03-01", "du": "2026-08-01"}
    });
    let kept = issue(&h, &recovery).await;
    assert!(kept["certificate"].is_null(), "{kept}");
    assert!(
        kept["note"]
            .as_str()
            .unwrap()
            .starts_with(ring::NO_SIGNER_NOTE),
        "{kept}"
    );
    assert_eq!(
        ring::sweep(&h.app.ctx).await.unwrap(),
        0,
        "nothing can sign yet"
    );
    admin::add(
        store.as_ref(),
        &cfg,
        &std::fs::read(&c_cert).unwrap(),
        &KeyRef::File(c_key.clone()),
        None,
        "test",
        now(),
    )
    .await
    .unwrap();
    admin::activate(store.as_ref(), &cfg, &c, true, "test", now())
        .await
        .unwrap();
    assert!(refresh(&h).await);
    assert_eq!(ring::sweep(&h.app.ctx).await.unwrap(), 1);
    assert_eq!(
        ring::sweep(&h.app.ctx).await.unwrap(),
        0,
        "each record once"
    );
    let (_, swept, _) = h
        .send(h.get_auth(&format!("/api/v1/records/{}", kept["id"].as_str().unwrap())))
        .await;
    let swept_hc1 = swept["certificate"]["hc1"].as_str().unwrap();
    assert_eq!(kid_of_hc1(swept_hc1), c, "{swept}");
    assert!(swept["note"].is_null(), "{swept}");
    let (verdict_b, signature_b) = verdict(&h, &t_b).await;
    assert_eq!(
        (verdict_b.as_str(), signature_b.as_str()),
        ("invalid", "fail")
    );
    assert!(!served_kids(&h).await.contains(&b));

    // Re-issue: the holder's certificate under B is signed anew by C, once.
    let mails_before = h.mailer.sent.lock().unwrap().len();
    let first = ring::reissue(&h.app.ctx, &b).await.unwrap();
    assert_eq!((first.reissued, first.no_signer), (1, 0), "{first:?}");
    let second = ring::reissue(&h.app.ctx, &b).await.unwrap();
    assert_eq!(second.reissued, 0, "each certificate once: {second:?}");
    let records = h
        .app
        .store
        .citizen_records(
            &h.app
                .store
                .person_by_bn(
                    &h.app
                        .secrets
                        .birth_number_index(&BN_IDENTIFIED.replace('/', "")),
                )
                .await
                .unwrap()
                .unwrap()
                .id,
        )
        .await
        .unwrap();
    let tests: Vec<_> = records
        .iter()
        .filter_map(|(r, _)| r.certificate.as_ref())
        .filter(|c| c.kind == hcert::CertType::Test && c.superseded_at.is_none())
        .collect();
    assert_eq!(tests.len(), 1, "one current test certificate: {tests:?}");
    let new_hc1 = &tests[0].hc1;
    assert_eq!(kid_of_hc1(new_hc1), c);
    assert_eq!(verdict(&h, new_hc1).await.0, "valid");
    assert_eq!(
        tests[0].uvci,
        uvci_of(&t_b),
        "a re-issued certificate keeps its UVCI"
    );
    // Revoked by UVCI: the UCI entries cover the re-issued certificate and the one it replaced
    // (each under its signer's kid), the signature entry only the certificate revoked.
    let (status, body, _) = h
        .send(
            Request::post(common::revoke_path(&tests[0].uvci))
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {}", h.token))
                .body(Body::from(json!({"reason": "test"}).to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let entries: std::collections::BTreeSet<(Vec<u8>, String)> = store
        .revocation_entries(now())
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kid, e.hash_type))
        .collect();
    for (kid, kind, held) in [
        (&c, "SIGNATURE", true),
        (&c, "UCI", true),
        (&b, "UCI", true),
        (&b, "COUNTRYCODEUCI", true),
        (&b, "SIGNATURE", false),
    ] {
        assert_eq!(
            entries.contains(&(kid.clone(), kind.to_string())),
            held,
            "{kind} under {kid:?}: {entries:?}"
        );
    }
    // The new certificate goes to the holder through the outbox.
    server::outbox::run_once(&h.app.ctx).await.unwrap();
    let sent = h.mailer.sent.lock().unwrap().clone();
    assert!(
        sent[mails_before..]
            .iter()
            .any(|(_, to, _)| to == "anezka@example.org"),
        "{sent:?}"
    );
    h.finish().await;
}
both!(rollover);

fn uvci_of(hc1: &str) -> String {
    let cose = hcert::hc1::unwrap(hc1).unwrap();
    let sign1 = hcert::cose::Sign1::parse(&cose).unwrap();
    let dcc = hcert::cwt::into_json(hcert::cwt::decode(sign1.payload()).unwrap().dcc);
    dcc["t"][0]["ci"].as_str().unwrap().to_string()
}

/// Where Debian's softhsm2 package puts the module.
const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
const TOKEN: &str = "dcc-rollover";
const PIN: &str = "pin-4711-user";
const PIN_VAR: &str = "DCC_TEST_ROLLOVER_PIN";

/// A SoftHSM store of this process in `dir` with one initialised token (user PIN [`PIN`]),
/// before the process's first `C_Initialize`. Fails (never skips) without SoftHSM.
fn softhsm_token(dir: &Path) -> hsm::Token {
    use cryptoki::session::UserType;
    use secrecy::SecretString;
    assert!(
        Path::new(SOFTHSM).exists(),
        "SoftHSM is not installed ({SOFTHSM} is missing): apt-get install softhsm2 (.ci/run does)"
    );
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .unwrap();
    // This test is its own process under nextest; the module reads these when first opened.
    std::env::set_var("SOFTHSM2_CONF", &conf);
    std::env::set_var(PIN_VAR, PIN);
    let module = hsm::Module::open(SOFTHSM).unwrap();
    let context = module.context();
    let free = context
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|slot| !context.get_token_info(*slot).unwrap().token_initialized())
        .expect("a free SoftHSM slot");
    let so_pin = SecretString::from("pin-0815-so");
    context.init_token(free, &so_pin, TOKEN).unwrap();
    let slot = module.slot(TOKEN).unwrap();
    let session = context.open_rw_session(slot).unwrap();
    session.login(UserType::So, Some(&so_pin)).unwrap();
    session.init_pin(&SecretString::from(PIN)).unwrap();
    session.logout().unwrap();
    drop(session);
    module.token(TOKEN, &SecretString::from(PIN)).unwrap()
}

/// A rollover onto a key that never leaves a SoftHSM token: generated in the token, its DSC
/// issued by the development CSCA, added by token and key label, activated; the server signs
/// with it (`CKM_ECDSA` over the SHA-256) and `POST /verify` accepts the result.
async fn rollover_into_an_hsm(backend: Backend) {
    let softhsm = tempfile::tempdir().unwrap();
    let token = softhsm_token(softhsm.path());
    token.generate("dsc-2026", hsm::KeySpec::Es256).unwrap();
    let h = Harness::with_config(backend, &[], true, |cfg| {
        cfg.issuer.tokens.insert(
            TOKEN.into(),
            service::config::TokenConfig {
                module: SOFTHSM.into(),
                pin_env: PIN_VAR.into(),
            },
        );
    })
    .await;
    let keys_dir = h.dir.path().join("keys");
    let signer = token.signer("dsc-2026", Algorithm::Es256).unwrap();
    let opts = KeyOptions {
        alg: Algorithm::Es256,
        rsa_bits: 2048,
        types: vec![],
        country: "CZ".into(),
        now: NOW,
        dsc_days: 365,
        usage_days: 183,
    };
    let dsc = hsm::dev_dsc(
        &signer,
        &std::fs::read(keys_dir.join("csca.pem")).unwrap(),
        &std::fs::read_to_string(keys_dir.join("csca.key")).unwrap(),
        &opts,
    )
    .unwrap();
    let store = h.app.store.clone();
    let cfg = h.app.config.as_ref().clone();
    let now = h.clock.now().unix_timestamp();
    let a = h.app.issuance.newest().unwrap().dsc.kid.to_vec();
    let row = admin::add(
        store.as_ref(),
        &cfg,
        &dsc,
        &KeyRef::pkcs11(TOKEN, "dsc-2026").unwrap(),
        None,
        "test",
        now,
    )
    .await
    .unwrap();
    assert_eq!(
        row.key_ref.as_deref(),
        Some("pkcs11:token=dcc-rollover;object=dsc-2026")
    );
    admin::activate(store.as_ref(), &cfg, &row.kid, true, "test", now)
        .await
        .unwrap();
    admin::retire(store.as_ref(), &a, "test", now)
        .await
        .unwrap();
    assert!(refresh(&h).await);
    let created = issue(
        &h,
        &test_record(BN_IDENTIFIED, "2026-03-02T08:00:00Z", None),
    )
    .await;
    let hc1 = created["certificate"]["hc1"].as_str().unwrap();
    assert_eq!(kid_of_hc1(hc1), row.kid, "signed in the token");
    assert_eq!(
        verdict(&h, hc1).await,
        ("valid".to_string(), "pass".to_string())
    );
    assert!(served_kids(&h).await.contains(&row.kid));
    h.finish().await;
}
both!(rollover_into_an_hsm);
