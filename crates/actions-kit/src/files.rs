//! File commands: `GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_PATH`,
//! `GITHUB_STEP_SUMMARY`.
//!
//! Outputs and env vars are always written in heredoc form
//!
//! ```text
//! name<<ghadelimiter_<32 random hex digits>
//! value (any bytes, any lines)
//! ghadelimiter_<same>
//! ```
//!
//! with a fresh delimiter per record, re-drawn if it occurs in the name or
//! value, so no value (however hostile) can end the record early and inject
//! another output or variable. Each record goes out in one `write_all` on a
//! file opened for append.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// GitHub refuses step summaries over 1 MiB (and drops the whole summary).
pub const SUMMARY_LIMIT: u64 = 1024 * 1024;

fn delimiter() -> String {
    let mut b = [0u8; 16];
    rand::fill(&mut b);
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("ghadelimiter_{hex}")
}

/// Builds one heredoc record; `pub` for tests and for callers that batch.
pub fn heredoc_record(name: &str, value: &str) -> Result<String> {
    validate_name(name)?;
    let mut delim = delimiter();
    while value.contains(&delim) || name.contains(&delim) {
        delim = delimiter();
    }
    Ok(format!("{name}<<{delim}\n{value}\n{delim}\n"))
}

/// Names the runner would misparse: empty, multi-line, or containing `=` or
/// `<<` (which select the record form).
fn validate_name(name: &str) -> Result<()> {
    if name.trim().is_empty() || name.contains(['\n', '\r', '=']) || name.contains("<<") {
        return Err(Error::InvalidName(name.to_string()));
    }
    Ok(())
}

fn append(path: &Path, what: &str, text: &str) -> Result<()> {
    let io = |source| Error::Io {
        what: format!("{what} ({})", path.display()),
        source,
    };
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    f.write_all(text.as_bytes()).map_err(io)?;
    f.flush().map_err(io)
}

fn env_path(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// A file command target; `None` outside the runner (then writes are no-ops
/// reported on stderr, so local runs still work).
#[derive(Debug, Clone)]
struct Target {
    var: &'static str,
    path: Option<PathBuf>,
}

impl Target {
    fn write_record(&self, name: &str, value: &str) -> Result<()> {
        let record = heredoc_record(name, value)?;
        match &self.path {
            Some(p) => append(p, self.var, &record),
            None => {
                eprintln!("{} is not set; dropping {name:?}", self.var);
                Ok(())
            }
        }
    }
}

/// Step outputs (`GITHUB_OUTPUT`).
#[derive(Debug, Clone)]
pub struct Outputs(Target);

impl Outputs {
    /// The file `GITHUB_OUTPUT` names (outputs are discarded without it).
    pub fn from_env() -> Self {
        Outputs(Target {
            var: "GITHUB_OUTPUT",
            path: env_path("GITHUB_OUTPUT"),
        })
    }

    /// Writes to `path` (tests).
    pub fn at(path: impl Into<PathBuf>) -> Self {
        Outputs(Target {
            var: "GITHUB_OUTPUT",
            path: Some(path.into()),
        })
    }

    /// Sets output `name` to `value` (a heredoc with a fresh delimiter, so any value is safe).
    pub fn set(&self, name: &str, value: &str) -> Result<()> {
        self.0.write_record(name, value)
    }
}

/// Environment for later steps (`GITHUB_ENV`, `GITHUB_PATH`). The current
/// process environment is not changed.
#[derive(Debug, Clone)]
pub struct Env {
    env: Target,
    path: Target,
}

impl Env {
    /// The files `GITHUB_ENV` and `GITHUB_PATH` name.
    pub fn from_env() -> Self {
        Env {
            env: Target {
                var: "GITHUB_ENV",
                path: env_path("GITHUB_ENV"),
            },
            path: Target {
                var: "GITHUB_PATH",
                path: env_path("GITHUB_PATH"),
            },
        }
    }

    /// Writes to these files (tests).
    pub fn at(env_file: impl Into<PathBuf>, path_file: impl Into<PathBuf>) -> Self {
        Env {
            env: Target {
                var: "GITHUB_ENV",
                path: Some(env_file.into()),
            },
            path: Target {
                var: "GITHUB_PATH",
                path: Some(path_file.into()),
            },
        }
    }

    /// Sets `name` to `value` for the later steps of the job.
    pub fn export(&self, name: &str, value: &str) -> Result<()> {
        self.env.write_record(name, value)
    }

    /// Prepends a directory to `PATH` for later steps (one per line, so it must be one line).
    pub fn add_path(&self, dir: &str) -> Result<()> {
        if dir.trim().is_empty() || dir.contains(['\n', '\r']) {
            return Err(Error::InvalidName(dir.to_string()));
        }
        match &self.path.path {
            Some(p) => append(p, "GITHUB_PATH", &format!("{dir}\n")),
            None => Ok(()),
        }
    }
}

/// What [`StepSummary::append`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// Bytes written, including a truncation note.
    pub written: u64,
    /// The text did not fit and was cut (or dropped).
    pub truncated: bool,
}

