#!/usr/bin/env python3
"""Regenerate the realtools/gitlab_rust corpus: GitLab CI job logs of a Rust
project, flaky or not, from REAL cargo/rustc/nextest/git/docker output.

Every case is the same small crate (`ledger`) with one injected change (a
bug, a lint, a dead proxy, a killed rustc, a full disk, a hanging test, ...).
The generator writes the crate, runs the job's commands for real on this
machine and wraps what they printed in a GitLab runner job log (docker or
kubernetes executor, sections, cache, after_script, artifacts). Only the
runner's own lines (section markers, `Running with gitlab-runner`, cache and
artifact messages, `ERROR: Job failed ...`, system failures that only a
runner can print) are written here; everything after a `$ cmd` echo is the
command's own output, with this machine's paths and loopback addresses
replaced consistently by a GitLab job's.

Labels are by construction and computed from the final text by searching for
what was injected (never hard-coded line numbers).

Usage: python3 generate.py [--only ID_SUBSTRING] [--work DIR]
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import http.server

HERE = os.path.dirname(os.path.abspath(__file__))
PART = "gitlab_rust"
ESC = "\x1b"
# The split is by failure family, decided before measuring (README.md).
SEALED = {"compile", "localnet", "resource", "timeout", "retry"}
REPO = "/builds/acme/ledger"

# --------------------------------------------------------------------------
# the crate

CARGO_TOML = """[package]
name = "ledger"
version = "0.3.1"
edition = "2021"

