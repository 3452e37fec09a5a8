//! The wire: one `POST {base_url}/chat/completions` and what its reply
//! holds. Nothing here retries; a failure is returned once to the provider,
//! which answers with a fallback.

use std::time::Duration;

use intelligence_core::{Scrubber, TokenUsage};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Client, Response, StatusCode, Url};
use serde::Serialize;
use serde_json::Value;

use crate::error::OpenAiError;
use crate::settings::OpenAiSettings;
use crate::text::cut;

/// The largest successful reply body read, in bytes.
pub const MAX_REPLY_BYTES: usize = 4 * 1024 * 1024;
/// The largest error reply body read, in bytes.
pub const MAX_ERROR_BYTES: usize = 64 * 1024;
/// Error messages from upstream are cut to this many characters.
pub const MAX_ERROR_CHARS: usize = 500;

/// The `User-Agent` sent with every request.
pub const USER_AGENT: &str = concat!("intelligence-openai/", env!("CARGO_PKG_VERSION"));

/// Builds the HTTP client (rustls). Timeouts are set per request, so one
/// client serves settings with different timeouts.
pub fn build_client() -> Result<Client, OpenAiError> {
    Client::builder()
        .user_agent(USER_AGENT)
        .build()
        .map_err(|err| OpenAiError::Client(error_chain(&err)))
}

#[derive(Serialize)]
struct ChatRequest<'a> {
    model: &'a str,
    max_tokens: u32,
    messages: [Message<'a>; 2],
}

#[derive(Serialize)]
struct Message<'a> {
    role: &'static str,
    content: &'a str,
}

/// What a chat completion said, read leniently.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Completion {
    /// The `model` the reply names.
    pub model: Option<String>,
    /// The reply's `usage`; each count `None` when absent.
    pub usage: TokenUsage,
    /// The first choice's text; `None` when null, absent or blank.
    pub content: Option<String>,
    /// The first choice's `refusal`, when the model declined.
    pub refusal: Option<String>,
    /// Why the model stopped (`stop`, `length`, ...).
    pub finish_reason: Option<String>,
}

/// Sends one chat completion request and reads the reply. Text from an
/// error reply is scrubbed with `scrubber` before it is cut short, so that
/// a secret it echoes is never cut into a part that no longer matches.
pub async fn complete(
    client: &Client,
    endpoint: &Url,
    settings: &OpenAiSettings,
    scrubber: &Scrubber,
    system: &str,
    user: &str,
) -> Result<Completion, OpenAiError> {
    let body = ChatRequest {
        model: &settings.model,
        max_tokens: settings.max_tokens,
        messages: [
            Message {
                role: "system",
                content: system,
            },
            Message {
                role: "user",
                content: user,
            },
        ],
    };
    let mut request = client
        .post(endpoint.clone())
        .timeout(settings.timeout)
        .json(&body);
    if let Some(key) = &settings.api_key {
        // `bearer_auth` marks the header sensitive, so reqwest never shows it.
        request = request.bearer_auth(key);
    }

    let transport = |err: reqwest::Error| transport_error(err, endpoint, settings.timeout);
    let mut response = request.send().await.map_err(transport)?;
    let status = response.status();
    if !status.is_success() {
        let retry_after = retry_after(response.headers(), scrubber);
        let (body, _) = read_capped(&mut response, MAX_ERROR_BYTES)
            .await
            .map_err(transport)?;
        return Err(OpenAiError::Status {
            endpoint: shown(endpoint),
            status: status.as_u16(),
            message: status_message(status, &body, retry_after.as_deref(), scrubber),
        });
    }

    let (body, complete) = read_capped(&mut response, MAX_REPLY_BYTES)
        .await
        .map_err(transport)?;
    let malformed = |reason: String| OpenAiError::MalformedReply {
        endpoint: shown(endpoint),
        reason,
    };
    if !complete {
        return Err(malformed(format!(
            "reply larger than {MAX_REPLY_BYTES} bytes"
        )));
    }
    let value: Value =
        serde_json::from_slice(&body).map_err(|err| malformed(format!("not JSON ({err})")))?;
    completion(&value).map_err(malformed)
}

