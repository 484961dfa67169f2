#!/usr/bin/env python3
"""Regenerate the realtools/scripting corpus from REAL tool output.

Every case is a small project with one injected failure. The generator writes
the project, clones it with git (real clone output), runs the real setup
commands and the real tool, captures what they printed, and wraps it in the
job log of one CI system (rotated per case). Only the CI envelope lines (step
headers, timestamps, exit-code footers) are written here; everything between
them is the tools' own output, with this machine's paths replaced by the CI
system's workspace path.

Labels are computed from the final text by searching for what was injected
(never hard-coded line numbers).

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
PART = "scripting"
CIS = ["travis", "gha", "gitlab", "jenkins", "buildkite", "circleci", "azure"]
SEALED = {"perl", "erlang", "r", "lua"}

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
                 failed_tests=None, setup=(), needs=(), ci=None, repo=None):
        self.id = id
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


def execute(c, work, venv):
    base, src = materialise(c, work)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_FIND_LINKS")}
    env.update(LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="dumb", CI="true", HOME=os.path.join(base, "home"),
               PATH=os.path.join(venv, "bin") + ":" + os.environ.get("PATH", ""),
               PYTHONDONTWRITEBYTECODE="1", R_LIBS_USER="", MIX_HOME=os.path.join(base, "home", ".mix"),
               HEX_OFFLINE="1", PIP_DISABLE_PIP_VERSION_CHECK="1", NO_COLOR="1")
    os.makedirs(env["HOME"], exist_ok=True)
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
        out, rc = run(cmd, build, env)
        ran.append(dict(name=name, cmd=cmd, out=out, rc=rc, phase="script"))
        failed = failed or rc != 0
    if not failed:
        raise RuntimeError("%s: no step failed:\n%s" % (c.id, ran[-1]["out"][-2000:]))
    return base, build, ran


PYHOME = sys.base_prefix  # the interpreter the venv was made from


def scrub(text, ci, c, base, build, venv):
    ws = WORKSPACE[ci].format(repo=c.repo)
    home = HOMES[ci]
    for a, b in [(build, ws), (os.path.join(base, "home"), home), (base, home + "/tmp"),
                 (venv, home + "/venv"),
                 (PYHOME, "/opt/python/3.11.7")]:
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
    return shutil.which(tool) is not None


def main():
    run_part(HERE, PART, CASES, SEALED, 0, "/tmp/realtools-scripting", python_venv=True)


# --------------------------------------------------------------------------
# the cases (one injected failure each)

# ---- Python (tune) -------------------------------------------------------

PY_CART = D('''
    class Item:
        def __init__(self, name, price):
            self.name = name
            self.price = price


    class Cart:
        def __init__(self, items=()):
            self.items = list(items)

        def add(self, item):
            self.items.append(item)

        def total(self, discount=0.0):
            gross = sum(i.price for i in self.items)
            # injected: the discount is applied to the first item only
            return gross - self.items[0].price * discount if self.items else 0.0

        def names(self):
            return [i.name for i in self.items]
    ''')
PY_SETUP = [("python --version", "python --version\npip --version\npip list"),
            ("install", "python -m pip install -r requirements-dev.txt")]
PY_FILES = {"requirements-dev.txt": "pytest>=8\n", "src/shop/__init__.py": "", "src/shop/cart.py": PY_CART,
            "pyproject.toml": D('''
                [project]
                name = "shop"
                version = "0.4.1"
                [tool.pytest.ini_options]
                pythonpath = ["src"]
                ''')}

case(id="py-pytest-assert", lang="python", tool="pytest", category="test_failure", flaky=False,
     files=dict(PY_FILES, **{"tests/test_cart.py": D('''
        import warnings
        from shop.cart import Cart, Item


        def test_empty_total():
            assert Cart().total() == 0.0


        def test_add_and_names():
            c = Cart()
            c.add(Item("apple", 1.5))
            assert c.names() == ["apple"]


        def test_total_no_discount():
            warnings.warn("price rounding will change in 0.5", DeprecationWarning)
            assert Cart([Item("a", 10.0), Item("b", 5.0)]).total() == 15.0


        def test_total_with_discount():
            cart = Cart([Item("a", 10.0), Item("b", 5.0)])
            assert cart.total(discount=0.1) == 13.5
        ''')}),
     setup=PY_SETUP, steps=[("Run tests", "python -m pytest -v tests")],
     keys=[("_ test_total_with_discount _", "tests/test_cart.py:22: AssertionError")],
     failed_tests=["tests/test_cart.py::test_total_with_discount"], needs=["python3"])

case(id="py-pytest-two", lang="python", tool="pytest", category="test_failure", flaky=False,
     files=dict(PY_FILES, **{"tests/test_cart.py": D('''
        from shop.cart import Cart, Item


        def test_total_with_discount():
            cart = Cart([Item("a", 10.0), Item("b", 5.0)])
            assert cart.total(discount=0.1) == 13.5


        def test_names():
            assert Cart([Item("x", 1)]).names() == ["x"]
        '''), "tests/test_catalog.py": D('''
        import pytest

        CATALOG = {"apple": 1.5, "pear": 2.0}


        @pytest.mark.parametrize("name", ["apple", "pear", "plum"])
        def test_lookup(name):
            assert CATALOG[name] > 0
        ''')}),
     setup=PY_SETUP, steps=[("Run tests", "python -m pytest -ra tests")],
     keys=[("_ test_total_with_discount _", "AssertionError"), ("_ test_lookup[plum] _", "KeyError")],
     failed_tests=["tests/test_cart.py::test_total_with_discount", "tests/test_catalog.py::test_lookup[plum]"],
     needs=["python3"])

case(id="py-pytest-collect", lang="python", tool="pytest", category="dependency", flaky=False,
     files=dict(PY_FILES, **{"tests/test_config.py": D('''
        import yaml_settings_loader

        def test_load():
            assert yaml_settings_loader.load("a: 1") == {"a": 1}
        '''), "tests/test_cart.py": "from shop.cart import Cart\n\ndef test_empty():\n    assert Cart().total() == 0.0\n"}),
     setup=PY_SETUP, steps=[("Run tests", "python -m pytest tests")],
     keys=[("ERROR collecting tests/test_config.py", "ModuleNotFoundError")], failed_tests=None, needs=["python3"])

case(id="py-unittest-fail", lang="python", tool="unittest", category="test_failure", flaky=False,
     files={"src/parser.py": D('''
        def parse_pair(text):
            key, _, value = text.partition("=")
            return key.strip(), value  # injected: value not stripped
        '''), "tests/__init__.py": "", "tests/test_parser.py": D('''
        import sys, unittest
        sys.path.insert(0, "src")
        from parser import parse_pair


        class ParserTest(unittest.TestCase):
            def test_key(self):
                self.assertEqual(parse_pair("a = 1")[0], "a")

            def test_value(self):
                self.assertEqual(parse_pair("a = 1")[1], "1")

            def test_empty(self):
                self.assertEqual(parse_pair(""), ("", ""))


        if __name__ == "__main__":
            unittest.main()
        ''')},
     setup=[("python --version", "python --version\npip list")],
     steps=[("Run tests", "python -m unittest discover -v -s tests -t .")],
     keys=[("FAIL: test_value", "AssertionError")], failed_tests=["tests.test_parser.ParserTest.test_value"],
     needs=["python3"])

case(id="py-mypy", lang="python", tool="mypy", category="lint", flaky=False,
     files={"src/inventory/__init__.py": "", "src/inventory/stock.py": D('''
        from typing import Optional


        def count(items: dict[str, int], name: str) -> int:
            return items.get(name)


        def label(n: int) -> str:
            return n * 2


        def find(names: list[str], prefix: str) -> Optional[str]:
            for n in names:
                if n.startswith(prefix):
                    return n
            return None
        '''), "tests/test_stock.py": "def test_ok():\n    assert True\n"},
     setup=[("python --version", "python --version\nmypy --version\npip list"), ("Run tests", "python -m pytest -q tests")],
     steps=[("Type check", "mypy --strict src")],
     keys=[("stock.py:5: error:", "stock.py:9: error:")], needs=["python3"])

case(id="py-flake8", lang="python", tool="flake8", category="lint", flaky=False,
     files={"src/report.py": D('''
        import os
        import sys


        def render(rows):
            out = []
            for r in rows:
                out.append("%s: %s" % (r["name"], r["value"]))
            return "\\n".join(out)


        def main():
            print(render([{"name": "a", "value": 1}]), file=sys.stdout)
        '''), "setup.cfg": "[flake8]\nmax-line-length = 100\n"},
     setup=[("python --version", "python --version\nflake8 --version\npip list")],
     steps=[("Lint", "flake8 src")],
     keys=[("src/report.py:1:1: F401", None)], needs=["python3"])

case(id="py-ruff", lang="python", tool="ruff", category="lint", flaky=False,
     files={"pyproject.toml": "[tool.ruff]\nline-length = 100\n[tool.ruff.lint]\nselect = [\"E\", \"F\", \"B\"]\n",
            "src/jobs.py": D('''
        import json


        def load(path, cache={}):
            if path in cache:
                return cache[path]
            with open(path) as f:
                cache[path] = json.load(f)
            return cache[path]


        def keys(d):
            return [k for k in d if undefined_filter(k)]
        ''')},
     setup=[("ruff --version", "ruff --version")],
     steps=[("Lint", "ruff check --output-format=full src")],
     keys=[("B006", 4), ("F821", 4)], needs=["python3"])

case(id="py-syntax", lang="python", tool="compileall", category="compilation", flaky=False,
     files={"src/app/__init__.py": "", "src/app/models.py": "class User:\n    pass\n",
            "src/app/views.py": D('''
        from app.models import User


        def index(request):
            user = User()
            return {"user": user,
                    "title": "Home"
        ''')},
     setup=[("python --version", "python --version\npip list")],
     steps=[("Byte-compile", "python -m compileall -q src")],
     keys=[("Error compiling", "SyntaxError")], needs=["python3"])

case(id="py-pip-missing", lang="python", tool="pip", category="dependency", flaky=False,
     files={"requirements.txt": "pytest>=8\nacme-ci-internal-toolkit-xq==2.3.1\n"},
     setup=[("python --version", "python --version\npip --version")],
     steps=[("Install dependencies", "python -m pip install -r requirements.txt")],
     keys=[("ERROR: Could not find a version that satisfies", "ERROR: No matching distribution found")],
     needs=["python3"])

case(id="py-pip-dns", lang="python", tool="pip", category="infra", flaky=True,
     files={"requirements.txt": "requests==2.32.3\n"},
     setup=[("python --version", "python --version\npip --version")],
     steps=[("Install dependencies", "python -m pip install --retries 1 --timeout 5 --index-url https://pypi.mirror.acme.invalid/simple -r requirements.txt")],
     keys=[("Name or service not known", None), ("ERROR: Could not find a version", "ERROR: No matching distribution")],
     needs=["python3"])

case(id="py-localhost-refused", lang="python", tool="pytest", category="test_failure", flaky=False,
     files=dict(PY_FILES, **{"tests/test_health.py": D('''
        import json
        import urllib.request


        def test_version():
            assert json.loads('{"v": 1}')["v"] == 1


        def test_health_endpoint():
            with urllib.request.urlopen("http://127.0.0.1:8765/health", timeout=2) as r:
                assert r.status == 200
        ''')}),
     setup=PY_SETUP, steps=[("Run tests", "python -m pytest --tb=short tests")],
     keys=[("_ test_health_endpoint _", "E   urllib.error.URLError")],
     failed_tests=["tests/test_health.py::test_health_endpoint"], needs=["python3"])

case(id="py-timeout-setup", lang="python", tool="timeout", category="timeout", flaky=True,
     files={"requirements-dev.txt": "pytest>=8\n", "tests/test_db.py": "def test_db():\n    assert True\n",
            "scripts/wait_for_db.py": D('''
        import socket, sys, time
        host, port = sys.argv[1], int(sys.argv[2])
        while True:
            try:
                socket.create_connection((host, port), 1).close()
                break
            except OSError as e:
                print(f"waiting for postgres at {host}:{port} ({e.strerror})", flush=True)
                time.sleep(1)
        ''')},
     setup=PY_SETUP[:1],
     steps=[("Wait for database", "timeout --verbose 4 python scripts/wait_for_db.py localhost 5432"),
            ("Run tests", "python -m pytest tests")],
     keys=[("timeout: sending signal", None)], needs=["python3", "timeout"])

case(id="py-killed", lang="python", tool="python", category="oom", flaky=True,
     files={"tools/run_suite.py": D('''
        import os, signal
        for i in range(1, 6):
            print(f"[shard 2/4] running block {i}/12: tests/models/test_block_{i}.py ... ok", flush=True)
        print("[shard 2/4] running block 6/12: tests/models/test_block_6.py ...", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        '''), "tools/coverage_report.py": "print('coverage: 81%')\n"},
     setup=[("python --version", "python --version\npip list")],
     steps=[("Run model tests", "python tools/run_suite.py --shard 2/4\npython tools/coverage_report.py")],
     keys=[("Killed", None)], needs=["python3"])

case(id="py-oom-ulimit", lang="python", tool="python", category="oom", flaky=True,
     files={"scripts/build_index.py": D('''
        import sys
        print("loading corpus shards: 64", flush=True)
        rows = []
        for shard in range(64):
            rows.append(bytearray(64 * 1024 * 1024))
            print(f"indexed shard {shard}", flush=True)
        '''), "requirements-dev.txt": "pytest>=8\n"},
     setup=PY_SETUP[:1],
     steps=[("Build search index", "ulimit -v 600000\npython scripts/build_index.py")],
     keys=[("Traceback (most recent call last)", "MemoryError")], needs=["python3"])

# ---- Node (tune) ---------------------------------------------------------

NODE_PRICE = D('''
    'use strict';
    function withTax(amount, rate) {
      // injected: rounds before adding the tax
      return Math.round(amount) * (1 + rate);
    }
    function formatPrice(cents) {
      return '$' + (cents / 100).toFixed(2);
    }
    module.exports = { withTax, formatPrice };
    ''')
NODE_PKG = '{\n  "name": "pricing",\n  "version": "1.2.0",\n  "private": true,\n  "scripts": {"test": "node --test test/"}\n}\n'
NODE_SETUP = [("node --version", "node --version\nnode -p 'JSON.stringify(process.versions, null, 2)'\nnode -p 'JSON.stringify(process.config.variables, null, 2)'")]

case(id="node-test-assert", lang="node", tool="node --test", category="test_failure", flaky=False,
     files={"package.json": NODE_PKG, "src/price.js": NODE_PRICE, "test/price.test.js": D('''
        'use strict';
        const test = require('node:test');
        const assert = require('node:assert');
        const { withTax, formatPrice } = require('../src/price');

        test('formats cents', () => {
          assert.strictEqual(formatPrice(1999), '$19.99');
        });

        test('adds tax to a fractional amount', () => {
          assert.strictEqual(withTax(10.4, 0.5), 15.6);
        });

        test('adds no tax at rate 0', () => {
          assert.strictEqual(withTax(10, 0), 10);
        });
        ''')},
     setup=NODE_SETUP, steps=[("Test", "node --test test/")],
     keys=[("not ok 2 - adds tax to a fractional amount", "expected: 15.6")],
     failed_tests=["adds tax to a fractional amount"], needs=["node"])

case(id="node-test-spec-two", lang="node", tool="node --test", category="test_failure", flaky=False,
     files={"package.json": NODE_PKG, "src/price.js": NODE_PRICE, "test/price.test.js": D('''
        'use strict';
        const { describe, it } = require('node:test');
        const assert = require('node:assert/strict');
        const { withTax, formatPrice } = require('../src/price');

        describe('pricing', () => {
          it('formats cents', () => {
            assert.equal(formatPrice(1999), '$19.99');
          });
          it('adds tax to a fractional amount', () => {
            assert.equal(withTax(10.4, 0.5), 15.6);
          });
          it('keeps the currency sign for zero', () => {
            assert.deepEqual([formatPrice(0)], ['0.00']);
          });
        });
        ''')},
     setup=NODE_SETUP, steps=[("Test", "node --test --test-reporter=spec test/")],
     keys=[("adds tax to a fractional amount", "15.6"), ("keeps the currency sign for zero", "'0.00'")],
     failed_tests=["pricing adds tax to a fractional amount", "pricing keeps the currency sign for zero"],
     needs=["node"])

case(id="node-smoke-throw", lang="node", tool="node", category="test_failure", flaky=False,
     files={"package.json": NODE_PKG, "src/routes.js": D('''
        'use strict';
        function buildRoutes(config) {
          return config.routes.map((r) => ({ path: r.path, handler: r.handler || 'index' }));
        }
        module.exports = { buildRoutes };
        '''), "test/smoke.js": D('''
        'use strict';
        const { buildRoutes } = require('../src/routes');
        console.log('smoke: building routes from the default config');
        const cfg = { server: { routes: [{ path: '/' }] } };
        const routes = buildRoutes(cfg);
        console.log('smoke: ok', routes.length);
        ''')},
     setup=NODE_SETUP, steps=[("Smoke test", "node test/smoke.js")],
     keys=[("TypeError: Cannot read properties of undefined", "at buildRoutes")], needs=["node"])

case(id="node-check-syntax", lang="node", tool="node --check", category="compilation", flaky=False,
     files={"package.json": NODE_PKG, "src/server.js": D('''
        'use strict';
        const http = require('node:http');

        function handler(req, res) {
          if (req.url === '/health') {
            res.end('ok');
          } else {
            res.statusCode = 404;
            res.end('not found';
          }
        }

        module.exports = { handler, start: () => http.createServer(handler) };
        '''), "src/util.js": "module.exports = {};\n"},
     setup=NODE_SETUP, steps=[("Syntax check", "for f in src/*.js; do node --check \"$f\"; done")],
     keys=[("src/server.js:9", "SyntaxError")], needs=["node"])

case(id="node-missing-module", lang="node", tool="node", category="dependency", flaky=False,
     files={"package.json": NODE_PKG.replace('"private": true,', '"private": true,\n  "dependencies": {"express-rate-guard": "^3.1.0"},'),
            "src/index.js": D('''
        'use strict';
        const guard = require('express-rate-guard');
        console.log(typeof guard);
        ''')},
     setup=NODE_SETUP, steps=[("Start server check", "node src/index.js")],
     keys=[("Error: Cannot find module 'express-rate-guard'", None)], needs=["node"])

case(id="node-localhost-refused", lang="node", tool="node --test", category="test_failure", flaky=False,
     files={"package.json": NODE_PKG, "test/api.test.js": D('''
        'use strict';
        const test = require('node:test');
        const assert = require('node:assert');

        test('parses a version', () => {
          assert.strictEqual(Number('3'), 3);
        });

        test('GET /health answers 200', async () => {
          const res = await fetch('http://127.0.0.1:4873/health');
          assert.strictEqual(res.status, 200);
        });
        ''')},
     setup=NODE_SETUP, steps=[("Test", "node --test --test-reporter=spec test/")],
     keys=[("GET /health answers 200", "ECONNREFUSED")], failed_tests=["GET /health answers 200"], needs=["node"])

case(id="node-dns", lang="node", tool="node", category="infra", flaky=True,
     files={"package.json": NODE_PKG, "scripts/fetch-fixtures.js": D('''
        'use strict';
        const https = require('node:https');
        const url = 'https://fixtures.cdn.acme.invalid/v3/catalog.json';
        console.log('fetching test fixtures from ' + url);
        https.get(url, (res) => {
          res.resume();
          res.on('end', () => console.log('done'));
        }).on('error', (err) => { throw err; });
        ''')},
     setup=NODE_SETUP, steps=[("Fetch fixtures", "node scripts/fetch-fixtures.js")],
     keys=[("getaddrinfo ENOTFOUND", None)], needs=["node"])

case(id="node-heap-oom", lang="node", tool="node", category="oom", flaky=False,
     files={"package.json": NODE_PKG, "scripts/build-index.js": D('''
        'use strict';
        const docs = [];
        console.log('indexing documents');
        for (let i = 0; ; i++) {
          docs.push({ id: i, body: 'lorem ipsum '.repeat(20) + i });
          if (i % 100000 === 0) console.log('indexed ' + i);
        }
        ''')},
     setup=NODE_SETUP, steps=[("Build index", "node --max-old-space-size=24 scripts/build-index.js")],
     keys=[("JavaScript heap out of memory", None)], needs=["node"])

# ---- Perl (sealed) -------------------------------------------------------

PERL_CALC = D('''
    package Acme::Calc;
    use strict;
    use warnings;
    our $VERSION = '0.03';

    sub new { my ($class, %a) = @_; return bless { precision => $a{precision} // 2 }, $class }
    sub add { my ($self, $x, $y) = @_; return $x + $y }
    # injected: off by one
    sub mul { my ($self, $x, $y) = @_; return $x * $y + 1 }
    sub round { my ($self, $x) = @_; return sprintf('%.' . $self->{precision} . 'f', $x) }

    1;
    ''')
PERL_T1 = D('''
    use strict;
    use warnings;
    use Test::More tests => 3;
    use Acme::Calc;

    my $c = Acme::Calc->new;
    is($c->add(2, 2), 4, 'adds two numbers');
    is($c->mul(2, 3), 6, 'multiplies two numbers');
    is($c->round(1.005), '1.00', 'rounds to the precision');
    ''')
PERL_T0 = "use strict;\nuse warnings;\nuse Test::More tests => 1;\nuse_ok('Acme::Calc');\n"
PERL_FILES = {"lib/Acme/Calc.pm": PERL_CALC, "t/00-load.t": PERL_T0, "t/01-calc.t": PERL_T1}
PERL_SETUP = [("perl -V", "perl -V")]

case(id="perl-prove-fail", lang="perl", tool="prove", category="test_failure", flaky=False,
     files=PERL_FILES, setup=PERL_SETUP, steps=[("Test", "prove -l t/")],
     keys=[("#   Failed test 'multiplies two numbers'", "expected: '6'")],
     failed_tests=["multiplies two numbers"], needs=["prove"])

case(id="perl-prove-verbose-two", lang="perl", tool="prove", category="test_failure", flaky=False,
     files=dict(PERL_FILES, **{"t/02-round.t": D('''
        use strict;
        use warnings;
        use Test::More;
        use Acme::Calc;

        my $c = Acme::Calc->new(precision => 1);
        is($c->round(2.25), '2.3', 'rounds half up');
        is_deeply([map { $c->add($_, 1) } 1 .. 3], [2, 3, 4], 'adds over a list');
        done_testing;
        ''')}),
     setup=PERL_SETUP, steps=[("Test", "prove -lv t/")],
     keys=[("#   Failed test 'multiplies two numbers'", "expected: '6'"), ("#   Failed test 'rounds half up'", "expected: '2.3'")],
     failed_tests=["multiplies two numbers", "rounds half up"], needs=["prove"])

case(id="perl-die", lang="perl", tool="prove", category="test_failure", flaky=False,
     files=dict(PERL_FILES, **{"t/03-api.t": D('''
        use strict;
        use warnings;
        use Test::More;
        use Acme::Calc;

        my $c = Acme::Calc->new;
        ok($c, 'constructed');
        is($c->frobnicate(3), 9, 'frobnicates');
        done_testing;
        ''')}),
     setup=PERL_SETUP, steps=[("Test", "prove -l t/00-load.t t/03-api.t")],
     keys=[("Can't locate object method \"frobnicate\"", None)], failed_tests=["t/03-api.t"], needs=["prove"])

case(id="perl-syntax", lang="perl", tool="perl -c", category="compilation", flaky=False,
     files={"lib/Acme/Report.pm": D('''
        package Acme::Report;
        use strict;
        use warnings;

        sub render {
            my ($rows) = @_;
            my $out = '';
            foreach my $r (@$rows) {
                $out .= sprintf("%s\\t%s\\n", $r->{name}, $r->{value}
            }
            return $out;
        }

        1;
        ''')},
     setup=PERL_SETUP, steps=[("Syntax check", "perl -Ilib -c lib/Acme/Report.pm")],
     keys=[("syntax error at lib/Acme/Report.pm", "had compilation errors")], needs=["perl"])

case(id="perl-missing-module", lang="perl", tool="prove", category="dependency", flaky=False,
     files={"lib/Acme/Config.pm": "package Acme::Config;\nuse strict;\nuse JSON::MaybeXS qw(decode_json);\nsub load { decode_json($_[1]) }\n1;\n",
            "t/00-load.t": "use strict;\nuse warnings;\nuse Test::More tests => 1;\nuse_ok('Acme::Config');\n",
            "t/01-config.t": "use strict;\nuse warnings;\nuse Test::More tests => 1;\nuse Acme::Config;\nis_deeply(Acme::Config->load('{\"a\":1}'), {a => 1}, 'loads');\n"},
     setup=PERL_SETUP, steps=[("Test", "prove -l t/")],
     keys=[("#   Failed test 'use Acme::Config;'", "Can't locate JSON/MaybeXS.pm in @INC")], needs=["prove"])

case(id="perl-makemaker", lang="perl", tool="make test", category="test_failure", flaky=False,
     files=dict(PERL_FILES, **{"Makefile.PL": D('''
        use ExtUtils::MakeMaker;
        WriteMakefile(
            NAME         => 'Acme::Calc',
            VERSION_FROM => 'lib/Acme/Calc.pm',
            PREREQ_PM    => { 'Test::More' => 0 },
        );
        ''')}),
     setup=PERL_SETUP + [("Configure", "perl Makefile.PL"), ("Build", "make")],
     steps=[("Test", "make test")],
     keys=[("#   Failed test 'multiplies two numbers'", "expected: '6'")],
     failed_tests=["multiplies two numbers"], needs=["perl", "make"])

case(id="perl-docs-die", lang="perl", tool="perl", category="docs", flaky=False,
     files={"script/build_docs.pl": D('''
        use strict;
        use warnings;
        my @pages = qw(index api changes);
        for my $p (@pages) {
            my $tt = "docs/$p.tt";
            print "rendering $tt\\n";
            open(my $fh, '<', $tt) or die "Template not found: $tt: $!";
            close $fh;
        }
        '''), "docs/index.tt": "<h1>Acme</h1>\n", "docs/changes.tt": "<h1>Changes</h1>\n"},
     setup=PERL_SETUP, steps=[("Build docs", "perl script/build_docs.pl")],
     keys=[("Template not found: docs/api.tt", None)], needs=["perl"])

case(id="perl-dns", lang="perl", tool="perl", category="infra", flaky=True,
     files={"script/fetch_fixtures.pl": D('''
        use strict;
        use warnings;
        use HTTP::Tiny;
        $| = 1;
        my $url = 'http://cpan.mirror.acme.invalid/authors/id/A/AC/ACME/fixtures-1.2.tar.gz';
        print "fetching $url\\n";
        my $r = HTTP::Tiny->new(timeout => 10)->get($url);
        die "download failed: $r->{status} $r->{content}" unless $r->{success};
        ''')},
     setup=PERL_SETUP, steps=[("Fetch fixtures", "perl script/fetch_fixtures.pl")],
     keys=[("download failed: 599", None)], needs=["perl"])

case(id="perl-oom-ulimit", lang="perl", tool="perl", category="oom", flaky=True,
     files={"script/load_corpus.pl": D('''
        use strict;
        use warnings;
        $| = 1;
        my @chunks;
        for my $i (1 .. 64) {
            push @chunks, 'x' x (64 * 1024 * 1024);
            print "loaded chunk $i\\n";
        }
        ''')},
     setup=PERL_SETUP, steps=[("Load corpus", "ulimit -v 400000\nperl script/load_corpus.pl")],
     keys=[("Out of memory", None)], needs=["perl"])

case(id="perl-timeout", lang="perl", tool="timeout", category="timeout", flaky=True,
     files={"script/wait_for_service.pl": D('''
        use strict;
        use warnings;
        use IO::Socket::INET;
        $| = 1;
        until (IO::Socket::INET->new(PeerAddr => 'localhost', PeerPort => 6379, Timeout => 1)) {
            print "waiting for redis on localhost:6379: $@\\n";
            sleep 1;
        }
        '''), "t/00-load.t": "use Test::More tests => 1;\nok(1);\n"},
     setup=PERL_SETUP, steps=[("Wait for redis", "timeout --verbose 4 perl script/wait_for_service.pl"), ("Test", "prove t/")],
     keys=[("timeout: sending signal", None)], needs=["perl", "timeout"])

# ---- Erlang (sealed) -----------------------------------------------------

ERL_CALC = D('''
    -module(calc).
    -export([add/2, sub/2, mean/1]).

    add(A, B) -> A + B.

    %% injected: operands swapped
    sub(A, B) -> B - A.

    mean([]) -> 0;
    mean(L) -> lists:sum(L) / length(L).
    ''')
ERL_TESTS = D('''
    -module(calc_tests).
    -include_lib("eunit/include/eunit.hrl").

    add_test() -> ?assertEqual(5, calc:add(2, 3)).
    sub_test() -> ?assertEqual(1, calc:sub(3, 2)).
    mean_test() -> ?assertEqual(2.0, calc:mean([1, 2, 3])).
    ''')
ERL_SETUP = [("erl version", "erl -noshell -eval 'io:format(\"Erlang/OTP ~s~n\", [erlang:system_info(otp_release)]), halt().'\nls -1 /usr/lib/erlang/lib")]
ERL_EUNIT = ("erlc -o ebin src/*.erl test/*.erl\n"
             "erl -noshell -pa ebin -eval 'case eunit:test([calc_tests], [verbose]) of ok -> halt(0); _ -> halt(1) end.'")
REBAR_CONFIG = "{erl_opts, [debug_info]}.\n{deps, []}.\n"
APP_SRC = D('''
    {application, calc,
     [{description, "A tiny calculator"},
      {vsn, "0.2.0"},
      {registered, []},
      {applications, [kernel, stdlib]},
      {env, []},
      {modules, []}]}.
    ''')

case(id="erl-eunit", lang="erlang", tool="eunit", category="test_failure", flaky=False,
     files={"src/calc.erl": ERL_CALC, "test/calc_tests.erl": ERL_TESTS, "ebin/.keep": ""},
     setup=ERL_SETUP, steps=[("Test", ERL_EUNIT)],
     keys=[("calc_tests: sub_test...*failed*", "**error:")], failed_tests=["calc_tests:sub_test"], needs=["erl", "erlc"])

case(id="erl-rebar3-eunit", lang="erlang", tool="rebar3", category="test_failure", flaky=False,
     files={"rebar.config": REBAR_CONFIG, "src/calc.app.src": APP_SRC, "src/calc.erl": ERL_CALC,
            "test/calc_tests.erl": ERL_TESTS.replace("mean_test() -> ?assertEqual(2.0, calc:mean([1, 2, 3])).",
                                                     "mean_test() -> ?assertEqual(2.5, calc:mean([1, 2, 3])).")},
     setup=ERL_SETUP + [("Compile", "rebar3 compile")], steps=[("Test", "rebar3 eunit")],
     keys=[("calc_tests:sub_test", "expected"), ("calc_tests:mean_test", "expected")],
     failed_tests=["calc_tests:sub_test/0", "calc_tests:mean_test/0"], needs=["rebar3"])

case(id="erl-rebar3-compile", lang="erlang", tool="rebar3", category="compilation", flaky=False,
     files={"rebar.config": REBAR_CONFIG, "src/calc.app.src": APP_SRC,
            "src/calc.erl": ERL_CALC.replace("add(A, B) -> A + B.", "add(A, B) -> A + C.")},
     setup=ERL_SETUP, steps=[("Compile", "rebar3 compile")],
     keys=[("src/calc.erl:4:", "variable 'C' is unbound")], needs=["rebar3"])

case(id="erl-erlc-syntax", lang="erlang", tool="erlc", category="compilation", flaky=False,
     files={"src/calc.erl": ERL_CALC.replace("mean([]) -> 0;", "mean([]) -> 0"), "ebin/.keep": ""},
     setup=ERL_SETUP, steps=[("Compile", "erlc -o ebin src/*.erl")],
     keys=[("src/calc.erl:10:1: syntax error", 2)], needs=["erlc"])

case(id="erl-warnings-as-errors", lang="erlang", tool="erlc", category="compilation", flaky=False,
     files={"src/calc.erl": ERL_CALC.replace("add(A, B) -> A + B.", "add(A, B) ->\n    Unused = A * 2,\n    A + B."), "ebin/.keep": "",
            "Makefile": "ERLC_OPTS = +warnings_as_errors +debug_info\n\nall:\n\terlc $(ERLC_OPTS) -o ebin src/*.erl\n"},
     setup=ERL_SETUP, steps=[("Compile", "make all")],
     keys=[("variable 'Unused' is unused", None)], needs=["erlc", "make"])

CT_SUITE = D('''
    -module(calc_SUITE).
    -include_lib("common_test/include/ct.hrl").
    -export([all/0, suite/0, add/1, sub/1, mean/1]).

    suite() -> [{timetrap, {seconds, 2}}].
    all() -> [add, sub, mean].

    add(_Config) -> 5 = calc:add(2, 3).
    sub(_Config) -> 1 = calc:sub(3, 2).
    mean(_Config) -> 2.0 = calc:mean([1, 2, 3]).
    ''')

case(id="erl-ct", lang="erlang", tool="common_test", category="test_failure", flaky=False,
     files={"src/calc.erl": ERL_CALC, "test/calc_SUITE.erl": CT_SUITE, "ebin/.keep": "", "logs/.keep": ""},
     setup=ERL_SETUP + [("Compile", "erlc -o ebin src/*.erl")],
     steps=[("Common Test", "ct_run -noshell -pa ebin -dir test -logdir logs")],
     keys=[("calc_SUITE:sub failed on line", "Reason:")], failed_tests=["calc_SUITE:sub"], needs=["ct_run", "erlc"])

case(id="erl-ct-timetrap", lang="erlang", tool="common_test", category="test_failure", flaky=None,
     files={"src/calc.erl": ERL_CALC.replace("sub(A, B) -> B - A.", "sub(A, B) -> A - B."),
            "test/calc_SUITE.erl": CT_SUITE.replace("mean(_Config) -> 2.0 = calc:mean([1, 2, 3]).",
                                                     "mean(_Config) -> receive never -> ok end, 2.0 = calc:mean([1, 2, 3])."),
            "ebin/.keep": "", "logs/.keep": ""},
     setup=ERL_SETUP + [("Compile", "erlc -o ebin src/*.erl")],
     steps=[("Common Test", "ct_run -noshell -pa ebin -dir test -logdir logs")],
     keys=[("calc_SUITE:mean failed", "Reason:")], failed_tests=["calc_SUITE:mean"], needs=["ct_run", "erlc"])

case(id="erl-eunit-undef", lang="erlang", tool="eunit", category="test_failure", flaky=False,
     files={"src/calc.erl": ERL_CALC.replace("sub(A, B) -> B - A.", "sub(A, B) -> A - B."),
            "test/calc_tests.erl": ERL_TESTS + "median_test() -> ?assertEqual(2, calc:median([3, 1, 2])).\n", "ebin/.keep": ""},
     setup=ERL_SETUP, steps=[("Test", ERL_EUNIT)],
     keys=[("calc_tests: median_test...*failed*", "**error:undef")], failed_tests=["calc_tests:median_test"],
     needs=["erl", "erlc"])

case(id="erl-oom-ulimit", lang="erlang", tool="erl", category="oom", flaky=True,
     files={"src/loader.erl": D('''
        -module(loader).
        -export([run/0]).
        run() -> loop(1, []).
        loop(N, Acc) ->
            io:format("loaded block ~p~n", [N]),
            loop(N + 1, [binary:copy(<<0>>, 32 * 1024 * 1024) | Acc]).
        '''), "ebin/.keep": ""},
     setup=ERL_SETUP + [("Compile", "erlc -o ebin src/*.erl")],
     steps=[("Load data", "ulimit -v 2500000\nerl -noshell -pa ebin -s loader run -s init stop")],
     keys=[("Cannot allocate", None)], needs=["erl", "erlc"])

case(id="erl-dns", lang="erlang", tool="rebar3", category="infra", flaky=True,
     files={"rebar.config": "{erl_opts, [debug_info]}.\n{deps, [{jsx, {git, \"https://git.mirror.acme.invalid/talentdeficit/jsx.git\", {tag, \"v3.1.0\"}}}]}.\n",
            "src/calc.app.src": APP_SRC, "src/calc.erl": ERL_CALC},
     setup=ERL_SETUP, steps=[("Fetch deps", "rebar3 get-deps")],
     keys=[("Failed to fetch and copy dep", 1)], needs=["rebar3"])

# ---- Elixir (tune) -------------------------------------------------------

EX_MIX = D('''
    defmodule Calc.MixProject do
      use Mix.Project

      def project do
        [app: :calc, version: "0.3.0", elixir: "~> 1.14", start_permanent: Mix.env() == :prod, deps: deps()]
      end

      def application, do: [extra_applications: [:logger]]

      defp deps, do: []
    end
    ''')
EX_CALC = D('''
    defmodule Calc do
      @moduledoc "A tiny calculator."

      def add(a, b), do: a + b

      # injected: operands swapped
      def sub(a, b), do: b - a

      def mean([]), do: 0
      def mean(list), do: Enum.sum(list) / length(list)
    end
    ''')
EX_TEST = D('''
    defmodule CalcTest do
      use ExUnit.Case, async: true

      test "add/2 adds numbers" do
        assert Calc.add(2, 3) == 5
      end

      test "sub/2 subtracts" do
        assert Calc.sub(3, 2) == 1
      end

      test "mean/1 of a list" do
        assert Calc.mean([1, 2, 3]) == 2.0
      end
    end
    ''')
EX_FILES = {"mix.exs": EX_MIX, "lib/calc.ex": EX_CALC, "test/test_helper.exs": "ExUnit.start()\n",
            "test/calc_test.exs": EX_TEST, ".formatter.exs": '[inputs: ["{mix,.formatter}.exs", "{lib,test}/**/*.{ex,exs}"]]\n'}
EX_SETUP = [("elixir --version", "elixir --version\nmix help")]

case(id="ex-test-fail", lang="elixir", tool="mix test", category="test_failure", flaky=False,
     files=EX_FILES, setup=EX_SETUP, steps=[("Test", "mix test --seed 0")],
     keys=[("1) test sub/2 subtracts (CalcTest)", "right:")], failed_tests=["test sub/2 subtracts"],
     needs=["mix"])

case(id="ex-test-two-warn", lang="elixir", tool="mix test", category="test_failure", flaky=False,
     files=dict(EX_FILES, **{"lib/calc.ex": EX_CALC.replace("def add(a, b), do: a + b", "def add(a, b) do\n    unused = a * 2\n    a + b\n  end"),
                             "test/stats_test.exs": D('''
        defmodule StatsTest do
          use ExUnit.Case

          describe "mean/1" do
            test "of an empty list is nil" do
              assert Calc.mean([]) == nil
            end
          end
        end
        ''')}),
     setup=EX_SETUP, steps=[("Test", "mix test --seed 0")],
     keys=[("test sub/2 subtracts (CalcTest)", "right:"), ("test mean/1 of an empty list is nil (StatsTest)", "right:")],
     failed_tests=["test sub/2 subtracts", "test mean/1 of an empty list is nil"], needs=["mix"])

case(id="ex-compile-error", lang="elixir", tool="mix compile", category="compilation", flaky=False,
     files=dict(EX_FILES, **{"lib/calc.ex": EX_CALC.replace("def add(a, b), do: a + b", "def add(a, b), do: plus(a, b)")}),
     setup=EX_SETUP, steps=[("Compile", "mix compile")],
     keys=[("** (CompileError)", None)], needs=["mix"])

case(id="ex-warnings-as-errors", lang="elixir", tool="mix compile", category="compilation", flaky=False,
     files=dict(EX_FILES, **{"lib/calc.ex": EX_CALC.replace("def mean([]), do: 0", "def mean([]) do\n    total = 0\n    0\n  end")}),
     setup=EX_SETUP, steps=[("Compile", "mix compile --warnings-as-errors")],
     keys=[("variable \"total\" is unused", 2)], needs=["mix"])

case(id="ex-format", lang="elixir", tool="mix format", category="lint", flaky=False,
     files=dict(EX_FILES, **{"lib/calc.ex": EX_CALC.replace("def add(a, b), do: a + b", "def add( a,b ), do: a+b")}),
     setup=EX_SETUP + [("Compile", "mix compile")], steps=[("Check formatting", "mix format --check-formatted")],
     keys=[("** (Mix) mix format failed due to --check-formatted", "lib/calc.ex")], needs=["mix"])

case(id="ex-deps", lang="elixir", tool="mix test", category="dependency", flaky=False,
     files=dict(EX_FILES, **{"mix.exs": EX_MIX.replace("defp deps, do: []", 'defp deps, do: [{:acme_utils, path: "../acme_utils"}]')}),
     setup=EX_SETUP, steps=[("Test", "mix test")],
     keys=[("Unchecked dependencies", "Can't continue due to errors on dependencies")], needs=["mix"])

case(id="ex-raise", lang="elixir", tool="mix test", category="test_failure", flaky=False,
     files=dict(EX_FILES, **{"lib/parser.ex": D('''
        defmodule Parser do
          def parse_int!(text) do
            case Integer.parse(text) do
              {n, ""} -> n
              _ -> raise ArgumentError, "not an integer: #{inspect(text)}"
            end
          end
        end
        '''), "test/parser_test.exs": D('''
        defmodule ParserTest do
          use ExUnit.Case

          test "parses a plain integer" do
            assert Parser.parse_int!("42") == 42
          end

          test "parses an integer with a plus sign" do
            assert Parser.parse_int!("+7 ") == 7
          end
        end
        '''), "lib/calc.ex": EX_CALC.replace("def sub(a, b), do: b - a", "def sub(a, b), do: a - b")}),
     setup=EX_SETUP, steps=[("Test", "mix test --seed 0")],
     keys=[("test parses an integer with a plus sign (ParserTest)", "** (ArgumentError)")],
     failed_tests=["test parses an integer with a plus sign"], needs=["mix"])

case(id="ex-localhost-refused", lang="elixir", tool="mix test", category="test_failure", flaky=False,
     files=dict(EX_FILES, **{"lib/calc.ex": EX_CALC.replace("def sub(a, b), do: b - a", "def sub(a, b), do: a - b"),
                             "test/client_test.exs": D('''
        defmodule ClientTest do
          use ExUnit.Case

          test "connects to the local broker" do
            {:ok, socket} = :gen_tcp.connect(~c"localhost", 5672, [:binary, active: false], 1000)
            :ok = :gen_tcp.close(socket)
          end
        end
        ''')}),
     setup=EX_SETUP, steps=[("Test", "mix test --seed 0")],
     keys=[("test connects to the local broker (ClientTest)", "econnrefused")],
     failed_tests=["test connects to the local broker"], needs=["mix"])

case(id="ex-dns", lang="elixir", tool="elixir", category="infra", flaky=True,
     files=dict(EX_FILES, **{"scripts/fetch_schema.exs": D('''
        :inets.start()
        :ssl.start()
        url = ~c"https://schemas.acme.invalid/v2/events.json"
        IO.puts("fetching #{url}")
        case :httpc.request(:get, {url, []}, [timeout: 5000], []) do
          {:ok, {{_, 200, _}, _, body}} -> File.write!("priv/events.json", body)
          {:error, reason} -> raise "schema download failed: #{inspect(reason)}"
        end
        ''')}),
     setup=EX_SETUP, steps=[("Fetch schema", "elixir scripts/fetch_schema.exs")],
     keys=[("schema download failed", None)], needs=["elixir"])

case(id="ex-timeout", lang="elixir", tool="timeout", category="timeout", flaky=True,
     files=dict(EX_FILES, **{"scripts/wait_db.exs": D('''
        defmodule WaitDb do
          def loop do
            case :gen_tcp.connect(~c"localhost", 5432, [], 500) do
              {:ok, s} -> :gen_tcp.close(s)
              {:error, reason} ->
                IO.puts("postgres not ready on localhost:5432 (#{reason}), retrying")
                Process.sleep(1000)
                loop()
            end
          end
        end
        WaitDb.loop()
        ''')}),
     setup=EX_SETUP, steps=[("Wait for database", "timeout --verbose 5 elixir scripts/wait_db.exs"), ("Test", "mix test")],
     keys=[("timeout: sending signal", None)], needs=["elixir", "timeout"])

# ---- Ruby (tune) ---------------------------------------------------------

RB_CALC = D('''
    class Calculator
      def add(a, b)
        a + b
      end

      # injected: integer division
      def divide(a, b)
        a / b
      end

      def mean(values)
        return nil if values.empty?
        values.sum / values.size
      end
    end
    ''')
RB_SPEC = D('''
    require_relative "../lib/calculator"

    RSpec.describe Calculator do
      subject(:calc) { described_class.new }

      describe "#add" do
        it "adds two numbers" do
          expect(calc.add(2, 3)).to eq(5)
        end
      end

      describe "#divide" do
        it "returns a float for uneven division" do
          expect(calc.divide(7, 2)).to eq(3.5)
        end
      end

      describe "#mean" do
        it "is nil for no values" do
          expect(calc.mean([])).to be_nil
        end
      end
    end
    ''')
RB_FILES = {"lib/calculator.rb": RB_CALC, "spec/calculator_spec.rb": RB_SPEC, ".rspec": "--require spec_helper\n",
            "spec/spec_helper.rb": "RSpec.configure do |c|\n  c.order = :defined\nend\n"}
RB_SETUP = [("ruby --version", "ruby --version\ngem --version\ngem env\ngem list")]
RB_RAKEFILE = D('''
    require "rake/testtask"

    Rake::TestTask.new(:test) do |t|
      t.libs << "test" << "lib"
      t.test_files = FileList["test/**/*_test.rb"]
    end

    task default: :test
    ''')
RB_MT = D('''
    require "minitest/autorun"
    require "calculator"

    class CalculatorTest < Minitest::Test
      def setup
        @calc = Calculator.new
      end

      def test_add
        assert_equal 5, @calc.add(2, 3)
      end

      def test_divide_uneven
        assert_equal 3.5, @calc.divide(7, 2)
      end

      def test_mean_empty
        assert_nil @calc.mean([])
      end
    end
    ''')

case(id="rb-rspec-fail", lang="ruby", tool="rspec", category="test_failure", flaky=False,
     files=RB_FILES, setup=RB_SETUP, steps=[("Test", "rspec")],
     keys=[("1) Calculator#divide returns a float for uneven division", "got: 3")],
     failed_tests=["Calculator#divide returns a float for uneven division"], needs=["rspec"])

case(id="rb-rspec-two", lang="ruby", tool="rspec", category="test_failure", flaky=False,
     files=dict(RB_FILES, **{"spec/calculator_spec.rb": RB_SPEC.replace("expect(calc.mean([])).to be_nil",
                                                                      "expect(calc.mean([1, 2])).to eq(1.5)")}),
     setup=RB_SETUP, steps=[("Test", "rspec --format documentation")],
     keys=[("1) Calculator#divide returns a float for uneven division", "got: 3"),
           ("2) Calculator#mean is nil for no values", "got: 1")],
     failed_tests=["Calculator#divide returns a float for uneven division", "Calculator#mean is nil for no values"],
     needs=["rspec"])

case(id="rb-rspec-nomethod", lang="ruby", tool="rspec", category="test_failure", flaky=False,
     files=dict(RB_FILES, **{"spec/report_spec.rb": D('''
        require_relative "../lib/calculator"

        RSpec.describe "report" do
          it "renders the total line" do
            totals = { "a" => 1 }
            expect(totals.fetch("b", nil).round(2)).to eq(0)
          end
        end
        '''), "lib/calculator.rb": RB_CALC.replace("a / b", "a.fdiv(b)")}),
     setup=RB_SETUP, steps=[("Test", "rspec")],
     keys=[("1) report renders the total line", "NoMethodError")], failed_tests=["report renders the total line"],
     needs=["rspec"])

case(id="rb-rspec-load-error", lang="ruby", tool="rspec", category="dependency", flaky=False,
     files=dict(RB_FILES, **{"spec/client_spec.rb": D('''
        require "faraday"

        RSpec.describe "client" do
          it "builds a connection" do
            expect(Faraday.new).not_to be_nil
          end
        end
        ''')}),
     setup=RB_SETUP, steps=[("Test", "rspec")],
     keys=[("An error occurred while loading ./spec/client_spec.rb", "cannot load such file -- faraday")], needs=["rspec"])

case(id="rb-minitest-rake", lang="ruby", tool="rake", category="test_failure", flaky=False,
     files={"lib/calculator.rb": RB_CALC, "test/calculator_test.rb": RB_MT, "Rakefile": RB_RAKEFILE},
     setup=RB_SETUP, steps=[("Test", "rake test")],
     keys=[("1) Failure:", "Actual: 3")], failed_tests=["CalculatorTest#test_divide_uneven"],
     needs=["rake"])

case(id="rb-minitest-error", lang="ruby", tool="minitest", category="test_failure", flaky=False,
     files={"lib/calculator.rb": RB_CALC.replace("a / b", "a.fdiv(b)"), "Rakefile": RB_RAKEFILE,
            "test/calculator_test.rb": RB_MT.replace("assert_nil @calc.mean([])", "assert_equal 2, @calc.median([1, 2, 3])")},
     setup=RB_SETUP, steps=[("Test", "ruby -Ilib -Itest test/calculator_test.rb")],
     keys=[("1) Error:", "NoMethodError")], failed_tests=["CalculatorTest#test_mean_empty"],
     needs=["ruby"])

case(id="rb-no-rakefile", lang="ruby", tool="rake", category="config", flaky=False,
     files={"lib/calculator.rb": RB_CALC, "test/calculator_test.rb": RB_MT, "rakefile.rb.orig": RB_RAKEFILE},
     setup=RB_SETUP, steps=[("Test", "rake")],
     keys=[("No Rakefile found", None)], needs=["rake"])

case(id="rb-rake-task-raise", lang="ruby", tool="rake", category="docs", flaky=False,
     files={"lib/calculator.rb": RB_CALC, "Rakefile": D('''
        $stdout.sync = true

        desc "Check that every public method is documented"
        task :doc_coverage do
          src = File.read("lib/calculator.rb")
          methods = src.scan(/^\\s*def (\\w+)/).flatten
          undocumented = methods.reject { |m| src =~ /#.*\\n\\s*def #{m}\\b/ }
          puts "documented: #{methods.size - undocumented.size}/#{methods.size}"
          raise "undocumented methods: #{undocumented.join(', ')}" unless undocumented.empty?
        end
        ''')},
     setup=RB_SETUP, steps=[("Docs", "rake doc_coverage")],
     keys=[("undocumented methods: add, mean", None)], needs=["rake"])

case(id="rb-syntax", lang="ruby", tool="ruby -c", category="compilation", flaky=False,
     files={"lib/calculator.rb": RB_CALC.replace("  def mean(values)\n", "  def mean(values\n"),
            "lib/version.rb": "VERSION = '1.0'\n"},
     setup=RB_SETUP, steps=[("Syntax check", "for f in lib/*.rb; do ruby -wc \"$f\"; done")],
     keys=[("lib/calculator.rb:12: syntax error", "lib/calculator.rb:15:")], needs=["ruby"])

case(id="rb-gem-dns", lang="ruby", tool="gem", category="infra", flaky=True,
     files=RB_FILES, setup=RB_SETUP,
     steps=[("Install gems", "gem install --no-document --clear-sources --source https://gems.mirror.acme.invalid/ rspec-junit-formatter")],
     keys=[("ERROR:  Could not find a valid gem", "Unable to download data")], needs=["gem"])

case(id="rb-oom-ulimit", lang="ruby", tool="ruby", category="oom", flaky=True,
     files={"script/warm_cache.rb": D('''
        $stdout.sync = true
        blocks = []
        64.times do |i|
          blocks << ("x" * (64 * 1024 * 1024))
          puts "warmed block #{i + 1}"
        end
        ''')},
     setup=RB_SETUP, steps=[("Warm cache", "ulimit -v 500000\nruby script/warm_cache.rb")],
     keys=[("failed to allocate memory (NoMemoryError)", None)], needs=["ruby"])

case(id="rb-localhost-refused", lang="ruby", tool="rspec", category="test_failure", flaky=False,
     files=dict(RB_FILES, **{"lib/calculator.rb": RB_CALC.replace("a / b", "a.fdiv(b)"), "spec/health_spec.rb": D('''
        require "net/http"

        RSpec.describe "health endpoint" do
          it "answers 200" do
            res = Net::HTTP.get_response(URI("http://127.0.0.1:9292/health"))
            expect(res.code).to eq("200")
          end
        end
        ''')}),
     setup=RB_SETUP, steps=[("Test", "rspec")],
     keys=[("1) health endpoint answers 200", "Connection refused")], failed_tests=["health endpoint answers 200"],
     needs=["rspec"])

# ---- PHP (tune) ----------------------------------------------------------

PHP_CART = D('''
    <?php
    declare(strict_types=1);

    namespace Acme;

    final class Cart
    {
        /** @var array<string, float> */
        private array $items = [];

        public function add(string $name, float $price): void
        {
            $this->items[$name] = $price;
        }

        public function total(float $discount = 0.0): float
        {
            $gross = array_sum($this->items);
            // injected: discount subtracted as an absolute amount
            return $gross - $discount;
        }

        public function count(): int
        {
            return count($this->items);
        }
    }
    ''')
PHP_TEST = D('''
    <?php
    declare(strict_types=1);

    use Acme\\Cart;
    use PHPUnit\\Framework\\TestCase;

    final class CartTest extends TestCase
    {
        public function testStartsEmpty(): void
        {
            $this->assertSame(0, (new Cart())->count());
        }

        public function testTotalWithoutDiscount(): void
        {
            $c = new Cart();
            $c->add('a', 10.0);
            $c->add('b', 5.0);
            $this->assertEqualsWithDelta(15.0, $c->total(), 0.001);
        }

        public function testTotalWithTenPercentDiscount(): void
        {
            $c = new Cart();
            $c->add('a', 10.0);
            $c->add('b', 5.0);
            $this->assertEqualsWithDelta(13.5, $c->total(0.1), 0.001);
        }
    }
    ''')
PHP_BOOT = "<?php\nrequire __DIR__ . '/../src/Cart.php';\n"
PHP_XML = D('''
    <?xml version="1.0" encoding="UTF-8"?>
    <phpunit bootstrap="tests/bootstrap.php" colors="false">
      <testsuites>
        <testsuite name="unit">
          <directory>tests</directory>
        </testsuite>
      </testsuites>
    </phpunit>
    ''')
PHP_FILES = {"src/Cart.php": PHP_CART, "tests/CartTest.php": PHP_TEST, "tests/bootstrap.php": PHP_BOOT, "phpunit.xml": PHP_XML}
PHP_SETUP = [("php --version", "php --version\nphpunit --version\nphp -m")]

case(id="php-phpunit-fail", lang="php", tool="phpunit", category="test_failure", flaky=False,
     files=PHP_FILES, setup=PHP_SETUP, steps=[("Test", "phpunit")],
     keys=[("1) CartTest::testTotalWithTenPercentDiscount", "Failed asserting that 14.9")],
     failed_tests=["CartTest::testTotalWithTenPercentDiscount"], needs=["phpunit"])

case(id="php-phpunit-error", lang="php", tool="phpunit", category="test_failure", flaky=False,
     files=dict(PHP_FILES, **{"tests/PriceTest.php": D('''
        <?php
        declare(strict_types=1);

        use Acme\\Cart;
        use PHPUnit\\Framework\\TestCase;

        final class PriceTest extends TestCase
        {
            public function testAddRejectsStrings(): void
            {
                $c = new Cart();
                $c->add('a', '10');
                $this->assertSame(1, $c->count());
            }
        }
        '''), "src/Cart.php": PHP_CART.replace("return $gross - $discount;", "return $gross * (1 - $discount);")}),
     setup=PHP_SETUP, steps=[("Test", "phpunit")],
     keys=[("1) PriceTest::testAddRejectsStrings", "TypeError")], failed_tests=["PriceTest::testAddRejectsStrings"],
     needs=["phpunit"])

case(id="php-phpunit-two-deprecation", lang="php", tool="phpunit", category="test_failure", flaky=False,
     files=dict(PHP_FILES, **{"tests/CountTest.php": D('''
        <?php
        declare(strict_types=1);

        use Acme\\Cart;
        use PHPUnit\\Framework\\TestCase;

        final class CountTest extends TestCase
        {
            public function testCountsDistinctNames(): void
            {
                $c = new Cart();
                $c->add('a', 1.0);
                $c->add('a', 2.0);
                $this->assertSame(2, $c->count(), 'a repeated name is a second line item');
            }

            public function testLegacyFormatter(): void
            {
                $this->assertSame('1.00', number_format((float) utf8_decode('1'), 2));
            }
        }
        ''')}),
     setup=PHP_SETUP, steps=[("Test", "phpunit")],
     keys=[("1) CartTest::testTotalWithTenPercentDiscount", "Failed asserting that 14.9"),
           ("2) CountTest::testCountsDistinctNames", "Failed asserting that 1 is identical")],
     failed_tests=["CartTest::testTotalWithTenPercentDiscount", "CountTest::testCountsDistinctNames"], needs=["phpunit"])

case(id="php-lint", lang="php", tool="php -l", category="compilation", flaky=False,
     files=dict(PHP_FILES, **{"src/Cart.php": PHP_CART.replace("$this->items[$name] = $price;", "$this->items[$name] = $price")}),
     setup=PHP_SETUP, steps=[("Lint", "for f in src/*.php tests/*.php; do php -l \"$f\"; done")],
     keys=[("PHP Parse error:", None)], needs=["php"])

case(id="php-fatal-undefined", lang="php", tool="php", category="test_failure", flaky=False,
     files=dict(PHP_FILES, **{"tests/smoke.php": D('''
        <?php
        require __DIR__ . '/../src/Cart.php';
        echo "smoke: cart\\n";
        $c = new Acme\\Cart();
        $c->add('a', 1.0);
        echo "smoke: total ", cart_total_formatted($c), "\\n";
        ''')}),
     setup=PHP_SETUP, steps=[("Smoke test", "php tests/smoke.php")],
     keys=[("PHP Fatal error:  Uncaught Error: Call to undefined function cart_total_formatted()", None)], needs=["php"])

case(id="php-missing-autoload", lang="php", tool="phpunit", category="dependency", flaky=False,
     files=dict(PHP_FILES, **{"tests/bootstrap.php": "<?php\nrequire __DIR__ . '/../vendor/autoload.php';\n",
                              "composer.json": '{\n  "require-dev": {"phpunit/phpunit": "^9.6"},\n  "autoload": {"psr-4": {"Acme\\\\": "src/"}}\n}\n'}),
     setup=PHP_SETUP, steps=[("Test", "phpunit")],
     keys=[("vendor/autoload.php", "Failed opening required")], needs=["phpunit"])

case(id="php-memory-limit", lang="php", tool="php", category="oom", flaky=False,
     files=dict(PHP_FILES, **{"bin/build-sitemap.php": D('''
        <?php
        $urls = [];
        echo "collecting urls\\n";
        for ($i = 0; ; $i++) {
            $urls[] = str_repeat('https://example.org/page/', 8) . $i;
            if ($i % 200000 === 0) { echo "collected $i\\n"; }
        }
        ''')}),
     setup=PHP_SETUP, steps=[("Build sitemap", "php -d memory_limit=64M bin/build-sitemap.php")],
     keys=[("Allowed memory size of", None)], needs=["php"])

case(id="php-dns", lang="php", tool="php", category="infra", flaky=True,
     files=dict(PHP_FILES, **{"bin/fetch-rates.php": D('''
        <?php
        $url = 'https://rates.api.acme.invalid/v1/latest.json';
        echo "fetching $url\\n";
        $json = file_get_contents($url);
        if ($json === false) {
            fwrite(STDERR, "could not download exchange rates\\n");
            exit(1);
        }
        ''')}),
     setup=PHP_SETUP, steps=[("Fetch rates", "php bin/fetch-rates.php")],
     keys=[("php_network_getaddresses", None)], needs=["php"])

case(id="php-killed", lang="php", tool="phpunit", category="oom", flaky=True,
     files=dict(PHP_FILES, **{"tests/HeavyTest.php": D('''
        <?php
        use PHPUnit\\Framework\\TestCase;

        final class HeavyTest extends TestCase
        {
            public function testImportsLargeFeed(): void
            {
                posix_kill(getmypid(), 9);
                $this->assertTrue(true);
            }
        }
        '''), "src/Cart.php": PHP_CART.replace("return $gross - $discount;", "return $gross * (1 - $discount);")}),
     setup=PHP_SETUP, steps=[("Test", "phpunit --testdox\necho 'tests done'")],
     keys=[("Killed", None)], needs=["phpunit"])

# ---- R (sealed) ----------------------------------------------------------

R_DESC = D('''
    Package: tinystats
    Title: Tiny Statistics Helpers
    Version: 0.2.0
    Authors@R: person("Ada", "Lovelace", email = "ada@example.org", role = c("aut", "cre"))
    Description: Small helpers used to test the CI setup of this repository.
    License: MIT + file LICENSE
    Encoding: UTF-8
    Suggests: testthat (>= 3.0.0)
    Config/testthat/edition: 3
    ''')
R_FUN = D('''
    #' Trimmed mean
    #'
    #' @param x numeric vector
    #' @param trim fraction trimmed from each end
    #' @return the trimmed mean
    #' @export
    tmean <- function(x, trim = 0.1) {
      # injected: trims from one end only
      x <- sort(x)
      n <- floor(length(x) * trim)
      if (n > 0) x <- x[-seq_len(n)]
      mean(x)
    }

    #' Scale to unit range
    #' @param x numeric vector
    #' @export
    unit_scale <- function(x) (x - min(x)) / (max(x) - min(x))
    ''')
R_TEST = D('''
    test_that("unit_scale maps to [0, 1]", {
      expect_equal(unit_scale(c(2, 4, 6)), c(0, 0.5, 1))
    })

    test_that("tmean trims both ends", {
      expect_equal(tmean(c(1, 2, 3, 4, 100), trim = 0.2), 3)
    })

    test_that("tmean of a constant", {
      expect_equal(tmean(rep(5, 10)), 5)
    })
    ''')
R_FILES = {"DESCRIPTION": R_DESC, "NAMESPACE": "export(tmean)\nexport(unit_scale)\n", "R/tmean.R": R_FUN,
           "LICENSE": "YEAR: 2026\nCOPYRIGHT HOLDER: tinystats authors\n",
           "tests/testthat.R": "library(testthat)\nlibrary(tinystats)\n\ntest_check(\"tinystats\")\n",
           "tests/testthat/test-tmean.R": R_TEST,
           "man/tmean.Rd": D('''
                \\name{tmean}
                \\alias{tmean}
                \\title{Trimmed mean}
                \\usage{
                tmean(x, trim = 0.1)
                }
                \\arguments{
                \\item{x}{numeric vector}

                \\item{trim}{fraction trimmed from each end}
                }
                \\value{
                the trimmed mean
                }
                \\description{
                Trimmed mean
                }
                '''),
           "man/unit_scale.Rd": D('''
                \\name{unit_scale}
                \\alias{unit_scale}
                \\title{Scale to unit range}
                \\usage{
                unit_scale(x)
                }
                \\arguments{
                \\item{x}{numeric vector}
                }
                \\description{
                Scale to unit range
                }
                ''')}
R_SETUP = [("R version", "R --version | head -1\nRscript -e 'sessionInfo(); print(.libPaths()); print(rownames(installed.packages()))'")]
R_TESTDIR = "Rscript -e 'for (f in list.files(\"R\", full.names = TRUE)) source(f); testthat::test_dir(\"tests/testthat\", stop_on_failure = TRUE)'"

case(id="r-testthat-fail", lang="r", tool="testthat", category="test_failure", flaky=False,
     files=R_FILES, setup=R_SETUP, steps=[("Test", R_TESTDIR)],
     keys=[("Failure ('test-tmean.R:6'): tmean trims both ends", "`expected`:  3")],
     failed_tests=["tmean trims both ends"], needs=["Rscript"])

case(id="r-testthat-error", lang="r", tool="testthat", category="test_failure", flaky=False,
     files=dict(R_FILES, **{"tests/testthat/test-scale.R": D('''
        test_that("unit_scale handles a data frame column", {
          df <- data.frame(a = c(1, 2, 3))
          expect_equal(unit_scale(df$b), c(0, 0.5, 1))
        })
        '''), "R/tmean.R": R_FUN.replace("if (n > 0) x <- x[-seq_len(n)]", "if (n > 0) x <- x[(n + 1):(length(x) - n)]")}),
     setup=R_SETUP, steps=[("Test", R_TESTDIR)],
     keys=[("Failure ('test-scale.R:3'): unit_scale handles a data frame column", "(`expected`)")],
     failed_tests=["unit_scale handles a data frame column"], needs=["Rscript"])

case(id="r-cmd-check-tests", lang="r", tool="R CMD check", category="test_failure", flaky=False,
     files=R_FILES, setup=R_SETUP + [("Build", "R CMD build --no-build-vignettes .")],
     steps=[("Check", "_R_CHECK_FORCE_SUGGESTS_=false R CMD check --no-manual tinystats_0.2.0.tar.gz")],
     keys=[("Failure ('test-tmean.R:6'): tmean trims both ends", "`expected`:  3")],
     failed_tests=["tmean trims both ends"], needs=["R"])

case(id="r-cmd-check-codoc", lang="r", tool="R CMD check", category="docs", flaky=False,
     files=dict(R_FILES, **{"R/tmean.R": R_FUN.replace("tmean <- function(x, trim = 0.1) {", "tmean <- function(x, trim = 0.1, na.rm = FALSE) {").replace("if (n > 0) x <- x[-seq_len(n)]", "if (n > 0) x <- x[(n + 1):(length(x) - n)]")}),
     setup=R_SETUP + [("Build", "R CMD build --no-build-vignettes .")],
     steps=[("Check", "_R_CHECK_FORCE_SUGGESTS_=false R CMD check --no-manual --no-tests tinystats_0.2.0.tar.gz\n"
                      "grep -q 'Status: OK' tinystats.Rcheck/00check.log")],
     keys=[("checking for code/documentation mismatches ... WARNING", "Docs:")], needs=["R"])

case(id="r-missing-package", lang="r", tool="Rscript", category="dependency", flaky=False,
     files=dict(R_FILES, **{"scripts/report.R": "library(data.table)\ndt <- data.table(a = 1:3)\nprint(dt[, sum(a)])\n"}),
     setup=R_SETUP, steps=[("Report", "Rscript scripts/report.R")],
     keys=[("there is no package called", None)], needs=["Rscript"])

case(id="r-script-error", lang="r", tool="Rscript", category="test_failure", flaky=False,
     files=dict(R_FILES, **{"tests/smoke.R": D('''
        source("R/tmean.R")
        cat("smoke: tmean\\n")
        stopifnot(isTRUE(all.equal(tmean(1:10), 5.5)))
        cat("smoke: unit_scale\\n")
        res <- unit_scale(values)
        print(res)
        ''')}),
     setup=R_SETUP, steps=[("Smoke test", "Rscript tests/smoke.R")],
     keys=[("Error", None)], needs=["Rscript"])

case(id="r-syntax", lang="r", tool="Rscript", category="compilation", flaky=False,
     files=dict(R_FILES, **{"R/tmean.R": R_FUN.replace("  mean(x)\n}", "  mean(x)\n}}")}),
     setup=R_SETUP, steps=[("Parse", "Rscript -e 'for (f in list.files(\"R\", full.names = TRUE)) invisible(parse(f))'")],
     keys=[("unexpected '}'", None)], needs=["Rscript"])

case(id="r-dns", lang="r", tool="Rscript", category="infra", flaky=True,
     files=dict(R_FILES, **{"scripts/fetch_data.R": D('''
        url <- "https://data.mirror.acme.invalid/tinystats/fixtures.csv"
        message("downloading ", url)
        download.file(url, destfile = "fixtures.csv", method = "libcurl", quiet = TRUE)
        ''')}),
     setup=R_SETUP, steps=[("Fetch data", "Rscript scripts/fetch_data.R")],
     keys=[("Error in download.file", "resolve host name")], needs=["Rscript"])

case(id="r-oom-ulimit", lang="r", tool="Rscript", category="oom", flaky=True,
     files=dict(R_FILES, **{"scripts/simulate.R": D('''
        set.seed(1)
        sims <- list()
        for (i in 1:64) {
          sims[[i]] <- rnorm(8e6)
          cat("simulation", i, "done\\n")
        }
        ''')}),
     setup=R_SETUP, steps=[("Simulate", "ulimit -v 1200000\nRscript scripts/simulate.R")],
     keys=[("cannot allocate vector of size", None)], needs=["Rscript"])

# ---- Lua (sealed) --------------------------------------------------------

LUA_MOD = D('''
    local M = {}

    function M.add(a, b) return a + b end

    -- injected: the separator is dropped
    function M.join(list, sep)
      return table.concat(list)
    end

    function M.trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

    return M
    ''')
LUA_SPEC = D('''
    local util = require("src.util")

    describe("util", function()
      it("adds numbers", function()
        assert.are.equal(5, util.add(2, 3))
      end)

      it("joins with a separator", function()
        assert.are.same("a,b,c", util.join({"a", "b", "c"}, ","))
      end)

      it("trims blanks", function()
        assert.are.equal("x", util.trim("  x  "))
      end)
    end)
    ''')
LUA_FILES = {"src/util.lua": LUA_MOD, "spec/util_spec.lua": LUA_SPEC}
LUA_SETUP = [("lua -v", "lua -v\nbusted --version\nbusted --help || true\nlua -e 'print(package.path); print(package.cpath)'")]

case(id="lua-busted-fail", lang="lua", tool="busted", category="test_failure", flaky=False,
     files=LUA_FILES, setup=LUA_SETUP, steps=[("Test", "busted --output=utfTerminal spec")],
     keys=[("Failure → spec/util_spec.lua", "Expected:")], failed_tests=["util joins with a separator"], needs=["busted"])

case(id="lua-busted-error", lang="lua", tool="busted", category="test_failure", flaky=False,
     files=dict(LUA_FILES, **{"spec/util_spec.lua": LUA_SPEC.replace('util.trim("  x  ")', 'util.strip("  x  ")'),
                              "src/util.lua": LUA_MOD.replace("return table.concat(list)", "return table.concat(list, sep)")}),
     setup=LUA_SETUP, steps=[("Test", "busted -o plainTerminal spec")],
     keys=[("Error -> spec/util_spec.lua", "attempt to call a nil value")], failed_tests=["util trims blanks"], needs=["busted"])

case(id="lua-busted-tap", lang="lua", tool="busted", category="test_failure", flaky=False,
     files=LUA_FILES, setup=LUA_SETUP, steps=[("Test", "busted -o TAP spec")],
     keys=[("not ok 2 - util joins with a separator", "Expected objects to be the same")],
     failed_tests=["util joins with a separator"], needs=["busted"])

case(id="lua-syntax", lang="lua", tool="luac", category="compilation", flaky=False,
     files=dict(LUA_FILES, **{"src/util.lua": LUA_MOD.replace("function M.add(a, b) return a + b end", "function M.add(a, b) return a + b")}),
     setup=LUA_SETUP, steps=[("Syntax check", "for f in src/*.lua; do luac5.4 -p \"$f\"; done")],
     keys=[("src/util.lua:", None)], needs=["luac5.4"])

case(id="lua-runtime", lang="lua", tool="lua", category="test_failure", flaky=False,
     files=dict(LUA_FILES, **{"test/run.lua": D('''
        package.path = "./?.lua;" .. package.path
        local util = require("src.util")
        print("run: add ok", util.add(1, 2))
        local cfg = nil
        print("run: join", util.join(cfg.items, ","))
        ''')}),
     setup=LUA_SETUP, steps=[("Test", "lua test/run.lua")],
     keys=[("attempt to index a nil value", None)], needs=["lua"])

case(id="lua-module-missing", lang="lua", tool="busted", category="dependency", flaky=False,
     files=dict(LUA_FILES, **{"spec/json_spec.lua": D('''
        local cjson = require("cjson.safe")

        describe("json", function()
          it("round-trips", function()
            assert.are.same({a = 1}, cjson.decode(cjson.encode({a = 1})))
          end)
        end)
        '''), "src/util.lua": LUA_MOD.replace("return table.concat(list)", "return table.concat(list, sep)")}),
     setup=LUA_SETUP, steps=[("Test", "busted spec")],
     keys=[("module 'cjson.safe' not found", None)], needs=["busted"])

case(id="lua-timeout", lang="lua", tool="timeout", category="timeout", flaky=True,
     files=dict(LUA_FILES, **{"scripts/wait.sh": D('''
        #!/bin/sh
        until (exec 3<>/dev/tcp/localhost/6379) 2>/dev/null; do
          echo "waiting for redis at localhost:6379"
          sleep 1
        done
        ''')}),
     setup=LUA_SETUP, steps=[("Wait for redis", "timeout --verbose 4 bash scripts/wait.sh"), ("Test", "busted spec")],
     keys=[("timeout: sending signal", None)], needs=["busted", "timeout"])

case(id="lua-killed", lang="lua", tool="lua", category="oom", flaky=True,
     files=dict(LUA_FILES, **{"scripts/bench.lua": D('''
        io.stdout:setvbuf("no")
        for i = 1, 4 do print("bench round " .. i .. ": ok") end
        print("bench round 5: allocating 8 GiB working set")
        os.execute("kill -9 $PPID")
        '''), "src/util.lua": LUA_MOD.replace("return table.concat(list)", "return table.concat(list, sep)")}),
     setup=LUA_SETUP, steps=[("Benchmark", "lua scripts/bench.lua\necho 'bench done'")],
     keys=[("Killed", None)], needs=["lua"])



def run_part(here, part, cases, sealed, clock_base, work_default, python_venv=False):
    """The driver of a part (this one, misc, fresh): run each case's tools,
    wrap the output in its CI envelope, label it, and write cases/<id>.log
    and labels.jsonl beside the caller. `python_venv`: the cases run
    pytest/mypy/flake8/ruff from a venv (`--venv`, made if missing)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--only")
    ap.add_argument("--work", default=work_default)
    ap.add_argument("--show", action="store_true", help="print each log's tail")
    if python_venv:
        ap.add_argument("--venv", default=None, help="venv with pytest mypy flake8 ruff (made if missing)")
    a = ap.parse_args()
    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    venv = os.path.join(work, "no-venv")
    if python_venv:
        venv = a.venv or os.path.join(work, "venv")
        if not os.path.exists(os.path.join(venv, "bin", "pytest")):
            subprocess.run([sys.executable, "-m", "venv", venv], check=True)
            subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "pytest", "mypy", "flake8", "ruff"], check=True)
    os.makedirs(os.path.join(here, "cases"), exist_ok=True)
    label_path = os.path.join(here, "labels.jsonl")
    old = {}
    if os.path.exists(label_path):
        for l in open(label_path):
            r = json.loads(l)
            old[r["id"]] = r
    rows = dict(old) if a.only else {}
    missing = set()
    for n, c in enumerate(cases):
        if a.only and a.only not in c.id:
            continue
        lack = [t for t in c.needs if not have(t)]
        if lack:
            missing.update(lack)
            print("skip %s: missing %s" % (c.id, ", ".join(lack)))
            continue
        ci = c.ci or CIS[n % len(CIS)]
        try:
            base, build, ran = execute(c, work, venv)
        except RuntimeError as e:
            print("FAIL", e)
            continue
        for r in ran:
            r["out"] = scrub(r["out"], ci, c, base, build, venv)
            r["cmd"] = scrub(r["cmd"], ci, c, base, build, venv)
        L, starts = ENVELOPES[ci](c, ran, Clock(n + clock_base))
        L, starts = flatten(L, starts)
        fail_idx = next(i for i, r in enumerate(ran) if r["rc"] != 0)
        try:
            ks = spans(L, c.keys, starts[min(fail_idx, len(starts) - 1)])
        except LookupError as e:
            print("FAIL %s: %s\n%s" % (c.id, e, "\n".join(L[-60:])))
            continue
        rel = "%s/cases/%s.log" % (part, c.id)
        with open(os.path.join(here, "cases", c.id + ".log"), "w") as f:
            f.write("\n".join(L) + "\n")
        rows[c.id] = {"dataset": "realtools_" + part, "id": c.id, "log": rel, "ci": ci, "language": c.lang,
                      "tool": c.tool, "category": c.category, "flaky": c.flaky, "key_lines": ks,
                      "failed_tests": c.failed_tests, "split": "sealed" if c.lang in sealed else "tune",
                      "label_source": "generated: real %s output, injected failure" % c.tool}
        print("ok %-40s %-9s %s %s" % (c.id, ci, c.category, [(k["start"], k["end"]) for k in ks]))
        if a.show:
            for k in ks:
                print("   | " + "\n   | ".join(L[k["start"] - 1:k["end"]]))
    order = [c.id for c in cases]
    with open(label_path, "w") as f:
        for i in sorted(rows, key=lambda x: order.index(x) if x in order else 10**6):
            f.write(json.dumps(rows[i]) + "\n")
    if missing:
        print("missing tools (cases skipped):", ", ".join(sorted(missing)))


if __name__ == "__main__":
    main()
