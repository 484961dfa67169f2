//! `ci-bot bench --report [--report-jobs 50,500,5000]`: time building one
//! workflow's report at each number of failed jobs (linear: the time per
//! job stays flat).
//!
//! `ci-bot bench [--size-mb N] [--input FILE|DIR] [--against OTHER_CI_BOT]
//! [--runs N]`: throughput and peak memory of the triage engine on a large
//! log, next to `grep -c -E` on the same file (and, with `--against`,
//! another build of `ci-bot` on the same file in the same run, so the
//! ratio between them is not the VM's mood). The log is built from real
//! log lines (the default), or is `--input`: a real log as is, or a folder
//! of logs concatenated (sorted by path, repeated) up to `--size-mb`.
//!
//! The analysis runs in a child process (this binary, hidden `--measure`
//! flag) so its peak RSS (`VmHWM`) is the engine's alone, not the
//! generator's.

use anyhow::Context;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Size of the generated log in MiB (default 1 GiB; with a folder as
    /// `--input`, the size of the concatenation).
    #[arg(long, default_value_t = 1024)]
    pub size_mb: u64,
    /// A log file to measure as is, or a folder whose `*.log` files are
    /// concatenated (sorted by path, repeated) up to `--size-mb`.
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// Another `ci-bot` binary (e.g. a release build of main) measured on the
    /// same file, alternating with this one.
    #[arg(long)]
    pub against: Option<PathBuf>,
    /// Measurements of each binary (alternating).
    #[arg(long, default_value_t = 1)]
    pub runs: u32,
    /// Directory for the temporary log (default: the system temp dir).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Keep the generated file instead of deleting it.
    #[arg(long)]
    pub keep: bool,
    /// Skip the grep comparison.
    #[arg(long)]
    pub no_grep: bool,
    /// Time building a workflow report instead (see `--report-jobs`).
    #[arg(long)]
    pub report: bool,
    /// Failed jobs per report measured by `--report`.
    #[arg(long, value_delimiter = ',', default_values_t = [50, 500, 5000])]
    pub report_jobs: Vec<usize>,
    /// Internal: analyse FILE and print `secs bytes vmhwm_kb`.
    #[arg(long, hide = true)]
    pub measure: Option<PathBuf>,
}

/// The "handful of error words" the issue compares against.
const GREP_PATTERN: &str = "error|FAIL|Error|Exception";

pub fn run(args: Args) -> anyhow::Result<i32> {
    if let Some(file) = args.measure {
        return measure(&file);
    }
    if args.report {
        return report_bench(&args.report_jobs);
    }
    let dir = args.dir.clone().unwrap_or_else(std::env::temp_dir);
    let size = args.size_mb * 1024 * 1024;
    let (path, made) = match &args.input {
        Some(p) if p.is_file() => (p.clone(), false),
        Some(p) if p.is_dir() => {
            let path = dir.join(format!("ci-bot-bench-{}.log", std::process::id()));
            let t = Instant::now();
            let n = concatenate(p, &path, size).with_context(|| format!("concatenating {} into {}", p.display(), path.display()))?;
            eprintln!("concatenated {n} logs of {} into {} ({} MiB) in {:.1}s", p.display(), path.display(), size >> 20, t.elapsed().as_secs_f64());
            (path, true)
        }
        Some(p) => anyhow::bail!("cannot read {}: not a file or a folder", p.display()),
        None => {
            let path = dir.join(format!("ci-bot-bench-{}.log", std::process::id()));
            let t = Instant::now();
            generate(&path, size).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("generated {} ({} MiB) in {:.1}s", path.display(), size >> 20, t.elapsed().as_secs_f64());
            (path, true)
        }
    };
    let result = compare(&path, &args);
    if made && !args.keep {
        let _ = std::fs::remove_file(&path);
    }
    result
}

