#!/usr/bin/env python3
"""Generates scenarios/demo/scenario.yaml, the bundled `ci-bot demo` scenario.

Run from the repo root with the datasets next to it:
    python3 scenarios/demo/generate.py ../shared/datasets > scenarios/demo/scenario.yaml
(also writes scenarios/demo/truth.json: which cause went into which job)

Real log windows are cut from BugSwarm (BSD-3-Clause) and CiDiff
(Apache-2.0) logs; see scenarios/NOTICE.md. The GPU failures are written by
hand to match the formats PyTorch/ROCm/NCCL print. Times are relative to the
moment the scenario is loaded, so the demo never goes stale.
"""
import json
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets"
TRUTH = sys.argv[2] if len(sys.argv) > 2 else "scenarios/demo/truth.json"
FAIL = re.compile(r"FAILED|<<< FAILURE|<<< ERROR|\[ERROR\]|--- FAIL|Error:|##\[error\]")


def window(path, max_lines=160, anchor=FAIL):
    lines = open(f"{ROOT}/{path}", encoding="utf-8", errors="replace").read().split("\n")
    hits = [i for i, l in enumerate(lines) if anchor.search(l) and "Process completed" not in l]
    if not hits:
        raise SystemExit(f"no failure line in {path}")
    f = hits[0]
    start = max(0, f - 60)
    for i in range(f, max(0, f - 400), -1):
        if "##[group]Run " in lines[i]:
            start = i
            break
    if f - start > 100:
        start = f - 60
    end = min(len(lines), start + max_lines)
    out = lines[start:end]
    err = [l for l in lines[end:] if "##[error]Process completed" in l]
    if err:
        out.append(err[0])
    return out, start + 1


def ts_log(body_lines, stamp="2026-01-01T03:00:00.0000000Z"):
    return "\n".join(f"{stamp} {l}" for l in body_lines)


# The AITER build a GPU job ran with, as sglang's AMD jobs print it; the
# demo config's `facts:` pattern pulls it out of the failing jobs' logs.
AITER = "[CI-AITER-CHECK] aiter commit: 3e0a1f7c9b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f"

GPU_OOM = ts_log([
    AITER,
    "##[group]Run python3 -m pytest -v test/srt/test_moe_eval.py",
    "python3 -m pytest -v test/srt/test_moe_eval.py",
    "##[endgroup]",
    "============================= test session starts ==============================",
    "platform linux -- Python 3.12.3, pytest-8.3.4, pluggy-1.5.0",
    "collected 3 items",
    "",
    "test/srt/test_moe_eval.py::TestMoEEval::test_gsm8k PASSED                [ 33%]",
    "test/srt/test_moe_eval.py::TestMoEEval::test_mmlu FAILED                 [ 66%]",
    "test/srt/test_moe_eval.py::TestMoEEval::test_throughput PASSED           [100%]",
    "",
    "=================================== FAILURES ===================================",
    "__________________________ TestMoEEval.test_mmlu ___________________________",
    "",
    "    def test_mmlu(self):",
    ">       metrics = run_eval(self.base_url, eval_name=\"mmlu\", num_examples=2048)",
    "",
    "test/srt/test_moe_eval.py:58: ",
    "_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _",
    "python/sglang/srt/layers/moe/fused_moe.py:1187: in fused_experts_impl",
    "    intermediate_cache1 = torch.empty((M, topk, N), device=hidden_states.device, dtype=hidden_states.dtype)",
    "E   torch.OutOfMemoryError: HIP out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 191.98 GiB of which 1.23 GiB is free. Of the allocated memory 186.42 GiB is allocated by PyTorch, and 2.91 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_HIP_ALLOC_CONF=expandable_segments:True to avoid fragmentation.",
    "=========================== short test summary info ============================",
    "FAILED test/srt/test_moe_eval.py::TestMoEEval::test_mmlu - torch.OutOfMemoryError: HIP out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 191.98 GiB of which 1.23 GiB is free.",
    "=================== 1 failed, 2 passed in 1843.27s (0:30:43) ===================",
    "##[error]Process completed with exit code 1.",
])

