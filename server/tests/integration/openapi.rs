//! The generated OpenAPI document (`GET /openapi.json`) held to the server: every documented
//! operation is routed and every API route is documented; the record request's schema names
//! exactly the fields the service's parser reads; real requests and answers fit the schemas.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use serde_json::{json, Value};

use crate::common::{self, Backend, Harness, BN_IDENTIFIED};

/// The methods an API route could take (HEAD rides on GET; OPTIONS is CORS preflight).
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Pages of the portal on a documented API path: the validators' scanner page is `GET /verify`
/// beside the API's `POST /verify`.
const PAGES: [(&str, &str); 1] = [("get", "/verify")];

/// Routes of `routes::app` that serve the portal's pages, not the API: the scanner's frames and
/// photos.
const PAGE_ROUTES: [&str; 1] = ["/verify/image"];

async fn document(h: &Harness) -> Value {
    let (status, doc, headers) = h
        .send(Request::get("/openapi.json").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/json");
    assert!(doc.is_object(), "the document is JSON: {doc}");
    doc
}

/// The paths `routes::app` routes itself (the portal's are in `portal/`), read from its source:
/// an axum `Router` cannot list its routes.
fn router_paths() -> BTreeSet<String> {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/src/routes/mod.rs");
    let source = std::fs::read_to_string(file).expect("read server/src/routes/mod.rs");
    source
        .split(".route(")
        .skip(1)
        .map(|call| {
            let literal = call.trim_start().strip_prefix('"').expect("a path literal");
            literal.split('"').next().unwrap().to_string()
        })
        .filter(|p| !PAGE_ROUTES.contains(&p.as_str()))
        .collect()
}

/// Each documented (method, path template).
fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(method).is_some() {
                out.push((method.to_string(), path.clone()));
            }
        }
    }
    out
}

/// A URI for a path template: every parameter filled with a value no record has.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|seg| match seg.starts_with('{') {
            true if seg == "{hash}" || seg == "{country_or_hash}" => "0".repeat(64),
            true if seg == "{country}" => "CZ".to_string(),
            true => "00000000-0000-4000-8000-000000000000".to_string(),
            false => seg.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn request(h: &Harness, method: &str, uri: &str, body: Option<&Value>) -> Request<Body> {
    let b = Request::builder()
        .method(method.to_uppercase().as_str())
        .uri(uri)
        .header("authorization", format!("Bearer {}", h.token));
    match body {
        Some(v) => b
            .header("content-type", "application/json")
            .body(Body::from(v.to_string()))
            .unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

/// Every operation of the document reaches its handler under the same route template (the
/// metrics count requests by the template the router matched, "unmatched" for none) with no
/// 405; the other methods of a documented path are 405; and the document's paths are exactly
/// the routes of `routes::app`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documented_operations_are_routed() {
    let h = Harness::new(Backend::Sqlite).await;
    let doc = document(&h).await;
    let documented: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    let routed = router_paths();
    assert!(routed.len() >= 15, "read the routes: {routed:?}");
    assert_eq!(documented, routed, "documented paths vs routes::app");

    let ops = operations(&doc);
    let mut seen = Vec::new();
    for (method, path) in &ops {
        let body = (method == "post").then(|| json!({}));
        let (status, answer, _) = h
            .send(request(&h, method, &concrete(path), body.as_ref()))
            .await;
        assert_ne!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {answer}"
        );
        seen.push((method, path, status));
    }
    for path in &documented {
        for method in METHODS.iter().filter(|m| {
            doc["paths"][path].get(**m).is_none() && !PAGES.contains(&(**m, path.as_str()))
        }) {
            let body = (*method != "get").then(|| json!({}));
            let (status, _, _) = h
                .send(request(&h, method, &concrete(path), body.as_ref()))
                .await;
            assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        }
    }
    let (_, metrics, _) = h
        .send(Request::get("/metrics").body(Body::empty()).unwrap())
        .await;
    let metrics = metrics.as_str().expect("the text exposition");
    for (method, path, status) in seen {
        let line = format!(
            "dcc_http_requests_total{{method=\"{}\",route=\"{path}\",status=\"{}\"}}",
            method.to_uppercase(),
            status.as_u16()
        );
        assert!(
            metrics.contains(&line),
            "{method} {path} was not routed as {line}"
        );
    }
    h.finish().await;
}

