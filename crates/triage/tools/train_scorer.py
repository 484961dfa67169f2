#!/usr/bin/env python3
"""Train the generic line scorer (src/signals/weights.txt) on the
development labels, and report it leave-one-dataset-out.

    cargo build --release -p ci-triage
    python3 crates/triage/tools/train_scorer.py \
        --bin target/release/ci-triage --root ../shared/datasets \
        [--write crates/triage/src/signals/weights.txt]

The model is linear over the features `ci-triage --ruleset generic
--features LOG` prints for every generic candidate of a log (the same
features the engine scores; names and order come from weights.txt). It is
trained listwise: per log, a softmax over its candidates, maximising the
probability of the candidates inside a labelled span (`kind: error` spans
when a log has them, else all its spans, as score.py reads them), with L2
regularisation (towards zero, or with --prior towards the hand weights in
src/signals/prior.txt, which the training then starts from). Logs with a passing run (`pass_log`) are used twice, with
and without `--baseline`, so the weights serve both.

loc@1 is computed here exactly as the engine ranks with --ruleset generic:
score in thousandths (truncated), ties to the earliest line. Before any
weights are written, the script reports, per dataset, loc@1 of the current
weights.txt, of weights trained on the other datasets only
(leave-one-dataset-out: what the scorer does on logs it never saw), and of
weights trained on all of them. Deterministic: fixed iteration count, no
randomness.
"""
import argparse
import json
import math
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

DATASETS = ["logsage_gha", "cidiff_breakages", "logchunks_travis"]
HERE = os.path.dirname(os.path.abspath(__file__))
WEIGHTS = os.path.join(HERE, "..", "src", "signals", "weights.txt")
PRIOR = os.path.join(HERE, "..", "src", "signals", "prior.txt")


def read_weights(path):
    names, w = [], []
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        n, v = line.split()
        names.append(n)
        w.append(float(v))
    return names, w


def dump(bin_, log, pass_log):
    cmd = [bin_, "--ruleset", "generic", "--features"]
    if pass_log:
        cmd += ["--baseline", pass_log]
    out = subprocess.run(cmd + [log], capture_output=True, check=True).stdout.decode()
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def load(args, names):
    rows = [json.loads(l) for l in open(os.path.join(args.root, "labels.jsonl"))]
    rows = [r for r in rows if r["dataset"] in DATASETS]
    jobs = []
    for r in rows:
        spans = r.get("key_lines") or []
        spans = [s for s in spans if s.get("kind") == "error"] or spans
        if not spans:
            continue
        log = os.path.join(args.root, r["log"])
        jobs.append((r, spans, log, None))
        if r.get("pass_log"):
            jobs.append((r, spans, log, os.path.join(args.root, r["pass_log"])))

    def one(job):
        r, spans, log, pass_log = job
        cands = dump(args.bin, log, pass_log)
        xs = [[c.get(n, 0.0) for n in names] for c in cands]
        lines = [c["line"] for c in cands]
        pos = [any(s["start"] <= l <= s["end"] for s in spans) for l in lines]
        return {"dataset": r["dataset"], "id": r["id"], "baseline": pass_log is not None, "x": xs, "line": lines, "pos": pos}

    with ThreadPoolExecutor(max_workers=args.jobs) as ex:
        return list(ex.map(one, jobs))


def top_hit(log, w):
    if not log["x"]:
        return False
    best = None
    for x, line, p in zip(log["x"], log["line"], log["pos"]):
        s = math.trunc(sum(a * b for a, b in zip(x, w)) * 1000)
        key = (-s, line)
        if best is None or key < best[0]:
            best = (key, p)
    return best[1]


def loc1(logs, w):
    return sum(top_hit(l, w) for l in logs) / max(1, len(logs))


