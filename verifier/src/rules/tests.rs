//! Rules: semantic versions, selection (country, type, window, version, engine, schema gate,
//! invalidation), result mapping, lenient loading with named errors, CMS, value sets.

use serde_json::{json, Value};
use time::macros::datetime;
use time::OffsetDateTime;

use super::*;

const AT: OffsetDateTime = datetime!(2021-07-01 12:00 UTC);

/// A valid Acceptance rule of CZ, General, in force from 2021-06-01 to 2030-06-01; `changes`
/// overrides members (`null` removes one).
fn rule_json(id: &str, changes: Value) -> Value {
    let mut r = json!({
        "Identifier": id, "Type": "Acceptance", "Country": "CZ", "Version": "1.0.0",
        "SchemaVersion": "1.0.0", "Engine": "CERTLOGIC", "EngineVersion": "0.7.5",
        "CertificateType": "General",
        "Description": [{"lang": "de", "desc": "Regel"}, {"lang": "en", "desc": "Rule " }],
        "ValidFrom": "2021-06-01T00:00:00Z", "ValidTo": "2030-06-01T00:00:00Z",
        "AffectedFields": ["v.0"], "Logic": true
    });
    if let (Some(obj), Value::Object(ch)) = (r.as_object_mut(), changes) {
        for (k, v) in ch {
            if v.is_null() {
                obj.remove(&k);
            } else {
                obj.insert(k, v);
            }
        }
    }
    r
}

fn rule(id: &str, changes: Value) -> Rule {
    Rule::from_json(&rule_json(id, changes)).unwrap()
}

fn set(rules: Vec<Rule>) -> RuleSet {
    let mut s = RuleSet::new();
    for r in rules {
        s.push(r);
    }
    s
}

fn ids(rules: &[&Rule]) -> Vec<String> {
    rules
        .iter()
        .map(|r| format!("{}@{}", r.identifier, r.version))
        .collect()
}

fn selection(cert: Option<hcert::CertType>) -> Selection<'static> {
    Selection {
        at: AT,
        arrival_country: Some("CZ"),
        issuer_country: Some("AT"),
        certificate_type: cert,
        region: None,
    }
}

#[test]
fn versions_compare_as_semver() {
    let v = |s| Version::parse(s).unwrap();
    let cases = [
        ("1.0.10", "1.0.9"),
        ("1.10.0", "1.9.9"),
        ("2.0.0", "1.99.99"),
        ("1.0.0", "1.0.0-rc.1"),
        ("1.0.0-rc.2", "1.0.0-rc.1"),
        ("1.0.0-rc.10", "1.0.0-rc.9"),
        ("1.0.0-beta", "1.0.0-alpha"),
        ("1.0.0-alpha.1", "1.0.0-alpha"),
        ("1.0.0-alpha.beta", "1.0.0-alpha.1"),
        ("99.0.0", "0.7.5"),
    ];
    for (high, low) in cases {
        assert!(v(high) > v(low), "{high} > {low}");
        assert!(v(low) < v(high), "{low} < {high}");
    }
    assert_eq!(v("1.2"), v("1.2.0"));
    assert_eq!(v("v1.2.3"), v("1.2.3"));
    assert_eq!(v("1.2.3+build.7"), v("1.2.3"));
    assert_eq!(v("1.0.0-rc.1").to_string(), "1.0.0-rc.1");
    for bad in [
        "",
        "x",
        "1.x.0",
        "1.2.3.4",
        "1..2",
        "-1.0.0",
        "1.0.0-",
        "1.0.0-a..b",
    ] {
        assert_eq!(Version::parse(bad), None, "{bad:?}");
    }
}

#[test]
fn acceptance_selection_is_the_rules_contract() {
    let s = set(vec![
        rule("A-1", json!({})),
        rule("A-2", json!({"Country": "cz", "CertificateType": "Test"})),
        rule("A-3", json!({"Country": "AT"})),
        rule("A-4", json!({"Type": "Invalidation"})),
        rule("A-5", json!({"ValidFrom": "2021-07-01T12:00:01Z"})),
        rule("A-6", json!({"ValidTo": "2021-07-01T11:59:59Z"})),
        rule("A-7", json!({"ValidFrom": "2021-07-01T14:00:00+02:00"})),
        rule("A-8", json!({"ValidTo": "2021-07-01T12:00:00Z"})),
    ]);
    // No CertificateType filter, Country case-insensitive, both ends inclusive, offsets honoured.
    assert_eq!(
        ids(&s.select_acceptance("CZ", AT)),
        ["A-1@1.0.0", "A-2@1.0.0", "A-7@1.0.0", "A-8@1.0.0"]
    );
    assert_eq!(ids(&s.select_acceptance("at", AT)), ["A-3@1.0.0"]);
    assert!(s.select_acceptance("DE", AT).is_empty());
}

