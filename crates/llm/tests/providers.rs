//! Both HTTP clients against the scripted fake LLM server, over real HTTP:
//! wire formats, streaming, 429/529, timeouts, malformed and over-long
//! output.

use std::time::{Duration, Instant};

use ci_llm::anthropic::AnthropicClient;
use ci_llm::openai::OpenAiClient;
use ci_llm::{ApiConfig, Llm, LlmError, Scrubber, SealedPrompt, Task};
use fake_llm::{FakeLlm, Reply, Wire};

fn prompt() -> SealedPrompt {
    Scrubber::default().seal(Task::JobFailure, "ground rules", "the facts", 300)
}

fn cfg(server: &FakeLlm, stream: bool) -> ApiConfig {
    let mut c = ApiConfig::new(server.url(), "test-model");
    c.api_key = Some("sk-test-key-123456".into());
    c.stream = stream;
    c.retries = 3;
    c.timeout = Duration::from_secs(10);
    c
}

async fn both(stream: bool) -> (FakeLlm, Vec<Box<dyn Llm>>) {
    let server = FakeLlm::start().await.unwrap();
    let c = cfg(&server, stream);
    let clients: Vec<Box<dyn Llm>> =
        vec![Box::new(AnthropicClient::new(&c).unwrap()), Box::new(OpenAiClient::new(&c).unwrap())];
    (server, clients)
}

#[tokio::test]
async fn both_wire_formats_with_and_without_streaming() {
    for stream in [false, true] {
        let (server, clients) = both(stream).await;
        for llm in &clients {
            server.push(Reply::text("an answer that spans several stream deltas, with unicode: é ✓"));
            let c = llm.complete(&prompt()).await.unwrap();
            assert_eq!(c.text, "an answer that spans several stream deltas, with unicode: é ✓", "stream={stream}");
            assert!(!c.usage.estimated, "the fake reports usage in both formats");
            assert_eq!(c.usage.output_tokens, 16);
            assert_eq!((c.attempts, c.truncated), (1, false));
        }
        let reqs = server.requests();
        assert_eq!(reqs.len(), 2);
        let (a, o) = (&reqs[0], &reqs[1]);
        assert_eq!((a.wire, o.wire), (Wire::Anthropic, Wire::OpenAi));
        assert_eq!(a.header("x-api-key"), Some("sk-test-key-123456"));
        assert_eq!(a.header("anthropic-version"), Some("2023-06-01"));
        assert_eq!(o.header("authorization"), Some("Bearer sk-test-key-123456"));
        for r in [a, o] {
            assert_eq!(r.system(), "ground rules");
            assert_eq!(r.user(), "the facts");
            assert_eq!(r.max_tokens(), Some(300), "the task's cap, under the configured 1024");
            assert_eq!(r.stream(), stream);
        }
    }
}

#[tokio::test]
async fn gateway_headers_and_base_urls() {
    let server = FakeLlm::start().await.unwrap();
    let mut c = cfg(&server, false);
    c.api_key = None;
    c.headers = vec![("Ocp-Apim-Subscription-Key".into(), "gw-secret".into())];
    c.anthropic_version = "vertex-2023-10-16".into();
    AnthropicClient::new(&c).unwrap().complete(&prompt()).await.unwrap();
    c.base_url = format!("{}/v1/", server.url());
    OpenAiClient::new(&c).unwrap().complete(&prompt()).await.unwrap();
    let r = server.requests();
    assert_eq!(r[0].header("ocp-apim-subscription-key"), Some("gw-secret"));
    assert_eq!(r[0].header("x-api-key"), None, "no key configured, none sent");
    assert_eq!(r[0].header("anthropic-version"), Some("vertex-2023-10-16"));
    assert_eq!(r[1].wire, Wire::OpenAi, "a base URL ending in /v1 is not doubled");
}

#[tokio::test]
async fn rate_limits_and_overload_are_retried_with_backoff() {
    for stream in [false, true] {
        let (server, clients) = both(stream).await;
        for llm in &clients {
            server.push(Reply::status(429).retry_after(0));
            server.push(Reply::status(529));
            server.push(Reply::status(503));
            server.push(Reply::text("finally"));
            let t0 = Instant::now();
            let c = llm.complete(&prompt()).await.unwrap();
            assert_eq!((c.text.as_str(), c.attempts), ("finally", 4));
            assert!(t0.elapsed() >= Duration::from_millis(500), "backed off between attempts");
        }
        assert_eq!(server.requests().len(), 8);
    }
}

#[tokio::test]
async fn retries_are_bounded() {
    let (server, clients) = both(false).await;
    for _ in 0..4 {
        server.push(Reply::status(529));
    }
    let e = clients[0].complete(&prompt()).await.unwrap_err();
    assert_eq!(e, LlmError::Overloaded { status: 529, attempts: 4 });
    for _ in 0..4 {
        server.push(Reply::status(429).retry_after(0));
    }
    let e = clients[1].complete(&prompt()).await.unwrap_err();
    assert_eq!(e, LlmError::RateLimited { attempts: 4 });
    assert_eq!(server.requests().len(), 8, "3 retries each, no more");
}