/// One measured child: seconds, bytes, peak RSS in KiB.
fn measured(exe: &Path, path: &Path) -> anyhow::Result<(f64, f64, f64)> {
    let out = Command::new(exe).arg("bench").arg("--measure").arg(path).output().with_context(|| format!("running {}", exe.display()))?;
    if !out.status.success() {
        anyhow::bail!("measured child {} failed: {}", exe.display(), String::from_utf8_lossy(&out.stderr).trim());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut it = text.split_whitespace().map(|v| v.parse::<f64>().unwrap_or(0.0));
    Ok((it.next().unwrap_or(0.0), it.next().unwrap_or(0.0), it.next().unwrap_or(0.0)))
}

/// `grep -c -E` on the file, its count written to a file: GNU grep stops
/// at the first match when its output is /dev/null. Seconds, or `None`.
fn grep_secs(path: &Path) -> Option<(f64, String)> {
    let out_path = std::env::temp_dir().join(format!("ci-bot-bench-grep-{}.txt", std::process::id()));
    let out = std::fs::File::create(&out_path).ok()?;
    let t = Instant::now();
    let status = Command::new("grep").args(["-c", "-E", GREP_PATTERN]).arg(path).stdout(out).status().ok()?;
    let secs = t.elapsed().as_secs_f64();
    let count = std::fs::read_to_string(&out_path).unwrap_or_default().trim().to_string();
    let _ = std::fs::remove_file(&out_path);
    status.code().is_some_and(|c| c <= 1).then_some((secs, count))
}

fn compare(path: &Path, args: &Args) -> anyhow::Result<i32> {
    let exe = std::env::current_exe().context("locating own binary")?;
    let mut bins = vec![("ci-triage", exe)];
    if let Some(other) = &args.against {
        bins.push(("against", other.clone()));
    }
    let mb = |bytes: f64, secs: f64| bytes / 1e6 / secs.max(1e-9);
    let size = std::fs::metadata(path).map(|m| m.len() as f64).unwrap_or(0.0);
    println!("file:          {} ({:.0} MB)", path.display(), size / 1e6);
    for run in 1..=args.runs.max(1) {
        let grep = if args.no_grep { None } else { grep_secs(path) };
        let mut first = None;
        for (name, bin) in &bins {
            let (secs, bytes, hwm_kb) = measured(bin, path)?;
            let mut line = format!("run {run} {name:9} {secs:.2} s, {:.0} MB/s (one thread), peak RSS {:.1} MiB", mb(bytes, secs), hwm_kb / 1024.0);
            if let Some((g, _)) = grep {
                line.push_str(&format!(", {:.2}x grep", secs / g.max(1e-9)));
            }
            match first {
                None => first = Some(secs),
                Some(ours) => line.push_str(&format!(", ci-triage takes {:.2}x its time", ours / secs.max(1e-9))),
            }
            println!("{line}");
        }
        match grep {
            Some((g, count)) => println!("run {run} grep -c -E {g:.2} s, {:.0} MB/s ({count} matching lines of '{GREP_PATTERN}')", mb(size, g)),
            None if !args.no_grep => println!("run {run} grep -c -E not available"),
            None => {}
        }
    }
    Ok(0)
}

/// Concatenate the `*.log` files under `dir` (sorted by path, repeated)
/// into `out` until it holds `size` bytes. Returns the number of logs.
fn concatenate(dir: &Path, out: &Path, size: u64) -> anyhow::Result<usize> {
    let mut logs = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "log") {
                logs.push(p);
            }
        }
    }
    logs.sort();
    if logs.is_empty() {
        anyhow::bail!("no *.log file under {}", dir.display());
    }
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(out)?);
    let mut written = 0u64;
    'fill: loop {
        for p in &logs {
            let data = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
            let take = data.len().min((size - written) as usize);
            w.write_all(&data[..take])?;
            written += take as u64;
            if written >= size {
                break 'fill;
            }
        }
    }
    w.flush()?;
    Ok(logs.len())
}

fn measure(file: &Path) -> anyhow::Result<i32> {
    let rules = ci_triage::RuleSet::builtin();
    let f = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    // What a run does with a log: triage it, learning the `::add-mask::`
    // values of the lines the engine hands over, and redact what it found
    // with what was learned.
    let t = Instant::now();
    let mut learned = ci_redact::LearnedSecrets::new();
    let a = ci_triage::analyze_watching(f, &rules, None, &mut |line| learned.observe_bytes(line));
    let mut redactor = ci_redact::Redactor::new();
    redactor.learn(&learned);
    let json = serde_json::to_string(&a)?;
    let out = redactor.redact(&json).into_owned();
    let secs = t.elapsed().as_secs_f64();
    std::hint::black_box(out);
    println!("{secs} {} {}", a.total_bytes, vm_hwm_kb().unwrap_or(0));
    Ok(0)
}

fn vm_hwm_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Build `size` bytes of log from the real corpus lines: GitHub-style
/// timestamps that advance, and numbers that vary so no two blocks are
/// byte-identical (caches and branch predictors do not get a free ride).
fn generate(path: &Path, size: u64) -> std::io::Result<()> {
    let lines: Vec<&str> = ci_triage::BENCH_CORPUS
        .lines()
        .filter(|l| !l.starts_with("#!"))
        .map(strip_ts)
        .collect();
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut written: u64 = 0;
    let mut rng: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut tick: u64 = 0;
    while written < size {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        // Runs of consecutive lines keep the corpus's local structure.
        let start = (rng % lines.len() as u64) as usize;
        let run = 1 + (rng >> 32) as usize % 24;
        for l in lines.iter().cycle().skip(start).take(run) {
            tick += 1;
            let secs = tick / 1000;
            let ts = format!(
                "2025-04-{:02}T{:02}:{:02}:{:02}.{:07}Z ",
                1 + (secs / 86400) % 28,
                (secs / 3600) % 24,
                (secs / 60) % 60,
                secs % 60,
                (tick % 1000) * 9973
            );
            w.write_all(ts.as_bytes())?;
            w.write_all(l.as_bytes())?;
            w.write_all(b"\n")?;
            written += ts.len() as u64 + l.len() as u64 + 1;
        }
    }
    w.flush()
}