#[test]
fn the_highest_version_of_an_identifier_wins() {
    let s = set(vec![
        rule("R", json!({"Version": "1.0.9", "Logic": false})),
        rule("R", json!({"Version": "1.0.10"})),
        rule("R", json!({"Version": "1.0.2"})),
        rule(
            "R",
            json!({"Version": "2.0.0", "ValidFrom": "2022-01-01T00:00:00Z"}),
        ),
        rule("S", json!({"Version": "1.0.0-rc.1"})),
        rule("S", json!({"Version": "1.0.0"})),
    ]);
    // 2.0.0 is not yet in force: the highest version among the valid ones counts.
    assert_eq!(ids(&s.select_acceptance("CZ", AT)), ["R@1.0.10", "S@1.0.0"]);
    assert_eq!(
        ids(&s.select_acceptance("CZ", datetime!(2022-01-02 00:00 UTC))),
        ["R@2.0.0", "S@1.0.0"]
    );
    // Equal versions (build metadata does not count): the first one read stays; identifiers
    // come out in order whatever the reading order.
    let tie = set(vec![
        rule("T", json!({"Version": "1.0.0+b"})),
        rule("A", json!({"Version": "1.0.0"})),
        rule("T", json!({"Version": "1.0.0"})),
        rule("T", json!({"Version": "v1.0.0"})),
    ]);
    assert_eq!(
        ids(&tie.select_acceptance("CZ", AT)),
        ["A@1.0.0", "T@1.0.0+b"]
    );
}

#[test]
fn certificate_selection_takes_general_and_the_dcc_type() {
    use hcert::CertType::*;
    let s = set(vec![
        rule("G", json!({})),
        rule("V", json!({"CertificateType": "Vaccination"})),
        rule("T", json!({"CertificateType": "test"})),
        rule("R", json!({"CertificateType": "Recovery"})),
        rule("X", json!({"CertificateType": "Other"})),
    ]);
    assert_eq!(
        ids(&s.select(&selection(Some(Vaccination)))),
        ["G@1.0.0", "V@1.0.0"]
    );
    assert_eq!(
        ids(&s.select(&selection(Some(Test)))),
        ["G@1.0.0", "T@1.0.0"]
    );
    assert_eq!(
        ids(&s.select(&selection(Some(Recovery)))),
        ["G@1.0.0", "R@1.0.0"]
    );
    assert_eq!(ids(&s.select(&selection(None))), ["G@1.0.0"]);
}

#[test]
fn certificate_selection_takes_arrival_acceptance_and_issuer_invalidation() {
    let s = set(vec![
        rule("ACC-CZ", json!({})),
        rule("ACC-AT", json!({"Country": "AT"})),
        rule("INV-CZ", json!({"Type": "Invalidation"})),
        rule("INV-AT", json!({"Type": "Invalidation", "Country": "AT"})),
        rule("OTHER", json!({"Type": "Something"})),
        rule("REGION", json!({"Region": "BY"})),
        rule("EMPTY-REGION", json!({"Region": ""})),
        rule("OLD", json!({"ValidTo": "2021-07-01T11:59:59Z"})),
    ]);
    // Arrival CZ, issuer AT: CZ's acceptance, AT's invalidation; regional rules need the region.
    let sel = selection(Some(hcert::CertType::Test));
    assert_eq!(
        ids(&s.select(&sel)),
        ["ACC-CZ@1.0.0", "EMPTY-REGION@1.0.0", "INV-AT@1.0.0"]
    );
    let regional = Selection {
        region: Some("by"),
        ..sel
    };
    assert_eq!(
        ids(&s.select(&regional)),
        [
            "ACC-CZ@1.0.0",
            "EMPTY-REGION@1.0.0",
            "INV-AT@1.0.0",
            "REGION@1.0.0"
        ]
    );
    let no_arrival = Selection {
        arrival_country: None,
        ..sel
    };
    assert_eq!(ids(&s.select(&no_arrival)), ["INV-AT@1.0.0"]);
}

