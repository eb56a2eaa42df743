//! Unit tests for the semantic traps of ../shared/conformance/certlogic/README.md, the
//! validation paths, and the limits; each table row names what it checks.

use serde_json::{json, Value};

use super::*;

/// Evaluates and renders an error as its message, for tables.
fn run(logic: &Value, data: &Value) -> Result<Value, String> {
    evaluate(logic, data).map_err(|e| e.to_string())
}

/// Rows of (what, logic, data, expected value).
fn check_values(rows: &[(&str, Value, Value, Value)]) {
    for (what, logic, data, expected) in rows {
        assert_eq!(
            run(logic, data).as_ref(),
            Ok(expected),
            "{what}: {logic} on {data}"
        );
    }
}

/// Rows of (what, logic, data, text the error must contain).
fn check_errors(rows: &[(&str, Value, Value, &str)]) {
    for (what, logic, data, needle) in rows {
        match run(logic, data) {
            Err(message) => assert!(
                message.contains(needle),
                "{what}: {message:?} lacks {needle:?}"
            ),
            Ok(value) => panic!("{what}: {logic} on {data} gave {value}, expected an error"),
        }
    }
}

fn plus_time(date: &str, amount: i64, unit: &str) -> Result<Value, String> {
    run(&json!({ "plusTime": [date, amount, unit] }), &Value::Null)
}

#[test]
fn truthiness() {
    let falsy = [
        json!(false),
        json!(null),
        json!(""),
        json!(0),
        json!([]),
        json!({}),
    ];
    let truthy = [
        json!(true),
        json!("0"),
        json!(-1),
        json!([0]),
        json!({"a": null}),
        json!(0.5),
    ];
    for value in &falsy {
        assert_eq!(
            run(&json!({"!": [{"var": ""}]}), value),
            Ok(json!(true)),
            "{value} is falsy"
        );
        assert_eq!(
            run(&json!({"if": [{"var": ""}, 1, 2]}), value),
            Ok(json!(2)),
            "{value}"
        );
    }
    for value in &truthy {
        assert_eq!(
            run(&json!({"!": [{"var": ""}]}), value),
            Ok(json!(false)),
            "{value} is truthy"
        );
        assert_eq!(
            run(&json!({"if": [{"var": ""}, 1, 2]}), value),
            Ok(json!(1)),
            "{value}"
        );
    }
    let date = json!({"plusTime": ["2021-01-01", 0, "day"]});
    check_errors(&[
        (
            "a date-time is neither (if)",
            json!({"if": [date, 1, 2]}),
            json!({}),
            "\"if\"",
        ),
        (
            "a date-time is neither (!)",
            json!({"!": [date]}),
            json!({}),
            "neither truthy nor falsy",
        ),
        (
            "a date-time is neither (and)",
            json!({"and": [true, date]}),
            json!({}),
            "a date-time",
        ),
    ]);
}

#[test]
fn and_is_lazy_and_returns_operands() {
    let throws = json!({"after": [{"plusTime": [{"var": "x"}, 0, "hour"]}, {"plusTime": ["1970-01-01", 0, "hour"]}]});
    check_values(&[
        (
            "first falsy itself",
            json!({"and": [true, {"var": "x"}]}),
            json!({"x": {}}),
            json!({}),
        ),
        (
            "first falsy of three",
            json!({"and": [1, "", 0]}),
            json!({}),
            json!(""),
        ),
        (
            "last value",
            json!({"and": [true, true, 7]}),
            json!({}),
            json!(7),
        ),
        (
            "stops at falsy",
            json!({"and": [{"var": "x"}, throws.clone()]}),
            json!({"x": ""}),
            json!(""),
        ),
        (
            "goes on when truthy",
            json!({"and": [{"var": "x"}, throws]}),
            json!({"x": "2022-04-01"}),
            json!(true),
        ),
        (
            "if: only the chosen branch",
            json!({"if": [true, 1, {"+": ["a", 1]}]}),
            json!({}),
            json!(1),
        ),
        (
            "if: else branch",
            json!({"if": [[], {"+": ["a", 1]}, 2]}),
            json!({}),
            json!(2),
        ),
    ]);
}

