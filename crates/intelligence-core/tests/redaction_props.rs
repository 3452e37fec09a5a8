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
    fn a_url_password_never_survives_whatever_it_holds(
        user in "[a-z]{1,8}",
        password in "[A-Za-z0-9/?#@ :._~-]{4,24}",
        host in "[a-z]{1,10}(\\.[a-z]{2,4})?(:[0-9]{2,5})?",
        tail in "(/[a-z0-9_]{0,8}){0,3}",
        key in "[a-z_]{1,8}",
    ) {
        // Any of these characters may stand raw in a password that was
        // not percent-encoded; a space is part of it only in a config
        // value, so text gets passwords without one.
        prop_assume!(!password.trim().is_empty() && !password.contains("://"));
        let url = format!("postgres://{user}:{password}@{host}{tail}");
        let redacted = redact(&serde_json::json!({ key.clone(): url }));
        let stored = redacted.config[&key].as_str().unwrap_or_default().to_owned();
        prop_assert!(!stored.contains(&password), "{} kept {}", stored, password);

        let spaceless = password.replace(' ', "_");
        let text = format!("connect to postgres://{user}:{spaceless}@{host}{tail} failed");
        let scrubbed = intelligence_core::Scrubber::default().scrub(&text);
        prop_assert!(!scrubbed.contains(&spaceless), "{} kept {}", scrubbed, spaceless);
    }

    #[test]
    fn a_secret_cut_anywhere_never_shows_more_than_three_characters(
        secret in "[A-Za-z0-9_-]{8,40}",
        before in "[a-z ]{0,20}",
        keep in 0_usize..40,
    ) {
        let scrubber = intelligence_core::Scrubber::new([secret.clone()]);
        let keep = keep.min(secret.len());
        let text = format!("{before}{}", &secret[..keep]);
        let scrubbed = scrubber.scrub(&text);
        if keep >= 4 {
            prop_assert!(!scrubbed.contains(&secret[..4]) || before.contains(&secret[..4]),
                "{} kept part of {}", scrubbed, secret);
        }
    }

    #[test]
    fn arbitrary_text_scrubs_without_panicking(text in "\\PC{0,64}", secret in "\\PC{0,8}") {
        let scrubber = intelligence_core::Scrubber::new([secret]);
        let _ = scrubber.scrub(&text);
    }
}