#[test]
fn results_map_booleans_only() {
    let data = json!({"payload": {"v": [{"dn": 2}]}, "external": {}});
    let cases = [
        (json!(true), RuleResult::Passed),
        (json!(false), RuleResult::Fail),
        (
            json!({"===": [{"var": "payload.v.0.dn"}, 2]}),
            RuleResult::Passed,
        ),
        (json!({"+": [1, 1]}), RuleResult::Open),
        (json!({"var": "payload.missing"}), RuleResult::Open),
        (json!("text"), RuleResult::Open),
        (
            json!({"plusTime": [{"var": "payload.no"}, 0, "day"]}),
            RuleResult::Open,
        ),
        (json!({"<": [{"var": "payload.v"}, 1]}), RuleResult::Open),
        // Does not compile: kept, and open with the reason.
        (json!({"no-such-op": [1]}), RuleResult::Open),
        (json!({"var": 0}), RuleResult::Open),
    ];
    for (logic, want) in cases {
        let r = rule("R", json!({ "Logic": logic.clone() }));
        let e = evaluate(&r, &data);
        assert_eq!(e.result, want, "{logic}");
        assert_eq!(e.reason.is_some(), want == RuleResult::Open, "{logic}");
    }
    let broken = rule("R", json!({"Logic": {"no-such-op": [1]}}));
    let reason = evaluate(&broken, &data).reason.unwrap();
    assert!(reason.contains("not valid CertLogic"), "{reason}");
}

#[test]
fn engine_and_engine_version_gate_evaluation() {
    let data = json!({"payload": null, "external": {}});
    let cases = [
        (json!({}), RuleResult::Passed),
        (json!({"EngineVersion": "1.3.3"}), RuleResult::Passed),
        (json!({"EngineVersion": "1.0.0"}), RuleResult::Passed),
        (json!({"EngineVersion": null}), RuleResult::Passed),
        (json!({"Engine": "certlogic"}), RuleResult::Passed),
        (json!({"EngineVersion": "1.3.4"}), RuleResult::Open),
        (json!({"EngineVersion": "99.0.0"}), RuleResult::Open),
        (json!({"EngineVersion": "latest"}), RuleResult::Open),
        (json!({"Engine": "JSONLOGIC"}), RuleResult::Open),
        (json!({"Engine": null}), RuleResult::Open),
    ];
    for (changes, want) in cases {
        let r = rule("R", changes.clone());
        assert_eq!(evaluate(&r, &data).result, want, "{changes}");
    }
}

#[test]
fn schema_version_gate_opens_rules_for_other_schemas() {
    let r = |sv: &str| rule("R", json!({"SchemaVersion": sv}));
    let cases = [
        ("1.0.0", Some("1.3.0"), true),
        ("1.3.0", Some("1.3.0"), true),
        ("1.3.0", Some("1.3.1"), true),
        ("1.3.0", Some("1.2.1"), false),
        ("1.0.0", Some("2.0.0"), false),
        ("2.0.0", Some("1.3.0"), false),
        ("1.0.0", None, false),
        ("1.0.0", Some("one"), false),
        ("x", Some("1.3.0"), false),
    ];
    for (sv, ver, ok) in cases {
        assert_eq!(schema_gate(&r(sv), ver).is_ok(), ok, "{sv} vs {ver:?}");
    }
    let unversioned = rule("R", json!({"SchemaVersion": null}));
    assert!(schema_gate(&unversioned, None).is_ok());

    // Through the verifier's path: same rule, DCC of another major version → open.
    let s = set(vec![r("1.0.0")]);
    let sel = selection(Some(hcert::CertType::Vaccination));
    let ext = External {
        validation_clock: AT,
        value_sets: None,
        country_code: Some("CZ"),
        exp: None,
        iat: None,
        issuer_country_code: Some("AT"),
        kid: None,
        region: None,
    };
    let result = |dcc: Value| s.evaluate_certificate(&dcc, &sel, &ext)[0].result;
    assert_eq!(
        result(json!({"ver": "1.3.0", "v": [{}]})),
        RuleResult::Passed
    );
    assert_eq!(result(json!({"ver": "2.0.0", "v": [{}]})), RuleResult::Open);
    assert_eq!(result(json!({"v": [{}]})), RuleResult::Open);
}

