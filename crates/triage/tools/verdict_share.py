#!/usr/bin/env python3
"""How the engine's verdict.category fares where no scorer can measure it.

score.py scores `cat` only on logs outside bugswarm_analyzer with a category
label, and the development datasets have none. Two proxies instead:

* agreement on the bugswarm_analyzer logs labelled `test_failure` (BugSwarm
  labels the job by its failing tests; score.py skips these for `cat`);
* the share of logs per dataset whose verdict is `unknown`: every one of
  them is wrong wherever a category label exists;
* the bugswarm_analyzer logs whose oracle counts no failing test
  (`expected_counts.num_t_failed == 0`: the job passed its tests, or failed
  elsewhere) yet whose verdict is `test_failure`: wrong by the oracle.

usage: verdict_share.py BINARY [DATASETS_DIR]   (default ../shared/datasets)
"""
import collections
import concurrent.futures
import json
import subprocess
import sys


def main():
    binary = sys.argv[1]
    root = sys.argv[2] if len(sys.argv) > 2 else "../shared/datasets"
    rows = {}
    for line in open(f"{root}/labels.jsonl"):
        row = json.loads(line)
        rows[row["log"]] = row  # a log listed twice counts once

    def verdict(row):
        out = subprocess.run([binary, "analyze-log", "--format", "json", f"{root}/{row['log']}"],
                             capture_output=True, check=True).stdout
        return row, json.loads(out)["verdict"]["category"]

    unknown, total = collections.Counter(), collections.Counter()
    agree = labelled = 0
    no_failed = no_failed_but_test = 0
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for row, got in pool.map(verdict, rows.values()):
            total[row["dataset"]] += 1
            unknown[row["dataset"]] += got == "unknown"
            if row["dataset"] == "bugswarm_analyzer" and row.get("category") == "test_failure":
                labelled += 1
                agree += got == "test_failure"
            counts = row.get("expected_counts") or {}
            if row["dataset"] == "bugswarm_analyzer" and counts.get("num_t_failed") == 0:
                no_failed += 1
                no_failed_but_test += got == "test_failure"
    print(f"bugswarm_analyzer labelled test_failure: {agree}/{labelled} verdicts agree")
    print(f"bugswarm_analyzer with no failing test by the oracle: verdict test_failure on {no_failed_but_test}/{no_failed}")
    for ds in sorted(total):
        print(f"{ds}: verdict unknown on {unknown[ds]}/{total[ds]}")


if __name__ == "__main__":
    main()
