//! Property tests: redaction masks every sensitive value at any depth, and
//! nothing in core panics on any JSON value.

use intelligence_core::redact::{MASK, is_sensitive_key, redact};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_]{1,8}",
        Just("api_key".to_owned()),
        Just("Password".to_owned()),
        Just("X-Auth-Token".to_owned()),
        Just("client_SECRET".to_owned()),
        Just("cookieJar".to_owned()),
        Just("model".to_owned()),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Every value stored under a sensitive key anywhere in `value`.
fn sensitive_values(value: &Value, out: &mut Vec<Value>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if is_sensitive_key(k) {
                    out.push(v.clone());
                } else {
                    sensitive_values(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| sensitive_values(v, out)),
        _ => {}
    }
}

/// Every value under a sensitive key in the redacted output.
fn masked_slots(value: &Value, out: &mut Vec<Value>) {
    sensitive_values(value, out);
}

proptest! {
    #[test]
    fn no_sensitive_value_survives(input in json()) {
        let redacted = redact(&input).config;
        let mut slots = Vec::new();
        masked_slots(&redacted, &mut slots);
        for slot in slots {
            prop_assert_eq!(slot, Value::String(MASK.to_owned()));
        }
    }

    #[test]
    fn sensitive_strings_are_scrubbed_from_text(input in json()) {
        let redacted = redact(&input);
        let mut secrets = Vec::new();
        sensitive_values(&input, &mut secrets);
        for secret in secrets {
            if let Value::String(text) = secret
                && text.chars().count() >= 4
                && !MASK.contains(text.as_str())
            {
                let message = format!("upstream said: {text}!");
                let scrubbed = redacted.scrubber.scrub(&message);
                prop_assert!(!scrubbed.contains(&text), "{} survived in {}", text, scrubbed);
            }
        }
    }

    #[test]
    fn redaction_never_panics_and_keeps_the_shape(input in json()) {
        let redacted = redact(&input);
        let scrubbed = redacted.scrubber.scrub_value(&input);
        prop_assert_eq!(
            std::mem::discriminant(&scrubbed),
            std::mem::discriminant(&input)
        );
        if !input.is_null() {
            prop_assert_eq!(
                std::mem::discriminant(&redacted.config),
                std::mem::discriminant(&input)
            );
        }
        let _ = redacted.scrubber.scrub(&input.to_string());
    }

    #[test]
    fn arbitrary_text_scrubs_without_panicking(text in "\\PC{0,64}", secret in "\\PC{0,8}") {
        let scrubber = intelligence_core::Scrubber::new([secret]);
        let _ = scrubber.scrub(&text);
    }
}
