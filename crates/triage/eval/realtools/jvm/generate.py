#!/usr/bin/env python3
"""Regenerate the realtools/jvm corpus from REAL tool output (helper jvm10).

Every case is a small project with one injected failure. The generator writes
the project, clones it with git (real clone output), runs the real setup
commands and the real tool, captures what they printed, and wraps it in the
job log of one CI system (rotated per case). Only the CI envelope lines (step
headers, timestamps, exit-code footers) are written here; everything between
them is the tools' own output, with this machine's paths replaced by the CI
system's workspace path.

Labels are computed from the final text by searching for what was injected
(never hard-coded line numbers).

Envelope and labelling code is copied from ../scripting/generate.py.
Maven runs against Debian's repository (/usr/share/maven-repo) as if it
were Maven Central: its file:// URL is written as Central's URL.

Usage: python3 generate.py [--only ID_SUBSTRING] [--work DIR]
Missing tools are reported and their cases skipped.
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
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
PART = "jvm"
CIS = ["travis", "gha", "gitlab", "jenkins", "buildkite", "circleci", "azure"]
# split by ecosystem, fixed before any measurement (README.md)
TUNE = {"maven", "javac", "junit", "checkstyle", "javadoc", "jvm"}
SEALED = {"gradle", "ant", "testng", "groovy", "scala", "kotlin"}
DEBIAN_REPO = "/usr/share/maven-repo"
CENTRAL = "https://repo.maven.apache.org/maven2"

WORKSPACE = {
    "travis": "/home/travis/build/acme/{repo}",
    "gha": "/home/runner/work/{repo}/{repo}",
    "gitlab": "/builds/acme/{repo}",
    "jenkins": "/var/lib/jenkins/workspace/{repo}",
    "buildkite": "/var/lib/buildkite-agent/builds/ci-agent-1/acme/{repo}",
    "circleci": "/home/circleci/project",
    "azure": "/home/vsts/work/1/s",
}
HOMES = {
    "travis": "/home/travis", "gha": "/home/runner", "gitlab": "/root",
    "jenkins": "/var/lib/jenkins", "buildkite": "/var/lib/buildkite-agent",
    "circleci": "/home/circleci", "azure": "/home/vsts",
}


def D(s):
    return textwrap.dedent(s).lstrip("\n")


class Case:
    def __init__(self, id, lang, tool, category, flaky, files, steps, keys,
                 failed_tests=None, setup=(), needs=(), ci=None, repo=None, eco=None, m2="warm", split=None):
        self.id = id
        self.split = split           # None: by ecosystem (TUNE/SEALED); "tune2": made after jvm10's engine changes; "tune3": jvm11's check; "tune4": jvm12's check
        self.eco = eco
        self.m2 = m2                 # "warm": a cached ~/.m2 shared by cases; "fresh": empty, Maven downloads
        self.lang = lang
        self.tool = tool
        self.category = category
        self.flaky = flaky
        self.files = files
        self.setup = list(setup)     # (name, cmd): steps that must pass
        self.steps = list(steps)     # (name, cmd): the job's script; the last failing one fails it
        self.keys = keys             # [(start_substring, end_substring_or_extra_lines), ...]
        self.failed_tests = failed_tests
        self.needs = list(needs)
        self.ci = ci
        self.repo = repo or id.split("-")[0] + "-proj"


CASES = []


def case(**kw):
    CASES.append(Case(**kw))


# --------------------------------------------------------------------------
# running


def run(cmd, cwd, env, timeout=180):
    try:
        p = subprocess.run(["bash", "-e", "-c", cmd], cwd=cwd, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        # a signal death reads as the shell reports it (134 for SIGABRT, 137 for SIGKILL)
        return p.stdout.decode("utf-8", "replace"), p.returncode if p.returncode >= 0 else 128 - p.returncode
    except subprocess.TimeoutExpired as e:
        return (e.stdout or b"").decode("utf-8", "replace"), 124


def materialise(c, work):
    base = os.path.join(work, c.id)
    shutil.rmtree(base, ignore_errors=True)
    src = os.path.join(base, "src")
    os.makedirs(src)
    for path, text in c.files.items():
        p = os.path.join(src, path)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
        if path.startswith("bin/") or path.endswith(".sh"):
            os.chmod(p, 0o755)
    genv = dict(os.environ, GIT_AUTHOR_NAME="ci", GIT_AUTHOR_EMAIL="ci@example.com",
                GIT_COMMITTER_NAME="ci", GIT_COMMITTER_EMAIL="ci@example.com",
                GIT_AUTHOR_DATE="2026-11-30T10:00:00Z", GIT_COMMITTER_DATE="2026-11-30T10:00:00Z")
    subprocess.run("git init -q -b main && git add -A && git commit -qm 'change under test'",
                   shell=True, cwd=src, env=genv, check=True)
    return base, src


SETTINGS = """<settings>
%s  <profiles>
    <profile>
      <id>ci-mirror</id>
      <repositories>
        <repository><id>central</id><url>file://%s</url>
          <releases><checksumPolicy>ignore</checksumPolicy></releases><snapshots><enabled>false</enabled></snapshots></repository>
      </repositories>
      <pluginRepositories>
        <pluginRepository><id>central</id><url>file://%s</url>
          <releases><checksumPolicy>ignore</checksumPolicy></releases><snapshots><enabled>false</enabled></snapshots></pluginRepository>
      </pluginRepositories>
    </profile>
  </profiles>
  <activeProfiles><activeProfile>ci-mirror</activeProfile></activeProfiles>
