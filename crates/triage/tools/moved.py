#!/usr/bin/env python3
"""What a change moved, per dataset: `same_json.sh` says how many logs'
JSON differ; this says in what (the verdict's category or flakiness, the
first key line, the first five, the failures) so docs/quality.md can name
the datasets and logs a rule family or parser moved.

usage: moved.py OLD_BINARY NEW_BINARY [DATASETS_DIR] [--list]
"""
import collections
import concurrent.futures
import json
import subprocess
import sys


def analyse(binary, path):
    out = subprocess.run([binary, "analyze-log", "--format", "json", path], capture_output=True, check=True).stdout
    return json.loads(out)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    listing = "--list" in sys.argv
    old, new = args[0], args[1]
    root = args[2] if len(args) > 2 else "../shared/datasets"
    rows = {}
    for line in open(f"{root}/labels.jsonl"):
        row = json.loads(line)
        rows[row["log"]] = row

    def compare(row):
        path = f"{root}/{row['log']}"
        a, b = analyse(old, path), analyse(new, path)
        moved = []
        if a["verdict"]["category"] != b["verdict"]["category"]:
            moved.append(f"category {a['verdict']['category']}->{b['verdict']['category']}")
        if a["verdict"]["flaky"] != b["verdict"]["flaky"]:
            moved.append(f"flaky {a['verdict']['flaky']}->{b['verdict']['flaky']}")
        if a["key_lines"][:1] != b["key_lines"][:1]:
            moved.append("key1")
        elif a["key_lines"][:5] != b["key_lines"][:5]:
            moved.append("key5")
        fa = [(f["test"] or {}).get("id") or f["message"] for f in a["failures"]]
        fb = [(f["test"] or {}).get("id") or f["message"] for f in b["failures"]]
        if fa != fb:
            moved.append("failures")
        if a.get("counts") != b.get("counts"):
            moved.append("counts")
        if a != b and not moved:
            moved.append("other")
        return row, moved

    per = collections.defaultdict(collections.Counter)
    total = collections.Counter()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for row, moved in pool.map(compare, rows.values()):
            ds = row["dataset"]
            total[ds] += 1
            for m in moved:
                per[ds][m.split(" ")[0]] += 1
            if moved:
                per[ds]["any"] += 1
                if listing:
                    print(f"{ds} {row['log']}: {', '.join(moved)}")
    for ds in sorted(total):
        c = per[ds]
        print(f"{ds}: {c['any']}/{total[ds]} moved; category {c['category']}, flaky {c['flaky']}, "
              f"key line 1 {c['key1']}, key lines 2-5 {c['key5']}, failures {c['failures']}, counts {c['counts']}, other {c['other']}")


if __name__ == "__main__":
    main()