#[test]
fn external_parameters_are_what_the_eu_apps_pass() {
    let mut vs = ValueSets::new();
    vs.insert_codes("covid-19-lab-result", ["260415000", "260373001"]);
    let ext = External {
        validation_clock: datetime!(2021-07-01 14:00 +02:00),
        value_sets: Some(&vs),
        country_code: Some("CZ"),
        exp: Some(datetime!(2022-07-01 00:00 UTC)),
        iat: Some(datetime!(2021-07-01 00:00 UTC)),
        issuer_country_code: Some("AT"),
        kid: Some(&[1, 2, 3]),
        region: None,
    };
    assert_eq!(
        ext.to_json(),
        json!({
            "validationClock": "2021-07-01T14:00:00+02:00",
            "valueSets": {"covid-19-lab-result": ["260415000", "260373001"]},
            "countryCode": "CZ", "exp": "2022-07-01T00:00:00Z", "iat": "2021-07-01T00:00:00Z",
            "issuerCountryCode": "AT", "kid": "AQID"
        })
    );
    let bare = External {
        value_sets: None,
        country_code: None,
        exp: None,
        iat: None,
        issuer_country_code: None,
        kid: None,
        ..ext
    };
    assert_eq!(
        bare.to_json(),
        json!({"validationClock": "2021-07-01T14:00:00+02:00", "valueSets": {}})
    );
}

#[test]
fn certificate_type_is_the_one_entry_present() {
    use hcert::CertType::*;
    assert_eq!(certificate_type(&json!({"v": []})), Some(Vaccination));
    assert_eq!(certificate_type(&json!({"t": [{}]})), Some(Test));
    assert_eq!(
        certificate_type(&json!({"r": [{}], "v": null})),
        Some(Recovery)
    );
    assert_eq!(certificate_type(&json!({"r": [{}], "v": [{}]})), None);
    assert_eq!(certificate_type(&json!({})), None);
    assert_eq!(certificate_type(&Value::Null), None);
}

#[test]
fn descriptions_fall_back_to_english_then_first() {
    let r = rule("R", json!({}));
    assert_eq!(r.description("de"), "Regel");
    assert_eq!(r.description("fr"), "Rule ");
    let only_de = rule("R", json!({"Description": [{"lang": "de", "desc": "Nur"}]}));
    assert_eq!(only_de.description("en"), "Nur");
    let text = rule("R", json!({"Description": "plain"}));
    assert_eq!(text.description("en"), "plain");
    assert_eq!(
        rule("R", json!({"Description": null})).description("en"),
        ""
    );
}

#[test]
fn lenient_reading_of_fields() {
    let r = rule(
        "R",
        json!({"ValidFrom": "2021-06-01T00:00:00", "Region": "  "}),
    );
    assert_eq!(r.valid_from, datetime!(2021-06-01 00:00 UTC));
    assert_eq!(r.region, None);
    // Lower-case member names, as some national back ends write them.
    let lower = json!({
        "identifier": "L", "type": "Acceptance", "country": "CZ", "version": "1.0.0",
        "engine": "CERTLOGIC", "validFrom": "2021-06-01T00:00:00Z",
        "validTo": "2030-06-01T00:00:00Z", "logic": true
    });
    let r = Rule::from_json(&lower).unwrap();
    assert_eq!(r.certificate_type, CertificateType::General);
    assert_eq!(evaluate(&r, &Value::Null).result, RuleResult::Passed);
}