</settings>
"""


def execute(c, work, venv):
    base, src = materialise(c, work)
    home = os.path.join(base, "home")
    env = dict(os.environ)
    env.update(LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="dumb", CI="true", HOME=home,
               MAVEN_OPTS="-Duser.home=" + home, GRADLE_USER_HOME=os.path.join(home, ".gradle"),
               JAVA_OPTS="-Duser.home=" + home, NO_COLOR="1")
    os.makedirs(os.path.join(home, ".m2"), exist_ok=True)
    local = "  <localRepository>%s</localRepository>\n" % os.path.join(work, "m2-warm") if c.m2 == "warm" else ""
    with open(os.path.join(home, ".m2", "settings.xml"), "w") as f:
        f.write(SETTINGS % (local, DEBIAN_REPO, DEBIAN_REPO))
    out, rc = run("git clone --depth=50 --branch=main file://%s acme/%s" % (src, c.repo), base, env)
    build = os.path.join(base, "acme", c.repo)
    ran = [dict(name="checkout", cmd="git clone --depth=50 --branch=main https://github.com/acme/%s.git %s" % (c.repo, c.repo),
                out=out.replace("file://" + src, "https://github.com/acme/%s.git" % c.repo).replace("'acme/%s'" % c.repo, "'%s'" % c.repo),
                rc=rc, phase="setup")]
    for name, cmd in c.setup:
        out, rc = run(cmd, build, env)
        ran.append(dict(name=name, cmd=cmd, out=out, rc=rc, phase="setup"))
        if rc != 0:
            raise RuntimeError("%s: setup %r failed (%d):\n%s" % (c.id, cmd, rc, out[-2000:]))
    failed = False
    for name, cmd in c.steps:
        out, rc = run(cmd, build, env, timeout=400)
        ran.append(dict(name=name, cmd=cmd, out=out, rc=rc, phase="script"))
        failed = failed or rc != 0
    if not failed:
        raise RuntimeError("%s: no step failed:\n%s" % (c.id, ran[-1]["out"][-3000:]))
    return base, build, ran


def scrub(text, ci, c, base, build, venv):
    ws = WORKSPACE[ci].format(repo=c.repo)
    home = HOMES[ci]
    for a, b in [(build, ws), (os.path.join(venv, "m2-warm"), home + "/.m2/repository"),
                 (os.path.join(base, "home"), home), (base, home + "/tmp"),
                 ("file://" + DEBIAN_REPO, CENTRAL)]:
        text = text.replace(a, b)
    return text


# --------------------------------------------------------------------------
# CI envelopes: the only lines this script writes itself


ESC = "\x1b"


class Clock:
    def __init__(self, seed):
        self.t = 1796284800 + (seed * 3607) % 86400   # 2026-12-03 08:00 UTC + a per-case offset
        self.frac = seed * 7919 % 10000000

    def tick(self, n=1):
        self.frac += 1234567 * n
        self.t += self.frac // 10000000
        self.frac %= 10000000

    def iso(self):
        import time
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.t)) + ".%07dZ" % self.frac


def lines_of(out):
    out = out.replace("\r\n", "\n")
    ls = out.split("\n")
    if ls and ls[-1] == "":
        ls.pop()
    return ls


def travis(c, ran, clk):
    L, starts = [], []
    jid = hashlib.sha1(c.id.encode()).hexdigest()
    L += ["travis_fold:start:worker_info\r%s[0K%s[33;1mWorker information%s[0m" % (ESC, ESC, ESC),
          "hostname: %s-%s:travis-ci-garnet-trusty" % (jid[:8], jid[8:12]),
          "version: v6.2.8 https://github.com/travis-ci/worker/tree/8b1a0d5d",
          "instance: travis-job-%s travis-ci-sardonyx-xenial-1553530528-f909ac5 (via amqp)" % jid[12:20],
          "startup: 5.921234871s",
          "travis_fold:end:worker_info\r%s[0K" % ESC,
          "%s[0K%s[33;1mBuild system information%s[0m" % (ESC, ESC, ESC),
          "Build language: %s" % c.lang, "Build dist: xenial", "Build id: %d" % (600000000 + int(jid[:6], 16)),
          "Job id: %d" % (600000001 + int(jid[:6], 16)), "Runtime kernel version: 4.15.0-1077-gcp", ""]
    for i, r in enumerate(ran):
        tid = hashlib.sha1(("%s%d" % (c.id, i)).encode()).hexdigest()[:8]
        if r["name"] == "checkout":
            L.append("travis_fold:start:git.checkout\r%s[0Ktravis_time:start:%s\r%s[0K$ %s" % (ESC, tid, ESC, r["cmd"]))
        else:
            L.append("travis_time:start:%s\r%s[0K$ %s" % (tid, ESC, r["cmd"]))
        starts.append(len(L))
        L += lines_of(r["out"])
        end = "travis_time:end:%s:start=%d,finish=%d,duration=%d,event=%s\r%s[0K" % (
            tid, clk.t * 10**9, (clk.t + 3) * 10**9, 3 * 10**9, "script" if r["phase"] == "script" else "install", ESC)
        clk.tick(30)
        if r["rc"] != 0:
            L.append(end + "%s[31;1mThe command \"%s\" exited with %d.%s[0m" % (ESC, r["cmd"], r["rc"], ESC))
        else:
            L.append(end)
        if r["name"] == "checkout":
            L.append("travis_fold:end:git.checkout\r%s[0K" % ESC)
        if r["phase"] == "setup" and r["rc"] != 0:
            break
    rc = max(1, max(r["rc"] for r in ran if r["rc"]))
    L += ["", "", "Done. Your build exited with %d." % (1 if rc else 0)]
    return L, starts


def gha(c, ran, clk):
    raw, starts = [], []
    raw += ["Current runner version: '2.321.0'", "##[group]Operating System", "Ubuntu", "22.04.5",
            "LTS", "##[endgroup]", "##[group]Runner Image", "Image: ubuntu-22.04", "Version: 20241201.1.0",
            "##[endgroup]", "##[group]GITHUB_TOKEN Permissions", "Contents: read", "Metadata: read", "##[endgroup]",
            "Secret source: Actions", "Prepare workflow directory", "Prepare all required actions",
            "Complete job name: %s" % c.tool]
    failed = False
    for r in ran:
        cmd_lines = r["cmd"].split("\n")
        raw.append("##[group]Run %s" % cmd_lines[0])
        raw += cmd_lines
        raw += ["shell: /usr/bin/bash -e {0}", "##[endgroup]"]
        starts.append(len(raw))
        raw += lines_of(r["out"])
        if r["rc"] != 0:
            raw.append("##[error]Process completed with exit code %d." % r["rc"])
            failed = True
            break
    raw += ["Post job cleanup.", "[command]/usr/bin/git version", "git version 2.47.1",
            "Cleaning up orphan processes"]
    L = []
    for x in raw:
        clk.tick()
        L.append(clk.iso() + " " + x)
    return L, starts


def gitlab(c, ran, clk):
    L, starts = [], []
    jid = int(hashlib.sha1(c.id.encode()).hexdigest()[:6], 16)

    def sec(name, title):
        clk.tick(3)
        L.append("section_start:%d:%s\r%s[0K%s[0K%s[36;1m%s%s[0;m" % (clk.t, name, ESC, ESC, ESC, title, ESC))

    def end(name):
        clk.tick(2)
        L.append("section_end:%d:%s\r%s[0K" % (clk.t, name, ESC))
    L += ["%s[0KRunning with gitlab-runner 17.5.3 (12030cf4)%s[0;m" % (ESC, ESC),
          "%s[0K  on shared-docker-3 zxK8pQ2m, system ID: s_6b1f0e2c9d4a%s[0;m" % (ESC, ESC)]
    sec("prepare_executor", "Preparing the \"docker\" executor")
    L += ["%s[0KUsing Docker executor with image debian:bookworm ...%s[0;m" % (ESC, ESC),
          "%s[0KPulling docker image debian:bookworm ...%s[0;m" % (ESC, ESC),
          "%s[0KUsing docker image sha256:1f3c5e9ae2a8 for debian:bookworm with digest debian@sha256:10901ccd8d24 ...%s[0;m" % (ESC, ESC)]
    end("prepare_executor")
    sec("prepare_script", "Preparing environment")
    L += ["Running on runner-zxk8pq2m-project-4121-concurrent-0 via ci-runner-07..."]
    end("prepare_script")
    sec("get_sources", "Getting source from Git repository")
    r = ran[0]
    L.append("%s[32;1m$ %s%s[0;m" % (ESC, r["cmd"], ESC))
    starts.append(len(L))
    L += lines_of(r["out"])
    end("get_sources")
    sec("step_script", "Executing \"step_script\" stage of the job script")
    L.append("%s[0KUsing docker image sha256:1f3c5e9ae2a8 for debian:bookworm ...%s[0;m" % (ESC, ESC))
    rc = 0
    for r in ran[1:]:
        L += ["%s[32;1m$ %s%s[0;m" % (ESC, x, ESC) for x in r["cmd"].split("\n")]
        starts.append(len(L))
        L += lines_of(r["out"])
        if r["rc"] != 0:
            rc = r["rc"]
            break
    end("step_script")
    sec("cleanup_file_variables", "Cleaning up project directory and file based variables")
    end("cleanup_file_variables")
    L += ["%s[31;1mERROR: Job failed: exit code %d" % (ESC, rc), "%s[0;m" % ESC]
    return L, starts


def jenkins(c, ran, clk):
    ws = WORKSPACE["jenkins"].format(repo=c.repo)
    L, starts = ["Started by an SCM change", "Obtained Jenkinsfile from git https://github.com/acme/%s.git" % c.repo,
                 "[Pipeline] Start of Pipeline", "[Pipeline] node", "Running on linux-agent-2 in %s" % ws,
                 "[Pipeline] {"], []
    stage = None
    rc = 0
    for r in ran:
        want = "Checkout" if r["phase"] == "setup" and r["name"] == "checkout" else ("Setup" if r["phase"] == "setup" else r["name"].title())
        if want != stage:
            if stage:
                L += ["[Pipeline] }", "[Pipeline] // stage"]
            L += ["[Pipeline] stage", "[Pipeline] { (%s)" % want]
            stage = want
        L += ["[Pipeline] sh"] + ["+ " + x for x in r["cmd"].split("\n")]
        starts.append(len(L))
        L += lines_of(r["out"])
        if r["rc"] != 0:
            rc = r["rc"]
            break
    L += ["[Pipeline] }", "[Pipeline] // stage", "[Pipeline] }", "[Pipeline] // node",
          "[Pipeline] End of Pipeline", "ERROR: script returned exit code %d" % rc, "Finished: FAILURE"]
    return L, starts


def buildkite(c, ran, clk):
    ws = WORKSPACE["buildkite"].format(repo=c.repo)
    L, starts = ["~~~ Running global environment hook", "$ /etc/buildkite-agent/hooks/environment",
                 "~~~ Preparing working directory", "$ cd %s" % ws], []
    rc = 0
    for i, r in enumerate(ran):
        if r["phase"] == "script" and (i == 0 or ran[i - 1]["phase"] == "setup"):
            L.append("~~~ Running commands")
        if r["phase"] == "script":
            L.append("--- :%s: %s" % (c.lang if c.lang != "r" else "rstats", r["name"]))
        L.append("$ " + r["cmd"].replace("\n", "\n$ "))
        starts.append(len(L))
        L += lines_of(r["out"])
        if r["rc"] != 0:
            rc = r["rc"]
            break
    L += ["^^^ +++", "🚨 Error: The command exited with status %d" % rc, "user command error: exit status %d" % rc]
    return L, starts


def circleci(c, ran, clk):
    L, starts = ["Build-agent version 1.0.257395-7a1d3f90 (2026-11-20T10:14:53+0000)",
                 "System information:", " Server Version: 24.0.9", " Storage Driver: overlay2",
                 " Kernel Version: 5.15.0-1057-aws", " Operating System: Ubuntu 20.04.6 LTS",
                 " OSType: linux", " Architecture: x86_64", "", "Starting container cimg/base:2024.11",
                 "cimg/base:2024.11: using image cimg/base@sha256:4d0c2e8d4c3a", "",
                 "Spin up environment", "Time to upload agent and config: 812.331ms", ""], []
    rc = 0
    for r in ran:
        if r["name"] == "checkout":
            L += ["Checkout code", "Using SSH Config Dir '/home/circleci/.ssh'"]
        L += ["#!/bin/bash -eo pipefail"] + r["cmd"].split("\n")
        starts.append(len(L))
        L += lines_of(r["out"])
        if r["rc"] != 0:
            rc = r["rc"]
            L += ["", "Exited with code exit status %d" % rc, ""]
            break
        L.append("")
    return L, starts


def azure(c, ran, clk):
    raw, starts = ["##[section]Starting: Job", "##[section]Starting: Initialize job",
                   "Agent name: 'Hosted Agent'", "Agent machine name: 'fv-az1270-518'",
                   "Current agent version: '4.248.0'", "##[group]Operating System", "Ubuntu",
                   "22.04.5", "LTS", "##[endgroup]", "##[section]Finishing: Initialize job"], []
    rc = 0
    for r in ran:
        title = "Checkout acme/%s@main to s" % c.repo if r["name"] == "checkout" else r["name"]
        raw += ["##[section]Starting: %s" % title,
                "==============================================================================",
                "Task         : Command line",
                "Description  : Run a command line script using Bash on Linux and macOS and cmd.exe on Windows",
                "Version      : 2.246.1", "Author       : Microsoft Corporation",
                "Help         : https://docs.microsoft.com/azure/devops/pipelines/tasks/utility/command-line",
                "==============================================================================",
                "Generating script.", "Script contents:"] + r["cmd"].split("\n") + [
                "========================== Starting Command Output ===========================",
                "/usr/bin/bash --noprofile --norc /home/vsts/work/_temp/%s.sh" % hashlib.md5((c.id + r["name"]).encode()).hexdigest()]
        starts.append(len(raw))
        raw += lines_of(r["out"])
        if r["rc"] != 0:
            rc = r["rc"]
            raw += ["##[error]Bash exited with code '%d'." % rc, "##[section]Finishing: %s" % title]
            break
        raw.append("##[section]Finishing: %s" % title)
    raw += ["##[section]Starting: Finalize Job", "Cleaning up task key", "##[section]Finishing: Finalize Job",
            "##[section]Finishing: Job"]
    L = []
    for x in raw:
        clk.tick()
        L.append(clk.iso() + " " + x)
    return L, starts


ENVELOPES = dict(travis=travis, gha=gha, gitlab=gitlab, jenkins=jenkins, buildkite=buildkite,
                 circleci=circleci, azure=azure)


# --------------------------------------------------------------------------
# labels


def flatten(L, starts):
    """Envelope entries may hold a multi-line command; labels count file lines."""
    out, idx = [], []
    for x in L:
        idx.append(len(out))
        out += x.split("\n")
    idx.append(len(out))
    return out, [idx[s] for s in starts]


def find(lines, needle, frm, upto=None):
    upto = len(lines) if upto is None else upto
    for i in range(frm, upto):
        if needle in lines[i]:
            return i
    raise LookupError("not found after line %d: %r" % (frm + 1, needle))


def spans(lines, keys, frm):
    out = []
    pos = frm
    for start, end in keys:
        s = find(lines, start, pos)
        if isinstance(end, int):
            e = s + end
        elif end is None:
            e = s
        else:
            e = find(lines, end, s)
        out.append({"start": s + 1, "end": e + 1, "kind": "error"})
        pos = s + 1
    return out


# --------------------------------------------------------------------------



def have(tool):
    return os.path.exists(tool) if tool.startswith("/") else shutil.which(tool) is not None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only")
    ap.add_argument("--work", default="/tmp/realtools-jvm")
    a = ap.parse_args()
    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    os.makedirs(os.path.join(HERE, "cases"), exist_ok=True)
    label_path = os.path.join(HERE, "labels.jsonl")
    old = {}
    if os.path.exists(label_path):
        for l in open(label_path):
            r = json.loads(l)
            old[r["id"]] = r
    known = {c.id for c in CASES}
    rows = {k: v for k, v in old.items() if k in known} if a.only else {}
    missing = set()
    for n, c in enumerate(CASES):
        if a.only and a.only not in c.id:
            continue
        lack = [t for t in c.needs if not have(t)]
        if lack:
            missing.update(lack)
            print("skip %s: missing %s" % (c.id, ", ".join(lack)))
            continue
        assert c.eco in TUNE | SEALED, c.eco
        ci = c.ci or CIS[n % len(CIS)]
        try:
            base, build, ran = execute(c, work, work)
        except RuntimeError as e:
            print("FAIL", e)
            continue
        for r in ran:
            r["out"] = scrub(r["out"], ci, c, base, build, work)
            r["cmd"] = scrub(r["cmd"], ci, c, base, build, work)
        L, starts = ENVELOPES[ci](c, ran, Clock(n))
        L, starts = flatten(L, starts)
        fail_idx = next(i for i, r in enumerate(ran) if r["rc"] != 0)
        try:
            ks = spans(L, c.keys, starts[min(fail_idx, len(starts) - 1)])
        except LookupError as e:
            print("FAIL %s: %s\n%s" % (c.id, e, "\n".join(L[-80:])))
            continue
        rel = "%s/cases/%s.log" % (PART, c.id)
        with open(os.path.join(HERE, "cases", c.id + ".log"), "w") as f:
            f.write("\n".join(L) + "\n")
        rows[c.id] = {"dataset": "realtools_" + PART, "id": c.id, "log": rel, "ci": ci, "language": c.lang,
                      "tool": c.tool, "ecosystem": c.eco, "category": c.category, "flaky": c.flaky, "key_lines": ks,
                      "failed_tests": c.failed_tests, "split": c.split or ("sealed" if c.eco in SEALED else "tune"),
                      "label_source": "generated: real %s output, injected failure" % c.tool}
        print("ok %-36s %-9s %-12s %s %s" % (c.id, ci, c.category, [(k["start"], k["end"]) for k in ks],
                                             os.path.getsize(os.path.join(HERE, "cases", c.id + ".log"))))
    order = [c.id for c in CASES]
    with open(label_path, "w") as f:
        for i in sorted(rows, key=lambda x: order.index(x) if x in order else 10**6):
            f.write(json.dumps(rows[i]) + "\n")
    for sp in ("tune", "sealed", "tune2", "tune3", "tune4"):
        with open(os.path.join(HERE, "labels.%s.jsonl" % sp), "w") as f:
            for i in sorted(rows, key=lambda x: order.index(x) if x in order else 10**6):
                if rows[i]["split"] == sp:
                    f.write(json.dumps(rows[i]) + "\n")
    if missing:
        print("missing tools (cases skipped):", ", ".join(sorted(missing)))


# --------------------------------------------------------------------------
# the project: a small Java money/ledger library

MONEY = D('''
    package com.acme.ledger;

    import java.math.BigDecimal;
    import java.math.RoundingMode;
    import java.util.Objects;

    /**
     * An amount of money in one currency.
     */
    public final class Money {
        private final BigDecimal amount;
        private final String currency;

        /**
         * Creates an amount, rounded to cents.
         *
         * @param amount the amount
         * @param currency the ISO 4217 currency code
         */
        public Money(BigDecimal amount, String currency) {
            this.amount = amount.setScale(2, RoundingMode.HALF_EVEN);
            this.currency = Objects.requireNonNull(currency, "currency");
        }

        /**
         * Parses an amount.
         *
         * @param value the decimal amount, as text
         * @param currency the ISO 4217 currency code
         * @return the amount
         */
        public static Money of(String value, String currency) {
            return new Money(new BigDecimal(value), currency);
        }

        /**
         * Adds two amounts of the same currency.
         *
         * @param other the amount to add
         * @return the sum
         */
        public Money plus(Money other) {
            requireSameCurrency(other);
            return new Money(amount.add(other.amount), currency);
        }

        /**
         * Subtracts an amount of the same currency.
         *
         * @param other the amount to subtract
         * @return the difference
         */
        public Money minus(Money other) {
            requireSameCurrency(other);
            return new Money(amount.subtract(other.amount), currency);
        }

        /**
         * Multiplies by a whole number.
         *
         * @param n the factor
         * @return the product
         */
        public Money times(int n) {
            return new Money(amount.multiply(BigDecimal.valueOf(n)), currency);
        }

        /**
         * Tells whether the amount is below zero.
         *
         * @return true when negative
         */
        public boolean isNegative() {
            return amount.signum() < 0;
        }

        /**
         * The amount.
         *
         * @return the amount, two decimals
         */
        public BigDecimal amount() {
            return amount;
        }

        /**
         * The currency.
         *
         * @return the ISO 4217 code
         */
        public String currency() {
            return currency;
        }

        private void requireSameCurrency(Money other) {
            if (!currency.equals(other.currency)) {
                throw new IllegalArgumentException("currency mismatch: " + currency + " vs " + other.currency);
            }
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Money)) {
                return false;
            }
            Money m = (Money) o;
            return amount.equals(m.amount) && currency.equals(m.currency);
        }

        @Override
        public int hashCode() {
            return Objects.hash(amount, currency);
        }

        @Override
        public String toString() {
            return amount.toPlainString() + " " + currency;
        }
    }
    ''')

ACCOUNT = D('''
    package com.acme.ledger;

    import java.util.ArrayList;
    import java.util.Collections;
    import java.util.List;

    /**
     * An account: a list of signed entries in one currency.
     */
    public class Account {
        private final String id;
        private final String currency;
        private final List<Money> entries = new ArrayList<>();

        /**
         * Opens an empty account.
         *
         * @param id the account id
         * @param currency the account currency
         */
        public Account(String id, String currency) {
            this.id = id;
            this.currency = currency;
        }

        /**
         * The account id.
         *
         * @return the id
         */
        public String id() {
            return id;
        }

        /**
         * Adds money to the account.
         *
         * @param m the amount, positive
         */
        public void deposit(Money m) {
            if (m.isNegative()) {
                throw new IllegalArgumentException("negative deposit: " + m);
            }
            entries.add(m);
        }

        /**
         * Takes money from the account.
         *
         * @param m the amount, positive
         * @throws InsufficientFundsException when the balance is too low
         */
        public void withdraw(Money m) throws InsufficientFundsException {
            if (balance().minus(m).isNegative()) {
                throw new InsufficientFundsException(id, m);
            }
            entries.add(Money.of("0", currency).minus(m));
        }

        /**
         * The balance.
         *
         * @return the sum of the entries
         */
        public Money balance() {
            Money total = Money.of("0", currency);
            for (Money e : entries) {
                total = total.plus(e);
            }
            return total;
        }

        /**
         * The entries, oldest first.
         *
         * @return an unmodifiable view
         */
        public List<Money> entries() {
            return Collections.unmodifiableList(entries);
        }
    }
    ''')

INSUFFICIENT = D('''
    package com.acme.ledger;

    /**
     * Thrown when a withdrawal exceeds the balance.
     */
    public class InsufficientFundsException extends Exception {
        private static final long serialVersionUID = 1L;

        /**
         * Creates the exception.
         *
         * @param account the account id
         * @param requested the amount asked for
         */
        public InsufficientFundsException(String account, Money requested) {
            super("insufficient funds in " + account + " for " + requested);
        }
    }
    ''')

LEDGER = D('''
    package com.acme.ledger;

    import java.util.LinkedHashMap;
    import java.util.Map;

    /**
     * A set of accounts and the transfers between them.
     */
    public class Ledger {
        private final Map<String, Account> accounts = new LinkedHashMap<>();

        /**
         * Opens an account.
         *
         * @param id the account id
         * @param currency the currency
         * @return the new account
         */
        public Account open(String id, String currency) {
            Account a = new Account(id, currency);
            accounts.put(id, a);
            return a;
        }

        /**
         * Looks an account up.
         *
         * @param id the account id
         * @return the account, or null
         */
        public Account get(String id) {
            return accounts.get(id);
        }

        /**
         * Moves money from one account to another.
         *
         * @param from the source account id
         * @param to the target account id
         * @param amount the amount
         * @throws InsufficientFundsException when the source cannot pay
         */
        public void transfer(String from, String to, Money amount) throws InsufficientFundsException {
            accounts.get(from).withdraw(amount);
            accounts.get(to).deposit(amount);
        }

        /**
         * The sum of all balances in one currency.
         *
         * @param currency the currency
         * @return the total
         */
        public Money total(String currency) {
            Money t = Money.of("0", currency);
            for (Account a : accounts.values()) {
                if (a.balance().currency().equals(currency)) {
                    t = t.plus(a.balance());
                }
            }
            return t;
        }
    }
    ''')

MONEY_TEST4 = D('''
    package com.acme.ledger;

    import static org.junit.Assert.assertEquals;
    import static org.junit.Assert.assertTrue;

    import org.junit.Test;

    public class MoneyTest {
        @Test
        public void plusAddsAmounts() {
            assertEquals(Money.of("3.50", "EUR"), Money.of("1.25", "EUR").plus(Money.of("2.25", "EUR")));
        }

        @Test
        public void timesMultiplies() {
            assertEquals(Money.of("7.50", "EUR"), Money.of("2.50", "EUR").times(3));
        }

        @Test
        public void roundsHalfEven() {
            assertEquals("0.12 EUR", Money.of("0.125", "EUR").toString());
        }

        @Test
        public void negative() {
            assertTrue(Money.of("-1", "USD").isNegative());
        }

        @Test(expected = IllegalArgumentException.class)
        public void currencyMismatch() {
            Money.of("1", "EUR").plus(Money.of("1", "USD"));
        }
    }
    ''')

ACCOUNT_TEST4 = D('''
    package com.acme.ledger;

    import static org.junit.Assert.assertEquals;
    import static org.junit.Assert.fail;

    import org.junit.Before;
    import org.junit.Test;

    public class AccountTest {
        private Account acc;

        @Before
        public void setUp() {
            acc = new Account("acc-1", "EUR");
            acc.deposit(Money.of("100.00", "EUR"));
        }

        @Test
        public void depositAddsToBalance() {
            acc.deposit(Money.of("20.00", "EUR"));
            assertEquals(Money.of("120.00", "EUR"), acc.balance());
        }

        @Test
        public void withdrawLowersBalance() throws Exception {
            acc.withdraw(Money.of("30.00", "EUR"));
            assertEquals(Money.of("70.00", "EUR"), acc.balance());
        }

        @Test
        public void overdraftIsRefused() {
            try {
                acc.withdraw(Money.of("100.01", "EUR"));
                fail("expected InsufficientFundsException");
            } catch (InsufficientFundsException expected) {
                assertEquals(1, acc.entries().size());
            }
        }
    }
    ''')

LEDGER_TEST4 = D('''
    package com.acme.ledger;

    import static org.junit.Assert.assertEquals;

    import org.junit.Test;

    public class LedgerTest {
        @Test
        public void transferMovesMoney() throws Exception {
            Ledger l = new Ledger();
            l.open("a", "EUR").deposit(Money.of("50", "EUR"));
            l.open("b", "EUR");
            l.transfer("a", "b", Money.of("20", "EUR"));
            assertEquals(Money.of("30", "EUR"), l.get("a").balance());
            assertEquals(Money.of("20", "EUR"), l.get("b").balance());
        }

        @Test
        public void totalSumsOneCurrency() {
            Ledger l = new Ledger();
            l.open("a", "EUR").deposit(Money.of("5", "EUR"));
            l.open("b", "USD").deposit(Money.of("7", "USD"));
            l.open("c", "EUR").deposit(Money.of("1", "EUR"));
            assertEquals(Money.of("6", "EUR"), l.total("EUR"));
        }
    }
    ''')


def junit5(src):
    """The JUnit 4 tests written for JUnit Jupiter."""
    s = src.replace("import static org.junit.Assert.", "import static org.junit.jupiter.api.Assertions.")
    s = s.replace("import org.junit.Test;", "import org.junit.jupiter.api.Test;")
    s = s.replace("import org.junit.Before;", "import org.junit.jupiter.api.BeforeEach;").replace("@Before\n", "@BeforeEach\n")
    s = s.replace("    @Test(expected = IllegalArgumentException.class)\n    public void currencyMismatch() {\n        Money.of(\"1\", \"EUR\").plus(Money.of(\"1\", \"USD\"));\n",
                  "    @Test\n    public void currencyMismatch() {\n        assertThrows(IllegalArgumentException.class, () -> Money.of(\"1\", \"EUR\").plus(Money.of(\"1\", \"USD\")));\n")
    s = s.replace("import static org.junit.jupiter.api.Assertions.assertEquals;", "import static org.junit.jupiter.api.Assertions.assertEquals;\nimport static org.junit.jupiter.api.Assertions.assertThrows;") if "assertThrows(" in s else s
    return s


MAIN = "src/main/java/com/acme/ledger/"
TEST = "src/test/java/com/acme/ledger/"
SOURCES = {MAIN + "Money.java": MONEY, MAIN + "Account.java": ACCOUNT, MAIN + "Ledger.java": LEDGER,
           MAIN + "InsufficientFundsException.java": INSUFFICIENT}
TESTS4 = {TEST + "MoneyTest.java": MONEY_TEST4, TEST + "AccountTest.java": ACCOUNT_TEST4, TEST + "LedgerTest.java": LEDGER_TEST4}
TESTS5 = {k: junit5(v) for k, v in TESTS4.items()}

DEP_JUNIT4 = """    <dependency>
      <groupId>junit</groupId>
      <artifactId>junit</artifactId>
      <version>4.13.2</version>
      <scope>test</scope>
    </dependency>