#[tokio::test]
async fn overload_in_the_middle_of_a_stream_is_retried() {
    let (server, clients) = both(true).await;
    server.push(Reply::BreakMidStream("half an answer that stops".into()));
    server.push(Reply::text("whole"));
    assert_eq!(clients[0].complete(&prompt()).await.unwrap().text, "whole");
    server.push(Reply::BreakMidStream("half an answer with no [DONE]".into()));
    server.push(Reply::text("whole"));
    assert_eq!(clients[1].complete(&prompt()).await.unwrap().text, "whole");
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let (server, clients) = both(false).await;
    for llm in &clients {
        server.push(Reply::status(400));
        let e = llm.complete(&prompt()).await.unwrap_err();
        assert!(matches!(e, LlmError::Http { status: 400, .. }), "{e}");
    }
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_slow_model_never_stalls_the_pipeline() {
    let server = FakeLlm::start().await.unwrap();
    let mut c = cfg(&server, false);
    c.timeout = Duration::from_millis(800);
    let clients: Vec<Box<dyn Llm>> = vec![Box::new(AnthropicClient::new(&c).unwrap()), Box::new(OpenAiClient::new(&c).unwrap())];
    for llm in &clients {
        server.push(Reply::text("too late").after(Duration::from_secs(30)));
        let t0 = Instant::now();
        let e = llm.complete(&prompt()).await.unwrap_err();
        assert_eq!(e, LlmError::Timeout(Duration::from_millis(800)));
        assert!(t0.elapsed() < Duration::from_secs(10), "took {:?}", t0.elapsed());
    }
    // A stream that stalls halfway is cut by the same deadline.
    c.stream = true;
    let llm = OpenAiClient::new(&c).unwrap();
    server.push(Reply::StallMidStream("starts fine then stalls".into(), Duration::from_secs(30)));
    let t0 = Instant::now();
    assert_eq!(llm.complete(&prompt()).await.unwrap_err(), LlmError::Timeout(Duration::from_millis(800)));
    assert!(t0.elapsed() < Duration::from_secs(10), "took {:?}", t0.elapsed());
    // Retry-after longer than the time left: give up at once, do not sleep past the deadline.
    server.push(Reply::status(429).retry_after(60));
    let t0 = Instant::now();
    assert!(matches!(llm.complete(&prompt()).await.unwrap_err(), LlmError::RateLimited { attempts: 1 }));
    assert!(t0.elapsed() < Duration::from_secs(10), "took {:?}: slept on retry-after", t0.elapsed());
}

#[tokio::test]
async fn malformed_answers_are_errors_not_panics() {
    // A JSON answer that is not the format: an error, not retried.
    let (server, clients) = both(false).await;
    for llm in &clients {
        server.push(Reply::Malformed("<html>502 Bad Gateway</html>".into()));
        assert!(matches!(llm.complete(&prompt()).await.unwrap_err(), LlmError::Malformed(_)));
        server.push(Reply::Malformed("{\"unexpected\": true}".into()));
        assert!(matches!(llm.complete(&prompt()).await.unwrap_err(), LlmError::Malformed(_)));
    }
    assert_eq!(server.requests().len(), 4);
    // A stream that never completes is a broken transport: retried once,
    // then the (default) whole answer arrives.
    let (server, clients) = both(true).await;
    for llm in &clients {
        server.push(Reply::Malformed("<html>502 Bad Gateway</html>".into()));
        let c = llm.complete(&prompt()).await.unwrap();
        assert_eq!(c.attempts, 2);
        server.push(Reply::Malformed("data: {not json}\n\n".into()));
        assert!(matches!(llm.complete(&prompt()).await.unwrap_err(), LlmError::Malformed(_)));
    }
}

#[tokio::test]
async fn over_long_output_is_cut_at_the_cap() {
    for stream in [false, true] {
        let server = FakeLlm::start().await.unwrap();
        let mut c = cfg(&server, stream);
        c.max_output_chars = 1000;
        let long = "x".repeat(200_000);
        for llm in [Box::new(AnthropicClient::new(&c).unwrap()) as Box<dyn Llm>, Box::new(OpenAiClient::new(&c).unwrap())] {
            server.push(Reply::text(long.clone()));
            match llm.complete(&prompt()).await {
                Ok(done) => {
                    assert!(done.truncated, "stream={stream}");
                    assert_eq!(done.text.len(), 1000);
                }
                Err(e) => assert!(!stream && matches!(e, LlmError::Malformed(_)), "stream={stream}: {e}"),
            }
        }
    }
}

#[tokio::test]
async fn unreachable_endpoint_is_a_transport_error() {
    let server = FakeLlm::start().await.unwrap();
    let mut c = cfg(&server, false);
    c.base_url = "http://127.0.0.1:1".into();
    c.retries = 1;
    let e = OpenAiClient::new(&c).unwrap().complete(&prompt()).await.unwrap_err();
    assert!(matches!(e, LlmError::Transport(_)), "{e}");
}


#[tokio::test]
async fn a_redirect_is_an_error_and_nothing_is_sent_where_it_points() {
    // The key travels in `x-api-key` or a gateway header, which a client
    // following redirects resends to another host.
    let elsewhere = FakeLlm::start().await.unwrap();
    let (server, clients) = both(false).await;
    for llm in &clients {
        server.push(Reply::Redirect(format!("{}/v1/messages", elsewhere.url().trim_end_matches('/'))));
        assert!(llm.complete(&prompt()).await.is_err());
    }
    assert_eq!(server.requests().len(), 2);
    assert!(elsewhere.requests().is_empty(), "the prompt and key went where the redirect pointed");
}
