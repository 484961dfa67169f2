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
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr).with_ansi(false);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).finish().with(filter).try_init(),
        LogFormat::Text => builder.finish().with(filter).try_init(),
    };
}