"""
DEP_JUNIT5 = """    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter</artifactId>
      <version>5.9.2</version>
      <scope>test</scope>
    </dependency>
"""


def pom(deps=DEP_JUNIT4, plugins="", extra="", surefire_conf="", compiler_conf="", artifact="ledger"):
    return """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 http://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>

  <groupId>com.acme</groupId>
  <artifactId>%s</artifactId>
  <version>1.4.0-SNAPSHOT</version>
  <packaging>jar</packaging>
  <name>Acme Ledger</name>

  <properties>
    <maven.compiler.source>17</maven.compiler.source>
    <maven.compiler.target>17</maven.compiler.target>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
%s
  <dependencies>
%s  </dependencies>

  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-resources-plugin</artifactId>
        <version>3.3.0</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.10.1</version>%s
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-surefire-plugin</artifactId>
        <version>2.22.3</version>%s
      </plugin>
%s    </plugins>
  </build>
</project>
""" % (artifact, extra, deps, compiler_conf, surefire_conf, plugins)


MVN_FILES = dict(SOURCES, **TESTS4, **{"pom.xml": pom()})
MVN5_FILES = dict(SOURCES, **TESTS5, **{"pom.xml": pom(deps=DEP_JUNIT5)})
MVN_SETUP = [("java -version", "java -version\nmvn -version")]
MVN_TEST = [("mvn test", "mvn -B test")]


def src_with(files, path, old, new):
    assert old in files[path], (path, old)
    d = dict(files)
    d[path] = files[path].replace(old, new)
    return d


def mcase(id, **kw):
    kw.setdefault("lang", "java")
    kw.setdefault("eco", "maven")
    kw.setdefault("tool", "maven")
    kw.setdefault("flaky", False)
    kw.setdefault("setup", MVN_SETUP)
    kw.setdefault("needs", ["mvn"])
    kw.setdefault("repo", "ledger")
    case(id=id, **kw)

# ---- Maven (tune) ----------------------------------------------------------

mcase("mvn-compile-cannot-find-symbol", category="compilation", m2="fresh",
      files=src_with(MVN_FILES, MAIN + "Ledger.java", "accounts.get(to).deposit(amount);",
                     "accounts.get(to).deposit(amount);\n        audit.record(from, to, amount);"),
      steps=[("mvn install", "mvn -B -V install -DskipTests=true -Dmaven.javadoc.skip=true")],
      keys=[("] cannot find symbol", "location: class com.acme.ledger.Ledger")])

mcase("mvn-compile-incompatible-types", category="compilation",
      files=src_with(MVN_FILES, MAIN + "Account.java", "Money total = Money.of(\"0\", currency);",
                     "Money total = java.math.BigDecimal.ZERO;"),
      steps=MVN_TEST, keys=[("] incompatible types", None)])

mcase("mvn-compile-syntax", category="compilation",
      files=src_with(MVN_FILES, MAIN + "Money.java", "return new Money(amount.add(other.amount), currency);",
                     "return new Money(amount.add(other.amount), currency)"),
      steps=[("mvn verify", "mvn -B verify")], keys=[("] ';' expected", None)])

mcase("mvn-compile-two-errors", category="compilation", m2="fresh",
      files=src_with(src_with(MVN_FILES, MAIN + "Ledger.java", "accounts.get(from).withdraw(amount);",
                              "accounts.get(from).withdraw(amount.negate());"),
                     MAIN + "Account.java", "return Collections.unmodifiableList(entries);", "return Collections.unmodifiableList(entries, id);"),
      steps=MVN_TEST, keys=[("Account.java:[", "found:"), ("Ledger.java:[", "location:")])

mcase("mvn-testcompile-error", category="compilation",
      files=src_with(MVN_FILES, TEST + "LedgerTest.java", "l.transfer(\"a\", \"b\", Money.of(\"20\", \"EUR\"));",
                     "l.transfer(\"a\", \"b\", \"20.00\");"),
      steps=MVN_TEST, keys=[("] incompatible types: java.lang.String cannot be converted", None)])

mcase("mvn-compile-werror", category="compilation",
      files=dict(src_with(MVN_FILES, MAIN + "Ledger.java", "public Account get(String id) {\n        return accounts.get(id);",
                          "public Account get(String id) {\n        Integer legacy = new Integer(id.length());\n        return accounts.get(id);"),
                 **{"pom.xml": pom(compiler_conf="""
        <configuration>
          <compilerArgs>
            <arg>-Xlint:all</arg>
            <arg>-Werror</arg>
          </compilerArgs>
        </configuration>""")}),
      steps=MVN_TEST, keys=[("] Integer(int) in java.lang.Integer has been deprecated", None),
                            ("warnings found and -Werror specified", None)])

mcase("mvn-junit4-assert", category="test_failure",
      files=src_with(MVN_FILES, MAIN + "Money.java", "RoundingMode.HALF_EVEN", "RoundingMode.HALF_UP"),
      steps=MVN_TEST, keys=[("roundsHalfEven(com.acme.ledger.MoneyTest)  Time elapsed", "ComparisonFailure")],
      failed_tests=["roundsHalfEven(com.acme.ledger.MoneyTest)"])

mcase("mvn-junit4-two-classes", category="test_failure",
      files=src_with(src_with(MVN_FILES, MAIN + "Account.java", "if (balance().minus(m).isNegative()) {",
                              "if (balance().minus(m.times(4)).isNegative()) {"),
                     MAIN + "Ledger.java", "if (a.balance().currency().equals(currency)) {", "if (a.balance().currency() != null) {"),
      steps=MVN_TEST,
      keys=[("withdrawLowersBalance(com.acme.ledger.AccountTest)  Time elapsed", "InsufficientFundsException: insufficient"),
            ("totalSumsOneCurrency(com.acme.ledger.LedgerTest)  Time elapsed", "IllegalArgumentException: currency mismatch"),
            ("transferMovesMoney(com.acme.ledger.LedgerTest)  Time elapsed", "InsufficientFundsException: insufficient")],
      failed_tests=["withdrawLowersBalance(com.acme.ledger.AccountTest)", "totalSumsOneCurrency(com.acme.ledger.LedgerTest)",
                    "transferMovesMoney(com.acme.ledger.LedgerTest)"])

mcase("mvn-junit4-npe", category="test_failure",
      files=dict(MVN_FILES, **{TEST + "ReportTest.java": D('''
        package com.acme.ledger;

        import static org.junit.Assert.assertEquals;

        import org.junit.Test;

        public class ReportTest {
            @Test
            public void balanceOfUnknownAccountIsZero() {
                Ledger l = new Ledger();
                l.open("a", "EUR");
                assertEquals(Money.of("0", "EUR"), l.get("missing").balance());
            }
        }
        ''')}),
      steps=MVN_TEST, keys=[("balanceOfUnknownAccountIsZero(com.acme.ledger.ReportTest)  Time elapsed", "NullPointerException")],
      failed_tests=["balanceOfUnknownAccountIsZero(com.acme.ledger.ReportTest)"])

mcase("mvn-junit5-assert", category="test_failure", m2="fresh",
      files=src_with(MVN5_FILES, MAIN + "Account.java", "if (balance().minus(m).isNegative()) {", "if (balance().isNegative()) {"),
      steps=[("mvn test", "mvn -B -V test")],
      keys=[("overdraftIsRefused  Time elapsed", "AssertionFailedError")],
      failed_tests=["overdraftIsRefused(com.acme.ledger.AccountTest)"])

mcase("mvn-junit5-assert-throws", category="test_failure",
      files=src_with(MVN5_FILES, MAIN + "Money.java", "if (!currency.equals(other.currency)) {", "if (currency == null) {"),
      steps=MVN_TEST, keys=[("currencyMismatch  Time elapsed", "AssertionFailedError")],
      failed_tests=["currencyMismatch(com.acme.ledger.MoneyTest)"])

mcase("mvn-junit5-parameterized", category="test_failure",
      files=dict(MVN5_FILES, **{TEST + "ParseTest.java": D('''
        package com.acme.ledger;

        import static org.junit.jupiter.api.Assertions.assertEquals;

        import org.junit.jupiter.params.ParameterizedTest;
        import org.junit.jupiter.params.provider.CsvSource;

        class ParseTest {
            @ParameterizedTest
            @CsvSource({"1.005, 1.00", "2.5, 2.50", "1e2, 100.00", "0.015, 0.02", "-0.005, -0.01"})
            void parsesAndRounds(String in, String want) {
                assertEquals(want, Money.of(in, "EUR").amount().toPlainString());
            }
        }
        ''')}),
      steps=MVN_TEST, keys=[("parsesAndRounds{String, String}[5]  Time elapsed", "AssertionFailedError")],
      failed_tests=["parsesAndRounds{String, String}[5](com.acme.ledger.ParseTest)"])

mcase("mvn-junit4-timeout", category="test_failure", flaky=None,
      files=dict(MVN_FILES, **{TEST + "SettlementTest.java": D('''
        package com.acme.ledger;

        import static org.junit.Assert.assertEquals;

        import org.junit.Test;

        public class SettlementTest {
            @Test(timeout = 500)
            public void settlesManyTransfers() throws Exception {
                Ledger l = new Ledger();
                l.open("a", "EUR").deposit(Money.of("1000000", "EUR"));
                l.open("b", "EUR");
                for (int i = 0; i < 20000; i++) {
                    l.transfer("a", "b", Money.of("1", "EUR"));
                }
                assertEquals(Money.of("20000", "EUR"), l.get("b").balance());
            }
        }
        ''')}),
      steps=MVN_TEST, keys=[("settlesManyTransfers(com.acme.ledger.SettlementTest)  Time elapsed", "TestTimedOutException")],
      failed_tests=["settlesManyTransfers(com.acme.ledger.SettlementTest)"])

mcase("mvn-surefire-oom", category="oom",
      files=dict(MVN_FILES, **{"pom.xml": pom(surefire_conf="""
        <configuration>
          <argLine>-Xmx48m</argLine>
        </configuration>"""), TEST + "HistoryTest.java": D('''
        package com.acme.ledger;

        import static org.junit.Assert.assertEquals;

        import org.junit.Test;

        public class HistoryTest {
            @Test
            public void keepsLongHistory() {
                Account a = new Account("big", "EUR");
                for (int i = 0; i < 5_000_000; i++) {
                    a.deposit(Money.of("1.00", "EUR"));
                }
                assertEquals(5_000_000, a.entries().size());
            }
        }
        ''')}),
      steps=MVN_TEST, keys=[("keepsLongHistory(com.acme.ledger.HistoryTest)  Time elapsed", "OutOfMemoryError")],
      failed_tests=["keepsLongHistory(com.acme.ledger.HistoryTest)"])

mcase("mvn-surefire-fork-exit", category="test_failure", m2="fresh",
      files=dict(MVN_FILES, **{TEST + "ShutdownTest.java": D('''
        package com.acme.ledger;

        import org.junit.Test;

        public class ShutdownTest {
            @Test
            public void closesLedgerOnShutdown() {
                Ledger l = new Ledger();
                l.open("a", "EUR");
                // injected: production shutdown code called from a test
                System.exit(3);
            }
        }
        ''')}),
      steps=MVN_TEST, keys=[("The forked VM terminated without properly saying goodbye", None)])

mcase("mvn-missing-dependency", category="dependency",
      files=dict(MVN_FILES, **{"pom.xml": pom(deps=DEP_JUNIT4 + """    <dependency>
      <groupId>com.acme.platform</groupId>
      <artifactId>acme-audit-client</artifactId>
      <version>2.3.1</version>
    </dependency>