#[test]
fn comparisons_take_integers_and_date_times_apart() {
    let d = |s: &str| json!({"plusTime": [s, 0, "day"]});
    check_values(&[
        ("binary", json!({"<": [1, 2]}), json!({}), json!(true)),
        (
            "ternary between",
            json!({"<=": [1, 1, 2]}),
            json!({}),
            json!(true),
        ),
        (
            "ternary fails on second pair",
            json!({"<": [1, 3, 2]}),
            json!({}),
            json!(false),
        ),
        (
            "2.0 is an integer",
            json!({">=": [{"var": "x"}, 2]}),
            json!({"x": 2.0}),
            json!(true),
        ),
        (
            "instants, not text",
            json!({"before": [d("2021-01-02T00:30:00+01:00"), d("2021-01-01T23:45:00Z")]}),
            json!({}),
            json!(true),
        ),
        (
            "date ternary",
            json!({"not-after": [d("2021-01-01"), d("2021-01-01"), d("2021-01-02")]}),
            json!({}),
            json!(true),
        ),
        (
            "=== never coerces",
            json!({"===": [1, "1"]}),
            json!({}),
            json!(false),
        ),
        (
            "=== on strings",
            json!({"===": [{"var": "a"}, "x"]}),
            json!({"a": "x"}),
            json!(true),
        ),
        (
            "=== on arrays is identity",
            json!({"===": [[1], [1]]}),
            json!({}),
            json!(false),
        ),
        (
            "=== on the same datum",
            json!({"===": [{"var": "a"}, {"var": "a"}]}),
            json!({"a": [1]}),
            json!(true),
        ),
        (
            "=== on date-times is false",
            json!({"===": [d("2021-01-01"), d("2021-01-01")]}),
            json!({}),
            json!(false),
        ),
        (
            "+",
            json!({"+": [{"var": "a"}, -3]}),
            json!({"a": 5}),
            json!(2),
        ),
    ]);
    check_errors(&[
        (
            "string operand",
            json!({"<": [1, "2"]}),
            json!({}),
            "must be integers, found a string",
        ),
        (
            "non-integer data",
            json!({"<": [{"var": "x"}, 2]}),
            json!({"x": 1.5}),
            "non-integer",
        ),
        (
            "dates with <",
            json!({"<": [d("2021-01-01"), d("2021-01-02")]}),
            json!({}),
            "must be integers",
        ),
        (
            "integers with before",
            json!({"before": [1, 2]}),
            json!({}),
            "must be date-times",
        ),
        (
            "strings with after",
            json!({"after": ["2021-01-01", "2020-01-01"]}),
            json!({}),
            "date-times",
        ),
        ("+ on strings", json!({"+": ["1", 1]}), json!({}), "\"+\""),
    ]);
    for logic in [
        json!({"<": [1]}),
        json!({"<": [1, 2, 3, 4]}),
        json!({"===": [1, 1, 1]}),
        json!({"+": [1]}),
    ] {
        assert!(
            !validate(&logic).is_empty(),
            "{logic} has a wrong operand count"
        );
    }
}

#[test]
fn in_needs_an_array() {
    check_values(&[
        (
            "literal array",
            json!({"in": [{"var": "x"}, ["a", "b"]]}),
            json!({"x": "b"}),
            json!(true),
        ),
        (
            "no coercion",
            json!({"in": [{"var": "x"}, ["1", 2]]}),
            json!({"x": 1}),
            json!(false),
        ),
        (
            "numbers by value",
            json!({"in": [{"var": "x"}, ["1", 2]]}),
            json!({"x": 2.0}),
            json!(true),
        ),
        (
            "booleans",
            json!({"in": [false, [true, false]]}),
            json!({}),
            json!(true),
        ),
        (
            "null in [null]",
            json!({"in": [{"var": "x"}, {"var": "y"}]}),
            json!({"x": null, "y": [null]}),
            json!(true),
        ),
        (
            "built array",
            json!({"in": [2, [1, {"var": "x"}]]}),
            json!({"x": 2}),
            json!(true),
        ),
        ("empty", json!({"in": ["a", []]}), json!({}), json!(false)),
    ]);
    check_errors(&[
        (
            "null haystack",
            json!({"in": ["a", {"var": "y"}]}),
            json!({}),
            "must be an array, found null",
        ),
        (
            "string haystack",
            json!({"in": ["a", {"var": "y"}]}),
            json!({"y": "abc"}),
            "found a string",
        ),
    ]);
}

