#!/usr/bin/env bash
# The whole test suite, one command (what CI runs via .ci/run):
#   1. cargo test --workspace --locked (debug): unit, scenario and snapshot tests,
#      then tests/e2e/check_actions.py (action.yml files vs docs/monitor.md)
#   2. scripts/build-image.sh: static release binary + scratch image
#   3. tests/e2e/act-e2e.sh: the workflows run by act against the fake GitHub
#   4. the triage scorer on ../shared/datasets, when present (informational)
# Steps 2-3 need Docker (and act for 3); without them they print SKIP and the
# release binary is still built. Any failing step fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."

start=${CI_BOT_TEST_START:-$(date +%s)}
log=$(mktemp -d /tmp/ci-bot-test.XXXXXX)
passed=0 failed=0 skipped=0
step() { echo; echo "=== $* ($(date -u +%H:%M:%S))"; }
took() { echo "=== took $(( SECONDS - $1 )) s"; }

step "cargo test --workspace --locked"
t0=$SECONDS
cargo test --workspace --locked 2>&1 | tee "$log/cargo-test.txt"
took "$t0"
# Sum cargo's own `test result:` lines for the closing line below.
read -r p f i < <(awk '/^test result:/ { for (k = 1; k <= NF; k++) {
    if ($(k+1) ~ /^passed/) p += $k; if ($(k+1) ~ /^failed/) f += $k; if ($(k+1) ~ /^ignored/) i += $k } }
  END { print p + 0, f + 0, i + 0 }' "$log/cargo-test.txt")
passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + i))

step "action.yml files vs docs/monitor.md"
if python3 -c 'import yaml' 2>/dev/null; then
  python3 tests/e2e/check_actions.py
  passed=$((passed + 1))
else
  echo "SKIP check_actions: python3 has no yaml module (pip install pyyaml)"
  skipped=$((skipped + 1))
fi

step "release build + image"
t0=$SECONDS
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  scripts/build-image.sh
else
  echo "SKIP image: no reachable docker engine; building the release binary only"
  RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
    cargo build --release --locked --target x86_64-unknown-linux-gnu -p ci-bot
fi
took "$t0"

step "act end-to-end"
t0=$SECONDS
tests/e2e/act-e2e.sh 2>&1 | tee "$log/e2e.txt"
if grep -q '^SKIP act-e2e' "$log/e2e.txt"; then skipped=$((skipped + 1)); else passed=$((passed + 1)); fi
took "$t0"

step "triage scorer (informational)"
bin=target/x86_64-unknown-linux-gnu/release/ci-bot
if [ -f ../shared/eval/score.py ] && [ -d ../shared/datasets ]; then
  t0=$SECONDS
  timeout 900 python3 ../shared/eval/score.py --labels ../shared/datasets/labels.jsonl \
    --root ../shared/datasets --cmd "$bin analyze-log --format json {log}" 2>&1 | tail -n 12 \
    || echo "scorer did not finish (informational only)"
  # flaky8: GitLab CI logs of a Rust project, flaky or not (real cargo output)
  timeout 300 python3 ../shared/eval/score.py --root crates/triage/eval/realtools \
    --labels crates/triage/eval/realtools/gitlab_rust/labels.jsonl \
    --cmd "$bin analyze-log --format json {log}" 2>&1 | tail -n 3 \
    || echo "scorer (gitlab_rust) did not finish (informational only)"
  took "$t0"
else
  echo "SKIP scorer: no ../shared/eval/score.py beside this checkout"
fi

rm -rf "$log"
total=$(( $(date +%s) - start ))
echo
echo "test.sh: all steps done in $((total / 60)) min $((total % 60)) s"
echo "tests: $passed passed, $failed failed, $skipped skipped"
