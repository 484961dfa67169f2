#!/usr/bin/env python3
"""Split "tune2" of realtools/pytorch (helper torch9): PyTorch job SHAPES the
first 50 cases lack, from REAL tool output where this machine can make it.

* build: cmake (Ninja generator) + ninja + g++ building a `torch_cpu` target
  under `caffe2/` from `aten/` and `torch/csrc/` sources, one of which fails,
  driven by a `setup.py` that calls `cmake --build . --target install` with
  `subprocess.check_call` (real `CalledProcessError` traceback as summary),
  inside PyTorch's Build step (`.ci/pytorch/build.sh`).
* shard: run_test.py running several test files of one shard (real pytest -v
  per file), only one of which fails.
* runner: a passing shard cut off by a GitHub runner-level ending. GitHub's
  lines (`##[error]The job running on runner … has exceeded the maximum
  execution time of 240 minutes.`, `##[error]The operation was canceled.`,
  `##[error]The runner has received a shutdown signal. …`, `The self-hosted
  runner: … lost communication with the server. …`) are envelope, written
  as GitHub prints them.
* gpu: no GPU here, so CUDA errors are raised in a real pytest test with the
  text torch prints (c10's `CUDA error: …` with its `CUDA kernel errors might
  be asynchronously reported` trailer, the kernel's `Assertion … failed.`
  lines, ProcessGroupNCCL's watchdog line); pytest's report around them is real.

Reuses generate.py's envelope. Usage: python3 generate_tune2.py [--only ID]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate as G  # noqa: E402

D = G.D
RUNNER_NAME = "i-0b7e5c2a9d1f3e468"

# ------------------------------------------------------------------ build job
CMAKE_TOP = D('''
    cmake_minimum_required(VERSION 3.18)
    project(Torch CXX)
    set(CMAKE_CXX_STANDARD 17)
    set(CMAKE_CXX_FLAGS "${CMAKE_CXX_FLAGS} -Wall -Wno-unused-function -fPIC")
    add_subdirectory(caffe2)
''')
CMAKE_CAFFE2 = D('''
    file(GLOB ATEN_SRCS ${PROJECT_SOURCE_DIR}/aten/src/ATen/native/*.cpp)
    file(GLOB CSRC_SRCS ${PROJECT_SOURCE_DIR}/torch/csrc/*.cpp)
    list(SORT ATEN_SRCS)
    list(SORT CSRC_SRCS)
    add_library(torch_cpu SHARED ${ATEN_SRCS} ${CSRC_SRCS})
    target_link_options(torch_cpu PRIVATE -Wl,--no-undefined)
    target_include_directories(torch_cpu PUBLIC ${PROJECT_SOURCE_DIR}/aten/src ${PROJECT_SOURCE_DIR})
    add_executable(torch_shm_manager ${PROJECT_SOURCE_DIR}/torch/lib/libshm/manager.cpp)
    target_link_libraries(torch_shm_manager torch_cpu)
    install(TARGETS torch_cpu torch_shm_manager DESTINATION lib)
''')
SETUP_PY = D('''
    import os, subprocess, sys
    build = os.path.join(os.path.dirname(os.path.abspath(__file__)), "build")
    os.makedirs(build, exist_ok=True)
    print("Building wheel torch-2.10.0a0+git8c1a0f4", flush=True)
    print("-- Building version 2.10.0a0+git8c1a0f4", flush=True)
    subprocess.check_call(["cmake", "-GNinja", "-DBUILD_PYTHON=True", "-DCMAKE_BUILD_TYPE=Release",
                           "-DCMAKE_INSTALL_PREFIX=" + os.path.join(os.path.dirname(build), "torch"), ".."], cwd=build)
    subprocess.check_call(["cmake", "--build", ".", "--target", "install", "--config", "Release", "--", "-j", "2"], cwd=build)
''')
OPS = ["Activation", "BinaryOps", "Blas", "Convolution", "Copy", "Distance", "Embedding", "Fill", "Indexing",
       "Linear", "Loss", "Normalization", "Pooling", "ReduceOps", "Resize", "Sorting", "TensorFactories",
       "TensorShape", "UnaryOps", "Unique"]


def native(name, body=""):
    return D('''
        #include <ATen/native/Common.h>
        namespace at { namespace native {
        Tensor %s_cpu(const Tensor& self) {
          Tensor out(self.numel());
          for (int64_t i = 0; i < self.numel(); ++i) out.data[i] = self.data[i];
          return out;
        }
        %s
        }} // namespace at::native
    ''' % (name.lower(), body))


COMMON_H = D('''
    #pragma once
    #include <cstdint>
    #include <vector>
    namespace at {
    struct Tensor {
      std::vector<float> data;
      explicit Tensor(int64_t n = 0) : data(n) {}
      int64_t numel() const { return static_cast<int64_t>(data.size()); }
      template <typename T> T item() const { return static_cast<T>(data.at(0)); }
    };
    int64_t maybe_wrap_dim(int64_t dim, int64_t ndim);
    } // namespace at
''')


def build_files(bad_name, bad_body, csrc_body=None, warn=False):
    f = {"CMakeLists.txt": CMAKE_TOP, "caffe2/CMakeLists.txt": CMAKE_CAFFE2, "setup.py": SETUP_PY,
         "aten/src/ATen/native/Common.h": COMMON_H,
         "torch/lib/libshm/manager.cpp": "#include <ATen/native/Common.h>\nint main() { at::Tensor t(4); return static_cast<int>(t.numel()) - 4; }\n",
         "torch/csrc/DynamicTypes.cpp": native("dynamic_types"),
         "torch/csrc/Module.cpp": csrc_body or native("module_init")}
    for i, op in enumerate(OPS):
        body = ""
        if warn == "all" or (warn and i == 3):
            body = "int unused_scratch_%d(int n) { int unused = n * 2; return n; }" % i
        f["aten/src/ATen/native/%s.cpp" % op] = native(op, body)
    f["aten/src/ATen/native/%s.cpp" % bad_name] = bad_body
    return f


# ------------------------------------------------------------------ test files
def test_file(cls, n, seed, failing=""):
    return G.test_module(cls, n, seed, failing or "def test_noop(self):\n    self.assertTrue(True)\n")


SHARD_FILES = [("test_binary_ufuncs", "TestBinaryUfuncs"), ("test_reductions", "TestReductions"),
               ("test_view_ops", "TestViewOps"), ("test_type_promotion", "TestTypePromotion"),
               ("test_sort_and_select", "TestSortAndSelect")]

CUDA_TRAILER = ("CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.\\n"
                "For debugging consider passing CUDA_LAUNCH_BLOCKING=1\\n"
                "Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.\\n")


class C:
    def __init__(self, id, kind, category, flaky, keys, tool, failed=None, **kw):
        self.__dict__.update(kw)
        self.id, self.kind, self.category, self.flaky, self.keys, self.tool, self.failed = id, kind, category, flaky, keys, tool, failed


CASES = [
    C("build-undeclared", "build", "compilation", False, [("error: ‘maybe_wrap_dim_checked’ was not declared", None)], "g++",
      files=build_files("TensorShape", native("TensorShape", "int64_t squeeze_dim(int64_t d) { return maybe_wrap_dim_checked(d, 4); }"))),
    C("build-too-many-args", "build", "compilation", False, [("error: too many arguments to function", None)], "g++",
      files=build_files("Sorting", native("Sorting", "Tensor sort_stable(const Tensor& s) { return sorting_cpu(s, /*stable=*/true, 0); }"), warn=True)),
    C("build-missing-header", "build", "compilation", False, [("fatal error: ATen/ops/_foreach_norm.h", None)], "g++",
      files=build_files("ReduceOps", "#include <ATen/native/Common.h>\n#include <ATen/ops/_foreach_norm.h>\nnamespace at { namespace native {\n}}\n")),
    C("build-link-undefined", "build", "compilation", False, [("undefined reference to `at::maybe_wrap_dim", None)], "ld",
      files=build_files("Resize", native("Resize", "int64_t resize_dim(int64_t d) { return maybe_wrap_dim(d, 3); }"))),
    C("build-warnings-around", "build", "compilation", False, [("error: cannot convert ‘const float*’ to ‘int64_t*’", None)], "g++",
      files=build_files("Indexing", native("Indexing", "int64_t* index_ptr(const Tensor& t) { const float* p = t.data.data(); return p; }"), warn="all")),
    C("shard-collection-error", "shard", "test_failure", False, [("ERROR collecting test_view_ops.py", "E*")], "pytest",
      failed=None, fail_file=2, failing='#MODULE\nfrom torch.testing._internal.common_utils import make_tensor_view_strided\n'),
    C("shard-second-file", "shard", "test_failure", False, [("_ TestReductions.test_sum_dim_keepdim _", "E*")], "pytest",
      failed=["test_reductions.py::TestReductions::test_sum_dim_keepdim"], fail_file=1,
      failing='def test_sum_dim_keepdim(self):\n    x = torch.arange(12.).reshape(3, 4)\n    self.assertEqual(x.sum(1, keepdim=True).shape, (3,))\n'),
    C("shard-fourth-file", "shard", "test_failure", False, [("_ TestTypePromotion.test_int_div_float _", "E*")], "pytest",
      failed=["test_type_promotion.py::TestTypePromotion::test_int_div_float"], fail_file=3,
      failing='def test_int_div_float(self):\n    a = torch.tensor([3, 4])\n    self.assertEqual((a / 2).dtype, torch.int64)\n'),
    C("shard-first-file", "shard", "test_failure", False, [("_ TestBinaryUfuncs.test_pow_negative_int _", "E*")], "pytest",
      failed=["test_binary_ufuncs.py::TestBinaryUfuncs::test_pow_negative_int"], fail_file=0,
      failing='def test_pow_negative_int(self):\n    torch.pow(torch.tensor([2, 3]), -1)\n'),
    C("runner-max-time", "runner", "timeout", None, [("has exceeded the maximum execution time", None)], "github-actions",
      ending=["##[error]The job running on runner %s has exceeded the maximum execution time of 240 minutes." % RUNNER_NAME,
              "##[error]The operation was canceled."]),
    C("runner-shutdown", "runner", "infra", True, [("The runner has received a shutdown signal", None)], "github-actions",
      ending=["##[error]The runner has received a shutdown signal. This can happen when the runner service is stopped, or a manually started runner is canceled.",
              "##[error]The operation was canceled."]),
    C("runner-lost", "runner", "infra", True, [("lost communication with the server", None)], "github-actions",
      ending=["##[error]The self-hosted runner: %s lost communication with the server. Verify the machine is running and has a healthy network connection. Anything in your workflow that terminates the runner process, starves it for CPU/Memory, or blocks its network access can cause this error." % RUNNER_NAME]),
    C("gpu-illegal-access", "gpu", "infra", None, [("_ TestIndexing.test_index_put_accumulate_large _", "E*")], "pytest",
      failed=["test_indexing.py::TestIndexing::test_index_put_accumulate_large"], cls="TestIndexing", tf="test_indexing",
      failing='def test_index_put_accumulate_large(self):\n    x = torch.zeros(8)\n    x.index_put_((torch.tensor([1, 2]),), torch.ones(2), accumulate=True)\n    _cuda_synchronize("an illegal memory access was encountered")\n#MODULE\n'
              'def _cuda_synchronize(err):\n    # c10::cuda::c10_cuda_check_implementation raises this text; there is no GPU on this machine\n    raise RuntimeError("CUDA error: " + err + "\\n" + "' + CUDA_TRAILER + '")\n'),
    C("gpu-device-assert", "gpu", "infra", None, [("_ TestIndexing.test_gather_out_of_bounds _", "E*")], "pytest",
      failed=["test_indexing.py::TestIndexing::test_gather_out_of_bounds"], cls="TestIndexing", tf="test_indexing",
      failing='def test_gather_out_of_bounds(self):\n    import sys\n    for t in range(3):\n        sys.stderr.write("/var/lib/jenkins/workspace/aten/src/ATen/native/cuda/ScatterGatherKernel.cu:365: operator(): block: [0,0,0], thread: [%d,0,0] Assertion `idx_dim >= 0 && idx_dim < index_size && \\"index out of bounds\\"` failed.\\n" % t)\n    _cuda_synchronize("device-side assert triggered")\n#MODULE\n'
              'def _cuda_synchronize(err):\n    raise RuntimeError("CUDA error: " + err + "\\n" + "' + CUDA_TRAILER + '")\n'),
    C("gpu-nccl-watchdog", "gpu", "timeout", True, [("[rank0]:[E1204 07:12:44.512031", None)], "pytest",
      failed=["distributed/test_c10d_nccl.py::ProcessGroupNCCLTest::test_allreduce_coalesced"], cls="ProcessGroupNCCLTest", tf="distributed/test_c10d_nccl",
      failing='def test_allreduce_coalesced(self):\n    _nccl_watchdog_log()\n    raise RuntimeError("Process 0 terminated or timed out after 300.0 seconds")\n#MODULE\n'
              'def _nccl_watchdog_log():\n    # what rank 0\'s ProcessGroupNCCL watchdog prints to stderr; there is no GPU here\n    import sys\n'
              '    sys.stderr.write("[rank0]:[E1204 07:12:44.512031 23817 torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:632] [PG ID 0 PG GUID 0(default_pg) Rank 0] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=12, OpType=ALLREDUCE, NumelIn=1048576, NumelOut=1048576, Timeout(ms)=60000) ran for 60041 milliseconds before timing out.\\n")\n'
              '    sys.stderr.write("[rank0]:[E1204 07:12:44.512298 23817 torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:2270] [PG ID 0 PG GUID 0(default_pg) Rank 0] failure detected by watchdog at work sequence id: 12 PG status: last enqueued work: 12, last completed work: 11\\n")\n'),
]


def build_step(c, base, env, clk):
    pt = os.path.join(base, "pytorch")
    out, rc = G.run("python setup.py bdist_wheel 2>&1", pt, env, timeout=900)
    if rc == 0:
        raise RuntimeError("%s: build passed" % c.id)
    pre = ["+ source .ci/pytorch/common.sh", "++ set -ex", "+ echo 'Python version:'", "Python version:",
           "+ python --version", "Python 3.11.9", "+ echo 'GCC version:'", "GCC version:", "+ gcc --version"]
    gv, _ = G.run("gcc --version | head -1; cmake --version | head -1; echo -n 'ninja '; ninja --version", pt, env)
    pre += G.lines_of(gv)
    pre += ["+ sccache --zero-stats", "+ export MAX_JOBS=2", "+ MAX_JOBS=2", "+ python setup.py bdist_wheel"]
    post = ["+ sccache_epilogue", "+ echo '::group::Sccache Compilation Log'", "::group::Sccache Compilation Log",
            "+ echo '=================== sccache compilation log ==================='",
            "=================== sccache compilation log ===================",
            "+ echo '=========== If your build fails, please take a look at the log above for possible reasons ==========='",
            "=========== If your build fails, please take a look at the log above for possible reasons ===========",
            "+ sccache --show-stats", "+ sccache --stop-server", "+ echo ::endgroup::", "::endgroup::"]
    hdr = G.step_hdr("set -x", 'container_name=$(docker run -e BUILD_ENVIRONMENT -e MAX_JOBS="$(nproc --ignore=2)" --tty --detach -w /var/lib/jenkins/workspace "${DOCKER_IMAGE}")',
                     'docker exec -t "${container_name}" sh -c \'.ci/pytorch/build.sh\'', "shell: /usr/bin/bash -e {0}",
                     env=[("BUILD_ENVIRONMENT", G.BUILD_ENV), ("DOCKER_IMAGE", G.IMAGE), ("SCCACHE_BUCKET", "ossci-compiler-cache-circleci-v2"), ("XLA_CLANG_CACHE_S3_BUCKET_NAME", "ossci-compiler-clang-cache-circleci-xla")])
    return (hdr, pre + G.lines_of(out) + post, 1)


def run_test_file(name, clk, out, rc, i, n):
    L = ["Running %s %d/1 ... [%s]" % (name, 1, clk.py())]
    args = [G.PY, "-bb", name + ".py", "--shard-id=%d" % i, "--num-shards=%d" % n, "-v", "-rfEsxXP", "-p", "no:xdist", "--sc=%s_1" % name.replace("/", "."), "--import-slow-tests", "--import-disabled-tests"]
    L.append("Executing %r ... [%s]" % (args, clk.py()))
    L.append("PRINTING LOG FILE of %s 1/1 (test/test-reports/%s_1.1_3a6e9c1b0f2d4e7a_toprint.log)" % (name, name.replace("/", ".")))
    L += G.lines_of(out)
    clk.tick(20)
    L.append("Got exit code %d" % rc)
    L.append("FINISHED PRINTING LOG FILE of %s 1/1 (test/test-reports/%s_1.1_3a6e9c1b0f2d4e7a_toprint.log)" % (name, name.replace("/", ".")))
    return L


def test_step(c, base, env, clk, venv):
    pt = os.path.join(base, "pytorch")
    tdir = os.path.join(pt, "test")
    pre = G.test_sh_prelude(env, pt)
    if c.kind == "gpu":
        names = [c.tf]
    else:
        names = [n for n, _ in SHARD_FILES]
    body = ["+ python test/run_test.py --exclude-jit-executor --exclude-distributed-tests --shard 1 3 --verbose --upload-artifacts-while-running",
            "Ignoring disabled issues:  []", "Found test times from artifacts", "Running parallel tests on 2 processes",
            "Name: tests to run (est. time: 61.2min)", "Serial tests (0):", "Parallel tests (%d):" % len(names)]
    body += ["  %s 1/1" % n for n in names]
    failed_any = False
    for i, n in enumerate(names):
        out, rc = G.run(G.PYTEST % (n + ".py"), tdir, env)
        if c.kind == "runner" and i == len(names) - 1:
            # the runner ends mid-file: keep what pytest -v had printed before it
            ls = G.lines_of(out)
            cut = [j for j, l in enumerate(ls) if " PASSED " in l]
            body += ["Running %s 1/1 ... [%s]" % (n, clk.py())] + ls[:cut[len(cut) // 2]]
            return (G.test_step_hdr(), pre + body, None)
        body += run_test_file(n, clk, out, rc, i, len(names))
        failed_any |= rc != 0
    if c.kind in ("shard", "gpu"):
        if not failed_any:
            raise RuntimeError("%s: all passed" % c.id)
        fname = c.failed[0].split("::")[0][:-3] if c.failed else names[c.fail_file]
        body += [""] + (["The following tests failed consistently: %r" % (c.failed,)] if c.failed else []) + [
                 "Traceback (most recent call last):", '  File "%s/test/run_test.py", line 1936, in <module>' % G.WS,
                 "    main()", '  File "%s/test/run_test.py", line 1927, in main' % G.WS, "    raise RuntimeError(",
                 "RuntimeError: %s 1/1 failed!" % fname, "", "+ cleanup", "+ retcode=1", "+ set +x"]
    return (G.test_step_hdr(), pre + body, 1)


def files_for(c):
    if c.kind == "build":
        return c.files
    f = {"tools/__init__.py": ""}
    if c.kind == "gpu":
        f["test/%s.py" % c.tf] = test_file(c.cls, 80, 5, c.failing)
        return f
    for i, (n, cls) in enumerate(SHARD_FILES):
        failing = c.failing if c.kind == "shard" and i == c.fail_file else ""
        f["test/%s.py" % n] = test_file(cls, 40 + 9 * i, i + len(c.id), failing)
    return f


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only")
    ap.add_argument("--work", default="/tmp/realtools-pytorch-tune2")
    ap.add_argument("--venv", default="/tmp/torch8/venv")
    a = ap.parse_args()
    work, venv = os.path.abspath(a.work), os.path.abspath(a.venv)
    os.makedirs(work, exist_ok=True)
    for t in ("cmake", "ninja", "g++"):
        if shutil.which(t) is None:
            print("missing", t, "- build cases skipped")
    label_path = os.path.join(G.HERE, "labels.jsonl")
    rows = [json.loads(l) for l in open(label_path)]
    by_id = {r["id"]: r for r in rows}
    for n, c in enumerate(CASES):
        if a.only and a.only not in c.id:
            continue
        if c.kind == "build" and not all(shutil.which(t) for t in ("cmake", "ninja", "g++")):
            continue
        clk = G.Clock(100 + n)
        gc = G.Case(id=c.id, family=c.kind, category=c.category, flaky=c.flaky, kind=c.kind,
                    files=files_for(c), job="build" if c.kind == "build" else "test")
        base = G.materialise(gc, work)
        env = G.mkenv(gc, base, venv)
        ran = G.setup_steps(gc, base, env, venv, clk)
        try:
            step = build_step(c, base, env, clk) if c.kind == "build" else test_step(c, base, env, clk, venv)
        except RuntimeError as e:
            print("FAIL", c.id, e)
            continue
        hdr, out, rc = step
        if c.kind == "runner":
            steps = ran + [(hdr, out, 0)]
        else:
            steps = ran + [step] + (G.post_steps(clk) if c.kind != "build" else G.post_steps(clk)[3:])
        steps = [([G.scrub(x, base, venv) for x in h], [G.scrub(x, base, venv) for x in o], r) for h, o, r in steps]
        L, starts = G.gha(gc, steps, clk)
        if c.kind == "runner":
            for e in c.ending:
                clk.tick(900)
                L.append(clk.iso() + " " + e)
            L.append(clk.iso() + " Cleaning up orphan processes")
        try:
            ks = G.spans(L, c.keys, starts[len(ran)])
        except LookupError as e:
            print("FAIL %s: %s" % (c.id, e))
            with open(os.path.join(work, c.id + ".debug.log"), "w") as f:
                f.write("\n".join(L) + "\n")
            continue
        with open(os.path.join(G.HERE, "cases", c.id + ".log"), "w") as f:
            f.write("\n".join(L) + "\n")
        by_id[c.id] = {"dataset": "realtools_" + G.PART, "id": c.id, "log": "%s/cases/%s.log" % (G.PART, c.id),
                       "ci": "gha", "language": "c++" if c.kind == "build" else "python", "tool": c.tool,
                       "category": c.category, "flaky": c.flaky, "key_lines": ks, "failed_tests": c.failed,
                       "split": "tune2",
                       "label_source": "generated: real %s output, injected failure%s" % (
                           c.tool, "; GitHub runner lines as GitHub prints them" if c.kind == "runner" else
                           "; CUDA/NCCL text as torch prints it (no GPU here)" if c.kind == "gpu" else "")}
        print("ok %-24s %-12s %7d B %s" % (c.id, c.category, os.path.getsize(os.path.join(G.HERE, "cases", c.id + ".log")),
                                          [(k["start"], k["end"]) for k in ks]), flush=True)
    order = [r["id"] for r in rows] + [c.id for c in CASES if c.id not in {r["id"] for r in rows}]
    with open(label_path, "w") as f:
        for i in order:
            if i in by_id:
                f.write(json.dumps(by_id[i]) + "\n")


if __name__ == "__main__":
    main()