/// The job summary (`GITHUB_STEP_SUMMARY`), kept under [`SUMMARY_LIMIT`].
#[derive(Debug, Clone)]
pub struct StepSummary {
    path: Option<PathBuf>,
    limit: u64,
}

const TRUNCATION_NOTE: &str = "\n\n> **Note:** the rest of this summary was cut: GitHub accepts at most 1 MiB per step summary.\n";

impl StepSummary {
    /// The file `GITHUB_STEP_SUMMARY` names (the summary is discarded without it).
    pub fn from_env() -> Self {
        StepSummary {
            path: env_path("GITHUB_STEP_SUMMARY"),
            limit: SUMMARY_LIMIT,
        }
    }

    /// Writes to `path` (tests).
    pub fn at(path: impl Into<PathBuf>) -> Self {
        StepSummary {
            path: Some(path.into()),
            limit: SUMMARY_LIMIT,
        }
    }

    /// A smaller cap (tests, or leaving room for other steps of the job).
    pub fn with_limit(mut self, limit: u64) -> Self {
        self.limit = limit;
        self
    }

    /// Appends Markdown. If the file would exceed the cap, the text is cut at
    /// a line (or at least a char) boundary and a note says so; once full,
    /// further appends write nothing. Over the cap GitHub would reject the
    /// whole summary, so cutting keeps the part that matters most: the start.
    pub fn append(&self, markdown: &str) -> Result<Appended> {
        let Some(path) = &self.path else {
            return Ok(Appended {
                written: 0,
                truncated: false,
            });
        };
        let existing = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if existing + markdown.len() as u64 <= self.limit {
            append(path, "GITHUB_STEP_SUMMARY", markdown)?;
            return Ok(Appended {
                written: markdown.len() as u64,
                truncated: false,
            });
        }
        let room = self
            .limit
            .saturating_sub(existing)
            .saturating_sub(TRUNCATION_NOTE.len() as u64) as usize;
        if room == 0 {
            return Ok(Appended {
                written: 0,
                truncated: true,
            });
        }
        let cut = cut_point(markdown, room);
        let text = format!("{}{TRUNCATION_NOTE}", &markdown[..cut]);
        append(path, "GITHUB_STEP_SUMMARY", &text)?;
        Ok(Appended {
            written: text.len() as u64,
            truncated: true,
        })
    }

    /// Empties the summary of this step.
    pub fn clear(&self) -> Result<()> {
        if let Some(path) = &self.path {
            std::fs::write(path, b"").map_err(|source| Error::Io {
                what: "GITHUB_STEP_SUMMARY".into(),
                source,
            })?;
        }
        Ok(())
    }
}

