//! `ci-bot analyze-log [FILE|-] [--format text|json|markdown] [--rules extra.toml]
//! [--ruleset full|generic] [--baseline PASS.log]`
//!
//! Triage one log (plain text or a GitHub run-log zip) with no network.
//! Bad input never panics: an unreadable path or a broken zip is a one-line
//! error (exit 2); odd bytes inside a log give a best-effort analysis.

use anyhow::Context;
use ci_redact::{LearnedSecrets, RedactingWriter, Redactor};
use ci_report::analysis_view;
use ci_triage::{analyze_watching, analyze_zip, is_zip, Analysis, Baseline, RuleSet};
use std::io::{BufRead, BufReader, Read, Write};

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

#[derive(clap::Args)]
pub struct Args {
    /// Log file or run-log zip; `-` (default) reads stdin.
    #[arg(default_value = "-")]
    pub file: String,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Extra rules (TOML, same shape as the built-in ruleset) added to and
    /// overriding the built-in ones by name.
    #[arg(long)]
    pub rules: Option<std::path::PathBuf>,
    /// `generic`: only the format-independent signals (no format rules, no
    /// test-runner parsers): what a log format nobody wrote a rule for gets.
    #[arg(long, value_enum, default_value_t = Ruleset::Full)]
    pub ruleset: Ruleset,
    /// A passing run of the same job: lines it printed too rank below the
    /// ones it did not (plain logs only, not run-log zips).
    #[arg(long)]
    pub baseline: Option<std::path::PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Ruleset {
    Full,
    Generic,
}

/// Largest zip read from stdin (a zip needs random access, so it is buffered).
const MAX_STDIN_ZIP: u64 = 1 << 30;

pub fn run(args: Args) -> anyhow::Result<i32> {
    let rules = match (&args.rules, args.ruleset) {
        (None, Ruleset::Full) => RuleSet::builtin(),
        (None, Ruleset::Generic) => RuleSet::generic(),
        (Some(_), Ruleset::Generic) => anyhow::bail!("--rules adds format rules; --ruleset generic has none"),
        (Some(p), Ruleset::Full) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("reading rules {}", p.display()))?;
            // One line: the TOML error's own text spans several, with a caret.
            RuleSet::with_overrides(&text).map_err(|e| {
                anyhow::anyhow!("rules {}: {}", p.display(), e.to_string().split_whitespace().collect::<Vec<_>>().join(" "))
            })?
        }
    };
    let baseline = match &args.baseline {
        None => None,
        Some(p) => {
            let f = std::fs::File::open(p).with_context(|| format!("cannot open baseline {}", p.display()))?;
            if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
                anyhow::bail!("baseline {} is a directory", p.display());
            }
            Some(Baseline::from_reader(f))
        }
    };
    let input: Box<dyn Read> = if args.file == "-" {
        use std::io::IsTerminal;
        // Without a file and with a terminal on stdin the tool would wait
        // in silence for a log nobody is typing.
        if std::io::stdin().is_terminal() {
            eprintln!("analyze-log: reading a log from stdin (pass a file, or pipe one in; Ctrl-D ends input)");
        }
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(&args.file).with_context(|| format!("cannot open {}", args.file))?;
        if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
            anyhow::bail!("{} is a directory", args.file);
        }
        Box::new(f)
    };
    // The log's `::add-mask::` values are learned as it streams by (the
    // engine hands over the lines that may hold one), and the output is
    // redacted with them (and the environment's secrets).
    let mut learned = LearnedSecrets::new();
    let mut input = BufReader::with_capacity(256 * 1024, input);
    let head = input.fill_buf().with_context(|| format!("reading {}", args.file))?;
    let out = if is_zip(head) {
        if baseline.is_some() {
            anyhow::bail!("--baseline is one job's passing log; {} is a run-log zip of several jobs", args.file);
        }
        let mut buf = Vec::new();
        (&mut input).take(MAX_STDIN_ZIP).read_to_end(&mut buf).with_context(|| format!("reading {}", args.file))?;
        learned.observe_bytes(&buf);
        let jobs = analyze_zip(std::io::Cursor::new(buf), &rules).with_context(|| args.file.clone())?;
        render_many(&jobs, args.format)
    } else {
        render_one(&analyze_watching(&mut input, &rules, baseline.as_ref(), &mut |line| learned.observe_bytes(line)), args.format)
    };
    let mut redactor = Redactor::builder().process_env().build().unwrap_or_default();
    redactor.learn(&learned);
    let mut stdout = RedactingWriter::new(&redactor, std::io::stdout().lock());
    // A closed pipe (`| head`) is not an error worth a stack of messages.
    let _ = stdout.write_all(out.as_bytes()).and_then(|_| stdout.finish().map(drop));
    Ok(0)
}

fn render_one(a: &Analysis, f: Format) -> String {
    match f {
        Format::Json => serde_json::to_string(a).expect("analysis serialises") + "\n",
        Format::Text => a.render_text(),
        Format::Markdown => analysis_view::render_markdown(a),
    }
}

fn render_many(jobs: &[(String, Analysis)], f: Format) -> String {
    match f {
        Format::Json => {
            let files: Vec<serde_json::Value> = jobs
                .iter()
                .map(|(name, a)| serde_json::json!({"name": name, "analysis": a}))
                .collect();
            serde_json::json!({"schema": "ci-triage/v1+zip", "files": files}).to_string() + "\n"
        }
        Format::Text => jobs.iter().map(|(n, a)| format!("=== {n}\n{}\n", a.render_text())).collect(),
        Format::Markdown => analysis_view::render_markdown_zip(jobs),
    }
}
