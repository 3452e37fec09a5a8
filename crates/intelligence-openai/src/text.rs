//! Small text helpers: cutting to a number of characters.

/// The first `max` characters of `text` (not bytes: never splits a
/// character).
pub fn cut(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_by_characters() {
        assert_eq!(cut("héllo", 2), "hé");
        assert_eq!(cut("héllo", 5), "héllo");
        assert_eq!(cut("héllo", 50), "héllo");
        assert_eq!(cut("", 3), "");
    }
}