""")}),
      steps=MVN_TEST, keys=[("Could not resolve dependencies for project com.acme:ledger", None)])

mcase("mvn-missing-plugin-version", category="dependency", m2="fresh",
      files=dict(MVN_FILES, **{"pom.xml": pom(plugins="""      <plugin>
        <groupId>org.jacoco</groupId>
        <artifactId>jacoco-maven-plugin</artifactId>
        <version>0.8.11</version>
        <executions>
          <execution><goals><goal>prepare-agent</goal></goals></execution>
        </executions>
      </plugin>
""")}),
      steps=[("mvn verify", "mvn -B verify")], keys=[("Plugin org.jacoco:jacoco-maven-plugin:0.8.11 or one of its dependencies could not be resolved", None)])

mcase("mvn-repo-dns", category="infra", flaky=True,
      files=dict(MVN_FILES, **{"pom.xml": pom(deps=DEP_JUNIT4 + """    <dependency>
      <groupId>com.acme.platform</groupId>
      <artifactId>acme-audit-client</artifactId>
      <version>2.3.1</version>
    </dependency>
""", extra="""
  <repositories>
    <repository>
      <id>acme-releases</id>
      <url>https://nexus.build.acme.invalid/repository/releases/</url>
    </repository>
  </repositories>
""")}),
      steps=MVN_TEST, keys=[("Could not resolve dependencies for project com.acme:ledger", None)])

mcase("mvn-enforcer-java", category="config",
      files=dict(MVN_FILES, **{"pom.xml": pom(plugins="""      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-enforcer-plugin</artifactId>
        <version>3.1.0</version>
        <executions>
          <execution>
            <id>enforce-java</id>
            <goals><goal>enforce</goal></goals>
            <configuration>
              <rules>
                <requireJavaVersion><version>[21,)</version></requireJavaVersion>
              </rules>
            </configuration>
          </execution>
        </executions>
      </plugin>
""")}),
      steps=[("mvn verify", "mvn -B verify")], keys=[("RequireJavaVersion failed with message", 1)])

mcase("mvn-pom-invalid", category="config",
      files=dict(MVN_FILES, **{"pom.xml": pom().replace("<packaging>jar</packaging>", "<packaging>jar</packaging")}),
      steps=MVN_TEST, keys=[("Non-parseable POM", None)])

mcase("mvn-javadoc", category="docs",
      files=dict(src_with(MVN_FILES, MAIN + "Ledger.java", "     * @return the account, or null\n", "     * @return the account, or <null>\n"),
                 **{"pom.xml": pom(plugins="""      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-javadoc-plugin</artifactId>
        <version>3.4.1</version>
        <configuration>
          <doclint>all,-missing</doclint>
        </configuration>
        <executions>
          <execution><id>attach-javadocs</id><goals><goal>jar</goal></goals></execution>
        </executions>
      </plugin>
""")}),
      steps=[("mvn package", "mvn -B package -DskipTests")], keys=[("error: unknown tag: null", 2)])

mcase("mvn-timeout-db", category="timeout", flaky=True, m2="fresh",
      files=dict(MVN_FILES, **{"scripts/wait-for-db.sh": D('''
        #!/bin/sh
        until (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; do
          echo "waiting for postgres at 127.0.0.1:5432"
          sleep 1
        done
        ''')}),
      steps=[("Compile", "mvn -B -q compile"), ("Wait for database", "timeout --verbose 5 sh scripts/wait-for-db.sh"),
             ("Integration tests", "mvn -B verify")],
      keys=[("timeout: sending signal", None)])

mcase("mvn-reactor-module", category="test_failure",
      files={"pom.xml": """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.acme</groupId>
  <artifactId>ledger-parent</artifactId>
  <version>1.4.0-SNAPSHOT</version>
  <packaging>pom</packaging>
  <modules>
    <module>ledger-core</module>
    <module>ledger-report</module>
    <module>ledger-cli</module>
  </modules>
