//! Unit tests: tables of (input, expected) for the hand-coded formats, patterns and version
//! selection, and the messages a few violations give.

use serde_json::{json, Value};

use super::{formats, patterns, validate, Formats, SchemaVersion};

fn check_table(name: &str, f: fn(&str) -> bool, table: &[(&str, bool)]) {
    let wrong: Vec<_> = table
        .iter()
        .filter(|(input, expected)| f(input) != *expected)
        .map(|(input, expected)| format!("{name}({input:?}) should be {expected}"))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn date_format() {
    check_table(
        "is_date",
        formats::is_date,
        &[
            ("2021-06-11", true),
            ("2020-02-29", true), // leap year
            ("2000-02-29", true), // divisible by 400
            ("1900-02-28", true),
            ("2021-12-31", true),
            ("2021-02-29", false),
            ("1900-02-29", false), // divisible by 100, not 400
            ("2021-13-01", false),
            ("2021-00-10", false),
            ("2021-04-31", false),
            ("2021-04-00", false),
            ("2021-6-11", false),
            ("11.06.2021", false),
            ("2021-06-11T00:00:00Z", false),
            ("2021-06-11 ", false),
            (" 2021-06-11", false),
            ("2021-06-1１", false), // full-width digit
            ("", false),
            ("20210611", false),
        ],
    );
}

#[test]
fn date_time_format() {
    check_table(
        "is_date_time",
        formats::is_date_time,
        &[
            ("2021-06-11T17:30:00Z", true),
            ("2021-06-11T17:30:00+02:00", true),
            ("2021-06-11T17:30:00+0200", true), // upstream T-rat-dates2
            ("2021-06-11T17:30:00+02", true),   // upstream T-rat-dates1
            ("2021-06-11T17:30:00-05:30", true),
            ("2021-06-11T17:30:00.123456Z", true),
            ("2021-06-11t17:30:00z", true),
            ("2016-12-31T23:59:60Z", true), // leap second
            ("2016-12-31T22:59:60-01:00", true),
            ("2016-12-31T23:58:60Z", false),
            ("2021-06-11", false),
            ("2021-06-11T25:00:00Z", false),
            ("2021-06-11T17:60:00Z", false),
            ("2021-06-11T17:30:61Z", false),
            ("2021-02-29T17:30:00Z", false),
            ("2021-06-11T17:30Z", false),
            ("2021-06-11T17:30:00.Z", false),
            ("2021-06-11T17:30:00+2:00", false),
            ("2021-06-11T17:30:00+24:00", false),
            ("2021-06-11T17:30:00+02:60", false),
            ("2021-06-11T17:30:00+02:0", false),
            ("2021-06-11T17:30:00Z ", false),
            ("2021-06-11T17:30:00", false), // no offset: not graded, rejected
            ("2021-06-11 17:30:00Z", false), // space: not graded, rejected
            ("yesterday at noon", false),
            ("2021-06-11T17:30:00ü", false),
            ("", false),
        ],
    );
}

#[test]
fn version_pattern() {
    check_table(
        "is_version_like",
        patterns::is_version_like,
        &[
            ("1.3.3", true),
            ("10.20.30", true),
            ("1x3x3", true), // `.` is any character
            ("12345", true), // ... even a digit
            ("1.234", true), // 1 . 2 3 4
            ("123.4", true), // 1 2 3 . 4
            ("1.3", false),
            ("1.3.", false),
            (".1.3.3", false),
            ("1..3", false),
            ("1.3.3.4", false),
            ("1234", false),
            ("1.3.3\n", false), // `$` is the end of input, not before a final newline
            ("1\n3.3", false),  // `.` matches no line terminator
            ("v1.3.3", false),
            ("1.3.3-rc1", false),
            ("١.٣.٣", false), // `\d` is ASCII
            ("", false),
        ],
    );
}

#[test]
fn dob_patterns() {
    check_table(
        "contains_full_dob",
        patterns::contains_full_dob,
        &[
            ("1964-01-31", true),
            ("2009-02-30", true), // the pattern has no calendar; format: date rejects it
            ("born 1964-01-31!", true), // unanchored
            ("2021-06-11T10:00:00Z", true),
            ("1809-02-28", false),
            ("2100-01-01", false),
            ("1964-01", false),
            ("1964", false),
            ("", false),
        ],
    );
    check_table(
        "is_partial_dob",
        |s| patterns::is_partial_dob(s, false),
        &[
            ("1964", true),
            ("1964-01", true),
            ("1964-01-31", true),
            ("1964-13-45", true),
            ("", false),
            ("2100", false),
            ("1899-12-31", false),
            ("1964-1", false),
            ("1964-01-31T00:00:00", false),
            ("1964/01/31", false),
        ],
    );
    check_table(
        "is_partial_dob_or_empty",
        |s| patterns::is_partial_dob(s, true),
        &[("", true)],
    );
}

#[test]
fn name_and_country_patterns() {
    check_table(
        "is_icao_name",
        patterns::is_icao_name,
        &[
            ("DARSONS<VAN<HALEN", true),
            ("", true),
            ("DE LA", false),
            ("Smith", false),
            ("ÇELIK", false),
        ],
    );
    check_table(
        "contains_upper_letter",
        patterns::contains_upper_letter,
        &[
            ("NL", true),
            ("UNHCR", true),
            ("xX", true),
            ("cz", false),
            ("", false),
            ("12", false),
        ],
    );
}

#[test]
fn version_selection() {
    use SchemaVersion::*;
    for v in SchemaVersion::ALL {
        assert_eq!(SchemaVersion::exact(v.as_str()), Some(v));
        assert_eq!(SchemaVersion::at_or_below(v.as_str()), Some(v));
    }
    assert_eq!(SchemaVersion::exact("1.0.4"), None);
    assert_eq!(SchemaVersion::exact("01.3.3"), None);
    let table = [
        ("1.0.4", Some(V1_0_1)),
        ("1.1.9", Some(V1_1_0)),
        ("1.2.5", Some(V1_2_1)),
        ("1.3.9", Some(V1_3_3)),
        ("2.0.0", Some(V1_3_3)),
        ("01.03.03", Some(V1_3_3)),
        ("99999999999999999999999.0.0", Some(V1_3_3)),
        ("0.9.9", None),
        ("1x3x3", None),
        ("1.3", None),
    ];
    for (ver, expected) in table {
        assert_eq!(SchemaVersion::at_or_below(ver), expected, "{ver}");
    }
}

fn vaccination(ver: &str) -> Value {
    json!({
        "ver": ver,
        "nam": {"fn": "Musterfrau", "fnt": "MUSTERFRAU", "gn": "Erika", "gnt": "ERIKA"},
        "dob": "1964-08-12",
        "v": [{
            "tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215",
            "dn": 2, "sd": 2, "dt": "2021-06-11", "co": "AT", "is": "BMSGPK",
            "ci": "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B"
        }]
    })
}

fn messages(payload: &Value, formats: Formats) -> Vec<String> {
    match validate(payload, formats) {
        Ok(v) => panic!("expected errors, got valid {v}"),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn messages_name_where_and_what() {
    let mut dcc = vaccination("1.3.3");
    dcc["v"][0]["dn"] = json!("2");
    dcc["v"][0]["dt"] = json!("2021-02-29");
    dcc["nam"]["fnt"] = json!("de la");
    dcc["r"] = json!([]);
    assert_eq!(
        messages(&dcc, Formats::Assert),
        [
            r#"nam/fnt: must match ^[A-Z<]*$, got "de la""#,
            r#"v/0/dn: must be an integer >= 1, got "2""#,
            r#"v/0/dt: must be a date YYYY-MM-DD, got "2021-02-29""#,
            "r: must hold at least 1 entry, has 0",
            "(root): must hold exactly one of v, t, r; has v and r",
        ]
    );
}

#[test]
fn root_and_ver_errors() {
    assert_eq!(
        messages(&json!([1]), Formats::Assert),
        ["(root): must be an object, got an array"]
    );
    assert_eq!(
        messages(&json!({}), Formats::Assert),
        ["ver: is required but missing"]
    );
    assert_eq!(
        messages(&json!({"ver": 1.3}), Formats::Assert),
        ["ver: must be a string, got 1.3"]
    );
    assert_eq!(
        messages(&json!({"ver": "1.3"}), Formats::Annotate),
        [r#"ver: must match ^\d+.\d+.\d+$, got "1.3""#]
    );
    let strict = messages(&vaccination("1.0.4"), Formats::Assert);
    assert!(
        strict[0].starts_with(r#"ver: no released schema named "1.0.4""#),
        "{strict:?}"
    );
    let lenient = messages(&vaccination("0.9.0"), Formats::Annotate);
    assert!(lenient[0].starts_with(r#"ver: no released schema at or below "0.9.0""#));
}

#[test]
fn long_values_are_cut_in_messages() {
    let mut dcc = vaccination("1.3.3");
    dcc["v"][0]["co"] = json!("x".repeat(1000));
    assert_eq!(
        messages(&dcc, Formats::Assert),
        [format!(
            r#"v/0/co: must match [A-Z]{{1,10}}, got "{}"…"#,
            "x".repeat(32)
        )]
    );
}

#[test]
fn integers_as_json_schema_counts_them() {
    for (dn, valid_in_1_2_1, valid_in_1_3_0) in [
        (json!(1), true, true),
        (json!(2.0), true, true),
        (json!(9), true, true),
        (json!(10), false, true),
        (json!(1e300), false, true),
        (json!(u64::MAX), false, true),
        (json!(0), false, false),
        (json!(-1), false, false),
        (json!(1.5), false, false),
        (json!(i64::MIN), false, false),
        (json!(null), false, false),
        (json!(true), false, false),
        (json!([1]), false, false),
    ] {
        for (ver, expected) in [("1.2.1", valid_in_1_2_1), ("1.3.0", valid_in_1_3_0)] {
            let mut dcc = vaccination(ver);
            dcc["v"][0]["dn"] = dn.clone();
            assert_eq!(
                validate(&dcc, Formats::Assert).is_ok(),
                expected,
                "dn {dn} in {ver}"
            );
        }
    }
}

#[test]
fn every_release_accepts_a_plain_vaccination() {
    for v in SchemaVersion::ALL {
        assert_eq!(validate(&vaccination(v.as_str()), Formats::Assert), Ok(v));
        assert_eq!(validate(&vaccination(v.as_str()), Formats::Annotate), Ok(v));
    }
}
