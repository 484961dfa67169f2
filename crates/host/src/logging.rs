//! Structured logs: human lines by default, JSON lines (one object per
//! event, with timestamp, level, target and fields) with `--log-format json`.

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// `2026-01-01T00:00:00Z INFO task=monitor-dispatch ...`
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!("log format {other:?}: expected text or json")),
        }
    }
}

/// Install the global subscriber (stderr; level from `RUST_LOG`, default
/// `info`). A second call is a no-op.
///
/// `RUST_LOG` takes a level and per-target levels (`warn,ci_host=debug`),
/// not `EnvFilter`'s span and field filters: `EnvFilter` pulls in
/// regex-automata's full-DFA builder, and Cargo's feature unification then
/// made every triage regex build a full DFA it never used (~50 M
/// instructions a run).
pub fn init_logging(format: LogFormat) {
    init_logging_with(format, "info");
}

/// [`init_logging`] with another default filter when `RUST_LOG` is unset
/// (the one-shot actions keep their log to warnings and GitHub waits).
pub fn init_logging_with(format: LogFormat, default_filter: &str) {
    let from_env = std::env::var("RUST_LOG").ok().and_then(|v| v.parse::<Targets>().ok());
    let filter = from_env.unwrap_or_else(|| default_filter.parse().unwrap_or_default());
    // Every line goes through the redactor: an error chain can quote a
    // URL with credentials, a header or a token. The secrets it knows are
    // the built-in shapes and this process's credential variables (the
    // action's `INPUT_TOKEN`, `GITHUB_TOKEN`, the model's key).
    let redactor = ci_redact::Redactor::builder().process_env().build().unwrap_or_default();
    let builder = tracing_subscriber::fmt().with_writer(redacting(redactor, std::io::stderr)).with_ansi(false);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).finish().with(filter).try_init(),
        LogFormat::Text => builder.finish().with(filter).try_init(),
    };
}

/// A writer maker for the subscriber: each event's lines pass through
/// `redactor` on their way to `make()`'s writer (flushed when the event's
/// writer is dropped).
fn redacting<W: std::io::Write, F: Fn() -> W>(redactor: ci_redact::Redactor, make: F) -> impl Fn() -> ci_redact::RedactingWriter<W> {
    move || ci_redact::RedactingWriter::new(&redactor, make())
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn log_lines_are_redacted() {
        let buf = Buffer::default();
        let redactor = ci_redact::Redactor::builder().secret("github-token", "configured-value-1234").build().unwrap();
        let out = buf.clone();
        let subscriber = tracing_subscriber::fmt().with_writer(super::redacting(redactor, move || out.clone())).with_ansi(false).finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!("push to https://x-access-token:ghs_16C7e42F292c6912E7710c838347Ae178B4a@github.com/o/r failed");
            tracing::warn!(token = "configured-value-1234", "retrying");
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert!(text.contains("failed") && text.contains("retrying"), "{text}");
        assert!(!text.contains("ghs_16C7") && !text.contains("configured-value-1234"), "{text}");
        assert!(text.contains("{REDACTED:"), "{text}");
    }
}