GPU_FAULT = ts_log([
    AITER,
    "##[group]Run python3 -m pytest -v test/srt/test_deepseek_v3.py",
    "python3 -m pytest -v test/srt/test_deepseek_v3.py",
    "##[endgroup]",
    "============================= test session starts ==============================",
    "collected 2 items",
    "",
    "test/srt/test_deepseek_v3.py::TestDeepseekV3::test_gsm8k ",
    "[2026-01-01 03:41:07 TP2] Load weight end. type=DeepseekV3ForCausalLM, dtype=torch.bfloat16, avail mem=121.37 GB",
    "[2026-01-01 03:41:19 TP2] Capture cuda graph begin. This can take up to several minutes.",
    "Memory access fault by GPU node-2 (Agent handle: 0x55d1c3a0b2c0) on address 0x7f3a2c000000. Reason: Page not present or supervisor privilege.",
    "[2026-01-01 03:41:22] Child process unexpectedly failed with exitcode=134. pid=48213",
    "Fatal Python error: Aborted",
    "",
    "Current thread 0x00007f5d7b7fe640 (most recent call first):",
    "  File \"/sgl-workspace/sglang/python/sglang/srt/model_executor/cuda_graph_runner.py\", line 412 in capture_one_batch_size",
    "FAILED test/srt/test_deepseek_v3.py::TestDeepseekV3::test_gsm8k - RuntimeError: Server process exited with code -6",
    "========================= 1 failed, 1 passed in 412.90s =========================",
    "##[error]Process completed with exit code 1.",
])

GPU_NCCL = ts_log([
    AITER,
    "##[group]Run python3 -m pytest -v test/srt/test_tp4_serving.py",
    "python3 -m pytest -v test/srt/test_tp4_serving.py",
    "##[endgroup]",
    "============================= test session starts ==============================",
    "collected 1 item",
    "",
    "test/srt/test_tp4_serving.py::TestTP4Serving::test_long_context ",
    "[rank3]:[E1121 03:12:45.123456382 ProcessGroupNCCL.cpp:616] [Rank 3] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=4312, OpType=ALLREDUCE, NumelIn=1048576, NumelOut=1048576, Timeout(ms)=600000) ran for 600000 milliseconds before timing out.",
    "[rank3]:[E1121 03:12:45.124011729 ProcessGroupNCCL.cpp:1785] [PG ID 0 PG GUID 0(default_pg) Rank 3] Exception (either an error or timeout) detected by watchdog at work: 4312, last enqueued NCCL work: 4312, last completed NCCL work: 4311.",
    "[rank3]:[E1121 03:12:45.124102377 ProcessGroupNCCL.cpp:630] [Rank 3] Some NCCL operations have failed or timed out. Due to the asynchronous nature of CUDA kernels, subsequent GPU operations might run on corrupted/incomplete data.",
    "terminate called after throwing an instance of 'c10::DistBackendError'",
    "FAILED test/srt/test_tp4_serving.py::TestTP4Serving::test_long_context - TimeoutError: server did not respond within 1200 s",
    "======================== 1 failed in 1291.04s (0:21:31) ========================",
    "##[error]Process completed with exit code 1.",
])

GATE = ts_log([
    "##[group]Run Check all dependent job statuses",
    "echo 'some dependent jobs failed'; exit 1",
    "##[endgroup]",
    "some dependent jobs failed",
    "##[error]Process completed with exit code 1.",
])

PASS = ts_log(["##[group]Run tests", "##[endgroup]", "all tests passed"])


def dataset_log(path, anchor=FAIL):
    lines, first = window(path, anchor=anchor)
    head = f"# window of {path} (lines {first}-{first + len(lines) - 1}); see scenarios/NOTICE.md"
    return head + "\n" + "\n".join(lines)


