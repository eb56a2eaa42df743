use super::*;

#[test]
fn paths_queries_and_forms_without_nul_or_bad_utf8_pass() {
    for (raw, controls, ok) in [
        ("/api/v1/records/abc", true, true),
        ("/me/certificates/%C5%A1/pdf", true, true),
        ("/api/v1/records/%00", true, false),
        ("/api/v1/records/%0a", true, false),
        ("/api/v1/records/%FF", true, false),
        ("/api/v1/records/%C5", true, false),
        ("/100%", true, true),
        ("next=%2Fme&renewed=1", false, true),
        ("next=a%0Ab", false, true),
        ("renewed=%00", false, false),
        ("renewed=%e2%82", false, false),
    ] {
        assert_eq!(clean(raw.as_bytes(), controls), ok, "{raw}");
    }
    assert!(clean_form(b"csrf=abc&username=ABCD+EFGH&pin=p%C3%ADn"));
    assert!(!clean_form(b"csrf=abc&username=%00"));
    assert!(!clean_form(b"csrf=abc&user%00name=x"));
    assert!(!clean_form(b"csrf=abc&username=%FF"));
    assert!(!clean_form(b"csrf=abc&username=\xff"));
}

#[test]
fn json_nul_escapes_are_found_inside_strings_only() {
    for (body, nul) in [
        (r#"{"a": "b"}"#, false),
        (r#"{"a": "b\u0000c"}"#, true),
        (r#"{"a\u0000": 1}"#, true),
        (r#"{"a": "\\u0000"}"#, false),
        (r#"{"a": "\"\u0000"}"#, true),
        (r#"{"a": "\u00001"}"#, true),
        (r#"{"a": "\u0001"}"#, false),
    ] {
        assert_eq!(clean_json(body.as_bytes()), !nul, "{body}");
    }
    assert!(!clean_json(b"{\"a\": \"\xff\"}"));
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Person {
    birth_number: String,
    #[serde(default)]
    dose: Option<u8>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Record {
    person: Person,
}

fn message(body: &str) -> String {
    match json::<Record>(body.as_bytes()) {
        Err(::service::error::Error::Invalid(m)) => m.to_string(),
        other => panic!("{body}: {other:?}"),
    }
}

#[test]
fn json_errors_name_the_field_and_type_never_the_value() {
    for (body, expect) in [
        (
            r#"{"person": {"birth_number": 7401040020}}"#,
            "person.birth_number: invalid type: integer, expected a string",
        ),
        (
            r#"{"person": {"birth_number": "x", "dose": 7401040020}}"#,
            "person.dose: invalid value: integer, expected u8",
        ),
        (
            r#"{"person": {"birth_number": "x", "dose": "7401040020"}}"#,
            "person.dose: invalid type: string, expected u8",
        ),
        (
            r#"{"person": {"birth_number": ["740104/0020"]}}"#,
            "person.birth_number: invalid type: sequence, expected a string",
        ),
        (
            r#"{"person": {"birth_number": 7.401040020}}"#,
            "person.birth_number: invalid type: floating point, expected a string",
        ),
        (
            r#"{"person": {"birth_number": "x", "id_card": "AB123456"}}"#,
            "person.id_card: unknown field `id_card`",
        ),
        (r#"{"person": {}}"#, "person: missing field `birth_number`"),
        (r#"{"person": 7401040020}"#, "person: invalid type: integer"),
        (r#"{"person": "#, "the body is not valid JSON: EOF"),
        (
            r#"{"person": {"birth_number": "x"}} 7401040020"#,
            "trailing characters",
        ),
        (r#"["7401040020"]"#, "the body must be a JSON object"),
        (r#"  [{"person": 1}]"#, "the body must be a JSON object"),
    ] {
        let m = message(body);
        assert!(
            m.contains(expect),
            "{body}: {m:?} should contain {expect:?}"
        );
        assert!(
            !m.contains("7401040020") && !m.contains("740104"),
            "{body}: {m:?}"
        );
    }
}

#[test]
fn json_objects_parse() {
    let b: Record = json(br#" {"person": {"birth_number": "740104/0020", "dose": 2}}"#).unwrap();
    assert_eq!(b.person.dose, Some(2));
}

proptest::proptest! {
    /// The scanners read bytes from outside: any input, no panic.
    #[test]
    fn scanners_never_panic(b in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
        let _ = clean(&b, true);
        let _ = clean_form(&b);
        let _ = clean_json(&b);
        let _ = json::<Record>(&b);
    }

    /// The JSON scan finds a NUL exactly where the parser would produce one, whatever quotes
    /// and backslashes surround it.
    #[test]
    fn clean_json_agrees_with_serde(k in "[a\\x00\"\\\\/]{0,6}", v in "[a\\x00\"\\\\/u]{0,8}") {
        let text = serde_json::json!({ k.clone(): [v.clone(), {"x": v.clone()}] }).to_string();
        let nul = k.contains('\0') || v.contains('\0');
        proptest::prop_assert_eq!(clean_json(text.as_bytes()), !nul, "{}", text);
    }
}