#[test]
fn a_malformed_rule_is_named_and_the_others_load() {
    let rules = json!([
        rule_json("GOOD-1", json!({})),
        rule_json("BAD-VERSION", json!({"Version": "one"})),
        rule_json("BAD-DATE", json!({"ValidTo": "tomorrow"})),
        {"Identifier": "NO-LOGIC", "Type": "Acceptance"},
        rule_json("GOOD-2", json!({"Logic": {"nope": []}})),
        42,
        rule_json("BAD-TYPE", json!({"Country": 7})),
    ]);
    let bytes = serde_json::to_vec(&rules).unwrap();
    let (s, errors) = RuleSet::load([("cz.json", bytes.as_slice())]);
    let loaded: Vec<&str> = s.rules().iter().map(|r| r.identifier.as_str()).collect();
    assert_eq!(loaded, ["GOOD-1", "GOOD-2"]);
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "cz.json: rule 1 (BAD-VERSION): Version \"one\" is not a semantic version",
            "cz.json: rule 2 (BAD-DATE): ValidTo \"tomorrow\" is not an RFC 3339 date-time",
            "cz.json: rule 3 (NO-LOGIC): Country is missing",
            "cz.json: rule 5: a number is not a rule",
            "cz.json: rule 6 (BAD-TYPE): Country must be text, not a number",
        ]
    );
    // GOOD-2 does not compile: it loads and reports open.
    assert_eq!(
        evaluate(&s.rules()[1], &Value::Null).result,
        RuleResult::Open
    );
}

#[test]
fn whole_file_errors_name_the_file() {
    let (s, errors) = RuleSet::load([
        ("broken.json", b"{not json".as_slice()),
        (
            "one.json",
            br#"{"Identifier": "X", "Logic": true}"#.as_slice(),
        ),
        (
            "index.json",
            br#"[{"identifier": "X", "version": "1.0.0", "country": "CZ", "hash": "ab"}]"#
                .as_slice(),
        ),
    ]);
    assert!(s.is_empty());
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        messages[0].starts_with("broken.json: not JSON"),
        "{}",
        messages[0]
    );
    assert_eq!(messages[1], "one.json: rule X: Type is missing");
    assert!(
        messages[2].starts_with("index.json: rule 0 (X): an entry of a rule index"),
        "{}",
        messages[2]
    );
}

#[test]
fn one_object_an_array_and_a_country_map_load() {
    let one = serde_json::to_vec(&rule_json("ONE", json!({}))).unwrap();
    let array = serde_json::to_vec(&json!([
        rule_json("A1", json!({})),
        rule_json("A2", json!({}))
    ]))
    .unwrap();
    let map = serde_json::to_vec(&json!({
        "CZ": [rule_json("M1", json!({}))],
        "AT": [rule_json("M2", json!({"Country": "AT"}))]
    }))
    .unwrap();
    let (s, errors) = RuleSet::load([
        ("one.json", one.as_slice()),
        ("array.json", array.as_slice()),
        ("map.json", map.as_slice()),
    ]);
    assert!(errors.is_empty(), "{errors:?}");
    let loaded: Vec<&str> = s.rules().iter().map(|r| r.identifier.as_str()).collect();
    assert_eq!(loaded, ["ONE", "A1", "A2", "M1", "M2"]);
}

/// DER TLV with a definite length.
fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = body.len();
    if len < 128 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(body);
    out
}

/// BER constructed TLV with an indefinite length.
fn indefinite(tag: u8, parts: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![tag, 0x80];
    for p in parts {
        out.extend_from_slice(p);
    }
    out.extend_from_slice(&[0, 0]);
    out
}

const SIGNED_DATA_OID: [u8; 9] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
const DATA_OID: [u8; 9] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];

fn cms_der(content: &[u8]) -> Vec<u8> {
    let encap = tlv(
        0x30,
        &[tlv(0x06, &DATA_OID), tlv(0xa0, &tlv(0x04, content))].concat(),
    );
    let signed = tlv(
        0x30,
        &[tlv(0x02, &[1]), tlv(0x31, &[]), encap, tlv(0x31, &[])].concat(),
    );
    tlv(
        0x30,
        &[tlv(0x06, &SIGNED_DATA_OID), tlv(0xa0, &signed)].concat(),
    )
}

fn cms_ber(content: &[u8]) -> Vec<u8> {
    let (a, b) = content.split_at(content.len() / 2);
    let octets = indefinite(0x24, &[tlv(0x04, a), tlv(0x04, b)]);
    let encap = indefinite(0x30, &[tlv(0x06, &DATA_OID), indefinite(0xa0, &[octets])]);
    let signed = indefinite(
        0x30,
        &[tlv(0x02, &[1]), tlv(0x31, &[]), encap, tlv(0x31, &[])],
    );
    indefinite(
        0x30,
        &[tlv(0x06, &SIGNED_DATA_OID), indefinite(0xa0, &[signed])],
    )
}