/// Reads the fields that matter from a chat completion.
fn completion(value: &Value) -> Result<Completion, String> {
    if !value.is_object() {
        return Err("expected a JSON object".to_owned());
    }
    let choice = value["choices"]
        .as_array()
        .and_then(|choices| choices.first())
        .ok_or_else(|| "no choices in the reply".to_owned())?;
    let message = &choice["message"];
    let usage = &value["usage"];
    Ok(Completion {
        model: non_blank(&value["model"]),
        usage: TokenUsage {
            prompt: token_count(&usage["prompt_tokens"]),
            completion: token_count(&usage["completion_tokens"]),
            total: token_count(&usage["total_tokens"]),
        },
        content: content_text(&message["content"]),
        refusal: non_blank(&message["refusal"]),
        finish_reason: non_blank(&choice["finish_reason"]),
    })
}

/// A token count as reported: a non-negative integer, else unknown (a
/// compatible server's `-5` must not reach the audit record as a count).
fn token_count(value: &Value) -> Option<i64> {
    value.as_i64().filter(|n| *n >= 0)
}

/// Content is a string, or (some compatible servers) an array of parts with
/// `text`.
fn content_text(content: &Value) -> Option<String> {
    let text = match content {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|part| part["text"].as_str().or_else(|| part.as_str()))
            .collect::<Vec<_>>()
            .join(""),
        _ => return None,
    };
    (!text.trim().is_empty()).then_some(text)
}

fn non_blank(value: &Value) -> Option<String> {
    value
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn retry_after(headers: &HeaderMap, scrubber: &Scrubber) -> Option<String> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    (!value.is_empty()).then(|| cut(&scrubber.scrub(value), 64).to_owned())
}

/// The API's own error message when the body is `{"error": {"message"}}`,
/// else the body text, else the status's reason; scrubbed, then cut short.
fn status_message(
    status: StatusCode,
    body: &[u8],
    retry_after: Option<&str>,
    scrubber: &Scrubber,
) -> String {
    let text = String::from_utf8_lossy(body);
    let parsed: Option<Value> = serde_json::from_str(&text).ok();
    let from_json = parsed.as_ref().and_then(|v| {
        v["error"]["message"]
            .as_str()
            .or_else(|| v["error"].as_str())
            .or_else(|| v["message"].as_str())
            .map(str::to_owned)
    });
    let message = from_json
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
        .or_else(|| Some(text.trim().to_owned()).filter(|t| !t.is_empty()))
        .unwrap_or_else(|| {
            status
                .canonical_reason()
                .unwrap_or("no reason given")
                .to_owned()
        });
    let mut message = cut(&scrubber.scrub(&message), MAX_ERROR_CHARS).to_owned();
    if let Some(after) = retry_after {
        message.push_str(&format!(" (retry-after {after}; not retried)"));
    }
    message
}

/// Reads at most `limit` bytes of the body, and whether that was all of it;
/// the rest is dropped unread.
async fn read_capped(
    response: &mut Response,
    limit: usize,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, false));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, true))
}

/// The endpoint as messages show it: without credentials, query or
/// fragment, where a gateway key could hide.
pub fn shown(endpoint: &Url) -> String {
    let mut url = endpoint.clone();
    url.set_query(None);
    url.set_fragment(None);
    // Both fail only for URLs without a host, which settings refuse.
    let _ = url.set_password(None);
    let _ = url.set_username("");
    url.to_string()
}

/// Whether the endpoint is the public OpenAI API, which answers every
/// request without a key with 401.
pub fn is_public_api(endpoint: &Url) -> bool {
    endpoint
        .host_str()
        .is_some_and(|host| host.eq_ignore_ascii_case("api.openai.com"))
}

fn transport_error(err: reqwest::Error, endpoint: &Url, timeout: Duration) -> OpenAiError {
    if err.is_timeout() {
        OpenAiError::Timeout {
            endpoint: shown(endpoint),
            timeout,
        }
    } else {
        OpenAiError::Connect {
            endpoint: shown(endpoint),
            reason: error_chain(&err.without_url()),
        }
    }
}

