//! Permissions over HTTP (issue #10; seeds 001 and 003; SECURITY.md 24, 32-35, 47): users ask
//! to act for an organisation, its account managers decide, organisations give processing
//! organisations powers of attorney, and the provider API takes registry sessions, checking the
//! permission on every request. On a real SQLite file and a real PostgreSQL database, with a
//! fixed clock, known captcha answers and captured SMS/e-mail.

use crate::common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::registry::{mails, registered_user, sign_in, user_id};
use common::web::Browser;
use common::{vaccination, Backend, Harness, BN_IDENTIFIED, NOW};
use serde_json::{json, Value};

/// The harness's organisation.
const ORG_A: &str = "25596641";
const ORG_B: &str = "12345679";
/// A processing organisation (seed 003: "zpracovatelská firma").
const AGENT: &str = "47111119";
/// A well-formed IČO no organisation has.
const NO_ORG: &str = "60000015";

/// Registry users: birth number, mobile, e-mail.
type Person = (&'static str, &'static str, &'static str);
const MANAGER: Person = ("700101/1006", "+420601000101", "manager@a.example");
const CLERK: Person = ("750505/1004", "+420601000102", "clerk@a.example");
const MANAGER_B: Person = ("820303/1001", "+420601000103", "manager@b.example");
const PROCESSOR: Person = ("680715/1010", "+420601000104", "clerk@agent.example");
const OUTSIDER: Person = ("910920/1002", "+420601000105", "someone@c.example");

async fn user(h: &Harness, p: Person) -> (String, Browser) {
    registered_user(h, p.0, p.1, p.2).await
}

fn now() -> i64 {
    NOW.unix_timestamp()
}

async fn create_org(h: &Harness, ico: &str, name: &str) -> i64 {
    server::admin::create_org(&h.app.config, ico, name, now())
        .await
        .unwrap()
        .id
}

/// `dcc admin registry grant`.
async fn grant(h: &Harness, username: &str, ico: &str, manager: bool) {
    server::admin::registry_grant(&h.app.config, username, ico, manager, h.clock_now())
        .await
        .unwrap();
}

async fn org_id(h: &Harness, ico: &str) -> i64 {
    h.app.store.org_by_ico(ico).await.unwrap().unwrap().id
}

/// The CSRF token of a browser's registry session, as its pages carry it.
async fn csrf(h: &Harness, b: &mut Browser) -> String {
    let p = b.get(h, "/registry/permissions").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    p.csrf()
}

/// A provider-API request with the browser's registry cookie, `Sec-Fetch-Site: same-origin`,
/// and the given organisation, CSRF token and JSON body.
fn api(
    b: &Browser,
    method: Method,
    uri: &str,
    org: Option<&str>,
    token: Option<&str>,
    body: Option<&Value>,
) -> Request<Body> {
    let mut r = Request::builder()
        .method(method)
        .uri(uri)
        .header("cookie", b.cookie_header())
        .header("sec-fetch-site", "same-origin");
    if let Some(o) = org {
        r = r.header("x-organisation", o);
    }
    if let Some(t) = token {
        r = r.header("x-csrf-token", t);
    }
    match body {
        Some(v) => r
            .header("content-type", "application/json")
            .body(Body::from(v.to_string())),
        None => r.body(Body::empty()),
    }
    .unwrap()
}

async fn call(h: &Harness, b: &mut Browser, req: Request<Body>) -> (StatusCode, Value) {
    let p = b.send(h, req).await;
    let v = serde_json::from_str(&p.body).unwrap_or(Value::String(p.body));
    (p.status, v)
}

fn record_body() -> Value {
    vaccination(BN_IDENTIFIED, 1, 2, "2026-01-10", None)
}

/// `POST /api/v1/records` for `org` through the browser's session.
async fn write(h: &Harness, b: &mut Browser, org: &str, token: &str) -> (StatusCode, Value) {
    let req = api(
        b,
        Method::POST,
        "/api/v1/records",
        Some(org),
        Some(token),
        Some(&record_body()),
    );
    call(h, b, req).await
}

/// `GET /api/v1/records/{id}` for `org` through the browser's session.
async fn read(h: &Harness, b: &mut Browser, org: &str, id: &str) -> StatusCode {
    let req = api(
        b,
        Method::GET,
        &format!("/api/v1/records/{id}"),
        Some(org),
        None,
        None,
    );
    call(h, b, req).await.0
}

/// How many audit events of a type the organisation has.
async fn audited(h: &Harness, event: &str, org: i64) -> usize {
    h.app
        .store
        .audit_events(1000)
        .await
        .unwrap()
        .iter()
        .filter(|(e, o)| e == event && *o == Some(org))
        .count()
}

/// The subjects of the audit events of a type, read from the database.
async fn audit_subjects(h: &Harness, event: &str) -> Vec<Option<String>> {
    common::audit_column(h, "subject", event).await
}

/// SECURITY.md 33, 34, 47, 24, 35: a request, the manager's approval, then records written
/// through the registry session carry their recorder; the requester cannot approve their own
/// request; the API's CSRF, organisation and body checks.
async fn request_approve_and_record(backend: Backend) {
    let h = Harness::new(backend).await;
    let a = org_id(&h, ORG_A).await;
    let (manager, mut mb) = user(&h, MANAGER).await;
    grant(&h, &manager, ORG_A, true).await;
    let manager_id = user_id(&h, &manager).await;
    let (clerk, mut cb) = user(&h, CLERK).await;
    let clerk_id = user_id(&h, &clerk).await;

    // No permission yet: the page says so and the API refuses every request for A.
    let p = cb.get(&h, "/registry/permissions").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body.contains("Zatím nemáte žádné oprávnění"),
        "{}",
        p.body
    );
    assert!(p.body.contains("<label for=\"ico\">IČO</label>"));
    let token = p.csrf();
    let (status, err) = write(&h, &mut cb, ORG_A, &token).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    assert_eq!(err["error"], "forbidden");
    let some_id = "00000000-0000-4000-8000-000000000000";
    assert_eq!(
        read(&h, &mut cb, ORG_A, some_id).await,
        StatusCode::FORBIDDEN
    );

    // Unknown and malformed IČO: a clear rejection, nothing stored.
    for (ico, says) in [
        (NO_ORG, "Organizace s tímto IČO v registru není."),
        ("1234", "8 číslic"),
    ] {
        let p = cb
            .post(
                &h,
                "/registry/permissions",
                &[("csrf", &token), ("ico", ico)],
            )
            .await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{ico}");
        assert!(p.body.contains(says), "{ico}: {}", p.body);
        assert!(p.body.contains("aria-invalid=\"true\""));
    }
    // A form posted without the session's token changes nothing (SECURITY.md 24).
    let p = cb
        .post(
            &h,
            "/registry/permissions",
            &[("csrf", "0000"), ("ico", ORG_A)],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(h
        .app
        .store
        .permission_of(&clerk_id, a)
        .await
        .unwrap()
        .is_none());

    // The request, once.
    let p = cb
        .post(
            &h,
            "/registry/permissions",
            &[("csrf", &token), ("ico", " 2559 6641 ")],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Žádost byla odeslána"), "{}", p.body);
    assert!(p.body.contains("čeká na schválení"));
    let p = cb
        .post(
            &h,
            "/registry/permissions",
            &[("csrf", &token), ("ico", ORG_A)],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("čeká na rozhodnutí"), "{}", p.body);
    let perm = h
        .app
        .store
        .permission_of(&clerk_id, a)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (perm.state.as_str(), perm.role.as_str()),
        ("requested", "member")
    );
    assert_eq!(audited(&h, "permission.requested", a).await, 1);

    // The requester can neither approve their own request nor see the organisation's page.
    let p = cb
        .post(
            &h,
            "/registry/org/25596641/decide",
            &[
                ("csrf", &token),
                ("permission", &perm.id),
                ("decision", "approve"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    assert_eq!(
        cb.get(&h, "/registry/org/25596641").await.status,
        StatusCode::FORBIDDEN
    );
    let still = h.app.store.permission(&perm.id).await.unwrap().unwrap();
    assert_eq!(still.state, "requested");
    assert_eq!(audited(&h, "permission.denied", a).await, 1);
    // Only the operator's grant of the manager is an approval so far.
    assert_eq!(audited(&h, "permission.approved", a).await, 1);
    assert_eq!(
        write(&h, &mut cb, ORG_A, &token).await.0,
        StatusCode::FORBIDDEN
    );

    // The manager sees the request and approves it.
    let p = mb.get(&h, "/registry/org/25596641").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains(&clerk), "{}", p.body);
    assert!(p.body.contains("<h1>Nemocnice Test</h1>"));
    assert!(p.body.contains("value=\"approve\""));
    let mtoken = p.csrf();
    // GET does not decide.
    assert_eq!(
        mb.get(&h, "/registry/org/25596641/decide").await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    let decide = [
        ("csrf", mtoken.as_str()),
        ("permission", perm.id.as_str()),
        ("decision", "approve"),
    ];
    let p = mb.post(&h, "/registry/org/25596641/decide", &decide).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/registry/org/25596641");
    // Decided once: a second decision is a conflict.
    let p = mb.post(&h, "/registry/org/25596641/decide", &decide).await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    let approved = h.app.store.permission(&perm.id).await.unwrap().unwrap();
    assert_eq!(approved.state, "approved");
    assert_eq!(approved.decided_by.as_deref(), Some(manager_id.as_str()));
    assert_eq!(audited(&h, "permission.approved", a).await, 2);
    // Audit subjects are pseudonyms, never user ids.
    let subjects = audit_subjects(&h, "permission.approved").await;
    assert_eq!(subjects.len(), 2);
    for s in subjects {
        let s = s.unwrap();
        assert_eq!(s.len(), 16, "{s}");
        assert!(s != clerk_id && s != manager_id);
    }
    let p = cb.get(&h, "/registry/permissions").await;
    assert!(p.body.contains("schváleno"), "{}", p.body);
    assert!(
        !p.body.contains("/registry/org/25596641"),
        "members manage nothing"
    );

    // Now the clerk records through the session; the record carries its recorder.
    let (status, rec) = write(&h, &mut cb, ORG_A, &token).await;
    assert_eq!(status, StatusCode::CREATED, "{rec}");
    assert_eq!(rec["recorded_by"], clerk_id.as_str());
    let id = rec["id"].as_str().unwrap().to_string();
    let req = api(
        &cb,
        Method::GET,
        &format!("/api/v1/records/{id}"),
        Some(ORG_A),
        None,
        None,
    );
    let (status, again) = call(&h, &mut cb, req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["recorded_by"], clerk_id.as_str());
    assert_eq!(audited(&h, "record.created", a).await, 1);

    // The organisation must be named (400), and non-GET requests need the CSRF checks.
    let req = api(
        &cb,
        Method::GET,
        &format!("/api/v1/records/{id}"),
        None,
        None,
        None,
    );
    let (status, err) = call(&h, &mut cb, req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert!(err["message"].as_str().unwrap().contains("X-Organisation"));
    let req = api(
        &cb,
        Method::GET,
        &format!("/api/v1/records/{id}"),
        Some("1234"),
        None,
        None,
    );
    assert_eq!(call(&h, &mut cb, req).await.0, StatusCode::BAD_REQUEST);
    let body = record_body();
    let no_token = api(
        &cb,
        Method::POST,
        "/api/v1/records",
        Some(ORG_A),
        None,
        Some(&body),
    );
    let (status, err) = call(&h, &mut cb, no_token).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    assert!(err["message"].as_str().unwrap().starts_with("csrf"));
    // Another session's token.
    let other = api(
        &cb,
        Method::POST,
        "/api/v1/records",
        Some(ORG_A),
        Some(&mtoken),
        Some(&body),
    );
    assert_eq!(call(&h, &mut cb, other).await.0, StatusCode::FORBIDDEN);
    // The right token from another site.
    let mut cross = api(
        &cb,
        Method::POST,
        "/api/v1/records",
        Some(ORG_A),
        Some(&token),
        Some(&body),
    );
    cross
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(call(&h, &mut cb, cross).await.0, StatusCode::FORBIDDEN);
    // Without Sec-Fetch-Site, the configured Origin passes and another one does not.
    for (origin, expect) in [
        (h.app.config.base_url(), StatusCode::CREATED),
        ("https://evil.example".to_string(), StatusCode::FORBIDDEN),
    ] {
        let mut req = api(
            &cb,
            Method::POST,
            "/api/v1/records",
            Some(ORG_A),
            Some(&token),
            Some(&body),
        );
        req.headers_mut().remove("sec-fetch-site");
        req.headers_mut().insert("origin", origin.parse().unwrap());
        assert_eq!(call(&h, &mut cb, req).await.0, expect, "{origin}");
    }
    // The recorder is set by the server (SECURITY.md 35).
    let mut forged = record_body();
    forged["recorded_by"] = json!(manager_id);
    let req = api(
        &cb,
        Method::POST,
        "/api/v1/records",
        Some(ORG_A),
        Some(&token),
        Some(&forged),
    );
    assert_eq!(
        call(&h, &mut cb, req).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // A cookie no session has: 401.
    let mut forged_cookie = cb.clone();
    forged_cookie.cookies.insert(
        "__Host-dcc-registry".into(),
        "AAAAAAAAAAAAAAAAAAAAAA".into(),
    );
    let req = api(
        &forged_cookie,
        Method::GET,
        "/api/v1/records/x",
        Some(ORG_A),
        None,
        None,
    );
    assert_eq!(
        call(&h, &mut forged_cookie, req).await.0,
        StatusCode::UNAUTHORIZED
    );

    // The bearer-token path is unchanged and records no recorder.
    let (status, by_token, _) = h.send(h.post_record(&body, None)).await;
    assert_eq!(status, StatusCode::CREATED, "{by_token}");
    assert!(by_token.get("recorded_by").is_none(), "{by_token}");
    h.finish().await;
}
both!(request_approve_and_record);

/// SECURITY.md 33, 34: a manager of another organisation cannot decide; other organisations'
/// records are 404 and writes for them 403; refusal and revocation are audited, revocation
/// bites on the next request, and a refused or revoked user may ask again.
async fn other_organisations_and_revocation(backend: Backend) {
    let h = Harness::new(backend).await;
    let a = org_id(&h, ORG_A).await;
    let b = create_org(&h, ORG_B, "Klinika B").await;
    let token_b = server::admin::create_token(&h.app.config, ORG_B, now())
        .await
        .unwrap()
        .token;
    let (manager, mut mb) = user(&h, MANAGER).await;
    grant(&h, &manager, ORG_A, true).await;
    let (manager_b, mut mbb) = user(&h, MANAGER_B).await;
    grant(&h, &manager_b, ORG_B, true).await;
    let (clerk, mut cb) = user(&h, CLERK).await;
    let clerk_id = user_id(&h, &clerk).await;
    let (outsider, mut ob) = user(&h, OUTSIDER).await;
    let outsider_id = user_id(&h, &outsider).await;

    // The clerk asks for A; the manager of B can neither see A's page nor decide A's requests.
    let token = csrf(&h, &mut cb).await;
    let p = cb
        .post(
            &h,
            "/registry/permissions",
            &[("csrf", &token), ("ico", ORG_A)],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    let perm = h
        .app
        .store
        .permission_of(&clerk_id, a)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        mbb.get(&h, "/registry/org/25596641").await.status,
        StatusCode::FORBIDDEN
    );
    let btoken = csrf(&h, &mut mbb).await;
    for path in [
        "/registry/org/25596641/decide",
        "/registry/org/12345679/decide",
    ] {
        let p = mbb
            .post(
                &h,
                path,
                &[
                    ("csrf", &btoken),
                    ("permission", &perm.id),
                    ("decision", "approve"),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        h.app
            .store
            .permission(&perm.id)
            .await
            .unwrap()
            .unwrap()
            .state,
        "requested"
    );
    assert_eq!(audited(&h, "permission.denied", a).await, 2);
    assert_eq!(
        audited(&h, "permission.approved", a).await,
        1,
        "the operator's only"
    );

    // A's manager approves; the clerk writes for A, not for B.
    let mtoken = csrf(&h, &mut mb).await;
    let p = mb
        .post(
            &h,
            "/registry/org/25596641/decide",
            &[
                ("csrf", &mtoken),
                ("permission", &perm.id),
                ("decision", "approve"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let (status, own) = write(&h, &mut cb, ORG_A, &token).await;
    assert_eq!(status, StatusCode::CREATED, "{own}");
    let (status, _) = write(&h, &mut cb, ORG_B, &token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // B's record: 404 for A's clerk acting for A, 403 when naming B.
    let req = Request::post("/api/v1/records")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token_b}"))
        .body(Body::from(record_body().to_string()))
        .unwrap();
    let (status, theirs, _) = h.send(req).await;
    assert_eq!(status, StatusCode::CREATED, "{theirs}");
    let theirs = theirs["id"].as_str().unwrap();
    assert_eq!(
        read(&h, &mut cb, ORG_A, theirs).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        read(&h, &mut cb, ORG_B, theirs).await,
        StatusCode::FORBIDDEN
    );
    let person = own["person_id"].as_str().unwrap();
    let req = api(
        &cb,
        Method::GET,
        &format!("/api/v1/persons/{person}/records"),
        Some(ORG_A),
        None,
        None,
    );
    let (status, list) = call(&h, &mut cb, req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        list["records"].as_array().unwrap().len(),
        1,
        "A's record only"
    );
    // A token of B naming A is refused too.
    let req = Request::get(format!("/api/v1/records/{theirs}"))
        .header("authorization", format!("Bearer {token_b}"))
        .header("x-organisation", ORG_A)
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.send(req).await.0, StatusCode::FORBIDDEN);

    // The outsider asks B; B's manager refuses, and the outsider may ask again.
    let otoken = csrf(&h, &mut ob).await;
    let ask = [("csrf", otoken.as_str()), ("ico", ORG_B)];
    assert_eq!(
        ob.post(&h, "/registry/permissions", &ask).await.status,
        StatusCode::OK
    );
    let operm = h
        .app
        .store
        .permission_of(&outsider_id, b)
        .await
        .unwrap()
        .unwrap();
    let p = mbb
        .post(
            &h,
            "/registry/org/12345679/decide",
            &[
                ("csrf", &btoken),
                ("permission", &operm.id),
                ("decision", "refuse"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(audited(&h, "permission.refused", b).await, 1);
    let p = ob.get(&h, "/registry/permissions").await;
    assert!(p.body.contains("zamítnuto"), "{}", p.body);
    assert_eq!(
        write(&h, &mut ob, ORG_B, &otoken).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ob.post(&h, "/registry/permissions", &ask).await.status,
        StatusCode::OK
    );
    assert_eq!(
        h.app
            .store
            .permission(&operm.id)
            .await
            .unwrap()
            .unwrap()
            .state,
        "requested"
    );
    assert_eq!(audited(&h, "permission.requested", b).await, 2);

    // A's manager revokes the clerk; the very next request is refused.
    let p = mb.get(&h, "/registry/org/25596641").await;
    assert!(p.body.contains("Odebrat oprávnění"), "{}", p.body);
    let manager_perm = h
        .app
        .store
        .permission_of(&user_id(&h, &manager).await, a)
        .await
        .unwrap()
        .unwrap();
    // Not their own permission, though.
    let p = mb
        .post(
            &h,
            "/registry/org/25596641/revoke",
            &[("csrf", &mtoken), ("permission", &manager_perm.id)],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = mb
        .post(
            &h,
            "/registry/org/25596641/revoke",
            &[("csrf", &mtoken), ("permission", &perm.id)],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(audited(&h, "permission.revoked", a).await, 1);
    let (status, err) = write(&h, &mut cb, ORG_A, &token).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    assert_eq!(
        read(&h, &mut cb, ORG_A, own["id"].as_str().unwrap()).await,
        StatusCode::FORBIDDEN
    );
    let p = cb.get(&h, "/registry/permissions").await;
    assert!(p.body.contains("odebráno"), "{}", p.body);
    let p = cb
        .post(
            &h,
            "/registry/permissions",
            &[("csrf", &token), ("ico", ORG_A)],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "asking again after revocation");
    h.finish().await;
}
both!(other_organisations_and_revocation);

/// Seed 003, SECURITY.md 33: a power of attorney lets the processing organisation's member write
/// for the grantor within its period, not after it ends (fixed clock moved on) and not after it
/// is revoked; each step is audited.
async fn powers_of_attorney(backend: Backend) {
    let h = Harness::new(backend).await;
    let a = org_id(&h, ORG_A).await;
    create_org(&h, AGENT, "Zpracovatel s.r.o.").await;
    let (manager, mut mb) = user(&h, MANAGER).await;
    grant(&h, &manager, ORG_A, true).await;
    let (processor, mut pb) = user(&h, PROCESSOR).await;
    grant(&h, &processor, AGENT, false).await;
    let processor_id = user_id(&h, &processor).await;
    let ptoken = csrf(&h, &mut pb).await;

    // The agent's member acts for the agent, not yet for A.
    assert_eq!(
        write(&h, &mut pb, AGENT, &ptoken).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        write(&h, &mut pb, ORG_A, &ptoken).await.0,
        StatusCode::FORBIDDEN
    );

    // Refused grants name their reason.
    let p = mb.get(&h, "/registry/org/25596641").await;
    assert!(p.body.contains("<label for=\"valid_until\">"), "{}", p.body);
    // The hint's format is the field's: a text input, no browser date picker whose display
    // (mm/dd/yyyy) contradicts the hint (issue #21 part 5).
    assert!(
        p.body.contains("name=\"valid_until\" type=\"text\"") && p.body.contains("D. M. RRRR"),
        "{}",
        p.body
    );
    let mtoken = p.csrf();
    for (agent, until, says) in [
        (AGENT, "2027-06-01", "do 366 dní"),
        (AGENT, "2026-03-01", "do 366 dní"),
        (AGENT, "zítra", "Datum zadejte ve tvaru D. M. RRRR"),
        (AGENT, "03/10/2026", "Datum zadejte ve tvaru D. M. RRRR"),
        (ORG_A, "2026-03-10", "vlastní organizaci"),
        (
            NO_ORG,
            "2026-03-10",
            "Organizace s tímto IČO v registru není.",
        ),
    ] {
        let p = mb
            .post(
                &h,
                "/registry/org/25596641/attorney",
                &[
                    ("csrf", &mtoken),
                    ("agent_ico", agent),
                    ("valid_until", until),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(
            p.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{agent} {until}"
        );
        assert!(p.body.contains(says), "{agent} {until}: {}", p.body);
    }
    // The processor cannot give itself A's power of attorney.
    let p = pb
        .post(
            &h,
            "/registry/org/25596641/attorney",
            &[
                ("csrf", &ptoken),
                ("agent_ico", AGENT),
                ("valid_until", "2026-03-10"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(audited(&h, "attorney.granted", a).await, 0);

    // Valid through today (the clock says 2026-03-02 10:00 UTC), written as the hint says.
    let p = mb
        .post(
            &h,
            "/registry/org/25596641/attorney",
            &[
                ("csrf", &mtoken),
                ("agent_ico", AGENT),
                ("valid_until", "2. 3. 2026"),
                ("note", "plná moc č. j. 12/2026"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(audited(&h, "attorney.granted", a).await, 1);
    let p = mb.get(&h, "/registry/org/25596641").await;
    assert!(p.body.contains("Zpracovatel s.r.o."), "{}", p.body);
    assert!(p.body.contains("platná"));
    assert!(p.body.contains("plná moc č. j. 12/2026"));
    let p = pb.get(&h, "/registry/permissions").await;
    assert!(
        p.body.contains("Zastupování na základě plné moci"),
        "{}",
        p.body
    );
    assert!(p.body.contains("Nemocnice Test"));

    // Within the period the processor writes for A; the record is A's.
    let (status, rec) = write(&h, &mut pb, ORG_A, &ptoken).await;
    assert_eq!(status, StatusCode::CREATED, "{rec}");
    assert_eq!(rec["recorded_by"], processor_id.as_str());
    let id = rec["id"].as_str().unwrap().to_string();
    assert_eq!(read(&h, &mut pb, ORG_A, &id).await, StatusCode::OK);
    assert_eq!(read(&h, &mut pb, AGENT, &id).await, StatusCode::NOT_FOUND);
    assert_eq!(audited(&h, "record.created", a).await, 1);

    // After the period (midnight in Prague after 2 March, 23:00 UTC) it no longer counts.
    h.clock.advance(time::Duration::hours(13));
    let mut pb = sign_in(&h, &processor, PROCESSOR.1).await;
    let ptoken = csrf(&h, &mut pb).await;
    let (status, err) = write(&h, &mut pb, ORG_A, &ptoken).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    assert_eq!(read(&h, &mut pb, ORG_A, &id).await, StatusCode::FORBIDDEN);
    assert_eq!(
        write(&h, &mut pb, AGENT, &ptoken).await.0,
        StatusCode::CREATED
    );
    let p = pb.get(&h, "/registry/permissions").await;
    assert!(!p.body.contains("Zastupování na základě plné moci"));

    // A new one, then revoked: the next request is refused.
    let mut mb = sign_in(&h, &manager, MANAGER.1).await;
    let mtoken = csrf(&h, &mut mb).await;
    let p = mb
        .post(
            &h,
            "/registry/org/25596641/attorney",
            &[
                ("csrf", &mtoken),
                ("agent_ico", AGENT),
                ("valid_until", "2026-03-10"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        write(&h, &mut pb, ORG_A, &ptoken).await.0,
        StatusCode::CREATED
    );
    let current = h
        .app
        .store
        .org_attorneys(a)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.revoked_at.is_none() && x.valid_until > h.clock_now())
        .unwrap();
    let p = mb.get(&h, "/registry/org/25596641").await;
    assert!(p.body.contains("vypršela"), "{}", p.body);
    assert!(p.body.contains(&current.id));
    let p = mb
        .post(
            &h,
            "/registry/org/25596641/attorney/revoke",
            &[("csrf", &mtoken), ("attorney", &current.id)],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(audited(&h, "attorney.revoked", a).await, 1);
    assert_eq!(
        write(&h, &mut pb, ORG_A, &ptoken).await.0,
        StatusCode::FORBIDDEN
    );
    let p = mb
        .post(
            &h,
            "/registry/org/25596641/attorney/revoke",
            &[("csrf", &mtoken), ("attorney", &current.id)],
        )
        .await;
    assert_eq!(p.status, StatusCode::CONFLICT, "revoked once");
    assert_eq!(audited(&h, "attorney.granted", a).await, 2);
    let subjects = audit_subjects(&h, "attorney.revoked").await;
    assert_eq!(subjects.len(), 1);
    assert_eq!(subjects[0].as_deref().map(str::len), Some(16));
    h.finish().await;
}
both!(powers_of_attorney);

/// `dcc admin registry grant`: unknown users and organisations are refused by name; a grant is
/// audited as the operator's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_grant_checks_its_input() {
    let h = Harness::new(Backend::Sqlite).await;
    let (manager, _) = user(&h, MANAGER).await;
    let cfg = &h.app.config;
    let e = server::admin::registry_grant(cfg, "ZZZZZZZZ", ORG_A, true, now())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no registry user"), "{e}");
    let e = server::admin::registry_grant(cfg, &manager, NO_ORG, true, now())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no organisation"), "{e}");
    let e = server::admin::registry_grant(cfg, &manager, "25596640", true, now())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("check digit"), "{e}");
    // Lower case is read as the username.
    server::admin::registry_grant(cfg, &manager.to_lowercase(), ORG_A, false, now())
        .await
        .unwrap();
    let a = org_id(&h, ORG_A).await;
    let p = h
        .app
        .store
        .permission_of(&user_id(&h, &manager).await, a)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (p.state.as_str(), p.role.as_str(), p.decided_by.as_deref()),
        ("approved", "member", Some("operator"))
    );
    h.finish().await;
}

/// Issue #21 part 6: a request is e-mailed to the organisation's managers (not to another
/// organisation's), a decision to the requester; each mail names the organisation, the time in
/// Prague and the page's link, never a birth number, phone or the requester's name.
async fn requests_and_decisions_are_mailed(backend: Backend) {
    let h = Harness::new(backend).await;
    create_org(&h, ORG_B, "Poliklinika Beta").await;
    let (manager, mut mb) = user(&h, MANAGER).await;
    grant(&h, &manager, ORG_A, true).await;
    let (manager_b, _) = user(&h, MANAGER_B).await;
    grant(&h, &manager_b, ORG_B, true).await;
    let (_, mut cb) = user(&h, CLERK).await;
    mails(&h).await;

    let token = csrf(&h, &mut cb).await;
    let p = cb
        .post(
            &h,
            "/registry/permissions",
            &[("csrf", &token), ("ico", ORG_A)],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let m = mails(&h).await;
    assert_eq!(m.len(), 1, "one mail, to A's manager only: {m:?}");
    let (to, body) = &m[0];
    assert_eq!(to, MANAGER.2);
    // The clock's 10:00 UTC on 2 March is 11:00 in Prague.
    assert!(
        body.contains(
            "Uživatel registru požádal dne 2. 3. 2026 11:00 o oprávnění jednat za organizaci \
             Nemocnice Test."
        ),
        "{body}"
    );
    assert!(
        body.contains("(Prague time) to act for Nemocnice Test."),
        "{body}"
    );
    assert!(
        body.ends_with("\nhttp://127.0.0.1:8080/registry/org/25596641\n")
            || body.contains("/registry/org/25596641\n"),
        "{body}"
    );
    for secret in [
        CLERK.0,
        CLERK.0.replace('/', "").as_str(),
        CLERK.1,
        CLERK.2,
        "Uživatel 102",
    ] {
        assert!(!body.contains(secret), "{secret} in {body}");
    }
    assert!(!body.contains("dcc"), "{body}");

    // The decision goes to the requester.
    let perm = h
        .app
        .store
        .org_permissions(org_id(&h, ORG_A).await)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.state == "requested")
        .unwrap();
    let mtoken = csrf(&h, &mut mb).await;
    let p = mb
        .post(
            &h,
            "/registry/org/25596641/decide",
            &[
                ("csrf", &mtoken),
                ("permission", &perm.id),
                ("decision", "approve"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let m = mails(&h).await;
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].0, CLERK.2);
    assert!(
        m[0].1.contains(
            "Vaše žádost o oprávnění jednat za organizaci Nemocnice Test byla dne 2. 3. 2026 \
             11:00 schválena."
        ),
        "{}",
        m[0].1
    );
    assert!(m[0].1.contains("/registry/permissions\n"), "{}", m[0].1);
    // A refused decision (a request to B, refused by B's manager) says so.
    let p = cb
        .post(
            &h,
            "/registry/permissions",
            &[("csrf", &token), ("ico", ORG_B)],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let m = mails(&h).await;
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].0, MANAGER_B.2, "B's manager, not A's");
    h.finish().await;
}
both!(requests_and_decisions_are_mailed);

/// Issue #21 part 6: a power of attorney runs from the start of the Prague day it is given to
/// the end (23:59:59 Prague time) of the day its form names, also over the change to summer
/// time (29 March 2026: that day has 23 hours and ends at 22:00 UTC).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn powers_of_attorney_end_with_the_prague_day() {
    let h = Harness::new(Backend::Sqlite).await;
    let a = org_id(&h, ORG_A).await;
    create_org(&h, AGENT, "Zpracovatel s.r.o.").await;
    let (manager, _) = user(&h, MANAGER).await;
    grant(&h, &manager, ORG_A, true).await;
    // 28 March 2026, 23:30 Prague time (22:30 UTC): the evening before the clocks go forward.
    h.clock
        .advance(time::Duration::days(26) + time::Duration::minutes(750));
    let mut mb = sign_in(&h, &manager, MANAGER.1).await;
    let mtoken = csrf(&h, &mut mb).await;
    let p = mb
        .post(
            &h,
            "/registry/org/25596641/attorney",
            &[
                ("csrf", &mtoken),
                ("agent_ico", AGENT),
                ("valid_until", "29. 3. 2026"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let att = h.app.store.org_attorneys(a).await.unwrap().remove(0);
    use time::macros::datetime;
    // From 28 March 00:00 Prague (winter, UTC+1) to 29 March 24:00 Prague (summer, UTC+2).
    assert_eq!(
        att.valid_from,
        datetime!(2026-03-27 23:00 UTC).unix_timestamp()
    );
    assert_eq!(
        att.valid_until,
        datetime!(2026-03-29 22:00 UTC).unix_timestamp()
    );
    let last_second = datetime!(2026-03-29 21:59:59 UTC).unix_timestamp();
    assert!(att.in_force(last_second) && !att.in_force(last_second + 1));
    // The page shows the Prague days.
    let p = mb.get(&h, "/registry/org/25596641").await;
    assert!(
        p.body.contains("28. 3. 2026") && p.body.contains("29. 3. 2026"),
        "{}",
        p.body
    );
    h.finish().await;
}