/// Largest prefix length <= `max` ending at a newline (if one is within the
/// last 4 KiB, so a table row is not cut in half) or else at a char boundary.
fn cut_point(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    match s[..end].rfind('\n') {
        Some(nl) if end - nl <= 4096 => nl + 1,
        _ => end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses a GITHUB_OUTPUT / GITHUB_ENV file the way the runner does
    /// (`SetEnvFileCommand`/`SetOutputFileCommand`): `name=value` lines or
    /// `name<<DELIM` ... `DELIM` records.
    fn parse_runner_file(text: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut lines = text.split('\n').peekable();
        while let Some(line) = lines.next() {
            if line.is_empty() {
                continue;
            }
            let eq = line.find('=');
            let hd = line.find("<<");
            match (eq, hd) {
                (Some(e), h) if h.is_none_or(|h| e < h) => {
                    out.push((line[..e].to_string(), line[e + 1..].to_string()))
                }
                (_, Some(h)) => {
                    let (name, delim) = (&line[..h], &line[h + 2..]);
                    let mut value = Vec::new();
                    loop {
                        let l = lines.next().expect("unterminated heredoc");
                        if l == delim {
                            break;
                        }
                        value.push(l);
                    }
                    out.push((name.to_string(), value.join("\n")));
                }
                _ => panic!("invalid line {line:?}"),
            }
        }
        out
    }

    #[test]
    fn hostile_values_round_trip_through_the_runner_format() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("output");
        let outputs = Outputs::at(&file);
        let hostile = [
            ("plain", "value".to_string()),
            ("multi", "line1\nline2\r\nline3\n".to_string()),
            ("percent", "100% %0A %25 ::error::x".to_string()),
            (
                "inject",
                "x\nEOF\nevil<<EOF\npwned\nEOF\nother=1".to_string(),
            ),
            (
                "delim",
                "ghadelimiter_\nghadelimiter_00000000000000000000000000000000".to_string(),
            ),
            ("empty", String::new()),
            ("unicode", "é中\u{0}🚀".to_string()),
        ];
        for (k, v) in &hostile {
            outputs.set(k, v).unwrap();
        }
        let parsed = parse_runner_file(&std::fs::read_to_string(&file).unwrap());
        let want: Vec<(String, String)> = hostile
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        assert_eq!(parsed, want);
    }

    #[test]
    fn delimiter_is_redrawn_when_the_value_contains_it() {
        // Force the collision: a value containing many delimiters cannot
        // contain a fresh random one, so the record must still parse.
        for _ in 0..50 {
            let rec = heredoc_record("x", "v").unwrap();
            let delim = rec
                .lines()
                .next()
                .unwrap()
                .strip_prefix("x<<")
                .unwrap()
                .to_string();
            assert_eq!(delim.len(), "ghadelimiter_".len() + 32);
            let evil = format!("a\n{delim}\nb");
            let rec2 = heredoc_record("x", &evil).unwrap();
            let d2 = rec2.lines().next().unwrap().strip_prefix("x<<").unwrap();
            assert!(!evil.contains(d2));
            assert_eq!(parse_runner_file(&rec2), vec![("x".to_string(), evil)]);
        }
    }

    #[test]
    fn bad_names_are_refused_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("env");
        let env = Env::at(&file, dir.path().join("path"));
        for bad in ["", "a=b", "a\nb", "a<<b", " "] {
            assert!(
                matches!(env.export(bad, "v"), Err(Error::InvalidName(_))),
                "{bad:?}"
            );
        }
        assert!(!file.exists(), "nothing written for a refused name");
        env.export("CI_BOT_X", "1=2").unwrap();
        assert_eq!(
            parse_runner_file(&std::fs::read_to_string(&file).unwrap()),
            vec![("CI_BOT_X".into(), "1=2".into())]
        );
        env.add_path("/opt/bin").unwrap();
        assert!(env.add_path("/a\n/b").is_err());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("path")).unwrap(),
            "/opt/bin\n"
        );
    }

    #[test]
    fn summary_is_capped_at_a_char_boundary_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("summary");
        let s = StepSummary::at(&file).with_limit(300);
        assert_eq!(
            s.append("# Title\n").unwrap(),
            Appended {
                written: 8,
                truncated: false
            }
        );
        // No newline to cut at: must cut inside a run of 4-byte chars without splitting one.
        let big = "🚀".repeat(200);
        let r = s.append(&big).unwrap();
        assert!(r.truncated);
        let text = std::fs::read_to_string(&file).unwrap(); // valid UTF-8 or this panics
        assert!(text.len() as u64 <= 300, "{}", text.len());
        assert!(text.ends_with(TRUNCATION_NOTE));
        assert!(text.starts_with("# Title\n🚀"));
        // Full: later appends write nothing.
        assert_eq!(
            s.append("more").unwrap(),
            Appended {
                written: 0,
                truncated: true
            }
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    }

    #[test]
    fn summary_cut_prefers_a_line_boundary() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("summary");
        let s = StepSummary::at(&file).with_limit(200);
        let rows: String = (0..50).map(|i| format!("| row {i} |\n")).collect();
        assert!(s.append(&rows).unwrap().truncated);
        let text = std::fs::read_to_string(&file).unwrap();
        let body = text.strip_suffix(TRUNCATION_NOTE).unwrap();
        assert!(body.ends_with("|\n"), "{body:?}");
    }

    #[test]
    fn default_cap_is_one_mebibyte() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("summary");
        let s = StepSummary::at(&file);
        s.append(&"x".repeat(1024 * 1024 - 10)).unwrap();
        assert!(s.append(&"y".repeat(100)).unwrap().truncated);
        assert!(std::fs::metadata(&file).unwrap().len() <= SUMMARY_LIMIT);
    }
}
