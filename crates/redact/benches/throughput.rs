//! Redaction throughput on real logs, against grep on the same bytes.
//!
//! ```sh
//! cargo bench -p ci-redact --bench throughput            # logsage_gha logs
//! CI_REDACT_BENCH_LOGS=/path/to/logs cargo bench -p ci-redact --bench throughput
//! ```
//!
//! Concatenates every `*.log` of `../shared/datasets/logsage_gha/logs`
//! (real GitHub Actions logs; 60 MB), then times, on one thread, alternately
//! and best of five:
//! - `Redactor::redact` over the whole text (the whole-body API),
//! - `LineRedactor::redact_line` over each line (the streaming API),
//! - `grep -c -E 'error|FAIL|Error|Exception'` over a file of the same bytes,
//!
//! and prints MB/s and the ratio to grep measured in the same run. The
//! redactor holds a configured token and three environment secrets, as in a
//! real run. A second pass repeats it on the same text with fake secrets
//! planted every 200 lines, so the slow path is measured too.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const ROUNDS: usize = 7;

fn logs_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CI_REDACT_BENCH_LOGS") {
        return PathBuf::from(d);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets/logsage_gha/logs")
}

fn load(dir: &Path) -> Option<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    files.sort();
    let mut all = Vec::new();
    for f in files {
        all.extend(std::fs::read(f).ok()?);
        if all.last() != Some(&b'\n') {
            all.push(b'\n');
        }
    }
    (!all.is_empty()).then_some(all)
}

fn timed<F: FnMut()>(mut f: F) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

fn grep_once(path: &Path) -> Duration {
    timed(|| {
        let out = Command::new("grep")
            .args(["-c", "-E", "error|FAIL|Error|Exception"])
            .arg(path)
            .output()
            .expect("grep runs");
        std::hint::black_box(out.stdout);
    })
}

fn mbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

/// Comment-sized bodies: what the bot actually redacts before each write.
const BODY: usize = 64 << 10;

fn run(label: &str, text: &str, redactor: &ci_redact::Redactor) {
    let file = tempfile_path(label);
    std::fs::File::create(&file)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .expect("write temp file");
    let n = text.len();
    let found = redactor.find(text).len();
    let bodies: Vec<&str> = {
        let mut v = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let mut cut = rest.len().min(BODY);
            while !rest.is_char_boundary(cut) {
                cut += 1;
            }
            v.push(&rest[..cut]);
            rest = &rest[cut..];
        }
        v
    };
    // Alternate the contenders so machine load hits them alike; keep the
    // best time of each.
    let mut best = [Duration::MAX; 5];
    for _ in 0..ROUNDS {
        let times = [
            timed(|| {
                std::hint::black_box(redactor.redact(text));
            }),
            timed(|| {
                for b in &bodies {
                    std::hint::black_box(redactor.redact(b));
                }
            }),
            timed(|| {
                let mut lr = redactor.lines();
                for line in text.split_inclusive('\n') {
                    std::hint::black_box(lr.redact_line(line));
                }
            }),
            timed(|| {
                let mut learned = ci_redact::LearnedSecrets::new();
                learned.observe(text);
                std::hint::black_box(learned);
            }),
            grep_once(&file),
        ];
        for (b, t) in best.iter_mut().zip(times) {
            *b = (*b).min(t);
        }
    }
    let g = best[4];
    println!("{label}: {:.1} MB, {found} secrets", n as f64 / 1e6);
    for (name, d) in [
        ("redact (whole text)", best[0]),
        ("redact (64 KiB bodies)", best[1]),
        ("redact_line (streaming)", best[2]),
        ("learn ::add-mask::", best[3]),
        ("grep -c -E", g),
    ] {
        println!(
            "  {name:<24} {:>8.1} ms {:>7.0} MB/s  {:>5.2}x grep's time",
            d.as_secs_f64() * 1e3,
            mbps(n, d),
            d.as_secs_f64() / g.as_secs_f64()
        );
    }
    let _ = std::fs::remove_file(&file);
}