LOGS = {
    "oom": GPU_OOM,
    "fault": GPU_FAULT,
    "nccl": GPU_NCCL,
    "gate": GATE,
    "mongo": dataset_log("bugswarm_analyzer/logs/github_data/python/2267219366-orig.log"),
    "gammapy": dataset_log("bugswarm_analyzer/logs/github_data/python/2283578153-orig.log"),
    "slf4j": dataset_log("bugswarm_analyzer/logs/github_data/maven/2397394521-orig.log"),
    # Its first `[ERROR]` is a JVM warning; the test error comes 220 lines later.
    "sba": dataset_log("bugswarm_analyzer/logs/github_data/maven/2003301608-orig.log", re.compile(r"<<< FAILURE")),
    "tf_quick": dataset_log("cidiff_breakages/cases/breakages_dump__Quick_Checks___run104/fail.log"),
    "tf_build": dataset_log("cidiff_breakages/cases/breakages_dump__Build_Terraform_CLI_Packages___run380/fail.log"),
}

# Workflows: (id, file, name, event, period_hours, jobs).
# A job's `pattern(k, n)` says whether it fails in run k of n (0 = oldest)
# and with which log.
def persistent_from(frac, log):
    return lambda k, n: log if k >= int(n * frac) else None

def flaky(log, every=2, offset=0):
    return lambda k, n: log if (k + offset) % every == 0 else None

def last_only(log):
    return lambda k, n: log if k == n - 1 else None

never = lambda k, n: None

WORKFLOWS = [
    (101, "nightly-gpu.yml", "Nightly GPU", "schedule", 8, [
        ("unit-test-1-gpu (0)", never),
        ("unit-test-1-gpu (1)", never),
        ("moe-eval-8-gpu", persistent_from(0.45, "oom")),
        ("deepseek-v3-8-gpu", flaky("fault", 3, 1)),
        ("tp4-serving", last_only("nccl")),
    ]),
    (102, "pr-test.yml", "PR Test", "push", 6, [
        ("python-unit (3.10)", never),
        ("python-unit (3.12)", persistent_from(0.7, "gammapy")),
        ("integration-mongo", flaky("mongo", 3)),
    ]),
    (103, "java-build.yml", "Java Build", "push", 12, [
        ("maven-test (core)", flaky("slf4j", 2)),
        ("maven-test (server)", persistent_from(0.5, "sba")),
    ]),
    (104, "go-checks.yml", "Go Checks", "schedule", 12, [
        ("quick-checks", persistent_from(0.6, "tf_quick")),
        ("build-packages", last_only("tf_build")),
    ]),
    (105, "release-docker.yml", "Release Docker", "schedule", 24, [
        ("build-image", never),
    ]),
]

DAYS = 4