#[test]
fn plus_time_operands_are_literals() {
    for (what, logic, path) in [
        (
            "amount expression",
            json!({"plusTime": ["2021-01-01", {"var": "n"}, "day"]}),
            "/plusTime/1",
        ),
        (
            "amount fraction",
            json!({"plusTime": ["2021-01-01", 1.5, "day"]}),
            "/plusTime/1",
        ),
        (
            "unit expression",
            json!({"plusTime": ["2021-01-01", 1, {"var": "u"}]}),
            "/plusTime/2",
        ),
        (
            "unknown unit",
            json!({"plusTime": ["2021-01-01", 1, "week"]}),
            "/plusTime/2",
        ),
        (
            "uvci index expression",
            json!({"extractFromUVCI": ["a", {"var": "i"}]}),
            "/extractFromUVCI/1",
        ),
    ] {
        let issues = validate(&logic);
        assert_eq!(issues.len(), 1, "{what}: {issues:?}");
        assert_eq!(issues[0].path, path, "{what}");
    }
    assert_eq!(
        validate(&json!({"plusTime": [{"var": "d"}, 1.0, "hour"]})),
        vec![],
        "1.0 is an integer"
    );
}

#[test]
fn date_time_formats() {
    let rows = [
        ("date", "2021-06-01", "2021-06-01T00:00:00.000Z"),
        (
            "no offset is Z",
            "2021-06-01T10:20:30",
            "2021-06-01T10:20:30.000Z",
        ),
        ("Z", "2021-06-01T10:20:30Z", "2021-06-01T10:20:30.000Z"),
        ("+h", "2021-06-01T10:20:30+2", "2021-06-01T08:20:30.000Z"),
        ("-hh", "2021-06-01T10:20:30-02", "2021-06-01T12:20:30.000Z"),
        (
            "+hmm",
            "2021-06-01T10:20:30+230",
            "2021-06-01T07:50:30.000Z",
        ),
        (
            "+hhmm",
            "2021-06-01T10:20:30+0230",
            "2021-06-01T07:50:30.000Z",
        ),
        (
            "+h:mm",
            "2021-06-01T10:20:30+2:30",
            "2021-06-01T07:50:30.000Z",
        ),
        (
            "+hh:mm",
            "2021-06-01T10:20:30+02:30",
            "2021-06-01T07:50:30.000Z",
        ),
        (
            "fraction cut, not rounded",
            "2021-06-01T10:20:30.9999Z",
            "2021-06-01T10:20:30.999Z",
        ),
        (
            "short fraction",
            "2021-06-01T10:20:30.5",
            "2021-06-01T10:20:30.500Z",
        ),
        (
            "fraction and offset",
            "2021-06-01T00:00:00.123456-05:00",
            "2021-06-01T05:00:00.123Z",
        ),
        ("partial YYYY", "2004", "2004-12-31T00:00:00.000Z"),
        ("partial YYYY-MM", "2004-02", "2004-02-29T00:00:00.000Z"),
        ("partial YYYY-MM", "2003-02", "2003-02-28T00:00:00.000Z"),
        (
            "day 30 of February rolls over, as in V8",
            "2021-02-30",
            "2021-03-02T00:00:00.000Z",
        ),
        (
            "24:00 is the next midnight",
            "2021-06-01T24:00:00Z",
            "2021-06-02T00:00:00.000Z",
        ),
    ];
    for (what, input, expected) in rows {
        assert_eq!(
            plus_time(input, 0, "day"),
            Ok(json!(expected)),
            "{what}: {input}"
        );
    }
    for bad in [
        "",
        "2021",
        "2021-6-01",
        "2021-06-01T10:20",
        "2021-06-01 10:20:30",
        "2021-06-01T10:20:30.",
        "2021-06-01T10:20:30+5:3",
        "2021-06-01T10:20:30+12345",
        "2021-06-01T10:20:30z",
        "２０２１-06-01",
    ]
    .iter()
    .filter(|s| **s != "2021")
    {
        let got = plus_time(bad, 0, "day");
        assert!(
            got.as_ref()
                .is_err_and(|e| e.contains("not an allowed date")),
            "{bad:?} gave {got:?}"
        );
    }
    // What V8's parser refuses gives JavaScript's "Invalid Date": null out, false compared.
    for invalid in [
        "2021-13",
        "2021-00-10",
        "2021-01-32",
        "2021-01-01T25:00:00",
        "2021-01-01T00:00:00+24:00",
    ] {
        assert_eq!(plus_time(invalid, 0, "day"), Ok(Value::Null), "{invalid}");
        let compared = json!({"not-after": [{"plusTime": [invalid, 0, "day"]}, {"plusTime": ["2021-01-01", 0, "day"]}]});
        assert_eq!(run(&compared, &Value::Null), Ok(json!(false)), "{invalid}");
    }
}