/// The names serde lists in "unknown field `zz`, expected one of `a`, `b`" (the parser's
/// fields, in the message the service passes on).
fn expected_fields(message: &str) -> BTreeSet<String> {
    let (_, expected) = message
        .split_once("expected")
        .unwrap_or_else(|| panic!("an unknown-field message: {message}"));
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn property_names(schema: &Value) -> BTreeSet<String> {
    schema["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .cloned()
        .collect()
}

fn required_names(schema: &Value) -> BTreeSet<String> {
    schema["required"]
        .as_array()
        .map(|r| r.iter().map(|n| n.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// The request schema of `POST /api/v1/records` and the service's parser agree: the bodies the
/// API tests post are recorded and fit the schema (every field documented, every required
/// field present); the parser's field list (from its unknown-field message) is the schema's
/// property list, for the record and for the person; a required field left out is "missing"
/// to the parser too, an optional one is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_schema_names_the_parsers_fields() {
    let h = Harness::new(Backend::Sqlite).await;
    let doc = document(&h).await;
    let record = resolve(
        &doc,
        &doc["paths"]["/api/v1/records"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"],
    );
    let person = resolve(&doc, &record["properties"]["person"]);
    let email = Some("anezka@example.cz");
    let bodies = [
        common::vaccination(BN_IDENTIFIED, 1, 2, "2026-01-10", email),
        common::test_record(BN_IDENTIFIED, "2026-03-02T08:00:00Z", email),
    ];
    for body in &bodies {
        let (status, answer, _) = h.send(h.post_record(body, None)).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        let body_fields: BTreeSet<String> = body.as_object().unwrap().keys().cloned().collect();
        assert!(
            body_fields.is_subset(&property_names(record)),
            "{body_fields:?}"
        );
        assert!(required_names(record).is_subset(&body_fields));
        let person_fields: BTreeSet<String> = body["person"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(
            person_fields,
            property_names(person),
            "the helper sends every field"
        );
        assert!(required_names(person).is_subset(&person_fields));
        assert_eq!(
            violations(&doc, record, body),
            Vec::<String>::new(),
            "{body}"
        );
    }

    // The parser's own field lists.
    let good = &bodies[0];
    for (at, schema) in [(None, record), (Some("person"), person)] {
        let mut body = good.clone();
        let target = match at {
            Some(field) => &mut body[field],
            None => &mut body,
        };
        target["zz"] = json!(1);
        let (status, err, _) = h.send(h.post_record(&body, None)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        let message = err["message"].as_str().unwrap();
        assert!(message.contains("unknown field `zz`"), "{message}");
        assert_eq!(
            expected_fields(message),
            property_names(schema),
            "{message}"
        );

        for field in property_names(schema) {
            let mut body = good.clone();
            let target = match at {
                Some(f) => &mut body[f],
                None => &mut body,
            };
            target.as_object_mut().unwrap().remove(&field);
            let (_, answer, _) = h.send(h.post_record(&body, None)).await;
            let missing = answer["message"]
                .as_str()
                .is_some_and(|m| m.contains(&format!("missing field `{field}`")));
            let required = required_names(schema).contains(&field);
            assert_eq!(missing, required, "{field} left out: {answer}");
        }
    }
    h.finish().await;
}

/// Answers the API gives in a provider's day each have a documented status, fit the schema the
/// document gives for it, and carry the headers it promises.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_fit_the_document() {
    let h = Harness::new(Backend::Sqlite).await;
    let doc = document(&h).await;
    let check =
        |method: &str, template: &str, status: StatusCode, body: &Value, headers: &HeaderMap| {
            let at = format!("{method} {template} {status}");
            let response = &doc["paths"][template][method]["responses"][status.as_str()];
            assert!(response.is_object(), "{at} is documented");
            match response["content"].get("application/json") {
                Some(media) => assert_eq!(
                    violations(&doc, &media["schema"], body),
                    Vec::<String>::new(),
                    "{at}: {body}"
                ),
                None => assert!(!body.is_object(), "{at}: {body}"),
            }
            for name in response["headers"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|h| h.0)
            {
                assert!(headers.contains_key(name.as_str()), "{at}: {name}");
            }
        };
    let call = async |method: &str, template: &str, uri: &str, body: Option<Value>| {
        let (status, answer, headers) = h.send(request(&h, method, uri, body.as_ref())).await;
        check(method, template, status, &answer, &headers);
        (status, answer)
    };

    let full = common::vaccination(BN_IDENTIFIED, 2, 2, "2026-02-10", None);
    let (status, record) = call("post", "/api/v1/records", "/api/v1/records", Some(full)).await;
    assert_eq!(status, StatusCode::CREATED, "{record}");
    let (status, _) = call(
        "post",
        "/api/v1/records",
        "/api/v1/records",
        Some(json!({"person": {}})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let id = record["id"].as_str().unwrap();
    let person = record["person_id"].as_str().unwrap();
    let (status, _) = call(
        "get",
        "/api/v1/records/{id}",
        &format!("/api/v1/records/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        "get",
        "/api/v1/persons/{person_id}/records",
        &format!("/api/v1/persons/{person}/records"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let hc1 = record["certificate"]["hc1"].as_str().unwrap().to_string();
    let (status, report) = call("post", "/verify", "/verify", Some(json!({"hc1": hc1}))).await;
    assert_eq!(
        (status, report["verdict"].as_str()),
        (StatusCode::OK, Some("valid"))
    );
    let (status, report) = call(
        "post",
        "/verify",
        "/verify",
        Some(json!({"hc1": "HC1:6BF"})),
    )
    .await;
    assert_eq!(
        (status, report["verdict"].as_str()),
        (StatusCode::OK, Some("invalid"))
    );

    let uvci = record["certificate"]["uvci"].as_str().unwrap();
    let revoke = common::revoke_path(uvci);
    let template = "/api/v1/certificates/{uvci}/revoke";
    for already in [false, true] {
        let (status, out) = call("post", template, &revoke, Some(json!({"reason": "test"}))).await;
        assert_eq!(status, StatusCode::OK, "{out}");
        assert_eq!(out["already"], already);
    }
    let (status, _) = call("post", template, &revoke, Some(json!({"reason": ""}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    for path in [
        "/health",
        "/ready",
        "/rules",
        "/valuesets",
        "/trust-list",
        "/revocation-list",
        "/countrylist",
        "/signercertificateStatus",
    ] {
        let (status, _) = call("get", path, path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    // One rule, a country's rules, and the misses, in both dialects.
    let (_, rules) = call("get", "/rules", "/rules", None).await;
    let hash = rules[0]["hash"].as_str().unwrap().to_string();
    let by_key = "/rules/{country_or_hash}";
    let by_country = "/rules/{country}/{hash}";
    for (template, uri, expected) in [
        (by_key, format!("/rules/{hash}"), StatusCode::OK),
        (by_key, "/rules/CZ".to_string(), StatusCode::OK),
        (by_key, concrete("/rules/{hash}"), StatusCode::NOT_FOUND),
        (by_key, "/rules/nope".to_string(), StatusCode::NOT_FOUND),
        (by_country, format!("/rules/CZ/{hash}"), StatusCode::OK),
        (
            by_country,
            format!("/rules/DE/{hash}"),
            StatusCode::NOT_FOUND,
        ),
        (
            by_country,
            format!("/rules/CZE/{hash}"),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (status, answer) = call("get", template, &uri, None).await;
        assert_eq!(status, expected, "{uri}: {answer}");
    }
    // The signer certificates, page by page: one, then none; a bad token.
    let update = "/signercertificateUpdate";
    let (status, first, headers) = h.send(request(&h, "get", update, None)).await;
    check("get", update, status, &first, &headers);
    assert_eq!(status, StatusCode::OK);
    let token = headers["x-resume-token"].to_str().unwrap();
    for (value, expected) in [
        (token, StatusCode::NO_CONTENT),
        ("x", StatusCode::BAD_REQUEST),
    ] {
        let mut req = request(&h, "get", update, None);
        req.headers_mut()
            .insert("x-resume-token", value.parse().unwrap());
        let (status, answer, headers) = h.send(req).await;
        check("get", update, status, &answer, &headers);
        assert_eq!(status, expected, "{value}: {answer}");
    }
    h.finish().await;
}

/// The document is OpenAPI 3.1 of this crate's version, and holds together: every `$ref`
/// resolves, every path parameter is declared (and only those), operation ids are unique,
/// tags and security schemes used are declared, every response has a description, and no
/// OpenAPI 3.0 `nullable` is left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_is_openapi_3_1() {
    let h = Harness::new(Backend::Sqlite).await;
    let doc = document(&h).await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(doc["info"]["title"].as_str().is_some_and(|t| !t.is_empty()));

    let mut refs = Vec::new();
    walk(&doc, &mut |key, v| {
        if key == "$ref" {
            refs.push(v.as_str().expect("a $ref is a string").to_string());
        }
        assert_ne!(key, "nullable", "OpenAPI 3.0's nullable: {v}");
    });
    assert!(refs.len() > 20, "{refs:?}");
    for r in &refs {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("a local schema $ref: {r}"));
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{r} resolves"
        );
    }

    let tags: BTreeSet<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    let mut ids = BTreeSet::new();
    for (method, path) in operations(&doc) {
        let op = &doc["paths"][&path][&method];
        let at = format!("{method} {path}");
        assert!(
            ids.insert(op["operationId"].as_str().unwrap().to_string()),
            "{at}: id"
        );
        for tag in op["tags"].as_array().unwrap() {
            assert!(tags.contains(tag.as_str().unwrap()), "{at}: tag {tag}");
        }
        for requirement in op["security"].as_array().into_iter().flatten() {
            for name in requirement.as_object().unwrap().keys() {
                assert!(schemes.contains_key(name), "{at}: security {name}");
            }
        }
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let mut seen = BTreeSet::new();
        for p in &params {
            let (name, place) = (p["name"].as_str().unwrap(), p["in"].as_str().unwrap());
            assert!(
                ["path", "query", "header", "cookie"].contains(&place),
                "{at}: {p}"
            );
            assert!(seen.insert((name, place)), "{at}: {name} twice");
            if place == "path" {
                assert_eq!(p["required"], true, "{at}: {name}");
            }
        }
        let in_template: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        let declared: BTreeSet<&str> = seen
            .iter()
            .filter(|(_, place)| *place == "path")
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(in_template, declared, "{at}: path parameters");
        let responses = op["responses"].as_object().unwrap();
        assert!(!responses.is_empty(), "{at}");
        for (status, response) in responses {
            assert!(
                status.len() == 3 && status.starts_with(['1', '2', '3', '4', '5']),
                "{at}: {status}"
            );
            assert!(response["description"].is_string(), "{at}: {status}");
        }
    }
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        if let Some(props) = schema["properties"].as_object() {
            for field in required_names(schema) {
                assert!(props.contains_key(&field), "{name}: required {field}");
            }
        }
    }
    h.finish().await;
}

/// Calls `f(key, value)` for every member of every object in `v`.
fn walk(v: &Value, f: &mut impl FnMut(&str, &Value)) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                f(k, x);
                walk(x, f);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| walk(x, f)),
        _ => {}
    }
}

/// The schema a `$ref` names (or the schema itself).
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r
                .strip_prefix("#/components/schemas/")
                .expect("a local $ref");
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// Where `value` breaks `schema`, in the part of JSON Schema the document uses (`$ref`,
/// `oneOf`, `type`, `enum`, `properties`, `required`, `items`, lengths, `minimum`). Stricter
/// than JSON Schema in one way: an object member its schema does not list is a violation even
/// where other members are allowed, so every field sent or answered must be documented.
fn violations(doc: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    check(doc, schema, value, "body", &mut out);
    out
}

fn check(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    assert!(schema.is_object(), "{at}: a schema");
    if let Some(branches) = schema["oneOf"].as_array() {
        let fits = branches
            .iter()
            .filter(|b| {
                let mut v = Vec::new();
                check(doc, b, value, at, &mut v);
                v.is_empty()
            })
            .count();
        if fits != 1 {
            out.push(format!("{at}: fits {fits} branches of oneOf"));
        }
        return;
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let fits = |t: &&str| match *t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        other => panic!("{at}: type {other}"),
    };
    if !types.is_empty() && !types.iter().any(fits) {
        out.push(format!("{at}: {value} is not {types:?}"));
        return;
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            out.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    if let Some(text) = value.as_str() {
        let len = text.chars().count() as u64;
        if schema["maxLength"].as_u64().is_some_and(|max| len > max)
            || schema["minLength"].as_u64().is_some_and(|min| len < min)
        {
            out.push(format!("{at}: length {len}"));
        }
    }
    if let (Some(min), Some(n)) = (schema["minimum"].as_f64(), value.as_f64()) {
        if n < min {
            out.push(format!("{at}: {n} < {min}"));
        }
    }
    if let Some(members) = value.as_object() {
        for field in required_names(schema) {
            if !members.contains_key(&field) {
                out.push(format!("{at}: required {field} missing"));
            }
        }
        if let Some(props) = schema["properties"].as_object() {
            for (key, member) in members {
                match props.get(key) {
                    Some(s) => check(doc, s, member, &format!("{at}.{key}"), out),
                    None => out.push(format!("{at}.{key}: not in the schema")),
                }
            }
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), value.as_array()) {
        for (i, item) in list.iter().enumerate() {
            check(doc, items, item, &format!("{at}[{i}]"), out);
        }
    }
}
