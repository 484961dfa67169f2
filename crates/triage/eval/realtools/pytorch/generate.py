#!/usr/bin/env python3
"""Regenerate the realtools/pytorch corpus from REAL tool output.

Each case is a small PyTorch-style project (test/test_*.py on torch's own
TestCase, a C++ extension, a lint config, ...) with one injected failure. The
generator runs the real tools (torch on CPU, pytest, inductor with gcc,
cpp_extension with ninja, gloo, pip, boto3, docker, lintrunner, flake8, mypy,
ruff), captures their output and wraps it in a PyTorch-shaped GitHub Actions
job log. Written here: the GHA envelope (timestamps, `##[group]Run`, exit-code
footers) and the lines of PyTorch's own driver `test/run_test.py` around the
real pytest output (`Running test_x 1/1 ...`, `Executing [...]`, `FAILED
CONSISTENTLY`, `The following tests failed consistently`, its traceback).

Labels are computed from the final text by searching for what was injected.

Usage: python3 generate.py [--only ID_SUBSTRING] [--work DIR] [--venv DIR]
The venv needs: torch pytest expecttest hypothesis lintrunner flake8 mypy ruff
boto3 ninja (PyPI). Missing tools are reported and their cases skipped.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PART = "pytorch"
SEALED = {"dtype", "expecttest", "inductor", "distributed", "docker", "mypy-lintrunner", "oom"}
WS = "/var/lib/jenkins/workspace"         # the path of the checkout inside PyTorch's CI containers
RUNNER_WS = "/home/ec2-user/actions-runner/_work/pytorch/pytorch"
PY = "/opt/conda/envs/py_3.11/bin/python"


def D(s):
    return textwrap.dedent(s).lstrip("\n")


class Case:
    def __init__(self, id, family, category, flaky, kind, files=None, keys=(), failed_tests=None,
                 test_file=None, env=None, extra=None, tool="pytest", needs=(), rerun=True, timeout=None,
                 ulimit=None, upload_fails=False, job="test"):
        self.__dict__.update(locals())
        del self.__dict__["self"]
        self.files = files or {}
        self.env = env or {}


CASES = []


def case(**kw):
    CASES.append(Case(**kw))


# --------------------------------------------------------------------------
# passing-test volume: real torch tests that pass, so a log carries the
# failing file's passing output before its failure, as PyTorch's do


def passing_tests(cls, n, seed):
    ops = ["add", "mul", "sub", "div", "maximum", "minimum", "atan2", "hypot", "fmod", "remainder"]
    dts = ["float32", "float64", "bfloat16", "int64", "complex64"]
    body = ["class %s(TestCase):" % cls]
    for i in range(n):
        op = ops[(i + seed) % len(ops)]
        dt = dts[(i * 7 + seed) % len(dts)]
        if dt in ("int64",) and op in ("div", "atan2", "hypot"):
            dt = "float32"
        if dt == "complex64" and op not in ("add", "mul", "sub", "div"):
            dt = "float64"
        if dt == "bfloat16" and op in ("hypot", "atan2"):
            dt = "float32"
        body.append(D('''
            def test_%s_%s_%d(self):
                x = torch.arange(1, 13).reshape(3, 4).to(torch.%s)
                y = torch.full((3, 4), 2, dtype=torch.%s)
                self.assertEqual(torch.%s(x, y), torch.%s(x.double(), y.double()).to(torch.%s), atol=1e-2, rtol=1e-2)
        ''' % (op, dt, i, dt, dt, op, op, dt)).replace("\n", "\n    ").rstrip() + "\n")
        body[-1] = "    " + body[-1]
    return "\n".join(body) + "\n"


HEADER = D('''
    # Owner(s): ["module: tests"]
    import os
    import sys

    import torch
    from torch.testing._internal.common_utils import TestCase, run_tests
''')


def test_module(cls, n, seed, failing, extra_imports=""):
    """A test file like PyTorch's: passing tests, then the injected ones in the same class."""
    src = HEADER + extra_imports + "\n\n" + passing_tests(cls, n, seed)
    failing, _, tail = D(failing).partition("#MODULE\n")
    src += "\n" + textwrap.indent(failing, "    ") + "\n\n" + tail + "\n\nif __name__ == '__main__':\n    run_tests()\n"
    return src


# --------------------------------------------------------------------------
# running