</project>
""", **{"ledger-core/pom.xml": pom(artifact="ledger-core"), "ledger-report/pom.xml": pom(artifact="ledger-report"),
        "ledger-cli/pom.xml": pom(artifact="ledger-cli")},
         **{"ledger-core/" + k: v for k, v in SOURCES.items()},
         **{"ledger-core/" + k: v for k, v in TESTS4.items()},
         **{"ledger-report/" + MAIN + "Statement.java": D('''
            package com.acme.ledger;

            /** Renders a statement line. */
            public final class Statement {
                private Statement() {
                }

                /**
                 * One line per account.
                 *
                 * @param id the account id
                 * @param balance the balance
                 * @return the line
                 */
                public static String line(String id, String balance) {
                    return id + ": " + balance.trim();
                }
            }
            '''), "ledger-report/" + TEST + "StatementTest.java": D('''
            package com.acme.ledger;

            import static org.junit.Assert.assertEquals;

            import org.junit.Test;

            public class StatementTest {
                @Test
                public void padsIdColumn() {
                    assertEquals("acc-1     : 10.00 EUR", Statement.line("acc-1", "10.00 EUR"));
                }
            }
            '''), "ledger-cli/" + MAIN + "Main.java": "package com.acme.ledger;\n\n/** Entry point. */\npublic final class Main {\n    private Main() {\n    }\n\n    /**\n     * Runs.\n     *\n     * @param args ignored\n     */\n    public static void main(String[] args) {\n        System.out.println(\"ledger\");\n    }\n}\n"}},
      steps=[("mvn install", "mvn -B install")], keys=[("padsIdColumn(com.acme.ledger.StatementTest)  Time elapsed", "ComparisonFailure")],
      failed_tests=["padsIdColumn(com.acme.ledger.StatementTest)"])

# ---- javac, JUnit launchers, checkstyle, javadoc, JVM runtime (tune) -------

JARS = "/usr/share/java"
CP4 = "%s/junit4.jar:%s/hamcrest-core.jar" % (JARS, JARS)
CONSOLE = "%s/junit-platform-console-standalone.jar" % JARS
JAVA_SETUP = [("java -version", "java -version\njavac -version")]
JAVAC_MAIN = "mkdir -p build/classes\njavac -encoding UTF-8 -d build/classes $(find src/main/java -name '*.java')"
JAVAC_TEST4 = JAVAC_MAIN + "\nmkdir -p build/test-classes\njavac -encoding UTF-8 -cp build/classes:%s -d build/test-classes $(find src/test/java -name '*.java')" % CP4
JAVAC_TEST5 = JAVAC_MAIN + "\nmkdir -p build/test-classes\njavac -encoding UTF-8 -cp build/classes:%s -d build/test-classes $(find src/test/java -name '*.java')" % CONSOLE
PLAIN_FILES = dict(SOURCES, **TESTS4, **{"build.sh": "#!/bin/sh\nset -e\n" + JAVAC_MAIN + "\n"})
PLAIN5_FILES = dict(SOURCES, **TESTS5)


def jcase(id, **kw):
    kw.setdefault("lang", "java")
    kw.setdefault("flaky", False)
    kw.setdefault("setup", JAVA_SETUP)
    kw.setdefault("needs", ["javac"])
    kw.setdefault("repo", "ledger")
    case(id=id, **kw)


jcase("javac-cannot-find-symbol", eco="javac", tool="javac", category="compilation",
      files=src_with(PLAIN_FILES, MAIN + "Account.java", "throw new InsufficientFundsException(id, m);",
                     "throw new InsufficientFunds(id, m);"),
      steps=[("Build", "./build.sh")], keys=[("Account.java:", "location: class Account")])

jcase("javac-two-files", eco="javac", tool="javac", category="compilation",
      files=src_with(src_with(PLAIN_FILES, MAIN + "Money.java", "return amount.signum() < 0;", "return amount.signum < 0;"),
                     MAIN + "Ledger.java", "Money t = Money.of(\"0\", currency);", "Money t = Money.of(0, currency);"),
      steps=[("Build", "./build.sh")], keys=[("Money.java:", "location:"), ("Ledger.java:", 2)])

jcase("javac-unreported-exception", eco="javac", tool="javac", category="compilation",
      files=src_with(PLAIN_FILES, MAIN + "Ledger.java",
                     "public void transfer(String from, String to, Money amount) throws InsufficientFundsException {",
                     "public void transfer(String from, String to, Money amount) {"),
      steps=[("Build", "./build.sh")], keys=[("unreported exception InsufficientFundsException", 2)])

jcase("javac-werror", eco="javac", tool="javac", category="compilation",
      files=dict(src_with(PLAIN_FILES, MAIN + "Account.java", "private final List<Money> entries = new ArrayList<>();",
                          "private final List<Money> entries = new ArrayList();"),
                 **{"build.sh": "#!/bin/sh\nset -e\nmkdir -p build/classes\njavac -Xlint:all -Werror -d build/classes $(find src/main/java -name '*.java')\n"}),
      steps=[("Build", "./build.sh")], keys=[("warning: [rawtypes] found raw type", 5), ("warning: [unchecked] unchecked conversion", 3), ("warnings found and -Werror specified", None)])

jcase("junit4-core-assert", eco="junit", tool="junit4", category="test_failure",
      files=src_with(PLAIN_FILES, MAIN + "Money.java", "RoundingMode.HALF_EVEN", "RoundingMode.UP"),
      steps=[("Build", JAVAC_TEST4),
             ("Test", "java -cp build/classes:build/test-classes:%s org.junit.runner.JUnitCore com.acme.ledger.MoneyTest com.acme.ledger.AccountTest com.acme.ledger.LedgerTest" % CP4)],
      keys=[("1) roundsHalfEven(com.acme.ledger.MoneyTest)", 1)], failed_tests=["roundsHalfEven(com.acme.ledger.MoneyTest)"])

jcase("junit4-core-error", eco="junit", tool="junit4", category="test_failure",
      files=src_with(PLAIN_FILES, MAIN + "Ledger.java", "Account a = new Account(id, currency);\n        accounts.put(id, a);",
                     "Account a = new Account(id, currency);\n        accounts.put(id.toUpperCase(), a);"),
      steps=[("Build", JAVAC_TEST4),
             ("Test", "java -cp build/classes:build/test-classes:%s org.junit.runner.JUnitCore com.acme.ledger.MoneyTest com.acme.ledger.AccountTest com.acme.ledger.LedgerTest" % CP4)],
      keys=[("1) transferMovesMoney(com.acme.ledger.LedgerTest)", 1)],
      failed_tests=["transferMovesMoney(com.acme.ledger.LedgerTest)"])

jcase("junit5-console-assert", eco="junit", tool="junit5", category="test_failure",
      files=src_with(PLAIN5_FILES, MAIN + "Account.java", "entries.add(Money.of(\"0\", currency).minus(m));", "entries.add(m);"),
      steps=[("Build", JAVAC_TEST5),
             ("Test", "java -jar %s --disable-banner --details=tree -cp build/classes:build/test-classes --scan-classpath build/test-classes" % CONSOLE)],
      keys=[("JUnit Jupiter:AccountTest:withdrawLowersBalance()", "=> org.opentest4j.AssertionFailedError"),
            ("JUnit Jupiter:LedgerTest:transferMovesMoney()", "=> org.opentest4j.AssertionFailedError")],
      failed_tests=["com.acme.ledger.AccountTest.withdrawLowersBalance", "com.acme.ledger.LedgerTest.transferMovesMoney"])

jcase("junit5-console-exception", eco="junit", tool="junit5", category="test_failure",
      files=src_with(PLAIN5_FILES, MAIN + "Money.java", "requireSameCurrency(other);\n        return new Money(amount.add(", "return new Money(amount.add("),
      steps=[("Build", JAVAC_TEST5),
             ("Test", "java -jar %s --disable-banner --details=summary -cp build/classes:build/test-classes --select-class com.acme.ledger.MoneyTest --select-class com.acme.ledger.AccountTest" % CONSOLE)],
      keys=[("JUnit Jupiter:MoneyTest:currencyMismatch()", "=> org.opentest4j.AssertionFailedError")],
      failed_tests=["com.acme.ledger.MoneyTest.currencyMismatch"])

CHECKS = D('''
    <?xml version="1.0"?>
    <!DOCTYPE module PUBLIC "-//Checkstyle//DTD Checkstyle Configuration 1.3//EN"
        "https://checkstyle.org/dtds/configuration_1_3.dtd">
    <module name="Checker">
      <property name="severity" value="error"/>
      <module name="FileTabCharacter"/>
      <module name="LineLength">
        <property name="max" value="120"/>
      </module>
      <module name="TreeWalker">
        <module name="AvoidStarImport"/>
        <module name="UnusedImports"/>
        <module name="RedundantImport"/>
        <module name="NeedBraces"/>
        <module name="LeftCurly"/>
        <module name="WhitespaceAround"/>
        <module name="EqualsHashCode"/>
        <module name="MissingSwitchDefault"/>
        <module name="ConstantName"/>
        <module name="LocalVariableName"/>
        <module name="MemberName"/>
        <module name="MethodName"/>
        <module name="ParameterName"/>
        <module name="TypeName"/>
        <module name="MissingJavadocMethod">
          <property name="scope" value="public"/>
          <property name="allowMissingPropertyJavadoc" value="true"/>
        </module>
        <module name="JavadocMethod"/>
        <module name="JavadocType"/>
      </module>
    </module>
    ''')
CS_FILES = dict(PLAIN_FILES, **{"config/checkstyle.xml": CHECKS})
CS_SETUP = [("checkstyle version", "java -version\ncheckstyle --version")]

jcase("checkstyle-cli-imports", eco="checkstyle", tool="checkstyle", category="lint", needs=["checkstyle"], setup=CS_SETUP,
      files=src_with(CS_FILES, MAIN + "Ledger.java", "import java.util.LinkedHashMap;", "import java.util.*;\nimport java.util.List;\nimport java.util.LinkedHashMap;"),
      steps=[("Build", "./build.sh"), ("Checkstyle", "checkstyle -c config/checkstyle.xml $(find src/main/java -name '*.java')")],
      keys=[("[ERROR]", "[UnusedImports]")])

jcase("checkstyle-cli-braces", eco="checkstyle", tool="checkstyle", category="lint", needs=["checkstyle"], setup=CS_SETUP,
      files=src_with(CS_FILES, MAIN + "Account.java", "if (m.isNegative()) {\n            throw new IllegalArgumentException(\"negative deposit: \" + m);\n        }",
                     "if (m.isNegative())\n            throw new IllegalArgumentException(\"negative deposit: \" + m);\n        int Count=entries.size();"),
      steps=[("Checkstyle", "checkstyle -c config/checkstyle.xml src/main/java"), ("Build", "./build.sh")],
      keys=[("[ERROR]", "[WhitespaceAround]")])

jcase("checkstyle-cli-javadoc", eco="checkstyle", tool="checkstyle", category="lint", needs=["checkstyle"], setup=CS_SETUP,
      files=src_with(CS_FILES, MAIN + "Ledger.java", "    /**\n     * Looks an account up.\n     *\n     * @param id the account id\n     * @return the account, or null\n     */\n", ""),
      steps=[("Lint", "checkstyle -c config/checkstyle.xml src/main/java src/test/java")],
      keys=[("[ERROR]", None)])

jcase("checkstyle-cli-xml", eco="checkstyle", tool="checkstyle", category="lint", needs=["checkstyle"], setup=CS_SETUP,
      files=src_with(CS_FILES, MAIN + "Money.java", "private final String currency;", "private final String Currency_Code = \"EUR\";\n    private final String currency;"),
      steps=[("Lint", "mkdir -p build\ncheckstyle -c config/checkstyle.xml -f xml -o build/checkstyle.xml src/main/java || { cat build/checkstyle.xml; exit 1; }")],
      keys=[("<error line=", None)])

jcase("javadoc-doclint", eco="javadoc", tool="javadoc", category="docs", needs=["javadoc"],
      files=src_with(src_with(PLAIN_FILES, MAIN + "Ledger.java", "     * @return the account, or null\n", "     * @return the account, or <null>\n"),
                     MAIN + "Money.java", "     * @param n the factor\n", ""),
      steps=[("Build", "./build.sh"), ("Javadoc", "javadoc -Xdoclint:all -quiet -d build/docs -sourcepath src/main/java -subpackages com.acme")],
      keys=[("error: unknown tag: null", 2), ("warning: no @param for n", None)])

jcase("javadoc-reference", eco="javadoc", tool="javadoc", category="docs", needs=["javadoc"],
      files=src_with(PLAIN_FILES, MAIN + "Account.java", "     * @throws InsufficientFundsException when the balance is too low\n",
                     "     * @throws InsufficientFundsException when the balance is too low\n     * @see Ledger#move(String, String, Money)\n"),
      steps=[("Javadoc", "javadoc -Xdoclint:all -d build/docs -sourcepath src/main/java -subpackages com.acme")],
      keys=[("error: reference not found", 2)])

IMPORTER = D('''
    package com.acme.ledger.tools;

    import com.acme.ledger.Account;
    import com.acme.ledger.Money;
    import java.util.ArrayList;
    import java.util.List;

    /** Imports a day of synthetic entries and prints the balance. */
    public final class Importer {
        private Importer() {
        }

        /**
         * Runs the import.
         *
         * @param args ignored
         */
        public static void main(String[] args) {
            Account a = new Account("import", "EUR");
            List<String> raw = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                raw.add(i + ".00");
            }
            for (String r : raw) {
                a.deposit(Money.of(r, "EUR"));
            }
            System.out.println("imported " + a.entries().size() + " entries, balance " + a.balance());
        }
    }
    ''')
IMP = MAIN + "tools/Importer.java"
RT_FILES = dict(PLAIN_FILES, **{IMP: IMPORTER})
RUN_IMPORT = "java -cp build/classes com.acme.ledger.tools.Importer"

jcase("jvm-heap-oom", eco="jvm", tool="java", category="oom",
      files=src_with(RT_FILES, IMP, "for (int i = 0; i < 50; i++) {\n            raw.add(i + \".00\");",
                     "for (int i = 0; i < 50_000_000; i++) {\n            if (i % 1_000_000 == 0) {\n                System.out.println(\"read \" + i + \" rows\");\n            }\n            raw.add(i + \".00\");"),
      steps=[("Build", "./build.sh"), ("Import", "java -Xmx64m -cp build/classes com.acme.ledger.tools.Importer")],
      keys=[("java.lang.OutOfMemoryError", None)])

jcase("jvm-exception-main", eco="jvm", tool="java", category="test_failure",
      files=src_with(RT_FILES, IMP, "a.deposit(Money.of(r, \"EUR\"));", "a.deposit(Money.of(r, \"eur\"));\n                a.deposit(Money.of(r, \"USD\"));"),
      steps=[("Build", "./build.sh"), ("Smoke test", RUN_IMPORT)],
      keys=[("Exception in thread \"main\" java.lang.IllegalArgumentException", None)])

jcase("jvm-noclassdef", eco="jvm", tool="java", category="dependency",
      files=dict(src_with(RT_FILES, IMP, "System.out.println(\"imported \" + a.entries().size() + \" entries, balance \" + a.balance());",
                          "System.out.println(new com.google.gson.Gson().toJson(a.entries()));"),
                 **{"build.sh": "#!/bin/sh\nset -e\nmkdir -p build/classes\njavac -cp %s/gson.jar -d build/classes $(find src/main/java -name '*.java')\n" % JARS}),
      steps=[("Build", "./build.sh"), ("Smoke test", RUN_IMPORT)],
      keys=[("java.lang.NoClassDefFoundError: com/google/gson/Gson", None)], needs=["javac", "/usr/share/java/gson.jar"])

jcase("jvm-stackoverflow", eco="jvm", tool="java", category="test_failure",
      files=src_with(RT_FILES, MAIN + "Account.java", "public Money balance() {\n        Money total", "public Money balance() {\n        if (entries.size() > 10) {\n            return balance().plus(entries.get(0));\n        }\n        Money total"),
      steps=[("Build", "./build.sh"), ("Smoke test", RUN_IMPORT)],
      keys=[("java.lang.StackOverflowError", None)])

jcase("jvm-killed", eco="jvm", tool="java", category="oom", flaky=True,
      files=src_with(RT_FILES, IMP, "for (String r : raw) {", "System.out.println(\"loading 40 GiB snapshot\");\n        try {\n            new ProcessBuilder(\"kill\", \"-9\", Long.toString(ProcessHandle.current().pid())).start().waitFor();\n        } catch (Exception e) {\n            throw new RuntimeException(e);\n        }\n        for (String r : raw) {"),
      steps=[("Build", "./build.sh"), ("Import", RUN_IMPORT + "\necho 'import done'")],
      keys=[("Killed", None)])

jcase("jvm-heap-option", eco="jvm", tool="java", category="config",
      files=RT_FILES,
      steps=[("Build", "mkdir -p build/classes\njavac --release 17 -d build/classes $(find src/main/java -name '*.java')"),
             ("Import", "java -cp build/classes -XX:MaxHeapSize=4k com.acme.ledger.tools.Importer")],
      keys=[("Error occurred during initialization of VM", 1)])

# ---- Gradle (sealed) -------------------------------------------------------

GRADLE_BUILD = D('''
    apply plugin: 'java'

    group = 'com.acme'
    version = '1.4.0-SNAPSHOT'
    sourceCompatibility = 1.8
    targetCompatibility = 1.8

    repositories {
        maven { url 'file:///usr/share/maven-repo' }
    }

    dependencies {
        testCompile 'junit:junit:4.13.2'
    }
    ''')
GRADLE_FILES = dict(SOURCES, **TESTS4, **{"build.gradle": GRADLE_BUILD, "settings.gradle": "rootProject.name = 'ledger'\n"})
GRADLE_SETUP = [("gradle -v", "java -version\ngradle -v")]


def gcase(id, **kw):
    kw.setdefault("lang", "java")
    kw.setdefault("eco", "gradle")
    kw.setdefault("tool", "gradle")
    kw.setdefault("flaky", False)
    kw.setdefault("setup", GRADLE_SETUP)
    kw.setdefault("needs", ["gradle"])
    kw.setdefault("repo", "ledger")
    case(id=id, **kw)


GRADLE_TEST = [("gradle check", "gradle --no-daemon --console=plain check")]

gcase("gradle-junit-fail", category="test_failure",
      files=src_with(GRADLE_FILES, MAIN + "Money.java", "RoundingMode.HALF_EVEN", "RoundingMode.CEILING"),
      steps=GRADLE_TEST, keys=[("MoneyTest > roundsHalfEven FAILED", 1)],
      failed_tests=["com.acme.ledger.MoneyTest.roundsHalfEven"])

gcase("gradle-junit-two", category="test_failure",
      files=src_with(GRADLE_FILES, MAIN + "Account.java", "entries.add(Money.of(\"0\", currency).minus(m));", "entries.add(m.times(-2));"),
      steps=[("gradle build", "gradle --no-daemon --console=plain build")],
      keys=[("AccountTest > withdrawLowersBalance FAILED", 1), ("LedgerTest > transferMovesMoney FAILED", 1)],
      failed_tests=["com.acme.ledger.AccountTest.withdrawLowersBalance", "com.acme.ledger.LedgerTest.transferMovesMoney"])

gcase("gradle-compile-error", category="compilation",
      files=src_with(GRADLE_FILES, MAIN + "Ledger.java", "accounts.get(to).deposit(amount);", "accounts.get(to).deposit(amount);\n        history.add(amount);"),
      steps=[("gradle assemble", "gradle --no-daemon --console=plain assemble")],
      keys=[(": error: cannot find symbol", "location: class Ledger")])

gcase("gradle-test-compile-error", category="compilation",
      files=src_with(GRADLE_FILES, TEST + "MoneyTest.java", "assertTrue(Money.of(\"-1\", \"USD\").isNegative());",
                     "assertTrue(Money.of(\"-1\", \"USD\").negative());"),
      steps=GRADLE_TEST, keys=[(": error: cannot find symbol", "location: class Money")])

gcase("gradle-missing-dependency", category="dependency",
      files=dict(GRADLE_FILES, **{"build.gradle": GRADLE_BUILD.replace("testCompile 'junit:junit:4.13.2'",
                                                                      "compile 'com.acme.platform:acme-audit-client:2.3.1'\n    testCompile 'junit:junit:4.13.2'")}),
      steps=GRADLE_TEST, keys=[("Could not resolve all files for configuration", "Could not find com.acme.platform:acme-audit-client:2.3.1")])

gcase("gradle-repo-dns", category="infra", flaky=True,
      files=dict(GRADLE_FILES, **{"build.gradle": GRADLE_BUILD.replace("testCompile 'junit:junit:4.13.2'",
                                                                      "compile 'com.acme.platform:acme-audit-client:2.3.1'\n    testCompile 'junit:junit:4.13.2'").replace(
                                      "    maven { url 'file:///usr/share/maven-repo' }", "    maven { url 'https://nexus.build.acme.invalid/repository/releases/' }\n    maven { url 'file:///usr/share/maven-repo' }")}),
      steps=GRADLE_TEST, keys=[("Could not resolve all files for configuration", "Name or service not known")])

gcase("gradle-test-oom", category="oom",
      files=dict(GRADLE_FILES, **{"build.gradle": GRADLE_BUILD + "\ntest {\n    maxHeapSize = '48m'\n}\n",
                                  TEST + "HistoryTest.java": D('''
        package com.acme.ledger;

        import static org.junit.Assert.assertEquals;

        import org.junit.Test;

        public class HistoryTest {
            @Test
            public void keepsLongHistory() {
                Account a = new Account("big", "EUR");
                for (int i = 0; i < 5_000_000; i++) {
                    a.deposit(Money.of("1.00", "EUR"));
                }
                assertEquals(5_000_000, a.entries().size());
            }
        }
        ''')}),
      steps=GRADLE_TEST, keys=[("HistoryTest > keepsLongHistory FAILED", 1)], failed_tests=["com.acme.ledger.HistoryTest.keepsLongHistory"])

gcase("gradle-javadoc", category="docs",
      files=src_with(GRADLE_FILES, MAIN + "Ledger.java", "     * @param to the target account id\n", "     * @param target the target account id\n"),
      steps=[("gradle javadoc", "gradle --no-daemon --console=plain javadoc")], keys=[("error: @param name not found", 2)])

gcase("gradle-build-script", category="config",
      files=dict(GRADLE_FILES, **{"build.gradle": GRADLE_BUILD.replace("testCompile 'junit:junit:4.13.2'", "testCompile 'junit:junit:4.13.2'\n    testCompile libs.assertj")}),
      steps=GRADLE_TEST, keys=[("Could not get unknown property 'libs'", None)])

gcase("gradle-timeout", category="timeout", flaky=True,
      files=dict(GRADLE_FILES, **{"scripts/wait-for-broker.sh": D('''
        #!/bin/sh
        until (exec 3<>/dev/tcp/127.0.0.1/9092) 2>/dev/null; do
          echo "waiting for kafka at 127.0.0.1:9092"
          sleep 1
        done
        ''')}),
      steps=[("Wait for broker", "timeout --verbose 5 sh scripts/wait-for-broker.sh"), ("gradle check", "gradle --no-daemon --console=plain check")],
      keys=[("timeout: sending signal", None)])

# ---- Ant (sealed) ----------------------------------------------------------

ANT_BUILD = D('''
    <project name="ledger" default="test" basedir=".">
      <property name="src" location="src/main/java"/>
      <property name="test.src" location="src/test/java"/>
      <property name="build" location="build"/>
      <path id="test.cp">
        <pathelement location="${build}/classes"/>
        <pathelement location="${build}/test-classes"/>
        <pathelement location="/usr/share/java/junit4.jar"/>
        <pathelement location="/usr/share/java/hamcrest-core.jar"/>
      </path>

      <target name="compile">
        <mkdir dir="${build}/classes"/>
        <javac srcdir="${src}" destdir="${build}/classes" includeantruntime="false" release="17"/>
      </target>

      <target name="compile-tests" depends="compile">
        <mkdir dir="${build}/test-classes"/>
        <javac srcdir="${test.src}" destdir="${build}/test-classes" classpathref="test.cp" includeantruntime="false" release="17"/>
      </target>

      <target name="test" depends="compile-tests">
        <junit printsummary="yes" haltonfailure="yes" fork="yes">
          <classpath refid="test.cp"/>
          <formatter type="plain" usefile="false"/>
          <batchtest>
            <fileset dir="${test.src}" includes="**/*Test.java"/>
          </batchtest>
        </junit>
      </target>

      <target name="import" depends="compile">
        <java classname="com.acme.ledger.tools.Importer" classpath="${build}/classes" fork="true" maxmemory="48m" failonerror="true"/>
      </target>
    </project>
    ''')
ANT_FILES = dict(SOURCES, **TESTS4, **{"build.xml": ANT_BUILD})


def acase(id, **kw):
    kw.setdefault("lang", "java")
    kw.setdefault("eco", "ant")
    kw.setdefault("tool", "ant")
    kw.setdefault("flaky", False)
    kw.setdefault("setup", [("ant -version", "java -version\nant -version")])
    kw.setdefault("needs", ["ant"])
    kw.setdefault("repo", "ledger")
    case(id=id, **kw)


acase("ant-javac-error", category="compilation",
      files=src_with(ANT_FILES, MAIN + "Account.java", "return Collections.unmodifiableList(entries);", "return Collections.unmodifiableList(entries).size();"),
      steps=[("ant", "ant -noinput -buildfile build.xml")], keys=[("[javac] ", "incompatible types")])

acase("ant-junit-fail", category="test_failure",
      files=src_with(ANT_FILES, MAIN + "Money.java", "RoundingMode.HALF_EVEN", "RoundingMode.HALF_UP"),
      steps=[("ant test", "ant -noinput test")], keys=[("Testcase: roundsHalfEven took", 2)],
      failed_tests=["com.acme.ledger.MoneyTest.roundsHalfEven"])

acase("ant-junit-error", category="test_failure",
      files=src_with(ANT_FILES, MAIN + "Ledger.java", "accounts.get(from).withdraw(amount);", "accounts.get(from.trim() + \" \").withdraw(amount);"),
      steps=[("ant test", "ant -noinput test")], keys=[("Testcase: transferMovesMoney took", 2)],
      failed_tests=["com.acme.ledger.LedgerTest.transferMovesMoney"])

acase("ant-java-oom", category="oom",
      files=dict(ANT_FILES, **{IMP: IMPORTER.replace("for (int i = 0; i < 50; i++) {", "for (int i = 0; i < 50_000_000; i++) {")}),
      steps=[("ant import", "ant -noinput import")], keys=[("java.lang.OutOfMemoryError", None)])

acase("ant-missing-antlib", category="dependency",
      files=dict(ANT_FILES, **{"build.xml": ANT_BUILD.replace('<project name="ledger" default="test" basedir=".">',
                                                              '<project name="ledger" default="test" basedir="." xmlns:jacoco="antlib:org.jacoco.ant">').replace(
          '<junit printsummary="yes" haltonfailure="yes" fork="yes">', '<jacoco:coverage destfile="${build}/jacoco.exec">\n    <junit printsummary="yes" haltonfailure="yes" fork="yes">').replace(
          '    </junit>\n', '    </junit>\n    </jacoco:coverage>\n')}),
      steps=[("ant test", "ant -noinput test")], keys=[("Problem: failed to create task or type antlib:org.jacoco.ant:coverage", None)])

# ---- TestNG (sealed) -------------------------------------------------------

NG_TEST = D('''
    package com.acme.ledger;

    import static org.testng.Assert.assertEquals;
    import static org.testng.Assert.assertTrue;

    import org.testng.annotations.Test;

    public class MoneyNgTest {
        @Test
        public void plusAddsAmounts() {
            assertEquals(Money.of("1.25", "EUR").plus(Money.of("2.25", "EUR")), Money.of("3.50", "EUR"));
        }

        @Test
        public void roundsHalfEven() {
            assertEquals(Money.of("0.125", "EUR").toString(), "0.12 EUR");
        }

        @Test
        public void negative() {
            assertTrue(Money.of("-1", "USD").isNegative());
        }

        @Test(expectedExceptions = IllegalArgumentException.class)
        public void currencyMismatch() {
            Money.of("1", "EUR").plus(Money.of("1", "USD"));
        }

        @Test(dependsOnMethods = "plusAddsAmounts")
        public void timesMultiplies() {
            assertEquals(Money.of("2.50", "EUR").times(3), Money.of("7.50", "EUR"));
        }
    }
    ''')
NG_CP = "%s/testng.jar:%s/jcommander.jar:%s/bsh.jar:%s/snakeyaml.jar" % (JARS, JARS, JARS, JARS)
NG_FILES = dict(SOURCES, **{TEST + "MoneyNgTest.java": NG_TEST})
NG_BUILD = JAVAC_MAIN + "\nmkdir -p build/test-classes\njavac -cp build/classes:%s -d build/test-classes $(find src/test/java -name '*.java')" % NG_CP
NG_RUN = "java -cp build/classes:build/test-classes:%s org.testng.TestNG -verbose 2 -testclass com.acme.ledger.MoneyNgTest" % NG_CP

jcase("testng-cli-assert", eco="testng", tool="testng", category="test_failure", needs=["java", "/usr/share/java/testng.jar"],
      files=src_with(NG_FILES, MAIN + "Money.java", "RoundingMode.HALF_EVEN", "RoundingMode.HALF_UP"),
      steps=[("Build", NG_BUILD), ("Test", NG_RUN)], keys=[("FAILED: roundsHalfEven", 1)],
      failed_tests=["roundsHalfEven"])

jcase("testng-cli-skip", eco="testng", tool="testng", category="test_failure", needs=["java", "/usr/share/java/testng.jar"],
      files=src_with(NG_FILES, MAIN + "Money.java", "return new Money(amount.add(other.amount), currency);", "return new Money(amount.add(other.amount), null);"),
      steps=[("Build", NG_BUILD), ("Test", NG_RUN)],
      keys=[("FAILED: plusAddsAmounts", 1)], failed_tests=["plusAddsAmounts"])

NG_POM = pom(deps="""    <dependency>
      <groupId>org.testng</groupId>
      <artifactId>testng</artifactId>
      <version>debian</version>
      <scope>test</scope>
    </dependency>
