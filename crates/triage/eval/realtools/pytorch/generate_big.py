#!/usr/bin/env python3
"""Splits "tune3"/"sealed3" of realtools/pytorch (helper torch10): LARGE
(0.5-3 MB) PyTorch-shaped GitHub Actions job logs where the real failure is
buried among the noise real PyTorch jobs carry.

REAL tool output: pip (the install of this generator's venv), g++ (a build of
many translation units with a warning in each, `-Wdeprecated-declarations`
floods, one error in the build shapes), pytest -v (thousands of generated
tests, real `warnings summary` floods, real `-x` stops, real reruns), Python's
faulthandler (a real SIGSEGV). Written here: the GHA envelope and PyTorch's
driver lines (run_test.py's `Running … / Executing … / Got exit code N /
Retrying single test... / Test succeeeded in new process, continuing with the
rest of the tests / FAILED CONSISTENTLY / The following tests failed
consistently`), a harmless continue-on-error setup step that prints `Error:`
and its `##[error]`, a teardown step that fails after the real failure.
No torch here (PyPI's wheel is too large for this machine's budget): the test
bodies raise the text torch raises (`Tensor-likes are not close!` …), pytest's
report around it is real.

Split by JOB SHAPE (decided before measuring, see README):
  tune3:   shard-flaky (flaky earlier file, real failure later), teardown-fails
           (real failure then a failing teardown step), build-flood (g++
           warning flood around one error)
  sealed3: two-files (two files fail consistently), crash-shard (a test file
           segfaults among passing files), rerun-noise (continue-through-error:
           several flaky tests recovered, one consistent failure, huge warnings)

Usage: python3 generate_big.py [--only ID] [--venv DIR]  (venv: pytest,
pytest-rerunfailures from PyPI; made if missing)
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate as G  # noqa: E402

D = G.D
SPLIT = {"shard-flaky": "tune3", "teardown-fails": "tune3", "build-flood": "tune3",
         "two-files": "sealed3", "crash-shard": "sealed3", "rerun-noise": "sealed3"}

FILES = [("test_nn", "TestNN"), ("test_torch", "TestTorch"), ("test_autograd", "TestAutograd"),
         ("test_ops", "TestCommonCPU"), ("test_linalg", "TestLinalgCPU"), ("test_reductions", "TestReductionsCPU"),
         ("test_shape_ops", "TestShapeOpsCPU"), ("test_sparse", "TestSparseCPU"), ("test_optim", "TestOptim"),
         ("test_dataloader", "TestDataLoader"), ("test_binary_ufuncs", "TestBinaryUfuncsCPU"),
         ("test_unary_ufuncs", "TestUnaryUfuncsCPU")]
OPS = ["add", "mul", "sub", "div", "addmm", "baddbmm", "conv2d", "layer_norm", "softmax", "cumsum", "index_add",
       "scatter_reduce", "gather", "masked_fill", "nan_to_num", "logsumexp"]
DTS = ["float32", "float64", "bfloat16", "float16", "int64", "complex64", "bool", "uint8"]

HELPER = D('''
    import os, warnings

    def _deprecated_autocast():
        warnings.warn("`torch.cuda.amp.autocast(args...)` is deprecated. Please use `torch.amp.autocast('cuda', args...)` instead.", FutureWarning)

    def _deprecated_storage():
        warnings.warn("TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be the only storage class. This should only matter to you if you are using storages directly.  To access UntypedStorage directly, use tensor.untyped_storage() instead of tensor.storage()", UserWarning)

    def _flaky_once(tag):
        """Fails the first time it runs in this checkout, passes afterwards (a flaky test)."""
        p = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".flaky-" + tag)
        if not os.path.exists(p):
            open(p, "w").close()
            raise RuntimeError("Connection reset by peer: timed out waiting for worker 3 to send its result (DataLoader worker (pid 48213) is killed by signal: Terminated.)")
''')


def test_file(name, cls, n, seed, failing="", warn_every=3):
    rnd = random.Random(seed)
    src = ["# Owner(s): [\"module: tests\"]", "import unittest", "from _ci_helpers import _deprecated_autocast, _deprecated_storage, _flaky_once",
           "", "", "class %s(unittest.TestCase):" % cls]
    for i in range(n):
        op, dt = rnd.choice(OPS), rnd.choice(DTS)
        w = ""
        if i % warn_every == 0:
            w = "        _deprecated_autocast()\n" if i % 2 else "        _deprecated_storage()\n"
        src.append("    def test_%s_%s_%d(self):\n%s        self.assertEqual(sum(range(%d)), %d)\n" % (op, dt, i, w, i, i * (i - 1) // 2))
    if failing:
        src.append(failing)
    src.append("\nif __name__ == '__main__':\n    unittest.main()\n")
    return "\n".join(src)


ASSERT_CLOSE = '''    def {n}(self):
        raise AssertionError("Tensor-likes are not close!\\n\\nMismatched elements: 3 / 64 (4.7%)\\nGreatest absolute difference: 0.0078125 at index (2, 5) (up to 1e-05 allowed)\\nGreatest relative difference: 0.00390625 at index (2, 5) (up to 1.3e-06 allowed)")
'''
RUNTIME = '''    def {n}(self):
        x = [[1.0] * 4] * 3
        _matmul(x, [[1.0] * 2] * 5)

def _matmul(a, b):
    raise RuntimeError("mat1 and mat2 shapes cannot be multiplied (%dx%d and %dx%d)" % (len(a), len(a[0]), len(b), len(b[0])))
'''
SEGV = '''    def {n}(self):
        import ctypes
        ctypes.string_at(0)
'''
FLAKY = '''    def {n}(self):
        _flaky_once("{n}")
'''


class Case:
    def __init__(self, id, shape, category, files, fail=(), flaky=(), failing_kind="assert", teardown=False, size=400,
                 setup_error=True, warn_every=3, build=False, seed=0):
        self.__dict__.update(locals())
        del self.__dict__["self"]


CASES = [
    # tune3 ---------------------------------------------------------------
    Case("big-flaky-then-assert", "shard-flaky", "test_failure", 6, fail=[(4, "test_addmm_numerics_float32")], flaky=[(1, "test_dataloader_workers_exit")], size=420, seed=1),
    Case("big-flaky-then-shape", "shard-flaky", "test_failure", 7, fail=[(5, "test_linear_shapes_batched")], flaky=[(2, "test_pin_memory_thread")], failing_kind="runtime", size=380, seed=2),
    Case("big-flaky-same-file", "shard-flaky", "test_failure", 5, fail=[(3, "test_softmax_half_to_float")], flaky=[(3, "test_worker_seed_fork")], size=520, seed=3),
    Case("big-teardown-assert", "teardown-fails", "test_failure", 6, fail=[(2, "test_cumsum_bfloat16_tol")], teardown=True, size=450, seed=4),
    Case("big-teardown-flaky", "teardown-fails", "test_failure", 8, fail=[(6, "test_index_add_deterministic")], flaky=[(0, "test_persistent_workers_timeout")], teardown=True, failing_kind="runtime", size=300, seed=5),
    Case("big-build-flood-error", "build-flood", "compilation", 0, build="error", size=0, seed=6),
    Case("big-build-flood-late", "build-flood", "compilation", 0, build="late", size=0, seed=7),
    Case("big-teardown-huge-warn", "teardown-fails", "test_failure", 5, fail=[(4, "test_nan_to_num_out_dtype")], teardown=True, size=800, warn_every=1, seed=8),
    # sealed3 -------------------------------------------------------------
    Case("big-two-files", "two-files", "test_failure", 7, fail=[(2, "test_gather_int64_index"), (5, "test_logsumexp_complex")], flaky=[(0, "test_worker_kill_restart")], size=380, seed=9),
    Case("big-two-files-runtime", "two-files", "test_failure", 6, fail=[(1, "test_conv2d_groups_mismatch"), (4, "test_baddbmm_beta_zero")], failing_kind="runtime", teardown=True, size=420, seed=10),
    Case("big-crash-shard", "crash-shard", "test_failure", 6, fail=[(3, "test_storage_from_null_ptr")], flaky=[(1, "test_shm_cleanup_race")], failing_kind="segv", size=420, seed=11),
    Case("big-crash-teardown", "crash-shard", "test_failure", 7, fail=[(5, "test_from_blob_freed")], failing_kind="segv", teardown=True, size=350, seed=12),
    Case("big-rerun-noise", "rerun-noise", "test_failure", 6, fail=[(4, "test_masked_fill_bool_broadcast")], flaky=[(0, "test_multiprocessing_spawn_a"), (2, "test_multiprocessing_spawn_b"), (3, "test_multiprocessing_spawn_c")], size=450, warn_every=1, seed=13),
    Case("big-rerun-noise-shape", "rerun-noise", "test_failure", 8, fail=[(7, "test_scatter_reduce_shapes")], flaky=[(1, "test_queue_get_timeout"), (5, "test_event_wait_timeout")], failing_kind="runtime", teardown=True, size=300, seed=14),
]


def pyt(args, cwd, env):
    return G.run("python -bb -m pytest " + args + " -rfEsxXP -p no:cacheprovider -p no:rerunfailures -v", cwd, env)


def decoy_setup_step():
    """A continue-on-error step that fails harmlessly (as get-workflow-job-id does when GitHub rate-limits)."""
    return (G.step_hdr("pytorch/test-infra/.github/actions/get-workflow-job-id@main", "with:", "  github-token: ***"),
            ["##[group]Run set -eux", "python3 .github/scripts/get_workflow_job_id.py \"${GITHUB_RUN_ID}\" \"${RUNNER_NAME}\"",
             "shell: /usr/bin/bash --noprofile --norc -e -o pipefail {0}", "##[endgroup]",
             "+ python3 .github/scripts/get_workflow_job_id.py 12634417811 i-0b7e5c2a9d1f3e468",
             "Error: Unable to fetch the job id: HTTP Error 403: API rate limit exceeded for installation ID 1234567.",
             "Traceback (most recent call last):", '  File "/home/ec2-user/actions-runner/_work/pytorch/pytorch/.github/scripts/get_workflow_job_id.py", line 152, in <module>',
             "    main()", "urllib.error.HTTPError: HTTP Error 403: rate limit exceeded"], 1)


def pip_step():
    out = open(os.path.join(WORK, "pip-install.log")).read()
    return (G.step_hdr("python3 -m pip install --upgrade pytest pytest-rerunfailures", "shell: /usr/bin/bash -e {0}"),
            ["+ python3 -m pip install --upgrade pytest pytest-rerunfailures"] + G.lines_of(out), 0)


def teardown_fail_step():
    return (G.step_hdr("pytorch/test-infra/.github/actions/teardown-linux@main"),
            ["##[group]Run # ignore expansion of \"docker ps -q\" since it could be empty", "docker stop $(docker ps -q) || true",
             "shell: bash --noprofile --norc -e -o pipefail {0}", "##[endgroup]",
             "##[group]Run # Prune all of the docker images", "docker system prune -af", "##[endgroup]",
             "Error response from daemon: a prune operation is already running",
             "Error: Process completed with exit code 1."], 1)


def build_step(c, base, env, clk):
    """g++ over many translation units, each with deprecated-API uses (a warning flood), one of which fails."""
    src = os.path.join(base, "bsrc")
    os.makedirs(src, exist_ok=True)
    hdr = D('''
        #pragma once
        #include <cstdint>
        namespace c10 {
        [[deprecated("c10::optional is deprecated, use std::optional")]] inline int64_t legacy_optional(int64_t v) { return v; }
        [[deprecated("at::Tensor::type() is deprecated. Instead use Tensor::options()")]] inline int type_of(int v) { return v; }
        }
    ''')
    open(os.path.join(src, "Deprecated.h"), "w").write(hdr)
    names = ["aten/src/ATen/native/%s%s.cpp" % (op.capitalize(), k) for k in ("", "Kernel", "Backward") for op in OPS]
    rnd = random.Random(c.seed)
    bad = len(names) // 2 if c.build == "error" else len(names) - 3
    out_lines = []
    n = len(names)
    for i, nm in enumerate(names):
        fn = os.path.join(src, nm.replace("/", "_"))
        body = ['#include "Deprecated.h"', "namespace at { namespace native {"]
        for j in range(8 + rnd.randrange(6)):
            body.append("long f_%d_%d(long v) { int unused_%d = 0; long r = c10::legacy_optional(v) + c10::type_of(%d); return r; }" % (i, j, j, j))
        if i == bad:
            body.append("long g_%d(long v) { return at::native::maybe_wrap_dim_checked(v, 4); }" % i)
        body.append("}}")
        open(fn, "w").write("\n".join(body) + "\n")
        cmd = "g++ -std=c++17 -Wall -Wextra -c -I%s %s -o /dev/null" % (src, fn)
        o, rc = G.run(cmd, src, env)
        o = o.replace(src + "/" + nm.replace("/", "_"), G.WS + "/" + nm).replace(src + "/Deprecated.h", G.WS + "/c10/util/Deprecated.h")
        obj = "caffe2/CMakeFiles/torch_cpu.dir/__/%s.o" % nm
        if rc:
            out_lines.append("[%d/%d] Building CXX object %s" % (i + 1 + 4000, n + 4000, obj))
            out_lines.append("FAILED: %s " % obj)
            out_lines.append("/opt/cache/bin/sccache /usr/bin/c++ -DAT_PER_OPERATOR_HEADERS -DCPUINFO_SUPPORTED_PLATFORM=1 -I" + G.WS + "/aten/src -Wall -Wextra -std=gnu++17 -fPIC -c " + G.WS + "/" + nm + " -o " + obj)
            out_lines += G.lines_of(o)
        else:
            out_lines.append("[%d/%d] Building CXX object %s" % (i + 1 + 4000, n + 4000, obj))
            out_lines += G.lines_of(o)
    out_lines.append("ninja: build stopped: subcommand failed.")
    py = ["Traceback (most recent call last):", '  File "%s/setup.py", line 1505, in <module>' % G.WS, "    main()",
          '  File "%s/tools/setup_helpers/cmake.py", line 327, in build' % G.WS,
          "    self.run(build_args, my_env)",
          '  File "/opt/conda/envs/py_3.11/lib/python3.11/subprocess.py", line 413, in check_call',
          "    raise CalledProcessError(retcode, cmd)",
          "subprocess.CalledProcessError: Command '['cmake', '--build', '.', '--target', 'install', '--config', 'Release', '--', '-j', '6']' returned non-zero exit status 1."]
    pre = ["+ python setup.py bdist_wheel", "Building wheel torch-2.10.0a0+git8c1a0f4", "-- Building version 2.10.0a0+git8c1a0f4"]
    post = ["+ sccache_epilogue", "=================== sccache compilation log ===================",
            "=========== If your build fails, please take a look at the log above for possible reasons ===========",
            "Compile requests                   %d" % (n * 31), "Cache hits                          %d" % (n * 29),
            "+ sccache --stop-server"]
    # the flood: the warning output of the units is repeated by the many object files of a real build
    flood = [l for l in out_lines if "warning" in l or l.startswith(" ") or "note:" in l or "In function" in l]
    warmup = []
    for k in range(40):
        warmup += ["[%d/%d] Building CXX object caffe2/CMakeFiles/torch_cpu.dir/__/aten/src/ATen/UfuncCPUKernel_%d.cpp.o" % (k * 60 + 1, n + 4000, k)]
        warmup += flood[(k * 37) % max(1, len(flood) - 120):][:120]
    return (G.step_hdr("set -x", "docker exec -t \"${container_name}\" sh -c '.ci/pytorch/build.sh'", "shell: /usr/bin/bash -e {0}"),
            pre + warmup + out_lines + py + post, 1)


def run_file(name, clk, out, rc):
    L = ["Running %s 1/1 ... [%s]" % (name, clk.py())]
    args = [G.PY, "-bb", name + ".py", "--shard-id=0", "--num-shards=1", "-v", "-x", "-rfEsxXP", "-p", "no:xdist",
            "--sc=%s_1" % name, "--import-slow-tests", "--import-disabled-tests"]
    L.append("Executing %r ... [%s]" % (args, clk.py()))
    L.append("PRINTING LOG FILE of %s 1/1 (test/test-reports/%s_1.1_3a6e9c1b0f2d4e7a_toprint.log)" % (name, name))
    L += G.lines_of(out)
    clk.tick(20)
    L.append("Got exit code -11 (SIGSEGV)" if rc == 139 else "Got exit code %d" % rc)
    return L


def test_step(c, base, env, clk):
    pt = os.path.join(base, "pytorch")
    tdir = os.path.join(pt, "test")
    files = FILES[:c.files]
    body = ["+ python test/run_test.py --exclude-jit-executor --exclude-distributed-tests --shard 2 5 --verbose --upload-artifacts-while-running" +
            (" --keep-going" if c.shape == "rerun-noise" else ""),
            "Ignoring disabled issues:  []", "Found test times from artifacts", "Running parallel tests on 2 processes",
            "Name: tests to run (est. time: 88.4min)", "Serial tests (0):", "Parallel tests (%d):" % len(files)]
    body += ["  %s 1/1" % n for n, _ in files]
    consistent = []
    for i, (name, cls) in enumerate(files):
        fails = [t for k, t in c.fail if k == i]
        flakes = [t for k, t in c.flaky if k == i]
        out, rc = pyt("-x %s.py" % name, tdir, env)
        body += run_file(name, clk, out, rc)
        done = 0
        while rc != 0 and done < 4:
            done += 1
            ls = G.lines_of(out)
            failed = [l.split(" ", 1)[1].split(" - ")[0] for l in ls if l.startswith("FAILED ")]
            if not failed:
                break
            node = failed[0]
            body.append("Retrying single test...")
            r_out, r_rc = pyt(node, tdir, env)
            body += ["Executing %r ... [%s]" % ([G.PY, "-bb", name + ".py", "-v", "-rfEsxXP", "-p", "no:xdist", node.split("::", 1)[1]], clk.py())]
            body += G.lines_of(r_out)
            body.append("Got exit code %d" % r_rc)
            if r_rc == 0:
                body.append("Test succeeeded in new process, continuing with the rest of the tests")
                out, rc = pyt("-x %s.py --deselect %s" % (name, node), tdir, env)
                body += run_file(name, clk, out, rc)
            else:
                consistent.append("%s" % node)
                body.append("FAILED CONSISTENTLY: %s" % node)
                if c.shape == "rerun-noise":
                    body.append("Test failed consistently, continuing with the rest of the tests due to continue-through-error being set")
                    out, rc = pyt("-x %s.py --deselect %s" % (name, node), tdir, env)
                    body += run_file(name, clk, out, rc)
                else:
                    break
        flaky_here = ["%s.py::%s::%s" % (name, cls, t) for t in flakes]
        if flaky_here:
            body.append("The following tests failed and then succeeded when run in a new process%r" % (flaky_here,))
        body.append("FINISHED PRINTING LOG FILE of %s 1/1 (test/test-reports/%s_1.1_3a6e9c1b0f2d4e7a_toprint.log)" % (name, name))
        if rc and not consistent or (rc >= 128 or rc < 0):
            if c.failing_kind == "segv" and fails:
                consistent.append("%s.py" % name)
        if fails and not consistent:
            raise RuntimeError("%s: %s did not fail" % (c.id, name))
    want = ["%s.py::%s::%s" % (FILES[k][0], FILES[k][1], t) for k, t in c.fail]
    if c.failing_kind != "segv" and sorted(consistent) != sorted(want):
        raise RuntimeError("%s: consistent %r != %r" % (c.id, consistent, want))
    failed_files = sorted({x.split(".py")[0] for x in consistent})
    body += ["", "The following tests failed consistently: %r" % (consistent,), "Uploading artifacts",
             "Traceback (most recent call last):", '  File "%s/test/run_test.py", line 1936, in <module>' % G.WS,
             "    main()", '  File "%s/test/run_test.py", line 1927, in main' % G.WS, "    raise RuntimeError(",
             "RuntimeError: %s" % ", ".join("%s 1/1 failed!" % f for f in failed_files) +
             (" Received signal: SIGSEGV" if c.failing_kind == "segv" else ""),
             "", "+ cleanup", "+ retcode=1", "+ set +x"]
    return (G.test_step_hdr(), G.test_sh_prelude(env, pt)[:16] + body, 1), want


def files_for(c):
    f = {"tools/__init__.py": "", "test/_ci_helpers.py": HELPER}
    for i, (name, cls) in enumerate(FILES[:c.files]):
        extra = ""
        for k, t in c.fail:
            if k == i:
                extra += {"assert": ASSERT_CLOSE, "runtime": RUNTIME, "segv": SEGV}[c.failing_kind].format(n=t)
        for k, t in c.flaky:
            if k == i:
                extra += FLAKY.format(n=t)
        # the injected tests sit among the others: put them in the middle of the class
        f["test/%s.py" % name] = test_file(name, cls, (c.size * 3) // 2 + 30 * i, c.seed * 31 + i, extra, c.warn_every)
        if extra:
            src = f["test/%s.py" % name]
            head, _, rest = src.partition("\nif __name__")
            cut = head.index("    def test_", len(head) // 2)
            tail_start = head.index(extra)
            f["test/%s.py" % name] = head[:cut] + extra + "\n" + head[cut:tail_start] + "\nif __name__" + rest
    return f


def keys_for(c, want):
    if c.build:
        return [("error: ‘maybe_wrap_dim_checked’ is not a member of ‘at::native’", None)]
    if c.failing_kind == "segv":
        return [("Fatal Python error: Segmentation fault", None)]
    return [("_ %s.%s _" % (w.split("::")[1], w.split("::")[2]), "E*") for w in want]


WORK = "/tmp/torch10"


def main():
    global WORK
    ap = argparse.ArgumentParser()
    ap.add_argument("--only")
    ap.add_argument("--venv", default="/tmp/torch10/venv")
    a = ap.parse_args()
    venv = os.path.abspath(a.venv)
    WORK = os.path.dirname(venv)
    if not os.path.exists(os.path.join(venv, "bin", "python")):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        with open(os.path.join(WORK, "pip-install.log"), "w") as f:
            subprocess.run([os.path.join(venv, "bin", "pip"), "install", "pytest", "pytest-rerunfailures"], stdout=f, stderr=subprocess.STDOUT, check=True)
    work = os.path.join(WORK, "big")
    label_path = os.path.join(G.HERE, "labels.jsonl")
    rows = [json.loads(l) for l in open(label_path)]
    by_id = {r["id"]: r for r in rows}
    for n, c in enumerate(CASES):
        if a.only and a.only not in c.id:
            continue
        clk = G.Clock(300 + n)
        gc = G.Case(id=c.id, family=c.shape, category=c.category, flaky=False, kind="big",
                    files=files_for(c) if not c.build else {"README.md": "pytorch\n"}, job="build" if c.build else "test")
        base = G.materialise(gc, work)
        env = G.mkenv(gc, base, venv)
        ran = G.setup_steps(gc, base, env, venv, clk)
        ran = ran[:2] + [decoy_setup_step(), pip_step()] + ran[2:]
        try:
            if c.build:
                step, want = build_step(c, base, env, clk), None
            else:
                step, want = test_step(c, base, env, clk)
        except RuntimeError as e:
            print("FAIL", c.id, e)
            continue
        post = G.post_steps(clk)
        if c.teardown:
            post[3] = teardown_fail_step()
        steps = ran + [step] + post
        steps = [([G.scrub(x, base, venv) for x in h], [G.scrub(x, base, venv) for x in o], r) for h, o, r in steps]
        L, starts = G.gha(gc, steps, clk)
        try:
            ks = G.spans(L, keys_for(c, want), starts[len(ran)])
        except LookupError as e:
            print("FAIL %s: %s" % (c.id, e))
            with open(os.path.join(work, c.id + ".debug.log"), "w") as f:
                f.write("\n".join(L) + "\n")
            continue
        p = os.path.join(G.HERE, "cases", c.id + ".log")
        with open(p, "w") as f:
            f.write("\n".join(L) + "\n")
        tool = "g++" if c.build else "pytest"
        by_id[c.id] = {"dataset": "realtools_" + G.PART, "id": c.id, "log": "%s/cases/%s.log" % (G.PART, c.id),
                       "ci": "gha", "language": "c++" if c.build else "python", "tool": tool,
                       "category": c.category, "flaky": False, "key_lines": ks,
                       "failed_tests": None if c.build or c.failing_kind == "segv" else want,
                       "split": SPLIT[c.shape],
                       "label_source": "generated: real %s output in a large job log, injected failure; torch's error text raised by the test (no torch here)" % tool}
        print("ok %-26s %-12s %8d B %s" % (c.id, c.category, os.path.getsize(p), [(k["start"], k["end"]) for k in ks]), flush=True)
    order = [r["id"] for r in rows] + [c.id for c in CASES if c.id not in {r["id"] for r in rows}]
    with open(label_path, "w") as f:
        for i in order:
            if i in by_id:
                f.write(json.dumps(by_id[i]) + "\n")


if __name__ == "__main__":
    main()