#[test]
fn calendar_arithmetic_is_javascripts() {
    let rows = [
        ("2021-01-31", 1, "month", "2021-03-03T00:00:00.000Z"),
        ("2020-01-31", 1, "month", "2020-03-02T00:00:00.000Z"),
        ("2021-03-31", -1, "month", "2021-03-03T00:00:00.000Z"),
        ("2020-02-29", 1, "year", "2021-03-01T00:00:00.000Z"),
        ("2020-02-29", 1, "month", "2020-03-29T00:00:00.000Z"),
        ("2020-02-29", 1, "day", "2020-03-01T00:00:00.000Z"),
        ("2020-02", 1, "month", "2020-03-29T00:00:00.000Z"),
        (
            "2021-01-31T23:30:00-01:00",
            1,
            "month",
            "2021-03-01T00:30:00.000Z",
        ),
        (
            "2021-03-27T12:00:00Z",
            48,
            "hour",
            "2021-03-29T12:00:00.000Z",
        ),
        (
            "2021-06-23T00:00:00Z",
            -180,
            "day",
            "2020-12-25T00:00:00.000Z",
        ),
        ("2021-01-15", -13, "month", "2019-12-15T00:00:00.000Z"),
        ("2021-05-01", 18, "year", "2039-05-01T00:00:00.000Z"),
        ("2004", -18, "year", "1986-12-31T00:00:00.000Z"),
        ("1970-01-01", -1, "hour", "1969-12-31T23:00:00.000Z"),
        ("0000-01-01", -1, "day", "-000001-12-31T00:00:00.000Z"),
        ("9999-12-31", 1, "year", "+010000-12-31T00:00:00.000Z"),
    ];
    for (date, amount, unit, expected) in rows {
        assert_eq!(
            plus_time(date, amount, unit),
            Ok(json!(expected)),
            "{date} + {amount} {unit}"
        );
    }
    // Beyond JavaScript's ±8.64e15 ms the date is invalid.
    assert_eq!(
        plus_time("2021-01-01", 1_000_000_000, "year"),
        Ok(Value::Null)
    );
    assert_eq!(plus_time("2021-01-01", 100_000_000, "day"), Ok(Value::Null));
}