""")
mcase("testng-maven-surefire", eco="testng", tool="testng", category="test_failure",
      files=dict(src_with(NG_FILES, MAIN + "Money.java", "return amount.signum() < 0;", "return amount.signum() > 0;"), **{"pom.xml": NG_POM}),
      steps=MVN_TEST, keys=[("negative(com.acme.ledger.MoneyNgTest)  Time elapsed", 1)],
      failed_tests=["negative(com.acme.ledger.MoneyNgTest)"])

# ---- Groovy (sealed) -------------------------------------------------------

GROOVY_REPORT = D('''
    class Report {
        static String line(String id, BigDecimal amount) {
            // injected: no padding
            "${id}: ${amount.setScale(2)}"
        }

        static List<String> lines(Map<String, BigDecimal> balances) {
            balances.collect { k, v -> line(k, v) }
        }
    }
    ''')
GROOVY_TEST = D('''
    import org.junit.Test

    class ReportTest {
        @Test
        void formatsOneLine() {
            assert Report.line("acc-1", 10.5G) == "acc-1: 10.50"
        }

        @Test
        void padsIdColumn() {
            def out = Report.lines(["a": 1G, "bbbbbb": 2G])
            assert out == ["a     : 1.00", "bbbbbb: 2.00"]
        }
    }
    ''')
GV_FILES = {"src/Report.groovy": GROOVY_REPORT, "test/ReportTest.groovy": GROOVY_TEST}
GV_SETUP = [("groovy -version", "java -version\ngroovy -version")]


def gvcase(id, **kw):
    kw.setdefault("lang", "groovy")
    kw.setdefault("eco", "groovy")
    kw.setdefault("tool", "groovy")
    kw.setdefault("flaky", False)
    kw.setdefault("setup", GV_SETUP)
    kw.setdefault("needs", ["groovy"])
    kw.setdefault("repo", "reports")
    case(id=id, **kw)


gvcase("groovy-junit-assert", category="test_failure", files=GV_FILES,
       steps=[("Test", "mkdir -p build\ngroovy -cp src test/ReportTest.groovy 2>&1 | tee build/test.log\ngrep -q 'Failures: 0' build/test.log")],
       keys=[("Test Failure: padsIdColumn(ReportTest)", "assert out ==")], failed_tests=["padsIdColumn(ReportTest)"])

gvcase("groovy-script-assert", category="test_failure",
       files=dict(GV_FILES, **{"scripts/smoke.groovy": D('''
        def totals = [eur: 10.0G, usd: 4.5G]
        println "smoke: ${totals.size()} currencies"
        assert totals.values().sum() == 15.0G : "totals do not add up"
        println "smoke: ok"
        ''')}),
       steps=[("Smoke test", "groovy scripts/smoke.groovy")], keys=[("Caught: java.lang.AssertionError: totals do not add up", None)])

gvcase("groovyc-unresolved", tool="groovyc", category="compilation",
       files=dict(GV_FILES, **{"src/Report.groovy": GROOVY_REPORT.replace("static List<String> lines(Map<String, BigDecimal> balances) {",
                                                                         "static List<String> lines(Map<String, Balance> balances) {")}),
       steps=[("Compile", "mkdir -p build && groovyc -d build src/*.groovy")], keys=[("unable to resolve class Balance", 1)])

# ---- Scala (sealed) --------------------------------------------------------

SCALA_MAIN = D('''
    package acme.ledger

    final case class Money(cents: Long, currency: String) {
      def +(o: Money): Money = {
        require(o.currency == currency, s"currency mismatch: $currency vs ${o.currency}")
        Money(cents + o.cents, currency)
      }
      override def toString: String = f"${cents / 100}%d.${cents % 100}%02d $currency"
    }

    object Main {
      def total(xs: Seq[Money]): Money = xs.reduce(_ + _)

      def main(args: Array[String]): Unit = {
        val xs = Seq(Money(150, "EUR"), Money(225, "EUR"))
        val t = total(xs)
        println(s"total: $t")
        assert(t.toString == "3.75 EUR", s"bad total $t")
        println("smoke: ok")
      }
    }
    ''')
SC_SETUP = [("scala -version", "java -version\nscala -version")]


def sccase(id, **kw):
    kw.setdefault("lang", "scala")
    kw.setdefault("eco", "scala")
    kw.setdefault("tool", "scalac")
    kw.setdefault("flaky", False)
    kw.setdefault("setup", SC_SETUP)
    kw.setdefault("needs", ["scalac"])
    kw.setdefault("repo", "ledger-scala")
    case(id=id, **kw)


SC_BUILD = "mkdir -p build && scalac -d build src/main/scala/acme/ledger/*.scala"
sccase("scalac-type-mismatch", category="compilation",
       files={"src/main/scala/acme/ledger/Main.scala": SCALA_MAIN.replace("Money(cents + o.cents, currency)", "Money(cents + o.cents.toDouble, currency)")},
       steps=[("Compile", SC_BUILD)], keys=[("error: type mismatch;", 2)])

sccase("scalac-not-found", category="compilation",
       files={"src/main/scala/acme/ledger/Main.scala": SCALA_MAIN.replace("xs.reduce(_ + _)", "xs.reduce(_ + _).rounded").replace("println(\"smoke: ok\")", "log(\"smoke: ok\")")},
       steps=[("Compile", SC_BUILD)], keys=[("error: value rounded is not a member", 1), ("error: not found: value log", 1)])

sccase("scala-runtime-assert", tool="scala", category="test_failure",
       files={"src/main/scala/acme/ledger/Main.scala": SCALA_MAIN.replace("${cents % 100}%02d", "${cents % 10}%02d")},
       steps=[("Compile", SC_BUILD), ("Smoke test", "scala -cp build acme.ledger.Main")],
       keys=[("java.lang.AssertionError: assertion failed: bad total", None)])

# ---- Kotlin (sealed) -------------------------------------------------------

KT_MAIN = D('''
    package acme.ledger

    data class Money(val cents: Long, val currency: String) {
        operator fun plus(o: Money): Money {
            require(o.currency == currency) { "currency mismatch: $currency vs ${o.currency}" }
            return Money(cents + o.cents, currency)
        }
        override fun toString() = "%d.%02d %s".format(cents / 100, cents % 100, currency)
    }

    fun total(xs: List<Money>): Money = xs.reduce { a, b -> a + b }

    fun main() {
        val t = total(listOf(Money(150, "EUR"), Money(225, "EUR")))
        println("total: $t")
        check(t.toString() == "3.75 EUR") { "bad total $t" }
        println("smoke: ok")
    }
    ''')
KT_SETUP = [("kotlinc -version", "java -version\nkotlinc -version")]


def ktcase(id, **kw):
    kw.setdefault("lang", "kotlin")
    kw.setdefault("eco", "kotlin")
    kw.setdefault("tool", "kotlinc")
    kw.setdefault("flaky", False)
    kw.setdefault("setup", KT_SETUP)
    kw.setdefault("needs", ["kotlinc"])
    kw.setdefault("repo", "ledger-kt")
    case(id=id, **kw)


KT_BUILD = "mkdir -p build && kotlinc src/main/kotlin/Money.kt -include-runtime -d build/ledger.jar"
ktcase("kotlinc-type-mismatch", category="compilation",
       files={"src/main/kotlin/Money.kt": KT_MAIN.replace("return Money(cents + o.cents, currency)", "return Money(cents + o.cents * 1.0, currency)")},
       steps=[("Compile", KT_BUILD)], keys=[("error: type mismatch", 2)])

ktcase("kotlinc-unresolved", category="compilation",
       files={"src/main/kotlin/Money.kt": KT_MAIN.replace("println(\"smoke: ok\")", "logger.info(\"smoke: ok\")")},
       steps=[("Compile", KT_BUILD)], keys=[("error: unresolved reference: logger", 2)])

ktcase("kotlin-runtime-check", tool="kotlin", category="test_failure",
       files={"src/main/kotlin/Money.kt": KT_MAIN.replace("cents / 100, cents % 100", "cents / 100, cents % 10")},
       steps=[("Compile", KT_BUILD), ("Smoke test", "java -jar build/ledger.jar")],
       keys=[("Exception in thread \"main\" java.lang.IllegalStateException: bad total", None)])


# ---- tune2: tune ecosystems, cases written after jvm10's engine changes ----

mcase("t2-mvn-dependency-version-missing", category="config", split="tune2",
      files=dict(MVN_FILES, **{"pom.xml": pom(deps=DEP_JUNIT4.replace("      <version>4.13.2</version>\n", ""))}),
      steps=MVN_TEST, keys=[("'dependencies.dependency.version' for junit:junit:jar is missing", None)])

mcase("t2-mvn-enforcer-maven-version", category="config", split="tune2",
      files=dict(MVN_FILES, **{"pom.xml": pom(plugins="""      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-enforcer-plugin</artifactId>
        <version>3.1.0</version>
        <executions>
          <execution>
            <id>enforce-maven</id>
            <goals><goal>enforce</goal></goals>
            <configuration>
              <rules>
                <requireMavenVersion><version>[3.9.6,)</version></requireMavenVersion>
              </rules>
            </configuration>
          </execution>
        </executions>
      </plugin>