#[test]
fn cms_content_comes_out_of_der_and_ber() {
    let content = vec![b'x'; 300];
    assert_eq!(cms::signed_content(&cms_der(&content)).unwrap(), content);
    assert_eq!(cms::signed_content(&cms_ber(&content)).unwrap(), content);
    let bad: [(&[u8], &str); 6] = [
        (&[], "truncated"),
        (&[0x30, 0x05, 0x06], "beyond the end"),
        (&[0x30, 0x80, 0x06, 0x01], "beyond the end"),
        (&[0x30, 0x80, 0x06, 0x00], "truncated"),
        (&[0x04, 0x80, 0, 0], "indefinite length on a primitive"),
        (&[0x30, 0x00], "without content"),
    ];
    for (bytes, want) in bad {
        let err = cms::signed_content(bytes).unwrap_err();
        assert!(err.contains(want), "{bytes:02x?}: {err}");
    }
    let detached = {
        let encap = tlv(0x30, &tlv(0x06, &DATA_OID));
        let signed = tlv(0x30, &[tlv(0x02, &[1]), tlv(0x31, &[]), encap].concat());
        tlv(
            0x30,
            &[tlv(0x06, &SIGNED_DATA_OID), tlv(0xa0, &signed)].concat(),
        )
    };
    assert!(cms::signed_content(&detached)
        .unwrap_err()
        .contains("detached"));
    // Deep indefinite nesting is refused, not a stack overflow.
    let mut deep = Vec::new();
    for _ in 0..10_000 {
        deep.extend_from_slice(&[0x30, 0x80]);
    }
    assert!(cms::signed_content(&deep).is_err());
}

#[test]
fn the_gateway_download_loads_rules_from_cms() {
    use base64::Engine as _;
    let b64 = |b: Vec<u8>| base64::engine::general_purpose::STANDARD.encode(b);
    let r1 = serde_json::to_vec(&rule_json("VR-CZ-0001", json!({}))).unwrap();
    let r2 = serde_json::to_vec(&rule_json("VR-CZ-0001", json!({"Version": "1.0.1"}))).unwrap();
    let download = json!({
        "VR-CZ-0001": [
            {"version": "1.0.0", "validFrom": "2021-06-01T00:00:00Z", "cms": b64(cms_der(&r1))},
            {"version": "1.0.1", "validFrom": "2021-06-01T00:00:00Z", "cms": b64(cms_ber(&r2))},
            {"version": "1.0.2", "cms": "not base64!"},
            {"version": "1.0.3", "cms": b64(cms_der(b"not json"))}
        ]
    });
    let bytes = serde_json::to_vec(&download).unwrap();
    let (s, errors) = RuleSet::load([("gateway.json", bytes.as_slice())]);
    assert_eq!(ids(&s.select_acceptance("CZ", AT)), ["VR-CZ-0001@1.0.1"]);
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0].starts_with("gateway.json: VR-CZ-0001 rule 2: cms is not base64"),
        "{}",
        messages[0]
    );
    assert!(
        messages[1]
            .starts_with("gateway.json: VR-CZ-0001 rule 3: the rule inside the cms is not JSON"),
        "{}",
        messages[1]
    );
}

#[test]
fn the_gateway_fixture_signed_by_openssl_loads() {
    // fixtures/rules-gateway.json: two of the project's rules, CMS-signed by `openssl cms`
    // (one DER, one streamed BER with indefinite lengths).
    let path = fixtures::path("rules-gateway.json");
    let bytes = std::fs::read(&path).unwrap();
    let (s, errors) = RuleSet::load([("rules-gateway.json", bytes.as_slice())]);
    assert!(errors.is_empty(), "{errors:?}");
    let loaded: Vec<&str> = s.rules().iter().map(|r| r.identifier.as_str()).collect();
    assert_eq!(loaded, ["VR-CZ-0001", "TR-CZ-0001"]);
}