#[test]
fn date_of_birth() {
    let dob = |s: &str| run(&json!({"dccDateOfBirth": [{"var": ""}]}), &json!(s));
    assert_eq!(dob("2004"), Ok(json!("2004-12-31T00:00:00.000Z")));
    assert_eq!(dob("2004-02"), Ok(json!("2004-02-29T00:00:00.000Z")));
    assert_eq!(dob("2004-12"), Ok(json!("2004-12-31T00:00:00.000Z")));
    assert_eq!(dob("2004-06-15"), Ok(json!("2004-06-15T00:00:00.000Z")));
    assert_eq!(
        dob("2004-13"),
        Ok(Value::Null),
        "invalid month: an invalid date, as in certlogic-js"
    );
    for bad in ["", "2004-1", "04", "2004-06-15T00:00:00Z"] {
        assert!(
            dob(bad).is_err_and(|e| e.contains("date of birth")),
            "{bad:?}"
        );
    }
    assert!(run(&json!({"dccDateOfBirth": [{"var": ""}]}), &json!(2004)).is_err());
    assert!(!validate(&json!({"dccDateOfBirth": ["2004", "2005"]})).is_empty());
}

#[test]
fn reduce_sees_only_its_own_context() {
    let sum =
        json!({"reduce": [{"var": "xs"}, {"+": [{"var": "accumulator"}, {"var": "current"}]}, 0]});
    check_values(&[
        ("sums", sum.clone(), json!({"xs": [1, 2, 3]}), json!(6)),
        (
            "empty array gives the initial value",
            sum.clone(),
            json!({"xs": []}),
            json!(0),
        ),
        (
            "null gives the initial value",
            sum.clone(),
            json!({}),
            json!(0),
        ),
        (
            "outer data invisible",
            json!({"reduce": [{"var": "xs"}, {"var": "z"}, 5]}),
            json!({"xs": [1], "z": 9}),
            Value::Null,
        ),
        (
            "no data key",
            json!({"reduce": [{"var": "xs"}, {"var": "data.z"}, 5]}),
            json!({"xs": [1], "z": 9}),
            Value::Null,
        ),
        (
            "initial sees outer data",
            json!({"reduce": [[], 0, {"var": "z"}]}),
            json!({"z": 9}),
            json!(9),
        ),
        (
            "the context object",
            json!({"reduce": [[1], {"var": ""}, 0]}),
            json!({}),
            json!({"accumulator": 0, "current": 1}),
        ),
        (
            "count matches",
            json!({"reduce": [{"var": "xs"}, {"+": [{"var": "accumulator"}, {"if": [{"===": [{"var": "current"}, "a"]}, 1, 0]}]}, 0]}),
            json!({"xs": ["a", "b", "a"]}),
            json!(2),
        ),
        (
            "built array",
            json!({"reduce": [[1, {"var": "x"}], {"+": [{"var": "accumulator"}, {"var": "current"}]}, 0]}),
            json!({"x": 4}),
            json!(5),
        ),
    ]);
    check_errors(&[(
        "non-array operand",
        sum,
        json!({"xs": "abc"}),
        "must be an array or null",
    )]);
}