fn tempfile_path(label: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "ci-redact-bench-{}-{label}.log",
        std::process::id()
    ))
}

/// Fake secrets (random-shaped, never real) planted in the dirty pass.
const PLANTED: &[&str] = &[
    "remote: https://x-access-token:ghs_Zx8Q2mN4pL7vR1tY6uW3eA9sD5fG0hJ2kL4m@github.com/o/r",
    "AWS_ACCESS_KEY_ID=AKIAZ7QX3M2N8P4R6T1V",
    "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaS1ib3QifQ.c2lnbmF0dXJlLWZha2UtZmFrZQ",
    "export DB_PASSWORD=Xk7pQ2mZ9vL4nR8s",
    "the configured token is tok-configured-0123456789 here",
];

/// Inputs built to hit every slow path at once, at two sizes: the time must
/// grow with the size (linear), not with its square.
fn adversarial(redactor: &ci_redact::Redactor) {
    let shapes: [(&str, &str); 7] = [
        ("assignments", "token=token=secret:KEY="),
        ("userinfo", "x://a:b://c:d@"),
        ("add-mask", "::add-mask::abcdefgh "),
        ("escapes", "\\_ghp\\_\u{200D}@"),
        ("anchors", "ghp_sk-hf_npm_AKIAeyJ.eyJ"),
        ("long run", "aB3dE5gH7jK9mN1pQ2"),
        ("key block", "MIIEowIBAAKCAQEA7bq3\n"),
    ];
    println!("adversarial (one line unless it has \\n; best of 3):");
    for (name, unit) in shapes {
        let mut times = Vec::new();
        for mb in [2usize, 8] {
            let mut text = String::new();
            if name == "key block" {
                text.push_str("-----BEGIN RSA PRIVATE KEY-----\n");
            }
            while text.len() < mb << 20 {
                text.push_str(unit);
            }
            let t = (0..3)
                .map(|_| timed(|| drop(std::hint::black_box(redactor.redact(&text)))))
                .min()
                .expect("three runs");
            times.push(t);
        }
        println!(
            "  {name:<12} 2 MiB {:>7.1} ms   8 MiB {:>7.1} ms   ratio {:.1} (linear: 4)",
            times[0].as_secs_f64() * 1e3,
            times[1].as_secs_f64() * 1e3,
            times[1].as_secs_f64() / times[0].as_secs_f64()
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not meaningful here.
    let Some(bytes) = load(&logs_dir()) else {
        println!(
            "SKIP: no logs at {} (set CI_REDACT_BENCH_LOGS)",
            logs_dir().display()
        );
        return;
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let redactor = ci_redact::Redactor::builder()
        .secret("github-token", "tok-configured-0123456789")
        .env([
            ("NPM_TOKEN", "npm-env-secret-value-01"),
            ("DB_PASSWORD", "db-env-secret-value-02"),
            ("SENTRY_KEY", "sentry-env-secret-value-03"),
        ])
        .build()
        .expect("no patterns to fail");
    println!(
        "grep: {}",
        String::from_utf8_lossy(
            &Command::new("grep")
                .arg("--version")
                .output()
                .map(|o| o.stdout)
                .unwrap_or_default()
        )
        .lines()
        .next()
        .unwrap_or("?")
    );
    println!(
        "LC_ALL={:?} LANG={:?}",
        std::env::var("LC_ALL").ok(),
        std::env::var("LANG").ok()
    );
    run("clean", &text, &redactor);
    let mut dirty = String::with_capacity(text.len() + text.len() / 100);
    for (i, line) in text.split_inclusive('\n').enumerate() {
        dirty.push_str(line);
        if i % 200 == 0 {
            dirty.push_str(PLANTED[(i / 200) % PLANTED.len()]);
            dirty.push('\n');
        }
    }
    run("dirty", &dirty, &redactor);
    adversarial(&redactor);
}