""")}),
      steps=[("mvn install", "mvn -B install")], keys=[("RequireMavenVersion failed with message", 1)])

jcase("t2-junit4-core-two", eco="junit", tool="junit4", category="test_failure", split="tune2",
      files=src_with(src_with(PLAIN_FILES, MAIN + "Money.java", "return new Money(amount.multiply(BigDecimal.valueOf(n)), currency);",
                              "return new Money(amount.multiply(BigDecimal.valueOf(n + 1)), currency);"),
                     MAIN + "Account.java", "entries.add(m);\n    }", "entries.add(m.times(1));\n    }"),
      steps=[("Build", JAVAC_TEST4),
             ("Test", "java -cp build/classes:build/test-classes:%s org.junit.runner.JUnitCore com.acme.ledger.MoneyTest com.acme.ledger.AccountTest com.acme.ledger.LedgerTest" % CP4)],
      keys=[("%d) " % i, 1) for i in range(1, 7)],
      failed_tests=["timesMultiplies(com.acme.ledger.MoneyTest)", "depositAddsToBalance(com.acme.ledger.AccountTest)",
                    "withdrawLowersBalance(com.acme.ledger.AccountTest)", "overdraftIsRefused(com.acme.ledger.AccountTest)",
                    "totalSumsOneCurrency(com.acme.ledger.LedgerTest)", "transferMovesMoney(com.acme.ledger.LedgerTest)"])

jcase("t2-checkstyle-xml-two", eco="checkstyle", tool="checkstyle", category="lint", needs=["checkstyle"], setup=CS_SETUP, split="tune2",
      files=src_with(CS_FILES, MAIN + "Account.java", "import java.util.List;", "import java.util.List;\nimport java.util.Map;\nimport java.io.*;"),
      steps=[("Checkstyle", "mkdir -p build\ncheckstyle -c config/checkstyle.xml -f xml -o build/checkstyle-result.xml src/main/java || { cat build/checkstyle-result.xml; exit 1; }")],
      keys=[("<error line=", None), ("<error line=", None)])

jcase("t2-jvm-bad-option", eco="jvm", tool="java", category="config", split="tune2",
      files=RT_FILES,
      steps=[("Build", "./build.sh"), ("Import", "java -XX:+UseConcMarkSweepGC -Xmx256m -cp build/classes com.acme.ledger.tools.Importer")],
      keys=[("Unrecognized VM option", 1)])

mcase("t2-mvn-junit5-npe", category="test_failure", split="tune2",
      files=src_with(MVN5_FILES, MAIN + "Ledger.java", "return accounts.get(id);", "return accounts.get(id.trim().isEmpty() ? null : id + \"-\");"),
      steps=MVN_TEST, keys=[("transferMovesMoney  Time elapsed", 1)],
      failed_tests=["transferMovesMoney(com.acme.ledger.LedgerTest)"])

# ---- tune3: sealed ecosystems, new failures, written by jvm11 BEFORE its engine changes ----
# (jvm11 tunes on the sealed split; tune3 is its held-out check: measured once before, once after)

gcase("t3-gradle-junit-npe", category="test_failure", split="tune3",
      files=src_with(GRADLE_FILES, MAIN + "Ledger.java", "accounts.get(from).withdraw(amount);", "accounts.get(from + \"-\").withdraw(amount);"),
      steps=[("gradle test", "gradle --no-daemon --console=plain test")],
      keys=[("LedgerTest > transferMovesMoney FAILED", 1)], failed_tests=["com.acme.ledger.LedgerTest.transferMovesMoney"])

gcase("t3-gradle-build-syntax", category="config", split="tune3",
      files=dict(GRADLE_FILES, **{"build.gradle": GRADLE_BUILD.replace("testCompile 'junit:junit:4.13.2'\n}", "testCompile 'junit:junit:4.13.2'\n")}),
      steps=GRADLE_TEST, keys=[("expecting '}'", None)])

gcase("t3-gradle-plugin-missing", category="config", split="tune3",
      files=dict(GRADLE_FILES, **{"build.gradle": GRADLE_BUILD.replace("apply plugin: 'java'", "apply plugin: 'java'\napply plugin: 'com.acme.codestyle'")}),
      steps=[("gradle build", "gradle --no-daemon --console=plain build")], keys=[("Plugin with id 'com.acme.codestyle' not found", None)])

acase("t3-ant-javac-symbol", category="compilation", split="tune3",
      files=src_with(ANT_FILES, MAIN + "Ledger.java", "accounts.get(to).deposit(amount);", "accounts.get(to).deposit(amount);\n        audit.record(from, to, amount);"),
      steps=[("ant", "ant -noinput test")], keys=[("error: cannot find symbol", "location: class Ledger")])

acase("t3-ant-missing-target", category="config", split="tune3",
      files=ANT_FILES, steps=[("ant integration-test", "ant -noinput integration-test")],
      keys=[("does not exist in the project", None)])

jcase("t3-testng-cli-two", eco="testng", tool="testng", category="test_failure", needs=["java", "/usr/share/java/testng.jar"], split="tune3",
      files=src_with(src_with(NG_FILES, MAIN + "Money.java", "RoundingMode.HALF_EVEN", "RoundingMode.UP"),
                     MAIN + "Money.java", "return amount.signum() < 0;", "return currency.substring(4).isEmpty();"),
      steps=[("Build", NG_BUILD), ("Test", NG_RUN)],
      keys=[("FAILED: negative", 1), ("FAILED: roundsHalfEven", 1)], failed_tests=["negative", "roundsHalfEven"])

gvcase("t3-groovyc-syntax", tool="groovyc", category="compilation", split="tune3",
       files=dict(GV_FILES, **{"src/Report.groovy": GROOVY_REPORT.replace("balances.collect { k, v -> line(k, v) }", "balances.collect { k, v -> line(k, v) ")}),
       steps=[("Compile", "mkdir -p build && groovyc -d build src/*.groovy")], keys=[("Report.groovy: ", None)])

gvcase("t3-groovy-script-power-assert", category="test_failure", split="tune3",
       files=dict(GV_FILES, **{"scripts/check.groovy": D('''
        def rates = [eur: 1.0G, usd: 1.08G, gbp: 0.86G]
        println "check: ${rates.size()} rates"
        def inverse = rates.collectEntries { k, v -> [k, 1 / v] }
        assert inverse.usd.setScale(2, BigDecimal.ROUND_HALF_UP) == 0.93G && inverse.gbp > 1.2G
        println "check: ok"
        ''')}),
       steps=[("Check rates", "groovy scripts/check.groovy")], keys=[("Assertion failed:", "inverse.gbp")])

gvcase("t3-groovy-junit-two", category="test_failure", split="tune3",
       files=dict(GV_FILES, **{"src/Report.groovy": GROOVY_REPORT.replace("amount.setScale(2)", "amount.setScale(1, BigDecimal.ROUND_DOWN)")}),
       steps=[("Test", "mkdir -p build\ngroovy -cp src test/ReportTest.groovy 2>&1 | tee build/test.log\ngrep -q 'Failures: 0' build/test.log")],
       keys=[("Test Failure: padsIdColumn(ReportTest)", "assert out =="), ("Test Failure: formatsOneLine(ReportTest)", "assert Report.line")],
       failed_tests=["formatsOneLine(ReportTest)", "padsIdColumn(ReportTest)"])

# ---- tune4: Gradle report causes, Ant BUILD FAILED reasons and [task] prefixes, TestNG configuration
# failures; written by jvm12 BEFORE its engine changes (its held-out check: measured once before, once after)

gcase("t4-gradle-api-no-java-library", category="config", split="tune4",
      files=dict(GRADLE_FILES, **{"build.gradle": GRADLE_BUILD.replace("testCompile 'junit:junit:4.13.2'", "api 'com.google.code.gson:gson:2.10.1'\n    testCompile 'junit:junit:4.13.2'")}),
      steps=GRADLE_TEST, keys=[("Could not find method api() for arguments", None)])

gcase("t4-gradle-java-version-property", category="config", split="tune4",
      files=dict(GRADLE_FILES, **{"build.gradle": GRADLE_BUILD.replace("sourceCompatibility = 1.8", "sourceCompatibility = JavaVersion.VERSION_HEAD")}),
      steps=[("gradle build", "gradle --no-daemon --console=plain build")], keys=[("No such property: VERSION_HEAD", None)])

gcase("t4-gradle-apply-from-missing", category="config", split="tune4",
      files=dict(GRADLE_FILES, **{"build.gradle": GRADLE_BUILD + "\napply from: 'gradle/publishing.gradle'\n"}),
      steps=GRADLE_TEST, keys=[("gradle/publishing.gradle' as it does not exist", None)])

gcase("t4-gradle-task-not-found", category="config", split="tune4",
      files=GRADLE_FILES, steps=[("gradle integrationTest", "gradle --no-daemon --console=plain integrationTest")],
      keys=[("Task 'integrationTest' not found in root project 'ledger'", None)])

acase("t4-ant-fail-property", category="config", split="tune4",
      files=dict(ANT_FILES, **{"build.xml": ANT_BUILD.replace('<target name="test" depends="compile-tests">',
                                                              '<target name="test" depends="compile-tests">\n    <fail unless="db.url" message="Property db.url must be set (pass -Ddb.url=jdbc:...)"/>')}),
      steps=[("ant test", "ant -noinput test")], keys=[("Property db.url must be set", None)])

acase("t4-ant-junit-brief", category="test_failure", split="tune4",
      files=dict(src_with(ANT_FILES, MAIN + "Money.java", "return amount.signum() < 0;", "return amount.signum() > 0;"),
                 **{"build.xml": ANT_BUILD.replace('<formatter type="plain" usefile="false"/>', '<formatter type="brief" usefile="false"/>')}),
      steps=[("ant test", "ant -noinput test")],
      keys=[("Testcase: depositAddsToBalance(", 2), ("Testcase: withdrawLowersBalance(", 2), ("Testcase: overdraftIsRefused(", 2)],
      failed_tests=["com.acme.ledger.AccountTest.depositAddsToBalance", "com.acme.ledger.AccountTest.withdrawLowersBalance",
                    "com.acme.ledger.AccountTest.overdraftIsRefused"])

acase("t4-ant-java-exception", category="test_failure", split="tune4",
      files=dict(ANT_FILES, **{IMP: IMPORTER.replace("for (int i = 0; i < 50; i++) {", "if (args.length == 0) throw new IllegalStateException(\"no input file given to the importer\");\n        for (int i = 0; i < 50; i++) {")}),
      steps=[("ant import", "ant -noinput import")], keys=[("IllegalStateException: no input file given", None)])

NG_SETUP_TEST = NG_TEST.replace("import org.testng.annotations.Test;", "import org.testng.annotations.BeforeClass;\nimport org.testng.annotations.Test;").replace(
    "public class MoneyNgTest {", "public class MoneyNgTest {\n    private java.util.Map<String, String> rates;\n\n    @BeforeClass\n    public void loadRates() {\n        rates = new java.util.HashMap<>();\n        rates.put(\"EUR\", System.getProperty(\"rates.eur\").trim());\n    }\n")
jcase("t4-testng-cli-beforeclass", eco="testng", tool="testng", category="test_failure", needs=["java", "/usr/share/java/testng.jar"], split="tune4",
      files=dict(NG_FILES, **{TEST + "MoneyNgTest.java": NG_SETUP_TEST}),
      steps=[("Build", NG_BUILD), ("Test", "mkdir -p build\n" + NG_RUN + " 2>&1 | tee build/testng.log\ngrep -q 'Failures: 0, Skips: 0' build/testng.log")],
      keys=[("FAILED CONFIGURATION: @BeforeClass loadRates", 1)], failed_tests=["loadRates"])

mcase("t4-testng-surefire-beforeclass", eco="testng", tool="testng", category="test_failure", split="tune4",
      files=dict(NG_FILES, **{TEST + "MoneyNgTest.java": NG_SETUP_TEST, "pom.xml": NG_POM}),
      steps=MVN_TEST, keys=[("loadRates(com.acme.ledger.MoneyNgTest)  Time elapsed", 1)],
      failed_tests=["loadRates(com.acme.ledger.MoneyNgTest)"])


if __name__ == "__main__":
    main()
