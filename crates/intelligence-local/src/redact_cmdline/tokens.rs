//! Credentials recognised by their shape rather than by a name before
//! them: an API key passed as a bare operand (`tool sk-proj-…`), or inside
//! text no other rule reads (`{"k": "ghp_…"}` under an innocent key).
//!
//! A token is masked when it starts, at a word boundary, with a prefix that
//! a well-known service puts on its secrets, and is followed by at least
//! [`MIN_BODY`] token characters (ASCII letters, digits, `_`, `-`) of which
//! at least one is a digit: generated keys always hold digits, while
//! ordinary words that share a prefix (`sk-learn`, `hf_hub_download`)
//! seldom do at that length. A JSON Web Token (`eyJ…` with dots) is
//! masked whole.

use std::borrow::Cow;

use intelligence_core::redact::MASK;

/// Prefixes of well-known secret formats, compared case-sensitively.
/// Longer prefixes that share a start with a shorter one need no entry of
/// their own (`sk-` covers `sk-proj-` and `sk-ant-`).
const PREFIXES: &[&str] = &[
    "sk-",         // OpenAI, Anthropic
    "sk_live_",    // Stripe secret keys
    "sk_test_",    // Stripe test keys
    "rk_live_",    // Stripe restricted keys
    "ghp_",        // GitHub personal access token
    "gho_",        // GitHub OAuth token
    "ghu_",        // GitHub user-to-server token
    "ghs_",        // GitHub server-to-server token
    "ghr_",        // GitHub refresh token
    "github_pat_", // GitHub fine-grained token
    "glpat-",      // GitLab personal access token
    "xoxb-",       // Slack bot token
    "xoxp-",       // Slack user token
    "xapp-",       // Slack app token
    "AKIA",        // AWS access key id
    "ASIA",        // AWS temporary access key id
    "AIza",        // Google API key
    "hf_",         // Hugging Face
    "npm_",        // npm
    "pypi-",       // PyPI upload token
    "dop_v1_",     // DigitalOcean
];

/// How a JSON Web Token begins: `{"` in base64url, the start of its
/// header. A run that begins so and holds a `.` is masked whole, dots and
/// all (`eyJhbGciOi….eyJzdWIi….SflKxw…`).
const JWT_PREFIX: &str = "eyJ";

/// The fewest token characters after the prefix for a match.
const MIN_BODY: usize = 16;

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// `text` with every token of a known secret format replaced by the mask;
/// borrowed when there is none.
pub(super) fn mask_tokens(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    // How far `text` has been copied into `out`.
    let mut copied = 0;
    let mut run_start = None;
    // A sentinel after the end closes the last run.
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        // A JSON Web Token's run goes on over its dots: masking only its
        // header would leave the payload and the signature.
        let in_jwt = run_start.is_some_and(|start| text[start..].starts_with(JWT_PREFIX));
        if is_token_char(c) || (in_jwt && c == '.') {
            run_start.get_or_insert(i);
            continue;
        }
        if let Some(start) = run_start.take()
            && is_secret_token(&text[start..i])
        {
            out.push_str(&text[copied..start]);
            out.push_str(MASK);
            copied = i;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Whether `token` (a whole run of token characters) has a known prefix
/// and a long enough body holding a digit.
fn is_secret_token(token: &str) -> bool {
    if token.starts_with(JWT_PREFIX) && token.contains('.') {
        return token.len() >= JWT_PREFIX.len() + MIN_BODY;
    }
    PREFIXES.iter().any(|prefix| {
        token
            .strip_prefix(prefix)
            .is_some_and(|body| body.len() >= MIN_BODY && body.bytes().any(|b| b.is_ascii_digit()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keys_of_known_formats_wherever_they_stand() {
        let cases = [
            ("sk-proj-Ab3dEf6hIj9kLm2nOp5q", "***"),
            ("'sk-proj-Ab3dEf6hIj9kLm2nOp5q'", "'***'"),
            (
                "--token-file=/x ghp_0123456789abcdefABCDEF",
                "--token-file=/x ***",
            ),
            ("{\"k\":\"xoxb-1234-5678-abcdefghijkl\"}", "{\"k\":\"***\"}"),
            ("AKIAIOSFODNN7EXAMPLE", "***"),
            (
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                "***",
            ),
            (
                "Cookie=1 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-Ab3' x",
                "Cookie=1 '***' x",
            ),
            ("a,glpat-abcdefgh12345678,b", "a,***,b"),
            (
                "sk_live_4eC39HqLyjWDarjtT1zdp7dc sk_test_4eC39HqLyjWDarjtT1zdp7dc",
                "*** ***",
            ),
        ];
        for (text, masked) in cases {
            assert_eq!(mask_tokens(text), masked, "{text}");
        }
    }

    #[test]
    fn leaves_words_that_only_share_a_prefix() {
        for text in [
            "sk-learn",
            "python -m hf_hub_download_cache_directory",
            "task-sk-proj-Ab3dEf6hIj9kLm2nOp5q",
            "mask_sk-proj-Ab3dEf6hIj9kLm2nOp5q",
            "sk-0123456789",
            "eyJ.x",
            "eyJhbGciOiJIUzI1NiJ9",
            "keyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0",
            "AKIA",
            "npm_config_registry_for_the_project",
            "ünïcödé ghp_",
        ] {
            assert_eq!(mask_tokens(text), text, "{text}");
            assert!(matches!(mask_tokens(text), Cow::Borrowed(_)));
        }
    }
}
