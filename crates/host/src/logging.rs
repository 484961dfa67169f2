//! Structured logs: human lines by default, JSON lines (one object per
//! event, with timestamp, level, target and fields) with `--log-format json`.

use tracing_subscriber::EnvFilter;

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
pub fn init_logging(format: LogFormat) {
    init_logging_with(format, "info");
}

/// [`init_logging`] with another default filter when `RUST_LOG` is unset
/// (the one-shot actions keep their log to warnings and GitHub waits).
pub fn init_logging_with(format: LogFormat, default_filter: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(false);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
