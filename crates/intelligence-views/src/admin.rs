//! The server-rendered audit pages under `/admin/intelligence/analysisrun/`:
//! the run list and the run detail. Templates are [`maud`] macros, checked
//! at compile time; the pages need no JavaScript.

pub(crate) mod detail;
pub(crate) mod layout;
pub(crate) mod list;

/// Where the run list page lives.
pub const LIST_PATH: &str = "/admin/intelligence/analysisrun/";

/// Percent-encodes a query string value (everything but RFC 3986's
/// unreserved characters).
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        assert_eq!(encode("local-1_x.y~"), "local-1_x.y~");
    }
}