# Ground truth: the one cause each log injects, and a pattern its job's top
# line must match. `scenarios/demo/truth.json` records which job got which
# cause; crates/monitor/tests/demo_truth.rs measures the report against it.
CAUSES = {
    "oom": "HIP out of memory",
    "fault": "Memory access fault by GPU",
    "nccl": "Watchdog caught collective operation timeout",
    "mongo": "test_ttl",
    "gammapy": "test_psf_king_containment_radius",
    "slf4j": "LoggerFactory in failed state",
    "sba": "BeanCreation|Error creating bean",
    "tf_quick": "missing API token",
    "tf_build": "TLS handshake timeout",
}


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    out = []
    w = out.append
    w("# Generated by scenarios/demo/generate.py — the bundled `ci-bot demo` scenario.")
    w("# Target repo demo-org/gpu-ml (five workflows, four days of runs);")
    w("# bot repo demo-org/ci-bot (daily issues). Log windows: see scenarios/NOTICE.md.")
    w("settings:")
    w("  search_delay_ms: 0")
    w("  login: ci-bot")
    w("repos:")
    w("  - name: demo-org/ci-bot")
    w("    labels: [{name: ci-monitor}, {name: ci-failure-tracker}, {name: analyze}]")
    w("  - name: demo-org/gpu-ml")
    w("    labels: [{name: ci-failure-tracker}]")
    w("    workflows:")
    for wid, f, name, _, _, _ in WORKFLOWS:
        w(f"      - {{id: {wid}, name: {q(name)}, path: .github/workflows/{f}}}")
    w("    runs:")
    defined = set()
    truth = {}
    sha_n = 0
    for wid, f, name, event, period, jobs in WORKFLOWS:
        n = DAYS * 24 // period
        for k in range(n):
            hours_ago = (n - 1 - k) * period + 1
            run_id = wid * 1000 + k
            sha_n += 1
            sha = f"{(wid * 7919 + k * 104729) & 0xffffffff:08x}" + f"{k:04x}" + "c0ffee" + "0" * 22
            sha = sha[:40]
            in_flight = (f == "nightly-gpu.yml" and k == n - 1)
            # In the in-flight run two jobs still run (a healthy one and the
            # gate); the ones that already failed are analysed meanwhile.
            results = []
            for jname, pattern in jobs:
                log = pattern(k, n)
                results.append((jname, log))
            red = any(l for _, l in results)
            if f == "nightly-gpu.yml":
                results.append(("finish", "gate" if red else None))
            status = "in_progress" if in_flight else "completed"
            concl = None if in_flight else ("failure" if red else "success")
            w(f"      - id: {run_id}")
            w(f"        workflow: {f}")
            w(f"        head_sha: {sha}")
            w(f"        head_branch: main")
            w(f"        event: {event}")
            w(f"        status: {status}")
            if concl:
                w(f"        conclusion: {concl}")
            w(f"        run_number: {k + 1}")
            w(f"        created_at: -{hours_ago}h")
            w(f"        updated_at: -{max(hours_ago - 1, 0)}h")
            w(f"        jobs:")
            for j, (jname, log) in enumerate(results):
                job_id = run_id * 100 + j
                running = in_flight and (log is None or jname == "finish")
                w(f"          - id: {job_id}")
                w(f"            name: {q(jname)}")
                if running:
                    w(f"            status: in_progress")
                    w(f"            started_at: -{hours_ago}h")
                    w(f"            steps: [{{name: Set up job, number: 1, status: completed, conclusion: success}}, {{name: Run tests, number: 2, status: in_progress}}]")
                    continue
                jc = "failure" if log else "success"
                w(f"            status: completed")
                w(f"            conclusion: {jc}")
                w(f"            started_at: -{hours_ago}h")
                w(f"            completed_at: -{max(hours_ago - 1, 0)}h")
                step = "Check all dependent job statuses" if jname == "finish" else "Run tests"
                w(f"            steps: [{{name: Set up job, number: 1, conclusion: success}}, {{name: {q(step)}, number: 2, conclusion: {jc}}}, {{name: Complete job, number: 3, conclusion: success}}]")
                if log:
                    truth[str(job_id)] = {"workflow": f, "job": jname, "cause": log}
                    if log in defined:
                        w(f"            log: *{log}")
                    else:
                        defined.add(log)
                        if any(ord(c) < 32 and c not in "\t\n" for c in LOGS[log]):
                            # ANSI escapes are part of real logs; a YAML block
                            # scalar cannot hold them, a JSON string can.
                            w(f"            log: &{log} " + json.dumps(LOGS[log]))
                        else:
                            w(f"            log: &{log} |-")
                            for line in LOGS[log].split("\n"):
                                w("              " + line)
    # An open issue and a pull request about the OOM: the daily summary's
    # TL;DR finds them with its search (they name the failing test).
    w("    issues:")
    w("      - number: 7")
    w("        title: \"test_mmlu runs out of HIP memory on the 8-GPU nightly\"")
    w("        body: \"Since the nightly of three days ago test/srt/test_moe_eval.py::TestMoEEval::test_mmlu fails with torch.OutOfMemoryError.\"")
    w("        user: alice")
    w("        created_at: -60h")
    w("    pulls:")
    w("      - number: 8")
    w("        title: \"Halve the MoE eval batch so test_mmlu fits in HIP memory\"")
    w("        body: \"Fixes the test_mmlu OOM of the nightly.\"")
    w("        user: bob")
    w("        head_ref: fix-moe-eval-oom")
    w("        base_ref: main")
    w("        created_at: -20h")
    print("\n".join(out))
    causes = {k: {"top_line": v} for k, v in CAUSES.items()}
    with open(TRUTH, "w") as fh:
        json.dump({"causes": causes, "jobs": {k: v for k, v in truth.items() if v["cause"] != "gate"}}, fh, indent=1, sort_keys=True)
        fh.write("\n")


main()