def train(logs, n, iters, l2, lr, prior=None):
    """Listwise softmax, full-batch gradient descent with Adam; L2 pulls
    the weights towards `prior` (the hand weights) or towards zero."""
    w0 = list(prior) if prior else [0.0] * n
    w = list(w0)
    m = [0.0] * n
    v = [0.0] * n
    usable = [l for l in logs if any(l["pos"]) and not all(l["pos"])]
    # Each dataset weighs the same whatever its size.
    per = {}
    for l in usable:
        per[l["dataset"]] = per.get(l["dataset"], 0) + 1
    for t in range(1, iters + 1):
        g = [2 * l2 * (wi - w0i) for wi, w0i in zip(w, w0)]
        g[0] = 0.0
        for l in usable:
            scores = [sum(a * b for a, b in zip(x, w)) for x in l["x"]]
            mx = max(scores)
            e = [math.exp(s - mx) for s in scores]
            z = sum(e)
            zp = sum(ei for ei, p in zip(e, l["pos"]) if p)
            scale = 1.0 / (per[l["dataset"]] * len(per))
            for x, ei, p in zip(l["x"], e, l["pos"]):
                # d(-log zp/z)/ds = e/z - [p] e/zp
                d = ei / z - (ei / zp if p else 0.0)
                if d:
                    for j, a in enumerate(x):
                        if a:
                            g[j] += scale * d * a
        for j in range(n):
            m[j] = 0.9 * m[j] + 0.1 * g[j]
            v[j] = 0.999 * v[j] + 0.001 * g[j] * g[j]
            mh = m[j] / (1 - 0.9 ** t)
            vh = v[j] / (1 - 0.999 ** t)
            w[j] -= lr * mh / (math.sqrt(vh) + 1e-8)
    return w


def report(name, logs, w):
    cells = []
    for d in DATASETS:
        for b in (False, True):
            sel = [l for l in logs if l["dataset"] == d and l["baseline"] == b]
            if sel:
                cells.append(f"{d}{' +baseline' if b else ''} {100 * loc1(sel, w):5.1f}")
    print(f"{name:28s} " + " | ".join(cells))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/ci-triage")
    ap.add_argument("--root", default="../shared/datasets")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--iters", type=int, default=300)
    ap.add_argument("--l2", type=float, default=0.003)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--prior", action="store_true", help="start from the hand weights (src/signals/prior.txt) and regularise towards them")
    ap.add_argument("--write", help="write the weights trained on all datasets here")
    ap.add_argument("--cache", help="keep the feature dumps in this JSON file (reused while it is newer than --bin)")
    ap.add_argument("--eval-only", action="store_true", help="only report the current weights.txt")
    args = ap.parse_args()
    names, current = read_weights(WEIGHTS)
    if args.cache and os.path.exists(args.cache) and os.path.getmtime(args.cache) > os.path.getmtime(args.bin):
        logs = json.load(open(args.cache))
    else:
        logs = load(args, names)
        if args.cache:
            json.dump(logs, open(args.cache, "w"))
    print(f"{len(logs)} log runs, {sum(len(l['x']) for l in logs)} candidates, {len(names)} features")
    report("current weights.txt", logs, current)
    prior = None
    if args.prior:
        prior_names, prior = read_weights(PRIOR)
        assert prior_names == names, "prior.txt names the features of weights.txt, in order"
    if args.eval_only:
        return 0
    for held in DATASETS:
        w = train([l for l in logs if l["dataset"] != held], len(names), args.iters, args.l2, args.lr, prior)
        sel = [l for l in logs if l["dataset"] == held]
        cells = []
        for b in (False, True):
            s = [l for l in sel if l["baseline"] == b]
            if s:
                cells.append(f"{'with' if b else 'without'} baseline {100 * loc1(s, w):5.1f}")
        print(f"leave-one-out: {held:18s} " + ", ".join(cells))
    w = train(logs, len(names), args.iters, args.l2, args.lr, prior)
    report("trained on all", logs, w)
    if args.write:
        with open(args.write, "w") as f:
            f.write("# Weights of the generic line scorer (signals/mod.rs, FEATURES), one\n")
            f.write("# `name value` per line. Written by tools/train_scorer.py "
                    f"({'--prior ' if args.prior else ''}--iters {args.iters} --l2 {args.l2} --lr {args.lr}); see docs/quality.md.\n")
            for n, v in zip(names, w):
                f.write(f"{n} {v:.3f}\n")
        print(f"wrote {args.write}")


if __name__ == "__main__":
    sys.exit(main())
