//! Small helpers for JSON that arrives from the edges.

use serde_json::Value;

/// The kind of a JSON value as an error message names it: `null`,
/// `a boolean`, `a number`, `a string`, `an array` or `an object`.
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
