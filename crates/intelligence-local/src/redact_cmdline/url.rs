//! The secrets of a URL: its credentials (`https://user:VALUE@host`,
//! `https://TOKEN@host`) and its sensitive or signature query parameters
//! (`?token=VALUE`, `?sig=VALUE`, `?X-Amz-Signature=VALUE`).

use std::borrow::Cow;

use intelligence_core::redact::MASK;

use super::is_sensitive_name;

/// Masks URL credentials and sensitive or signature query parameters
/// inside `word`.
pub(super) fn mask_url(word: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(word);
    if let Some(scheme_end) = word.find("://") {
        let authority_start = scheme_end + 3;
        let rest = &word[authority_start..];
        // Passwords are not always percent-encoded, so the credentials run
        // to the last `@`, as long as they look like `user:pass` or a bare
        // token (an `@` further along a path, as in `/@scope/pkg`, is not
        // a credential).
        if let Some(at) = rest.rfind('@') {
            let userinfo = &rest[..at];
            let masked = match userinfo.split_once(':') {
                Some((user, _)) => Some(format!("{user}:{MASK}")),
                None if !userinfo.contains(['/', '?', '#']) => Some(MASK.to_owned()),
                None => None,
            };
            if let Some(masked) = masked {
                out = Cow::Owned(format!(
                    "{}{masked}{}",
                    &word[..authority_start],
                    &rest[at..]
                ));
            }
        }
    }
    if let Some(query_start) = out.find('?') {
        let (head, query) = out.split_at(query_start + 1);
        let (query, fragment) = match query.find('#') {
            Some(i) => query.split_at(i),
            None => (query, ""),
        };
        let mut changed = false;
        let params: Vec<Cow<'_, str>> = query
            .split('&')
            .map(|param| match param.split_once('=') {
                Some((name, _)) if is_sensitive_name(name) || is_signature_param(name) => {
                    changed = true;
                    Cow::Owned(format!("{name}={MASK}"))
                }
                _ => Cow::Borrowed(param),
            })
            .collect();
        if changed {
            out = Cow::Owned(format!("{head}{}{fragment}", params.join("&")));
        }
    }
    out
}

/// Whether a URL query parameter carries a signature, beyond the sensitive
/// names: Azure SAS `sig`, and any name with `signature` in it (AWS's
/// presigned `X-Amz-Signature`, GCS's `X-Goog-Signature`, CloudFront's
/// `Signature`).
fn is_signature_param(name: &str) -> bool {
    name.eq_ignore_ascii_case("sig") || name.to_ascii_lowercase().contains("signature")
}