def run(cmd, cwd, env, timeout=600):
    try:
        p = subprocess.run(["bash", "-c", cmd], cwd=cwd, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        return p.stdout.decode("utf-8", "replace"), p.returncode if p.returncode >= 0 else 128 - p.returncode
    except subprocess.TimeoutExpired as e:
        return (e.stdout or b"").decode("utf-8", "replace"), 124


def scrub(text, base, venv):
    text = text.replace(os.path.join(venv, "lib", "python3.11", "site-packages"),
                        "/opt/conda/envs/py_3.11/lib/python3.11/site-packages")
    text = text.replace(os.path.join(venv, "bin", "python"), PY)
    text = text.replace(venv, "/opt/conda/envs/py_3.11")
    # pytest's saferepr cuts long strings in the middle (`...mp/torch8/venv/lib`)
    target = "/opt/conda/envs/py_3.11"
    for k in range(len(venv) - 1, 5, -1):
        text = text.replace("..." + venv[-k:], "..." + target[-k:])
    text = text.replace(os.path.join(base, "home"), "/var/lib/jenkins")
    text = text.replace(base, WS)
    text = text.replace(sys.base_prefix, "/opt/conda")
    text = re.sub(r"/tmp/torchinductor_\w+", "/tmp/torchinductor_jenkins", text)
    text = text.replace("10.255.255.53", "127.0.0.53")
    return text


# --------------------------------------------------------------------------
# the GHA envelope: the only lines this script writes itself (with run_test.py's)


class Clock:
    def __init__(self, seed):
        self.t = 1796284800 + (seed * 3607) % 86400
        self.frac = seed * 7919 % 10000000

    def tick(self, n=1):
        self.frac += 2345671 * n
        self.t += self.frac // 10000000
        self.frac %= 10000000

    def iso(self):
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.t)) + ".%07dZ" % self.frac

    def py(self):
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(self.t)) + ".%06d" % (self.frac // 10)


def lines_of(out):
    ls = out.replace("\r\n", "\n").split("\n")
    if ls and ls[-1] == "":
        ls.pop()
    return ls


IMAGE = "308535385114.dkr.ecr.us-east-1.amazonaws.com/pytorch/ci-image:pytorch-linux-jammy-py3.10-gcc11-9a0e2ba2f0d4f8c1e5e8f3f1c6a3b71d3c1c8e57"
BUILD_ENV = "linux-jammy-py3.10-gcc11"


def run_test_lines(c, clk, pytest_out, rerun_out, rc):
    """What test/run_test.py prints around a test file's pytest run."""
    name = c.test_file[:-3]
    shard = "1, 2" if c.id.__hash__() else "1, 1"
    L = ["+ python test/run_test.py --exclude-jit-executor --exclude-distributed-tests --shard 1 2 --verbose --upload-artifacts-while-running",
         "Downloading https://ossci-metrics.s3.amazonaws.com/disabled-tests-condensed.json to " + WS + "/test/.pytorch-disabled-tests.json",
         "Downloading https://ossci-metrics.s3.amazonaws.com/slow-tests.json to " + WS + "/test/.pytorch-slow-tests.json",
         "Ignoring disabled issues:  []",
         "Found test times from artifacts",
         "Running parallel tests on 2 processes",
         "Name: tests to run (est. time: 4.3min)",
         "Serial tests (0):",
         "Parallel tests (1):",
         "  %s 1/1" % name,
         "Name: excluded",
         "Serial tests (0):",
         "Parallel tests (0):",
         "Running %s 1/1 ... [%s]" % (name, clk.py())]
    clk.tick(3)
    args = [PY, "-bb", c.test_file, "--reruns=2", "-rfEsxXP", "-p", "no:xdist", "--shard-id=0",
            "--num-shards=1", "-v", "--sc=%s_1" % name, "--import-slow-tests", "--import-disabled-tests"]
    L.append("Executing %r ... [%s]" % (args, clk.py()))
    L.append("PRINTING LOG FILE of %s 1/1 (test/test-reports/%s_1.1_3a6e9c1b0f2d4e7a_toprint.log)" % (name, name))
    L += ["Test results will be stored in test-reports/python-pytest/%s/%s-3a6e9c1b0f2d4e7a.xml" % (name, name)]
    L += lines_of(pytest_out)
    clk.tick(40)
    if rc < 0 or rc > 128:
        sig = {139: "SIGSEGV", 137: "SIGKILL", 134: "SIGABRT"}.get(rc)
        L.append("Got exit code %d%s" % (-(rc - 128) if rc > 128 else rc, (" (%s)" % sig) if sig else ""))
    else:
        L.append("Got exit code %d" % rc)
    if rerun_out is not None:
        for t in c.failed_tests or []:
            L.append("Retrying single test...")
            L.append("Test %s failed, retrying" % t)
            L += ["Executing %r ... [%s]" % ([PY, "-bb", c.test_file, "--reruns=2", "-rfEsxXP", "-p", "no:xdist", "-v", t.split("::", 1)[1].replace("::", ".")], clk.py())]
            L += lines_of(rerun_out)
            L.append("Got exit code 1")
        for t in c.failed_tests or []:
            L.append("FAILED CONSISTENTLY: %s" % t)
    L.append("FINISHED PRINTING LOG FILE of %s 1/1 (test/test-reports/%s_1.1_3a6e9c1b0f2d4e7a_toprint.log)" % (name, name))
    L.append("")
    if c.failed_tests:
        L.append("The following tests failed consistently: %r" % (c.failed_tests,))
    L += ["Uploading artifacts", "Traceback (most recent call last):",
          '  File "%s/test/run_test.py", line 1936, in <module>' % WS,
          "    main()",
          '  File "%s/test/run_test.py", line 1927, in main' % WS,
          "    raise RuntimeError(",
          "RuntimeError: %s 1/1 failed!%s" % (name, (" Received signal: %s" % {139: "SIGSEGV", 137: "SIGKILL", 134: "SIGABRT"}[rc]) if rc in (134, 137, 139) else ""),
          "",
          "real\t4m%02d.%03ds" % (clk.t % 60, clk.frac // 10000),
          "user\t3m%02d.%03ds" % ((clk.t // 3) % 60, clk.frac // 20000),
          "sys\t0m%02d.%03ds" % ((clk.t // 7) % 60, clk.frac // 30000),
          "+ cleanup", "+ retcode=1", "+ set +x"]
    return L


def gha(c, ran, clk):
    """ran: list of (step header lines, output lines, rc) in order, post steps after."""
    rid = int(hashlib.sha1(c.id.encode()).hexdigest()[:8], 16)
    raw = ["Current runner version: '2.321.0'",
           "Runner name: 'i-0%011x'" % (rid * 7919 % 16 ** 11),
           "Runner group name: 'default'",
           "Machine name: 'ip-10-0-%d-%d'" % (rid % 200, rid % 250),
           "##[group]GITHUB_TOKEN Permissions", "Contents: read", "Metadata: read", "##[endgroup]",
           "Secret source: Actions", "Prepare workflow directory", "Prepare all required actions",
           "Getting action download info",
           "Download action repository 'pytorch/test-infra@main' (SHA:2b6c8b6a9c3f4e1d0a7b5c8d9e0f1a2b3c4d5e6f)",
           "Download action repository 'actions/checkout@v4' (SHA:11bd71901bbe5b1630ceea73d27597364c9af683)",
           "Download action repository 'seemethere/upload-artifact-s3@v5' (SHA:baba72d0712b404f646cebe0730933554ebce96a)",
           "Getting action download info",
           "Complete job name: %s / %s (default, 1, 2, linux.2xlarge)" % (BUILD_ENV, c.job)]
    starts = []
    for hdr, out, rc in ran:
        clk.tick()
        raw.append("##[group]Run " + hdr[0])
        raw += hdr[1:]
        raw.append("##[endgroup]")
        starts.append(len(raw))
        raw += out
        if rc:
            raw.append("##[error]Process completed with exit code %d." % rc)
    L = []
    for x in raw:
        clk.tick()
        L.append(clk.iso() + " " + x)
    return L, starts


def step_hdr(first, *rest, env=None):
    h = [first] + list(rest)
    if env:
        h.append("env:")
        h += ["  %s: %s" % kv for kv in env]
    return h


def setup_steps(c, base, env, venv, clk, pull_out=None, pull_rc=0):
    """Checkout PyTorch, Setup Linux, Calculate docker image, Pull docker image: real commands where they exist."""
    S = []
    out, _ = run("git -c advice.detachedHead=false clone --no-checkout file://%s/src pytorch 2>&1 && cd pytorch && git checkout -f main 2>&1 && git log -1 --format='%%H %%s'" % base, base, env)
    out = out.replace("file://%s/src" % base, "https://github.com/pytorch/pytorch")
    S.append((step_hdr("pytorch/pytorch/.github/actions/checkout-pytorch@main", "with:", "  submodules: recursive",
                       "  fetch-depth: 1", "  no-sudo: false"),
              ["##[group]Checkout PyTorch", "Syncing repository: pytorch/pytorch", "[command]/usr/bin/git version",
               "git version 2.40.1"] + lines_of(out) + ["##[endgroup]"], 0))
    osr, _ = run("uname -a; cat /etc/os-release | head -4; nproc; free -m | head -2", base, env)
    S.append((step_hdr("pytorch/test-infra/.github/actions/setup-linux@main"),
              ["##[group]Run set -euo pipefail", "set -euo pipefail", "function get_ec2_metadata() {",
               "  category=$1", "  curl -H \"X-aws-ec2-metadata-token: $(curl -s -X PUT \"http://169.254.169.254/latest/api/token\" -H \"X-aws-ec2-metadata-token-ttl-seconds: 30\")\" -fsSL \"http://169.254.169.254/latest/meta-data/${category}\"",
               "}", "echo \"ami-id: $(get_ec2_metadata ami-id)\"", "shell: bash --noprofile --norc -e -o pipefail {0}",
               "##[endgroup]", "ami-id: ami-0a8f0d2e1c5b3a7d9", "instance-id: i-0c2f1e9b8a7d6c5b4",
               "instance-type: c5.2xlarge", "system info " + lines_of(osr)[0]] + lines_of(osr)[1:], 0))
    S.append((step_hdr("pytorch/test-infra/.github/actions/calculate-docker-image@main", "with:",
                       "  docker-image-name: ci-image:pytorch-" + BUILD_ENV, "  docker-build-dir: .ci/docker"),
              ["##[group]Run set -ex", "shell: bash --noprofile --norc -e -o pipefail {0}", "##[endgroup]",
               "+ docker manifest inspect " + IMAGE, "+ echo 'skip=true'",
               "Docker image %s exists, skipping build" % IMAGE], 0))
    if pull_out is None:
        pull_out = ["%s: Pulling from pytorch/ci-image" % IMAGE.split(":", 1)[1].split(":")[0]] + \
                   ["%012x: Already exists" % (hashlib.sha1(("%s%d" % (c.id, i)).encode()).digest()[0] * 0x1010101011 % 16 ** 12) for i in range(6)] + \
                   ["Digest: sha256:" + hashlib.sha256(c.id.encode()).hexdigest(), "Status: Downloaded newer image for " + IMAGE, IMAGE]
    S.append((step_hdr("pytorch/test-infra/.github/actions/pull-docker-image@main", "with:", "  docker-image: " + IMAGE),
              ["##[group]Run set -x", "shell: bash --noprofile --norc -e -o pipefail {0}", "env:",
               "  DOCKER_IMAGE: " + IMAGE, "##[endgroup]", "+ retry docker pull " + IMAGE,
               "+ docker pull " + IMAGE] + pull_out, pull_rc))
    return S


TEST_ENV = [("BUILD_ENVIRONMENT", BUILD_ENV), ("PR_NUMBER", "141233"), ("GITHUB_REPOSITORY", "pytorch/pytorch"),
            ("GITHUB_WORKFLOW", "pull"), ("JOB_ID", "34177412345"), ("TEST_CONFIG", "default"),
            ("SHARD_NUMBER", "1"), ("NUM_TEST_SHARDS", "2"), ("SCCACHE_BUCKET", "ossci-compiler-cache-circleci-v2"),
            ("SCCACHE_S3_KEY_PREFIX", "pull"), ("DOCKER_IMAGE", IMAGE), ("PYTORCH_TEST_CUDA_MEM_LEAK_CHECK", "0"),
            ("PYTORCH_TEST_RERUN_DISABLED_TESTS", "0")]


def test_step_hdr():
    return step_hdr("set -x", "if [[ $TEST_CONFIG == 'multigpu' ]]; then", "  TEST_COMMAND=.ci/pytorch/multigpu-test.sh",
                    "else", "  TEST_COMMAND=.ci/pytorch/test.sh", "fi",
                    'container_name=$(docker run -e BUILD_ENVIRONMENT -e PR_NUMBER -e TEST_CONFIG --tty --detach -w /var/lib/jenkins/ "${DOCKER_IMAGE}")',
                    'docker exec -t "${container_name}" sh -c "python3 -m pip install $(echo dist/*.whl)[opt-einsum] && ${TEST_COMMAND}"',
                    "shell: /usr/bin/bash -e {0}", env=TEST_ENV)


def test_sh_prelude(env, base):
    out, _ = run("python -m pip --version; python -c 'import torch; print(torch.__version__); print(torch.__config__.show())'", base, env)
    pre = ["+ python3 -m pip install dist/torch-2.10.0a0+git8c1a0f4-cp310-cp310-linux_x86_64.whl[opt-einsum]",
           "Processing ./dist/torch-2.10.0a0+git8c1a0f4-cp310-cp310-linux_x86_64.whl",
           "Installing collected packages: torch", "Successfully installed torch-2.10.0a0+git8c1a0f4",
           "+ source .ci/pytorch/common.sh", "++ set -ex", "+ echo 'Environment variables:'",
           "Environment variables:", "+ env", "+ sccache --stop-server", "+ sccache --start-server",
           "sccache: Starting the server...", "+ sccache --zero-stats", "+ echo 'Testing pytorch'", "Testing pytorch",
           "+ python -c 'import torch; print(torch.__config__.show())'"]
    return pre + lines_of(out)


def post_steps(clk, s3_out=None, s3_rc=0):
    P = []
    P.append((step_hdr("seemethere/upload-artifact-s3@v5", "with:", "  s3-prefix: pytorch/pytorch/12634417811/1/artifact",
                       "  retention-days: 14", "  if-no-files-found: warn", "  path: test-reports-test-default-1-2-linux.2xlarge_34177412345.zip"),
              s3_out or ["With the provided path, there will be 1 file uploaded",
                         "Uploading to s3 prefix: pytorch/pytorch/12634417811/1/artifact",
                         "Starting upload of test-reports-test-default-1-2-linux.2xlarge_34177412345.zip",
                         "Finished upload of test-reports-test-default-1-2-linux.2xlarge_34177412345.zip",
                         "Artifact upload has finished successfully!"], s3_rc))
    P.append((step_hdr("set -x", "python3 -m pip install -r requirements.txt", "python3 -m pip install boto3==1.35.42",
                       "python3 -m tools.stats.print_test_stats --upload-to-s3 --compare-with-s3 test",
                       "shell: /usr/bin/bash -e {0}"),
              ["+ python3 -m tools.stats.print_test_stats --upload-to-s3 --compare-with-s3 test",
               "No tests found in test-reports", "Uploading test stats to S3 (Upload test statistics)"], 0))
    P.append((step_hdr("kill \"$MONITOR_SCRIPT_PID\"", "shell: /usr/bin/bash -e {0}"), [], 0))
    P.append((step_hdr("pytorch/test-infra/.github/actions/teardown-linux@main"),
              ["##[group]Run # ignore expansion of \"docker ps -q\" since it could be empty",
               "docker stop $(docker ps -q) || true", "docker rm -f $(docker ps -aq) || true",
               "shell: bash --noprofile --norc -e -o pipefail {0}", "##[endgroup]",
               "0c8e1a4d7b2f", "0c8e1a4d7b2f", "##[group]Run # Prune all of the docker images",
               "docker system prune -af", "##[endgroup]", "Deleted Images:",
               "untagged: " + IMAGE, "Total reclaimed space: 18.43GB"], 0))
    P.append((step_hdr("docker run --rm -v \"$(pwd)\":/v -w /v \"${ALPINE_IMAGE}\" chown -R \"$(id -u):$(id -g)\" .",
                       "shell: /usr/bin/bash -e {0}", "env:", "  ALPINE_IMAGE: 308535385114.dkr.ecr.us-east-1.amazonaws.com/tool/alpine"), [], 0))
    P.append((["Post job cleanup."], ["[command]/usr/bin/git version", "git version 2.40.1",
                                      "Cleaning up orphan processes"], 0))
    return P


# --------------------------------------------------------------------------
# executing a case


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
        if path.endswith(".sh"):
            os.chmod(p, 0o755)
    genv = dict(os.environ, GIT_AUTHOR_NAME="ci", GIT_AUTHOR_EMAIL="ci@example.com",
                GIT_COMMITTER_NAME="ci", GIT_COMMITTER_EMAIL="ci@example.com",
                GIT_AUTHOR_DATE="2026-11-30T10:00:00Z", GIT_COMMITTER_DATE="2026-11-30T10:00:00Z")
    subprocess.run("git init -q -b main && git add -A && git commit -qm 'change under test'",
                   shell=True, cwd=src, env=genv, check=True)
    return base


def mkenv(c, base, venv):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_FIND_LINKS", "PYTEST"))}
    env.update(LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="dumb", CI="1", HOME=os.path.join(base, "home"),
               PATH=os.path.join(venv, "bin") + ":" + os.environ.get("PATH", ""),
               PYTHONDONTWRITEBYTECODE="1", PIP_DISABLE_PIP_VERSION_CHECK="1", NO_COLOR="1",
               TORCH_EXTENSIONS_DIR=os.path.join(base, "home", ".cache", "torch_extensions"),
               TORCHINDUCTOR_CACHE_DIR=os.path.join(base, "home", "inductor"),
               PYTORCH_TEST_WITH_SLOW="0", CONTINUE_THROUGH_ERROR="0")
    env.update(c.env)
    os.makedirs(env["HOME"], exist_ok=True)
    return env


PYTEST = "python -bb -m pytest %s -rfEsxXP -p no:xdist -p no:logging -p no:cacheprovider -v"


def execute(c, work, venv, clk):
    base = materialise(c, work)
    env = mkenv(c, base, venv)
    pull_out, pull_rc = None, 0
    if c.kind == "docker":
        out, rc = run("docker pull 127.0.0.1:5000/pytorch/ci-image:pytorch-%s-%s" % (BUILD_ENV, IMAGE[-40:]), base, env)
        pull_out = [l.replace("127.0.0.1:5000", IMAGE.split("/")[0]) for l in lines_of(out)]
        pull_out = [l.replace("Retry", "Retry") for l in pull_out]
        pull_out += ["+ sleep 1"] + pull_out + ["+ sleep 2"] + pull_out
        pull_rc = rc or 1
    ran = setup_steps(c, base, env, venv, clk, pull_out, pull_rc)
    pt = os.path.join(base, "pytorch")
    if c.kind == "docker":
        return base, ran + post_steps(clk), len(ran) - 1
    if c.kind in ("pytest", "timeout", "crash", "oom"):
        pre = test_sh_prelude(env, pt)
        cmd = PYTEST % c.test_file
        if c.ulimit:
            cmd = "ulimit -v %d; %s" % (c.ulimit, cmd)
        if c.kind == "timeout":
            cmd = "timeout %d %s" % (c.timeout, cmd)
        out, rc = run(cmd, os.path.join(pt, "test"), env)
        if rc == 0:
            raise RuntimeError("%s: tests passed:\n%s" % (c.id, out[-1500:]))
        rerun = None
        if c.rerun and c.kind == "pytest" and c.failed_tests:
            node = c.failed_tests[0]
            rerun, _ = run(PYTEST % node, os.path.join(pt, "test"), env)
        body = run_test_lines(c, clk, out, rerun, rc)
        if c.kind == "timeout":
            i = body.index(next(l for l in body if l.startswith("Got exit code")))
            body[i:i] = ["Command took >%dmin, returning 124" % 30]
        test = (test_step_hdr(), pre + body, 1)
        if c.upload_fails:
            s3o, _ = s3_upload(env, pt, venv)
            return base, ran + [test] + post_steps(clk, s3o, 1), len(ran)
        return base, ran + [test] + post_steps(clk), len(ran)
    if c.kind == "s3":
        pre = test_sh_prelude(env, pt)
        out, rc = run(PYTEST % c.test_file, os.path.join(pt, "test"), env)
        test = (test_step_hdr(), pre + lines_of(out), 0)
        s3o, _ = s3_upload(env, pt, venv)
        return base, ran + [test] + post_steps(clk, s3o, 1), len(ran) + 1
    if c.kind == "shell":
        # lint, pip, cpp extension builds: one step that runs the real command
        out, rc = run(c.extra["cmd"], pt, env)
        if rc == 0:
            raise RuntimeError("%s: command passed:\n%s" % (c.id, out[-1500:]))
        step = (step_hdr(*c.extra["hdr"]), ["+ " + c.extra["cmd"].split("\n")[-1]] + lines_of(out), rc)
        return base, ran[:2] + [step] + post_steps(clk)[3:], 2
    raise ValueError(c.kind)


def s3_upload(env, pt, venv):
    script = D('''
        import boto3, botocore.config
        s3 = boto3.client("s3", endpoint_url="http://127.0.0.1:9", region_name="us-east-1",
                          aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="x",
                          config=botocore.config.Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=2))
        s3.upload_file("test-reports.zip", "gha-artifacts", "pytorch/pytorch/12634417811/1/artifact/test-reports-test-default-1-2-linux.2xlarge_34177412345.zip")
    ''')
    with open(os.path.join(pt, "upload.py"), "w") as f:
        f.write(script)
    with open(os.path.join(pt, "test-reports.zip"), "wb") as f:
        f.write(b"PK" + b"\0" * 2000)
    out, rc = run("python upload.py", pt, env)
    out = out.replace("http://127.0.0.1:9", "https://s3.amazonaws.com").replace("upload.py", "tools/stats/upload_artifacts.py")
    return ["With the provided path, there will be 1 file uploaded",
            "Uploading to s3 prefix: pytorch/pytorch/12634417811/1/artifact",
            "Starting upload of test-reports-test-default-1-2-linux.2xlarge_34177412345.zip"] + lines_of(out), rc


def find(lines, needle, frm):
    for i in range(frm, len(lines)):
        if needle in lines[i]:
            return i
    raise LookupError("not found after line %d: %r" % (frm + 1, needle))


def spans(lines, keys, frm):
    out, pos = [], frm
    for start, end in keys:
        s = find(lines, start, pos)
        if isinstance(end, int):
            e = s + end
        elif end is None:
            e = s
        elif end == "E*":        # through the last `E   ` line of a pytest failure
            e = s
            j = s + 1
            while j < len(lines) and not re.search(r" (?:_{3,} |={3,} )|\.py:\d+: \w+$", lines[j]):
                if re.match(r"\S+Z E ", lines[j]):
                    e = j
                j += 1
        else:
            e = find(lines, end, s)
        out.append({"start": s + 1, "end": e + 1, "kind": "error"})
        pos = s + 1
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only")
    ap.add_argument("--work", default="/tmp/realtools-pytorch")
    ap.add_argument("--venv", default="/tmp/torch8/venv")
    a = ap.parse_args()
    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    venv = os.path.abspath(a.venv)
    if not os.path.exists(os.path.join(venv, "bin", "python")):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "torch", "numpy", "pytest", "expecttest",
                        "hypothesis", "lintrunner", "flake8", "mypy", "ruff", "boto3", "ninja"], check=True)
    os.makedirs(os.path.join(HERE, "cases"), exist_ok=True)
    label_path = os.path.join(HERE, "labels.jsonl")
    old = {}
    if os.path.exists(label_path):
        for l in open(label_path):
            r = json.loads(l)
            old[r["id"]] = r
    rows = dict(old) if a.only else {}
    missing = set()
    for n, c in enumerate(CASES):
        if a.only and a.only not in c.id:
            continue
        lack = [t for t in c.needs if shutil.which(t) is None]
        if lack:
            missing.update(lack)
            print("skip %s: missing %s" % (c.id, ", ".join(lack)))
            continue
        clk = Clock(n)
        try:
            base, steps, fail_idx = execute(c, work, venv, clk)
        except (RuntimeError, StopIteration) as e:
            print("FAIL", c.id, e)
            continue
        steps = [([scrub(x, base, venv) for x in h], [scrub(x, base, venv) for x in o], rc) for h, o, rc in steps]
        L, starts = gha(c, steps, clk)
        try:
            ks = spans(L, c.keys, starts[fail_idx])
        except LookupError as e:
            print("FAIL %s: %s" % (c.id, e))
            with open(os.path.join(work, c.id + ".debug.log"), "w") as f:
                f.write("\n".join(L) + "\n")
            continue
        with open(os.path.join(HERE, "cases", c.id + ".log"), "w") as f:
            f.write("\n".join(L) + "\n")
        rows[c.id] = {"dataset": "realtools_" + PART, "id": c.id, "log": "%s/cases/%s.log" % (PART, c.id),
                      "ci": "gha", "language": "python", "tool": c.tool, "category": c.category, "flaky": c.flaky,
                      "key_lines": ks, "failed_tests": c.failed_tests,
                      "split": "sealed" if c.family in SEALED else "tune",
                      "label_source": "generated: real %s output, injected failure" % c.tool}
        size = os.path.getsize(os.path.join(HERE, "cases", c.id + ".log"))
        print("ok %-34s %-12s %6d B %s" % (c.id, c.category, size, [(k["start"], k["end"]) for k in ks]), flush=True)
    order = [c.id for c in CASES]
    with open(label_path, "w") as f:
        for i in sorted(rows, key=lambda x: order.index(x) if x in order else 10 ** 6):
            f.write(json.dumps(rows[i]) + "\n")
    if missing:
        print("missing tools (cases skipped):", ", ".join(sorted(missing)))


# --------------------------------------------------------------------------
# the cases

def tcase(id, family, category, cls, fname, failing, keys, failed, n=120, flaky=False, kind="pytest",
          imports="", tool="pytest", **kw):
    files = {"test/" + fname: test_module(cls, n, len(CASES), failing, imports),
             ".ci/pytorch/test.sh": "#!/bin/bash\npython test/run_test.py \"$@\"\n"}
    files.update(kw.pop("more_files", {}))
    ids = ["%s::%s::%s" % (fname, cls, t) for t in failed] if failed else None
    case(id=id, family=family, category=category, flaky=flaky, kind=kind, files=files, keys=keys,
         failed_tests=ids, test_file=fname, tool=tool, **kw)


# ---- assert_close (tune)
tcase("assert-close-float", "assert_close", "test_failure", "TestTorch", "test_torch.py", '''
    def test_cumsum_accumulates_float(self):
        x = torch.linspace(0, 1, 64, dtype=torch.float32)
        expected = torch.cumsum(x.double(), 0).float()
        expected[17] += 0.25
        self.assertEqual(torch.cumsum(x, 0), expected)
''', [("_ TestTorch.test_cumsum_accumulates_float _", "E*")], ["test_cumsum_accumulates_float"], n=200)
tcase("assert-close-testing", "assert_close", "test_failure", "TestLinalg", "test_linalg.py", '''
    def test_solve_batched(self):
        A = torch.eye(4).expand(3, 4, 4) * 2
        b = torch.ones(3, 4, 1)
        torch.testing.assert_close(torch.linalg.solve(A, b), torch.full((3, 4, 1), 0.55))
''', [("_ TestLinalg.test_solve_batched _", "E*")], ["test_solve_batched"], n=160)
tcase("assert-close-int", "assert_close", "test_failure", "TestReductions", "test_reductions.py", '''
    def test_argmax_ties_first(self):
        x = torch.tensor([[1, 5, 5, 2], [7, 7, 0, 1]])
        self.assertEqual(torch.argmax(x, dim=1), torch.tensor([2, 1]))
''', [("_ TestReductions.test_argmax_ties_first _", "E*")], ["test_argmax_ties_first"], n=240)
tcase("assert-close-two", "assert_close", "test_failure", "TestNN", "test_nn.py", '''
    def test_softmax_rows_sum_to_one(self):
        x = torch.randn(5, 7, generator=torch.Generator().manual_seed(0))
        self.assertEqual(torch.softmax(x, 1).sum(1), torch.full((5,), 1.01))

    def test_relu_grad(self):
        x = torch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
        torch.relu(x).sum().backward()
        self.assertEqual(x.grad, torch.tensor([0.0, 1.0, 0.5]))
''', [("_ TestNN.test_relu_grad _", "E*"), ("_ TestNN.test_softmax_rows_sum_to_one _", "E*")],
      ["test_relu_grad", "test_softmax_rows_sum_to_one"], n=150, rerun=False)

# ---- shape mismatch (tune)
tcase("shape-mm", "shape", "test_failure", "TestMatmul", "test_matmul_cuda.py", '''
    def test_mm_projection(self):
        w = torch.randn(16, 8)
        x = torch.randn(4, 16)
        self.assertEqual(torch.mm(w, x).shape, (16, 16))
''', [("_ TestMatmul.test_mm_projection _", "E*")], ["test_mm_projection"], n=180)
tcase("shape-broadcast", "shape", "test_failure", "TestBinaryUfuncs", "test_binary_ufuncs.py", '''
    def test_add_bias_per_channel(self):
        x = torch.randn(2, 3, 5)
        bias = torch.randn(5, 3)
        self.assertEqual((x + bias).shape, x.shape)
''', [("_ TestBinaryUfuncs.test_add_bias_per_channel _", "E*")], ["test_add_bias_per_channel"], n=260)
tcase("shape-view", "shape", "test_failure", "TestViewOps", "test_view_ops.py", '''
    def test_flatten_after_transpose(self):
        x = torch.randn(4, 6).t()
        self.assertEqual(x.view(24).numel(), 24)
''', [("_ TestViewOps.test_flatten_after_transpose _", "E*")], ["test_flatten_after_transpose"], n=120)

# ---- CUDA unavailable (tune)
tcase("cuda-device", "cuda", "test_failure", "TestCudaMallocAsync", "test_cuda.py", '''
    def test_memory_stats_after_alloc(self):
        x = torch.empty(1024, device="cuda")
        self.assertGreater(torch.cuda.memory_allocated(), 0)
''', [("_ TestCudaMallocAsync.test_memory_stats_after_alloc _", "E*")], ["test_memory_stats_after_alloc"], n=100)
tcase("cuda-assert", "cuda", "test_failure", "TestCudaSanitizer", "test_cuda_sanitizer.py", '''
    def test_stream_sync(self):
        assert torch.cuda.device_count() > 0, "CUDA unavailable"
        torch.cuda.synchronize()
''', [("_ TestCudaSanitizer.test_stream_sync _", "E*")], ["test_stream_sync"], n=140)

# ---- dynamo fullgraph / graph break (tune)
tcase("dynamo-data-dependent", "dynamo", "test_failure", "TestCompileModule", "dynamo/test_modules.py", '''
    def test_gated_relu_fullgraph(self):
        def gated(x):
            if x.sum() > 0:
                return torch.relu(x)
            return x * 0
        fn = torch.compile(gated, backend="eager", fullgraph=True)
        self.assertEqual(fn(torch.ones(4)), torch.ones(4))
''', [("_ TestCompileModule.test_gated_relu_fullgraph _", "E*")], ["test_gated_relu_fullgraph"], n=120,
      env={"TORCHDYNAMO_VERBOSE": "1"})
tcase("dynamo-graph-break", "dynamo", "test_failure", "TestExport", "dynamo/test_export.py", '''
    def test_export_with_item(self):
        class M(torch.nn.Module):
            def forward(self, x):
                y = x * 2
                torch._dynamo.graph_break()
                return y + 1
        fn = torch.compile(M(), backend="eager", fullgraph=True)
        fn(torch.tensor([3.0]))
''', [("_ TestExport.test_export_with_item _", "E*")], ["test_export_with_item"], n=90,
      env={"TORCHDYNAMO_VERBOSE": "1"})

# ---- test timeouts (tune)
tcase("timeout-hang", "timeout", "timeout", "TestDataLoader", "test_dataloader.py", '''
    def test_worker_queue_drains(self):
        import threading
        ev = threading.Event()
        ev.wait()
''', [("::test_worker_queue_drains", "Command took >")], ["test_worker_queue_drains"], n=200, kind="timeout", timeout=25, flaky=None)
tcase("timeout-subprocess", "timeout", "timeout", "TestMultiprocessing", "test_multiprocessing.py", '''
    def test_spawn_child_exits(self):
        import subprocess
        subprocess.run([sys.executable, "-c", "import time; time.sleep(30)"], timeout=3, check=True)
''', [("_ TestMultiprocessing.test_spawn_child_exits _", "E*")], ["test_spawn_child_exits"], n=150, flaky=None)

# ---- segfault / abort of a test process (tune)
tcase("crash-segfault", "crash", "test_failure", "TestCppApiParity", "test_cpp_api_parity.py", '''
    def test_from_blob_null(self):
        import ctypes
        ctypes.string_at(0)
''', [("Fatal Python error: Segmentation fault", None)], ["test_from_blob_null"], n=180, kind="crash")
tcase("crash-abort", "crash", "test_failure", "TestTensorCreation", "test_tensor_creation_ops.py", '''
    def test_storage_resize_abort(self):
        os.abort()
''', [("Fatal Python error: Aborted", None)], ["test_storage_resize_abort"], n=210, kind="crash")

# ---- S3 upload unreachable (tune, flaky infra)
tcase("s3-upload-artifacts", "s3", "infra", "TestTypePromotion", "test_type_promotion.py", '''
    def test_int_float_promotes(self):
        self.assertEqual((torch.tensor([1]) + 1.5).dtype, torch.float32)
''', [("EndpointConnectionError: Could not connect", None)], None, n=220, kind="s3", flaky=True, tool="boto3")
tcase("s3-upload-after-failure", "s3", "test_failure", "TestAutograd", "test_autograd.py", '''
    def test_grad_of_square(self):
        x = torch.tensor([3.0], requires_grad=True)
        (x * x).sum().backward()
        self.assertEqual(x.grad, torch.tensor([5.0]))
''', [("_ TestAutograd.test_grad_of_square _", "E*"), ("EndpointConnectionError: Could not connect", None)],
      ["test_grad_of_square"], n=130, upload_fails=True, tool="pytest+boto3")

# ---- dtype (sealed)
tcase("dtype-mm", "dtype", "test_failure", "TestLinalg", "test_linalg.py", '''
    def test_mm_mixed_precision(self):
        a = torch.randn(3, 3, dtype=torch.float32)
        b = torch.randn(3, 3, dtype=torch.float64)
        self.assertEqual(torch.mm(a, b).dtype, torch.float64)
''', [("_ TestLinalg.test_mm_mixed_precision _", "E*")], ["test_mm_mixed_precision"], n=170)
tcase("dtype-inplace", "dtype", "test_failure", "TestTypePromotion", "test_type_promotion.py", '''
    def test_inplace_add_float_into_long(self):
        x = torch.arange(4)
        x.add_(0.5)
        self.assertEqual(x, torch.arange(4))
''', [("_ TestTypePromotion.test_inplace_add_float_into_long _", "E*")], ["test_inplace_add_float_into_long"], n=230)
tcase("dtype-index-put", "dtype", "test_failure", "TestIndexing", "test_indexing.py", '''
    def test_index_put_accumulate(self):
        x = torch.zeros(5, dtype=torch.float32)
        idx = torch.tensor([0, 2])
        x.index_put_((idx,), torch.tensor([1.0, 2.0], dtype=torch.float64), accumulate=True)
''', [("_ TestIndexing.test_index_put_accumulate _", "E*")], ["test_index_put_accumulate"], n=110)

# ---- expecttest (sealed)
tcase("expecttest-inline", "expecttest", "test_failure", "TestFxPrint", "test_fx.py", '''
    def test_graph_print(self):
        gm = torch.fx.symbolic_trace(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU()))
        self.assertExpectedInline(gm.code.strip(), """\\
    def forward(self, input):
        _0 = getattr(self, "0")(input);  input = None
        _1 = getattr(self, "1")(_0);  _0 = None
        return _0""")
''', [("_ TestFxPrint.test_graph_print _", "E*")], ["test_graph_print"], n=140)
tcase("expecttest-repr", "expecttest", "test_failure", "TestTensorRepr", "test_tensor_repr.py", '''
    def test_repr_int_tensor(self):
        self.assertExpectedInline(repr(torch.arange(3) * 2), """tensor([0, 2, 5])""")
''', [("_ TestTensorRepr.test_repr_int_tensor _", "E*")], ["test_repr_int_tensor"], n=190)

# ---- inductor C++ compile failure (sealed)
tcase("inductor-cxx-missing", "inductor", "compilation", "TestInductorCpu", "inductor/test_cpu_repro.py", '''
    def test_sin_add(self):
        import torch._inductor.config as cfg
        cfg.cpp.cxx = ("g++-13",)
        fn = torch.compile(lambda x: x.sin() + 1)
        self.assertEqual(fn(torch.randn(8)), torch.zeros(8).sin())
''', [("_ TestInductorCpu.test_sin_add _", "E*")], ["test_sin_add"], n=100, tool="inductor")
tcase("inductor-cpp-error", "inductor", "compilation", "TestInductorCpu", "inductor/test_cpu_select_algorithm.py", '''
    def test_cos_mul(self):
        import torch._inductor.config as cfg
        cfg.cpp.cxx = (os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "cxx_wrap.sh"),)
        fn = torch.compile(lambda x: x.cos() * 3)
        self.assertEqual(fn(torch.randn(16)), torch.zeros(16))
''', [("omp_compat.h: No such file or directory", None)], ["test_cos_mul"], n=100, tool="inductor",
      more_files={"tools/cxx_wrap.sh": "#!/bin/sh\nexec g++ -include omp_compat.h \"$@\"\n"})

# ---- torch.distributed gloo (sealed)
DIST_IMPORTS = D('''
    from datetime import timedelta
    import torch.distributed as dist
    from torch.testing._internal.common_distributed import MultiProcessTestCase
''')
tcase("dist-peer-dies", "distributed", "test_failure", "TestAllReduce", "distributed/test_c10d_gloo.py", '''
    pass
#MODULE
class ProcessGroupGlooTest(MultiProcessTestCase):
    def setUp(self):
        super().setUp()
        self._spawn_processes()

    @property
    def world_size(self):
        return 2

    def test_allreduce_after_peer_exit(self):
        store = dist.FileStore(self.file_name, self.world_size)
        dist.init_process_group("gloo", store=store, rank=self.rank, world_size=self.world_size,
                                timeout=timedelta(seconds=20))
        if self.rank == 1:
            os._exit(0)
        t = torch.ones(4)
        dist.all_reduce(t)
        self.assertEqual(t, torch.full((4,), 2.0))
''', [("Process 0 exited with error code", "E*")], None, n=60, imports=DIST_IMPORTS, tool="pytest+gloo", rerun=False)
tcase("dist-recv-timeout", "distributed", "timeout", "TestAllReduce", "distributed/test_c10d_common.py", '''
    pass
#MODULE
class ProcessGroupGlooTimeoutTest(MultiProcessTestCase):
    def setUp(self):
        super().setUp()
        self._spawn_processes()

    @property
    def world_size(self):
        return 2

    def test_broadcast_times_out(self):
        store = dist.FileStore(self.file_name, self.world_size)
        dist.init_process_group("gloo", store=store, rank=self.rank, world_size=self.world_size,
                                timeout=timedelta(seconds=3))
        t = torch.ones(4)
        if self.rank == 0:
            dist.recv(t, src=1)
        else:
            import time
            time.sleep(8)
''', [("Process 0 exited with error code", "E*")], None, n=70, imports=DIST_IMPORTS, tool="pytest+gloo", rerun=False)

# ---- OOM under ulimit (sealed)
tcase("oom-alloc", "oom", "oom", "TestTensorCreation", "test_tensor_creation_ops.py", '''
    def test_empty_huge(self):
        x = torch.empty(1 << 34, dtype=torch.float32)
        self.assertEqual(x.numel(), 1 << 34)
''', [("_ TestTensorCreation.test_empty_huge _", "E*")], ["test_empty_huge"], n=200, ulimit=12000000, rerun=False)
tcase("oom-python", "oom", "oom", "TestSerialization", "test_serialization.py", '''
    def test_save_large_list(self):
        import io
        blobs = [bytearray(1 << 28) for _ in range(200)]
        torch.save(blobs, io.BytesIO())
''', [("_ TestSerialization.test_save_large_list _", "E*")], ["test_save_large_list"], n=150, ulimit=12000000, rerun=False)

# ---- docker pull (sealed, flaky infra)
for i, fam_id in enumerate(["docker-pull-refused", "docker-pull-retry"]):
    case(id=fam_id, family="docker", category="infra", flaky=True, kind="docker",
         files={"README.md": "pytorch\n", "test/test_x.py": "def test_x():\n    pass\n"},
         keys=[("Error response from daemon", None)], tool="docker", needs=("docker",))


# ---- shell steps: C++ extensions, pip, lint
def shcase(id, family, category, files, cmd, hdr, keys, tool, flaky=False, job="build", failed=None):
    case(id=id, family=family, category=category, flaky=flaky, kind="shell", files=files, keys=keys,
         extra={"cmd": cmd, "hdr": hdr}, tool=tool, job=job, failed_tests=failed)


EXT_TEST = D('''
    import os
    import torch
    import torch.utils.cpp_extension
    from torch.testing._internal.common_utils import TestCase, run_tests


    class TestCppExtensionJIT(TestCase):
        def test_jit_compile_extension(self):
            here = os.path.dirname(os.path.abspath(__file__))
            module = torch.utils.cpp_extension.load(
                name="jit_extension",
                sources=[os.path.join(here, "cpp_extensions", "jit_extension.cpp")],
                extra_cflags=["-O2"],
                verbose=True,
            )
            self.assertEqual(module.tanh_add(torch.ones(2), torch.ones(2)), torch.ones(2).tanh() * 2)


    if __name__ == "__main__":
        run_tests()
''')
EXT_OK = '''#include <torch/extension.h>

torch::Tensor tanh_add(torch::Tensor x, torch::Tensor y) {
  return x.tanh() + y.tanh();
}

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("tanh_add", &tanh_add, "tanh(x) + tanh(y)");
}
'''
for cid, src, key in [
        ("cppext-undeclared", EXT_OK.replace("return x.tanh() + y.tanh();", "auto z = x.tanh();\n  return z + w.tanh();"),
         "error: \u2018w\u2019 was not declared in this scope"),
        ("cppext-wrong-type", EXT_OK.replace("return x.tanh() + y.tanh();", "int64_t n = x.tanh();\n  return x + y;"),
         "error: cannot convert"),
        ("cppext-missing-header", '#include "tanh_kernels.h"\n' + EXT_OK, "fatal error: tanh_kernels.h: No such file or directory")]:
    shcase(cid, "cppext", "compilation",
           {"test/test_cpp_extensions_jit.py": EXT_TEST, "test/cpp_extensions/jit_extension.cpp": src},
           "cd test && " + PYTEST % "test_cpp_extensions_jit.py",
           ["set -x", ".ci/pytorch/test.sh", "shell: /usr/bin/bash -e {0}"],
           [(key, None)], "cpp_extension", job="test",
           failed=["test_cpp_extensions_jit.py::TestCppExtensionJIT::test_jit_compile_extension"])

# pip resolution (tune)
shcase("pip-conflict", "pip", "dependency", {"requirements-ci.txt": "torch==2.15.0\nsympy==1.12\n"},
       "python -m pip install --dry-run --no-deps -q expecttest==0.3.0 && python -m pip install --dry-run -r requirements-ci.txt",
       ["python -m pip install -r requirements-ci.txt", "shell: /usr/bin/bash -e {0}"],
       [("ERROR: Cannot install", "ERROR: ResolutionImpossible")], "pip")
shcase("pip-no-version", "pip", "dependency", {"requirements-ci.txt": "expecttest==9.9.1\nhypothesis\n"},
       "python -m pip install --dry-run -r requirements-ci.txt",
       ["python -m pip install -r requirements-ci.txt", "shell: /usr/bin/bash -e {0}"],
       [("ERROR: Could not find a version that satisfies", "ERROR: No matching distribution")], "pip")

# lint (flake8/ruff tune; mypy/lintrunner sealed)
LINT_SRC = D('''
    import os
    import sys
    from typing import List

    import torch


    def flatten_params(params: List[torch.Tensor]) -> torch.Tensor:
        flat = [p.reshape(-1) for p in params]
        unused = len(flat)
        return torch.cat(flat)


    def count(params: List[torch.Tensor]) -> int:
        return sum(p.numel() for p in params) + "0"


    def ratio(a: int, b: int) -> int:
        return a / b
''')
shcase("lint-flake8", "lint", "lint", {"torch/utils/flat.py": LINT_SRC},
       "flake8 torch/utils/flat.py", ["flake8 torch/utils/flat.py", "shell: /usr/bin/bash -e {0}"],
       [("flat.py:1:1: F401", "F841")], "flake8", job="lint")
shcase("lint-ruff", "lint", "lint", {"torch/utils/flat.py": LINT_SRC, "pyproject.toml": "[tool.ruff]\nline-length = 120\n"},
       "ruff check --no-cache torch/utils/flat.py", ["ruff check torch/utils/flat.py", "shell: /usr/bin/bash -e {0}"],
       [("F401", "Found ")], "ruff", job="lint")
shcase("lint-mypy", "mypy-lintrunner", "lint", {"torch/utils/flat.py": LINT_SRC, "mypy.ini": "[mypy]\nignore_missing_imports = True\nfollow_imports = skip\n"},
       "mypy --no-incremental torch/utils/flat.py", ["mypy --config-file mypy.ini torch/utils/flat.py", "shell: /usr/bin/bash -e {0}"],
       [("error: Incompatible return value type", None)], "mypy", job="lint")
FLAKE8_ADAPTER = D(r'''
    """Runs flake8 and prints lintrunner LintMessages (one JSON object per line)."""
    import json
    import re
    import subprocess
    import sys

    paths = [l.strip() for l in open(sys.argv[-1][1:])] if sys.argv[-1].startswith("@") else sys.argv[2:]
    p = subprocess.run([sys.executable, "-m", "flake8", *paths], capture_output=True, text=True)
    for line in p.stdout.splitlines():
        m = re.match(r"(.+?):(\d+):(\d+): (\w+) (.*)", line)
        if m:
            print(json.dumps({"path": m[1], "line": int(m[2]), "char": int(m[3]), "code": "FLAKE8",
                              "severity": "error" if m[4][0] in "EF" else "warning", "name": m[4],
                              "original": None, "replacement": None, "description": m[5]}))
''')
shcase("lint-lintrunner", "mypy-lintrunner", "lint",
       {"torch/utils/flat.py": LINT_SRC, "tools/linter/adapters/flake8_linter.py": FLAKE8_ADAPTER,
        ".lintrunner.toml": D('''
            [[linter]]
            code = 'FLAKE8'
            include_patterns = ['**/*.py']
            exclude_patterns = ['tools/**']
            command = ['python3', 'tools/linter/adapters/flake8_linter.py', '--', '@{{PATHSFILE}}']
        ''')},
       "lintrunner --force-color --all-files --tee-json=lint.json 2>&1 | cat; exit ${PIPESTATUS[0]}",
       ["(ADDITIONAL_LINTRUNNER_ARGS=\"--skip CLANGTIDY,CLANGFORMAT\" .github/scripts/lintrunner.sh)", "shell: /usr/bin/bash -e {0}"],
       [("torch/utils/flat.py", "F841")], "lintrunner", job="lint")


# ---- more variants per family (same families, same split)
tcase("assert-close-bool", "assert_close", "test_failure", "TestComparisonUtils", "test_comparison_utils.py", """
    def test_isclose_nan(self):
        x = torch.tensor([1.0, float("nan"), 3.0])
        self.assertEqual(torch.isclose(x, x), torch.tensor([True, True, True]))
""", [("_ TestComparisonUtils.test_isclose_nan _", "E*")], ["test_isclose_nan"], n=210)
tcase("shape-cat", "shape", "test_failure", "TestShapeOps", "test_shape_ops.py", """
    def test_cat_features(self):
        a = torch.randn(4, 3)
        b = torch.randn(5, 2)
        self.assertEqual(torch.cat([a, b], dim=1).shape, (4, 5))
""", [("_ TestShapeOps.test_cat_features _", "E*")], ["test_cat_features"], n=190)
tcase("cuda-to-device", "cuda", "test_failure", "TestCudaPrimaryCtx", "test_cuda_primary_ctx.py", """
    def test_copy_to_device(self):
        x = torch.randn(4).to("cuda:0")
        self.assertTrue(x.is_cuda)
""", [("_ TestCudaPrimaryCtx.test_copy_to_device _", "E*")], ["test_copy_to_device"], n=170)
tcase("crash-fpe", "crash", "test_failure", "TestNumericalStability", "test_numeric_stability.py", """
    def test_integer_division_by_zero(self):
        import signal
        os.kill(os.getpid(), signal.SIGFPE)
""", [("Fatal Python error: Floating point exception", None)], ["test_integer_division_by_zero"], n=160, kind="crash")
tcase("timeout-lock", "timeout", "timeout", "TestFuturesStress", "test_futures.py", """
    def test_wait_all_done(self):
        fut = torch.futures.Future()
        fut.wait()
""", [("::test_wait_all_done", "Command took >")], ["test_wait_all_done"], n=230, kind="timeout", timeout=25, flaky=None)
shcase("pip-no-wheel", "pip", "dependency", {"requirements-ci.txt": "torch==1.12.1\nnumpy\n"},
       "python -m pip install --dry-run -r requirements-ci.txt",
       ["python -m pip install -r requirements-ci.txt", "shell: /usr/bin/bash -e {0}"],
       [("ERROR: Could not find a version that satisfies", "ERROR: No matching distribution")], "pip")
shcase("lint-ruff-format", "lint", "lint", {"torch/utils/flat.py": LINT_SRC.replace("    return a / b", "    return a/b  "), "pyproject.toml": "[tool.ruff]\nline-length = 120\n"},
       "ruff format --no-cache --check --diff torch/utils/flat.py", ["ruff format --check torch/utils/flat.py", "shell: /usr/bin/bash -e {0}"],
       [("--- torch/utils/flat.py", "1 file would be reformatted")], "ruff", job="lint")
tcase("dtype-where", "dtype", "test_failure", "TestMaskedOps", "test_masked.py", """
    def test_where_mask_from_int(self):
        mask = torch.tensor([1, 0, 1])
        self.assertEqual(torch.where(mask, torch.ones(3), torch.zeros(3)), torch.tensor([1.0, 0.0, 1.0]))
""", [("_ TestMaskedOps.test_where_mask_from_int _", "E*")], ["test_where_mask_from_int"], n=200)
tcase("inductor-march", "inductor", "compilation", "TestInductorCpu", "inductor/test_cpu_cpp_wrapper.py", """
    def test_exp_sub(self):
        import torch._inductor.config as cfg
        cfg.cpp.cxx = (os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "cxx_wrap.sh"),)
        fn = torch.compile(lambda x: x.exp() - 1)
        self.assertEqual(fn(torch.randn(16)), torch.zeros(16))
""", [("bad value", None)], ["test_exp_sub"], n=90, tool="inductor",
      more_files={"tools/cxx_wrap.sh": "#!/bin/sh\nexec g++ \"$@\" -march=skylake-avx1024\n"})
tcase("dist-rank-raises", "distributed", "test_failure", "TestAllGather", "distributed/test_c10d_object_collectives.py", """
    pass
#MODULE
class ObjectCollectivesTest(MultiProcessTestCase):
    def setUp(self):
        super().setUp()
        self._spawn_processes()

    @property
    def world_size(self):
        return 2

    def test_all_gather_object_sizes(self):
        store = dist.FileStore(self.file_name, self.world_size)
        dist.init_process_group("gloo", store=store, rank=self.rank, world_size=self.world_size)
        out = [None, None]
        dist.all_gather_object(out, {"rank": self.rank})
        self.assertEqual(out, [{"rank": 0}, {"rank": 0}])
""", [("Process 1 exited with error code", "E*")], None, n=80, imports=DIST_IMPORTS, tool="pytest+gloo", rerun=False)
tcase("oom-killed-expand", "oom", "oom", "TestTensorCreation", "test_tensor_creation_ops.py", """
    def test_expand_contiguous(self):
        x = torch.ones(1, 1 << 16).expand(1 << 16, 1 << 16).contiguous()
        self.assertEqual(x.sum(), 1 << 32)
""", [("_ TestTensorCreation.test_expand_contiguous _", "E*")], ["test_expand_contiguous"], n=180, ulimit=12000000, rerun=False)


if __name__ == "__main__":
    main()