#[test]
fn var_paths() {
    check_values(&[
        (
            "whole context",
            json!({"var": ""}),
            json!({"a": 1}),
            json!({"a": 1}),
        ),
        (
            "nested",
            json!({"var": "a.0.b"}),
            json!({"a": [{"b": "c"}]}),
            json!("c"),
        ),
        (
            "missing key",
            json!({"var": "a.q"}),
            json!({"a": {}}),
            Value::Null,
        ),
        (
            "missing index",
            json!({"var": "1"}),
            json!([1]),
            Value::Null,
        ),
        ("index -1", json!({"var": "-1"}), json!([1]), Value::Null),
        (
            "through null",
            json!({"var": "a.b.c"}),
            json!({"a": null}),
            Value::Null,
        ),
        (
            "through a boolean",
            json!({"var": "a.b"}),
            json!({"a": true}),
            Value::Null,
        ),
        (
            "through a number",
            json!({"var": "a.0"}),
            json!({"a": 5}),
            Value::Null,
        ),
        ("null data", json!({"var": "a"}), Value::Null, Value::Null),
        (
            "numeric key on an object",
            json!({"var": "1"}),
            json!({"1": "one"}),
            json!("one"),
        ),
        // certlogic-js reads properties of strings and arrays as JavaScript does.
        (
            "string index",
            json!({"var": "s.1"}),
            json!({"s": "abc"}),
            json!("b"),
        ),
        (
            "string length",
            json!({"var": "s.length"}),
            json!({"s": "abc"}),
            json!(3),
        ),
        (
            "array length",
            json!({"var": "a.length"}),
            json!({"a": [1, 2]}),
            json!(2),
        ),
    ]);
    for (logic, path) in [
        (json!({"var": 0}), "/var"),
        (json!({"var": null}), "/var"),
        (json!({"var": ["x", 1]}), "/var"),
        (json!({"var": "x."}), "/var"),
        (json!({"var": ".x"}), "/var"),
        (json!({"var": "a..b"}), "/var"),
        (json!({"var": "x", "y": 1}), ""),
    ] {
        let issues = validate(&logic);
        assert_eq!(issues.len(), 1, "{logic}: {issues:?}");
        assert_eq!(issues[0].path, path, "{logic}");
    }
}

#[test]
fn extract_from_uvci() {
    let uvci = "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B";
    let at = |i: i64, data: Value| run(&json!({"extractFromUVCI": [{"var": ""}, i]}), &data);
    assert_eq!(at(0, json!(uvci)), Ok(json!("01")));
    assert_eq!(at(1, json!(uvci)), Ok(json!("AT")));
    assert_eq!(at(3, json!(uvci)), Ok(json!("B")));
    assert_eq!(at(4, json!(uvci)), Ok(Value::Null));
    assert_eq!(at(-1, json!(uvci)), Ok(Value::Null));
    assert_eq!(at(0, Value::Null), Ok(Value::Null));
    assert_eq!(at(0, json!("")), Ok(json!("")));
    assert_eq!(at(5, json!("a::c/#/f")), Ok(json!("f")));
    assert_eq!(
        at(1, json!("urn:uvci:01:AT")),
        Ok(json!("uvci")),
        "the prefix is case-sensitive"
    );
    assert!(at(0, json!(5)).is_err_and(|e| e.contains("string or null")));
}

#[test]
fn literals() {
    check_values(&[
        ("string", json!("apple"), json!({}), json!("apple")),
        ("integer", json!(17), json!({}), json!(17)),
        ("2.0 is the integer 2", json!(2.0), json!({}), json!(2)),
        (
            "array of expressions",
            json!([1, {"var": "x"}, [2]]),
            json!({"x": "y"}),
            json!([1, "y", [2]]),
        ),
    ]);
    for (logic, message) in [
        (json!(null), "null"),
        (json!(2.5), "2.5 is a non-integer number"),
        (json!({}), "exactly one key, but it has 0"),
        (json!({"a": 1, "b": 2}), "exactly one key, but it has 2"),
        (json!({"all": "foo"}), "operation not of the form"),
        (json!({"all": []}), "unrecognised operator: \"all\""),
        (json!({"!==": [1, 2]}), "unrecognised operator"),
        (json!({"or": [true, false]}), "unrecognised operator"),
        (json!([1, null]), "null"),
    ] {
        let issues = validate(&logic);
        assert!(
            issues.iter().any(|i| i.message.contains(message)),
            "{logic}: {issues:?}"
        );
    }
}