[dependencies]
{deps}
"""

LIB_RS = r'''//! A tiny double-entry ledger used by the accounting service.
use std::collections::BTreeMap;

pub mod net;

/// Parses an amount such as `12.5` or `12.34` into cents.
///
/// ```
/// assert_eq!(ledger::parse_amount("12.34"), Some(1234));
/// assert_eq!(ledger::parse_amount("7.5"), Some(750));
/// ```
pub fn parse_amount(s: &str) -> Option<i64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
    let w: i64 = whole.parse().ok()?;
    let mut f: i64 = frac.parse().ok()?;
    if frac.len() == 1 {
        f *= 10;
    }
    Some(w * 100 + f)
}

/// Balances per account, in cents.
#[derive(Default, Debug)]
pub struct Ledger {
    entries: BTreeMap<String, i64>,
}

impl Ledger {
    pub fn new() -> Self {
        Ledger::default()
    }

    /// Moves `cents` from one account to another.
    pub fn transfer(&mut self, from: &str, to: &str, cents: i64) {
        *self.entries.entry(from.to_string()).or_insert(0) -= cents;
        *self.entries.entry(to.to_string()).or_insert(0) += cents;
    }

    pub fn balance(&self, account: &str) -> i64 {
        self.entries.get(account).copied().unwrap_or(0)
    }

    /// The sum over all accounts: zero when every transfer balanced.
    pub fn total(&self) -> i64 {
        self.entries.values().sum()
    }

    pub fn accounts(&self) -> Vec<&str> {
        self.entries.keys().map(|k| k.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_whole_amounts() {
        assert_eq!(parse_amount("12"), Some(1200));
    }

    #[test]
    fn parses_one_decimal() {
        assert_eq!(parse_amount("0.5"), Some(50));
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(parse_amount("twelve"), None);
    }

    #[test]
    fn transfer_balances() {
        let mut l = Ledger::new();
        l.transfer("cash", "rent", 1500);
        assert_eq!(l.balance("rent"), 1500);
        assert_eq!(l.total(), 0);
    }

    #[test]
    fn lists_accounts_sorted() {
        let mut l = Ledger::new();
        l.transfer("zeta", "alpha", 1);
        assert_eq!(l.accounts(), vec!["alpha", "zeta"]);
    }
}
'''

NET_RS = r'''//! Reads balances from the balance service (one line per request).
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Asks the service at `addr` for the balance of `account`.
pub fn fetch_balance(addr: &str, account: &str) -> std::io::Result<i64> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_millis(500)))?;
    writeln!(s, "BALANCE {account}")?;
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line)?;
    line.trim()
        .parse()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}
'''

API_RS = r'''use ledger::{parse_amount, Ledger};

#[test]
fn month_of_rent() {
    let mut l = Ledger::new();
    for _ in 0..12 {
        l.transfer("cash", "rent", parse_amount("950.00").unwrap());
    }
    assert_eq!(l.balance("rent"), 1_140_000);
    assert_eq!(l.balance("cash"), -1_140_000);
}

#[test]
fn totals_stay_zero() {
    let mut l = Ledger::new();
    l.transfer("a", "b", 5);
    l.transfer("b", "c", 3);
    assert_eq!(l.total(), 0);
}

#[test]
fn parses_cents() {
    assert_eq!(parse_amount("0.07"), Some(7));
}
'''

NET_TEST_RS = r'''use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::thread;

/// A one-shot balance service on an ephemeral local port.
fn serve(reply: &'static str) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        let mut s = s;
        write!(s, "{reply}").unwrap();
    });
    addr
}

#[test]
fn reads_balance_from_service() {
    let addr = serve("1500\n");
    assert_eq!(ledger::net::fetch_balance(&addr, "rent").unwrap(), 1500);
}
'''

FLAKY_TEST = r'''
/// Runs twice in CI: the first attempt of every job loses the race.
fn attempt() -> u32 {
    let p = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("attempts");
    let n = std::fs::read_to_string(&p).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(0) + 1;
    std::fs::write(&p, n.to_string()).unwrap();
    n
}

#[test]
fn concurrent_transfers_keep_totals() {
    let posted = if attempt() == 1 { 199 } else { 200 };
    assert_eq!(posted, 200, "lost update under concurrent transfers");
}
'''


def files_base(deps=""):
    return {
        "Cargo.toml": CARGO_TOML.format(deps=deps),
        "src/lib.rs": LIB_RS,
        "src/net.rs": NET_RS,
        "tests/api.rs": API_RS,
        "tests/net.rs": NET_TEST_RS,
    }


class Case:
    def __init__(self, id, family, category, flaky, steps, keys, failed_tests=None, patch=(), extra=None,
                 deps="", tool="cargo", executor=None, env=None, fresh_home=False, system=None, after=None,
                 pre=(), artifacts=False, cache=None, timeout=240, color=None, services=(), split=None, cache_lines=None):
        self.__dict__.update(locals())
        del self.__dict__["self"]


CASES = []


def case(**kw):
    CASES.append(Case(**kw))


# --------------------------------------------------------------------------
# local helpers that make failures real: a dead proxy port, a registry that
# answers 503, a proxy that accepts and never answers


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Servers:
    def __init__(self):
        self.dead = free_port()          # nothing listens
        h = type("H", (http.server.BaseHTTPRequestHandler,), {
            "do_GET": lambda self: (self.send_response(503), self.send_header("Content-Length", "19"),
                                    self.end_headers(), self.wfile.write(b"Service Unavailable")),
            "do_CONNECT": lambda self: (self.send_response(503), self.end_headers()),
            "log_message": lambda *a: None})
        self.h503 = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
        threading.Thread(target=self.h503.serve_forever, daemon=True).start()
        self.p503 = self.h503.server_address[1]
        self.stall = socket.socket()
        self.stall.bind(("127.0.0.1", 0))
        self.stall.listen(64)            # the kernel accepts; nobody ever answers
        self.pstall = self.stall.getsockname()[1]

    def env(self):
        return {"DEAD": str(self.dead), "P503": str(self.p503), "STALL": str(self.pstall)}

    def rewrite(self, text):
        # the job's echo of its own commands names the proxy as its CI variables would
        for v in ("$DEAD", "$STALL"):
            text = text.replace("http://127.0.0.1:" + v, "http://proxy.corp.internal:3128")
        text = text.replace("127.0.0.1:%d" % self.dead, "proxy.corp.internal:3128")
        text = text.replace("127.0.0.1 port %d" % self.dead, "proxy.corp.internal port 3128")
        text = text.replace("127.0.0.1:%d" % self.p503, "crates-mirror.corp.internal")
        text = text.replace("crates-mirror.corp.internal/index/config.json` (127.0.0.1)", "crates-mirror.corp.internal/index/config.json` (10.20.0.15)")
        text = text.replace("127.0.0.1:%d" % self.pstall, "proxy.corp.internal:3128")
        text = text.replace("127.0.0.1 port %d" % self.pstall, "proxy.corp.internal port 3128")
        return text


# --------------------------------------------------------------------------
# running


def run(cmd, cwd, env, timeout):
    p = subprocess.Popen(["bash", "-e", "-c", cmd], cwd=cwd, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
        rc = p.returncode if p.returncode >= 0 else 128 - p.returncode
        return out.decode("utf-8", "replace"), rc, False
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, 9)            # our own process group, by id
        out, _ = p.communicate()
        return out.decode("utf-8", "replace"), None, True


def execute(c, work, srv):
    base = os.path.join(work, c.id)
    if os.path.ismount(os.path.join(base, "ledger", "target")):
        subprocess.run(["umount", os.path.join(base, "ledger", "target")])
    shutil.rmtree(base, ignore_errors=True)
    src = os.path.join(base, "ledger")
    files = files_base(c.deps)
    for path, old, new in c.patch:
        assert old in files[path], (c.id, path, old)
        files[path] = files[path].replace(old, new, 1)
    files.update(c.extra or {})
    for path, text in files.items():
        p = os.path.join(src, path)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
        if path.endswith(".sh"):
            os.chmod(p, 0o755)
    home = os.path.join(base, "cargo-home") if c.fresh_home else os.path.join(work, "cargo-home")
    os.makedirs(home, exist_ok=True)
    env = dict(PATH=os.path.expanduser("~/.cargo/bin") + ":/usr/local/bin:/usr/bin:/bin", HOME=os.path.join(base, "home"),
               CARGO_HOME=home, RUSTUP_HOME=os.path.expanduser("~/.rustup"), LANG="C.UTF-8", CI="true",
               GITLAB_CI="true", CARGO_BUILD_JOBS="2", CARGO_INCREMENTAL="0", TERM="xterm",
               CARGO_TERM_COLOR=c.color or "never", RUST_BACKTRACE="0", CARGO_NET_RETRY="2",
               CARGO_HTTP_TIMEOUT="10", NEXTEST_HIDE_PROGRESS_BAR="1")
    os.makedirs(env["HOME"], exist_ok=True)
    env.update(srv.env())
    env.update(c.env or {})
    if not c.fresh_home:
        # the repository checks its lock file in
        subprocess.run(["cargo", "generate-lockfile", "--quiet"], cwd=src, env=env, check=True)
    ran = []
    for name, cmd in [("version", "rustc --version && cargo --version")] + list(c.steps):
        t0 = time.time()
        out, rc, killed = run(cmd, src, env, c.timeout)
        ran.append(dict(name=name, cmd=cmd, out=out, rc=rc, killed=killed, secs=time.time() - t0))
        if rc != 0:
            break
    after = []
    for cmd in c.after or []:
        out, rc, _ = run(cmd, src, env, 60)
        after.append(dict(cmd=cmd, out=out, rc=rc))
    if os.path.ismount(os.path.join(src, "target")):
        subprocess.run(["umount", os.path.join(src, "target")])
    return ran, after, src, home


def clean(text, src, home, srv):
    text = text.replace(src, REPO)
    text = text.replace(home, "/usr/local/cargo")
    text = text.replace(os.path.expanduser("~/.rustup"), "/usr/local/rustup")
    text = text.replace(os.path.expanduser("~/.cargo"), "/usr/local/cargo")
    text = text.replace(os.path.dirname(src), "/tmp")
    return srv.rewrite(text)


# --------------------------------------------------------------------------
# the GitLab runner's envelope


class Clock:
    def __init__(self, seed):
        self.t = 1796400000 + seed % 86400

    def tick(self, n=1):
        self.t += n
        return self.t


def lines_of(out):
    out = out.replace("\r\n", "\n")
    if out.endswith("\n"):
        out = out[:-1]
    return out.split("\n") if out else []


def envelope(c, ran, after, clean_):
    seed = int(hashlib.sha1(c.id.encode()).hexdigest()[:8], 16)
    clk = Clock(seed)
    jid = 8000000 + seed % 900000
    k8s = c.executor == "kubernetes"
    image = "rust:1.95-bookworm"
    L = []

    def sec(name, title):
        clk.tick(2)
        L.append("section_start:%d:%s\r%s[0K%s[0K%s[36;1m%s%s[0;m" % (clk.t, name, ESC, ESC, ESC, title, ESC))

    def end(name):
        clk.tick(1)
        L.append("section_end:%d:%s\r%s[0K" % (clk.t, name, ESC))

    def info(s):
        L.append("%s[0K%s%s[0;m" % (ESC, s, ESC))

    def warn(s):
        L.append("%s[0;33mWARNING: %s%s[0;m" % (ESC, s, ESC))

    def err(s):
        L.append("%s[31;1mERROR: %s%s[0;m" % (ESC, s, ESC))

    def cmd_echo(cmd):
        for x in cmd.split("\n"):
            L.append("%s[32;1m$ %s%s[0;m" % (ESC, x, ESC))

    info("Running with gitlab-runner 17.6.0 (374d34fd)")
    info("  on %s, system ID: s_6b1f0e2c9d4a" % ("k8s-runner-ci-7c9f5 xT2mQ9aK" if k8s else "shared-docker-3 zxK8pQ2m"))
    info("Resolving secrets")
    sec("prepare_executor", "Preparing the \"%s\" executor" % ("kubernetes" if k8s else "docker"))
    sysf = c.system or {}
    if k8s:
        info("Using Kubernetes namespace: ci-runners")
        info("Using Kubernetes executor with image %s ..." % image)
        info("Using attach strategy to execute scripts...")
    else:
        info("Using Docker executor with image %s ..." % image)
    for s in c.services:
        info("Starting service %s ..." % s)
        info("Pulling docker image %s ..." % s)
    if "pull" in sysf:
        info("Pulling docker image %s ..." % image)
        for ln in sysf["pull"]:
            L.append(ln)
        end("prepare_executor")
        L.extend(sysf.get("tail", []))
        return L, jid
    if not k8s:
        info("Pulling docker image %s ..." % image)
        info("Using docker image sha256:4f1e2d0c7b3a for %s with digest rust@sha256:9d3c21b0a6e7 ..." % image)
    end("prepare_executor")
    sec("prepare_script", "Preparing environment")
    if k8s:
        L.append("Using FF_USE_POD_ACTIVE_DEADLINE_SECONDS, the Pod activeDeadlineSeconds will be set to the job timeout: 1h0m0s...")
        L.append("Waiting for pod ci-runners/runner-xt2mq9ak-project-4121-concurrent-0-%x to be running, status is Pending" % (seed % 65536))
        for w in c.pre:
            warn(w)
        L.append("Running on runner-xt2mq9ak-project-4121-concurrent-0-%x via k8s-runner-ci-7c9f5..." % (seed % 65536))
    else:
        for w in c.pre:
            warn(w)
        L.append("Running on runner-zxk8pq2m-project-4121-concurrent-0 via ci-runner-07...")
    end("prepare_script")
    sec("get_sources", "Getting source from Git repository")
    if "sources" in sysf:
        L.extend(sysf["sources"])
        end("get_sources")
        L.extend(sysf.get("tail", []))
        return L, jid
    L += ["%s[32;1mFetching changes with git depth set to 20...%s[0;m" % (ESC, ESC),
          "Initialized empty Git repository in %s/.git/" % REPO,
          "%s[32;1mCreated fresh repository.%s[0;m" % (ESC, ESC),
          "%s[32;1mChecking out 3f9a2c1e as detached HEAD (ref is refs/merge-requests/%d/head)...%s[0;m" % (ESC, 200 + seed % 300, ESC),
          "", "%s[32;1mSkipping Git submodules setup%s[0;m" % (ESC, ESC)]
    end("get_sources")
    cache = c.cache if c.cache is not None else (seed % 3 != 0)
    if cache:
        sec("restore_cache", "Restoring cache")
        L += c.cache_lines if c.cache_lines else ["%s[32;1mChecking cache for cargo-1-protected...%s[0;m" % (ESC, ESC),
              "%s[0;33mWARNING: file does not exist                      %s[0;m " % (ESC, ESC) if seed % 2 else
              "Downloading cache from https://storage.googleapis.com/acme-runner-cache/project/4121/cargo-1-protected%s  ETag%s=%s\"6c1f%x\"%s" % (ESC + "[0;m", ESC + "[0;m", ESC + "[0;m", seed % 4096, ESC + "[0;m"),
              "%s[32;1mSuccessfully extracted cache%s[0;m" % (ESC, ESC)]
        end("restore_cache")
    sec("step_script", "Executing \"step_script\" stage of the job script")
    if not k8s:
        info("Using docker image sha256:4f1e2d0c7b3a for %s with digest rust@sha256:9d3c21b0a6e7 ..." % image)
    rc = 0
    for r in ran:
        clk.tick(int(r["secs"]) + 1)
        cmd_echo(clean_(r["cmd"]))
        out = lines_of(clean_(r["out"]))
        if "cut" in sysf and r is ran[-1]:
            # the runner stopped collecting: everything after the cut is lost
            keep = next((i for i, x in enumerate(out) if sysf["cut"] in x), len(out))
            L += out[:keep + 1]
            L.extend(sysf.get("tail", []))
            return L, jid
        L += out
        if r["rc"] != 0:
            rc = r["rc"] if r["rc"] is not None else -1
            break
    if "timeout" in sysf:
        end("step_script")
        L.extend(sysf["timeout"])
        return L, jid
    end("step_script")
    if after:
        sec("after_script", "Running after_script")
        L.append("%s[32;1mRunning after script...%s[0;m" % (ESC, ESC))
        for a in after:
            cmd_echo(clean_(a["cmd"]))
            L += lines_of(clean_(a["out"]))
        end("after_script")
    if cache and rc == 0 or (cache and seed % 2):
        sec("archive_cache" if rc == 0 else "archive_cache_on_failure", "Saving cache for %s job" % ("successful" if rc == 0 else "failed"))
        L += ["%s[32;1mCreating cache cargo-1-protected...%s[0;m" % (ESC, ESC),
              "target/: found 1843 matching artifact files and directories%s" % (ESC + "[0;m"),
              "/usr/local/cargo/registry/: found 412 matching artifact files and directories%s" % (ESC + "[0;m"),
              "Uploading cache.zip to https://storage.googleapis.com/acme-runner-cache/project/4121/cargo-1-protected%s" % (ESC + "[0;m"),
              "%s[32;1mCreated cache%s[0;m" % (ESC, ESC)]
        end("archive_cache" if rc == 0 else "archive_cache_on_failure")
    if c.artifacts or "upload" in sysf:
        sec("upload_artifacts_on_failure" if rc else "upload_artifacts_on_success", "Uploading artifacts for %s job" % ("failed" if rc else "successful"))
        L += ["%s[32;1mUploading artifacts...%s[0;m" % (ESC, ESC),
              "target/nextest/ci/junit.xml: found 1 matching artifact files and directories%s" % (ESC + "[0;m")]
        if "upload" in sysf:
            L.extend(sysf["upload"])
            end("upload_artifacts_on_success")
            L.extend(sysf.get("tail", []))
            return L, jid
        L.append("%s[32;1mUploading artifacts as \"junit\" to coordinator... 201 Created%s[0;m  id=%d responseStatus=201 Created token=glcbt-64" % (ESC, ESC, jid))
        end("upload_artifacts_on_failure" if rc else "upload_artifacts_on_success")
    sec("cleanup_file_variables", "Cleaning up project directory and file based variables")
    end("cleanup_file_variables")
    if rc == 0:
        L += ["%s[32;1mJob succeeded%s[0;m" % (ESC, ESC)]
    else:
        err("Job failed: exit code %d" % rc)
    return L, jid


# --------------------------------------------------------------------------
# labels

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\([AB012]|\r")


def find_keys(c, lines):
    plain = [ANSI.sub("", x) for x in lines]
    spans = []
    pos = 0
    for spec in c.keys:
        start, stop = spec[0], spec[1]
        nth = spec[2] if len(spec) > 2 else 0
        hits = [i for i in range(pos, len(plain)) if re.search(start, plain[i])]
        if len(hits) <= nth:
            raise SystemExit("%s: key %r not found" % (c.id, start))
        i = hits[nth]
        if isinstance(stop, int):
            j = i + stop
        else:
            j = next((k for k in range(i, len(plain)) if re.search(stop, plain[k])), None)
            if j is None:
                raise SystemExit("%s: key end %r not found" % (c.id, stop))
        spans.append({"start": i + 1, "end": j + 1, "kind": "error"})
        pos = j + 1
    return spans


# --------------------------------------------------------------------------
# the cases

T = "cargo test --locked --no-fail-fast"
NX = "cargo nextest run --locked --no-fail-fast"
LIB = "src/lib.rs"


def nextest_cfg(extra=""):
    return {".config/nextest.toml": "[profile.ci]\nfail-fast = false\n" + extra + "\n[profile.ci.junit]\npath = \"junit.xml\"\n"}


def define():
    # ---------------- tests: deterministic failures in the code under test (tune)
    case(id="test-assert-eq", family="tests", category="test_failure", flaky=False,
         patch=[(LIB, "    if frac.len() == 1 {\n        f *= 10;\n    }\n", "")],
         steps=[("build", "cargo build --locked"), ("test", T + " --lib")],
         keys=[(r"^---- tests::parses_one_decimal stdout ----", r"^\s+right:")],
         failed_tests=["tests::parses_one_decimal"], artifacts=False)
    case(id="test-two-failures", family="tests", category="test_failure", flaky=False,
         patch=[(LIB, "        *self.entries.entry(to.to_string()).or_insert(0) += cents;",
                 "        *self.entries.entry(to.to_string()).or_insert(0) += cents - cents / 100;")],
         steps=[("test", T)],
         keys=[(r"^---- tests::transfer_balances stdout ----", r"^\s+right:"),
               (r"^---- month_of_rent stdout ----", r"^\s+right:")],
         failed_tests=["tests::transfer_balances", "month_of_rent"], color="always")
    case(id="test-unwrap-none", family="tests", category="test_failure", flaky=False,
         patch=[("tests/api.rs", 'parse_amount("950.00").unwrap()', 'parse_amount("950,00").unwrap()')],
         steps=[("test", T + " --test api")],
         keys=[(r"^---- month_of_rent stdout ----", r"called `Option::unwrap\(\)`")],
         failed_tests=["month_of_rent"], executor="kubernetes")
    case(id="test-should-panic", family="tests", category="test_failure", flaky=False,
         extra={"tests/limits.rs": "#[test]\n#[should_panic(expected = \"negative amount\")]\nfn rejects_negative_transfer() {\n    let mut l = ledger::Ledger::new();\n    l.transfer(\"a\", \"b\", -5);\n}\n\n#[test]\nfn zero_transfer_is_noop() {\n    let mut l = ledger::Ledger::new();\n    l.transfer(\"a\", \"b\", 0);\n    assert_eq!(l.total(), 0);\n}\n"},
         steps=[("test", T)],
         keys=[(r"^---- rejects_negative_transfer stdout ----", r"note: test did not panic as expected")],
         failed_tests=["rejects_negative_transfer"], color="always", artifacts=True)
    case(id="test-doctest", family="tests", category="test_failure", flaky=False,
         patch=[(LIB, '/// assert_eq!(ledger::parse_amount("7.5"), Some(750));', '/// assert_eq!(ledger::parse_amount("7.5"), Some(75));')],
         steps=[("test", T)],
         keys=[(r"^---- src/lib.rs - parse_amount \(line \d+\) stdout ----", r"^\s+right:")],
         failed_tests=["src/lib.rs - parse_amount (line 8)"])
    case(id="test-overflow", family="tests", category="test_failure", flaky=False,
         extra={"tests/big.rs": "#[test]\nfn huge_transfer_does_not_wrap() {\n    let mut l = ledger::Ledger::new();\n    l.transfer(\"a\", \"b\", i64::MAX);\n    l.transfer(\"a\", \"b\", i64::MAX);\n    assert!(l.balance(\"b\") > 0);\n}\n"},
         steps=[("test", T + " --test big")],
         keys=[(r"^---- huge_transfer_does_not_wrap stdout ----", r"with overflow")],
         failed_tests=["huge_transfer_does_not_wrap"], executor="kubernetes", color="always")
    case(id="test-assert-message", family="tests", category="test_failure", flaky=False,
         extra={"tests/report.rs": "#[test]\nfn report_lists_every_account() {\n    let mut l = ledger::Ledger::new();\n    l.transfer(\"cash\", \"rent\", 10);\n    let accounts = l.accounts();\n    assert!(\n        accounts.len() == 3,\n        \"expected cash, rent and fees, got {accounts:?}\"\n    );\n}\n"},
         steps=[("fmt", "cargo fmt --check"), ("test", T)],
         keys=[(r"^---- report_lists_every_account stdout ----", r"expected cash, rent and fees")],
         failed_tests=["report_lists_every_account"])
    case(id="test-index-oob", family="tests", category="test_failure", flaky=False,
         extra={"tests/first.rs": "#[test]\nfn first_account_is_alphabetical() {\n    let l = ledger::Ledger::new();\n    assert_eq!(l.accounts()[0], \"alpha\");\n}\n"},
         steps=[("test", NX + " --profile ci")], extra_cfg=True) if False else None
    case(id="test-nextest-oob", family="tests", category="test_failure", flaky=False, tool="cargo-nextest",
         extra=dict(nextest_cfg(), **{"tests/first.rs": "#[test]\nfn first_account_is_alphabetical() {\n    let l = ledger::Ledger::new();\n    assert_eq!(l.accounts()[0], \"alpha\");\n}\n"}),
         steps=[("test", NX + " --profile ci")],
         keys=[(r"^\s+FAIL \[.*first_account_is_alphabetical", r"index out of bounds")],
         failed_tests=["first_account_is_alphabetical"], artifacts=True, executor="kubernetes")
    case(id="test-nextest-assert", family="tests", category="test_failure", flaky=False, tool="cargo-nextest",
         patch=[("tests/api.rs", "assert_eq!(parse_amount(\"0.07\"), Some(7));", "assert_eq!(parse_amount(\"0.07\"), Some(70));")],
         extra=nextest_cfg(),
         steps=[("test", NX + " --profile ci")],
         keys=[(r"^\s+FAIL \[.*parses_cents", r"^\s+right:")],
         failed_tests=["parses_cents"], artifacts=True, color="always")
    case(id="test-cache-warning-noise", family="tests", category="test_failure", flaky=False,
         patch=[(LIB, "        assert_eq!(l.accounts(), vec![\"alpha\", \"zeta\"]);", "        assert_eq!(l.accounts(), vec![\"zeta\", \"alpha\"]);")],
         steps=[("test", T + " --lib")],
         keys=[(r"^---- tests::lists_accounts_sorted stdout ----", r"^\s+right:")],
         failed_tests=["tests::lists_accounts_sorted"], executor="kubernetes",
         pre=["Event retrieved from the cluster: 0/14 nodes are available: 3 Insufficient cpu. preemption: 0/14 nodes are available: 14 No preemption victims found for incoming pod."],
         system={"upload": ["%s[0;33mWARNING: Uploading artifacts as \"junit\" to coordinator... 502 Bad Gateway%s[0;m  id=%s responseStatus=502 Bad Gateway status=502 token=glcbt-64" % (ESC, ESC, "8123456"),
                            "%s[0;33mWARNING: Retrying...                              %s[0;m  context=artifacts-uploader error=invalid argument" % (ESC, ESC),
                            "%s[32;1mUploading artifacts as \"junit\" to coordinator... 201 Created%s[0;m  id=8123456 responseStatus=201 Created token=glcbt-64" % (ESC, ESC)],
                 "tail": ["section_start:1796460999:cleanup_file_variables\r%s[0K%s[0K%s[36;1mCleaning up project directory and file based variables%s[0;m" % (ESC, ESC, ESC, ESC),
                          "%s[31;1mERROR: Job failed: command terminated with exit code 101%s[0;m" % (ESC, ESC)]})
    case(id="test-retry-fetch-then-assert", family="tests", category="test_failure", flaky=False,
         patch=[(LIB, "    Some(w * 100 + f)", "    Some(w * 100 - f)")],
         steps=[("fetch", "for i in 1 2 3; do\n  CARGO_HTTP_PROXY=$([ $i = 1 ] && echo http://127.0.0.1:$DEAD) cargo fetch && break\n  echo \"Retrying (attempt $((i+1)) of 3)\"\ndone"),
                ("test", T + " --lib")],
         keys=[(r"^---- tests::parses_one_decimal stdout ----", r"^\s+right:")],
         failed_tests=["tests::parses_one_decimal"], deps='itoa = "1"', fresh_home=True)

    # ---------------- lint and docs (tune)
    case(id="lint-clippy-deny", family="lint", category="lint", flaky=False, tool="clippy",
         patch=[(LIB, "        self.entries.values().sum()", "        let mut t = 0;\n        for (_, v) in &self.entries {\n            t = t + *v;\n        }\n        return t;")],
         steps=[("clippy", "cargo clippy --all-targets --locked -- -D warnings")],
         keys=[(r"^error: unneeded `return` statement", r"^\s+= help: for further"),
               (r"^error: you seem to want to iterate on a map's values", r"^\s+= help: for further"),
               (r"^error: manual implementation of an assign operation", r"^\s+= help: for further")])
    case(id="lint-clippy-one", family="lint", category="lint", flaky=False, tool="clippy",
         patch=[(LIB, "    pub fn accounts(&self) -> Vec<&str> {\n        self.entries.keys().map(|k| k.as_str()).collect()",
                 "    pub fn accounts(&self) -> Vec<&str> {\n        let v: Vec<&str> = self.entries.keys().map(|k| k.as_str()).collect();\n        if v.len() == 0 { return vec![]; }\n        v")],
         steps=[("clippy", "cargo clippy --locked -- -D warnings")],
         keys=[(r"^error: length comparison to zero", r"^\s+= help: for further")], color="always", executor="kubernetes")
    case(id="lint-rustfmt", family="lint", category="lint", flaky=False, tool="rustfmt",
         patch=[(LIB, "    pub fn balance(&self, account: &str) -> i64 {\n        self.entries.get(account).copied().unwrap_or(0)\n    }",
                 "    pub fn balance(&self, account: &str) -> i64 { self.entries.get(account).copied().unwrap_or(0) }")],
         steps=[("fmt", "cargo fmt --all -- --check")],
         keys=[(r"^Diff in .*src/lib.rs", r"^\+    }")])
    case(id="lint-rustdoc-links", family="lint", category="docs", flaky=False, tool="rustdoc",
         patch=[(LIB, "/// Balances per account, in cents.", "/// Balances per account, in cents; see [`Journal`].")],
         env={"RUSTDOCFLAGS": "-D warnings"},
         steps=[("doc", "cargo doc --no-deps --locked")],
         keys=[(r"^error: unresolved link to `Journal`", r"^\s+= help: to escape")])
    case(id="lint-deny-missing-docs", family="lint", category="lint", flaky=False, tool="clippy",
         patch=[(LIB, "//! A tiny double-entry ledger used by the accounting service.\n", "//! A tiny double-entry ledger used by the accounting service.\n#![deny(missing_docs)]\n")],
         steps=[("clippy", "cargo clippy --locked")],
         keys=[(r"^error: missing documentation for an associated function", r"^\s+\|\s+\^"),
               (r"^error: missing documentation for a method", r"^\s+\|\s+\^")], artifacts=True)

    # ---------------- registry and network during setup (tune, flaky)
    dep = 'itoa = "1"\nryu = "1"'
    case(id="net-proxy-dead-build", family="network", category="dependency", flaky=True,
         deps=dep, fresh_home=True, env={"CARGO_HTTP_PROXY": "http://127.0.0.1:$DEAD"},
         steps=[("build", "export CARGO_HTTP_PROXY=http://127.0.0.1:$DEAD\ncargo build")],
         keys=[(r"^error: failed to get `\w+` as a dependency", r"Could(?:n't| not) connect to server|[Ff]ailed to connect")])
    case(id="net-proxy-dead-fetch", family="network", category="dependency", flaky=True,
         deps=dep, fresh_home=True, color="always",
         steps=[("fetch", "export CARGO_HTTP_PROXY=http://127.0.0.1:$DEAD\ncargo fetch")],
         keys=[(r"^error: failed to get `\w+` as a dependency", r"Could(?:n't| not) connect to server|[Ff]ailed to connect")])
    case(id="net-mirror-503", family="network", category="dependency", flaky=True,
         deps=dep, fresh_home=True,
         extra={".cargo/config.toml": "[source.crates-io]\nreplace-with = \"mirror\"\n\n[source.mirror]\nregistry = \"sparse+http://127.0.0.1:%P503%/index/\"\n"},
         steps=[("config", "sed -i \"s/%P503%/$P503/\" .cargo/config.toml"), ("build", "cargo build --locked" if False else "cargo build")],
         keys=[(r"^error: failed to get `\w+` as a dependency", r"got 503")], executor="kubernetes")
    case(id="net-git-dep-dns", family="network", category="dependency", flaky=True,
         deps='ledger-macros = { git = "https://git.acme-internal.invalid/acme/ledger-macros.git", tag = "v0.2.0" }', fresh_home=True,
         steps=[("build", "cargo build")],
         keys=[(r"^error: failed to get `ledger-macros` as a dependency", r"failed to resolve address|Could not resolve host|resolve")])
    case(id="net-git-dep-cli", family="network", category="dependency", flaky=True,
         deps='ledger-macros = { git = "https://git.acme-internal.invalid/acme/ledger-macros.git", tag = "v0.2.0" }', fresh_home=True,
         env={"CARGO_NET_GIT_FETCH_WITH_CLI": "true"}, color="always",
         steps=[("fetch", "cargo fetch")],
         keys=[(r"fatal: unable to access", 0), (r"^error: failed to get `ledger-macros` as a dependency", r"process didn't exit successfully|status: 128")])
    case(id="net-index-timeout", family="network", category="dependency", flaky=True,
         deps=dep, fresh_home=True, env={"CARGO_HTTP_TIMEOUT": "3"},
         steps=[("build", "export CARGO_HTTP_PROXY=http://127.0.0.1:$STALL\ncargo build --release")],
         keys=[(r"^error: failed to get `\w+` as a dependency", r"[Tt]imeout was reached|timed out")], executor="kubernetes")
    case(id="net-rustup-dist", family="network", category="dependency", flaky=True,
         env={"RUSTUP_DIST_SERVER": "https://static.rust-lang.invalid"},
         steps=[("toolchain", "export RUSTUP_HOME=$HOME/rustup\nrustup toolchain install 1.79.0 --profile minimal --component clippy")],
         keys=[(r"^error: could not download file", r"resolve|Could not resolve|dns")], cache=False)
    case(id="net-retry-exhausted", family="network", category="dependency", flaky=True,
         deps=dep, fresh_home=True,
         steps=[("fetch", "export CARGO_HTTP_PROXY=http://127.0.0.1:$DEAD\nfor i in 1 2 3; do\n  cargo fetch && break\n  [ $i = 3 ] && exit 101\n  echo \"Retrying (attempt $((i+1)) of 3)\"\ndone")],
         keys=[(r"^error: failed to get `\w+` as a dependency", r"Could(?:n't| not) connect to server|[Ff]ailed to connect", 2)])

    # ---------------- the runner and its machine (tune)
    case(id="sys-pod-disrupted", family="system", category="infra", flaky=True, executor="kubernetes",
         steps=[("test", T)],
         system={"cut": "Running tests/api.rs",
                 "tail": ["%s[31;1mERROR: Job failed (system failure): pod \"ci-runners/runner-xt2mq9ak-project-4121-concurrent-0-2f7c\" is disrupted: reason \"EvictionByEvictionAPI\", message \"Eviction API: evicting\"%s[0;m" % (ESC, ESC)]},
         keys=[(r"ERROR: Job failed \(system failure\): pod", 0)])
    case(id="sys-pod-failed-status", family="system", category="infra", flaky=True, executor="kubernetes",
         steps=[("build", "cargo build --release")],
         system={"cut": "Compiling ledger",
                 "tail": ["%s[0;33mWARNING: Event retrieved from the cluster: The node was low on resource: ephemeral-storage. Threshold quantity: 10Gi, available: 8Gi. Container build was using 31Gi, request is 0, has larger consumption of ephemeral-storage.%s[0;m" % (ESC, ESC),
                          "%s[31;1mERROR: Job failed (system failure): pod \"ci-runners/runner-xt2mq9ak-project-4121-concurrent-0-91ad\" status is \"Failed\"%s[0;m" % (ESC, ESC)]},
         keys=[(r"The node was low on resource", 1)])
    case(id="sys-runner-terminated", family="system", category="infra", flaky=True,
         steps=[("test", T)],
         system={"cut": "Running unittests",
                 "tail": ["%s[31;1mERROR: Job failed (system failure): aborted: terminated%s[0;m" % (ESC, ESC)]},
         keys=[(r"ERROR: Job failed \(system failure\): aborted: terminated", 0)])
    case(id="sys-log-limit-disrupted", family="system", category="infra", flaky=True, executor="kubernetes",
         env={"RUST_LOG": "trace"}, steps=[("test", T + " -- --nocapture")],
         system={"cut": "test result",
                 "tail": ["%s[0;33mJob's log exceeded limit of 4194304 bytes.%s[0;m" % (ESC, ESC),
                          "%s[0;33mJob execution will continue but no more output will be collected.%s[0;m" % (ESC, ESC),
                          "%s[31;1mERROR: Job failed (system failure): pod \"ci-runners/runner-xt2mq9ak-project-4121-concurrent-0-c41e\" is disrupted: reason \"DeletionByTaintManager\", message \"Taint manager: deleting due to NoExecute taint `node.kubernetes.io/unreachable`\"%s[0;m" % (ESC, ESC)]},
         keys=[(r"ERROR: Job failed \(system failure\)", 0)])
    case(id="sys-docker-pull", family="system", category="infra", flaky=True, steps=[],
         system="PULL", keys=[(r"ERROR: Job failed: failed to pull image", 0)])
    case(id="sys-service-pull", family="system", category="infra", flaky=True, steps=[],
         system="SERVICE", keys=[(r"ERROR: Job failed \(system failure\): failed to pull image", 0)])
    case(id="sys-git-sources", family="system", category="infra", flaky=True, steps=[],
         system="SOURCES", keys=[(r"fatal: unable to access", 0)])
    case(id="sys-artifacts-502", family="system", category="infra", flaky=True, tool="cargo-nextest",
         extra=nextest_cfg(), steps=[("test", NX + " --profile ci")],
         system={"upload": ["%s[0;33mWARNING: Uploading artifacts as \"junit\" to coordinator... 502 Bad Gateway%s[0;m  id=8411230 responseStatus=502 Bad Gateway status=502 token=glcbt-64" % (ESC, ESC),
                            "%s[0;33mWARNING: Retrying...                              %s[0;m  context=artifacts-uploader error=invalid argument" % (ESC, ESC),
                            "%s[0;33mWARNING: Uploading artifacts as \"junit\" to coordinator... 502 Bad Gateway%s[0;m  id=8411230 responseStatus=502 Bad Gateway status=502 token=glcbt-64" % (ESC, ESC),
                            "%s[31;1mFATAL: invalid argument                           %s[0;m" % (ESC, ESC)],
                 "tail": ["section_start:1796460999:cleanup_file_variables\r%s[0K%s[0K%s[36;1mCleaning up project directory and file based variables%s[0;m" % (ESC, ESC, ESC, ESC),
                          "%s[31;1mERROR: Job failed: exit code 1%s[0;m" % (ESC, ESC)]},
         keys=[(r"WARNING: Uploading artifacts as \"junit\" to coordinator\.\.\. 502", 0)])
    case(id="sys-prepare-conflict", family="system", category="infra", flaky=True, steps=[],
         system="PREPARE", keys=[(r"ERROR: Job failed \(system failure\)", 0)])
    case(id="sys-test-fail-k8s-events", family="system", category="test_failure", flaky=False, executor="kubernetes",
         patch=[("tests/api.rs", "    assert_eq!(l.total(), 0);\n}", "    assert_eq!(l.balance(\"c\"), 5);\n}")],
         pre=["Event retrieved from the cluster: 0/14 nodes are available: 2 node(s) had untolerated taint {node.kubernetes.io/disk-pressure: }, 12 Insufficient memory."],
         steps=[("test", T)],
         keys=[(r"^---- totals_stay_zero stdout ----", r"^\s+right:")], failed_tests=["totals_stay_zero"])

    # ---------------- compile errors (sealed)
    case(id="compile-type-mismatch", family="compile", category="compilation", flaky=False, tool="rustc",
         patch=[(LIB, "        self.entries.get(account).copied().unwrap_or(0)", "        self.entries.get(account).unwrap_or(0)")],
         steps=[("build", "cargo build --locked --all-targets")],
         keys=[(r"^error\[E0308\]: mismatched types", r"^\s+= note|^help|^\s+\|$")])
    case(id="compile-borrow", family="compile", category="compilation", flaky=False, tool="rustc",
         patch=[(LIB, "    pub fn accounts(&self) -> Vec<&str> {", "    pub fn reset(&mut self) {\n        for k in self.entries.keys() {\n            self.entries.insert(k.clone(), 0);\n        }\n    }\n\n    pub fn accounts(&self) -> Vec<&str> {")],
         steps=[("test", T)], color="always",
         keys=[(r"^error\[E0502\]: cannot borrow", r"immutable borrow later used here|later used")])
    case(id="compile-unresolved-import", family="compile", category="compilation", flaky=False, tool="rustc",
         patch=[("tests/api.rs", "use ledger::{parse_amount, Ledger};", "use ledger::{parse_amount, Ledger, Journal};")],
         steps=[("build", "cargo build --locked"), ("test", T)], executor="kubernetes",
         keys=[(r"^error\[E0432\]: unresolved import `ledger::Journal`", r"no `Journal` in the root")])
    case(id="compile-missing-trait", family="compile", category="compilation", flaky=False, tool="rustc",
         extra={"src/report.rs": "use crate::Ledger;\n\npub fn render(l: &Ledger) -> String {\n    format!(\"{}\", l)\n}\n"},
         patch=[(LIB, "pub mod net;", "pub mod net;\npub mod report;")],
         steps=[("check", "cargo check --locked")],
         keys=[(r"^error\[E0277\]: `Ledger` doesn't implement `std::fmt::Display`", r"= note: in format strings|^\s+= note")])
    case(id="compile-deny-warnings", family="compile", category="compilation", flaky=False, tool="rustc",
         env={"RUSTFLAGS": "-D warnings"},
         patch=[(LIB, "    pub fn total(&self) -> i64 {\n", "    pub fn total(&self) -> i64 {\n        let unused_total = 0;\n")],
         steps=[("build", "cargo build --locked")], artifacts=True,
         keys=[(r"^error: unused variable: `unused_total`", r"^\s+= note: `-D unused-variables`|^\s+\|\s+\^")])
    case(id="compile-test-only", family="compile", category="compilation", flaky=False, tool="rustc",
         patch=[("tests/api.rs", "    l.transfer(\"b\", \"c\", 3);", "    l.transfer(\"b\", \"c\", 3u32);")],
         steps=[("build", "cargo build --locked"), ("test", T)], color="always",
         keys=[(r"^error\[E0308\]: mismatched types", r"^help: change the type|^\s+\|$")])
    case(id="compile-linker-missing-lib", family="compile", category="compilation", flaky=False, tool="rustc",
         extra={"build.rs": "fn main() {\n    println!(\"cargo:rustc-link-lib=ledgerfast\");\n}\n", "src/bin/ledgerd.rs": "fn main() {\n    println!(\"{}\", ledger::Ledger::new().total());\n}\n"},
         steps=[("build", "cargo build --locked --bins")],
         keys=[(r"^error: linking with `cc` failed", r"ledgerfast")])
    case(id="compile-build-script-panic", family="compile", category="compilation", flaky=False, tool="cargo",
         extra={"build.rs": "fn main() {\n    let schema = std::fs::read_to_string(\"schema/ledger.sql\").expect(\"schema/ledger.sql must be checked in\");\n    println!(\"cargo:rustc-env=SCHEMA_LEN={}\", schema.len());\n}\n"},
         steps=[("build", "cargo build --locked")], executor="kubernetes",
         keys=[(r"^error: failed to run custom build command for `ledger", r"schema/ledger.sql must be checked in")])

    # ---------------- tests that use the network of the job's own machine (sealed, deterministic)
    case(id="localnet-refused-wrong-port", family="localnet", category="test_failure", flaky=False,
         patch=[("tests/net.rs", "    assert_eq!(ledger::net::fetch_balance(&addr, \"rent\").unwrap(), 1500);",
                 "    let port: u16 = addr.rsplit(':').next().unwrap().parse().unwrap();\n    let wrong = format!(\"127.0.0.1:{}\", port + 1);\n    assert_eq!(ledger::net::fetch_balance(&wrong, \"rent\").unwrap(), 1500);")],
         steps=[("test", T)],
         keys=[(r"^---- reads_balance_from_service stdout ----", r"Connection refused|ConnectionRefused")],
         failed_tests=["reads_balance_from_service"])
    case(id="localnet-bad-reply", family="localnet", category="test_failure", flaky=False,
         patch=[("tests/net.rs", 'let addr = serve("1500\\n");', 'let addr = serve("1500 EUR\\n");')],
         steps=[("test", T + " --test net")], color="always",
         keys=[(r"^---- reads_balance_from_service stdout ----", r"InvalidData|invalid digit")],
         failed_tests=["reads_balance_from_service"])
    case(id="localnet-wrong-value", family="localnet", category="test_failure", flaky=False, tool="cargo-nextest",
         patch=[("tests/net.rs", 'let addr = serve("1500\\n");', 'let addr = serve("150\\n");')],
         extra=nextest_cfg(), steps=[("test", NX + " --profile ci")], executor="kubernetes",
         keys=[(r"^\s+FAIL \[.*reads_balance_from_service", r"^\s+right:")],
         failed_tests=["reads_balance_from_service"])
    case(id="localnet-no-reply", family="localnet", category="test_failure", flaky=False,
         patch=[("tests/net.rs", '        write!(s, "{reply}").unwrap();', '        let _ = reply;\n        std::thread::sleep(std::time::Duration::from_secs(2));\n        drop(s);')],
         steps=[("test", T)],
         keys=[(r"^---- reads_balance_from_service stdout ----", r"WouldBlock|Resource temporarily unavailable|TimedOut")],
         failed_tests=["reads_balance_from_service"])
    case(id="localnet-refused-nextest", family="localnet", category="test_failure", flaky=False, tool="cargo-nextest",
         patch=[("src/net.rs", "    let mut s = TcpStream::connect(addr)?;", "    let port: u16 = addr.rsplit(':').next().unwrap().parse().unwrap();\n    let mut s = TcpStream::connect((\"127.0.0.1\", port.wrapping_add(1)))?;")],
         extra=nextest_cfg("retries = 2\n"), steps=[("test", NX + " --profile ci")], artifacts=True,
         keys=[(r"^\s+TRY 3 FAIL \[.*reads_balance_from_service", r"Connection refused|ConnectionRefused")],
         failed_tests=["reads_balance_from_service"])

    # ---------------- the machine ran out of something (sealed, flaky)
    killer = "#!/bin/sh\n# the kernel's OOM killer, reproduced: SIGKILL this process after a moment\n( sleep %s; kill -9 $$ ) &\nexec \"$@\"\n"
    case(id="res-rustc-sigkill", family="resource", category="oom", flaky=True,
         extra={"ci/rustc-wrapper.sh": killer % "0.2"}, env={"RUSTC_WRAPPER": "ci/rustc-wrapper.sh"},
         deps='itoa = "1"', steps=[("build", "cargo build --release --locked" if False else "cargo build --release")],
         keys=[(r"^error: could not compile", r"SIGKILL")])
    case(id="res-test-sigkill", family="resource", category="oom", flaky=True,
         extra=dict({"ci/runner.sh": killer % "0.05"}, **{"tests/slow.rs": "#[test]\nfn replay_large_journal() {\n    std::thread::sleep(std::time::Duration::from_millis(600));\n}\n"}),
         env={"CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER": "ci/runner.sh"},
         steps=[("test", T + " --test slow")], color="always",
         keys=[(r"^error: test failed, to rerun pass", r"SIGKILL")])
    case(id="res-ulimit-v", family="resource", category="oom", flaky=True,
         extra={"tests/replay.rs": "#[test]\nfn replay_large_journal() {\n    let journal: Vec<u64> = Vec::with_capacity(200_000_000);\n    assert!(journal.capacity() >= 200_000_000);\n}\n"},
         steps=[("build", "cargo build --locked --tests"), ("test", "ulimit -v 1200000\ncargo test --locked")],
         keys=[(r"memory allocation of \d+ bytes failed", r"SIGABRT")], executor="kubernetes")
    case(id="res-ulimit-f", family="resource", category="infra", flaky=True,
         extra={"src/bin/ledgerd.rs": "fn main() {\n    println!(\"{}\", ledger::Ledger::new().total());\n}\n"},
         steps=[("build", "ulimit -f 2000\ncargo build --locked --bins")],
         keys=[(r"^error: linking with `cc` failed", r"File size limit exceeded")])
    case(id="res-enospc", family="resource", category="infra", flaky=True, deps='itoa = "1"',
         steps=[("build", "cargo build --locked")], env={"TMPFS": "1"},
         keys=[(r"No space left on device", 0)], color="always")
    case(id="res-linker-killed", family="resource", category="oom", flaky=True,
         extra={"ci/cc.sh": "#!/bin/sh\n# the kernel's OOM killer, reproduced: the linker dies of SIGKILL\nkill -9 $$\nexec cc \"$@\"\n", "src/bin/ledgerd.rs": "fn main() {\n    println!(\"{}\", ledger::Ledger::new().total());\n}\n"},
         env={"CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER": "ci/cc.sh"},
         steps=[("build", "cargo build --locked --bins")], executor="kubernetes",
         keys=[(r"^error: linking with `ci/cc.sh` failed|^error: linking with", r"signal: 9|SIGKILL")])

    # ---------------- timeouts: in setup (flaky) or in a test (not) (sealed)
    case(id="timeout-fetch-stall", family="timeout", category="timeout", flaky=True,
         deps=dep, fresh_home=True, env={"CARGO_HTTP_TIMEOUT": "60"},
         steps=[("fetch", "export CARGO_HTTP_PROXY=http://127.0.0.1:$STALL\ntimeout 12 cargo fetch")],
         keys=[(r"Updating crates.io index", 0)])
    case(id="timeout-job-fetch", family="timeout", category="timeout", flaky=True,
         deps=dep, fresh_home=True, env={"CARGO_HTTP_TIMEOUT": "60"}, timeout=10,
         steps=[("fetch", "export CARGO_HTTP_PROXY=http://127.0.0.1:$STALL\ncargo fetch")],
         system={"timeout": ["%s[31;1mERROR: Job failed: execution took longer than 1h0m0s seconds%s[0;m" % (ESC, ESC)]},
         keys=[(r"ERROR: Job failed: execution took longer than", 0)], executor="kubernetes")
    case(id="timeout-rustup-stall", family="timeout", category="timeout", flaky=True,
         cache=False,
         steps=[("toolchain", "export RUSTUP_HOME=$HOME/rustup RUSTUP_DIST_SERVER=http://127.0.0.1:$STALL\ntimeout 10 rustup toolchain install 1.79.0 --profile minimal")],
         keys=[(r"syncing channel updates|info: syncing", 0)])
    hang = {"tests/sync.rs": "use std::sync::mpsc;\n\n#[test]\nfn waits_for_settlement() {\n    let (_tx, rx) = mpsc::channel::<u64>();\n    // the settlement worker is never started: this waits forever\n    let settled = rx.recv().unwrap();\n    assert_eq!(settled, 1);\n}\n"}
    case(id="timeout-test-hang-cmd", family="timeout", category="timeout", flaky=False, extra=hang, timeout=120,
         steps=[("build", "cargo test --locked --no-run"), ("test", "timeout 75 cargo test --locked --test sync")],
         keys=[(r"test waits_for_settlement has been running for over 60 seconds", 0)], failed_tests=None)
    case(id="timeout-nextest-terminate", family="timeout", category="timeout", flaky=False, tool="cargo-nextest", extra=dict(nextest_cfg("slow-timeout = { period = \"2s\", terminate-after = 2 }\n"), **hang),
         steps=[("test", NX + " --profile ci")], artifacts=True,
         keys=[(r"^\s+TIMEOUT \[.*waits_for_settlement", 0)], failed_tests=["waits_for_settlement"])
    case(id="timeout-test-own", family="timeout", category="timeout", flaky=False,
         extra={"tests/worker.rs": "use std::sync::mpsc;\nuse std::time::Duration;\n\n#[test]\nfn worker_acknowledges_batch() {\n    let (_tx, rx) = mpsc::channel::<u64>();\n    let ack = rx.recv_timeout(Duration::from_secs(2)).expect(\"worker did not acknowledge the batch within 2s\");\n    assert_eq!(ack, 3);\n}\n"},
         steps=[("test", T + " --test worker")], color="always",
         keys=[(r"^---- worker_acknowledges_batch stdout ----", r"worker did not acknowledge")], failed_tests=["worker_acknowledges_batch"])
    case(id="timeout-job-test-hang", family="timeout", category="timeout", flaky=False, extra=hang, timeout=75,
         steps=[("build", "cargo test --locked --no-run"), ("test", "cargo test --locked --test sync")],
         system={"timeout": ["%s[31;1mERROR: Job failed: execution took longer than 1h0m0s seconds%s[0;m" % (ESC, ESC)]},
         keys=[(r"test waits_for_settlement has been running for over 60 seconds", 0)], executor="kubernetes")

    # ---------------- retries (sealed)
    flaky_files = {"tests/race.rs": FLAKY_TEST}
    case(id="retry-nextest-flaky-fail", family="retry", category="test_failure", flaky=True, tool="cargo-nextest",
         extra=dict(nextest_cfg(), **flaky_files), steps=[("test", NX + " --profile ci --retries 2 --flaky-result fail")],
         keys=[(r"^\s+TRY 1 FAIL \[.*concurrent_transfers_keep_totals", r"lost update")], failed_tests=["concurrent_transfers_keep_totals"], artifacts=True)
    case(id="retry-nextest-flaky-other-fail", family="retry", category="test_failure", flaky=False, tool="cargo-nextest",
         patch=[("tests/api.rs", "assert_eq!(parse_amount(\"0.07\"), Some(7));", "assert_eq!(parse_amount(\"0.07\"), Some(70));")],
         extra=dict(nextest_cfg(), **flaky_files), steps=[("test", NX + " --profile ci --retries 2")], executor="kubernetes",
         keys=[(r"^\s+TRY 3 FAIL \[.*parses_cents", r"^\s+right:")], failed_tests=["parses_cents"])
    case(id="retry-nextest-all-fail", family="retry", category="test_failure", flaky=False, tool="cargo-nextest",
         patch=[(LIB, "        *self.entries.entry(from.to_string()).or_insert(0) -= cents;", "        *self.entries.entry(from.to_string()).or_insert(0) -= cents + 1;")],
         extra=nextest_cfg(), steps=[("test", NX + " --profile ci --retries 2 -E 'test(totals)'")], color="always",
         keys=[(r"^\s+TRY 3 FAIL \[.*totals_stay_zero", r"^\s+right:")], failed_tests=["totals_stay_zero"])
    case(id="retry-nextest-flaky-timeout", family="retry", category="timeout", flaky=True, tool="cargo-nextest",
         extra=dict(nextest_cfg("slow-timeout = { period = \"1s\", terminate-after = 2 }\n"), **{"tests/race.rs": FLAKY_TEST.replace(
             "    let posted = if attempt() == 1 { 199 } else { 200 };",
             "    if attempt() == 1 {\n        std::thread::sleep(std::time::Duration::from_secs(30));\n    }\n    let posted = 200;")}),
         steps=[("test", NX + " --profile ci --retries 1 --flaky-result fail")],
         keys=[(r"TRY 1 TMT \[.*concurrent_transfers_keep_totals", r"\(test timed out\)")], failed_tests=["concurrent_transfers_keep_totals"])
    case(id="retry-libtest-script-flaky", family="retry", category="test_failure", flaky=True,
         extra=flaky_files, steps=[("test", "cargo test --locked --test race || { echo \"Retrying (attempt 2 of 2)\"; cargo test --locked --test race; }"),
                                  ("clippy", "cargo clippy --locked -- -D warnings -W clippy::pedantic")],
         keys=[(r"^error: (?:docs for function returning `Result`|item in documentation|this method could have a `#\[must_use\]`|you should put|.*)", 0)], failed_tests=None) if False else None
    case(id="retry-script-flaky-then-deterministic", family="retry", category="test_failure", flaky=False,
         patch=[("tests/api.rs", "assert_eq!(parse_amount(\"0.07\"), Some(7));", "assert_eq!(parse_amount(\"0.07\"), Some(70));")],
         extra=flaky_files, steps=[("test", "cargo test --locked --test race || { echo \"Retrying (attempt 2 of 2)\"; cargo test --locked --test race; }"),
                                  ("test-all", "cargo test --locked --test api")],
         keys=[(r"^---- parses_cents stdout ----", r"^\s+right:")], failed_tests=["parses_cents"])
    case(id="retry-fetch-exhausted", family="retry", category="dependency", flaky=True,
         deps=dep, fresh_home=True, executor="kubernetes",
         steps=[("fetch", "for i in 1 2 3; do\n  CARGO_HTTP_PROXY=http://127.0.0.1:$DEAD cargo fetch 2>&1 && break\n  [ $i = 3 ] && exit 101\n  echo \"Retrying (attempt $((i+1)) of 3)\"\n  sleep 1\ndone")],
         keys=[(r"^error: failed to get `\w+` as a dependency|^error: failed to download", r"Could(?:n't| not) connect to server|[Ff]ailed to connect", 2)])

    # ---------------- tune2 (flaky9): the same families in other words, to check
    # flaky9's fixes on logs nobody read while writing them
    t2 = dict(split="tune2")
    case(id="t2-nextest-flaky-panic-msg", family="retry", category="test_failure", flaky=True, tool="cargo-nextest",
         extra=dict(nextest_cfg(), **{"tests/settle.rs": FLAKY_TEST.replace("concurrent_transfers_keep_totals", "settlement_batches_balance")
                                       .replace('    assert_eq!(posted, 200, "lost update under concurrent transfers");',
                                                '    if posted != 200 {\n        panic!("batch settled {posted} of 200 transfers");\n    }')}),
         steps=[("test", NX + " --profile ci --retries 3 --flaky-result fail -E 'test(settlement)'")], executor="kubernetes",
         keys=[(r"^\s+TRY 1 FAIL \[.*settlement_batches_balance", r"batch settled")], failed_tests=["settlement_batches_balance"], **t2)
    case(id="t2-job-timeout-build-index", family="timeout", category="timeout", flaky=True,
         deps='itoa = "1"', fresh_home=True, env={"CARGO_HTTP_TIMEOUT": "60"}, timeout=10,
         steps=[("build", "export CARGO_HTTP_PROXY=http://127.0.0.1:$STALL\ncargo build --locked --release")],
         system={"timeout": ["%s[31;1mERROR: Job failed: execution took longer than 45m0s seconds%s[0;m" % (ESC, ESC)]},
         keys=[(r"ERROR: Job failed: execution took longer than", 0)], **t2)
    case(id="t2-oom-build-dep", family="resource", category="oom", flaky=True,
         extra={"ci/rustc-wrapper.sh": "#!/bin/sh\n# the kernel's OOM killer, reproduced: SIGKILL this rustc after a moment\n( sleep 0.3; kill -9 $$ ) &\nexec \"$@\"\n"},
         env={"RUSTC_WRAPPER": "ci/rustc-wrapper.sh", "CARGO_TERM_COLOR": "always"}, deps='itoa = "1"\nryu = "1"',
         steps=[("build", "cargo build --release --locked -j 1")], executor="kubernetes",
         keys=[(r"^error: could not compile", r"SIGKILL")], **t2)
    case(id="t2-net-test-genuine-fail", family="localnet", category="test_failure", flaky=False,
         patch=[("tests/net.rs", 'let addr = serve("1500\\n");', 'let addr = serve("-1500\\n");')],
         steps=[("test", T + " --test net")],
         keys=[(r"^---- reads_balance_from_service stdout ----", r"InvalidDigit|invalid digit|right:")],
         failed_tests=["reads_balance_from_service"], **t2)
    case(id="t2-timeout-update-index", family="timeout", category="timeout", flaky=True,
         deps='itoa = "1"', fresh_home=True, env={"CARGO_HTTP_TIMEOUT": "60"},
         steps=[("deps", "export CARGO_HTTP_PROXY=http://127.0.0.1:$STALL\ntimeout 9 cargo generate-lockfile")],
         keys=[(r"Updating crates.io index", 0)], **t2)

    # ---------------- tune3 (gl12): a blind split written before any engine
    # change for issue #13's GitLab/Rust misses; other shapes than tune/tune2
    # (a workspace of several crates, a proc-macro, nextest without JUnit,
    # `-- --test-threads`, doc-test compile errors, a stale lock file, cache
    # restore noise). Looked at only for its numbers.
    t3 = dict(split="tune3")
    ws_toml = CARGO_TOML.format(deps="{deps}") + "\n[workspace]\nmembers = [{members}]\n"

    def ws(members, deps="", **files):
        d = {"Cargo.toml": ws_toml.format(deps=deps, members=", ".join('"%s"' % m for m in members))}
        d.update({k.replace("__", "/").replace("_DOT_", "."): v for k, v in files.items()})
        return d

    report_toml = "[package]\nname = \"ledger-report\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nledger = { path = \"../..\" }\n"
    report_rs = ("//! Renders ledger balances for the monthly statement.\n\n"
                 "/// Formats cents as `12.34`, negative amounts in parentheses.\n"
                 "pub fn money(cents: i64) -> String {\n"
                 "    let a = cents.abs();\n"
                 "    let s = format!(\"{}.{:02}\", a / 100, a % 100);\n"
                 "    if cents < 0 { format!(\"({s})\") } else { s }\n"
                 "}\n\n"
                 "pub fn statement(l: &ledger::Ledger) -> Vec<String> {\n"
                 "    l.accounts().into_iter().map(|a| format!(\"{a:<8}{:>12}\", money(l.balance(a)))).collect()\n"
                 "}\n\n"
                 "#[cfg(test)]\nmod tests {\n    use super::*;\n\n"
                 "    #[test]\n    fn renders_cents() {\n        assert_eq!(money(1234), \"12.34\");\n    }\n\n"
                 "    #[test]\n    fn renders_negative_in_parens() {\n        assert_eq!(money(-705), \"(7.05)\");\n    }\n\n"
                 "    #[test]\n    fn statement_has_one_line_per_account() {\n        let mut l = ledger::Ledger::new();\n        l.transfer(\"cash\", \"rent\", 5);\n        assert_eq!(statement(&l).len(), 2);\n    }\n}\n")
    rep = {"crates/ledger-report/Cargo.toml": report_toml, "crates/ledger-report/src/lib.rs": report_rs}

    case(id="t3-ws-member-assert", family="tests", category="test_failure", flaky=False,
         extra=dict(ws(["crates/ledger-report"]), **{"crates/ledger-report/Cargo.toml": report_toml,
                    "crates/ledger-report/src/lib.rs": report_rs.replace("if cents < 0 { format!(\"({s})\") } else { s }", "if cents < 0 { format!(\"-{s}\") } else { s }")}),
         steps=[("test", "cargo test --workspace --locked --no-fail-fast")],
         keys=[(r"^---- tests::renders_negative_in_parens stdout ----", r"^\s+right:")],
         failed_tests=["tests::renders_negative_in_parens"], **t3)
    case(id="t3-test-threads-expect", family="tests", category="test_failure", flaky=False, executor="kubernetes",
         extra={"tests/import.rs": "use ledger::parse_amount;\n\nfn import(csv: &str) -> Result<Vec<i64>, String> {\n    csv.lines().map(|l| parse_amount(l.trim()).ok_or(format!(\"bad amount {l:?}\"))).collect()\n}\n\n#[test]\nfn imports_bank_export() {\n    let rows = import(\"12.50\\n3.99\\n1,200.00\\n\").expect(\"bank export must import\");\n    assert_eq!(rows.iter().sum::<i64>(), 121649);\n}\n\n#[test]\nfn imports_empty_file() {\n    assert_eq!(import(\"\").unwrap(), Vec::<i64>::new());\n}\n"},
         steps=[("test", "cargo test --locked --tests -- --test-threads=1")],
         keys=[(r"^---- imports_bank_export stdout ----", r"bank export must import")],
         failed_tests=["imports_bank_export"], color="always", **t3)
    case(id="t3-nextest-default-profile", family="tests", category="test_failure", flaky=False, tool="cargo-nextest",
         extra=dict(ws(["crates/ledger-report"]), **{"crates/ledger-report/Cargo.toml": report_toml,
                    "crates/ledger-report/src/lib.rs": report_rs.replace("l.accounts().into_iter().map(", "l.accounts().into_iter().skip(1).map(")}),
         steps=[("test", "cargo nextest run --workspace --locked --no-fail-fast")],
         keys=[(r"^\s+FAIL \[.*statement_has_one_line_per_account", r"^\s+right:")],
         failed_tests=["tests::statement_has_one_line_per_account"], **t3)
    case(id="t3-doctest-compile-error", family="tests", category="test_failure", flaky=False,
         patch=[(LIB, "    pub fn new() -> Self {", "    /// ```\n    /// let mut l = ledger::Ledger::with_accounts(&[\"cash\", \"rent\"]);\n    /// l.transfer(\"cash\", \"rent\", 5);\n    /// ```\n    pub fn new() -> Self {")],
         steps=[("test", "cargo test --locked --doc")],
         keys=[(r"^---- src/lib.rs - Ledger::new \(line \d+\) stdout ----", r"^error\[E0599\]")],
         failed_tests=["src/lib.rs - Ledger::new (line 29)"], executor="kubernetes", **t3)
    derive_toml = "[package]\nname = \"ledger-derive\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[lib]\nproc-macro = true\n"
    derive_rs = ("use proc_macro::{TokenStream, TokenTree};\n\n"
                 "/// `#[derive(Account)]`: an `account_name()` for a struct, from its name.\n"
                 "#[proc_macro_derive(Account)]\n"
                 "pub fn derive_account(input: TokenStream) -> TokenStream {\n"
                 "    let mut it = input.into_iter();\n"
                 "    let mut kind = String::new();\n"
                 "    let mut name = String::new();\n"
                 "    while let Some(t) = it.next() {\n"
                 "        if let TokenTree::Ident(i) = t {\n"
                 "            let s = i.to_string();\n"
                 "            if s == \"struct\" || s == \"enum\" {\n"
                 "                kind = s;\n"
                 "                name = it.next().map(|t| t.to_string()).unwrap_or_default();\n"
                 "                break;\n"
                 "            }\n"
                 "        }\n"
                 "    }\n"
                 "    if kind != \"struct\" {\n"
                 "        panic!(\"#[derive(Account)] supports structs only, `{name}` is an {kind}\");\n"
                 "    }\n"
                 "    format!(\"impl {name} {{ pub fn account_name() -> &'static str {{ \\\"{name}\\\" }} }}\").parse().unwrap()\n"
                 "}\n")
    case(id="t3-proc-macro-panic", family="compile", category="compilation", flaky=False, tool="rustc",
         extra=ws(["crates/ledger-derive"], deps='ledger-derive = { path = "crates/ledger-derive" }',
                  **{"crates/ledger-derive/Cargo.toml": derive_toml, "crates/ledger-derive/src/lib.rs": derive_rs}),
         patch=[(LIB, "pub mod net;", "pub mod net;\n\n/// Where a transfer came from.\n#[derive(ledger_derive::Account)]\npub enum Source {\n    Bank,\n    Card,\n}")],
         steps=[("build", "cargo build --workspace --locked --all-targets")],
         keys=[(r"^error: proc-macro derive panicked", r"= help: message:")], **t3)
    schema_toml = "[package]\nname = \"ledger-schema\"\nversion = \"0.1.0\"\nedition = \"2021\"\nbuild = \"build.rs\"\n"
    schema_build = ("fn main() {\n    println!(\"cargo:rerun-if-env-changed=LEDGER_SCHEMA_VERSION\");\n"
                    "    println!(\"cargo:warning=checking the ledger schema against migrations/\");\n"
                    "    let v = std::env::var(\"LEDGER_SCHEMA_VERSION\").unwrap_or_default();\n"
                    "    if v.parse::<u32>().map_or(true, |n| n < 7) {\n"
                    "        panic!(\"schema version {v:?} is older than the migrations (need >= 7); set LEDGER_SCHEMA_VERSION\");\n"
                    "    }\n}\n")
    case(id="t3-build-rs-member", family="compile", category="compilation", flaky=False, tool="cargo",
         extra=ws(["crates/ledger-schema", "crates/ledger-report"], **{"crates/ledger-schema/Cargo.toml": schema_toml,
                  "crates/ledger-schema/build.rs": schema_build, "crates/ledger-schema/src/lib.rs": "//! The schema version the ledger expects.\npub const VERSION: u32 = 7;\n",
                  "crates/ledger-report/Cargo.toml": report_toml, "crates/ledger-report/src/lib.rs": report_rs}),
         steps=[("test", "cargo test --workspace --locked --no-fail-fast")],
         keys=[(r"^error: failed to run custom build command for `ledger-schema", r"older than the migrations")], **t3)
    case(id="t3-clippy-workspace", family="lint", category="lint", flaky=False, tool="clippy",
         extra=ws(["crates/ledger-report"], **{"crates/ledger-report/Cargo.toml": report_toml,
                  "crates/ledger-report/src/lib.rs": report_rs.replace("pub fn statement(", "/// The widest account name, for column alignment.\npub fn widest(names: &[&str]) -> usize {\n    let mut w = 0;\n    for i in 0..names.len() {\n        w = w.max(names[i].len());\n    }\n    w\n}\n\npub fn statement(")}),
         steps=[("fmt", "cargo fmt --all --check || true"), ("clippy", "cargo clippy --workspace --all-targets --locked -- -D warnings")],
         keys=[(r"^error: the loop variable `i` is only used to index `names`", r"^\s+= help: for further")], executor="kubernetes", **t3)
    stale_lock = "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n\n[[package]]\nname = \"ledger\"\nversion = \"0.3.1\"\n"
    case(id="t3-stale-lockfile", family="deps", category="dependency", flaky=False,
         deps='itoa = "1"', fresh_home=True, extra={"Cargo.lock": stale_lock},
         steps=[("build", "cargo build --locked --release")],
         keys=[(r"^error: cannot update the lock file .* because --locked was passed", r"^help: to generate the lock file")], **t3)
    case(id="t3-net-sparse-mirror-dns", family="network", category="dependency", flaky=True,
         deps='itoa = "1"', fresh_home=True, color="always",
         extra={".cargo/config.toml": "[source.crates-io]\nreplace-with = \"acme-mirror\"\n\n[source.acme-mirror]\nregistry = \"sparse+https://crates-mirror.acme-internal.invalid/index/\"\n"},
         steps=[("fetch", "cargo fetch")],
         keys=[(r"^error: failed to get `itoa` as a dependency", r"resolve|Could not resolve")], executor="kubernetes", **t3)
    bad_zip = ["%s[32;1mChecking cache for cargo-1-protected...%s[0;m" % (ESC, ESC),
               "Downloading cache from https://storage.googleapis.com/acme-runner-cache/project/4121/cargo-1-protected%s  ETag%s=%s\"6c1f9a2\"%s" % (ESC + "[0;m", ESC + "[0;m", ESC + "[0;m", ESC + "[0;m"),
               "%s[0;33mWARNING: cache.zip: unexpected EOF                %s[0;m" % (ESC, ESC),
               "%s[0;33mWARNING: Failed to extract cache%s[0;m" % (ESC, ESC)]
    case(id="t3-cache-restore-fail-then-test", family="system", category="test_failure", flaky=False,
         cache_lines=bad_zip, cache=True,
         patch=[("tests/api.rs", "    assert_eq!(l.balance(\"cash\"), -1_140_000);", "    assert_eq!(l.balance(\"cash\"), 1_140_000, \"cash must be debited\");")],
         steps=[("test", T + " --test api -- --test-threads 2")],
         keys=[(r"^---- month_of_rent stdout ----", r"cash must be debited|^\s+right:")], failed_tests=["month_of_rent"], **t3)
    case(id="t3-sys-attach-lost", family="system", category="infra", flaky=True, executor="kubernetes",
         extra=ws(["crates/ledger-report"], **rep),
         steps=[("test", "cargo test --workspace --locked")],
         system={"cut": "Compiling ledger-report",
                 "tail": ["%s[31;1mERROR: Job failed (system failure): error streaming logs: unable to upgrade connection: container not found (\"build\")%s[0;m" % (ESC, ESC)]},
         keys=[(r"ERROR: Job failed \(system failure\): error streaming logs", 0)], **t3)
    case(id="t3-res-nextest-ulimit", family="resource", category="oom", flaky=True, tool="cargo-nextest",
         extra={"tests/replay.rs": "#[test]\nfn replay_large_journal() {\n    let journal: Vec<u64> = Vec::with_capacity(300_000_000);\n    assert!(journal.capacity() >= 300_000_000);\n}\n\n#[test]\nfn replay_empty_journal() {\n    assert!(Vec::<u64>::new().is_empty());\n}\n"},
         steps=[("build", "cargo nextest run --locked --no-run"), ("test", "ulimit -v 1500000\ncargo nextest run --locked --no-fail-fast")],
         keys=[(r"^\s+SIGABRT \[.*replay_large_journal", r"memory allocation of \d+ bytes failed")], failed_tests=["replay_large_journal"], **t3)
    case(id="t3-timeout-cargo-install", family="timeout", category="timeout", flaky=True,
         fresh_home=True, env={"CARGO_HTTP_TIMEOUT": "60"}, cache=False,
         steps=[("tools", "export CARGO_HTTP_PROXY=http://127.0.0.1:$STALL\ntimeout 8 cargo install --locked cargo-deny"), ("deny", "cargo deny check")],
         keys=[(r"Updating crates.io index", 0)], **t3)
    case(id="t3-retry-pass-then-clippy", family="retry", category="lint", flaky=False, tool="clippy",
         extra=flaky_files,
         patch=[(LIB, "    pub fn accounts(&self) -> Vec<&str> {\n        self.entries.keys().map(|k| k.as_str()).collect()",
                 "    pub fn accounts(&self) -> Vec<&str> {\n        self.entries.iter().map(|(k, _)| k.as_str()).collect()")],
         steps=[("test", "cargo test --locked --test race || { echo \"Retrying failed tests (attempt 2 of 2)\"; cargo test --locked --test race; }"),
                ("clippy", "cargo clippy --locked --all-targets -- -D warnings")],
         keys=[(r"^error: iterating on a map's keys", r"^\s+= help: for further")], **t3)

SPECIAL = {}


def special_envelopes(c):
    """Envelope-only cases: what fails is the runner, before any command."""
    e = ESC
    if c.system == "PULL":
        out = subprocess.run(["docker", "pull", "rust:1.95-bookworm"], capture_output=True, text=True).stderr.strip()
        # the runner prints the daemon's message as is, wrapped in its own words
        return {"pull": ["%s[0;33mWARNING: Failed to pull image with policy \"always\": %s (manager.go:254:0s)%s[0;m" % (e, out, e)],
                "tail": ["%s[31;1mERROR: Job failed: failed to pull image \"rust:1.95-bookworm\" with specified policies [always]: %s (manager.go:254:0s)%s[0;m" % (e, out, e)]}
    if c.system == "SERVICE":
        out = subprocess.run(["docker", "pull", "postgres:16-alpine"], capture_output=True, text=True).stderr.strip()
        return {"pull": ["%s[0KStarting service postgres:16-alpine ...%s[0;m" % (e, e), "%s[0KPulling docker image postgres:16-alpine ...%s[0;m" % (e, e),
                         "%s[0;33mWARNING: Failed to pull image with policy \"if-not-present\": %s (manager.go:254:0s)%s[0;m" % (e, out, e)],
                "tail": ["%s[31;1mERROR: Job failed (system failure): failed to pull image \"postgres:16-alpine\" with specified policies [if-not-present]: %s (manager.go:254:0s)%s[0;m" % (e, out, e)]}
    if c.system == "SOURCES":
        p = subprocess.run(["git", "clone", "https://gitlab-ci-token:[MASKED]@gitlab.acme-internal.invalid/acme/ledger.git", "/tmp/flaky8-nonexistent-clone"],
                           capture_output=True, text=True, env=dict(os.environ, GIT_TERMINAL_PROMPT="0"))
        lines = [x for x in p.stderr.strip().split("\n") if x and not x.startswith("Cloning")]
        return {"sources": ["%s[32;1mFetching changes with git depth set to 20...%s[0;m" % (e, e),
                            "Initialized empty Git repository in %s/.git/" % REPO,
                            "%s[32;1mCreated fresh repository.%s[0;m" % (e, e)] + lines,
                "tail": ["section_start:1796460999:cleanup_file_variables\r%s[0K%s[0K%s[36;1mCleaning up project directory and file based variables%s[0;m" % (e, e, e, e),
                         "%s[31;1mERROR: Job failed: exit code 1%s[0;m" % (e, e)]}
    if c.system == "PREPARE":
        out = subprocess.run(["docker", "pull", "registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:x86_64-v17.6.0"], capture_output=True, text=True).stderr.strip()
        L = []
        for _ in range(3):
            L += ["%s[31;1mERROR: Preparation failed: failed to pull image \"registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:x86_64-v17.6.0\" with specified policies [always]: %s (manager.go:254:0s)%s[0;m" % (e, out, e),
                  "Will be retried in 3s ..."]
        L[-1] = "%s[31;1mERROR: Job failed (system failure): failed to pull image \"registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:x86_64-v17.6.0\" with specified policies [always]: %s (manager.go:254:0s)%s[0;m" % (e, out, e)
        return {"pull": [], "tail": L}
    return c.system


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only")
    ap.add_argument("--work", default="/tmp/flaky8-work")
    a = ap.parse_args()
    define()
    cases = [c for c in CASES if c is not None]
    missing = [t for t in ("cargo", "rustc", "cargo-nextest", "git", "docker") if not shutil.which(t)]
    if missing:
        print("missing tools (their cases are skipped):", missing)
    os.makedirs(a.work, exist_ok=True)
    srv = Servers()
    os.makedirs(os.path.join(HERE, "cases"), exist_ok=True)
    labels_path = os.path.join(HERE, "labels.jsonl")
    old = {}
    if os.path.exists(labels_path):
        for ln in open(labels_path):
            r = json.loads(ln)
            old[r["id"]] = r
    for c in cases:
        if a.only and a.only not in c.id:
            continue
        if c.tool == "cargo-nextest" and "cargo-nextest" in missing:
            continue
        t0 = time.time()
        c.system = special_envelopes(c)
        if (c.env or {}).get("TMPFS"):
            c.steps = [("mount", "")] + c.steps if False else c.steps
        ran, after, src, home = execute_with_tmpfs(c, a.work, srv)
        lines, _ = envelope(c, ran, after, lambda t: clean(t, src, home, srv))
        text = "\n".join(lines) + "\n"
        lines = text.split("\n")
        with open(os.path.join(HERE, "cases", c.id + ".log"), "w") as f:
            f.write(text)
        try:
            spans = find_keys(c, lines)
        except SystemExit as e:
            print("SKIP", e)
            continue
        old[c.id] = {"dataset": "realtools_" + PART, "id": c.id, "log": "%s/cases/%s.log" % (PART, c.id), "ci": "gitlab",
                     "language": "rust", "tool": c.tool, "category": c.category, "flaky": c.flaky, "key_lines": spans,
                     "failed_tests": c.failed_tests, "split": c.split or ("sealed" if c.family in SEALED else "tune"),
                     "family": c.family, "label_source": "generated: real %s output, injected failure" % c.tool}
        print("%-40s %5.1fs rc=%s %s" % (c.id, time.time() - t0, ran[-1]["rc"] if ran else "-", spans))
    order = [c.id for c in cases]
    with open(labels_path, "w") as f:
        for i in order:
            if i in old:
                f.write(json.dumps(old[i]) + "\n")


def execute_with_tmpfs(c, work, srv):
    if not (c.env or {}).get("TMPFS"):
        return execute(c, work, srv)
    # a full disk, for real: the target directory is a 6 MB tmpfs
    steps = c.steps
    c.steps = [("setup", "true")]
    c.env = {k: v for k, v in c.env.items() if k != "TMPFS"}
    execute(c, work, srv)
    src = os.path.join(work, c.id, "ledger")
    tgt = os.path.join(src, "target")
    os.makedirs(tgt, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", tgt], check=True)
    c.steps = steps
    # execute() recreates the tree; keep the mount by running the steps here
    home = os.path.join(work, "cargo-home")
    env = dict(PATH=os.path.expanduser("~/.cargo/bin") + ":/usr/local/bin:/usr/bin:/bin", HOME=os.path.join(work, c.id, "home"),
               CARGO_HOME=home, RUSTUP_HOME=os.path.expanduser("~/.rustup"), LANG="C.UTF-8", CI="true",
               CARGO_BUILD_JOBS="2", CARGO_INCREMENTAL="0", CARGO_TERM_COLOR=c.color or "never")
    ran = []
    for name, cmd in [("version", "rustc --version && cargo --version")] + list(steps):
        out, rc, killed = run(cmd, src, env, c.timeout)
        ran.append(dict(name=name, cmd=cmd, out=out, rc=rc, killed=killed, secs=1))
        if rc != 0:
            break
    subprocess.run(["umount", tgt])
    return ran, [], src, home


if __name__ == "__main__":
    main()
