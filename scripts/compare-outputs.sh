#!/usr/bin/env bash
# compare-outputs.sh OLD_BIN NEW_BIN: does a refactor change what the bot says?
#  1. `analyze-log --format json` on every file under ../shared/datasets: byte-equal
#     (markdown too, reported separately: its escaping may change on purpose)
#  2. `demo` at a pinned clock (libfaketime), each output normalised for what varies
#     between two runs of the same binary: the order in which the workflows'
#     comments are created (their ids) and sub-second timestamps.
set -euo pipefail
old=$(readlink -f "$1") new=$(readlink -f "$2")
root=$(cd "$(dirname "$0")/.." && pwd)
data=${DATASETS:-$root/../shared/datasets}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
n=0 json=0 md=0
while IFS= read -r f; do
  n=$((n + 1))
  cmp -s <("$old" analyze-log --format json "$f" 2>&1) <("$new" analyze-log --format json "$f" 2>&1) || { json=$((json + 1)); echo "json differs: $f"; }
  cmp -s <("$old" analyze-log --format markdown "$f" 2>&1) <("$new" analyze-log --format markdown "$f" 2>&1) || md=$((md + 1))
done < <(find "$data" -type f ! -name '*.jsonl' ! -name '*.md' ! -name '*.json' | sort)
echo "analyze-log on $n dataset files: json differs on $json, markdown on $md"
if command -v faketime >/dev/null; then
  for b in old new; do
    bin=$old; [ $b = new ] && bin=$new
    FAKETIME_DONT_FAKE_MONOTONIC=1 faketime '2026-12-03 13:52:11' "$bin" demo --out "$work/$b" >/dev/null
    python3 "$root/scripts/demo-normalise.py" "$work/$b" "$work/n-$b"
  done
  if diff -r "$work/n-old" "$work/n-new" >/dev/null; then echo "demo: $(ls "$work/n-new" | wc -l) files, same"; else diff -r "$work/n-old" "$work/n-new" | head -40; echo "demo: differs"; fi
else
  echo "SKIP demo comparison: no faketime (apt-get install faketime)"
fi
[ "$json" -eq 0 ]
