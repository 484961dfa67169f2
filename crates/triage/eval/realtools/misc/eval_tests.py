#!/usr/bin/env python3
"""Failing-test recall/precision on this part (score.py scores tests only for
bugswarm_analyzer). Uses score.py's own name matching.

Usage: python3 eval_tests.py --bin target/release/ci-triage [--split tune|sealed] [--args '--ruleset generic']
"""
import argparse, importlib.util, json, os, shlex, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("--bin", required=True)
ap.add_argument("--split")
ap.add_argument("--args", default="")
ap.add_argument("--score", default=os.environ.get("SCORE_PY", "/work/shared/eval/score.py"))
ap.add_argument("-v", action="store_true")
a = ap.parse_args()
spec = importlib.util.spec_from_file_location("score", a.score)
score = importlib.util.module_from_spec(spec)
spec.loader.exec_module(score)
n = found = labels = reported = correct = 0
for line in open(os.path.join(HERE, "labels.jsonl")):
    row = json.loads(line)
    if a.split and row["split"] != a.split:
        continue
    exp = row.get("failed_tests")
    if not exp:
        continue
    cmd = [a.bin, "analyze-log", "--format", "json"] + shlex.split(a.args) + [os.path.join(HERE, "..", row["log"])]
    out = json.loads(subprocess.run(cmd, capture_output=True, check=True).stdout)
    got = [((f.get("test") or {}).get("id") or "") for f in out.get("failures") or []]
    got = [g for g in dict.fromkeys(got) if g]
    f = sum(1 for l in exp if any(score.tests_match(l, r) for r in got))
    c = sum(1 for r in got if any(score.tests_match(l, r) for l in exp))
    n += 1; found += f; labels += len(exp); reported += len(got); correct += c
    if a.v and (f < len(exp) or c < len(got)):
        print("%-28s want %s got %s" % (row["id"], exp, got[:6]))
pct = lambda x, y: "-" if not y else "%.1f" % (100.0 * x / y)
print("logs %d  testR %s  testP %s" % (n, pct(found, labels), pct(correct, reported)))
