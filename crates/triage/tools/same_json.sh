#!/bin/bash
# usage: same_json.sh OLD_CI_BOT NEW_CI_BOT [DATASETS_DIR]
# Byte-compares `analyze-log --format json` of two builds on every dataset
# log: an engine change meant to be a pure speed-up must print
# "0 differ" (docs/quality.md).
old=$1; new=$2; root=${3:-../shared/datasets}; n=0; d=0
while read -r f; do
  n=$((n+1))
  if ! cmp -s <($old analyze-log --format json "$f" 2>&1) <($new analyze-log --format json "$f" 2>&1); then d=$((d+1)); echo "DIFF $f"; fi
done < <(find "$root" -name '*.log' | sort)
echo "compared $n logs, $d differ"