#[test]
fn errors_name_their_path() {
    let issues = validate(&json!({"if": [true, {"var": 0}, {"and": [1]}]}));
    let shown: Vec<String> = issues.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "/if/1/var: not of the form { \"var\": \"<path>\" }",
            "/if/2: an \"and\" operation must have at least 2 operands, but it has 1",
        ]
    );
    assert_eq!(
        validate(&json!(null))[0].to_string(),
        "(root): invalid CertLogic expression: null is no literal"
    );
    let escaped = validate(&json!([{"a/b~": 1}]));
    assert_eq!(escaped[0].path, "/0");
    let compiled =
        compile(&json!({"and": [true, {"if": [{"plusTime": ["2021-01-01", 0, "day"]}, 1, 2]}]}))
            .unwrap();
    let error = compiled.evaluate(&json!({})).unwrap_err();
    assert_eq!(error.path, "/and/1");
    assert!(
        error
            .to_string()
            .starts_with("/and/1: operand of \"if\" is neither truthy nor falsy"),
        "{error}"
    );
    let all = compile(
        &json!({"and": [{"var": 1}, {"var": 2}, {"var": 3}, {"var": 4}, {"var": 5}, {"var": 6}]}),
    )
    .unwrap_err();
    assert_eq!(all.issues().len(), 6);
    assert!(all.to_string().ends_with("; and 1 more"), "{all}");
}

#[test]
fn messages_never_echo_huge_inputs() {
    let huge = "x".repeat(100_000);
    for logic in [
        json!({"var": format!("{huge}.")}),
        json!({huge.clone(): [1]}),
        json!({"plusTime": ["2021-01-01", 1, huge.clone()]}),
        json!({"plusTime": [{"var": ""}, 1, "day"]}),
        json!({"dccDateOfBirth": [{"var": ""}]}),
    ] {
        let message = run(&logic, &json!(huge)).unwrap_err();
        assert!(
            message.len() < 300,
            "{} bytes: {}…",
            message.len(),
            &message[..100]
        );
    }
}

#[test]
fn limits_turn_runaway_expressions_into_errors() {
    // Deeper than MAX_DEPTH: a validation error, not a stack overflow.
    let mut deep = json!(true);
    for _ in 0..1000 {
        // Built by hand: `json!` would serialise `deep` again, recursively.
        let mut op = serde_json::Map::new();
        op.insert("!".to_owned(), Value::Array(vec![deep]));
        deep = Value::Object(op);
    }
    let issues = validate(&deep);
    assert!(
        issues
            .iter()
            .any(|i| i.message.contains("nested more than")),
        "{issues:?}"
    );
    // A reduce that doubles its accumulator: 2^40 nodes, refused instead of built.
    let doubling =
        json!({"reduce": [{"var": ""}, [{"var": "accumulator"}, {"var": "accumulator"}], 1]});
    let data = Value::Array(vec![json!(0); 40]);
    let error = compile(&doubling).unwrap().evaluate(&data).unwrap_err();
    assert_eq!(error.kind, EvalErrorKind::ValueTooLarge);
    // A reduce that nests its accumulator once per step.
    let nesting = json!({"reduce": [{"var": ""}, [{"var": "accumulator"}], 1]});
    let data = Value::Array(vec![json!(0); 1000]);
    assert!(compile(&nesting).unwrap().evaluate(&data).is_err());
}

#[test]
fn compiled_expressions_are_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Compiled>();
    let compiled = compile(&json!({"in": [{"var": "c"}, ["AT", "BE", "NL"]]})).unwrap();
    for (country, expected) in [("NL", true), ("DE", false)] {
        assert_eq!(
            compiled.evaluate(&json!({"c": country})),
            Ok(json!(expected))
        );
    }
}

#[test]
fn quadratic_work_is_bounded() {
    // Each step searches the whole accumulator: 5000 × 5000 comparisons > MAX_STEPS.
    let logic = json!({"reduce": [{"var": "xs"}, {"if": [{"in": [{"var": "current"}, {"var": "accumulator"}]}, {"var": "accumulator"}, {"var": "accumulator"}]}, {"var": "xs"}]});
    let data = json!({"xs": (0..5000).collect::<Vec<_>>()});
    let error = evaluate(&logic, &data).unwrap_err();
    assert!(
        matches!(
            error,
            Error::Eval(EvalError {
                kind: EvalErrorKind::TooManySteps(_),
                ..
            })
        ),
        "{error}"
    );
}