#[test]
fn value_sets_load_in_both_formats() {
    let eu = json!({
        "valueSetId": "covid-19-lab-result",
        "valueSetDate": "2021-04-27",
        "valueSetValues": {
            "260415000": {"display": "Not detected", "display_cs": "nedetekováno", "lang": "en",
                          "active": true, "version": "x", "system": "http://snomed.info/sct"},
            "260373001": {"display": "Detected", "lang": "en", "active": false}
        }
    });
    let map = json!({"disease-agent-targeted": ["840539006"], "country-2-codes": ["CZ", "AT"]});
    let mut vs = ValueSets::new();
    vs.add_file("result.json", &serde_json::to_vec(&eu).unwrap())
        .unwrap();
    vs.add_file("map.json", &serde_json::to_vec(&map).unwrap())
        .unwrap();
    assert_eq!(
        vs.to_external(),
        &json!({
            "country-2-codes": ["CZ", "AT"],
            "covid-19-lab-result": ["260415000", "260373001"],
            "disease-agent-targeted": ["840539006"]
        })
    );
    assert_eq!(
        vs.display("covid-19-lab-result", "260373001"),
        Some("Detected")
    );
    assert_eq!(
        vs.display_in("covid-19-lab-result", "260415000", "cs"),
        Some("nedetekováno")
    );
    assert_eq!(
        vs.display_in("covid-19-lab-result", "260373001", "cs"),
        Some("Detected")
    );
    assert_eq!(vs.display("covid-19-lab-result", "nope"), None);
    assert_eq!(vs.display("country-2-codes", "CZ"), None);
    let result = vs.get("covid-19-lab-result").unwrap();
    assert_eq!(result.date.as_deref(), Some("2021-04-27"));
    assert!(!result.entry("260373001").unwrap().active);

    let bad: [(&[u8], &str); 4] = [
        (b"[1]", "value sets bad.json: must be a JSON object"),
        (
            b"{\"valueSetId\": 1}",
            "value sets bad.json: valueSetId must be text",
        ),
        (
            b"{\"valueSetId\": \"x\"}",
            "value sets bad.json: x: valueSetValues is missing",
        ),
        (
            b"{\"x\": [1]}",
            "value sets bad.json: x: code 0 is not text",
        ),
    ];
    for (bytes, want) in bad {
        let err = ValueSets::new().add_file("bad.json", bytes).unwrap_err();
        assert_eq!(err.to_string(), want);
    }
}

mod never_panics {
    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            prop_oneof![
                "[a-z0-9.:+-]{0,12}".prop_map(Value::String),
                Just(Value::String("2021-06-01T00:00:00Z".into())),
                Just(Value::String("1.0.0".into())),
            ],
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            let keys = prop_oneof![
                Just("v".to_string()),
                Just("t".to_string()),
                Just("r".to_string()),
                Just("ver".to_string()),
                Just("dn".to_string()),
                Just("sd".to_string()),
                Just("dt".to_string()),
                Just("0".to_string()),
                "[a-z]{1,3}",
            ];
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((keys, inner), 0..5)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    fn project_rules() -> RuleSet {
        let dir = fixtures::rules_dir();
        let mut set = RuleSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            assert!(set.add(&path.display().to_string(), &bytes).is_empty());
        }
        set
    }

    proptest! {
        #[test]
        fn any_payload_evaluates(dcc in json_value()) {
            let set = project_rules();
            let ext = External {
                validation_clock: AT,
                value_sets: None,
                country_code: Some("CZ"),
                exp: None,
                iat: None,
                issuer_country_code: Some("CZ"),
                kid: None,
                region: None,
            };
            let sel = Selection {
                at: AT,
                arrival_country: Some("CZ"),
                issuer_country: Some("CZ"),
                certificate_type: certificate_type(&dcc),
                region: None,
            };
            let _ = set.evaluate_certificate(&dcc, &sel, &ext);
        }

        #[test]
        fn any_json_loads_or_is_named(value in json_value()) {
            let bytes = serde_json::to_vec(&value).unwrap();
            let _ = RuleSet::load([("any.json", bytes.as_slice())]);
            let _ = ValueSets::new().add_file("any.json", &bytes);
            if let Some(obj) = value.as_object() {
                let _ = Rule::from_json(&Value::Object(obj.clone()));
            }
        }

        #[test]
        fn any_bytes_into_cms(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = cms::signed_content(&bytes);
            let _ = RuleSet::load([("any.json", bytes.as_slice())]);
        }

        #[test]
        fn any_text_as_version(text in "\\PC{0,20}") {
            if let Some(v) = Version::parse(&text) {
                prop_assert_eq!(Version::parse(&v.to_string()), Some(v));
            }
        }
    }
}