fn strip_ts(l: &str) -> &str {
    let n = ci_triage::clean::timestamp_prefix_len(l.as_bytes());
    &l[n..]
}

/// `--report`: how long building one workflow's report takes at each size
/// of `--report-jobs` (the status summary, the comment parts, and reading
/// them back as the next tick does), on synthetic jobs shaped like a wide
/// failing matrix: 30 failing tests per job over 20 causes. Linear means
/// the time per job stays flat as the jobs grow.
fn report_bench(sizes: &[usize]) -> anyhow::Result<i32> {
    use ci_report::workflow_comment::{parse_workflow_comments, render_workflow_comments, status_summary};
    println!("{:>6} {:>9} {:>11} {:>6} {:>13} {:>10}", "jobs", "seconds", "µs per job", "parts", "largest part", "read back");
    for &n in sizes {
        let report = synthetic_report(n);
        let t = Instant::now();
        let statuses: std::collections::BTreeMap<String, ci_model::FailureStatus> = report.jobs.iter().flat_map(|j| j.fingerprints()).map(|fp| (fp, ci_model::FailureStatus::Persistent)).collect();
        let mut report = report;
        report.summary = status_summary(&report.jobs, &statuses, &report.cluster_facts);
        let parts = render_workflow_comments(&report);
        let back = parse_workflow_comments(&report.workflow, parts.iter().map(String::as_str));
        let secs = t.elapsed().as_secs_f64();
        let largest = parts.iter().map(|p| p.chars().count()).max().unwrap_or(0);
        println!("{n:>6} {secs:>9.3} {:>11.1} {:>6} {largest:>13} {:>10}", secs * 1e6 / n.max(1) as f64, parts.len(), back.jobs.len());
        if back.jobs.len() != n || largest > ci_report::SAFE_BODY_CHARS {
            anyhow::bail!("{n} jobs: {} read back, largest part {largest} chars", back.jobs.len());
        }
    }
    Ok(0)
}

/// `n` failed jobs of one matrix, 30 failing tests each, over 20 causes.
fn synthetic_report(n: usize) -> ci_report::WorkflowReport {
    const CAUSES: [&str; 20] = [
        "AssertionError: accuracy below threshold", "RuntimeError: HIP error: an illegal memory access was encountered",
        "torch.OutOfMemoryError: HIP out of memory", "TimeoutError: server did not start", "ConnectionRefusedError: connection refused",
        "KeyError: missing weight", "ValueError: shape mismatch", "ImportError: cannot import name", "AssertionError: outputs differ",
        "RuntimeError: NCCL error: unhandled system error", "FileNotFoundError: no such file", "TypeError: unexpected keyword argument",
        "AttributeError: object has no attribute", "ZeroDivisionError: division by zero", "OSError: disk quota exceeded",
        "RuntimeError: CUDA driver version is insufficient", "AssertionError: latency regression", "PermissionError: permission denied",
        "json.decoder.JSONDecodeError: expecting value", "subprocess.CalledProcessError: returned non-zero exit status",
    ];
    let run = "https://github.com/acme/app/actions/runs/19000000001";
    let jobs = (0..n)
        .map(|i| {
            let id = 62_000_000_000 + i as u64;
            let failures = (0..30)
                .map(|t| ci_report::FailureView {
                    test_file: Some(format!("test/srt/test_shard_{i}.py")),
                    test_function: Some(format!("TestShard::test_case_{t}")),
                    message: format!("{} in case {t}", CAUSES[(i + t) % CAUSES.len()]),
                    fingerprint: format!("v1:{:016x}", (i * 31 + t) as u64),
                    anchor: Some(ci_report::LogAnchor { step: 5, line: 100 + t as u32 }),
                    excerpt: vec![format!("FAILED test/srt/test_shard_{i}.py::TestShard::test_case_{t}"), "E   assert 0.58 >= 0.6".into()],
                })
                .collect();
            ci_report::JobReport {
                job_id: ci_model::JobId(id),
                name: format!("stage-c-test-{i} (linux-mi355-8gpu, {})", i % 8),
                run_url: run.into(),
                started_at: Some("2026-11-21T04:00:12Z".into()),
                failed_steps: vec!["Run test".into()],
                head_sha: Some("0123456789abcdef0123456789abcdef01234567".into()),
                conclusion: Some("failure".into()),
                failures,
                ..Default::default()
            }
        })
        .collect();
    ci_report::WorkflowReport {
        workflow: "nightly.yml".into(),
        repo: "acme/app".into(),
        server_url: "https://github.com".into(),
        bot_name: "ci-bot".into(),
        method: "ci-triage (deterministic)".into(),
        jobs,
        ..Default::default()
    }
}
