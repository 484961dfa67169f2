//! `ci-bot bench [--size-mb N]`: throughput and peak memory of the triage
//! engine on a large log built from real log lines, next to `grep -c -E`
//! on the same file.
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
    /// Size of the generated log in MiB (default 1 GiB).
    #[arg(long, default_value_t = 1024)]
    pub size_mb: u64,
    /// Directory for the temporary log (default: the system temp dir).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Keep the generated file instead of deleting it.
    #[arg(long)]
    pub keep: bool,
    /// Skip the grep comparison.
    #[arg(long)]
    pub no_grep: bool,
    /// Internal: analyse FILE and print `secs bytes vmhwm_kb`.
    #[arg(long, hide = true)]
    pub measure: Option<PathBuf>,
}

/// The "handful of error words" the issue compares against.
const GREP_PATTERN: &str = "error|fail|fatal|exception|timeout|killed|panic|traceback";

pub fn run(args: Args) -> anyhow::Result<i32> {
    if let Some(file) = args.measure {
        return measure(&file);
    }
    let dir = args.dir.clone().unwrap_or_else(std::env::temp_dir);
    let path = dir.join(format!("ci-bot-bench-{}.log", std::process::id()));
    let size = args.size_mb * 1024 * 1024;
    let t = Instant::now();
    generate(&path, size).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("generated {} ({} MiB) in {:.1}s", path.display(), size >> 20, t.elapsed().as_secs_f64());
    let result = compare(&path, args.no_grep);
    if !args.keep {
        let _ = std::fs::remove_file(&path);
    }
    result
}

fn compare(path: &Path, no_grep: bool) -> anyhow::Result<i32> {
    let exe = std::env::current_exe().context("locating own binary")?;
    let out = Command::new(exe).arg("bench").arg("--measure").arg(path).output().context("running the measured child")?;
    if !out.status.success() {
        anyhow::bail!("measured child failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut it = text.split_whitespace().map(|v| v.parse::<f64>().unwrap_or(0.0));
    let (secs, bytes, hwm_kb) = (it.next().unwrap_or(0.0), it.next().unwrap_or(0.0), it.next().unwrap_or(0.0));
    let mbs = bytes / 1e6 / secs.max(1e-9);
    println!("file:          {} ({:.0} MB)", path.display(), bytes / 1e6);
    println!("ci-triage:     {secs:.2} s, {mbs:.0} MB/s (one thread), peak RSS {:.1} MiB", hwm_kb / 1024.0);
    if !no_grep {
        let t = Instant::now();
        let g = Command::new("grep").args(["-c", "-E", GREP_PATTERN]).arg(path).output();
        let gsecs = t.elapsed().as_secs_f64();
        match g {
            Ok(g) if g.status.code().is_some_and(|c| c <= 1) => {
                let gmbs = bytes / 1e6 / gsecs.max(1e-9);
                println!(
                    "grep -c -E:    {gsecs:.2} s, {gmbs:.0} MB/s ({} matching lines); ci-triage takes {:.2}x grep's time",
                    String::from_utf8_lossy(&g.stdout).trim(),
                    secs / gsecs.max(1e-9)
                );
            }
            _ => println!("grep -c -E:    not available"),
        }
    }
    Ok(0)
}

fn measure(file: &Path) -> anyhow::Result<i32> {
    let rules = ci_triage::RuleSet::builtin();
    let f = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let t = Instant::now();
    let a = ci_triage::analyze(f, &rules);
    let secs = t.elapsed().as_secs_f64();
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