/// An error and its sources, joined with `: `, repeats dropped.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![err.to_string()];
    let mut source = err.source();
    while let Some(next) = source {
        let text = next.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = next.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_model_usage_and_content() {
        let value = json!({
            "model": "gpt-4o-mini-2024-07-18",
            "choices": [{"message": {"role": "assistant", "content": "[]"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 120, "completion_tokens": 3, "total_tokens": 123}
        });
        let completion = completion(&value).expect("valid");
        assert_eq!(completion.model.as_deref(), Some("gpt-4o-mini-2024-07-18"));
        assert_eq!(
            completion.usage,
            TokenUsage {
                prompt: Some(120),
                completion: Some(3),
                total: Some(123)
            }
        );
        assert_eq!(completion.content.as_deref(), Some("[]"));
        assert_eq!(completion.finish_reason.as_deref(), Some("stop"));
    }

    #[test]
    fn missing_usage_stays_unknown_and_parts_are_joined() {
        let value = json!({
            "choices": [{"message": {"content": [{"type": "text", "text": "a"}, {"text": "b"}]}}],
            "usage": {"prompt_tokens": 5}
        });
        let completion = completion(&value).expect("valid");
        assert_eq!(completion.model, None);
        assert_eq!(completion.usage.prompt, Some(5));
        assert_eq!(completion.usage.completion, None);
        assert_eq!(completion.usage.total, None);
        assert_eq!(completion.content.as_deref(), Some("ab"));
    }

    #[test]
    fn negative_or_non_integer_token_counts_are_unknown() {
        let value = json!({
            "choices": [{"message": {"content": "[]"}}],
            "usage": {"prompt_tokens": -5, "completion_tokens": 1e30, "total_tokens": "x"}
        });
        let completion = completion(&value).expect("valid");
        assert_eq!(
            completion.usage,
            TokenUsage {
                prompt: None,
                completion: None,
                total: None
            }
        );
    }

    #[test]
    fn refusals_nulls_and_missing_choices() {
        let refused = completion(
            &json!({"choices": [{"message": {"content": null, "refusal": "I can't help"}}]}),
        )
        .expect("valid");
        assert_eq!(refused.content, None);
        assert_eq!(refused.refusal.as_deref(), Some("I can't help"));

        assert!(completion(&json!({"choices": []})).is_err());
        assert!(completion(&json!([1])).is_err());
    }

    #[test]
    fn only_the_public_host_is_the_public_api() {
        let public = Url::parse("https://api.openai.com/v1/chat/completions").expect("url");
        let local = Url::parse("http://127.0.0.1:8080/v1/chat/completions").expect("url");
        assert!(is_public_api(&public));
        assert!(!is_public_api(&local));
    }

    #[test]
    fn shown_endpoints_drop_credentials_and_query() {
        let url = Url::parse("https://user:pass@gw.example/v1/chat/completions?api-key=abc#x")
            .expect("url");
        assert_eq!(shown(&url), "https://gw.example/v1/chat/completions");
    }

    #[test]
    fn status_messages_prefer_the_api_message() {
        let none = Scrubber::default();
        let body = br#"{"error": {"message": "Rate limit reached", "type": "requests"}}"#;
        assert_eq!(
            status_message(StatusCode::TOO_MANY_REQUESTS, body, Some("20"), &none),
            "Rate limit reached (retry-after 20; not retried)"
        );
        assert_eq!(
            status_message(StatusCode::BAD_GATEWAY, b"  upstream down ", None, &none),
            "upstream down"
        );
        assert_eq!(
            status_message(StatusCode::INTERNAL_SERVER_ERROR, b"", None, &none),
            "Internal Server Error"
        );
        let long = "x".repeat(2000);
        assert_eq!(
            status_message(StatusCode::BAD_REQUEST, long.as_bytes(), None, &none).len(),
            MAX_ERROR_CHARS
        );
    }

    #[test]
    fn an_echoed_key_is_scrubbed_before_the_message_is_cut() {
        let key = "sk-cut-0123456789abcdef";
        let scrubber = Scrubber::new([key.to_owned()]);
        // Every cut that would split the key: the message ends at
        // MAX_ERROR_CHARS with 1 to all but one of its characters.
        for shown in 1..key.len() {
            let message = format!("{}{key}", "x".repeat(MAX_ERROR_CHARS - shown));
            let body = serde_json::json!({"error": {"message": message}}).to_string();
            let text = status_message(
                StatusCode::UNAUTHORIZED,
                body.as_bytes(),
                Some("20"),
                &scrubber,
            );
            assert!(!text.contains("sk-c"), "{shown}: {text}");
        }
        let mut headers = HeaderMap::new();
        let value = format!("{}{key}", "z".repeat(60));
        headers.insert(RETRY_AFTER, value.parse().expect("header"));
        let after = retry_after(&headers, &scrubber).expect("retry-after");
        assert!(!after.contains("sk-c"), "{after}");
    }
}
