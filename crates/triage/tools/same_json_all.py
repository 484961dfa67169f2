#!/usr/bin/env python3
"""usage: same_json_all.py OLD_BIN NEW_BIN [DATASETS_DIR] [--jobs N]

Byte-compares the JSON of two `ci-triage` builds on every
dataset run an engine change can touch: each `*.log` under the datasets
with the full ruleset and with `--ruleset generic`, and each
`labels.jsonl` row with a `pass_log` as `--baseline`. A change meant as a
pure speed-up must print "0 differ" (docs/quality.md, speed5-speed7).
"""
import json, os, subprocess, sys
from concurrent.futures import ThreadPoolExecutor

args = [a for a in sys.argv[1:] if not a.startswith('--jobs')]
jobs_n = 2
for a in sys.argv[1:]:
    if a.startswith('--jobs='):
        jobs_n = int(a.split('=', 1)[1])
if len(args) < 2:
    sys.exit(__doc__)
old, new = args[0], args[1]
root = args[2] if len(args) > 2 else os.path.join(os.path.dirname(__file__), '../../../../shared/datasets')

files, pairs = set(), []
with open(os.path.join(root, 'labels.jsonl')) as fh:
    for line in fh:
        r = json.loads(line)
        files.add(r['log'])
        if r.get('pass_log'):
            files.add(r['pass_log'])
            pairs.append((r['log'], r['pass_log']))
for d, _, fs in os.walk(root):
    for f in fs:
        if f.endswith('.log'):
            files.add(os.path.relpath(os.path.join(d, f), root))

runs = []
for f in sorted(files):
    runs.append((f, ['--ruleset', 'full', os.path.join(root, f)]))
    runs.append((f + ' (generic)', ['--ruleset', 'generic', os.path.join(root, f)]))
for f, p in pairs:
    runs.append((f + ' (baseline)', ['--baseline', os.path.join(root, p), os.path.join(root, f)]))


def differs(run):
    name, extra = run
    out = [subprocess.run([b, 'analyze-log', '--format', 'json', *extra], capture_output=True) for b in (old, new)]
    return name if (out[0].stdout, out[0].returncode) != (out[1].stdout, out[1].returncode) else None


with ThreadPoolExecutor(jobs_n) as ex:
    diff = [n for n in ex.map(differs, runs) if n]
for n in diff:
    print('DIFF', n)
print(f'compared {len(runs)} runs, {len(diff)} differ')
sys.exit(1 if diff else 0)
