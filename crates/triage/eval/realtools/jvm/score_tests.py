#!/usr/bin/env python3
"""Failing-test recall/precision on a realtools part.

score.py scores failing tests only on `bugswarm_analyzer`; this applies its
own matching (`tests_match`) to every labelled row with `failed_tests`, and
lists the category and loc@1 misses so a run shows what to look at.

usage: score_tests.py --labels L --root R --cmd 'BIN analyze-log --format json {log}'
       [--score-py /work/shared/eval/score.py] [--misses]
"""
import argparse
import importlib.util
import json
import os
import shlex
import subprocess


def load_score(path):
    spec = importlib.util.spec_from_file_location("score", path)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--labels", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--cmd", required=True)
    ap.add_argument("--score-py", default="/work/shared/eval/score.py")
    ap.add_argument("--misses", action="store_true")
    a = ap.parse_args()
    sc = load_score(a.score_py)
    n = found = labelled = reported_n = correct = 0
    cat_ok = cat_n = loc_ok = loc_n = 0
    for line in open(a.labels):
        row = json.loads(line)
        path = os.path.join(a.root, row["log"])
        p = subprocess.run(a.cmd.replace("{log}", shlex.quote(path)), shell=True, capture_output=True)
        out = json.loads(p.stdout)
        keys = out.get("key_lines") or []
        hit = bool(keys) and sc.in_spans(keys[0], row["key_lines"])
        loc_n += 1
        loc_ok += hit
        got = (out.get("verdict") or {}).get("category")
        cat_n += 1
        cat_ok += got == row["category"]
        rep = [((f.get("test") or {}).get("id") or "") for f in out.get("failures") or []]
        rep = [r for r in dict.fromkeys(rep) if r]
        labels = row.get("failed_tests")
        tmiss = ""
        if labels:
            n += 1
            f = sum(1 for l in labels if any(sc.tests_match(l, r) for r in rep))
            c = sum(1 for r in rep if any(sc.tests_match(l, r) for l in labels))
            found += f
            labelled += len(labels)
            reported_n += len(rep)
            correct += c
            if f < len(labels) or c < len(rep):
                tmiss = " tests want=%s got=%s" % (labels, rep[:6])
        if a.misses and (not hit or got != row["category"] or tmiss):
            spans = ",".join("%d-%d" % (s["start"], s["end"]) for s in row["key_lines"])
            print("%-28s %-9s loc %s top=%s want=%s cat %s/%s%s" % (
                row["id"], row["ci"], "ok " if hit else "MISS", keys[:3], spans,
                got, row["category"], tmiss))
    pct = lambda x, y: "-" if not y else "%.1f" % (100.0 * x / y)
    print("rows %d  loc@1 %s  cat %s  tests: cases %d  R %s  P %s" % (
        loc_n, pct(loc_ok, loc_n), pct(cat_ok, cat_n), n, pct(found, labelled), pct(correct, reported_n)))


if __name__ == "__main__":
    main()
