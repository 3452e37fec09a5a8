//! Integration tests against a real HTTP server on loopback (wiremock)
//! standing in for the chat completions API.

mod failures;
mod replies;
mod request;
mod secrets;
mod support;
