//! Property tests: arbitrary JSON as expression and as data never panics, validation and
//! compilation agree, and date-times survive a round trip through `plusTime`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Map, Number, Value};

const OPERATORS: &[&str] = &[
    "var",
    "if",
    "===",
    "and",
    "!",
    "<",
    ">",
    "<=",
    ">=",
    "in",
    "+",
    "plusTime",
    "reduce",
    "extractFromUVCI",
    "dccDateOfBirth",
    "after",
    "before",
    "not-after",
    "not-before",
    "!==",
    "or",
];
const PATHS: &[&str] = &[
    "",
    "x",
    "y",
    "x.0",
    "x.1.y",
    "accumulator",
    "current",
    "current.0",
    "0",
    "1",
    "-1",
    "x.length",
    "x.",
    ".",
    "a..b",
];
const STRINGS: &[&str] = &[
    "",
    "a",
    "0",
    "day",
    "hour",
    "month",
    "year",
    "2021-05-01",
    "2020-02",
    "2004",
    "2021-01-31T23:30:00-01:00",
    "2021-02-30T24:00:00.9999+5",
    "URN:UVCI:01:NL:187/37512422923",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..40).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        select(STRINGS).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
        date_like().prop_map(Value::from),
        select(PATHS).prop_map(|p| json!({ "var": p })),
    ]
}

fn date_like() -> impl Strategy<Value = String> {
    "[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,5})?(Z|[+-][0-9]{1,2}:?[0-9]{0,2})?)?)?)?"
}

/// Arbitrary JSON, biased towards operation objects so that evaluation gets deep.
fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 96, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            (
                select(OPERATORS),
                prop::collection::vec(inner.clone(), 0..4)
            )
                .prop_map(|(op, args)| json!({ op: args })),
            (select(OPERATORS), inner.clone()).prop_map(|(op, arg)| json!({ op: arg })),
            prop::collection::vec((select(PATHS), inner.clone()), 0..4).prop_map(|entries| {
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
            (
                inner.clone(),
                -3i64..20,
                select(&["day", "hour", "month", "year"][..])
            )
                .prop_map(|(d, n, unit)| json!({ "plusTime": [d, n, unit] })),
            (inner.clone(), inner.clone(), inner)
                .prop_map(|(a, l, i)| json!({ "reduce": [a, l, i] })),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_logic_and_data_never_panic(logic in json_value(), data in json_value()) {
        let issues = certlogic::validate(&logic);
        match certlogic::compile(&logic) {
            Ok(compiled) => {
                prop_assert!(issues.is_empty());
                let _ = compiled.evaluate(&data);
                let _ = compiled.evaluate(&Value::Null);
            }
            Err(errors) => {
                prop_assert_eq!(errors.issues(), &issues[..]);
                prop_assert!(!issues.is_empty());
                let _ = errors.to_string();
            }
        }
        let _ = certlogic::evaluate(&logic, &data);
    }

    #[test]
    fn any_string_as_a_date_never_panics(s in "\\PC{0,40}", amount in any::<i64>(), unit in select(&["day", "hour", "month", "year"][..])) {
        for logic in [
            json!({ "plusTime": [{ "var": "" }, amount, unit] }),
            json!({ "dccDateOfBirth": [{ "var": "" }] }),
            json!({ "extractFromUVCI": [{ "var": "" }, amount] }),
        ] {
            let _ = certlogic::evaluate(&logic, &Value::from(s.as_str()));
        }
    }

    #[test]
    fn date_times_round_trip(
        (y, m, d) in (0u32..=9999, 1u32..=12, 1u32..=28),
        (h, mi, s, ms) in (0u32..24, 0u32..60, 0u32..60, 0u32..1000),
    ) {
        let iso = format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z");
        let got = certlogic::evaluate(&json!({ "plusTime": [{ "var": "" }, 0, "day"] }), &json!(iso)).unwrap();
        prop_assert_eq!(got, json!(iso));
    }

    #[test]
    fn a_day_is_24_hours(days in -100_000i64..100_000, start in date_like()) {
        let by_day = certlogic::evaluate(&json!({ "plusTime": [{ "var": "" }, days, "day"] }), &json!(start));
        let by_hour = certlogic::evaluate(&json!({ "plusTime": [{ "var": "" }, days * 24, "hour"] }), &json!(start));
        prop_assert_eq!(by_day.ok(), by_hour.ok());
    }
}
